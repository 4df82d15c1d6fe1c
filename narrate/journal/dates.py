"""Dates people type: ISO dates and times, and phrases like "yesterday" or "3 days ago"."""

from __future__ import annotations

import datetime as dt
import re

from narrate.errors import NarrateError

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_UNITS = {"minute": 0, "hour": 0, "day": 1, "week": 7, "month": 30, "year": 365}
_AGO = re.compile(
    r"(\d+|an?|one|two|three|four|five|six|seven)\s+(minute|hour|day|week|month|year)s?\s+ago"
)
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
}
_TIME = re.compile(r"(?:\s+at)?\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")

# The moments narrate can place: a day inside datetime's range once in UTC, so that
# showing one in any zone (offsets are under a day) or stepping a day from it cannot
# overflow. A file dated outside is a reported bad file, not a crash on every read.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)

EXAMPLES = '2026-11-27, "2026-11-27 14:30", today, yesterday, monday, last friday, "3 days ago"'


def in_range(moment: dt.datetime) -> bool:
    """Whether narrate can place ``moment`` (naive times read as UTC); see EARLIEST."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    # Comparing aware times subtracts their offsets without building a datetime, so this
    # cannot overflow where astimezone() would.
    return EARLIEST <= aware <= LATEST


def out_of_range(moment: dt.datetime) -> str:
    """The reason given for a moment outside ``in_range``."""
    return (
        f"date out of range: {moment.isoformat()} (narrate keeps dates from "
        f"{EARLIEST.date().isoformat()} to {LATEST.date().isoformat()} UTC)"
    )


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def parse_when(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """A local, timezone-aware moment for ``text``; raises NarrateError if not understood.

    A phrase naming only a day keeps the current time of day for "today" and takes
    noon for any other day, so an entry lands inside the day it names.
    """
    now = (now or _now()).replace(microsecond=0)
    try:
        return _parse_when(text, now)
    except (OverflowError, ValueError, OSError):
        # "99999 years ago", "0001-01-01" in a zone west of UTC: beyond what datetime holds.
        raise NarrateError(f"the date {text.strip()!r} is out of range") from None


def _parse_when(text: str, now: dt.datetime) -> dt.datetime:
    original = text
    text = " ".join(text.strip().lower().split())
    if not text:
        raise NarrateError("empty date; try one of: " + EXAMPLES)
    iso = _parse_iso(text, now)
    if iso is not None:
        return iso
    # "3-days-ago", "last_monday": phrases written without spaces, as in since:3-days-ago.
    text = " ".join(re.sub(r"[-_]", " ", text).split())
    hour: int | None = None
    minute = 0
    time_match = _TIME.search(text)
    if time_match and time_match.start() > 0:
        hour, minute = int(time_match.group(1)), int(time_match.group(2) or 0)
        if time_match.group(3) == "pm" and hour < 12:
            hour += 12
        elif time_match.group(3) == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            raise NarrateError(f"cannot understand the time in {original!r}")
        text = text[: time_match.start()].strip()
    day = _parse_day(text, now)
    if day is None:
        raise NarrateError(f"cannot understand the date {original!r}; try one of: {EXAMPLES}")
    if isinstance(day, dt.datetime):
        return day
    if hour is None:
        if day == now.date():
            return now
        hour = 12
    return dt.datetime.combine(day, dt.time(hour, minute)).astimezone()


def _parse_iso(text: str, now: dt.datetime) -> dt.datetime | None:
    candidate = text.upper().replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2}", text) else ""
    if not candidate:
        return None
    candidate = candidate.replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(candidate)
    except ValueError:
        raise NarrateError(f"cannot understand the date {text!r}; use YYYY-MM-DD[ HH:MM]") from None
    if len(candidate) == 10:  # a bare date
        if moment.date() == now.date():
            return now
        moment = moment.replace(hour=12)
    return moment if moment.tzinfo else moment.astimezone()


def _parse_day(text: str, now: dt.datetime) -> dt.date | dt.datetime | None:
    today = now.date()
    if text in ("today", "now"):
        return now if text == "now" else today
    if text == "yesterday":
        return today - dt.timedelta(days=1)
    if text == "tomorrow":
        return today + dt.timedelta(days=1)
    if text in ("last week", "a week ago"):
        return today - dt.timedelta(days=7)
    match = _AGO.fullmatch(text)
    if match:
        count = int(match.group(1)) if match.group(1).isdigit() else _WORDS[match.group(1)]
        unit = match.group(2)
        if unit == "minute":
            return now - dt.timedelta(minutes=count)
        if unit == "hour":
            return now - dt.timedelta(hours=count)
        if unit == "month":
            return _months_back(today, count)
        if unit == "year":
            return _months_back(today, 12 * count)
        return today - dt.timedelta(days=count * _UNITS[unit])
    words = text.split()
    if len(words) in (1, 2) and words[-1] in _WEEKDAYS and (len(words) == 1 or words[0] == "last"):
        # "monday" and "last monday" both mean the most recent Monday before today.
        back = (today.weekday() - _WEEKDAYS.index(words[-1])) % 7 or 7
        return today - dt.timedelta(days=back)
    return None


def _months_back(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError("date value out of range")
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def parse_day(text: str, now: dt.datetime | None = None) -> dt.date:
    """A calendar day for filters such as --since and since:."""
    moment = parse_when(text, now)
    return moment.date()
