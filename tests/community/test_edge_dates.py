"""A community member file dated at the calendar's edge (issue 12, item 7): skipped with
its reason, and everyone still reads the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.community.helpers import Member, publish, shared_entry

EDGE = "members/carol/2026/2026-11-19-edge.md"


@pytest.mark.parametrize("created", ["0001-01-01T09:00:00+10:00", "9999-12-31T23:59:59-23:59"])
def test_add_pull_and_feed_skip_an_edge_dated_member_file(
    tmp_path: Path, cop: Path, maintainer: Path, created: str
) -> None:
    edge = shared_entry("From the edge").replace(
        "created: 2026-11-20T10:00:00Z", f"created: {created}"
    )
    assert created in edge
    publish(
        maintainer,
        {"members/carol/2026/2026-11-20-ok.md": shared_entry("A fine entry"), EDGE: edge},
    )
    dave = Member(tmp_path / "people", "dave")
    added = dave.ok("community", "add", "cop", str(cop), "--member", "dave")
    assert "Traceback" not in added.output
    assert [i["title"] for i in json.loads(dave.ok("feed", "--json").stdout)] == ["A fine entry"]
    assert "A fine entry" in dave.ok("feed").stdout

    publish(maintainer, {"members/carol/2026/2026-11-21-more.md": shared_entry("Another")})
    pulled = dave.ok("community", "pull")
    assert EDGE in pulled.output and "date out of range" in pulled.output
    titles = [i["title"] for i in json.loads(dave.ok("feed", "--json").stdout)]
    assert sorted(titles) == ["A fine entry", "Another"]


def test_a_member_already_in_the_community_pulls_past_the_edge_file(
    bob: Member, maintainer: Path
) -> None:
    edge = shared_entry("From the edge").replace(
        "created: 2026-11-20T10:00:00Z", "created: 0001-01-01T09:00:00+10:00"
    )
    publish(
        maintainer,
        {"members/carol/2026/2026-11-20-ok.md": shared_entry("A fine entry"), EDGE: edge},
    )
    pulled = bob.ok("community", "pull")
    assert EDGE in pulled.output and "date out of range" in pulled.output
    assert [i["title"] for i in json.loads(bob.ok("feed", "--json").stdout)] == ["A fine entry"]
