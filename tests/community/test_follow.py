"""narrate follow / unfollow and feed --following: what to read first."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.community.helpers import Member, publish, shared_entry
from tests.community.scenario import publish_conversation


def _following(member: Member, *extra: str) -> list[str]:
    found = json.loads(member.ok("feed", "--following", "--json", *extra).output)
    return sorted(item["path"] for item in found)


def _config(member: Member) -> dict[str, object]:
    path = member.home / "config" / "narrate" / "config.toml"
    return tomllib.loads(path.read_text("utf-8"))


def test_following_a_member_a_tag_and_an_area(alice: Member, maintainer: Path) -> None:
    publish_conversation(maintainer)
    publish(
        maintainer,
        {
            "members/dan/2026/2026-11-23-tests.md": shared_entry("Dan on tests"),
            "members/erin/2026/2026-11-23-other.md": shared_entry("Erin", area="ops").replace(
                "tags: [testing]", "tags: [lang/python]"
            ),
        },
    )
    alice.ok("community", "pull")
    assert _following(alice) == []
    assert "Following carol in cop." in alice.ok("follow", "carol").output
    assert _following(alice) == ["members/carol/replies/2026/2026-11-22-re-re-flags-expire.md"]
    alice.ok("follow", "#lang")  # a tag follows its children
    alice.ok("follow", "area:Feature Flags")
    assert _following(alice) == [
        "members/bob/2026/2026-11-21-trying-flags-expire.md",
        "members/carol/replies/2026/2026-11-22-re-re-flags-expire.md",
        "members/erin/2026/2026-11-23-other.md",
    ]
    # Kept with the community's settings, in the stored forms.
    communities = _config(alice)["communities"]
    assert isinstance(communities, dict)
    assert communities["cop"]["follow"] == ["carol", "#lang", "area:feature-flags"]
    assert "Already following" in alice.ok("follow", "carol").output
    alice.ok("unfollow", "carol")
    assert "members/carol/replies/2026/2026-11-22-re-re-flags-expire.md" not in _following(alice)
    listed = json.loads(alice.ok("follow", "--json").output)
    assert listed == [{"community": "cop", "follow": ["#lang", "area:feature-flags"]}]
    # --following and --search together: what is followed, matching the query.
    found = json.loads(alice.ok("feed", "--following", "--search", "python", "--json").output)
    assert [item["member"] for item in found] == []
    found = json.loads(alice.ok("feed", "--following", "--search", "expiry", "--json").output)
    assert [item["member"] for item in found] == ["bob"]


def test_a_bad_target_is_one_clear_line(alice: Member) -> None:
    result = alice("follow", "[@click=quit]")
    assert result.exit_code != 0
    assert "give a member handle" in result.output
    assert "@click" not in _config(alice).get("communities", {})["cop"].get("follow", [])  # type: ignore[union-attr]


def test_several_communities_need_community(alice: Member, tmp_path: Path) -> None:
    other = tmp_path / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(other)], check=True)
    alice.ok("community", "add", "other", str(other), "--member", "alice")
    result = alice("follow", "bob")
    assert result.exit_code != 0 and "--community" in result.output
    alice.ok("follow", "bob", "--community", "other")
    communities = _config(alice)["communities"]
    assert isinstance(communities, dict)
    assert communities["other"]["follow"] == ["bob"] and "follow" not in communities["cop"]


def test_followed_members_are_what_a_partial_clone_fetches_first(alice: Member) -> None:
    # `follow` writes the list; the community a pull builds from the config carries its
    # members (not its tags or areas) to the partial clone's fetch order.
    from narrate.community.pull import followed_of
    from narrate.community.registry import communities
    from narrate.config import load_config

    alice.ok("follow", "carol")
    alice.ok("follow", "#lang")
    alice.ok("follow", "area:ops")
    alice.ok("follow", "bob")
    config = load_config(alice.home / "config" / "narrate" / "config.toml")
    assert followed_of(communities(config)["cop"]) == ["carol", "bob"]


def _config_path(member: Member) -> Path:
    return member.home / "config" / "narrate" / "config.toml"


@pytest.mark.parametrize(
    "value", ['"bob"', "[1, 2]", '["bob", "[@click=quit]"]', '{ who = "bob" }']
)
def test_a_broken_follow_list_is_a_config_error_and_is_never_rewritten(
    alice: Member, value: str
) -> None:
    path = _config_path(alice)
    path.write_text(path.read_text("utf-8") + f"follow = {value}\n", "utf-8")
    before = path.read_bytes()
    for args in (("follow", "carol"), ("unfollow", "bob"), ("follow",), ("feed", "--following")):
        result = alice(*args)
        assert result.exit_code != 0, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert str(path) in lines[0] and "'communities.cop.follow'" in lines[0], lines[0]
        assert "Traceback" not in result.output
    assert path.read_bytes() == before  # bob is not lost
