"""The feed: other members' shared entries, read from each community's clone into the
journal's index (narrate.journal.feedstore keeps them in tables of their own)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrate.community.registry import Community
from narrate.community.repo import REPLIES, CommunityError, CommunityRepo, Skipped
from narrate.errors import NarrateError
from narrate.humane import plural
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
    replies: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """Doubtful member folders and entries pushed by someone else (when it was read)."""


def index_community(journal: Journal, community: Community, repo: CommunityRepo) -> FeedUpdate:
    """Re-read a community's fetched tree into the feed if it changed (or if the feed
    does not hold it: never read here, or the index was rebuilt since)."""
    from narrate.journal.entry import BrokenEntry, Entry, sort_key

    update = FeedUpdate(community.name)
    # "" stands for a repository without commits, so an empty one is not re-read each time.
    head = repo.head() or ""
    if journal.feed_head(community.name) == head:
        update.entries = journal.feed_count(community.name)
        update.replies = journal.feed_count(community.name, "reply")
        return update
    rows: list[FeedRow] = []
    if head:
        files, update.skipped = repo.files(head)
        blobs = repo.read_blobs([f.blob for f in files])
        provenance = _provenance(repo, head, [f.path for f in files])
        read: list[tuple[str, Entry]] = []
        for item in files:
            data = blobs.get(item.blob)
            if data is None:
                continue
            try:
                read.append((item.path, Entry.from_bytes(data, item.path)))
            except BrokenEntry as exc:
                update.skipped.append(Skipped(item.path, exc.reason))
        links = Links(community.name, read)
        forged = 0
        for path, entry in read:
            member = path.split("/")[1]
            kind = "reply" if path.startswith(f"members/{member}/{REPLIES}") else "entry"
            parent = None
            if kind == "reply":
                parent, problem = links.parent(path, entry.meta.get("in_reply_to"))
                if problem:
                    update.skipped.append(Skipped(path, problem))
                    continue
            claimed = entry.meta.get("author")
            # The folder is the member, whatever the file says: a reply in bob's folder
            # claiming author alice is bob's (counted into one notice; for entries the
            # provenance notices already say who pushed what).
            forged += kind == "reply" and claimed is not None and str(claimed) != member
            practice = [trail_json(p.to_json(), p.extra) for p in entry.practice]
            rows.append(
                {
                    "feed_id": feed_id(community.name, path),
                    "community": community.name,
                    "member": member,
                    "path": path,
                    "entry_id": entry.id,
                    "title": entry.title,
                    "created": entry.created.isoformat(),
                    "sort": sort_key(entry.created),
                    "tags": entry.all_tags(),
                    "practice": practice,
                    "body": entry.body,
                    "kind": kind,
                    "parent": parent,
                    "origin": links.origin(path, practice),
                    "provenance": provenance.get(path, {}),
                }
            )
        if forged:
            update.notices.append(
                f"{plural(forged, 'reply')} name{'s' if forged == 1 else ''} an author "
                "other than the member whose folder holds it; each is shown as the folder's"
            )
    journal.replace_feed(community.name, head, rows)
    update.replies = sum(1 for row in rows if row["kind"] == "reply")
    update.entries = len(rows) - update.replies
    update.notices = _notices(rows) + update.notices
    return update


MAX_CHECKBACKS = 100
MAX_NOTE = 2000


class Links:
    """Resolves what a community's replies answer and where its adopted changes came
    from, against the files the community holds (their text is untrusted: a link must
    name a Markdown file inside the named member's folder, and the entry id it claims
    must be the one that member's file carries)."""

    def __init__(self, community: str, read: list[tuple[str, Entry]]) -> None:
        self.community = community
        self.ids: dict[str, str] = {path: entry.id for path, entry in read}
        # (member, entry id) -> path, so a link survives its target's move (a new title
        # moves a shared copy); the first path of a member holding an id wins.
        self.by_member_id: dict[tuple[str, str], str] = {}
        for path, entry in sorted(read):
            self.by_member_id.setdefault((path.split("/")[1], entry.id), path)

    def _target(self, raw: Any) -> tuple[str | None, str | None]:
        """The path a link {member, path, id} names in this community (None when it is
        not here), or why the link is refused."""
        from narrate.community.share import is_member_path

        if not isinstance(raw, dict):
            return None, "names nothing it answers (in_reply_to: member, path, id)"
        member, path, entry_id = (str(raw.get(k) or "") for k in ("member", "path", "id"))
        if not member or "/" in member or not path or not is_member_path(path, member):
            return None, (
                f"in_reply_to names {clean(path or '?', single_line=True)}, which is not a "
                f"file in members/{clean(member or '?', single_line=True)}/"
            )
        held = self.ids.get(path)
        if held is not None and entry_id and held != entry_id:
            moved = self.by_member_id.get((member, entry_id))
            if moved is None:
                return None, (
                    f"in_reply_to claims entry {clean(entry_id, single_line=True)} at "
                    f"{clean(path, single_line=True)}, which holds another entry"
                )
            return moved, None
        if held is None and entry_id:
            return self.by_member_id.get((member, entry_id), path), None
        return path, None

    def parent(self, path: str, raw: Any) -> tuple[str | None, str | None]:
        """The feed id a reply at ``path`` answers, or why it is refused."""
        target, problem = self._target(raw)
        if problem or target is None:
            return None, problem
        if target == path:
            return None, "in_reply_to names the reply itself"
        return feed_id(self.community, target), None

    def origin(self, path: str, practice: list[dict[str, Any]]) -> str | None:
        """The feed id the first adopted change of the row at ``path`` came from."""
        for change in practice:
            source = change.get("adopted_from")
            if not isinstance(source, dict):
                continue
            target, problem = self._target(source)
            if problem or target is None or target == path:
                continue
            # A change adopted in another community is linked to that community's row
            # (by the name this device gives it: the one the adopter's copy records).
            here = target in self.ids or not source.get("community")
            return feed_id(self.community if here else str(source["community"]), target)
        return None


def trail_json(data: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A shared change's JSON with its trail (``adopted_from``, ``checkbacks``) when it
    carries a well-formed one; anything else in the trail is dropped, the rest capped."""
    from narrate.journal.checkbacks import ANSWERS

    source = extra.get("adopted_from")
    if isinstance(source, dict):
        data["adopted_from"] = {
            key: str(source.get(key) or "")[:300] for key in ("community", "member", "path", "id")
        }
    checks = extra.get("checkbacks")
    found: list[dict[str, Any]] = []
    for check in checks[:MAX_CHECKBACKS] if isinstance(checks, list) else []:
        if not isinstance(check, dict):
            continue
        day = str(check.get("date") or "")[:10]
        answer = check.get("answer")
        if len(day) != 10 or (answer is not None and str(answer) not in ANSWERS):
            continue
        item: dict[str, Any] = {"date": day, "answer": None if answer is None else str(answer)}
        for key in ("note", "outcome"):
            if check.get(key):
                item[key] = str(check[key])[:MAX_NOTE]
        found.append(item)
    if found:
        data["checkbacks"] = found
    return data


def _notices(rows: list[FeedRow]) -> list[str]:
    """One line per doubtful member folder, and a count of entries pushed by someone
    else, for the pull's summary."""
    flagged: dict[str, str] = {}
    others = 0
    for row in rows:
        found = row.get("provenance") or {}
        if found.get("handle_notice"):
            flagged.setdefault(row["member"], found["handle_notice"])
        others += bool(found.get("pushed_by_other"))
    lines = [
        f"members/{clean(member, single_line=True)}: {notice}"
        for member, notice in sorted(flagged.items())
    ]
    if others:
        lines.append(
            f"{others} shared entr{'y was' if others == 1 else 'ies were'} pushed by someone "
            "other than their folder's usual author (see 'narrate feed')"
        )
    return lines


def _email(author: str) -> str:
    return author.rpartition("<")[2].rstrip(">").strip().lower()


def _provenance(repo: CommunityRepo, head: str, paths: list[str]) -> dict[str, dict[str, Any]]:
    """For each file: the author of its last change, its member folder's usual author
    (who made most of the folder's commits; the earliest of equals), whether the two
    differ, and what is wrong with the folder's name. A folder is only a name: anyone
    with push access can write under another member's, so the reader is told.
    """
    from collections import Counter

    from narrate.community.registry import handle_notice

    last: dict[str, str] = {}
    commits: dict[str, Counter[str]] = {}
    oldest: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    # One git log pass, newest first: the first author seen for a path changed it last.
    for number, (author, changed) in enumerate(repo.authors(head)):
        email = _email(author)
        names.setdefault(email, author)
        for path in changed:
            last.setdefault(path, author)
        for member in {p.split("/")[1] for p in changed if p.count("/") >= 2}:
            commits.setdefault(member, Counter())[email] += 1
            oldest[(member, email)] = number

    def usual_of(member: str) -> str:
        counts = commits[member]
        # Most commits; among equals the one who committed first (the folder's maker).
        return max(counts, key=lambda email: (counts[email], oldest[(member, email)]))

    usual = {member: usual_of(member) for member in commits}
    members = sorted({p.split("/")[1] for p in paths})
    notices = {m: handle_notice(m, members) for m in members}
    found: dict[str, dict[str, Any]] = {}
    for path in paths:
        member = path.split("/")[1]
        pushed_by = last.get(path)
        usual_email = usual.get(member)
        found[path] = {
            "pushed_by": pushed_by,
            "usual_author": names.get(usual_email) if usual_email else None,
            "pushed_by_other": bool(pushed_by and usual_email and _email(pushed_by) != usual_email),
            "handle_notice": notices[member],
        }
    return found


def identity_notices(item: dict[str, Any]) -> list[str]:
    """Warnings to show beside a feed item: its member's name, and who pushed it when
    that is not the folder's usual author."""
    found: list[str] = []
    if item.get("handle_notice"):
        found.append(f"⚠ {item['handle_notice']}")
    if item.get("pushed_by_other"):
        found.append(
            f"⚠ pushed by someone else: {item.get('pushed_by')}, not "
            f"{item.get('member')}'s usual {item.get('usual_author')}"
        )
    return found


def forget_community(journal: Journal, name: str) -> None:
    """Drop a community's entries from the feed (it was removed from this device)."""
    journal.forget_feed(name)


def feed_items(
    journal: Journal,
    communities: list[Community],
    limit: int | None = 20,
    member: str | None = None,
    area: str | None = None,
    kinds: tuple[str, ...] = ("entry",),
) -> list[dict[str, Any]]:
    """Other members' entries (``kinds``: and/or replies), newest first, every string
    cleaned for display."""
    rows = journal.feed_rows(
        [c.name for c in communities],
        kinds=kinds,
        # Your own shares are in your journal already.
        exclude=[(c.name, c.member) for c in communities],
        member=member,
        area=area,
        limit=limit,
    )
    return [_clean_row(row) for row in rows]


def clean_row(row: FeedRow) -> dict[str, Any]:
    """A feed row as a feed item (the JSON keys of 'narrate feed'), strings cleaned."""
    return _clean_row(row)


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
            "kind": row["kind"],
            "parent": row["parent"],
            "origin": row["origin"],
            **_provenance_keys(row),
        }
    )
    return cleaned


def _provenance_keys(row: FeedRow) -> dict[str, Any]:
    """The feed item's provenance keys (JSON output and the app): None and False when
    the row was read before narrate kept them."""
    found = row.get("provenance") or {}
    return {
        "pushed_by": found.get("pushed_by"),
        "usual_author": found.get("usual_author"),
        "pushed_by_other": bool(found.get("pushed_by_other")),
        "handle_notice": found.get("handle_notice"),
    }


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
