"""Interrupted writes (issue 12, item 3): SIGTERM and SIGHUP count as ctrl+C, an import
cut off before its commit leaves the journal as it was (or the next run commits it), and
an entry written by an interrupted ``add`` is committed by the next write."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from narrate.journal.store import TEMP_MARKER
from tests.helpers import CLI_ENV, Cli, git, narrate_bin, tracked, write


def jrnl_source(folder: Path, count: int) -> Path:
    """A jrnl text journal of ``count`` entries (distinct, so each is imported)."""
    text = "".join(
        f"[2024-{1 + n % 12:02d}-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}] Entry {n}\n"
        f"Body of entry {n}.\n\n"
        for n in range(count)
    )
    return write(folder, "journal.txt", text)


def uncommitted(root: Path) -> list[str]:
    """Changes under entries/ that git has not committed (staged or not)."""
    out = git(root, "status", "--porcelain=v1", "--untracked-files=all", "--", "entries")
    return [line for line in out.splitlines() if line.strip()]


def leftovers(root: Path) -> list[Path]:
    """Temporary files and git's index lock, which no interrupted run may leave."""
    found = [p for p in (root / "entries").rglob("*") if TEMP_MARKER in p.name]
    lock = root / ".git" / "index.lock"
    return [*found, lock] if lock.exists() else found


def entry_files(root: Path) -> list[str]:
    """Every entry file on disk, relative to the journal."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / "entries").rglob("*.md")
        if not p.name.startswith(".")
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_an_import_leaves_nothing_uncommitted(
    root: Path, tmp_path: Path, signum: int
) -> None:
    source = jrnl_source(tmp_path, 3000)
    process = subprocess.Popen(
        [str(narrate_bin()), "--journal", str(root), "import", "jrnl", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **CLI_ENV},
    )
    deadline = time.monotonic() + 30
    # Signal the moment the import has written something (a temporary file or an entry).
    while time.monotonic() < deadline and process.poll() is None:
        if any((root / "entries").glob("*/*/*")):
            break
        time.sleep(0.002)
    process.send_signal(signum)
    _out, err = process.communicate(timeout=60)
    assert "Traceback" not in err
    assert leftovers(root) == []
    assert uncommitted(root) == [], "what the import wrote is removed or committed"
    if process.returncode != 0:
        assert "interrupted" in err
        assert entry_files(root) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_is_an_interruption_with_one_line(root: Path, signum: int) -> None:
    process = subprocess.Popen(
        [str(narrate_bin()), "--journal", str(root), "add", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **CLI_ENV},
    )
    time.sleep(0.5)  # narrate is waiting for standard input
    process.send_signal(signum)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signum
    assert err.strip() == "narrate: interrupted"
    assert entry_files(root) == []


def test_ctrl_c_in_the_commit_phase_removes_what_the_import_wrote(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal import history

    real = history.commit_index

    def interrupted(root: Path, message: str) -> bool:
        raise KeyboardInterrupt  # after update-index staged every file

    monkeypatch.setattr(history, "commit_index", interrupted)
    source = jrnl_source(tmp_path, 30)
    result = cli("import", "jrnl", str(source))
    assert result.exit_code == 130
    assert entry_files(cli.root) == []
    assert uncommitted(cli.root) == [], "nothing staged for files that are gone"
    monkeypatch.setattr(history, "commit_index", real)
    new = cli.add("After the interrupted import")
    assert [p for p in tracked(cli.root) if p.startswith("entries/")] == entry_files(cli.root)
    assert len(entry_files(cli.root)) == 1, new


def test_a_rerun_commits_what_an_interrupted_import_left(cli: Cli, tmp_path: Path) -> None:
    source = jrnl_source(tmp_path, 30)
    cli.ok("import", "jrnl", str(source))
    # As a SIGKILL after the files were placed leaves it: on disk, never committed.
    git(cli.root, "update-ref", "HEAD", "HEAD~1")
    git(cli.root, "read-tree", "HEAD")
    assert len(uncommitted(cli.root)) == 30
    again = cli.ok("import", "jrnl", str(source))
    assert "Skipped 30 already imported" in again.stdout
    assert uncommitted(cli.root) == []
    assert len(entry_files(cli.root)) == 30


def test_an_entry_an_interrupted_add_wrote_is_committed_by_the_next_write(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal import history

    real = history.commit

    def interrupted(root: Path, paths: list[str], message: str) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(history, "commit", interrupted)
    assert cli("add", "Written, then the terminal closed").exit_code == 130
    assert len(uncommitted(cli.root)) == 1
    monkeypatch.setattr(history, "commit", real)
    cli.add("The next capture")
    assert uncommitted(cli.root) == []
    assert len(entry_files(cli.root)) == 2
    assert "Also commit 1 file an earlier run wrote" in git(cli.root, "log", "-1", "--format=%B")
    cli.add("And one more")  # the list is done with: no mention of it again
    assert "Also commit" not in git(cli.root, "log", "-1", "--format=%B")


def test_an_interrupted_git_is_asked_to_stop_not_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SIGKILL leaves git no chance to remove .git/index.lock; SIGTERM does.
    from narrate.journal import gitrun

    real = subprocess.Popen.communicate
    started: list[subprocess.Popen[bytes]] = []

    def interrupted_once(self: subprocess.Popen[bytes], *args: object, **kwargs: object) -> object:
        if not started:
            started.append(self)
            raise KeyboardInterrupt  # ctrl+C while git waits on its input
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    git(tmp_path, "init", "-q")
    monkeypatch.setattr(subprocess.Popen, "communicate", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        gitrun.run(["cat-file", "--batch"], tmp_path, input=b"")
    assert started[0].returncode == -signal.SIGTERM


def test_a_signal_wrapped_by_python_is_still_an_interruption() -> None:
    # A SIGHUP that lands while a dataclass is being defined (an import) reaches the
    # command as RuntimeError("Error calling __set_name__ ...") caused by Terminated.
    import click
    from click.testing import CliRunner

    from narrate.cli import NarrateGroup, Terminated

    @click.group(cls=NarrateGroup)
    def group() -> None:
        """A group like narrate's."""

    @group.command()
    def work() -> None:
        """A command interrupted inside a hook that wraps exceptions."""
        raise RuntimeError("Error calling __set_name__") from Terminated(1)

    result = CliRunner().invoke(group, ["work"])
    assert result.exit_code == 129, result.output
    assert "narrate: interrupted" in result.stderr and "Traceback" not in result.output


def test_a_signal_after_the_command_ends_the_process_without_a_traceback(root: Path) -> None:
    # A SIGTERM that lands while Python shuts down (threading's _shutdown) found
    # narrate's handler still set and printed "Exception ignored ... Terminated". Once a
    # command is over the handlers are what they were before it (nohup's SIG_IGN too).
    import sys

    script = (
        "import signal\n"
        "from narrate.cli import main, _terminate\n"
        "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
        "try:\n"
        f"    main(['--journal', {str(root)!r}, 'list'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL,"
        " signal.getsignal(signal.SIGHUP) is signal.SIG_IGN)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **CLI_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split()[-2:] == ["True", "True"], done.stdout + done.stderr
