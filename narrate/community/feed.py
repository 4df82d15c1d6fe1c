"""The feed: other members' shared entries, read from each community's clone into the
journal's index (narrate.journal.feedstore keeps them in tables of their own)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrate.community.registry import Community
from narrate.community.repo import (
    MAX_LINE,
    READ_BATCH_FILES,
    REPLIES,
    CommunityError,
    CommunityRepo,
    Skipped,
    SkipTally,
    TreeFile,
    member_of,
    member_path,
)
from narrate.errors import NarrateError
from narrate.humane import plural
from narrate.sanitize import clean

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry
    from narrate.journal.feedstore import FeedWriter
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


def index_community(
    journal: Journal, community: Community, repo: CommunityRepo, rebuild: bool = False
) -> FeedUpdate:
    """Bring a community's feed rows up to its fetched head: only the files that changed
    since the indexed head (``git diff-tree``), or the whole tree when the feed does not
    hold it (never read, the index rebuilt, a read killed half-way), its history was
    rewritten (the indexed head is not an ancestor of the new one) or ``rebuild``."""
    update = FeedUpdate(community.name)
    # "" stands for a repository without commits, so an empty one is not re-read each time.
    head = repo.head() or ""
    known = journal.feed_head(community.name)
    if known != head or rebuild:
        if known and head and not rebuild and repo.is_ancestor(known, head):
            _read_changes(journal, community.name, repo, known, head, update)
        else:
            _read_all(journal, community.name, repo, head, update)
    update.entries = journal.feed_count(community.name)
    update.replies = journal.feed_count(community.name, "reply")
    return update


class _Reader:
    """Turns batches of a community's files into feed rows, resolving links against
    what the feed tables hold (so no read needs the whole tree in memory)."""

    def __init__(self, community: str, update: FeedUpdate) -> None:
        self.community = community
        self.update = update
        self.forged = 0
        self.deferred: set[str] = set()
        """Paths of files with links whose rows wait for a second pass (incremental)."""
        self.keep_deferred = False

    def read(
        self,
        writer: FeedWriter,
        batch: list[tuple[TreeFile, bytes]],
        provenance: Callable[[str, str], dict[str, Any]],
        defer: bool,
    ) -> None:
        """Index one batch of (file, contents): its files first, then its rows; with
        ``defer`` the rows of files with links wait for a second pass over them (once every
        file they may name is known); a reply refused loses its row."""
        from narrate.journal.entry import BrokenEntry, Entry

        files: list[tuple[str, str, str | None, str, int, list[str]]] = []
        read: list[tuple[str, Entry]] = []
        problems: list[tuple[str, str]] = []
        for item, data in batch:
            member = member_of(item.path) or ""
            problem = _long_line(data)
            entry = None
            if problem is None:
                try:
                    entry = Entry.from_bytes(data, item.path)
                except BrokenEntry as exc:
                    problem = exc.reason
                # A shared copy is written by narrate, front matter and all: a bare note
                # in a community is no share (in a journal it is an Obsidian note).
                if entry is not None and not entry.document.fenced:
                    entry, problem = None, "no front matter"
            if entry is None:
                problems.append((item.path, problem or "unreadable"))
                files.append((item.path, member, None, item.blob, item.size, []))
                continue
            named = _link_members(entry)
            files.append((item.path, member, entry.id, item.blob, item.size, named))
            if defer and named:
                if self.keep_deferred:
                    self.deferred.add(item.path)
                continue
            read.append((item.path, entry))
        writer.drop_rows([item.path for item, _data in batch])
        writer.put_files(files)
        links = Links(self.community, held=writer.held, moved=writer.moved)
        rows: list[FeedRow] = []
        for path, entry in read:
            row = self._row(path, entry, links, problems)
            if row is not None:
                row["provenance"] = provenance(path, row["member"])
                rows.append(row)
        writer.put_rows(rows)
        writer.skip([item.path for item, _data in batch], problems)

    def _row(
        self, path: str, entry: Entry, links: Links, problems: list[tuple[str, str]]
    ) -> FeedRow | None:
        from narrate.journal.entry import sort_key

        where, _problem = member_path(path)
        if where is None:  # classify() refused it already
            return None
        member = where.handle
        kind = "reply" if path.startswith(f"{where.folder}{REPLIES}") else "entry"
        parent = None
        if kind == "reply":
            parent, problem = links.parent(path, entry.meta.get("in_reply_to"))
            if problem:
                problems.append((path, problem))
                return None
        claimed = entry.meta.get("author")
        # The folder is the member, whatever the file says: a reply in bob's folder
        # claiming author alice is bob's (counted into one notice; for entries the
        # provenance notices already say who pushed what).
        self.forged += kind == "reply" and claimed is not None and str(claimed) != member
        practice = [trail_json(p.to_json(), p.extra) for p in entry.practice]
        return {
            "feed_id": feed_id(self.community, path),
            "community": self.community,
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
        }

    def finish(self, writer: FeedWriter, members: list[str]) -> None:
        """The pull's notices: what was skipped (a count per reason, once), the doubtful
        folders and other pushers among ``members``' rows, forged reply authors."""
        flagged, others = writer.notices(members)
        tally = SkipTally()
        tally.counts, first = writer.skipped(tally.examples)
        self.update.skipped = [Skipped(path, reason) for path, reason in first]
        self.update.notices = _notice_lines(flagged, others) + tally.notices()
        if self.forged:
            self.update.notices.append(
                f"{plural(self.forged, 'reply')} name{'s' if self.forged == 1 else ''} an "
                "author other than the member whose folder holds it; each is shown as the "
                "folder's"
            )


def _long_line(data: bytes) -> str | None:
    """Why an entry is refused for a line longer than MAX_LINE, or None."""
    if len(data) <= MAX_LINE or max(map(len, data.split(b"\n"))) <= MAX_LINE:
        return None
    return f"has a line longer than {MAX_LINE // 1024} KB"


def _link_members(entry: Entry) -> list[str]:
    """The members whose files this entry's links (in_reply_to, adopted_from) resolve
    against: the row is resolved again when one of their files changes."""
    found: set[str] = set()
    raw = entry.meta.get("in_reply_to")
    if isinstance(raw, dict) and raw.get("member"):
        found.add(str(raw["member"]))
    for change in entry.practice:
        source = change.extra.get("adopted_from")
        if isinstance(source, dict) and source.get("member"):
            found.add(str(source["member"])[:300])  # as trail_json keeps it
    return sorted(found)


@dataclass
class _History:
    """What a span of the community's log says: the last author of each path, commits
    per (folder, author email) with the sequence of the oldest, each email's newest name."""

    last: dict[str, str] = field(default_factory=dict)
    counts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)


def _history(log: list[tuple[str, list[str]]], base: int) -> _History:
    """Read a newest-first log; commits get sequence numbers above ``base``, older lower."""
    found = _History()
    for number, (author, changed) in enumerate(log):
        sequence = base + len(log) - number
        email = _email(author)
        found.names.setdefault(email, author)
        for path in changed:
            found.last.setdefault(path, author)
        for member in {m for p in changed if (m := member_of(p)) is not None}:
            commits, _first = found.counts.get((member, email), (0, 0))
            found.counts[(member, email)] = (commits + 1, sequence)
            found.members.add(member)
    return found


def _provenance_of(
    pushed_by: str | None, usual: tuple[str | None, str | None], notice: str | None
) -> dict[str, Any]:
    """A row's provenance: who pushed it, its folder's usual author, whether they differ,
    what is wrong with the folder's name."""
    usual_email, usual_name = usual
    return {
        "pushed_by": pushed_by,
        "usual_author": usual_name if usual_email else None,
        "pushed_by_other": bool(pushed_by and usual_email and _email(pushed_by) != usual_email),
        "handle_notice": notice,
    }


def _refresh_provenance(writer: FeedWriter, members: Iterable[str], everyone: list[str]) -> None:
    """Recompute the provenance of every row in ``members``' folders (``everyone``: every
    folder, needed only when one of ``members`` breaks the handle rule)."""
    from narrate.community.registry import handle_notice

    for member in sorted(set(members)):
        usual = writer.usual(member)
        notice = handle_notice(member, everyone)
        writer.set_provenance(
            {path: _provenance_of(who, usual, notice) for path, who in writer.pushed_by(member)}
        )


def _read_all(
    journal: Journal, community: str, repo: CommunityRepo, head: str, update: FeedUpdate
) -> None:
    """Read the whole tree at ``head`` into the feed, one transaction per batch (memory
    stays bounded); the head is recorded last, so a killed read starts again cleanly."""
    from narrate.community.registry import NAME_RE

    reader = _Reader(community, update)
    journal.feed_write(community, lambda w: w.start_full())
    if not head:

        def empty(writer: FeedWriter) -> None:
            reader.finish(writer, [])
            writer.set_head(head)

        journal.feed_write(community, empty)
        return
    history = _history(repo.authors(head), 0)
    journal.feed_write(community, lambda w: w.add_commits(history.counts, history.names))
    usual: dict[str, tuple[str | None, str | None]] = {}

    def provenance(writer: FeedWriter) -> Callable[[str, str], dict[str, Any]]:
        def of(path: str, member: str) -> dict[str, Any]:
            if member not in usual:
                usual[member] = writer.usual(member)
            # A folder breaking the handle rule is judged against every member below.
            return _provenance_of(history.last.get(path), usual[member], None)

        return of

    refused: list[tuple[str, str]] = []

    def keep_refused() -> None:
        found = list(refused)
        refused.clear()
        journal.feed_write(community, lambda w: w.skip([], found))

    def files() -> Iterator[TreeFile]:
        for item in repo.iter_files(head):
            if isinstance(item, TreeFile):
                yield item
            else:
                refused.append((item.path, item.reason))
                # A tree of a million refused files is recorded in batches too.
                if len(refused) >= READ_BATCH_FILES:
                    keep_refused()

    def index(batch: list[tuple[TreeFile, bytes]], writer: FeedWriter) -> None:
        reader.read(writer, batch, provenance(writer), defer=True)
        writer.set_pushed_by(
            {f.path: history.last[f.path] for f, _ in batch if f.path in history.last}
        )

    for batch in repo.batches(files()):
        journal.feed_write(community, lambda w, b=batch: index(b, w))  # type: ignore[misc]
    keep_refused()
    # Links resolve against the whole tree: the rows that have any are read once more.
    linked = journal.feed_write(community, lambda w: w.linked(None))
    for batch in repo.batches(TreeFile(p, b, n) for p, b, n in linked):
        journal.feed_write(
            community,
            lambda w, b=batch: reader.read(w, b, provenance(w), defer=False),  # type: ignore[misc]
        )

    def finish(writer: FeedWriter) -> None:
        everyone = writer.members()
        _refresh_provenance(writer, [m for m in everyone if not NAME_RE.fullmatch(m)], everyone)
        reader.finish(writer, everyone)
        writer.set_head(head)

    journal.feed_write(community, finish)


def _read_changes(
    journal: Journal,
    community: str,
    repo: CommunityRepo,
    known: str,
    head: str,
    update: FeedUpdate,
) -> None:
    """Apply what changed from ``known`` to ``head`` (a descendant) in one transaction:
    removed, changed and added files, the rows whose links name a changed folder, the
    provenance of the folders whose history moved."""
    from narrate.community.registry import NAME_RE

    changes = repo.changes(known, head)
    log = repo.authors(head, since=known)
    reader = _Reader(community, update)
    reader.keep_deferred = True

    def apply(writer: FeedWriter) -> None:
        if writer.head() != known:
            return  # another narrate applied this pull first (its commit counts are in)
        paths = [path for path, _found in changes]
        folders = {m for p in paths if (m := member_of(p)) is not None}
        before = {m for m in folders if writer.has_member(m)}
        writer.drop(paths)
        readable = []
        for _path, found in changes:
            if isinstance(found, TreeFile):
                readable.append(found)
        writer.skip([], [(f.path, f.reason) for _p, f in changes if isinstance(f, Skipped)])
        history = _history(log, writer.last_sequence())

        def provenance(path: str, member: str) -> dict[str, Any]:
            return {}  # set for the whole folder below

        for batch in repo.batches(readable):
            reader.read(writer, batch, provenance, defer=True)
        writer.set_pushed_by(history.last)
        # A pusher's new name shows as the usual author of every folder they committed to.
        renamed = writer.renamed(history.names)
        writer.add_commits(history.counts, history.names)
        affected = {m for p in paths if (m := member_of(p)) is not None}
        affected |= history.members
        affected |= writer.members_of_emails(renamed)
        # Rows whose links name a changed folder resolve again, against the new tree.
        relinked = {(f.path, f.blob, f.size) for f in readable if f.path in reader.deferred} | set(
            writer.linked(affected)
        )
        for batch in repo.batches(TreeFile(p, b, n) for p, b, n in sorted(relinked)):
            reader.read(writer, batch, provenance, defer=False)
        touched = affected | {m for p, _b, _n in relinked if (m := member_of(p)) is not None}
        everyone: list[str] = []
        if {m for m in folders if writer.has_member(m)} != before:
            # A new or gone folder may be another's look-alike.
            everyone = writer.members()
            touched |= {m for m in everyone if not NAME_RE.fullmatch(m)}
        elif any(not NAME_RE.fullmatch(m) for m in touched):
            everyone = writer.members()
        _refresh_provenance(writer, touched, everyone)
        reader.finish(writer, sorted(touched))
        writer.set_head(head)

    journal.feed_write(community, apply)


def _notice_lines(flagged: dict[str, str], others: int) -> list[str]:
    """One line per doubtful member folder, and a count of entries pushed by someone
    else, for the pull's summary."""
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


MAX_CHECKBACKS = 100
MAX_NOTE = 2000


class Links:
    """Resolves what a community's replies answer and where its adopted changes came
    from, against the files the community holds (their text is untrusted: a link must
    name a Markdown file inside the named member's folder, and the entry id it claims
    must be the one that member's file carries)."""

    def __init__(
        self,
        community: str,
        read: Iterable[tuple[str, Entry]] = (),
        *,
        held: Callable[[str], str | None] | None = None,
        moved: Callable[[str, str], str | None] | None = None,
    ) -> None:
        """Links against the files in ``read``, or against lookups (the feed tables):
        ``held``: the entry id of a path; ``moved``: the first path of a member holding
        an entry id, so a link survives its target's move (a new title moves a copy)."""
        self.community = community
        files = sorted(read, key=lambda item: item[0])
        ids: dict[str, str] = {path: entry.id for path, entry in files}
        by_member_id: dict[tuple[str, str], str] = {}
        for path, entry in files:
            by_member_id.setdefault((member_of(path) or "", entry.id), path)
        self._held = held or ids.get
        self._moved = moved or (lambda member, entry_id: by_member_id.get((member, entry_id)))

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
        held = self._held(path)
        if held is not None and entry_id and held != entry_id:
            moved = self._moved(member, entry_id)
            if moved is None:
                return None, (
                    f"in_reply_to claims entry {clean(entry_id, single_line=True)} at "
                    f"{clean(path, single_line=True)}, which holds another entry"
                )
            return moved, None
        if held is None and entry_id:
            return self._moved(member, entry_id) or path, None
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
            here = self._held(target) is not None or not source.get("community")
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


def _email(author: str) -> str:
    return author.rpartition("<")[2].rstrip(">").strip().lower()


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
