"""Check-backs: "still doing it?" questions that fall due weeks after a change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from narrate.errors import NarrateError
from narrate.journal.checkbacks import ANSWERS, HEADING, format_line, trail

if TYPE_CHECKING:
    from narrate.config import Config
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry
    from narrate.journal.types import PracticeItem

DEFAULT_WEEKS = (2, 6, 12)
OUTCOME = "Outcome"
__all__ = ["ANSWERS", "HEADING", "format_line", "trail"]


def check_back_weeks(config: Config | None = None) -> tuple[int, ...]:
    """The weeks after recording at which a change is checked back (config: check_back_weeks)."""
    if config is None:
        return DEFAULT_WEEKS
    weeks = config.get("check_back_weeks")
    return tuple(sorted(weeks)) if weeks else DEFAULT_WEEKS


def _day(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _after(recorded: dt.date, weeks: tuple[int, ...]) -> list[dt.date]:
    """The check-back dates ``weeks`` after ``recorded``; one past 9999 never comes."""
    last = dt.date.max.toordinal()
    return [
        dt.date.fromordinal(day) for w in weeks if (day := recorded.toordinal() + 7 * w) <= last
    ]


def _pending(
    recorded: dt.date,
    status: str,
    last_checked: dt.date | None,
    review_after: dt.date | None,
    weeks: tuple[int, ...],
) -> list[dt.date]:
    """The check-back dates not yet answered, oldest first (none once a change is no
    longer being tried). A check-back is answered by any answer given on or after its
    date, so answering late settles the earlier ones too."""
    if status != "trying":
        return []
    dates = _after(recorded, weeks)
    if review_after:
        dates.append(review_after)
    return sorted(d for d in dates if last_checked is None or d > last_checked)


def due_date(
    recorded: dt.date,
    status: str,
    last_checked: dt.date | None,
    review_after: dt.date | None,
    weeks: tuple[int, ...],
    today: dt.date,
) -> dt.date | None:
    """The oldest unanswered check-back on or before ``today``, or None.

    Only changes still being tried are checked back. A check-back is answered by any
    answer given on or after its date, so answering late settles the earlier ones too.
    """
    pending = _pending(recorded, status, last_checked, review_after, weeks)
    return pending[0] if pending and pending[0] <= today else None


def next_check(
    recorded: dt.date,
    status: str,
    last_checked: dt.date | None,
    review_after: dt.date | None,
    weeks: tuple[int, ...],
) -> dt.date | None:
    """The next check-back date not yet answered (due or not), or None."""
    pending = _pending(recorded, status, last_checked, review_after, weeks)
    return pending[0] if pending else None


def with_due(
    rows: list[PracticeItem], weeks: tuple[int, ...], today: dt.date
) -> list[PracticeItem]:
    """Practice rows with ``due`` (the date a check-back fell due, or None) and ``next_check``."""
    for row in rows:
        # One list of unanswered dates gives both (11,000 changes at 100k entries).
        pending = _pending(
            _day(row.get("day")) or today,
            row["status"],
            _day(row.get("last_checked")),
            _day(row.get("review_after")),
            weeks,
        )
        first = pending[0].isoformat() if pending else None
        row["due"] = first if pending and pending[0] <= today else None
        row["next_check"] = first
    return rows


def due_changes(
    journal: Journal, weeks: tuple[int, ...], today: dt.date | None = None
) -> list[PracticeItem]:
    """Changes still being tried whose check-back is due, the longest overdue first."""
    today = today or dt.date.today()
    rows = with_due(journal.practice(status="trying"), weeks, today)
    return sorted((r for r in rows if r.get("due")), key=lambda r: (r.get("due") or "", r["id"]))


@dataclass
class CheckResult:
    """What answering a check-back changed."""

    entry: Entry
    area: str
    change: str
    status: str
    line: str


def answer(
    journal: Journal,
    ref: str,
    *,
    answer: str | None = None,
    status: str | None = None,
    note: str | None = None,
    area: str | None = None,
    change: str | None = None,
    today: dt.date | None = None,
    outcome: str | None = None,
) -> CheckResult:
    """Record a check-back on an entry's practice change: a dated line under
    "## Check-backs", the date in the change's ``checked`` list, and maybe a new status.
    ``area`` and ``change`` (a 1-based position, or words of its text) pick the change.
    ``outcome`` (what improved, or did not) joins the change's ``outcomes`` list and is
    written under the line."""
    from narrate.journal.entry import STATUSES

    today = today or dt.date.today()
    if status is not None and status not in STATUSES:
        raise NarrateError(f"status must be one of {', '.join(STATUSES)}, not '{status}'")
    if answer is not None and answer not in ANSWERS:
        raise NarrateError(f"answer must be one of {', '.join(ANSWERS)}, not '{answer}'")
    entry = journal.get(ref)
    if not entry.practice:
        raise NarrateError(
            f"entry {entry.id} ({entry.title}) records no practice change; add one with "
            "'narrate add --practice AREA:CHANGE'"
        )
    position = pick_change(entry, area=area, change=change)
    if status is None and answer == "no":
        status = "dropped"
    # Rewrite only the chosen item; every other item (even one narrate cannot read)
    # stays as the front matter had it.
    changes = entry.practice_data()
    index = entry.practice_index(position)
    data = dict(changes[index])
    checked = data.get("checked") or []
    data["checked"] = [*(checked if isinstance(checked, list) else [checked]), today.isoformat()]
    if status:
        data["status"] = status
    outcome = " ".join(outcome.split()) if outcome else None
    if outcome:
        recorded = data.get("outcomes")
        earlier = recorded if isinstance(recorded, list) else []
        data["outcomes"] = [*earlier, {"date": today.isoformat(), "text": outcome}]
    changes[index] = data
    chosen = entry.practice[position]
    line = format_line(
        today.isoformat(), chosen.area, chosen.change, answer, chosen.status, status, note
    )
    if outcome:
        # A sub-item: the check-back trail reads only the dated lines, so it stays one.
        line += f"\n  - {OUTCOME}: {outcome}"
    updated = entry.touched(practice=changes, body=add_to_section(entry.body, line))
    journal.save(updated, f"Check back on practice: {chosen.area}: {chosen.change}")
    return CheckResult(updated, chosen.area, chosen.change, status or chosen.status, line)


def pick_change(entry: Entry, area: str | None = None, change: str | None = None) -> int:
    """The position of the practice change ``area`` and ``change`` name (``change``: a
    1-based position, or words of its text); several left is an error that lists them."""
    if not entry.practice:
        raise NarrateError(
            f"entry {entry.id} ({entry.title}) records no practice change; add one with "
            "'narrate add --practice AREA:CHANGE'"
        )
    numbered = list(enumerate(entry.practice))
    if change is not None and change.strip().isdigit():
        number = int(change)
        if not 1 <= number <= len(numbered):
            raise NarrateError(
                f"entry {entry.id} has {len(numbered)} practice change(s); --change {number} "
                f"is none of them:\n{_listing(entry)}"
            )
        return number - 1
    candidates = [(i, p) for i, p in numbered if area is None or p.area == area]
    if not candidates:
        areas = ", ".join(p.area for p in entry.practice)
        raise NarrateError(
            f"entry {entry.id} has no practice change in area '{area}' (it has: {areas})"
        )
    if change is not None:
        words = " ".join(change.lower().split())
        candidates = [(i, p) for i, p in candidates if words in " ".join(p.change.lower().split())]
        if not candidates:
            raise NarrateError(
                f"no practice change of entry {entry.id} matches '{change}':\n{_listing(entry)}"
            )
    if len(candidates) > 1 and change is None:
        trying = [(i, p) for i, p in candidates if p.status == "trying"]
        candidates = trying or candidates
    if len(candidates) > 1:
        raise NarrateError(
            f"entry {entry.id} has {len(candidates)} practice changes that fit; pick one "
            f"with --change N (or words of its text, or --area):\n{_listing(entry)}"
        )
    return candidates[0][0]


def _listing(entry: Entry) -> str:
    return "\n".join(
        f"  {n}. {p.area}: {p.change} ({p.status})" for n, p in enumerate(entry.practice, 1)
    )


def add_to_section(body: str, line: str) -> str:
    """The body with ``line`` at the end of its "## Check-backs" section (made if missing)."""
    lines = body.rstrip("\n").split("\n") if body.strip() else []
    if HEADING not in lines:
        return "\n".join([*lines, "", HEADING, "", line]).lstrip("\n") + "\n"
    start = lines.index(HEADING) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    while end > start and not lines[end - 1].strip():
        end -= 1
    if end == start:
        lines.insert(end, "")
        end += 1
    lines.insert(end, line)
    return "\n".join(lines) + "\n"
