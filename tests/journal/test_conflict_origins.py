"""Issue 13 item 5: conflict sides labelled by origin on both devices, a merged version,
keep both titles that say which is which, and the CLI (conflicts, resolve)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrate.cli import main
from narrate.journal.conflicts import device_id, list_conflicts, merge_proposal, resolve
from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from tests.journal.test_conflicts import Devices, make_conflict, make_devices
from tests.journal.test_sync import append, assert_healthy, sync


@pytest.fixture
def devices(tmp_path: Path) -> Iterator[Devices]:
    a, b = make_devices(tmp_path)
    entry = make_conflict(a, b)
    yield Devices(a, b, entry)
    a.close()
    b.close()


def narrate(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, [*args, "--journal", str(root)], env={"COLUMNS": "200", "NO_COLOR": "1"}
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_device_that_synced_sees_the_remote_in_the_copy(devices: Devices) -> None:
    (conflict,) = list_conflicts(devices.b)
    mine, theirs = conflict.sides(device_id(devices.b.root))
    assert (mine.label, theirs.label) == ("This device", "The remote")
    assert "Desktop" in conflict.original.text and "Laptop" in conflict.copy.text  # type: ignore[union-attr]
    assert mine.when and theirs.when


def test_the_second_device_sees_its_own_text_labelled_this_device(devices: Devices) -> None:
    sync(devices.b)
    sync(devices.a)
    (conflict,) = list_conflicts(devices.a)
    mine, theirs = conflict.sides(device_id(devices.a.root))
    # In place is device b's text (it came from the remote); the copy is a's own.
    assert "Desktop" in conflict.original.text  # type: ignore[union-attr]
    assert "Laptop" in conflict.copy.text
    assert (mine.label, theirs.label) == ("The remote", "This device")


def test_a_copy_kept_under_the_editor_says_edited_outside(journal: Journal, root: Path) -> None:
    entry = journal.add(Entry.new("Draft.\n", title="Draft"))
    journal.keep_conflict_copy(entry.path, entry.document.to_bytes().replace(b"Draft.", b"Other"))
    (conflict,) = list_conflicts(journal)
    mine, theirs = conflict.sides(device_id(root))
    assert (mine.label, theirs.label) == ("This device", "Edited outside narrate")
    assert "device" not in theirs.label


def test_merge_proposal_is_three_way_over_the_base(devices: Devices) -> None:
    (conflict,) = list_conflicts(devices.b)
    merged = merge_proposal(devices.b, conflict)
    assert merged is not None
    assert merged.count("Started the migration plan") == 1
    assert "Laptop: decided on blue-green" in merged
    assert "Desktop: decided on canary" in merged
    assert "<<<<<<<" not in merged


def test_keep_merged_writes_the_merge_into_the_original(devices: Devices) -> None:
    b = devices.b
    (conflict,) = list_conflicts(b)
    done = resolve(b, conflict, "merged", "Started the migration plan\n\nBoth: canary first.\n")
    assert done.kept == devices.entry.path and not (b.root / conflict.copy.path).exists()
    kept = b.get(devices.entry.id)
    assert kept.body.strip().endswith("Both: canary first.")
    assert "conflict_from" not in kept.meta
    assert list_conflicts(b) == []
    assert_healthy(b.root)


def test_keep_both_titles_say_which_is_which(devices: Devices) -> None:
    b = devices.b
    (conflict,) = list_conflicts(b)
    done = resolve(b, conflict, "both")
    assert done.created is not None
    other = Entry.from_bytes((b.root / done.created).read_bytes(), done.created)
    assert other.title == "Migration plan (the remote's version)"
    assert not set(other.meta) & {"conflict_of", "conflict_from", "conflict_device"}
    assert b.get(devices.entry.id).title == "Migration plan"


def test_cli_lists_conflicts_by_origin(devices: Devices) -> None:
    code, out, err = narrate(devices.b.root, "conflicts")
    assert code == 0
    assert "Migration plan" in out
    assert "mine   This device" in out and "theirs The remote" in out
    assert "narrate resolve" in err
    code, out, _ = narrate(devices.b.root, "conflicts", "--json")
    (item,) = json.loads(out)
    assert item["original"]["label"] == "This device" and item["copy"]["label"] == "The remote"
    assert item["original_id"] == devices.entry.id and item["origin"] == "remote"


def test_cli_resolve_by_number_and_by_id(devices: Devices, tmp_path: Path) -> None:
    b = devices.b
    code, out, _ = narrate(b.root, "resolve", "1", "--keep", "merged", "--show")
    assert code == 0 and "Laptop" in out and "Desktop" in out
    assert len(list_conflicts(b)) == 1  # --show changes nothing
    (conflict,) = list_conflicts(b)
    code, out, _ = narrate(b.root, "resolve", conflict.copy.entry.id[:10], "--keep", "merged")
    assert code == 0, out
    assert "merged" in out
    body = b.get(devices.entry.id).body
    assert "Laptop" in body and "Desktop" in body
    code, out, err = narrate(b.root, "resolve", "1", "--keep", "mine")
    assert code != 0 and "no conflicts" in (out + err)


def test_cli_resolve_keep_mine(devices: Devices) -> None:
    code, out, _ = narrate(devices.b.root, "resolve", devices.entry.id, "--keep", "mine")
    assert code == 0, out
    assert list_conflicts(devices.b) == []


def test_sync_message_says_where_to_resolve(tmp_path: Path) -> None:
    a, b = make_devices(tmp_path)
    entry = Entry.new("Start\n", title="Plan")
    a.add(entry)
    sync(a)
    sync(b)
    append(a, entry, "A side")
    append(b, entry, "B side")
    sync(a)
    code, _out, err = narrate(b.root, "sync")
    assert code == 0
    assert "narrate conflicts" in err
    assert "other device" not in err
