"""An entry: Markdown with YAML front matter, read and written byte for byte."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from narrate.errors import NarrateError
from narrate.journal import frontmatter
from narrate.journal.dates import in_range, out_of_range

# An inline tag starts a word: not after a letter, digit, mark, "/", "&", "#", "@", "."
# or ":", which keeps URL fragments (https://x/#a), HTML entities (&#38;) and "##" out;
# and it is not the local part of an e-mail address (dev+#ops@example.com).
_NOT_BEFORE_TAG = "/&#@.:_"
# Longer first lines are shortened in the title (and kept whole in the body).
TITLE_LIMIT = 100
_BOM = "\ufeff"
STATUSES = ("trying", "adopted", "dropped")


class BrokenEntry(ValueError):
    """A file that cannot be read as an entry; it is reported, never rewritten."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Document:
    """A file's text split into front matter and body, remembering BOM and line ends."""

    front_matter: str  # between the fences, "\n" line ends, ending in "\n"
    body: str  # after the closing fence, "\n" line ends
    newline: str = "\n"
    bom: bool = False
    closing: str = "---"  # "---" or "..."
    # False for a Markdown file without front matter (a note written in Obsidian): it
    # reads as an entry and, until narrate writes a key into it, stays exactly as it is.
    fenced: bool = True
    # The bytes this document was read from, with the parts read from them: an unchanged
    # document writes them back as they were, even with mixed line ends or spaces after
    # the closing fence, which the parts alone cannot reproduce.
    source: tuple[tuple[str, str, str, bool, str], bytes] | None = field(
        default=None, compare=False, repr=False
    )

    @classmethod
    def from_bytes(cls, data: bytes) -> Document:
        """Split a file's bytes; raises BrokenEntry with the reason."""
        if not data:
            raise BrokenEntry("empty file")
        if b"\x00" in data[:8192]:
            raise BrokenEntry("binary file (contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BrokenEntry(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
        bom = text.startswith(_BOM)
        if bom:
            text = text[1:]
        newline = "\r\n" if "\r\n" in text else "\n"
        if newline == "\r\n":
            text = text.replace("\r\n", "\n")
        if not text.startswith("---\n"):
            if not text.strip():
                raise BrokenEntry("empty file")
            plain = ("", text, newline, bom, "---", False)
            return cls(*plain, source=(plain[:5], data))
        end = _closing_fence(text)
        if end is None:
            raise BrokenEntry("front matter is not closed by a '---' line")
        start, stop, closing = end
        parts = (text[4:start], text[stop:], newline, bom, closing)
        return cls(*parts, source=(parts, data))

    def to_bytes(self) -> bytes:
        """The file's bytes, with the original BOM and line ends."""
        parts = (self.front_matter, self.body, self.newline, self.bom, self.closing)
        if self.source is not None and self.source[0] == parts:
            return self.source[1]
        if self.front_matter or self.fenced:
            text = f"---\n{self.front_matter}{self.closing}\n{self.body}"
        else:
            text = self.body
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ((_BOM if self.bom else "") + text).encode("utf-8")


def _closing_fence(text: str) -> tuple[int, int, str] | None:
    """(start of fence, end of fence line, fence) for the front matter's closing line."""
    position = 3  # the newline ending the opening fence
    while True:
        candidates = [
            (i, fence) for fence in ("\n---", "\n...") if (i := text.find(fence, position)) != -1
        ]
        if not candidates:
            return None
        index, fence = min(candidates)
        after = index + 4
        rest_end = text.find("\n", after)
        line_rest = text[after : rest_end if rest_end != -1 else len(text)]
        if line_rest.strip() == "":
            stop = rest_end + 1 if rest_end != -1 else len(text)
            return index + 1, stop, fence[1:]
        position = after


@dataclass
class Practice:
    """One practice change: what I now do differently, in which area, learned where."""

    area: str
    change: str
    before: str | None = None
    source: str | None = None
    status: str = "trying"
    review_after: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Any) -> Practice | None:
        """Build from a front matter item; None when it is not a usable mapping."""
        if not isinstance(data, dict) or (not data.get("change") and not data.get("area")):
            return None
        known = {"area", "change", "before", "source", "status", "review_after"}
        status = str(data.get("status") or "trying").lower()
        return cls(
            # "Code Review" is the area code-review, not "general".
            area=normalise_area(str(data.get("area") or "")) or "general",
            change=_text(data.get("change")),
            before=_opt_text(data.get("before")),
            source=_opt_text(data.get("source")),
            status=status if status in STATUSES else "trying",
            review_after=_opt_text(data.get("review_after")),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def to_data(self) -> dict[str, Any]:
        """The front matter mapping, optional fields only when set."""
        data: dict[str, Any] = {"area": self.area, "change": self.change}
        for key in ("before", "source"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        data["status"] = self.status
        if self.review_after:
            data["review_after"] = self.review_after
        data.update(self.extra)
        return data

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of SPEC §4."""
        return {
            "area": self.area,
            "change": self.change,
            "before": self.before,
            "source": self.source,
            "status": self.status,
            "review_after": self.review_after,
        }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _opt_text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def is_tag_char(char: str) -> bool:
    """A character a tag may hold (Obsidian's rule): a letter or a combining mark of any
    script, a decimal digit, ``_``, ``-`` or ``/``; and an invisible format character
    (category Cf: zero-width joiner, soft hyphen), which ``tag_key`` drops, so that
    #client\u200dx is read as the tag clientx and not as #client followed by text; and a
    compatibility form of any of these (fullwidth －)."""
    category = unicodedata.category(char)
    if char in "_-/" or category[0] in "LM" or category == "Cf" or char.isdecimal():
        return True
    # A compatibility form of one (fullwidth － and ／) is one: tag_key folds it.
    folded = unicodedata.normalize("NFKC", char)
    return folded != char and all(is_tag_char(c) for c in folded)


def tag_key(text: str) -> str:
    """The form tags are stored and compared in: compatibility forms folded (NFKC: a
    fullwidth ＣＬＩＥＮＴ is CLIENT), Unicode case folding (Straße and STRASSE are one
    tag, as are İ and i̇), invisible format characters dropped, NFC."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize(
        "NFC", "".join(c for c in folded if unicodedata.category(c) != "Cf")
    )


def tag_match_key(text: str) -> str:
    """The key a tag is matched against private tags with, erring towards a match (fail
    closed): ``tag_key`` without combining marks (café is cafe, i̇stanbul is istanbul)
    and without leading or trailing ``_``/``-`` in each part (_clientx_ is clientx)."""
    parts = (part.strip("_-") for part in fold_text(text).lstrip("#").split("/"))
    return "/".join(part for part in parts if part)


def fold_text(text: str) -> str:
    """``tag_key`` without combining marks: the fail-closed reading of text that decides
    what is private (tags, private markers), where any written form must count."""
    decomposed = unicodedata.normalize("NFD", tag_key(text))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", bare)


# A journal uses a few hundred tags over and over: a rebuild of 100k entries normalised
# 220,000 tag words (~1 s of its parsing) for about 150 distinct ones.
@lru_cache(maxsize=8192)
def normalise_tag(raw: str) -> str | None:
    """The stored form of a tag (case-folded, NFC, no leading #), or None if it is not
    one: the one home of the tag grammar. A tag starts with a letter or digit, holds
    only ``is_tag_char`` characters and at least one that is not a digit (#2024 is no
    tag, as in Obsidian)."""
    tag = tag_key(raw.strip().lstrip("#")).rstrip("/-")
    if not tag or not (tag[0].isdecimal() or unicodedata.category(tag[0])[0] == "L"):
        return None
    if not all(is_tag_char(c) for c in tag) or all(c.isdecimal() for c in tag):
        return None
    return tag


class _TagGrammar:
    """The tag grammar in the shape of the regex older callers match with
    (``TAG_RE.fullmatch(text)``): true when ``text`` is a tag in its stored form."""

    def fullmatch(self, text: str) -> bool:
        return normalise_tag(text) == text


TAG_RE = _TagGrammar()


def _tag_candidates(text: str) -> list[str]:
    """The words after a # that start a tag in prose, as written (not yet normalised)."""
    found: list[str] = []
    position = text.find("#")
    while position != -1:
        before = text[position - 1] if position else " "
        end = position + 1
        while end < len(text) and is_tag_char(text[end]):
            end += 1
        starts_word = not (is_tag_char(before) or before.isalnum() or before in _NOT_BEFORE_TAG)
        # The word must not run into an "@": that is an e-mail address's local part.
        if starts_word and end > position + 1 and text[end : end + 1] != "@":
            found.append(text[position + 1 : end])
        position = text.find("#", max(end, position + 1))
    return found


def normalise_area(raw: str) -> str | None:
    """The stored form of a practice area ("Code Review" -> code-review), or None if
    nothing of it can be an area."""
    return normalise_tag(re.sub(r"\s+", "-", raw.strip()))


def inline_tags(text: str) -> list[str]:
    """#tags in Markdown prose: not in code, headings, HTML, URLs or e-mail addresses."""
    if not any(normalise_tag(c) for c in _tag_candidates(text)):
        return []  # most bodies: no candidate, so markdown-it is never loaded
    tokens = _markdown().parse(text)
    found: list[str] = []
    in_heading = False
    for token in tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and not in_heading and token.children:
            parts: list[str] = []
            for child in token.children:
                if child.type == "text":
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
                elif child.type in ("code_inline", "html_inline", "image"):
                    parts.append(" \x00 ")
            found.extend(_tag_candidates("".join(parts)))
    return _unique(tag for raw in found if (tag := normalise_tag(raw)))


def title_tags(title: str) -> list[str]:
    """#tags typed in a title (outside `code`, as in the body)."""
    # A title is one line of prose: heading marks go, a leading #tag stays a tag.
    return inline_tags(_HEADING_MARKS.sub("", title.strip()).strip()) if "#" in title else []


_md: Any = None


def _markdown() -> Any:
    global _md
    if _md is None:
        from markdown_it import MarkdownIt

        # "commonmark" knows code spans, fences, headings, autolinks and HTML: all the
        # places where a # is not a tag. linkify is off, so bare URLs stay text.
        _md = MarkdownIt("commonmark")
    return _md


def _unique(items: Any) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


# Beyond 255 bytes a name is refused by most file systems; the stem's date and a conflict
# suffix need about 40 of them.
SLUG_BYTES = 120


def slugify(text: str, limit: int = 48) -> str:
    """A file-name-safe slug of a title: letters and digits of any script (NFC, lower
    case, so a case-insensitive file system sees no new clash), hyphens between words;
    at most ``limit`` characters and SLUG_BYTES bytes of UTF-8."""
    text = unicodedata.normalize("NFC", text).lower()
    words = "".join(
        c if c.isdecimal() or unicodedata.category(c)[0] in "LM" else " " for c in text
    ).split()
    # A word that is only combining marks has lost its letter: drop it.
    slug = "-".join(w for w in words if unicodedata.category(w[0])[0] != "M")
    if len(slug) > limit or len(slug.encode("utf-8")) > SLUG_BYTES:
        cut = slug[:limit]
        while len(cut.encode("utf-8")) > SLUG_BYTES:
            cut = cut[:-1]
        if slug[len(cut)] != "-":  # the cut falls inside a word: end at the one before
            if "-" in cut:
                cut = cut.rsplit("-", 1)[0]
            # One long word: never part a letter from its combining marks.
            while cut and unicodedata.category(slug[len(cut)])[0] == "M":
                cut = cut[:-1]
        slug = cut.strip("-")
    return unicodedata.normalize("NFC", slug) or "entry"


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(when: dt.datetime | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, 26 Crockford characters."""
    moment = when or dt.datetime.now(dt.UTC)
    # 48 bits hold 1970 to 10889; an entry dated before 1970 gets time 0, not a negative
    # number that would spill into a 27th character.
    try:
        millis = min(max(int(moment.timestamp() * 1000), 0), 2**48 - 1)
    except (OverflowError, ValueError, OSError):
        # A naive time at the calendar's edge has no local timestamp.
        millis = 0 if moment.year < 5000 else 2**48 - 1
    number = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[number & 31])
        number >>= 5
    return "".join(reversed(chars))


# Shapes other tools and people write that fromisoformat does not read.
_TIMESTAMP_PATTERNS = (
    "%Y-%m-%d %H:%M",  # single-digit hours: "2026-11-27 9:14"
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %I:%M %p",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%b %d, %Y",  # Nov 27, 2026
    "%B %d, %Y",  # November 27, 2026
    "%d %b %Y",  # 27 Nov 2026
    "%d %B %Y",
)


def parse_timestamp(value: Any) -> dt.datetime | None:
    """A datetime from the common shapes people write; naive results have no tzinfo."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", text)  # "2026-01-01 10:00 +01:00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _TIMESTAMP_PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def sort_key(moment: dt.datetime) -> str:
    """A string that sorts entries deterministically: UTC, naive times read as UTC."""
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        except OverflowError:
            # Beyond the calendar in UTC (0001-01-01T09:00+10:00): first or last of all.
            moment = dt.datetime.min if moment.year < 5000 else dt.datetime.max
    # isoformat, not strftime: "%Y" writes year 999 as "999", which sorts after 2026.
    return moment.isoformat(timespec="microseconds")


def format_timestamp(moment: dt.datetime) -> str:
    """ISO 8601 with offset, to the second, as narrate writes it."""
    return moment.replace(microsecond=0).isoformat()


@dataclass
class Entry:
    """An entry as narrate understands it, plus the document it came from."""

    id: str
    created: dt.datetime
    updated: dt.datetime
    title: str
    tags: list[str]
    practice: list[Practice]
    private: bool
    shared: list[dict[str, Any]]
    document: Document
    path: str = ""  # relative to the journal, "/" separators
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # problems worth a doctor line
    aliases: list[str] = field(default_factory=list)
    """Other titles (Obsidian's ``aliases``): search finds the entry by them too."""
    created_from: str = "front matter"
    """Where ``created`` came from: "front matter", "file name", or "mtime" (a guess the
    index replaces with the date of the commit that added the file)."""

    @property
    def body(self) -> str:
        """The Markdown body without the blank line that follows the front matter."""
        body = self.document.body
        return body[1:] if body.startswith("\n") else body

    @property
    def day(self) -> str:
        """The entry's date as its writer saw it (YYYY-MM-DD)."""
        return self.created.date().isoformat()

    @property
    def starred(self) -> bool:
        """Whether the front matter says ``starred: true`` (jrnl, Day One, narrate star)."""
        return _is_private(self.meta.get("starred"))

    def practice_data(self) -> list[Any]:
        """The ``practice`` list as the front matter holds it, unreadable items included,
        so a rewrite of one change keeps every other item as it was."""
        raw = self.meta.get("practice") or []
        return list(raw) if isinstance(raw, list) else [raw]

    def practice_index(self, position: int) -> int:
        """The index in ``practice_data()`` of ``self.practice[position]``."""
        readable = [i for i, item in enumerate(self.practice_data()) if Practice.from_data(item)]
        return readable[position]

    def all_tags(self) -> list[str]:
        """Front matter tags, then #tags from the title and body, without repeats."""
        return _unique([*self.tags, *title_tags(self.title), *inline_tags(self.body)])

    def to_json(self, body: bool = False) -> dict[str, Any]:
        """The stable JSON object of SPEC §4."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "created": format_timestamp(self.created),
            "updated": format_timestamp(self.updated),
            "tags": self.all_tags(),
            "path": self.path,
            "private": self.private,
            "practice": [p.to_json() for p in self.practice],
            "shared": self.shared,
            "starred": self.starred,
        }
        if body:
            data["body"] = self.body
        return data

    @classmethod
    def from_bytes(cls, data: bytes, path: str = "", mtime: float | None = None) -> Entry:
        """Read an entry; raises BrokenEntry with a reason naming what is wrong."""
        document = Document.from_bytes(data)
        try:
            meta = frontmatter.parse(document.front_matter)
        except frontmatter.FrontMatterError as exc:
            raise BrokenEntry(str(exc)) from None
        return cls.from_meta(meta, document, path, mtime)

    @classmethod
    def from_meta(
        cls, meta: dict[str, Any], document: Document, path: str = "", mtime: float | None = None
    ) -> Entry:
        """Interpret a front matter mapping leniently, noting what had to be guessed."""
        notes: list[str] = []
        entry_id = meta.get("id")
        if entry_id is None or str(entry_id).strip() == "":
            # Stable across runs as long as the file keeps its path.
            import hashlib  # only for a file with no id of its own

            entry_id = "P" + hashlib.sha1(path.encode()).hexdigest()[:25].upper()
            notes.append("no id in front matter (one was derived from the path)")
        created = parse_timestamp(meta.get("created"))
        updated = parse_timestamp(meta.get("updated"))
        for name, moment in (("created", created), ("updated", updated)):
            if moment is not None and not in_range(moment):
                # Every read converts dates to UTC or the local zone: report the file
                # once here rather than overflow in each of them.
                raise BrokenEntry(f"{name} {out_of_range(moment)}")
        created_from = "front matter"
        if created is None:
            created_from = "file name"
            created = _date_from_path(path)
            if created is None:
                created_from = "mtime"
                created = _date_from_mtime(mtime)
            if "created" in meta:
                notes.append(f"unreadable created date {meta.get('created')!r}")
            created = created or dt.datetime(1970, 1, 1)
        updated = updated or created
        title = meta.get("title")
        if title is None or str(title).strip() == "":
            # A note made elsewhere (no front matter, or outside entries/) is titled as
            # Obsidian shows it: its first "#" heading, else its file name (its first
            # line is often a date or a template's question).
            in_entries = path.startswith("entries/") or not path
            title = (
                derive_title(document.body)
                if document.fenced and in_entries
                else first_heading(document.body)
            ) or os.path.basename(path).removesuffix(".md")
        raw_tags = meta.get("tags") or []
        if isinstance(raw_tags, str):
            raw_tags = re.split(r"[,\s]+", raw_tags)
        if not isinstance(raw_tags, list):
            raw_tags = [raw_tags]
        tags = _unique(tag for raw in raw_tags if (tag := normalise_tag(str(raw))))
        raw_practice = meta.get("practice") or []
        if isinstance(raw_practice, dict):
            raw_practice = [raw_practice]
        practice = [
            p
            for item in (raw_practice if isinstance(raw_practice, list) else [])
            if (p := Practice.from_data(item))
        ]
        shared = meta.get("shared") or []
        shared = [s for s in shared if isinstance(s, dict)] if isinstance(shared, list) else []
        raw_aliases = meta.get("aliases", meta.get("alias")) or []
        if not isinstance(raw_aliases, list):
            raw_aliases = [raw_aliases]
        aliases = _unique(a for raw in raw_aliases if raw is not None and (a := str(raw).strip()))
        return cls(
            id=str(entry_id).strip(),
            created=created,
            updated=updated,
            title=str(title).strip(),
            tags=tags,
            practice=practice,
            private=asks_private(meta),
            shared=shared,
            document=document,
            path=path,
            meta=meta,
            notes=notes,
            aliases=aliases,
            created_from=created_from,
        )

    @classmethod
    def new(
        cls,
        body: str,
        *,
        title: str | None = None,
        created: dt.datetime | None = None,
        tags: list[str] | None = None,
        practice: list[Practice] | None = None,
        private: bool = False,
    ) -> Entry:
        """A fresh entry with the front matter narrate writes, in SPEC §2 order."""
        now = dt.datetime.now().astimezone().replace(microsecond=0)
        created = (created or now).replace(microsecond=0)
        if not in_range(created):
            raise NarrateError(f"the {out_of_range(created)}")
        if created.tzinfo is None:
            created = created.astimezone()
        title = (title or derive_title(body) or "Untitled").strip()
        meta: dict[str, Any] = {
            "id": new_id(created if created < now else now),
            "created": format_timestamp(created),
            "updated": format_timestamp(now),
            "title": title,
            "tags": list(tags or []),
        }
        if practice:
            meta["practice"] = [p.to_data() for p in practice]
        meta["private"] = private
        if body and not body.endswith("\n"):
            body += "\n"
        document = Document(frontmatter.dump(meta), "\n" + body if body else "")
        return cls.from_meta(meta, document)

    @classmethod
    def from_capture(
        cls,
        text: str,
        *,
        title: str | None = None,
        tags: Iterable[str] = (),
        practices: Iterable[Practice] = (),
        private: bool = False,
        created: dt.datetime | None = None,
        verbatim: bool = False,
    ) -> Entry:
        """A new entry from captured text: the one rule ``narrate add``, adopt, the
        importers and the app share.

        Every character typed is kept: the whole text is the body, and the title, unless
        given, is derived from its first line (shortened in the title only, so no word is
        ever lost to it). Blank lines around the body go, unless ``verbatim`` (the app's
        editor), which keeps the text exactly as typed. ``tags`` and ``practices`` are
        already in their stored form.
        """
        if "\x00" in text:
            # Saved, such a file reads back as binary and the index hides it.
            raise NarrateError(
                "the text holds NUL bytes (binary data?); nothing was written. "
                "Remove them, e.g. with tr -d '\\000'"
            )
        if verbatim:
            body = text
            title = title or capture_title(text)
        else:
            body = text.strip("\n")
            title = title or capture_title(body)
        return cls.new(
            body,
            title=title,
            created=created,
            tags=list(tags),
            practice=list(practices),
            private=private,
        )

    def with_changes(self, **changes: Any) -> Entry:
        """A copy with front matter keys replaced (others kept byte for byte where that
        reads back safely); ``body=`` replaces the body. Raises NarrateError when the
        front matter cannot be rewritten without changing another value."""
        body = changes.pop("body", None)
        front_matter = self.document.front_matter
        if changes:
            # The first time narrate writes to a file without an id or a date (a note made
            # in another tool), the ones it was read with are written too, so a rename
            # later changes neither (docs/format.md, "Ids").
            if "id" not in self.meta:
                changes = {"id": self.id, **changes}
            if "created" not in self.meta:
                changes = {
                    **changes,
                    "created": changes.get("created") or format_timestamp(self.created),
                }
            try:
                front_matter = frontmatter.replace_keys(front_matter, changes)
            except frontmatter.FrontMatterError as exc:
                reason = f"cannot change {', '.join(changes)} in {self.path}: {exc}"
                raise NarrateError(reason) from None
        new_body = self.document.body
        if body is not None:
            if body and not body.endswith("\n"):
                body += "\n"
            new_body = (
                "\n" if self.document.body.startswith("\n") or not self.document.body else ""
            ) + body
        document = Document(
            front_matter,
            new_body,
            self.document.newline,
            self.document.bom,
            self.document.closing,
            fenced=self.document.fenced or bool(front_matter),
        )
        return Entry.from_bytes(document.to_bytes(), self.path)

    def touched(self, **changes: Any) -> Entry:
        """``with_changes`` that also sets ``updated`` to now."""
        now = format_timestamp(dt.datetime.now().astimezone())
        try:
            return self.with_changes(updated=now, **changes)
        except NarrateError:
            # The front matter cannot take a new timestamp: the words matter more than
            # it, so a body change is still made (other keys raise again).
            return self.with_changes(**changes)


def _is_private(value: Any) -> bool:
    """Whether a ``private`` value asks for privacy. The loader keeps YAML 1.1's yes/on as
    text; a person who wrote ``private: yes`` still means it, and erring towards private
    can only withhold an entry, never publish one."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"yes", "y", "on", "true", "1"}


_CLEAR_FALSE = {"false", "no", "off", "n", "0", "null", "~", ""}


def asks_private(meta: dict[str, Any]) -> bool:
    """Whether front matter marks its entry private: the one home of that rule. It fails
    closed: any key that case-folds to ``private`` (Private:, PRIVATE:) counts, and any
    value but a clear false (false, no, off, n, 0, null, empty) means private, so
    ``private: maybe`` or ``private: [true]`` never makes an entry shareable."""
    for key, value in meta.items():
        if str(key).strip().casefold() != "private" or value is None or value is False:
            continue
        if isinstance(value, (list, dict)) or str(value).strip().casefold() not in _CLEAR_FALSE:
            return True
    return False


_HEADING_MARKS = re.compile(r"^#{1,6}(?=\s|$)")


def derive_title(body: str, limit: int = TITLE_LIMIT) -> str:
    """The first non-empty line of a body, without Markdown heading marks, shortened."""
    line = first_line(body)
    return line if len(line) <= limit else _shorten(line, limit)


_H1 = re.compile(r"^ {0,3}# +(.*?)(?: +#+)? *$")


def first_heading(body: str, limit: int = TITLE_LIMIT) -> str:
    """The text of the body's first level-one ATX heading (outside code fences), shortened
    like a title; "" when there is none."""
    fence = ""
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = "" if fence and stripped.startswith(fence) else fence or stripped[:3]
            continue
        if not fence and (match := _H1.match(line)) and match.group(1).strip():
            text = match.group(1).strip()
            return text if len(text) <= limit else _shorten(text, limit)
    return ""


def capture_title(text: str) -> str:
    """The title of captured text: its first line, shortened; the whole text if that is
    empty (a capture that starts with "---")."""
    return derive_title(text.split("\n", 1)[0]) or derive_title(text)


def first_line(body: str) -> str:
    """The body's first non-empty line without heading marks: what a title comes from."""
    for line in body.splitlines():
        # "## Heading" loses its marks; "#devops standup" starts with a tag and keeps it.
        line = _HEADING_MARKS.sub("", line.strip()).strip()
        if line and line not in ("---",):
            return line
    return ""


def _shorten(line: str, limit: int) -> str:
    """``line`` cut to ``limit`` characters with "…", at a space when there is one in
    the second half, so a title never ends in half a word or half a #tag."""
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def title_and_body(title: str, body: str) -> tuple[str, str]:
    """A source's (title, body) kept whole: a title too long to be one goes to the top of
    the body, and the title is shortened from it, as a capture's is (the importers)."""
    title = title.strip()
    if len(title) <= TITLE_LIMIT:
        return title, body
    return capture_title(title), f"{title}\n{body}" if body else title


def heading_and_rest(title: str, body: str) -> tuple[str, str]:
    """What a view prints as the heading and what below it: a body that starts with the
    line its title came from prints that line, whole, once, as the heading."""
    line = first_line(body)
    if line and derive_title(line) == title:
        # Drop everything up to and including that first line, and the blank lines after.
        start = body.find(line)
        end = body.find("\n", start + len(line))
        rest = body[end + 1 :] if end != -1 else ""
        return line, rest.lstrip("\n")
    return title, body


def _date_from_mtime(mtime: float | None) -> dt.datetime | None:
    if not mtime:
        return None
    try:
        moment = dt.datetime.fromtimestamp(mtime).astimezone()
    except (OverflowError, ValueError, OSError):  # touch -d 0001-01-01
        return None
    return moment if in_range(moment) else None


_PATH_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:-(\d{2})(\d{2}))?")


def _date_from_path(path: str) -> dt.datetime | None:
    match = _PATH_DATE.search(os.path.basename(path))
    if not match:
        return None
    year, month, day, hour, minute = match.groups()
    try:
        moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return None
    return moment if in_range(moment) else None
