"""Practice changes in the TUI: the form that records one on the open entry, and the
"still doing it?" check-back."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Select, Static

from narrate.errors import NarrateError
from narrate.tui.text import one_line, plain
from narrate.tui.writer import TaskJob, journal_app

if TYPE_CHECKING:
    from narrate.config import Config
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry, Practice
    from narrate.tui.screens.journal import JournalScreen

# Each form's write is a task of its own in the writer's queue (never coalesced).
_writes = itertools.count(1)


class ChoiceSuggester(Suggester):
    """Completes from a list that arrives later (read in a worker): the first choice
    starting with what was typed, in the list's order (most used first)."""

    def __init__(self, choices: list[str] | None = None) -> None:
        # No cache: the choices change once they have been read.
        super().__init__(use_cache=False, case_sensitive=False)
        self.choices: list[str] = []
        self._folded: list[str] = []
        self.set_choices(choices or [])

    def set_choices(self, choices: list[str]) -> None:
        """Replace the choices (duplicates after the first are dropped)."""
        self.choices = list(dict.fromkeys(c for c in choices if c))
        self._folded = [c.casefold() for c in self.choices]

    async def get_suggestion(self, value: str) -> str | None:
        """The first choice that ``value`` (already casefolded) starts and is not all of."""
        if not value:
            return None
        for folded, choice in zip(self._folded, self.choices, strict=True):
            if folded.startswith(value) and folded != value:
                return choice
        return None


@dataclass
class PracticeChoices:
    """What the form completes from: areas and tags, sources and communities."""

    areas: list[str]
    sources: list[str]


def read_choices(journal: Journal, config: Config | None) -> PracticeChoices:
    """Known practice areas (most used first), then tags; earlier sources, then the
    configured communities. Cheap at 100k entries: aggregates over the index."""
    areas = [item["area"] for item in journal.practice_areas()]
    areas += [item["tag"] for item in journal.tags()]
    sources = [item["source"] for item in journal.practice_sources()]
    if config is not None:
        from narrate.community.registry import communities

        # A broken [communities] table costs only its completions: `narrate community`
        # reports it.
        with contextlib.suppress(NarrateError):
            sources += sorted(communities(config))
    return PracticeChoices([one_line(a) for a in areas], [one_line(s) for s in sources])


@dataclass
class EntryRewritten(Message):
    """A form rewrote an entry's file (and committed it): the journal screen reloads it
    if it is open."""

    entry: Entry
    """The Entry as written."""
    data: bytes
    """The file's bytes as written."""
    summary: str
    """What was recorded, for a notification."""
    warning: str | None = None
    """Written but not committed (git refused), if so."""


@dataclass
class ChoicesRead(Message):
    """What the practice form completes from was read."""

    choices: PracticeChoices


@dataclass
class RewriteFailed(Message):
    """Writing the entry did not happen; the form stays open with the reason."""

    reason: str


class PracticeModal(ModalScreen[EntryRewritten | None]):
    """Record a practice change on an entry: area, what I now do, what I did before,
    where I learned it; or, given ``position``, edit that change and its status."""

    DEFAULT_CSS = """
    PracticeModal {
        align: center middle;
        & > #practice-form {
            width: 80%;
            max-width: 84;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & .practice-label { color: $text-muted; margin-top: 1; }
        & #practice-existing { color: $text-muted; height: auto; margin-top: 1; }
        & #practice-error { color: $text-error; height: auto; }
        & #practice-buttons { height: auto; margin-top: 1; align-horizontal: right; }
        & #practice-buttons Button { margin-left: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the practice change and commit"),
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving"),
    ]

    def __init__(
        self,
        entry: Entry,
        disk: bytes | None,
        config: Config | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__()
        self.position = position
        """The change edited (its place in ``entry.practice``); None records a new one."""
        self.entry = entry
        self.disk = disk
        """The file's bytes as the editor has them: anything else on disk is a conflict."""
        self.config = config
        self.area_suggester = ChoiceSuggester()
        self.source_suggester = ChoiceSuggester()
        self.saving = False

    def compose(self) -> ComposeResult:
        """Four fields, what the entry already records, and the buttons."""
        with Vertical(id="practice-form") as form:
            editing = self.editing
            form.border_title = "Edit practice change" if editing else "Practice change"
            form.border_subtitle = plain(one_line(self.entry.title) or "Untitled")  # "…" when long
            existing = self._existing()
            if existing and editing is None:
                yield Static(existing, id="practice-existing")
            yield Label("Area", classes="practice-label")
            yield Input(
                id="practice-area",
                placeholder="e.g. code-review",
                suggester=self.area_suggester,
                compact=True,
            )
            yield Label("What I now do", classes="practice-label")
            yield Input(id="practice-change", placeholder="e.g. Read the tests first", compact=True)
            yield Label("What I did before (optional)", classes="practice-label")
            yield Input(id="practice-before", placeholder="e.g. Read top to bottom", compact=True)
            yield Label(
                "Where I learned it (optional: a community, person or link)",
                classes="practice-label",
            )
            yield Input(
                id="practice-source",
                placeholder="e.g. python-cop",
                suggester=self.source_suggester,
                compact=True,
            )
            if editing is not None:
                yield Label("Status", classes="practice-label")
                yield Select(
                    [(name, name) for name in ("trying", "adopted", "dropped")],
                    value=editing.status,
                    allow_blank=False,
                    type_to_search=False,
                    compact=True,
                    id="practice-status",
                )
            yield Static("", id="practice-error", markup=False)
            with Horizontal(id="practice-buttons"):
                yield Button("Cancel", id="practice-cancel", compact=True)
                yield Button("Save", id="practice-save", variant="primary", compact=True)

    def _existing(self) -> Text:
        text = Text(no_wrap=False)
        for practice in self.entry.practice:
            text.append(f"Already: {one_line(practice.area)}: {one_line(practice.change)}")
            text.append(f" ({practice.status})\n")
        text.rstrip()
        return text

    @property
    def editing(self) -> Practice | None:
        """The change being edited, if any."""
        if self.position is None or not 0 <= self.position < len(self.entry.practice):
            return None
        return self.entry.practice[self.position]

    def on_mount(self) -> None:
        """Focus the area (filled in when editing); read what to complete from."""
        editing = self.editing
        if editing is not None:
            for name in ("area", "change", "before", "source"):
                self.query_one(f"#practice-{name}", Input).value = getattr(editing, name) or ""
            self.query_one("#practice-change", Input).focus()
        else:
            self.query_one("#practice-area", Input).focus()
        self.load_choices()

    def load_choices(self) -> None:
        """Areas, tags, sources and communities, read on the app's reader."""
        config = self.config

        def task(journal: Journal) -> ChoicesRead | None:
            try:
                return ChoicesRead(read_choices(journal, config))
            except NarrateError:
                return None  # no completion is no loss: the fields still take any text

        journal_app(self).reader.submit(TaskJob("practice-choices", task, reply=self.post_message))

    @on(ChoicesRead)
    def _set_choices(self, message: ChoicesRead) -> None:
        message.stop()
        self.area_suggester.set_choices(message.choices.areas)
        self.source_suggester.set_choices(message.choices.sources)

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it saves."""
        if event.input.id == "practice-source":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#practice-save")
    def save_pressed(self) -> None:
        """The Save button."""
        self.action_save()

    @on(Button.Pressed, "#practice-cancel")
    def cancel_pressed(self) -> None:
        """The Cancel button."""
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close without saving (not while a save is running: it would land unseen)."""
        if not self.saving:
            self.dismiss(None)

    def value(self, name: str) -> str:
        """A field's text, on one line and trimmed."""
        return one_line(self.query_one(f"#practice-{name}", Input).value)

    def show_error(self, reason: str, field: str | None = None) -> None:
        """Say what is wrong, and where."""
        self.query_one("#practice-error", Static).update(Text(one_line(reason)))
        if field:
            self.query_one(f"#practice-{field}", Input).focus()

    def action_save(self) -> None:
        """Check the fields, then write the change in the background."""
        if self.saving:
            return
        from narrate.journal.entry import Practice, normalise_area

        raw_area, change = self.value("area"), self.value("change")
        if not raw_area:
            self.show_error(
                "Name an area: what part of your practice changes (e.g. testing).", "area"
            )
            return
        area = normalise_area(raw_area)
        if area is None:
            self.show_error(
                f"'{raw_area}' cannot be an area: use letters, digits, '-', '_' and '/' "
                "(e.g. code-review).",
                "area",
            )
            return
        if not change:
            self.show_error("Say what you now do: that is the change.", "change")
            return
        others = [p for i, p in enumerate(self.entry.practice) if i != self.position]
        if any((p.area, p.change) == (area, change) for p in others):
            self.show_error(f"This entry already records {area}: {change}.", "change")
            return
        status = "trying"
        if self.editing is not None:
            chosen = self.query_one("#practice-status", Select).value
            status = chosen if isinstance(chosen, str) else self.editing.status
        practice = Practice(
            area=area,
            change=change,
            before=self.value("before") or None,
            source=self.value("source") or None,
            status=status,
        )
        self.saving = True
        self.show_error("Saving…")
        self.write_change(practice)

    def write_change(self, practice: Practice) -> None:
        """Append the change to the entry's front matter (nothing else in the file
        changes but ``updated``) and commit, in the app's writer after pending saves."""
        path, disk, position = self.entry.path, self.disk, self.position
        if self.editing is not None:
            # The keys narrate keeps beside the fields (checked, review_after...) stay.
            practice.extra = dict(self.editing.extra)
            practice.review_after = self.editing.review_after

        def task(journal: Journal) -> Message:
            from narrate.journal.core import NotCommitted

            try:
                entry = current_entry(journal, path, disk)
                changes = entry.practice_data()
                if position is None:
                    changes.append(practice.to_data())
                else:
                    changes[entry.practice_index(position)] = practice.to_data()
                updated = entry.touched(practice=changes)
                summary = f"{practice.area}: {practice.change}"
                warning = None
                try:
                    verb = "Record" if position is None else "Edit"
                    journal.save(updated, message=f"{verb} practice change: {summary}")
                except NotCommitted as exc:
                    warning = str(exc)
            except Exception as exc:  # the form must learn of any failure, or it waits
                return RewriteFailed(describe(exc))
            return EntryRewritten(updated, updated.document.to_bytes(), summary, warning)

        journal_app(self).writer.submit(
            TaskJob(f"practice-{next(_writes)}", task, reply=self.post_message)
        )

    @on(EntryRewritten)
    def written(self, message: EntryRewritten) -> None:
        """Saved: close, handing the entry to whoever opened the form."""
        message.stop()
        self.saving = False
        self.dismiss(message)

    @on(RewriteFailed)
    def failed(self, message: RewriteFailed) -> None:
        """Not saved: say why; the fields keep what was typed."""
        message.stop()
        self.saving = False
        self.show_error(f"Not saved: {message.reason}")


def describe(exc: BaseException) -> str:
    """An error for the user: narrate's own say what to do; others name their type."""
    return str(exc) if isinstance(exc, NarrateError) else f"{type(exc).__name__}: {exc}"


def current_entry(journal: Journal, path: str, expected: bytes | None) -> Entry:
    """The entry at ``path`` as it is on disk, refusing if it is not what the editor
    loaded (``expected``): rewriting it would silently drop the other edit."""
    from narrate.journal.entry import BrokenEntry, Entry

    data = journal.read_file(path)
    if data is None:
        raise NarrateError(f"{path} is no longer on disk")
    if expected is not None and data != expected:
        raise NarrateError(
            f"{path} changed on disk since it was opened; close this, let the editor "
            "reload it, and try again"
        )
    try:
        return Entry.from_bytes(data, path)
    except BrokenEntry as exc:
        raise NarrateError(f"{path} cannot be read: {exc.reason}; fix it by hand") from None


# ---------------------------------------------------------------------- check-backs

ANSWER_BUTTONS = [
    ("yes", "Yes, still doing it", "success"),
    ("partly", "Partly", "default"),
    ("no", "No, stopped", "error"),
]
STATUS_OPTIONS = [
    ("Leave as is (No drops it)", ""),
    ("Adopted: it stuck", "adopted"),
    ("Dropped", "dropped"),
    ("Still trying", "trying"),
]


class CheckBackModal(ModalScreen[EntryRewritten | None]):
    """ "Still doing it?" for one practice change whose check-back is due."""

    DEFAULT_CSS = """
    CheckBackModal {
        align: center middle;
        & > #checkback-form {
            width: 80%;
            max-width: 84;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #checkback-change { text-style: bold; margin-top: 1; }
        & #checkback-when { color: $text-muted; }
        & .checkback-label { color: $text-muted; margin-top: 1; }
        & #checkback-error { color: $text-error; height: auto; }
        & #checkback-buttons { height: auto; margin-top: 1; }
        & #checkback-buttons Button { margin-right: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without answering"),
    ]

    def __init__(self, due: dict[str, Any], expected: bytes | None = None) -> None:
        super().__init__()
        self.due = due
        """The due change: id, title, area, change, day, due (from the review)."""
        self.expected = expected
        self.saving = False

    def compose(self) -> ComposeResult:
        """The change, the question, a note, a status, and one button per answer."""
        due = self.due
        with Vertical(id="checkback-form") as form:
            form.border_title = "Check-back: still doing it?"
            form.border_subtitle = plain(one_line(str(due.get("title") or "")))
            yield Static(
                Text(f"{one_line(due['area'])}: {one_line(due['change'])}"),
                id="checkback-change",
            )
            when = f"{due.get('status') or 'trying'} since {due.get('day')}"
            if due.get("due"):
                when += f", check-back due {due.get('due')}"
            yield Static(Text(when), id="checkback-when")
            yield Label("Note (optional)", classes="checkback-label")
            yield Input(id="checkback-note", placeholder="e.g. Too slow on big PRs", compact=True)
            yield Label("Status", classes="checkback-label")
            yield Select(
                STATUS_OPTIONS,
                id="checkback-status",
                allow_blank=False,
                value="",
                type_to_search=False,
                compact=True,
            )
            yield Static("", id="checkback-error", markup=False)
            with Horizontal(id="checkback-buttons"):
                for answer, label, variant in ANSWER_BUTTONS:
                    yield Button(label, id=f"checkback-{answer}", variant=variant, compact=True)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        """Start at the note: the answer buttons are a tab away."""
        self.query_one("#checkback-note", Input).focus()

    def action_cancel(self) -> None:
        """Close without answering."""
        if not self.saving:
            self.dismiss(None)

    @on(Input.Submitted, "#checkback-note")
    def note_done(self) -> None:
        """Enter in the note moves on towards the answers."""
        self.focus_next()

    @on(Button.Pressed)
    def answered(self, event: Button.Pressed) -> None:
        """An answer button: record it."""
        answer = (event.button.id or "").removeprefix("checkback-")
        if answer not in {a for a, _, _ in ANSWER_BUTTONS} or self.saving:
            return
        status = self.query_one("#checkback-status", Select).value
        note = one_line(self.query_one("#checkback-note", Input).value)
        self.saving = True
        self.query_one("#checkback-error", Static).update("Saving…")
        self.record(answer, status if isinstance(status, str) and status else None, note)

    def record(self, answer: str, status: str | None, note: str) -> None:
        """Answer through the core (a dated line in the entry, maybe a new status) and
        commit, in the app's writer after pending saves."""
        due, expected = self.due, self.expected

        def task(journal: Journal) -> Message:
            from narrate.practice.checkback import answer as record_answer

            try:
                if expected is not None:
                    current_entry(journal, journal.resolve(due["id"]), expected)
                result = record_answer(
                    journal,
                    due["id"],
                    answer=answer,
                    status=status,
                    note=note or None,
                    area=due["area"],
                    # Two changes in one area: the one asked about, by its place.
                    change=str(due["position"] + 1) if due.get("position") is not None else None,
                )
            except Exception as exc:  # the form must learn of any failure, or it waits
                return RewriteFailed(describe(exc))
            summary = f"{result.area}: {result.change} — {result.status}"
            return EntryRewritten(result.entry, result.entry.document.to_bytes(), summary)

        journal_app(self).writer.submit(
            TaskJob(f"checkback-{next(_writes)}", task, reply=self.post_message)
        )

    @on(EntryRewritten)
    def written(self, message: EntryRewritten) -> None:
        """Answered: close, handing the entry back."""
        message.stop()
        self.saving = False
        self.dismiss(message)

    @on(RewriteFailed)
    def failed(self, message: RewriteFailed) -> None:
        """Not recorded: say why."""
        message.stop()
        self.saving = False
        self.query_one("#checkback-error", Static).update(
            Text(one_line(f"Not saved: {message.reason}"))
        )


# ---------------------------------------------------------------------- from the journal


def next_check_back(config: Config | None, today: dt.date | None = None) -> dt.date:
    """When a change recorded today is first checked back."""
    from narrate.practice.checkback import check_back_weeks

    weeks = check_back_weeks(config)
    return (today or dt.date.today()) + dt.timedelta(weeks=weeks[0])


async def open_practice_form(screen: JournalScreen) -> None:
    """Save the open entry, then open the practice form on it; on save, reload it."""
    if screen.entry is None and not screen.dirty:
        screen.notify(
            "Write the entry first: a practice change is recorded on an entry. "
            "Type what you did, then press the key again.",
            title="Nothing to attach it to",
            severity="warning",
            markup=False,
        )
        return
    if not await screen.saved_for_rewrite() or screen.entry is None:
        return
    # The app's config, None if it cannot be read (the app has already said why).
    config = journal_app(screen).config

    def done(result: EntryRewritten | None) -> None:
        if result is None:
            return
        screen.entry_rewritten(result.entry, result.data)
        when = next_check_back(config)
        message = f"Recorded {result.summary}. First check-back: {when:%a %d %b}."
        # After the form has gone: a toast raised while it is on top goes with it.
        screen.call_after_refresh(screen.notify, message, title="Practice change", markup=False)
        if result.warning:
            screen.call_after_refresh(
                screen.notify, result.warning, severity="warning", timeout=10, markup=False
            )

    screen.app.push_screen(PracticeModal(screen.entry, screen.disk, config), done)
