"""The one git runner: never prompting, killed whole on timeout, errors typed and redacted."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import narrate
from narrate.journal import gitrun
from narrate.journal.gitrun import GitError


def test_a_timeout_kills_git_and_everything_it_started(tmp_path: Path) -> None:
    # git runs a shell that runs sleep, both holding git's stdout: unless the whole
    # session dies, reading the pipes to the end waits the full 30 s.
    started = time.monotonic()
    with pytest.raises(GitError) as failed:
        gitrun.run(["-c", "alias.hang=!sleep 30; echo late", "hang"], tmp_path, timeout=0.5)
    assert time.monotonic() - started < 10
    assert failed.value.kind == "timeout"
    assert "git hang did not finish within 0.5 s" in str(failed.value)


def test_git_never_prompts_and_reads_no_inherited_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    shown = gitrun.run(["-c", "alias.e=!env", "e"], tmp_path, text=True, timeout=10).stdout
    assert "GIT_TERMINAL_PROMPT=0" in shown and "LC_ALL=C" in shown
    assert str(tmp_path / "elsewhere") not in shown


def test_failures_say_what_kind_and_hide_credentials(tmp_path: Path) -> None:
    with pytest.raises(GitError) as failed:
        gitrun.run(["ls-remote", "--", "https://alice:s3cret@localhost:1/x.git"], timeout=10)
    assert failed.value.kind == "offline"
    assert "s3cret" not in str(failed.value) and "git ls-remote failed" in str(failed.value)

    unchecked = gitrun.run(["rev-parse", "HEAD"], tmp_path, check=False, text=True)
    assert unchecked.returncode != 0 and "not a git repository" in unchecked.stderr


def test_classify_and_subcommand() -> None:
    assert gitrun.classify("fatal: Authentication failed for 'https://x'") == "auth"
    assert gitrun.classify("ssh: Could not resolve hostname nowhere") == "offline"
    assert gitrun.classify("fatal: bad revision") == "other"
    assert gitrun.subcommand(["-C", "/x", "-c", "a=b", "--git-dir", "/y", "push", "-q"]) == "push"


def test_every_git_process_starts_in_the_runner() -> None:
    package = Path(narrate.__file__).parent
    starts = re.compile(
        r"subprocess\.(run|Popen|call|check_output|check_call)\(|os\.(system|popen)\("
    )
    found = {
        path.relative_to(package).as_posix(): path.read_text("utf-8")
        for path in package.rglob("*.py")
        if starts.search(path.read_text("utf-8"))
    }
    found.pop("journal/gitrun.py")
    # The user's editor is the one other program narrate starts.
    assert all("def run_editor(" in text for text in found.values()), sorted(found)


def test_a_read_of_the_repository_state_takes_no_lock_another_writer_needs(
    tmp_path: Path,
) -> None:
    # The app asks for the journal's state (git status) while `narrate add` commits in
    # another process: a status that refreshes the index holds index.lock for a moment,
    # and the other process's commit then fails. Reads must leave the index alone.
    from narrate.journal.core import Journal
    from narrate.journal.history import repo_state, run_git

    root = tmp_path / "journal"
    Journal.create(root).close()
    note = root / "note.md"
    note.write_text("one\n")
    run_git(root, "add", "note.md")
    run_git(root, "commit", "-q", "-m", "note")
    index = root / ".git" / "index"
    before = index.stat().st_mtime_ns
    time.sleep(0.05)
    # Same bytes, new mtime: a stat-stale index, which a locking status rewrites.
    note.write_text("one\n")
    repo_state(root)
    assert index.stat().st_mtime_ns == before
