"""A community that talks: the reply dialog (its text; the share dialog previews and
publishes it) and the community review screen (bars per value-creation cycle and the
stories of the changes that spread).

Everything from a community is untrusted: every string is cleaned and rendered as
``Text`` with markup off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Static, TextArea

from narrate.errors import NarrateError
from narrate.sanitize import clean
from narrate.tui.writer import TaskJob, journal_app

if TYPE_CHECKING:
    from narrate.journal.core import Journal

BAR_WIDTH = 30
"""The longest bar, in cells (the review fits 80 columns beside its labels)."""
MAX_STORIES = 100


def _line(value: Any) -> str:
    return clean(value, single_line=True)


class ReplyModal(ModalScreen[str | None]):
    """Write a reply to a feed entry; Preview hands it to the share dialog."""

    DEFAULT_CSS = """
    ReplyModal {
        align: center middle;
        & > #reply-box {
            width: 90%;
            max-width: 100;
            height: 80%;
            max-height: 30;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #reply-to { height: auto; padding: 0 0 1 0; }
        & #reply-text { height: 1fr; }
        & #reply-problem { color: $text-error; height: auto; }
        & #reply-buttons { height: auto; align-horizontal: right; }
        & Button { margin-left: 2; }
        & #reply-hint { color: $text-muted; height: auto; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close; nothing is written"),
        Binding("ctrl+s", "preview", "Preview", tooltip="Keep the reply, then preview it"),
    ]

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        """What it answers, the text, buttons."""
        with Vertical(id="reply-box") as box:
            box.border_title = "Reply"
            yield Static(
                Text.assemble(
                    "To ",
                    (_line(f"{self.item.get('member')}@{self.item.get('community')}"), "bold"),
                    ": ",
                    _line(self.item.get("title"))[:200],
                ),
                id="reply-to",
            )
            yield TextArea("", id="reply-text", soft_wrap=True)
            yield Static("", id="reply-problem", markup=False)
            with Horizontal(id="reply-buttons"):
                yield Button("Cancel", id="reply-cancel")
                yield Button("Preview", id="reply-ok", variant="primary")
            yield Static(
                "Kept in your journal first; the next step shows the exact redacted copy "
                "before anything is published · ctrl+s: preview · escape: cancel",
                id="reply-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        """Start writing."""
        self.query_one("#reply-text", TextArea).focus()

    @on(Button.Pressed, "#reply-ok")
    def action_preview(self) -> None:
        """Hand the text on, unless it is empty."""
        text = self.query_one("#reply-text", TextArea).text
        if not text.strip():
            self.query_one("#reply-problem", Static).update("Write the reply first.")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#reply-cancel")
    def action_cancel(self) -> None:
        """Nothing written."""
        self.dismiss(None)


# ---------------------------------------------------------------------- the review


@dataclass
class CommunityReviewLoaded(Message):
    """The review's JSON (docs/json.md), or why it could not be made."""

    data: dict[str, Any] | None
    problem: str | None = None


def bar(value: int, most: int, width: int = BAR_WIDTH) -> str:
    """A bar of ``value`` against ``most`` (at least one cell for anything above 0)."""
    if value <= 0 or most <= 0:
        return ""
    return "█" * max(1, round(width * value / most))


def cycle_rows(cycles: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(cycle, headline number, what it counts) per cycle, in the paper's order."""
    from narrate.humane import plural as p

    imm, pot, app, rea, ref = (
        cycles[name] for name in ("immediate", "potential", "applied", "realized", "reframing")
    )
    return [
        (
            "Immediate",
            imm["shares"] + imm["replies"],
            f"{p(imm['shares'], 'share')}, {p(imm['replies'], 'reply')}, "
            f"{p(imm['members'], 'active member')}",
        ),
        (
            "Potential",
            pot["changes"],
            f"{p(pot['changes'], 'practice change')} in {p(len(pot['areas']), 'area')} by "
            f"{p(len(pot['members']), 'member')}",
        ),
        (
            "Applied",
            app["started"],
            f"{p(app['started'], 'adoption')} started; at check-backs {app['adopted']} "
            f"adopted, {app['dropped']} dropped",
        ),
        ("Realized", rea["outcomes"], f"{p(rea['outcomes'], 'outcome')} recorded"),
        (
            "Reframing",
            len(ref["added"]) + len(ref["merged"]) + len(ref["removed"]),
            f"{p(len(ref['added']), 'area')} added, {len(ref['merged'])} merged, "
            f"{len(ref['removed'])} removed",
        ),
    ]


def review_text(data: dict[str, Any]) -> Text:
    """The five cycles as bars, the activity per period, then the stories."""
    text = Text()
    text.append(
        f"{_line(data['community'])} · {data['since']} to {data['until']} · by {data['by']}\n",
        "dim",
    )
    rows = cycle_rows(data["cycles"])
    most = max((n for _, n, _ in rows), default=0)
    for name, number, words in rows:
        text.append(f"\n{name:<10} ", "bold")
        text.append(f"{bar(number, most):<{BAR_WIDTH}}", "green")
        text.append(f" {number:>4}\n", "bold")
        text.append(f"{'':<11}{words}\n", "dim")
    periods = data["cycles"]["immediate"]["periods"]
    busiest = max((p["shares"] + p["replies"] for p in periods.values()), default=0)
    if busiest:
        text.append("\nActivity per period\n", "bold")
        for label, counts in periods.items():
            total = counts["shares"] + counts["replies"]
            text.append(f"{label:<10} ")
            text.append(f"{bar(total, busiest, 24):<24}", "cyan")
            text.append(f" {total}\n")
    stories = data["stories"]
    text.append(f"\nStories · {len(stories)} practice change", "bold")
    text.append("s that spread\n" if len(stories) != 1 else " that spread\n", "bold")
    if not stories:
        text.append("No practice change spread in this period.\n", "dim")
    for story in stories[:MAX_STORIES]:
        origin = story["origin"]
        text.append("\n◆ ", "bold")
        text.append(_line(origin.get("change")), "bold")
        text.append(f"\n  {_line(origin.get('area'))}, from {_line(origin.get('member'))}", "dim")
        text.append(f" · {story['replies']} repl{'y' if story['replies'] == 1 else 'ies'}", "dim")
        for adopter in story["adopters"]:
            checks = ", ".join(
                f"{_line(c.get('date'))} {_line(c.get('answer') or '')}".strip()
                for c in adopter.get("checkbacks") or []
            )
            text.append(f"\n  ↳ {_line(adopter.get('member'))}: {_line(adopter.get('status'))}")
            if checks:
                text.append(f" (check-backs {checks})", "dim")
        text.append("\n")
    return text


class CommunityReviewScreen(Screen[None]):
    """What a community changed: a bar per value-creation cycle and the stories."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", tooltip="Back to the community"),
        Binding("w", "by('week')", "By week"),
        Binding("m", "by('month')", "By month"),
        Binding("f1", "app.help", "Help", tooltip="All keys"),
    ]

    DEFAULT_CSS = """
    CommunityReviewScreen {
        & #community-review-scroll { padding: 0 1; }
    }
    """

    def __init__(self, community: str, by: str = "month") -> None:
        super().__init__()
        self.community = community
        self.by = by
        self.data: dict[str, Any] | None = None
        self.loaded = False

    def compose(self) -> ComposeResult:
        """The report in a scrolling pane."""
        yield Header(icon="✎")
        with VerticalScroll(id="community-review-scroll"):
            yield Static(Text("Reading the community…", style="dim"), id="community-review-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Build the review in the app's reader."""
        self.title = f"Community review: {_line(self.community)}"
        self.load()

    def load(self) -> None:
        """The review of the last 90 days (the CLI's default)."""
        app = journal_app(self)
        config, problem, name, by = app.config, app.config_problem, self.community, self.by

        def task(journal: Journal) -> Message:
            from narrate.community.registry import get
            from narrate.community.review import build_community_review

            try:
                if config is None:
                    raise NarrateError(problem or "the config cannot be read")
                review = build_community_review(journal, get(config, name), by=by)
                return CommunityReviewLoaded(review.to_json())
            except NarrateError as exc:
                return CommunityReviewLoaded(None, clean(str(exc)))
            except Exception as exc:  # a thread must report, not vanish
                return CommunityReviewLoaded(None, clean(f"{type(exc).__name__}: {exc}"))

        app.reader.submit(TaskJob("community-review", task, reply=self.post_message))

    @on(CommunityReviewLoaded)
    def review_loaded(self, message: CommunityReviewLoaded) -> None:
        """Show the bars and the stories (or why not)."""
        self.loaded = True
        self.data = message.data
        body = self.query_one("#community-review-body", Static)
        if message.data is None:
            body.update(Text(f"The review could not be made: {message.problem}"))
            return
        body.update(review_text(message.data))

    def action_by(self, by: str) -> None:
        """Count by week or by month."""
        if by != self.by:
            self.by, self.loaded = by, False
            self.load()

    def action_close(self) -> None:
        """Back to the community screen."""
        self.dismiss()
