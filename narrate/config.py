"""The user's settings: a TOML file read with tomllib, edited in place with tomlkit."""

from __future__ import annotations

import json
import math
import os
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
    "community_pull_minutes": ((int, float), "a number of minutes (0: never)"),
    # How 11/03 reads: 11 March ("dmy", the default) or 3 November ("mdy").
    "date_order": (str, '"dmy" or "mdy"'),
    "private_tags": (list, "a list of tags"),
    # Folders of the journal whose Markdown files are not entries (templates, archives).
    "ignore": (list, "a list of folders inside the journal"),
    "check_back_weeks": (list, "a list of whole numbers of weeks"),
    "reshare_checkbacks": (bool, "true or false"),
    "author": (dict, "a table"),
    "author.handle": (str, "a handle"),
    "author.email": (str, "an e-mail address"),
    "author.name": (str, "a name"),
    "communities": (dict, "a table of communities"),
    # One table per community; "*" stands for its name (narrate.community.registry).
    "communities.*": (dict, "a table (url, member, ...)"),
    "communities.*.url": (str, "the community's git URL"),
    "communities.*.member": (str, "your handle there"),
    "communities.*.email": (str, "an e-mail address"),
    "communities.*.partial": (bool, "true or false"),
    "communities.*.follow": (list, 'a list such as ["bob", "#testing", "area:code-review"]'),
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

    @property
    def ignore(self) -> list[str]:
        """The journal folders whose files are not entries, relative, "/" separators."""
        folders = (ignore_folder(str(f)) for f in self.get("ignore", []))
        return list(dict.fromkeys(f for f in folders if f))

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
    import tomllib  # only when there is a config to read

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
        expected = _SCHEMA.get(_schema_key(dotted))
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
        if _schema_key(dotted) == "communities.*.follow" and not all(
            isinstance(v, str) for v in value
        ):
            raise NarrateError(f"config {path}: key '{dotted}' must be {what}")
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
        if dotted == "ignore":
            for folder in value:
                if not isinstance(folder, str) or ignore_folder(folder) is None:
                    shown = json.dumps(folder, ensure_ascii=False, default=str)
                    raise NarrateError(
                        f"config {path}: key '{dotted}' must be {what} (such as "
                        f'"Templates" or "Archive/2019"); {shown} is not one (no absolute '
                        "paths, no '..', and not entries/, where narrate writes)"
                    )
        if dotted == "date_order" and value not in ("dmy", "mdy"):
            raise NarrateError(f"config {path}: key '{dotted}' must be {what}, not {value!r}")
        if dotted == "sync_timeout" and not (math.isfinite(value) and value > 0):
            raise NarrateError(
                f"config {path}: key '{dotted}' must be a positive number of seconds, not {value}"
            )
        if dotted == "community_pull_minutes" and not (math.isfinite(value) and value >= 0):
            raise NarrateError(
                f"config {path}: key '{dotted}' must be {what}, a number 0 or more, not {value}"
            )
        if isinstance(value, dict) and _schema_key(dotted) in (
            "author",
            "communities",
            "communities.*",
        ):
            _validate(path, value, warnings, f"{dotted}.")


def _schema_key(dotted: str) -> str:
    """The schema's name for a dotted key: a community's own name reads as "*"."""
    parts = dotted.split(".")
    if parts[0] == "communities" and len(parts) > 1:
        parts[1] = "*"
    return ".".join(parts)


def ignore_folder(raw: str) -> str | None:
    """An ``ignore`` value as a relative folder ("Templates/" -> Templates), or None when
    it is not one: absolute, empty, climbing out with "..", or narrate's own entries/."""
    text = raw.strip().replace("\\", "/").strip("/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if not parts or raw.strip().startswith(("/", "~")) or ".." in parts or ":" in parts[0]:
        return None
    folder = "/".join(parts)
    return None if folder == "entries" or folder.startswith("entries/") else folder


def private_tag(raw: str) -> str | None:
    """A ``private_tags`` value as tags are stored ("#Health " -> health), in any script;
    None if it is not a tag (the grammar is the core's, normalise_tag)."""
    from narrate.journal.entry import normalise_tag

    return normalise_tag(raw)


def _unknown_key(path: Path, dotted: str) -> str:
    """The warning for a key narrate does not know, naming the closest one it does."""
    import difflib

    close = difflib.get_close_matches(_schema_key(dotted), list(_SCHEMA), n=1, cutoff=0.6)
    # Named as the user would write it: "communities.*.partial" -> "communities.cop.partial".
    named = [_named_like(c, dotted) for c in close]
    hint = f" (did you mean '{named[0]}'?)" if named else ""
    return f"config {path}: unknown key '{dotted}'{hint}; narrate ignores it"


def _named_like(schema_key: str, dotted: str) -> str:
    """A schema key with its "*" replaced by the name ``dotted`` has there."""
    parts, names = schema_key.split("."), dotted.split(".")
    return ".".join(names[i] if p == "*" and i < len(names) else p for i, p in enumerate(parts))


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
