"""Communities that talk (issue 14): replies, threads, adoption trails and activity,
from the command line, over real journals and one bare community remote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.community.helpers import Member, git


@pytest.fixture
def carol(tmp_path: Path, cop: Path, maintainer: Path) -> Member:
    member = Member(tmp_path / "people", "carol")
    member.ok("community", "add", "cop", str(cop), "--member", "carol")
    return member


def feed_ids(member: Member) -> dict[str, str]:
    """Each feed title's feed id, as the member's feed lists them."""
    member.ok("community", "pull")
    items = json.loads(member.ok("feed", "--json").stdout)
    return {item["title"]: item["feed_id"] for item in items}


def test_three_members_talk_adopt_and_check_back(
    alice: Member,
    bob: Member,
    carol: Member,
    cop: Path,
) -> None:
    entry = alice.ok(
        "add",
        "Retry flaky tests once #testing",
        "--practice",
        "testing:Retry a flaky test once, then quarantine it",
    ).stdout.strip()
    alice.ok("share", entry, "--yes")
    original = feed_ids(bob)["Retry flaky tests once #testing"]

    # bob replies (kept in his journal, published to his replies/ folder) and adopts.
    reply_id = bob.ok("reply", original, "How do you quarantine them?", "--yes").stdout.split()[0]
    assert json.loads(bob.ok("show", reply_id, "--json").stdout)["body"].startswith("How do")
    adopted = bob.ok("adopt", original).stdout.strip()
    bob.ok("share", adopted, "--yes")
    files = git(cop, "ls-tree", "-r", "--name-only", "main").split()
    assert any(f.startswith("members/bob/replies/") for f in files), files

    # carol answers bob's reply: the thread nests.
    carol.ok("community", "pull")
    thread = json.loads(carol.ok("read", original, "--json").stdout)
    bobs_reply = thread["replies"][0]["feed_id"]
    carol.ok("reply", bobs_reply, "A label and a weekly sweep.", "--yes")

    # bob answers the check-back (adopted) and re-shares the copy.
    bob.ok("practice", "check", adopted, "--answer", "yes", "--status", "adopted")
    bob.ok("practice", "check", adopted, "--answer", "yes", "--reshare", "--yes")

    pulled = alice.ok("community", "pull").stdout
    assert "New on your entries: 1 reply, 1 adoption, 2 check-backs." in pulled
    item = json.loads(alice.ok("read", original, "--json").stdout)
    assert [r["member"] for r in item["replies"]] == ["bob"]
    assert item["replies"][0]["body"].startswith("How do you quarantine them?")
    assert [r["member"] for r in item["replies"][0]["replies"]] == ["carol"]
    assert "weekly sweep" in item["replies"][0]["replies"][0]["body"]
    (adoption,) = item["adoptions"]
    assert adoption["member"] == "bob"
    assert adoption["status"] == "adopted"
    assert [c["answer"] for c in adoption["checkbacks"]] == ["yes", "yes"]
    text = alice.ok("read", original).stdout
    assert "carol" in text and "Adopted by" in text

    found = json.loads(alice.ok("activity", "--json").stdout)
    kinds = sorted(item["kind"] for item in found)
    assert kinds == ["adoption", "checkback", "checkback", "reply"]
    assert {item["on"] for item in found} == {entry}
    assert all(item["member"] == "bob" for item in found)
    # Looked at: the next look shows nothing new; --all shows it all again.
    assert json.loads(alice.ok("activity", "--json").stdout) == []
    assert len(json.loads(alice.ok("activity", "--all", "--json").stdout)) == 4

    # bob hears of carol's answer to his reply.
    bob.ok("community", "pull")
    (heard,) = json.loads(bob.ok("activity", "--json").stdout)
    assert heard["kind"] == "reply" and heard["member"] == "carol" and heard["on"] == reply_id
