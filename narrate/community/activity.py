"""Activity: what happened to *my* contributions: replies to my entries and replies,
adoptions of my practice changes and their check-backs, and which of those are new.

"New" is kept as the set of activity keys already looked at, per community, in the
community state file (not in the index: a rebuild must not make old news new again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from narrate.humane import plural
from narrate.sanitize import clean_data

if TYPE_CHECKING:
    from narrate.community.registry import Community
    from narrate.journal.core import Journal

MAX_ITEMS = 2000
"""Activity read per community: a hostile repository's 10,000 replies stay bounded."""
TEXT_CHARS = 200
SEEN_KEY = "activity_seen"


def _key(item: dict[str, Any]) -> str:
    extra = f":{item['created']}" if item["kind"] == "checkback" else ""
    return f"{item['kind']}:{item['feed_id']}{extra}"


def _short(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= TEXT_CHARS else words[: TEXT_CHARS - 1].rstrip() + "…"


def gather(journal: Journal, communities: list[Community]) -> list[dict[str, Any]]:
    """Every activity item on my contributions in ``communities``, oldest first: JSON
    objects {kind, community, member, feed_id, on, created, text} (strings cleaned)."""
    found: list[dict[str, Any]] = []
    for community in communities:
        mine = {r["feed_id"]: r for r in journal.feed_of_member(community.name, community.member)}
        if not mine:
            continue
        ids = list(mine)
        for row in journal.feed_replies(ids, limit=MAX_ITEMS):
            if row["member"] == community.member or row["community"] != community.name:
                continue
            found.append(
                {
                    "kind": "reply",
                    "community": community.name,
                    "member": row["member"],
                    "feed_id": row["feed_id"],
                    "on": mine[row["parent"] or ""]["entry_id"],
                    "created": row["created"],
                    "text": _short(row["body"]),
                }
            )
        for row in journal.feed_adoptions(ids, limit=MAX_ITEMS):
            if row["member"] == community.member or row["origin"] not in mine:
                continue
            change = next(
                (p for p in row["practice"] if isinstance(p.get("adopted_from"), dict)), {}
            )
            on = mine[row["origin"] or ""]["entry_id"]
            status = change.get("status") or "trying"
            found.append(
                {
                    "kind": "adoption",
                    "community": community.name,
                    "member": row["member"],
                    "feed_id": row["feed_id"],
                    "on": on,
                    "created": row["created"],
                    "text": _short(f"{change.get('change') or row['title']} ({status})"),
                }
            )
            for check in change.get("checkbacks") or []:
                said = check.get("answer") or "checked back"
                extra = [str(check[k]) for k in ("note", "outcome") if check.get(k)]
                found.append(
                    {
                        "kind": "checkback",
                        "community": community.name,
                        "member": row["member"],
                        "feed_id": row["feed_id"],
                        "on": on,
                        "created": check["date"],
                        "text": _short(". ".join([said, *extra])),
                    }
                )
    # By day, then a reply or adoption before the check-backs it led to.
    order = {"reply": 0, "adoption": 1, "checkback": 2}
    found.sort(
        key=lambda item: (
            item["created"][:10],
            order[item["kind"]],
            item["created"],
            item["feed_id"],
        )
    )
    cleaned: list[dict[str, Any]] = clean_data(found)
    return cleaned


def mark_new(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``items`` with ``new``: true for those not looked at before (``mark_seen``)."""
    from narrate.community.registry import load_state

    state = load_state()
    for item in items:
        seen = state.get(item["community"], {}).get(SEEN_KEY) or []
        item["new"] = _key(item) not in set(seen)
    return items


def mark_seen(items: list[dict[str, Any]], current: list[dict[str, Any]] | None = None) -> None:
    """Remember ``items`` as looked at: the next look shows only what came after.
    ``current`` (every item there is now) lets keys of items that are gone be dropped,
    so the state stays as small as the activity itself."""
    from narrate.community.registry import load_state, save_state

    if not items:
        return
    state = load_state()
    alive = {(item["community"], _key(item)) for item in current or []}
    for name in {item["community"] for item in items}:
        record = state.setdefault(name, {})
        seen = record.get(SEEN_KEY)
        seen = [str(k) for k in seen] if isinstance(seen, list) else []
        if current is not None:
            seen = [key for key in seen if (name, key) in alive]
        known = set(seen)
        for item in items:
            key = _key(item)
            if item["community"] == name and key not in known:
                known.add(key)
                seen.append(key)
        record[SEEN_KEY] = seen
    save_state(state)


def summary(items: list[dict[str, Any]]) -> str:
    """One line for the new items: "2 replies, 1 adoption" ("nothing new" for none)."""
    new = [item for item in items if item.get("new", True)]
    counts = [
        plural(n, word)
        for kind, word in (
            ("reply", "reply"),
            ("adoption", "adoption"),
            ("checkback", "check-back"),
        )
        if (n := sum(1 for item in new if item["kind"] == kind))
    ]
    return ", ".join(counts) if counts else "nothing new"
