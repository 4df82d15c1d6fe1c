"""Fixtures for the TUI tests: timers that fire in a test's time, the config file."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest

from narrate.tui.screens import journal as journal_screen


@pytest.fixture(autouse=True)
def quick_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autosave, disk checks and searches fire in tests' time, not a writer's."""
    monkeypatch.setattr(journal_screen, "AUTOSAVE_SECONDS", 0.3)
    monkeypatch.setattr(journal_screen, "DISK_CHECK_SECONDS", 0.2)
    monkeypatch.setattr(journal_screen, "SEARCH_DELAY", 0.05)


@pytest.fixture
def config_file(isolated_home: None) -> Path:
    """Where the app reads and writes its config (under the isolated XDG_CONFIG_HOME)."""
    from narrate.paths import config_file

    return config_file()


@pytest.fixture
def user_themes(config_file: Path) -> Path:
    """The user's theme folder, created."""
    folder = config_file.parent / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What Textual writes to the terminal: the headless driver made to act like a real
    one (is_headless False, so the app renders through it) and to record every write."""
    from textual.drivers.headless_driver import HeadlessDriver

    chunks: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "is_headless", property(lambda self: False))
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: chunks.append(data))
    return chunks


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no async plugin is installed, and
    Pilot needs nothing more than asyncio.run)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
