"""The editor's save state machine, driven with plain calls: no app, no Pilot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.tui.editing import MAX_UNSAVED_SECONDS, EditSession, Outside, Typed
from narrate.tui.messages import EntrySaved, SaveFailed
from narrate.tui.writer import SaveJob, Writer

DAY = dt.date(2026, 11, 27)


def opened(journal: Journal, root: Path) -> tuple[EditSession, Entry]:
    """A session on an entry just written to the journal."""
    entry = journal.add(Entry.new("Morning notes\n", title="Morning"))
    session = EditSession()
    session.open_entry(entry, (root / entry.path).read_bytes(), "")
    return session, entry


def write(root: Path, job: SaveJob) -> EntrySaved:
    """What the app's writer answers to ``job``."""
    writer = Writer(root)
    writer.submit(job)
    posted: list[object] = []
    writer.stop()
    writer.run(posted.append, lambda: False)
    (answer,) = posted
    assert isinstance(answer, EntrySaved)
    return answer


def test_edits_are_saved_once_typing_pauses_then_are_the_baseline(
    journal: Journal, root: Path
) -> None:
    session, entry = opened(journal, root)
    text = "Morning notes\nand more\n"
    assert session.typed("Morning notes\n", now=0.0) is Typed.NOTHING
    assert session.typed(text, now=1.0) is Typed.WAIT
    assert session.typed(text, now=1.0 + MAX_UNSAVED_SECONDS) is Typed.SAVE  # no pause
    job = session.save(text, DAY)
    assert job is not None and (job.seq, job.key, job.body) == (1, session.key, text)
    assert job.disk == session.disk and session.saving
    # Opening the entry again waits until its save has landed.
    assert not session.may_open(entry.path, cursor_at_end=True)
    assert session.deferred_open() is None
    assert session.saved(write(root, job))
    assert not session.saving and not session.dirty(text)
    assert session.disk == (root / entry.path).read_bytes()
    assert session.deferred_open() == (entry.path, True)
    assert session.save(text, DAY) is None  # nothing left to save


def test_an_empty_new_entry_is_never_saved_and_a_failure_keeps_the_text() -> None:
    session = EditSession()
    session.open_draft("## What did I do?\n")
    assert session.typed("", now=0.0) is Typed.NOTHING and session.save("", DAY) is None
    job = session.save("## What did I do?\nShipped it\n", DAY)
    assert job is not None and job.entry is None
    session.failed(SaveFailed(job.key, job.seq, "disk full"))
    assert not session.saving and session.last_failure == "disk full"
    assert session.dirty("## What did I do?\nShipped it\n")


def test_an_answer_for_an_earlier_session_is_not_the_baseline(journal: Journal, root: Path) -> None:
    session, entry = opened(journal, root)
    job = session.save("Morning notes, edited\n", DAY)
    assert job is not None
    session.open_entry(entry, (root / entry.path).read_bytes(), "")  # reopened meanwhile
    assert not session.saved(write(root, job))
    assert session.baseline == "Morning notes\n" and not session.saving


def test_an_outside_change_without_edits_reloads(journal: Journal, root: Path) -> None:
    session, entry = opened(journal, root)
    file = root / entry.path
    assert session.outside_change(file.read_bytes(), "Morning notes\n").outside is Outside.NOTHING
    file.write_bytes(file.read_bytes().replace(b"Morning notes", b"Edited in vim"))
    change = session.outside_change(file.read_bytes(), "Morning notes\n")
    assert change.outside is Outside.RELOAD
    assert change.entry is not None and change.entry.body == "Edited in vim\n"
    assert change.data == file.read_bytes()
    assert session.outside_change(None, "Morning notes\n").outside is Outside.DELETED


def test_an_outside_change_with_edits_saves_and_keeps_a_conflict_copy(
    journal: Journal, root: Path
) -> None:
    session, entry = opened(journal, root)
    file = root / entry.path
    loaded = file.read_bytes()
    file.write_bytes(loaded.replace(b"Morning notes", b"Written on the laptop"))
    mine = "Morning notes\nwritten here\n"
    assert session.outside_change(file.read_bytes(), mine).outside is Outside.SAVE
    job = session.save(mine, DAY)
    assert job is not None and job.disk == loaded  # the writer sees the file moved on
    saved = write(root, job)
    assert saved.conflict_copy and session.saved(saved)
    assert "Written on the laptop" in (root / saved.conflict_copy).read_text("utf-8")
    assert file.read_text("utf-8").endswith(mine)


def test_a_broken_outside_change_is_reported_once(journal: Journal, root: Path) -> None:
    session, _ = opened(journal, root)
    broken = b"---\nid: [unclosed\n---\nbody\n"
    change = session.outside_change(broken, "Morning notes\n")
    assert change.outside is Outside.BROKEN and change.reason
    assert session.outside_change(broken, "Morning notes\n").outside is Outside.NOTHING
