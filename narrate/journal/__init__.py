"""The headless core of narrate: entry files in git, an SQLite index as their cache.

Faces (the CLI, the TUI) and capabilities (practice, community, importers) use this
API and nothing below it; SQL and git stay inside this package.

The journal:
    Journal          open/create a journal; every read and write (narrate.journal.core)
    DoctorReport     what ``Journal.doctor()`` found
    RefreshReport    what a refresh of the index found

Entries:
    Entry, Practice  an entry file and one practice change in it (narrate.journal.entry)

Named reads (``Journal`` methods, all on a fresh index): ``entries``, ``search``, ``tags``,
``practice``, ``resolve``, ``get``, ``show``, ``iter_entries``, ``entry_paths``,
``day_counts``, ``list_by_day``, ``day_position``, ``day_place``, ``today_entry``; the aggregates
``practice_areas``, ``practice_sources``, ``practice_by_area_period``,
``practice_timeline``, ``status_counts``, ``entries_per_day``, ``entry_days``,
``entries_on_day``, ``entries_per_month``; the feed ``feed_head``, ``feed_count``,
``feed_rows``, ``feed_by_prefix``, the conversation's ``feed_replies``,
``feed_reply_count``, ``feed_adoptions``, ``feed_by_ids``, ``feed_of_member``; search and
following ``feed_search``; the community review's ``feed_activity_by_day``,
``feed_practice_published``, ``feed_adopted_changes``, ``feed_thread_sizes``,
``feed_busiest_threads`` (and the writes ``replace_feed``, ``forget_feed``);
git: ``repo_state``, ``has_remote``.

Their shapes (narrate.journal.types): EntryItem, TagCount, PracticeItem, AreaCount,
AreaPeriodCount, SourceCount, TimelineChange, EntryBrief, FeedRow, FeedHit; Follows
(what a reader follows, the feed reads' argument).

Files, for the bulk writers (the importers, the community state) that write many files
under one lock and commit them once; the rule for each lives in one place:
    atomic_write     temp file, fsync, rename, directory fsync (narrate.journal.store)
    make_durable     fsync these files and their folders (a bulk writer's batch)
    JournalLock      the lock that serialises writers of one journal
    ENTRIES, TEMP_MARKER, entry_relpath, entry_stem   the folder layout and file namer
    iter_entry_paths every entry file's path, from the folders (narrate.journal.index)
    commit           one commit of these paths, under a lock the caller holds (history)
    PendingFiles     written, not yet committed: the next commit takes them (store)
    not_in_head, unstage   what HEAD lacks; drop removed files from git's index (history)

Notices: ``take_notices()`` returns (and forgets) what the core did on the user's behalf
that they should hear once, such as the fallback git identity set at a first commit.

Errors (all narrate.errors.NarrateError, whose message says what to do next):
    NotCommitted     the entry is saved and indexed, but git could not commit it
    BrokenEntry      a file that cannot be read as an entry (a ValueError)
    GitError         a git command failed (narrate.journal.history)
    SyncError        a sync could not finish; nothing was lost (narrate.journal.sync)
    ConflictChanged  a conflict copy changed while it was being resolved

Names are re-exported lazily: importing this package costs nothing, and ``narrate list``
on a fresh index must not import YAML, sqlite-utils or GitPython (tests/test_imports.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from narrate.journal.conflicts import ConflictChanged
    from narrate.journal.core import DoctorReport, Journal, NotCommitted
    from narrate.journal.entry import BrokenEntry, Entry, Practice
    from narrate.journal.history import (
        GitError,
        RepoState,
        commit,
        not_in_head,
        take_notices,
        unstage,
    )
    from narrate.journal.index import RefreshReport, iter_entry_paths
    from narrate.journal.store import (
        ENTRIES,
        TEMP_MARKER,
        JournalLock,
        PendingFiles,
        atomic_write,
        entry_relpath,
        entry_stem,
        make_durable,
    )
    from narrate.journal.sync import SyncError
    from narrate.journal.types import (
        AreaCount,
        AreaPeriodCount,
        EntryBrief,
        EntryItem,
        FeedHit,
        FeedRow,
        Follows,
        PracticeItem,
        SourceCount,
        TagCount,
        TimelineChange,
    )

_HOMES = {
    "Journal": "core",
    "DoctorReport": "core",
    "NotCommitted": "core",
    "Entry": "entry",
    "Practice": "entry",
    "BrokenEntry": "entry",
    "GitError": "history",
    "RepoState": "history",
    "RefreshReport": "index",
    "iter_entry_paths": "index",
    "commit": "history",
    "take_notices": "history",
    "not_in_head": "history",
    "unstage": "history",
    "ENTRIES": "store",
    "TEMP_MARKER": "store",
    "JournalLock": "store",
    "PendingFiles": "store",
    "atomic_write": "store",
    "entry_relpath": "store",
    "entry_stem": "store",
    "make_durable": "store",
    "SyncError": "sync",
    "ConflictChanged": "conflicts",
    "AreaCount": "types",
    "AreaPeriodCount": "types",
    "EntryBrief": "types",
    "EntryItem": "types",
    "FeedHit": "types",
    "FeedRow": "types",
    "Follows": "types",
    "PracticeItem": "types",
    "SourceCount": "types",
    "TagCount": "types",
    "TimelineChange": "types",
}

__all__ = [
    "ENTRIES",
    "TEMP_MARKER",
    "AreaCount",
    "AreaPeriodCount",
    "BrokenEntry",
    "ConflictChanged",
    "DoctorReport",
    "Entry",
    "EntryBrief",
    "EntryItem",
    "FeedHit",
    "FeedRow",
    "Follows",
    "GitError",
    "Journal",
    "JournalLock",
    "NotCommitted",
    "PendingFiles",
    "Practice",
    "PracticeItem",
    "RefreshReport",
    "RepoState",
    "SourceCount",
    "SyncError",
    "TagCount",
    "TimelineChange",
    "atomic_write",
    "commit",
    "entry_relpath",
    "entry_stem",
    "iter_entry_paths",
    "make_durable",
    "not_in_head",
    "take_notices",
    "unstage",
]


if not TYPE_CHECKING:  # mypy reads the imports above, and flags a name not among them

    def __getattr__(name: str) -> object:
        """Import a public name's module on first use (PEP 562)."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value  # later lookups skip __getattr__
        return value


def __dir__() -> list[str]:
    return [*globals(), *__all__]
