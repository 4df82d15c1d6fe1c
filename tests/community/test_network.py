"""Cheap network: no fetch when nothing changed, blobless clones, jittered pulls."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from narrate.community.pull import choose, jittered, pull
from narrate.community.repo import bucket, fetch_order
from narrate.config import load_config
from narrate.journal.core import Journal
from tests.community.helpers import Member, git, publish, shared_entry
from tests.community.test_hooks import arm, traces


def _fetches(trace: Path) -> int:
    """How many `git fetch` processes GIT_TRACE recorded."""
    if not trace.exists():
        return 0
    return sum("built-in: git fetch" in line for line in trace.read_text().splitlines())


def test_a_pull_that_finds_nothing_new_does_not_fetch(
    tmp_path: Path, bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    clone = bob.home / "data" / "narrate" / "communities" / "cop.git"
    bob.ok("community", "pull")  # whatever the clone held from joining
    trace.unlink(missing_ok=True)
    fetched_at = (clone / "FETCH_HEAD").stat().st_mtime_ns

    bob.ok("community", "pull")
    assert _fetches(trace) == 0
    assert (clone / "FETCH_HEAD").stat().st_mtime_ns == fetched_at

    publish(maintainer, {"members/carol/2026/2026-11-21-x.md": shared_entry("From carol")})
    out = bob.ok("feed").output
    assert "From carol" not in out
    bob.ok("community", "pull")
    assert _fetches(trace) == 1
    assert "From carol" in bob.ok("feed").output


def _partial_member(tmp_path: Path, url: str) -> Member:
    """A member whose config says the community is large: clone it blobless."""
    member = Member(tmp_path / "people", "zoe")
    member.config(f'[communities.cop]\nurl = "{url}"\nmember = "zoe"\npartial = true\n')
    return member


def _missing(clone: Path) -> set[str]:
    """Objects the clone lacks (a partial clone's promised ones), fetching nothing."""
    out = git(clone, "rev-list", "--objects", "--missing=print", "--all")
    return {line[1:].split()[0] for line in out.splitlines() if line.startswith("?")}


def test_a_large_community_clones_blobless_hardened_and_shows_every_entry(
    tmp_path: Path, cop: Path, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(cop, "config", "uploadpack.allowFilter", "true")
    old = "members/carol/2026/2026-11-20-edited.md"
    publish(maintainer, {old: shared_entry("First draft")})
    old_blob = git(maintainer, "rev-parse", f"HEAD:{old}").strip()
    publish(
        maintainer,
        {old: shared_entry("Final"), "members/dave/2026/2026-11-21-y.md": shared_entry("Dave")},
    )
    marker = tmp_path / "hook-ran"
    arm(cop, cop, marker)
    zoe = _partial_member(tmp_path, cop.as_uri())
    steps: list[str] = []
    for var, value in zoe.env.items():
        monkeypatch.setenv(var, value)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    with Journal.open(zoe.journal) as journal:
        config = load_config()
        [result] = pull(
            journal,
            choose(config),
            30,
            detail=lambda community, line: steps.append(line),
        )
    assert result.error is None and result.entries == 2
    # The branch, then the contents in one batch: no object fetched one at a time by a
    # git that found it missing (README.md, community.toml are in the batch too).
    assert _fetches(trace) == 2
    clone = choose(config)[0].clone_path
    assert git(clone, "config", "remote.origin.partialclonefilter").strip() == "blob:none"
    # The old draft's contents never came: only what the feed shows now.
    assert old_blob in _missing(clone)
    assert steps[0].startswith("cloning") and steps[-1] == "fetched 3 of 3 files"
    titles = sorted(i["title"] for i in json.loads(zoe.ok("feed", "--json").stdout))
    assert titles == ["Dave", "Final"]
    assert traces(marker) == []

    git(maintainer, "pull", "-q", "--rebase", "origin", "main")
    publish(maintainer, {"members/carol/2026/2026-11-22-z.md": shared_entry("Later")})
    marker.unlink()  # the maintainer's own push ran them
    pulled = zoe.ok("community", "pull")
    assert "fetched" not in pulled.output  # progress only on a terminal
    assert "Later" in zoe.ok("feed").output
    entry_id = zoe.ok("add", "Shared from a partial clone").stdout.strip()
    zoe.ok("share", entry_id, "--to", "cop", "--yes")
    zoe.ok("unshare", entry_id, "--from", "cop")
    assert not (clone / "narrate-backfill-pending").exists()
    # Still hardened: none of the community's hooks or commands ran for the member.
    assert traces(marker) == []


def test_a_partial_clone_fetches_followed_members_first_then_newest() -> None:
    files = [
        ("members/ann/2025/2025-01-02-a.md", "a1"),
        ("members/bob/2026/2026-03-01-b.md", "b1"),
        (f"members/{bucket('cy')}/cy/2024/2024-05-05-c.md", "c1"),
        ("members/ann/2026/2026-02-01-a.md", "a2"),
    ]
    files.append(("community.toml", "t1"))
    assert fetch_order(files) == ["b1", "a2", "a1", "c1", "t1"]
    assert fetch_order(files, followed=["cy", "ann"]) == ["a2", "a1", "c1", "b1", "t1"]


def test_periodic_pulls_are_jittered_twenty_percent_around_the_interval() -> None:
    rng = random.Random(42)
    waits = [jittered(600, rng) for _ in range(500)]
    assert all(480 <= w <= 720 for w in waits)
    assert min(waits) < 500 and max(waits) > 700  # spread, not one fixed time
    assert jittered(600, random.Random(7)) == jittered(600, random.Random(7))


def test_the_community_screen_pulls_by_itself_at_the_configured_interval(
    alice: Member, bob: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from narrate.tui.app import NarrateApp
    from tests.tui.helpers import wait_for
    from tests.tui.test_community_screens import become, open_community

    config = bob.home / "config" / "narrate" / "config.toml"
    # About a tenth of a second: the screen's own timer, no key pressed.
    config.write_text("community_pull_minutes = 0.002\n" + config.read_text("utf-8"), "utf-8")
    entry_id = alice.ok("add", "Pulled without asking").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    journal = become(monkeypatch, bob)

    async def scenario() -> None:
        async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
            screen = await open_community(pilot)
            await wait_for(pilot, lambda: screen.feed.option_count == 1, timeout=20)

    try:
        asyncio.run(scenario())  # the tests/tui conftest's runner is not in scope here
    finally:
        journal.close()


def test_community_add_partial_joins_blobless_and_remembers_it(
    tmp_path: Path, cop: Path, maintainer: Path
) -> None:
    git(cop, "config", "uploadpack.allowFilter", "true")
    publish(maintainer, {"members/carol/2026/2026-11-20-x.md": shared_entry("Carol")})
    zoe = Member(tmp_path / "people", "zoe")
    joined = zoe.ok("community", "add", "cop", cop.as_uri(), "--member", "zoe", "--partial")
    assert "1 shared entry" in joined.output
    config = (zoe.home / "config" / "narrate" / "config.toml").read_text("utf-8")
    assert "partial = true" in config
    clone = zoe.home / "data" / "narrate" / "communities" / "cop.git"
    assert git(clone, "config", "remote.origin.partialclonefilter").strip() == "blob:none"
    assert "Carol" in zoe.ok("feed").output


def test_a_long_first_pull_reports_progress_on_a_terminal_only(
    tmp_path: Path, cop: Path, maintainer: Path
) -> None:
    import os
    import pty
    import subprocess
    import sys

    from tests.community.test_contention import member_env

    git(cop, "config", "uploadpack.allowFilter", "true")
    publish(maintainer, {"members/carol/2026/2026-11-20-x.md": shared_entry("Carol")})
    zoe = _partial_member(tmp_path, cop.as_uri())
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "narrate", "community", "pull"],
            env=member_env(zoe),
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=120,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0
    lines = shown.decode().splitlines()
    assert lines[0].startswith("cop: cloning") and "cop: fetched 2 of 2 files" in lines
    assert b"fetched" not in done.stdout  # the result lines only on stdout


def test_a_first_clone_is_not_bound_by_the_pull_timeout(
    tmp_path: Path, cop: Path, maintainer: Path
) -> None:
    # At a million shares the first clone is minutes of work: `community add` failed
    # "did not answer within 30 s" (bench/bench_community.py 1000000). The pull's timeout
    # bounds what follows; a clone has a bound of its own. Here a timeout no clone meets.
    from narrate.community import repo

    assert repo.CLONE_TIMEOUT >= 600
    publish(maintainer, {"members/carol/2026/2026-11-20-x.md": shared_entry("Carol")})
    zoe = Member(tmp_path / "people", "zoe")
    zoe.config("sync_timeout = 0.001\n")
    joined = zoe.ok("community", "add", "cop", str(cop), "--member", "zoe")
    assert "1 shared entry" in joined.output
