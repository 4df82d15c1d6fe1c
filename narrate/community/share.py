"""Sharing: the redacted copy of an entry that a community sees, and publishing it.

Only an allow-list leaves the journal: title, created (in UTC), the entry's id,
non-private tags, practice changes and the author handle; private blocks, HTML, Obsidian
and Markdown comments and private tags are removed from the text, attachment links
replaced; commits carry the member handle, the community e-mail, UTC times and a message
naming only the published path.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrate.community.registry import Community, CommunityInfo
from narrate.community.repo import (
    REPLIES,
    CommunityError,
    CommunityRepo,
    member_folder,
    member_of,
)
from narrate.config import Config, private_tag
from narrate.journal import frontmatter
from narrate.journal.attachments import ATTACHMENTS
from narrate.journal.entry import (
    Entry,
    derive_title,
    fold_text,
    inline_tags,
    is_tag_char,
    slugify,
    tag_match_key,
    title_tags,
)
from narrate.sanitize import clean

if TYPE_CHECKING:
    from narrate.journal.core import Journal


@dataclass
class Redacted:
    """Exactly what would be published, where, and what the user should know."""

    community: str
    path: str
    text: str
    tags: list[str]
    warnings: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    """The entry's other copies (an old title's path, a duplicate): removed in the same
    commit."""
    updates: bool = False
    """``path`` already holds the entry's copy."""

    def summary(self) -> str:
        """What publishing does, in a sentence (the preview's status line)."""
        if self.removes and not self.updates:
            return (
                f"Moves {', '.join(self.removes)} to {self.path} in {self.community} "
                "(the old path is removed)"
            )
        verb = "Updates" if self.updates else "Publishes"
        also = f", removing {', '.join(self.removes)}," if self.removes else ""
        return f"{verb} {self.path}{also} in {self.community}"


# Every HTML comment; a private marker is a comment whose words (dashes and spacing
# aside, any case) are "private" or its closing form: people write <!--- private --->
# (Pandoc, Hugo), <!--private-->, <!-- PRIVATE -->, <!-- /private -->, <!-- end private -->.
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_OPENING = re.compile(r"(?:(?:begin|start)\s*-?\s*)?private(?:\s*-?\s*(?:begin|start))?")
_CLOSING = re.compile(r"(?:/|end|stop)\s*-?\s*private|private\s*-?\s*(?:/|end|stop)")

Where = Callable[[int], str]
"""Names the place of an offset in a field, for refusals: ``path line N``."""


# Cyrillic and Greek letters that look like the latin ones of "private" (and a few
# neighbours), after case folding: a comment that reads "private" to the eye is refused.
_LOOK_ALIKES = str.maketrans(
    "аеіорсухѵтıɑαειονρτκ",
    "aeiopcyxvtiaaeiovptk",
)


def _marker(comment: str) -> str | None:
    """'open' or 'close' for a private marker, 'unknown' for a comment that mentions
    private but is no marker narrate can pair, None for an ordinary comment. The comment
    is read in the fail-closed form private tags are (``fold_text``: PRİVATE, fullwidth
    and invisible characters count) and its look-alike skeleton is checked too."""
    words = " ".join(fold_text(comment).strip(" \t\r\n-").split())
    if _OPENING.fullmatch(words):
        return "open"
    if _CLOSING.fullmatch(words):
        return "close"
    skeleton = "".join(c for c in words.translate(_LOOK_ALIKES) if c.isalpha())
    return "unknown" if "private" in words or "private" in skeleton else None


def _strip_blocks(text: str, where: Where) -> str:
    """``text`` without private blocks and HTML comments; refuses markers that do not pair
    and comments that are never closed."""
    out: list[str] = []
    position = 0
    opened: int | None = None
    for comment in _COMMENT.finditer(text):
        if opened is None:
            # Never holds "<!--": finditer would have matched from there.
            out.append(text[position : comment.start()])
        kind = _marker(comment.group(1))
        if kind == "unknown":
            raise CommunityError(
                f"{where(comment.start())}: the comment {comment.group(0)[:60]!r} mentions "
                "private but is no marker narrate knows; write '<!-- private -->' and "
                "'<!-- /private -->', or reword the comment. Nothing was shared"
            )
        if kind == "open" and opened is not None:
            raise CommunityError(
                f"{where(opened)}: '<!-- private -->' is never closed with "
                "'<!-- /private -->' before the next '<!-- private -->'; nothing was shared"
            )
        if kind == "close" and opened is None:
            raise CommunityError(
                f"{where(comment.start())}: '<!-- /private -->' without an opening "
                "'<!-- private -->'; fix the markers before sharing"
            )
        if kind == "open":
            opened = comment.start()
        elif kind == "close":
            opened = None
        position = comment.end()
    if opened is not None:
        raise CommunityError(
            f"{where(opened)}: '<!-- private -->' is never closed with "
            "'<!-- /private -->'; nothing was shared"
        )
    rest = text[position:]
    if "<!--" in rest:
        raise CommunityError(
            f"{where(position + rest.index('<!--'))}: an HTML comment is never closed; "
            "fix it before sharing"
        )
    out.append(rest)
    return "".join(out)


# Comments of other Markdown dialects, hidden from the writer's own view and so private:
# Obsidian's %%...%% (inline or over lines; one never closed hides the rest, as in
# Obsidian) and the link reference definition idiom no renderer shows ([//]: # (text),
# [comment]: <> (text)), its title over lines too.
_REFERENCE_COMMENT = re.compile(
    r"^ {0,3}\[[^\]\n]*\]:[ \t]*(?:#|<>)"
    r"(?:[ \t]*(?:\([^)]*\)|\"[^\"]*\"|'[^']*'|[^\n]*))?[ \t]*$"
    r"|^ {0,3}\[(?://|comment)\]:[^\n]*$",
    re.MULTILINE | re.IGNORECASE,
)
COMMENTS_NOTE = "comments (%%...%%, [//]: # (...), [comment]: <> (...)) are private and not shared"


# A link to a file in the journal's attachments/ publishes its local name and resolves
# nowhere in a community: Markdown links and images, Obsidian embeds (![[name]]) and
# wiki links to a file that is no note, HTML media tags, reference definitions, and a
# bare attachments/ path.
_IN_ATTACHMENTS = rf"<?(?:\.{{1,2}}/)*{ATTACHMENTS}/"
_ATTACHMENT_LINK = re.compile(
    r"!\[\[[^\]\n]*\]\]"
    r"|\[\[[^\]\n|#]*\.(?!md\b)[A-Za-z0-9]{1,10}(?:[|#][^\]\n]*)?\]\]"
    rf"|!?\[[^\]\n]*\]\(\s*{_IN_ATTACHMENTS}[^)\n]*\)"
    rf"|<(?:img|a|audio|video|source|embed|object|iframe)\b[^>]*{ATTACHMENTS}/[^>]*>"
    rf"|^ {{0,3}}\[[^\]\n]*\]:[ \t]*{_IN_ATTACHMENTS}[^\n]*$"
    # A bare path names a file only with something after the slash ("the attachments/
    # folder" names none); its trailing punctuation and a closing backtick stay.
    rf"|(?<![\w/.-])(?:\.{{1,2}}/)*{ATTACHMENTS}/[^\s)\]>\"'`]*[^\s)\]>\"'`.,;:!?]",
    re.MULTILINE | re.IGNORECASE,
)
ATTACHMENT_STANDIN = "[attachment not shared]"
ATTACHMENTS_NOTE = f"attachments are not shared: their links read {ATTACHMENT_STANDIN}"


# Code is literal text: `x %% y` and a fenced `[//]: # (...)` are no comments. A
# comment opened outside code runs to its next %% outside code (or to the end), code
# inside it included: hiding more is the safe side.
_CODE = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)|(`+)(?!`)[^\n]+?(?<!`)\2(?!`)",
    re.MULTILINE | re.DOTALL,
)


def _comment_spans(text: str) -> list[tuple[int, int]]:
    """Where the comments of ``text`` are (start, end), code left out."""
    code = [m.span() for m in _CODE.finditer(text)]

    def in_code(at: int) -> bool:
        return any(start <= at < end for start, end in code)

    spans: list[tuple[int, int]] = []
    for found in _REFERENCE_COMMENT.finditer(text):
        if not in_code(found.start()):
            spans.append(found.span())
    marks = [m.start() for m in re.finditer("%%", text) if not in_code(m.start())]
    at = 0
    while at < len(marks):
        opened = marks[at]
        closing = next((m for m in marks[at + 1 :] if m >= opened + 2), None)
        if closing is None:
            spans.append((opened, len(text)))
            break
        spans.append((opened, closing + 2))
        at = marks.index(closing) + 1
    return sorted(spans)


def _strip_comments(text: str) -> str:
    """``text`` without Obsidian comments and Markdown reference-definition comments."""
    out: list[str] = []
    position = 0
    for start, end in _comment_spans(text):
        if end <= position:
            continue
        out.append(text[position : max(start, position)])
        position = end
    out.append(text[position:])
    return "".join(out)


def _has_comments(text: str) -> bool:
    return bool(_comment_spans(text))


def _is_word(char: str) -> bool:
    """A character that continues a #tag in some script (letters, digits, marks, _ - /)."""
    return char.isalnum() or is_tag_char(char)


_HASH_MARKS = "#\uff03\ufe5f"
_ASCII_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/-]*")


def _drop_private_tags(text: str, private: Collection[str]) -> str:
    """``text`` without the #tags in ``private`` (and their sub-tags), found in the text
    as written, in any script, whatever the tag grammar is.

    Each # is read as the ASCII grammar reads it (#healthé and #health- are the tag
    health) and as a grammar of any script does (#santé is santé); the word goes if
    either reading is private. #healthy is another tag in both and stays.
    """
    if not private or not any(mark in text for mark in _HASH_MARKS):
        return text
    text = unicodedata.normalize("NFC", text)  # the config's tags are NFC too
    out: list[str] = []
    position = 0
    # A fullwidth or small # is no tag to Obsidian, but reads as one: it goes too.
    for hash_mark in re.finditer(f"[{_HASH_MARKS}]", text):
        start = hash_mark.end()
        if hash_mark.start() < position:
            continue
        end = start
        while end < len(text) and _is_word(text[end]):
            end += 1
        ascii_tag = _ASCII_TAG.match(text, start)
        readings = [text[start:end], ascii_tag.group(0) if ascii_tag else ""]
        if any(_is_private(r, private) for r in readings if r):
            out.append(text[position : hash_mark.start()])
            position = end
    out.append(text[position:])
    return "".join(out)


def redact_text(text: str, private: Collection[str], where: Where, one_line: bool) -> str:
    """The one redaction every published field goes through (title, body, practice
    fields): private blocks, HTML, Obsidian (%%) and Markdown ([//]: #) comments and
    private #tags removed, attachment links replaced; refuses markers
    that cannot be paired. ``one_line`` fields also get their spacing made whole."""
    uncommented = _strip_comments(_strip_blocks(text, where))
    redacted = _drop_private_tags(_ATTACHMENT_LINK.sub(ATTACHMENT_STANDIN, uncommented), private)
    if one_line:
        return " ".join(redacted.split())
    return re.sub(r"\n{3,}", "\n\n", redacted).strip("\n") + "\n"


def _line_of(entry: Entry, body_offset: int) -> int:
    """The file line number of a position in the body (for refusals)."""
    header_lines = entry.document.front_matter.count("\n") + 2
    leading = 1 if entry.document.body.startswith("\n") else 0
    return header_lines + leading + entry.body[:body_offset].count("\n") + 1


def _body_where(entry: Entry) -> Where:
    return lambda offset: f"{entry.path} line {_line_of(entry, offset)}"


def _field_where(entry: Entry, key: str, label: str) -> Where:
    """Where a front matter field is: the first line of ``key`` holding a comment (YAML
    may have quoted or folded the value), else the first line of ``key``."""
    lines = entry.document.front_matter.splitlines()
    keyed = [
        n for n, line in enumerate(lines) if re.match(rf"\s*(?:-\s+)?{re.escape(key)}\s*:", line)
    ]
    marked = [n for n in keyed if "<!--" in lines[n]] or keyed
    line = f" line {marked[0] + 2}" if marked else ""
    return lambda _offset: f"{entry.path}{line} ({label})"


def strip_private(entry: Entry) -> str:
    """The body without private blocks and HTML comments; refuses unbalanced markers."""
    return redact_text(entry.body, (), _body_where(entry), one_line=False)


def _is_private(tag: str, private: Collection[str]) -> bool:
    """Whether ``tag`` (any form) is a private tag (any form) or a sub-tag of one,
    compared by ``tag_match_key``, the one comparison key."""
    key = tag_match_key(tag)
    keys = {tag_match_key(p) for p in private}
    return bool(key) and any(p and (key == p or key.startswith(p + "/")) for p in keys)


def near_duplicates(tag: str, known: list[str]) -> list[str]:
    """Known tags that look like ``tag`` (tests/testing, review/reviews)."""

    def stem(word: str) -> str:
        return re.sub(r"(ing|es|s)$", "", word)

    return [
        other
        for other in known
        if other != tag
        and (stem(other) == stem(tag) or difflib.SequenceMatcher(None, other, tag).ratio() >= 0.85)
    ]


def map_tags(
    tags: list[str], info: CommunityInfo, own_tags: list[str]
) -> tuple[list[str], list[str]]:
    """Tags mapped onto the community's vocabulary, and warnings about near duplicates."""
    warnings: list[str] = []
    mapped: list[str] = []
    synonyms = info.synonyms or {}
    vocabulary = sorted(set(info.tags or []) | set(info.areas or []))
    for tag in tags:
        target = synonyms.get(tag, tag)
        if target != tag:
            warnings.append(f"tag #{tag} is shared as the community's #{target}")
        elif vocabulary and tag not in vocabulary:
            close = near_duplicates(tag, vocabulary)
            if close:
                warnings.append(f"tag #{tag} looks like the community's #{close[0]}")
        for other in near_duplicates(target, [t for t in own_tags if t not in tags]):
            warnings.append(f"tag #{target} looks like your tag #{other}")
            break
        if target not in mapped:
            mapped.append(target)
    return mapped, warnings


def _title_was_withheld(entry: Entry, published_body: str) -> bool:
    """Whether the title's words stand in the body only where redaction removed them: a
    title kept from a first line that was later marked private (or taken from inside a
    template's private section) must go the way of that line. Fails closed."""
    words = entry.title.strip().removesuffix("…").strip()
    return bool(words) and words in entry.body and words not in published_body


def _published_fields(
    entry: Entry, private: Collection[str], with_notes: bool = False
) -> tuple[str, str, list[dict[str, Any]]]:
    """The title, body and practice changes as published: each through ``redact_text``.
    Check-back notes and outcomes (the body's "## Check-backs" section, the trail's
    ``note`` and ``outcome``) are published only ``with_notes``."""

    def one_line(value: str, where: Where) -> str:
        return redact_text(value, private, where, one_line=True)

    source_body = entry.body if with_notes else without_checkbacks(entry.body)
    body = redact_text(source_body, private, _body_where(entry), one_line=False)
    # A title the front matter does not give is derived from the *redacted* body: the
    # entry's own derived title may come from inside a private block.
    if str(entry.meta.get("title") or "").strip() and not _title_was_withheld(entry, body):
        title = one_line(entry.title, _field_where(entry, "title", "title"))
    else:
        title = one_line(derive_title(body), _body_where(entry))
    # Every practice field is published text like the body ("everywhere", SPEC §6).
    practice = []
    raw = entry.meta.get("practice")
    written = raw if isinstance(raw, list) else []
    for number, change in enumerate(entry.practice, 1):
        # The area as written too: one outside the tag grammar ("santé") is stored as
        # "general", which must not make a private area public.
        item_data = written[number - 1] if number <= len(written) else None
        as_written = item_data.get("area") if isinstance(item_data, dict) else None
        written_tag = private_tag(str(as_written)) if as_written else None
        if _is_private(change.area, private) or (
            written_tag is not None and _is_private(written_tag, private)
        ):
            continue
        item: dict[str, Any] = {}
        for key in ("area", "change", "before", "source", "status"):
            value = getattr(change, key)
            label = f"practice change {number}, {key}"
            value = one_line(value, _field_where(entry, key, label)) if value else value
            if value:
                item[key] = value
        item.update(_trail(entry, change, number, private, with_notes))
        practice.append(item)
    return title or "Untitled", body, practice


def without_checkbacks(body: str) -> str:
    """The body without its "## Check-backs" section: the dated answers travel as the
    structured trail, and the notes written there only when the user includes them."""
    from narrate.journal.checkbacks import HEADING

    lines = body.split("\n")
    if HEADING not in lines:
        return body
    start = lines.index(HEADING)
    # The section ends at the next heading; a line starting with a #tag is no heading.
    end = next((i for i in range(start + 1, len(lines)) if _HEADING.match(lines[i])), len(lines))
    return "\n".join(lines[:start] + lines[end:])


_HEADING = re.compile(r"#{1,6}(?:\s|$)")


def _trail(
    entry: Entry, change: Any, number: int, private: Collection[str], with_notes: bool
) -> dict[str, Any]:
    """An adopted change's trail as published: ``adopted_from`` (community, member, path,
    id) and ``checkbacks`` [{date, answer}] (``note`` and ``outcome`` ``with_notes``)."""
    from narrate.journal.checkbacks import trail

    origin = change.extra.get("adopted_from")
    if not isinstance(origin, dict):
        return {}
    found: dict[str, Any] = {
        "adopted_from": {
            key: str(origin.get(key) or "") for key in ("community", "member", "path", "id")
        }
    }
    where_outcome = _field_where(entry, "text", f"practice change {number}, outcome")
    where_note = _field_where(entry, "checked", f"practice change {number}, check-back note")
    outcomes = outcomes_of(change.extra)
    checkbacks: list[dict[str, Any]] = []
    for check in trail(entry.body, change.area, change.change, change.extra.get("checked")):
        item: dict[str, Any] = {"date": check["date"], "answer": check["answer"]}
        if with_notes:
            note = redact_text(check["note"] or "", private, where_note, one_line=True)
            said = outcomes.get(check["date"], "")
            outcome = redact_text(said, private, where_outcome, one_line=True)
            if note:
                item["note"] = note
            if outcome:
                item["outcome"] = outcome
        checkbacks.append(item)
    if checkbacks:
        found["checkbacks"] = checkbacks
    return found


def outcomes_of(extra: dict[str, Any]) -> dict[str, str]:
    """A change's recorded outcomes by day (its ``outcomes`` list: {date, text})."""
    raw = extra.get("outcomes")
    found: dict[str, str] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and item.get("date") and item.get("text"):
            found[str(item["date"])[:10]] = str(item["text"])
    return found


def redact(
    entry: Entry,
    community: Community,
    private_tags: list[str],
    info: CommunityInfo,
    own_tags: list[str],
    taken_paths: dict[str, str],
    with_notes: bool = False,
) -> Redacted:
    """The redacted copy of ``entry`` for ``community``; refuses what must not leave.

    ``taken_paths`` maps published paths in the community to the entry ids they hold,
    so a new share never overwrites another entry of the same day and title. A reply
    (an entry with ``in_reply_to``) goes to the member's ``replies/`` folder and names
    what it answers; ``with_notes`` includes check-back notes and outcomes.
    """
    check_shareable(entry)
    answered = reply_target(entry)
    if answered is not None and answered["community"] != community.name:
        raise CommunityError(
            f"entry {entry.id} is a reply in {answered['community']}; it can only be "
            f"published there, not to {community.name}"
        )
    private = {key for raw in private_tags if (key := tag_match_key(private_tag(raw) or raw))}
    title, body, practice = _published_fields(entry, private, with_notes)
    # Tags from the front matter and from the *redacted* text: a #tag written only inside
    # a private block must not leak through the tag list.
    found = [*entry.tags, *title_tags(title), *inline_tags(body)]
    tags = list(dict.fromkeys(t for t in found if not _is_private(t, private)))
    tags, warnings = map_tags(tags, info, own_tags)
    if _has_comments(entry.body) or _has_comments(entry.title):
        warnings.append(COMMENTS_NOTE)
    if _ATTACHMENT_LINK.search(entry.body) or _ATTACHMENT_LINK.search(entry.title):
        warnings.append(ATTACHMENTS_NOTE)
    created = entry.created
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    meta: dict[str, Any] = {
        "id": entry.id,
        "title": title,
        "created": created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "author": community.member,
        "tags": tags,
    }
    if practice:
        meta["practice"] = practice
    if answered is not None:
        meta["in_reply_to"] = {key: answered[key] for key in ("member", "path", "id")}
    text = f"---\n{frontmatter.dump(meta)}---\n\n{body}"
    # The entry's own copies are the files in this member's folder carrying its id (not
    # the ``shared`` record: a publish interrupted after the push never wrote it, and the
    # record is the entry's own, editable front matter).
    copies = sorted(
        p
        for p, held in taken_paths.items()
        if held == entry.id and is_member_path(p, community.member)
    )
    # The path is made from the redacted title: a title edited since the last share
    # moves the copy, and the old path (the old title) goes in the same commit.
    path = _free_path(entry, community, title, taken_paths, copies, info.layout)
    removes = [p for p in copies if p != path]
    if removes:
        what = "moves from" if path not in copies else "replaces the older copy"
        warnings.append(
            f"the copy {what} {', '.join(removes)} to {path}: the old path is removed "
            "(git history and members' clones still hold it)"
        )
    return Redacted(community.name, path, text, tags, warnings, removes, path in copies)


def reply_target(entry: Entry) -> dict[str, str] | None:
    """What a reply entry answers (its ``in_reply_to``: community, member, path, id,
    feed_id), or None for an entry that is no reply."""
    raw = entry.meta.get("in_reply_to")
    if not isinstance(raw, dict):
        return None
    found = {key: str(raw.get(key) or "") for key in ("community", "member", "path", "id")}
    found["feed_id"] = str(raw.get("feed_id") or "")
    if not (found["community"] and found["member"] and found["path"]):
        raise CommunityError(
            f"{entry.path}: in_reply_to needs community, member and path; fix the front "
            "matter, or remove in_reply_to to share it as an entry"
        )
    return found


def is_member_path(path: str, member: str) -> bool:
    """Whether ``path`` is a Markdown file inside ``member``'s folder (either layout),
    nothing odd."""
    parts = path.split("/")
    return (
        member_of(path) == member
        and path.endswith(".md")
        and all(part not in ("", ".", "..") for part in parts)
        and not any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in path)
    )


def _free_path(
    entry: Entry,
    community: Community,
    title: str,
    taken: dict[str, str],
    copies: list[str],
    layout: str = "flat",
) -> str:
    """The path for the copy: the entry's own copy if it is already at this day and
    title, else the first one not holding another entry."""
    # The UTC day, as in the published `created`: the local day would hint at the zone.
    created = entry.created if entry.created.tzinfo else entry.created.replace(tzinfo=dt.UTC)
    day = created.astimezone(dt.UTC).date()
    folder = f"{member_folder(community.member, layout)}{REPLIES if reply_target(entry) else ''}"
    stem = f"{folder}{day.year:04d}/{day.isoformat()}-{slugify(title)}"
    for path in copies:
        if re.fullmatch(re.escape(stem) + r"(?:-\d+)?\.md", path):
            return path
    candidate, n = f"{stem}.md", 2
    while candidate in taken and taken[candidate] != entry.id:
        candidate = f"{stem}-{n}.md"
        n += 1
    return candidate


def shared_record(community: str, path: str, commit: str) -> dict[str, Any]:
    """The item narrate adds to an entry's ``shared`` list."""
    at = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    return {"community": community, "path": path, "commit": commit[:12], "at": at}


# ---------------------------------------------------------------------- orchestration
# The steps of a share, shared by the CLI and the TUI: prepare (fetch, redact) shows the
# user the exact copy; publish (commit, push, record) happens only after they confirm.


@dataclass
class ShareContext:
    """What ``prepare_share`` looked at, for ``publish`` to act on."""

    community: Community
    repo: CommunityRepo
    entry: Entry
    original: bytes
    """The entry file as it was when the copy was made: publish refuses if it changed."""
    fresh_id: str | None = None
    """The random id the copy carries, for publish to write into a note that had none."""


@dataclass
class Published:
    """A share that reached the community."""

    community: str
    path: str
    commit: str
    entry: Entry
    """The entry as saved with its new ``shared`` record."""


def check_shareable(entry: Entry) -> None:
    """Refuse at once (no network) what can never be shared: a private entry, or private
    markers that do not pair up in any published field."""
    if entry.private:
        raise CommunityError(
            f"entry {entry.id} ({entry.title}) is private (private: true) and can never be shared"
        )
    _published_fields(entry, ())


def prepare_share(
    journal: Journal,
    config: Config,
    name: str,
    ref: str | Entry,
    timeout: float = 30.0,
    with_notes: bool = False,
) -> tuple[Redacted, ShareContext]:
    """Fetch the community and build the redacted copy of entry ``ref`` for it (an
    ``Entry`` not yet saved, for a dry run, is redacted as it stands)."""
    from narrate.community.registry import get, read_info

    target = get(config, name)
    entry = ref if isinstance(ref, Entry) else journal.get(ref)
    check_shareable(entry)
    fresh_id = None
    if "id" not in entry.meta and entry.path:
        # A note made in another tool is read with an id derived from its path: the copy
        # carries a random one instead, written into the note (doctor --fix's writer)
        # only when it is published, so a preview or a dry run changes nothing.
        from narrate.journal.entry import new_id

        fresh_id = new_id()
        entry = entry.with_changes(id=fresh_id)
    original = (journal.read_file(entry.path) if entry.path else None) or (
        entry.document.to_bytes()
    )
    repo = target.repo(timeout)
    if not repo.path.exists():
        repo.clone()
    repo.fetch()
    head = repo.head()
    taken = _taken_paths(repo, head, target.member)
    own = [t["tag"] for t in journal.tags()]
    info = read_info(repo, head)
    copy = redact(entry, target, config.private_tags, info, own, taken, with_notes)
    return copy, ShareContext(target, repo, entry, original, fresh_id)


def _taken_paths(repo: CommunityRepo, head: str | None, member: str) -> dict[str, str]:
    """Every readable path in the community, with the entry id of the copies in this
    member's folder ("" for other files: never overwritten)."""
    if not head:
        return {}
    files, _skipped = repo.files(head)
    taken = {f.path: "" for f in files}
    mine = [f for f in files if is_member_path(f.path, member)]
    blobs = repo.read_blobs([f.blob for f in mine])
    for item in mine:
        data = blobs.get(item.blob)
        if data is None:
            continue
        try:
            held = Entry.from_bytes(data, item.path).meta.get("id")
        except ValueError:  # BrokenEntry, or text no reader can make sense of
            continue
        taken[item.path] = str(held).strip() if held is not None else ""
    return taken


def share_diff(context: ShareContext, copy: Redacted) -> list[str]:
    """The entry file against the redacted copy, as unified diff lines (no line ends),
    with all of the copy's lines in it: nothing published is left out of the preview."""
    before = context.original.decode("utf-8", "replace").splitlines()
    after = copy.text.splitlines()
    return list(
        difflib.unified_diff(
            before,
            after,
            fromfile=context.entry.path,
            tofile=f"{copy.community}:{copy.path}",
            n=len(before) + len(after),
            lineterm="",
        )
    )


def publish(journal: Journal, copy: Redacted, context: ShareContext) -> Published:
    """Commit and push the copy, then record the share in the entry.

    Raises ``NotCommitted`` if only the journal's own commit failed: the copy is
    published by then and the entry file holds the record.
    """
    from narrate.community.registry import load_state, save_state

    entry, target = context.entry, context.community
    if journal.read_file(entry.path) != context.original:
        raise CommunityError(
            f"{entry.path} changed after the preview; nothing was published. Share it again "
            "to see the new copy"
        )
    if context.fresh_id is not None:
        # Before the push: a copy in the community always has its id in the note.
        journal.write_ids([entry.path], ids={entry.path: context.fresh_id})
        entry = journal.get(entry.path)
    # Prove the entry can take the record before anything is pushed (issue 12, item 8).
    entry.touched(shared=[*entry.shared, shared_record(target.name, copy.path, "")])
    commit = context.repo.commit_change(
        copy.path,
        copy.text.encode("utf-8"),
        f"Share {copy.path}",
        target.member,
        target.email,
        remove=tuple(copy.removes),
    )
    already = copy.updates or bool(copy.removes)
    already = already or any(s.get("community") == target.name for s in entry.shared)
    state = load_state()
    counts = state.setdefault(target.name, {})
    counts["shared"] = counts.get("shared", 0) + (0 if already else 1)
    save_state(state)
    records = [s for s in entry.shared if s.get("community") != target.name]
    records.append(shared_record(target.name, copy.path, commit))
    saved = journal.save(entry.touched(shared=records), f"Share to {target.name}: {entry.title}")
    return Published(target.name, copy.path, commit, saved)


def unshare(journal: Journal, config: Config, name: str, ref: str, timeout: float = 30.0) -> str:
    """Remove every copy of entry ``ref`` from community ``name`` and forget the share;
    returns the removed paths. Git history and members' clones still hold the copy.

    The copies are the files in the member's folder carrying the entry's id, whether or
    not the entry recorded them (a publish interrupted after its push records nothing).
    Raises ``NotCommitted`` if only the journal's own commit failed (the copy is gone).
    """
    from narrate.community.registry import get, load_state, save_state

    target = get(config, name)
    entry = journal.get(ref)
    record = next((s for s in entry.shared if s.get("community") == target.name), None)
    repo = target.repo(timeout)
    if not repo.path.exists():
        repo.clone()
    repo.fetch()
    taken = _taken_paths(repo, repo.head(), target.member)
    copies = sorted(p for p, held in taken.items() if held == entry.id)
    recorded = str(record.get("path") or "") if record is not None else ""
    if recorded.startswith("members/") and recorded in taken and recorded not in copies:
        # The copy this journal published, even if someone rewrote the id inside it or
        # the member's handle changed since: retracting it is what the user asked.
        copies.append(recorded)
    if record is None and not copies:
        raise CommunityError(f"entry {entry.id} is not shared to {target.name}")
    if not copies:
        # Never say "removed" of a copy that was not there to remove.
        journal.save(
            entry.touched(shared=[s for s in entry.shared if s is not record]),
            f"Forget the share to {target.name}: {entry.title}",
        )
        raise CommunityError(
            f"no copy of entry {entry.id} is in {target.name} now (the recorded "
            f"{clean(recorded, single_line=True)} is gone); the record is forgotten, "
            "nothing was removed"
        )
    if copies:
        repo.commit_change(
            copies[0],
            None,
            f"Unshare {', '.join(copies)}",
            target.member,
            target.email,
            remove=tuple(copies[1:]),
        )
    state = load_state()
    counts = state.setdefault(target.name, {})
    counts["shared"] = max(0, counts.get("shared", 0) - 1)
    save_state(state)
    if record is not None:
        remaining = [s for s in entry.shared if s is not record]
        journal.save(entry.touched(shared=remaining), f"Unshare from {target.name}: {entry.title}")
    return clean(", ".join(copies), single_line=True)
