"""Sync between two devices over real git: a bare remote and two journal clones."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrate.cli import main
from narrate.errors import NarrateError
from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.journal.store import JournalLock
from narrate.journal.sync import Syncer, SyncError, SyncResult, clone, set_remote, status


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` and return its stdout."""
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout


def add(journal: Journal, text: str, title: str | None = None) -> Entry:
    """Add an entry through the API (write, index, commit)."""
    return journal.add(Entry.new(text, title=title or text.splitlines()[0]))


def append(journal: Journal, entry: Entry, text: str) -> None:
    """Edit an entry's file the way another editor would."""
    path = journal.root / entry.path
    path.write_text(path.read_text("utf-8") + text + "\n", "utf-8")


def sync(journal: Journal, timeout: float = 20.0) -> object:
    """One sync."""
    return Syncer(journal, timeout).run()


def all_text(root: Path) -> str:
    """Every entry file's text, concatenated."""
    return "\n".join(p.read_text("utf-8") for p in sorted((root / "entries").rglob("*.md")))


def assert_healthy(root: Path) -> None:
    """No markers, nothing uncommitted, no half-done git operation, HEAD on a branch."""
    for path in (root / "entries").rglob("*.md"):
        text = path.read_text("utf-8")
        assert "<<<<<<<" not in text and ">>>>>>>" not in text, path
    assert git(root, "status", "--porcelain") == ""
    for marker in ("MERGE_HEAD", "rebase-merge", "rebase-apply", "index.lock"):
        assert not (root / ".git" / marker).exists(), marker
    git(root, "symbolic-ref", "HEAD")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """An empty bare repository playing the private remote."""
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


@pytest.fixture
def device_a(tmp_path: Path, remote: Path) -> Iterator[Journal]:
    """The first device: a new journal that pushed to the remote."""
    journal = Journal.create(tmp_path / "a")
    set_remote(journal.root, str(remote))
    sync(journal)
    yield journal
    journal.close()


@pytest.fixture
def device_b(tmp_path: Path, remote: Path, device_a: Journal) -> Iterator[Journal]:
    """The second device: a clone of the journal."""
    clone(str(remote), tmp_path / "b")
    journal = Journal.create(tmp_path / "b")
    yield journal
    journal.close()


def test_first_sync_pushes_and_clone_of_empty_remote_works(tmp_path: Path, remote: Path) -> None:
    clone(str(remote), tmp_path / "empty-clone")
    journal = Journal.create(tmp_path / "empty-clone")
    add(journal, "Written on a device that cloned an empty remote")
    result = sync(journal)
    assert result.pushed >= 1 and result.first_push
    assert git(remote, "log", "--oneline", "main").count("\n") >= 2
    assert_healthy(journal.root)


def test_different_entries_merge_silently(device_a: Journal, device_b: Journal) -> None:
    add(device_a, "Shipped the retry fix on the laptop")
    add(device_b, "Reviewed the queue design on the desktop")
    sync(device_a)
    result = sync(device_b)
    sync(device_a)
    assert not result.conflicts
    for device in (device_a, device_b):
        titles = {item["title"] for item in device.entries(limit=None)}
        assert {
            "Shipped the retry fix on the laptop",
            "Reviewed the queue design on the desktop",
        } <= titles
        assert_healthy(device.root)
    assert all_text(device_a.root) == all_text(device_b.root)


def test_same_entry_changed_on_both_sides_keeps_both(device_a: Journal, device_b: Journal) -> None:
    entry = add(device_a, "Started the migration plan")
    sync(device_a)
    sync(device_b)
    append(device_a, entry, "Laptop: decided on blue-green")
    append(device_b, entry, "Desktop: decided on canary")
    sync(device_a)
    result = sync(device_b)

    assert len(result.conflicts) == 1
    kept, copy = result.conflicts[0]
    assert kept == entry.path and "-conflict-" in copy
    assert "Desktop: decided on canary" in (device_b.root / kept).read_text("utf-8")
    copy_entry = Entry.from_bytes((device_b.root / copy).read_bytes(), copy)
    assert copy_entry.meta["conflict_of"] == entry.id and copy_entry.id != entry.id
    assert "Laptop: decided on blue-green" in copy_entry.body
    assert copy in device_b.doctor().conflicts
    sync(device_a)
    for device in (device_a, device_b):
        text = all_text(device.root)
        assert "blue-green" in text and "canary" in text
        assert_healthy(device.root)


def test_tags_added_on_both_sides_never_get_markers(device_a: Journal, device_b: Journal) -> None:
    entry = add(device_a, "Tag me")
    sync(device_a)
    sync(device_b)
    for device, tag in ((device_a, "laptop"), (device_b, "desktop")):
        current = device.get(entry.id)
        device.save(current.with_changes(tags=[tag]))
    sync(device_a)
    sync(device_b)
    sync(device_a)
    for device in (device_a, device_b):
        assert_healthy(device.root)
        tags = {t["tag"] for t in device.tags()}
        assert {"laptop", "desktop"} <= tags


@pytest.mark.parametrize("deleting", ["a", "b"])
def test_edit_against_delete_keeps_the_edit(
    device_a: Journal, device_b: Journal, deleting: str
) -> None:
    entry = add(device_a, "An entry one device deletes")
    sync(device_a)
    sync(device_b)
    deleter, editor = (device_a, device_b) if deleting == "a" else (device_b, device_a)
    (deleter.root / entry.path).unlink()
    append(editor, entry, "An edit that must survive")
    sync(device_a)
    sync(device_b)
    sync(device_a)
    for device in (device_a, device_b):
        assert "An edit that must survive" in (device.root / entry.path).read_text("utf-8")
        assert_healthy(device.root)


def test_fifty_entries_each_side_in_the_same_second(device_a: Journal, device_b: Journal) -> None:
    for i in range(50):
        add(device_a, f"Laptop note {i}", title="Same title")
        add(device_b, f"Desktop note {i}", title="Same title")
    sync(device_a)
    sync(device_b)
    sync(device_a)
    for device in (device_a, device_b):
        text = all_text(device.root)
        assert all(f"Laptop note {i}" in text and f"Desktop note {i}" in text for i in range(50))
        assert device.count() == 100
        assert_healthy(device.root)


def test_offline_keeps_commits_and_next_sync_pushes(
    device_a: Journal, remote: Path, tmp_path: Path
) -> None:
    add(device_a, "Written on the train")
    hidden = tmp_path / "remote-away"
    remote.rename(hidden)
    with pytest.raises(SyncError, match="cannot reach origin") as failed:
        sync(device_a)
    assert failed.value.kind == "offline" and status(device_a).last_error_kind == "offline"
    assert "Written on the train" in all_text(device_a.root)
    assert "did not" not in git(device_a.root, "log", "-1", "--format=%s")
    hidden.rename(remote)
    result = sync(device_a)
    assert result.pushed == 1
    assert "Add entry: Written on the train" in git(remote, "log", "-1", "--format=%s", "main")
    assert status(device_a).last_error is None


def test_rejected_push_is_integrated_and_retried(
    device_a: Journal, device_b: Journal, tmp_path: Path
) -> None:
    add(device_a, "Laptop work")
    sync(device_b)
    add(device_b, "Desktop pushed while the laptop synced")

    class RacingSyncer(Syncer):
        """Another device pushes between this sync's fetch and its push."""

        raced = False

        def _fetch(self, branch: str) -> str | None:
            head = super()._fetch(branch)
            if not self.raced:
                self.raced = True
                sync(device_b)
            return head

    syncer = RacingSyncer(device_a, 20.0)
    syncer.run()
    assert syncer.raced
    titles = {item["title"] for item in device_a.entries(limit=None)}
    assert "Desktop pushed while the laptop synced" in titles
    assert git(device_a.root, "rev-parse", "HEAD") == git(
        device_a.root, "rev-parse", "refs/remotes/origin/main"
    )
    assert_healthy(device_a.root)


def test_stale_git_lock_is_reported_and_nothing_changes(device_a: Journal) -> None:
    add(device_a, "Before the crash")
    lock = device_a.root / ".git" / "index.lock"
    lock.write_text("")
    head = git(device_a.root, "rev-parse", "HEAD")
    with pytest.raises(SyncError, match=r"index\.lock"):
        sync(device_a)
    assert git(device_a.root, "rev-parse", "HEAD") == head
    lock.unlink()
    sync(device_a)


@pytest.mark.parametrize(
    ("make_state", "words"),
    [
        (lambda g: (g / "rebase-merge").mkdir(), "rebase"),
        (lambda g: (g / "MERGE_HEAD").write_text("0" * 40 + "\n"), "merge"),
    ],
)
def test_zombie_git_operations_are_refused(device_a: Journal, make_state, words: str) -> None:  # type: ignore[no-untyped-def]
    entry = add(device_a, "Committed entry")
    append(device_a, entry, "Uncommitted edit that must survive")
    make_state(device_a.root / ".git")
    head = git(device_a.root, "rev-parse", "HEAD")
    with pytest.raises(SyncError, match=words):
        sync(device_a)
    assert git(device_a.root, "rev-parse", "HEAD") == head
    assert "Uncommitted edit that must survive" in (device_a.root / entry.path).read_text("utf-8")


def test_detached_head_is_refused(device_a: Journal) -> None:
    git(device_a.root, "checkout", "-q", "--detach")
    with pytest.raises(SyncError, match="detached"):
        sync(device_a)


def test_unrelated_history_is_refused(
    device_a: Journal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another author, or both first commits would be byte-identical (and so related).
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Someone Else")
    other = Journal.create(tmp_path / "other")
    add(other, "Someone else's journal")
    other_remote = tmp_path / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", str(other_remote)], check=True)
    set_remote(other.root, str(other_remote))
    sync(other)
    set_remote(device_a.root, str(other_remote))
    head = git(device_a.root, "rev-parse", "HEAD")
    with pytest.raises(SyncError, match="unrelated") as failed:
        sync(device_a)
    assert failed.value.kind == "state"
    assert git(device_a.root, "rev-parse", "HEAD") == head
    assert_healthy(device_a.root)


def test_two_syncs_at_once_one_is_told_to_wait(device_a: Journal) -> None:
    with JournalLock(device_a.root), pytest.raises(NarrateError, match="another narrate"):
        sync(device_a)


def test_pull_indexes_only_what_changed(device_a: Journal, device_b: Journal) -> None:
    add(device_a, "Indexed by the pull itself")
    sync(device_a)
    device_b.entries()  # a fresh index before the pull
    sync(device_b)
    assert any(i["title"] == "Indexed by the pull itself" for i in device_b.entries(limit=None))
    assert device_b.refresh().changed == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sync_over_the_git_protocol(tmp_path: Path, remote: Path) -> None:
    port = _free_port()
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            f"--base-path={tmp_path}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"git://127.0.0.1:{port}/remote.git"
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "git daemon did not start"
                time.sleep(0.05)
        laptop = Journal.create(tmp_path / "laptop")
        set_remote(laptop.root, url)
        add(laptop, "Sent over git://")
        sync(laptop)
        clone(url, tmp_path / "desktop")
        desktop = Journal.create(tmp_path / "desktop")
        assert any(i["title"] == "Sent over git://" for i in desktop.entries())
        add(desktop, "Back over git://")
        sync(desktop)
        sync(laptop)
        assert any(i["title"] == "Back over git://" for i in laptop.entries())
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_a_remote_that_never_answers_times_out(device_a: Journal) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])  # ...and never say a word
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        set_remote(device_a.root, f"git://127.0.0.1:{listener.getsockname()[1]}/journal.git")
        add(device_a, "Kept while the remote hangs")
        started = time.monotonic()
        with pytest.raises(SyncError, match=r"did not answer within 1\.5 s"):
            sync(device_a, timeout=1.5)
        assert time.monotonic() - started < 10
        assert "Kept while the remote hangs" in all_text(device_a.root)
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        listener.close()


def test_no_remote_commits_pending_changes_here(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path / "solo")
    entry = add(journal, "Written in narrate")
    append(journal, entry, "Added in another editor")
    result = sync(journal)
    assert isinstance(result, SyncResult)
    assert result.local_only and result.committed and not result.pushed
    assert_healthy(journal.root)
    again = sync(journal)
    assert isinstance(again, SyncResult)
    assert again.local_only and not again.committed


def test_clone_refuses_a_non_empty_folder(tmp_path: Path, remote: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(NarrateError, match="not empty"):
        clone(str(remote), target)
    assert (target / "notes.txt").read_text() == "mine"


def test_sync_cli_reports_and_status_json(device_a: Journal, device_b: Journal) -> None:

    entry = add(device_a, "CLI sync")
    sync(device_a)
    sync(device_b)
    append(device_a, entry, "left")
    append(device_b, entry, "right")
    sync(device_a)
    runner = CliRunner()
    result = runner.invoke(main, ["--journal", str(device_b.root), "sync"])
    assert result.exit_code == 0, result.output
    assert "Conflict in" in result.output and "saved as" in result.output
    shown = runner.invoke(main, ["--journal", str(device_b.root), "status", "--json"])
    data = json.loads(shown.stdout)
    assert data["branch"] == "main" and data["ahead"] == 0 and len(data["conflicts"]) == 1


@pytest.fixture
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sync behave as in a large journal: only recent folders are looked at."""
    import narrate.journal.sync as sync_module

    monkeypatch.setattr(sync_module, "FULL_CHECK_FILES", 0)


def _backdate(root: Path, rel: str, years: int) -> str:
    """Move an entry file into an old month folder, committed, and age the folder."""
    old_rel = f"entries/{2026 - years}/01/{Path(rel).name}"
    (root / old_rel).parent.mkdir(parents=True, exist_ok=True)
    git(root, "mv", rel, old_rel)
    git(root, "commit", "-qm", "move to an old month")
    past = time.time() - years * 365 * 86400
    for folder in ((root / old_rel).parent, (root / old_rel).parent.parent):
        os.utime(folder, (past, past))
    return old_rel


def test_quick_sync_commits_outside_edits_in_recent_folders(
    device_a: Journal, device_b: Journal, quick_checks: None
) -> None:
    entry = add(device_a, "Recent entry")
    sync(device_a)  # the full check is done once; the next sync is a quick one
    append(device_a, entry, "Edited in Obsidian")
    new_file = device_a.root / "entries" / "2026" / "11" / "2026-11-27-0900-by-hand.md"
    new_file.parent.mkdir(parents=True, exist_ok=True)
    new_file.write_text("---\nid: BYHAND1\ntitle: By hand\n---\nWritten by hand\n", "utf-8")
    loose = device_a.root / "entries" / "loose-note.md"
    loose.write_text("---\nid: LOOSE1\ntitle: Loose\n---\nA loose note\n", "utf-8")
    result = sync(device_a)
    assert result.committed
    sync(device_b)
    text = all_text(device_b.root)
    assert "Edited in Obsidian" in text and "Written by hand" in text
    assert (device_b.root / "entries" / "loose-note.md").exists()
    assert_healthy(device_a.root)


def test_quick_sync_never_loses_an_unseen_edit_in_an_old_month(
    device_a: Journal, device_b: Journal, quick_checks: None
) -> None:
    entry = add(device_a, "An old entry")
    old_rel = _backdate(device_a.root, entry.path, years=2)
    sync(device_a)
    sync(device_b)
    # The desktop changes the old entry; the laptop edits it in place, which the quick
    # check cannot see (its folder's time does not change).
    other = device_b.root / old_rel
    other.write_text(other.read_text("utf-8") + "Desktop edit\n", "utf-8")
    sync(device_b)
    mine = device_a.root / old_rel
    stat = mine.parent.stat()
    mine.write_text(mine.read_text("utf-8") + "Laptop edit in place\n", "utf-8")
    os.utime(mine.parent, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = sync(device_a)
    assert result.committed and result.conflicts
    text = all_text(device_a.root)
    assert "Desktop edit" in text and "Laptop edit in place" in text
    assert_healthy(device_a.root)


@pytest.mark.parametrize("renamer", ["a", "b"])
def test_an_edit_of_a_file_the_other_device_renamed_is_kept(
    device_a: Journal, device_b: Journal, renamer: str
) -> None:
    entry = add(device_a, "Five lines", title="Renamed elsewhere")
    path = device_a.root / entry.path
    path.write_text(path.read_text("utf-8") + "one\ntwo\nthree\n", "utf-8")
    sync(device_a)
    sync(device_b)
    mover, editor = (device_a, device_b) if renamer == "a" else (device_b, device_a)
    moved = mover.root / entry.path
    renamed = moved.with_name("renamed-in-obsidian.md")
    moved.rename(renamed)
    renamed.write_text(renamed.read_text("utf-8").replace("two", "MOVER'S EDIT"), "utf-8")
    edited = editor.root / entry.path
    edited.write_text(edited.read_text("utf-8").replace("two", "EDITOR'S EDIT"), "utf-8")
    sync(device_a)
    result = sync(device_b)
    sync(device_a)
    assert result.conflicts
    for device in (device_a, device_b):
        text = all_text(device.root)
        assert "MOVER'S EDIT" in text and "EDITOR'S EDIT" in text
        assert_healthy(device.root)
