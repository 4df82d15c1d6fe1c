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


def replace(conn: sqlite3.Connection, community: str, head: str, rows: list[FeedRow]) -> None:
    """Replace every row of ``community`` and record the commit they were read from.

    Rows that did not change are left as they are, so the full-text table (kept by the
    schema's triggers) re-reads only what changed: re-reading a community of 10,000
    unchanged rows took 2.5 s deleting and inserting them all, and takes a tenth of it.
    """
    keep = {row["feed_id"] for row in rows}
    others = [c for c in _COLUMNS if c != "feed_id"]
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
        conn.executemany(
            f"INSERT INTO feed ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_COLUMNS))}) ON CONFLICT(feed_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in others)
            + " WHERE "
            + " OR ".join(f"feed.{c} IS NOT excluded.{c}" for c in others),
            (_values(row) for row in rows),
        )
        conn.execute(
            "INSERT OR REPLACE INTO feed_heads (community, commit_id) VALUES (?, ?)",
            (community, head),
        )


def forget(conn: sqlite3.Connection, community: str) -> None:
    """Drop ``community``'s rows and head (it was removed from this device)."""
    with transaction(conn):
        conn.execute("DELETE FROM feed WHERE community = ?", (community,))
        conn.execute("DELETE FROM feed_heads WHERE community = ?", (community,))


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


def of_member(conn: sqlite3.Connection, community: str, member: str) -> list[FeedRow]:
    """Every row (entries and replies) in ``member``'s folder of ``community``."""
    rows = conn.execute(
        "SELECT * FROM feed WHERE community = ? AND member = ? ORDER BY sort, feed_id",
        (community, member),
    )
    return [_row(r) for r in rows]


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
        either = ["0"]
        for community, handle in follows.members:
            either.append("(f.community = ? AND f.member = ?)")
            params.extend([community, handle])
        for community, tag in follows.tags:
            either.append(
                "(f.community = ? AND EXISTS (SELECT 1 FROM json_each(f.tags) "
                "WHERE value = ? OR (value > ? AND value < ?)))"
            )
            params.extend([community, tag, tag + "/", tag + "0"])
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
