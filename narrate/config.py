"""The user's settings: a TOML file read with tomllib, edited in place with tomlkit."""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrate.errors import NarrateError
from narrate.paths import config_file

# key -> (expected type, description for error messages). Nested tables use dotted keys.
_SCHEMA: dict[str, tuple[type | tuple[type, ...], str]] = {
    "journal": (str, "a path"),
    "editor": (str, "a command"),
    "theme": (str, "a theme name"),
    "auto_sync": (bool, "true or false"),
    "sync_timeout": ((int, float), "a number of seconds"),
    # How 11/03 reads: 11 March ("dmy", the default) or 3 November ("mdy").
    "date_order": (str, '"dmy" or "mdy"'),
    "private_tags": (list, "a list of tags"),
    "check_back_weeks": (list, "a list of whole numbers of weeks"),
    "reshare_checkbacks": (bool, "true or false"),
    "author": (dict, "a table"),
    "author.handle": (str, "a handle"),
    "author.email": (str, "an e-mail address"),
    "author.name": (str, "a name"),
    "communities": (dict, "a table of communities"),
}


@dataclass
class Config:
    """Settings from config.toml; ``data`` keeps every key, known or not, for writing back."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """Keys narrate does not know (likely misspelled), one line each, for the faces to show."""

    def get(self, dotted: str, default: Any = None) -> Any:
        """The value at a dotted key such as ``author.handle``, or ``default``."""
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def set(self, dotted: str, value: Any) -> None:
        """Set a dotted key, creating tables on the way."""
        parts = dotted.split(".")
        node = self.data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    @property
    def private_tags(self) -> list[str]:
        """Tags never published to a community, in their stored form."""
        tags = (private_tag(str(t)) for t in self.get("private_tags", []))
        return list(dict.fromkeys(t for t in tags if t))

    def delete(self, dotted: str) -> None:
        """Remove a dotted key (and its table); a missing key is not an error."""
        parts = dotted.split(".")
        node: Any = self.data
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)

    def save(self) -> None:
        """Write the config back atomically, keeping the user's comments and layout.

        tomlkit (imported only here: reads stay on tomllib) edits the file as it is on
        disk, changing only the keys whose values differ from ``data``.
        """
        import tomlkit

        from narrate.journal.store import atomic_write

        try:
            document = tomlkit.parse(self.path.read_text("utf-8"))
        except FileNotFoundError:
            document = tomlkit.document()
        except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
            raise NarrateError(f"cannot update config {self.path}: {exc}; fix it by hand") from exc
        _sync_table(document, self.data)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, tomlkit.dumps(document).encode("utf-8"))


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config; a missing file is an empty config."""
    path = path or config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path)
    except OSError as exc:
        raise NarrateError(f"cannot read config {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise NarrateError(f"config {path} is not UTF-8 text; fix or delete it") from exc
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already says "(at line N, column M)".
        raise NarrateError(f"config {path} is not valid TOML: {exc}; fix or delete it") from exc
    warnings: list[str] = []
    _validate(path, data, warnings)
    return Config(path, data, warnings)


def _validate(path: Path, data: dict[str, Any], warnings: list[str], prefix: str = "") -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        expected = _SCHEMA.get(dotted)
        if expected is None:
            # Kept (a newer narrate may know it), but said: a typo must not pass silently.
            warnings.append(_unknown_key(path, dotted))
            continue
        kind, what = expected
        # A bool against a flag, not narrowed: mypy would narrow ``value`` to object.
        typed = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
        if not typed:
            shown = json.dumps(value, default=str)
            raise NarrateError(f"config {path}: key '{dotted}' must be {what}, not {shown}")
        if dotted == "check_back_weeks" and not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
        ):
            raise NarrateError(f"config {path}: key '{dotted}' must be {what}")
        if dotted == "private_tags":
            for tag in value:
                # Fail closed: a value that is no tag would silently protect nothing.
                if not isinstance(tag, str) or private_tag(tag) is None:
                    shown = json.dumps(tag, ensure_ascii=False, default=str)
                    raise NarrateError(
                        f"config {path}: key '{dotted}' must be {what} (such as \"health\" "
                        f'or "#health"); {shown} is not a tag'
                    )
        if dotted == "date_order" and value not in ("dmy", "mdy"):
            raise NarrateError(f"config {path}: key '{dotted}' must be {what}, not {value!r}")
        if dotted == "sync_timeout" and not (math.isfinite(value) and value > 0):
            raise NarrateError(
                f"config {path}: key '{dotted}' must be a positive number of seconds, not {value}"
            )
        if isinstance(value, dict) and dotted in ("author",):
            _validate(path, value, warnings, f"{dotted}.")


# A tag in any script: letters and digits, then also "_", "/" and "-" (the stored tag
# grammar of narrate.journal.entry.normalise_tag, widened beyond ASCII).
_PRIVATE_TAG = re.compile(r"[^\W_][\w/-]*")


def private_tag(raw: str) -> str | None:
    """A ``private_tags`` value as tags are stored ("#Health " -> health), in any script;
    None if it is not a tag."""
    tag = unicodedata.normalize("NFC", raw).strip().lstrip("#").lower().rstrip("/-")
    return tag if _PRIVATE_TAG.fullmatch(tag) else None


def _unknown_key(path: Path, dotted: str) -> str:
    """The warning for a key narrate does not know, naming the closest one it does."""
    import difflib

    close = difflib.get_close_matches(dotted, list(_SCHEMA), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"config {path}: unknown key '{dotted}'{hint}; narrate ignores it"


def dumps_toml(data: dict[str, Any]) -> str:
    """Serialise a config mapping as TOML (a fresh file: no comments to keep)."""
    import tomlkit

    document = tomlkit.document()
    _sync_table(document, data)
    return tomlkit.dumps(document)


def _sync_table(table: MutableMapping[str, Any], data: dict[str, Any]) -> None:
    """Make a tomlkit table hold ``data``, touching only the keys whose value changed, so
    every comment, blank line and key order the user wrote stays where it was."""
    import tomlkit

    for key in [k for k in table if k not in data]:
        del table[key]
    for key, value in data.items():
        current = table.get(key)
        if isinstance(value, dict):
            if isinstance(current, MutableMapping):
                _sync_table(current, value)
            else:
                fresh = tomlkit.table()
                _sync_table(fresh, value)
                table[key] = fresh
        elif current is None or _plain(current) != value:
            table[key] = value


def _plain(item: Any) -> Any:
    """A tomlkit item as the plain Python value tomllib would have read."""
    return item.unwrap() if hasattr(item, "unwrap") else item


def env_or_config_journal(config: Config) -> Path | None:
    """The journal named by NARRATE_JOURNAL or the config, if any."""
    env = os.environ.get("NARRATE_JOURNAL")
    chosen, source = (env, "$NARRATE_JOURNAL") if env else (config.get("journal"), None)
    if not chosen:
        return None
    path = Path(chosen).expanduser()
    if path.exists() and not path.is_dir():
        where = source or f"key 'journal' in config {config.path}"
        raise NarrateError(
            f"the journal {path} (from {where}) is not a folder; point it at a journal "
            "folder, or at a new one for 'narrate init'"
        )
    return path
