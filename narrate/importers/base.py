"""The import engine shared by every source: idempotent, written in bulk, committed once.

A source (jrnl, Day One, a Markdown folder, a narrate export) yields ``SourceEntry``
items, each with the exact bytes of the entry file to write and a fingerprint of the
source entry. ``run_import`` skips fingerprints the journal already holds, writes the
rest in batches (temporary file, fsync of the batch's files, rename), commits all of them in
one git commit and refreshes the index. The source is only ever opened for reading.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from narrate.errors import NarrateError
from narrate.humane import plural as plural  # the one plural, for the importers
from narrate.journal import (
    ENTRIES,
    TEMP_MARKER,
    JournalLock,
    PendingFiles,
    entry_relpath,
    entry_stem,
    frontmatter,
    make_durable,
)
from narrate.journal.dates import in_range, out_of_range
from narrate.journal.entry import (
    TAG_RE,
    Document,
    derive_title,
    format_timestamp,
    new_id,
    normalise_tag,
)
from narrate.journal.entry import title_and_body as whole_title_and_body

if TYPE_CHECKING:
    from narrate.journal.core import Journal

# The front matter key that records where an imported entry came from.
FINGERPRINT = "imported_from"
# Keys narrate itself gives meaning to: a source field with one of these names is kept
# under a prefixed name instead, so it cannot change how narrate reads the entry.
NARRATE_KEYS = frozenset(
    {"id", "created", "updated", "title", "tags", "practice", "private", "shared", FINGERPRINT}
)
# Files renamed into place per batch: each batch's files and their folders are fsync'ed
# together (never os.sync(), which flushes every other program's writes too).
BATCH = 2000
# How many planned entries a dry run lists before it only counts.
DRY_RUN_LISTED = 20
_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


class SourceError(NarrateError):
    """A source that cannot be read; the message names the file and the line or entry."""


@dataclass
class Failure:
    """One source entry that could not be imported, and why."""

    where: str
    reason: str


@dataclass
class Expected:
    """What the source says about one entry; ``--verify`` checks the export keeps it all."""

    created: dt.datetime | None = None
    # Compare ``created`` to the minute (jrnl's JSON export has no seconds) or second.
    precision: str = "second"
    updated: dt.datetime | None = None
    title: str | None = None
    body: str | None = None
    # Each source tag and the narrate tag it becomes (None: it has no narrate form).
    tags: dict[str, str | None] = field(default_factory=dict)
    # Front matter keys that must come back with these values.
    fields: dict[str, Any] = field(default_factory=dict)
    # Source fields left out on purpose, with the reason (reported, not counted as lost).
    dropped: dict[str, str] = field(default_factory=dict)
    # A narrate export record: every key but ``path`` must come back equal.
    record: dict[str, Any] | None = None


@dataclass
class SourceEntry:
    """One entry read from a source: the file to write and what to check it against."""

    where: str
    fingerprint: str
    created: dt.datetime
    title: str
    data: bytes
    expected: Expected | None = None
    # A path inside the journal to use when it is free (narrate's own exports).
    path_hint: str | None = None
    # Where the date came from, when the source had to be guessed at (Markdown notes).
    dated_by: str | None = None
    # Other fingerprints that also mean "already imported" (a narrate entry's own
    # imported_from, when it comes back from an export).
    aliases: tuple[str, ...] = ()
    # Files the entry links to: (journal-relative path, bytes), written with the entry.
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


class Source(Protocol):
    """What the engine needs from an importer."""

    kind: str
    path: Path
    label: str
    notices: list[str]

    def entries(self) -> Iterator[SourceEntry | Failure]:
        """Every entry of the source, in source order; raises SourceError when unreadable."""
        ...

    def progress(self) -> tuple[int, int | None]:
        """(work done, total work) so far, in whatever unit the source counts."""
        ...


@dataclass
class Loss:
    """A field that the journal would not give back as the source had it."""

    where: str
    field: str
    detail: str


@dataclass
class ImportReport:
    """Everything an import did or, in a dry run, would do."""

    kind: str
    label: str
    dry_run: bool = False
    source_name: str = ""
    verify: bool = False
    imported: int = 0
    paths: list[str] = field(default_factory=list)
    planned: list[tuple[str, str, str]] = field(default_factory=list)  # (date, title, path)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (where, existing path)
    failed: list[Failure] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dated_by: dict[str, list[str]] = field(default_factory=dict)
    checked: int = 0
    losses: list[Loss] = field(default_factory=list)
    by_design: Counter[str] = field(default_factory=Counter)
    by_design_reasons: dict[str, str] = field(default_factory=dict)
    committed: bool = False
    message: str = ""
    # Entries an earlier, interrupted run wrote and this run committed.
    recovered: int = 0
    # Attachments copied into the journal (journal-relative paths), and the large ones.
    attachments: list[str] = field(default_factory=list)
    large: list[tuple[str, int]] = field(default_factory=list)
    attachment_set: set[str] = field(default_factory=set)


ProgressFn = Callable[[str, int, int | None], None]


# ---------------------------------------------------------------------------- building


def fingerprint(kind: str, *parts: str) -> str:
    """A stable short fingerprint of a source entry: ``kind:<16 hex of sha256>``."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest[:16]}"


class Occurrences:
    """Tells identical source entries apart: the second copy gets ``#2``, and so on.

    Two identical entries in one source are two entries; numbering them in source order
    keeps a re-import of the same source mapping each to the same fingerprint.
    """

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def __call__(self, key: str) -> str:
        self._seen[key] += 1
        count = self._seen[key]
        return key if count == 1 else f"{key}#{count}"


def date_failure(where: str, *moments: dt.datetime | None) -> Failure | None:
    """A Failure for a source entry dated where narrate cannot place it (0001-01-01 in a
    zone east of UTC), checked before any conversion that would overflow; else None."""
    for moment in moments:
        if moment is not None and not in_range(moment):
            return Failure(where, f"{out_of_range(moment)}; fix it in the source")
    return None


def aware(moment: dt.datetime) -> dt.datetime:
    """A time with an offset: naive times are the machine's local time, as jrnl means them."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def naive_tag(raw: str, symbols: str = "") -> str:
    """The tag a person would expect: symbol dropped, lower case, spaces as hyphens."""
    text = raw.strip()
    if text[:1] and text[0] in symbols:
        text = text[1:]
    return re.sub(r"\s+", "-", text.lower())


def map_tag(raw: str, symbols: str = "") -> str | None:
    """The narrate tag for a source tag (``@Work Trip`` -> ``work-trip``), or None."""
    text = naive_tag(raw, symbols)
    direct = normalise_tag(text)
    if direct is not None:
        return direct
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_/-]+", "-", ascii_text)
    slug = re.sub(r"-{2,}", "-", re.sub(r"/{2,}", "/", slug)).strip("-/")
    return slug if TAG_RE.fullmatch(slug) else None


def map_tags(raws: list[str], symbols: str = "") -> tuple[list[str], dict[str, str | None], bool]:
    """(narrate tags, source tag -> narrate tag, whether any tag changed beyond its case)."""
    tags: list[str] = []
    mapping: dict[str, str | None] = {}
    lossy = False
    for raw in raws:
        tag = map_tag(raw, symbols)
        mapping[raw] = tag
        if tag != naive_tag(raw, symbols):
            lossy = True
        if tag is not None and tag not in tags:
            tags.append(tag)
    return tags, mapping, lossy


def field_name(key: str, prefix: str) -> str:
    """A source field's front matter name: its own, unless narrate uses that name."""
    return f"{prefix}_{key}" if key in NARRATE_KEYS else key


def entry_bytes(
    *,
    created: dt.datetime,
    title: str,
    body: str,
    tags: list[str],
    fields: dict[str, Any],
    source: str,
    updated: dt.datetime | None = None,
) -> bytes:
    """An entry file in narrate's layout (SPEC §2 keys first), with extra fields and the
    source fingerprint after them; the body is kept exactly, plus a final newline."""
    created = aware(created)
    now = dt.datetime.now().astimezone()
    meta: dict[str, Any] = {
        "id": new_id(created if created < now else now),
        "created": format_timestamp(created),
        "updated": format_timestamp(aware(updated) if updated else created),
        "title": title,
        "tags": tags,
        "private": False,
    }
    meta.update(fields)
    meta[FINGERPRINT] = source
    # One line end in the whole file: a CRLF body under LF front matter would read back
    # as a CRLF document with a different body.
    body = body.replace("\r\n", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    return Document(frontmatter.dump(meta), "\n" + body if body else "").to_bytes()


def title_for(title: str, body: str) -> str:
    """The title narrate stores: the source's, else the body's first line, else Untitled."""
    return title.strip() or derive_title(body) or "Untitled"


def title_and_body(title: str, body: str) -> tuple[str, str]:
    """The title and body narrate stores for a source's: every character kept, by the
    capture rule (a title too long to be one opens the body and is shortened)."""
    kept_title, kept_body = whole_title_and_body(title, body)
    return title_for(kept_title, kept_body), kept_body


def load_json(raw: bytes, name: str) -> Any:
    """Parse JSON bytes, or raise a SourceError naming the line and column that is wrong."""
    import json

    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{name}: not UTF-8 text (at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{name} line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None


def read_source(path: Path) -> bytes:
    """A source file's bytes, or a SourceError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None


def is_ulid(value: Any) -> bool:
    """Whether a front matter id looks like one narrate made."""
    return isinstance(value, str) and bool(_ULID.fullmatch(value))


# ---------------------------------------------------------------------------- the journal

_FINGERPRINT_LINE = re.compile(rb"^imported_from:[ \t]*(.*?)[ \t]*\r?$", re.M)
_ID_LINE = re.compile(rb"^id:[ \t]*(.*?)[ \t]*\r?$", re.M)


def _unquote(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return text


def known_sources(root: Path) -> dict[str, str]:
    """Fingerprints (and ``id:<id>``) of every entry file already in the journal, mapped
    to its path. Files are scanned, not the index: the files are the truth, and a line
    match on the front matter costs ~20 µs a file."""
    from narrate.journal import iter_entry_paths

    found: dict[str, str] = {}
    for rel in iter_entry_paths(root):
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        end = data.find(b"\n---", 3)
        head = data[: end if end != -1 else 65536]
        for match in _FINGERPRINT_LINE.finditer(head):
            found.setdefault(_unquote(match.group(1)), rel)
        id_match = _ID_LINE.search(head)
        if id_match:
            found.setdefault("id:" + _unquote(id_match.group(1)), rel)
    return found


class PathPlanner:
    """Free entry paths for a batch of new entries, without a stat per candidate."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._names: dict[str, set[str]] = {}

    def _taken(self, folder: str) -> set[str]:
        names = self._names.get(folder)
        if names is None:
            try:
                names = set(os.listdir(self.root / folder))
            except (FileNotFoundError, NotADirectoryError):
                names = set()
            self._names[folder] = names
        return names

    def claim(self, rel: str) -> bool:
        """Take ``rel`` if nothing has it yet."""
        folder, _, name = rel.rpartition("/")
        names = self._taken(folder)
        if name in names:
            return False
        names.add(name)
        return True

    def pick(self, created: dt.datetime, title: str, hint: str | None = None) -> str:
        """The hinted path when it is a free entry path, else ``YYYY-MM-DD-HHMM-slug.md``."""
        if hint and _valid_hint(hint) and self.claim(hint):
            return hint
        stem = entry_stem(created, title)
        for n in range(1, 100_000):
            rel = entry_relpath(created.year, created.month, stem if n == 1 else f"{stem}-{n}")
            if self.claim(rel):
                return rel
        raise NarrateError(f"too many entries named {stem}")


def _valid_hint(rel: str) -> bool:
    parts = rel.split("/")
    return (
        len(parts) == 4
        and parts[0] == ENTRIES
        and re.fullmatch(r"\d{4}", parts[1]) is not None
        and re.fullmatch(r"\d{2}", parts[2]) is not None
        and parts[3].endswith(".md")
        and not parts[3].startswith(".")
        and "\\" not in rel
    )


class BulkWriter:
    """Atomic writes in bulk: each file goes to a temporary name, a batch's files are
    fsync'ed, then renamed into place (and their folders fsync'ed); a file under its
    real name is always complete. Each batch is named in the journal's pending list
    before it is placed, so a run killed before its commit leaves files that the next
    commit takes along."""

    def __init__(self, root: Path, batch: int = BATCH) -> None:
        self.root = root
        self.batch = batch
        self.pending: list[tuple[Path, Path]] = []
        self.written: list[Path] = []
        self.listed = PendingFiles(root)
        self._made: set[Path] = set()
        self._created: list[Path] = []  # folders this writer made, to remove on abort

    def add(self, rel: str, data: bytes) -> None:
        """Queue ``data`` for the entry path ``rel``."""
        path = self.root / rel
        folder = path.parent
        if folder not in self._made:
            missing = folder
            while not missing.exists() and missing != self.root:
                self._created.append(missing)
                missing = missing.parent
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(folder)
        temp = folder / f".{path.name}.{os.urandom(4).hex()}{TEMP_MARKER}"
        # Queued before it exists: an interruption inside open() still has it removed.
        self.pending.append((temp, path))
        with open(temp, "xb") as handle:
            handle.write(data)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Sync the queued files to disk, then rename them into place."""
        if not self.pending:
            return
        make_durable([temp for temp, _ in self.pending])
        self.listed.add([path.relative_to(self.root).as_posix() for _, path in self.pending])
        for temp, path in self.pending:
            _place(temp, path, self.written)
        # The renames (and the folders this writer made) are durable once the folders
        # that name them are flushed.
        made = {folder.parent for folder in self._created}
        make_durable([], {path.parent for _, path in self.pending} | made)
        self.pending.clear()

    def finish(self) -> None:
        """Flush the rest: every file placed and every rename is then durable."""
        self.flush()

    def abort(self) -> None:
        """Remove everything this writer created: queued temporary files and renamed ones."""
        for temp, _ in self.pending:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        self.pending.clear()
        for path in self.written:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.listed.forget([path.relative_to(self.root).as_posix() for path in self.written])
        self.written.clear()
        for folder in sorted(self._created, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):  # not empty: someone else wrote there
                folder.rmdir()


def _place(temp: Path, path: Path, placed: list[Path]) -> None:
    """Rename ``temp`` to ``path``, never over a file that appeared there meanwhile; the
    path joins ``placed`` the moment it exists, so an abort removes it."""
    try:
        os.link(temp, path)
        placed.append(path)
    except FileExistsError:
        temp.unlink()
        raise NarrateError(
            f"{path} appeared while importing (another program wrote it); run the import "
            "again: entries already imported are skipped"
        ) from None
    except OSError:
        # Filesystems without hard links (FAT, some network mounts): a plain rename.
        if path.exists():
            temp.unlink()
            raise NarrateError(f"{path} appeared while importing; run the import again") from None
        os.replace(temp, path)
        placed.append(path)
        return
    os.unlink(temp)


def commit_many(root: Path, paths: list[str], message: str) -> bool:
    """One commit of many new files (history.commit passes paths to git on stdin)."""
    from narrate.journal import commit

    return commit(root, paths, message)


def uncommitted_earlier(root: Path, report: ImportReport) -> list[str]:
    """Files this run skipped as already imported, or that an earlier run listed as
    pending, which git has not committed: a run killed between writing and committing
    left them, and "already imported" must mean "in the history" too."""
    from narrate.journal import not_in_head

    candidates = {path for _where, path in report.duplicates}
    candidates.update(PendingFiles(root).paths())
    candidates.difference_update(report.paths)
    if not candidates:
        return []
    return not_in_head(root, sorted(candidates))


# ---------------------------------------------------------------------------- the run


def run_import(
    journal: Journal,
    source: Source,
    *,
    dry_run: bool = False,
    verify: bool = False,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import ``source`` into ``journal`` (see the module docstring); returns the report.

    A SourceError (or any other error) before the commit removes every file this run
    wrote: the journal is left as it was, and running the import again is safe.
    """
    report = ImportReport(
        source.kind, source.label, dry_run=dry_run, verify=verify, source_name=source.path.name
    )
    root = journal.root
    lock = contextlib.nullcontext() if dry_run else JournalLock(root)
    with lock:
        known = known_sources(root)
        planner = PathPlanner(root)
        writer = None if dry_run else BulkWriter(root)
        seen: dict[str, str] = {}
        try:
            for item in source.entries():
                _take(item, report, known, seen, planner, writer, root, verify)
                if progress:
                    done, total = source.progress()
                    progress("Importing", done, total)
            if writer is not None:
                writer.finish()
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        report.notices.extend(source.notices)
        if writer is not None:
            _commit(root, report, writer, progress)
    if writer is not None and (report.paths or report.recovered):

        def indexing(done: int, total: int) -> None:
            if progress:
                progress("Indexing", done, total)

        journal.refresh(progress=indexing)
    return report


def _commit(
    root: Path, report: ImportReport, writer: BulkWriter, progress: ProgressFn | None
) -> None:
    """Commit what this run wrote, with anything an interrupted run left uncommitted.

    Interrupted here (ctrl+C, SIGTERM, SIGHUP), the run removes what it wrote, as it
    does before the commit, unless the commit got through; a failing git keeps the
    files on disk, named as pending, for the next commit.
    """
    earlier: list[str] = []
    try:
        earlier = uncommitted_earlier(root, report)
        if not report.paths and not earlier:
            return
        report.recovered = len(earlier)
        report.message = _message(report) if report.paths else _recovered_message(report)
        if progress:
            progress("Committing", 0, None)
        report.committed = commit_many(
            root, [*report.paths, *report.attachments, *earlier], report.message
        )
    except NarrateError as exc:
        raise NarrateError(
            f"wrote {len(report.paths)} entries into {root} but could not commit "
            f"them: {exc}; they are safe on disk ('narrate doctor' lists them)"
        ) from exc
    except BaseException:
        from narrate.journal import not_in_head, unstage

        if report.paths and not_in_head(root, report.paths[:1]):
            writer.abort()
            unstage(root, [*report.paths, *report.attachments])
        raise
    writer.listed.forget([*report.paths, *report.attachments, *earlier])


def _take(
    item: SourceEntry | Failure,
    report: ImportReport,
    known: dict[str, str],
    seen: dict[str, str],
    planner: PathPlanner,
    writer: BulkWriter | None,
    root: Path,
    verify: bool,
) -> None:
    """Handle one item of the source: fail, skip as a duplicate, or write it."""
    if not isinstance(item, Failure):
        # Every importer checks its own dates; this keeps one that forgot from writing a
        # file every later read would report.
        item = date_failure(item.where, item.created) or item
    if isinstance(item, Failure):
        report.failed.append(item)
        return
    if b"\x00" in item.data:
        # narrate reads a file with a NUL byte as binary: it would never show the entry.
        report.failed.append(Failure(item.where, "contains a NUL character; remove it"))
        return
    existing = next(
        (
            known.get(key) or seen.get(key)
            for key in (item.fingerprint, *item.aliases)
            if key in known or key in seen
        ),
        None,
    )
    if existing is not None:
        report.duplicates.append((item.where, existing))
        if verify:
            _verify_existing(item, existing, root, report)
        return
    rel = planner.pick(item.created, item.title, item.path_hint)
    seen[item.fingerprint] = rel
    if item.dated_by:
        report.dated_by.setdefault(item.dated_by, []).append(item.where)
    _take_attachments(item, report, writer, root)
    if writer is not None:
        writer.add(rel, item.data)
    elif len(report.planned) < DRY_RUN_LISTED:
        report.planned.append((f"{item.created:%Y-%m-%d %H:%M}", item.title, rel))
    report.paths.append(rel)
    report.imported += 1
    if verify:
        _verify(item, item.data, rel, report)


def _take_attachments(
    item: SourceEntry, report: ImportReport, writer: BulkWriter | None, root: Path
) -> None:
    """Queue the files a new entry links to, each once, unless the journal has them."""
    from narrate.journal.attachments import LARGE_BYTES

    for rel, data in item.attachments:
        if rel in report.attachment_set or (root / rel).exists():
            continue
        report.attachment_set.add(rel)
        report.attachments.append(rel)
        if len(data) >= LARGE_BYTES:
            report.large.append((rel, len(data)))
        if writer is not None:
            writer.add(rel, data)


def _verify(item: SourceEntry, data: bytes, rel: str, report: ImportReport) -> None:
    from narrate.importers.verify import compare

    report.checked += 1
    if item.expected is None:
        return
    for name, reason in item.expected.dropped.items():
        report.by_design[name] += 1
        report.by_design_reasons.setdefault(name, reason)
    for name, detail in compare(item.expected, data, rel):
        report.losses.append(Loss(item.where, name, detail))


def _verify_existing(item: SourceEntry, rel: str, root: Path, report: ImportReport) -> None:
    try:
        data = (root / rel).read_bytes()
    except OSError as exc:
        report.losses.append(Loss(item.where, "file", f"{rel} cannot be read: {exc.strerror}"))
        return
    _verify(item, data, rel, report)


def _message(report: ImportReport) -> str:
    return f"Import {plural(len(report.paths), 'entry')} from {report.kind} ({report.source_name})"


def _recovered_message(report: ImportReport) -> str:
    return (
        f"Commit {plural(report.recovered, 'entry')} an interrupted import from "
        f"{report.kind} ({report.source_name}) left"
    )
