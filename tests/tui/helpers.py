"""Helpers for the TUI tests: waiting for background work, screen text, journal facts."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

from narrate.journal.core import Journal
from narrate.journal.entry import Entry

# Escape sequences Textual itself writes: colours (SGR), cursor moves, synchronized
# output, cursor visibility, and the pointer shape (OSC 22). Anything else came from
# content.
TEXTUAL_SEQUENCES = re.compile(
    r"\x1b\[[0-9;:]*m|\x1b\[\d+;\d+H|\x1b\[\?(?:2026|25|1049|1000|1003|1015|1006|2004)[hl]"
    r"|\x1b\]22;[a-z-]+\x07"
)
CONTROLS = r"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
ANY_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|.)", re.S)


def foreign_sequences(output: str) -> set[str]:
    """Escape sequences and controls in what Textual wrote that Textual did not make:
    they came from content (C1 controls and bidi overrides count too)."""
    found = {s for s in ANY_SEQUENCE.findall(output) if not TEXTUAL_SEQUENCES.fullmatch(s)}
    rest = TEXTUAL_SEQUENCES.sub("", output)
    found.update(
        re.findall(r"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", rest)
    )
    return found


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 10.0
) -> None:
    """Let the app run until ``condition()`` is true; pilot.pause() does not wait for
    workers, so tests wait for what the user would see instead."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await pilot.pause(0.05)


def screen_text(app: App[Any]) -> str:
    """The screen as plain text: the characters export_screenshot() draws."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


async def shows(pilot: Pilot[Any], text: str, timeout: float = 10.0) -> str:
    """Wait until the screen shows ``text`` (rendering trails state under load); the
    screen's text."""
    await wait_for(pilot, lambda: text in screen_text(pilot.app), timeout)
    return screen_text(pilot.app)


def git_log(root: Path) -> list[str]:
    """Commit subjects, newest first."""
    result = subprocess.run(
        ["git", "-C", str(root), "log", "--format=%s"], capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def git_clean(root: Path) -> bool:
    """Whether the work tree has nothing uncommitted."""
    result = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True
    )
    return result.stdout.strip() == ""


def entry_files(root: Path) -> list[Path]:
    """Every entry file in the journal."""
    return sorted((root / "entries").rglob("*.md"))


def add_entry(
    journal: Journal,
    body: str,
    *,
    title: str | None = None,
    days_ago: int = 0,
    hour: int = 9,
    tags: list[str] | None = None,
    **kwargs: Any,
) -> Entry:
    """Add an entry written ``days_ago`` days ago at ``hour`` (committed, indexed)."""
    day = dt.date.today() - dt.timedelta(days=days_ago)
    created = dt.datetime.combine(day, dt.time(hour, 0)).astimezone()
    entry = Entry.new(body, title=title, created=created, tags=tags, **kwargs)
    return journal.add(entry)


def write_entries(journal: Journal, count: int, start: dt.datetime) -> None:
    """Write ``count`` entry files straight to disk, one every 5 hours back from
    ``start``, and index them (one commit per entry would take minutes)."""
    from narrate.journal.store import entry_relpath

    for number in range(count):
        created = start - dt.timedelta(hours=5 * number)
        entry = Entry.new(f"Body of entry {number}", title=f"Entry {number}", created=created)
        rel = entry_relpath(created.year, created.month, f"{created:%Y-%m-%d-%H%M}-e{number}")
        path = journal.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry.document.to_bytes())
    journal.refresh()
