"""Files on disk: atomic writes that survive a kill, folder scans, the journal lock."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from narrate.errors import NarrateError
from narrate.journal.core import Journal
from narrate.journal.store import (
    TEMP_MARKER,
    JournalLock,
    atomic_write,
    entry_relpath,
    is_entry_name,
    leftover_temp_files,
    read_folders,
    scan_dir,
)
from tests.helpers import entry_text, write


def test_atomic_write_replaces_the_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "entry.md"
    target.write_bytes(b"old")
    atomic_write(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entry.md"]


def test_a_failed_rename_keeps_the_old_file_and_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "entry.md"
    target.write_bytes(b"the old version")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, b"the new version")
    assert target.read_bytes() == b"the old version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entry.md"]


def test_a_failed_write_of_a_new_file_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", refuse)
    with pytest.raises(OSError):
        atomic_write(tmp_path / "new.md", b"data")
    assert list(tmp_path.iterdir()) == []


def test_journal_save_through_a_failing_rename_keeps_the_entry_intact(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal.entry import Entry

    entry = journal.add(Entry.new("Original text", title="Keep me"))
    path = journal.root / entry.path
    before = path.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "full")))
    with pytest.raises(OSError):
        journal.save(entry.with_changes(body="Changed text"))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert leftover_temp_files(journal.root) == []
    assert [e["title"] for e in journal.entries()] == ["Keep me"]


KILL_WRITER = """
import sys
from pathlib import Path
from narrate.journal.store import atomic_write
target = Path(sys.argv[1])
versions = [Path(p).read_bytes() for p in sys.argv[2:]]
print("ready", flush=True)
i = 0
while True:
    atomic_write(target, versions[i % len(versions)])
    i += 1
"""


def test_a_writer_killed_at_any_moment_leaves_the_old_or_the_new_file(root: Path) -> None:
    rel = entry_relpath(2026, 11, "2026-11-27-0900-killed")
    # Big enough that a write takes a while, so kills land mid-write.
    versions = [
        entry_text("KILLEDA" + "0" * 19, "2026-11-27T09:00:00+01:00", "Version A", "a" * 400_000),
        entry_text("KILLEDA" + "0" * 19, "2026-11-27T09:00:00+01:00", "Version B", "b" * 300_000),
    ]
    sources = []
    for i, text in enumerate(versions):
        sources.append(write(root.parent, f"v{i}.md", text))
    target = write(root, rel, versions[0])
    expected = {text.encode() for text in versions}
    for delay in (0.03, 0.07, 0.11, 0.15, 0.19, 0.23):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_WRITER, str(target), *map(str, sources)],
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert target.read_bytes() in expected, "a torn file"
    # Kills may leave temporary files: never an entry, always reported by doctor.
    with Journal.open(root) as journal:
        listed = journal.entries()
        assert len(listed) == 1 and listed[0]["title"] in ("Version A", "Version B")
        report = journal.doctor()
        leftovers = leftover_temp_files(root)
        assert sorted(report.temp_files) == sorted(
            p.relative_to(root).as_posix() for p in leftovers
        )
        assert all(TEMP_MARKER in p.name and p.name.startswith(".") for p in leftovers)


def test_rewriting_a_file_keeps_its_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "entry.md"
    target.write_bytes(b"old")
    target.chmod(0o664)
    atomic_write(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.md", b"data")
    finally:
        os.umask(old)
    # Like any editor's new file: readable by the owner's tools (git, Obsidian, backups).
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644


# ---------------------------------------------------------------------------- scanning


def test_scans_see_entry_files_only(tmp_path: Path) -> None:
    month = tmp_path / "entries" / "2026" / "11"
    for name in [
        "2026-11-27-0900-real.md",
        ".2026-11-27-0900-real.md.abc123.narrate-tmp",
        ".hidden.md",
        ".#emacs-lock.md",
        "#emacs-autosave.md#",
        "notes.md~",
        "notes.md.swp",
        "image.png",
        "README.txt",
    ]:
        write(tmp_path, f"entries/2026/11/{name}", "---\nid: x\n---\n")
    (month / "folder.md").mkdir()
    outside = tmp_path / "outside.md"
    outside.write_text("---\nid: secret\n---\n")
    (month / "link.md").symlink_to(outside)
    assert [item.name for item in scan_dir(month)] == ["2026-11-27-0900-real.md"]
    assert len(leftover_temp_files(tmp_path)) == 1


def test_read_folders_walks_the_journal_but_hidden_and_ignored_folders(tmp_path: Path) -> None:
    for rel in [
        "entries/2025/12",
        "entries/2026/01",
        "entries/.trash/01",
        ".obsidian/plugins",
        ".narrate",
        "Daily",
        "Templates/sub",
        "Archive/2019",
        "Archive/2020",
    ]:
        (tmp_path / rel).mkdir(parents=True)
    (tmp_path / "Linked").symlink_to(tmp_path / "Daily")
    found = list(read_folders(tmp_path, ["Templates", "Archive/2019"]))
    assert found == [
        "",
        "Archive",
        "Archive/2020",
        "Daily",
        "entries",
        "entries/2025",
        "entries/2025/12",
        "entries/2026",
        "entries/2026/01",
    ]


def test_entry_names() -> None:
    assert entry_relpath(2026, 3, "2026-03-01-0900-x") == "entries/2026/03/2026-03-01-0900-x.md"
    assert is_entry_name("a.md") and not is_entry_name(".a.md") and not is_entry_name("a.txt")


# ---------------------------------------------------------------------------- the lock


def test_the_journal_lock_makes_a_second_writer_wait_then_gives_a_clear_error(
    tmp_path: Path,
) -> None:
    with JournalLock(tmp_path):
        started = time.monotonic()
        with (
            pytest.raises(NarrateError, match="another narrate operation"),
            JournalLock(tmp_path, timeout=0.3),
        ):
            pass
        assert time.monotonic() - started >= 0.3
    with JournalLock(tmp_path, timeout=0.3):
        pass  # free again once released


def test_a_lock_held_by_a_killed_process_is_released(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from narrate.journal.store import "
            "JournalLock; lock = JournalLock(Path(sys.argv[1])).__enter__(); "
            "print('held', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    with pytest.raises(NarrateError), JournalLock(tmp_path, timeout=0.1):
        pass
    holder.kill()
    holder.wait()
    with JournalLock(tmp_path, timeout=2):
        pass
