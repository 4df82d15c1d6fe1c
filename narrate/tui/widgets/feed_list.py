"""The feed list: other members' shared entries, newest first, as sanitised text."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from narrate.community.feed import identity_notices
from narrate.humane import humane_date
from narrate.sanitize import clean

# A title is one line in the list; a hostile 100 KB title must not become a page.
MAX_LIST_CHARS = 160


def _short(value: Any) -> str:
    text = clean(value, single_line=True)
    return text if len(text) <= MAX_LIST_CHARS else text[: MAX_LIST_CHARS - 1] + "…"


def feed_prompt(item: dict[str, Any]) -> Text:
    """An item's row: title, then who and when, then its practice changes."""
    prompt = Text(no_wrap=True, overflow="ellipsis")
    prompt.append(_short(item.get("title")) or "Untitled", "bold")
    who = _short(f"{item.get('member')}@{item.get('community')}")
    when = humane_date(clean(item.get("created"), single_line=True), with_time=False)
    prompt.append(f"\n{who} · {when}", "dim")
    for change in (item.get("practice") or [])[:3]:
        if isinstance(change, dict):
            prompt.append(f"\n◆ {_short(change.get('area'))}: {_short(change.get('change'))}")
    # A folder name is all that says who wrote it: say when it is doubtful.
    for notice in identity_notices(item):
        prompt.append(f"\n{_short(notice)}", "bold yellow")
    return prompt


class FeedList(OptionList):
    """Feed items as options whose ids are their feed ids; a few hundred at most."""

    DEFAULT_CSS = """
    FeedList {
        height: 1fr;
        border: none;
        background: $surface;
        scrollbar-size-vertical: 1;
        &:focus { border: none; background-tint: $foreground 2%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.items: dict[str, dict[str, Any]] = {}
        """The items shown, by feed id."""

    def set_items(self, items: list[dict[str, Any]]) -> None:
        """Show ``items`` (newest first), keeping the highlighted one if it is still there."""
        current = self.highlighted_item
        self.items = {str(item["feed_id"]): item for item in items}
        self.clear_options()
        options: list[Option | None] = []
        for item in items:
            if options:
                options.append(None)  # a separator line between entries
            options.append(Option(feed_prompt(item), id=str(item["feed_id"])))
        self.add_options(options)
        if current is not None and current["feed_id"] in self.items:
            self.highlighted = self.get_option_index(current["feed_id"])

    @property
    def highlighted_item(self) -> dict[str, Any] | None:
        """The feed item under the cursor."""
        if self.highlighted is None or not self.option_count:
            return None
        option_id = self.get_option_at_index(self.highlighted).id
        return self.items.get(option_id or "")
