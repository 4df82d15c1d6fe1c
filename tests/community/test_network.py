"""Cheap network: no fetch when nothing changed, blobless clones, jittered pulls."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.community.helpers import Member, publish, shared_entry


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
