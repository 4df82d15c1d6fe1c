"""The shapes of what the Journal's reads return (plain data, JSON-ready)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict


class EntryItem(TypedDict):
    """The entry object (docs/json.md): what list, search and list_by_day return."""

    id: str
    title: str
    created: str
    updated: str
    path: str
    private: bool
    tags: list[str]
    practice: list[dict[str, Any]]
    shared: list[dict[str, Any]]
    starred: bool
    body: NotRequired[str]
    snippet: NotRequired[str]
    """Search only: the matched words between \\x02 and \\x03."""


class TagCount(TypedDict):
    """A tag and how many entries carry it."""

    tag: str
    count: int


class PracticeItem(TypedDict):
    """A practice change with its entry's id, title and created (``Journal.practice``)."""

    id: str
    title: str
    created: str
    path: str
    position: int
    area: str
    change: str
    before: str | None
    source: str | None
    status: str
    review_after: str | None
    last_checked: str | None
    day: str
    due: NotRequired[str | None]
    """Filled by narrate.practice.checkback.with_due: the check-back that fell due."""
    next_check: NotRequired[str | None]
    """Filled by narrate.practice.checkback.with_due: the next check-back date."""


class AreaCount(TypedDict):
    """A practice area and how many changes it holds."""

    area: str
    count: int


class AreaPeriodCount(TypedDict):
    """How many changes an area had in one period (a month or an ISO week)."""

    area: str
    period_start: dt.date
    """The first day of the period: the 1st of the month, or the week's Monday."""
    count: int


class SourceCount(TypedDict):
    """Where changes came from, with how many of them are in each status."""

    source: str
    count: int
    trying: int
    adopted: int
    dropped: int


class CheckBack(TypedDict):
    """One answered check-back of a change: its day, the answer, a note, and the status
    it set (None when the status stayed)."""

    date: str
    answer: str | None
    note: str | None
    status: str | None


class TimelineChange(TypedDict):
    """One practice change in the review's timeline, with its check-back trail."""

    date: str
    area: str
    before: str | None
    change: str
    source: str | None
    status: str
    id: str
    title: str
    checks: list[CheckBack]


class EntryBrief(TypedDict):
    """An entry's id, title and creation time (the review's "on this day")."""

    id: str
    title: str
    created: str


class FeedRow(TypedDict):
    """One shared entry or reply of a community, as the feed tables hold it."""

    feed_id: str
    community: str
    member: str
    path: str
    entry_id: str | None
    title: str
    created: str
    sort: str
    tags: list[str]
    practice: list[dict[str, Any]]
    """Each change's JSON (SPEC §4), plus ``adopted_from`` {community, member, path, id}
    and ``checkbacks`` [{date, answer, note?, outcome?}] when the copy carries a trail."""
    body: str
    kind: str
    """'entry' (members/<m>/YYYY/...) or 'reply' (members/<m>/replies/YYYY/...)."""
    parent: str | None
    """A reply's answered row (its feed_id), else None."""
    origin: str | None
    """The feed_id the row's adopted practice change came from, else None."""
    # Who pushed it, the member folder's usual author, a notice about the folder's name
    # (narrate.community.feed): what a reader needs to doubt a member's identity.
    provenance: NotRequired[dict[str, Any]]


class FeedHit(TypedDict):
    """A feed row that matched ``Journal.feed_search``, with its snippet (the matched
    words between \\x02 and \\x03)."""

    row: FeedRow
    snippet: str


@dataclass(frozen=True)
class Follows:
    """What a reader follows, per community: members, tags and practice areas."""

    members: tuple[tuple[str, str], ...] = ()
    """(community, handle) pairs."""
    tags: tuple[tuple[str, str], ...] = ()
    """(community, tag) pairs; a tag also follows its children (lang follows lang/python)."""
    areas: tuple[tuple[str, str], ...] = ()
    """(community, area) pairs."""
