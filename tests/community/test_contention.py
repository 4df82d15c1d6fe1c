"""Pushes that survive contention: members sharing at the same moment into one remote,
in real processes, each share landing exactly once."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrate.community.repo import PUSH_BASE, PUSH_CAP, push_delay
from tests.community.helpers import Member, git

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real git server on loopback (receive-pack on) serving an empty bare ``cop.git``:
    its URL and the repository; killed at teardown."""
    base = tmp_path / "served"
    bare = base / "cop.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={port}",
            f"--base-path={base}",
            "--export-all",
            "--enable=receive-pack",
            "--informative-errors",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        until = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > until or server.poll() is not None:
                    raise RuntimeError("git daemon did not start") from None
                time.sleep(0.05)
        yield f"git://127.0.0.1:{port}/cop.git", bare
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)


def member_env(member: Member) -> dict[str, str]:
    """The environment of a real narrate process run as ``member``."""
    return {**os.environ, **member.env, "PYTHONPATH": str(ROOT)}


def start_share(member: Member, entry_id: str, community: str = "cop") -> subprocess.Popen[bytes]:
    """``narrate share`` as its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "narrate", "share", entry_id, "--to", community, "--yes"],
        env=member_env(member),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def landed(bare: Path) -> list[str]:
    """Every file in the remote's main branch."""
    return git(bare, "ls-tree", "-r", "--name-only", "main").split()


def test_the_wait_before_a_retry_is_full_jitter_growing_to_a_cap() -> None:
    rng = random.Random(15)
    for attempt in range(8):
        ceiling = min(PUSH_CAP, PUSH_BASE * 2**attempt)
        waits = [push_delay(attempt, rng) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        # Spread over the whole range, not bunched at the top: members who collided
        # must not retry in lock step.
        assert min(waits) < ceiling * 0.1 and max(waits) > ceiling * 0.9
    assert push_delay(3, random.Random(1)) == push_delay(3, random.Random(1))


def test_two_members_sharing_at_the_same_moment_both_land_once(
    tmp_path: Path, cop: Path, maintainer: Path
) -> None:
    people = tmp_path / "people"
    members = [Member(people, handle) for handle in ("alice", "bob")]
    ids: dict[str, list[str]] = {}
    for member in members:
        member.ok("community", "add", "cop", str(cop), "--member", member.handle)
        ids[member.handle] = [
            member.ok("add", f"{member.handle} note {n}").stdout.strip() for n in range(3)
        ]
    # Each member shares three entries back to back, both at once: their pushes collide.
    for n in range(3):
        running = [start_share(m, ids[m.handle][n]) for m in members]
        for process in running:
            _out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err.decode()
    files = [f for f in landed(cop) if f.startswith("members/")]
    for member in members:
        mine = [f for f in files if f.startswith(f"members/{member.handle}/")]
        assert len(mine) == 3 and len(set(mine)) == 3
        for n in range(3):
            assert sum(f"-{member.handle}-note-{n}" in f for f in mine) == 1
    # One commit per share on top of the maintainer's: nothing pushed twice.
    assert int(git(cop, "rev-list", "--count", "main")) == 1 + 6
