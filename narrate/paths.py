"""Where narrate keeps things on this platform, one function each."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _xdg(variable: str, fallback: str) -> Path | None:
    """The XDG base folder (Linux and other Unixes but macOS): the variable when it
    holds an absolute path, else ``~/fallback``; None where platformdirs decides
    (macOS, Windows) or when the home folder is not an absolute path."""
    if sys.platform in ("darwin", "win32", "cygwin"):
        return None
    value = os.environ.get(variable, "")
    if os.path.isabs(value):
        return Path(value)
    home = os.environ.get("HOME")
    if home is None or not os.path.isabs(home):
        return None  # platformdirs knows the fallbacks (the password database)
    return Path(home.rstrip("/") or "/", fallback)


def config_dir() -> Path:
    """The folder holding config.toml and user themes."""
    # On Linux the XDG rule directly: platformdirs' import (with tempfile, random and
    # hashlib under it) cost every read about 3 ms; tests/test_paths.py holds the two equal.
    base = _xdg("XDG_CONFIG_HOME", ".config")
    if base is not None:
        return base / "narrate"
    from platformdirs import user_config_path

    return user_config_path("narrate", appauthor=False)


def config_file() -> Path:
    """The config file; ``NARRATE_CONFIG`` overrides it (tests and power users)."""
    override = os.environ.get("NARRATE_CONFIG")
    return Path(override) if override else config_dir() / "config.toml"


def data_dir() -> Path:
    """The folder for narrate's data outside any journal (community clones)."""
    base = _xdg("XDG_DATA_HOME", ".local/share")
    if base is not None:
        return base / "narrate"
    from platformdirs import user_data_path

    return user_data_path("narrate", appauthor=False)


def default_journal() -> Path:
    """The journal used when neither --journal, NARRATE_JOURNAL nor the config names one."""
    return data_dir() / "journal"
