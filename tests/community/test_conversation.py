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
    assert "New on your entries: 1 reply, 1 adoption, 2 check-backs" in pulled
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


def test_the_feed_lists_entries_and_leaves_replies_to_their_thread(
    alice: Member, bob: Member
) -> None:
    entry = alice.ok("add", "Pairing on reviews").stdout.strip()
    alice.ok("share", entry, "--yes")
    original = feed_ids(bob)["Pairing on reviews"]
    bob.ok("reply", original, "Same here", "--yes")
    titles = list(feed_ids(alice))
    assert titles == []  # alice's own entry is hers; bob's reply lives in its thread
    (reply,) = json.loads(alice.ok("read", original, "--json").stdout)["replies"]
    answer = json.loads(alice.ok("read", reply["feed_id"], "--json").stdout)
    assert answer["kind"] == "reply" and answer["parent"] == original


def test_reply_in_the_editor(alice: Member, bob: Member, tmp_path: Path) -> None:
    import sys

    entry = alice.ok("add", "Editor replies").stdout.strip()
    alice.ok("share", entry, "--yes")
    original = feed_ids(bob)["Editor replies"]
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\nopen(sys.argv[-1], 'a', encoding='utf-8').write('Written in the editor\\n')\n"
    )
    bob.env["VISUAL"] = f"{sys.executable} '{script}'"
    bob.ok("reply", original, "--edit", "--yes")
    (node,) = json.loads(bob.ok("read", original, "--json").stdout)["replies"]
    assert node["body"] == "Written in the editor\n"
    empty = bob("reply", original)
    assert empty.exit_code == 1 and "nothing to reply" in empty.output


def test_reshare_checkbacks_in_the_config_updates_the_copy(alice: Member, bob: Member) -> None:
    entry = alice.ok("add", "Config reshare", "--practice", "ci:Lint first").stdout.strip()
    alice.ok("share", entry, "--yes")
    original = feed_ids(bob)["Config reshare"]
    adopted = bob.ok("adopt", original).stdout.strip()
    bob.ok("share", adopted, "--yes")
    path = bob.home / "config" / "narrate" / "config.toml"
    path.write_text("reshare_checkbacks = true\n" + path.read_text("utf-8"), "utf-8")
    bob.ok("practice", "check", adopted, "--answer", "partly", "--yes")
    alice.ok("community", "pull")
    (adoption,) = json.loads(alice.ok("read", original, "--json").stdout)["adoptions"]
    assert [c["answer"] for c in adoption["checkbacks"]] == ["partly"]
    # --no-reshare keeps the copy as it was, and says it could be updated.
    said = bob.ok("practice", "check", adopted, "--answer", "yes", "--no-reshare")
    assert "--reshare" in said.output
    alice.ok("community", "pull")
    (adoption,) = json.loads(alice.ok("read", original, "--json").stdout)["adoptions"]
    assert len(adoption["checkbacks"]) == 1


def test_a_reply_is_published_only_to_the_community_it_answers(
    alice: Member, bob: Member, tmp_path: Path
) -> None:
    import subprocess

    other = tmp_path / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(other)], check=True)
    bob.ok("community", "add", "other", str(other), "--member", "bob")
    entry = alice.ok("add", "Only here").stdout.strip()
    alice.ok("share", entry, "--yes")
    original = feed_ids(bob)["Only here"]
    reply_id = bob.ok("reply", original, "Answer", "--yes").stdout.split()[0]
    refused = bob("share", reply_id, "--to", "other", "--yes")
    assert refused.exit_code == 1 and "can only be published there" in refused.output
    assert git(other, "for-each-ref").strip() == ""


def test_a_reshare_that_cannot_reach_the_community_keeps_the_check_back(
    alice: Member, bob: Member, cop: Path, tmp_path: Path
) -> None:
    import shutil

    entry = alice.ok("add", "Offline reshare", "--practice", "ci:Cache deps").stdout.strip()
    alice.ok("share", entry, "--yes")
    adopted = bob.ok("adopt", feed_ids(bob)["Offline reshare"]).stdout.strip()
    bob.ok("share", adopted, "--yes")
    shutil.move(cop, tmp_path / "away.git")
    failed = bob("practice", "check", adopted, "--answer", "yes", "--reshare", "--yes")
    assert failed.exit_code == 1 and "the check-back is recorded" in failed.output
    (change,) = json.loads(bob.ok("show", adopted, "--json").stdout)["practice"]
    assert "still doing it" in json.loads(bob.ok("show", adopted, "--json").stdout)["body"]
    assert change["area"] == "ci"


def test_a_reshare_of_an_entry_made_private_says_to_unshare_not_to_share(
    alice: Member, bob: Member
) -> None:
    entry = alice.ok("add", "Now private", "--practice", "ci:Pin tools").stdout.strip()
    alice.ok("share", entry, "--yes")
    adopted = bob.ok("adopt", feed_ids(bob)["Now private"]).stdout.strip()
    bob.ok("share", adopted, "--yes")
    # Later the user marks the entry private by hand, in its front matter.
    path = bob.journal / json.loads(bob.ok("show", adopted, "--json").stdout)["path"]
    text = path.read_text("utf-8")
    assert "\nprivate: false\n" in text
    path.write_text(text.replace("\nprivate: false\n", "\nprivate: true\n", 1), "utf-8")
    refused = bob("practice", "check", adopted, "--answer", "yes", "--reshare", "--yes")
    assert refused.exit_code == 1, refused.output
    assert "narrate share" not in refused.output  # a private entry can never be shared
    assert f"narrate unshare {adopted[:12]} --from cop" in refused.output, refused.output
    assert "the check-back is recorded" in refused.output
    body = json.loads(bob.ok("show", adopted, "--json").stdout)["body"]
    assert "still doing it" in body
    # Without --reshare the note says the same, not "update the copies with --reshare".
    said = bob.ok("practice", "check", adopted, "--answer", "partly")
    assert "--reshare" not in said.output and f"narrate unshare {adopted[:12]}" in said.output
