"""Member identity is a folder name: narrate flags handles that break the rule or pass
for another member, and entries pushed by someone other than the folder's usual author
(issue 11, item 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrate.cli import main
from narrate.community.registry import handle_notice
from tests.community.helpers import Member, git, publish, shared_entry

CYRILLIC_ALICE = "\u0430lice"  # Cyrillic a, then Latin "lice"


def commit_as(work: Path, author: str, files: dict[str, str]) -> None:
    """Commit files into the community as ``author`` ("Name <email>") and push."""
    for rel, content in files.items():
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, "utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "share", f"--author={author}")
    git(work, "push", "-q", "origin", "main")


ALICE = "Alice <alice@cop.example>"
MALLORY = "Mallory <mallory@evil.example>"


@pytest.fixture
def community(maintainer: Path) -> Path:
    commit_as(maintainer, ALICE, {"members/alice/2026/2026-11-01-one.md": shared_entry("One")})
    commit_as(maintainer, ALICE, {"members/alice/2026/2026-11-02-two.md": shared_entry("Two")})
    commit_as(
        maintainer,
        MALLORY,
        {
            "members/alice/2026/2026-11-03-forged.md": shared_entry("Forged"),
            f"members/{CYRILLIC_ALICE}/2026/2026-11-04-lookalike.md": shared_entry("Lookalike"),
            "members/Bob/2026/2026-11-05-upper.md": shared_entry("Upper"),
            "members/\x1b[2J\x1b]0;x\x07/2026/2026-11-06-escapes.md": shared_entry("Escapes"),
        },
    )
    commit_as(
        maintainer,
        "Bob <bob@cop.example>",
        {"members/bob/2026/2026-11-07-b.md": shared_entry("Bob's")},
    )
    return maintainer


def test_handle_notices() -> None:
    members = ["alice", CYRILLIC_ALICE, "Bob", "bob", "\x1b[2J"]
    assert handle_notice("alice", members) is None
    assert handle_notice("bob", members) is None
    lookalike = handle_notice(CYRILLIC_ALICE, members)
    assert lookalike and "Cyrillic" in lookalike and "Latin" in lookalike and "'alice'" in lookalike
    upper = handle_notice("Bob", members)
    assert upper and "upper-case" in upper and "'bob'" in upper
    hidden = handle_notice("\x1b[2J", members)
    assert hidden and "control" in hidden
    assert handle_notice("élise", ["élise"])  # outside the rule, though one script


def test_feed_flags_forged_entries_and_lookalike_handles(
    bob: Member, community: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal import gitrun

    logs: list[list[str]] = []
    real_run = gitrun.run

    def counting(args, *rest, **kwargs):  # type: ignore[no-untyped-def]
        if "log" in args:
            logs.append(list(args))
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(gitrun, "run", counting)
    pulled = bob.ok("community", "pull")
    assert f"members/{CYRILLIC_ALICE}: member name mixes Cyrillic and Latin" in pulled.stderr
    assert "members/Bob: member name has upper-case letters" in pulled.stderr
    assert "1 shared entry was pushed by someone other" in pulled.stderr
    assert "\x1b" not in pulled.stderr
    assert len(logs) == 1  # the author check is one git log pass, not one per file
    items = {i["title"]: i for i in json.loads(bob.ok("feed", "--json").stdout)}
    assert set(items) == {"One", "Two", "Forged", "Lookalike", "Upper", "Escapes"}

    assert items["One"]["pushed_by"] == "Alice <alice@cop.example>"
    assert items["One"]["pushed_by_other"] is False and items["One"]["handle_notice"] is None
    assert items["Forged"]["pushed_by"] == "Mallory <mallory@evil.example>"
    assert items["Forged"]["pushed_by_other"] is True
    assert "alice" in items["Lookalike"]["handle_notice"]
    assert "Cyrillic" in items["Lookalike"]["handle_notice"]
    assert "bob" in items["Upper"]["handle_notice"]
    assert "control" in items["Escapes"]["handle_notice"]
    # A member's only author is their usual one.
    assert items["Lookalike"]["pushed_by_other"] is False

    human = CliRunner().invoke(main, ["feed"], env={**bob.env, "COLUMNS": "300"}).stdout
    forged_line = next(line for line in human.splitlines() if "Forged" in line)
    assert "pushed by someone else" in forged_line
    one_line = next(line for line in human.splitlines() if "One" in line)
    assert "pushed by someone else" not in one_line
    assert "looks like" in human and "\x1b" not in human
    # Reading again from the index runs no git log at all.
    logs.clear()
    bob.ok("feed")
    assert logs == []


def test_the_app_shows_the_notices_in_the_feed_list() -> None:
    from narrate.tui.widgets.feed_list import feed_prompt

    item = {
        "title": "Forged",
        "member": "alice",
        "community": "cop",
        "created": "2026-11-20T10:00:00Z",
        "practice": [],
        "pushed_by": MALLORY,
        "usual_author": ALICE,
        "pushed_by_other": True,
        "handle_notice": None,
    }
    shown = feed_prompt(item).plain
    assert "pushed by someone else: Mallory <mallory@evil.example>" in shown
    assert "pushed by someone else" not in feed_prompt({**item, "pushed_by_other": False}).plain
    lookalike = {**item, "pushed_by_other": False, "handle_notice": "member name mixes ..."}
    assert "⚠ member name mixes" in feed_prompt(lookalike).plain


def test_a_mailmap_in_the_community_cannot_rename_the_pusher(bob: Member, maintainer: Path) -> None:
    commit_as(maintainer, ALICE, {"members/alice/2026/2026-11-01-one.md": shared_entry("One")})
    commit_as(
        maintainer,
        MALLORY,
        {
            ".mailmap": f"{ALICE} {MALLORY}\n",
            "members/alice/2026/2026-11-03-forged.md": shared_entry("Forged"),
        },
    )
    bob.ok("community", "pull")
    items = {i["title"]: i for i in json.loads(bob.ok("feed", "--json").stdout)}
    assert items["Forged"]["pushed_by"] == MALLORY and items["Forged"]["pushed_by_other"]


ZW_BOB = "b\u200bob"  # a zero-width space inside: shows as "bob"


def test_an_invisible_character_in_a_member_name_is_shown_not_dropped(
    alice: Member, maintainer: Path
) -> None:
    publish(
        maintainer,
        {
            f"members/{ZW_BOB}/2026/2026-11-04-impostor.md": shared_entry("Impostor"),
            "members/bob/2026/2026-11-05-real.md": shared_entry("Real"),
        },
    )
    pulled = alice.ok("community", "pull")
    assert "\u200b" not in pulled.output
    assert "members/b<U+200B>ob: member name has control or invisible" in pulled.stderr
    assert "looks like member 'bob'" in pulled.stderr
    raw = alice.ok("feed", "--json").stdout
    # JSON carries the real name (written with an escape, nothing invisible printed).
    assert "\u200b" not in raw and '"b\\u200bob"' in raw, raw
    items = {i["title"]: i for i in json.loads(raw)}
    assert items["Impostor"]["member"] == ZW_BOB != "bob"
    assert items["Real"]["member"] == "bob"
    human = CliRunner().invoke(main, ["feed"], env={**alice.env, "COLUMNS": "300"}).stdout
    impostor = next(line for line in human.splitlines() if "Impostor" in line)
    assert "b<U+200B>ob@cop" in impostor and "\u200b" not in human, impostor
