"""The query language of SPEC §3, parsed and run against a real index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrate.journal import query as q
from narrate.journal.core import Journal
from tests.helpers import ENTRY_KEYS, PROPERTY, entry_text, write

TODAY = dt.date.today()


def ago(days: int) -> str:
    """Noon, ``days`` before today, as an ISO timestamp with offset."""
    moment = dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(12)).astimezone()
    return moment.isoformat()


def rel(days: int, slug: str) -> str:
    day = TODAY - dt.timedelta(days=days)
    return f"entries/{day:%Y}/{day:%m}/{day:%Y-%m-%d}-1200-{slug}.md"


CORPUS = {
    "A": (
        7,
        "Flaky deploy fixed",
        "Paired with Sam on the flaky deploy. #devops\n",
        "[pairing]",
        "practice:\n  - area: testing\n    change: Write the failing test first\n",
    ),
    "B": (
        17,
        "Reading group",
        "We read about c++ templates and foo-bar naming, in a café. #lang/python\n",
        "[]",
        "private: true\n",
    ),
    "C": (
        57,
        "Retro",
        'The deploy pipeline was slow; NEAR the end we decided AND agreed on "quotes".\n',
        "[devops]",
        "shared:\n  - community: python-cop\n    path: members/me/retro.md\n"
        "    commit: abc1234\n    at: 2026-01-01T10:00:00+01:00\n",
    ),
    "D": (0, "Today's note", "Some thoughts on deploying 🎉\n", "[]", ""),
    "E": (400, "Kubernetes upgrade", "Notes from the upgrade.\n", "[]", ""),
    "F": (
        3,
        "Weekly notes",
        "Among many other topics, kubernetes came up once; the rest was planning.\n",
        "[]",
        "",
    ),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journal]:
    """A journal of six entries written as files (no git needed to read them)."""
    root = tmp_path_factory.mktemp("query") / "journal"
    for key, (days, title, body, tags, extra) in CORPUS.items():
        write(
            root, rel(days, key.lower()), entry_text(key * 26, ago(days), title, body, tags, extra)
        )
    (root / ".git").mkdir()
    with Journal.open(root) as journal:
        yield journal


def found(journal: Journal, text: str) -> list[str]:
    """The ids (their one-letter names) that a search returns, in order."""
    results, _ = journal.search(text, limit=None)
    return [r["id"][0] for r in results]


# ---------------------------------------------------------------------------- semantics


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deploy", {"A", "C", "D"}),  # porter stemming: deploying
        ("DEPLOY", {"A", "C", "D"}),
        ("deplo*", {"A", "C", "D"}),
        ('"flaky deploy"', {"A"}),
        ('"deploy flaky"', set()),
        ("#devops", {"A", "C"}),  # inline tag and front matter tag
        ("#DevOps", {"A", "C"}),
        ("#lang", {"B"}),  # a parent tag finds its children
        ("#lang/python", {"B"}),
        ("#python", set()),
        ("deploy -flaky", {"C", "D"}),
        ("deploy -#devops", {"D"}),
        ("-#devops -#lang", {"D", "E", "F"}),
        ("area:testing", {"A"}),
        ("area:cooking", set()),
        ("is:practice", {"A"}),
        ("is:private", {"B"}),
        ("-is:private", {"A", "C", "D", "E", "F"}),
        ("is:shared", {"C"}),
        ("in:python-cop", {"C"}),
        ("in:elsewhere", set()),
        ("since:yesterday", {"D"}),
        ('since:"10 days ago"', {"A", "D", "F"}),
        ("since:10-days-ago deploy", {"A", "D"}),
        ("since:soonish deploy", {"A", "C", "D"}),  # unreadable: ignored with a warning
        ("until:yesterday -kubernetes", {"A", "B", "C"}),
        (
            f"since:{TODAY - dt.timedelta(days=60)} until:{TODAY - dt.timedelta(days=10)}",
            {"B", "C"},
        ),
        ("c++", {"B"}),
        ("foo-bar", {"B"}),
        ("cafe", {"B"}),  # diacritics removed
        ("NEAR(", {"C"}),
        ("AND", {"B", "C"}),  # the word "and", not an operator
        ('"quotes"', {"C"}),
        ('"unbalanced', set()),
        ("deploy tag:devops", {"A", "C"}),
        ("tag:#DevOps", {"A", "C"}),
        ("-tag:devops -tag:lang", {"D", "E", "F"}),
    ],
)
def test_query_language(corpus: Journal, text: str, expected: set[str]) -> None:
    assert set(found(corpus, text)) == expected


def test_a_title_match_ranks_above_a_passing_mention(corpus: Journal) -> None:
    assert found(corpus, "kubernetes") == ["E", "F"]


def test_filters_without_words_list_newest_first(corpus: Journal) -> None:
    assert found(corpus, "-is:private") == ["D", "F", "A", "C", "E"]


def test_results_have_the_spec_shape_and_a_highlighted_snippet(corpus: Journal) -> None:
    results, warnings = corpus.search("pipeline")
    assert warnings == []
    (hit,) = results
    assert set(hit) == ENTRY_KEYS | {"snippet"}
    assert "\x02pipeline\x03" in hit["snippet"]
    assert hit["shared"][0]["community"] == "python-cop"


def test_limit(corpus: Journal) -> None:
    assert len(corpus.search("deploy", limit=2)[0]) == 2


def test_ignored_parts_of_a_query_come_back_as_warnings(corpus: Journal) -> None:
    _, warnings = corpus.search("is:bogus since:whenever deploy")
    assert any("is:bogus" in w for w in warnings)
    assert any("since:whenever" in w for w in warnings)


# ---------------------------------------------------------------------------- any input

TRICKY = [
    "", " ", "\x00", '"', '""', '"unbalanced', "'", "*", "**", "-", "--", "-*", "#", "##", "-#",
    "AND", "OR", "NOT", "NEAR(", "NEAR(a b, 2)", "(", ")", "c++", "foo-bar", "a:b", ":", "^",
    "title:x", "body:y", "{title}", "😀", "🎉 launch", "\udcff", "\ud800", "since:", "since:\"",
    'in:"', "is:", "area:#", "-since:yesterday", "#lang/", "*deploy", "deploy*", "x\"y",
    "\\", "%", "_", "'; DROP TABLE entries; --", "é", "ß", "\u2028", "\t\n",
]  # fmt: skip
QUERY = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=6)), max_size=6).map(" ".join),
    st.lists(st.sampled_from(TRICKY), max_size=6).map("".join),
)


@PROPERTY
@given(QUERY)
def test_any_text_is_a_valid_query(corpus: Journal, text: str) -> None:
    results, warnings = corpus.search(text)
    assert isinstance(results, list) and all(isinstance(w, str) for w in warnings)
    for item in results:
        assert set(item) == ENTRY_KEYS | {"snippet"}


@PROPERTY
@given(QUERY)
def test_parse_and_to_sql_never_raise_and_quote_every_fts_string(text: str) -> None:
    parsed = q.parse(text)
    sql = q.to_sql(parsed)
    assert sum(clause.count("?") for clause in sql.where) == len(sql.params)
    for term in parsed.terms:
        if term.kind in ("word", "phrase"):
            fts = q.fts_string(term)
            assert fts.startswith('"') and fts.rstrip("*").endswith('"')
            assert '"' not in fts.rstrip("*")[1:-1].replace('""', "")


@pytest.mark.parametrize("term", ["-w{}", "#t{}", "w{}", "since:2020-01-{:02d}", "-is:private"])
def test_a_pasted_wall_of_terms_is_cut_with_a_warning(corpus: Journal, term: str) -> None:
    text = " ".join(term.format(i % 28 + 1) for i in range(1500))
    results, warnings = corpus.search(text)
    assert isinstance(results, list)
    assert any("too long" in w for w in warnings)
    assert len(q.parse(text).terms) == q.MAX_TERMS


# ---------------------------------------------------------------------------- parsing


def test_parse_splits_every_kind_of_term() -> None:
    parsed = q.parse(
        'deploy "flaky test" #DevOps -word -#tag AREA:Testing since:2026-01-01 '
        'until:"2 weeks ago" in:Python-CoP is:practice deplo*'
    )
    assert [(t.kind, t.value, t.negated) for t in parsed.terms] == [
        ("word", "deploy", False),
        ("phrase", "flaky test", False),
        ("tag", "devops", False),
        ("word", "word", True),
        ("tag", "tag", True),
        ("area", "testing", False),
        ("since", "2026-01-01", False),
        ("until", "2 weeks ago", False),
        ("in", "Python-CoP", False),
        ("is", "practice", False),
        ("word", "deplo", False),
    ]
    assert parsed.terms[-1].prefix
    assert parsed.warnings == []


def test_unknown_is_values_are_warned_about_and_dropped() -> None:
    parsed = q.parse("is:bogus word")
    assert [t.value for t in parsed.terms] == ["word"]
    assert parsed.warnings and "is:bogus" in parsed.warnings[0]


def test_text_that_only_looks_like_a_filter_is_a_word() -> None:
    assert [(t.kind, t.value) for t in q.parse("http://x.org/a foo:bar :").terms] == [
        ("word", "http://x.org/a"),
        ("word", "foo:bar"),
        ("word", ":"),
    ]


def test_fts_strings_are_quoted_with_quotes_doubled() -> None:
    assert q.fts_string(q.Term("word", 'say "hi"')) == '"say ""hi"""'
    assert q.fts_string(q.Term("word", "deplo", prefix=True)) == '"deplo"*'


def test_words_without_tokens_never_reach_match() -> None:
    sql = q.to_sql(q.parse("* ++ 😀 — -*"))
    assert sql.match is None and sql.where == []


def test_nul_and_surrogates_are_replaced() -> None:
    parsed = q.parse("a\x00b c\udcffd")
    assert [t.value for t in parsed.terms] == ["a", "b", "c?d"]


def test_since_with_a_natural_date_becomes_a_day() -> None:
    sql = q.to_sql(q.parse("since:yesterday -until:today"))
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    assert sql.where == ["e.day >= ?", "NOT (e.day <= ?)"]
    assert sql.params == [yesterday, TODAY.isoformat()]


def test_corpus_is_written_where_narrate_would(corpus: Journal) -> None:
    # Guards the fixture itself: every entry was read, none is broken.
    assert corpus.count() == len(CORPUS)
    assert corpus.broken() == []
    assert Path(corpus.root, rel(7, "a")).exists()
