"""The core's named reads: the aggregates the review and the practice form use, the feed
tables, has_remote, and the lazy package API."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from narrate.errors import NarrateError
from narrate.journal import index as idx
from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice
from narrate.journal.types import FeedRow
from tests.helpers import git

TZ = dt.timezone(dt.timedelta(hours=1))


def record(
    journal: Journal,
    when: dt.datetime,
    area: str,
    source: str | None = None,
    status: str = "trying",
) -> Entry:
    practice = Practice(area=area, change=f"Try {area}", source=source, status=status)
    return journal.add(
        Entry.new("Body.", title=f"{area} {when:%d}", created=when, practice=[practice])
    )


@pytest.fixture
def practised(journal: Journal) -> Journal:
    """Changes in three areas and two sources over November and December 2026."""
    record(journal, dt.datetime(2026, 11, 2, 9, tzinfo=TZ), "testing", "sam")  # a Monday
    record(journal, dt.datetime(2026, 11, 4, 9, tzinfo=TZ), "testing", "sam", "adopted")
    record(journal, dt.datetime(2026, 11, 10, 9, tzinfo=TZ), "review", "cop", "dropped")
    record(journal, dt.datetime(2026, 12, 1, 9, tzinfo=TZ), "testing")
    record(journal, dt.datetime(2026, 12, 1, 18, tzinfo=TZ), "pairing", "cop")
    return journal


NOV, DEC_END = dt.date(2026, 11, 1), dt.date(2026, 12, 31)


def test_practice_areas_and_sources_are_counted_most_used_first(practised: Journal) -> None:
    assert practised.practice_areas() == [
        {"area": "testing", "count": 3},
        {"area": "pairing", "count": 1},
        {"area": "review", "count": 1},
    ]
    assert practised.practice_sources() == [
        {"source": "cop", "count": 2, "trying": 1, "adopted": 0, "dropped": 1},
        {"source": "sam", "count": 2, "trying": 1, "adopted": 1, "dropped": 0},
    ]
    november = (NOV, dt.date(2026, 11, 30))
    assert practised.practice_areas(*november) == [
        {"area": "testing", "count": 2},
        {"area": "review", "count": 1},
    ]
    assert [s["source"] for s in practised.practice_sources(*november)] == ["sam", "cop"]


def test_changes_per_area_by_month_and_by_week(practised: Journal) -> None:
    by_month = practised.practice_by_area_period(NOV, DEC_END, "month")
    assert sorted((r["area"], r["period_start"], r["count"]) for r in by_month) == [
        ("pairing", dt.date(2026, 12, 1), 1),
        ("review", dt.date(2026, 11, 1), 1),
        ("testing", dt.date(2026, 11, 1), 2),
        ("testing", dt.date(2026, 12, 1), 1),
    ]
    by_week = practised.practice_by_area_period(NOV, DEC_END, "week")
    assert sorted((r["area"], r["period_start"], r["count"]) for r in by_week) == [
        ("pairing", dt.date(2026, 11, 30), 1),
        ("review", dt.date(2026, 11, 9), 1),
        ("testing", dt.date(2026, 11, 2), 2),
        ("testing", dt.date(2026, 11, 30), 1),
    ]
    with pytest.raises(ValueError, match="month, week"):
        practised.practice_by_area_period(NOV, DEC_END, "year")


def test_timeline_statuses_and_days(practised: Journal) -> None:
    timeline = practised.practice_timeline(dt.date(2026, 11, 4), dt.date(2026, 12, 1))
    assert [(c["date"], c["area"], c["status"]) for c in timeline] == [
        ("2026-11-04", "testing", "adopted"),
        ("2026-11-10", "review", "dropped"),
        ("2026-12-01", "testing", "trying"),
        ("2026-12-01", "pairing", "trying"),
    ]
    assert set(timeline[0]) == {"date", "area", "before", "change", "source", "status"} | {
        "id",
        "title",
        "checks",
    }
    assert practised.status_counts(NOV, DEC_END) == {"trying": 3, "adopted": 1, "dropped": 1}
    assert practised.entries_per_day(NOV, dt.date(2026, 11, 30)) == {
        "2026-11-02": 1,
        "2026-11-04": 1,
        "2026-11-10": 1,
    }
    assert practised.entry_days(dt.date(2026, 11, 30)) == [
        dt.date(2026, 11, 10),
        dt.date(2026, 11, 4),
        dt.date(2026, 11, 2),
    ]
    on_day = practised.entries_on_day(dt.date(2026, 12, 1))
    assert [e["title"] for e in on_day] == ["testing 01", "pairing 01"]
    assert set(on_day[0]) == {"id", "title", "created"}
    assert practised.entries_per_month() == [("2026-11", 3), ("2026-12", 2)]


def test_paths_by_id_and_by_part_of_the_name(practised: Journal) -> None:
    first = practised.entries(limit=None)[-1]
    assert practised.paths_with_id(first["id"]) == [first["path"]]
    assert practised.paths_with_id("nothing") == []
    assert practised.paths_containing("-pairing") == [practised.entries(limit=1)[0]["path"]]
    # Matched as text: "_" and "%" are not wildcards.
    assert practised.paths_containing("_") == practised.paths_containing("%") == []


def test_entry_items_have_the_spec_keys_in_order(practised: Journal) -> None:
    item = practised.entries(limit=1)[0]
    assert list(item) == [
        "id",
        "title",
        "created",
        "updated",
        "path",
        "private",
        "tags",
        "practice",
        "shared",
        "starred",
    ]
    assert item["private"] is False and item["practice"][0]["area"] == "pairing"


def test_has_remote(journal: Journal, tmp_path: Path) -> None:
    assert journal.has_remote() is False
    git(journal.root, "remote", "add", "origin", str(tmp_path / "elsewhere.git"))
    assert journal.has_remote() is True


# ---------------------------------------------------------------------------- the feed


def feed_row(community: str, n: int, member: str = "carol", area: str = "testing") -> FeedRow:
    return {
        "feed_id": f"{n:04x}{community[:1].encode().hex()}0000",
        "community": community,
        "member": member,
        "path": f"members/{member}/2026/11/{n}.md",
        "entry_id": f"01ID{n}",
        "title": f"Shared {n}",
        "created": f"2026-11-{n:02d}T10:00:00+00:00",
        "sort": f"2026-11-{n:02d}T10:00:00",
        "tags": ["testing"],
        "practice": [{"area": area, "change": "Pair"}],
        "body": "Body\n",
        "kind": "entry",
        "parent": None,
        "origin": None,
    }


@pytest.fixture
def fed(journal: Journal) -> Journal:
    """Two communities in the feed: cop (three rows, one of them bob's) and guild."""
    journal.replace_feed(
        "cop",
        "c0ffee",
        [feed_row("cop", 1), feed_row("cop", 2, "bob"), feed_row("cop", 3, area="review")],
    )
    journal.replace_feed("guild", "", [feed_row("guild", 4)])
    return journal


def test_the_feed_keeps_rows_and_heads_per_community(fed: Journal) -> None:
    assert fed.feed_head("cop") == "c0ffee"
    assert fed.feed_head("guild") == ""  # read while it had no commit
    assert fed.feed_head("unknown") is None
    assert fed.feed_count("cop") == 3
    fed.replace_feed("cop", "beef", [feed_row("cop", 5)])
    assert fed.feed_head("cop") == "beef" and fed.feed_count("cop") == 1
    assert fed.feed_count("guild") == 1, "another community's rows stay"
    fed.forget_feed("guild")
    assert fed.feed_head("guild") is None and fed.feed_count("guild") == 0


def test_feed_rows_filter_and_order(fed: Journal) -> None:
    def titles(rows: list[FeedRow]) -> list[str]:
        return [r["title"] for r in rows]

    both = ["cop", "guild"]
    assert titles(fed.feed_rows(both)) == ["Shared 4", "Shared 3", "Shared 2", "Shared 1"]
    assert titles(fed.feed_rows(["cop"], exclude=[("cop", "bob")])) == ["Shared 3", "Shared 1"]
    assert titles(fed.feed_rows(["cop"], member="bob")) == ["Shared 2"]
    assert titles(fed.feed_rows(both, area="review")) == ["Shared 3"]
    assert titles(fed.feed_rows(["cop"], limit=1)) == ["Shared 3"]
    assert fed.feed_rows([]) == []
    assert fed.feed_rows(["guild"]) == [feed_row("guild", 4)], "tags, practice come back as lists"


def test_feed_rows_by_id_prefix(fed: Journal) -> None:
    wanted = feed_row("cop", 2)["feed_id"]
    assert [r["feed_id"] for r in fed.feed_by_prefix(wanted[:6])] == [wanted]
    assert len(fed.feed_by_prefix("000", limit=2)) == 2
    assert fed.feed_by_prefix("") == []


def test_a_rebuilt_index_forgets_the_feed_so_it_is_read_again(fed: Journal) -> None:
    fed.reindex(full=True)
    assert fed.feed_head("cop") is None and fed.feed_count("cop") == 0


def test_a_damaged_index_is_rebuilt_by_a_feed_read(fed: Journal) -> None:
    path = idx.index_path(fed.root)
    fed.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE feed")
    assert fed.feed_count("cop") == 0, "rebuilt, not 'no such table'"
    assert fed.feed_head("cop") is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == idx.SCHEMA_VERSION


def test_a_busy_index_makes_feed_writes_say_so(fed: Journal) -> None:
    blocker = sqlite3.connect(idx.index_path(fed.root), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    fed._connection.execute("PRAGMA busy_timeout = 50")  # not 30 s of waiting in a test
    try:
        with pytest.raises(NarrateError, match="busy"):
            fed.replace_feed("cop", "dead", [])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert fed.feed_head("cop") == "c0ffee", "nothing half-written"


# ---------------------------------------------------------------------------- the package


def test_the_package_names_its_api_and_imports_it_lazily() -> None:
    code = (
        "import sys, narrate.journal as j\n"
        "before = sorted(m for m in sys.modules if m.startswith('narrate.journal.'))\n"
        "assert j.Journal.__module__ == 'narrate.journal.core'\n"
        "assert j.EntryItem.__module__ == 'narrate.journal.types'\n"
        "assert set(j.__all__) <= set(dir(j))\n"
        "print(before)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.replace("'", '"')) == []
    with pytest.raises(AttributeError):
        import narrate.journal

        _ = narrate.journal.nothing_here  # type: ignore[attr-defined]
