"""The user's settings: a TOML file read with tomllib and written back by narrate."""

from __future__ import annotations

import json
import os
import tomllib
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
    "private_tags": (list, "a list of tags"),
    "check_back_weeks": (list, "a list of whole numbers of weeks"),
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
        """Tags never published to a community."""
        return [str(t).lower() for t in self.get("private_tags", [])]

    def save(self) -> None:
        """Write the config back atomically, creating its folder."""
        from narrate.journal.store import atomic_write

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, dumps_toml(self.data).encode("utf-8"))


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
    _validate(path, data)
    return Config(path, data)


def _validate(path: Path, data: dict[str, Any], prefix: str = "") -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        expected = _SCHEMA.get(dotted)
        if expected is None:
            continue  # unknown keys are kept for newer versions of narrate
        kind, what = expected
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise NarrateError(
                f"config {path}: key '{dotted}' must be {what}, not {json.dumps(value)}"
            )
        if dotted == "check_back_weeks" and not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
        ):
            raise NarrateError(f"config {path}: key '{dotted}' must be {what}")
        if dotted == "private_tags" and not all(isinstance(v, str) for v in value):
            raise NarrateError(f"config {path}: key '{dotted}' must be {what}")
        if isinstance(value, dict) and dotted in ("author",):
            _validate(path, value, f"{dotted}.")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_string(text: str) -> str:
    # JSON's escapes are valid TOML; TOML also forbids a raw DEL, which JSON leaves alone.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key: str) -> str:
    bare = key.replace("-", "").replace("_", "")
    return key if bare and bare.isascii() and bare.isalnum() else _toml_string(key)


def dumps_toml(data: dict[str, Any]) -> str:
    """Serialise a config mapping: scalars first, then one [table] per nested mapping."""
    lines: list[str] = []

    def emit(prefix: str, table: dict[str, Any]) -> None:
        scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
        subtables = {k: v for k, v in table.items() if isinstance(v, dict)}
        if prefix and (scalars or not subtables):
            lines.extend(["", f"[{prefix}]"])
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items())
        for key, sub in subtables.items():
            emit(f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key), sub)

    emit("", data)
    return "\n".join(lines).lstrip("\n") + "\n"


def env_or_config_journal(config: Config) -> Path | None:
    """The journal named by NARRATE_JOURNAL or the config, if any."""
    env = os.environ.get("NARRATE_JOURNAL")
    if env:
        return Path(env).expanduser()
    configured = config.get("journal")
    return Path(configured).expanduser() if configured else None
