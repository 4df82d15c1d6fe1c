"""Counts and dates as people say them, for every face (imports nothing heavy)."""

from __future__ import annotations

import datetime as dt


def plural(count: int, word: str) -> str:
    """ "1 entry", "2 entries", "1 photo", "3 photos"."""
    if count == 1:
        return f"1 {word.removesuffix('s') if word.endswith('s') else word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):  # "keys", "days"
        return f"{count} {word[:-1]}ies"
    return f"{count} {word if word.endswith('s') else word + 's'}"


def humane_date(value: str | dt.date, today: dt.date | None = None, with_time: bool = True) -> str:
    """ "Today 09:14", "Yesterday", "Mon 24 Nov", "Mon 24 Nov 2025" for an ISO timestamp
    or a day (a day has no time to show); text that is no timestamp comes back as it is."""
    moment: dt.date
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    if isinstance(moment, dt.datetime):
        day = moment.date()
        time = f" {moment:%H:%M}" if with_time else ""
    else:
        day, time = moment, ""
    today = today or dt.date.today()
    if day == today:
        return f"Today{time}"
    if day == today - dt.timedelta(days=1):
        return f"Yesterday{time}"
    label = f"{day:%a} {day.day} {day:%b}"
    if 0 < (today - day).days < 7:
        return label + time
    return label if day.year == today.year else f"{label} {day.year}"


def short_day(day: dt.date, today: dt.date | None = None) -> str:
    """A day in at most 10 cells, for a column: "Today", "Mon 24 Nov", "2024-11-24"."""
    today = today or dt.date.today()
    if day.year != today.year:
        return day.isoformat()
    return humane_date(day, today)


def long_day(day: dt.date) -> str:
    """A day written out: "Thursday 27 November 2026"."""
    return f"{day:%A} {day.day} {day:%B} {day.year}"
