"""The community screen: your communities, the feed of what other members shared, a
reader for one entry, and adopting a practice you read about.

A community repository is written by anyone in it, so everything from it is untrusted:
feed items come cleaned from ``narrate.community.feed``, are cleaned again where they are
shown, and are rendered as ``Text`` (never markup) or by the ``Markdown`` widget (which
does not parse markup). Links open only after a confirmation, and only http(s).
"""

from __future__ import annotations

import contextlib
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from narrate.errors import NarrateError
from narrate.humane import humane_date
from narrate.sanitize import clean
from narrate.tui.widgets.community_reader import CommunityReader, CommunitySummary, openable
from narrate.tui.widgets.feed_list import FeedList
from narrate.tui.writer import TaskJob, journal_app

if TYPE_CHECKING:
    from narrate.community.registry import Community
    from narrate.community.repo import Skipped
    from narrate.config import Config
    from narrate.journal.core import Journal

# The feed shows the newest entries of all communities; older ones stay in the CLI.
FEED_LIMIT = 500
ALL = "*all*"
"""The option id of "All communities" (not a valid community name, so never a clash)."""
# Each pull and adoption is a task of its own in the writer's queue (never coalesced).
_writes = itertools.count(1)


# ---------------------------------------------------------------------- messages


@dataclass
class FeedLoaded(Message):
    """The communities and the feed were read from the clones and the index."""

    communities: list[CommunitySummary]
    items: list[dict[str, Any]]
    notices: list[str] = field(default_factory=list)
    activity: list[dict[str, Any]] = field(default_factory=list)
    """What happened to the user's own contributions, each marked ``new`` or not."""
    following: dict[str, list[str]] = field(default_factory=dict)
    """What the user follows, per community (narrate follow)."""


@dataclass
class FeedFailed(Message):
    """The feed could not be read (a broken config, an unreadable index)."""

    reason: str


@dataclass
class PullProgressed(Message):
    """A pull moved on to its next step."""

    text: str


@dataclass
class PullFinished(Message):
    """A pull ended: what each community now holds, and what went wrong."""

    done: list[str]
    failed: list[str]
    notices: list[str]


@dataclass
class PracticeAdopted(Message):
    """A feed entry's practice became an entry in the journal."""

    path: str
    title: str
    warning: str | None = None


@dataclass
class AdoptFailed(Message):
    """Adopting did not happen."""

    reason: str


@dataclass
class ThreadLoaded(Message):
    """The replies under a feed entry and who adopted it were read."""

    feed_id: str
    replies: list[dict[str, Any]]
    adoptions: list[dict[str, Any]]
    omitted: int = 0


@dataclass
class ReplySaved(Message):
    """A reply was kept in the journal: next, the share dialog publishes it."""

    entry: Any
    community: str
    warning: str | None = None


@dataclass
class ReplyFailed(Message):
    """No reply was written."""

    reason: str


# ---------------------------------------------------------------------- background work


def skipped_notices(name: str, skipped: list[Skipped]) -> list[str]:
    """One line per file a community holds that narrate refused to read."""
    return [
        f"{clean(name, single_line=True)}: ignored {clean(s.path, single_line=True)} "
        f"({clean(s.reason, single_line=True)})"
        for s in skipped
    ]


def read_feed(journal: Journal, config: Config) -> FeedLoaded:
    """Summaries of the configured communities and the newest feed items, from the local
    clones (re-indexed if a pull from the CLI changed them). Runs in the app's reader."""
    from narrate.community.activity import gather, mark_new
    from narrate.community.pull import choose
    from narrate.community.pull import read_feed as read_community_feed
    from narrate.community.registry import follow_list

    chosen = choose(config)
    found = read_community_feed(journal, chosen, limit=FEED_LIMIT, with_info=True)
    activity = mark_new(gather(journal, chosen))
    following = {c.name: follow_list(config, c) for c in chosen}
    summaries: list[CommunitySummary] = []
    notices: list[str] = []
    for view in found.communities:
        community = view.community
        summary = CommunitySummary(
            clean(community.name, single_line=True),
            clean(community.member, single_line=True),
            last_pull=clean(view.last_pull, single_line=True) or None,
        )
        summaries.append(summary)
        if not view.cloned:
            summary.cloned = False
            summary.problem = "Not cloned here yet: pull (p) to fetch it."
            continue
        if view.problem is not None:
            summary.problem = clean(str(view.problem))
            continue
        info = view.info
        if info is not None:
            summary.title = clean(info.name, single_line=True)
            summary.description = clean(info.description)
            summary.guidelines = clean(info.guidelines)
            summary.vocabulary = [
                clean(word, single_line=True) for word in (info.areas or []) + (info.tags or [])
            ]
            summary.problem = clean(info.problem) if info.problem else None
        notices += skipped_notices(community.name, view.skipped)
    return FeedLoaded(summaries, found.items, notices, activity, following)


# ---------------------------------------------------------------------- modals


class LinkModal(ModalScreen[bool]):
    """Ask before a link from a community opens in the browser: shows its full target."""

    DEFAULT_CSS = """
    LinkModal {
        align: center middle;
        & > #link-box {
            width: 80%;
            max-width: 90;
            height: auto;
            border: round $warning;
            background: $surface;
            padding: 1 2;
        }
        & #link-target { color: $text-warning; padding: 1 0; }
        & #link-buttons { height: auto; align-horizontal: right; }
        & Button { margin-left: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, href: str) -> None:
        super().__init__()
        self.href = href

    def compose(self) -> ComposeResult:
        """The question, the full target, Cancel (focused) and Open."""
        from urllib.parse import urlsplit

        host = urlsplit(self.href).hostname or "?"
        with Vertical(id="link-box") as box:
            box.border_title = "Open a link from the community?"
            yield Static(
                Text.assemble(
                    "A member's entry links to ", (clean(host, single_line=True), "bold"), ":"
                ),
                id="link-question",
            )
            yield Static(Text(clean(self.href, single_line=True)), id="link-target")
            yield Static(
                Text(
                    "Only open it if you trust where it goes: the text of a link can differ "
                    "from its target.",
                    style="dim",
                )
            )
            with Horizontal(id="link-buttons"):
                yield Button("Cancel", id="link-cancel")
                yield Button("Open in browser", id="link-open", variant="warning")

    def on_mount(self) -> None:
        """Cancel is the default: enter alone never opens a link."""
        self.query_one("#link-cancel", Button).focus()

    @on(Button.Pressed, "#link-open")
    def open_link(self) -> None:
        """Confirmed."""
        self.dismiss(True)

    @on(Button.Pressed, "#link-cancel")
    def action_cancel(self) -> None:
        """Not opened."""
        self.dismiss(False)


class AdoptModal(ModalScreen[tuple[str, str] | None]):
    """Adopt a practice from a feed entry: your area and change, in your words."""

    DEFAULT_CSS = """
    AdoptModal {
        align: center middle;
        & > #adopt-box {
            width: 80%;
            max-width: 90;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 1 2;
        }
        & Input { margin-bottom: 1; }
        & .label { color: $text-muted; }
        & #adopt-problem { color: $text-error; }
        & #adopt-buttons { height: auto; align-horizontal: right; }
        & Button { margin-left: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        """Where it came from, the area and change (prefilled from the entry), buttons."""
        seen = next((p for p in self.item.get("practice") or [] if isinstance(p, dict)), {})
        source = clean(f"{self.item.get('member')}@{self.item.get('community')}", single_line=True)
        with Vertical(id="adopt-box") as box:
            box.border_title = "Adopt a practice"
            yield Static(
                Text.assemble(
                    "From ",
                    (source, "bold"),
                    ": ",
                    clean(self.item.get("title"), single_line=True),
                    "\nIt becomes an entry in your journal with status trying; check-backs "
                    "will ask how it goes.",
                ),
                id="adopt-source",
            )
            yield Static("Practice area", classes="label", markup=False)
            yield Input(
                clean(seen.get("area"), single_line=True),
                placeholder="e.g. code-review",
                id="adopt-area",
            )
            yield Static("What you will do", classes="label", markup=False)
            yield Input(
                clean(seen.get("change") or self.item.get("title"), single_line=True),
                id="adopt-change",
            )
            yield Static("", id="adopt-problem", markup=False)
            with Horizontal(id="adopt-buttons"):
                yield Button("Cancel", id="adopt-cancel")
                yield Button("Adopt", id="adopt-ok", variant="primary")

    def on_mount(self) -> None:
        """Start in the first empty field."""
        area = self.query_one("#adopt-area", Input)
        (area if not area.value else self.query_one("#adopt-change", Input)).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#adopt-ok")
    def confirm(self) -> None:
        """Adopt, if an area is given."""
        from narrate.journal.entry import normalise_area

        area = normalise_area(self.query_one("#adopt-area", Input).value) or ""
        change = " ".join(self.query_one("#adopt-change", Input).value.split())
        if not area:
            self.query_one("#adopt-problem", Static).update("Give a practice area.")
            self.query_one("#adopt-area", Input).focus()
            return
        self.dismiss((area, change))

    @on(Button.Pressed, "#adopt-cancel")
    def action_cancel(self) -> None:
        """Nothing adopted."""
        self.dismiss(None)


# ---------------------------------------------------------------------- the screen


class CommunityScreen(Screen[None]):
    """Read what other members shared, pull new entries, adopt a practice."""

    CSS_PATH = "community.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Journal", tooltip="Back to the journal"),
        Binding("p", "pull", "Pull", tooltip="Fetch new entries from the community (or all)"),
        Binding("a", "adopt", "Adopt", tooltip="Start trying the practice of the entry shown"),
        Binding("t", "reply", "Reply", tooltip="Reply to the entry shown (preview, then publish)"),
        Binding("f", "follow", "Follow", tooltip="Follow (or stop following) its member"),
        Binding("F", "follow_area", "Follow area", show=False, tooltip="Follow its practice area"),
        Binding("v", "review", "Review", tooltip="What the community changed: the five cycles"),
        Binding("r", "reload", "Reload", show=False, tooltip="Re-read the feed"),
        Binding("ctrl+l", "focus_feed", "Feed", show=False, tooltip="Move to the feed"),
        Binding("f1", "app.help", "Help", tooltip="All keys"),
    ]

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal
        self.summaries: dict[str, CommunitySummary] = {}
        self.all_items: list[dict[str, Any]] = []
        self.loaded = False
        """Whether the feed has been read at least once."""
        self.pulling = False
        self._rng = random.Random()
        self.adopting = False
        self.replying = False
        self.activity: list[dict[str, Any]] = []
        self.following: dict[str, list[str]] = {}

    def compose(self) -> ComposeResult:
        """Communities and the feed on the left, the reader on the right."""
        yield Header(icon="✎")
        with Horizontal(id="community-main"):
            with Vertical(id="community-side"):
                yield Static("", id="activity-badge", markup=False)
                yield OptionList(id="communities", markup=False)
                yield FeedList(id="feed")
                yield Static("Reading the feed…", id="feed-status", markup=False)
            yield CommunityReader(id="reader")
        yield Footer(compact=True)

    @property
    def feed(self) -> FeedList:
        """The feed list."""
        return self.query_one("#feed", FeedList)

    @property
    def reader(self) -> CommunityReader:
        """The reader pane."""
        return self.query_one("#reader", CommunityReader)

    @property
    def chosen_community(self) -> str | None:
        """The community picked in the list; None for all of them."""
        option = self.query_one("#communities", OptionList).highlighted_option
        return None if option is None or option.id == ALL else option.id

    def on_mount(self) -> None:
        """Read the feed in the background, and pull now and then while open."""
        self.title = "Community"
        self.feed.focus()
        self.load()
        self.schedule_pull()

    def schedule_pull(self) -> None:
        """Pull every community after the configured interval, ±20 % at random: the apps
        of a large community opened together then do not all hit the host together."""
        from narrate.community.pull import jittered, pull_minutes

        minutes = pull_minutes(journal_app(self).config)
        if minutes > 0:
            self.set_timer(jittered(minutes * 60, self._rng), self.periodic_pull)

    def periodic_pull(self) -> None:
        """The app's own pull (skipped while one runs), then the next one scheduled."""
        if not self.pulling and self.summaries:
            self.pulling = True
            self.pull(list(self.summaries))
        self.schedule_pull()

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        """Read the communities and the feed (git and SQLite: in the app's reader, off
        the UI thread; "Reading the feed…" until it is done)."""
        app = journal_app(self)
        config, problem = app.config, app.config_problem

        def task(journal: Journal) -> Message:
            try:
                if config is None:
                    raise NarrateError(problem or "the config cannot be read")
                return read_feed(journal, config)
            except NarrateError as exc:
                return FeedFailed(clean(str(exc)))
            except Exception as exc:  # a thread must report, not vanish
                return FeedFailed(clean(f"{type(exc).__name__}: {exc}"))

        app.reader.submit(TaskJob("community-feed", task, reply=self.post_message))

    @on(FeedLoaded)
    def feed_loaded(self, message: FeedLoaded) -> None:
        """Fill the community list and the feed."""
        first = not self.loaded
        self.loaded = True
        self.summaries = {s.name: s for s in message.communities}
        self.all_items = message.items
        self.activity = message.activity
        self.following = message.following
        self.show_badge()
        chosen = self.chosen_community
        communities = self.query_one("#communities", OptionList)
        communities.clear_options()
        options = [Option(Text("All communities", style="bold"), id=ALL)]
        for summary in message.communities:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append(clean(summary.name, single_line=True), "bold")
            pulled = (
                f"pulled {humane_date(summary.last_pull)}" if summary.last_pull else "never pulled"
            )
            prompt.append(f"  {pulled}", "dim")
            if summary.description:
                prompt.append(f"\n{summary.description.splitlines()[0][:160]}", "italic")
            options.append(Option(prompt, id=summary.name))
        communities.add_options(options)
        communities.highlighted = (
            communities.get_option_index(chosen) if chosen in self.summaries else 0
        )
        self.show_feed()
        if first and not message.communities:
            self.reader.show_nothing(
                "You are in no community yet. Join one from the command line:\n"
                "  narrate community add NAME URL --member HANDLE"
            )
        if message.notices:
            self.notice(message.notices)

    @on(FeedFailed)
    def feed_failed(self, message: FeedFailed) -> None:
        """Say why the feed cannot be read."""
        self.loaded = True
        self.set_status("The feed could not be read.")
        self.notify(message.reason, title="Community", severity="error", markup=False)

    def show_feed(self) -> None:
        """The feed for the chosen community (or all)."""
        chosen = self.chosen_community
        items = [i for i in self.all_items if chosen is None or i["community"] == chosen]
        self.feed.set_items(items)
        count = len(items)
        where = f" in {chosen}" if chosen else ""
        if count:
            status = f"{count} entr{'y' if count == 1 else 'ies'}{where}"
            if len(self.all_items) >= FEED_LIMIT:
                status += f" (the newest {FEED_LIMIT})"
        else:
            status = f"Nothing shared{where} yet · p pulls"
        self.set_status(status)
        if self.feed.highlighted is None and items:
            self.feed.highlighted = 0

    def set_status(self, text: str) -> None:
        """The line under the feed."""
        self.query_one("#feed-status", Static).update(Text(clean(text, single_line=True)))

    def notice(self, lines: list[str]) -> None:
        """Files a community holds that were not read, in one notification."""
        more = len(lines) - 8
        self.notify(
            "\n".join(lines[:8]) + (f"\n…and {more} more" if more > 0 else ""),
            title="Some community files were ignored",
            severity="warning",
            timeout=12,
            markup=False,
        )

    # ------------------------------------------------------------------ reading

    @on(OptionList.OptionHighlighted, "#communities")
    def community_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the community's own description, and its part of the feed."""
        summary = self.summaries.get(event.option.id or "")
        if summary is not None:
            self.reader.show_community(summary)
        self.show_feed()

    @on(OptionList.OptionHighlighted, "#feed")
    def item_highlighted(self) -> None:
        """Read the entry under the cursor (unless a community's page is being read)."""
        if self.feed.has_focus or self.reader.showing == "nothing":
            self.show_highlighted()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Back in the feed: read the entry under its cursor."""
        if event.widget is self.feed:
            self.show_highlighted()

    def show_highlighted(self) -> None:
        """Put the feed's highlighted entry in the reader."""
        item = self.feed.highlighted_item
        if item is not None and item is not self.reader.item:
            self.reader.show_item(item, self.followed_in(item))
            self.load_thread(str(item["feed_id"]))

    def load_thread(self, feed_id: str) -> None:
        """Read the entry's thread and adoption trail in the app's reader."""

        def task(journal: Journal) -> Message | None:
            from narrate.community.thread import adoptions, thread

            try:
                found = thread(journal, feed_id)
                return ThreadLoaded(
                    feed_id, found.replies, adoptions(journal, feed_id), found.omitted
                )
            except Exception:  # the entry is shown already; the thread is a bonus
                return None

        journal_app(self).reader.submit(TaskJob("community-thread", task, reply=self.post_message))

    @on(ThreadLoaded)
    def thread_loaded(self, message: ThreadLoaded) -> None:
        """Show the thread and the trail under the entry."""
        self.reader.show_conversation(
            message.feed_id, message.replies, message.adoptions, message.omitted
        )

    # ------------------------------------------------------------------ activity, following

    def show_badge(self) -> None:
        """The badge for new activity on the user's own contributions."""
        from narrate.community.activity import summary

        new = [item for item in self.activity if item.get("new")]
        badge = self.query_one("#activity-badge", Static)
        badge.display = bool(new)
        if new:
            badge.update(Text(f"● new: {clean(summary(new), single_line=True)}", style="bold"))

    def followed_in(self, item: dict[str, Any]) -> list[str]:
        """What the user follows that the feed item matches (its member, tags, areas)."""
        follows = self.following.get(str(item.get("community")), [])
        areas = {f"area:{p.get('area')}" for p in item.get("practice") or [] if isinstance(p, dict)}
        tags = {str(t) for t in item.get("tags") or []}
        return [
            f
            for f in follows
            if f == item.get("member")
            or f in areas
            or (f.startswith("#") and any(t == f[1:] or t.startswith(f[1:] + "/") for t in tags))
        ]

    def action_follow(self) -> None:
        """Follow the member of the entry shown, or stop following them."""
        item = self.reader.item or self.feed.highlighted_item
        if item is None:
            self.notify("Pick an entry in the feed first.", timeout=4)
            return
        self.toggle_follow(item, str(item.get("member")))

    def action_follow_area(self) -> None:
        """Follow the practice area of the entry shown, or stop following it."""
        item = self.reader.item or self.feed.highlighted_item
        change = next((p for p in (item or {}).get("practice") or [] if isinstance(p, dict)), None)
        if item is None or change is None or not change.get("area"):
            self.notify("The entry shown records no practice area.", timeout=4)
            return
        self.toggle_follow(item, f"area:{change['area']}")

    def toggle_follow(self, item: dict[str, Any], target: str) -> None:
        """Follow ``target`` in the item's community, or unfollow it; say which."""
        from narrate.community.registry import follow_list, follow_target, get, set_follow

        config = journal_app(self).config
        try:
            if config is None:
                raise NarrateError("the config cannot be read")
            community = get(config, str(item["community"]))
            stored = follow_target(target)
            on = stored not in follow_list(config, community)
            set_follow(config, community, stored, on)
        except NarrateError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return
        self.following[community.name] = follow_list(config, community)
        verb = "Following" if on else "No longer following"
        self.notify(f"{verb} {stored} in {community.name}.", title="Follow", markup=False)
        if self.reader.item is item:
            self.reader.show_item(item, self.followed_in(item))
            self.load_thread(str(item["feed_id"]))

    # ------------------------------------------------------------------ replying

    def action_reply(self) -> None:
        """Reply to the entry shown: write it, keep it in the journal, then the share
        dialog previews the redacted copy and publishes it when you say so."""
        item = self.reader.item or self.feed.highlighted_item
        if item is None:
            self.notify("Pick an entry in the feed first.", timeout=4)
            return
        if self.replying:
            self.notify("Still saving the last reply…", timeout=3)
            return
        from narrate.tui.screens.conversation import ReplyModal

        def answered(text: str | None) -> None:
            if text:
                self.replying = True
                self.save_reply(item, text)

        self.app.push_screen(ReplyModal(item), answered)

    def save_reply(self, item: dict[str, Any], text: str) -> None:
        """Make the reply entry and keep it in the journal (the writer commits it)."""
        config = journal_app(self).config

        def task(journal: Journal) -> Message:
            from narrate.community.reply import reply_entry, save_reply
            from narrate.journal.core import NotCommitted

            try:
                if config is None:
                    raise NarrateError("the config cannot be read")
                entry = save_reply(journal, reply_entry(config, item, text))
            except NotCommitted as exc:  # kept in the journal, not committed
                path = exc.paths[0] if exc.paths else ""
                return ReplySaved(journal.get(path), str(item["community"]), clean(str(exc)))
            except Exception as exc:  # NarrateError and anything else: say it
                return ReplyFailed(clean(str(exc) or type(exc).__name__))
            return ReplySaved(entry, str(item["community"]))

        journal_app(self).writer.submit(
            TaskJob(f"community-reply-{next(_writes)}", task, reply=self.post_message)
        )

    @on(ReplySaved)
    def reply_saved(self, message: ReplySaved) -> None:
        """The reply is in the journal: show the share dialog's preview for it."""
        from narrate.community.registry import get
        from narrate.tui.screens.share import ShareDone, ShareModal

        self.replying = False
        if message.warning:
            self.notify(message.warning, severity="warning", timeout=12, markup=False)
        app = journal_app(self)
        config = app.config
        if config is None:
            return
        entry = message.entry

        def closed(done: ShareDone | None) -> None:
            if done is None:
                self.notify(
                    f"Not published: the reply is kept in your journal ({entry.path}); "
                    f"share it later with narrate share {entry.id[:12]}",
                    timeout=10,
                    markup=False,
                )
                return
            self.notify(f"Reply published to {done.community}.", title="Replied", markup=False)
            journal_screen = getattr(self.app, "journal_screen", None)
            if journal_screen is not None and journal_screen.is_mounted:
                journal_screen.load_listing()

        try:
            community = get(config, message.community)
        except NarrateError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return
        self.app.push_screen(ShareModal(entry, [community], config, None), closed)

    @on(ReplyFailed)
    def reply_failed(self, message: ReplyFailed) -> None:
        """Nothing was written: say why."""
        self.replying = False
        self.notify(f"No reply: {message.reason}", severity="error", timeout=12, markup=False)

    # ------------------------------------------------------------------ the review

    def action_review(self) -> None:
        """The community review of the chosen community (or the first)."""
        from narrate.tui.screens.conversation import CommunityReviewScreen

        name = self.chosen_community or next(iter(self.summaries), None)
        if name is None:
            self.notify("You are in no community yet.", timeout=4)
            return
        self.app.push_screen(CommunityReviewScreen(name))

    @on(OptionList.OptionSelected, "#feed")
    def item_selected(self) -> None:
        """Enter on an entry: move into the reader to scroll it."""
        self.show_highlighted()
        self.reader.focus()

    @on(Markdown.LinkClicked)
    def link_clicked(self, event: Markdown.LinkClicked) -> None:
        """A click on a link in an entry: never opened without asking."""
        event.stop()
        event.prevent_default()
        self.confirm_link(event.href)

    @on(OptionList.OptionSelected, "#reader-links")
    def link_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a listed link: ask before opening it."""
        event.stop()
        links = self.reader.links
        index = int(event.option.id or -1)
        if 0 <= index < len(links):
            self.confirm_link(links[index])

    def confirm_link(self, href: str) -> None:
        """Open ``href`` in the browser once the user says so; only http(s)."""
        if not openable(href):
            self.notify(
                f"Not opened: {clean(href, single_line=True) or '(empty link)'}. "
                "narrate only opens http and https links.",
                severity="warning",
                markup=False,
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.open_url(href)

        self.app.push_screen(LinkModal(href), answered)

    # ------------------------------------------------------------------ pulling

    def action_pull(self) -> None:
        """Fetch the chosen community (or all of them), then re-read the feed."""
        if self.pulling:
            self.notify("Already pulling…", timeout=3)
            return
        names = [self.chosen_community] if self.chosen_community else list(self.summaries)
        if not names:
            self.notify(
                "You are in no community yet: narrate community add NAME URL --member HANDLE",
                severity="warning",
                markup=False,
            )
            return
        self.pulling = True
        self.set_status(f"Pulling {', '.join(names)}…")
        self.pull(names)

    def pull(self, names: list[str]) -> None:
        """Fetch each community (objects checked), index it, remember when: in the
        app's writer, after what is queued there (the status says it is pulling)."""
        app = journal_app(self)
        config, problem = app.config, app.config_problem

        def progress(community: Community, number: int, total: int) -> None:
            self.post_message(PullProgressed(f"Pulling {community.name} ({number} of {total})…"))

        def task(journal: Journal) -> Message:
            from narrate.community.pull import PullResult, pull, timeout_of
            from narrate.community.registry import get

            done: list[str] = []
            failed: list[str] = []
            notices: list[str] = []

            def pulled(result: PullResult) -> None:
                name = result.community.name
                if result.error is not None:
                    failed.append(clean(str(result.error), single_line=True))
                    return
                done.append(f"{name}: {result.entries} shared entries")
                notices.extend(skipped_notices(name, result.skipped))
                notices.extend(f"{name}: {notice}" for notice in result.notices)

            try:
                if config is None:
                    raise NarrateError(problem or "the config cannot be read")
                chosen = [get(config, name) for name in names]
                pull(journal, chosen, timeout_of(config), progress=progress, pulled=pulled)
            except Exception as exc:  # the config, the index: report, never vanish
                failed.append(clean(str(exc) or type(exc).__name__, single_line=True))
            return PullFinished(done, failed, notices)

        app.writer.submit(TaskJob(f"community-pull-{next(_writes)}", task, reply=self.post_message))

    @on(PullProgressed)
    def pull_progressed(self, message: PullProgressed) -> None:
        """Show how far the pull is."""
        self.set_status(message.text)

    @on(PullFinished)
    def pull_finished(self, message: PullFinished) -> None:
        """Say what came in (or why not) and show it."""
        self.pulling = False
        if message.done:
            self.notify("\n".join(message.done), title="Pulled", markup=False)
        if message.failed:
            self.notify(
                "\n".join(message.failed),
                title="Pull failed",
                severity="error",
                timeout=15,
                markup=False,
            )
        if message.notices:
            self.notice(message.notices)
        self.load()

    # ------------------------------------------------------------------ adopting

    def action_adopt(self) -> None:
        """Adopt the practice of the entry shown: ask for the area and change first."""
        item = self.reader.item or self.feed.highlighted_item
        if item is None:
            self.notify("Pick an entry in the feed first.", timeout=4)
            return
        if self.adopting:
            self.notify("Still adopting the last one…", timeout=3)
            return

        def answered(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.adopting = True
                self.adopt(str(item["feed_id"]), *answer)

        self.app.push_screen(AdoptModal(item), answered)

    def adopt(self, feed_id: str, area: str, change: str) -> None:
        """Write the adopting entry (and commit it) in the app's writer."""

        def task(journal: Journal) -> Message:
            from narrate.community.feed import adopt
            from narrate.journal.core import NotCommitted

            try:
                entry = adopt(journal, feed_id, area=area, change=change or None)
            except NotCommitted as exc:  # written, not committed: still adopted
                return PracticeAdopted(exc.paths[0] if exc.paths else "", "", clean(str(exc)))
            except Exception as exc:  # NarrateError and anything else: say it
                return AdoptFailed(clean(str(exc) or type(exc).__name__))
            return PracticeAdopted(entry.path, clean(entry.title, single_line=True))

        journal_app(self).writer.submit(
            TaskJob(f"community-adopt-{next(_writes)}", task, reply=self.post_message)
        )

    @on(PracticeAdopted)
    def practice_adopted(self, message: PracticeAdopted) -> None:
        """Tell the user, and put the new entry in the journal's list."""
        self.adopting = False
        if message.warning:
            self.notify(message.warning, severity="warning", timeout=12, markup=False)
        else:
            self.notify(
                f"{message.title} is in your journal ({message.path}); escape goes back to it.",
                title="Adopted",
                markup=False,
            )
        journal_screen = getattr(self.app, "journal_screen", None)
        if journal_screen is not None and journal_screen.is_mounted:
            journal_screen.load_listing()

    @on(AdoptFailed)
    def adopt_failed(self, message: AdoptFailed) -> None:
        """Nothing was adopted: say why."""
        self.adopting = False
        self.notify(f"Not adopted: {message.reason}", severity="error", timeout=12, markup=False)

    # ------------------------------------------------------------------ actions

    def action_close(self) -> None:
        """Back to the journal; the activity shown here is no longer new."""
        from narrate.community.activity import mark_seen

        new = [item for item in self.activity if item.get("new")]
        if new:
            # Unsaved, the badge shows them again next time: nothing is lost.
            with contextlib.suppress(OSError):
                mark_seen(new)
        self.dismiss()

    def action_reload(self) -> None:
        """Re-read the feed from the clones."""
        self.load()

    def action_focus_feed(self) -> None:
        """Move to the feed."""
        self.feed.focus()

    def commands(self) -> Iterator[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand("Pull", "Fetch new entries from your communities", self.action_pull)
        yield SystemCommand("Adopt", "Start trying the practice shown", self.action_adopt)
        yield SystemCommand("Reply", "Reply to the entry shown", self.action_reply)
        yield SystemCommand("Follow member", "Follow the member shown", self.action_follow)
        yield SystemCommand("Follow area", "Follow the area shown", self.action_follow_area)
        yield SystemCommand("Community review", "What the community changed", self.action_review)
        yield SystemCommand("Reload feed", "Re-read the feed", self.action_reload)
        yield SystemCommand("Back to the journal", "Close the community screen", self.action_close)
