"""The feed: other members' shared entries, indexed in the journal's index database in
tables of their own, so a community entry can never shadow or overwrite a private one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from narrate.community.registry import Community
from narrate.community.repo import CommunityRepo, Skipped
from narrate.sanitize import clean

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS feed (
        feed_id TEXT PRIMARY KEY, community TEXT NOT NULL, member TEXT NOT NULL,
        path TEXT NOT NULL, entry_id TEXT, title TEXT NOT NULL, created TEXT NOT NULL,
        sort TEXT NOT NULL, tags TEXT NOT NULL, practice TEXT NOT NULL, body TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS feed_sort ON feed(community, sort)",
    "CREATE TABLE IF NOT EXISTS feed_heads (community TEXT PRIMARY KEY, commit_id TEXT)",
)


def feed_id(community: str, path: str) -> str:
    """A short id for a shared entry, stable for its community and path."""
    return hashlib.sha1(f"{community}\0{path}".encode()).hexdigest()[:10]


@dataclass
class FeedUpdate:
    """What indexing a community's clone found."""

    community: str
    entries: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def ensure_tables(journal: Any) -> None:
    """Create the feed tables in the journal's index if they are missing."""
    for statement in _SCHEMA:
        journal.db.execute(statement)


def index_community(journal: Any, community: Community, repo: CommunityRepo) -> FeedUpdate:
    """Re-read a community's fetched tree into the feed tables if it changed."""
    from narrate.journal.entry import BrokenEntry, Entry, sort_key
    from narrate.journal.index import transaction

    ensure_tables(journal)
    update = FeedUpdate(community.name)
    head = repo.head()
    known = journal.db.execute(
        "SELECT commit_id FROM feed_heads WHERE community = ?", (community.name,)
    ).fetchone()
    if known and known[0] == head:
        update.entries = journal.db.execute(
            "SELECT count(*) FROM feed WHERE community = ?", (community.name,)
        ).fetchone()[0]
        return update
    rows: list[tuple[Any, ...]] = []
    if head:
        files, update.skipped = repo.files(head)
        blobs = repo.read_blobs([f.blob for f in files])
        for item in files:
            member = item.path.split("/")[1]
            data = blobs.get(item.blob)
            if data is None:
                continue
            try:
                entry = Entry.from_bytes(data, item.path)
            except BrokenEntry as exc:
                update.skipped.append(Skipped(item.path, exc.reason))
                continue
            rows.append(
                (
                    feed_id(community.name, item.path),
                    community.name,
                    member,
                    item.path,
                    entry.id,
                    entry.title,
                    entry.created.isoformat(),
                    sort_key(entry.created),
                    json.dumps(entry.all_tags()),
                    json.dumps([p.to_json() for p in entry.practice]),
                    entry.body,
                )
            )
    with transaction(journal.db):
        journal.db.execute("DELETE FROM feed WHERE community = ?", (community.name,))
        journal.db.executemany(
            "INSERT OR REPLACE INTO feed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
        journal.db.execute(
            "INSERT OR REPLACE INTO feed_heads (community, commit_id) VALUES (?, ?)",
            (community.name, head),
        )
    update.entries = len(rows)
    return update


def feed_items(
    journal: Any,
    communities: list[Community],
    limit: int | None = 20,
    member: str | None = None,
    area: str | None = None,
) -> list[dict[str, Any]]:
    """Other members' entries, newest first, every string cleaned for display."""
    ensure_tables(journal)
    names = [c.name for c in communities]
    if not names:
        return []
    own = {(c.name, c.member) for c in communities}
    where = [f"community IN ({', '.join('?' * len(names))})"]
    params: list[Any] = [*names]
    if member:
        where.append("member = ?")
        params.append(member)
    if area:
        where.append(
            "EXISTS (SELECT 1 FROM json_each(feed.practice) "
            "WHERE json_extract(value, '$.area') = ?)"
        )
        params.append(area)
    rows = journal.db.execute(
        f"SELECT * FROM feed WHERE {' AND '.join(where)} ORDER BY sort DESC, feed_id",
        params,
    ).fetchall()
    items = []
    for row in rows:
        if (row["community"], row["member"]) in own:
            continue  # your own shares are in your journal already
        items.append(_clean_row(row))
        if limit is not None and len(items) >= limit:
            break
    return items


def _clean_row(row: Any) -> dict[str, Any]:
    from narrate.sanitize import clean_data

    return clean_data(
        {
            "feed_id": row["feed_id"],
            "community": row["community"],
            "member": row["member"],
            "path": row["path"],
            "id": row["entry_id"],
            "title": row["title"],
            "created": row["created"],
            "tags": json.loads(row["tags"]),
            "practice": json.loads(row["practice"]),
            "body": row["body"],
        }
    )


def find(journal: Any, ref: str) -> dict[str, Any]:
    """A feed item by its feed id (or a unique prefix)."""
    from narrate.community.repo import CommunityError

    ensure_tables(journal)
    ref = ref.strip().lower()
    rows = (
        journal.db.execute(
            "SELECT * FROM feed WHERE feed_id >= ? AND feed_id < ? LIMIT 3", (ref, ref + "g")
        ).fetchall()
        if ref
        else []
    )
    if len(rows) != 1:
        problem = "matches several feed entries" if rows else "is not in the feed"
        raise CommunityError(
            f"'{clean(ref, single_line=True)}' {problem}; see 'narrate feed' for the ids "
            "(run 'narrate community pull' first)"
        )
    return _clean_row(rows[0])


def adopt(journal: Any, ref: str, area: str | None = None, change: str | None = None) -> Any:
    """A journal entry that starts trying a practice seen in the feed (SPEC §7)."""
    from narrate.community.repo import CommunityError
    from narrate.journal.entry import Entry, Practice, normalise_area

    item = find(journal, ref)
    seen = item["practice"][0] if item["practice"] else {}
    chosen_area = normalise_area(area or seen.get("area") or "")
    if not chosen_area:
        raise CommunityError(
            f"feed entry {item['feed_id']} records no practice area; give one with --area"
        )
    what = " ".join((change or seen.get("change") or item["title"]).split())
    source = f"{item['member']}@{item['community']}"
    practice = Practice(
        area=chosen_area,
        change=what,
        before=None,
        source=source,
        extra={
            "adopted_from": {
                "community": item["community"],
                "member": item["member"],
                "path": item["path"],
                "id": item["id"],
            }
        },
    )
    body = (
        f"Trying what {item['member']} shared in {item['community']}: {item['title']}\n\n> {what}\n"
    )
    entry = Entry.from_capture(
        body, title=f"Trying: {what}", tags=[chosen_area], practices=[practice]
    )
    return journal.add(entry, f"Adopt a practice from {item['community']}: {what}")
