"""The entry list: day headings, lazy pages, thousands of entries, keys and mouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.listing import MAX_PAGES, DayRow, EntryRow, JournalListing, SearchListing
from narrate.tui.text import humane_day, one_line, printable, short_day
from narrate.tui.widgets.entry_list import EntryList
from tests.tui.helpers import add_entry, screen_text, wait_for, write_entries

MANY = 5000


class FakeJournal:
    """Entries as the index would list them: day runs and pages, counting reads."""

    def __init__(self, days: list[tuple[str, int]]) -> None:
        self.items = [
            {"path": f"{day}-{n}.md", "title": f"{day} #{n}", "created": f"{day}T09:00:00"}
            for day, count in days
            for n in range(count)
        ]
        self.runs = days
        self.reads = 0

    def day_runs(self) -> list[tuple[str, int]]:
        return self.runs

    def list(self, limit: int, offset: int) -> list[dict[str, Any]]:
        self.reads += 1
        return self.items[offset : offset + limit]

    def position(self, path: str) -> int | None:
        return next((i for i, item in enumerate(self.items) if item["path"] == path), None)


def test_rows_interleave_day_headings_and_entries() -> None:
    fake = FakeJournal([("2026-11-27", 2), ("2026-11-25", 1), ("2026-11-20", 3)])
    listing = JournalListing(fake, page_size=2)
    rows = [listing.row(y) for y in range(listing.row_count)]
    assert listing.row_count == 9 and listing.entry_count == 6
    assert [type(r).__name__ for r in rows] == [
        "DayRow", "EntryRow", "EntryRow", "DayRow", "EntryRow", "DayRow", "EntryRow", "EntryRow",
        "EntryRow",
    ]  # fmt: skip
    assert rows[0] == DayRow("2026-11-27", 2)
    entry_rows = [r for r in rows if isinstance(r, EntryRow)]
    assert [r.offset for r in entry_rows] == list(range(6))
    assert [r.item["path"] for r in entry_rows] == [i["path"] for i in fake.items]
    for row in entry_rows:
        assert listing.row_of_offset(row.offset) == rows.index(row)
    assert listing.row_of_path("2026-11-20-2.md") == 8
    assert listing.row(9) is None and listing.row(-1) is None


def test_pages_are_read_on_demand_and_the_cache_is_bounded() -> None:
    fake = FakeJournal([(f"2026-01-{d:02d}", 50) for d in range(28, 0, -1)] * 10)
    listing = JournalListing(fake, page_size=10, max_pages=4)
    assert fake.reads == 0  # nothing is read until a row is shown
    for y in range(30):
        listing.row(y)
    assert fake.reads == 3
    for y in range(listing.row_count - 1, listing.row_count - 200, -1):
        listing.row(y)
    assert listing.cached_pages <= 4


def test_search_results_are_flat() -> None:
    listing = SearchListing([{"path": "a.md"}, {"path": "b.md"}])
    assert not listing.grouped and listing.row_count == 2
    assert listing.row(1) == EntryRow(1, {"path": "b.md"})
    assert listing.row_of_path("b.md") == 1 and listing.row_of_path("c.md") is None


def test_days_read_like_people_say_them() -> None:
    today = dt.date(2026, 11, 27)
    assert humane_day(today, today) == "Today"
    assert humane_day(dt.date(2026, 11, 26), today) == "Yesterday"
    assert humane_day(dt.date(2026, 11, 24), today) == "Tue 24 Nov"
    assert humane_day(dt.date(2025, 11, 24), today) == "Mon 24 Nov 2025"
    assert short_day(dt.date(2025, 11, 24), today) == "2025-11-24"
    assert short_day(dt.date(2026, 3, 2), today) == "Mon 2 Mar"


def test_text_for_the_screen_has_no_control_characters() -> None:
    assert printable("a\x1b[31mb\x07c\x9bd\ttab\nnl") == "a\ufffd[31mb\ufffdc\ufffdd\ttab\nnl"
    assert one_line(" two\nlines\tand tab ") == "two lines and tab"


@pytest.fixture(scope="module")
def big_journal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A journal of MANY entries, one every five hours (written directly, indexed)."""
    root = tmp_path_factory.mktemp("big") / "journal"
    with pytest.MonkeyPatch.context() as patch:
        for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
            patch.setenv(var, "Narrate Tests")
        for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
            patch.setenv(var, "tests@narrate.invalid")
        journal = Journal.create(root)
        start = dt.datetime.now().astimezone().replace(minute=0, second=0, microsecond=0)
        write_entries(journal, MANY, start - dt.timedelta(hours=1))
        journal.close()
    yield root


async def test_thousands_of_entries_render_and_scroll(big_journal: Path) -> None:
    with Journal.open(big_journal) as journal:
        async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
            entries = pilot.app.journal_screen.entry_list
            listing = entries.listing
            assert isinstance(listing, JournalListing)
            assert listing.entry_count == MANY
            assert f"{MANY:,} entries" in screen_text(pilot.app)
            assert "Entry 0" in screen_text(pilot.app)
            # Only the pages for the visible rows were read.
            assert listing.cached_pages == 1
            await pilot.press("ctrl+l", "end")
            assert entries.cursor == listing.row_count - 1
            assert f"Entry {MANY - 1}" in screen_text(pilot.app)
            assert pilot.app.journal_screen.entry.title == f"Entry {MANY - 1}"
            for _ in range(3):
                await pilot.press("pageup")
            await pilot.press("home")
            assert entries.cursor == 1
            assert listing.cached_pages <= MAX_PAGES
            await wait_for(pilot, lambda: pilot.app.journal_screen.indexed)


async def test_mouse_picks_an_entry_and_double_click_opens_it_for_writing(
    journal: Journal,
) -> None:
    older = add_entry(journal, "Older\n", title="Older one", days_ago=2)
    add_entry(journal, "Newer\n", title="Newer one", days_ago=1)
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        screen = pilot.app.journal_screen
        row = screen.entry_list.listing.row_of_path(older.path)
        assert row is not None
        await pilot.click(EntryList, offset=(10, row))
        assert screen.entry.id == older.id
        await pilot.click(EntryList, offset=(10, row), times=2)
        assert screen.editor.has_focus
