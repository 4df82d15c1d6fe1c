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
