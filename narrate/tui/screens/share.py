"""The share dialog: pick a community, read the exact redacted copy as a diff against
the entry, and publish it only when you say so.

The preview is the same ``prepare_share`` the CLI's ``share --dry-run`` prints, and
``publish`` refuses if the entry changed after it was shown: what you read is what is
published. The diff is rendered as ``Content`` line by line (never markup): the entry
is yours, but it may hold anything another tool wrote into it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from narrate.errors import NarrateError
from narrate.sanitize import clean
from narrate.tui.text import one_line, plain
from narrate.tui.writer import TaskJob, journal_app

if TYPE_CHECKING:
    from narrate.community.registry import Community
    from narrate.community.share import Published, Redacted, ShareContext
    from narrate.config import Config
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry
    from narrate.tui.screens.journal import JournalScreen

# Each publish is a task of its own in the writer's queue (never coalesced).
_writes = itertools.count(1)


@dataclass
class ShareDone:
    """What the dialog returns after publishing."""

    published: Published | None
    """The share, when the journal recorded it too."""
    community: str
    path: str
    warning: str | None = None
    """Published, but the journal could not commit the entry's record."""


# ---------------------------------------------------------------------- messages


@dataclass
class SharePrepared(Message):
    """The redacted copy for ``community`` is ready to be shown."""

    community: str
    copy: Redacted
    context: ShareContext
    diff: list[str]


@dataclass
class ShareRefused(Message):
    """The copy could not be made (or published): the reason, for the user."""

    community: str
    reason: str


@dataclass
class SharePublished(Message):
    """The copy reached the community."""

    done: ShareDone


def diff_content(lines: list[str]) -> Content:
    """Unified diff lines as styled Content: + lines are published, - lines stay home."""
    parts: list[tuple[str, str] | str] = []
    for line in lines:
        shown = clean(line) + "\n"
        if line.startswith(("+++", "---")):
            parts.append((shown, "bold"))
        elif line.startswith("@@"):
            parts.append((shown, "$text-accent"))
        elif line.startswith("+"):
            parts.append((shown, "$text-success"))
        elif line.startswith("-"):
            parts.append((shown, "$text-error strike"))
        else:
            parts.append((shown, ""))
    return Content.assemble(*parts)


class ShareModal(ModalScreen[ShareDone | None]):
    """Share one entry: community, redacted copy as a diff, warnings, Publish."""

    DEFAULT_CSS = """
    ShareModal {
        align: center middle;
        & > #share-box {
            width: 92%;
            max-width: 120;
            height: 90%;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #share-to {
            height: auto;
            max-height: 5;
            border: none;
            background: $surface;
        }
        & #share-status { padding: 0 0 1 0; }
        & #share-status.-error { color: $text-error; text-style: bold; }
        & #share-preview {
            height: 1fr;
            background: $background;
            padding: 0 1;
            scrollbar-size-vertical: 1;
        }
        & #share-warnings { color: $text-warning; height: auto; }
        & #share-buttons { height: auto; align-horizontal: right; }
        & Button { margin-left: 2; }
        & #share-hint { color: $text-muted; height: auto; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", "Cancel", tooltip="Close the share dialog; nothing is published"
        ),
        Binding(
            "d", "toggle_view", "Diff / copy", tooltip="Show the diff, or the exact copy alone"
        ),
    ]

    def __init__(
        self, entry: Entry, communities: list[Community], config: Config, refusal: str | None
    ) -> None:
        super().__init__()
        self.entry = entry
        self.communities = {c.name: c for c in communities}
        self.config = config
        self.refusal = refusal
        self.prepared: SharePrepared | None = None
        """The copy on screen, ready to publish."""
        self.preparing: str | None = None
        """The community whose copy is being made or shown."""
        self.publishing = False
        self.show_copy = False
        """Show the exact copy alone instead of the diff."""

    def compose(self) -> ComposeResult:
        """Heading, communities, status, preview, warnings, buttons."""
        with Vertical(id="share-box") as box:
            box.border_title = "Share a redacted copy"
            heading = Text()
            heading.append(one_line(self.entry.title) or "Untitled", "bold")
            heading.append(f"  {one_line(self.entry.path)}", "dim")
            yield Static(heading, id="share-heading")
            yield OptionList(
                *(
                    Option(Text.assemble(("to ", "dim"), (one_line(name), "bold")), id=name)
                    for name in self.communities
                ),
                id="share-to",
                markup=False,
            )
            yield Static("", id="share-status", markup=False)
            with VerticalScroll(id="share-preview"):
                yield Static("", id="share-diff", markup=False)
            yield Static("", id="share-warnings", markup=False)
            with Horizontal(id="share-buttons"):
                yield Button("Cancel", id="share-cancel")
                yield Button("Publish", id="share-publish", variant="primary", disabled=True)
            yield Static(
                "+ is published, - stays in your journal · d: the copy alone · escape: cancel",
                id="share-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        """Refuse at once, or make the copy for the first community."""
        targets = self.query_one("#share-to", OptionList)
        targets.display = len(self.communities) > 1
        if self.refusal:
            self.set_status(f"Not shareable: {self.refusal}", error=True)
            self.query_one("#share-cancel", Button).focus()
        elif not self.communities:
            self.set_status(
                "You are in no community yet. Join one from the command line: "
                "narrate community add NAME URL --member HANDLE",
                error=True,
            )
            self.query_one("#share-cancel", Button).focus()
        else:
            targets.highlighted = 0  # makes the first community's copy
            if len(self.communities) > 1:
                targets.focus()
            else:
                self.query_one("#share-preview", VerticalScroll).focus()

    @property
    def chosen(self) -> str | None:
        """The community picked."""
        option = self.query_one("#share-to", OptionList).highlighted_option
        return option.id if option is not None else None

    def set_status(self, text: str, error: bool = False) -> None:
        """The line above the preview."""
        status = self.query_one("#share-status", Static)
        status.update(Text(clean(text)))
        status.set_class(error, "-error")

    # ------------------------------------------------------------------ preparing

    @on(OptionList.OptionHighlighted, "#share-to")
    def community_chosen(self, event: OptionList.OptionHighlighted) -> None:
        """Another community: make its copy (its vocabulary maps the tags)."""
        if event.option.id and not self.refusal:
            self.prepare_for(event.option.id)

    def prepare_for(self, name: str) -> None:
        """Fetch ``name`` and build the copy, in the background."""
        if self.preparing == name:
            return
        self.preparing, self.prepared = name, None
        self.query_one("#share-publish", Button).disabled = True
        self.query_one("#share-diff", Static).update("")
        self.query_one("#share-warnings", Static).update("")
        self.set_status(f"Fetching {name} and making the redacted copy…")
        self.prepare(name)

    def prepare(self, name: str) -> None:
        """prepare_share in the app's writer (a git fetch into the community's clone:
        not on the UI thread); the status says it is fetching meanwhile."""
        config, path = self.config, self.entry.path

        def task(journal: Journal) -> Message:
            from narrate.community.pull import timeout_of
            from narrate.community.share import prepare_share, share_diff

            try:
                copy, context = prepare_share(journal, config, name, path, timeout_of(config))
            except NarrateError as exc:
                return ShareRefused(name, str(exc))
            except Exception as exc:  # a thread must report, not vanish
                return ShareRefused(name, f"{type(exc).__name__}: {exc}")
            return SharePrepared(name, copy, context, share_diff(context, copy))

        # Choosing another community while one is still queued replaces it.
        journal_app(self).writer.submit(TaskJob("share-prepare", task, reply=self.post_message))

    @on(SharePrepared)
    def prepared_copy(self, message: SharePrepared) -> None:
        """Show the copy and offer Publish (if it is still the chosen community's)."""
        if message.community != self.chosen and len(self.communities) > 1:
            return
        self.prepared = message
        copy = message.copy
        # The summary says where the copy goes, and which old copy (an old title) goes.
        self.set_status(
            f"{copy.summary()} as {message.context.community.member}. Read it before you publish."
        )
        self.render_preview()
        warnings = "\n".join(f"⚠ {clean(w, single_line=True)}" for w in copy.warnings)
        self.query_one("#share-warnings", Static).update(Text(warnings))
        publish = self.query_one("#share-publish", Button)
        publish.label = plain(f"Publish to {copy.community}")
        publish.refresh(layout=True)  # a new label does not re-measure the button itself
        publish.disabled = False

    def render_preview(self) -> None:
        """The diff, or the exact copy alone."""
        if self.prepared is None:
            return
        if self.show_copy:
            shown: Content | Text = Text(clean(self.prepared.copy.text))
        else:
            shown = diff_content(self.prepared.diff)
        self.query_one("#share-diff", Static).update(shown)

    @on(ShareRefused)
    def refused(self, message: ShareRefused) -> None:
        """Say why not; nothing was published."""
        self.publishing = False
        self.query_one("#share-to", OptionList).disabled = False
        if message.community != self.chosen and len(self.communities) > 1:
            return
        self.set_status(f"Not shared: {message.reason}", error=True)
        self.query_one("#share-publish", Button).disabled = True
        self.query_one("#share-cancel", Button).focus()

    # ------------------------------------------------------------------ publishing

    @on(Button.Pressed, "#share-publish")
    def confirm(self) -> None:
        """The user read the copy and said publish."""
        if self.prepared is None or self.publishing:
            return
        self.publishing = True
        self.query_one("#share-publish", Button).disabled = True
        self.query_one("#share-to", OptionList).disabled = True
        self.set_status(f"Publishing to {self.prepared.copy.community}…")
        self.publish(self.prepared)

    def publish(self, prepared: SharePrepared) -> None:
        """Commit and push the copy, record it in the entry: in the app's writer."""
        copy = prepared.copy

        def task(journal: Journal) -> Message:
            from narrate.community.share import publish
            from narrate.journal.core import NotCommitted

            try:
                done = publish(journal, copy, prepared.context)
            except NotCommitted as exc:
                return SharePublished(ShareDone(None, copy.community, copy.path, str(exc)))
            except NarrateError as exc:
                return ShareRefused(copy.community, str(exc))
            except Exception as exc:  # a thread must report, not vanish
                return ShareRefused(copy.community, f"{type(exc).__name__}: {exc}")
            return SharePublished(ShareDone(done, copy.community, copy.path))

        journal_app(self).writer.submit(
            TaskJob(f"share-publish-{next(_writes)}", task, reply=self.post_message)
        )

    @on(SharePublished)
    def published(self, message: SharePublished) -> None:
        """Done: close with the result."""
        self.dismiss(message.done)

    # ------------------------------------------------------------------ actions

    def action_toggle_view(self) -> None:
        """Switch between the diff and the copy alone."""
        self.show_copy = not self.show_copy
        self.render_preview()

    @on(Button.Pressed, "#share-cancel")
    def action_cancel(self) -> None:
        """Close without publishing (a publish under way still finishes)."""
        if self.publishing:
            self.notify("Publishing… the dialog closes when it is done.", timeout=3)
            return
        self.dismiss(None)


# ---------------------------------------------------------------------- from the journal


async def open_share(screen: JournalScreen) -> None:
    """Save the open entry, then show the share dialog for it; afterwards show the
    entry's new ``shared`` record and say where it went."""
    from narrate.community.registry import communities
    from narrate.community.share import check_shareable

    problem = await screen.finish()
    if problem is not None:
        screen.notify(f"Not shared: {problem}", severity="error", markup=False)
        return
    entry = screen.entry
    if entry is None:
        screen.notify("Write the entry first: a new entry can be shared once it is saved.")
        return
    app = journal_app(screen)
    config = app.config
    if config is None:
        screen.notify(
            app.config_problem or "The config cannot be read.", severity="error", markup=False
        )
        return
    try:
        known = list(communities(config).values())
    except NarrateError as exc:
        screen.notify(str(exc), severity="error", markup=False)
        return
    refusal = None
    try:
        check_shareable(entry)
    except NarrateError as exc:
        refusal = str(exc)

    def closed(done: ShareDone | None) -> None:
        if done is not None:
            shared(screen, done)

    screen.app.push_screen(ShareModal(entry, known, config, refusal), closed)


def shared(screen: JournalScreen, done: ShareDone) -> None:
    """After a publish: the editor holds the entry with its record; the list marks it."""
    if done.published is not None:
        entry = done.published.entry
        if screen.entry is not None and screen.entry.path == entry.path and not screen.dirty:
            data = screen.journal.read_file(entry.path)
            if data is not None:
                location = screen.editor.cursor_location
                screen.show_entry(entry, data)
                screen.editor.move_cursor(location)
        screen.load_listing()
        commit = done.published.commit[:7]
        screen.notify(
            f"Published to {done.community} as {done.path} ({commit}).",
            title="Shared",
            markup=False,
        )
    else:
        screen.notify(
            f"Published to {done.community} as {done.path}, but: {done.warning}",
            severity="warning",
            timeout=15,
            markup=False,
        )
