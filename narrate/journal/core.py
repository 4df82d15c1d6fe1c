"""The Journal: the one API the CLI and the TUI use to read and change a journal."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from narrate.errors import NarrateError
from narrate.journal import index as idx
from narrate.journal.store import (
    ENTRIES,
    STATE,
    JournalLock,
    PendingFiles,
    atomic_write,
    entry_relpath,
    is_read_folder,
)

if TYPE_CHECKING:
    from narrate.journal.entry import Entry
    from narrate.journal.feedstore import FeedWriter
    from narrate.journal.history import InitResult, RepoState
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

T = TypeVar("T")
Progress = Callable[[int, int], None]

# Everything a listing needs, without the body.
LIST_COLUMNS = (
    "e.id, e.title, e.created, e.updated, e.path, e.private, e.tags, e.practice, e.shared, "
    "e.starred"
)


def row_to_json(row: sqlite3.Row, body: bool = False) -> EntryItem:
    """The entry object (docs/json.md) for an index row."""
    data: EntryItem = {
        "id": row["id"],
        "title": row["title"],
        "created": row["created"],
        "updated": row["updated"],
        "path": row["path"],
        "private": bool(row["private"]),
        "tags": json.loads(row["tags"]),
        "practice": json.loads(row["practice"]),
        "shared": json.loads(row["shared"]),
        "starred": bool(row["starred"]),
    }
    if body:
        data["body"] = row["body"]
    return data


# Journal.practice: the columns read, and the PracticeItem key each one fills.
_PRACTICE_COLUMNS = (
    "entry_id", "title", "created", "path", "position", "area", "change", "before", "source",
    "status", "review_after", "last_checked", "day",
)  # fmt: skip
_PRACTICE_KEYS = ("id", *_PRACTICE_COLUMNS[1:])


def _tuples(db: sqlite3.Connection, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Rows as plain tuples (no sqlite3.Row): for reads that turn thousands into dicts."""
    cursor = db.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params).fetchall()


@dataclass
class DoctorReport:
    """Everything doctor found, in the order it prints it."""

    entries: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)
    duplicate_ids: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    temp_files: list[str] = field(default_factory=list)
    # Copies ``narrate edit`` works on, left when it was killed or its editor failed.
    edit_copies: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    git_problems: list[str] = field(default_factory=list)
    uncommitted: list[str] = field(default_factory=list)
    # Why the index could not be used (full disk, read-only journal): read in memory.
    index_problems: list[str] = field(default_factory=list)
    branch: str | None = None
    remote: str | None = None
    ahead: int | None = None
    behind: int | None = None
    identity: str | None = None
    """``name <email>`` when commits use narrate's fallback identity (no git identity)."""
    slow_settings: list[str] = field(default_factory=list)
    """git settings (``key=value``) that keep commits fast at 100k entries, missing from
    a journal made before narrate set them (``doctor --fix`` sets them)."""

    @property
    def healthy(self) -> bool:
        """No problem that needs the user's attention."""
        return not (
            self.broken
            or self.duplicate_ids
            or self.temp_files
            or self.edit_copies
            or self.conflicts
            or self.git_problems
            or self.index_problems
        )


@dataclass
class Deleted:
    """An entry just deleted, and the commit whose parent still holds it."""

    path: str
    title: str
    commit: str | None  # None only when git could not say which commit it was
    root: Path

    @property
    def restore_hint(self) -> str | None:
        """The command that brings the file back (then any narrate write commits it)."""
        if self.commit is None:
            return None
        import shlex

        root, path = shlex.quote(str(self.root)), shlex.quote(self.path)
        return f"git -C {root} checkout {self.commit}^ -- {path}"

    @property
    def restore_message(self) -> str | None:
        """The sentence every face shows after a delete: how to bring the entry back."""
        hint = self.restore_hint
        return f"The history keeps it; to bring it back: {hint}" if hint else None


class Journal:
    """A journal folder: entry files in git, with an index kept fresh for reads."""

    def __init__(self, root: Path, ignore: Iterable[str] = ()) -> None:
        self.root = root
        self.ignore = tuple(ignore)
        """Folders (relative to the journal) whose files are not entries: the config's
        ``ignore``."""
        self._db: sqlite3.Connection | None = None
        self._fresh = False
        self.last_refresh: idx.RefreshReport | None = None
        self.init_result: InitResult | None = None
        """What ``create`` did (None for a journal opened with ``open``)."""
        # Why the index is in memory (its file cannot be opened or written), or None.
        self.index_unavailable: str | None = None
        self.reading: Callable[[], contextlib.AbstractContextManager[Progress]] | None = None
        """What shows a refresh's progress when it has many files to read (the CLI's
        bar on a terminal): entered around every refresh given no ``progress``."""

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, root: Path, ignore: Iterable[str] = ()) -> Journal:
        """Open an existing journal; a clear error says how to create a missing one.
        ``ignore``: folders whose files are not entries (the config's ``ignore``)."""
        root = root.expanduser().absolute()
        if not (root / ".git").exists():
            if root.exists() and any(root.iterdir()) and not (root / ENTRIES).exists():
                raise NarrateError(
                    f"{root} is not a narrate journal; run 'narrate init {root}' to make one there"
                )
            raise NarrateError(f"no journal at {root}; create one with 'narrate init {root}'")
        return cls(root, ignore)

    @classmethod
    def create(cls, root: Path) -> Journal:
        """Make a new journal (or adopt an existing folder) and commit its skeleton."""
        from narrate.journal.history import init_repo

        root = root.expanduser().absolute()
        if root.exists() and not root.is_dir():
            raise NarrateError(f"{root} exists and is not a folder")
        journal = cls(root)
        journal.init_result = init_repo(root)
        return journal

    @property
    def name(self) -> str:
        """A short name for headers: the folder's name."""
        return self.root.name

    def close(self) -> None:
        """Close the index connection."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ index

    @property
    def _connection(self) -> sqlite3.Connection:
        """The index connection, rebuilt silently when the file is unusable. Private:
        SQL stays in narrate.journal; everyone else uses the named reads."""
        if self._db is None:
            path = idx.index_path(self.root)
            try:
                self._db = idx.connect(path)
            except idx.IndexCorrupt:
                try:
                    idx.remove_index_files(path)
                    self._db = idx.connect(path)
                except (OSError, idx.IndexCorrupt, idx.IndexUnavailable) as exc:
                    return self._in_memory(str(exc))
            except idx.IndexUnavailable as exc:
                return self._in_memory(str(exc))
        return self._db

    def _in_memory(self, reason: str) -> sqlite3.Connection:
        """Switch to an index in memory, filled from the files by the next refresh: the
        file cannot be used (full disk, read-only journal) but is not damaged, so it is
        kept, and reads and writes go on."""
        if self._db is not None:
            self._db.close()
        self._db = idx.memory()
        self._fresh = False
        self.index_unavailable = reason
        return self._db

    def _rebuild(self) -> None:
        if self.index_unavailable is not None:
            self._in_memory(self.index_unavailable)
            return
        self.close()
        try:
            idx.remove_index_files(idx.index_path(self.root))
        except OSError as exc:
            self._in_memory(exc.strerror or str(exc))
        self._fresh = False

    def _guarded(self, action: Callable[[], T], refill: bool = True) -> T:
        """Run an index action; a corrupt index is deleted, rebuilt from the files
        (unless the action is the refresh itself) and the action retried."""
        try:
            return action()
        except sqlite3.DatabaseError as exc:
            if idx.is_busy(exc):
                raise NarrateError(
                    "the index is busy (another narrate is writing); try again in a moment"
                ) from exc
            if idx.is_unavailable(exc) and self.index_unavailable is None:
                # Full disk, read-only journal: go on in memory, keep the file.
                self._in_memory(str(exc))
            elif idx.is_damage(exc):
                self._rebuild()
            else:
                raise  # a query SQLite refused: rebuilding 100k entries would not help
            if refill:
                self.refresh()
            return action()

    def refresh(
        self,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
        stream: bool = False,
    ) -> idx.RefreshReport:
        """Bring the index up to date with the files (see narrate.journal.index);
        ``stream``: commit each batch as it is read, newest first, calling ``progress``
        after each, so other readers (the app's list) see the entries read so far."""
        if not (self.root / ENTRIES).exists():
            with contextlib.suppress(OSError):  # a read-only journal has no entries yet
                (self.root / ENTRIES).mkdir(parents=True, exist_ok=True)

        def run() -> idx.RefreshReport:
            refresher = idx.Refresher(self.root, self._connection, self.ignore)
            return refresher.run(full=full, progress=progress, stream=stream)

        if progress is None and self.reading is not None:
            with self.reading() as progress:
                report = self._guarded(run, refill=False)
        else:
            report = self._guarded(run, refill=False)
        self._fresh = True
        self.last_refresh = report
        return report

    def reindex(
        self, full: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> idx.RefreshReport:
        """``full``: throw the index away and rebuild it; otherwise a complete stat check."""
        if full:
            self._rebuild()
        return self.refresh(full=True, progress=progress)

    def _read(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Rows from the fresh index (SQL stays inside narrate.journal)."""
        return self._query(lambda db: db.execute(sql, params).fetchall())

    def _query(self, read: Callable[[sqlite3.Connection], T]) -> T:
        """``read(connection)`` on the fresh index, guarded against busy and damage."""
        if not self._fresh:
            self.refresh()
        return self._guarded(lambda: read(self._connection))

    def broken(self) -> list[tuple[str, str]]:
        """Files that could not be read, with the reason."""
        return self._query(idx.broken_files)

    # ------------------------------------------------------------------ reading

    def entries(
        self,
        limit: int | None = 20,
        since: dt.date | None = None,
        until: dt.date | None = None,
        tags: list[str] | None = None,
        offset: int = 0,
    ) -> list[EntryItem]:
        """Entry objects, newest first."""
        where, params = self._entries_where(since, until, tags, dense=self._dense(tags or []))
        sql = (
            f"SELECT {LIST_COLUMNS} FROM entries e WHERE {' AND '.join(where)} "
            f"ORDER BY e.sort DESC, e.path DESC LIMIT ? OFFSET ?"
        )
        rows = self._read(sql, [*params, -1 if limit is None else limit, offset])
        return [row_to_json(r) for r in rows]

    def _dense(self, tags: Iterable[str]) -> frozenset[str]:
        """The tags on so many entries that a newest-first page finds them sooner by
        probing entries than by listing the tag's entries (query.tag_clause): more than
        sqrt(20 N) of N entries, where either way costs about the same."""
        from narrate.journal.query import TAG_OR_UNDER, tag_params

        tags = list(tags)
        if not tags:
            return frozenset()
        total = self._read("SELECT coalesce(max(rowid), 0) FROM entries")[0][0]
        dense = set()
        for tag in tags:
            (carried,) = self._read(
                f"SELECT coalesce(sum(n), 0) FROM tag_counts WHERE {TAG_OR_UNDER}", tag_params(tag)
            )[0]
            if carried * carried > 20 * total:
                dense.add(tag)
        return frozenset(dense)

    @staticmethod
    def _entries_where(
        since: dt.date | None,
        until: dt.date | None,
        tags: list[str] | None,
        dense: frozenset[str] = frozenset(),
        counting: bool = False,
    ) -> tuple[list[str], list[Any]]:
        from narrate.journal.query import tag_clause

        where: list[str] = ["1"]
        params: list[Any] = []
        if since:
            where.append("e.day >= ?")
            params.append(since.isoformat())
        if until:
            where.append("e.day <= ?")
            params.append(until.isoformat())
        for tag in tags or []:
            clause, values = tag_clause(tag, dense=tag in dense, counting=counting)
            where.append(clause)
            params.extend(values)
        return where, params

    def count(
        self,
        since: dt.date | None = None,
        until: dt.date | None = None,
        tags: list[str] | None = None,
    ) -> int:
        """How many entries the journal holds (those ``entries`` would list, unlimited)."""
        if tags and len(tags) == 1 and not since and not until:
            # One tag: counted on the tags index alone (11 ms at 300k, not 86 ms).
            from narrate.journal.query import TAG_OR_UNDER, tag_params

            sql = f"SELECT count(DISTINCT entry) FROM tags WHERE {TAG_OR_UNDER}"
            return int(self._read(sql, tag_params(tags[0]))[0][0])
        where, params = self._entries_where(since, until, tags, counting=True)
        sql = f"SELECT count(*) FROM entries e WHERE {' AND '.join(where)}"
        return int(self._read(sql, params)[0][0])

    def search(
        self,
        text: str,
        limit: int | None = 20,
        strict: bool = False,
        prefix_last: bool = False,
    ) -> tuple[list[EntryItem], list[str]]:
        """Entries matching the query (docs/search.md), best first, each with a
        ``snippet``; and warnings about parts of the query that were ignored. ``strict``:
        a filter that is not understood (``is:bogus``) is an error, not a warning.
        ``prefix_last``: the word being typed is a prefix (search as you type)."""
        from narrate.journal import query as q

        parsed = q.parse(text, prefix_last=prefix_last)
        tags = [t.value for t in parsed.terms if t.kind == "tag" and not t.negated]
        sql = q.to_sql(parsed, dense=self._dense(tags))
        if strict and parsed.unknown:
            problems = [w for w in parsed.warnings if any(u in w for u in parsed.unknown)]
            raise NarrateError("; ".join(problems) + "; see 'narrate search --help'")
        where = " AND ".join(sql.where) or "1"
        lim = -1 if limit is None else limit
        if sql.match is None:
            rows = self._read(
                f"SELECT {LIST_COLUMNS}, substr(e.body, 1, 600) AS snippet FROM entries e "
                f"WHERE {where} ORDER BY e.sort DESC, e.path DESC LIMIT ?",
                [*sql.params, lim],
            )
        else:
            # Rank on the FTS table alone, then fetch rows and snippets for the page:
            # joining every match to its row costs ~2x at 10k matches.
            join = " JOIN entries e ON e.rowid = f.rowid" if sql.where else ""
            ids = [
                r[0]
                for r in self._read(
                    f"SELECT f.rowid FROM entries_fts f{join} WHERE entries_fts MATCH ? "
                    f"AND {where} ORDER BY bm25(entries_fts, 4.0, 1.0, 4.0), f.rowid DESC LIMIT ?",
                    [sql.match, *sql.params, lim],
                )
            ]
            marks = ", ".join("?" * len(ids))
            # The unary + keeps the rowids out of FTS5's index choice: given them, it ran
            # the whole MATCH once per rowid (6.9 s for 500 results at 300k, not 0.03 s).
            found = (
                {
                    r["rowid"]: r
                    for r in self._read(
                        f"SELECT e.rowid, {LIST_COLUMNS}, snippet(entries_fts, 1, "
                        "'\x02', '\x03', '…', 24) AS snippet FROM entries_fts "
                        "JOIN entries e ON e.rowid = entries_fts.rowid "
                        f"WHERE entries_fts MATCH ? AND +entries_fts.rowid IN ({marks})",
                        [sql.match, *ids],
                    )
                }
                if ids
                else {}
            )
            rows = [found[i] for i in ids if i in found]
        results: list[EntryItem] = []
        for row in rows:
            item = row_to_json(row)
            item["snippet"] = _snippet(row["snippet"] or "", item["title"], sql.match is None)
            results.append(item)
        return results, parsed.warnings

    def tags(self) -> list[TagCount]:
        """Every tag with the number of entries carrying it, most used first."""
        rows = self._read("SELECT tag, n AS count FROM tag_counts ORDER BY n DESC, tag")
        return [{"tag": r["tag"], "count": r["count"]} for r in rows]

    def practice(
        self,
        area: str | None = None,
        since: dt.date | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[PracticeItem]:
        """Practice changes with their entry's id, title and created, newest first (the
        ``limit`` newest)."""
        where: list[str] = ["1"]
        params: list[Any] = []
        if area:
            where.append("area = ?")
            params.append(area)
        if since:
            where.append("day >= ?")
            params.append(since.isoformat())
        if status:
            where.append("status = ?")
            params.append(status)
        # The practice rows hold their entry's columns: no join (58 ms for the 11,310
        # changes of a 100k journal, 16 without), and practice_recent gives the order.
        sql = (
            f"SELECT {', '.join(_PRACTICE_COLUMNS)} FROM practice "
            f"WHERE {' AND '.join(where)} ORDER BY sort DESC, position"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        # Plain tuples zipped with the keys: half the time of sqlite3.Row lookups for the
        # 11,000 changes of a 100k journal (20 ms instead of 40).
        rows = self._query(lambda db: _tuples(db, sql, params))
        items = [dict(zip(_PRACTICE_KEYS, row, strict=True)) for row in rows]
        return cast("list[PracticeItem]", items)

    def entries_with_source(self, source: str) -> list[str]:
        """Paths of the entries with a practice change from ``source``, newest first."""
        rows = self._read(
            "SELECT DISTINCT e.path, e.sort FROM practice p JOIN entries e ON e.rowid = p.entry "
            "WHERE p.source = ? ORDER BY e.sort DESC",
            [source],
        )
        return [str(r["path"]) for r in rows]

    # ---- aggregates
    # Counted in SQL (narrate.journal.aggregates) for the review and the practice form.

    def practice_areas(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[AreaCount]:
        """Every practice area with its number of changes, most used first."""
        from narrate.journal import aggregates

        return self._query(lambda db: aggregates.practice_areas(db, since, until))

    def practice_sources(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[SourceCount]:
        """Every recorded source with its changes counted by status, most used first."""
        from narrate.journal import aggregates

        return self._query(lambda db: aggregates.practice_sources(db, since, until))

    def practice_by_area_period(
        self, since: dt.date, until: dt.date, by: str = "month"
    ) -> list[AreaPeriodCount]:
        """Changes per area per month or ISO week (``by``) from ``since`` to ``until``."""
        from narrate.journal import aggregates

        return self._query(lambda db: aggregates.practice_by_area_period(db, since, until, by))

    def practice_timeline(self, since: dt.date, until: dt.date) -> list[TimelineChange]:
        """Every practice change from ``since`` to ``until`` with its entry, oldest first."""
        from narrate.journal import aggregates

        return self._query(lambda db: aggregates.practice_timeline(db, since, until))

    def status_counts(self, since: dt.date, until: dt.date) -> dict[str, int]:
        """How many changes from ``since`` to ``until`` are in each status."""
        from narrate.journal import aggregates

        return self._query(lambda db: aggregates.status_counts(db, since, until))

    def entries_per_day(self, since: dt.date, until: dt.date) -> dict[str, int]:
        """Entries written each day (YYYY-MM-DD) from ``since`` to ``until``, blank days
        left out."""
        from narrate.journal import aggregates

        return self._query(lambda db: aggregates.entries_per_day(db, since, until))

    def entry_days(self, until: dt.date) -> list[dt.date]:
        """Every day with an entry on or before ``until``, newest first."""
        from narrate.journal import aggregates

        return self._query(lambda db: aggregates.entry_days(db, until))

    def entries_on_day(self, day: dt.date) -> list[EntryBrief]:
        """The id, title and created of the entries written on ``day``, oldest first."""
        from narrate.journal import aggregates

        return self._query(lambda db: aggregates.entries_on_day(db, day))

    def entries_per_month(self) -> list[tuple[str, int]]:
        """(YYYY-MM, entries written that month), oldest month first."""
        rows = self._read(
            "SELECT substr(day, 1, 7) AS month, count(*) AS n FROM entries "
            "GROUP BY month ORDER BY month"
        )
        return [(str(month), int(n)) for month, n in rows]

    def titled(self, name: str) -> list[str]:
        """Paths of the entries a ``[[name]]`` link names, as Obsidian resolves one: the
        file name (without ``.md``), then the title or an alias, compared ignoring case;
        best first. For link resolution in the preview and the exports."""
        name = name.strip().removesuffix(".md")
        if not name:
            return []
        # LIKE narrows the rows (ASCII case only); casefold decides (any script).
        rows = self._read(
            "SELECT path, title, aliases FROM entries WHERE path LIKE ? ESCAPE '\\' "
            "OR path LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' "
            "OR aliases LIKE ? ESCAPE '\\' ORDER BY sort DESC, path",
            [f"%/{_like(name)}.md", f"{_like(name)}.md", _like(name), f"%{_like(name)}%"],
        )
        if not rows and not name.isascii():
            # LIKE folds ASCII case only: "[[обзор]]" for "Обзор" needs every title.
            rows = self._read("SELECT path, title, aliases FROM entries ORDER BY sort DESC, path")
        key = name.casefold()
        by_name = [r["path"] for r in rows if r["path"].rpartition("/")[2][:-3].casefold() == key]
        by_title = [
            r["path"]
            for r in rows
            if r["path"] not in by_name
            and (
                r["title"].casefold() == key
                or any(a.casefold() == key for a in (r["aliases"] or "").split("\n"))
            )
        ]
        return [str(p) for p in [*by_name, *by_title]]

    def paths_with_id(self, entry_id: str) -> list[str]:
        """The paths of every indexed entry carrying ``entry_id``, by path."""
        rows = self._read("SELECT path FROM entries WHERE id = ? ORDER BY path", [entry_id])
        return [str(r[0]) for r in rows]

    def paths_containing(self, text: str) -> list[str]:
        """The indexed entry paths that contain ``text`` (e.g. "-conflict-"), ignoring
        ASCII case."""
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._read(
            "SELECT path FROM entries WHERE path LIKE ? ESCAPE '\\'", [f"%{pattern}%"]
        )
        return [str(r[0]) for r in rows]

    # ---- the feed
    # Other members' shared entries, in the index's feed tables (narrate.journal.feedstore).
    # They do not depend on the entry files, so these skip the refresh; the guard still
    # turns contention into a clear error and rebuilds a damaged index (which empties the
    # feed: an unknown head makes narrate.community.feed read the clone again).

    def feed_head(self, community: str) -> str | None:
        """The commit ``community``'s feed rows were read from ("" before its first
        commit); None when they are not indexed."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.known_head(self._connection, community))

    def feed_count(self, community: str, kind: str = "entry") -> int:
        """How many shared entries (``kind`` 'reply': replies) of ``community`` the feed
        holds."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.count(self._connection, community, kind))

    def replace_feed(self, community: str, head: str, rows: list[FeedRow]) -> None:
        """Replace ``community``'s feed rows with ``rows``, read from commit ``head``."""
        from narrate.journal import feedstore

        self._guarded(lambda: feedstore.replace(self._connection, community, head, rows))

    def feed_write(self, community: str, work: Callable[[FeedWriter], T]) -> T:
        """Run ``work`` on ``community``'s feed tables in one transaction (incremental
        indexing, narrate.community.feed)."""
        from narrate.journal import feedstore
        from narrate.journal.index import transaction

        def write() -> T:
            with transaction(self._connection) as conn:
                return work(feedstore.FeedWriter(conn, community))

        return self._guarded(write)

    def forget_feed(self, community: str) -> None:
        """Drop ``community``'s feed rows and head (it left this device)."""
        from narrate.journal import feedstore

        self._guarded(lambda: feedstore.forget(self._connection, community))

    def feed_rows(
        self,
        communities: list[str],
        *,
        exclude: list[tuple[str, str]] | None = None,
        member: str | None = None,
        area: str | None = None,
        limit: int | None = 20,
        kinds: tuple[str, ...] = ("entry",),
    ) -> list[FeedRow]:
        """Feed rows of ``communities``, newest first, without the (community, member)
        pairs in ``exclude``; ``member`` and ``area`` narrow them; ``kinds``: 'entry',
        'reply' or both."""
        from narrate.journal import feedstore

        return self._guarded(
            lambda: feedstore.items(
                self._connection,
                communities,
                exclude=exclude or [],
                member=member,
                area=area,
                limit=limit,
                kinds=kinds,
            )
        )

    def feed_search(
        self,
        communities: list[str],
        text: str = "",
        *,
        exclude: list[tuple[str, str]] | None = None,
        follows: Follows | None = None,
        limit: int | None = 20,
    ) -> tuple[list[FeedHit], list[str]]:
        """Feed rows matching ``text`` (the search language plus ``member:``), best
        first, with snippets; and warnings about what was ignored. ``follows``: only the
        rows it names (narrate feed --following)."""
        from narrate.journal import feedstore

        found, warnings = self._guarded(
            lambda: feedstore.search(
                self._connection,
                communities,
                text,
                exclude=exclude or [],
                follows=follows,
                limit=limit,
            )
        )
        return [{"row": row, "snippet": snippet} for row, snippet in found], warnings

    # The community review and digest (narrate.community.review, .digest).

    def feed_activity_by_day(
        self, communities: list[str], since: dt.date, until: dt.date
    ) -> list[dict[str, Any]]:
        """Shares and replies per day, member and kind (``day``, ``member``, ``kind``,
        ``count``) from ``since`` to ``until``."""
        from narrate.journal import feedstore

        return self._guarded(
            lambda: feedstore.activity_by_day(
                self._connection, communities, since.isoformat(), until.isoformat()
            )
        )

    def feed_practice_published(
        self, communities: list[str], since: dt.date, until: dt.date
    ) -> list[dict[str, Any]]:
        """Practice changes first published per day, area and member (``day``, ``area``,
        ``member``, ``count``), adoptions left out."""
        from narrate.journal import feedstore

        return self._guarded(
            lambda: feedstore.practice_published(
                self._connection, communities, since.isoformat(), until.isoformat()
            )
        )

    def feed_adopted_changes(self, communities: list[str]) -> list[dict[str, Any]]:
        """Every shared change adopted from another member's entry, with its trail."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.adopted_changes(self._connection, communities))

    def feed_thread_sizes(
        self, roots: list[str], since: dt.date | None = None, until: dt.date | None = None
    ) -> dict[str, int]:
        """Replies in each root's thread (nested ones counted), optionally in a period."""
        from narrate.journal import feedstore

        first = since.isoformat() if since else None
        last = until.isoformat() if until else None
        return self._guarded(lambda: feedstore.thread_sizes(self._connection, roots, first, last))

    def feed_busiest_threads(
        self, communities: list[str], since: dt.date, until: dt.date, limit: int = 5
    ) -> list[tuple[FeedRow, int]]:
        """The entries whose threads got the most replies in the period, busiest first."""
        from narrate.journal import feedstore

        return self._guarded(
            lambda: feedstore.busiest_threads(
                self._connection, communities, since.isoformat(), until.isoformat(), limit
            )
        )

    def feed_replies(self, parents: list[str], limit: int | None = None) -> list[FeedRow]:
        """The replies answering any of ``parents`` (feed ids), oldest first."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.replies_to(self._connection, parents, limit))

    def feed_reply_count(self, parents: list[str]) -> int:
        """How many replies answer any of ``parents`` (feed ids)."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.count_replies(self._connection, parents))

    def feed_adoptions(self, origins: list[str], limit: int | None = None) -> list[FeedRow]:
        """The rows whose adopted practice change came from any of ``origins``."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.adoptions_of(self._connection, origins, limit))

    def feed_by_ids(self, feed_ids: list[str]) -> list[FeedRow]:
        """The feed rows with these ids (those that exist)."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.by_ids(self._connection, feed_ids))

    def feed_of_member(self, community: str, member: str) -> list[FeedRow]:
        """Every row in ``member``'s folder of ``community`` (entries and replies)."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.of_member(self._connection, community, member))

    def feed_by_prefix(self, prefix: str, limit: int = 3) -> list[FeedRow]:
        """Feed rows whose feed id starts with ``prefix``, at most ``limit``."""
        from narrate.journal import feedstore

        return self._guarded(lambda: feedstore.by_prefix(self._connection, prefix, limit))

    def resolve(self, ref: str) -> str:
        """The path of the entry that ``ref`` names: an id, a unique id prefix, "today",
        or a path; a clear error otherwise."""
        ref = ref.strip()
        if not ref:
            raise NarrateError("no entry given; pass an id (or a unique prefix of one)")
        if ref == "today":
            rows = self._read(
                "SELECT path FROM entries WHERE day = ? ORDER BY sort DESC LIMIT 1",
                [dt.date.today().isoformat()],
            )
            if not rows:
                raise NarrateError("no entry for today yet; write one with 'narrate add'")
            return str(rows[0]["path"])
        if ref.endswith(".md"):
            # A path names its file even when the file is broken: `edit` is how to fix it.
            found = self._entry_file(ref)
            if found is not None:
                return found
        for candidate in dict.fromkeys([ref, ref.upper()]):
            rows = self._read(
                "SELECT id, path, title FROM entries WHERE id >= ? AND id < ? "
                "ORDER BY sort DESC LIMIT 6",
                [candidate, candidate + "\U0010ffff"],
            )
            exact = [r for r in rows if r["id"] == candidate]
            if len(exact) == 1 or (len(rows) == 1):
                return str((exact or rows)[0]["path"])
            if len(rows) > 1:
                from narrate.sanitize import clean

                listed = ", ".join(f"{r['id']} ({clean(r['title'], True)})" for r in rows[:5])
                raise NarrateError(
                    f"'{ref}' matches several entries: {listed}; give more of the id"
                )
        broken = self._broken_with_id(ref) or self._lost_id(ref)
        if len(broken) == 1:
            return broken[0]
        if broken:
            raise NarrateError(f"'{ref}' matches several files: {', '.join(broken)}")
        raise NarrateError(f"no entry with id '{ref}'; see 'narrate list' or 'narrate search'")

    def _entry_file(self, ref: str) -> str | None:
        """The journal path of an entry file given as a path: absolute, or relative to the
        journal or to the working folder."""
        given = Path(ref).expanduser()
        root = self.root.resolve()
        candidates = [given] if given.is_absolute() else [self.root / given, Path.cwd() / given]
        for candidate in candidates:
            try:
                rel = candidate.resolve().relative_to(root).as_posix()
            except (OSError, ValueError):
                continue
            if is_read_folder(rel.rpartition("/")[0], self.ignore) and (root / rel).is_file():
                return rel
        return None

    def _broken_with_id(self, ref: str) -> list[str]:
        """Broken files whose id the ref names (exactly, or as a prefix): the index holds
        no row for them, but their ``id:`` line, or their last committed copy's, says."""
        wanted = ref.upper()
        exact: list[str] = []
        prefixed: list[str] = []
        for rel, _reason in self.broken():
            found = _id_line(self.read_file(rel) or b"") or _id_line(self._committed(rel))
            if found and found.upper() == wanted:
                exact.append(rel)
            elif found and found.upper().startswith(wanted):
                prefixed.append(rel)
        return exact or prefixed

    def _lost_id(self, ref: str) -> list[str]:
        """Files in entries/ read without an id whose last committed copy had the one
        ``ref`` names: an entry whose front matter was cut away is still found by it."""
        wanted = ref.upper()
        found: list[str] = []
        for rel in self.without_id():
            if rel.startswith(f"{ENTRIES}/"):
                committed = _id_line(self._committed(rel))
                if committed and committed.upper().startswith(wanted):
                    found.append(rel)
        return found

    def _committed(self, rel: str) -> bytes:
        """The file's bytes at HEAD (its last good copy), or b"" when git has none."""
        from narrate.journal.history import git_bytes

        try:
            return git_bytes(self.root, "show", f"HEAD:{rel}")
        except NarrateError:
            return b""

    def get(self, ref: str) -> Entry:
        """The Entry that ``ref`` names, read from its file."""
        from narrate.journal.entry import BrokenEntry, Entry

        rel = self.resolve(ref)
        path = self.root / rel
        try:
            return self._dated(Entry.from_bytes(path.read_bytes(), rel))
        except FileNotFoundError:
            raise NarrateError(f"{rel} has gone from disk; run 'narrate reindex'") from None
        except BrokenEntry as exc:
            raise NarrateError(
                f"{rel} cannot be read: {exc.reason}; fix the file by hand"
            ) from None

    def show(self, ref: str) -> dict[str, Any]:
        """The entry object (docs/json.md) with its body."""
        return self.get(ref).to_json(body=True)

    def entry_paths(self) -> list[str]:
        """Every indexed entry's path, oldest first."""
        return [str(r[0]) for r in self._read("SELECT path FROM entries ORDER BY sort, path")]

    def iter_entries(self) -> Iterator[Entry]:
        """Every readable entry, oldest first, parsed from its file."""
        from narrate.journal.entry import BrokenEntry, Entry

        for rel in self.entry_paths():
            try:
                yield self._dated(Entry.from_bytes((self.root / rel).read_bytes(), rel))
            except (OSError, BrokenEntry):
                continue

    def _dated(self, entry: Entry) -> Entry:
        """``entry`` with the dates the index gave it where the file has none to say (no
        ``created``, no date in its name: the commit that added it, else its mtime)."""
        if entry.created_from == "front matter" or entry.created_from == "file name":
            return entry
        rows = self._read("SELECT created, updated FROM entries WHERE path = ?", [entry.path])
        if rows:
            from narrate.journal.entry import parse_timestamp

            entry.created = parse_timestamp(rows[0]["created"]) or entry.created
            if "updated" not in entry.meta:
                entry.updated = parse_timestamp(rows[0]["updated"]) or entry.updated
        return entry

    # ------------------------------------------------------------------ writing

    def new_path(self, entry: Entry) -> str:
        """A free path for a new entry, named after its date and title."""
        from narrate.journal.store import entry_stem

        created = entry.created
        stem = entry_stem(created, entry.title)
        for n in range(1, 10_000):
            candidate = entry_relpath(
                created.year, created.month, stem if n == 1 else f"{stem}-{n}"
            )
            if not (self.root / candidate).exists():
                return candidate
        raise NarrateError(f"too many entries named {stem}")

    def add(self, entry: Entry, message: str | None = None) -> Entry:
        """Write a new entry, index it and commit it; returns it with its path set."""
        with JournalLock(self.root):
            entry.path = self.new_path(entry)
            PendingFiles(self.root).add([entry.path])
            self._write(entry)
            self._commit([entry.path], message or f"Add entry: {entry.title}")
        return entry

    def save(self, entry: Entry, message: str | None = None) -> Entry:
        """Write an existing entry (atomically), index it and commit it."""
        with JournalLock(self.root):
            PendingFiles(self.root).add([entry.path])
            self._write(entry)
            self._commit([entry.path], message or f"Edit entry: {entry.title}")
        return entry

    def without_id(self) -> list[str]:
        """Entries whose file holds no ``id:`` (notes made in another tool): their id is
        derived from the path, so it changes when the file is renamed."""
        rows = self._read(
            "SELECT path FROM entries WHERE notes LIKE '%no id in front matter%' ORDER BY path"
        )
        return [str(r["path"]) for r in rows]

    def write_ids(self, paths: list[str], ids: Mapping[str, str] | None = None) -> list[str]:
        """Write into each file its current id (and, without one, its date), so a rename
        keeps them; one commit. Returns the files changed (``doctor --fix``). ``ids``
        gives a path its id instead (a share's random one: the current one is a hash of
        the path, which a shared copy must not reveal)."""
        from narrate.journal.entry import BrokenEntry, Entry

        done: list[str] = []
        with JournalLock(self.root):
            for rel in paths:
                try:
                    entry = self._dated(Entry.from_bytes((self.root / rel).read_bytes(), rel))
                except (OSError, BrokenEntry):
                    continue
                if "id" in entry.meta:
                    continue
                PendingFiles(self.root).add([rel])
                given = (ids or {}).get(rel)
                self._write(entry.with_changes(id=given or entry.id))
                done.append(rel)
            if done:
                self._commit(done, f"Write an id into {len(done)} file(s) without one")
        return done

    def delete(self, ref: str) -> Deleted:
        """Remove the entry ``ref`` names from disk and the index and commit the removal;
        the history keeps it, and ``Deleted.restore_hint`` says how to bring it back."""
        from narrate.journal.history import run_git

        rel = self.resolve(ref)
        rows = self._read("SELECT id, title FROM entries WHERE path = ?", [rel])
        title = str(rows[0]["title"]) if rows else rel
        with JournalLock(self.root):
            if (self.root / rel).exists():
                # Edits not yet committed (or a file never committed) go into the history
                # first: what the restore hint brings back is the file as it was deleted.
                self._commit([rel], f"Keep the last version of {rel} before deleting it")
            (self.root / rel).unlink(missing_ok=True)
            self._guarded(partial(self._forget, rel))
            self._commit([rel], f"Delete entry: {title}")
        head = run_git(self.root, "rev-parse", "--short", "HEAD", check=False).stdout.strip()
        return Deleted(rel, title, head or None, self.root)

    def redate(self, ref: str, when: dt.datetime) -> tuple[str, Entry]:
        """Move the entry ``ref`` names to a new date: ``created`` changes and the file takes
        its new date's name (the core's namer), in one commit. Returns (old path, entry)."""
        from narrate.journal.entry import format_timestamp

        entry = self.get(ref)
        old = entry.path
        moved = entry.touched(created=format_timestamp(when))
        with JournalLock(self.root):
            from narrate.journal.store import entry_stem

            if Path(old).stem != entry_stem(moved.created, moved.title):
                moved.path = self.new_path(moved)
            else:
                moved.path = old
            self._write(moved)
            paths = [moved.path]
            if moved.path != old:
                (self.root / old).unlink(missing_ok=True)
                self._guarded(partial(self._forget, old))
                paths.append(old)
            self._commit(paths, f"Re-date entry: {moved.title} ({moved.day})")
        return old, moved

    def set_starred(self, ref: str, starred: bool) -> tuple[Entry, bool]:
        """Star or unstar the entry ``ref`` names (front matter ``starred: true``) and
        commit; returns the entry and whether anything changed."""
        from narrate.journal.frontmatter import DELETE

        entry = self.get(ref)
        if entry.starred == starred:
            return entry, False
        changed = entry.touched(starred=True if starred else DELETE)
        verb = "Star" if starred else "Unstar"
        return self.save(changed, f"{verb} entry: {entry.title}"), True

    def _write(self, entry: Entry) -> None:
        path = self.root / entry.path
        path.parent.mkdir(parents=True, exist_ok=True)
        data = entry.document.to_bytes()
        atomic_write(path, data)
        stat = path.stat()

        def store() -> None:
            with idx.transaction(self._connection) as db:
                idx.store_entry(db, entry, (idx.change_ns(stat), stat.st_size, idx.file_hash(data)))

        self._guarded(store)

    def keep_bytes(self, rel: str, data: bytes) -> None:
        """Write ``data`` to the entry file at ``rel`` as it is, even if it does not read
        as an entry (the user's words are never thrown away), and index it; no commit."""
        with JournalLock(self.root):
            atomic_write(self.root / rel, data)
            self.index_file(rel)

    def index_file(self, rel: str) -> None:
        """Re-read one file into the index (after an outside edit we know about)."""
        from narrate.journal.entry import BrokenEntry

        path = self.root / rel
        data = path.read_bytes()
        stat = path.stat()
        signature = (idx.change_ns(stat), stat.st_size, idx.file_hash(data))

        def store() -> None:
            with idx.transaction(self._connection) as db:
                try:
                    entry = idx.parse_file(self.root, rel, data, stat.st_mtime_ns)
                except BrokenEntry as exc:
                    idx.store_broken(db, rel, signature, exc.reason)
                else:
                    idx.store_entry(db, entry, signature)

        self._guarded(store)

    def reindex_paths(self, paths: list[str]) -> None:
        """Re-read exactly these files (those a git pull changed); gone ones are dropped."""
        for rel in paths:
            if (self.root / rel).is_file():
                self.index_file(rel)
            else:
                self._guarded(partial(self._forget, rel))

    def _forget(self, rel: str) -> None:
        with idx.transaction(self._connection) as db:
            idx.remove_paths(db, [rel])

    def _commit(self, paths: list[str], message: str) -> bool:
        """Commit ``paths``, and any file an interrupted run wrote but did not commit
        (narrate.journal.store.PendingFiles), under the lock the caller holds."""
        from narrate.journal.history import GitError, commit

        pending = PendingFiles(self.root)
        left = [p for p in pending.paths() if p not in paths]
        changed = _uncommitted(self.root, left) if left else []
        if changed:
            from narrate.humane import plural

            message += (
                f"\n\nAlso commit {plural(len(changed), 'file')} an earlier run wrote but did "
                f"not commit: {', '.join(changed[:5])}{' ...' if len(changed) > 5 else ''}"
            )
        try:
            done = commit(self.root, [*paths, *left], message)
        except GitError as exc:
            raise NotCommitted(paths, str(exc)) from exc
        pending.forget([*paths, *left])
        return done

    def commit_paths(self, paths: list[str], message: str) -> bool:
        """Commit files changed outside the API (under the journal lock)."""
        with JournalLock(self.root):
            return self._commit(paths, message)

    # ------------------------------------------------------------------ health

    def set_speed_settings(self) -> list[str]:
        """Give the journal's git config the settings that keep commits fast at 100k
        entries (``doctor --fix``); the ``key=value`` settings it lacked."""
        from narrate.journal.history import set_speed_settings

        return set_speed_settings(self.root)

    def doctor(self) -> DoctorReport:
        """A full health check: files, ids, leftovers, git state."""
        from narrate.journal.history import missing_speed_settings, repo_state
        from narrate.journal.store import leftover_temp_files

        self.refresh(full=True)
        report = DoctorReport()
        report.entries = self.count()
        report.broken = self.broken()
        dupes = self._read(
            "SELECT id, group_concat(path, char(10)) AS paths FROM entries "
            "GROUP BY id HAVING count(*) > 1"
        )
        report.duplicate_ids = [(r["id"], r["paths"].split("\n")) for r in dupes]
        for row in self._read(
            "SELECT path, notes FROM entries WHERE notes IS NOT NULL ORDER BY path"
        ):
            report.notes.extend((row["path"], note) for note in json.loads(row["notes"]))
        report.temp_files = [
            p.relative_to(self.root).as_posix() for p in leftover_temp_files(self.root, self.ignore)
        ]
        editing = self.root / STATE / "editing"
        report.edit_copies = sorted(
            p.relative_to(self.root).as_posix() for p in editing.glob("*/*") if p.is_file()
        )
        from narrate.journal.conflicts import list_conflicts

        report.conflicts = [c.copy.path for c in list_conflicts(self)]
        state = repo_state(self.root)
        report.git_problems = state.problems
        from narrate.journal.sync import device_files_tracked

        report.git_problems.extend(
            f"{path} is committed, but every device rewrites it (open tabs, layout): "
            "'narrate sync' stops tracking it and keeps it on disk"
            for path in device_files_tracked(self.root)
        )
        report.uncommitted = state.uncommitted
        from narrate.journal.remote import redact

        report.branch = state.branch
        report.remote = redact(state.remote) if state.remote else None
        report.ahead, report.behind = state.ahead, state.behind
        report.identity = state.fallback_identity
        report.slow_settings = missing_speed_settings(self.root)
        if self.index_unavailable is not None:
            report.index_problems.append(
                f"{idx.index_path(self.root)} cannot be written ({self.index_unavailable}); "
                "narrate reads the files into memory meanwhile (slower). Free disk space, or "
                "make the journal writable"
            )
        return report

    def state_dir(self) -> Path:
        """The journal's git-ignored local state folder."""
        folder = self.root / STATE
        folder.mkdir(exist_ok=True)
        return folder

    # ---- TUI support
    # What the terminal UI needs beyond the CLI: reads shaped for a virtual list, and the
    # checks behind "never overwrite an edit made outside narrate". Used by narrate.tui.

    def defer_refresh(self) -> None:
        """Serve reads from the index as it stands; the caller refreshes it in the
        background (the TUI paints first and refreshes in a worker)."""
        self._fresh = True

    def index_version(self) -> int:
        """A number that changes whenever another connection (another narrate process)
        commits to the index: its refreshes and writes are invisible to this one's."""
        return int(self._query(lambda db: db.execute("PRAGMA data_version").fetchone()[0]))

    def today_entry(self, day: dt.date | None = None) -> Entry | None:
        """The newest readable entry written on ``day`` (default: today), or None."""
        rows = self._read(
            "SELECT path FROM entries WHERE day = ? ORDER BY sort DESC, path DESC",
            [(day or dt.date.today()).isoformat()],
        )
        if not rows:
            return None  # without importing the entry module (~20 ms at startup)
        from narrate.journal.entry import BrokenEntry, Entry

        for row in rows:
            data = self.read_file(row["path"])
            if data is None:
                continue
            try:
                return Entry.from_bytes(data, row["path"])
            except BrokenEntry:
                continue
        return None

    # Day order: newest day first (the writer's own calendar day), newest first within
    # a day. It is what a list grouped by day means, and the day index serves it:
    # grouping list()'s UTC order by day reads every row (150 ms at 100k entries),
    # counting by day reads only the index (9 ms), and a page starts at its day.

    def day_counts(self) -> list[tuple[str, int]]:
        """(day, entries written that day), newest day first."""
        rows = self._read("SELECT day, count(*) FROM entries GROUP BY day ORDER BY day DESC")
        return [(str(day), int(count)) for day, count in rows]

    def list_by_day(self, day: str, skip: int = 0, limit: int = 100) -> list[EntryItem]:
        """Entry objects in day order, from the ``skip``-th entry of ``day`` on."""
        rows = self._read(
            "SELECT e.* FROM entries e WHERE e.day <= ? "
            "ORDER BY e.day DESC, e.sort DESC, e.path DESC LIMIT ? OFFSET ?",
            [day, limit, skip],
        )
        return [row_to_json(r) for r in rows]

    def day_position(self, rel: str) -> int | None:
        """The offset of the entry at ``rel`` in day order, or None if not indexed."""
        rows = self._read("SELECT day, sort FROM entries WHERE path = ?", [rel])
        if not rows:
            return None
        day, sort = rows[0]["day"], rows[0]["sort"]
        before = self._read(
            "SELECT (SELECT count(*) FROM entries WHERE day > ?) + (SELECT count(*) "
            "FROM entries WHERE day = ? AND (sort > ? OR (sort = ? AND path > ?)))",
            [day, day, sort, sort, rel],
        )
        return int(before[0][0])

    def day_place(self, rel: str) -> tuple[str, int] | None:
        """The day the entry at ``rel`` is listed under, and how many entries of that day
        come before it in day order; None if not indexed. It costs what the day holds,
        where ``day_position`` counts every newer entry (300,000 for the oldest)."""
        rows = self._read("SELECT day, sort FROM entries WHERE path = ?", [rel])
        if not rows:
            return None
        day, sort = rows[0]["day"], rows[0]["sort"]
        before = self._read(
            "SELECT count(*) FROM entries WHERE day = ? AND (sort > ? OR (sort = ? AND path > ?))",
            [day, sort, sort, rel],
        )
        return str(day), int(before[0][0])

    def read_file(self, rel: str) -> bytes | None:
        """An entry file's bytes as they are on disk now; None when it is gone."""
        try:
            return (self.root / rel).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def keep_conflict_copy(self, rel: str, data: bytes, message: str | None = None) -> str:
        """Write ``data`` (another version of the entry at ``rel``) beside it as
        ``<stem>-conflict-<hash>.md``, index and commit it; returns the copy's path.

        A readable copy gets a new id (two files must not share one) and a
        ``conflict_of`` key naming the original; an unreadable one is kept byte for byte.
        """
        from narrate.journal.conflicts import conflict_copy, device_id

        origin = {"conflict_from": "outside", "conflict_device": device_id(self.root)}
        copy, copy_data = conflict_copy(rel, data, idx.file_hash(data)[:8], origin=origin)
        with JournalLock(self.root):
            atomic_write(self.root / copy, copy_data)
            self.index_file(copy)
            self._commit([copy], message or f"Keep conflicting version of {rel}")
        return copy

    def has_remote(self) -> bool:
        """Whether the journal has a remote (origin) to sync with (runs git)."""
        from narrate.journal.history import run_git

        return run_git(self.root, "remote", "get-url", "origin", check=False).returncode == 0

    def repo_state(self) -> RepoState:
        """Branch, remote, ahead/behind and uncommitted files (runs git: call it off the
        UI thread)."""
        from narrate.journal.history import repo_state

        return repo_state(self.root)


_HEADING_LINE = re.compile(r"#{1,6}(\s|$)")


def _like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _snippet(raw: str, title: str, cut: bool) -> str:
    """A search snippet on one line without what every entry repeats: Markdown headings
    (the template's "## What did I do?") unless a match is in them, and the title's line
    (the list shows the title beside it). ``cut``: shorten a body's start to 160."""
    kept = []
    for line in raw.split("\n"):
        bare = line.strip().strip("…").strip()
        plain = bare.replace("\x02", "").replace("\x03", "")
        if not plain or plain == title.strip():
            continue
        if _HEADING_LINE.match(plain) and "\x02" not in bare:
            continue
        kept.append(line)
    text = " ".join(" ".join(kept).split())
    return text[:159].rstrip() + "…" if cut and len(text) > 160 else text


def _uncommitted(root: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` with changes git has not committed (rare: only after a run was
    killed or could not commit, so the status costs nothing on the usual path)."""
    from narrate.journal.history import run_git

    status = run_git(
        root,
        "--literal-pathspecs",
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
        *paths,
        check=False,
    )
    if status.returncode != 0:
        return paths
    return [item[3:] for item in status.stdout.split("\0") if len(item) > 3]


def _id_line(data: bytes) -> str | None:
    """The value of an ``id:`` line near the top of a file, however broken the rest."""
    import re

    head = data[: 64 * 1024].decode("utf-8", "replace")
    match = re.search(r"^id:[ \t]*[\"']?([0-9A-Za-z_-]+)", head, re.M)
    return match.group(1) if match else None


class NotCommitted(NarrateError):
    """The entry is saved on disk, but git could not commit it."""

    def __init__(self, paths: list[str], reason: str) -> None:
        super().__init__(f"saved {', '.join(paths)} but could not commit it: {reason}")
        self.paths = paths
