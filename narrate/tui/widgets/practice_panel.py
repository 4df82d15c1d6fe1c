"""The open entry's practice changes, beside the editor: before → after, status and the
next check-back, with keys to edit one (the practice form) or answer its check-back."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from narrate.tui.text import one_line

if TYPE_CHECKING:
    from narrate.journal.entry import Entry, Practice
    from narrate.tui.screens.journal import JournalScreen
    from narrate.tui.screens.practice import EntryRewritten


def schedule(
    entry: Entry, practice: Practice, weeks: tuple[int, ...], today: dt.date
) -> dict[str, Any]:
    """The change as the check-back form takes it: its entry, place, and due dates."""
    from narrate.practice.checkback import with_due

    checked = practice.extra.get("checked")
    days = [str(d)[:10] for d in (checked if isinstance(checked, list) else [checked]) if d]
    row: Any = {
        "id": entry.id,
        "title": entry.title,
        "area": practice.area,
        "change": practice.change,
        "status": practice.status,
        "day": entry.day,
        "last_checked": max(days) if days else None,
        "review_after": practice.review_after,
        "position": entry.practice.index(practice),
    }
    with_due([row], weeks, today)
    return dict(row)


def describe(practice: Practice, when: dict[str, Any]) -> Text:
    """One change on a line or two: area: before → after · status · check-back."""
    text = Text()
    text.append("◆ ", "bold")
    text.append(one_line(practice.area), "bold")
    text.append(": ")
    if practice.before:
        text.append(one_line(practice.before) + " → ", "dim")
    text.append(one_line(practice.change))
    text.append(f" · {practice.status}", "italic")
    if when["due"]:
        text.append(f" · check-back due {when['due']}", "bold")
    elif when["next_check"]:
        text.append(f" · next check-back {when['next_check']}", "dim")
    return text


class PracticePanel(OptionList):
    """The entry's practice changes (hidden when it has none); enter edits the
    highlighted one, c answers its check-back."""

    DEFAULT_CSS = """
    PracticePanel {
        height: auto;
        max-height: 6;
        border: none;
        border-top: hkey $panel-lighten-1;
        padding: 0 1;
        background: $surface;
        display: none;
    }
    PracticePanel.-shown { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,e", "edit", "Edit change", tooltip="Edit the change and its status"),
        Binding("c", "check_back", "Check back", tooltip="Answer “still doing it?”"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry: Entry | None = None
        self.changes: list[dict[str, Any]] = []
        """Each change's place and check-back dates (as the check-back form takes them)."""

    def show(self, entry: Entry | None) -> None:
        """List ``entry``'s practice changes (nothing to do when it is the same)."""
        if entry is self.entry:
            return
        self.entry = entry
        from narrate.practice.checkback import check_back_weeks

        weeks = check_back_weeks(getattr(self.app, "config", None))
        today = dt.date.today()
        practice = list(entry.practice) if entry is not None else []
        self.changes = [schedule(entry, p, weeks, today) for p in practice] if entry else []
        highlighted = self.highlighted
        self.set_options(
            Option(describe(p, when), id=str(n))
            for n, (p, when) in enumerate(zip(practice, self.changes, strict=True))
        )
        if practice:
            self.highlighted = min(highlighted or 0, len(practice) - 1)
        self.border_title = f"practice ({len(practice)})" if practice else None
        self.set_class(bool(practice), "-shown")

    @property
    def screen_(self) -> JournalScreen:
        """The journal screen the panel is on."""
        screen: JournalScreen = self.screen  # type: ignore[assignment]
        return screen

    def _chosen(self) -> int | None:
        index = self.highlighted
        if self.entry is None or index is None or not 0 <= index < len(self.changes):
            return None
        return index

    def action_edit(self) -> None:
        """The practice form, filled with the highlighted change."""
        if self._chosen() is not None:
            self.run_worker(self._open("edit"), group="practice-panel", exclusive=True)

    def action_check_back(self) -> None:
        """The check-back form for the highlighted change."""
        if self._chosen() is not None:
            self.run_worker(self._open("check"), group="practice-panel", exclusive=True)

    async def _open(self, what: str) -> None:
        from narrate.tui.screens.practice import CheckBackModal, PracticeModal

        screen = self.screen_
        position = self._chosen()
        if position is None:
            return
        # The forms rewrite the file: what the editor holds must land first.
        problem = await screen.finish()
        entry = screen.entry
        if problem is not None or entry is None:
            screen.notify(f"Save the entry first: {problem}", severity="error", markup=False)
            return
        if what == "edit":
            config = getattr(self.app, "config", None)
            modal: Any = PracticeModal(entry, screen.disk, config, position=position)
        else:
            self.entry = None  # recompute from the saved entry
            self.show(entry)
            modal = CheckBackModal(self.changes[position], screen.disk)
        self.app.push_screen(modal, self._done)

    def _done(self, result: EntryRewritten | None) -> None:
        if result is None:
            return
        screen = self.screen_
        screen.entry_rewritten(result.entry, result.data)
        self.show(screen.entry if screen.entry is not None else result.entry)
        screen.call_after_refresh(screen.notify, f"Saved {result.summary}", markup=False)
        self.focus()
