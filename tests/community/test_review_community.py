"""narrate review --community: the five cycles of value creation and the stories."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from narrate.community.feed import feed_id
from tests.community.helpers import Member, publish, shared_entry
from tests.community.scenario import (
    ALICE_ID,
    ALICE_PATH,
    BOB_COPY,
    BOB_COPY_ID,
    BOB_COPY_TEXT,
    CHANGE,
    publish_conversation,
)


def _review(member: Member, *extra: str) -> dict[str, Any]:
    args = ["review", "--community", "cop", "--since", "2026-11-01", "--until", "2026-12-31"]
    data = json.loads(member.ok(*args, "--json", *extra).output)
    assert isinstance(data, dict)
    return data


def test_the_story_has_bob_as_adopter_counted_under_applied(
    alice: Member, maintainer: Path
) -> None:
    publish_conversation(maintainer)
    alice.ok("community", "pull")
    data = _review(alice)
    assert set(data) == {"community", "since", "until", "by", "cycles", "stories"}
    assert (data["community"], data["since"], data["until"], data["by"]) == (
        "cop",
        "2026-11-01",
        "2026-12-31",
        "month",
    )
    cycles = data["cycles"]
    assert list(cycles) == ["immediate", "potential", "applied", "realized", "reframing"]
    # alice's entry and bob's copy are shares; bob's and carol's replies; three members.
    immediate = cycles["immediate"]
    assert (immediate["shares"], immediate["replies"], immediate["members"]) == (2, 2, 3)
    assert immediate["periods"]["2026-11"] == {"shares": 2, "replies": 2, "members": 3}
    assert immediate["periods"]["2026-12"] == {"shares": 0, "replies": 0, "members": 0}
    # Knowledge capital: alice's change; bob's adoption is not a new one.
    potential = cycles["potential"]
    assert potential["changes"] == 1 and potential["members"] == ["alice"]
    assert potential["areas"] == [{"area": "feature-flags", "changes": 1, "members": 1}]
    applied = cycles["applied"]
    assert (applied["started"], applied["adopted"], applied["dropped"]) == (1, 1, 0)
    assert applied["areas"] == [{"area": "feature-flags", "started": 1, "adopted": 1, "dropped": 0}]
    realized = cycles["realized"]
    assert realized["outcomes"] == 1
    assert realized["items"][0]["member"] == "bob"
    assert realized["items"][0]["outcome"] == "Two stale flags removed in the first week"
    story = data["stories"]
    assert len(story) == 1
    assert story[0]["origin"] == {
        "member": "alice",
        "feed_id": feed_id("cop", ALICE_PATH),
        "area": "feature-flags",
        "change": CHANGE,
        "title": "Flags that expire",
    }
    [adopter] = story[0]["adopters"]
    assert adopter["member"] == "bob" and adopter["status"] == "adopted"
    assert adopter["feed_id"] == feed_id("cop", BOB_COPY)
    assert adopter["checkbacks"] == [{"date": "2026-12-05", "answer": "yes"}]
    # bob's reply and carol's reply to it.
    assert story[0]["replies"] == 2


def test_a_period_before_anything_happened_is_empty(alice: Member, maintainer: Path) -> None:
    publish_conversation(maintainer)
    alice.ok("community", "pull")
    args = ["review", "--community", "cop", "--since", "2026-01-01", "--until", "2026-03-31"]
    data = json.loads(alice.ok(*args, "--json", "--by", "week").output)
    assert data["by"] == "week" and data["stories"] == []
    assert data["cycles"]["immediate"]["shares"] == 0
    assert data["cycles"]["applied"]["started"] == 0
    assert all(p["shares"] == 0 for p in data["cycles"]["immediate"]["periods"].values())


def test_reframing_reads_community_toml_history(alice: Member, maintainer: Path) -> None:
    publish(maintainer, {"community.toml": '[vocabulary]\nareas = ["testing", "flags"]\n'})
    publish(
        maintainer,
        {
            "community.toml": '[vocabulary]\nareas = ["testing", "feature-flags", "ci"]\n'
            '[vocabulary.synonyms]\nflags = "feature-flags"\n'
        },
    )
    alice.ok("community", "pull")
    # The commits are made now: review the days around today.
    reframing = json.loads(
        alice.ok("review", "--community", "cop", "--since", "2000-01-01", "--json").output
    )["cycles"]["reframing"]
    assert reframing["added"] == ["ci", "feature-flags", "flags", "testing"]
    assert reframing["merged"] == [{"from": "flags", "into": "feature-flags"}]
    assert reframing["removed"] == []
    assert [c["added"] for c in reframing["changes"]] == [
        ["flags", "testing"],
        ["ci", "feature-flags"],
    ]


def test_markdown_is_a_note_that_can_be_saved(alice: Member, maintainer: Path) -> None:
    publish_conversation(maintainer)
    alice.ok("community", "pull")
    args = ["review", "--community", "cop", "--since", "2026-11-01", "--until", "2026-12-31"]
    note = alice.ok(*args, "--markdown").output
    assert note.startswith("# Community review: cop, 2026-11-01 to 2026-12-31")
    for heading in ("Immediate", "Potential", "Applied", "Realized", "Reframing", "Stories"):
        assert f"## {heading}" in note
    assert "bob: adopted" in note
    saved = alice.ok("add", "-", input=note).output.split()[0]
    shown = json.loads(alice.ok("show", saved, "--json").output)
    assert "Community review" in shown["title"]


def test_an_unknown_community_is_one_clear_line(alice: Member) -> None:
    result = alice("review", "--community", "nope")
    assert result.exit_code != 0 and "no community 'nope'" in result.output


@pytest.fixture
def carol(tmp_path: Path, cop: Path, maintainer: Path) -> Member:
    member = Member(tmp_path / "people", "carol")
    member.ok("community", "add", "cop", str(cop), "--member", "carol")
    return member


def test_the_conversation_through_the_commands(alice: Member, bob: Member, carol: Member) -> None:
    """The issue's three members, each step through the publishing commands."""
    entry = alice.ok(
        "add", "Flags that expire", "--practice", f"feature-flags:{CHANGE}"
    ).stdout.strip()
    alice.ok("share", entry, "--yes")
    bob.ok("community", "pull")
    (item,) = json.loads(bob.ok("feed", "--json").stdout)
    original = item["feed_id"]
    bob.ok("reply", original, "How did you make the flag expire?", "--yes")
    adopted = bob.ok("adopt", original).stdout.strip()
    bob.ok("share", adopted, "--yes")
    carol.ok("community", "pull")
    bobs_reply = json.loads(carol.ok("read", original, "--json").stdout)["replies"][0]
    carol.ok("reply", bobs_reply["feed_id"], "A nightly sweep compares dates.", "--yes")
    bob.ok("practice", "check", adopted, "--answer", "yes", "--status", "adopted")
    bob.ok(
        "practice",
        "check",
        adopted,
        "--answer",
        "yes",
        "--outcome",
        "Two stale flags removed",
        "--reshare",
        "--with-notes",
        "--yes",
    )
    alice.ok("community", "pull")

    data = json.loads(
        alice.ok("review", "--community", "cop", "--since", "2000-01-01", "--json").stdout
    )
    (story,) = data["stories"]
    assert story["origin"]["member"] == "alice" and story["origin"]["feed_id"] == original
    assert story["origin"]["change"] == CHANGE
    (adopter,) = story["adopters"]
    assert adopter["member"] == "bob" and adopter["status"] == "adopted"
    assert [c["answer"] for c in adopter["checkbacks"]] == ["yes", "yes"]
    assert story["replies"] == 2
    applied = data["cycles"]["applied"]
    assert (applied["started"], applied["adopted"]) == (1, 1)
    immediate = data["cycles"]["immediate"]
    assert (immediate["replies"], immediate["members"]) == (2, 3)
    # The outcome bob shared with his check-back is the realized value.
    realized = data["cycles"]["realized"]
    assert [(i["member"], i["outcome"]) for i in realized["items"]] == [
        ("bob", "Two stale flags removed")
    ]

    found = json.loads(alice.ok("feed", "--search", "sweep", "--json").stdout)
    assert [(i["member"], i["kind"]) for i in found] == [("carol", "reply")]


def test_a_forged_adoption_is_no_story(alice: Member, maintainer: Path) -> None:
    publish_conversation(maintainer)
    forged = (
        BOB_COPY_TEXT.replace(BOB_COPY_ID, "01JMALLORY0000000000000000")
        .replace("author: bob", "author: mallory")
        # Names alice's file but an id it does not carry: the feed refuses the link.
        .replace(f"      id: {ALICE_ID}", "      id: 01JNOTALICE000000000000000")
    )
    publish(maintainer, {"members/mallory/2026/2026-11-23-forged.md": forged})
    alice.ok("community", "pull")
    data = _review(alice)
    [story] = data["stories"]
    assert [a["member"] for a in story["adopters"]] == ["bob"]


def test_ten_thousand_replies_stay_fast(bob: Member, maintainer: Path) -> None:
    from tests.community.test_conversation_hostile import (
        ROOT,
        fast_import,
        reply_file,
        root_link,
    )

    publish(maintainer, {ROOT: shared_entry("Root")})
    link = root_link()
    copy = BOB_COPY_TEXT.replace(ALICE_PATH, ROOT).replace(ALICE_ID, link["id"])
    copy = copy.replace("member: alice", "member: carol").replace("author: bob", "author: dan")
    files = {
        f"members/m{n % 50}/replies/2026/r{n}.md": reply_file(
            f"m{n % 50}", link, f"reply {n}", rid=f"01R{n:08d}"
        )
        for n in range(10_000)
    }
    files["members/dan/2026/2026-11-21-copy.md"] = copy
    fast_import(maintainer, files)
    bob.ok("community", "pull")
    started = time.perf_counter()
    data = _review(bob)
    review_took = time.perf_counter() - started
    [story] = data["stories"]
    assert story["replies"] == 10_000 and story["adopters"][0]["member"] == "dan"
    assert data["cycles"]["immediate"]["replies"] == 10_000
    started = time.perf_counter()
    found = json.loads(bob.ok("feed", "--search", "reply", "-n", "5", "--json").stdout)
    search_took = time.perf_counter() - started
    assert len(found) == 5 and all(item["kind"] == "reply" for item in found)
    print(f"10,000 replies: review {review_took:.2f} s, feed --search {search_took:.2f} s")
    assert review_took < 5 and search_took < 5


def test_a_members_markdown_cannot_become_a_link_in_the_note(
    alice: Member, maintainer: Path
) -> None:
    from tests.community.scenario import ALICE, BOB_COPY_TEXT

    sly = "Read [the docs](javascript:alert(1)) in snake_case"
    publish(
        maintainer,
        {
            ALICE_PATH: ALICE.replace(CHANGE, f'"{sly}"'),
            BOB_COPY: BOB_COPY_TEXT.replace(f"    change: {CHANGE}", f'    change: "{sly}"'),
        },
    )
    alice.ok("community", "pull")
    args = ["review", "--community", "cop", "--since", "2026-11-01", "--until", "2026-12-31"]
    note = alice.ok(*args, "--markdown").output
    assert r"\[the docs\](javascript:alert(1)) in snake\_case" in note
    assert "[the docs](" not in note
    # The terminal's text shows the member's words as they are.
    assert sly in alice.ok(*args).output
