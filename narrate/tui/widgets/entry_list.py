"""The entry list: a Line-API widget that renders only the rows on screen.

Why not ListView, OptionList or DataTable: measured on this project, ListView takes
8 s for 1,000 rows (a widget per row), and OptionList and DataTable 19-21 s to first
paint 100,000 rows because they measure every row at first layout. This widget asks
its Listing for the ~30 visible rows and caches their rendered strips: 0.7 s.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from narrate.humane import humane_date, short_day
from narrate.journal.conflicts import is_conflict_copy
from narrate.tui.listing import DayRow, EmptyListing, EntryRow, Listing
from narrate.tui.messages import EntryChosen, EntryHighlighted
from narrate.tui.text import one_line, parse_day

PRACTICE_MARK = "◆"
PRIVATE_MARK = "⊘"
SHARED_MARK = "↗"
CURRENT_MARK = "▌"
CONFLICT_MARK = "≠"
STAR_MARK = "★"


class EntryList(ScrollView, can_focus=True):
    """Entries newest first, grouped by day, with markers for practice, private, shared."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "entry-list--day",
        "entry-list--date",
        "entry-list--time",
        "entry-list--tags",
        "entry-list--practice",
        "entry-list--private",
        "entry-list--shared",
        "entry-list--conflict",
        "entry-list--current",
        "entry-list--cursor",
        "entry-list--empty",
    }

    DEFAULT_CSS = """
    EntryList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .entry-list--day { color: $text-primary; text-style: bold; }
        & > .entry-list--date { color: $text-muted; }
        & > .entry-list--time { color: $text-muted; }
        & > .entry-list--tags { color: $text-secondary; }
        & > .entry-list--practice { color: $text-warning; }
        & > .entry-list--private { color: $text-error; }
        & > .entry-list--shared { color: $text-success; }
        & > .entry-list--conflict { color: $text-warning; text-style: bold; }
        & > .entry-list--current { color: $accent; }
        & > .entry-list--empty { color: $text-muted; text-style: italic; }
        & > .entry-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .entry-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, tooltip="The entry above"),
        Binding("down,j", "cursor_down", "Down", show=False, tooltip="The entry below"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="A screenful up"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="A screenful down"),
        Binding("home", "first", "First", show=False, tooltip="The newest entry"),
        Binding("end", "last", "Last", show=False, tooltip="The oldest entry"),
        Binding("enter", "choose", "Write", show=False, tooltip="Write in the entry"),
    ]

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.listing: Listing = EmptyListing()
        self.cursor: int | None = None
        """The row under the cursor (always an entry row), or None."""
        self.current_path: str | None = None
        """The entry open in the editor, marked in the list."""
        self.empty_text = ""
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(512)
        self._generation = 0
        self.today = dt.date.today()

    # ------------------------------------------------------------------ data

    def set_listing(self, listing: Listing, follow: str | None = None) -> None:
        """Show ``listing``; keep the cursor on the entry at ``follow`` if it is listed."""
        self.listing = listing
        self.today = dt.date.today()
        self._invalidate()
        self.virtual_size = Size(self.scrollable_content_region.width, listing.row_count)
        # No cursor when the open entry is not listed (a new entry, or a search that
        # does not find it): the first key press then lands on the first entry.
        row = listing.row_of_path(follow) if follow else None
        self.cursor = row
        if row is not None:
            self._scroll_to_row(row)
        else:
            self.scroll_to(y=0, animate=False)
        self.refresh()

    def mark_current(self, path: str | None, move_cursor: bool = True) -> None:
        """Mark the entry open in the editor and, if it is listed, put the cursor on it."""
        self.current_path = path
        if move_cursor and path is not None:
            row = self.listing.row_of_path(path)
            if row is not None:
                self.cursor = row
                self._scroll_to_row(row)
        self._invalidate()
        self.refresh()

    def reload_rows(self) -> None:
        """Read the visible rows again (an entry changed but kept its place)."""
        self.listing.forget_pages()
        self._invalidate()
        self.refresh()

    @property
    def cursor_path(self) -> str | None:
        """The path of the entry under the cursor."""
        row = self.listing.row(self.cursor) if self.cursor is not None else None
        return row.item.get("path") if isinstance(row, EntryRow) else None

    def _invalidate(self) -> None:
        self._generation += 1
        self._cache.clear()

    def notify_style_update(self) -> None:
        """Drop rendered rows when the theme or styles change."""
        super().notify_style_update()
        self._invalidate()

    def on_resize(self, event: events.Resize) -> None:
        """Keep the virtual width equal to the visible width (no horizontal scrolling)."""
        self.virtual_size = Size(self.scrollable_content_region.width, self.listing.row_count)
        self._invalidate()

    # ------------------------------------------------------------------ movement

    def _entry_row_from(self, row: int, step: int) -> int | None:
        """The first entry row at or after ``row`` going by ``step``; None if none."""
        rows = self.listing.row_count
        # Headings never follow each other, so at most two steps find an entry row.
        for _ in range(3):
            if not 0 <= row < rows:
                return None
            if isinstance(self.listing.row(row), EntryRow):
                return row
            row += step
        return None

    def _move_to(self, row: int | None) -> None:
        if row is None or row == self.cursor:
            return
        self.cursor = row
        self._scroll_to_row(row)
        self.refresh()
        path = self.cursor_path
        if path:
            self.post_message(EntryHighlighted(path))

    def _scroll_to_row(self, row: int) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = round(self.scroll_y)
        # Show the day heading with the first entry of a day.
        wanted_top = row - 1 if row > 0 and isinstance(self.listing.row(row - 1), DayRow) else row
        if wanted_top < top:
            self.scroll_to(y=wanted_top, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def move_to_row(self, row: int) -> None:
        """Put the cursor on the first entry at or below ``row`` (and open it)."""
        self._move_to(self._entry_row_from(row, 1))

    def action_cursor_up(self) -> None:
        """Move to the entry above."""
        start = (self.cursor if self.cursor is not None else 1) - 1
        self._move_to(self._entry_row_from(start, -1))

    def action_cursor_down(self) -> None:
        """Move to the entry below."""
        start = (self.cursor if self.cursor is not None else -1) + 1
        self._move_to(self._entry_row_from(start, 1))

    def action_page_up(self) -> None:
        """Move a screenful up."""
        height = max(self.scrollable_content_region.height - 1, 1)
        target = max((self.cursor or 0) - height, 0)
        self._move_to(self._entry_row_from(target, 1))

    def action_page_down(self) -> None:
        """Move a screenful down."""
        height = max(self.scrollable_content_region.height - 1, 1)
        target = min((self.cursor or 0) + height, self.listing.row_count - 1)
        self._move_to(self._entry_row_from(target, -1) or self._entry_row_from(target, 1))

    def action_first(self) -> None:
        """Move to the newest entry."""
        self._move_to(self._entry_row_from(0, 1))

    def action_last(self) -> None:
        """Move to the oldest entry."""
        self._move_to(self._entry_row_from(self.listing.row_count - 1, -1))

    def action_choose(self) -> None:
        """Open the entry under the cursor for writing."""
        path = self.cursor_path
        if path:
            self.post_message(EntryChosen(path))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a double click opens the entry for writing."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + round(self.scroll_y)
        if isinstance(self.listing.row(row), EntryRow):
            self._move_to(row)
            if event.chain >= 2:
                self.action_choose()

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        """One visible line: a day heading, an entry, or blank."""
        width = self.scrollable_content_region.width
        row_index = round(self.scroll_y) + y
        key = (row_index, width, row_index == self.cursor, self.has_focus, self._generation)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row_index, width)
            self._cache[key] = strip
        return strip

    def _part(self, name: str) -> Style:
        """A component's colour and text style, without its background.

        Taken from the visual style, where Textual has blended semi-transparent colours
        such as $text-muted onto the list's background (a partial style cannot).
        """
        full = self.get_visual_style(name).rich_style
        return Style(
            color=full.color,
            bold=full.bold,
            italic=full.italic,
            underline=full.underline,
            strike=full.strike,
        )

    def _render_row(self, row_index: int, width: int) -> Strip:
        base = self.rich_style
        if self.listing.row_count == 0:
            text = Text(self.empty_text if row_index == 1 else "", style=base)
            if row_index == 1:
                text.stylize(self._part("entry-list--empty"))
                text.pad_left(1)
            return self._strip(text, width, base)
        row = self.listing.row(row_index)
        if isinstance(row, DayRow):
            text = self._day_text(row, base)
        elif isinstance(row, EntryRow):
            style = (
                self.get_visual_style("entry-list--cursor").rich_style
                if row_index == self.cursor
                else base
            )
            under_cursor = row_index == self.cursor
            text = self._entry_text(row, style, under_cursor)
            markers = self._markers(row, style, under_cursor)
            if markers.cell_len:
                # Markers sit at the right edge, so titles get every other cell.
                text.truncate(max(width - markers.cell_len - 1, 1), overflow="ellipsis", pad=True)
                text.append(" ")
                text.append_text(markers)
            base = style
        else:
            text = Text("", style=base)
        return self._strip(text, width, base)

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(width, overflow="ellipsis")
        # Text.render leaves out the Text's own style when it has no spans (a row in
        # the cursor's single colour): apply it underneath every segment.
        segments = list(Segment.apply_style(text.render(self.app.console), style))
        return Strip(segments).crop_extend(0, width, style)

    def _markers(self, row: EntryRow, style: Style, under_cursor: bool) -> Text:
        """Conflict, star, practice, private and shared markers for an entry, maybe empty."""
        part = (lambda name: Style()) if under_cursor else self._part
        item = row.item
        text = Text(style=style, no_wrap=True)
        if is_conflict_copy(item):
            text.append(CONFLICT_MARK, part("entry-list--conflict"))
        if item.get("starred"):
            text.append(STAR_MARK, part("entry-list--practice"))
        if item.get("practice"):
            text.append(PRACTICE_MARK, part("entry-list--practice"))
        if item.get("private"):
            text.append(PRIVATE_MARK, part("entry-list--private"))
        elif item.get("shared"):
            text.append(SHARED_MARK, part("entry-list--shared"))
        return text

    def _day_text(self, row: DayRow, style: Style) -> Text:
        day = parse_day(row.day)
        text = Text(style=style, no_wrap=True)
        if day is None:
            text.append(f" {one_line(row.day)}", self._part("entry-list--day"))
            return text
        label = humane_date(day, self.today)
        text.append(f" {label}", self._part("entry-list--day"))
        if label in ("Today", "Yesterday"):
            text.append(f" · {day:%a} {day.day} {day:%b}", self._part("entry-list--date"))
        return text

    def _entry_text(self, row: EntryRow, style: Style, under_cursor: bool) -> Text:
        item = row.item
        text = Text(style=style, no_wrap=True)
        # Under the cursor the row is one colour: part colours chosen for the list's
        # background could vanish on the cursor's.
        part = (lambda name: Style()) if under_cursor else self._part
        if item.get("path") == self.current_path:
            text.append(CURRENT_MARK, part("entry-list--current"))
        else:
            text.append(" ")
        created = str(item.get("created", ""))
        if self.listing.grouped:
            text.append(created[11:16].ljust(5), part("entry-list--time"))
        else:
            day = parse_day(created)
            label = short_day(day, self.today) if day else ""
            text.append(label.ljust(10), part("entry-list--time"))
        text.append(" ")
        # Titles and tags are untrusted text: appended as plain strings, never markup.
        text.append(one_line(str(item.get("title") or "Untitled")))
        tags = [one_line(str(tag)) for tag in item.get("tags") or []]
        if tags:
            text.append("  " + " ".join(f"#{tag}" for tag in tags), part("entry-list--tags"))
        return text
