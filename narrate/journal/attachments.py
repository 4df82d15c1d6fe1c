"""Attachments: files an entry links to (photos, audio, PDFs), kept in the journal under
``attachments/YYYY/MM/`` and linked from the entry with a relative Markdown link that
Obsidian, the HTML export and a browser all resolve.

One home for the rules every writer of attachments follows (the importers, ``narrate
attach``): the folder, the sanitised file name, the size bound, how a file is read
(never through a symlink), and the link an entry file writes.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry

ATTACHMENTS = "attachments"
# Bigger files are not copied (git keeps every version of a binary whole); the source
# keeps them and the report names them.
MAX_BYTES = 200 * 1024 * 1024
# Files at least this big are copied but named in the report: every clone carries them.
LARGE_BYTES = 20 * 1024 * 1024
# Image types a Markdown image link shows; anything else is linked, not embedded.
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".heic", ".heif", ".avif"}
)
_UNSAFE = re.compile(r"[^\w.-]+")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_NAME_LIMIT = 96
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


class AttachmentError(ValueError):
    """A file that cannot become an attachment; the message says why in a few words."""


def safe_name(name: str) -> str:
    """A file name that is safe on every filesystem and in a Markdown link: the last
    path part only, letters (any script), digits, ``.``, ``_`` and ``-``; no leading dot."""
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFC", base).strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("-", stem).strip("-.") or "attachment"
    suffix = re.sub(r"[^0-9A-Za-z]+", "", suffix)[:10].lower()
    stem = stem[: _NAME_LIMIT - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def attachment_relpath(year: int, month: int, name: str) -> str:
    """The journal-relative path of an attachment filed under an entry's month."""
    return f"{ATTACHMENTS}/{year:04d}/{month:02d}/{safe_name(name)}"


def link_target(entry_rel: str, attachment_rel: str) -> str:
    """The relative link from the entry file ``entry_rel`` to ``attachment_rel``."""
    return posixpath.relpath(attachment_rel, posixpath.dirname(entry_rel) or ".")


def entry_folder_link(attachment_rel: str) -> str:
    """The link from any entry file in ``entries/YYYY/MM/`` to ``attachment_rel``."""
    return link_target("entries/0000/00/x.md", attachment_rel)


def markdown_link(target: str, label: str) -> str:
    """``![label](target)`` for an image, ``[label](target)`` for any other file."""
    label = label.replace("[", "(").replace("]", ")")
    bang = "!" if posixpath.splitext(target)[1].lower() in IMAGE_SUFFIXES else ""
    return f"{bang}[{label}]({target})"


def read_file(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, never through a symlink; raises AttachmentError."""
    try:
        info = path.lstat()
    except OSError as exc:
        raise AttachmentError(exc.strerror or "cannot be read") from None
    if stat.S_ISLNK(info.st_mode):
        raise AttachmentError("a symlink; attach the file it points to")
    if stat.S_ISDIR(info.st_mode):
        raise AttachmentError("a folder; attach the files in it one by one")
    if not stat.S_ISREG(info.st_mode):
        raise AttachmentError("not a regular file")
    if info.st_size > limit:
        raise AttachmentError(f"{info.st_size // (1024 * 1024)} MB, over the {_mb(limit)} limit")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise AttachmentError("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise AttachmentError(f"over the {_mb(limit)} limit")
    return data


def unescape_markdown(text: str) -> str:
    """Text without CommonMark's backslash escapes (``finally \\.\\.`` -> ``finally ..``):
    what a title taken from a Markdown line reads as."""
    return _ESCAPED.sub(r"\1", text)


def outside_fences(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to everything outside fenced code blocks (a link
    rewrite must not touch an example in a code block)."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            out.append(change("".join(prose)))
            prose = []
            fence = match.group(1)
            out.append(line)
        elif fence is not None:
            out.append(line)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
        else:
            prose.append(line)
    out.append(change("".join(prose)))
    return "".join(out)


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


class AttachmentPlanner:
    """Free attachment paths in one journal: the same bytes under the same name share a
    file; a different file with a taken name gets ``-2``, ``-3``, ..."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Digests, not bytes: an import of thousands of photos must not hold them all.
        self._claimed: dict[str, bytes] = {}

    def place(self, year: int, month: int, name: str, data: bytes) -> str:
        """The journal-relative path for ``data`` (it may already be there)."""
        import hashlib

        digest = hashlib.sha256(data).digest()
        first = attachment_relpath(year, month, name)
        folder, _, base = first.rpartition("/")
        stem, dot, suffix = base.rpartition(".")
        if not dot:
            stem, suffix = base, ""
        for n in range(1, 10_000):
            rel = first if n == 1 else f"{folder}/{stem}-{n}{dot}{suffix}"
            claimed = self._claimed.get(rel)
            if claimed is not None:
                if claimed == digest:
                    return rel
                continue
            path = self.root / rel
            if path.is_symlink():
                continue
            if path.exists():
                try:
                    same = path.is_file() and hashlib.sha256(path.read_bytes()).digest() == digest
                except OSError:
                    same = False
                if not same:
                    continue
            self._claimed[rel] = digest
            return rel
        raise AttachmentError(f"too many attachments named {first}")


def attach(journal: Journal, ref: str, source: Path) -> tuple[Entry, str, int]:
    """Copy ``source`` into the journal beside the entry ``ref`` names, link it at the end
    of the entry, and commit both; returns (the entry, the attachment's path, its size).

    The copy is written atomically and named as pending before anything else, so a run
    killed before the commit leaves files that the next commit takes along."""
    from narrate.errors import NarrateError
    from narrate.journal.core import NotCommitted
    from narrate.journal.history import GitError, commit
    from narrate.journal.store import JournalLock, PendingFiles, atomic_write

    try:
        data = read_file(source)
    except AttachmentError as exc:
        raise NarrateError(f"cannot attach {source}: {exc}") from None
    entry = journal.get(ref)
    root = journal.root
    with JournalLock(root):
        created = entry.created
        rel = AttachmentPlanner(root).place(created.year, created.month, source.name, data)
        link = markdown_link(link_target(entry.path, rel), safe_name(source.name))
        body = entry.body.rstrip("\n")
        changed = entry.touched(body=f"{body}\n\n{link}\n" if body.strip() else f"{link}\n")
        pending = PendingFiles(root)
        pending.add([rel, entry.path])
        target = root / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, data)
        atomic_write(root / entry.path, changed.document.to_bytes())
        journal.index_file(entry.path)
        try:
            commit(root, [rel, entry.path], f"Attach {safe_name(source.name)} to: {entry.title}")
        except GitError as exc:
            raise NotCommitted([rel, entry.path], str(exc)) from exc
        pending.forget([rel, entry.path])
    return changed, rel, len(data)
