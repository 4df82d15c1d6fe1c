"""What the entry list shows, row by row, without loading the whole journal.

The journal listing knows only how many entries each day has (a few bytes per day,
counted on the index in ~10 ms at 100,000 entries) and reads entries a page at a time
as rows come into view, each page starting at its own day (``Journal.list_by_day``),
so a page deep in the journal costs what the first one does. The most recent pages
stay in a small cache: memory and first paint are flat from 10 to 100,000 entries.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.types import EntryItem

PAGE_SIZE = 100
# 64 pages of 100 entries: ~1 MB of entry objects, far more than any screen shows.
MAX_PAGES = 64


@dataclass(frozen=True)
class DayRow:
    """A heading row: the day that the entries below it were written."""

    day: str
    count: int


@dataclass(frozen=True)
class EntryRow:
    """A row showing one entry (an entry object of SPEC §4, maybe with a snippet)."""

    offset: int
    item: EntryItem


Row = DayRow | EntryRow


class Listing(Protocol):
    """Rows for the entry list."""

    grouped: bool
    """Whether day headings separate the entries (otherwise each row shows its day)."""

    @property
    def row_count(self) -> int:
        """How many rows there are, headings included."""
        ...

    def row(self, y: int) -> Row | None:
        """The row at ``y``; None past the end or if it vanished meanwhile."""
        ...

    def row_of_path(self, path: str) -> int | None:
        """The row showing the entry at ``path``, if it is listed."""
        ...

    def forget_pages(self) -> None:
        """Drop anything cached, so rows are read again."""
        ...


class EmptyListing:
    """No rows (before the first load)."""

    grouped = True
    row_count = 0

    def row(self, y: int) -> Row | None:
        """Always None."""
        return None

    def row_of_path(self, path: str) -> int | None:
        """Always None."""
        return None

    def forget_pages(self) -> None:
        """Nothing to forget."""


class JournalListing:
    """Every entry, newest day first, under a heading per day; pages loaded on demand."""

    grouped = True

    def __init__(self, journal: Journal, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES):
        self.journal = journal
        self.page_size = page_size
        self.max_pages = max_pages
        self._pages: OrderedDict[int, list[EntryItem]] = OrderedDict()
        self.runs: list[tuple[str, int]] = journal.day_counts()
        # For run i: the row of its heading and the list offset of its first entry.
        self._heading_rows: list[int] = []
        self._first_offsets: list[int] = []
        row = offset = 0
        for _, count in self.runs:
            self._heading_rows.append(row)
            self._first_offsets.append(offset)
            row += count + 1
            offset += count
        self._rows = row
        self.entry_count = offset
        self._run_of_day: dict[str, int] | None = None

    @property
    def row_count(self) -> int:
        """Headings plus entries."""
        return self._rows

    def row(self, y: int) -> Row | None:
        """A heading or an entry row, reading the entry's page if needed."""
        if not 0 <= y < self._rows:
            return None
        run = bisect.bisect_right(self._heading_rows, y) - 1
        heading = self._heading_rows[run]
        if y == heading:
            day, count = self.runs[run]
            return DayRow(day, count)
        offset = self._first_offsets[run] + (y - heading - 1)
        item = self.entry(offset)
        return None if item is None else EntryRow(offset, item)

    def entry(self, offset: int) -> EntryItem | None:
        """The entry object at ``offset`` in list order."""
        number, index = divmod(offset, self.page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._read_page(number)
            self._pages[number] = page
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[index] if index < len(page) else None

    def _read_page(self, number: int) -> list[EntryItem]:
        first = number * self.page_size
        if first >= self.entry_count:
            return []
        run = bisect.bisect_right(self._first_offsets, first) - 1
        day = self.runs[run][0]
        return self.journal.list_by_day(day, first - self._first_offsets[run], self.page_size)

    def row_of_offset(self, offset: int) -> int | None:
        """The row that shows the entry at list ``offset``."""
        if not 0 <= offset < self.entry_count:
            return None
        run = bisect.bisect_right(self._first_offsets, offset) - 1
        return self._heading_rows[run] + 1 + offset - self._first_offsets[run]

    def row_of_day(self, day: str) -> int | None:
        """The heading row of ``day`` or, with nothing written that day, of the nearest
        day before it (else the oldest day); None for an empty journal."""
        if not self.runs:
            return None
        # Runs are newest first: the first run on or before ``day``.
        for run, (written, _) in enumerate(self.runs):
            if written <= day:
                return self._heading_rows[run]
        return self._heading_rows[-1]

    def row_of_path(self, path: str) -> int | None:
        """The row of an entry by path: the index gives its day and its place in the
        day, the day counts the rest (counting every newer entry grew with the journal:
        ~20 ms for the oldest of 300,000)."""
        place = self.journal.day_place(path)
        if place is None:
            return None
        day, rank = place
        if self._run_of_day is None:
            self._run_of_day = {written: run for run, (written, _) in enumerate(self.runs)}
        run = self._run_of_day.get(day)
        if run is None or rank >= self.runs[run][1]:
            return None  # indexed after these counts were read: not listed yet
        return self._heading_rows[run] + 1 + rank

    def forget_pages(self) -> None:
        """Drop cached entries (after an entry changed but kept its place)."""
        self._pages.clear()

    @property
    def cached_pages(self) -> int:
        """How many pages are held (for tests and the benchmark)."""
        return len(self._pages)


class SearchListing:
    """Search results, best first; each row shows its own day."""

    grouped = False

    def __init__(self, results: list[EntryItem]) -> None:
        self.results = results

    @property
    def row_count(self) -> int:
        """One row per result."""
        return len(self.results)

    def row(self, y: int) -> Row | None:
        """The result at ``y``."""
        return EntryRow(y, self.results[y]) if 0 <= y < len(self.results) else None

    def row_of_path(self, path: str) -> int | None:
        """The row of a result by path."""
        for y, item in enumerate(self.results):
            if item.get("path") == path:
                return y
        return None

    def forget_pages(self) -> None:
        """Results are a snapshot: nothing to forget."""
