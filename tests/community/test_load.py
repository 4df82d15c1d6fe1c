"""A load test on a real git server: many members sharing at once into one community
served by ``git daemon`` on loopback, each a real narrate process with its own journal
and identity. CI runs 8 members; ``NARRATE_LOAD_MEMBERS=50`` is the full run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.community.helpers import Member, git
from tests.community.test_contention import daemon, landed, member_env, start_share

__all__ = ["daemon"]  # the fixture, imported for pytest

MEMBERS = int(os.environ.get("NARRATE_LOAD_MEMBERS", "8"))
# Each process alone finishes well within this; the whole run stops by itself.
PROCESS_TIMEOUT = 180.0


@pytest.mark.load
def test_members_sharing_at_once_into_a_git_daemon_all_land_exactly_once(
    tmp_path: Path, daemon: tuple[str, Path], record_property: pytest.RecordProperty
) -> None:
    url, bare = daemon
    people = tmp_path / "people"
    members: list[tuple[Member, str]] = []
    for n in range(MEMBERS):
        member = Member(people, f"member-{n:03d}")
        member.ok("community", "add", "cop", url, "--member", member.handle)
        entry_id = member.ok("add", f"Load note from {member.handle}").stdout.strip()
        members.append((member, entry_id))

    # The baseline in the same run: as many narrate processes at once that only read the
    # entry (the cost of starting them on this machine, no network).
    started = time.monotonic()
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "narrate", "show", entry_id, "--json"],
            env=member_env(member),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for member, entry_id in members
    ]
    for reader in readers:
        reader.wait(timeout=PROCESS_TIMEOUT)
    baseline = time.monotonic() - started

    started = time.monotonic()
    running = [(member, start_share(member, entry_id)) for member, entry_id in members]
    finished: dict[str, float] = {}
    failures: list[str] = []
    for member, process in running:
        try:
            _out, err = process.communicate(timeout=PROCESS_TIMEOUT)
        except Exception:
            process.kill()
            process.communicate()
            raise
        finished[member.handle] = time.monotonic() - started
        if process.returncode != 0:
            failures.append(f"{member.handle}: {err.decode().strip()}")
    last_push = max(finished.values())
    record_property("members", MEMBERS)
    record_property("time_to_last_push_s", round(last_push, 2))
    record_property("same_processes_reading_s", round(baseline, 2))
    print(
        f"\n{MEMBERS} members sharing at once: last push after {last_push:.2f} s "
        f"({MEMBERS} processes only reading: {baseline:.2f} s)"
    )

    assert failures == []
    files = [f for f in landed(bare) if f.startswith("members/")]
    for member, _entry_id in members:
        mine = [f for f in files if f"/{member.handle}/" in f]
        assert len(mine) == 1, (member.handle, mine)
    # One commit per share, none twice.
    assert int(git(bare, "rev-list", "--count", "main")) == MEMBERS
