"""Sharing: the redacted copy of an entry that a community sees, and publishing it.

Only an allow-list leaves the journal: title, created (in UTC), the entry's id,
non-private tags, practice changes and the author handle; private blocks, HTML comments
and private tags are removed from the text; commits carry the member handle, the
community e-mail, UTC times and a message naming only the published path.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from narrate.community.registry import Community, CommunityInfo
from narrate.community.repo import CommunityError, CommunityRepo
from narrate.config import Config
from narrate.journal import frontmatter
from narrate.journal.entry import (
    Entry,
    derive_title,
    inline_tags,
    normalise_tag,
    slugify,
    title_tags,
)
from narrate.sanitize import clean

_OPEN = re.compile(r"<!--\s*private\s*-->", re.IGNORECASE)
_CLOSE = re.compile(r"<!--\s*/private\s*-->", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class Redacted:
    """Exactly what would be published, where, and what the user should know."""

    community: str
    path: str
    text: str
    tags: list[str]
    warnings: list[str] = field(default_factory=list)


def _line_of(entry: Entry, body_offset: int) -> int:
    """The file line number of a position in the body (for refusals)."""
    header_lines = entry.document.front_matter.count("\n") + 2
    leading = 1 if entry.document.body.startswith("\n") else 0
    return header_lines + leading + entry.body[:body_offset].count("\n") + 1


def strip_private(entry: Entry) -> str:
    """The body without private blocks and HTML comments; refuses unbalanced markers."""
    body = entry.body
    out: list[str] = []
    position = 0
    while True:
        opening = _OPEN.search(body, position)
        closing = _CLOSE.search(body, position)
        if closing and (not opening or closing.start() < opening.start()):
            raise CommunityError(
                f"{entry.path} line {_line_of(entry, closing.start())}: '<!-- /private -->' "
                "without an opening '<!-- private -->'; fix the markers before sharing"
            )
        if not opening:
            out.append(body[position:])
            break
        if not closing:
            raise CommunityError(
                f"{entry.path} line {_line_of(entry, opening.start())}: '<!-- private -->' is "
                "never closed with '<!-- /private -->'; nothing was shared"
            )
        out.append(body[position : opening.start()])
        position = closing.end()
    text = "".join(out)
    if "<!--" in _COMMENT.sub("", text):
        start = entry.body.find("<!--", 0)
        raise CommunityError(
            f"{entry.path} line {_line_of(entry, max(start, 0))}: an HTML comment is never "
            "closed; fix it before sharing"
        )
    text = _COMMENT.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def _is_private(tag: str, private: set[str]) -> bool:
    return any(tag == p or tag.startswith(p + "/") for p in private)


def _drop_tag_words(text: str, private: set[str]) -> str:
    def keep(match: re.Match[str]) -> str:
        tag = normalise_tag(match.group(1)) or ""
        return "" if _is_private(tag, private) else match.group(0)

    return re.sub(r"(?<![\w/&#@.:])#([A-Za-z0-9][A-Za-z0-9_/-]*)", keep, text)


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


def redact(
    entry: Entry,
    community: Community,
    private_tags: list[str],
    info: CommunityInfo,
    own_tags: list[str],
    taken_paths: dict[str, str],
) -> Redacted:
    """The redacted copy of ``entry`` for ``community``; refuses what must not leave.

    ``taken_paths`` maps published paths in the community to the entry ids they hold,
    so a new share never overwrites another entry of the same day and title.
    """
    check_shareable(entry)
    private = {t.lower() for t in private_tags}
    body = _drop_tag_words(strip_private(entry), private)
    # A title the front matter does not give is derived from the *redacted* body: the
    # entry's own derived title may come from inside a private block.
    own_title = entry.title if str(entry.meta.get("title") or "").strip() else derive_title(body)
    title = " ".join(_drop_tag_words(own_title, private).split()) or "Untitled"
    # Tags from the front matter and from the *redacted* text: a #tag written only inside
    # a private block must not leak through the tag list.
    found = [*entry.tags, *title_tags(title), *inline_tags(body)]
    tags = list(dict.fromkeys(t for t in found if not _is_private(t, private)))
    tags, warnings = map_tags(tags, info, own_tags)
    # Private tags go from the practice text too ("everywhere", SPEC §6).
    practice = []
    for change in entry.practice:
        if _is_private(change.area, private):
            continue
        item = {}
        for key in ("area", "change", "before", "source", "status"):
            value = getattr(change, key)
            value = " ".join(_drop_tag_words(value, private).split()) if value else value
            if value:
                item[key] = value
        practice.append(item)
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
    text = f"---\n{frontmatter.dump(meta)}---\n\n{body}"
    previous = next(
        (s.get("path") for s in entry.shared if s.get("community") == community.name), None
    )
    # The recorded path comes from the entry's own front matter: reuse it only if it is
    # a plain file in this member's folder, so an edited entry can never overwrite (or,
    # on unshare, delete) another member's file or community.toml.
    if not (previous and is_member_path(str(previous), community.member)):
        previous = None
    path = str(previous) if previous else _free_path(entry, community, title, taken_paths)
    return Redacted(community.name, path, text, tags, warnings)


def is_member_path(path: str, member: str) -> bool:
    """Whether ``path`` is a Markdown file inside ``members/<member>/``, nothing odd."""
    parts = path.split("/")
    return (
        path.startswith(f"members/{member}/")
        and path.endswith(".md")
        and all(part not in ("", ".", "..") for part in parts)
        and not any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in path)
    )


def _free_path(entry: Entry, community: Community, title: str, taken: dict[str, str]) -> str:
    # The UTC day, as in the published `created`: the local day would hint at the zone.
    created = entry.created if entry.created.tzinfo else entry.created.replace(tzinfo=dt.UTC)
    day = created.astimezone(dt.UTC).date()
    stem = f"members/{community.member}/{day.year:04d}/{day.isoformat()}-{slugify(title)}"
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
    markers that do not pair up."""
    if entry.private:
        raise CommunityError(
            f"entry {entry.id} ({entry.title}) is private (private: true) and can never be shared"
        )
    strip_private(entry)


def prepare_share(
    journal: Any, config: Config, name: str, ref: str, timeout: float = 30.0
) -> tuple[Redacted, ShareContext]:
    """Fetch the community and build the redacted copy of entry ``ref`` for it."""
    from narrate.community.registry import get, read_info

    target = get(config, name)
    entry = journal.get(ref)
    check_shareable(entry)
    original = journal.read_file(entry.path) or entry.document.to_bytes()
    repo = target.repo(timeout)
    if not repo.path.exists():
        repo.clone()
    repo.fetch()
    head = repo.head()
    taken: dict[str, str] = {}
    if head:
        files, _skipped = repo.files(head)
        taken = {f.path: "" for f in files}
    own = [t["tag"] for t in journal.tags()]
    copy = redact(entry, target, config.private_tags, read_info(repo, head), own, taken)
    return copy, ShareContext(target, repo, entry, original)


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


def publish(journal: Any, copy: Redacted, context: ShareContext) -> Published:
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
    # Prove the entry can take the record before anything is pushed (issue 12, item 8).
    entry.touched(shared=[*entry.shared, shared_record(target.name, copy.path, "")])
    commit = context.repo.commit_change(
        copy.path, copy.text.encode("utf-8"), f"Share {copy.path}", target.member, target.email
    )
    already = any(s.get("community") == target.name for s in entry.shared)
    state = load_state()
    counts = state.setdefault(target.name, {})
    counts["shared"] = counts.get("shared", 0) + (0 if already else 1)
    save_state(state)
    records = [s for s in entry.shared if s.get("community") != target.name]
    records.append(shared_record(target.name, copy.path, commit))
    saved = journal.save(entry.touched(shared=records), f"Share to {target.name}: {entry.title}")
    return Published(target.name, copy.path, commit, saved)


def unshare(journal: Any, config: Config, name: str, ref: str, timeout: float = 30.0) -> str:
    """Remove entry ``ref``'s copy from community ``name`` and forget the share; returns
    the removed path. Git history and members' clones still hold the copy.

    Raises ``NotCommitted`` if only the journal's own commit failed (the copy is gone).
    """
    from narrate.community.registry import get, load_state, save_state

    target = get(config, name)
    entry = journal.get(ref)
    record = next((s for s in entry.shared if s.get("community") == target.name), None)
    if record is None:
        raise CommunityError(f"entry {entry.id} is not shared to {target.name}")
    repo = target.repo(timeout)
    if not repo.path.exists():
        repo.clone()
    repo.fetch()
    path = str(record.get("path"))
    if not is_member_path(path, target.member):
        raise CommunityError(
            f"entry {entry.id} records a shared path outside members/{target.member}/ "
            f"({clean(path, single_line=True)!r}); nothing was removed"
        )
    repo.commit_change(path, None, f"Unshare {path}", target.member, target.email)
    state = load_state()
    counts = state.setdefault(target.name, {})
    counts["shared"] = max(0, counts.get("shared", 0) - 1)
    save_state(state)
    remaining = [s for s in entry.shared if s is not record]
    journal.save(entry.touched(shared=remaining), f"Unshare from {target.name}: {entry.title}")
    return path
