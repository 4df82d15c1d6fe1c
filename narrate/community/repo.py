"""A community's git repository, handled as untrusted input.

narrate keeps a *bare* clone of each community under its data dir and never checks
files out: entries are read from git's object database (``ls-tree`` + ``cat-file``),
and shares are committed with plumbing into a private index. So no filter, smudge or
LFS driver, no submodule, no symlink and no path in the tree ever touches the disk,
and no hook runs. Every git call also pins the settings a hostile repository could
abuse (fsmonitor, pager, hooks, ssh command, credential helpers from the repo) and
checks every object it receives (``transfer.fsckObjects``). A community on this
machine (a path or file://) runs upload-pack and receive-pack inside its own
repository, where git drops those ``-c`` settings: they are named again on that
program's own command line (``--upload-pack``, ``--receive-pack``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shlex
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.errors import NarrateError
from narrate.journal import gitrun
from narrate.journal.remote import is_local_url, redact, validate_url

if TYPE_CHECKING:
    import subprocess

MAX_ENTRY_BYTES = 1024 * 1024
BLOB_BATCH = 2000
"""Blobs a partial clone asks for in one fetch (the feed's newest first)."""
MAX_LINE = 64 * 1024
"""The longest line narrate reads in an entry (a 1 MB one-line file is not a narration)."""
# No cap on a community's size: a big one is read whole, in batches, so memory stays
# bounded whatever a (hostile) repository holds: at most this many files and bytes of
# blobs are in memory at once.
READ_BATCH_FILES = 2000
READ_BATCH_BYTES = 8 * 1024 * 1024
LOCAL_TIMEOUT = 120.0
CLONE_TIMEOUT = 1800.0
"""The bound of a community's first clone (the pull's timeout is for what comes after)."""
Step = Callable[[int, int], object]
"""Progress of a long fetch: called with (done, total)."""
MEMBERS = "members/"
REPLIES = "replies/"
"""A member's replies, inside their folder: members/<handle>/replies/YYYY/<date>-<slug>.md."""
# A rejected push (someone pushed first) is rebuilt on the new head and tried again after
# a randomised, growing wait ("full jitter": members who collided do not collide again in
# lock step), for at most PUSH_BUDGET seconds in all.
PUSH_BUDGET = 30.0
PUSH_BASE = 0.2
PUSH_FACTOR = 2.0
PUSH_CAP = 5.0
# What git says when someone else's push got there first: before ours started ("fetch
# first", "non-fast-forward"), or while the server was taking ours (the ref moved under
# receive-pack's lock: "cannot lock ref ... but expected", "failed to update ref").
MOVED_SIGNS = (
    "[rejected]",
    "fetch first",
    "non-fast-forward",
    "cannot lock ref",
    "failed to update ref",
    "incorrect old value",
)

# Settings that make git safe to point at a repository we do not trust.
HARDENING = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.askPass=",
    "credential.interactive=never",
    "transfer.fsckObjects=true",
    "fetch.fsckObjects=true",
    "receive.fsckObjects=true",
    "submodule.recurse=false",
    "protocol.ext.allow=never",
    "protocol.fd.allow=never",
    "filter.lfs.process=",
    "filter.lfs.smudge=",
    "filter.lfs.required=false",
    "core.symlinks=false",
)
PINNED = tuple(item for setting in HARDENING for item in ("-c", setting))
# Settings for the git that runs *inside* a community on this machine (a path or
# file://): git clears GIT_CONFIG_PARAMETERS for local transports, so PINNED never
# reaches that receive-pack or upload-pack, which read the community's own config and
# hooks. Beyond PINNED: alternateRefsCommand and gc are commands the repository names,
# and a push into a checked-out branch (updateInstead) would run its smudge filters.
REMOTE_SIDE = (
    *HARDENING,
    "core.alternateRefsCommand=true",
    "receive.autogc=false",
    "receive.denyCurrentBranch=refuse",
)


def push_delay(attempt: int, rng: random.Random) -> float:
    """Seconds to wait before push attempt ``attempt + 1`` after ``attempt`` rejections:
    uniform in [0, min(cap, base * factor**attempt)]."""
    return rng.uniform(0.0, min(PUSH_CAP, PUSH_BASE * PUSH_FACTOR**attempt))


# Where member folders live, declared in community.toml (``layout = "sharded"``) so every
# client writes to the same place. "flat": members/<handle>/...; "sharded":
# members/<bucket>/<handle>/..., the bucket the first two hex digits of sha1(handle), so
# no directory holds more than a few hundred entries (hosts' web views truncate at about
# 1,000) at 10,000 members and up. Readers accept both, so a community can switch.
LAYOUTS = ("flat", "sharded")


def bucket(handle: str) -> str:
    """The shard folder of ``handle``: the first two hex digits of its sha1."""
    return hashlib.sha1(handle.encode("utf-8")).hexdigest()[:2]


def member_folder(handle: str, layout: str = "flat") -> str:
    """The folder (with its trailing /) that ``handle`` publishes into under ``layout``."""
    if layout == "sharded":
        return f"{MEMBERS}{bucket(handle)}/{handle}/"
    if layout == "flat":
        return f"{MEMBERS}{handle}/"
    raise CommunityError(
        f"community.toml declares layout '{layout}', which this narrate does not know "
        f"(known: {', '.join(LAYOUTS)}); nothing was published. Update narrate"
    )


@dataclass(frozen=True)
class MemberPath:
    """Whose folder a path in the community is in, and that folder (trailing /)."""

    handle: str
    folder: str


def _is_bucket(name: str) -> bool:
    return len(name) == 2 and all(c in "0123456789abcdef" for c in name)


def member_path(path: str) -> tuple[MemberPath | None, str | None]:
    """The member folder holding ``path`` in either layout, or why it is in none.

    The one rule for reading and publishing alike. A 2-hex-digit folder with a member
    folder inside is a bucket, and must be that member's bucket (else anyone could
    plant files where a reader would not look for them); ``<2 hex>/replies/`` and
    ``<2 hex>/<year>/`` stay a flat member's (a handle may be two hex digits, "ab").
    """
    parts = path.split("/")
    if parts[0] + "/" != MEMBERS or len(parts) < 3:
        return None, "not inside a member's folder"
    first, second = parts[1], parts[2]
    if _is_bucket(first) and len(parts) >= 5 and second != REPLIES.rstrip("/"):
        if bucket(second) == first:
            return MemberPath(second, f"{MEMBERS}{first}/{second}/"), None
        if not (len(second) == 4 and second.isdigit()):
            from narrate.sanitize import clean

            return None, (
                f"in bucket {first}/, but member '{clean(second, single_line=True)}' "
                f"belongs in bucket {bucket(second)}/"
            )
    return MemberPath(first, f"{MEMBERS}{first}/"), None


def member_of(path: str) -> str | None:
    """The handle of the member whose folder holds ``path`` (either layout), or None."""
    found, _problem = member_path(path)
    return found.handle if found else None


def fetch_order(files: list[tuple[str, str]], followed: Collection[str] = ()) -> list[str]:
    """The blobs of ``files`` ((path, blob)) in the order a partial clone fetches them:
    followed members' entries first, then every entry newest first (narrate names files
    by their day), then the other files."""
    newest = sorted(files, key=lambda item: item[0].rsplit("/", 1)[-1], reverse=True)

    def rank(item: tuple[str, str]) -> int:
        member = member_of(item[0]) if item[0].endswith(".md") else None
        return 0 if member in followed else 1 if member is not None else 2

    return [blob for _path, blob in sorted(newest, key=rank)]


class CommunityError(NarrateError):
    """A community operation failed; the message names the community and what to do."""


@dataclass
class TreeFile:
    """A file in the community tree that narrate may read."""

    path: str
    blob: str
    size: int


@dataclass
class Skipped:
    """A file narrate refused to read, and why (shown as a notice)."""

    path: str
    reason: str


def classify(
    mode: bytes, kind: bytes, blob: bytes, size: int, raw_path: bytes
) -> TreeFile | Skipped | None:
    """The one rule for a file of a community tree: a file narrate may read, why it is
    skipped, or None for a file that is not an entry (and needs no notice)."""
    path = raw_path.decode("utf-8", "replace")
    if not path.startswith(MEMBERS):
        if path.endswith(".md") and path != "README.md":
            return Skipped(path, "outside members/")
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\\" in path:
        return Skipped(path, "path escapes the community folder")
    if mode == b"120000":
        return Skipped(path, "symbolic link")
    if kind != b"blob" or mode not in (b"100644", b"100755"):
        return Skipped(path, "not a regular file")
    if not path.endswith(".md"):
        return None
    if (problem := member_path(path)[1]) is not None:
        return Skipped(path, problem)
    if size > MAX_ENTRY_BYTES:
        return Skipped(path, f"larger than {MAX_ENTRY_BYTES // 1024} KB")
    return TreeFile(path, blob.decode(), size)


@dataclass
class SkipTally:
    """What a read skipped, kept small whatever a repository holds: a count per reason
    and the first few files of each (a hostile tree of a million files is one line)."""

    examples: int = 3
    counts: dict[str, int] = field(default_factory=dict)
    first: list[Skipped] = field(default_factory=list)

    def add(self, item: Skipped) -> None:
        """Count one skipped file (kept as an example while its reason has few)."""
        seen = self.counts.get(item.reason, 0)
        self.counts[item.reason] = seen + 1
        if seen < self.examples:
            self.first.append(item)

    def notices(self) -> list[str]:
        """One line per reason that skipped more files than the examples show."""
        return [
            f"{count:,} files skipped in all: {reason}"
            for reason, count in sorted(self.counts.items())
            if count > self.examples
        ]


class CommunityRepo:
    """A bare clone of a community, operated with hardened git."""

    def __init__(
        self, name: str, path: Path, url: str, timeout: float = 30.0, partial: bool = False
    ) -> None:
        self.name = name
        self.path = path
        self.url = url
        self.timeout = timeout
        self.partial = partial
        """Clone blobless: entries' contents are fetched afterwards, in batches."""
        self.followed: Collection[str] = ()
        """Members whose entries a partial clone fetches first."""

    # ------------------------------------------------------------------ running git

    def _hardened(self, *args: str) -> list[str]:
        """git's arguments for ``args`` on the clone, with every hostile setting pinned."""
        return ["--git-dir", str(self.path), *PINNED, *args]

    def _run(
        self,
        args: list[str],
        data: bytes | None = None,
        env: dict[str, str] | None = None,
        network: bool = False,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run git through the core's runner; a timeout becomes the community's error."""
        bound = self.timeout if network else max(self.timeout, LOCAL_TIMEOUT)
        try:
            return gitrun.run(
                args,
                timeout=bound,
                # No -c smuggled in through the environment.
                env={"GIT_CONFIG_PARAMETERS": "", **(env or {})},
                input=data,
                check=False,
            )
        except gitrun.GitError as exc:
            if exc.kind != "timeout":
                raise
            raise CommunityError(
                f"community '{self.name}' ({redact(self.url)}) did not answer within "
                f"{bound:g} s; try again later"
            ) from None

    def git(
        self,
        *args: str,
        data: bytes | None = None,
        env: dict[str, str] | None = None,
        check: bool = True,
        network: bool = False,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run hardened git on the clone; network calls are bounded by the timeout."""
        result = self._run(self._hardened(*args), data, env, network)
        if check and result.returncode != 0:
            raise self._failure(args, result.stderr.decode("utf-8", "replace"))
        return result

    def text(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
        """git's stdout as text."""
        return self.git(*args, data=data, env=env).stdout.decode("utf-8", "replace")

    def _failure(self, args: tuple[str, ...], stderr: str) -> CommunityError:
        from narrate.sanitize import clean

        first = clean(gitrun.first_line(stderr, "failed"), single_line=True)
        if "fsck" in stderr or "badTree" in stderr or "hasDot" in stderr:
            return CommunityError(
                f"community '{self.name}' ({redact(self.url)}) failed git's safety checks "
                f"({first}); narrate will not read it. Tell its maintainers"
            )
        return CommunityError(f"git {args[0]} failed for community '{self.name}': {first}")

    # ------------------------------------------------------------------ clone and fetch

    def clone(self, step: Step | None = None) -> None:
        """Clone the community (bare, objects checked); a local path is cloned, not used.
        ``step(done, total)`` follows a partial clone's fetching of entries."""
        usual = self.timeout
        # A large community's first clone is minutes of honest work (1M shares: a 600 MB
        # pack), not a host that stopped answering: it has a bound of its own.
        self.timeout = max(usual, CLONE_TIMEOUT)
        try:
            self._clone(step)
        finally:
            self.timeout = usual

    def _clone(self, step: Step | None) -> None:
        """The clone itself, under whatever bound :meth:`clone` set."""
        validate_url(self.url)
        if self.path.exists():
            raise CommunityError(f"{self.path} already exists; remove the community first")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            cloned = self._run(
                [
                    *PINNED,
                    "clone",
                    "--bare",
                    "--no-local",
                    "--no-recurse-submodules",
                    # Blobless: the history's trees and commits, no file contents; the
                    # current entries' come next (fetch_blobs), old versions never.
                    *(["--filter=blob:none"] if self.partial else []),
                    *self._pack_program("upload-pack"),
                    "--",
                    self.url,
                    str(self.path),
                ],
                network=True,
            )
        except CommunityError:
            self._discard()
            raise
        if cloned.returncode != 0:
            self._discard()
            raise self._failure(("clone",), cloned.stderr.decode("utf-8", "replace"))
        # A bare clone maps branches onto refs/heads; keep them as remote-tracking refs so
        # our own unpushed commits never get overwritten by a fetch.
        self.git("config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*")
        program = self._pack_program("upload-pack")
        if program:
            # A fetch git starts by itself (an object a partial clone lacks) names no
            # --upload-pack: the hardened one is the remote's setting too.
            self.git("config", "remote.origin.uploadpack", program[0].partition("=")[2])
        self.fetch(force=True, step=step)

    def _pack_program(self, program: str) -> list[str]:
        """``--upload-pack``/``--receive-pack`` running ``program`` with hooks and
        command settings off, for a community on this machine; nothing for ssh, https or
        git://, whose server runs its own."""
        if not is_local_url(self.url):
            return []
        # git runs it through the shell, with the repository's path appended.
        settings = " ".join(f"-c {shlex.quote(setting)}" for setting in REMOTE_SIDE)
        return [f"--{program}=git {settings} {program}"]

    def _discard(self) -> None:
        import shutil

        shutil.rmtree(self.path, ignore_errors=True)

    def remote_heads(self) -> dict[str, str]:
        """The community's branches and their commits, as the remote advertises them
        (one round trip, no objects)."""
        out = self.git(
            "ls-remote",
            "--heads",
            *self._pack_program("upload-pack"),
            "origin",
            network=True,
        ).stdout.decode("utf-8", "replace")
        heads: dict[str, str] = {}
        for line in out.splitlines():
            sha, _tab, ref = line.partition("\t")
            if ref.startswith("refs/heads/"):
                heads[ref.removeprefix("refs/heads/")] = sha.strip()
        return heads

    def tracked_heads(self) -> dict[str, str]:
        """The branches as this clone last fetched them."""
        out = self.text("for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes/origin")
        heads: dict[str, str] = {}
        for line in out.splitlines():
            sha, _space, ref = line.partition(" ")
            name = ref.removeprefix("refs/remotes/origin/")
            if name != "HEAD":
                heads[name] = sha
        return heads

    def fetch(self, force: bool = False, step: Step | None = None) -> bool:
        """Fetch the community's branches (objects checked), unless ``ls-remote`` says
        the clone already holds every one of them; returns whether it fetched. A
        partial clone then fetches the entries it lacks (``step(done, total)`` after
        each batch)."""
        # A pull that finds nothing new costs one ref advertisement, not a fetch
        # negotiation: thousands of members polling one host add up (CocoaPods#4989).
        if not force and self.remote_heads() == self.tracked_heads():
            if self.partial and self._pending.exists():
                self.backfill(step)
            return False
        self._fetch_refs()
        if self.partial:
            self.backfill(step)
        return True

    @property
    def _pending(self) -> Path:
        """Present while a partial clone's entries are not all fetched (an interrupted
        pull resumes the next time, even when nothing new was pushed)."""
        return self.path / "narrate-backfill-pending"

    def backfill(self, step: Step | None = None) -> int:
        """Fetch the entries a partial clone lacks at the fetched head, in batches of
        BLOB_BATCH, followed members' first, newest first; returns how many."""
        head = self.head()
        if not head:
            return 0
        order = fetch_order(self.missing_blobs(head), self.followed)
        if not order:
            self._pending.unlink(missing_ok=True)
            return 0
        self._pending.touch()
        for start in range(0, len(order), BLOB_BATCH):
            self.fetch_blobs(order[start : start + BLOB_BATCH])
            if step is not None:
                step(min(start + BLOB_BATCH, len(order)), len(order))
        self._pending.unlink(missing_ok=True)
        return len(order)

    def _fetch_refs(self) -> None:
        self.git(
            "fetch",
            "--prune",
            "--no-tags",
            *self._pack_program("upload-pack"),
            "origin",
            network=True,
        )

    def missing_blobs(self, commit: str) -> list[tuple[str, str]]:
        """(path, blob) of the files at ``commit`` whose contents a partial clone does
        not hold yet; nothing is fetched to find them.

        Every file, not only entries: reading the tree (``ls-tree -l``, community.toml)
        would otherwise make git fetch each one missing by itself, one request apiece,
        and a clone never holds less than a full one's newest tree would."""
        listed = self.git(
            "rev-list", "--objects", "--missing=print", "--no-object-names", f"{commit}^{{tree}}"
        ).stdout.decode()
        missing = {line[1:] for line in listed.splitlines() if line.startswith("?")}
        if not missing:
            return []
        found: list[tuple[str, str]] = []
        tree = self.git("ls-tree", "-r", "-z", "--full-tree", commit).stdout
        for record in tree.split(b"\0"):
            info, _tab, raw_path = record.partition(b"\t")
            fields = info.split()
            if len(fields) != 3 or fields[1] != b"blob" or fields[2].decode() not in missing:
                continue
            found.append((raw_path.decode("utf-8", "replace"), fields[2].decode()))
        return found

    def fetch_blobs(self, blobs: list[str]) -> None:
        """Fetch these blobs into a partial clone, in one request (objects checked)."""
        if not blobs:
            return
        self.git(
            # What git's own lazy fetch runs: no negotiation, just the objects named.
            "-c",
            "fetch.negotiationAlgorithm=noop",
            "fetch",
            "--no-tags",
            "--no-write-fetch-head",
            "--recurse-submodules=no",
            "--filter=blob:none",
            "--stdin",
            *self._pack_program("upload-pack"),
            "origin",
            data="".join(f"{blob}\n" for blob in blobs).encode(),
            network=True,
        )

    def branch(self) -> str | None:
        """The branch members push to: the remote's default, else main, else any."""
        head = self.git("symbolic-ref", "-q", "HEAD", check=False).stdout.decode().strip()
        refs = self.text("for-each-ref", "--format=%(refname)", "refs/remotes/origin").split()
        names = [r.removeprefix("refs/remotes/origin/") for r in refs if not r.endswith("/HEAD")]
        preferred = head.removeprefix("refs/heads/") if head else ""
        for candidate in (preferred, "main", "master"):
            if candidate in names:
                return candidate
        return names[0] if names else preferred or None

    def head(self) -> str | None:
        """The fetched commit of the members' branch, or None for an empty community."""
        branch = self.branch()
        if not branch:
            return None
        found = self.git(
            "rev-parse", "-q", "--verify", f"refs/remotes/origin/{branch}^{{commit}}", check=False
        )
        return found.stdout.decode().strip() or None

    # ------------------------------------------------------------------ reading

    def files(self, commit: str) -> tuple[list[TreeFile], list[Skipped]]:
        """Markdown files under members/ narrate may read, and what it skipped and why."""
        readable: list[TreeFile] = []
        skipped: list[Skipped] = []
        for item in self.iter_files(commit):
            if isinstance(item, TreeFile):
                readable.append(item)
            else:
                skipped.append(item)
        return readable, skipped

    def iter_files(self, commit: str) -> Iterator[TreeFile | Skipped]:
        """Each file of the tree narrate may read, or why it skips one, in tree order."""
        listing = self.git("ls-tree", "-r", "-l", "-z", "--full-tree", commit).stdout
        position = 0
        # Parsed lazily: the listing (about 100 bytes a file) is the one thing held whole.
        while position < len(listing):
            end = listing.find(b"\0", position)
            end = len(listing) if end < 0 else end
            record = listing[position:end]
            position = end + 1
            if not record:
                continue
            info, _tab, raw_path = record.partition(b"\t")
            mode, kind, blob, size = info.split()
            found = classify(mode, kind, blob, int(size) if size.isdigit() else 0, raw_path)
            if found is not None:
                yield found

    def changes(self, old: str, new: str) -> list[tuple[str, TreeFile | Skipped | None]]:
        """What changed from commit ``old`` to ``new``: each changed path
        with what is there now (a file to read, why it is skipped, or None: removed or
        not an entry). A rename is a removal and an addition."""
        out = self.git("diff-tree", "-r", "-z", "--no-renames", "--no-ext-diff", old, new).stdout
        fields = out.split(b"\0")
        raw: list[tuple[bytes, bytes, bytes, bytes]] = []
        for at in range(0, len(fields) - 1, 2):
            info, raw_path = fields[at], fields[at + 1]
            if not info.startswith(b":"):
                continue
            _old_mode, mode, _old_blob, blob, status = info[1:].split()
            raw.append((mode, blob, status, raw_path))
        sizes = self.sizes([b.decode() for m, b, s, _p in raw if not s.startswith(b"D")])
        found: list[tuple[str, TreeFile | Skipped | None]] = []
        for mode, blob, status, raw_path in raw:
            path = raw_path.decode("utf-8", "replace")
            if status.startswith(b"D"):
                found.append((path, None))
                continue
            kind, size = sizes.get(blob.decode(), ("blob", 0))
            found.append((path, classify(mode, kind.encode(), blob, size, raw_path)))
        return found

    def is_ancestor(self, old: str, new: str) -> bool:
        """Whether commit ``old`` is in ``new``'s history (false after a history rewrite,
        or when ``old`` is no longer in the clone)."""
        return self.git("merge-base", "--is-ancestor", old, new, check=False).returncode == 0

    def sizes(self, blobs: list[str]) -> dict[str, tuple[str, int]]:
        """Each object's type and size, without reading it."""
        found: dict[str, tuple[str, int]] = {}
        for start in range(0, len(blobs), 50_000):
            chunk = blobs[start : start + 50_000]
            out = self.git(
                "cat-file",
                "--batch-check=%(objectname) %(objecttype) %(objectsize)",
                data="".join(f"{b}\n" for b in chunk).encode(),
            ).stdout
            for line in out.decode("utf-8", "replace").splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[2].isdigit():
                    found[parts[0]] = (parts[1], int(parts[2]))
        return found

    def batches(self, files: Iterable[TreeFile]) -> Iterator[list[tuple[TreeFile, bytes]]]:
        """The files' contents, read in batches of at most READ_BATCH_FILES files and
        READ_BATCH_BYTES bytes (one ``cat-file --batch`` each), so memory stays bounded."""
        batch: list[TreeFile] = []
        size = 0
        for item in files:
            if batch and (len(batch) >= READ_BATCH_FILES or size + item.size > READ_BATCH_BYTES):
                yield self._read_batch(batch)
                batch, size = [], 0
            batch.append(item)
            size += item.size
        if batch:
            yield self._read_batch(batch)

    def _read_batch(self, files: list[TreeFile]) -> list[tuple[TreeFile, bytes]]:
        blobs = self.read_blobs([f.blob for f in files])
        return [(f, blobs[f.blob]) for f in files if f.blob in blobs]

    def read_blobs(self, blobs: list[str]) -> dict[str, bytes]:
        """The contents of many blobs, one git process per READ_BATCH_FILES of them; a
        blob larger than MAX_ENTRY_BYTES is not read."""
        found: dict[str, bytes] = {}
        unique = list(dict.fromkeys(blobs))
        for start in range(0, len(unique), READ_BATCH_FILES):
            chunk = unique[start : start + READ_BATCH_FILES]
            # The sizes first: a blob that inflates to GBs is never asked for.
            sizes = self.sizes(chunk)
            wanted = [
                b for b in chunk if sizes.get(b, ("", MAX_ENTRY_BYTES + 1))[1] <= MAX_ENTRY_BYTES
            ]
            if not wanted:
                continue
            out = self.git(
                "cat-file", "--batch", data="".join(f"{b}\n" for b in wanted).encode()
            ).stdout
            position = 0
            while position < len(out):
                header_end = out.index(b"\n", position)
                header = out[position:header_end].split()
                position = header_end + 1
                if len(header) < 3 or header[1] == b"missing":
                    continue
                size = int(header[2])
                found[header[0].decode()] = out[position : position + size]
                position += size + 1
        return found

    def authors(self, commit: str, since: str | None = None) -> list[tuple[str, list[str]]]:
        """Each commit's author ("Name <email>") and the files under members/ it changed,
        newest first: one git log over the history (``since``: only the commits after
        that one), however many files there are."""
        out = self.git(
            "log",
            "-z",
            "--no-renames",
            # The raw author: a .mailmap in the community must not rename a pusher, and
            # a user's log.showSignature must not run gpg once per commit.
            "--no-use-mailmap",
            "--no-show-signature",
            "--name-only",
            "--format=%x01%an%x00%ae",
            commit if since is None else f"{since}..{commit}",
            "--",
            MEMBERS,
        ).stdout.decode("utf-8", "replace")
        found: list[tuple[str, list[str]]] = []
        for record in out.split("\x01")[1:]:
            name, _, rest = record.partition("\0")
            email, _, names = rest.partition("\0")
            paths = [p.lstrip("\n") for p in names.split("\0") if p.strip("\n")]
            found.append((f"{name} <{email}>", paths))
        return found

    def read_file(self, commit: str, path: str) -> bytes | None:
        """One file at ``commit`` (community.toml), if it is a small regular file."""
        listed = self.git("ls-tree", "-l", "-z", commit, "--", path, check=False).stdout
        if not listed:
            return None
        info = listed.split(b"\t", 1)[0].split()
        if info[0] not in (b"100644", b"100755") or int(info[3]) > MAX_ENTRY_BYTES:
            return None
        return self.read_blobs([info[2].decode()]).get(info[2].decode())

    def file_history(self, commit: str, path: str, limit: int = 200) -> list[tuple[str, str]]:
        """The commits up to ``commit`` that changed ``path`` (community.toml), newest
        first, each with its committer date (ISO 8601): at most ``limit``."""
        out = self.text(
            "log", f"--max-count={limit}", "--no-renames", "--format=%H %cI", commit, "--", path
        )
        found: list[tuple[str, str]] = []
        for line in out.splitlines():
            sha, _, when = line.partition(" ")
            if sha and when:
                found.append((sha, when))
        return found

    # ------------------------------------------------------------------ writing

    def commit_change(
        self,
        path: str,
        data: bytes | None,
        message: str,
        author: str,
        email: str,
        when: dt.datetime | None = None,
        remove: tuple[str, ...] = (),
    ) -> str:
        """Put (or, with ``data=None``, remove) one file on the members' branch, and remove
        the paths in ``remove``, in one commit; push, rebuilding on the new head if someone
        pushed first. Returns the commit."""
        when = when or dt.datetime.now(dt.UTC)
        stamp = f"{int(when.timestamp())} +0000"
        identity = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        blob = None
        if data is not None:
            blob = self.text("hash-object", "-w", "--stdin", data=data).strip()
        branch = self.branch() or "main"
        index_file = self.path / "narrate-share-index"
        env = {"GIT_INDEX_FILE": str(index_file)}
        rng = random.Random()
        deadline = time.monotonic() + PUSH_BUDGET
        attempt = 0
        while True:
            parent = self.head()
            index_file.unlink(missing_ok=True)
            try:
                if parent:
                    self.git("read-tree", parent, env=env)
                # --index-info works without a work tree (a mode of 0 removes the path).
                line = f"0 {'0' * 40}\t{path}\n" if blob is None else f"100644 {blob}\t{path}\n"
                line += "".join(f"0 {'0' * 40}\t{gone}\n" for gone in remove)
                self.git("update-index", "--index-info", data=line.encode(), env=env)
                tree = self.text("write-tree", env=env).strip()
            finally:
                index_file.unlink(missing_ok=True)
            if parent and tree == self.text("rev-parse", f"{parent}^{{tree}}").strip():
                return parent  # nothing to change
            parents = ["-p", parent] if parent else []
            commit = self.text("commit-tree", tree, *parents, "-m", message, env=identity).strip()
            pushed = self.git(
                "push",
                "--porcelain",
                *self._pack_program("receive-pack"),
                "origin",
                f"{commit}:refs/heads/{branch}",
                check=False,
                network=True,
            )
            if pushed.returncode == 0:
                self.git("update-ref", f"refs/remotes/origin/{branch}", commit)
                return commit
            said = (pushed.stdout + pushed.stderr).decode("utf-8", "replace").lower()
            if not any(sign in said for sign in MOVED_SIGNS):
                if "refusing to update checked out branch" in said:
                    raise CommunityError(
                        f"community '{self.name}' ({redact(self.url)}) has its branch "
                        "checked out; narrate shares only into a bare repository (make one "
                        "with 'git clone --bare')"
                    )
                raise self._failure(("push",), pushed.stderr.decode("utf-8", "replace"))
            delay = push_delay(attempt, rng)
            if time.monotonic() + delay > deadline:
                raise CommunityError(
                    f"community '{self.name}' kept moving while narrate pushed for "
                    f"{PUSH_BUDGET:g} s; nothing was published, run the command again"
                )
            time.sleep(delay)
            attempt += 1
            # Someone pushed first: rebuild the one change on their head (their files
            # stay, ours is put once) and try again.
            self.fetch(force=True)
