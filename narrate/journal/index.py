"""The SQLite index: a disposable cache of the entry files, refreshed before every read.

Entries are the Markdown files of the whole journal folder, except hidden folders
(.git, .obsidian, .narrate), and folders the config's ``ignore`` lists.

Freshness (what a read is guaranteed to see; see docs/index.md):

* Every read stats every folder entries are read from (a folder's mtime signs the
  names directly in it) and lists again any folder whose mtime changed: files created,
  deleted or renamed there (editors that save by rename, git checkouts and pulls), and
  new folders, which are walked. A tree outside entries/ with no entry in it is signed
  by its top folder alone: a big node_modules/ costs one stat, never a walk.
* It also stats every file in the two newest month folders of ``entries/`` and the two
  most recently changed folders elsewhere, catching in-place edits of recent entries.
* Every read re-verifies the next SLICE_FILES known files, round-robin by path (a
  stat each), and every BARREN_EVERY-th read walks the next barren tree, so every file
  is checked within files / SLICE_FILES reads and no read pays a whole check.
* A full stat of every file runs when the journal has at most FULL_CHECK_FILES files
  (cheap there); a walk of every folder, barren trees included, when the ``ignore``
  list changed, and on ``narrate reindex`` and ``narrate doctor``.
* narrate's own writes update the index directly.

A file whose stat signature changed is hashed; only a changed hash re-parses it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrate.journal.store import (
    ENTRIES,
    STATE,
    is_entry_name,
    is_read_folder,
    join,
    read_folders,
    scan_dir,
    subfolders,
)

if TYPE_CHECKING:
    from narrate.journal.entry import Entry

# 7: the feed tables joined the schema (narrate.journal.feedstore). 8: the feed keeps
# each entry's provenance. 9: entries.starred. 10: practice.checks and status_changed.
# 11: the conversation: feed.kind, feed.parent (a reply's answered row) and feed.origin
# (the row an adopted change came from). 12: entries are read from the whole journal
# (files.dir, dirs at any depth), and entries.aliases is searched as a third FTS column.
# 13: feed_fts, the feed's full-text table (narrate feed --search). 14: the feed is
# indexed incrementally (feed_files, feed_links, feed_authors) and read through
# covering indexes. 15: tags are stored by the key that folds compatibility forms and
# drops invisible characters (#ＣＬＩＥＮＴ and #client<ZWJ>x were other tags before).
# 16: covering indexes on files by folder (the hot folders' newest and last changed
# files); tag_counts, kept by triggers, so `tags` reads one row a tag.
# 17: practice rows carry their entry's id, title, created and path, newest first by
# practice_recent, so listing changes reads no entries row (narrate practice, 100k).
SCHEMA_VERSION = 17
FULL_CHECK_FILES = 5000
# Every read re-verifies the next this many files (round-robin by path, the position
# kept in .narrate/CURSOR) and walks the next barren tree: ~3 ms a read, every file
# checked within files / SLICE_FILES reads (20 at 10k, 200 at 100k; the app reads every
# 3 seconds).
SLICE_FILES = 500
BARREN_EVERY = 10
CURSOR = "check-cursor"
HOT_MONTHS = 2
HOT_FOLDERS = 2  # outside entries/: the most recently changed folders
# In a hot month whose folder time did not change, each read re-stats this many newest
# files (by name: entries are named by date) and this many it last saw change; the rest
# of a busier month (over ~30 entries a day) waits for the slice.
HOT_FILES = 1000
BATCH = 2000
STREAM_BATCH = 250  # the app's first read: entries appear a screenful at a time


class IndexCorrupt(Exception):
    """The index file is unusable; the caller deletes and rebuilds it."""


class IndexUnavailable(Exception):
    """The index cannot be opened or written, though nothing says it is damaged (a full
    disk, a read-only journal, something else where it should be): the caller keeps it
    and reads from an index in memory instead."""


@dataclass
class RefreshReport:
    """What a refresh found: counts, and files that could not be read."""

    scanned_dirs: int = 0
    stat_files: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    full: bool = False
    broken: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """How many entries were added, updated or removed."""
        return self.added + self.updated + self.removed


def entry_row(entry: Entry) -> dict[str, Any]:
    """The entries-table row for an Entry."""
    from narrate.journal.entry import format_timestamp, sort_key

    return {
        "path": entry.path,
        "id": entry.id,
        "title": entry.title,
        "body": entry.body,
        "created": format_timestamp(entry.created),
        "updated": format_timestamp(entry.updated),
        "sort": sort_key(entry.created),
        "day": entry.day,
        "private": int(entry.private),
        "starred": int(entry.starred),
        "tags": json.dumps(entry.all_tags(), ensure_ascii=False),
        "practice": json.dumps([p.to_json() for p in entry.practice], ensure_ascii=False),
        "shared": json.dumps(entry.shared, ensure_ascii=False, default=str),
        "notes": json.dumps(entry.notes, ensure_ascii=False) if entry.notes else None,
        "aliases": "\n".join(entry.aliases) if entry.aliases else None,
    }


_ENTRY_COLUMNS = (
    "path",
    "id",
    "title",
    "created",
    "updated",
    "sort",
    "day",
    "private",
    "starred",
    "tags",
    "practice",
    "shared",
    "notes",
    "aliases",
    "body",
)


def create_schema(conn: sqlite3.Connection) -> None:
    """Create every table, index and trigger of an empty index database."""
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    db.table("meta").create({"key": str, "value": str}, pk="key")
    # barren: the top of a tree with no entry anywhere in it (node_modules, attachments),
    # signed by its own mtime alone (Refresher._folders).
    db.table("dirs").create({"path": str, "mtime_ns": int, "barren": int}, pk="path")
    db.table("files").create(
        {"path": str, "dir": str, "change_ns": int, "size": int, "hash": str, "error": str},
        pk="path",
    )
    # Covering: a folder's signatures, and its newest and last changed files (the hot
    # folders' re-check), are read from the index alone.
    db.table("files").create_index(["dir", "path", "change_ns", "size"])
    db.table("files").create_index(["dir", "change_ns", "path", "size"])
    db.table("entries").create(
        {
            "rowid": int,
            "path": str,
            "id": str,
            "title": str,
            "created": str,
            "updated": str,
            "sort": str,
            "day": str,
            "private": int,
            "starred": int,
            "tags": str,
            "practice": str,
            "shared": str,
            "notes": str,
            "aliases": str,  # alternative titles, one a line
            # Last, so reading any other column never walks the body's overflow pages.
            "body": str,
        },
        pk="rowid",
        not_null={"path", "id", "title", "body", "created", "sort", "day"},
    )
    db.table("entries").create_index(["path"], unique=True)
    db.table("entries").create_index(["sort"])
    db.table("entries").create_index(["id"])
    db.table("entries").create_index(["day"])
    db.table("tags").create({"entry": int, "tag": str})
    db.table("tags").create_index(["tag", "entry"])
    db.table("tags").create_index(["entry"])
    db.table("practice").create(
        {
            "entry": int,
            "position": int,
            "area": str,
            "change": str,
            "before": str,
            "source": str,
            "status": str,
            "review_after": str,
            "last_checked": str,  # the newest answered check-back (YYYY-MM-DD)
            "checks": str,  # the check-back trail, JSON (narrate.journal.checkbacks.trail)
            "status_changed": str,  # the newest check-back that set a status (YYYY-MM-DD)
            "day": str,
            "sort": str,
            # The entry's, so a listing of changes needs no join (Journal.practice).
            "entry_id": str,
            "title": str,
            "created": str,
            "path": str,
        }
    )
    db.table("practice").create_index(["entry"])
    db.table("practice").create_index(["area"])
    db.table("shares").create({"entry": int, "community": str, "path": str, "at": str})
    db.table("shares").create_index(["entry"])
    db.table("shares").create_index(["community"])
    conn.executescript(
        """
        CREATE INDEX files_broken ON files(path) WHERE error IS NOT NULL;
        CREATE INDEX practice_recent ON practice(sort DESC, position);
        -- How many entries carry each tag, kept by the tags triggers: `tags` reads one row
        -- a tag instead of grouping every tag row (an entry lists a tag once).
        CREATE TABLE tag_counts (tag TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
        CREATE VIRTUAL TABLE entries_fts USING fts5(
            title, body, aliases, content='entries', content_rowid='rowid',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        -- Other members' shared entries (narrate.journal.feedstore): apart from entries,
        -- so a community entry can never shadow or overwrite a private one.
        CREATE TABLE feed (
            feed_id TEXT PRIMARY KEY, community TEXT NOT NULL, member TEXT NOT NULL,
            path TEXT NOT NULL, entry_id TEXT, title TEXT NOT NULL, created TEXT NOT NULL,
            sort TEXT NOT NULL, tags TEXT NOT NULL, practice TEXT NOT NULL, body TEXT NOT NULL,
            provenance TEXT NOT NULL DEFAULT '{}',
            -- 'entry' or 'reply'; parent: the feed_id a reply answers; origin: the feed_id
            -- an adopted practice change came from (the trail stays in practice's JSON).
            kind TEXT NOT NULL DEFAULT 'entry', parent TEXT, origin TEXT
        );
        CREATE INDEX feed_sort ON feed(community, sort);
        -- The feed's reads: newest first across communities, one member's, the counts.
        CREATE INDEX feed_recent ON feed(kind, sort DESC, feed_id);
        CREATE INDEX feed_member ON feed(member, kind, sort DESC, feed_id);
        CREATE INDEX feed_kind ON feed(community, kind);
        CREATE UNIQUE INDEX feed_path ON feed(community, path);
        CREATE INDEX feed_parent ON feed(parent) WHERE parent IS NOT NULL;
        CREATE INDEX feed_origin ON feed(origin) WHERE origin IS NOT NULL;
        -- The commit each community's rows were read from ("" before its first commit).
        CREATE TABLE feed_heads (community TEXT PRIMARY KEY, commit_id TEXT NOT NULL);
        -- The feed's full text (narrate feed --search), keyed by feed's rowid, which
        -- stays put: feedstore.replace updates a changed row in place and leaves an
        -- unchanged one alone, so only what changed is re-read here (and nothing vacuums
        -- the index, which could renumber it).
        CREATE VIRTUAL TABLE feed_fts USING fts5(
            title, body, tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER feed_ai AFTER INSERT ON feed BEGIN
            INSERT INTO feed_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END;
        CREATE TRIGGER feed_ad AFTER DELETE ON feed BEGIN
            DELETE FROM feed_fts WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER feed_au AFTER UPDATE OF title, body ON feed
            WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN
            DELETE FROM feed_fts WHERE rowid = old.rowid;
            INSERT INTO feed_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END;
        -- What an incremental pull needs of the tree without reading it again: every
        -- entry file read (entry_id NULL: it did not parse; replies refused stay here),
        -- its blob and the author of its last change; feed_links: the members whose
        -- files a row's links (in_reply_to, adopted_from) resolve against; feed_authors:
        -- each member folder's commits per author email (member '': an email's newest name).
        CREATE TABLE feed_files (
            community TEXT NOT NULL, path TEXT NOT NULL, member TEXT NOT NULL,
            entry_id TEXT, blob TEXT NOT NULL, size INTEGER NOT NULL, pushed_by TEXT,
            PRIMARY KEY (community, path)
        ) WITHOUT ROWID;
        CREATE INDEX feed_files_id ON feed_files(community, member, entry_id, path);
        -- The files of the tree narrate refuses to read, and why (reported on each pull).
        CREATE TABLE feed_skipped (
            community TEXT NOT NULL, path TEXT NOT NULL, reason TEXT NOT NULL,
            PRIMARY KEY (community, path)
        ) WITHOUT ROWID;
        CREATE TABLE feed_links (
            community TEXT NOT NULL, member TEXT NOT NULL, path TEXT NOT NULL,
            PRIMARY KEY (community, member, path)
        ) WITHOUT ROWID;
        CREATE INDEX feed_links_path ON feed_links(community, path);
        CREATE TABLE feed_authors (
            community TEXT NOT NULL, member TEXT NOT NULL, email TEXT NOT NULL,
            name TEXT NOT NULL, commits INTEGER NOT NULL, first INTEGER NOT NULL,
            PRIMARY KEY (community, member, email)
        ) WITHOUT ROWID;
        """
    )
    _create_triggers(conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _create_triggers(conn: sqlite3.Connection) -> None:
    # External-content FTS: the triggers keep it in step with entries, and deleting an
    # entry removes its tags, practice changes and shares. (execute, not executescript:
    # executescript would commit the caller's transaction.)
    conn.execute(
        """CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN
            INSERT INTO entries_fts(rowid, title, body, aliases)
                VALUES (new.rowid, new.title, new.body, new.aliases);
        END"""
    )
    conn.execute(
        """CREATE TRIGGER IF NOT EXISTS entries_ad AFTER DELETE ON entries BEGIN
            INSERT INTO entries_fts(entries_fts, rowid, title, body, aliases)
                VALUES ('delete', old.rowid, old.title, old.body, old.aliases);
            DELETE FROM tags WHERE entry = old.rowid;
            DELETE FROM practice WHERE entry = old.rowid;
            DELETE FROM shares WHERE entry = old.rowid;
        END"""
    )
    conn.execute(
        """CREATE TRIGGER IF NOT EXISTS tags_ai AFTER INSERT ON tags BEGIN
            INSERT INTO tag_counts (tag, n) VALUES (new.tag, 1)
                ON CONFLICT (tag) DO UPDATE SET n = n + 1;
        END"""
    )
    conn.execute(
        """CREATE TRIGGER IF NOT EXISTS tags_ad AFTER DELETE ON tags BEGIN
            UPDATE tag_counts SET n = n - 1 WHERE tag = old.tag;
            DELETE FROM tag_counts WHERE tag = old.tag AND n <= 0;
        END"""
    )


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the index; raises IndexCorrupt if it is damaged (or of
    another schema), IndexUnavailable if it cannot be opened or made for another reason."""
    try:
        if not path.exists():
            _create(path)
        conn = _open(path)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except BaseException:
            conn.close()
            raise
        if version != SCHEMA_VERSION:
            conn.close()
            raise IndexCorrupt(f"index schema {version}, expected {SCHEMA_VERSION}")
        return conn
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise
        if is_damage(exc):
            raise IndexCorrupt(str(exc)) from exc
        raise IndexUnavailable(str(exc)) from exc
    except OSError as exc:
        raise IndexUnavailable(exc.strerror or str(exc)) from exc


def memory() -> sqlite3.Connection:
    """An empty index in memory, for a journal whose index file cannot be used."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    create_schema(conn)
    return conn


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _create(path: Path) -> None:
    """Build an empty index beside ``path`` and link it into place, so a concurrent
    reader never sees a half-made schema (the loser of a race discards its copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.new-{os.getpid()}")
    remove_index_files(temp)
    conn = _open(temp)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        create_schema(conn)
    finally:
        conn.close()
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        remove_index_files(temp)


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether an error is contention (retry later) rather than a broken file."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether an error means the index file is damaged or from another version (and
    only then may it be deleted: a full disk or a read-only journal is not damage)."""
    if is_unavailable(exc):
        return False
    if not isinstance(exc, sqlite3.OperationalError):
        return True  # DatabaseError proper: "file is not a database", "malformed", ...
    text = str(exc).lower()
    return any(
        sign in text
        for sign in ("malformed", "not a database", "no such table", "no such column", "disk image")
    )


# SQLite's words for an index that is sound but cannot be written or opened here.
_UNAVAILABLE_SIGNS = (
    "disk is full",
    "readonly",
    "read-only",
    "unable to open",
    "disk i/o error",
    "cannot open",
    "out of memory",
)


def is_unavailable(exc: sqlite3.Error) -> bool:
    """Whether an error means the index cannot be written or opened here (full disk,
    read-only journal, I/O error) rather than that it is damaged."""
    text = str(exc).lower()
    return any(sign in text for sign in _UNAVAILABLE_SIGNS)


def remove_index_files(path: Path) -> None:
    """Delete an index and its WAL companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error (writers take turns up front)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        # SQLite may have rolled back already (a full disk does), or a signal's handler
        # closed the connection before this generator was finalised: keep the first error.
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        raise


def change_ns(stat: os.stat_result) -> int:
    """The file's last change: the later of mtime and ctime.

    mtime alone misses a same-size rewrite that keeps it (the same clock tick,
    ``touch -r``, ``cp -p``); ctime cannot be set back, and moves on every write.
    """
    return max(stat.st_mtime_ns, stat.st_ctime_ns)


def file_hash(data: bytes) -> str:
    """The content hash that decides whether a touched file needs re-parsing."""
    import hashlib  # only a changed file is hashed: a warm read never needs it

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def remove_paths(conn: sqlite3.Connection, paths: list[str]) -> None:
    """Forget files: their entry rows (triggers clean the rest) and their signatures."""
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        conn.execute(f"DELETE FROM entries WHERE path IN ({marks})", chunk)
        conn.execute(f"DELETE FROM files WHERE path IN ({marks})", chunk)


# An entry's rows without its rowid: (entries values in _ENTRY_COLUMNS order, tags,
# practice rows, shares rows, files row). Plain tuples, so a worker process can make
# them and send them to the one process that writes.
Prepared = tuple[
    tuple[Any, ...],
    list[str],
    list[tuple[Any, ...]],
    list[tuple[str, str, str]],
    tuple[str, str, int, int, str, str | None],
]


def prepare_rows(entry: Entry, signature: tuple[int, int, str]) -> Prepared:
    """The rows an entry and its file signature are stored as (the one home of that
    mapping: the serial read, the parallel cold build and narrate's own writes)."""
    from narrate.journal.checkbacks import trail

    row = entry_row(entry)
    areas = [p.area for p in entry.practice]
    practice: list[tuple[Any, ...]] = []
    for i, p in enumerate(entry.practice):
        checks = trail(entry.body, p.area, p.change, p.extra.get("checked"),
                       only_change=areas.count(p.area) == 1)  # fmt: skip
        changed = [c["date"] for c in checks if c["status"]]
        practice.append(
            (
                i,
                p.area,
                p.change,
                p.before,
                p.source,
                p.status,
                p.review_after,
                last_checked(p.extra.get("checked")),
                json.dumps(checks, ensure_ascii=False),
                max(changed) if changed else None,
                row["day"],
                row["sort"],
                row["id"],
                row["title"],
                row["created"],
                row["path"],
            )
        )
    shares = [
        (str(s.get("community", "")), str(s.get("path", "")), str(s.get("at", "")))
        for s in entry.shared
    ]
    return (
        tuple(row[c] for c in _ENTRY_COLUMNS),
        json.loads(row["tags"]),
        practice,
        shares,
        (entry.path, folder_of(entry.path), *signature, None),
    )


class Rows:
    """Rows for a batch of entries, written with one executemany per table."""

    def __init__(self, next_rowid: int) -> None:
        self.next_rowid = next_rowid
        self.entries: list[tuple[Any, ...]] = []
        self.tags: list[tuple[int, str]] = []
        self.practice: list[tuple[Any, ...]] = []
        self.shares: list[tuple[Any, ...]] = []
        self.files: list[tuple[str, str, int, int, str, str | None]] = []

    def add(self, entry: Entry, signature: tuple[int, int, str]) -> None:
        """Queue an entry and its file signature."""
        self.add_prepared(prepare_rows(entry, signature))

    def add_prepared(self, prepared: Prepared) -> None:
        """Queue an entry's rows made by ``prepare_rows`` (here or in a worker process),
        numbering them with the next rowid."""
        values, tags, practice, shares, file = prepared
        rowid = self.next_rowid
        self.next_rowid += 1
        self.entries.append((rowid, *values))
        self.tags.extend((rowid, tag) for tag in tags)
        self.practice.extend((rowid, *change) for change in practice)
        self.shares.extend((rowid, *share) for share in shares)
        self.files.append(file)

    def broken(self, path: str, signature: tuple[int, int, str], reason: str) -> None:
        """Queue a file that could not be read, so every read can say so cheaply."""
        self.files.append((path, folder_of(path), *signature, reason))

    def write(self, conn: sqlite3.Connection) -> None:
        """Replace the rows of every queued path (inside a transaction)."""
        remove_paths(conn, [f[0] for f in self.files])
        conn.executemany(
            f"INSERT INTO entries (rowid, {', '.join(_ENTRY_COLUMNS)}) "
            f"VALUES ({', '.join('?' * (len(_ENTRY_COLUMNS) + 1))})",
            self.entries,
        )
        conn.executemany("INSERT INTO tags (entry, tag) VALUES (?, ?)", self.tags)
        conn.executemany(
            "INSERT INTO practice (entry, position, area, change, before, source, status, "
            "review_after, last_checked, checks, status_changed, day, sort, entry_id, title, "
            "created, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.practice,
        )
        conn.executemany(
            "INSERT INTO shares (entry, community, path, at) VALUES (?, ?, ?, ?)", self.shares
        )
        conn.executemany(
            "INSERT OR REPLACE INTO files (path, dir, change_ns, size, hash, error) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            self.files,
        )
        # A file's folder (and the folders above it) must be known before the next read,
        # or a new folder removed before that read (rm -r, git reset --hard) would never
        # be missed and keep its rows for good. Unknown time (-1): the next read lists it.
        conn.executemany(
            "INSERT OR IGNORE INTO dirs (path, mtime_ns, barren) VALUES (?, -1, 0)",
            [(folder,) for folder in sorted({a for f in self.files for a in ancestors(f[1])})],
        )


def ancestors(folder: str) -> list[str]:
    """A relative folder and every folder above it, up to the journal itself ("")."""
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:n]) for n in range(len(parts), -1, -1)]


def folder_of(path: str) -> str:
    """The folder a file is directly in, relative ("" for the journal itself)."""
    return path.rpartition("/")[0]


def last_checked(checked: Any) -> str | None:
    """The newest date in a practice change's ``checked`` list, as YYYY-MM-DD."""
    if not isinstance(checked, list):
        checked = [checked] if checked else []
    days = [str(day)[:10] for day in checked if day]
    return max(days) if days else None


def next_rowid(conn: sqlite3.Connection) -> int:
    """The first free entries rowid (call inside the write transaction)."""
    return int(conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM entries").fetchone()[0])


def store_entry(conn: sqlite3.Connection, entry: Entry, signature: tuple[int, int, str]) -> None:
    """Insert or replace one entry and its file signature (inside a transaction)."""
    rows = Rows(next_rowid(conn))
    rows.add(entry, signature)
    rows.write(conn)


def store_broken(
    conn: sqlite3.Connection, path: str, signature: tuple[int, int, str], reason: str
) -> None:
    """Record that a file could not be read (inside a transaction)."""
    rows = Rows(0)
    rows.broken(path, signature, reason)
    rows.write(conn)


def parse_file(root: Path, rel: str, data: bytes, mtime_ns: int) -> Entry:
    """An Entry for the file's bytes; raises BrokenEntry."""
    from narrate.journal.entry import Entry

    entry = Entry.from_bytes(data, rel, mtime_ns / 1e9)
    date_from_history(root, [entry])
    return entry


def date_from_history(root: Path, entries: list[Entry]) -> None:
    """Give entries whose date could only be guessed from the file's mtime (no
    ``created``, no date in the file name) the date of the commit that added the file:
    one git process per 500 such files, none when there are none."""
    from narrate.errors import NarrateError
    from narrate.journal.dates import in_range
    from narrate.journal.entry import parse_timestamp

    guessed = {e.path: e for e in entries if e.created_from == "mtime"}
    paths = list(guessed)
    if not paths:
        return
    from narrate.journal.history import run_git

    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        try:
            # Newest first: the last record naming a path is the commit that added it.
            out = run_git(
                root, "log", "--no-renames", "--diff-filter=A", "--format=%x01%aI",
                "--name-only", "-z", "--", *chunk, check=False,
            ).stdout  # fmt: skip
        except (OSError, NarrateError):
            return  # no git here: the mtime stays
        for record in out.split("\x01")[1:]:
            when, _, names = record.partition("\0")
            moment = parse_timestamp(when)
            if moment is None or not in_range(moment):
                continue
            for name in names.split("\0"):
                entry = guessed.get(name.strip("\n"))
                if entry is not None:
                    if "updated" not in entry.meta:
                        entry.updated = moment
                    entry.created = moment
                    entry.created_from = "history"


def _is_month(rel: str) -> bool:
    parts = rel.split("/")
    return len(parts) == 3 and parts[0] == ENTRIES


class Refresher:
    """Brings the index up to date with the files, as cheaply as the guarantee allows."""

    def __init__(self, root: Path, conn: sqlite3.Connection, ignore: Iterable[str] = ()) -> None:
        self.root = root
        self.conn = conn
        self.ignore = tuple(sorted(set(ignore)))

    def run(
        self,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
        stream: bool = False,
    ) -> RefreshReport:
        """Refresh; ``full`` stats every file whatever the folder times say; ``stream``
        commits each batch as it is read (newest first), so other connections see the
        entries read so far, with ``progress`` called after each commit."""
        report = RefreshReport()
        rows = self.conn.execute("SELECT path, mtime_ns, barren FROM dirs").fetchall()
        known_dirs = {path: mtime for path, mtime, barren in rows if not barren}
        known_barren = {path: mtime for path, mtime, barren in rows if barren}
        # Whether the journal is small enough to stat every file: counting stops there
        # (a count of 300k rows was 10 ms of every read).
        file_count = self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM files LIMIT ?)", (FULL_CHECK_FILES + 1,)
        ).fetchone()[0]
        # A walk lists every folder, barren trees included: only when asked (reindex,
        # doctor) or on a new index. No read pays a periodic full check: each one
        # re-verifies the next slice of folders instead (below).
        walk = full or not rows
        record_full = walk
        full = full or file_count <= FULL_CHECK_FILES
        scope = json.dumps(self.ignore)
        stored = self.conn.execute("SELECT value FROM meta WHERE key = 'scope'").fetchone()
        if (stored[0] if stored else "[]") != scope:
            # The config's ignore list changed: every folder is looked at again, and
            # those now ignored are dropped below as folders that went away.
            walk = full = record_full = True
        report.full = full

        current_dirs, barren = self._walk("") if walk else self._folders(known_dirs, known_barren)
        report.scanned_dirs = len(current_dirs) + len(barren)
        months = sorted(p for p in current_dirs if _is_month(p))
        # Outside entries/ the most recently changed folders (the daily notes' folder, the
        # journal itself when notes are made there) stand in for the newest months.
        others = sorted(
            (p for p in current_dirs if p != ENTRIES and not p.startswith(f"{ENTRIES}/")),
            key=lambda p: current_dirs[p],
        )
        hot = {*months[-HOT_MONTHS:], *others[-HOT_FOLDERS:]}
        to_scan = [
            rel
            for rel, mtime in current_dirs.items()
            if full or rel in hot or known_dirs.get(rel) != mtime
        ]
        # A busy hot month whose folder time did not move (its names are as they were,
        # unless something put the time back): its newest and last changed files are
        # stat'ed by path and the slice covers the rest, so a read costs the same at
        # 300 entries a month or 8,000. A small journal, and hot folders outside
        # entries/ (notes not named by date), are listed and stat'ed whole as before.
        in_place = (
            []
            if full
            else [
                rel
                for rel in to_scan
                if rel in hot and _is_month(rel) and known_dirs.get(rel) == current_dirs[rel]
            ]
        )
        to_scan = [rel for rel in to_scan if rel not in in_place]
        gone_dirs = [rel for rel in known_dirs if rel not in current_dirs]
        if walk:
            # A walk also drops the files of any folder the index never recorded (an
            # index written before narrate's own writes recorded their folders).
            listed = {*current_dirs, *known_dirs}
            gone_dirs += [
                rel
                for (rel,) in self.conn.execute("SELECT DISTINCT dir FROM files")
                if rel not in listed
            ]

        changed: list[tuple[str, int, int]] = []
        if not walk:
            # Barren trees the slice finds holding notes join current_dirs (and to_scan);
            # a full check (a small journal) stats every file anyway, but walks no tree.
            before = set(current_dirs)
            changed, stated = self._slice(current_dirs, barren, set(to_scan), files=not full)
            report.stat_files += stated
            to_scan += [rel for rel in current_dirs if rel not in before]
            if in_place:
                found = {path for path, _, _ in changed}
                recent = [row for row in self._recent_files(in_place) if row[0] not in found]
                changed += self._restat(recent)
                report.stat_files += len(recent)
        seen: set[str] = set()
        # Many folders: one query for every signature beats one per folder (43 ms
        # instead of ~200 ms at 100k).
        everything = self._all_files() if len(to_scan) > 24 else None
        for rel in to_scan:
            known = everything.get(rel, {}) if everything is not None else self._known_files(rel)
            for item in scan_dir(self.root / rel):
                stat = item.stat(follow_symlinks=False)
                path = join(rel, item.name)
                seen.add(path)
                report.stat_files += 1
                signature = known.get(path)
                if signature is None or signature != (change_ns(stat), stat.st_size):
                    changed.append((path, change_ns(stat), stat.st_size))
            removed = [p for p in known if p not in seen]
            changed.extend((p, -1, -1) for p in removed)
        for rel in gone_dirs:
            changed.extend((p, -1, -1) for p in self._known_files(rel))

        # A read that found nothing new writes nothing (no write lock, no WAL growth).
        folders_moved = current_dirs != known_dirs or barren != known_barren
        if changed or gone_dirs or folders_moved or record_full:
            self._apply(changed, current_dirs, barren, report, record_full, progress, scope, stream)
        return report

    def _slice(
        self, folders: dict[str, int], barren: dict[str, int], scanned: set[str], files: bool
    ) -> tuple[list[tuple[str, int, int]], int]:
        """Re-verify the next SLICE_FILES known files, round-robin by path, and walk the
        next barren tree every BARREN_EVERY reads: (files whose signature changed or
        that went away, how many were stat'ed). Every file is checked within files /
        SLICE_FILES reads, so an in-place edit of an old entry is seen, and no read pays
        for a whole check (765 ms at 100k and 2.1 s at 300k, measured); a note made
        deep inside a barren tree is found when its turn comes. Files in ``scanned``
        folders (listed in full by this read anyway) are skipped; with ``files`` false
        only the tree is walked."""
        cursor_file = self.root / STATE / CURSOR
        try:
            after, _, turn = cursor_file.read_text("utf-8").partition("\n")
            barren_turn = int(turn or 0)
        except (OSError, ValueError):
            after, barren_turn = "", 0
        rows = self.conn.execute(
            "SELECT path, dir, change_ns, size FROM files WHERE path > ? ORDER BY path LIMIT ?",
            (after, SLICE_FILES if files else 0),
        ).fetchall()
        if files and len(rows) < SLICE_FILES:  # the end of the turn: start again from the top
            rows += self.conn.execute(
                "SELECT path, dir, change_ns, size FROM files WHERE path <= ? "
                "ORDER BY path LIMIT ?",
                (after, SLICE_FILES - len(rows)),
            ).fetchall()
        # Files in folders listed in full by this read, or gone with their folder, skipped.
        due = [
            (path, stamp, size)
            for path, folder, stamp, size in rows
            if folder not in scanned and folder in folders
        ]
        changed = self._restat(due)
        stated = len(due)
        tops = sorted(barren)
        # One barren tree every BARREN_EVERY reads: a 3,000-folder node_modules/ walked
        # on every read would cost more than the rest of the read.
        if tops and barren_turn % BARREN_EVERY == 0:
            top = tops[barren_turn // BARREN_EVERY % len(tops)]
            live, still = self._walk(top)
            if live:
                del barren[top]
                folders.update(live)
                barren.update(still)
        # The cursor is a file, not an index row: a read that found nothing writes no
        # transaction (and a read-only journal simply starts from the top each time).
        last = rows[-1][0] if rows else after
        turned = barren_turn + 1 if tops else barren_turn
        if (last, turned) != (after, barren_turn):
            with contextlib.suppress(OSError):
                cursor_file.write_text(f"{last}\n{turned}", "utf-8")
        return changed, stated

    def _restat(self, rows: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """The files among ``rows`` (path, change_ns, size as indexed) whose signature
        changed, with the new one; (path, -1, -1) for those that went away."""
        changed: list[tuple[str, int, int]] = []
        base = f"{self.root}/"
        for path, stamp, size in rows:
            try:
                stat = os.stat(base + path, follow_symlinks=False)
            except OSError:
                changed.append((path, -1, -1))
                continue
            if (change_ns(stat), stat.st_size) != (stamp, size):
                changed.append((path, change_ns(stat), stat.st_size))
        return changed

    def _recent_files(self, folders: list[str]) -> list[tuple[str, int, int]]:
        """The HOT_FILES newest files (by name) of each folder and the HOT_FILES it last
        saw change, as (path, change_ns, size)."""
        rows: dict[str, tuple[str, int, int]] = {}
        for folder in folders:
            for order in ("path", "change_ns"):
                for path, stamp, size in self.conn.execute(
                    f"SELECT path, change_ns, size FROM files WHERE dir = ? "
                    f"ORDER BY {order} DESC LIMIT ?",
                    (folder, HOT_FILES),
                ):
                    rows[path] = (path, stamp, size)
        return list(rows.values())

    def _folders(
        self, known: dict[str, int], known_barren: dict[str, int]
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Current modification times of the folders that hold entries (and of the tops
        of barren trees), from the known ones.

        A folder's mtime signs its own names only (files and folders directly in it), so
        each known folder is stat'ed, and only a changed one is listed for new folders:
        the cost is a stat per folder that holds entries, plus one per barren tree.
        """
        folders: dict[str, int] = {}
        barren: dict[str, int] = {}
        changed: list[str] = []
        base = f"{self.root}/"  # strings, not Paths: hundreds of folders a read
        for rel, mtime in known.items():
            try:
                folders[rel] = os.stat(base + rel).st_mtime_ns
            except OSError:
                continue  # gone (or no longer a folder): its files are dropped
            if folders[rel] != mtime:
                changed.append(rel)
        for rel, mtime in known_barren.items():
            try:
                now = os.stat(base + rel).st_mtime_ns
            except OSError:
                continue
            if now == mtime:
                barren[rel] = now
            else:
                live, still = self._walk(rel)  # something moved at its top: look again
                folders.update(live)
                barren.update(still)
        for rel in changed:
            for sub in subfolders(self.root, rel, self.ignore):
                if sub not in folders and sub not in barren:
                    live, still = self._walk(sub)
                    folders.update(live)
                    barren.update(still)
        return folders, barren

    def _walk(self, start: str) -> tuple[dict[str, int], dict[str, int]]:
        """(folders that hold entries, tops of barren trees) at and below ``start``.

        A tree outside entries/ with no entry file anywhere in it is kept as its top
        folder alone: reads stat that one folder, and look inside again only when its
        own names change, when the read's slice reaches it, or at a walk (reindex, doctor).
        """
        live: dict[str, int] = {}
        barren: dict[str, int] = {}

        def visit(rel: str) -> tuple[bool, int] | None:
            try:
                mtime = os.stat(self.root / rel).st_mtime_ns
                with os.scandir(self.root / rel) as it:
                    items = list(it)
            except OSError:
                return None
            holds = any(is_entry_name(i.name) and i.is_file(follow_symlinks=False) for i in items)
            subs = sorted(
                join(rel, i.name)
                for i in items
                if i.is_dir(follow_symlinks=False)
                and is_read_folder(join(rel, i.name), self.ignore)
            )
            found = [(sub, visit(sub)) for sub in subs]
            keep = holds or rel == "" or rel == ENTRIES or rel.startswith(f"{ENTRIES}/")
            keep = keep or any(result and result[0] for _, result in found)
            if keep:
                live[rel] = mtime
                for sub, result in found:
                    if result is not None and not result[0]:
                        barren[sub] = result[1]
            return keep, mtime

        top = visit(start)
        if top is not None and not top[0]:
            barren[start] = top[1]
        return live, barren

    def _all_files(self) -> dict[str, dict[str, tuple[int, int]]]:
        """Every file signature, grouped by folder."""
        grouped: dict[str, dict[str, tuple[int, int]]] = {}
        for path, folder, stamp, size in self.conn.execute(
            "SELECT path, dir, change_ns, size FROM files"
        ):
            grouped.setdefault(folder, {})[path] = (stamp, size)
        return grouped

    def _known_files(self, folder: str) -> dict[str, tuple[int, int]]:
        rows = self.conn.execute(
            "SELECT path, change_ns, size FROM files WHERE dir = ?", (folder,)
        ).fetchall()
        return {path: (stamp, size) for path, stamp, size in rows}

    def _apply(
        self,
        changed: list[tuple[str, int, int]],
        folders: dict[str, int],
        barren: dict[str, int],
        report: RefreshReport,
        full: bool,
        progress: Callable[[int, int], None] | None,
        scope: str = "[]",
        stream: bool = False,
    ) -> None:
        conn = self.conn
        paths = [c[0] for c in changed]
        hashes: dict[str, str] = {}
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            hashes.update(
                conn.execute(f"SELECT path, hash FROM files WHERE path IN ({marks})", chunk)
            )
        # Loading an empty index: one transaction, FTS built a batch at a time instead of
        # row by row (measured ~2x faster at 10k); a crash rolls it all back. Streaming
        # (the app's first read): newest files first, each batch committed as it is read
        # so the list can show it; a crash keeps those batches, and the next read, whose
        # folder times are still the old ones, reads only the rest.
        bulk = not stream and not hashes and len(changed) > BATCH
        if stream:
            changed.sort(reverse=True)
        step = STREAM_BATCH if stream else BATCH
        batches = [changed[i : i + step] for i in range(0, len(changed), step)]
        # Many files to parse (a new device's first read, reindex --full): worker
        # processes parse them (narrate.journal.coldbuild), this one writes, in the
        # same order and batches, so the index is the same row for row.
        from narrate.journal import coldbuild

        results: Generator[list[Outcome], None, None]
        if coldbuild.worth_it(len(changed)):
            results = coldbuild.read_batches(self.root, batches, hashes)
        else:
            results = (read_files(self.root, batch, hashes) for batch in batches)

        def write_batch(outcomes: list[Outcome]) -> None:
            first = next_rowid(conn)
            rows = Rows(first)
            for kind, path, stamp, size, detail in outcomes:
                if kind == GONE:
                    remove_paths(conn, [path])
                    report.removed += 1
                elif kind == SAME:
                    conn.execute(
                        "UPDATE files SET change_ns = ?, size = ? WHERE path = ?",
                        (stamp, size, path),
                    )
                elif kind == BROKEN:
                    digest, reason = detail
                    rows.broken(path, (stamp, size, digest), reason)
                    report.broken.append((path, reason))
                else:
                    prepared, new = detail
                    rows.add_prepared(prepared)
                    if new:
                        report.added += 1
                    else:
                        report.updated += 1
            rows.write(conn)
            if bulk:
                # The full text of the batch in one statement (as fast as one rebuild
                # at the end, measured), so it is built while the workers still parse.
                conn.execute(
                    "INSERT INTO entries_fts (rowid, title, body, aliases) "
                    "SELECT rowid, title, body, aliases FROM entries WHERE rowid >= ?",
                    (first,),
                )

        # Closing the results ends the workers, also when a write fails half way.
        with contextlib.closing(results):
            if stream:
                for done, outcomes in enumerate(results, 1):
                    with transaction(conn):
                        write_batch(outcomes)
                    if progress:
                        progress(min(done * step, len(changed)), len(changed))
            with transaction(conn):
                if bulk:
                    conn.execute("DROP TRIGGER IF EXISTS entries_ai")
                    conn.execute("DROP TRIGGER IF EXISTS tags_ai")
                for done, outcomes in enumerate(results, 1):
                    write_batch(outcomes)
                    if progress:
                        progress(min(done * step, len(changed)), len(changed))
                if bulk:
                    # Counted once over the loaded rows, not one upsert per tag row.
                    conn.execute("DELETE FROM tag_counts")
                    conn.execute(
                        "INSERT INTO tag_counts (tag, n) SELECT tag, count(*) FROM tags "
                        "GROUP BY tag"
                    )
                    _create_triggers(conn)
                conn.execute("DELETE FROM dirs")
                # A folder changed in this very clock tick could change again unseen
                # within it: record it as unknown so the next read looks again.
                recent = time.time_ns() - 2_000_000_000
                conn.executemany(
                    "INSERT INTO dirs (path, mtime_ns, barren) VALUES (?, ?, ?)",
                    [
                        (path, mtime if mtime < recent else -1, flag)
                        for flag, group in ((0, folders), (1, barren))
                        for path, mtime in group.items()
                    ],
                )
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('scope', ?)", (scope,)
                )
                if full:
                    conn.execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_full', ?)",
                        (str(time.time()),),
                    )
        if bulk:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# What reading a changed file came to (read_files): (kind, path, change_ns, size,
# detail). GONE: the file went away; SAME: touched, but its hash did not change; BROKEN:
# detail is (hash, reason); ENTRY: detail is (Prepared rows, whether the file is new).
Outcome = tuple[str, str, int, int, Any]
GONE, SAME, BROKEN, ENTRY = "gone", "same", "broken", "entry"


def read_files(
    root: Path, batch: list[tuple[str, int, int]], hashes: Mapping[str, str]
) -> list[Outcome]:
    """Read a batch of changed files, (path, change_ns, size), with the hashes the
    index knows of them, into outcomes the writer applies in order: the one reading rule
    of the refresh, called in this process or in the cold build's workers (no SQLite)."""
    from narrate.journal.entry import BrokenEntry, Entry

    base = f"{root}/"
    outcomes: list[Outcome] = []
    parsed: list[tuple[int, Entry, str]] = []
    for path, stamp, size in batch:
        old_hash = hashes.get(path)
        if stamp < 0:
            outcomes.append((GONE, path, stamp, size, None))
            continue
        try:
            with open(base + path, "rb") as handle:
                data = handle.read()
                mtime_ns = os.fstat(handle.fileno()).st_mtime_ns
        except FileNotFoundError:
            outcomes.append((GONE, path, stamp, size, None))
            continue
        except OSError as exc:
            outcomes.append((BROKEN, path, stamp, size, ("", f"cannot read: {exc.strerror}")))
            continue
        digest = file_hash(data)
        if digest == old_hash:
            outcomes.append((SAME, path, stamp, size, None))
            continue
        try:
            entry = Entry.from_bytes(data, path, mtime_ns / 1e9)
        except BrokenEntry as exc:
            outcomes.append((BROKEN, path, stamp, size, (digest, exc.reason)))
            continue
        parsed.append((len(outcomes), entry, digest))
        outcomes.append((ENTRY, path, stamp, size, old_hash is None))
    date_from_history(root, [entry for _, entry, _ in parsed])
    for at, entry, digest in parsed:
        kind, path, stamp, size, new = outcomes[at]
        outcomes[at] = (kind, path, stamp, size, (prepare_rows(entry, (stamp, size, digest)), new))
    return outcomes


def index_path(root: Path) -> Path:
    """Where a journal's index lives."""
    return root / STATE / "index.db"


def broken_files(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(path, reason) for every file that could not be read."""
    return [
        tuple(r)
        for r in conn.execute("SELECT path, error FROM files WHERE error IS NOT NULL ORDER BY path")
    ]


def iter_entry_paths(root: Path, ignore: Iterable[str] = ()) -> Iterable[str]:
    """Every entry file's relative path, by walking the folders entries are read from."""
    for rel in read_folders(root, ignore):
        for item in scan_dir(root / rel):
            yield join(rel, item.name)


__all__ = ["ENTRIES"]
