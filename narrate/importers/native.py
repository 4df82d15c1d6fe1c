"""narrate's own JSON export (``narrate export --format json``), brought back into a
journal: each entry keeps its id, front matter, body and, when free, its path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from narrate.importers.base import (
    Expected,
    Failure,
    SourceEntry,
    SourceError,
    load_json,
    read_source,
)


class NarrateExportSource:
    """A JSON array of entry objects with ``front_matter`` and ``body``."""

    kind = "narrate"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"narrate JSON export {path}"
        self.notices: list[str] = []
        self._done = 0
        self._total: int | None = None

    def progress(self) -> tuple[int, int | None]:
        """Entries read so far."""
        return self._done, self._total

    def entries(self) -> Iterator[SourceEntry | Failure]:
        """Every entry of the export, in its order."""
        data = load_json(read_source(self.path), str(self.path))
        if isinstance(data, dict) and "entries" in data:
            raise SourceError(
                f"{self.path} looks like a jrnl or Day One export; use 'narrate import jrnl' "
                "or 'narrate import dayone'"
            )
        if not isinstance(data, list):
            raise SourceError(
                f"{self.path} is not a narrate JSON export (expected a list of entries, as "
                "'narrate export --format json' writes)"
            )
        self._total = len(data)
        for index, item in enumerate(data, 1):
            self._done = index
            yield self._convert(index, item)

    def _convert(self, index: int, item: Any) -> SourceEntry | Failure:
        from narrate.journal import frontmatter
        from narrate.journal.entry import BrokenEntry, Document, Entry

        where = f"entry {index}"
        if not isinstance(item, dict):
            return Failure(where, "not a JSON object")
        entry_id, meta, body = item.get("id"), item.get("front_matter"), item.get("body")
        if isinstance(entry_id, str):
            where = f"entry {index} ({entry_id})"
        if not isinstance(entry_id, str) or not isinstance(meta, dict) or not isinstance(body, str):
            return Failure(where, "an entry needs 'id', 'front_matter' (an object) and 'body'")
        hint = item.get("path") if isinstance(item.get("path"), str) else None
        # narrate writes a blank line between the front matter and the body, and reads
        # the body without it.
        data = Document(frontmatter.dump(meta), "\n" + body if body else "").to_bytes()
        try:
            entry = Entry.from_bytes(data, hint or "")
        except BrokenEntry as exc:
            return Failure(where, exc.reason)
        source = meta.get("imported_from")
        return SourceEntry(
            where,
            f"id:{entry_id}",
            entry.created,
            entry.title,
            data,
            Expected(record=item),
            path_hint=hint,
            aliases=(source,) if isinstance(source, str) and source else (),
        )
