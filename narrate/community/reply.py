"""Replies: an answer to a member's shared entry (or to a reply), kept in your journal as
an entry and published, redacted like a share, to your folder's ``replies/``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from narrate.community.repo import CommunityError
from narrate.sanitize import clean

if TYPE_CHECKING:
    from narrate.config import Config
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry

TITLE_WORDS = 60
"""How much of the answered title a reply's title repeats ("Re: ...")."""


def reply_entry(config: Config, item: dict[str, Any], text: str) -> Entry:
    """A new journal entry answering feed item ``item`` (from ``feed.find``) with
    ``text``; not saved. Its ``in_reply_to`` names the community, member, path, entry id
    and feed id it answers."""
    from narrate.community.registry import get
    from narrate.journal.entry import Entry

    get(config, item["community"])  # fails early for a community no longer configured
    if not text.strip():
        raise CommunityError(
            "the reply is empty; nothing was written. Give the text, '-' for standard input, "
            "or --edit"
        )
    if not item.get("id"):
        raise CommunityError(
            f"feed entry {item['feed_id']} carries no entry id, so a reply could not name it; "
            "ask its author to share it again with narrate"
        )
    answered = " ".join(clean(item["title"], single_line=True).split())
    if len(answered) > TITLE_WORDS:
        answered = answered[: TITLE_WORDS - 1].rstrip() + "…"
    entry = Entry.from_capture(text, title=f"Re: {answered}")
    return entry.with_changes(
        in_reply_to={
            "community": item["community"],
            "member": item["member"],
            "path": item["path"],
            "id": item["id"],
            "feed_id": item["feed_id"],
        }
    )


def save_reply(journal: Journal, entry: Entry) -> Entry:
    """Keep the reply in the journal (indexed, committed) before anything is pushed."""
    target = entry.meta.get("in_reply_to") or {}
    who = clean(str(target.get("member") or "?"), single_line=True)
    where = clean(str(target.get("community") or "?"), single_line=True)
    return journal.add(entry, f"Reply to {who} in {where}: {entry.title}")
