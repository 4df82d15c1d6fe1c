"""Resolving conflict copies over real git: two devices, a bare remote, a real conflict."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from narrate.errors import NarrateError
from narrate.journal.conflicts import (
    ConflictChanged,
    free_name,
    list_conflicts,
    read_conflict,
    resolve,
)
from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.journal.sync import clone, set_remote
from narrate.journal.sync import status as sync_status
from tests.journal.test_sync import add, all_text, append, assert_healthy, git, sync


@dataclass
class Devices:
    """Two devices of one person and the entry both of them changed."""

    a: Journal
    b: Journal
    entry: Entry


def make_devices(tmp_path: Path) -> tuple[Journal, Journal]:
    """A bare remote, a journal that pushed to it, and a clone of that journal."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    a = Journal.create(tmp_path / "a")
    set_remote(a.root, str(remote))
    sync(a)
    clone(str(remote), tmp_path / "b")
    return a, Journal.create(tmp_path / "b")


def make_conflict(a: Journal, b: Journal, title: str = "Migration plan") -> Entry:
    """An entry both devices edited: device b's sync keeps a's version as a copy."""
    entry = add(a, "Started the migration plan", title=title)
    sync(a)
    sync(b)
    append(a, entry, "Laptop: decided on blue-green")
    append(b, entry, "Desktop: decided on canary")
    sync(a)
    result = sync(b)
    assert len(result.conflicts) == 1  # type: ignore[attr-defined]
    return entry


@pytest.fixture
def devices(tmp_path: Path) -> Iterator[Devices]:
    """Device b holds a real conflict copy of an entry."""
    a, b = make_devices(tmp_path)
    entry = make_conflict(a, b)
    yield Devices(a, b, entry)
    a.close()
    b.close()


def history(root: Path) -> str:
    """Every version of every file git holds, as one text."""
    return git(root, "log", "-p", "--all", "--format=%s")


def test_a_conflict_from_sync_is_listed_with_its_original(devices: Devices) -> None:
    (conflict,) = list_conflicts(devices.b)
    assert conflict.original is not None
    assert conflict.original.path == devices.entry.path
    assert conflict.original_id == devices.entry.id
    assert "-conflict-" in conflict.copy.path
    assert "Desktop: decided on canary" in conflict.original.text
    assert "Laptop: decided on blue-green" in conflict.copy.text
    assert conflict.title == "Migration plan"


def test_keep_mine_deletes_the_copy_and_commits(devices: Devices) -> None:
    b = devices.b
    (conflict,) = list_conflicts(b)
    before = (b.root / devices.entry.path).read_bytes()

    done = resolve(b, conflict, "mine")

    assert done.committed and done.kept == devices.entry.path
    assert not (b.root / conflict.copy.path).exists()
    assert (b.root / devices.entry.path).read_bytes() == before
    assert list_conflicts(b) == [] and b.doctor().conflicts == []
    assert git(b.root, "log", "-1", "--format=%s").startswith("Resolve conflict in")
    assert "Laptop: decided on blue-green" in history(b.root)  # still in the history
    assert_healthy(b.root)
    # The other device takes the resolution in and has no conflict either.
    sync(b)
    sync(devices.a)
    assert list_conflicts(devices.a) == []
    assert all_text(devices.a.root) == all_text(b.root)
    assert_healthy(devices.a.root)


def test_keep_theirs_moves_their_text_into_the_original_with_its_id(devices: Devices) -> None:
    b = devices.b
    (conflict,) = list_conflicts(b)

    done = resolve(b, conflict, "theirs")

    assert done.kept == devices.entry.path
    assert not (b.root / conflict.copy.path).exists()
    kept = Entry.from_bytes((b.root / devices.entry.path).read_bytes(), devices.entry.path)
    assert kept.id == devices.entry.id
    assert "conflict_of" not in kept.meta
    assert "Laptop: decided on blue-green" in kept.body
    assert "Desktop: decided on canary" not in kept.body
    assert "Desktop: decided on canary" in history(b.root)
    assert b.get(devices.entry.id).body == kept.body  # the index follows
    assert list_conflicts(b) == []
    assert_healthy(b.root)
    sync(b)
    sync(devices.a)
    assert "Desktop" not in (devices.a.root / devices.entry.path).read_text("utf-8")
    assert_healthy(devices.a.root)


def test_keep_both_makes_the_copy_an_ordinary_entry(devices: Devices) -> None:
    b = devices.b
    (conflict,) = list_conflicts(b)
    mine = (b.root / devices.entry.path).read_bytes()

    done = resolve(b, conflict, "both")

    assert done.created is not None and "-conflict-" not in done.created
    assert done.created == devices.entry.path.removesuffix(".md") + "-2.md"
    assert not (b.root / conflict.copy.path).exists()
    assert (b.root / devices.entry.path).read_bytes() == mine
    other = Entry.from_bytes((b.root / done.created).read_bytes(), done.created)
    assert "conflict_of" not in other.meta
    assert other.id == conflict.copy.entry.id != devices.entry.id
    assert other.body == conflict.copy.entry.body
    assert list_conflicts(b) == []
    assert sync_status(b).conflicts == []
    assert {i["path"] for i in b.entries(limit=None)} == {devices.entry.path, done.created}
    assert_healthy(b.root)
    sync(b)
    sync(devices.a)
    assert (devices.a.root / done.created).exists()
    assert_healthy(devices.a.root)


def test_a_file_changed_since_it_was_shown_is_not_resolved(devices: Devices) -> None:
    b = devices.b
    (conflict,) = list_conflicts(b)
    append(b, devices.entry, "Written after the comparison was shown")
    files = {p: p.read_bytes() for p in (b.root / "entries").rglob("*.md")}
    head = git(b.root, "rev-parse", "HEAD")

    with pytest.raises(ConflictChanged, match="changed since it was shown"):
        resolve(b, conflict, "theirs")

    assert {p: p.read_bytes() for p in (b.root / "entries").rglob("*.md")} == files
    assert git(b.root, "rev-parse", "HEAD") == head
    # Read again, the choice goes through, and the late edit is in the history.
    fresh = read_conflict(b, conflict.copy.path)
    assert fresh is not None
    resolve(b, fresh, "theirs")
    assert "Written after the comparison was shown" in history(b.root)
    assert_healthy(b.root)


def test_an_uncommitted_edit_is_committed_before_it_is_replaced(devices: Devices) -> None:
    b = devices.b
    append(b, devices.entry, "An edit nobody committed")
    (conflict,) = list_conflicts(b)
    resolve(b, conflict, "theirs")
    assert "An edit nobody committed" in history(b.root)
    assert_healthy(b.root)


def test_an_entry_named_conflict_is_not_a_conflict(journal: Journal) -> None:
    entry = journal.add(Entry.new("We talked it through.", title="Resolve conflict with team"))
    assert "-conflict-" in entry.path
    assert list_conflicts(journal) == []
    assert read_conflict(journal, entry.path) is None


def test_a_copy_the_app_kept_is_listed_and_resolved(journal: Journal, root: Path) -> None:
    entry = journal.add(Entry.new("Version in place\n", title="Retro"))
    other = entry.with_changes(body="Version from an outside editor\n")
    copy = journal.keep_conflict_copy(entry.path, other.document.to_bytes())
    (conflict,) = list_conflicts(journal)
    assert conflict.copy.path == copy and conflict.original is not None
    assert conflict.original.path == entry.path

    resolve(journal, conflict, "both")

    assert list_conflicts(journal) == []
    titles = [i["title"] for i in journal.entries(limit=None)]
    # Issue 13: keep both says which is which in the copy's title.
    assert sorted(titles) == ["Retro", "Retro (edited outside narrate)"]
    assert "Version from an outside editor" in all_text(root)
    assert_healthy(root)


def test_an_unreadable_copy_can_be_kept_aside_but_not_taken(journal: Journal, root: Path) -> None:
    entry = journal.add(Entry.new("Readable\n", title="Notes"))
    copy = journal.keep_conflict_copy(
        entry.path, b"---\ntitle: [unclosed\n---\nbroken YAML, but words to keep\n"
    )
    (conflict,) = list_conflicts(journal)
    assert conflict.copy.path == copy and conflict.copy.entry is None
    assert conflict.original is not None and conflict.original.path == entry.path

    with pytest.raises(NarrateError, match="cannot be read as an entry"):
        resolve(journal, conflict, "theirs")
    assert (root / copy).exists()

    done = resolve(journal, conflict, "both")
    assert done.created is not None
    assert (
        root / done.created
    ).read_bytes() == b"---\ntitle: [unclosed\n---\nbroken YAML, but words to keep\n"
    assert list_conflicts(journal) == []
    assert_healthy(root)


def test_with_the_original_gone_theirs_restores_it(journal: Journal, root: Path) -> None:
    entry = journal.add(Entry.new("Mine\n", title="Gone"))
    other = entry.with_changes(body="Theirs\n")
    journal.keep_conflict_copy(entry.path, other.document.to_bytes())
    (root / entry.path).unlink()
    journal.commit_paths([entry.path], "Delete the original")
    journal.reindex_paths([entry.path])
    (conflict,) = list_conflicts(journal)
    assert conflict.original is None and conflict.original_path == entry.path

    with pytest.raises(NarrateError, match="is gone"):
        resolve(journal, conflict, "mine")

    resolve(journal, conflict, "theirs")
    restored = journal.get(entry.id)
    assert restored.path == entry.path and restored.body == "Theirs\n"
    assert list_conflicts(journal) == []
    assert_healthy(root)


def test_free_names_never_hold_the_marker(journal: Journal, root: Path) -> None:
    assert free_name(journal, "entries/2026/01/x-conflict-abcdef1.md") == "entries/2026/01/x-2.md"
    (root / "entries/2026/01").mkdir(parents=True)
    (root / "entries/2026/01/x-2.md").write_text("taken")
    assert free_name(journal, "entries/2026/01/x-conflict-abcdef1-2.md") == (
        "entries/2026/01/x-3.md"
    )
    assert free_name(journal, "entries/a-conflict-b-conflict-1234567.md") == "entries/a-b-2.md"


def test_one_maker_names_both_kinds_of_copy() -> None:
    from narrate.journal.conflicts import conflict_copy, derived_original, is_conflict_name

    entry = Entry.new("Words\n", title="Plan")
    data = entry.document.to_bytes()
    path = "entries/2026/01/2026-01-05-plan.md"
    for tag in ("abcdef1", "0123abcd"):  # sync's short commit, the app's content hash
        copy, copy_data = conflict_copy(path, data, tag)
        assert copy == f"entries/2026/01/2026-01-05-plan-conflict-{tag}.md"
        assert is_conflict_name(copy) and derived_original(copy) == path
        kept = Entry.from_bytes(copy_data, copy)
        assert kept.id != entry.id and kept.meta["conflict_of"] == entry.id
        assert kept.body == entry.body

    taken = {"a/x-conflict-abcdef1.md", "a/x-conflict-abcdef1-2.md"}
    copy, same = conflict_copy("a/x.md", b"bad \xff UTF-8\n", "abcdef1", taken.__contains__)
    assert copy == "a/x-conflict-abcdef1-3.md" and same == b"bad \xff UTF-8\n"
    assert derived_original(copy) == "a/x.md"
