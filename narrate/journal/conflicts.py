"""Conflict copies: find them beside their originals, and resolve one.

A sync that finds the same entry changed on two devices keeps the local version in
place and saves the other as ``<name>-conflict-<short>.md``: a valid entry with its own
id and ``conflict_of: <original id>`` (the TUI does the same when a file changes under
the editor). Resolving one is a single commit:

- keep mine: the copy is deleted;
- keep theirs: the original file takes the copy's front matter and body, keeping the
  original's id (and its file name);
- keep both: the copy becomes an ordinary entry (no ``conflict_of``) under a free name
  without ``-conflict-``, its title saying which version it is;
- merged: the original file takes a line-level merge of the two bodies (three-way, over
  the version both came from when the copy names it), edited by the user or as proposed.

A copy says where it came from (``conflict_from``: ``remote`` for sync, ``outside`` for a
file changed under narrate's editor) and which device made it (``conflict_device``, a
random id kept in the journal's local state), so each side is labelled by its origin on
every device: the device that synced sees the remote's version in the copy, the other
device its own.

Nothing is lost: both files are committed before anything changes (normally they
already are), so the version not kept stays in git's history, and a resolution is
refused when either file changed since the user looked at it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from narrate.errors import NarrateError
from narrate.journal.store import JournalLock, atomic_write

if TYPE_CHECKING:
    from narrate.journal.core import Journal

Choice = Literal["mine", "theirs", "both", "merged"]
CHOICES: tuple[Choice, ...] = ("mine", "theirs", "both", "merged")
ORIGIN_KEYS = ("conflict_from", "conflict_device", "conflict_base", "conflict_at")
"""Front matter a copy carries about itself; gone once the conflict is resolved."""
DEVICE_FILE = "device-id"

# <stem>-conflict-<hex>[-n].md: sync names copies after the other side's commit (7 hex
# digits, -2, -3... when taken), the app after the copy's content hash (8 hex digits).
# Greedy, so a copy of a copy names the first copy as its original.
CONFLICT_NAME = re.compile(r"^(?P<stem>.+)-conflict-[0-9a-f]{6,40}(?:-\d+)?\.md$")
MARKER = "-conflict-"


class ConflictChanged(NarrateError):
    """A file changed since the conflict was read; nothing was changed."""


@dataclass
class Version:
    """One side of a conflict as it was read: the file's bytes and, if readable, the
    entry."""

    path: str
    data: bytes
    entry: Any = None
    """The Entry, or None when the file cannot be read as one."""
    problem: str | None = None
    """Why the file cannot be read as an entry."""

    @property
    def text(self) -> str:
        """The file as text (undecodable bytes shown as U+FFFD)."""
        return self.data.decode("utf-8", "replace")


@dataclass
class Side:
    """One version as a person tells it apart: by origin, and when it was written."""

    label: str
    """"This device", "The remote", "Edited outside narrate"..."""
    when: str | None
    """The version's ``updated`` time, as the file says it."""

    @property
    def short(self) -> str:
        """The label in a sentence: "this device", "the remote", "the outside edit"."""
        return {
            "Edited outside narrate": "the outside edit",
            "In place": "the one in place",
            "The other version": "the copy",
        }.get(self.label, self.label.lower())

    @property
    def words(self) -> str:
        """The label as a phrase for a title: "the remote's version"."""
        lowered = self.label[0].lower() + self.label[1:]
        if self.label == "Edited outside narrate":
            return "edited outside narrate"
        return f"{lowered}'s version"


def device_id(root: Path) -> str:
    """This device's random id (in the journal's git-ignored state: never synced)."""
    import secrets

    from narrate.journal.store import STATE

    path = root / STATE / DEVICE_FILE
    try:
        found = path.read_text("utf-8").strip()
        if found:
            return found
    except OSError:
        pass
    made = secrets.token_hex(8)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, made.encode())
    return made


@dataclass
class Conflict:
    """A conflict copy and the entry it is another version of."""

    copy: Version
    """The other device's version (the conflict copy)."""
    original: Version | None
    """The version in place ("mine"), or None when that file is gone."""
    original_id: str | None
    """The ``conflict_of`` id the copy names (None for an unreadable copy)."""

    @property
    def title(self) -> str:
        """The entry's title, for lists."""
        for version in (self.original, self.copy):
            if version is not None and version.entry is not None:
                return str(version.entry.title)
        return self.copy.path.rsplit("/", 1)[-1]

    def theirs_in_place(self) -> bytes | None:
        """What keep theirs writes into the original's file: the copy with the
        original's id and no ``conflict_of``; None when the copy cannot be read."""
        from narrate.journal.frontmatter import DELETE

        if self.copy.entry is None:
            return None
        original = self.original
        keep_id = (
            original.entry.id
            if original is not None and original.entry is not None
            else self.original_id
        )
        return bytes(
            self.copy.entry.with_changes(
                id=keep_id, conflict_of=DELETE, **_no_origin(self)
            ).document.to_bytes()
        )

    def _meta(self, key: str) -> str | None:
        entry = self.copy.entry
        value = entry.meta.get(key) if entry is not None else None
        return None if value is None or str(value).strip() == "" else str(value).strip()

    @property
    def origin(self) -> str | None:
        """Where the copy came from: "remote" (sync), "outside" (the file changed under
        narrate's editor), or None (a copy made before narrate said so)."""
        return self._meta("conflict_from")

    def sides(self, device: str | None) -> tuple[Side, Side]:
        """The version in place and the copy, labelled by origin as seen on ``device``."""
        made_here = device is not None and self._meta("conflict_device") == device
        if self.origin == "outside":
            labels = ("This device", "Edited outside narrate")
        elif self.origin == "remote" and made_here:
            labels = ("This device", "The remote")
        elif self.origin == "remote":
            # Another device synced: its version stayed in place, this device's pushed
            # version became the copy.
            labels = ("The remote", "This device")
        else:
            labels = ("In place", "The other version")
        whens = [
            _when(v.entry) if v is not None and v.entry is not None else None
            for v in (self.original, self.copy)
        ]
        return Side(labels[0], whens[0]), Side(labels[1], whens[1])

    def bodies(self) -> tuple[str, str] | None:
        """Both versions' bodies, or None when either cannot be read as an entry."""
        if self.original is None or self.original.entry is None or self.copy.entry is None:
            return None
        return str(self.original.entry.body), str(self.copy.entry.body)

    @property
    def original_path(self) -> str | None:
        """Where the original is (or, when it is gone, where it was)."""
        if self.original is not None:
            return self.original.path
        return derived_original(self.copy.path)


@dataclass
class Resolution:
    """What resolving one conflict did."""

    choice: Choice
    kept: str
    """The path of the entry the user chose to keep (keep both: the original)."""
    removed: str
    """The conflict copy's path, now gone."""
    created: str | None = None
    """Keep both: the path the copy now lives at as an ordinary entry."""
    committed: bool = True
    """False when the files changed but git could not commit (the next sync will)."""
    warning: str | None = None

    @property
    def paths(self) -> list[str]:
        """Every path the resolution changed."""
        return [p for p in dict.fromkeys([self.kept, self.removed, self.created]) if p]

    def describe(self) -> str:
        """One line for the user."""
        if self.choice == "mine":
            return f"Kept the version in place, {self.kept}; the copy was deleted."
        if self.choice == "theirs":
            return f"{self.kept} now holds the copy's version; the copy was deleted."
        if self.choice == "merged":
            return f"{self.kept} now holds the merged version; the copy was deleted."
        return f"Kept both: the other version is now {self.created}."


def _when(entry: Any) -> str | None:
    from narrate.journal.entry import format_timestamp

    try:
        return str(format_timestamp(entry.updated))
    except (AttributeError, TypeError, ValueError):
        return None


def _no_origin(conflict: Conflict) -> dict[str, Any]:
    """Front matter changes that drop the copy's notes about itself."""
    from narrate.journal.frontmatter import DELETE

    entry = conflict.copy.entry
    return {k: DELETE for k in ORIGIN_KEYS if entry is not None and k in entry.meta}


def conflict_copy(
    path: str,
    data: bytes,
    tag: str,
    taken: Callable[[str], bool] | None = None,
    origin: dict[str, str] | None = None,
) -> tuple[str, bytes]:
    """The path and bytes of a conflict copy of ``data``, another version of the file
    at ``path``: ``<stem>-conflict-<tag>.md`` (``-2``, ``-3``... while ``taken`` says a
    name is in use).

    A readable version gets a new id (two files must not share one) and
    ``conflict_of`` naming the entry it is a version of; an unreadable one is kept byte
    for byte, and so is one whose front matter narrate cannot rewrite safely (it keeps
    the original's id then: doctor reports the pair). ``tag`` is sync's short commit id
    or the app's content hash: both forms match CONFLICT_NAME. ``origin`` adds the
    copy's notes about itself (``conflict_from``, ``conflict_device``...).
    """
    from narrate.journal.entry import BrokenEntry, Entry, new_id

    stem, suffix = split_suffix(path)
    copy = next_free(f"{stem}-conflict-{tag}", suffix, taken)
    try:
        entry = Entry.from_bytes(data, path)
        notes = {k: v for k, v in (origin or {}).items() if k in ORIGIN_KEYS and v}
        made = entry.with_changes(id=new_id(), conflict_of=entry.id, **notes)
        return copy, made.document.to_bytes()
    except (BrokenEntry, NarrateError):  # unreadable, or front matter it cannot rewrite
        return copy, data


def next_free(base: str, suffix: str, taken: Callable[[str], bool] | None = None) -> str:
    """``base + suffix``, else ``base-2 + suffix``, ``-3``... the first ``taken`` refuses."""
    candidate, n = f"{base}{suffix}", 2
    while taken is not None and taken(candidate):
        candidate = f"{base}-{n}{suffix}"
        n += 1
    return candidate


def split_suffix(path: str) -> tuple[str, str]:
    """``path`` without its file name's extension, and the extension with its dot ("" for
    none: a dot in a folder's name or a leading one is not an extension)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    if dot <= 0:
        return path, ""
    return path[: len(path) - len(name) + dot], name[dot:]


def is_conflict_name(path: str) -> bool:
    """Whether a file name looks like a conflict copy's."""
    return CONFLICT_NAME.match(path) is not None


def is_conflict_copy(item: Mapping[str, object]) -> bool:
    """Whether a listed entry (path, maybe ``conflict_of``) is a conflict copy."""
    return bool(item.get("conflict_of")) or is_conflict_name(str(item.get("path", "")))


def derived_original(copy_path: str) -> str | None:
    """The original's path as the copy's name tells it, or None if it does not."""
    match = CONFLICT_NAME.match(copy_path)
    return f"{match['stem']}.md" if match else None


def _read(journal: Journal, rel: str) -> Version | None:
    from narrate.journal.entry import BrokenEntry, Entry

    data = journal.read_file(rel)
    if data is None:
        return None
    try:
        return Version(rel, data, Entry.from_bytes(data, rel))
    except BrokenEntry as exc:
        return Version(rel, data, None, exc.reason)


def _find_original(journal: Journal, copy_path: str, original_id: str | None) -> Version | None:
    derived = derived_original(copy_path)
    candidates: list[str] = []
    if original_id:
        found = [p for p in journal.paths_with_id(original_id) if p != copy_path]
        # Two files sharing the id (a copy made by hand): the one the name points at.
        candidates += sorted(found, key=lambda p: (p != derived, MARKER in p, p))
    if derived:
        candidates.append(derived)
    for rel in dict.fromkeys(candidates):
        version = _read(journal, rel)
        if version is not None:
            return version
    return None


def read_conflict(journal: Journal, copy_path: str) -> Conflict | None:
    """The conflict whose copy is at ``copy_path``, read from disk now; None when the
    file is gone or is not a conflict copy."""
    copy = _read(journal, copy_path)
    if copy is None:
        return None
    if copy.entry is not None:
        original_id = copy.entry.meta.get("conflict_of")
        if original_id is None or str(original_id).strip() == "":
            return None  # "-conflict-" in an ordinary entry's name (a title, a kept copy)
        original_id = str(original_id).strip()
    elif is_conflict_name(copy_path):
        original_id = None  # an unreadable version, kept byte for byte
    else:
        return None
    return Conflict(copy, _find_original(journal, copy_path, original_id), original_id)


def list_conflicts(journal: Journal, candidates: list[str] | None = None) -> list[Conflict]:
    """Every conflict copy in the journal with its original, by path. ``candidates``:
    the indexed paths holding "-conflict-", when the caller has them already."""
    if candidates is None:
        candidates = journal.paths_containing(MARKER)
    paths = list(candidates)
    paths += [path for path, _reason in journal.broken() if is_conflict_name(path)]
    conflicts = []
    for path in sorted(set(paths)):
        conflict = read_conflict(journal, path)
        if conflict is not None:
            conflicts.append(conflict)
    return conflicts


def count_conflicts(journal: Journal, candidates: list[str] | None = None) -> int:
    """How many conflict copies wait for a decision (``candidates`` as for
    list_conflicts)."""
    return len(list_conflicts(journal, candidates))


def free_name(journal: Journal, copy_path: str) -> str:
    """A path for a kept copy beside its original: ``<stem>-2.md``, ``-3``... with no
    ``-conflict-`` left in it."""
    stem = derived_original(copy_path) or copy_path
    stem = stem.removesuffix(".md")
    while MARKER in stem:
        stem = stem.replace(MARKER, "-")
    for n in range(2, 10_000):
        candidate = f"{stem}-{n}.md"
        if not (journal.root / candidate).exists():
            return candidate
    raise NarrateError(f"no free name beside {stem}.md; rename {copy_path} by hand")


def _unchanged(journal: Journal, conflict: Conflict) -> None:
    """Refuse when either file is not as it was read."""
    for version, path in (
        (conflict.copy, conflict.copy.path),
        (conflict.original, conflict.original_path),
    ):
        if path is None:
            continue
        now = journal.read_file(path)
        then = version.data if version is not None else None
        if now != then:
            raise ConflictChanged(
                f"{path} changed since it was shown; look at both versions again "
                "(nothing was changed)"
            )


def merge_proposal(journal: Journal, conflict: Conflict) -> str | None:
    """A merged body to start from: three-way over the version both came from when the
    copy names it (``conflict_base``), line by line otherwise; where both changed the same
    lines, both are kept (mine first), so nothing is lost and no marker is left. None
    when either version cannot be read as an entry."""
    bodies = conflict.bodies()
    if bodies is None:
        return None
    mine, theirs = bodies
    base = _base_body(journal, conflict)
    if base is not None:
        merged = _merge_file(journal, mine, base, theirs)
        if merged is not None:
            return merged
    return union_merge(mine, theirs)


def union_merge(mine: str, theirs: str) -> str:
    """The lines of both texts in order: common lines once, each side's own lines kept."""
    import difflib

    a, b = mine.splitlines(keepends=True), theirs.splitlines(keepends=True)
    if a and not a[-1].endswith("\n"):
        a[-1] += "\n"
    if b and not b[-1].endswith("\n"):
        b[-1] += "\n"
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        out += a[i1:i2]
        if tag != "equal":
            out += b[j1:j2]
    return "".join(out)


def _base_body(journal: Journal, conflict: Conflict) -> str | None:
    from narrate.journal.entry import BrokenEntry, Entry
    from narrate.journal.history import git_bytes

    blob = conflict._meta("conflict_base")
    if blob is None or not re.fullmatch(r"[0-9a-f]{7,64}", blob):
        return None
    try:
        data = git_bytes(journal.root, "cat-file", "blob", blob)
        return str(Entry.from_bytes(data, conflict.original_path or "base.md").body)
    except (NarrateError, BrokenEntry, OSError):
        return None


def _merge_file(journal: Journal, mine: str, base: str, theirs: str) -> str | None:
    """``git merge-file -p --union`` over three texts (temporary files in the state)."""
    import tempfile

    from narrate.journal import gitrun
    from narrate.journal.store import STATE

    folder = Path(journal.root) / STATE
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix="merge-") as tmp:
        names = []
        for name, text in (("mine", mine), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_text(text, "utf-8")
            names.append(str(path))
        done = gitrun.run(["merge-file", "-p", "--union", *names], timeout=30, check=False)
        if done.returncode != 0:
            return None
        return done.stdout.decode("utf-8", "replace")


def resolve(
    journal: Journal, conflict: Conflict, choice: Choice, merged: str | None = None
) -> Resolution:
    """Keep mine, theirs, both or a merge (``merged``: the body, else the proposal; see
    the module's docstring); one commit.

    Raises ConflictChanged when a file changed since ``conflict`` was read, and
    NarrateError when the choice cannot be made (an unreadable version, a gone
    original); nothing is changed then.
    """
    from narrate.journal.core import NotCommitted
    from narrate.journal.frontmatter import DELETE

    if choice not in CHOICES:
        raise NarrateError(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")
    copy, original = conflict.copy, conflict.original
    target = conflict.original_path
    if choice == "mine" and original is None:
        raise NarrateError(
            f"the entry {copy.path} is a copy of is gone; keep theirs to restore it, or keep both"
        )
    if choice == "theirs" and copy.entry is None:
        raise NarrateError(
            f"the other version {copy.path} cannot be read as an entry ({copy.problem}); "
            "fix it in a text editor, or keep both"
        )
    merged_data: bytes | None = None
    if choice == "merged":
        if original is None or original.entry is None or copy.entry is None:
            raise NarrateError(
                f"a merge needs both versions of {copy.path} readable as entries; "
                "keep mine, theirs or both instead"
            )
        body = merged if merged is not None else merge_proposal(journal, conflict)
        merged_data = bytes(original.entry.touched(body=body).document.to_bytes())
    if choice == "theirs" and target is None:
        target = free_name(journal, copy.path)
    name = target or copy.path
    touched = [p for p in (copy.path, target) if p]

    _unchanged(journal, conflict)
    try:
        # Normally a no-op: both versions are committed already. If one was edited
        # outside narrate, this puts it in the history before anything replaces it.
        journal.commit_paths(touched, f"Keep both versions of {name} before resolving")
    except NotCommitted as exc:
        raise NarrateError(f"{exc}; nothing was changed") from exc

    resolution = Resolution(choice, kept=target or copy.path, removed=copy.path)
    with JournalLock(journal.root):
        _unchanged(journal, conflict)
        if choice == "theirs":
            data = conflict.theirs_in_place()
            assert target is not None and data is not None
            _write(journal, target, data)
        elif choice == "merged":
            assert target is not None and merged_data is not None
            _write(journal, target, merged_data)
        elif choice == "both":
            resolution.created = free_name(journal, copy.path)
            data = copy.data
            if copy.entry is not None:
                # Two entries with one title would not say which is which.
                words = conflict.sides(device_id(journal.root))[1].words
                title = f"{copy.entry.title} ({words})"
                data = copy.entry.with_changes(
                    conflict_of=DELETE, title=title, **_no_origin(conflict)
                ).document.to_bytes()
            _write(journal, resolution.created, data)
        # The copy goes last: whatever happens before, no text is gone from disk.
        with contextlib.suppress(FileNotFoundError):
            (journal.root / copy.path).unlink()
        journal.reindex_paths(resolution.paths)

    verb = {"mine": "keep mine", "theirs": "keep theirs", "both": "keep both", "merged": "merge"}[
        choice
    ]
    try:
        journal.commit_paths(resolution.paths, f"Resolve conflict in {name}: {verb}")
    except NotCommitted as exc:
        resolution.committed = False
        resolution.warning = str(exc)
    return resolution


def _write(journal: Journal, rel: str, data: bytes) -> None:
    path = journal.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
