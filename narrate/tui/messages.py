"""Events the TUI's parts tell each other about, named for what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from narrate.journal.entry import Entry
    from narrate.journal.types import EntryItem


@dataclass
class EntryHighlighted(Message):
    """The list's cursor moved onto an entry."""

    path: str


@dataclass
class EntryChosen(Message):
    """The user picked an entry in the list (enter or click) to write in."""

    path: str


@dataclass
class EntrySaved(Message):
    """An entry was written and committed by the background writer."""

    key: str
    """Which editor session the save belongs to (stable across a new entry's first save)."""
    seq: int
    """The number of the save request this answers (later requests have higher ones)."""
    entry: Any
    """The Entry as saved, with its path."""
    data: bytes
    """The file's bytes as written: what "unchanged on disk" is compared with."""
    body: str
    """The editor text that was saved."""
    created: bool = False
    """True when this save created the file."""
    conflict_copy: str | None = None
    """The path of the other version, when the file had changed on disk meanwhile."""
    warning: str | None = None
    """Written to disk but something else went wrong (git could not commit)."""


@dataclass
class SaveFailed(Message):
    """A save did not happen; the text is still in the editor."""

    key: str
    seq: int
    reason: str


@dataclass
class JournalRefreshed(Message):
    """The index was brought up to date with the files on disk."""

    changed: int
    broken: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class IndexProgress(Message):
    """The first read of the files has indexed ``done`` of ``total`` changed files so far
    (committed: the list can show them)."""

    done: int
    total: int


@dataclass
class GitStateChecked(Message):
    """The repository's state was read, for the header."""

    summary: str


@dataclass
class CoreNotice(Message):
    """The core did something on the user's behalf to say once (a fallback identity)."""

    text: str


@dataclass
class SearchFinished(Message):
    """A search in the background produced results for ``query``."""

    query: str
    results: list[EntryItem]
    warnings: list[str]


@dataclass
class ConflictsChanged(Message):
    """Conflict copies were resolved: the list and the header need a new look."""

    paths: list[str]
    """The files the resolution changed."""
    kept: str | None = None
    """The entry to open if the one open in the editor is gone."""


@dataclass
class EntryDeleted(Message):
    """The writer deleted (or failed to delete) the entry at ``path``."""

    path: str
    title: str
    restore: str | None = None
    """How to bring it back (the core's sentence), None when git could not say."""
    failure: str | None = None
    """Why it was not deleted; None when it was."""


@dataclass
class EntryStarred(Message):
    """The writer starred or unstarred an entry (or failed to)."""

    path: str
    starred: bool
    entry: Entry | None = None
    """The entry as rewritten; None when it failed."""
    data: bytes = b""
    """The file's bytes as written."""
    warning: str | None = None
    """Written but not committed: why."""
    failure: str | None = None
    """Why nothing was written."""


@dataclass
class WikilinkResolved(Message):
    """A clicked ``[[link]]`` in the preview was looked up: the entry's path, or None."""

    name: str
    path: str | None
