"""The feed: other members' shared entries, read from each community's clone into the
journal's index (narrate.journal.feedstore keeps them in tables of their own)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrate.community.registry import Community
from narrate.community.repo import CommunityError, CommunityRepo, Skipped
from narrate.errors import NarrateError
from narrate.sanitize import clean

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry
    from narrate.journal.types import FeedRow


def feed_id(community: str, path: str) -> str:
    """A short id for a shared entry, stable for its community and path."""
    return hashlib.sha1(f"{community}\0{path}".encode()).hexdigest()[:10]


@dataclass
class FeedUpdate:
    """What indexing a community's clone found."""

    community: str
    entries: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def index_community(journal: Journal, community: Community, repo: CommunityRepo) -> FeedUpdate:
    """Re-read a community's fetched tree into the feed if it changed (or if the feed
    does not hold it: never read here, or the index was rebuilt since)."""
    from narrate.journal.entry import BrokenEntry, Entry, sort_key

    update = FeedUpdate(community.name)
    # "" stands for a repository without commits, so an empty one is not re-read each time.
    head = repo.head() or ""
    if journal.feed_head(community.name) == head:
        update.entries = journal.feed_count(community.name)
        return update
    rows: list[FeedRow] = []
    if head:
        files, update.skipped = repo.files(head)
        blobs = repo.read_blobs([f.blob for f in files])
        for item in files:
            data = blobs.get(item.blob)
            if data is None:
                continue
            try:
                entry = Entry.from_bytes(data, item.path)
            except BrokenEntry as exc:
                update.skipped.append(Skipped(item.path, exc.reason))
                continue
            rows.append(
                {
                    "feed_id": feed_id(community.name, item.path),
                    "community": community.name,
                    "member": item.path.split("/")[1],
                    "path": item.path,
                    "entry_id": entry.id,
                    "title": entry.title,
                    "created": entry.created.isoformat(),
                    "sort": sort_key(entry.created),
                    "tags": entry.all_tags(),
                    "practice": [p.to_json() for p in entry.practice],
                    "body": entry.body,
                }
            )
    journal.replace_feed(community.name, head, rows)
    update.entries = len(rows)
    return update


def forget_community(journal: Journal, name: str) -> None:
    """Drop a community's entries from the feed (it was removed from this device)."""
    journal.forget_feed(name)


def feed_items(
    journal: Journal,
    communities: list[Community],
    limit: int | None = 20,
    member: str | None = None,
    area: str | None = None,
) -> list[dict[str, Any]]:
    """Other members' entries, newest first, every string cleaned for display."""
    rows = journal.feed_rows(
        [c.name for c in communities],
        # Your own shares are in your journal already.
        exclude=[(c.name, c.member) for c in communities],
        member=member,
        area=area,
        limit=limit,
    )
    return [_clean_row(row) for row in rows]


def _clean_row(row: FeedRow) -> dict[str, Any]:
    from narrate.sanitize import clean_data

    cleaned: dict[str, Any] = clean_data(
        {
            "feed_id": row["feed_id"],
            "community": row["community"],
            "member": row["member"],
            "path": row["path"],
            "id": row["entry_id"],
            "title": row["title"],
            "created": row["created"],
            "tags": row["tags"],
            "practice": row["practice"],
            "body": row["body"],
        }
    )
    return cleaned


def find(journal: Journal, ref: str) -> dict[str, Any]:
    """A feed item by its feed id (or a unique prefix)."""
    ref = ref.strip().lower()
    rows = journal.feed_by_prefix(ref, limit=2)
    if len(rows) != 1:
        problem = "matches several feed entries" if rows else "is not in the feed"
        raise CommunityError(
            f"'{clean(ref, single_line=True)}' {problem}; see 'narrate feed' for the ids "
            "(run 'narrate community pull' first)"
        )
    return _clean_row(rows[0])


class AlreadyAdopted(CommunityError):
    """The feed entry was adopted before; ``entry`` is the adopting entry."""

    def __init__(self, message: str, entry: Entry) -> None:
        super().__init__(message)
        self.entry = entry


def adoption_of(journal: Journal, item: dict[str, Any]) -> Entry | None:
    """The entry that adopted the feed item before, found by the ``adopted_from``
    reference its practice change records (community and path), or None."""
    source = f"{item['member']}@{item['community']}"
    for path in journal.entries_with_source(source):
        try:
            entry = journal.get(path)
        except NarrateError:
            continue
        for change in entry.practice:
            origin = change.extra.get("adopted_from")
            if (
                isinstance(origin, dict)
                and origin.get("community") == item["community"]
                and origin.get("path") == item["path"]
            ):
                return entry
    return None


def adopt(
    journal: Journal,
    ref: str,
    area: str | None = None,
    change: str | None = None,
    again: bool = False,
) -> Entry:
    """A journal entry that starts trying a practice seen in the feed (docs/communities.md).
    Raises AlreadyAdopted when an entry adopted it before, unless ``again``."""
    from narrate.journal.entry import Entry, Practice, normalise_area

    item = find(journal, ref)
    earlier = None if again else adoption_of(journal, item)
    if earlier is not None:
        raise AlreadyAdopted(
            f"already adopted on {earlier.day} as {earlier.id[:12]} "
            f"({clean(earlier.title, single_line=True)}, {earlier.path}); "
            "add --again to adopt it once more",
            earlier,
        )
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
