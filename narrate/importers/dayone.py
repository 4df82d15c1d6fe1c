"""Day One: its JSON export (``Journal.json``), the export ``.zip`` holding it, or the
unpacked export folder.

The entry's Markdown ``text`` becomes the body exactly, except that its media links
(``![](dayone-moment://<id>)``) point at the files copied into the journal's
``attachments/YYYY/MM/<md5>.<type>``; ``creationDate`` is shown in the entry's own
``timeZone``; tags and ``starred`` are top-level properties, and ``location``,
``weather``, the ``photos`` list and every other field are kept under one ``dayone:``
key with Day One's names. Only ``richText`` (Day One's rendering of the same text) is
left out. The title (the first line) is shown without Markdown's backslash escapes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

from narrate.importers.base import (
    Expected,
    Failure,
    Occurrences,
    SourceEntry,
    SourceError,
    date_failure,
    entry_bytes,
    fingerprint,
    load_json,
    map_tags,
    plural,
    read_source,
    title_for,
)
from narrate.journal.attachments import (
    MAX_BYTES,
    AttachmentError,
    AttachmentPlanner,
    attachment_relpath,
    entry_folder_link,
    markdown_link,
    read_file,
    unescape_markdown,
)

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry

_HANDLED = {"text", "richText", "creationDate", "modifiedDate", "tags", "starred"}
_MEDIA = ("photos", "videos", "audios", "pdfAttachments")
# Where each kind's files are in the export, and the link Day One writes for it.
FOLDERS = {"photos": "photos", "videos": "videos", "audios": "audios", "pdfAttachments": "pdfs"}
MOMENT_KINDS = {
    "photos": "",
    "videos": "video",
    "audios": "audio",
    "pdfAttachments": "pdfAttachment",
}
# The label a link to a file that is not an image gets (an empty one would not show).
LABELS = {"photos": "", "videos": "video", "audios": "audio", "pdfAttachments": "PDF"}
# The front matter key that holds everything else Day One recorded.
NAMESPACE = "dayone"
_MEDIA_NAME = re.compile(r"([0-9a-fA-F]{32})\.([0-9A-Za-z]{1,10})")
MOMENT = re.compile(r"!\[([^\]\n]*)\]\(dayone-moment:/{1,2}(?:([A-Za-z]+)/)?([0-9A-Za-z-]{1,64})\)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_OFFSET_ZONE = re.compile(r"(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?")
DROPPED = {"richText": "Day One's rich-text copy of the entry; its Markdown text is the body"}


class DayOneSource:
    """A Day One JSON export, zipped or not."""

    kind = "dayone"

    def __init__(self, path: Path, root: Path | None = None) -> None:
        self.path = path
        self.label = f"Day One export {path}"
        self.notices: list[str] = []
        self._done = 0
        self._total: int | None = None
        self._occurrences = Occurrences()
        self._media: dict[str, int] = {}
        self._media_entries = 0
        self._zones: set[str] = set()
        self._files: MediaFiles | None = None
        self._planner = AttachmentPlanner(root) if root is not None else None
        self.copied = 0

    def progress(self) -> tuple[int, int | None]:
        """Entries read so far, of all the journals in the export."""
        return self._done, self._total

    def entries(self) -> Iterator[SourceEntry | Failure]:
        """Every entry of every journal in the export."""
        with contextlib.ExitStack() as stack:
            archive = None
            if not self.path.is_dir() and zipfile.is_zipfile(self.path):
                try:
                    archive = stack.enter_context(zipfile.ZipFile(self.path))
                except (zipfile.BadZipFile, OSError) as exc:
                    raise SourceError(f"{self.path} is not a readable zip file: {exc}") from None
            yield from self._entries(archive)

    def _entries(self, archive: zipfile.ZipFile | None) -> Iterator[SourceEntry | Failure]:
        documents = self._documents(archive)
        if archive is not None:
            self._files = MediaFiles.from_zip(archive, self.path)
        else:
            folder = self.path if self.path.is_dir() else self.path.parent
            self._files = MediaFiles.from_folder(folder)
        if self._files is not None:
            self.notices.extend(self._files.problems)
        lists = []
        for name, data in documents:
            items = data.get("entries") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise SourceError(
                    f"{self.path}: {name} is not a Day One export (it has no 'entries' list)"
                )
            lists.append((name, items))
        self._total = sum(len(items) for _, items in lists)
        several = len(lists) > 1
        for name, items in lists:
            journal = name.rsplit("/", 1)[-1].removesuffix(".json")
            for index, item in enumerate(items, 1):
                self._done += 1
                yield self._convert(name, journal if several else None, index, item)
        self._finish_notices()

    def _documents(self, archive: zipfile.ZipFile | None) -> list[tuple[str, Any]]:
        """(name, parsed JSON) of each journal in the export."""
        path = self.path
        if path.is_dir():
            files = sorted(p for p in path.glob("*.json") if p.is_file() and not p.is_symlink())
            if not files:
                raise SourceError(f"{path} holds no Day One .json export")
            return [(p.name, load_json(read_source(p), str(p))) for p in files]
        if archive is not None:
            try:
                names = [
                    n
                    for n in archive.namelist()
                    if n.lower().endswith(".json")
                    and not n.startswith("__MACOSX/")
                    and _safe_member(n)
                ]
                if not names:
                    raise SourceError(f"{path} holds no Journal.json; is it a Day One export?")
                return [(n, load_json(archive.read(n), f"{path}:{n}")) for n in sorted(names)]
            except (zipfile.BadZipFile, OSError) as exc:
                raise SourceError(f"{path} is not a readable zip file: {exc}") from None
        if path.suffix.lower() == ".zip":
            raise SourceError(f"{path} is not a readable zip file; download the export again")
        return [(path.name, load_json(read_source(path), str(path)))]

    def _convert(
        self, name: str, journal: str | None, index: int, item: Any
    ) -> SourceEntry | Failure:
        uuid = item.get("uuid") if isinstance(item, dict) else None
        where = f"{name} entry {index}" + (f" ({uuid})" if isinstance(uuid, str) else "")
        if not isinstance(item, dict):
            return Failure(where, "not a JSON object")
        raw_created = item.get("creationDate")
        created_utc = _timestamp(raw_created)
        if created_utc is None:
            reason = "no creationDate" if raw_created is None else f"creationDate {raw_created!r}"
            return Failure(where, f"{reason} is not an ISO 8601 date")
        modified = _timestamp(item.get("modifiedDate"))
        failure = date_failure(where, created_utc, modified)
        if failure is not None:
            return failure
        zone = _zone(item.get("timeZone"))
        if zone is None and item.get("timeZone"):
            self._zones.add(str(item["timeZone"]))
        created = created_utc.astimezone(zone or dt.UTC)
        updated = modified.astimezone(zone or dt.UTC) if modified else None
        text = item.get("text", "")
        raw_tags = item.get("tags", [])
        if not isinstance(text, str):
            return Failure(where, "text is not a string")
        if not isinstance(raw_tags, list) or not all(isinstance(t, str) for t in raw_tags):
            return Failure(where, "tags must be a list of text")

        tags, mapping, lossy = map_tags(raw_tags)
        fields: dict[str, Any] = {}
        if item.get("starred"):
            fields["starred"] = True
        if lossy:
            fields["source_tags"] = raw_tags
        # Everything else under one key: Obsidian shows a nested map only in source view,
        # and a three-line entry should not open under sixty lines of weather.
        extra = {key: value for key, value in item.items() if key not in _HANDLED}
        if journal is not None:
            extra["journal"] = journal
        if extra:
            fields[NAMESPACE] = extra
        key = (
            f"dayone:{uuid}"
            if isinstance(uuid, str) and uuid
            else fingerprint("dayone", str(raw_created), text)
        )
        # After the fingerprint: the same entry must be recognised with or without its media.
        text, attachments = self._attach(where, item, text, created)
        source = self._occurrences(key)
        # Day One writes its Markdown with escapes (`finally \\.\\.`); a title is plain text.
        title = unescape_markdown(title_for("", text))
        data = entry_bytes(
            created=created,
            title=title,
            body=text,
            tags=tags,
            fields=fields,
            source=source,
            updated=updated,
        )
        expected = Expected(
            created=created,
            title=title,
            body=text,
            tags=mapping,
            fields=fields,
            dropped={k: v for k, v in DROPPED.items() if k in item},
            updated=updated,
        )
        return SourceEntry(where, source, created, title, data, expected, attachments=attachments)

    def _attach(
        self, where: str, item: dict[str, Any], text: str, created: dt.datetime
    ) -> tuple[str, list[tuple[str, bytes]]]:
        """The text with its media links pointing at the copied files, and those files."""
        files = self._files
        if files is None:
            self._count_media(item)
            return text, []
        attachments: list[tuple[str, bytes]] = []
        linked: dict[str, tuple[str, str]] = {}  # identifier -> (path, kind)
        missing: list[str] = []
        for kind in _MEDIA:
            records = item.get(kind)
            if not isinstance(records, list):
                continue
            for record in records:
                if not isinstance(record, dict):
                    continue
                md5 = str(record.get("md5") or "").lower()
                identifier = str(record.get("identifier") or "")
                found = files.find(md5)
                if found is None:
                    missing.append(f"{FOLDERS[kind]}/{md5 or '?'}")
                    continue
                try:
                    data = files.read(found)
                except AttachmentError as exc:
                    missing.append(f"{found} ({exc})")
                    continue
                name = f"{md5}.{PurePosixPath(found).suffix[1:].lower()}"
                if self._planner is not None:
                    rel = self._planner.place(created.year, created.month, name, data)
                else:
                    rel = attachment_relpath(created.year, created.month, name)
                attachments.append((rel, data))
                if identifier:
                    linked[identifier.upper()] = (rel, kind)
        used: set[str] = set()

        def relink(match: re.Match[str]) -> str:
            target = linked.get(match.group(3).upper())
            if target is None:
                return match.group(0)
            used.add(match.group(3).upper())
            rel, kind = target
            return markdown_link(entry_folder_link(rel), match.group(1) or LABELS[kind])

        text = MOMENT.sub(relink, text)
        # Media the text does not show (Day One lists it with the entry): linked at the end.
        rest = [
            markdown_link(entry_folder_link(rel), LABELS[kind])
            for identifier, (rel, kind) in linked.items()
            if identifier not in used
        ]
        if rest:
            text = text.rstrip("\n") + "\n\n" + "\n".join(rest)
        self.copied += len(attachments)
        if missing:
            shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
            self.notices.append(
                f"{where}: {plural(len(missing), 'attachment')} not in the export ({shown}); "
                "its links and the list of its media are kept"
            )
        return text, attachments

    def _count_media(self, item: dict[str, Any]) -> None:
        found = False
        for kind in _MEDIA:
            files = item.get(kind)
            if isinstance(files, list) and files:
                self._media[kind] = self._media.get(kind, 0) + len(files)
                found = True
        self._media_entries += found

    def _finish_notices(self) -> None:
        if self._media:
            counts = ", ".join(plural(n, kind) for kind, n in self._media.items())
            self.notices.append(
                f"media is not copied: {counts} in {plural(self._media_entries, 'entry')} "
                "stay in the "
                "Day One export (photos/<md5>.<type> and so on), which has no media folders "
                "here; import the export .zip (or the unzipped folder) to copy them; each "
                "entry keeps its dayone-moment:// links and the list of its media"
            )
        if self._zones:
            names = ", ".join(sorted(self._zones))
            self.notices.append(f"unknown time zone {names}: those entries are shown in UTC")


def _timestamp(value: Any) -> dt.datetime | None:
    """An aware datetime from Day One's ISO 8601 (``2021-03-03T11:48:50Z``)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _zone(name: Any) -> dt.tzinfo | None:
    """The time zone Day One names (``Australia/Sydney``, or ``GMT+1`` in old exports)."""
    if not isinstance(name, str) or not name.strip():
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = name.strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    if name in ("GMT", "UTC"):
        return dt.UTC
    match = _OFFSET_ZONE.fullmatch(name)
    if match:
        sign, hours, minutes = match.groups()
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        return dt.timezone(-offset if sign == "-" else offset)
    return None


def _size(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _safe_member(name: str) -> bool:
    """Whether a zip member's name stays inside the export (no ``..``, no absolute path)."""
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and "\\" not in name and ".." not in parts


class MediaFiles:
    """The media of an export (``photos/<md5>.jpeg``, ``audios/``, ``videos/``, ``pdfs/``),
    by md5; names that leave the export, symlinks and oversized files are refused."""

    def __init__(self) -> None:
        self.by_md5: dict[str, str] = {}
        self.problems: list[str] = []
        self._archive: zipfile.ZipFile | None = None
        self._folder: Path | None = None

    @classmethod
    def from_zip(cls, archive: zipfile.ZipFile, path: Path) -> MediaFiles:
        """The media members of an export zip."""
        media = cls()
        media._archive = archive
        for info in archive.infolist():
            name = info.filename
            if not _safe_member(name):
                media.problems.append(
                    f"{path}: skipped the zip entry {name!r}: its path leaves the export "
                    "(nothing was written outside the journal)"
                )
                continue
            parts = PurePosixPath(name).parts
            if len(parts) != 2 or parts[0] not in FOLDERS.values():
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                media.problems.append(f"{path}: skipped the zip entry {name!r}: it is a symlink")
                continue
            match = _MEDIA_NAME.fullmatch(parts[1])
            if match:
                media.by_md5.setdefault(match.group(1).lower(), name)
        return media

    @classmethod
    def from_folder(cls, folder: Path) -> MediaFiles | None:
        """The media files of an unzipped export; None when it has no media folder."""
        media = cls()
        media._folder = folder
        found = False
        for sub in FOLDERS.values():
            place = folder / sub
            if place.is_symlink() or not place.is_dir():
                continue
            found = True
            for child in sorted(place.iterdir()):
                match = _MEDIA_NAME.fullmatch(child.name)
                if match:
                    media.by_md5.setdefault(match.group(1).lower(), f"{sub}/{child.name}")
        return media if found else None

    def find(self, md5: str) -> str | None:
        """The export's name for the file with this md5, if it has one."""
        return self.by_md5.get(md5) if md5 else None

    def read(self, name: str) -> bytes:
        """A media file's bytes; AttachmentError when it is not a plain file or too big."""
        if self._archive is not None:
            info = self._archive.getinfo(name)
            if info.file_size > MAX_BYTES:
                raise AttachmentError(f"{_size(info.file_size)}, over the limit")
            try:
                with self._archive.open(info) as handle:
                    data = handle.read(MAX_BYTES + 1)
            except (zipfile.BadZipFile, OSError) as exc:
                raise AttachmentError(f"unreadable in the zip: {exc}") from None
            if len(data) > MAX_BYTES:
                raise AttachmentError("over the size limit")
            return data
        assert self._folder is not None
        return read_file(self._folder / name)


# ---------------------------------------------------------------------------- export

_KIND_BY_SUFFIX = {
    **{s: "photos" for s in ("jpeg", "jpg", "png", "gif", "heic", "heif", "webp", "tiff")},
    **{s: "audios" for s in ("m4a", "mp3", "wav", "aac", "caf", "aiff")},
    **{s: "videos" for s in ("mov", "mp4", "m4v")},
    "pdf": "pdfAttachments",
}
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^)\s]+)\)")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def write_dayone(journal: Journal, out: BinaryIO) -> int:
    """A Day One JSON export zip: ``Journal.json`` (or one file per Day One journal the
    entries came from) and the attachments as ``photos/<md5>.<type>``, ``audios/``,
    ``videos/``, ``pdfs/``, linked from the text as ``dayone-moment://`` links; what
    ``narrate import dayone`` reads back as the same entries."""
    import json

    journals: dict[str, list[dict[str, Any]]] = {}
    written: set[str] = set()
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in journal.iter_entries():
            record, media = _dayone_record(journal.root, entry)
            for name, data in media.items():
                if name not in written:
                    written.add(name)
                    archive.writestr(name, data)
            namespace = entry.meta.get(NAMESPACE)
            source = namespace.get("journal") if isinstance(namespace, dict) else None
            journals.setdefault(str(source or "Journal"), []).append(record)
            count += 1
        for name, records in journals.items():
            document = {"metadata": {"version": "1.0"}, "entries": records}
            archive.writestr(f"{name}.json", json.dumps(document, indent=2, ensure_ascii=False))
    return count


def _dayone_record(root: Path, entry: Entry) -> tuple[dict[str, Any], dict[str, bytes]]:
    """One entry as Day One JSON, and the media files it links (zip name -> bytes)."""
    import hashlib
    import uuid

    namespace = entry.meta.get(NAMESPACE)
    record: dict[str, Any] = dict(namespace) if isinstance(namespace, dict) else {}
    record.pop("journal", None)
    record.setdefault("uuid", _uuid_of(entry.id))
    if "timeZone" not in record and entry.created.utcoffset():
        # No zone means UTC to Day One: only a zone that is not UTC needs saying.
        record["timeZone"] = _offset_zone(entry.created)
    record["creationDate"] = _utc(entry.created)
    record["modifiedDate"] = _utc(entry.updated)
    tags = entry.meta.get("source_tags")
    record["tags"] = list(tags) if isinstance(tags, list) else list(entry.tags)
    record["starred"] = entry.starred
    media: dict[str, bytes] = {}
    lists = {kind: list(record.get(kind) or []) for kind in _MEDIA}
    by_md5 = {
        str(item.get("md5", "")).lower(): (kind, item)
        for kind, items in lists.items()
        for item in items
        if isinstance(item, dict)
    }

    def relink(match: re.Match[str]) -> str:
        _bang, label, target = match.groups()
        if _SCHEME.match(target) or target.startswith(("#", "/")):
            return match.group(0)
        rel = PurePosixPath(entry.path).parent / target
        parts: list[str] = []
        for part in rel.parts:
            if part == "..":
                if not parts:
                    return match.group(0)
                parts.pop()
            elif part != ".":
                parts.append(part)
        if not parts or parts[0] != "attachments":
            return match.group(0)
        suffix = PurePosixPath(parts[-1]).suffix[1:].lower()
        kind = _KIND_BY_SUFFIX.get(suffix)
        if kind is None:
            return match.group(0)  # Day One has no place for it: the link stays as it is
        try:
            data = read_file(root.joinpath(*parts))
        except AttachmentError:
            return match.group(0)
        # An imported file is named by the md5 Day One recorded; any other by its own.
        stem = PurePosixPath(parts[-1]).stem.lower()
        found = by_md5.get(stem) if re.fullmatch(r"[0-9a-f]{32}", stem) else None
        if found is None:
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
            found = by_md5.get(md5)
        if found is None:
            item = {"identifier": uuid.uuid4().hex.upper(), "md5": md5, "type": suffix}
            lists[kind].append(item)
            found = by_md5[md5] = (kind, item)
        kind, item = found
        media[f"{FOLDERS[kind]}/{str(item['md5']).lower()}.{suffix}"] = data
        alt = "" if label == LABELS[kind] else label
        moment = MOMENT_KINDS[kind]
        return f"![{alt}](dayone-moment:/{moment + '/' if moment else '/'}{item['identifier']})"

    text = entry.body
    if text.endswith("\n"):
        text = text[:-1]  # narrate adds a final newline to every body; Day One does not
    text = _LINK.sub(relink, text)
    if unescape_markdown(title_for("", text)) != entry.title:
        # Day One's title is the text's first line: a title of its own opens the text.
        text = f"# {entry.title}\n\n{text}"
    record["text"] = text
    for kind, items in lists.items():
        if items:
            record[kind] = items
    return record, media


def _uuid_of(entry_id: str) -> str:
    """A Day One uuid (32 hex digits) from a narrate ULID, the same on every export."""
    value = 0
    for char in entry_id.upper():
        index = _CROCKFORD.find(char)
        if index < 0:
            import hashlib

            return hashlib.md5(entry_id.encode(), usedforsecurity=False).hexdigest().upper()
        value = value * 32 + index
    return f"{value & ((1 << 128) - 1):032X}"


def _offset_zone(moment: dt.datetime) -> str:
    """``GMT+01:00``: the zone an entry without a named one was written in (Day One's
    old exports, and narrate's importer, read it back)."""
    offset = moment.utcoffset() or dt.timedelta()
    sign = "-" if offset < dt.timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"GMT{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
