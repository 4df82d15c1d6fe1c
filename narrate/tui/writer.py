"""The journal's slow work, done off the UI thread, one job at a time.

Saves must happen in order (an older text must never land after a newer one) and a
new entry's second save must edit the file its first save created; index refreshes
and git must not run on the connection the UI reads from. So one background thread
owns a Journal of its own and works through a queue; rapid saves of the same entry
are coalesced into one write and one commit.
"""

from __future__ import annotations

import datetime as dt
import queue
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.message import Message
from textual.message_pump import MessagePump

from narrate.errors import NarrateError
from narrate.journal import atomic_write
from narrate.tui.messages import (
    CoreNotice,
    EntrySaved,
    GitStateChecked,
    IndexProgress,
    JournalRefreshed,
    SaveFailed,
)
from narrate.tui.template import title_for

if TYPE_CHECKING:
    from narrate.config import Config
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry


@dataclass
class SaveJob:
    """Write the editor's text for one editor session."""

    key: str
    """The editor session: a new entry's saves share it, a reload starts a new one."""
    seq: int
    """Increases with every save the UI asks for; acknowledged in EntrySaved."""
    entry: Entry | None
    """The Entry as the editor loaded it, or None for an entry not yet on disk."""
    disk: bytes | None
    """The file's bytes when the editor loaded it: anything else means an outside edit."""
    body: str
    template: str
    day: dt.date


@dataclass
class RefreshJob:
    """Bring the index up to date with the files."""


@dataclass
class GitStateJob:
    """Read the repository state for the header."""


@dataclass
class TaskJob:
    """Other work that must not run beside a save (a sync, resolving a conflict, a
    form's write): ``run(journal)`` with the writer's Journal, after the jobs queued
    before it; the message it returns is posted to ``reply`` (else where the writer
    posts its own)."""

    name: str
    """Tasks of one name queued together run once: the latest."""
    run: Callable[[Journal], Message | None]
    """Must handle its own errors (the writer only keeps itself alive)."""
    reply: Callable[[Message], object] | None = None
    """Where the returned message goes: usually the asking screen's ``post_message``."""


Job = SaveJob | RefreshJob | GitStateJob | TaskJob


class Writer:
    """Runs jobs against its own Journal in one background thread."""

    def __init__(self, root: Path) -> None:
        self.journal = self.open_journal(root)
        self._index_version: int | None = None
        self._post: Callable[[Message], object] | None = None
        self.queue: queue.Queue[Job | None] = queue.Queue()
        # key -> (entry, bytes on disk) after this writer's last save in that session.
        self._sessions: dict[str, tuple[Entry, bytes]] = {}
        self.unsaved: dict[str, str] = {}
        """Editor session -> text that could be neither saved nor rescued (a full
        disk): the app prints it to the terminal when it closes."""

    @staticmethod
    def open_journal(root: Path) -> Journal:
        """The thread's own Journal (its index connection opens on first use)."""
        # The only place in the TUI that opens a Journal: the app's writer and reader.
        from narrate.config import load_config
        from narrate.errors import NarrateError
        from narrate.journal.core import Journal

        try:
            ignore = load_config().ignore
        except NarrateError:
            ignore = []  # the app shows the config's problem; the journal still opens
        return Journal.open(root, ignore=ignore)

    def submit(self, job: Job) -> None:
        """Queue a job (from any thread)."""
        self.queue.put(job)

    def stop(self) -> None:
        """Ask the thread to finish after the queued jobs."""
        self.queue.put(None)

    def run(self, post: Callable[[Message], object], cancelled: Callable[[], bool]) -> None:
        """The thread's loop: take jobs (coalesced), run them, post what happened; ends on
        ``stop()`` or when ``cancelled()`` says so (checked at least every 0.2 s)."""
        self._post = post
        try:
            while not cancelled():
                try:
                    first = self.queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                jobs, taken, stop = self._take(first)
                try:
                    for job in jobs:
                        message = self._run_one(job)
                        if message is not None:
                            post(message)
                    post_notices(post)
                finally:
                    for _ in range(taken):
                        self.queue.task_done()
                if stop:
                    return
        finally:
            self.journal.close()

    def _take(self, first: Job | None) -> tuple[list[Job], int, bool]:
        """``first`` and everything queued behind it, later saves of an entry replacing
        earlier ones and repeated refreshes merged; also how many items were taken."""
        items = [first]
        while True:
            try:
                items.append(self.queue.get_nowait())
            except queue.Empty:
                break
        stop = any(item is None for item in items)
        jobs: dict[object, Job] = {}
        for item in items:
            if item is None:
                continue
            slot: object = ("save", item.key) if isinstance(item, SaveJob) else type(item)
            if isinstance(item, TaskJob):
                slot = ("task", item.name)
            jobs.pop(slot, None)  # keep the order of the latest request
            jobs[slot] = item
        return list(jobs.values()), len(items), stop

    def _run_one(self, job: Job) -> Message | None:
        try:
            if isinstance(job, SaveJob):
                return self.save(job)
            if isinstance(job, RefreshJob):
                return self.refresh()
            if isinstance(job, TaskJob):
                message = job.run(self.journal)
                if message is not None and job.reply is not None:
                    job.reply(message)
                    return None
                return message
            from narrate.tui.status import header_summary

            return GitStateChecked(header_summary(self.journal))
        except Exception as exc:  # the thread must survive anything one job does
            if not isinstance(job, SaveJob):
                return None
            reason = str(exc) if isinstance(exc, NarrateError) else f"{type(exc).__name__}: {exc}"
            rescued = self.rescue(job)
            if rescued:
                reason += f"; the text is kept in {rescued}"
            else:
                reason += "; it could not be kept on disk either: it is printed when narrate closes"
            return SaveFailed(job.key, job.seq, reason)

    def refresh(self) -> JournalRefreshed:
        """Bring the index up to date; count as changed what another process (``narrate
        add`` in another shell) indexed since the last look, which this refresh finds
        already done. Edits another program made, which the refresh picked up, are
        committed: the header must not say "uncommitted" forever without a remote."""
        report = self.journal.refresh(progress=self.index_progress, stream=True)
        if report.changed:
            self.commit_outside_edits()
        version = self.journal.index_version()
        outside = self._index_version is not None and version != self._index_version
        self._index_version = version
        return JournalRefreshed(report.changed or int(outside), list(report.broken))

    def index_progress(self, done: int, total: int) -> None:
        """Tell the app how far a long refresh got (its batches so far are committed);
        the last batch is told by JournalRefreshed."""
        if done < total and self._post is not None:
            self._post(IndexProgress(done, total))

    def commit_outside_edits(self) -> None:
        """Commit what the last refresh found changed on disk (mid-merge, locked or
        detached: nothing, and the header says git needs attention)."""
        import contextlib

        from narrate.journal.sync import commit_local

        with contextlib.suppress(NarrateError):
            commit_local(self.journal)

    def rescue(self, job: SaveJob) -> str | None:
        """Keep the text of a failed save in the journal's local state folder, so it
        survives leaving the entry or quitting; its path, or None if that failed too."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            folder = self.journal.state_dir() / "unsaved"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{stamp}-{job.key}.md"
            # Atomic: a full disk leaves no file at all, never an empty or cut-off one.
            atomic_write(path, job.body.encode("utf-8"))
        except OSError:
            self.unsaved[job.key] = job.body
            return None
        self.unsaved.pop(job.key, None)
        return str(path)

    def save(self, job: SaveJob) -> EntrySaved:
        """Create or update the entry; keep an outside edit as a conflict copy."""
        from narrate.journal.core import NotCommitted
        from narrate.journal.entry import Entry

        entry, disk = self._sessions.get(job.key, (job.entry, job.disk))
        warning: str | None = None
        self.unsaved.pop(job.key, None)  # on a failure, rescue() puts it back
        if entry is None:
            title = title_for(job.body, job.template, job.day)
            created = Entry.from_capture(job.body, title=title, verbatim=True)
            try:
                self.journal.add(created, message=f"Write entry: {created.title}")
            except NotCommitted as exc:
                warning = str(exc)
            data = created.document.to_bytes()
            self._sessions[job.key] = (created, data)
            return EntrySaved(job.key, job.seq, created, data, job.body, True, None, warning)

        on_disk = self.journal.read_file(entry.path)
        conflict: str | None = None
        if on_disk is not None and on_disk != disk:
            conflict = self.journal.keep_conflict_copy(entry.path, on_disk)
        if on_disk is not None and not conflict and job.body == entry.body:
            return EntrySaved(job.key, job.seq, entry, on_disk, job.body)
        changes: dict[str, Any] = {"body": job.body}
        day = entry.created.date()
        if entry.title == title_for(entry.body, job.template, day):
            # The title was derived from the body, so it follows the body.
            title = title_for(job.body, job.template, day)
            if title != entry.title:
                changes["title"] = title
        updated = entry.touched(**changes)
        try:
            self.journal.save(updated, message=f"Write entry: {updated.title}")
        except NotCommitted as exc:
            warning = str(exc)
        data = updated.document.to_bytes()
        self._sessions[job.key] = (updated, data)
        return EntrySaved(job.key, job.seq, updated, data, job.body, False, conflict, warning)


class Reader(Writer):
    """Runs reads (search as you type, the review, the feed) on a Journal of its own in
    a second background thread, so they neither wait behind a save or a sync nor hold
    up the UI. Reads only: it takes TaskJobs, and its Journal never refreshes the index
    (the writer does)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.journal.defer_refresh()

    def submit(self, job: Job) -> None:
        """Queue a read (from any thread); a read of the same name still queued is
        replaced by this one."""
        if not isinstance(job, TaskJob):
            raise TypeError(f"the reader runs reads only, not {type(job).__name__}")
        super().submit(job)


def post_notices(post: Callable[[Message], object]) -> None:
    """Pass on what the core asked to say once (only after something committed)."""
    import sys

    if "narrate.journal.history" not in sys.modules:
        return
    from narrate.journal import take_notices

    for notice in take_notices():
        post(CoreNotice(notice))


@runtime_checkable
class JournalApp(Protocol):
    """What the screens use of the app: its writer, its reader and its config."""

    writer: Writer
    """Every write of the TUI, in order."""
    reader: Reader
    """Reads that must not wait behind a write."""
    config: Config | None
    """The user's config as the app loaded it; None when it is unusable."""
    config_problem: str | None
    """Why the config is unusable, if it is."""


def journal_app(node: MessagePump) -> JournalApp:
    """The app ``node`` runs in, as the screens use it."""
    app = node.app
    if not isinstance(app, JournalApp):
        raise RuntimeError(f"{type(app).__name__} has no journal writer")
    return app


def describe_repo(state: Any) -> str:
    """A few words for the header: clean, uncommitted, unpushed, or a problem."""
    if state.problems:
        return "git needs attention (narrate doctor)"
    parts: list[str] = []
    if state.uncommitted:
        parts.append(f"{len(state.uncommitted)} uncommitted")
    if state.remote:
        if state.ahead:
            parts.append(f"{state.ahead} unpushed")
        if state.behind:
            parts.append(f"{state.behind} to pull")
        if state.ahead is None:
            parts.append("no upstream")
    if not parts:
        return "in sync" if state.remote else "clean"
    return ", ".join(parts)
