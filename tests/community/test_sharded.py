"""Sharded member folders: members/<bucket>/<handle>/..., declared in community.toml,
read beside flat folders, and a bucket that is not its member's refused."""

from __future__ import annotations

import json
from pathlib import Path

from narrate.community.repo import bucket, member_folder, member_of, member_path
from tests.community.helpers import Member, git, publish, shared_entry


def test_the_one_rule_places_and_finds_members_in_both_layouts() -> None:
    assert member_folder("alice") == "members/alice/"
    assert member_folder("alice", "sharded") == f"members/{bucket('alice')}/alice/"
    sharded = f"{member_folder('alice', 'sharded')}2026/2026-11-20-x.md"
    assert member_of(sharded) == "alice"
    assert member_of(f"{member_folder('alice', 'sharded')}replies/2026/r.md") == "alice"
    assert member_of("members/alice/2026/2026-11-20-x.md") == "alice"
    # A two-hex-digit handle keeps its flat folder, replies included.
    assert member_of("members/ab/2026/2026-11-20-x.md") == "ab"
    assert member_of("members/ab/replies/2026/2026-11-20-x.md") == "ab"
    found, problem = member_path("members/00/alice/2026/x.md")
    assert found is None and problem is not None and bucket("alice") in problem


def test_a_share_into_a_sharded_community_lands_in_its_bucket(
    alice: Member, bob: Member, cop: Path, maintainer: Path
) -> None:
    publish(maintainer, {"community.toml": 'name = "cop"\nlayout = "sharded"\n'})
    entry_id = alice.ok("add", "Sharded share").stdout.strip()
    shared = alice.ok("share", entry_id, "--to", "cop", "--yes")
    files = git(cop, "ls-tree", "-r", "--name-only", "main").split()
    mine = [f for f in files if "sharded-share" in f]
    assert mine == [f"members/{bucket('alice')}/alice/2026/{mine[0].rsplit('/', 1)[1]}"]
    assert mine[0] in shared.output
    bob.ok("community", "pull")
    items = json.loads(bob.ok("feed", "--json").stdout)
    assert [(i["member"], i["title"]) for i in items] == [("alice", "Sharded share")]
    # Sharing the entry again keeps the one copy (the own copy is found in the bucket).
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    files = git(cop, "ls-tree", "-r", "--name-only", "main").split()
    assert [f for f in files if "sharded-share" in f] == mine


def test_a_flat_copy_moves_into_the_bucket_when_the_community_shards(
    alice: Member, cop: Path, maintainer: Path
) -> None:
    entry_id = alice.ok("add", "Older share").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    publish_pull(maintainer)
    publish(maintainer, {"community.toml": 'layout = "sharded"\n'})
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    files = [f for f in git(cop, "ls-tree", "-r", "--name-only", "main").split() if "older" in f]
    assert len(files) == 1 and files[0].startswith(f"members/{bucket('alice')}/alice/")


def publish_pull(work: Path) -> None:
    """Bring the maintainer's clone up to date with what members pushed."""
    git(work, "pull", "-q", "--rebase", "origin", "main")


def test_a_client_reads_a_community_holding_both_layouts(bob: Member, maintainer: Path) -> None:
    publish(
        maintainer,
        {
            "members/carol/2026/2026-11-20-flat.md": shared_entry("Flat carol"),
            f"members/{bucket('dave')}/dave/2026/2026-11-20-sharded.md": shared_entry(
                "Sharded dave"
            ),
            "members/ab/2026/2026-11-20-two-hex.md": shared_entry("Flat ab"),
        },
    )
    bob.ok("community", "pull")
    items = json.loads(bob.ok("feed", "--json").stdout)
    assert sorted((i["member"], i["title"]) for i in items) == [
        ("ab", "Flat ab"),
        ("carol", "Flat carol"),
        ("dave", "Sharded dave"),
    ]


def test_a_file_in_a_bucket_that_is_not_its_members_is_refused_with_a_notice(
    bob: Member, maintainer: Path
) -> None:
    wrong = "00" if bucket("alice") != "00" else "01"
    publish(
        maintainer,
        {
            f"members/{wrong}/alice/2026/2026-11-20-planted.md": shared_entry("Planted"),
            f"members/{bucket('alice')}/alice/2026/2026-11-20-real.md": shared_entry("Real"),
        },
    )
    pulled = bob.ok("community", "pull")
    assert f"members/{wrong}/alice/2026/2026-11-20-planted.md" in pulled.output
    assert f"belongs in bucket {bucket('alice')}/" in pulled.output
    items = json.loads(bob.ok("feed", "--json").stdout)
    assert [i["title"] for i in items] == ["Real"]


def test_a_layout_this_narrate_does_not_know_publishes_nothing(
    alice: Member, cop: Path, maintainer: Path
) -> None:
    publish(maintainer, {"community.toml": 'layout = "hashed-v9"\n'})
    before = git(cop, "rev-parse", "main")
    entry_id = alice.ok("add", "Nowhere to go").stdout.strip()
    refused = alice("share", entry_id, "--to", "cop", "--yes")
    assert refused.exit_code != 0
    assert "layout 'hashed-v9'" in refused.output and "nothing was published" in refused.output
    assert git(cop, "rev-parse", "main") == before


def test_a_conversation_in_a_sharded_community_threads_and_counts(
    alice: Member, bob: Member, cop: Path, maintainer: Path
) -> None:
    publish(maintainer, {"community.toml": 'layout = "sharded"\n'})
    entry_id = alice.ok("add", "Sharded thread #testing").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    bob.ok("community", "pull")
    (item,) = json.loads(bob.ok("feed", "--json").stdout)
    bob.ok("reply", item["feed_id"], "Answered from a bucket", "--yes")
    files = git(cop, "ls-tree", "-r", "--name-only", "main").split()
    assert any(f.startswith(f"members/{bucket('bob')}/bob/replies/") for f in files), files
    pulled = alice.ok("community", "pull").stdout
    assert "New on your entries: 1 reply" in pulled
    thread = json.loads(alice.ok("read", item["feed_id"], "--json").stdout)
    assert [(r["member"], r["body"].strip()) for r in thread["replies"]] == [
        ("bob", "Answered from a bucket")
    ]
