"""The app's last line of defence for words it cannot save (issue 12, item 6): a rescue
that cannot be written leaves no empty file, and what could not be kept anywhere is
printed to the terminal after the app closes, a forced quit included."""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.tui import writer as writer_module
from narrate.tui.app import NarrateApp
from narrate.tui.messages import SaveFailed
from narrate.tui.writer import SaveJob, Writer
from tests.helpers import fill, mount_tmpfs, unmount
from tests.tui.helpers import wait_for

DAY = dt.date(2026, 11, 27)


def noticed(app: NarrateApp, text: str) -> bool:
    """Whether a notification showing ``text`` is up."""
    return any(text in str(note.message) for note in app._notifications)


def run_writer(writer: Writer) -> list[object]:
    posted: list[object] = []
    writer.stop()
    writer.run(posted.append, lambda: False)
    return posted


def test_a_rescue_on_a_full_disk_leaves_no_empty_file_and_keeps_the_text(
    journal: Journal, root: Path
) -> None:
    entry = journal.add(Entry.new("body\n", title="T"))
    journal.close()
    (root / "entries" / "blocker").write_text("a file where a folder should be")
    entry.path = "entries/blocker/t.md"  # the save cannot happen
    state = root / ".narrate"
    mount_tmpfs(state, "1m")
    try:
        fill(state)
        writer = Writer(root)
        writer.submit(SaveJob("s1", 1, entry, b"", "precious words\n", "", DAY))
        (failed,) = run_writer(writer)
        writer.journal.close()
        assert isinstance(failed, SaveFailed)
        unsaved = state / "unsaved"
        empty = [p for p in unsaved.rglob("*") if p.is_file() and p.stat().st_size == 0]
        assert empty == [], "no empty rescue file"
        assert writer.unsaved == {"s1": "precious words\n"}
        assert "printed when narrate closes" in failed.reason
    finally:
        unmount(state)


async def test_a_forced_quit_prints_the_text_it_could_not_save(
    journal: Journal, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Journal, "add", full)
    monkeypatch.setattr(writer_module, "atomic_write", full)  # the rescue too
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 30)) as pilot:
        app.journal_screen.editor.load_text("Words the disk had no room for")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: noticed(app, "Not saved"))
        assert noticed(app, "printed when narrate closes")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)
    assert "Words the disk had no room for" in app.words_to_print()


async def test_the_app_starts_on_a_full_disk_and_keeps_the_index(
    tmp_path: Path, root: Path
) -> None:
    import shutil

    from narrate.journal import index as idx
    from tests.tui.helpers import add_entry, shows

    mount = tmp_path / "mnt"
    mount_tmpfs(mount, "8m")
    try:
        target = mount / "journal"
        shutil.copytree(root, target, symlinks=True)
        with Journal.open(target) as journal:
            add_entry(journal, "Written before the disk filled", days_ago=1)
        # The index must take this one in: a write, on a disk with no room left.
        with Journal.open(target) as journal:
            add_entry(journal, "Also before the disk filled", days_ago=2)
        idx.remove_index_files(idx.index_path(target))
        with Journal.open(target) as journal:
            journal.refresh()
        add_outside = target / "entries" / "2026" / "01" / "2026-01-02-0900-outside.md"
        add_outside.parent.mkdir(parents=True, exist_ok=True)
        add_outside.write_text(
            "---\nid: 01HNBQ0000000000000000OUT1\ncreated: 2026-01-02T09:00:00+00:00\n"
            "title: Outside edit\n---\n\nBody.\n"
        )
        fill(mount)
        with Journal.open(target) as journal:
            app = NarrateApp(journal)
            async with app.run_test(size=(100, 30)) as pilot:
                await shows(pilot, "Outside edit")
                await pilot.press("ctrl+q")
                await wait_for(pilot, lambda: not app.is_running)
        assert idx.index_path(target).is_file(), "a full disk is not a corrupt index"
    finally:
        unmount(mount)
