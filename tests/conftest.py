"""Fixtures for the core's tests: an isolated home, a git identity, real journals."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from tests.helpers import Cli

# Community fixtures (a bare remote, members) for the CLI and the app tests alike.
pytest_plugins = ["tests.community.helpers"]

IDENTITY = {
    "GIT_AUTHOR_NAME": "Narrate Tests",
    "GIT_AUTHOR_EMAIL": "tests@narrate.invalid",
    "GIT_COMMITTER_NAME": "Narrate Tests",
    "GIT_COMMITTER_EMAIL": "tests@narrate.invalid",
}


def _isolate(monkeypatch: pytest.MonkeyPatch, base: Path) -> None:
    for var, sub in [
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ]:
        (base / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(base / sub))
    for var in ("NARRATE_JOURNAL", "NARRATE_CONFIG", "EDITOR", "VISUAL", "GIT_DIR"):
        monkeypatch.delenv(var, raising=False)
    # The machine's /etc/gitconfig (hooks, signing, templates) must not change results.
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var, value in IDENTITY.items():
        monkeypatch.setenv(var, value)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test never sees the developer's config, journal or git identity: CI has none."""
    # Beside tmp_path, not in it: tests compare folder listings of tmp_path.
    _isolate(monkeypatch, tmp_path.parent / f"{tmp_path.name}-env")


@pytest.fixture(scope="session")
def template_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One freshly initialised journal, copied by each test (git init costs ~40 ms)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        base = tmp_path_factory.mktemp("template")
        _isolate(monkeypatch, base / "env")
        root = base / "journal"
        Journal.create(root).close()
    return root


@pytest.fixture
def root(tmp_path: Path, template_journal: Path) -> Path:
    """A new, empty journal folder (a git repository with one commit)."""
    target = tmp_path / "journal"
    shutil.copytree(template_journal, target, symlinks=True)
    return target


@pytest.fixture
def journal(root: Path) -> Iterator[Journal]:
    """The Journal API over ``root``."""
    with Journal.open(root) as opened:
        yield opened


@pytest.fixture
def cli(root: Path) -> Cli:
    """The CLI, in-process, with --journal pointing at ``root``."""
    return Cli(root)
