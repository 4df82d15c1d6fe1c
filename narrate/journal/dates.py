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
# A time alone ("9am", "14:30", "at 9"): today at that time.
_BARE_TIME = re.compile(r"(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?")
# Parts of a day, as people say them; the hour each stands for.
_DAY_PARTS = {
    "midnight": 0,
    "morning": 9,
    "noon": 12,
    "midday": 12,
    "lunchtime": 12,
    "afternoon": 15,
    "evening": 19,
    "night": 21,
}
_PART = re.compile(r"(?:\s+at|\s+in\s+the)?\s+(" + "|".join(_DAY_PARTS) + r")$")
_IN = re.compile(r"in\s+(\d+|an?|one|two|three|four|five|six|seven)\s+(day|week|month|year)s?")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
# "3rd of december", "27 nov 2026"; "dec 3", "november 27, 2026".
_DAY_MONTH = re.compile(_ORDINAL + r"(?:\s+of)?\s+" + _MONTH + _YEAR)
_MONTH_DAY = re.compile(_MONTH + r"\s+" + _ORDINAL + _YEAR)
# 11/03, 11/03/2026, 03.11.2026, 2026/11/27.
_NUMERIC = re.compile(r"(\d{1,2})([/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?\.?")
_YMD = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
ORDERS = ("dmy", "mdy")

# The moments narrate can place: a day inside datetime's range once in UTC, so that
# showing one in any zone (offsets are under a day) or stepping a day from it cannot
# overflow. A file dated outside is a reported bad file, not a crash on every read.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)

EXAMPLES = (
    '2026-11-27, "2026-11-27 14:30", today, yesterday, monday, last friday, "3 days ago", '
    '"dec 3", "this morning"'
)


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


def parse_when(text: str, now: dt.datetime | None = None, order: str = "dmy") -> dt.datetime:
    """A local, timezone-aware moment for ``text``; raises NarrateError if not understood.

    A phrase naming only a day keeps the current time of day for "today" and takes
    noon for any other day, so an entry lands inside the day it names. A day and month
    without a year that would still be to come means last year's (entries look back).
    ``order`` says how 11/03 reads: "dmy" (11 March) or "mdy" (3 November). What the
    fast, deterministic rules here do not read goes to parsedatetime, as in jrnl.
    """
    now = (now or _now()).replace(microsecond=0)
    try:
        return _parse_when(text, now, order)
    except (OverflowError, ValueError, OSError):
        # "99999 years ago", "0001-01-01" in a zone west of UTC: beyond what datetime holds.
        raise NarrateError(f"the date {text.strip()!r} is out of range") from None


def _parse_when(text: str, now: dt.datetime, order: str = "dmy") -> dt.datetime:
    original = text
    text = " ".join(text.strip().lower().split())
    if not text:
        raise NarrateError("empty date; try one of: " + EXAMPLES)
    iso = _parse_iso(text, now)
    if iso is not None:
        return iso
    found = _parse_phrase(text, now, order)
    if found is None:
        found = _fallback(text, now, order)
    if found is None:
        raise NarrateError(f"cannot understand the date {original!r}; try one of: {EXAMPLES}")
    return found


def _parse_phrase(text: str, now: dt.datetime, order: str) -> dt.datetime | None:
    """The fast path: the phrases and shapes narrate reads itself, or None."""
    original = text
    # "3-days-ago", "last_monday": phrases written without spaces, as in since:3-days-ago.
    text = " ".join(re.sub(r"[-_]", " ", text).split())
    today = now.date()
    if text == "tonight":
        return dt.datetime.combine(today, dt.time(21)).astimezone()
    if text in _DAY_PARTS or (text.startswith("this ") and text[5:] in _DAY_PARTS):
        part = _DAY_PARTS[text.removeprefix("this ")]
        return dt.datetime.combine(today, dt.time(part)).astimezone()
    if text == "last night":
        return dt.datetime.combine(today - dt.timedelta(days=1), dt.time(21)).astimezone()
    bare = _BARE_TIME.fullmatch(text)
    if bare and (bare.group(2) or bare.group(3)):
        return dt.datetime.combine(today, _clock(bare, original)).astimezone()
    hour: int | None = None
    minute = 0
    part_match = _PART.search(text)
    time_match = _TIME.search(text)
    if part_match and part_match.start() > 0:
        hour = _DAY_PARTS[part_match.group(1)]
        text = text[: part_match.start()].strip()
    elif time_match and time_match.start() > 0 and not _is_date_end(text, time_match):
        hour, minute = int(time_match.group(1)), int(time_match.group(2) or 0)
        if time_match.group(3) == "pm" and hour < 12:
            hour += 12
        elif time_match.group(3) == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            raise NarrateError(f"cannot understand the time in {original!r}")
        text = text[: time_match.start()].strip()
    day = _parse_day(text, now) or _calendar_day(text, now, order)
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        return day
    if hour is None:
        if day == now.date():
            return now
        hour = 12
    return dt.datetime.combine(day, dt.time(hour, minute)).astimezone()


def _clock(match: re.Match[str], original: str) -> dt.time:
    """The time of day a _BARE_TIME match names."""
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3) == "pm" and hour < 12:
        hour += 12
    elif match.group(3) == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise NarrateError(f"cannot understand the time in {original!r}")
    return dt.time(hour, minute)


def _is_date_end(text: str, time_match: re.Match[str]) -> bool:
    """Whether the number _TIME found ends a date instead ("dec 3", "nov 27, 2026")."""
    if time_match.group(2) or time_match.group(3) or " at " in time_match.group(0):
        return False
    head = text[: time_match.start()].strip().rstrip(",")
    return head.split(" ")[-1].rstrip(".") in _MONTHS or bool(_calendar_day(text, None, "dmy"))


def _calendar_day(text: str, now: dt.datetime | None, order: str) -> dt.date | None:
    """A day written as a calendar date: "dec 3", "3rd of december", "27 nov 2026",
    "11/03" (read by ``order``), "03.11.2026" (dots are day first), "2026/11/27".
    Without a year, the most recent such day (this year's, else last year's)."""
    day = month = year = None
    if match := _YMD.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DAY_MONTH.fullmatch(text):
        day, month = int(match.group(1)), _MONTHS[match.group(2)]
        year = int(match.group(3)) if match.group(3) else None
    elif match := _MONTH_DAY.fullmatch(text):
        month, day = _MONTHS[match.group(1)], int(match.group(2))
        year = int(match.group(3)) if match.group(3) else None
    elif match := _NUMERIC.fullmatch(text):
        first, sep, second, written_year = match.groups()
        day, month = int(first), int(second)
        if sep == "/" and order == "mdy":
            day, month = month, day
        if written_year:
            year = int(written_year) + (2000 if len(written_year) == 2 else 0)
    else:
        return None
    if now is None:
        return dt.date(2000, 1, 1)  # only asked whether this is a date
    today = now.date()
    try:
        found = dt.date(year or today.year, month, day)
        if year is None and found > today:
            found = dt.date(today.year - 1, month, day)
    except ValueError:
        raise NarrateError(f"there is no day {text!r}") from None
    return found


def _fallback(text: str, now: dt.datetime, order: str) -> dt.datetime | None:
    """What the fast path does not read: every shape the front-matter reader accepts,
    then parsedatetime (imported only here, as jrnl does), preferring the past."""
    from narrate.journal.entry import parse_timestamp

    stamp = parse_timestamp(text)
    if stamp is not None:
        if re.fullmatch(r"[^:]*", text):  # a day without a time: noon, as above
            stamp = stamp.replace(hour=12) if stamp.date() != now.date() else now
        return stamp if stamp.tzinfo else stamp.astimezone()
    import parsedatetime  # type: ignore[import-untyped]

    constants = parsedatetime.Constants(usePyICU=False)
    constants.DOWParseStyle = -1  # "friday": the last one, not the next
    constants.dp_order = list(order)  # "11/03": day first unless the config says mdy
    calendar = parsedatetime.Calendar(constants, version=parsedatetime.VERSION_CONTEXT_STYLE)
    naive = now.replace(tzinfo=None)
    found: dt.datetime
    found, context = calendar.parseDT(text, sourceTime=naive)
    if not context.hasDateOrTime:
        return None
    if context.hasDate and not context.hasTime:  # a day without a time
        found = naive if found.date() == naive.date() else found.replace(hour=12, minute=0)
    # jrnl's guard: a day weeks ahead with no year written meant last year's.
    meant_ahead = re.search(r"\b(\d{4}|next|in|from now|later|tomorrow)\b", text)
    if found - naive > dt.timedelta(days=28) and not meant_ahead:
        found = found.replace(year=found.year - 1)
    return found.replace(second=0, microsecond=0).astimezone()


def _parse_iso(text: str, now: dt.datetime) -> dt.datetime | None:
    candidate = text.upper().replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2}", text) else ""
    if not candidate:
        return None
    candidate = candidate.replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(candidate)
    except ValueError:
        # "2026-11-03 9:00": a shape the front-matter reader accepts, so --date does too.
        from narrate.journal.entry import parse_timestamp

        stamp = parse_timestamp(text)
        if stamp is None:
            raise NarrateError(
                f"cannot understand the date {text!r}; use YYYY-MM-DD[ HH:MM]"
            ) from None
        return stamp if stamp.tzinfo else stamp.astimezone()
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
    ahead = _IN.fullmatch(text)
    if ahead:
        count = int(ahead.group(1)) if ahead.group(1).isdigit() else _WORDS[ahead.group(1)]
        if ahead.group(2) == "month":
            return _months_back(today, -count)
        if ahead.group(2) == "year":
            return _months_back(today, -12 * count)
        return today + dt.timedelta(days=count * _UNITS[ahead.group(2)])
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
    if len(words) == 2 and words[0] == "next" and words[1] in _WEEKDAYS:
        # "next tuesday": the coming one, a week on if today is Tuesday.
        ahead_days = (_WEEKDAYS.index(words[1]) - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=ahead_days)
    if text == "day before yesterday":
        return today - dt.timedelta(days=2)
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


def parse_day(text: str, now: dt.datetime | None = None, order: str = "dmy") -> dt.date:
    """A calendar day for filters such as --since and since:."""
    moment = parse_when(text, now, order)
    return moment.date()


# ---- review periods: one label per month or ISO week (the practice and community reviews)


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
