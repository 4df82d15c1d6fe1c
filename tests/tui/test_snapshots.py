"""Snapshots of the main screen in two themes: its text, and its SVG (the colours).

pytest-textual-snapshot pins an old syrupy that needs pytest < 9, so this compares
``export_screenshot()`` and the screen's text with files in snapshots/ directly.
After an intended change, regenerate with NARRATE_UPDATE_SNAPSHOTS=1 and review the
diff (open the .svg files in a browser).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice
from narrate.tui.app import NarrateApp
from tests.tui.helpers import screen_text, wait_for

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("NARRATE_UPDATE_SNAPSHOTS") == "1"


def check_snapshot(name: str, actual: str) -> None:
    """Compare with snapshots/<name>; write it when updating (or when it is new)."""
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, "utf-8")
        if not UPDATE:
            pytest.fail(f"new snapshot {path} written: review it and run the tests again")
        return
    expected = path.read_text("utf-8")
    if actual != expected:
        (path.parent / f"{path.stem}.actual{path.suffix}").write_text(actual, "utf-8")
        diff = "\n".join(
            difflib.unified_diff(expected.splitlines(), actual.splitlines(), lineterm="", n=1)
        )
        pytest.fail(f"{name} differs (actual saved beside it):\n{diff[:3000]}")


def fill(journal: Journal) -> None:
    """A small journal at fixed past dates, so the screen is the same every day."""

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2024, 3, day, hour, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))

    entries = [
        Entry.new("Reviewed the retry PR.\n", title="Code review day", created=at(4, 9),
                  tags=["code-review"]),
        Entry.new("Tests first, then the diff.\n", title="Reading tests first", created=at(4, 16),
                  practice=[Practice(area="code-review", change="Read the tests first")]),
        Entry.new("Health notes.\n", title="Doctor appointment", created=at(5, 8), private=True),
        Entry.new("Paired with Mei on the parser.\n", title="Pairing on the parser",
                  created=at(6, 11), tags=["pairing", "parser"]),
        Entry.new("[red]not markup[/red]\n", title="[red]Brackets stay[/red]", created=at(6, 17)),
    ]  # fmt: skip
    for entry in entries:
        journal.add(entry)


@pytest.mark.parametrize("theme", ["narrate-dusk", "narrate-paper"])
async def test_main_screen(journal: Journal, theme: str) -> None:
    fill(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 24)) as pilot:
        app.theme = theme
        app.journal_screen.editor.cursor_blink = False
        await wait_for(pilot, lambda: app.sub_title == "clean")
        # The footer fills in after its first layout: wait for what a user would see.
        await wait_for(pilot, lambda: "^q Quit" in screen_text(app))
        await pilot.pause(0.2)
        check_snapshot("main-screen.txt", screen_text(app))
        check_snapshot(f"main-screen-{theme}.svg", app.export_screenshot(title="narrate"))
