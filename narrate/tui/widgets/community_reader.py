"""The community reader: one member's shared entry, or a community's own description.

Everything shown here came from a community repository, which anyone in it can write:
each string goes through ``narrate.sanitize.clean`` and is rendered as ``Text`` (never
markup). The body is rendered by Textual's ``Markdown`` widget, which builds its
content from markdown-it tokens without parsing console markup; its links never open
on their own (``open_links=False``): the screen asks first, and only for http(s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from narrate.community.feed import identity_notices
from narrate.humane import humane_date
from narrate.sanitize import clean, link_targets

# The Markdown widget builds a widget per block: a 1 MB body of one-line paragraphs
# would take minutes. 40,000 characters is a long essay and renders in well under 1 s.
MAX_RENDERED_CHARS = 40_000

# A heading line (title, tag, practice change) is at most this long: a hostile 1 MB
# title must not become a thousand lines of heading.
MAX_LINE_CHARS = 500
MAX_TAGS = 50
MAX_DESCRIPTION_CHARS = 4000

# What may be opened in a browser: http(s) with a host, nothing that could be taken
# for an option or hide a control character.
_OPENABLE = re.compile(r"https?://[^\s/?#@]+[^\s]*", re.IGNORECASE)


def _line(value: Any) -> str:
    text = clean(value, single_line=True)
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def openable(href: str) -> bool:
    """Whether ``href`` is a link narrate may offer to open: http(s), nothing hidden."""
    return clean(href, single_line=True) == href and bool(_OPENABLE.fullmatch(href))


@dataclass
class CommunitySummary:
    """A community as the screen lists it, every string already cleaned."""

    name: str
    member: str
    title: str = ""
    description: str = ""
    guidelines: str = ""
    vocabulary: list[str] = field(default_factory=list)
    last_pull: str | None = None
    cloned: bool = True
    problem: str | None = None


class CommunityReader(VerticalScroll, can_focus=True):
    """A scrolling pane: a heading, the body as Markdown, and the links it contains."""

    DEFAULT_CSS = """
    CommunityReader {
        padding: 0 1;
        background: $background;
        scrollbar-size-vertical: 1;
        & > #reader-head { padding: 0 0 1 0; }
        & > #reader-body { background: $background; }
        & > #reader-conversation { padding: 1 0 0 0; }
        & > #reader-links-title { color: $text-muted; padding: 1 0 0 0; }
        & > #reader-links {
            height: auto;
            max-height: 12;
            border: none;
            background: $background;
            color: $text-secondary;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.item: dict[str, Any] | None = None
        """The feed item shown, or None while a community (or nothing) is shown."""
        self.links: list[str] = []
        """The http(s) links in the body, in full, in order."""
        self.showing = "nothing"
        """What the reader shows: "item", "community" or "nothing"."""
        self.conversation_of: str | None = None
        """The feed id whose thread and adoption trail are shown under the body."""

    def compose(self) -> ComposeResult:
        """Heading, body, links."""
        yield Static(Text("Pick an entry in the feed to read it.", style="dim"), id="reader-head")
        yield Markdown("", id="reader-body", open_links=False)
        yield Static("", id="reader-conversation")
        yield Static("", id="reader-links-title")
        yield OptionList(id="reader-links", markup=False)

    def show_item(self, item: dict[str, Any], following: list[str] | None = None) -> None:
        """A member's shared entry (a feed item, its strings cleaned once more here);
        ``following``: what the user follows that it matches (shown as ★)."""
        self.item, self.showing = item, "item"
        head = Text()
        head.append(_line(item.get("title")) or "Untitled", "bold")
        who = _line(f"{item.get('member')}@{item.get('community')}")
        when = humane_date(_line(item.get("created")))
        head.append(f"\n{who} · {when}", "dim")
        if following:
            head.append(f"\n★ you follow {_line(', '.join(following))}", "bold")
        for notice in identity_notices(item):
            head.append(f"\n{_line(notice)}", "bold yellow")
        tags = " ".join(f"#{_line(tag)}" for tag in list(item.get("tags") or [])[:MAX_TAGS])
        if tags:
            head.append(f"\n{tags}", "italic")
        for change in list(item.get("practice") or [])[:MAX_TAGS]:
            if not isinstance(change, dict):
                continue
            head.append("\n◆ ", "bold")
            head.append(_line(change.get("area")), "bold")
            head.append(": " + _line(change.get("change")))
            before = _line(change.get("before"))
            if before:
                head.append(f" (before: {before})", "dim")
        body = clean(item.get("body"))
        cut = len(body) - MAX_RENDERED_CHARS
        if cut > 0:
            body = body[:MAX_RENDERED_CHARS]
        self._show(head, body, link_targets(body))
        self.query_one("#reader-conversation", Static).update(
            Text("Reading the thread…", style="dim")
        )
        if cut > 0:
            self.query_one("#reader-links-title", Static).update(
                Text(f"(the last {cut:,} characters are not shown here)\n").append_text(
                    self._links_title()
                )
            )

    def show_community(self, summary: CommunitySummary) -> None:
        """What a community says about itself, and where the user stands in it."""
        self.item, self.showing = None, "community"
        head = Text()
        head.append(summary.title or summary.name, "bold")
        if summary.title and summary.title != summary.name:
            head.append(f"  ({summary.name})", "dim")
        pulled = humane_date(summary.last_pull) if summary.last_pull else "never"
        head.append(f"\nyou are {summary.member} here · last pull: {pulled}", "dim")
        if summary.description:
            head.append(f"\n\n{summary.description[:MAX_DESCRIPTION_CHARS]}")
        if summary.vocabulary:
            head.append("\n\nVocabulary: ", "bold")
            head.append(", ".join(summary.vocabulary))
        if summary.problem:
            head.append(f"\n\n{summary.problem}", "italic")
        guidelines = summary.guidelines[:MAX_RENDERED_CHARS]
        self._show(head, f"## Guidelines\n\n{guidelines}" if guidelines else "", [])

    def show_nothing(self, message: str) -> None:
        """An empty reader with a hint."""
        self.item, self.showing = None, "nothing"
        self._show(Text(message, style="dim"), "", [])

    def show_conversation(
        self,
        feed_id: str,
        replies: list[dict[str, Any]],
        adoptions: list[dict[str, Any]],
        omitted: int = 0,
    ) -> None:
        """The thread under the entry (nested, oldest first) and its adoption trail: who
        is trying it, who adopted or dropped it, and their check-backs."""
        if self.item is None or self.item.get("feed_id") != feed_id:
            return  # the reader moved on while the thread was read
        self.conversation_of = feed_id
        self.query_one("#reader-conversation", Static).update(
            conversation_text(replies, adoptions, omitted)
        )

    def _show(self, head: Text, body: str, links: list[str]) -> None:
        self.links = links
        self.conversation_of = None
        self.query_one("#reader-conversation", Static).update("")
        self.query_one("#reader-head", Static).update(head)
        self.query_one("#reader-body", Markdown).update(body)
        self.query_one("#reader-links-title", Static).update(self._links_title())
        options = self.query_one("#reader-links", OptionList)
        options.clear_options()
        options.add_options(Option(Text(link), id=str(n)) for n, link in enumerate(links))
        options.display = bool(links)
        self.scroll_home(animate=False)

    def _links_title(self) -> Text:
        if not self.links:
            return Text("")
        return Text("Links, in full (enter on one asks before opening it):")


MAX_THREAD_LINES = 200
"""Replies shown under an entry; the rest are counted (``narrate read`` has them all)."""
STATUS_MARKS = {"adopted": "✓", "dropped": "✗", "trying": "…"}


def conversation_text(
    replies: list[dict[str, Any]], adoptions: list[dict[str, Any]], omitted: int = 0
) -> Text:
    """The thread and the adoption trail as Text (every string cleaned, markup off)."""
    text = Text()
    count = _count(replies)
    text.append(
        f"Thread · {count} repl{'y' if count == 1 else 'ies'}" if count else "No replies yet",
        "bold",
    )
    text.append("  (t replies)", "dim")
    shown = 0
    stack = [(node, 0) for node in reversed(replies)]
    while stack and shown < MAX_THREAD_LINES:
        node, depth = stack.pop()
        shown += 1
        indent = "  " * min(depth, 8)
        text.append(f"\n{indent}↳ ", "dim")
        text.append(_line(node.get("member")), "bold")
        text.append(f" · {humane_date(_line(node.get('created')))}", "dim")
        body = _line(node.get("body"))
        text.append(f"\n{indent}  {body[:300]}")
        stack.extend((child, depth + 1) for child in reversed(node.get("replies") or []))
    left = count - shown + omitted
    if left > 0:
        text.append(f"\n…and {left} more (narrate read shows them all)", "dim")
    text.append("\n\n")
    text.append("Adoption trail" if adoptions else "Nobody has adopted this yet", "bold")
    for adoption in adoptions[:MAX_THREAD_LINES]:
        status = _line(adoption.get("status")) or "trying"
        text.append(f"\n{STATUS_MARKS.get(status, '·')} ", "bold")
        text.append(_line(adoption.get("member")), "bold")
        text.append(f" {status} · since {_line(adoption.get('adopted'))}")
        checks = [
            f"{_line(c.get('date'))}: {_line(c.get('answer') or 'checked back')}"
            + (f" ({_line(c['outcome'])})" if c.get("outcome") else "")
            for c in list(adoption.get("checkbacks") or [])[:20]
            if isinstance(c, dict)
        ]
        if checks:
            text.append("\n   check-backs " + "; ".join(checks), "dim")
    return text


def _count(replies: list[dict[str, Any]]) -> int:
    """Replies in a nested thread (walked without recursion: a hostile thread is deep)."""
    total, stack = 0, list(replies)
    while stack:
        node = stack.pop()
        total += 1
        stack.extend(node.get("replies") or [])
    return total
