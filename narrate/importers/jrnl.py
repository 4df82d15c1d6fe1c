"""jrnl journals: a plain-text file, a folder journal (``YYYY/MM/DD.txt``), or the JSON
that ``jrnl --format json`` writes.

An entry is read the way jrnl 4 reads it: a line starting ``[<date>] `` opens it, the
first line is the title (a one-line entry splits at its first sentence), a title ending
in ``*`` marks it starred, and words starting with a tag symbol (``@`` and ``#`` by
default) are its tags. Two deliberate differences, both keeping more of the text: the
first body line keeps its indentation, and a starred title keeps its leading ``*``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

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
    map_tag,
    map_tags,
    read_source,
    title_and_body,
)

if TYPE_CHECKING:
    from narrate.journal.core import Journal

DEFAULT_TIME_FORMAT = "%F %r"  # jrnl 4's default: 2026-11-27 09:14:00 AM
DEFAULT_TAG_SYMBOLS = "#@"
# glibc shorthands jrnl configs use; Python's strptime does not know them.
_SHORTHANDS = {
    "%F": "%Y-%m-%d",
    "%T": "%H:%M:%S",
    "%R": "%H:%M",
    "%r": "%I:%M:%S %p",
    "%D": "%m/%d/%y",
}
# Formats jrnl has written by default over the years, tried after the configured one.
_FALLBACK_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
    "%Y-%m-%d",
)
_HEADER = re.compile(r"\[([^\]\n]+)\] ")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
# The end of a first sentence, for one-line entries: a terminal, an optional closing
# quote and brackets, then whitespace; CJK full stops need no space.
_SENTENCE_END = re.compile(
    "[.!?\u2026\u203c\u203d\u2047\u2048\u2049\u22ef\ufe52\ufe57]"
    "['\u2019\"\u201d]?[\\])]*\\s+"
    "|[\uff01\uff0e\uff1f\uff61\u3002]"
)
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t\r]*\n)+")
_WORD = re.compile(r"[^\W_]")
_MARK_REASON = "only symbols: jrnl reads a Markdown heading mark as a tag"
_KNOWN_JSON_KEYS = {"title", "body", "date", "time", "tags", "starred"}


@dataclass
class JrnlSettings:
    """The parts of a jrnl config that change how its journal file reads."""

    time_format: str = DEFAULT_TIME_FORMAT
    tag_symbols: str = DEFAULT_TAG_SYMBOLS
    config: Path | None = None


def default_config_path() -> Path | None:
    """Where jrnl keeps its config: $XDG_CONFIG_HOME/jrnl/jrnl.yaml, or ~/.jrnl_config."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for candidate in (base / "jrnl" / "jrnl.yaml", Path.home() / ".jrnl_config"):
        if candidate.is_file():
            return candidate
    return None


def load_settings(
    source: Path,
    config: Path | None = None,
    time_format: str | None = None,
    tag_symbols: str | None = None,
) -> JrnlSettings:
    """Settings for ``source``: options, then its journal's block in the jrnl config, then
    the config's top level, then jrnl's defaults."""
    path = config or default_config_path()
    values: dict[str, Any] = {}
    if path is not None:
        import yaml

        try:
            loaded = yaml.safe_load(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise SourceError(f"cannot read the jrnl config {path}: {exc}") from None
        if isinstance(loaded, dict):
            values = {k: v for k, v in loaded.items() if k != "journals"}
            journals = loaded.get("journals")
            for block in journals.values() if isinstance(journals, dict) else []:
                if isinstance(block, dict) and _same_file(block.get("journal"), source):
                    values.update(block)
    return JrnlSettings(
        time_format=time_format or str(values.get("timeformat") or DEFAULT_TIME_FORMAT),
        tag_symbols=tag_symbols or str(values.get("tagsymbols") or DEFAULT_TAG_SYMBOLS),
        config=path,
    )


def _same_file(configured: Any, source: Path) -> bool:
    if not isinstance(configured, str):
        return False
    try:
        return Path(configured).expanduser().resolve() == source.resolve()
    except OSError:
        return False


def python_format(time_format: str) -> str:
    """A jrnl timeformat in the directives Python's strptime knows."""
    for short, long in _SHORTHANDS.items():
        time_format = time_format.replace(short, long)
    return time_format


def split_entry(text: str) -> tuple[bool, str, str]:
    """(starred, title, body) of an entry's text, as jrnl splits it."""
    first, newline, rest = text.partition("\n")
    starred = first.strip().endswith("*")
    if starred:
        text = first.rstrip().rstrip(" *") + "\n" + rest
    stripped = text.lstrip()
    first, newline, rest = stripped.partition("\n")
    if not newline:
        end = _SENTENCE_END.search(stripped)
        if end is None:
            return starred, stripped.strip(), ""
        first, rest = stripped[: end.end()], stripped[end.end() :]
    return starred, first.strip(), _LEADING_BLANK_LINES.sub("", rest).rstrip()


def tag_pattern(symbols: str) -> re.Pattern[str]:
    """jrnl's tags: a symbol starting a word, then word characters and ``-+*#/``."""
    return re.compile(rf"(?<!\S)([{re.escape(symbols)}][-+*#/\w]+)")


def find_tags(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Tags in ``text``, lower case as jrnl stores them, in order of appearance."""
    return list(dict.fromkeys(tag.lower() for tag in pattern.findall(text)))


class JrnlSource:
    """A jrnl journal: its plain-text file, its folder, or its JSON export."""

    kind = "jrnl"

    def __init__(self, path: Path, settings: JrnlSettings | None = None) -> None:
        self.path = path
        self.settings = settings or JrnlSettings()
        self.notices: list[str] = []
        self._tags = tag_pattern(self.settings.tag_symbols)
        self._format = python_format(self.settings.time_format)
        self._formats = list(dict.fromkeys([self._format, *_FALLBACK_FORMATS]))
        self._occurrences = Occurrences()
        self._done = 0
        self._total: int | None = None
        if path.is_dir():
            self.form = "folder"
        elif _starts_with_brace(path):
            self.form = "json"
        else:
            self.form = "text"
        names = {"folder": "folder journal", "json": "JSON export", "text": "journal"}
        self.label = f"jrnl {names[self.form]} {path}"

    def progress(self) -> tuple[int, int | None]:
        """Bytes read of the text files, or entries read of the JSON export."""
        return self._done, self._total

    def entries(self) -> Iterator[SourceEntry | Failure]:
        """Every entry, in the source's order."""
        if self.form == "json":
            yield from self._json_entries()
        elif self.form == "folder":
            yield from self._folder_entries()
        else:
            self._total = _size(self.path)
            yield from self._text_entries(self.path, "")

    # ------------------------------------------------------------------ plain text

    def _text_entries(
        self, path: Path, prefix: str, day: dt.date | None = None
    ) -> Iterator[SourceEntry | Failure]:
        for number, when, text in self._split(path, prefix):
            where = f"{prefix}line {number}"
            if day is not None:
                # jrnl's folder journal: the file's YYYY/MM/DD is the entry's day.
                when = when.replace(year=day.year, month=day.month, day=day.day)
            yield self._from_text(where, when, text)

    def _split(self, path: Path, prefix: str) -> Iterator[tuple[int, dt.datetime, str]]:
        """(line number, date, text) of each entry, read line by line: a 100k-entry
        journal never sits in memory whole."""
        current: tuple[int, dt.datetime] | None = None
        parts: list[str] = []
        stray: int | None = None
        for number, line in self._lines(path, prefix):
            match = _HEADER.match(line) if line.startswith("[") else None
            when = self._date(match.group(1)) if match else None
            if when is not None and match is not None:
                if current is not None:
                    yield current[0], current[1], "".join(parts)
                elif stray is not None:
                    raise self._before_first(path, prefix, stray)
                current = (number, when)
                parts = [line[match.end() :]]
                continue
            if current is None:
                if line.strip() and stray is None:
                    stray = number
            elif match and _DATE_LIKE.search(match.group(1)):
                self.notices.append(
                    f"{prefix}line {number}: [{match.group(1)}] is not a date jrnl's "
                    f"timeformat {self.settings.time_format!r} reads; jrnl keeps that line "
                    "as text of the entry above, and so does this import"
                )
            parts.append(line)
        if current is not None:
            yield current[0], current[1], "".join(parts)
        elif stray is not None:
            raise self._before_first(path, prefix, stray, none_found=True)

    def _before_first(
        self, path: Path, prefix: str, number: int, none_found: bool = False
    ) -> SourceError:
        if none_found:
            return SourceError(
                f"{path}: no dated entry found (line {number} is the first text); jrnl "
                "entries start like '[2026-11-27 09:14] Title'. If this journal uses another "
                "timeformat, pass it with --time-format"
            )
        return SourceError(
            f"{path} {prefix}line {number}: text before the first dated entry; jrnl would "
            "drop it. Move it into an entry (or delete it) and import again"
        )

    def _lines(self, path: Path, prefix: str) -> Iterator[tuple[int, str]]:
        """Numbered lines, each with its newline; bytes that are not UTF-8 name the line."""
        with open(path, "rb") as handle:
            head = handle.read(6)
            if head.startswith(b"gAAAAA"):
                raise SourceError(
                    f"{path} is an encrypted jrnl journal; decrypt it first "
                    "(jrnl --decrypt) and import the plain-text file"
                )
            handle.seek(0)
            for number, raw in enumerate(handle, 1):
                self._done += len(raw)
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise SourceError(
                        f"{path} {prefix}line {number}: not UTF-8 text (byte "
                        f"0x{raw[exc.start]:02x} at column {exc.start + 1}); is the journal "
                        "encrypted or in another encoding?"
                    ) from None
                if number == 1:
                    line = line.removeprefix("\ufeff")
                yield number, line

    def _date(self, blob: str) -> dt.datetime | None:
        """The entry date in a ``[...]`` blob, or None when it is not one (jrnl then keeps
        the line as text: footnotes like ``[1] `` stay footnotes)."""
        if len(blob) <= 6:
            return None
        for index, pattern in enumerate(self._formats):
            try:
                when = dt.datetime.strptime(blob, pattern)
            except ValueError:
                continue
            if index:  # the journal's own format is the likeliest for the next line too
                self._formats.insert(0, self._formats.pop(index))
            return when
        from narrate.journal.entry import parse_timestamp

        return parse_timestamp(blob) if _DATE_LIKE.search(blob) else None

    def _from_text(self, where: str, when: dt.datetime, text: str) -> SourceEntry | Failure:
        starred, title, body = split_entry(text)
        return self._entry(
            where,
            when,
            title,
            body,
            find_tags(text, self._tags),
            starred,
            extra={},
            precision="second",
        )

    # ------------------------------------------------------------------ folder

    def _folder_entries(self) -> Iterator[SourceEntry | Failure]:
        files = sorted(self.path.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9].txt"))
        if not files:
            raise SourceError(
                f"{self.path} holds no YYYY/MM/DD.txt files; is it a jrnl folder journal?"
            )
        self._total = sum(_size(f) for f in files)
        for file in files:
            rel = file.relative_to(self.path).as_posix()
            try:
                day = dt.date(int(file.parts[-3]), int(file.parts[-2]), int(file.stem))
            except ValueError:
                self._done += _size(file)
                yield Failure(rel, f"{file.parts[-3]}-{file.parts[-2]}-{file.stem} is not a date")
                continue
            yield from self._text_entries(file, f"{rel} ", day)

    # ------------------------------------------------------------------ JSON export

    def _json_entries(self) -> Iterator[SourceEntry | Failure]:
        data = load_json(read_source(self.path), str(self.path))
        items = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise SourceError(
                f"{self.path} is JSON but not a jrnl export (it has no 'entries' list); "
                "export with 'jrnl --format json'"
            )
        self._total = len(items)
        for index, item in enumerate(items, 1):
            self._done = index
            yield self._from_json(index, item)

    def _from_json(self, index: int, item: Any) -> SourceEntry | Failure:
        where = f"entry {index}"
        if not isinstance(item, dict):
            return Failure(where, "not a JSON object")
        date, time = item.get("date"), item.get("time", "00:00")
        where = f"entry {index} ({date} {time})"
        try:
            when = dt.datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M")
        except (TypeError, ValueError):
            return Failure(where, f"date {date!r} and time {time!r} are not YYYY-MM-DD and HH:MM")
        title, body = item.get("title", ""), item.get("body", "")
        tags = item.get("tags", [])
        if not isinstance(title, str) or not isinstance(body, str):
            return Failure(where, "title and body must be text")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            return Failure(where, "tags must be a list of text")
        text = f"{title}\n{body}"
        # jrnl's JSON lists tags from a set: put them back in the order the text has them.
        tags = sorted(tags, key=lambda t: (_position(text, t), t))
        extra = {
            field_name(key, "jrnl"): value
            for key, value in item.items()
            if key not in _KNOWN_JSON_KEYS
        }
        return self._entry(
            where,
            when,
            title,
            body,
            tags,
            bool(item.get("starred")),
            extra=extra,
            precision="minute",
        )

    # ------------------------------------------------------------------ shared

    def _entry(
        self,
        where: str,
        when: dt.datetime,
        title: str,
        body: str,
        raw_tags: list[str],
        starred: bool,
        extra: dict[str, Any],
        precision: str,
    ) -> SourceEntry | Failure:
        failure = date_failure(where, when)
        if failure is not None:
            return failure
        # jrnl reads "## Heading" as the tag "##": only symbols, no tag narrate could store.
        marks = [t for t in raw_tags if not _WORD.search(t[1:])]
        raw_tags = [t for t in raw_tags if t not in marks]
        tags, mapping, lossy = map_tags(raw_tags, self.settings.tag_symbols)
        fields: dict[str, Any] = {}
        if starred:
            fields["starred"] = True
        fields.update(extra)
        if lossy:
            fields["source_tags"] = raw_tags
        # Whether the entry came from the text or the JSON export of the same journal, it
        # gets the same fingerprint: minutes (the export has no seconds), and the title
        # and body as jrnl itself trims them.
        key = fingerprint(
            "jrnl",
            f"{when:%Y-%m-%d %H:%M}",
            title.strip("\n *"),
            body.strip(),
            "1" if starred else "0",
        )
        source = self._occurrences(key)
        stored_title, stored_body = title_and_body(title, body)
        data = entry_bytes(
            created=when,
            title=stored_title,
            body=stored_body,
            tags=tags,
            fields=fields,
            source=source,
        )
        expected = Expected(
            created=when,
            precision=precision,
            title=stored_title,
            body=stored_body,
            tags=mapping,
            fields=fields,
            dropped={f"tag {mark}": _MARK_REASON for mark in marks},
        )
        return SourceEntry(where, source, when, stored_title, data, expected)


def _position(text: str, tag: str) -> int:
    found = text.lower().find(tag.lower())
    return found if found != -1 else len(text)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _starts_with_brace(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    return head.startswith(b"{")


# ---------------------------------------------------------------------------- export


def write_jrnl_json(journal: Journal, out: TextIO) -> int:
    """The journal in the shape ``jrnl --format json`` writes (``{tags, entries: [{title,
    body, date, time, tags, starred}]}``), so a jrnl user's scripts keep working: tags as
    jrnl finds them in the text (``@work``, ``#done``), lower case, plus the entry's
    front matter tags that the text lacks, as ``#tag``; times in the entry's own zone."""
    import json
    from collections import Counter

    from narrate.journal.export import entry_heading

    pattern = tag_pattern(DEFAULT_TAG_SYMBOLS)
    entries: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for entry in journal.iter_entries():
        heading, body = entry_heading(entry)
        title = heading
        body = body.rstrip()
        tags = find_tags(f"{title}\n{body}", pattern)
        plain = {map_tag(tag, DEFAULT_TAG_SYMBOLS) for tag in tags}
        tags += [f"#{tag}" for tag in entry.tags if tag not in plain]
        counts.update(set(tags))
        entries.append(
            {
                "title": title,
                "body": body,
                "date": f"{entry.created:%Y-%m-%d}",
                "time": f"{entry.created:%H:%M}",
                "tags": tags,
                "starred": entry.starred,
            }
        )
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    json.dump({"tags": dict(ordered), "entries": entries}, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return len(entries)
