"""narrate feed --search: the search language over every member's entries and replies."""

from __future__ import annotations

import json
from pathlib import Path

from narrate.journal.types import FeedRow
from tests.community.helpers import Member, publish, shared_entry
from tests.community.scenario import CAROL_REPLY, publish_conversation


def _search(member: Member, *query: str) -> list[dict[str, object]]:
    found = json.loads(member.ok("feed", "--search", " ".join(query), "--json").output)
    assert isinstance(found, list)
    return found


def test_feed_search_finds_carols_reply_by_a_word_in_it(alice: Member, maintainer: Path) -> None:
    publish_conversation(maintainer)
    alice.ok("community", "pull")
    found = _search(alice, "nightly")
    assert [item["path"] for item in found] == [CAROL_REPLY]
    assert found[0]["member"] == "carol"
    assert "nightly" in str(found[0]["snippet"])
    # The snippet's highlight markers are for the terminal only.
    assert "\x02" not in str(found[0]["snippet"])


def test_feed_search_leaves_out_the_readers_own_entries(bob: Member, maintainer: Path) -> None:
    publish_conversation(maintainer)
    bob.ok("community", "pull")
    # "expiry" is in alice's entry, carol's reply and bob's copy: bob sees only theirs.
    assert {item["member"] for item in _search(bob, "expiry")} == {"alice", "carol"}
    # "sprint" is only in bob's own reply.
    assert _search(bob, "sprint") == []


def test_the_query_language_and_member_filter(alice: Member, maintainer: Path) -> None:
    publish_conversation(maintainer)
    publish(
        maintainer,
        {"members/dan/2026/2026-10-01-old.md": shared_entry("Old flags", "A flag story\n")},
    )
    alice.ok("community", "pull")
    assert {i["member"] for i in _search(alice, "member:bob")} == {"bob"}
    assert {i["member"] for i in _search(alice, "flag", "-nightly", "member:carol")} == set()
    assert [i["member"] for i in _search(alice, '"nightly job"')] == ["carol"]
    assert {i["member"] for i in _search(alice, "area:feature-flags")} == {"bob"}
    assert {i["member"] for i in _search(alice, "#testing")} == {"dan"}
    # dan's entry (shared_entry) was created on 2026-11-20, bob's and carol's after it.
    assert {i["member"] for i in _search(alice, "until:2026-11-20")} == {"dan"}
    assert {i["member"] for i in _search(alice, "since:2026-11-21")} == {"bob", "carol"}
    # Anything a user types is a query, never an FTS5 error.
    alice.ok("feed", "--search", 'NEAR( "unclosed * OR ^', "--json")


def test_best_match_first(alice: Member, maintainer: Path) -> None:
    publish(
        maintainer,
        {
            "members/dan/2026/2026-11-01-a.md": shared_entry("Rotas", "Once: retro\n"),
            "members/erin/2026/2026-11-02-b.md": shared_entry("Retro retro", "retro retro\n"),
        },
    )
    alice.ok("community", "pull")
    assert [i["member"] for i in _search(alice, "retro")] == ["erin", "dan"]


def test_the_table_shows_the_snippet(alice: Member, maintainer: Path) -> None:
    publish_conversation(maintainer)
    alice.ok("community", "pull")
    out = alice.ok("feed", "--search", "calendar").output
    assert "carol@cop" in out and "calendar" in out


def test_hostile_text_in_a_match_reaches_no_terminal(alice: Member, maintainer: Path) -> None:
    body = "Sneaky \x1b]52;c;SGVsbG8=\x07 clipboard \x1b[2J [@click=app.quit]quit[/] \x9b6n end\n"
    publish(maintainer, {"members/mallory/2026/2026-11-21-x.md": shared_entry("Sneaky", body)})
    alice.ok("community", "pull")
    out = alice.ok("feed", "--search", "clipboard").output
    assert "clipboard" in out and "\x1b]52" not in out and "\x1b[2J" not in out
    assert "\x9b" not in out and "SGVsbG8" not in out
    (item,) = _search(alice, "clipboard")
    assert "\x1b" not in str(item["snippet"]) and "\x1b" not in str(item["body"])


def test_the_full_text_table_stays_in_step_with_the_feed(alice: Member, maintainer: Path) -> None:
    path = "members/dan/2026/2026-11-21-x.md"
    publish(maintainer, {path: shared_entry("Dan", "first draft about gardening\n")})
    alice.ok("community", "pull")
    assert [i["member"] for i in _search(alice, "gardening")] == ["dan"]
    # An edit re-indexes the row: the old words go, the new ones are found.
    publish(maintainer, {path: shared_entry("Dan", "second draft about cooking\n")})
    alice.ok("community", "pull")
    assert _search(alice, "gardening") == []
    assert [i["member"] for i in _search(alice, "cooking")] == ["dan"]
    # Removed from the community: gone from the search too.
    (maintainer / path).unlink()
    publish(maintainer, {})
    alice.ok("community", "pull")
    assert _search(alice, "cooking") == []
    # The index rebuilt from nothing finds it again from the clone.
    publish(maintainer, {path: shared_entry("Dan", "third draft about sailing\n")})
    alice.ok("community", "pull")
    alice.ok("reindex", "--full")
    assert [i["member"] for i in _search(alice, "sailing")] == ["dan"]


def test_a_replaced_row_leaves_no_stale_text() -> None:
    """A feed id read twice in one pass, read again unchanged, removed: one text each."""
    from narrate.journal import feedstore, index

    conn = index.memory()

    def row(body: str) -> FeedRow:
        return {
            "feed_id": "abc",
            "community": "cop",
            "member": "dan",
            "path": "members/dan/2026/x.md",
            "entry_id": "01X",
            "title": "T",
            "created": "2026-11-21T10:00:00+00:00",
            "sort": "2026-11-21T10:00:00",
            "tags": [],
            "practice": [],
            "body": body,
        }

    feedstore.replace(conn, "cop", "h1", [row("old words"), row("new words")])
    assert conn.execute("SELECT count(*) FROM feed_fts").fetchone()[0] == 1
    found, _ = feedstore.search(conn, ["cop"], "old")
    assert found == []
    found, _ = feedstore.search(conn, ["cop"], "new")
    assert [r["body"] for r, _ in found] == ["new words"]
    # Read again unchanged: the row and its text stay as they were (nothing re-indexed).
    rowid = conn.execute("SELECT rowid FROM feed WHERE feed_id = 'abc'").fetchone()[0]
    feedstore.replace(conn, "cop", "h2", [row("new words")])
    assert conn.execute("SELECT rowid FROM feed WHERE feed_id = 'abc'").fetchone()[0] == rowid
    assert conn.execute("SELECT count(*) FROM feed_fts").fetchone()[0] == 1
    # Gone from the community's next read: gone from the text too.
    feedstore.replace(conn, "cop", "h3", [])
    assert conn.execute("SELECT count(*) FROM feed_fts").fetchone()[0] == 0
    feedstore.replace(conn, "cop", "h4", [row("back again")])
    feedstore.forget(conn, "cop")
    assert conn.execute("SELECT count(*) FROM feed_fts").fetchone()[0] == 0
