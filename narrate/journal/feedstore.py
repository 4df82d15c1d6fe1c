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
from typing import TYPE_CHECKING

from narrate.journal.index import transaction

if TYPE_CHECKING:
    from narrate.journal.types import FeedRow

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
    """Replace every row of ``community`` and record the commit they were read from."""
    with transaction(conn):
        conn.execute("DELETE FROM feed WHERE community = ?", (community,))
        conn.executemany(
            f"INSERT OR REPLACE INTO feed ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_COLUMNS))})",
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
