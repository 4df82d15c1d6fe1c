"""Journals whose .git is a file: a worktree, --separate-git-dir, a submodule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli, commit_count, git, tracked


@pytest.fixture
def separate(tmp_path: Path) -> Path:
    """A folder whose .git is a file pointing at a git dir elsewhere."""
    root = tmp_path / "journal"
    git(tmp_path, "init", "-q", "--initial-branch=main", "--separate-git-dir",
        str(tmp_path / "elsewhere.git"), str(root))  # fmt: skip
    assert (root / ".git").is_file()
    return root


@pytest.fixture
def worktree(root: Path, tmp_path: Path) -> Path:
    """A second working tree of a journal (its .git is a file)."""
    target = tmp_path / "second"
    git(root, "worktree", "add", "-q", "-b", "second", str(target))
    assert (target / ".git").is_file()
    return target


def test_init_and_add_in_a_separate_git_dir(separate: Path) -> None:
    cli = Cli(separate)
    cli.ok("init", str(separate))
    assert commit_count(separate) == 1
    cli.add("Written where .git is a file")
    assert commit_count(separate) == 2
    assert any(p.startswith("entries/") for p in tracked(separate))
    assert git(separate, "status", "--porcelain").strip() == ""
    doctor = cli("doctor")
    assert doctor.exit_code == 0, doctor.output
    assert "not a git repository" not in doctor.output


def test_add_edit_and_doctor_in_a_worktree(worktree: Path) -> None:
    cli = Cli(worktree)
    cli.add("Written in a worktree")
    assert git(worktree, "log", "-1", "--format=%s").strip().startswith("Add")
    assert git(worktree, "status", "--porcelain").strip() == ""
    status = json.loads(cli.ok("status", "--json").stdout)
    assert status["branch"] == "second" and status["problems"] == []


def test_a_stale_lock_in_a_worktree_is_named(worktree: Path) -> None:
    import os
    import time

    lock = Path(git(worktree, "rev-parse", "--absolute-git-dir").strip()) / "index.lock"
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    result = Cli(worktree)("add", "Held by a lock")
    assert result.exit_code == 1
    assert str(lock) in result.output


@pytest.mark.parametrize("kind", ["separate", "worktree"])
def test_sync_where_git_is_a_file(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    root: Path = request.getfixturevalue(kind)
    cli = Cli(root)
    if kind == "separate":
        cli.ok("init", str(root))
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    cli.ok("remote", "set", str(remote))
    cli.add("To be pushed")
    (root / "entries" / "outside.md").write_text("---\nid: x\n---\nEdited outside\n")
    result = cli.ok("sync")
    assert "Pushed" in result.output
    assert git(root, "status", "--porcelain").strip() == ""
    branch = git(root, "symbolic-ref", "--short", "HEAD").strip()
    assert git(remote, "rev-parse", branch) == git(root, "rev-parse", "HEAD")


def test_a_conflict_is_resolved_in_a_separate_git_dir(tmp_path: Path) -> None:
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry
    from narrate.journal.sync import Syncer, set_remote

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    with Journal.create(tmp_path / "a") as a:
        set_remote(a.root, str(remote))
        entry = a.add(Entry.new("Started the plan", title="Started the plan"))
        Syncer(a, 20).run()
        b_root = tmp_path / "b"
        git(tmp_path, "clone", "-q", "-b", "main", "--separate-git-dir", str(tmp_path / "b.git"),
            str(remote), str(b_root))  # fmt: skip
        with Journal.create(b_root) as b:
            for journal, words in ((a, "Laptop: blue-green"), (b, "Desktop: canary")):
                path = journal.root / entry.path
                path.write_text(path.read_text("utf-8") + words + "\n", "utf-8")
            Syncer(a, 20).run()
            result = Syncer(b, 20).run()
            assert len(result.conflicts) == 1
            assert git(b_root, "status", "--porcelain").strip() == ""
            text = "".join(p.read_text("utf-8") for p in (b_root / "entries").rglob("*.md"))
            assert "blue-green" in text and "canary" in text
