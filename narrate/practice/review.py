"""The review: how did my practice change over a period? Aggregated in SQL, so it stays
fast at 100,000 entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from narrate.journal.dates import _months_back, period_label, periods_between
from narrate.practice.checkback import due_changes

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.types import EntryBrief, SourceCount, TimelineChange

DEFAULT_DAYS = 90


class AreaSummary(TypedDict):
    """An area's changes in the review: the total and the count in every period."""

    area: str
    count: int
    periods: dict[str, int]


class Cadence(TypedDict):
    """How often the journal was written in: days, streaks and the heat map."""

    days: int
    days_with_entries: int
    entries: int
    entries_per_week: float
    current_streak: int
    longest_streak: int
    heatmap: dict[str, int]
    """Entries per day (YYYY-MM-DD); blank days are missing."""


def _no_cadence() -> Cadence:
    return {
        "days": 0,
        "days_with_entries": 0,
        "entries": 0,
        "entries_per_week": 0.0,
        "current_streak": 0,
        "longest_streak": 0,
        "heatmap": {},
    }


def period_title(label: str, by: str, year: bool = False) -> str:
    """A period as people read it: "23 Nov" (the Monday of 2026-W48; "23 Nov 2026" with
    ``year``), "Nov 2026"."""
    if by == "week":
        iso_year, week = label.split("-W")
        monday = dt.date.fromisocalendar(int(iso_year), int(week), 1)
        return f"{monday.day} {monday:%b}" + (f" {monday.year}" if year else "")
    first, month = label.split("-")
    return f"{dt.date(int(first), int(month), 1):%b %Y}"


@dataclass
class Review:
    """Everything the review shows; ``to_json`` is the SPEC §4 object."""

    since: dt.date
    until: dt.date
    by: str
    periods: list[str]
    areas: list[AreaSummary] = field(default_factory=list)
    changes: list[TimelineChange] = field(default_factory=list)
    sources: list[SourceCount] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)
    due: list[dict[str, Any]] = field(default_factory=list)
    cadence: Cadence = field(default_factory=_no_cadence)
    on_this_day: dict[str, list[EntryBrief]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Stable keys: since, until, by, areas, changes (each with its check-back trail,
        ``checks``), sources, cadence, and more."""
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "by": self.by,
            "periods": self.periods,
            "period_titles": [period_title(p, self.by) for p in self.periods],
            "areas": self.areas,
            "changes": self.changes,
            "sources": self.sources,
            "status": self.status,
            "due": self.due,
            "cadence": self.cadence,
            "on_this_day": self.on_this_day,
        }


# The review steps a week past both ends of its period (whole weeks, the day after):
# a period is kept that far inside the calendar.
_FIRST, _LAST = dt.date(1, 1, 8), dt.date(9999, 12, 23)


def _inside(day: dt.date) -> dt.date:
    return min(max(day, _FIRST), _LAST)


def build_review(
    journal: Journal,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: str = "month",
    weeks: tuple[int, ...] = (2, 6, 12),
    today: dt.date | None = None,
) -> Review:
    """The review of ``since``..``until`` (default: the last 90 days), by week or month."""
    today = today or dt.date.today()
    until = _inside(until or today)
    since = _inside(since or dt.date.fromordinal(max(1, until.toordinal() - DEFAULT_DAYS + 1)))
    if since > until:
        since, until = until, since
    review = Review(since, until, by, periods_between(since, until, by))

    per_area: dict[str, dict[str, int]] = {}
    for row in journal.practice_by_area_period(since, until, by):
        per_area.setdefault(row["area"], {})[period_label(row["period_start"], by)] = row["count"]
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
    review.changes = journal.practice_timeline(since, until)
    review.sources = journal.practice_sources(since, until)
    review.status = {"trying": 0, "adopted": 0, "dropped": 0}
    review.status.update(journal.status_counts(since, until))
    review.due = [
        {
            "id": row["id"],
            "title": row["title"],
            "area": row["area"],
            "change": row["change"],
            "status": row["status"],
            "day": row["day"],
            "due": row.get("due"),
            "position": row["position"],
        }
        for row in due_changes(journal, weeks, today)
    ]
    review.cadence = _cadence(journal, since, until, today)
    review.on_this_day = {
        "month_ago": journal.entries_on_day(_months_back(today, 1)),
        "year_ago": journal.entries_on_day(_months_back(today, 12)),
    }
    return review


def _cadence(journal: Journal, since: dt.date, until: dt.date, today: dt.date) -> Cadence:
    counts = journal.entries_per_day(since, until)
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
    for day in journal.entry_days(today):
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
