"""narrate digest: a week or a month of a community in a page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from narrate.community.digest import build_digest, render_markdown
from narrate.community.pull import choose
from narrate.config import load_config
from narrate.journal.core import Journal
from tests.community.helpers import Member, publish
from tests.community.scenario import CHANGE, publish_conversation


def test_the_digest_of_the_conversation(
    alice: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_conversation(maintainer)
    alice.ok("community", "pull")
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, alice.env[var])
    config = load_config()
    with Journal.open(alice.journal) as journal:
        week = build_digest(journal, config, choose(config), "week", today=dt.date(2026, 11, 26))
        later = build_digest(journal, config, choose(config), "week", today=dt.date(2027, 1, 26))
    data = week.to_json()
    assert (data["since"], data["until"], data["period"]) == ("2026-11-20", "2026-11-26", "week")
    # alice's own change is hers: the digest, like the feed, shows the others'.
    assert data["changes"] == []
    assert [(a["member"], a["from"], a["change"]) for a in data["adoptions"]] == [
        ("bob", "alice", CHANGE)
    ]
    [thread] = data["threads"]
    assert (thread["member"], thread["title"], thread["replies"]) == (
        "alice",
        "Flags that expire",
        2,
    )
    note = render_markdown(week)
    assert "bob is trying" in note and "2 replies" in note
    assert later.to_json()["threads"] == [] and later.adoptions == []


def test_the_cli_digest_shows_new_changes_by_area(bob: Member, maintainer: Path) -> None:
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry = (
        f"---\nid: 01JDAN00000000000000000000\ntitle: Dan's retro\ncreated: {today}\n"
        "practice:\n  - area: retros\n    change: Start each retro with last time's actions\n"
        "---\n\nBody\n"
    )
    publish(maintainer, {f"members/dan/{today[:4]}/{today[:10]}-retro.md": entry})
    bob.ok("community", "pull")
    data = json.loads(bob.ok("digest", "--month", "--json").output)
    assert data["period"] == "month"
    assert [g["area"] for g in data["changes"]] == ["retros"]
    assert data["changes"][0]["changes"][0]["member"] == "dan"
    out = bob.ok("digest").output
    assert "### retros" in out and "Start each retro" in out
