"""Issue 13, the app as a person lives with it: outside entries appear, search as you
type, the own editor, a calendar, the word count."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.listing import JournalListing, SearchListing
from narrate.tui.screens import journal as journal_screen
from tests.tui.helpers import add_entry, shows, wait_for

SIZE = (100, 30)


def listed(app: NarrateApp) -> int:
    """How many entries the journal list holds."""
    listing = app.journal_screen.entry_list.listing
    return listing.entry_count if isinstance(listing, JournalListing) else -1


async def test_an_entry_added_by_another_process_appears(
    journal: Journal, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another narrate (the CLI) writes the file, indexes it in the same index.db and
    # commits: the app's own refresh then finds nothing new on disk.
    monkeypatch.setattr(journal_screen, "REFRESH_SECONDS", 0.3)
    add_entry(journal, "First", days_ago=2)
    add_entry(journal, "Second", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        assert listed(app) == 2
        other = Journal.open(root)
        try:
            add_entry(other, "Written from the CLI", title="From the other shell", days_ago=1)
        finally:
            other.close()
        await wait_for(pilot, lambda: listed(app) == 3, timeout=5)
        await shows(pilot, "3 entries")
        await shows(pilot, "From the other shell")


def test_refreshing_every_few_seconds() -> None:
    # "Within a few seconds", by any means (a file written by hand needs a refresh).
    assert journal_screen.REFRESH_SECONDS <= 5


async def test_search_as_you_type_treats_the_last_word_as_a_prefix(journal: Journal) -> None:
    add_entry(journal, "Added a retry to the uploader", days_ago=1)
    add_entry(journal, "Planning the quarter", days_ago=2)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        entries = screen.entry_list
        await wait_for(pilot, lambda: screen.indexed)
        await pilot.press("ctrl+f", *"retr")
        await wait_for(pilot, lambda: isinstance(entries.listing, SearchListing))
        await shows(pilot, "1 match")
        assert entries.listing.row_count == 1
        # A finished word (a space after it) is exact again.
        await pilot.press("space", "q", "backspace")
        await wait_for(pilot, lambda: screen.search_query == "retr ")
        await shows(pilot, "No matches for")


async def test_zero_matches_say_so_not_start_writing(journal: Journal) -> None:
    add_entry(journal, "Something ordinary", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        await pilot.press("ctrl+f", *"zebra")
        text = await shows(pilot, "No matches for")
        assert "zebra" in text
        assert "No entries yet" not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(screen.entry_list.listing, JournalListing))
        assert "No matches" not in await shows(pilot, "1 entry")
