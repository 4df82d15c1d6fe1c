"""narrate needs git 2.38 (sync merges with merge-tree --write-tree): an older git is
one clear line, said when a sync is about to need it, and never slows down a read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from narrate.journal import gitrun
from tests.helpers import Cli, commit_count, git, run_narrate


@pytest.fixture
def old_git(tmp_path: Path) -> dict[str, str]:
    """An environment whose git says it is 2.30.2 (and otherwise is the real one)."""
    real = shutil.which("git")
    assert real
    folder = tmp_path / "old-git-bin"
    folder.mkdir()
    script = folder / "git"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "version" ] || [ "$1" = "--version" ]; then\n'
        '  echo "git version 2.30.2"; exit 0\n'
        "fi\n"
        f'exec "{real}" "$@"\n'
    )
    script.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_sync_with_an_old_git_is_one_clear_line(
    cli: Cli, root: Path, tmp_path: Path, old_git: dict[str, str]
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    cli.ok("remote", "set", str(remote))
    cli.add("Kept whatever git does")
    before = commit_count(root)
    result = run_narrate("-j", str(root), "sync", env=old_git)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "git 2.38 or newer" in line and "2.30.2" in line
    assert commit_count(root) == before
    assert git(remote, "rev-list", "--all").strip() == ""


def test_reads_and_adds_never_ask_for_the_version(
    cli: Cli, root: Path, old_git: dict[str, str]
) -> None:
    added = run_narrate("-j", str(root), "add", "Written with an old git", env=old_git)
    assert added.returncode == 0, added.stderr
    listed = run_narrate("-j", str(root), "list", env=old_git)
    assert listed.returncode == 0 and "Written with an old git" in listed.stdout


def test_the_version_is_asked_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = gitrun.run

    def counted(args: list[str], *rest: object, **kwargs: object) -> object:
        calls.append(args)
        return real(args, *rest, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(gitrun, "run", counted)
    monkeypatch.setattr(gitrun, "_git_version", None, raising=False)
    gitrun.require_git()
    gitrun.require_git()
    assert calls == [["version"]]


@pytest.mark.parametrize(
    ("said", "version"),
    [
        ("git version 2.39.5", (2, 39)),
        ("git version 2.37.1 (Apple Git-137.1)", (2, 37)),
        ("git version 2.45.2.windows.1", (2, 45)),
    ],
)
def test_version_lines_are_read(said: str, version: tuple[int, int]) -> None:
    assert gitrun.parse_version(said) == version
