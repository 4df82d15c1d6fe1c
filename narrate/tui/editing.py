"""The editor's save state machine: what the editor holds against what is on disk.

``EditSession`` decides when to save, what a save's answer changes, which entry may be
opened now and what an outside change to the open file means. It holds no widget and
no timer (the journal screen has those and passes the editor's text in), so it is tested
with plain calls: tests/tui/test_editing.py.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from narrate.tui.writer import SaveJob

if TYPE_CHECKING:
    from narrate.journal.entry import Entry
    from narrate.tui.messages import EntrySaved, SaveFailed

# Save at least this often while typing without a pause.
MAX_UNSAVED_SECONDS = 30.0

_sessions = itertools.count(1)


class Typed(enum.Enum):
    """What a change of the editor's text asks for."""

    NOTHING = "nothing"
    """The text is what is on disk again (or an emptied new entry): nothing to save."""
    WAIT = "wait"
    """Save once typing pauses."""
    SAVE = "save"
    """Save now: the text has been unsaved for too long."""


class Outside(enum.Enum):
    """What a look at the open entry's file found."""

    NOTHING = "nothing"
    """The file is as the editor loaded or saved it (or a save is on its way)."""
    SAVE = "save"
    """It changed and the editor holds edits: save; the writer keeps the other version."""
    DELETED = "deleted"
    """It is gone and the editor holds no edits."""
    RELOAD = "reload"
    """It changed and the editor holds no edits: show the new version."""
    BROKEN = "broken"
    """It changed into something that is no entry: leave the editor as it is."""


@dataclass
class DiskChange:
    """An outside change and what to do about it."""

    outside: Outside
    entry: Entry | None = None
    """The new version, for RELOAD."""
    data: bytes | None = None
    """The file's bytes, for RELOAD."""
    reason: str = ""
    """Why the file cannot be read, for BROKEN."""


class EditSession:
    """One editor's text against the file: dirty tracking, save numbers, conflicts."""

    def __init__(self) -> None:
        self.entry: Entry | None = None
        """The Entry in the editor; None while it is a new entry not yet on disk."""
        self.disk: bytes | None = None
        """The entry file's bytes as the editor last loaded or saved them."""
        self.baseline = ""
        """The text as last loaded or saved: the editor differs from it when dirty."""
        self.template = ""
        """The narration template, as new entries start and titles are derived."""
        self.key = ""
        """The editing session's key: a new one for each entry opened or reloaded."""
        self.seq = 0
        """The number of the latest save asked of the writer."""
        self.acked = 0
        """The number of the latest save the writer has answered."""
        self.last_failure: str | None = None
        """Why the latest save failed, until one works."""
        self._dirty_since: float | None = None
        self._ignored_disk: bytes | None = None
        self._pending: dict[str, int] = {}
        """Paths with a save queued, and the number of the latest such save."""
        self._deferred_open: tuple[str, bool] | None = None

    # ------------------------------------------------------------------ opening

    def open_draft(self, template: str) -> None:
        """A new entry from ``template``: nothing is written until the text changes."""
        self.entry, self.disk, self.baseline = None, None, template
        self._start(template)

    def open_entry(self, entry: Entry, data: bytes, template: str) -> None:
        """``entry`` (whose file holds ``data``) in the editor as a fresh session."""
        self.entry, self.disk, self.baseline = entry, data, entry.body
        self._ignored_disk = None
        self._start(template)

    def _start(self, template: str) -> None:
        self.template = template
        self.key = f"s{next(_sessions)}"
        self._dirty_since = None

    def may_open(self, path: str, cursor_at_end: bool = False) -> bool:
        """Whether ``path`` can be opened now; if a save of it is still queued, it is
        remembered for ``deferred_open`` once that save has landed."""
        if path in self._pending:
            self._deferred_open = (path, cursor_at_end)
            return False
        self._deferred_open = None
        return True

    def deferred_open(self) -> tuple[str, bool] | None:
        """The (path, cursor_at_end) that waited for its save, once it may be opened."""
        if self._deferred_open is not None and self._deferred_open[0] not in self._pending:
            deferred, self._deferred_open = self._deferred_open, None
            return deferred
        return None

    # ------------------------------------------------------------------ saving

    def dirty(self, text: str) -> bool:
        """Whether ``text`` (the editor's) is not on disk."""
        if text == self.baseline:
            return False
        # An emptied new entry is no entry: never written.
        return self.entry is not None or bool(text.strip())

    @property
    def saving(self) -> bool:
        """Whether a save was asked for and not yet answered."""
        return self.acked < self.seq

    def typed(self, text: str, now: float) -> Typed:
        """The editor's text changed to ``text`` at ``now`` (monotonic seconds)."""
        if not self.dirty(text):
            self._dirty_since = None
            return Typed.NOTHING
        if self._dirty_since is None:
            self._dirty_since = now
        return Typed.SAVE if now - self._dirty_since >= MAX_UNSAVED_SECONDS else Typed.WAIT

    def save(self, text: str, day: dt.date) -> SaveJob | None:
        """The writer's job saving ``text``, numbered; None when there is nothing to save."""
        if not self.dirty(text):
            return None
        self._dirty_since = None
        self.seq += 1
        if self.entry is not None:
            self._pending[self.entry.path] = self.seq
        return SaveJob(
            key=self.key,
            seq=self.seq,
            entry=self.entry,
            disk=self.disk,
            body=text,
            template=self.template,
            day=day,
        )

    def saved(self, message: EntrySaved) -> bool:
        """A save landed; True if it is this session's (it becomes the baseline)."""
        self._landed(message.seq)
        if message.key != self.key:
            return False
        self.entry, self.disk, self.baseline = message.entry, message.data, message.body
        self.last_failure = None
        return True

    def failed(self, message: SaveFailed) -> None:
        """A save failed: the text stays dirty, and the next change retries."""
        self._landed(message.seq)
        self.last_failure = message.reason

    def _landed(self, seq: int) -> None:
        """Save ``seq`` is done (or failed): no path waits for it any longer."""
        self.acked = max(self.acked, seq)
        for path, waiting in list(self._pending.items()):
            if waiting <= seq:
                del self._pending[path]

    # ------------------------------------------------------------------ outside changes

    def outside_change(self, data: bytes | None, text: str) -> DiskChange:
        """What the open entry's file holding ``data`` (None: gone) means, the editor
        holding ``text``."""
        if self.entry is None or self.saving:
            return DiskChange(Outside.NOTHING)
        if data == self.disk or (data is not None and data == self._ignored_disk):
            return DiskChange(Outside.NOTHING)
        if self.dirty(text):
            return DiskChange(Outside.SAVE)
        if data is None:
            return DiskChange(Outside.DELETED)
        from narrate.journal.entry import BrokenEntry, Entry

        try:
            entry = Entry.from_bytes(data, self.entry.path)
        except BrokenEntry as exc:
            # Said once: the next look finds the same bytes and stays quiet.
            self._ignored_disk = data
            return DiskChange(Outside.BROKEN, reason=exc.reason)
        return DiskChange(Outside.RELOAD, entry, data)
