"""The conversation's reads in the core (issue 14): replies by parent, adoptions by
origin, a member's rows, counts by kind, and the feed listing's default of entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.journal.types import FeedRow


def row(
    n: int,
    kind: str = "entry",
    parent: str | None = None,
    origin: str | None = None,
    member: str = "carol",
) -> FeedRow:
    return {
        "feed_id": f"{n:010x}",
        "community": "cop",
        "member": member,
        "path": f"members/{member}/{'replies/' if kind == 'reply' else ''}2026/{n}.md",
        "entry_id": f"01ID{n}",
        "title": f"Row {n}",
        "created": f"2026-11-{n:02d}T10:00:00+00:00",
        "sort": f"2026-11-{n:02d}T10:00:00",
        "tags": [],
        "practice": [],
        "body": f"Body {n}\n",
        "kind": kind,
        "parent": parent,
        "origin": origin,
    }


@pytest.fixture
def talked(tmp_path: Path) -> Journal:
    journal = Journal.create(tmp_path / "journal")
    root = row(1)["feed_id"]
    journal.replace_feed(
        "cop",
        "c0ffee",
        [
            row(1),
            row(3, "reply", parent=root, member="bob"),
            row(2, "reply", parent=root, member="dan"),
            row(4, "reply", parent=row(3)["feed_id"]),
            row(5, origin=root, member="bob"),
        ],
    )
    return journal


def test_replies_adoptions_and_counts(talked: Journal) -> None:
    root = row(1)["feed_id"]
    assert [r["title"] for r in talked.feed_replies([root])] == ["Row 2", "Row 3"]  # oldest first
    assert [r["title"] for r in talked.feed_replies([root], limit=1)] == ["Row 2"]
    assert talked.feed_reply_count([root, row(3)["feed_id"]]) == 3
    assert [r["member"] for r in talked.feed_adoptions([root])] == ["bob"]
    assert talked.feed_count("cop") == 2 and talked.feed_count("cop", "reply") == 3
    assert {r["kind"] for r in talked.feed_of_member("cop", "carol")} == {"entry", "reply"}
    assert [r["title"] for r in talked.feed_rows(["cop"])] == ["Row 5", "Row 1"]
    both = talked.feed_rows(["cop"], kinds=("entry", "reply"), limit=None)
    assert len(both) == 5
    assert talked.feed_by_ids([root, "nope"])[0]["parent"] is None
    # Asking for more ids than SQLite takes host parameters still answers.
    many = [f"{n:010x}" for n in range(2000)]
    assert len(talked.feed_replies(many)) == 3


def test_a_members_rows_are_found_by_the_member_index_not_a_walk_of_the_community(
    tmp_path: Path,
) -> None:
    # Every pull's activity line reads the user's own rows: walking feed_sort over the
    # whole community cost 0.4 s at 200,000 rows (bench/bench_community.py).
    import sqlite3

    from narrate.journal import feedstore
    from narrate.journal.index import index_path

    journal = Journal.create(tmp_path / "journal")
    journal.entries()  # the first read makes the index
    journal.close()
    conn = sqlite3.connect(index_path(tmp_path / "journal"))
    try:
        plan = " ".join(
            str(r[-1])
            for r in conn.execute("EXPLAIN QUERY PLAN " + feedstore.OF_MEMBER, ("cop", "carol"))
        )
        # A pull's notices over the members it touched: 3.9 s of a 1M-share pull walked
        # the whole community the same way.
        traced: list[str] = []
        conn.set_trace_callback(traced.append)
        feedstore.FeedWriter(conn, "cop").notices(["carol"])
        conn.set_trace_callback(None)
        (query,) = [q for q in traced if "handle_notice" in q]
        notices_plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + query))
    finally:
        conn.close()
    assert "feed_member" in plan, plan
    assert "feed_member" in notices_plan, notices_plan
