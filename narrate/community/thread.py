"""Reading one feed entry whole: its nested thread of replies and its adoptions.

A community's links are untrusted: a cycle of ``in_reply_to`` or ten thousand replies to
one entry must neither loop nor stall, so the walk keeps what it has seen and stops at
``MAX_REPLIES`` replies and ``MAX_DEPTH`` levels, saying how many it left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from narrate.sanitize import clean_data

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.types import FeedRow

MAX_REPLIES = 500
MAX_DEPTH = 40


@dataclass
class Thread:
    """The replies under one row, nested, oldest first, and how many were left out."""

    replies: list[dict[str, Any]]
    omitted: int = 0
    """Replies beyond MAX_REPLIES or MAX_DEPTH (at least this many)."""


def thread(journal: Journal, root: str) -> Thread:
    """The replies under feed row ``root``, nested and oldest first (strings cleaned)."""
    nodes: dict[str, dict[str, Any]] = {}
    seen = {root}
    level = [root]
    tops: list[dict[str, Any]] = []
    omitted = 0
    for depth in range(MAX_DEPTH + 1):
        if not level:
            break
        room = MAX_REPLIES - len(nodes)
        if depth == MAX_DEPTH or room <= 0:
            omitted += journal.feed_reply_count(level)
            break
        rows = journal.feed_replies(level, limit=room + 1)
        if len(rows) > room:
            # Counted, not read: ten thousand replies cost one count, not their bodies.
            omitted += journal.feed_reply_count(level) - room
            rows = rows[:room]
        following: list[str] = []
        for row in rows:
            if row["feed_id"] in seen:  # a cycle of in_reply_to: shown once
                continue
            seen.add(row["feed_id"])
            node = _node(row)
            nodes[row["feed_id"]] = node
            parent = row["parent"]
            (tops if parent == root else nodes[parent or ""]["replies"]).append(node)
            following.append(row["feed_id"])
        level = following
    return Thread(tops, omitted)


def _node(row: FeedRow) -> dict[str, Any]:
    node: dict[str, Any] = clean_data(
        {
            "feed_id": row["feed_id"],
            "member": row["member"],
            "created": row["created"],
            "body": row["body"],
        }
    )
    node["replies"] = []
    return node


def adoptions(journal: Journal, root: str, limit: int = MAX_REPLIES) -> list[dict[str, Any]]:
    """Who adopted the practice change of feed row ``root``: each adopting copy's member,
    feed id, status, day of adoption and check-backs (strings cleaned), oldest first."""
    found: list[dict[str, Any]] = []
    for row in journal.feed_adoptions([root], limit=limit):
        change = next((p for p in row["practice"] if isinstance(p.get("adopted_from"), dict)), {})
        checks = [
            {key: check[key] for key in ("date", "answer", "note", "outcome") if key in check}
            for check in change.get("checkbacks") or []
        ]
        found.append(
            clean_data(
                {
                    "member": row["member"],
                    "feed_id": row["feed_id"],
                    "status": change.get("status") or "trying",
                    "adopted": row["created"][:10],
                    "checkbacks": checks,
                }
            )
        )
    return found


def read(journal: Journal, ref: str) -> dict[str, Any]:
    """Feed item ``ref`` (an id or unique prefix) with ``replies`` (nested, oldest first)
    and ``adoptions``; ``replies_omitted`` when the thread was cut at its bounds."""
    from narrate.community.feed import find

    item = find(journal, ref)
    found = thread(journal, item["feed_id"])
    item["replies"] = found.replies
    item["adoptions"] = adoptions(journal, item["feed_id"])
    if found.omitted:
        item["replies_omitted"] = found.omitted
    return item
