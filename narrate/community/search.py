"""Finding things in the feed: full-text search over every member's entries and replies
(``narrate feed --search``) and what the user follows (``narrate feed --following``).

Both faces call these; the SQL is the core's (``Journal.feed_search``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrate.community.feed import _clean_row
from narrate.community.registry import follows_of

if TYPE_CHECKING:
    from narrate.community.registry import Community
    from narrate.config import Config
    from narrate.journal.core import Journal


@dataclass
class FeedSearch:
    """Matching feed items (strings cleaned, each with a ``snippet``) and warnings."""

    items: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def search_feed(
    journal: Journal,
    config: Config,
    chosen: list[Community],
    text: str = "",
    *,
    following: bool = False,
    limit: int | None = 20,
) -> FeedSearch:
    """Other members' entries and replies in ``chosen`` that match ``text`` (the search
    language plus ``member:HANDLE``), best first; ``following``: only what the user
    follows there. The user's own shares are left out (they are in the journal)."""
    from narrate.sanitize import clean

    hits, warnings = journal.feed_search(
        [c.name for c in chosen],
        text,
        exclude=[(c.name, c.member) for c in chosen],
        follows=follows_of(config, chosen) if following else None,
        limit=limit,
    )
    items = []
    for hit in hits:
        item = _clean_row(hit["row"])
        # The markers \x02 and \x03 survive (they are how a face shows the match); the
        # rest of the snippet is cleaned like every other community string.
        item["snippet"] = "\x03".join(
            "\x02".join(clean(piece) for piece in part.split("\x02"))
            for part in hit["snippet"].split("\x03")
        )
        items.append(item)
    return FeedSearch(items, [clean(w, single_line=True) for w in warnings])
