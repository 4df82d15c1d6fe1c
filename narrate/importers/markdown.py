"""A folder of Markdown notes: Obsidian daily notes (``YYYY-MM-DD.md``), notes with YAML
front matter, or a folder that ``narrate export --format markdown`` wrote.

A note's front matter is kept byte for byte; narrate adds only what it needs (``id``,
``created`` and ``title`` when missing, and ``imported_from``). The date comes from the
front matter (``created``, else ``date``), else from the file name, else from the file's
modification time; the summary says how many notes each way, and names the last kind.
Files narrate itself wrote (a ULID ``id`` and a ``created`` date) are copied unchanged,
keyed by their id.

Attachments a note embeds (``![[whiteboard.png]]``, ``![](img/x.png)``) are found the way
Obsidian finds them (beside the note, from the vault's root, else by name anywhere in the
vault), copied into ``attachments/YYYY/MM/`` and linked relatively; the note's own file
name becomes an alias (``aliases: [Retro notes]``), so ``[[Retro notes]]`` links still
resolve after narrate names the file after its date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from narrate.importers.base import (
    FINGERPRINT,
    Expected,
    Failure,
    Occurrences,
    SourceEntry,
    SourceError,
    aware,
    date_failure,
    entry_bytes,
    is_ulid,
    map_tags,
    plural,
)
from narrate.journal import frontmatter
from narrate.journal.attachments import (
    AttachmentError,
    AttachmentPlanner,
    attachment_relpath,
    entry_folder_link,
    markdown_link,
    outside_fences,
    read_file,
)
from narrate.journal.entry import (
    BrokenEntry,
    Document,
    format_timestamp,
    new_id,
    normalise_tag,
    parse_timestamp,
)

_SUFFIXES = (".md", ".markdown")
_DATE_KEYS = ("created", "date", "created_at")
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[ T_-]?(\d{2})[:.h-]?(\d{2}))?(?!\d)")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_NATIVE_PATH = re.compile(r"(?:entries/)?(\d{4})/(\d{2})/([^/]+\.md)")
FROM_MTIME = "the file's modification time"
# The two embed forms Obsidian writes: ![[file.png|300]] and ![alt](folder/file.png).
_WIKI_EMBED = re.compile(r"!\[\[([^\]|#\n]+)(?:#[^\]|\n]*)?(?:\|([^\]\n]*))?\]\]")
_MD_EMBED = re.compile(r"!\[([^\]\n]*)\]\((<[^>\n]+>|[^)\s]+)(\s+\"[^\"\n]*\")?\)")
_SIZE = re.compile(r"\d+(?:x\d+)?")


def _not_regular(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (a named pipe, ...), else None."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None  # gone or unreadable: reading it reports why
    if stat.S_ISREG(mode):
        return None
    kinds = [
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a file")


def _read_regular(path: Path) -> tuple[bytes | None, float]:
    """(bytes, mtime) of a regular file; (None, 0) when it is something else by now.

    Opened without blocking and checked on the open descriptor, so a file swapped for
    a named pipe after the folder was listed cannot hang the import."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, 0.0
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(), info.st_mtime
    finally:
        os.close(fd)


class MarkdownSource:
    """Every ``.md`` note under a folder (hidden folders such as .obsidian skipped)."""

    kind = "markdown"

    def __init__(self, path: Path, exclude: Path | None = None) -> None:
        if not path.is_dir():
            raise SourceError(
                f"{path} is not a folder; 'narrate import markdown' reads a folder of .md notes"
            )
        self.path = path
        self.label = f"Markdown folder {path}"
        self.notices: list[str] = []
        self._exclude = exclude.resolve() if exclude else None
        if self._exclude is not None and _inside(path.resolve(), self._exclude):
            raise SourceError(
                f"{path} is inside the journal itself; import from a folder outside it"
            )
        self._occurrences = Occurrences()
        self._done = 0
        self._total: int | None = None
        self._attachments = 0
        self._root = exclude
        self._planner = AttachmentPlanner(exclude) if exclude is not None else None
        self._by_name: dict[str, list[str]] | None = None

    def progress(self) -> tuple[int, int | None]:
        """Notes read so far, of all the notes found."""
        return self._done, self._total

    def entries(self) -> Iterator[SourceEntry | Failure]:
        """Every note, in path order."""
        files = self._files()
        self._total = len(files)
        for rel in files:
            self._done += 1
            yield self._convert(rel)

    def _files(self) -> list[str]:
        found: list[str] = []
        odd: list[str] = []
        for folder, dirs, files in os.walk(self.path):
            base = Path(folder)
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and not (base / d).is_symlink()
                and (self._exclude is None or (base / d).resolve() != self._exclude)
            )
            for name in files:
                path = base / name
                if (
                    name.lower().endswith(_SUFFIXES)
                    and not name.startswith(".")
                    and not path.is_symlink()
                ):
                    rel = path.relative_to(self.path).as_posix()
                    kind = _not_regular(path)
                    # Reading a named pipe waits forever for a writer; a socket or a
                    # device is no note either.
                    if kind:
                        odd.append(f"{rel} ({kind})")
                    else:
                        found.append(rel)
        if odd:
            self.notices.append(
                f"skipped {plural(len(odd), 'item')} that {'is' if len(odd) == 1 else 'are'} "
                f"not a regular file: {', '.join(sorted(odd))}"
            )
        return sorted(found)

    def _convert(self, rel: str) -> SourceEntry | Failure:
        path = self.path / rel
        try:
            data, mtime = _read_regular(path)
        except OSError as exc:
            return Failure(rel, f"cannot read: {exc.strerror}")
        if data is None:
            return Failure(rel, "not a regular file")
        if not data.strip():
            return Failure(rel, "empty note")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return Failure(rel, f"not UTF-8 text (invalid byte at offset {exc.start})")
        bom = text.startswith("\ufeff")
        text = text.removeprefix("\ufeff")
        newline = "\r\n" if "\r\n" in text else "\n"
        text = text.replace("\r\n", "\n")
        front, body, closing = None, text, "---"
        if text.startswith("---\n"):
            try:
                document = Document.from_bytes(text.encode("utf-8"))
            except BrokenEntry:
                pass  # a "---" rule with no closing fence: the whole file is the body
            else:
                front, body, closing = document.front_matter, document.body, document.closing
        meta: dict[str, Any] = {}
        if front is not None:
            try:
                meta = frontmatter.parse(front)
            except frontmatter.FrontMatterError as exc:
                return Failure(rel, f"front matter: {exc}; fix it and import again")
        if is_ulid(meta.get("id")) and parse_timestamp(meta.get("created")) is not None:
            return self._native(rel, data)

        source = self._occurrences("markdown:" + hashlib.sha256(data).hexdigest()[:16])
        created, dated_by, date_key = self._date(rel, meta, mtime)
        failure = date_failure(rel, created, parse_timestamp(meta.get("updated")))
        if failure is not None:
            return failure
        title = meta.get("title")
        title_text = str(title).strip() if title is not None else ""
        stored_title = title_text or Path(rel).stem
        body, attachments = self._attach(rel, body, created)
        if front is None:
            raw = entry_bytes(
                created=created,
                title=stored_title,
                body=body,
                tags=[],
                fields={"aliases": [Path(rel).stem]},
                source=source,
            )
            expected = Expected(created=created, title=stored_title, body=body)
            return SourceEntry(
                rel,
                source,
                created,
                stored_title,
                _with_newline(raw, newline, bom),
                expected,
                dated_by=dated_by,
                attachments=attachments,
            )
        entry = self._with_front_matter(
            rel,
            source,
            front,
            body,
            meta,
            created,
            dated_by,
            date_key,
            stored_title,
            title_text,
            (newline, bom, closing),
        )
        entry.attachments = attachments
        return entry

    def _attach(
        self, rel: str, body: str, created: dt.datetime
    ) -> tuple[str, list[tuple[str, bytes]]]:
        """The body with its embedded files copied and linked relatively, and the files."""
        attachments: list[tuple[str, bytes]] = []
        missing: list[str] = []

        def copy(target: str, label: str, wiki: bool) -> str | None:
            found = self._find(rel, target, wiki)
            if found is None:
                missing.append(target)
                return None
            try:
                data = read_file(found)
            except AttachmentError as exc:
                missing.append(f"{target} ({exc})")
                return None
            if self._planner is not None:
                place = self._planner.place(created.year, created.month, found.name, data)
            else:
                place = attachment_relpath(created.year, created.month, found.name)
            attachments.append((place, data))
            return markdown_link(entry_folder_link(place), label)

        def wiki(match: re.Match[str]) -> str:
            target, label = match.group(1).strip(), (match.group(2) or "").strip()
            if Path(target).suffix.lower() in ("", ".md", ".markdown"):
                return match.group(0)  # a note embedded in a note: left as Obsidian has it
            if not label or _SIZE.fullmatch(label):
                label = Path(target).name
            return copy(target, label, True) or match.group(0)

        def plain(match: re.Match[str]) -> str:
            target = match.group(2).strip("<>")
            if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith(("#", "/")):
                return match.group(0)  # a web image or an absolute path: not the vault's
            return copy(urllib.parse.unquote(target), match.group(1), False) or match.group(0)

        # Plain links first: a rewritten ![[embed]] is a plain link that must not be
        # looked up a second time.
        body = outside_fences(body, lambda text: _WIKI_EMBED.sub(wiki, _MD_EMBED.sub(plain, text)))
        if missing:
            self._attachments += 1
            shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
            self.notices.append(
                f"{rel}: {plural(len(missing), 'attachment')} not found in {self.path} "
                f"({shown}); the links are kept as they are"
            )
        return body, attachments

    def _find(self, rel: str, target: str, wiki: bool) -> Path | None:
        """The vault file an embed means, as Obsidian finds it; never outside the vault."""
        note_dir = Path(rel).parent
        candidates = [note_dir / target, Path(target)]
        if wiki and "/" not in target:
            if self._by_name is None:
                self._by_name = self._names()
            same_folder = [p for p in self._by_name.get(target, []) if Path(p).parent == note_dir]
            others = sorted(self._by_name.get(target, []), key=lambda p: (p.count("/"), p))
            candidates += [Path(p) for p in [*same_folder, *others]]
        vault = self.path.resolve()
        for candidate in candidates:
            path = self.path / candidate
            if path.is_symlink() and _inside(path.parent.resolve(), vault):
                return path  # refused by read_file, which says it is a symlink
            try:
                resolved = path.resolve()
            except (OSError, RuntimeError):
                continue
            if not _inside(resolved, vault):
                continue  # ../../etc/passwd: outside the vault
            if path.is_file():
                return path
        return None

    def _names(self) -> dict[str, list[str]]:
        """Every file of the vault that is not a note, by its name (hidden folders out)."""
        names: dict[str, list[str]] = {}
        for folder, dirs, files in os.walk(self.path):
            base = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and not (base / d).is_symlink()
            )
            for name in files:
                if not name.lower().endswith(_SUFFIXES):
                    rel = (base / name).relative_to(self.path).as_posix()
                    names.setdefault(name, []).append(rel)
        return names

    def _with_front_matter(
        self,
        rel: str,
        source: str,
        front: str,
        body: str,
        meta: dict[str, Any],
        created: dt.datetime,
        dated_by: str,
        date_key: str | None,
        stored_title: str,
        title_text: str,
        layout: tuple[str, bool, str],
    ) -> SourceEntry:
        """The note's own front matter, with narrate's keys added around it."""
        head: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        fields = dict(meta)
        dropped: dict[str, str] = {}
        entry_id = new_id(min(aware(created), dt.datetime.now().astimezone()))
        if "id" in meta:
            # Another tool's id (a Zettelkasten number, say) is not unique enough to be
            # narrate's: it moves to source_id.
            changes["id"] = entry_id
            changes["source_id"] = meta["id"]
            fields["source_id"] = fields.pop("id")
            dropped["id"] = "kept as source_id: narrate gives every entry its own unique id"
        else:
            head["id"] = entry_id
        alias = Path(rel).stem
        if date_key != "created":
            stamp = _created_text(created)
            if "created" in meta:
                changes["created"] = stamp
                changes["source_created"] = meta["created"]
                fields["source_created"] = fields.pop("created")
                dropped["created"] = "unreadable as a date; kept as source_created"
            else:
                head["created"] = stamp
        if not title_text:
            if "title" in meta:
                changes["title"] = stored_title
                fields.pop("title")
            else:
                head["title"] = stored_title
        # The note's name stays an alternative title: [[Retro notes]] keeps resolving.
        aliases = meta.get("aliases")
        if aliases is None or aliases == []:
            if "aliases" in meta:
                changes["aliases"] = [alias]
            else:
                head["aliases"] = [alias]
        else:
            known = aliases if isinstance(aliases, list) else [aliases]
            if alias not in [str(a) for a in known]:
                changes["aliases"] = [*known, alias]
        if "aliases" in changes:
            fields["aliases"] = changes["aliases"]
        raw_tags = _raw_tags(meta.get("tags"))
        tags, mapping, _ = map_tags(raw_tags, "#")
        # Rewrite the tags only when narrate would not read one of them as written.
        if any(normalise_tag(raw) != mapping[raw] for raw in raw_tags):
            changes["tags"] = tags
            changes["source_tags"] = meta["tags"]
            fields["source_tags"] = fields.pop("tags")
            dropped["tags"] = "rewritten as narrate tags; the originals are kept as source_tags"
        tail = {FINGERPRINT: source}
        if FINGERPRINT in meta:
            # A note that already says where it came from (another import): narrate's own
            # fingerprint takes the key, the note's value moves beside it.
            changes[FINGERPRINT] = source
            changes[f"source_{FINGERPRINT}"] = meta[FINGERPRINT]
            fields[f"source_{FINGERPRINT}"] = fields.pop(FINGERPRINT)
            dropped[FINGERPRINT] = f"kept as source_{FINGERPRINT}"
            tail = {}
        text = frontmatter.dump(head)
        text += frontmatter.replace_keys(front, changes) if changes else front
        text += frontmatter.dump(tail)
        newline, bom, closing = layout
        data = Document(text, body, newline, bom, closing).to_bytes()
        expected = Expected(
            created=created,
            title=stored_title,
            body=body[1:] if body.startswith("\n") else body,
            tags=mapping,
            fields=fields,
            dropped=dropped,
        )
        return SourceEntry(rel, source, created, stored_title, data, expected, dated_by=dated_by)

    def _date(
        self, rel: str, meta: dict[str, Any], mtime: float
    ) -> tuple[dt.datetime, str, str | None]:
        """(created, where it came from, the front matter key it came from)."""
        for key in _DATE_KEYS:
            value = meta.get(key)
            moment = parse_timestamp(value) if value is not None else None
            if moment is not None:
                # A readable `created` stays as written; another key's date-only value
                # becomes a created at noon.
                if key != "created" and _DATE_ONLY.fullmatch(str(value).strip()):
                    moment = _noon(moment)
                return moment, "front matter", key
        match = _NAME_DATE.search(Path(rel).name)
        if match:
            year, month, day, hour, minute = match.groups()
            try:
                moment = dt.datetime(int(year), int(month), int(day))
                if hour is not None:
                    moment = moment.replace(hour=int(hour), minute=int(minute))
                else:
                    moment = _noon(moment)
                return moment.astimezone(), "the file name", None
            except ValueError:
                pass
        return dt.datetime.fromtimestamp(mtime).astimezone(), FROM_MTIME, None

    def _native(self, rel: str, data: bytes) -> SourceEntry | Failure:
        """A file narrate wrote: copied byte for byte, at the same path when it is free."""
        from narrate.journal.entry import Entry
        from narrate.journal.export import entry_record

        match = _NATIVE_PATH.fullmatch(rel)
        hint = f"entries/{match.group(1)}/{match.group(2)}/{match.group(3)}" if match else None
        try:
            entry = Entry.from_bytes(data, hint or rel)
        except BrokenEntry as exc:
            return Failure(rel, exc.reason)
        aliases = tuple(
            str(v) for v in [entry.meta.get("imported_from")] if isinstance(v, str) and v
        )
        return SourceEntry(
            rel,
            f"id:{entry.id}",
            entry.created,
            entry.title,
            data,
            Expected(record=entry_record(entry)),
            path_hint=hint,
            aliases=aliases,
        )


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _noon(moment: dt.datetime) -> dt.datetime:
    # A date without a time lands at noon, as 'narrate add --date' does: it stays on its
    # day in any time zone.
    return moment.replace(hour=12, minute=0, second=0, microsecond=0)


def _created_text(moment: dt.datetime) -> str:
    return format_timestamp(moment if moment.tzinfo else moment.astimezone())


def _raw_tags(value: Any) -> list[str]:
    """The note's tags as narrate reads them: a list, or a comma or space separated text."""
    if value is None:
        return []
    if isinstance(value, str):
        return [t for t in re.split(r"[,\s]+", value) if t]
    if isinstance(value, list):
        return [str(t) for t in value if t is not None]
    return [str(value)]


def _with_newline(data: bytes, newline: str, bom: bool) -> bytes:
    """A file written with "\\n" in the note's own line ends and byte order mark."""
    if newline != "\n":
        data = data.replace(b"\n", newline.encode())
    return (b"\xef\xbb\xbf" if bom else b"") + data
