"""The app on a journal without an index: the entries read so far and a progress line,
never "No entries yet", while the first read of the files goes on."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.journal.store import entry_relpath
from narrate.tui.app import NarrateApp
from narrate.tui.writer import Writer
from tests.tui.helpers import screen_text, wait_for
from tests.tui.test_snapshots import FROZEN_TODAY, check_snapshot, frozen_today

__all__ = ["frozen_today"]  # the fixture, used by name

COUNT = 600


def write_files(root: Path, count: int) -> None:
    """``count`` entry files, one every 5 hours back from the frozen day, committed, no
    index: a clone on a new device."""
    start = dt.datetime.combine(FROZEN_TODAY, dt.time(18, 0)).astimezone()
    for number in range(count):
        created = start - dt.timedelta(hours=5 * number)
        entry = Entry.new(f"Body of entry {number}", title=f"Entry {number}", created=created)
        rel = entry_relpath(created.year, created.month, f"{created:%Y-%m-%d-%H%M}-e{number}")
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry.document.to_bytes())
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "entries"], check=True)
    assert not (root / ".narrate" / "index.db").exists()


@pytest.mark.usefixtures("frozen_today")
async def test_the_first_read_shows_entries_as_it_reads_them(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(root, COUNT)
    # Hold the writer after its first committed batch, so the screen can be looked at
    # mid-read; everything else (files, index, threads) is real.
    reported = threading.Event()
    go_on = threading.Event()
    told = Writer.index_progress

    def index_progress(self: Writer, done: int, total: int) -> None:
        told(self, done, total)
        if not reported.is_set():
            reported.set()
            go_on.wait(20)

    monkeypatch.setattr(Writer, "index_progress", index_progress)
    with Journal.open(root) as journal:
        app = NarrateApp(journal)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.journal_screen
            screen.editor.cursor_blink = False
            await wait_for(pilot, reported.is_set)
            await wait_for(pilot, lambda: "of 600 files" in screen_text(app))
            await wait_for(pilot, lambda: "Entry 0" in screen_text(app))
            await pilot.pause(0.2)
            mid = screen_text(app)
            assert "No entries yet" not in mid
            assert f"Reading… 250 of {COUNT:,} files" in mid
            # Newest first: the newest entry heads the list, the oldest is not read yet.
            listing = screen.entry_list.listing
            assert 0 < listing.entry_count < COUNT  # type: ignore[attr-defined]
            assert listing.entry(0)["title"] == "Entry 0"  # type: ignore[attr-defined]
            check_snapshot("cold-start-80x24.txt", mid)
            go_on.set()
            await wait_for(pilot, lambda: screen.indexed)
            await wait_for(pilot, lambda: f"{COUNT} entries" in screen_text(app))
            done = screen_text(app)
            assert "Reading the journal" not in done
            assert "No entries yet" not in done
            assert screen.entry_list.listing.entry_count == COUNT  # type: ignore[attr-defined]
        go_on.set()
