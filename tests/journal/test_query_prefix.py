"""The query language's prefix option: the last word being typed (search as you type)."""

from __future__ import annotations

from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.journal.query import parse


def test_prefix_last_marks_only_the_last_plain_word() -> None:
    terms = parse("deploy retr", prefix_last=True).terms
    assert [(t.value, t.prefix) for t in terms] == [("deploy", False), ("retr", True)]


def test_a_finished_word_filters_and_phrases_are_not_prefixes() -> None:
    assert not parse("retr ", prefix_last=True).terms[0].prefix
    assert not parse('"retr', prefix_last=True).terms[0].prefix
    assert not parse("#ci", prefix_last=True).terms[0].prefix
    assert not parse("-retr", prefix_last=True).terms[0].prefix
    assert parse("since:monday retr", prefix_last=True).terms[-1].prefix
    assert not parse("retr since:monday", prefix_last=True).terms[-1].prefix


def test_exact_by_default() -> None:
    # The CLI's search stays exact.
    assert not parse("retr").terms[0].prefix


def test_search_prefix_last(journal: Journal) -> None:
    journal.add(Entry.new("Added a retry", title="Retry"))
    assert journal.search("retr")[0] == []
    assert len(journal.search("retr", prefix_last=True)[0]) == 1
