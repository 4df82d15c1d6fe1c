"""Day One: its JSON export (``Journal.json``), the export ``.zip`` holding it, or the
unpacked export folder.

The entry's Markdown ``text`` becomes the body exactly (photo references such as
``![](dayone-moment://<id>)`` included); ``creationDate`` is shown in the entry's own
``timeZone``; tags, ``starred``, ``location``, ``weather``, the ``photos`` list and every
other field are kept in the front matter under Day One's names. Only ``richText`` (Day
One's rendering of the same text) is left out. Media files are not copied.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from narrate.importers.base import (
    Expected,
    Failure,
    Occurrences,
    SourceEntry,
    SourceError,
    date_failure,
    entry_bytes,
    field_name,
    fingerprint,
    load_json,
    map_tags,
    plural,
    read_source,
    title_for,
)

_HANDLED = {"text", "richText", "creationDate", "modifiedDate", "tags", "starred"}
_MEDIA = ("photos", "videos", "audios", "pdfAttachments")
_OFFSET_ZONE = re.compile(r"(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?")
DROPPED = {"richText": "Day One's rich-text copy of the entry; its Markdown text is the body"}


class DayOneSource:
    """A Day One JSON export, zipped or not."""

    kind = "dayone"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"Day One export {path}"
        self.notices: list[str] = []
        self._done = 0
        self._total: int | None = None
        self._occurrences = Occurrences()
        self._media: dict[str, int] = {}
        self._media_entries = 0
        self._zones: set[str] = set()

    def progress(self) -> tuple[int, int | None]:
        """Entries read so far, of all the journals in the export."""
        return self._done, self._total

    def entries(self) -> Iterator[SourceEntry | Failure]:
        """Every entry of every journal in the export."""
        documents = self._documents()
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

    def _documents(self) -> list[tuple[str, Any]]:
        """(name, parsed JSON) of each journal in the export."""
        path = self.path
        if path.is_dir():
            files = sorted(p for p in path.glob("*.json") if p.is_file())
            if not files:
                raise SourceError(f"{path} holds no Day One .json export")
            return [(p.name, load_json(read_source(p), str(p))) for p in files]
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    names = [
                        n
                        for n in archive.namelist()
                        if n.lower().endswith(".json") and not n.startswith("__MACOSX/")
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
        for key, value in item.items():
            if key not in _HANDLED:
                fields[field_name(key, "dayone")] = value
        if journal is not None:
            fields["dayone_journal"] = journal
        if lossy:
            fields["source_tags"] = raw_tags
        self._count_media(item)

        key = (
            f"dayone:{uuid}"
            if isinstance(uuid, str) and uuid
            else fingerprint("dayone", str(raw_created), text)
        )
        source = self._occurrences(key)
        title = title_for("", text)
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
            body=text,
            tags=mapping,
            fields=fields,
            dropped={k: v for k, v in DROPPED.items() if k in item},
            updated=updated,
        )
        return SourceEntry(where, source, created, title, data, expected)

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
                "Day One export (photos/<md5>.<type> and so on); each entry keeps its "
                "dayone-moment:// links and the list of its media in the front matter"
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
