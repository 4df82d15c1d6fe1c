"""The pull and feed use cases (narrate.community.pull), as both faces call them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from narrate.community.pull import choose, pull, read_feed
from narrate.community.registry import load_state
from narrate.config import load_config
from narrate.journal.core import Journal
from tests.community.helpers import Member, publish, shared_entry


def test_a_failing_community_is_reported_and_the_others_still_pulled(
    tmp_path: Path, bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(other)], check=True)
    bob.ok("community", "add", "other", str(other), "--member", "bob")
    publish(maintainer, {"members/carol/2026/2026-11-21-x.md": shared_entry("From carol")})
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, bob.env[var])
    # The other community's remote is gone, and so is bob's clone of it.
    shutil.rmtree(other)
    config = load_config()
    shutil.rmtree(choose(config, "other")[0].clone_path)
    joined = load_state()["other"]  # joining was its last pull (the clone)

    steps: list[tuple[str, int, int]] = []
    with Journal.open(bob.journal) as journal:
        results = pull(
            journal,
            choose(config),
            timeout=30,
            progress=lambda community, n, total: steps.append((community.name, n, total)),
        )
        feed = read_feed(journal, choose(config), with_info=True)
    assert steps == [("cop", 1, 2), ("other", 2, 2)]
    cop, gone = results
    assert cop.error is None and cop.entries == 1
    assert gone.error is not None and gone.entries == 0
    state = load_state()
    # The failed pull records nothing: "other" keeps the time it was joined.
    assert state["cop"]["last_pull"] and state["other"] == joined
    assert [item["title"] for item in feed.items] == ["From carol"]
    views = {view.community.name: view for view in feed.communities}
    assert views["cop"].cloned and views["cop"].info is not None
    assert not views["other"].cloned


def test_the_cli_reports_a_failed_community_and_exits_1(
    tmp_path: Path, bob: Member, maintainer: Path
) -> None:
    other = tmp_path / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(other)], check=True)
    bob.ok("community", "add", "other", str(other), "--member", "bob")
    shutil.rmtree(other)
    result = bob("community", "pull")
    assert result.exit_code == 1
    assert "cop: 0 shared entries." in result.stdout
    assert result.stderr.startswith("narrate: ") and "other" in result.stderr
