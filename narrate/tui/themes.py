"""Themes as files: narrate's own (packaged) and the user's, read into Textual themes.

A theme file is TOML with the fields of ``textual.theme.Theme``::

    name = "my-theme"
    dark = true
    primary = "#A98BD6"          # the only colour that is required
    background = "#1C1B22"       # secondary, accent, foreground, surface, panel,
                                 # warning, error, success, boost work the same way
    [variables]                  # optional Textual design variables
    "footer-key-foreground" = "#E8B46A"

A file that cannot be used is skipped and reported; it never stops the app.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from narrate.paths import config_file

DEFAULT_THEME = "narrate-dusk"
COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
NUMBER_FIELDS = ("luminosity_spread", "text_alpha")
# Files larger than this are not themes; reading them would only waste time.
MAX_THEME_BYTES = 64 * 1024


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message says what is wrong."""


@dataclass
class LoadedThemes:
    """The themes that loaded, and one line per file that did not."""

    themes: list[Theme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def builtin_theme_dir() -> Path:
    """The themes shipped inside the package (also the project root's ``themes/``)."""
    return Path(__file__).resolve().parent.parent / "themes"


def user_theme_dir() -> Path:
    """The user's own themes: ``themes/`` beside config.toml."""
    return config_file().parent / "themes"


def parse_theme(text: str, source: str = "<theme>") -> Theme:
    """A Textual Theme from TOML text; raises ThemeFileError naming the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"name", "dark", "variables", *COLOUR_FIELDS, *NUMBER_FIELDS})
    if unknown:
        raise ThemeFileError(f"unknown key {unknown[0]!r}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError("'name' is missing (a theme needs a name)")
    if "primary" not in data:
        raise ThemeFileError("'primary' is missing (a theme needs a primary colour)")
    fields: dict[str, Any] = {"name": name.strip()}
    for key in COLOUR_FIELDS:
        if key in data:
            fields[key] = _colour(key, data[key])
    for key in NUMBER_FIELDS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ThemeFileError(f"'{key}' must be a number")
            fields[key] = float(value)
    if "dark" in data:
        if not isinstance(data["dark"], bool):
            raise ThemeFileError("'dark' must be true or false")
        fields["dark"] = data["dark"]
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(value, str) for value in variables.values()
    ):
        raise ThemeFileError("[variables] must be a table of strings")
    fields["variables"] = dict(variables)
    theme = Theme(**fields)
    try:
        # Building the colour system is what the app does on switching: fail here instead.
        theme.to_color_system().generate()
    except Exception as exc:
        raise ThemeFileError(f"cannot build the theme: {exc}") from None
    return theme


def _colour(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"'{key}' must be a colour string such as \"#A98BD6\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(f"'{key}' is not a colour: {value!r}") from None
    return value


def load_theme_file(path: Path) -> Theme:
    """Read one theme file; raises ThemeFileError."""
    try:
        if path.stat().st_size > MAX_THEME_BYTES:
            raise ThemeFileError(f"larger than {MAX_THEME_BYTES // 1024} KiB")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ThemeFileError("not UTF-8 text") from None
    except OSError as exc:
        raise ThemeFileError(f"cannot read: {exc.strerror}") from None
    return parse_theme(text, str(path))


def load_themes(folders: list[Path]) -> LoadedThemes:
    """Every ``*.toml`` theme in ``folders``, in order (a later file of the same name
    wins); broken files are skipped and listed in ``problems``."""
    loaded = LoadedThemes()
    by_name: dict[str, Theme] = {}
    for folder in folders:
        try:
            files = sorted(p for p in folder.glob("*.toml") if p.is_file())
        except OSError:
            continue
        for path in files:
            try:
                theme = load_theme_file(path)
            except ThemeFileError as exc:
                loaded.problems.append(f"{path}: {exc}")
                continue
            by_name[theme.name] = theme
    loaded.themes = list(by_name.values())
    return loaded
