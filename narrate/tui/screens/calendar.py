"""The calendar: a month with the days that have entries marked; choosing a day jumps the
journal list to it."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from narrate.humane import plural

CELL = 4
"""Columns per day: two digits, a mark for "written that day", a space."""
WEEKDAYS = "Mo  Tu  We  Th  Fr  Sa  Su"
GRID_TOP = 2
"""Lines above the first week: the month's name and the weekdays."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), kept inside the shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


class MonthGrid(Widget, can_focus=True):
    """One month, a week per line; days with entries in bold with a dot, the chosen day
    reversed."""

    DEFAULT_CSS = """
    MonthGrid {
        width: 28;
        height: 8;
        margin: 0 3;
    }
    """

    def __init__(self, day: dt.date, counts: dict[str, int], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.day = day
        """The chosen day."""
        self.counts = counts
        """Entries per ISO day."""
        self.today = dt.date.today()

    def weeks(self) -> list[list[int]]:
        """The month's weeks, Monday first; 0 where a day belongs to another month."""
        return calendar.Calendar().monthdayscalendar(self.day.year, self.day.month)

    def render(self) -> Text:
        """The month's name, the weekdays, then the weeks."""
        text = Text(no_wrap=True)
        text.append(f"{self.day:%B %Y}".center(CELL * 7 - 1), "bold")
        text.append("\n" + WEEKDAYS + "\n", "dim")
        for week in self.weeks():
            for number in week:
                if number == 0:
                    text.append(" " * CELL)
                    continue
                day = self.day.replace(day=number)
                written = self.counts.get(day.isoformat(), 0) > 0
                style = "bold" if written else "dim"
                if day == self.today:
                    style += " underline"
                if day == self.day:
                    style += " reverse"
                text.append(f"{number:>2}{'•' if written else ' '}", style)
                text.append(" ")
            text.append("\n")
        return text

    def move(self, days: int = 0, months: int = 0) -> None:
        """Choose another day."""
        self.day = add_months(self.day, months) + dt.timedelta(days=days)
        self.refresh()
        self.post_message(self.Moved())

    class Moved(Message):
        """The chosen day changed."""

    class Chosen(Message):
        """The chosen day was clicked again: open it."""

    def day_at(self, x: int, y: int) -> dt.date | None:
        """The day drawn at (x, y), if any."""
        row, column = y - GRID_TOP, x // CELL
        weeks = self.weeks()
        if not (0 <= row < len(weeks) and 0 <= column < 7):
            return None
        number = weeks[row][column]
        return self.day.replace(day=number) if number else None

    def on_click(self, event: events.Click) -> None:
        """A click chooses a day; a second click on it opens it."""
        day = self.day_at(event.x, event.y)
        if day is None:
            return
        if day == self.day:
            self.post_message(self.Chosen())
            return
        self.day = day
        self.refresh()
        self.post_message(self.Moved())


class CalendarModal(ModalScreen[dt.date | None]):
    """Jump to a date: a month calendar with the days that have entries marked."""

    DEFAULT_CSS = """
    CalendarModal {
        align: center middle;
        & > #calendar {
            width: 40;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 0 2;
        }
        & #calendar-day { height: 1; color: $text-muted; margin-top: 1; }
        & #calendar-hint { height: auto; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "Day before", show=False),
        Binding("right,l", "move(1)", "Day after", show=False),
        Binding("up,k", "move(-7)", "Week before", show=False),
        Binding("down,j", "move(7)", "Week after", show=False),
        Binding("pageup,p", "month(-1)", "Month before", show=False),
        Binding("pagedown,n", "month(1)", "Month after", show=False),
        Binding("left_square_bracket", "written(-1)", "Day written before", show=False),
        Binding("right_square_bracket", "written(1)", "Day written after", show=False),
        Binding("t", "today", "Today", show=False),
        Binding("enter", "choose", "Open the day", show=False),
        Binding("escape", "dismiss_none", "Close", show=False),
    ]

    def __init__(self, day: dt.date, counts: dict[str, int]) -> None:
        super().__init__()
        self.start = day
        self.counts = counts

    def compose(self) -> ComposeResult:
        """The month, the chosen day's count, the keys."""
        with Vertical(id="calendar") as box:
            box.border_title = "Go to a date"
            yield MonthGrid(self.start, self.counts, id="calendar-grid")
            yield Static("", id="calendar-day", markup=False)
            yield Static(
                "←→↑↓ day, week · PgUp PgDn month\n[ ] a day written before, after\n"
                "t today · enter open · esc close",
                id="calendar-hint",
                markup=False,
            )

    @property
    def grid(self) -> MonthGrid:
        """The month widget."""
        return self.query_one(MonthGrid)

    def on_mount(self) -> None:
        """Keys go to the month."""
        self.grid.focus()
        self.show_day()

    def on_month_grid_chosen(self) -> None:
        """A second click on a day opens it."""
        self.action_choose()

    def on_month_grid_moved(self) -> None:
        """Say how many entries the chosen day has."""
        self.show_day()

    def show_day(self) -> None:
        """The line under the month."""
        day = self.grid.day
        count = self.counts.get(day.isoformat(), 0)
        words = plural(count, "entry") if count else "nothing written"
        self.query_one("#calendar-day", Static).update(f"{day:%a} {day.day} {day:%b}: {words}")

    def action_move(self, days: int) -> None:
        """Another day."""
        self.grid.move(days=days)

    def action_month(self, months: int) -> None:
        """The same day in another month."""
        self.grid.move(months=months)

    def action_written(self, step: int) -> None:
        """The nearest day with entries before (-1) or after (1) the chosen one."""
        current = self.grid.day.isoformat()
        written = sorted(day for day, count in self.counts.items() if count)
        if step < 0:
            found = next((day for day in reversed(written) if day < current), None)
        else:
            found = next((day for day in written if day > current), None)
        if found is None:
            self.notify("No day written " + ("before" if step < 0 else "after") + " this one.")
            return
        self.grid.move(days=(dt.date.fromisoformat(found) - self.grid.day).days)

    def action_today(self) -> None:
        """Back to today."""
        self.grid.move(days=(dt.date.today() - self.grid.day).days)

    def action_choose(self) -> None:
        """Open the chosen day."""
        self.dismiss(self.grid.day)

    def action_dismiss_none(self) -> None:
        """Close without jumping."""
        self.dismiss(None)
