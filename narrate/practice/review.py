"""The review: how did my practice change over a period? Aggregated in SQL, so it stays
fast at 100,000 entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from narrate.journal.dates import _months_back
from narrate.practice.checkback import due_changes

DEFAULT_DAYS = 90


def period_label(day: dt.date, by: str) -> str:
    """'2026-11' for a month, '2026-W48' for an ISO week."""
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def periods_between(since: dt.date, until: dt.date, by: str) -> list[str]:
    """Every period label from ``since`` to ``until``, in order, none skipped."""
    labels: list[str] = []
    if by == "week":
        monday = since - dt.timedelta(days=since.weekday())
        while monday <= until:
            labels.append(period_label(monday, by))
            monday += dt.timedelta(weeks=1)
        return labels
    year, month = since.year, since.month
    while (year, month) <= (until.year, until.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


@dataclass
class Review:
    """Everything the review shows; ``to_json`` is the SPEC §4 object."""

    since: dt.date
    until: dt.date
    by: str
    periods: list[str]
    areas: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)
    due: list[dict[str, Any]] = field(default_factory=list)
    cadence: dict[str, Any] = field(default_factory=dict)
    on_this_day: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Stable keys: since, until, by, areas, changes, sources, cadence, and more."""
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "by": self.by,
            "periods": self.periods,
            "areas": self.areas,
            "changes": self.changes,
            "sources": self.sources,
            "status": self.status,
            "due": self.due,
            "cadence": self.cadence,
            "on_this_day": self.on_this_day,
        }


def _period_sql(by: str) -> str:
    if by == "week":
        # The Monday of the row's week; labelled in Python (SQLite here lacks %V).
        return "date(p.day, '-' || ((CAST(strftime('%w', p.day) AS INTEGER) + 6) % 7) || ' days')"
    return "substr(p.day, 1, 7)"


def build_review(
    journal: Any,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: str = "month",
    weeks: tuple[int, ...] = (2, 6, 12),
    today: dt.date | None = None,
) -> Review:
    """The review of ``since``..``until`` (default: the last 90 days), by week or month."""
    today = today or dt.date.today()
    until = until or today
    since = since or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        since, until = until, since
    review = Review(since, until, by, periods_between(since, until, by))
    span = [since.isoformat(), until.isoformat()]

    per_area: dict[str, dict[str, int]] = {}
    for row in journal.read(
        f"SELECT p.area, {_period_sql(by)} AS period, count(*) AS n FROM practice p "
        "WHERE p.day BETWEEN ? AND ? GROUP BY p.area, period",
        span,
    ):
        label = row["period"]
        if by == "week":
            label = period_label(dt.date.fromisoformat(label), by)
        per_area.setdefault(row["area"], {})[label] = row["n"]
    review.areas = sorted(
        (
            {
                "area": area,
                "count": sum(counts.values()),
                "periods": {p: counts.get(p, 0) for p in review.periods},
            }
            for area, counts in per_area.items()
        ),
        key=lambda a: (-a["count"], a["area"]),
    )

    review.changes = [
        dict(row)
        for row in journal.read(
            "SELECT p.day AS date, p.area, p.before, p.change, p.source, p.status, e.id, e.title "
            "FROM practice p JOIN entries e ON e.rowid = p.entry "
            "WHERE p.day BETWEEN ? AND ? ORDER BY p.sort, p.position",
            span,
        )
    ]
    sources: dict[str, dict[str, Any]] = {}
    for row in journal.read(
        "SELECT p.source, p.status, count(*) AS n FROM practice p "
        "WHERE p.day BETWEEN ? AND ? AND p.source IS NOT NULL GROUP BY p.source, p.status",
        span,
    ):
        item = sources.setdefault(
            row["source"],
            {"source": row["source"], "count": 0, "trying": 0, "adopted": 0, "dropped": 0},
        )
        item["count"] += row["n"]
        item[row["status"]] = item.get(row["status"], 0) + row["n"]
    review.sources = sorted(sources.values(), key=lambda s: (-s["count"], s["source"]))
    review.status = {"trying": 0, "adopted": 0, "dropped": 0}
    for row in journal.read(
        "SELECT status, count(*) AS n FROM practice WHERE day BETWEEN ? AND ? GROUP BY status", span
    ):
        review.status[row["status"]] = row["n"]
    review.due = [
        {k: row[k] for k in ("id", "title", "area", "change", "status", "day", "due")}
        for row in due_changes(journal, weeks, today)
    ]
    review.cadence = _cadence(journal, since, until, today)
    review.on_this_day = {
        "month_ago": _entries_on(journal, _months_back(today, 1)),
        "year_ago": _entries_on(journal, _months_back(today, 12)),
    }
    return review


def _cadence(journal: Any, since: dt.date, until: dt.date, today: dt.date) -> dict[str, Any]:
    counts = {
        row["day"]: row["n"]
        for row in journal.read(
            "SELECT day, count(*) AS n FROM entries WHERE day BETWEEN ? AND ? GROUP BY day",
            [since.isoformat(), until.isoformat()],
        )
    }
    days = (until - since).days + 1
    longest = run = 0
    day = since
    while day <= until:
        run = run + 1 if day.isoformat() in counts else 0
        longest = max(longest, run)
        day += dt.timedelta(days=1)
    # The current streak runs back from today (or yesterday, if today is still blank).
    current = 0
    expected = today
    for row in journal.read(
        "SELECT DISTINCT day FROM entries WHERE day <= ? ORDER BY day DESC", [today.isoformat()]
    ):
        day = dt.date.fromisoformat(row["day"])
        if day == expected or (current == 0 and day == today - dt.timedelta(days=1)):
            current += 1
            expected = day - dt.timedelta(days=1)
        else:
            break
    total = sum(counts.values())
    return {
        "days": days,
        "days_with_entries": len(counts),
        "entries": total,
        "entries_per_week": round(total / days * 7, 2) if days else 0.0,
        "current_streak": current,
        "longest_streak": longest,
        "heatmap": dict(sorted(counts.items())),
    }


def _entries_on(journal: Any, day: dt.date) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in journal.read(
            "SELECT id, title, created FROM entries WHERE day = ? ORDER BY sort", [day.isoformat()]
        )
    ]
