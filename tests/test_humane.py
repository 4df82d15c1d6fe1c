"""Counts and dates as people say them: one ``plural`` and one humane date for every face."""

from __future__ import annotations

import datetime as dt

from narrate.humane import humane_date, long_day, plural, short_day

TODAY = dt.date(2026, 11, 27)


def test_plural_counts_like_people_do() -> None:
    assert plural(1, "conflict") == "1 conflict"
    assert plural(2, "commit") == "2 commits"
    # The app's sync copy said "2 entrys".
    assert plural(2, "entry") == "2 entries"
    assert plural(3, "same-named entry") == "3 same-named entries"
    assert plural(1, "photos") == "1 photo"
    assert plural(0, "photos") == "0 photos"


def test_one_humane_date_for_timestamps_and_days() -> None:
    assert humane_date("2026-11-27T09:14:00+01:00", TODAY) == "Today 09:14"
    assert humane_date("2026-11-26T18:00:00", TODAY) == "Yesterday 18:00"
    assert humane_date("2026-11-24T08:05:00", TODAY) == "Tue 24 Nov 08:05"
    assert humane_date("2026-11-24T08:05:00", TODAY, with_time=False) == "Tue 24 Nov"
    assert humane_date("2026-03-02T08:05:00", TODAY) == "Mon 2 Mar"
    assert humane_date("2025-11-24T08:05:00", TODAY) == "Mon 24 Nov 2025"
    assert humane_date("not a date", TODAY) == "not a date"
    # A day (a list's heading) reads the same, without a time.
    assert humane_date(TODAY, TODAY) == "Today"
    assert humane_date(dt.date(2026, 11, 26), TODAY) == "Yesterday"
    assert humane_date(dt.date(2026, 11, 24), TODAY) == "Tue 24 Nov"
    assert humane_date(dt.date(2025, 11, 24), TODAY) == "Mon 24 Nov 2025"


def test_short_and_long_days() -> None:
    assert short_day(dt.date(2025, 11, 24), TODAY) == "2025-11-24"
    assert short_day(dt.date(2026, 3, 2), TODAY) == "Mon 2 Mar"
    assert long_day(TODAY) == "Friday 27 November 2026"
