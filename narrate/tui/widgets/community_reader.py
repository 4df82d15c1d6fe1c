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

    def compose(self) -> ComposeResult:
        """Heading, body, links."""
        yield Static(Text("Pick an entry in the feed to read it.", style="dim"), id="reader-head")
        yield Markdown("", id="reader-body", open_links=False)
        yield Static("", id="reader-links-title")
        yield OptionList(id="reader-links", markup=False)

    def show_item(self, item: dict[str, Any]) -> None:
        """A member's shared entry (a feed item, its strings cleaned once more here)."""
        self.item, self.showing = item, "item"
        head = Text()
        head.append(_line(item.get("title")) or "Untitled", "bold")
        who = _line(f"{item.get('member')}@{item.get('community')}")
        when = humane_date(_line(item.get("created")))
        head.append(f"\n{who} · {when}", "dim")
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

    def _show(self, head: Text, body: str, links: list[str]) -> None:
        self.links = links
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
