"""The journal's git history over real repositories: init, commits, locks, identity."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from narrate.journal.history import (
    GitError,
    check_git_lock,
    commit,
    explain_git_failure,
    init_repo,
    repo_state,
    take_notices,
)
from tests.helpers import commit_count, git, tracked, write


def no_identity(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """An environment where git knows no author: an empty HOME, no system config, no
    GIT_* identity, no EMAIL."""
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_CONFIG_GLOBAL"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    # On a host with a full domain name git would invent root@host.example.com; this
    # makes it refuse to guess there too, as it does on CI machines.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")


def test_init_makes_a_repository_with_gitignore_and_one_commit(tmp_path: Path) -> None:
    root = tmp_path / "new journal"
    init_repo(root)
    assert git(root, "symbolic-ref", "--short", "HEAD").strip() == "main"
    ignored = (root / ".gitignore").read_text().splitlines()
    assert ".narrate/" in ignored
    assert any(".narrate-tmp" in line for line in ignored)
    assert git(root, "config", "feature.manyFiles").strip() == "true"
    assert git(root, "log", "--format=%s").splitlines() == ["Start the journal"]
    assert tracked(root) == {".gitignore"}


def test_init_twice_changes_nothing(root: Path) -> None:
    before = (root / ".gitignore").read_bytes()
    init_repo(root)
    assert (root / ".gitignore").read_bytes() == before
    assert commit_count(root) == 1


def test_init_adopts_a_folder_with_its_own_gitignore(tmp_path: Path) -> None:
    write(tmp_path, "notes/.gitignore", "*.pdf")  # no final newline
    write(tmp_path, "notes/old.md", "kept as it is")
    init_repo(tmp_path / "notes")
    assert (tmp_path / "notes/.gitignore").read_text().splitlines()[0] == "*.pdf"
    assert ".narrate/" in (tmp_path / "notes/.gitignore").read_text().splitlines()
    assert (tmp_path / "notes/old.md").read_text() == "kept as it is"


def test_commit_stages_and_commits_only_the_named_paths(root: Path) -> None:
    write(root, "entries/2026/11/a.md", "a")
    write(root, "entries/2026/11/b.md", "b")
    assert commit(root, ["entries/2026/11/a.md"], "Add a") is True
    assert tracked(root) == {".gitignore", "entries/2026/11/a.md"}
    assert "?? entries/2026/11/b.md" in git(root, "status", "--porcelain", "-uall")
    assert git(root, "log", "-1", "--format=%s").strip() == "Add a"

    (root / "entries/2026/11/a.md").unlink()
    assert commit(root, ["entries/2026/11/a.md"], "Remove a") is True
    assert tracked(root) == {".gitignore"}


def test_commit_with_nothing_changed_makes_no_commit(root: Path) -> None:
    assert commit(root, [".gitignore"], "Nothing") is False
    assert commit_count(root) == 1


def test_user_text_is_never_read_as_a_git_option(root: Path) -> None:
    for name in ("-n.md", "--help.md", "--all.md"):
        write(root, f"entries/{name}", name)
    assert commit(root, ["entries/-n.md", "entries/--help.md"], "--amend") is True
    assert git(root, "log", "-1", "--format=%s").strip() == "--amend"
    assert commit_count(root) == 2
    assert "entries/--all.md" not in tracked(root)


def test_a_stale_index_lock_is_named_with_the_fix(root: Path) -> None:
    write(root, "entries/a.md", "a")
    lock = root / ".git" / "index.lock"
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    with pytest.raises(GitError) as caught:
        commit(root, ["entries/a.md"], "Add a")
    message = str(caught.value)
    assert str(lock) in message and "rm" in message
    assert (root / "entries/a.md").read_text() == "a"
    assert lock.exists(), "narrate never deletes git's lock by itself"
    assert commit_count(root) == 1


def test_a_fresh_index_lock_also_fails_clearly(root: Path) -> None:
    write(root, "entries/a.md", "a")
    (root / ".git" / "index.lock").write_text("")
    check_git_lock(root)  # young: perhaps a running git; git itself refuses
    with pytest.raises(GitError, match=r"index\.lock"):
        commit(root, ["entries/a.md"], "Add a")


def test_no_git_identity_commits_as_the_fallback_and_says_how_to_set_one(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_identity(monkeypatch, tmp_path / "empty-home")
    take_notices()
    write(root, "entries/a.md", "a")
    assert commit(root, ["entries/a.md"], "Add a") is True
    assert git(root, "log", "-1", "--format=%an %ae").strip().endswith(".invalid")
    (notice,) = take_notices()
    assert "git config --global user.name" in notice
    assert "user.email" in notice
    write(root, "entries/b.md", "b")
    assert commit(root, ["entries/b.md"], "Add b") is True
    assert take_notices() == [], "said once"


def test_a_refused_identity_is_explained_with_the_fix(root: Path) -> None:
    message = str(explain_git_failure(root, ("commit-tree",), "*** Please tell me who you are."))
    assert "git config --global user.name" in message
    assert "user.email" in message


def test_an_unfinished_merge_is_refused(root: Path) -> None:
    head = git(root, "rev-parse", "HEAD").strip()
    (root / ".git" / "MERGE_HEAD").write_text(head + "\n")
    write(root, "entries/a.md", "a")
    with pytest.raises(GitError, match="merge"):
        commit(root, ["entries/a.md"], "Add a")
    assert commit_count(root) == 1


def test_repo_state_of_a_clean_journal(root: Path) -> None:
    state = repo_state(root)
    assert state.branch == "main" and not state.detached
    assert state.problems == [] and state.uncommitted == []
    assert state.remote is None and state.ahead is None


def test_repo_state_reports_what_needs_attention(root: Path) -> None:
    write(root, "entries/loose.md", "x")
    head = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "--detach", head)
    (root / ".git" / "index.lock").write_text("")
    state = repo_state(root)
    assert state.detached
    assert any("detached" in p for p in state.problems)
    assert any("index.lock" in p for p in state.problems)
    assert "entries/loose.md" in state.uncommitted


def test_repo_state_of_a_folder_that_is_no_repository(tmp_path: Path) -> None:
    state = repo_state(tmp_path)
    assert state.problems and "narrate init" in state.problems[0]


def test_explain_git_failure_names_the_folder(tmp_path: Path) -> None:
    error = explain_git_failure(tmp_path, ("status",), "fatal: not a git repository")
    assert str(tmp_path) in str(error) and "narrate init" in str(error)
    other = explain_git_failure(tmp_path, ("push",), "\n\nfatal: something odd\nmore")
    assert "git push failed" in str(other) and "something odd" in str(other)
