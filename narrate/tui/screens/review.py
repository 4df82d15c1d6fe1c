"""The Review screen: how did my practice change? Bars per area, the cadence heat map,
the timeline, what stuck, check-backs due and "on this day", over a chosen period."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static

from narrate.errors import NarrateError
from narrate.tui.text import one_line
from narrate.tui.writer import TaskJob, journal_app

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.practice.review import Review
    from narrate.tui.screens.journal import JournalScreen
    from narrate.tui.screens.practice import EntryRewritten

SPANS = (30, 90, 365)
"""The periods offered, in days back from today."""
BY = ("week", "month")
# A DataTable measures every row it is given: adding and painting 500 rows took 0.09 s,
# the 3,720 changes of a year at 100k entries 0.34 s (a third of the screen's budget of
# one second). The full timeline is in `narrate review --json`.
TIMELINE_LIMIT = 500
DUE_LIMIT = 200
BAR_CHARS = " ▁▂▃▄▅▆▇█"


@dataclass
class ReviewBuilt(Message):
    """A review was aggregated in the background."""

    review: Review
    seconds: float
    """How long build_review took."""
    request: int
    """Which request it answers (a newer period choice supersedes it)."""


@dataclass
class ReviewFailed(Message):
    """The review could not be built."""

    reason: str
    request: int


def period_short(label: str, by: str) -> str:
    """A period label that fits a column: "Nov" for 2026-11 (Jan '26 in January), "23 Nov"
    for the week starting Monday 23 November (2026-W48)."""
    if by == "week":
        from narrate.practice.review import period_title

        return period_title(label, by)
    year, month = label.split("-")
    name = dt.date(int(year), int(month), 1).strftime("%b")
    return f"{name}'{year[2:]}" if month == "01" else name


def area_bars(review: Review, width: int) -> Content:
    """Changes per area per period: one bar per period, scaled to the busiest one, with
    the period names above and each area's total at the right."""
    if not review.areas:
        return Content.styled("No practice changes in this period.", "$text-muted italic")
    periods = review.periods
    name_w = min(24, max(len(a["area"]) for a in review.areas)) + 2
    count_w = max(len(str(a["count"])) for a in review.areas) + 2
    room = max(len(periods), width - name_w - count_w)
    cell = max(1, min(5, room // len(periods)))
    bar_w = cell - 1 if cell > 2 else cell
    top = max((n for a in review.areas for n in a["periods"].values()), default=0) or 1

    axis = [" "] * (cell * len(periods))
    free = 0
    for i, label in enumerate(periods):
        short = period_short(label, review.by)
        start = i * cell
        if start >= free and start + len(short) <= len(axis):
            axis[start : start + len(short)] = short
            free = start + len(short) + 1
    parts: list[Content] = [
        Content(" " * name_w),
        Content.styled("".join(axis).rstrip(), "$text-muted"),
        Content("\n"),
    ]
    for area in review.areas:
        name = one_line(area["area"])
        name = name if len(name) <= name_w - 2 else name[: name_w - 3] + "…"
        parts.append(Content.styled(name.ljust(name_w), "$text-primary"))
        bars = []
        for period in periods:
            n = area["periods"][period]
            char = BAR_CHARS[0] if n == 0 else BAR_CHARS[max(1, round(n / top * 8))]
            bars.append((char * bar_w).ljust(cell))
        parts.append(Content.styled("".join(bars), "$text-success"))
        parts.append(Content(str(area["count"]).rjust(count_w) + "\n"))
    return Content("").join(parts).rstrip()


def heat_map(review: Review) -> Content:
    """The narration calendar (one row a weekday, one column a week) and its figures."""
    from narrate.practice.report import heat_rows

    c = review.cadence
    parts = [
        Content.styled(
            f"Wrote on {c['days_with_entries']} of {c['days']} days · "
            f"{c['entries_per_week']} entries a week · streak {c['current_streak']} "
            f"(longest {c['longest_streak']})\n",
            "",
        )
    ]
    for name, cells in heat_rows(review):
        parts.append(Content.styled(f"{name} ", "$text-muted"))
        parts.append(Content.styled(cells + "\n", "$text-success"))
    return Content("").join(parts).rstrip()


def heat_day(review: Review, x: int, y: int) -> dt.date | None:
    """The day drawn at (x, y) of heat_map's picture: a line of figures, then one line
    per weekday of "Mon " and a cell per week."""
    week, weekday = x - 4, y - 1
    if week < 0 or not 0 <= weekday < 7:
        return None
    start = review.since - dt.timedelta(days=review.since.weekday())
    day = start + dt.timedelta(weeks=week, days=weekday)
    return day if review.since <= day <= review.until else None


def what_stuck(review: Review) -> Content:
    """Counts by status, and where the changes came from."""
    s = review.status
    total = sum(s.values())
    parts = [
        Content.styled(f"adopted {s['adopted']}", "bold $text-success"),
        Content(" · "),
        Content.styled(f"trying {s['trying']}", "bold"),
        Content(" · "),
        Content.styled(f"dropped {s['dropped']}", "bold $text-error"),
        Content(f"  of {total} change{'' if total == 1 else 's'} recorded or settled"),
    ]
    if review.sources:
        longest = max(len(one_line(item["source"])) for item in review.sources)
        width = min(30, max(len("source"), longest)) + 2
        parts.append(
            Content.styled(
                "\n\n" + "source".ljust(width) + "changes  adopted  dropped  trying", "$text-muted"
            )
        )
        for item in review.sources[:12]:
            name = one_line(item["source"])
            name = name if len(name) < width - 1 else name[: width - 2] + "…"
            parts.append(
                Content(
                    "\n"
                    + name.ljust(width)
                    + f"{item['count']:>7}  {item['adopted']:>7}  {item['dropped']:>7}  "
                    f"{item['trying']:>6}"
                )
            )
        if len(review.sources) > 12:
            parts.append(Content.styled(f"\n…and {len(review.sources) - 12} more", "$text-muted"))
    return Content("").join(parts)


def change_text(change: Mapping[str, Any], width: int | None = None) -> Text:
    """ "before → after" for a table cell, untrusted text kept plain; cut to ``width``
    (a DataTable column is as wide as its longest cell, and would scroll sideways)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if change.get("before"):
        text.append(one_line(change["before"]) + " → ", "dim")
    text.append(one_line(change["change"]))
    return cut(text, width)


def cut(text: Text, width: int | None) -> Text:
    """``text`` no wider than ``width`` cells, ending in "…" when cut."""
    if width is not None and text.cell_len > width:
        text.truncate(max(1, width), overflow="ellipsis")
    return text


def review_title(review: Review) -> Text:
    """The period in few characters ("Review 3 Sep → 1 Dec 2026 · 6 changes"), so it
    fits beside the period choices at 80 columns."""
    since, until = review.since, review.until
    start = f"{since.day} {since:%b}" + ("" if since.year == until.year else f" {since.year}")
    title = Text(no_wrap=True, overflow="ellipsis")
    title.append("Review ", "bold")
    title.append(f"{start} → {until.day} {until:%b %Y}")
    total = sum(a["count"] for a in review.areas)
    title.append(f" · {total} change{'' if total == 1 else 's'}", "dim")
    return title


def change_detail(change: Mapping[str, Any]) -> Text:
    """The highlighted change in full, wrapped: before → now, where it came from, its
    status and every check-back (date, answer, note)."""
    from narrate.practice.report import check_words

    text = Text()
    text.append(f"{change['date']} · {one_line(change['area'])} · {change['status']}", "bold")
    if change.get("source"):
        text.append(f" · from {one_line(change['source'])}", "dim")
    text.append(f" · {one_line(change.get('title') or '')}\n", "dim")
    if change.get("before"):
        text.append("before: ", "dim")
        text.append(one_line(change["before"]) + "\n")
    text.append("now:    " if change.get("before") else "", "dim")
    text.append(one_line(change["change"]))
    checks = change.get("checks") or []
    if not checks:
        text.append("\nno check-back answered yet", "dim")
    for check in checks:
        text.append("\n· " + one_line(check_words(check)), "dim")
    return text


class ReviewScreen(Screen[None]):
    """How my practice changed over a period, aggregated in SQL in the background."""

    CSS_PATH = "review.tcss"
    AUTO_FOCUS = "#review-body"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f9", "close", "Journal", tooltip="Back to the journal"),
        Binding("b", "toggle_by", "Week/month", tooltip="Bars by week or by month"),
        # Short words and t out of the footer: at 80 columns it must keep f1 Help and ^q Quit.
        Binding("p", "cycle_span", "Period", tooltip="Review 30, 90 or 365 days"),
        Binding(
            "t", "focus('#review-timeline')", "Timeline", show=False, tooltip="Move to the timeline"
        ),
        Binding("c", "focus('#review-due')", "Check-backs", tooltip="Move to the check-backs due"),
        Binding("r", "reload", "Reload", show=False, tooltip="Build the review again"),
        Binding("f1", "app.help", "Help", tooltip="All keys"),
    ]

    def __init__(
        self,
        journal: Journal,
        by: str = "month",
        days: int = 90,
        focus_due: bool = False,
        today: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.today = today
        """The day the review ends (None: the day it is built)."""
        self.focus_due = focus_due
        """Move to the check-backs due once they are listed."""
        self.journal = journal
        self.by = by
        self.days = days
        self.review: Review | None = None
        """The review shown, once built."""
        self.request = 0
        self.timing: dict[str, float] = {}
        """Seconds: ``build`` (build_review) and ``shown`` (request to the tables filled
        and painted)."""
        self.shown_at: float | None = None
        """``time.perf_counter()`` when the filled screen was last painted."""
        self._asked = 0.0
        self._paths: dict[str, str] = {}
        self._fitted = 0
        """The screen width the tables' long columns were cut for."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """A bar of period choices over the sections, in one scrolling column."""
        yield Header(icon="✎")
        with Horizontal(id="review-bar"):
            yield Static("", id="review-title", markup=False)
            yield Select(
                [("by week", "week"), ("by month", "month")],
                value=self.by,
                allow_blank=False,
                type_to_search=False,
                compact=True,
                id="review-by",
            )
            yield Select(
                [(f"last {d} days", d) for d in SPANS],
                value=self.days,
                allow_blank=False,
                type_to_search=False,
                compact=True,
                id="review-span",
            )
        with VerticalScroll(id="review-body"):
            yield Label("Changes per area", classes="review-heading")
            yield Static("", id="review-areas")
            yield Label("What stuck", classes="review-heading")
            yield Static("", id="review-stuck")
            yield Label("Check-backs due", classes="review-heading", id="review-due-heading")
            yield DataTable(id="review-due", cursor_type="row", zebra_stripes=True)
            yield Label("Timeline", classes="review-heading", id="review-timeline-heading")
            yield Static("", id="review-change")
            yield DataTable(id="review-timeline", cursor_type="row", zebra_stripes=True)
            yield Label("Narration cadence", classes="review-heading")
            yield Static("", id="review-cadence")
            yield Label("On this day", classes="review-heading")
            yield DataTable(id="review-onthisday", cursor_type="row", show_header=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Columns now, figures from a worker."""
        self.query_one("#review-due", DataTable).add_columns("due", "area", "change", "entry")
        timeline = self.query_one("#review-timeline", DataTable)
        # The long column last, so the short ones stay on screen; the highlighted
        # change is shown whole (wrapped, with its check-backs) above the table.
        timeline.add_columns("date", "area", "status", "change")
        self.query_one("#review-onthisday", DataTable).add_columns("when", "entry")
        self.load()

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        """Build the review for the chosen period in the background."""
        self.request += 1
        self._asked = time.perf_counter()
        self.query_one("#review-title", Static).update(Text("Reviewing…", "dim"))
        self.query_one("#review-body").loading = self.review is None
        self.build(self.request, self.by, self.days)

    def build(self, request: int, by: str, days: int) -> None:
        """Aggregate in SQL on the app's reader (~0.1-0.2 s at 100k entries), so a save
        or a sync in the writer's queue does not hold it up."""
        from narrate.practice.checkback import check_back_weeks

        app = journal_app(self)
        weeks = check_back_weeks(app.config)
        fixed = self.today

        def task(journal: Journal) -> Message:
            from narrate.practice.review import build_review

            started = time.perf_counter()
            today = fixed or dt.date.today()
            try:
                review = build_review(
                    journal,
                    since=today - dt.timedelta(days=days - 1),
                    until=today,
                    by=by,
                    weeks=weeks,
                    today=today,
                )
            except Exception as exc:  # say so, rather than "Reviewing…" for ever
                from narrate.tui.screens.practice import describe

                return ReviewFailed(describe(exc), request)
            return ReviewBuilt(review, time.perf_counter() - started, request)

        # A newer request still queued replaces an older one (same name).
        app.reader.submit(TaskJob("review", task, reply=self.post_message))

    @on(ReviewFailed)
    def failed(self, message: ReviewFailed) -> None:
        """Say why there is no review."""
        if message.request != self.request:
            return
        self.query_one("#review-body").loading = False
        self.query_one("#review-title", Static).update(Text("No review", "bold"))
        self.notify(f"Could not build the review: {message.reason}", severity="error", markup=False)

    @on(ReviewBuilt)
    def built(self, message: ReviewBuilt) -> None:
        """Fill every section (unless a newer period was asked for meanwhile)."""
        if message.request != self.request:
            return
        review = self.review = message.review
        self.timing["build"] = message.seconds
        self.query_one("#review-title", Static).update(review_title(review))
        self.show_bars()
        self.query_one("#review-stuck", Static).update(what_stuck(review))
        self.query_one("#review-cadence", Static).update(heat_map(review))
        self.fill_due(review)
        self.fill_timeline(review)
        self.fill_on_this_day(review)
        self.query_one("#review-body").loading = False
        if self.focus_due:
            self.focus_due = False
            due = self.query_one("#review-due", DataTable)
            due.focus()
            self.call_after_refresh(due.scroll_visible)
        self.call_after_refresh(self._shown)

    def _shown(self) -> None:
        self.shown_at = time.perf_counter()
        self.timing["shown"] = self.shown_at - self._asked

    def show_bars(self) -> None:
        """The area chart, fitted to the screen's width."""
        if self.review is not None:
            widget = self.query_one("#review-areas", Static)
            width = widget.size.width or self.size.width - 4
            widget.update(area_bars(self.review, width))

    def on_resize(self) -> None:
        """Fit the bars and the tables' long columns to the new width."""
        self.call_after_refresh(self.show_bars)
        if self.review is not None and self._fitted != self.size.width:
            self.call_after_refresh(self.fill_due, self.review)
            self.call_after_refresh(self.fill_timeline, self.review)

    def room(self, *columns: int) -> int:
        """The cells left for a table's last column beside ``columns`` wide ones."""
        width = self.size.width or 80
        # The body's padding (4), each column's padding (2) and the scrollbar.
        return max(16, width - 4 - 1 - sum(c + 2 for c in columns) - 2)

    def fill_due(self, review: Review) -> None:
        """Check-backs due, the longest overdue first."""
        table = self.query_one("#review-due", DataTable)
        table.clear()
        shown = review.due[:DUE_LIMIT]
        area_w = max((len(one_line(i["area"])) for i in shown), default=4)
        room = self.room(10, area_w)
        self._fitted = self.size.width
        for number, item in enumerate(shown):
            change = Text(one_line(item["change"]), no_wrap=True, overflow="ellipsis")
            title = Text(one_line(item["title"] or ""), no_wrap=True, overflow="ellipsis")
            table.add_row(
                Text(str(item["due"])),
                Text(one_line(item["area"])),
                cut(change, room * 3 // 5),
                cut(title, room - min(change.cell_len, room * 3 // 5) - 2),
                key=str(number),
            )
        count = len(review.due)
        heading = f"Check-backs due ({count}) · enter answers “still doing it?”"
        if count > DUE_LIMIT:
            heading += f" · the {DUE_LIMIT} longest overdue shown"
        if not count:
            heading = "Check-backs due: none"
        self.query_one("#review-due-heading", Label).update(Text(heading))
        table.display = bool(count)

    def fill_timeline(self, review: Review) -> None:
        """The changes of the period, newest first; enter opens the entry."""
        table = self.query_one("#review-timeline", DataTable)
        table.clear()
        shown = review.changes[::-1][:TIMELINE_LIMIT]
        area_w = max((len(one_line(c["area"])) for c in shown), default=4)
        room = self.room(10, area_w, 7)
        self._fitted = self.size.width
        for number, change in enumerate(shown):
            table.add_row(
                Text(str(change["date"])),
                Text(one_line(change["area"])),
                Text(change["status"]),
                change_text(change, room),
                key=f"{number}\x00{change['id']}",
            )
        count = len(review.changes)
        heading = f"Timeline ({count}, newest first) · enter opens the entry"
        if count > TIMELINE_LIMIT:
            heading += f" · latest {TIMELINE_LIMIT} shown; narrate review --json has all"
        if not count:
            heading = "Timeline: no changes in this period"
        self.query_one("#review-timeline-heading", Label).update(Text(heading))
        table.display = bool(count)
        self.show_change(table.cursor_row if count else None)

    def show_change(self, row: int | None) -> None:
        """The timeline's highlighted change in full above the table."""
        detail = self.query_one("#review-change", Static)
        shown = self.review.changes[::-1][:TIMELINE_LIMIT] if self.review else []
        detail.display = row is not None and 0 <= row < len(shown)
        if row is not None and 0 <= row < len(shown):
            detail.update(change_detail(shown[row]))

    @on(DataTable.RowHighlighted, "#review-timeline")
    def change_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the change under the cursor whole, and keep it in sight."""
        self.show_change(event.cursor_row)
        if event.data_table.has_focus:
            detail = self.query_one("#review-change", Static)
            self.call_after_refresh(detail.scroll_visible, top=True, animate=False)

    def fill_on_this_day(self, review: Review) -> None:
        """Entries written a month and a year ago today."""
        table = self.query_one("#review-onthisday", DataTable)
        table.clear()
        for key, label in (("month_ago", "a month ago"), ("year_ago", "a year ago")):
            for number, item in enumerate(review.on_this_day.get(key) or []):
                table.add_row(
                    Text(label, "dim"),
                    Text(one_line(item["title"] or "Untitled")),
                    key=f"{key}{number}\x00{item['id']}",
                )
        if not table.row_count:
            table.add_row(Text("nothing written a month or a year ago today", "dim"), Text(""))
        table.display = True

    # ------------------------------------------------------------------ choices

    @on(Select.Changed, "#review-by")
    def by_changed(self, event: Select.Changed) -> None:
        """By week or month."""
        if isinstance(event.value, str) and event.value != self.by:
            self.by = event.value
            self.load()

    @on(Select.Changed, "#review-span")
    def span_changed(self, event: Select.Changed) -> None:
        """30, 90 or 365 days."""
        if isinstance(event.value, int) and event.value != self.days:
            self.days = event.value
            self.load()

    def action_toggle_by(self) -> None:
        """Switch the bars between weeks and months."""
        self.query_one("#review-by", Select).value = "week" if self.by == "month" else "month"

    def action_cycle_span(self) -> None:
        """30 → 90 → 365 → 30 days."""
        following = SPANS[(SPANS.index(self.days) + 1) % len(SPANS)] if self.days in SPANS else 90
        self.query_one("#review-span", Select).value = following

    def action_reload(self) -> None:
        """Build the review again (after writing elsewhere)."""
        self.load()

    def action_close(self) -> None:
        """Back to the journal."""
        self.dismiss()

    # ------------------------------------------------------------------ selecting

    @property
    def journal_screen(self) -> JournalScreen | None:
        """The journal screen underneath, if there is one (the app's, never imported)."""
        screen: JournalScreen | None = getattr(self.app, "journal_screen", None)
        return screen

    def on_click(self, event: events.Click) -> None:
        """A day of the heat map opens that day's entries in the journal."""
        cadence = self.query_one("#review-cadence", Static)
        offset = event.get_content_offset(cadence) if event.widget is cadence else None
        day = heat_day(self.review, offset.x, offset.y) if offset and self.review else None
        screen = self.journal_screen
        if day is not None and screen is not None:
            self.dismiss()
            screen.jump_to_day(day)

    @on(DataTable.RowSelected, "#review-timeline, #review-onthisday")
    def open_entry(self, event: DataTable.RowSelected) -> None:
        """Open the chosen change's (or day's) entry in the journal screen."""
        key = event.row_key.value or ""
        if "\x00" not in key:
            return
        self.open_in_journal(key.split("\x00", 1)[1])

    def open_in_journal(self, entry_id: str) -> None:
        """Back to the journal with the entry ``entry_id`` open in the editor."""
        screen = self.journal_screen
        if screen is None:
            return
        try:
            path = self.journal.resolve(entry_id)
        except NarrateError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss()
        if screen.searching:
            screen.close_search()
        screen.open_path(path)
        screen.action_focus_editor()

    @on(DataTable.RowSelected, "#review-due")
    def check_back(self, event: DataTable.RowSelected) -> None:
        """Ask "still doing it?" about the chosen change."""
        number = int(event.row_key.value or 0)
        if self.review is not None and number < len(self.review.due):
            due = self.review.due[number]
            self.run_worker(self._ask(due), group="checkback-open", exclusive=True)

    async def _ask(self, due: dict[str, Any]) -> None:
        from narrate.tui.screens.practice import CheckBackModal

        screen = self.journal_screen
        expected = None
        if screen is not None:
            # The check-back writes into the entry: its unsaved text must land first.
            problem = await screen.finish()
            if problem is not None:
                self.notify(f"Save the open entry first: {problem}", severity="error", markup=False)
                return
            if screen.entry is not None and screen.entry.id == due["id"]:
                expected = screen.disk
        self.app.push_screen(CheckBackModal(due, expected), self._answered)

    def _answered(self, result: EntryRewritten | None) -> None:
        if result is None:
            return
        # After the form has gone: a toast raised while it is on top goes with it.
        self.call_after_refresh(self.notify, f"Checked back: {result.summary}", markup=False)
        screen = self.journal_screen
        if screen is not None:
            screen.entry_rewritten(result.entry, result.data)
        self.load()

    # ------------------------------------------------------------------ commands

    def commands(self) -> Iterator[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("Back to the journal", "Close the review", self.action_close)
        yield SystemCommand("Review by week", "Bars per week", lambda: self._set_by("week"))
        yield SystemCommand("Review by month", "Bars per month", lambda: self._set_by("month"))
        for days in SPANS:
            yield SystemCommand(
                f"Review the last {days} days",
                f"Everything since {days} days ago",
                lambda days=days: self._set_span(days),
            )
        yield SystemCommand(
            "Check-backs due", "Answer “still doing it?”", lambda: self.focus_section("review-due")
        )
        yield SystemCommand(
            "Timeline", "Move to the timeline", lambda: self.focus_section("review-timeline")
        )
        yield SystemCommand("Reload review", "Build the review again", self.action_reload)

    def focus_section(self, name: str) -> None:
        """Move the focus to one of the tables."""
        self.query_one(f"#{name}", DataTable).focus()

    def _set_by(self, by: str) -> None:
        self.query_one("#review-by", Select).value = by

    def _set_span(self, days: int) -> None:
        self.query_one("#review-span", Select).value = days
