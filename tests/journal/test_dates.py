"""Dates people type for --date, --since and since:."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrate.errors import NarrateError
from narrate.journal.dates import parse_day, parse_when
from tests.helpers import PROPERTY

# A Thursday afternoon, in a zone an hour east of UTC.
TZ = dt.timezone(dt.timedelta(hours=1))
NOW = dt.datetime(2026, 11, 26, 15, 42, 10, tzinfo=TZ)


def day(text: str) -> dt.date:
    return parse_when(text, NOW).date()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", dt.date(2026, 11, 20)),
        ("2026-11-20 14:30", dt.date(2026, 11, 20)),
        ("2026-11-20T14:30:00+01:00", dt.date(2026, 11, 20)),
        ("today", dt.date(2026, 11, 26)),
        ("now", dt.date(2026, 11, 26)),
        ("yesterday", dt.date(2026, 11, 25)),
        ("tomorrow", dt.date(2026, 11, 27)),
        ("monday", dt.date(2026, 11, 23)),
        ("last monday", dt.date(2026, 11, 23)),
        ("Last  MONDAY", dt.date(2026, 11, 23)),
        ("thursday", dt.date(2026, 11, 19)),  # today is Thursday: the one before
        ("friday", dt.date(2026, 11, 20)),
        ("3 days ago", dt.date(2026, 11, 23)),
        ("a day ago", dt.date(2026, 11, 25)),
        ("two weeks ago", dt.date(2026, 11, 12)),
        ("last week", dt.date(2026, 11, 19)),
        ("1 month ago", dt.date(2026, 10, 26)),
        ("2 years ago", dt.date(2024, 11, 26)),
        ("3-days-ago", dt.date(2026, 11, 23)),  # no spaces: since:3-days-ago in a query
        ("last_monday", dt.date(2026, 11, 23)),
    ],
)
def test_phrases_name_the_expected_day(text: str, expected: dt.date) -> None:
    assert day(text) == expected


def test_a_named_day_lands_at_noon_and_today_keeps_the_time() -> None:
    assert parse_when("yesterday", NOW).time() == dt.time(12, 0)
    assert parse_when("2026-11-20", NOW).time() == dt.time(12, 0)
    assert parse_when("today", NOW) == NOW.replace(microsecond=0)
    assert parse_when("2026-11-26", NOW) == NOW


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("yesterday at 3pm", 15, 0),
        ("yesterday 9:05", 9, 5),
        ("monday at 12am", 0, 0),
        ("monday 12pm", 12, 0),
        ("2026-11-20 14:30", 14, 30),
    ],
)
def test_times_of_day(text: str, hour: int, minute: int) -> None:
    moment = parse_when(text, NOW)
    assert (moment.hour, moment.minute) == (hour, minute)


def test_results_are_timezone_aware() -> None:
    for text in ("yesterday", "2026-11-20", "2026-11-20 14:30", "3 hours ago", "monday 9am"):
        assert parse_when(text, NOW).tzinfo is not None, text
    assert parse_when("2026-11-20T10:00:00Z", NOW).utcoffset() == dt.timedelta(0)


def test_month_arithmetic_clamps_to_the_end_of_the_month() -> None:
    march_31 = dt.datetime(2026, 3, 31, 10, 0, tzinfo=TZ)
    assert parse_when("1 month ago", march_31).date() == dt.date(2026, 2, 28)
    assert parse_when("1 year ago", dt.datetime(2028, 2, 29, tzinfo=TZ)).date() == dt.date(
        2027, 2, 28
    )


@pytest.mark.parametrize(
    "text",
    ["", "   ", "someday", "next blursday", "2026-13-01", "2026-02-30", "yesterday at 25:00",
     "monday 9:75", "3 fortnights ago", "last", "ago"],
)  # fmt: skip
def test_unreadable_dates_are_errors_with_examples(text: str) -> None:
    with pytest.raises(NarrateError) as caught:
        parse_when(text, NOW)
    message = str(caught.value)
    assert "date" in message or "time" in message


def test_parse_day_is_the_calendar_day() -> None:
    assert parse_day("yesterday", NOW) == dt.date(2026, 11, 25)
    assert parse_day("2026-01-02", NOW) == dt.date(2026, 1, 2)


@pytest.mark.parametrize(
    "text",
    [
        "99999999 days ago",
        "9999999 years ago",
        "0001-01-01",
        "9999-12-31 23:59",
        "100000 weeks ago",
    ],
)
def test_extreme_dates_never_crash(text: str) -> None:
    try:
        moment = parse_when(text, NOW)
    except NarrateError:
        return
    assert moment.tzinfo is not None


@PROPERTY
@given(
    st.text(max_size=40)
    | st.from_regex(r"\d{1,9} (day|week|month|year|hour)s? ago", fullmatch=True)
)
def test_any_text_is_a_date_or_a_clear_error(text: str) -> None:
    try:
        moment = parse_when(text, NOW)
    except NarrateError as exc:
        assert str(exc)
    else:
        assert isinstance(moment, dt.datetime) and moment.tzinfo is not None


# Issue 13 item 14: the everyday phrases a jrnl user types, against the fixed NOW above
# (Thursday 26 November 2026, 15:42). A day without a time lands at noon; a day and month
# without a year that is still to come means last year's (entries look back).
EVERYDAY = [
    ("today", dt.datetime(2026, 11, 26, 15, 42)),
    ("now", dt.datetime(2026, 11, 26, 15, 42)),
    ("yesterday", dt.datetime(2026, 11, 25, 12, 0)),
    ("tomorrow", dt.datetime(2026, 11, 27, 12, 0)),
    ("monday", dt.datetime(2026, 11, 23, 12, 0)),
    ("last friday", dt.datetime(2026, 11, 20, 12, 0)),
    ("3 days ago", dt.datetime(2026, 11, 23, 12, 0)),
    ("2 weeks ago", dt.datetime(2026, 11, 12, 12, 0)),
    ("a month ago", dt.datetime(2026, 10, 26, 12, 0)),
    ("last week", dt.datetime(2026, 11, 19, 12, 0)),
    ("2026-11-27", dt.datetime(2026, 11, 27, 12, 0)),
    ("2026-11-27 14:30", dt.datetime(2026, 11, 27, 14, 30)),
    ("yesterday at 3pm", dt.datetime(2026, 11, 25, 15, 0)),
    ("monday 9am", dt.datetime(2026, 11, 23, 9, 0)),
    ("3 hours ago", dt.datetime(2026, 11, 26, 12, 42)),
    ("last friday at noon", dt.datetime(2026, 11, 20, 12, 0)),
    ("dec 3", dt.datetime(2025, 12, 3, 12, 0)),
    ("3rd of december", dt.datetime(2025, 12, 3, 12, 0)),
    ("next tuesday", dt.datetime(2026, 12, 1, 12, 0)),
    ("noon", dt.datetime(2026, 11, 26, 12, 0)),
    ("this morning", dt.datetime(2026, 11, 26, 9, 0)),
    ("11/03", dt.datetime(2026, 3, 11, 12, 0)),  # day first unless date_order = "mdy"
    ("03.11.2026", dt.datetime(2026, 11, 3, 12, 0)),
    ("nov 27", dt.datetime(2025, 11, 27, 12, 0)),  # tomorrow's date: last year's
    ("nov 20", dt.datetime(2026, 11, 20, 12, 0)),
    ("november 27, 2026", dt.datetime(2026, 11, 27, 12, 0)),
    ("27 nov 2026", dt.datetime(2026, 11, 27, 12, 0)),
    ("9am", dt.datetime(2026, 11, 26, 9, 0)),
    ("yesterday evening", dt.datetime(2026, 11, 25, 19, 0)),
    ("last night", dt.datetime(2026, 11, 25, 21, 0)),
    ("tonight", dt.datetime(2026, 11, 26, 21, 0)),
    ("friday morning", dt.datetime(2026, 11, 20, 9, 0)),
    ("2026-11-03 9:00", dt.datetime(2026, 11, 3, 9, 0)),
    ("2026/11/27", dt.datetime(2026, 11, 27, 12, 0)),
    ("in 2 days", dt.datetime(2026, 11, 28, 12, 0)),
    ("dec 3 at 5pm", dt.datetime(2025, 12, 3, 17, 0)),
    ("day before yesterday", dt.datetime(2026, 11, 24, 12, 0)),
    # Read by the parsedatetime fallback:
    ("2 days from now", dt.datetime(2026, 11, 28, 15, 42)),
    ("noon yesterday", dt.datetime(2026, 11, 25, 12, 0)),
]


@pytest.mark.parametrize(("text", "expected"), EVERYDAY)
def test_everyday_phrases(text: str, expected: dt.datetime) -> None:
    moment = parse_when(text, NOW)
    assert moment.tzinfo is not None
    assert moment.replace(tzinfo=None, second=0) == expected


def test_numeric_dates_follow_the_configured_order() -> None:
    assert parse_when("11/03", NOW, order="mdy").date() == dt.date(2026, 11, 3)
    assert parse_when("11/03/2025", NOW, order="mdy").date() == dt.date(2025, 11, 3)
    assert parse_when("11/03/2025", NOW).date() == dt.date(2025, 3, 11)
    # Dots are written day first everywhere they are used.
    assert parse_when("03.11.2026", NOW, order="mdy").date() == dt.date(2026, 11, 3)


def test_a_month_day_is_not_mistaken_for_a_time() -> None:
    # "nov 27" used to fail with "cannot understand the time".
    with pytest.raises(NarrateError, match="no day"):
        parse_when("nov 31", NOW)


@pytest.mark.parametrize(
    "text",
    ["2026-11-27T09:14:00+01:00", "2026-11-27 9:14", "2026-11-27 09:14:30", "2026/11/27 9:14",
     "27.11.2026", "27.11.2026 09:14", "Nov 27, 2026", "November 27, 2026", "27 Nov 2026",
     "27 November 2026", "2026-11-27 09:14 AM", "2026-11-27T08:14:00Z"],
)  # fmt: skip
def test_every_front_matter_shape_is_a_date(text: str) -> None:
    from narrate.journal.entry import parse_timestamp

    read = parse_timestamp(text)
    assert read is not None
    assert parse_when(text, NOW).date() == read.date()


def test_the_fast_path_never_imports_parsedatetime() -> None:
    import subprocess
    import sys

    fast = [text for text, _ in EVERYDAY[:-2]]
    code = (
        "import sys\nfrom narrate.journal.dates import parse_when\n"
        f"for text in {fast!r}: parse_when(text)\n"
        "assert 'parsedatetime' not in sys.modules, 'imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
