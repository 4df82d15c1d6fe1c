"""Turning journal text into what is safe and pleasant to show: no escapes, humane dates."""

from __future__ import annotations

import datetime as dt

from narrate.sanitize import clean


def one_line(text: str) -> str:
    """Untrusted text cleaned by the one sanitiser and squeezed onto one line, for titles,
    tags and names in a list."""
    return clean(text, single_line=True)


def parse_day(value: str) -> dt.date | None:
    """The date at the start of an ISO timestamp or day string, if it has one."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def humane_day(day: dt.date, today: dt.date | None = None) -> str:
    """A day heading: "Today", "Yesterday", "Mon 24 Nov", "Sun 24 Nov 2024"."""
    today = today or dt.date.today()
    if day == today:
        return "Today"
    if day == today - dt.timedelta(days=1):
        return "Yesterday"
    label = f"{day:%a} {day.day} {day:%b}"
    return label if day.year == today.year else f"{label} {day.year}"


def short_day(day: dt.date, today: dt.date | None = None) -> str:
    """A day in at most 10 cells, for a column: "Today", "Mon 24 Nov", "2024-11-24"."""
    today = today or dt.date.today()
    if day.year != today.year:
        return day.isoformat()
    return humane_day(day, today)


def long_day(day: dt.date) -> str:
    """A day written out: "Thursday 27 November 2026"."""
    return f"{day:%A} {day.day} {day:%B} {day.year}"
