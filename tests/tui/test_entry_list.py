"""The entry list: day headings, lazy pages, thousands of entries, keys and mouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events

from narrate.humane import humane_date, short_day
from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.tui.app import NarrateApp
from narrate.tui.listing import MAX_PAGES, DayRow, EntryRow, JournalListing, SearchListing
from narrate.tui.text import one_line
from narrate.tui.widgets.entry_list import EntryList
from tests.tui.helpers import add_entry, shows, wait_for, write_entries

MANY = 5000


class FakeJournal:
    """Entries as the index would list them: day counts and pages, counting reads."""

    def __init__(self, days: list[tuple[str, int]]) -> None:
        self.items = [
            {"path": f"{day}-{n}.md", "title": f"{day} #{n}", "created": f"{day}T09:00:00"}
            for day, count in days
            for n in range(count)
        ]
        self.days = days
        self.reads = 0

    def day_counts(self) -> list[tuple[str, int]]:
        return self.days

    def list_by_day(self, day: str, skip: int, limit: int) -> list[dict[str, Any]]:
        self.reads += 1
        start = next(i for i, item in enumerate(self.items) if item["created"][:10] <= day)
        return self.items[start + skip : start + skip + limit]

    def day_place(self, path: str) -> tuple[str, int] | None:
        item = next((item for item in self.items if item["path"] == path), None)
        if item is None:
            return None
        day = item["created"][:10]
        same_day = [other["path"] for other in self.items if other["created"][:10] == day]
        return day, same_day.index(path)


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
    fake = FakeJournal(
        [(f"20{y:02d}-01-{d:02d}", 50) for y in range(25, 15, -1) for d in range(28, 0, -1)]
    )
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
    assert humane_date(today, today) == "Today"
    assert humane_date(dt.date(2026, 11, 26), today) == "Yesterday"
    assert humane_date(dt.date(2026, 11, 24), today) == "Tue 24 Nov"
    assert humane_date(dt.date(2025, 11, 24), today) == "Mon 24 Nov 2025"
    assert short_day(dt.date(2025, 11, 24), today) == "2025-11-24"
    assert short_day(dt.date(2026, 3, 2), today) == "Mon 2 Mar"


def test_text_for_the_screen_has_no_control_characters() -> None:
    # The one sanitiser's rules (narrate/sanitize.py): escapes go whole, with their payload.
    # Invisible characters are shown, so one name cannot pass for another.
    assert one_line("a\x1b[31mb\x07c\x9bd\ttab\nnl\u202e\u200b") == "abc tab nl<U+202E><U+200B>"
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
            text = await shows(pilot, f"{MANY:,} entries")
            assert "Entry 0" in text
            # Only the pages for the visible rows were read.
            assert listing.cached_pages == 1
            await pilot.press("ctrl+l", "end")
            assert entries.cursor == listing.row_count - 1
            await shows(pilot, f"Entry {MANY - 1}")
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


def test_entries_sit_under_the_day_their_writer_lived(journal: Journal) -> None:
    """Grouping follows the writer's calendar day, even when time zones reorder the
    instants: 00:30 in Athens on the 2nd is earlier than 23:00 in London on the 1st."""
    athens = dt.timezone(dt.timedelta(hours=2))
    early_on_2nd = Entry.new(
        "a", title="Athens", created=dt.datetime(2026, 1, 2, 0, 30, tzinfo=athens)
    )
    late_on_1st = Entry.new(
        "b", title="London", created=dt.datetime(2026, 1, 1, 23, 0, tzinfo=dt.UTC)
    )
    older = Entry.new("c", title="Older", created=dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC))
    for entry in (early_on_2nd, late_on_1st, older):
        journal.add(entry)
    listing = JournalListing(journal, page_size=2)
    rows = [listing.row(y) for y in range(listing.row_count)]
    shown = [r.day if isinstance(r, DayRow) else r.item["title"] for r in rows if r]
    assert shown == ["2026-01-02", "Athens", "2026-01-01", "London", "Older"]
    for row in rows:
        if isinstance(row, EntryRow):
            assert listing.row_of_path(row.item["path"]) == rows.index(row)


async def test_the_cursor_row_is_drawn_in_the_cursor_colours(journal: Journal) -> None:
    add_entry(journal, "One\n", title="One", days_ago=1)
    add_entry(journal, "Two\n", title="Two", days_ago=2)
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        entries = pilot.app.journal_screen.entry_list
        await pilot.press("ctrl+l", "down")
        assert entries.cursor is not None
        cursor = entries.get_visual_style("entry-list--cursor").rich_style
        strip = entries.render_line(entries.cursor - round(entries.scroll_y))
        assert {segment.style.bgcolor for segment in strip} == {cursor.bgcolor}
        other = entries.render_line(entries.cursor + 2 - round(entries.scroll_y))
        assert cursor.bgcolor not in {segment.style.bgcolor for segment in other}


def test_an_entry_is_found_by_its_day_and_its_place_in_it(big_journal: Path) -> None:
    # row_of_path asks the index for the entry's day and rank in it, and the day counts
    # give the rest: the newest, a middle and the oldest entry land on their own rows.
    with Journal.open(big_journal) as journal:
        listing = JournalListing(journal)
        for y in (1, listing.row_count // 2, listing.row_count - 1):
            row = listing.row(y)
            if not isinstance(row, EntryRow):
                row = listing.row(y + 1)
                y += 1
            assert isinstance(row, EntryRow)
            assert listing.row_of_path(row.item["path"]) == y
        assert listing.row_of_path("entries/1999/01/not-there.md") is None


def test_an_entry_indexed_after_the_counts_is_not_placed_past_its_day(
    journal: Journal,
) -> None:
    add_entry(journal, "Yesterday\n", title="Yesterday", days_ago=1)
    add_entry(journal, "First\n", title="First", hour=10)
    listing = JournalListing(journal)
    earlier = add_entry(journal, "Earlier\n", title="Earlier", hour=8)
    # Today's count says one entry: the row after it is yesterday's heading, not this.
    assert listing.row_of_path(earlier.path) is None
    assert JournalListing(journal).row_of_path(earlier.path) == 2


async def test_search_results_page_to_the_last_match(big_journal: Path) -> None:
    from narrate.tui.screens.journal import SEARCH_LIMIT

    with Journal.open(big_journal) as journal:
        async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
            screen = pilot.app.journal_screen
            await wait_for(pilot, lambda: screen.indexed)
            await pilot.press("ctrl+f", *"body")
            await shows(pilot, f"best {SEARCH_LIMIT} matches")
            listing = screen.entry_list.listing
            assert isinstance(listing, SearchListing) and listing.row_count == SEARCH_LIMIT
            await pilot.press("enter", "end")
            last = listing.results[-1]
            assert screen.entry_list.cursor == SEARCH_LIMIT - 1
            await shows(pilot, str(last["title"]))
            assert screen.entry is not None and screen.entry.path == last["path"]
            await pilot.press("pageup", "home")
            assert screen.entry_list.cursor == 0
            assert screen.entry.path == listing.results[0]["path"]


async def test_the_day_counts_are_read_again_only_when_the_index_changed(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counting the days reads the whole index (~35 ms at 300,000 entries): leaving a
    # search or opening the calendar reuses them; an entry added meanwhile is shown.
    write_entries(journal, 300, dt.datetime.now().astimezone() - dt.timedelta(days=1))
    counted: list[int] = []
    day_counts = journal.day_counts

    def counting() -> list[tuple[str, int]]:
        counted.append(1)
        return day_counts()

    monkeypatch.setattr(journal, "day_counts", counting)
    async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
        screen = pilot.app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        await shows(pilot, "300 entries")
        before = len(counted)
        await pilot.press("ctrl+f", *"entry 42")
        await shows(pilot, "Entry 42")
        await pilot.press("escape")
        await shows(pilot, "300 entries")
        await pilot.press("f12")
        await pilot.pause(0.1)
        await pilot.press("escape")
        assert len(counted) == before
        # `narrate add` in another process, while the list is open.
        with Journal.open(journal.root) as other:
            added = add_entry(other, "Written in a shell\n", title="Added from the CLI")
        pilot.app.post_message(events.AppFocus())  # back from the shell: look again
        await shows(pilot, "Added from the CLI")
        await shows(pilot, "301 entries")
        assert len(counted) > before
        assert screen.entry_list.listing.row_of_path(added.path) is not None
