"""The README's Quick start on a fresh machine: an empty HOME and no git identity.

Real processes, with an environment built from nothing (as ``env -i`` would): no
~/.gitconfig, no system config, no GIT_AUTHOR_*/GIT_COMMITTER_*, and git told never to
guess an identity from the host name (as on a machine without a domain name).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from narrate.journal.history import init_repo
from tests.helpers import CLI_ENV, commit_count, git, narrate_bin, tracked, write


def bare_env(home: Path) -> dict[str, str]:
    """The environment of a fresh account: PATH, an empty HOME, nothing else of git's."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".config").mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "GIT_CONFIG_NOSYSTEM": "1",
        # Where the host name has a domain git would invent root@host.domain; this makes
        # it refuse there too, as it does on this kind of machine by itself.
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "user.useConfigOnly",
        "GIT_CONFIG_VALUE_0": "true",
        **CLI_ENV,
    }
    if "PYTHONPATH" in os.environ:  # the code under test, not the installed copy
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def narrate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``narrate args`` in a real process with exactly ``env``."""
    return subprocess.run(
        [str(narrate_bin()), *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_the_quick_start_works_with_no_git_identity(tmp_path: Path) -> None:
    env = bare_env(tmp_path / "home")
    root = tmp_path / "journal"
    assert (
        subprocess.run(
            ["git", "var", "GIT_AUTHOR_IDENT"], env=env, capture_output=True, cwd=tmp_path
        ).returncode
        != 0
    ), "the test machine must have no git identity here"

    first = narrate(env, "init", str(root))
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert f"Created a journal at {root}" in first.stdout
    # Said once: which identity commits, and how to set a real one.
    assert "git config --global user.name" in first.stderr
    assert commit_count(root) == 1
    assert git(root, "status", "--porcelain").strip() == ""

    added = narrate(env, "-j", str(root), "add", "First words on a new machine")
    assert added.returncode == 0, added.stderr
    assert "Traceback" not in added.stderr
    entry_id = added.stdout.strip()
    assert len(entry_id) == 26
    assert commit_count(root) == 2
    (path,) = (root / "entries").rglob("*.md")
    assert path.relative_to(root).as_posix() in tracked(root)
    assert git(root, "status", "--porcelain").strip() == ""
    assert "user.name" not in added.stderr, "the identity notice is said once, at init"

    again = narrate(env, "init", str(root))
    assert again.returncode == 0, again.stderr
    assert "already" in again.stdout and "nothing to do" in again.stdout
    assert "user.name" not in again.stderr
    assert commit_count(root) == 2


def test_add_on_an_older_journal_without_identity_commits_with_the_fallback(
    root: Path, tmp_path: Path
) -> None:
    # root was made where git knew an identity: its own config names none.
    env = bare_env(tmp_path / "home")
    added = narrate(env, "-j", str(root), "add", "Who wrote this?")
    assert added.returncode == 0, added.stderr
    assert "Traceback" not in added.stderr
    assert "git config --global user.name" in added.stderr
    assert commit_count(root) == 2
    assert git(root, "status", "--porcelain").strip() == ""
    author = git(root, "log", "-1", "--format=%an <%ae>").strip()
    assert author.startswith("narrate <") and author.endswith(".invalid>")

    second = narrate(env, "-j", str(root), "add", "And this?")
    assert second.returncode == 0, second.stderr
    assert "user.name" not in second.stderr
    assert commit_count(root) == 3


def test_a_real_identity_is_used_when_git_has_one(root: Path, tmp_path: Path) -> None:
    env = bare_env(tmp_path / "home")
    env.update(GIT_AUTHOR_NAME="Ada", GIT_AUTHOR_EMAIL="ada@example.org")
    env.update(GIT_COMMITTER_NAME="Ada", GIT_COMMITTER_EMAIL="ada@example.org")
    added = narrate(env, "-j", str(root), "add", "Mine")
    assert added.returncode == 0, added.stderr
    assert "user.name" not in added.stderr
    assert git(root, "log", "-1", "--format=%an <%ae>").strip() == "Ada <ada@example.org>"
    local = subprocess.run(
        ["git", "-C", str(root), "config", "--local", "--get-regexp", "^user\\."],
        capture_output=True,
        text=True,
    )
    assert local.stdout == "", "a real identity is never shadowed by the fallback"


def test_doctor_names_the_fallback_identity_and_how_to_replace_it(tmp_path: Path) -> None:
    env = bare_env(tmp_path / "home")
    root = tmp_path / "journal"
    assert narrate(env, "init", str(root)).returncode == 0
    report = narrate(env, "-j", str(root), "doctor")
    assert report.returncode == 0, report.stdout + report.stderr
    assert "Git identity" in report.stdout
    assert "narrate <" in report.stdout and "user.name" in report.stdout


def test_the_fix_for_the_fallback_identity_works(tmp_path: Path) -> None:
    env = bare_env(tmp_path / "home")
    root = tmp_path / "journal"
    assert narrate(env, "init", str(root)).returncode == 0
    report = narrate(env, "-j", str(root), "doctor").stdout
    fix = report.split("to commit as yourself: ", 1)[1].splitlines()[0]
    done = subprocess.run(["sh", "-c", fix], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    added = narrate(env, "-j", str(root), "add", "Mine now")
    assert added.returncode == 0, added.stderr
    assert "note:" not in added.stderr
    assert git(root, "log", "-1", "--format=%an <%ae>").strip() == "Your Name <you@example.com>"
    assert "Git identity" not in narrate(env, "-j", str(root), "doctor").stdout


def test_a_failed_init_leaves_no_half_made_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal import history

    write(tmp_path, "notes/old.md", "kept as it is")

    def fail(*_args: object, **_kwargs: object) -> bool:
        raise history.GitError("git commit-tree failed: disk on fire")

    monkeypatch.setattr(history, "commit", fail)
    with pytest.raises(history.GitError):
        init_repo(tmp_path / "notes")
    assert sorted(p.name for p in (tmp_path / "notes").iterdir()) == ["old.md"]
    with pytest.raises(history.GitError):
        init_repo(tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_failed_init_keeps_a_gitignore_the_user_had(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal import history

    write(tmp_path, "notes/.gitignore", "*.pdf\n")

    def fail(*_args: object, **_kwargs: object) -> bool:
        raise history.GitError("git commit-tree failed: disk on fire")

    monkeypatch.setattr(history, "commit", fail)
    with pytest.raises(history.GitError):
        init_repo(tmp_path / "notes")
    assert (tmp_path / "notes/.gitignore").read_text() == "*.pdf\n"
    assert not (tmp_path / "notes/.git").exists()


def test_init_finishes_a_half_made_repository_and_says_so(tmp_path: Path) -> None:
    # What narrate before this fix left behind: .git with a staged .gitignore, no commit.
    root = tmp_path / "journal"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    write(root, ".gitignore", ".narrate/\n")
    git(root, "add", ".gitignore")
    result = narrate({**os.environ, **CLI_ENV}, "init", str(root))
    assert result.returncode == 0, result.stderr
    assert "Created a journal" not in result.stdout
    assert "already" not in result.stdout
    assert "Finished" in result.stdout
    assert commit_count(root) == 1


def test_an_init_that_cannot_write_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "journal"
    (root / ".gitignore").mkdir(parents=True)  # a folder where the file must go
    result = narrate({**os.environ, **CLI_ENV}, "init", str(root))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert ".gitignore" in line and "nothing was changed" in line
    assert sorted(p.name for p in root.iterdir()) == [".gitignore"]
