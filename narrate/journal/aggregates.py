"""Aggregates over the index for the review and the practice form: counted in SQL, so
they stay fast at 100,000 entries. Each takes the index connection; ``Journal`` exposes
them as methods that refresh the index first."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from narrate.journal.types import (
        AreaCount,
        AreaPeriodCount,
        EntryBrief,
        SourceCount,
        TimelineChange,
    )

PERIODS = ("month", "week")


def _span(since: dt.date | None, until: dt.date | None) -> tuple[str, list[str]]:
    """A WHERE clause on ``p.day`` for an optional date range, with its parameters."""
    where, params = ["1"], []
    if since:
        where.append("p.day >= ?")
        params.append(since.isoformat())
    if until:
        where.append("p.day <= ?")
        params.append(until.isoformat())
    return " AND ".join(where), params


def practice_areas(
    conn: sqlite3.Connection, since: dt.date | None = None, until: dt.date | None = None
) -> list[AreaCount]:
    """Every practice area with its number of changes, most used first."""
    where, params = _span(since, until)
    rows = conn.execute(
        f"SELECT p.area, count(*) AS n FROM practice p WHERE {where} "
        "GROUP BY p.area ORDER BY n DESC, p.area",
        params,
    )
    return [{"area": area, "count": n} for area, n in rows]


def practice_sources(
    conn: sqlite3.Connection, since: dt.date | None = None, until: dt.date | None = None
) -> list[SourceCount]:
    """Every recorded source with its changes counted by status, most used first."""
    where, params = _span(since, until)
    found: dict[str, SourceCount] = {}
    for source, status, n in conn.execute(
        f"SELECT p.source, p.status, count(*) AS n FROM practice p "
        f"WHERE {where} AND p.source IS NOT NULL GROUP BY p.source, p.status",
        params,
    ):
        item = found.setdefault(
            source, {"source": source, "count": 0, "trying": 0, "adopted": 0, "dropped": 0}
        )
        item["count"] += n
        # The index holds only these three (an unknown status is read as "trying").
        if status == "adopted":
            item["adopted"] += n
        elif status == "dropped":
            item["dropped"] += n
        else:
            item["trying"] += n
    return sorted(found.values(), key=lambda s: (-s["count"], s["source"]))


def _period_start_sql(by: str) -> str:
    if by == "week":
        # The Monday of the row's week (SQLite here lacks %V for ISO weeks).
        return "date(p.day, '-' || ((CAST(strftime('%w', p.day) AS INTEGER) + 6) % 7) || ' days')"
    return "substr(p.day, 1, 7) || '-01'"


def practice_by_area_period(
    conn: sqlite3.Connection, since: dt.date, until: dt.date, by: str = "month"
) -> list[AreaPeriodCount]:
    """Changes per area per period (``by``: "month" or "week") from ``since`` to ``until``."""
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    rows = conn.execute(
        f"SELECT p.area, {_period_start_sql(by)} AS period, count(*) AS n FROM practice p "
        "WHERE p.day BETWEEN ? AND ? GROUP BY p.area, period",
        [since.isoformat(), until.isoformat()],
    )
    return [
        {"area": area, "period_start": dt.date.fromisoformat(period), "count": n}
        for area, period, n in rows
    ]


def practice_timeline(
    conn: sqlite3.Connection, since: dt.date, until: dt.date
) -> list[TimelineChange]:
    """Every practice change from ``since`` to ``until`` with its entry, oldest first."""
    rows = conn.execute(
        "SELECT p.day AS date, p.area, p.before, p.change, p.source, p.status, p.checks, "
        "e.id, e.title "
        "FROM practice p JOIN entries e ON e.rowid = p.entry "
        "WHERE p.day BETWEEN ? AND ? ORDER BY p.sort, p.position",
        [since.isoformat(), until.isoformat()],
    )
    return [
        {
            "date": r["date"],
            "area": r["area"],
            "before": r["before"],
            "change": r["change"],
            "source": r["source"],
            "status": r["status"],
            "id": r["id"],
            "title": r["title"],
            "checks": json.loads(r["checks"] or "[]"),
        }
        for r in rows
    ]


def status_counts(conn: sqlite3.Connection, since: dt.date, until: dt.date) -> dict[str, int]:
    """How many changes recorded from ``since`` to ``until``, or whose status a check-back
    set in that span (an August change adopted today), are in each status."""
    span = [since.isoformat(), until.isoformat()]
    rows = conn.execute(
        "SELECT status, count(*) AS n FROM practice "
        "WHERE day BETWEEN ? AND ? OR status_changed BETWEEN ? AND ? GROUP BY status",
        span + span,
    )
    return {str(status): int(n) for status, n in rows}


def entries_per_day(conn: sqlite3.Connection, since: dt.date, until: dt.date) -> dict[str, int]:
    """Entries written on each day (YYYY-MM-DD) from ``since`` to ``until``; blank days
    are missing."""
    rows = conn.execute(
        "SELECT day, count(*) AS n FROM entries WHERE day BETWEEN ? AND ? GROUP BY day",
        [since.isoformat(), until.isoformat()],
    )
    return {str(day): int(n) for day, n in rows}


def entry_days(conn: sqlite3.Connection, until: dt.date) -> list[dt.date]:
    """Every day with an entry, on or before ``until``, newest first."""
    rows = conn.execute(
        "SELECT DISTINCT day FROM entries WHERE day <= ? ORDER BY day DESC", [until.isoformat()]
    )
    return [dt.date.fromisoformat(day) for (day,) in rows]


def entries_on_day(conn: sqlite3.Connection, day: dt.date) -> list[EntryBrief]:
    """The entries written on ``day``, oldest first."""
    rows = conn.execute(
        "SELECT id, title, created FROM entries WHERE day = ? ORDER BY sort", [day.isoformat()]
    )
    return [{"id": i, "title": t, "created": c} for i, t, c in rows]
