"""Sync in the app: on start, on quit and on demand, in the writer's thread.

A sync runs as a task in the journal writer's queue (narrate.tui.writer), so it never
runs beside a save: saves queued before it land first, saves asked for during it wait
(the UI goes on). The header shows the result in a few words; a sync that kept both
versions of an entry offers the Conflicts screen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.message import Message

from narrate.errors import NarrateError
from narrate.humane import plural
from narrate.tui.messages import ConflictsChanged
from narrate.tui.status import safe_summary
from narrate.tui.text import one_line

if TYPE_CHECKING:
    from textual.binding import Binding

    from narrate.config import Config
    from narrate.journal.core import Journal
    from narrate.journal.sync import SyncResult
    from narrate.tui.screens.journal import JournalScreen
    from narrate.tui.writer import Writer
# Beyond the remote's timeout: the commit and the merge before and after it.
QUIT_MARGIN_SECONDS = 5.0


@dataclass
class SyncFinished(Message):
    """A sync ran (or was skipped) in the writer's thread."""

    reason: str
    """Why it ran: "start", "now" or "quit"."""
    result: SyncResult | None = None
    """The SyncResult, when it worked."""
    error: str | None = None
    """The one-line message of a failed sync."""
    summary: str = ""
    """The header's words after it."""
    remote: bool = True
    """Whether the journal has a remote at all."""
    skipped: bool = False
    """Nothing was attempted (no remote on start, or auto_sync is off)."""
    number: int = 0
    """The request it answers (and every earlier one: queued syncs run once)."""
    error_kind: str | None = None
    """SyncError's kind for a failed sync: "offline", "auth", "state" or "other"."""


def describe_result(result: SyncResult) -> str:
    """One line saying what a sync did."""
    if result.local_only:
        done = "Committed changes made outside narrate" if result.committed else "Nothing to commit"
        return f"{done}; no remote to sync with (set one with 'narrate remote set URL')."
    parts: list[str] = []
    if result.committed:
        parts.append("committed changes made outside narrate")
    if result.pulled:
        parts.append(f"took in {plural(result.pulled, 'commit')}")
    if result.pushed:
        parts.append(f"pushed {plural(result.pushed, 'commit')}")
    if result.renamed:
        parts.append(f"kept {plural(len(result.renamed), 'same-named entry')} under a new name")
    if not parts:
        return "Already in sync."
    text = ", ".join(parts)
    return f"Synced: {text}."


def run_sync(journal: Journal, reason: str, timeout: float, auto: bool) -> SyncFinished:
    """Sync ``journal`` (in the writer's thread); never raises. ``auto``: only when a
    remote is set and the config allows it."""
    from narrate.journal.sync import Syncer, SyncError, has_remote

    remote = has_remote(journal.root)
    if reason != "now" and (not remote or not auto):
        return SyncFinished(reason, remote=remote, skipped=True, summary=safe_summary(journal))
    result, error, kind = None, None, None
    try:
        result = Syncer(journal, timeout).run()
    except NarrateError as exc:
        error, kind = str(exc), exc.kind if isinstance(exc, SyncError) else "other"
    except Exception as exc:  # a bug must not end the writer's thread
        error, kind = f"sync failed: {type(exc).__name__}: {exc}", "other"
    return SyncFinished(reason, result, error, safe_summary(journal), remote, error_kind=kind)


class SyncMixin(App[None]):
    """The app's side of sync: start and quit syncs, the command, the header, and
    opening the Conflicts screen. NarrateApp's base: its message handlers and actions
    must be the app's own for Textual to find them."""

    journal: Journal
    """The app's journal (set by NarrateApp)."""
    journal_screen: JournalScreen
    """The journal screen, whose writer runs the syncs (set by NarrateApp)."""
    writer: Writer
    """The app's writer: syncs queue behind saves (set by NarrateApp)."""
    config: Config | None
    """The config as the app loaded it; None when it is unusable (set by NarrateApp)."""

    auto_sync: bool = True
    """False when the config says ``auto_sync = false``."""
    sync_timeout: float = 30.0
    """Seconds the remote may take (the config's ``sync_timeout``)."""
    sync_remote: bool | None = None
    """Whether the journal has a remote (None until the first sync task has looked)."""
    last_sync: SyncFinished | None = None
    _sync_asked = 0
    _sync_answered = 0
    _quit_syncing = False

    def read_sync_config(self) -> None:
        """auto_sync and sync_timeout from the config (defaults if it is unusable)."""
        from narrate.journal.sync import DEFAULT_TIMEOUT

        self.sync_timeout = DEFAULT_TIMEOUT
        config = self.config
        if config is None:
            return  # restore_theme has said what is wrong with it
        self.auto_sync = config.get("auto_sync", True) is not False
        self.sync_timeout = float(config.get("sync_timeout", DEFAULT_TIMEOUT))

    def request_sync(self, reason: str) -> int:
        """Queue a sync behind the writer's pending saves; its number."""
        from narrate.tui.writer import TaskJob

        self._sync_asked += 1
        number, timeout, auto = self._sync_asked, self.sync_timeout, self.auto_sync

        def task(journal: Journal) -> None:
            finished = run_sync(journal, reason, timeout, auto)
            finished.number = number
            self.post_message(finished)

        # Queued syncs of one kind run once; an automatic one never swallows a "now".
        kind = "now" if reason == "now" else "auto"
        self.writer.submit(TaskJob(f"sync-{kind}", task))
        return number

    def sync_on_start(self) -> None:
        """Sync once the app is up, if a remote is set and auto_sync allows."""
        self.read_sync_config()
        self.request_sync("start")

    def action_sync_now(self) -> None:
        """Save, then sync with the remote now."""
        self.journal_screen.save_now()
        self.notify("Syncing…", timeout=2)
        self.request_sync("now")

    def on_sync_finished(self, message: SyncFinished) -> None:
        """Show the result: header, notification, the list, the open entry."""
        # Queued syncs are coalesced: one answer covers every sync asked before it.
        self._sync_answered = max(self._sync_answered, message.number)
        self.last_sync = message
        self.sync_remote = message.remote
        if message.summary:
            self.sub_title = one_line(message.summary)
        if message.skipped:
            return
        if message.error:
            self.notify(
                message.error,
                title="Offline" if message.error_kind == "offline" else "Sync failed",
                severity="warning" if message.error_kind == "offline" else "error",
                timeout=8 if message.reason == "start" else 12,
                markup=False,
            )
            return
        result = message.result
        if result is None:  # only a skipped or failed sync has none, and both returned
            return
        if result.changed_paths or result.conflicts:
            self.journal_changed()
        if result.conflicts:
            self.offer_conflicts(len(result.conflicts))
        elif message.reason == "now" or result.pulled:
            self.notify(describe_result(result), timeout=4, markup=False)

    def offer_conflicts(self, count: int) -> None:
        """Say that both versions of entries were kept, with a way to compare them."""
        key = self.get_key_display(_binding(self, "conflicts"))
        # Markup for the link only: the message holds no text from the journal.
        self.notify(
            f"{plural(count, 'entry')} changed on both devices; both versions are kept. "
            f"[@click=app.conflicts]Compare them[/] ({key}).",
            title="Conflicts",
            severity="warning",
            timeout=20,
        )

    def journal_changed(self, paths: list[str] | None = None, kept: str | None = None) -> None:
        """Files changed under the journal screen: its list, the open entry, the header."""
        from narrate.tui.writer import GitStateJob, RefreshJob

        screen = self.journal_screen
        if not screen.is_mounted:
            return
        screen.load_listing()
        entry = screen.entry
        if paths and entry is not None and entry.path in paths and not screen.dirty:
            # A resolution rewrote or removed the open entry: show what is there now.
            screen.entry = None
            if (screen.journal.root / entry.path).exists():
                screen.open_path(entry.path)
            elif kept and (screen.journal.root / kept).exists():
                screen.open_path(kept)
            else:
                screen.open_today()
        else:
            screen.check_disk()
        self.writer.submit(RefreshJob())
        self.writer.submit(GitStateJob())

    def on_conflicts_changed(self, message: ConflictsChanged) -> None:
        """A conflict was resolved on the Conflicts screen."""
        self.journal_changed(message.paths, message.kept)

    def action_conflicts(self) -> None:
        """Open the Conflicts screen (after saving what the editor holds)."""
        from narrate.tui.screens.conflicts import ConflictsScreen

        if isinstance(self.screen, ConflictsScreen):
            self.screen.reload()
            return
        self.journal_screen.save_now()
        self.push_screen(ConflictsScreen(self.journal.root, self.writer))

    async def sync_before_quit(self) -> str | None:
        """The quit sync, bounded by the timeout: a line to print after the app has
        gone when it failed or kept conflicts. A second quit does not wait for it."""
        if self._quit_syncing or not self.auto_sync or self.sync_remote is False:
            return None
        self._quit_syncing = True
        key = self.get_key_display(_binding(self, "quit"))
        self.notify(f"Syncing before quitting… ({key} again quits now)", timeout=30)
        number = self.request_sync("quit")
        deadline = time.monotonic() + 2 * self.sync_timeout + QUIT_MARGIN_SECONDS
        while self._sync_answered < number and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        done = self.last_sync
        if self._sync_answered < number or done is None:
            return "narrate: the sync before quitting did not finish; run 'narrate sync'"
        if done.error:
            return f"narrate: not synced: {done.error}"
        if done.result is not None and done.result.conflicts:
            return (
                f"narrate: {plural(len(done.result.conflicts), 'entry')} changed on both "
                "devices; both versions are kept (see 'narrate status', or the app's "
                "Conflicts screen)"
            )
        return None

    def sync_commands(self) -> Iterator[SystemCommand]:
        """The palette's sync commands."""
        yield SystemCommand("Sync now", "Sync with the journal's remote now", self.action_sync_now)
        yield SystemCommand(
            "Conflicts", "Compare and resolve entries changed on two devices", self.action_conflicts
        )


def _binding(app: App[None], action: str) -> Binding:
    """The app's binding for ``action`` (for the key shown in a notification)."""
    from textual.binding import Binding

    for binding in app.BINDINGS:
        if isinstance(binding, Binding) and binding.action == action:
            return binding
    raise LookupError(action)
