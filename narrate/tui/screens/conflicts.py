"""The Conflicts screen: entries changed on two devices, side by side, and a choice.

The list shows every conflict copy (narrate.journal.conflicts); the one under the cursor
is shown beside the version in place, each labelled by its origin (this device, the
remote, edited outside narrate) and time, as two read-only text areas, as the
differences only, or as a merge proposal to edit. Keep mine, theirs, both or the merge
run in the journal writer's thread, after any save or sync queued before them, so a
resolution never races a save.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    OptionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from narrate.errors import NarrateError
from narrate.humane import plural
from narrate.sanitize import clean
from narrate.tui.messages import ConflictsChanged
from narrate.tui.text import one_line
from narrate.tui.widgets.entry_editor import EntryEditor

_requests = itertools.count(1)

CHOICE_WORDS = {
    "mine": "Keep mine",
    "theirs": "Keep theirs",
    "both": "Keep both",
    "merged": "Keep merged",
}
VIEWS = ("conflicts-sides", "conflicts-diff", "conflicts-merge")


@dataclass
class ConflictsListed(Message):
    """The conflict copies were read (in the writer's thread)."""

    conflicts: list[Any]
    error: str | None = None
    device: str | None = None
    """This device's id, to label each side by origin."""
    proposals: dict[str, str | None] | None = None
    """A merge proposal per copy path (None: a side cannot be read)."""


def read_all(journal: Any) -> tuple[list[Any], str, dict[str, str | None]]:
    """The conflicts, this device's id and a merge proposal for each (writer thread)."""
    from narrate.journal.conflicts import device_id, list_conflicts, merge_proposal

    conflicts = list_conflicts(journal)
    proposals = {c.copy.path: merge_proposal(journal, c) for c in conflicts}
    return conflicts, device_id(journal.root), proposals


@dataclass
class ConflictResolved(Message):
    """A resolution ran in the writer's thread: what it did, or why not."""

    choice: str
    resolution: Any
    """The Resolution, or None when it was refused."""
    error: str | None
    conflicts: list[Any] | None
    """The conflicts left (None if they could not be read)."""
    summary: str
    """The header's words after it."""
    device: str | None = None
    proposals: dict[str, str | None] | None = None


def short_time(when: str) -> str:
    """ "1 Dec 09:56" for an ISO time (as written when it is not one)."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(when)
    except ValueError:
        return when
    return f"{moment.day} {moment:%b %H:%M}"


def diff_summary(mine: str, theirs: str, names: tuple[str, str] = ("yours", "theirs")) -> str:
    """How the two versions differ, in a few words (``names``: what to call each side)."""
    a, b = mine.splitlines(), theirs.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    only_mine = only_theirs = places = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        places += 1
        only_mine += i2 - i1
        only_theirs += j2 - j1
    if not places:
        return "The two versions are the same."
    return (
        f"They differ in {plural(places, 'place')}: "
        f"{plural(only_mine, 'line')} only in {names[0]}, {only_theirs} only in {names[1]}."
    )


def diff_content(mine: str, theirs: str, names: tuple[str, str] = ("yours", "theirs")) -> Content:
    """The differences as a unified diff, coloured with the theme's variables."""
    lines = difflib.unified_diff(
        mine.splitlines(), theirs.splitlines(), names[0], names[1], lineterm="", n=2
    )
    parts: list[Content] = []
    for line in lines:
        shown = clean(line)
        if line.startswith(("---", "+++")):
            parts.append(Content.styled(shown, "bold"))
        elif line.startswith("@@"):
            parts.append(Content.styled(shown, "$text-muted"))
        elif line.startswith("-"):
            parts.append(Content.styled(shown, "$text-error"))
        elif line.startswith("+"):
            parts.append(Content.styled(shown, "$text-success"))
        else:
            parts.append(Content(shown))
    if not parts:
        return Content("The two versions are the same.")
    return Content("\n").join(parts)


class ConflictsScreen(Screen[None]):
    """Compare the versions of an entry changed in two places; keep one, both or a merge."""

    CSS_PATH = "conflicts.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "keep('mine')", "Keep mine", tooltip="Keep the version in place"),
        Binding(
            "t",
            "keep('theirs')",
            "Keep theirs",
            tooltip="The entry takes the copy's version; delete the copy",
        ),
        Binding(
            "b",
            "keep('both')",
            "Keep both",
            tooltip="Keep the other version as an entry of its own",
        ),
        Binding(
            "g,ctrl+g",
            "keep('merged')",
            "Keep merged",
            tooltip="The entry takes the merge (as edited in the Merge view)",
        ),
        Binding("d", "toggle_diff", "View", tooltip="Side by side, the differences, the merge"),
        Binding("r", "reload", "Reload", show=False, tooltip="Read the conflicts again"),
        Binding("escape", "close", "Journal", tooltip="Back to the journal"),
    ]

    def __init__(self, root: Path, writer: Any) -> None:
        super().__init__()
        self.root = root
        self.writer = writer
        """The journal writer: resolutions run in its thread, after pending saves."""
        self.conflicts: list[Any] = []
        """The conflicts as last read (narrate.journal.conflicts.Conflict)."""
        self.loaded = False
        """Whether the list has been read at least once."""
        self.busy = False
        """Whether a resolution is running."""
        self.device: str | None = None
        """This device's id (labels each side by origin)."""
        self.proposals: dict[str, str | None] = {}
        """The merge proposal per copy path."""
        self._merge_shown: str | None = None
        """The copy whose proposal the merge editor was filled with."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """The list on the left, the two versions on the right, the choices below."""
        yield Header(icon="✎")
        with Horizontal(id="conflicts-main"):
            with Vertical(id="conflicts-side"):
                yield OptionList(id="conflicts-list")
                yield Static("Reading…", id="conflicts-status", markup=False)
            with Vertical(id="conflicts-pane"):
                yield Static("", id="conflicts-summary", markup=False)
                with ContentSwitcher(initial="conflicts-sides", id="conflicts-switcher"):
                    with Horizontal(id="conflicts-sides"):
                        with Vertical(classes="conflicts-version"):
                            yield Static("", id="mine-title", classes="conflicts-title")
                            yield EntryEditor(id="mine", read_only=True, soft_wrap=True)
                        with Vertical(classes="conflicts-version"):
                            yield Static("", id="theirs-title", classes="conflicts-title")
                            yield EntryEditor(id="theirs", read_only=True, soft_wrap=True)
                    with VerticalScroll(id="conflicts-diff"):
                        yield Static("", id="conflicts-diff-text")
                    with Vertical(id="conflicts-merge"):
                        yield Static(
                            "Merged: both sides' lines; edit, then Merged (ctrl+g)",
                            id="merge-title",
                            classes="conflicts-title",
                        )
                        yield TextArea(id="merged", soft_wrap=True)
                with Horizontal(id="conflicts-actions"):
                    for choice, words in CHOICE_WORDS.items():
                        yield Button(
                            f"{words.removeprefix('Keep ').capitalize()} ({self._key(choice)})",
                            id=f"keep-{choice}",
                            compact=True,
                            variant="primary" if choice == "both" else "default",
                        )
        yield Footer(compact=True)

    @staticmethod
    def _key(choice: str) -> str:
        for binding in ConflictsScreen.BINDINGS:
            if isinstance(binding, Binding) and binding.action == f"keep('{choice}')":
                return binding.key.split(",")[0]
        return "?"

    @property
    def option_list(self) -> OptionList:
        """The list of conflict copies."""
        return self.query_one("#conflicts-list", OptionList)

    @property
    def current(self) -> Any:
        """The conflict under the list's cursor, or None."""
        index = self.option_list.highlighted
        if index is None or not 0 <= index < len(self.conflicts):
            return None
        return self.conflicts[index]

    def on_mount(self) -> None:
        """Read the conflicts (behind any sync or save in the writer's queue)."""
        self.option_list.focus()
        self.reload()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read the conflicts again, in the writer's thread after a refresh of the index."""
        from narrate.tui.writer import RefreshJob, TaskJob

        def task(journal: Any) -> None:
            try:
                conflicts, device, proposals = read_all(journal)
                self.post_message(ConflictsListed(conflicts, None, device, proposals))
            except Exception as exc:  # said on the screen; the writer goes on
                reason = str(exc) if isinstance(exc, NarrateError) else repr(exc)
                self.post_message(ConflictsListed([], reason))

        self.writer.submit(RefreshJob())
        self.writer.submit(TaskJob("list-conflicts", task))

    @on(ConflictsListed)
    def conflicts_listed(self, message: ConflictsListed) -> None:
        """Show the list (the cursor stays on the same copy if it is still there)."""
        if message.error:
            self.notify(
                f"Could not read the conflicts: {message.error}",
                severity="error",
                markup=False,
            )
        self.device = message.device or self.device
        self.proposals = message.proposals or {}
        self.show_conflicts(message.conflicts)

    def show_conflicts(self, conflicts: list[Any]) -> None:
        """Fill the list and show the highlighted conflict."""
        previous = self.current.copy.path if self.current is not None else None
        index = self.option_list.highlighted or 0
        self.conflicts = conflicts
        self.loaded = True
        options = []
        for conflict in conflicts:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append(one_line(conflict.title) or "Untitled", "bold")
            prompt.append("\n")
            prompt.append(one_line(conflict.copy.path.rsplit("/", 1)[-1]), "dim")
            options.append(Option(prompt, id=conflict.copy.path))
        self.option_list.set_options(options)
        paths = [c.copy.path for c in conflicts]
        if conflicts:
            index = paths.index(previous) if previous in paths else min(index, len(paths) - 1)
            self.option_list.highlighted = index
        count = len(conflicts)
        self.query_one("#conflicts-status", Static).update(
            f"{plural(count, 'conflict')}" if count else "No conflicts: nothing to decide."
        )
        self.show_current()
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#conflicts-list")
    def conflict_highlighted(self) -> None:
        """The cursor moved: show that conflict."""
        self.show_current()
        self.refresh_bindings()

    def show_current(self) -> None:
        """The highlighted conflict's two versions, the summary, the diff."""
        conflict = self.current
        mine_area = self.query_one("#mine", TextArea)
        theirs_area = self.query_one("#theirs", TextArea)
        mine_title = self.query_one("#mine-title", Static)
        theirs_title = self.query_one("#theirs-title", Static)
        summary = self.query_one("#conflicts-summary", Static)
        diff = self.query_one("#conflicts-diff-text", Static)
        merged = self.query_one("#merged", TextArea)
        if conflict is None:
            for area in (mine_area, theirs_area, merged):
                area.load_text("")
            mine_title.update("")
            theirs_title.update("")
            summary.update("Every entry has one version." if self.loaded else "")
            diff.update("")
            return
        original = conflict.original
        mine = clean(original.text) if original is not None else ""
        # As keep theirs would write it: the copy's own id and conflict_of are
        # bookkeeping, not a difference worth reading.
        in_place = conflict.theirs_in_place()
        theirs = clean(
            in_place.decode("utf-8", "replace") if in_place is not None else conflict.copy.text
        )
        mine_area.load_text(mine)
        theirs_area.load_text(theirs)
        mine_side, theirs_side = conflict.sides(self.device)
        for widget, side, where in (
            (
                mine_title,
                mine_side,
                (conflict.original_path or "") + ("" if original else " (gone)"),
            ),
            (theirs_title, theirs_side, conflict.copy.path),
        ):
            # Two lines: the origin, then when and which file (an 80-column pane
            # holds about 25 characters a side).
            title = Text(no_wrap=True, overflow="ellipsis")
            title.append(side.label, "bold")
            title.append("\n")
            if side.when:
                title.append(f"{short_time(side.when)} · ")
            title.append(one_line(where.rsplit("/", 1)[-1]), "dim")
            widget.update(title)
        names = (mine_side.short, theirs_side.short)
        line = diff_summary(mine, theirs, names)
        if conflict.copy.problem:
            line += f" The copy cannot be read as an entry: {conflict.copy.problem}."
        summary.update(one_line(line))
        diff.update(diff_content(mine, theirs, names))
        if self._merge_shown != conflict.copy.path:
            self._merge_shown = conflict.copy.path
            proposal = self.proposals.get(conflict.copy.path)
            merged.load_text(clean(proposal) if proposal is not None else "")
            merged.read_only = proposal is None

    # ------------------------------------------------------------------ deciding

    def action_keep(self, choice: str) -> None:
        """Keep mine, theirs or both for the highlighted conflict (in the writer's thread)."""
        from narrate.tui.status import safe_summary
        from narrate.tui.writer import TaskJob

        conflict = self.current
        if conflict is None or self.busy:
            return
        merged: str | None = None
        if choice == "merged":
            if self.proposals.get(conflict.copy.path) is None:
                self.notify(
                    "A merge needs both versions readable as entries; keep one, or both.",
                    severity="warning",
                )
                return
            merged = self.query_one("#merged", TextArea).text
        self.busy = True
        self.refresh_bindings()
        self.query_one("#conflicts-status", Static).update(f"{CHOICE_WORDS[choice]}…")

        def task(journal: Any) -> None:
            from narrate.journal.conflicts import resolve

            resolution, error = None, None
            try:
                resolution = resolve(journal, conflict, choice, merged)  # type: ignore[arg-type]
            except NarrateError as exc:
                error = str(exc)
            except Exception as exc:  # said on the screen; the writer goes on
                error = f"{type(exc).__name__}: {exc}"
            left: list[Any] | None = None
            device, proposals = None, None
            try:
                left, device, proposals = read_all(journal)
            except Exception:
                left = None
            self.post_message(
                ConflictResolved(
                    choice, resolution, error, left, safe_summary(journal), device, proposals
                )
            )

        self.writer.submit(TaskJob(f"resolve-{next(_requests)}", task))

    @on(ConflictResolved)
    def conflict_resolved(self, message: ConflictResolved) -> None:
        """Say what happened; update the list, the journal and the header."""
        self.busy = False
        self.app.sub_title = one_line(message.summary)
        resolution = message.resolution
        if message.error:
            self.notify(message.error, title="Not resolved", severity="error", markup=False)
        elif resolution is not None:
            if resolution.warning:
                self.notify(resolution.warning, severity="warning", markup=False)
            self.notify(resolution.describe(), title=CHOICE_WORDS[message.choice], markup=False)
            self.app.post_message(
                ConflictsChanged(resolution.paths, resolution.created or resolution.kept)
            )
        if message.conflicts is None:
            self.reload()
            return
        self.device = message.device or self.device
        self.proposals = message.proposals or {}
        self._merge_shown = None
        self.show_conflicts(message.conflicts)
        if resolution is not None and not message.conflicts:
            self.notify("No conflicts left.", timeout=4)
            self.dismiss()

    @on(Button.Pressed, "#conflicts-actions Button")
    def button_pressed(self, event: Button.Pressed) -> None:
        """The buttons do what the keys do."""
        self.action_keep(str(event.button.id).removeprefix("keep-"))

    def action_toggle_diff(self) -> None:
        """Side by side → the differences → the merge to edit → side by side."""
        switcher = self.query_one("#conflicts-switcher", ContentSwitcher)
        now = VIEWS.index(switcher.current) if switcher.current in VIEWS else 0
        switcher.current = VIEWS[(now + 1) % len(VIEWS)]
        if switcher.current == "conflicts-merge":
            self.query_one("#merged", TextArea).focus()

    def action_reload(self) -> None:
        """Read the conflicts again."""
        self.reload()

    def action_close(self) -> None:
        """Back to the journal."""
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer the choices only with a conflict under the cursor and nothing running."""
        if action == "keep":
            return None if self.busy or self.current is None else True
        return True
