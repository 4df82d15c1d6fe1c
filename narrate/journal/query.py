"""The search language (docs/search.md), turned into SQL that no input can break.

Words and "phrases" become FTS5 strings (always quoted, so FTS5 operators and
punctuation in user text are data), everything else becomes parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

FILTER_KEYS = ("area", "since", "until", "in", "is", "tag")
# SQLite refuses expressions deeper than 1000; nobody types a query this long, but a
# pasted one must not crash (each term is one level of the WHERE clause).
MAX_TERMS = 100
IS_VALUES = ("practice", "private", "shared", "starred")


@dataclass
class Term:
    """One piece of a query: a word, a phrase, a tag or a key:value filter."""

    kind: str  # "word" | "phrase" | "tag" | one of FILTER_KEYS
    value: str
    negated: bool = False
    prefix: bool = False  # word* : prefix match


@dataclass
class Query:
    """A parsed query, and the problems worth telling the user about."""

    terms: list[Term] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The filters among the warnings that were not understood ("is:bogus"): the CLI's
    # search refuses them, where search as you type only says so.
    unknown: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        """Whether any positive word or phrase asks for full-text ranking."""
        return any(t.kind in ("word", "phrase") and not t.negated for t in self.terms)


# -word, key:"quoted value", "phrase" (an unclosed quote runs to the end), or a word.
_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):"([^"]*)"?|"([^"]*)"?|(\S+))')


def parse(text: str, prefix_last: bool = False, extra_keys: tuple[str, ...] = ()) -> Query:
    """Split user text into terms; never raises. ``prefix_last``: the last word, if the
    text ends in it, matches as a prefix (search as you type: ``retr`` finds "retry").
    ``extra_keys``: filters a caller understands beyond FILTER_KEYS (the feed's member:)."""
    query = Query()
    keys = FILTER_KEYS + extra_keys
    last: Term | None = None
    # NUL, and lone surrogates (command-line bytes that are not UTF-8), cannot reach SQLite.
    text = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
    for match in _TOKEN.finditer(text):
        if len(query.terms) >= MAX_TERMS:
            query.warnings.append(f"query too long: only its first {MAX_TERMS} terms were used")
            break
        negated = match.group(1) == "-"
        key, keyed, phrase, word = match.group(2, 3, 4, 5)
        if key is not None:
            if key.lower() in keys and keyed.strip():
                # since:"2 weeks ago": a filter whose value has spaces.
                word = f"{key}:{' '.join(keyed.split())}"
            else:
                phrase = f"{key} {keyed}"
        if phrase is not None:
            if phrase.strip():
                query.terms.append(Term("phrase", phrase.strip(), negated))
            continue
        if word is None:
            continue
        if word.startswith("#") and len(word) > 1:
            from narrate.journal.entry import normalise_tag

            tag = normalise_tag(word)
            if tag:
                query.terms.append(Term("tag", tag, negated))
                continue
        key, sep, value = word.partition(":")
        if sep and key.lower() in keys and value:
            key = key.lower()
            if key == "is" and value.lower() not in IS_VALUES:
                query.warnings.append(
                    f"unknown is:{value} (use is:practice, is:private, is:shared or is:starred)"
                )
                query.unknown.append(f"is:{value}")
                continue
            from narrate.journal.entry import normalise_tag, tag_key

            if key == "tag":
                # tag:#DevOps is #devops; something that is no tag matches nothing.
                value = normalise_tag(value) or tag_key(value)
            elif key == "area":
                value = tag_key(value)
            elif key != "in":
                value = value.lower()
            query.terms.append(Term(key, value, negated))
            continue
        if negated and not word:
            continue
        prefix = word.endswith("*") and len(word.rstrip("*")) > 0
        term = Term("word", word.rstrip("*") if prefix else word, negated, prefix)
        query.terms.append(term)
        if match.end() == len(text):
            last = term
    if prefix_last and last is not None and not last.negated and query.terms[-1] is last:
        last.prefix = True
    return query


def search_words(text: str) -> list[str]:
    """The words and phrases full-text search looks for in ``text`` (to highlight them)."""
    return [
        term.value
        for term in parse(text).terms
        if term.kind in ("word", "phrase") and not term.negated and has_tokens(term.value)
    ]


def fts_string(term: Term) -> str:
    """An FTS5 string for a word or phrase: double-quoted, quotes doubled."""
    quoted = '"' + term.value.replace('"', '""') + '"'
    return quoted + "*" if term.prefix else quoted


def has_tokens(text: str) -> bool:
    """Whether FTS5's unicode61 tokenizer would find any token in ``text``."""
    return any(ch.isalnum() for ch in text)


@dataclass
class Sql:
    """A WHERE clause with its parameters, and the FTS match for ranking (if any)."""

    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    match: str | None = None


# A tag or a tag under it, over a column named ``tag`` (the tags and tag_counts tables):
# ``#lang`` also finds ``lang/python``, the tags between "lang/" and "lang0".
TAG_OR_UNDER = "(tag = ? OR (tag > ? AND tag < ?))"


def tag_params(tag: str) -> list[object]:
    """The parameters of TAG_OR_UNDER for ``tag``."""
    return [tag, tag + "/", tag + "0"]


def tag_clause(tag: str, dense: bool = False, counting: bool = False) -> tuple[str, list[object]]:
    """The condition "entry ``e`` carries ``tag`` or a tag under it" (``#lang`` also finds
    ``lang/python``: the tags between "lang/" and "lang0"), and its parameters.

    Read newest first, a page walks the date index and stops after enough hits. For a
    ``dense`` tag (on many entries) probing each entry's own tags finds them within a
    few rows; for a rare one the list of its entries is the smaller thing to build
    (either is 0.1-30 ms at 300k where the other is ~30-300 ms). ``counting``: the list
    drives the query, since a count visits every hit anyway.
    """
    params = tag_params(tag)
    if dense and not counting:
        return f"EXISTS (SELECT 1 FROM tags WHERE entry = e.rowid AND {TAG_OR_UNDER})", params
    plus = "" if counting else "+"
    return f"{plus}e.rowid IN (SELECT entry FROM tags WHERE {TAG_OR_UNDER})", params


def to_sql(query: Query, today: dt.date | None = None, dense: frozenset[str] = frozenset()) -> Sql:
    """The SQL conditions over ``entries e`` for a parsed query; never raises. ``dense``:
    the tags (as written in the query) that are on many entries (``tag_clause``).

    Membership tests are written ``+e.rowid IN (...)``: the unary plus keeps SQLite from
    answering them through the rowid (which pulls every tagged row and sorts it), so it
    walks the date index newest first and stops at the page size (25 ms -> 3 ms at 100k).
    """
    from narrate.errors import NarrateError
    from narrate.journal.dates import parse_day

    sql = Sql()
    positive: list[str] = []
    for term in query.terms:
        kind, value = term.kind, term.value
        clause: str | None = None
        params: list[object] = []
        if kind in ("word", "phrase"):
            if not has_tokens(value):
                continue  # "*", "++", "—": nothing FTS5 could match on
            if term.negated:
                clause = "+e.rowid IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)"
                params = [fts_string(term)]
            else:
                positive.append(fts_string(term))
                continue
        elif kind == "tag":
            # Negated: the page walk looks for entries without it, which probing finds
            # at once unless nearly every entry has it (then either way walks them all).
            clause, params = tag_clause(value, dense=term.negated or value in dense)
        elif kind == "area":
            clause = "+e.rowid IN (SELECT entry FROM practice WHERE area = ?)"
            params = [value.lstrip("#")]
        elif kind in ("since", "until"):
            try:
                day = parse_day(value).isoformat()
            except NarrateError:
                query.warnings.append(f"cannot understand the date in {kind}:{value}; ignored")
                query.unknown.append(f"{kind}:{value}")
                continue
            clause = "e.day >= ?" if kind == "since" else "e.day <= ?"
            params = [day]
        elif kind == "in":
            clause = "+e.rowid IN (SELECT entry FROM shares WHERE community = ?)"
            params = [value]
        elif kind == "is":
            clause = {
                "practice": "+e.rowid IN (SELECT entry FROM practice)",
                "private": "e.private = 1",
                "shared": "+e.rowid IN (SELECT entry FROM shares)",
                "starred": "e.starred = 1",
            }[value]
        if clause is None:
            continue
        sql.where.append(f"NOT ({clause})" if term.negated else clause)
        sql.params.extend(params)
    if positive:
        sql.match = " AND ".join(positive)
    return sql
