"""The capture rule (Entry.from_capture), the area normaliser and the entry namer: one
home each, shared by `narrate add`, adopt, the importers and the app."""

from __future__ import annotations

import datetime as dt

import pytest

from narrate.journal.entry import Entry, Practice, normalise_area
from narrate.journal.store import entry_stem


def test_the_first_line_is_the_title_and_the_whole_text_the_body() -> None:
    entry = Entry.from_capture("\n## Fixed the flaky deploy\n\nIt was DNS.\n\n")
    assert (entry.title, entry.body) == (
        "Fixed the flaky deploy",
        "## Fixed the flaky deploy\n\nIt was DNS.\n",
    )


def test_a_long_first_line_is_shortened_in_the_title_only() -> None:
    line = " ".join(f"word{i}" for i in range(200))
    entry = Entry.from_capture(line + "\nsecond #tail")
    assert entry.body == line + "\nsecond #tail\n"
    assert entry.title == line[: entry.title.index("…")] + "…" and len(entry.title) <= 100
    assert entry.all_tags() == ["tail"]


def test_with_a_title_the_whole_text_is_the_body() -> None:
    entry = Entry.from_capture("\nFirst line\nsecond\n\n", title="Mine")
    assert (entry.title, entry.body) == ("Mine", "First line\nsecond\n")


def test_verbatim_keeps_the_text_as_typed() -> None:
    text = "## What did I do?\nShipped it\n\n"
    entry = Entry.from_capture(text, title="Shipped it", verbatim=True)
    assert (entry.title, entry.body) == ("Shipped it", text)


def test_tags_practices_privacy_and_date_reach_the_front_matter() -> None:
    when = dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.UTC)
    change = Practice(area="testing", change="Tests first")
    entry = Entry.from_capture(
        "Retro", tags=["team"], practices=[change], private=True, created=when
    )
    assert (entry.tags, entry.practice, entry.private) == (["team"], [change], True)
    assert entry.created == when


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Code Review", "code-review"), ("  testing ", "testing"), ("#Lang/Python", "lang/python")],
)
def test_an_area_is_stored_as_a_tag_with_hyphens_for_spaces(typed: str, stored: str) -> None:
    assert normalise_area(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", "!!!", "-"])
def test_an_area_that_normalises_to_nothing_is_none(typed: str) -> None:
    assert normalise_area(typed) is None


def test_the_namer_pads_years_before_1000() -> None:
    assert entry_stem(dt.datetime(999, 1, 2, 3, 4), "Old news") == "0999-01-02-0304-old-news"
