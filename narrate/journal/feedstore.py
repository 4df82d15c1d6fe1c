"""Reads and writes of the feed tables: other members' shared entries, kept in the index
in tables of their own (created with the schema in narrate.journal.index), so a community
entry can never shadow or overwrite a private one.

Like the rest of the index they are a cache: a rebuild empties them, and a community
whose head is unknown is read from its clone again (narrate.community.feed).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from narrate.journal.index import transaction

if TYPE_CHECKING:
    from narrate.journal.query import Query, Term
    from narrate.journal.types import FeedRow, Follows

_COLUMNS = (
    "feed_id",
    "community",
    "member",
    "path",
    "entry_id",
    "title",
    "created",
    "sort",
    "tags",
    "practice",
    "body",
    "provenance",
    "kind",
    "parent",
    "origin",
)


def known_head(conn: sqlite3.Connection, community: str) -> str | None:
    """The commit the community's rows were read from ("" for none); None when its rows
    are not indexed (never read, or the index was rebuilt since)."""
    row = conn.execute(
        "SELECT commit_id FROM feed_heads WHERE community = ?", (community,)
    ).fetchone()
    return None if row is None else str(row[0])


def count(conn: sqlite3.Connection, community: str, kind: str = "entry") -> int:
    """How many shared entries (``kind`` 'reply': replies) of ``community`` are indexed."""
    return int(
        conn.execute(
            "SELECT count(*) FROM feed WHERE community = ? AND kind = ?", (community, kind)
        ).fetchone()[0]
    )


_OTHERS = [c for c in _COLUMNS if c != "feed_id"]
# The one way a row arrives: a changed row is updated in place and an unchanged one left
# alone. INSERT OR REPLACE would delete without the delete trigger (SQLite fires none
# for REPLACE) and leave the old text in feed_fts under a rowid another row may reuse.
_UPSERT = (
    f"INSERT INTO feed ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_COLUMNS))}) ON CONFLICT(feed_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _OTHERS)
    + " WHERE "
    + " OR ".join(f"feed.{c} IS NOT excluded.{c}" for c in _OTHERS)
)


def replace(conn: sqlite3.Connection, community: str, head: str, rows: list[FeedRow]) -> None:
    """Replace every row of ``community`` and record the commit they were read from.

    Rows that did not change are left as they are, so the full-text table (kept by the
    schema's triggers) re-reads only what changed: re-reading a community of 10,000
    unchanged rows took 2.5 s deleting and inserting them all, and takes a tenth of it.
    """
    keep = {row["feed_id"] for row in rows}
    with transaction(conn):
        gone = [
            str(r[0])
            for r in conn.execute("SELECT feed_id FROM feed WHERE community = ?", (community,))
            if r[0] not in keep
        ]
        for start in range(0, len(gone), _CHUNK):
            chunk = gone[start : start + _CHUNK]
            conn.execute(
                f"DELETE FROM feed WHERE feed_id IN ({', '.join('?' * len(chunk))})", chunk
            )
        _forget_files(conn, community)
        conn.executemany(_UPSERT, (_values(row) for row in rows))
        conn.execute(
            "INSERT OR REPLACE INTO feed_heads (community, commit_id) VALUES (?, ?)",
            (community, head),
        )


def forget(conn: sqlite3.Connection, community: str) -> None:
    """Drop ``community``'s rows and head (it was removed from this device)."""
    with transaction(conn):
        conn.execute("DELETE FROM feed WHERE community = ?", (community,))
        conn.execute("DELETE FROM feed_heads WHERE community = ?", (community,))
        _forget_files(conn, community)


def _forget_files(conn: sqlite3.Connection, community: str) -> None:
    """Drop what incremental indexing keeps of ``community``'s tree."""
    for table in ("feed_files", "feed_links", "feed_authors", "feed_skipped"):
        conn.execute(f"DELETE FROM {table} WHERE community = ?", (community,))


def items(
    conn: sqlite3.Connection,
    communities: list[str],
    *,
    exclude: Iterable[tuple[str, str]] = (),
    member: str | None = None,
    area: str | None = None,
    limit: int | None = 20,
    kinds: tuple[str, ...] = ("entry",),
) -> list[FeedRow]:
    """Rows of ``communities``, newest first; ``exclude``: (community, member) pairs to
    leave out; ``member`` and ``area`` narrow to one member or one practice area;
    ``kinds``: 'entry' (the feed's default), 'reply' or both."""
    if not communities or not kinds:
        return []
    where = [
        f"community IN ({', '.join('?' * len(communities))})",
        f"kind IN ({', '.join('?' * len(kinds))})",
    ]
    params: list[str | int] = [*communities, *kinds]
    for name, who in exclude:
        where.append("NOT (community = ? AND member = ?)")
        params.extend([name, who])
    if member:
        where.append("member = ?")
        params.append(member)
    if area:
        where.append(
            "EXISTS (SELECT 1 FROM json_each(feed.practice) "
            "WHERE json_extract(value, '$.area') = ?)"
        )
        params.append(area)
    params.append(-1 if limit is None else limit)
    rows = conn.execute(
        f"SELECT * FROM feed WHERE {' AND '.join(where)} ORDER BY sort DESC, feed_id LIMIT ?",
        params,
    )
    return [_row(r) for r in rows]


def by_prefix(conn: sqlite3.Connection, prefix: str, limit: int = 3) -> list[FeedRow]:
    """Rows whose feed id starts with ``prefix`` (lower-case hex), at most ``limit``."""
    if not prefix:
        return []
    # Feed ids are hex: every id starting with the prefix sorts below prefix + "g".
    rows = conn.execute(
        "SELECT * FROM feed WHERE feed_id >= ? AND feed_id < ? ORDER BY feed_id LIMIT ?",
        (prefix, prefix + "g", limit),
    )
    return [_row(r) for r in rows]


# SQLite's default limit on host parameters is 999 on old builds: ask in chunks below it.
_CHUNK = 500


def _where_in(
    conn: sqlite3.Connection, column: str, values: list[str], limit: int | None
) -> list[FeedRow]:
    """Rows whose ``column`` is one of ``values``, oldest first, at most ``limit``."""
    found: list[FeedRow] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        left = -1 if limit is None else limit - len(found)
        if left == 0:
            break
        rows = conn.execute(
            f"SELECT * FROM feed WHERE {column} IN ({', '.join('?' * len(chunk))}) "
            "ORDER BY sort, feed_id LIMIT ?",
            [*chunk, left],
        )
        found.extend(_row(r) for r in rows)
    return found


def replies_to(
    conn: sqlite3.Connection, parents: list[str], limit: int | None = None
) -> list[FeedRow]:
    """The replies answering any of ``parents`` (feed ids), oldest first, at most ``limit``."""
    return _where_in(conn, "parent", parents, limit)


def count_replies(conn: sqlite3.Connection, parents: list[str]) -> int:
    """How many replies answer any of ``parents``."""
    total = 0
    for start in range(0, len(parents), _CHUNK):
        chunk = parents[start : start + _CHUNK]
        total += int(
            conn.execute(
                f"SELECT count(*) FROM feed WHERE parent IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchone()[0]
        )
    return total


def adoptions_of(
    conn: sqlite3.Connection, origins: list[str], limit: int | None = None
) -> list[FeedRow]:
    """The rows whose adopted practice change came from any of ``origins``, oldest first."""
    return _where_in(conn, "origin", origins, limit)


def by_ids(conn: sqlite3.Connection, feed_ids: list[str]) -> list[FeedRow]:
    """The rows with these feed ids (any that exist), oldest first."""
    return _where_in(conn, "feed_id", feed_ids, None)


OF_MEMBER = "SELECT * FROM feed WHERE +community = ? AND member = ? ORDER BY sort, feed_id"


def of_member(conn: sqlite3.Connection, community: str, member: str) -> list[FeedRow]:
    """Every row (entries and replies) in ``member``'s folder of ``community``."""
    # "+community": without statistics SQLite walks feed_sort over the whole community
    # (0.4 s at 200k rows, on every pull's activity line); feed_member finds the few rows.
    rows = conn.execute(OF_MEMBER, (community, member))
    return [_row(r) for r in rows]


class FeedWriter:
    """Incremental writes of one community's feed inside one transaction (the caller's):
    the rows, the files they were read from, their links and the folders' authors."""

    def __init__(self, conn: sqlite3.Connection, community: str) -> None:
        self.conn = conn
        self.community = community

    def start_full(self) -> None:
        """Forget everything of the community, head first: a read killed before
        :meth:`set_head` leaves no head, so the next pull starts it again cleanly."""
        self.conn.execute("DELETE FROM feed_heads WHERE community = ?", (self.community,))
        self.conn.execute("DELETE FROM feed WHERE community = ?", (self.community,))
        _forget_files(self.conn, self.community)

    def head(self) -> str | None:
        """The commit the community's rows reflect (inside this transaction)."""
        return known_head(self.conn, self.community)

    def set_head(self, head: str) -> None:
        """Record the commit the community's rows now reflect."""
        self.conn.execute(
            "INSERT OR REPLACE INTO feed_heads (community, commit_id) VALUES (?, ?)",
            (self.community, head),
        )

    def drop(self, paths: list[str]) -> None:
        """Forget the files at ``paths`` (gone, changed, or to be read again) and their rows."""
        for start in range(0, len(paths), _CHUNK):
            chunk = paths[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for table in ("feed_files", "feed_links", "feed_skipped"):
                self.conn.execute(
                    f"DELETE FROM {table} WHERE community = ? AND path IN ({marks})",
                    [self.community, *chunk],
                )
        self.drop_rows(paths)

    def drop_rows(self, paths: list[str]) -> None:
        """Delete the feed rows at ``paths`` (the one place rows leave, so a table kept in
        step with feed is kept here)."""
        for start in range(0, len(paths), _CHUNK):
            chunk = paths[start : start + _CHUNK]
            self.conn.execute(
                f"DELETE FROM feed WHERE community = ? AND path IN ({', '.join('?' * len(chunk))})",
                [self.community, *chunk],
            )

    def put_rows(self, rows: list[FeedRow]) -> None:
        """Insert or replace feed rows (the one place rows arrive)."""
        self.conn.executemany(_UPSERT, (_values(row) for row in rows))

    def put_files(self, files: list[tuple[str, str, str | None, str, int, list[str]]]) -> None:
        """Record files read: (path, member, entry id or None, blob, size, members its links
        name); the author of the last change a file had is kept."""
        self.conn.executemany(
            "INSERT INTO feed_files (community, path, member, entry_id, blob, size) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (community, path) DO UPDATE SET "
            "member = excluded.member, entry_id = excluded.entry_id, blob = excluded.blob, "
            "size = excluded.size",
            [(self.community, p, m, i, b, n) for p, m, i, b, n, _links in files],
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO feed_links (community, member, path) VALUES (?, ?, ?)",
            [(self.community, who, p) for p, _m, _i, _b, _n, links in files for who in links],
        )

    def skip(self, paths: list[str], skipped: list[tuple[str, str]]) -> None:
        """Record why files are not read (``skipped``: path, reason), after forgetting
        what was recorded for ``paths``."""
        for start in range(0, len(paths), _CHUNK):
            chunk = paths[start : start + _CHUNK]
            self.conn.execute(
                "DELETE FROM feed_skipped WHERE community = ? "
                f"AND path IN ({', '.join('?' * len(chunk))})",
                [self.community, *chunk],
            )
        self.conn.executemany(
            "INSERT OR REPLACE INTO feed_skipped (community, path, reason) VALUES (?, ?, ?)",
            [(self.community, path, reason) for path, reason in skipped],
        )

    def skipped(self, examples: int) -> tuple[dict[str, int], list[tuple[str, str]]]:
        """How many files are skipped for each reason, and the first ``examples`` of each."""
        counts = {
            str(r[0]): int(r[1])
            for r in self.conn.execute(
                "SELECT reason, count(*) FROM feed_skipped WHERE community = ? GROUP BY reason",
                (self.community,),
            )
        }
        first: list[tuple[str, str]] = []
        for reason in sorted(counts):
            rows = self.conn.execute(
                "SELECT path FROM feed_skipped WHERE community = ? AND reason = ? "
                "ORDER BY path LIMIT ?",
                (self.community, reason, examples),
            )
            first.extend((str(r[0]), reason) for r in rows)
        return counts, first

    def held(self, path: str) -> str | None:
        """The entry id of the file at ``path`` (None: no such readable entry)."""
        row = self.conn.execute(
            "SELECT entry_id FROM feed_files WHERE community = ? AND path = ?",
            (self.community, path),
        ).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def moved(self, member: str, entry_id: str) -> str | None:
        """The first path in ``member``'s folder holding entry ``entry_id``."""
        row = self.conn.execute(
            "SELECT min(path) FROM feed_files WHERE community = ? AND member = ? AND entry_id = ?",
            (self.community, member, entry_id),
        ).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def linked(self, members: Iterable[str] | None) -> list[tuple[str, str, int]]:
        """(path, blob, size) of every file whose links name one of ``members`` (None: any)."""
        query = (
            "SELECT DISTINCT f.path, f.blob, f.size FROM feed_links l JOIN feed_files f "
            "ON f.community = l.community AND f.path = l.path WHERE l.community = ?"
        )
        if members is None:
            rows = self.conn.execute(query + " ORDER BY f.path", (self.community,))
            return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
        found: set[tuple[str, str, int]] = set()
        chosen = sorted(set(members))
        for start in range(0, len(chosen), _CHUNK):
            chunk = chosen[start : start + _CHUNK]
            rows = self.conn.execute(
                query + f" AND l.member IN ({', '.join('?' * len(chunk))})",
                [self.community, *chunk],
            )
            found.update((str(r[0]), str(r[1]), int(r[2])) for r in rows)
        return sorted(found)

    def has_member(self, member: str) -> bool:
        """Whether ``member``'s folder holds an entry file read."""
        return (
            self.conn.execute(
                "SELECT 1 FROM feed_files WHERE community = ? AND member = ? LIMIT 1",
                (self.community, member),
            ).fetchone()
            is not None
        )

    def members(self) -> list[str]:
        """Every member folder holding an entry file read."""
        rows = self.conn.execute(
            "SELECT DISTINCT member FROM feed_files WHERE community = ? ORDER BY member",
            (self.community,),
        )
        return [str(r[0]) for r in rows]

    def add_commits(
        self, counts: dict[tuple[str, str], tuple[int, int]], names: dict[str, str]
    ) -> None:
        """Count commits into each folder's authors: (member, email) -> (commits, sequence
        of the oldest); ``names``: each email's newest name, replacing older ones."""
        self.conn.executemany(
            "INSERT INTO feed_authors (community, member, email, name, commits, first) "
            "VALUES (?, ?, ?, '', ?, ?) ON CONFLICT (community, member, email) DO UPDATE SET "
            "commits = commits + excluded.commits, first = min(first, excluded.first)",
            [(self.community, m, e, n, first) for (m, e), (n, first) in counts.items()],
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO feed_authors (community, member, email, name, commits, first) "
            "VALUES (?, '', ?, ?, 0, 0)",
            [(self.community, e, name) for e, name in names.items()],
        )

    def last_sequence(self) -> int:
        """The sequence number of the newest commit counted (0 before any)."""
        row = self.conn.execute(
            "SELECT max(first) FROM feed_authors WHERE community = ? AND member != ''",
            (self.community,),
        ).fetchone()
        return int(row[0] or 0)

    def usual(self, member: str) -> tuple[str | None, str | None]:
        """The email of ``member``'s folder's usual author (most commits; the earliest of
        equals) and that email's newest name."""
        row = self.conn.execute(
            "SELECT a.email, n.name FROM feed_authors a LEFT JOIN feed_authors n "
            "ON n.community = a.community AND n.member = '' AND n.email = a.email "
            "WHERE a.community = ? AND a.member = ? ORDER BY a.commits DESC, a.first LIMIT 1",
            (self.community, member),
        ).fetchone()
        return (None, None) if row is None else (str(row[0]), row[1])

    def renamed(self, names: dict[str, str]) -> list[str]:
        """The emails among ``names`` (email -> newest name) whose recorded name differs."""
        found: list[str] = []
        for email, name in sorted(names.items()):
            row = self.conn.execute(
                "SELECT name FROM feed_authors WHERE community = ? AND member = '' AND email = ?",
                (self.community, email),
            ).fetchone()
            if row is None or row[0] != name:
                found.append(email)
        return found

    def members_of_emails(self, emails: list[str]) -> set[str]:
        """The folders any of ``emails`` committed to."""
        found: set[str] = set()
        for start in range(0, len(emails), _CHUNK):
            chunk = emails[start : start + _CHUNK]
            rows = self.conn.execute(
                "SELECT DISTINCT member FROM feed_authors WHERE community = ? AND member != '' "
                f"AND email IN ({', '.join('?' * len(chunk))})",
                [self.community, *chunk],
            )
            found.update(str(r[0]) for r in rows)
        return found

    def set_pushed_by(self, authors: dict[str, str]) -> None:
        """Record the author of the last change of each path."""
        self.conn.executemany(
            "UPDATE feed_files SET pushed_by = ? WHERE community = ? AND path = ?",
            [(who, self.community, path) for path, who in authors.items()],
        )

    def pushed_by(self, member: str) -> list[tuple[str, str | None]]:
        """(path, author of its last change) of each row in ``member``'s folder."""
        # From the folder's files (feed_files_id), each looked up in feed (feed_path).
        rows = self.conn.execute(
            "SELECT f.path, f.pushed_by FROM feed_files f INDEXED BY feed_files_id "
            "WHERE f.community = ? "
            "AND f.member = ? AND EXISTS (SELECT 1 FROM feed WHERE feed.community = "
            "f.community AND feed.path = f.path)",
            (self.community, member),
        )
        return [(str(r[0]), r[1]) for r in rows]

    def set_provenance(self, found: dict[str, dict[str, object]]) -> None:
        """Replace the provenance of the rows at these paths."""
        self.conn.executemany(
            "UPDATE feed SET provenance = ? WHERE community = ? AND path = ?",
            [(json.dumps(p), self.community, path) for path, p in found.items()],
        )

    def notices(self, members: list[str]) -> tuple[dict[str, str], int]:
        """The handle notices of ``members``' rows, and how many of them were pushed by
        someone other than their folder's usual author."""
        flagged: dict[str, str] = {}
        others = 0
        for start in range(0, len(members), _CHUNK):
            chunk = members[start : start + _CHUNK]
            rows = self.conn.execute(
                "SELECT member, json_extract(provenance, '$.handle_notice'), "
                "sum(json_extract(provenance, '$.pushed_by_other')) FROM feed "
                # "+community": by the member index, not a walk of the whole community.
                f"WHERE +community = ? AND member IN ({', '.join('?' * len(chunk))}) "
                "GROUP BY member",
                [self.community, *chunk],
            )
            for member, notice, pushed in rows:
                if notice:
                    flagged[str(member)] = str(notice)
                others += int(pushed or 0)
        return flagged, others


def _values(row: FeedRow) -> tuple[str | None, ...]:
    return (
        row["feed_id"],
        row["community"],
        row["member"],
        row["path"],
        row["entry_id"],
        row["title"],
        row["created"],
        row["sort"],
        json.dumps(row["tags"]),
        json.dumps(row["practice"]),
        row["body"],
        json.dumps(row.get("provenance") or {}),
        row.get("kind") or "entry",
        row.get("parent"),
        row.get("origin"),
    )


def _row(r: sqlite3.Row) -> FeedRow:
    row: FeedRow = {
        "feed_id": r["feed_id"],
        "community": r["community"],
        "member": r["member"],
        "path": r["path"],
        "entry_id": r["entry_id"],
        "title": r["title"],
        "created": r["created"],
        "sort": r["sort"],
        "tags": json.loads(r["tags"]),
        "practice": json.loads(r["practice"]),
        "body": r["body"],
        "kind": r["kind"],
        "parent": r["parent"],
        "origin": r["origin"],
    }
    provenance = json.loads(r["provenance"])
    if provenance:  # a row is read back as it was written
        row["provenance"] = provenance
    return row


def search(
    conn: sqlite3.Connection,
    communities: list[str],
    text: str,
    *,
    exclude: Iterable[tuple[str, str]] = (),
    follows: Follows | None = None,
    limit: int | None = 20,
) -> tuple[list[tuple[FeedRow, str]], list[str]]:
    """Rows of ``communities`` matching ``text`` in the search language (docs/search.md)
    plus ``member:HANDLE``, best match first (newest first without words), each with a
    snippet; and warnings about parts of the query that were ignored. ``exclude``:
    (community, member) pairs left out; ``follows``: only what they name."""
    from narrate.journal import query as q

    if not communities:
        return [], []
    parsed = q.parse(text, extra_keys=("member",))
    where, params = _scope(communities, exclude, follows)
    match: list[str] = []
    for term in parsed.terms:
        clause, values = _term_sql(term, parsed, match)
        if clause is None:
            continue
        where.append(f"NOT ({clause})" if term.negated else clause)
        params.extend(values)
    lim = -1 if limit is None else limit
    if match:
        rows = conn.execute(
            "SELECT f.*, snippet(feed_fts, 1, '\x02', '\x03', '…', 24) AS snippet "
            "FROM feed_fts JOIN feed f ON f.rowid = feed_fts.rowid "
            f"WHERE feed_fts MATCH ? AND {' AND '.join(where)} "
            "ORDER BY bm25(feed_fts, 4.0, 1.0), f.sort DESC LIMIT ?",
            [" AND ".join(match), *params, lim],
        )
    else:
        rows = conn.execute(
            "SELECT f.*, substr(f.body, 1, 200) AS snippet FROM feed f "
            f"WHERE {' AND '.join(where)} ORDER BY f.sort DESC, f.feed_id LIMIT ?",
            [*params, lim],
        )
    return [(_row(r), str(r["snippet"] or "")) for r in rows], parsed.warnings


def _scope(
    communities: list[str], exclude: Iterable[tuple[str, str]], follows: Follows | None
) -> tuple[list[str], list[object]]:
    """The conditions every feed read shares: its communities, the reader's own rows
    left out, and (when given) only what the reader follows."""
    where = [f"f.community IN ({', '.join('?' * len(communities))})"]
    params: list[object] = [*communities]
    for name, who in exclude:
        where.append("NOT (f.community = ? AND f.member = ?)")
        params.extend([name, who])
    if follows is not None:
        from narrate.journal.query import tag_params

        either = ["0"]
        for community, handle in follows.members:
            either.append("(f.community = ? AND f.member = ?)")
            params.extend([community, handle])
        for community, tag in follows.tags:
            either.append(
                "(f.community = ? AND EXISTS (SELECT 1 FROM json_each(f.tags) "
                "WHERE value = ? OR (value > ? AND value < ?)))"
            )
            params.extend([community, *tag_params(tag)])  # the one "tag or under" rule
        for community, area in follows.areas:
            either.append(
                "(f.community = ? AND EXISTS (SELECT 1 FROM json_each(f.practice) "
                "WHERE json_extract(value, '$.area') = ?))"
            )
            params.extend([community, area])
        where.append(f"({' OR '.join(either)})")
    return where, params


def _term_sql(term: Term, parsed: Query, match: list[str]) -> tuple[str | None, list[object]]:
    """One query term as a condition over ``feed f`` (positive words go to ``match``)."""
    from narrate.errors import NarrateError
    from narrate.journal import query as q
    from narrate.journal.dates import parse_day

    kind, value = term.kind, term.value
    if kind in ("word", "phrase"):
        if not q.has_tokens(value):
            return None, []
        if not term.negated:
            match.append(q.fts_string(term))
            return None, []
        return "f.rowid IN (SELECT rowid FROM feed_fts WHERE feed_fts MATCH ?)", [
            q.fts_string(term)
        ]
    if kind in ("tag",):
        return (
            "EXISTS (SELECT 1 FROM json_each(f.tags) WHERE value = ? OR (value > ? AND value < ?))",
            [value, value + "/", value + "0"],
        )
    if kind == "area":
        return (
            "EXISTS (SELECT 1 FROM json_each(f.practice) WHERE json_extract(value, '$.area') = ?)",
            [value.lstrip("#")],
        )
    if kind in ("since", "until"):
        try:
            day = parse_day(value).isoformat()
        except NarrateError:
            parsed.warnings.append(f"cannot understand the date in {kind}:{value}; ignored")
            return None, []
        # created is ISO 8601 as the member wrote it: its first ten characters are the day.
        return (
            "substr(f.created, 1, 10) >= ?" if kind == "since" else "substr(f.created, 1, 10) <= ?"
        ), [day]
    if kind == "member":
        return "f.member = ?", [value]
    if kind == "in":
        return "f.community = ?", [value]
    if kind == "is" and value == "practice":
        return "json_array_length(f.practice) > 0", []
    parsed.warnings.append(f"{kind}:{value} means nothing in the feed; ignored")
    return None, []


# ---- the community review and digest (narrate.community.review, .digest): aggregates
# over the feed of one or more communities. A row's day is the first ten characters of
# its created time, as the member wrote it.

_DAY = "substr(f.created, 1, 10)"


def _in(communities: list[str]) -> str:
    return f"f.community IN ({', '.join('?' * len(communities))})"


def activity_by_day(
    conn: sqlite3.Connection, communities: list[str], since: str, until: str
) -> list[dict[str, Any]]:
    """Shares and replies per day and member from ``since`` to ``until`` (YYYY-MM-DD):
    rows of ``day``, ``member``, ``kind`` and ``count``."""
    if not communities:
        return []
    rows = conn.execute(
        f"SELECT {_DAY} AS day, f.member, f.kind, count(*) AS count FROM feed f "
        f"WHERE {_in(communities)} AND {_DAY} BETWEEN ? AND ? "
        "GROUP BY day, f.member, f.kind ORDER BY day",
        [*communities, since, until],
    )
    return [dict(r) for r in rows]


def practice_published(
    conn: sqlite3.Connection, communities: list[str], since: str, until: str
) -> list[dict[str, Any]]:
    """Practice changes first published (not adopted from someone else) from ``since`` to
    ``until``: rows of ``day``, ``area``, ``member`` and ``count``."""
    if not communities:
        return []
    rows = conn.execute(
        f"SELECT {_DAY} AS day, json_extract(p.value, '$.area') AS area, f.member, "
        "count(*) AS count FROM feed f, json_each(f.practice) p "
        f"WHERE {_in(communities)} AND f.kind = 'entry' AND {_DAY} BETWEEN ? AND ? "
        "AND json_extract(p.value, '$.adopted_from') IS NULL "
        "AND json_type(p.value, '$.area') = 'text' "
        "GROUP BY day, area, f.member ORDER BY day, area",
        [*communities, since, until],
    )
    return [dict(r) for r in rows]


def adopted_changes(conn: sqlite3.Connection, communities: list[str]) -> list[dict[str, Any]]:
    """Every shared practice change adopted from another member's entry, oldest first:
    rows of ``feed_id``, ``community``, ``member``, ``created``, ``origin`` (the feed id
    it came from, when the feed holds it) and ``change`` (the change's JSON, its trail
    inside)."""
    if not communities:
        return []
    rows = conn.execute(
        "SELECT f.feed_id, f.community, f.member, f.created, f.origin, p.value AS change "
        f"FROM feed f, json_each(f.practice) p WHERE {_in(communities)} "
        "AND json_type(p.value, '$.adopted_from') = 'object' ORDER BY f.sort, f.feed_id",
        communities,
    )
    found = []
    for r in rows:
        row = dict(r)
        row["change"] = json.loads(row["change"])
        found.append(row)
    return found


def thread_sizes(
    conn: sqlite3.Connection,
    roots: list[str],
    since: str | None = None,
    until: str | None = None,
) -> dict[str, int]:
    """How many replies each root's thread holds (replies to replies counted), only those
    written from ``since`` to ``until`` when given. UNION (not UNION ALL) walks a cycle of
    replies once."""
    found: dict[str, int] = {}
    for start in range(0, len(roots), _CHUNK_ROOTS):
        chunk = roots[start : start + _CHUNK_ROOTS]
        rows = conn.execute(
            "WITH RECURSIVE thread(root, feed_id) AS ("
            f" SELECT parent, feed_id FROM feed WHERE parent IN ({', '.join('?' * len(chunk))})"
            " UNION SELECT thread.root, f.feed_id FROM feed f JOIN thread"
            " ON f.parent = thread.feed_id) "
            "SELECT thread.root, count(*) AS count FROM thread JOIN feed f "
            "ON f.feed_id = thread.feed_id AND f.feed_id <> thread.root "
            f"WHERE ? IS NULL OR {_DAY} BETWEEN ? AND ? GROUP BY thread.root",
            [*chunk, since, since, until],
        )
        found.update({str(r["root"]): int(r["count"]) for r in rows})
    return found


_CHUNK_ROOTS = 400


def busiest_threads(
    conn: sqlite3.Connection, communities: list[str], since: str, until: str, limit: int = 5
) -> list[tuple[FeedRow, int]]:
    """The shared entries whose threads got the most replies from ``since`` to
    ``until``, with that number, busiest first."""
    if not communities:
        return []
    rows = conn.execute(
        "WITH RECURSIVE thread(root, feed_id) AS ("
        f" SELECT f.feed_id, f.feed_id FROM feed f WHERE {_in(communities)} AND f.kind = 'entry'"
        " UNION SELECT thread.root, f.feed_id FROM feed f JOIN thread"
        " ON f.parent = thread.feed_id) "
        "SELECT thread.root, count(*) AS count FROM thread JOIN feed f "
        f"ON f.feed_id = thread.feed_id AND f.kind = 'reply' WHERE {_DAY} BETWEEN ? AND ? "
        "GROUP BY thread.root ORDER BY count DESC, thread.root LIMIT ?",
        [*communities, since, until, limit],
    )
    counts = [(str(r["root"]), int(r["count"])) for r in rows]
    found = {row["feed_id"]: row for row in by_ids(conn, [root for root, _ in counts])}
    return [(found[root], n) for root, n in counts if root in found]
