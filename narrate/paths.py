"""Where narrate keeps things on this platform, one function each."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """The folder holding config.toml and user themes."""
    from platformdirs import user_config_path

    return user_config_path("narrate", appauthor=False)


def config_file() -> Path:
    """The config file; ``NARRATE_CONFIG`` overrides it (tests and power users)."""
    override = os.environ.get("NARRATE_CONFIG")
    return Path(override) if override else config_dir() / "config.toml"


def data_dir() -> Path:
    """The folder for narrate's data outside any journal (community clones)."""
    from platformdirs import user_data_path

    return user_data_path("narrate", appauthor=False)


def default_journal() -> Path:
    """The journal used when neither --journal, NARRATE_JOURNAL nor the config names one."""
    return data_dir() / "journal"
