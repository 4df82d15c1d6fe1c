"""Communities as a person lives with them (issue 13, items 13 and 16): adopting twice,
and the messages of add, list, share and adopt."""

from __future__ import annotations

import json
from pathlib import Path

from tests.community.helpers import Member, publish, shared_entry


def feed_id(member: Member) -> str:
    member.ok("community", "pull")
    (item,) = json.loads(member.ok("feed", "--json").stdout)
    return str(item["feed_id"])


def entry_count(member: Member) -> int:
    return len(json.loads(member.ok("list", "--json", "--all").stdout))


def test_adopting_twice_names_the_first_adoption_and_writes_nothing(
    bob: Member, maintainer: Path
) -> None:
    publish(maintainer, {"members/carol/2026/11/pairing.md": shared_entry("Pairing on flakes")})
    ref = feed_id(bob)
    first = bob.ok("adopt", ref)
    adopted = first.stdout.strip()
    assert entry_count(bob) == 1

    second = bob.ok("adopt", ref)
    assert second.stdout.strip() == adopted
    assert "already adopted" in second.stderr and adopted[:12] in second.stderr
    assert "--again" in second.stderr
    assert entry_count(bob) == 1

    third = bob.ok("adopt", ref, "--again")
    assert third.stdout.strip() != adopted
    assert entry_count(bob) == 2


def test_adopt_says_trying_once(bob: Member, maintainer: Path) -> None:
    publish(maintainer, {"members/carol/2026/11/pairing.md": shared_entry("Pairing on flakes")})
    result = bob.ok("adopt", feed_id(bob))
    assert "Trying: Pair on flaky tests" in result.stderr
    assert "Trying it: Trying" not in result.stderr


def test_the_handle_error_gives_a_handle_as_its_example(bob: Member, cop: Path) -> None:
    result = bob("community", "add", "other", str(cop), "--member", "Not A Handle")
    assert result.exit_code == 1
    assert "member handle 'Not A Handle'" in result.stderr
    assert "python-cop" not in result.stderr


def test_community_list_after_joining_shows_the_clone_as_the_last_pull(bob: Member) -> None:
    (item,) = json.loads(bob.ok("community", "list", "--json").stdout)
    assert item["last_pull"] is not None
    assert "never" not in bob.ok("community", "list").stdout


def test_joining_counts_shared_entries_in_words(bob: Member, maintainer: Path, cop: Path) -> None:
    publish(maintainer, {"members/carol/2026/11/pairing.md": shared_entry("Pairing on flakes")})
    result = bob.ok("community", "pull")
    assert "cop: 1 shared entry." in result.stdout


def test_share_with_one_community_needs_no_to_and_resharing_says_unchanged(
    alice: Member,
) -> None:
    entry_id = alice.ok("add", "Read the tests first #review").stdout.strip()
    first = alice.ok("share", entry_id, "--yes")
    assert "Published to cop" in first.stderr
    again = alice.ok("share", entry_id, "--yes")
    assert "Unchanged" in again.stderr and "Published" not in again.stderr


def test_share_without_to_among_several_communities_asks_which(
    alice: Member, tmp_path: Path
) -> None:
    import subprocess

    other = tmp_path / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(other)], check=True)
    alice.ok("community", "add", "other", str(other), "--member", "alice")
    entry_id = alice.ok("add", "Read the tests first").stdout.strip()
    result = alice("share", entry_id, "--yes")
    assert result.exit_code == 1
    assert "--to" in result.stderr and "cop" in result.stderr and "other" in result.stderr


def test_a_clone_failure_shows_the_reason(bob: Member, tmp_path: Path) -> None:
    # git prints "Cloning into bare repository ..." first, then the reason.
    url = (tmp_path / "missing.git").as_uri()
    result = bob("community", "add", "gone", url, "--member", "bob")
    assert result.exit_code == 1
    assert "Cloning into" not in result.stderr
    assert "does not appear to be a git repository" in result.stderr
