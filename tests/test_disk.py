"""A full disk, a read-only journal, an index that cannot be written (issue 12, item 5):
one line naming the problem, the index never deleted for what is not corruption, a
read-only journal still read, and an entry committed and its id printed whatever the
index does.

The full and read-only disks are small tmpfs mounts (the tests run as root here and in
CI); where mounting is not allowed they are skipped with the reason.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrate.journal import index as idx
from narrate.journal.core import Journal
from tests.helpers import entry_text, fill, git, mount_tmpfs, run_narrate, unmount, write


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A fresh 8 MB tmpfs, unmounted after the test whatever happens."""
    target = tmp_path / "mnt"
    mount_tmpfs(target, "8m")
    try:
        yield target
    finally:
        unmount(target)


def journal_on(mount: Path, root: Path) -> Path:
    """A copy of ``root`` on ``mount`` with two committed entries and a built index."""
    target = mount / "journal"
    shutil.copytree(root, target, symlinks=True)
    for n in (1, 2):
        result = run_narrate("--journal", str(target), "add", f"Entry number {n}")
        assert result.returncode == 0, result.stderr
    return target


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """stderr of a failed command, which must be one narrate line and no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    message = result.stderr.strip()
    assert message.startswith("narrate: "), message
    assert "\n" not in message, message
    return message


def committed_entries(root: Path) -> list[str]:
    """Entry files at HEAD."""
    return [p for p in git(root, "ls-tree", "-r", "--name-only", "HEAD").split() if "entries/" in p]


def on_disk(root: Path) -> list[str]:
    """Entry files on disk (temporary ones included)."""
    return sorted(p.name for p in (root / "entries").rglob("*") if p.is_file())


def test_a_full_disk_gives_one_line_and_no_traceback(
    tmpfs: Path, root: Path, tmp_path: Path
) -> None:
    journal = journal_on(tmpfs, root)
    # Written before the disk fills, so every read must update the index.
    write(
        journal,
        "entries/2024/01/2024-01-05-0900-outside.md",
        entry_text("01HNBQ0000000000000000OUT1", "2024-01-05T09:00:00+00:00", "Outside"),
    )
    before = on_disk(journal)
    fill(tmpfs)
    editor = write(tmp_path, "editor.sh", '#!/bin/sh\necho "more words" >> "$1"\n')
    editor.chmod(0o755)
    env = {"EDITOR": str(editor), "VISUAL": str(editor)}

    added = run_narrate("--journal", str(journal), "add", "A capture on a full disk")
    assert added.returncode == 1
    assert "space" in one_line(added).lower()
    assert on_disk(journal) == before, "nothing half-written is left behind"

    for args in (["list"], ["reindex"], ["sync"], ["edit", "today"]):
        result = run_narrate("--journal", str(journal), *args, env=env)
        if result.returncode != 0:
            one_line(result)
        else:
            assert "Traceback" not in result.stderr, (args, result.stderr)
    doctor = run_narrate("--journal", str(journal), "doctor")
    assert "Traceback" not in doctor.stderr, doctor.stderr
    assert doctor.returncode == 1 and "cannot be written" in doctor.stdout, doctor.stdout
    listed = run_narrate("--journal", str(journal), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    titles = {item["title"] for item in json.loads(listed.stdout)}
    assert {"Entry number 1", "Entry number 2", "Outside"} <= titles
    assert idx.index_path(journal).is_file(), "a full disk is not a corrupt index"


def test_with_only_the_index_disk_full_add_commits_and_prints_the_id(
    tmp_path: Path, root: Path
) -> None:
    assert run_narrate("--journal", str(root), "add", "Before").returncode == 0
    state = root / ".narrate"
    saved = tmp_path / "state-copy"
    shutil.copytree(state, saved)
    mount_tmpfs(state, "2m")
    try:
        shutil.copytree(saved, state, dirs_exist_ok=True)
        fill(state)
        added = run_narrate("--journal", str(root), "add", "With the index full")
        assert added.returncode == 0, added.stderr
        assert "Traceback" not in added.stderr
        printed = added.stdout.strip()
        assert len(printed) == 26, added.stdout
        assert len(committed_entries(root)) == 2
        shown = run_narrate("--journal", str(root), "show", printed, "--json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["id"] == printed
        assert idx.index_path(root).is_file()
    finally:
        unmount(state)


def test_an_index_that_cannot_be_written_never_stops_an_entry(root: Path) -> None:
    assert run_narrate("--journal", str(root), "add", "Before").returncode == 0
    index = idx.index_path(root)
    idx.remove_index_files(index)
    index.mkdir()  # where the index should be, something that is not one
    added = run_narrate("--journal", str(root), "add", "With no index to write")
    assert added.returncode == 0, added.stderr
    assert "Traceback" not in added.stderr
    assert len(added.stdout.strip()) == 26
    assert len(committed_entries(root)) == 2
    listed = run_narrate("--journal", str(root), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 2
    assert index.is_dir(), "narrate never deletes what it did not make"


def test_a_read_only_journal_can_be_read(tmpfs: Path, root: Path, tmp_path: Path) -> None:
    journal = journal_on(tmpfs, root)
    # An entry the index has not seen: reading it needs an index narrate cannot write.
    write(
        journal,
        "entries/2024/01/2024-01-05-0900-outside.md",
        entry_text("01HNBQ0000000000000000OUT1", "2024-01-05T09:00:00+00:00", "Outside"),
    )
    remount = subprocess.run(
        ["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True, text=True, check=False
    )
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
    listed = run_narrate("--journal", str(journal), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 3
    shown = run_narrate("--journal", str(journal), "show", "01HNBQ0000000000000000OUT1")
    assert shown.returncode == 0, shown.stderr
    assert "Outside" in shown.stdout
    out = tmp_path / "backup.json"
    exported = run_narrate("--journal", str(journal), "export", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(out.read_text())) == 3
    added = run_narrate("--journal", str(journal), "add", "On a read-only journal")
    assert added.returncode == 1
    assert "read-only" in one_line(added)


def test_an_error_that_is_not_corruption_keeps_the_index(tmpfs: Path, root: Path) -> None:
    journal = journal_on(tmpfs, root)
    write(
        journal,
        "entries/2024/01/2024-01-05-0900-outside.md",
        entry_text("01HNBQ0000000000000000OUT1", "2024-01-05T09:00:00+00:00", "Outside"),
    )
    fill(tmpfs)
    with Journal.open(journal) as opened:
        opened.refresh(full=True)
        assert opened.count() == 3
    assert idx.index_path(journal).is_file()


@pytest.mark.parametrize(
    "message",
    [
        "database or disk is full",
        "attempt to write a readonly database",
        "unable to open database file",
        "disk I/O error",
    ],
)
def test_full_read_only_and_io_errors_are_not_damage(message: str) -> None:
    import sqlite3

    assert not idx.is_damage(sqlite3.OperationalError(message))
