"""Sync a journal with its private remote: commit, fetch, integrate, push; never lose a word.

Integration never leaves git mid-merge: the merged tree is computed in memory with
``git merge-tree --write-tree``, conflicts are resolved by narrate's rule (the local
version stays, the remote one is saved beside it as a conflict copy, an edit beats a
delete), the merge commit is made with ``commit-tree``, and the working tree moves to
it with a fast-forward. Nothing is ever forced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrate.errors import NarrateError
from narrate.journal import gitrun
from narrate.journal.gitrun import GitError
from narrate.journal.history import git_bytes, git_dir, run_git

# Re-exported: the faces ask sync, never history, about the remote.
from narrate.journal.history import has_remote as has_remote
from narrate.journal.history import remote_url as remote_url
from narrate.journal.remote import is_encrypted_url, redact
from narrate.journal.store import STATE, JournalLock, scan_dir

if TYPE_CHECKING:
    from narrate.journal.core import Journal

DEFAULT_TIMEOUT = 30.0
# As for the index (docs/index.md): look at every file at most every 10 minutes, and
# always in journals of up to 5,000 files; otherwise only at the folders that changed.
FULL_CHECK_SECONDS = 600
FULL_CHECK_FILES = 5000
PUSH_ATTEMPTS = 3


class SyncError(NarrateError):
    """Sync stopped; local commits are kept and the message says what to do.

    ``kind`` lets the app say what happened without parsing the message: "offline"
    (unreachable or timed out), "auth" (credentials refused), "state" (the repository
    is mid-merge, locked, detached, has no remote, or holds an unrelated history), or
    "other".
    """

    def __init__(self, message: str, kind: str = "other") -> None:
        # Messages quote git's stderr and the remote: never with a password in them.
        super().__init__(redact(message))
        self.kind = kind


@dataclass
class SyncResult:
    """What one sync did."""

    committed: bool = False
    pulled: int = 0
    pushed: int = 0
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (kept, copy)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # same name, other entry
    changed_paths: list[str] = field(default_factory=list)
    kept_local: list[str] = field(default_factory=list)
    """Files that are not entries (settings of other tools) changed on both devices:
    this device's version was kept, and no conflict copy made."""
    untracked: list[str] = field(default_factory=list)
    """Per-device files (store.DEVICE_FILES) git stopped tracking; they stay on disk."""
    first_push: bool = False
    local_only: bool = False
    """No remote is set: pending changes were committed here, nothing else was done."""


@dataclass
class SyncStatus:
    """The journal's relation to its remote, for `narrate status` and the app's header."""

    branch: str | None
    remote: str | None
    ahead: int | None
    behind: int | None
    last_sync: str | None
    last_error: str | None
    uncommitted: int
    conflicts: list[str]
    problems: list[str]
    last_error_kind: str | None = None  # "offline", "auth", "state" or "other"
    encrypted: bool = False
    """The remote is gcrypt's (docs/sync.md, "Encrypted remote")."""
    participants: list[dict[str, str]] = field(default_factory=list)
    """Whom it is encrypted for: fingerprint, keyid and uid of each key."""

    def to_json(self) -> dict[str, Any]:
        """A JSON object with stable keys."""
        return dict(self.__dict__)


def _short(sha: str) -> str:
    return sha[:7]


class Syncer:
    """One sync run over a Journal."""

    def __init__(
        self, journal: Journal, timeout: float = DEFAULT_TIMEOUT, *, prompt: bool = False
    ) -> None:
        self.journal = journal
        self.root: Path = journal.root
        self.timeout = timeout
        self.prompt = prompt
        """Whether gpg-agent may ask a passphrase on this terminal (a command, not the app)."""
        self.encrypted = False
        self.participants: list[str] = []
        self.remote_url: str | None = None
        self.ssh_command: str | None = None
        self.upstream: str | None = None

    # ------------------------------------------------------------------ running git

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_git(self.root, *args, check=check)

    def _remote_git(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A git command that talks to the remote: bounded in time, never prompting."""
        from narrate.journal import crypt

        env, unset = gitrun.gpg_terminal(self.prompt) if self.encrypted else ({}, ())
        timeout = self.timeout * (crypt.TIMEOUT_FACTOR if self.encrypted else 1)
        if "GIT_SSH_COMMAND" not in os.environ and not self.ssh_command:
            env["GIT_SSH_COMMAND"] = (
                f"ssh -o BatchMode=yes -o ConnectTimeout={max(1, int(self.timeout))}"
            )
        speed = [
            "-c",
            "http.lowSpeedLimit=1",
            "-c",
            f"http.lowSpeedTime={max(1, int(self.timeout))}",
        ]
        try:
            return gitrun.run(
                [*speed, *args],
                self.root,
                timeout=timeout,
                env=env,
                check=False,
                text=True,
                unset=unset,
            )
        except GitError as exc:
            if exc.kind != "timeout":
                raise
            # gcrypt repacks the remote every 25 pushes (the first time with the whole
            # journal, ~17 s at 10k entries): a longer bound once gets past it.
            hint = (
                "; an encrypted remote takes longer every 25 pushes, when it repacks: run "
                f"'narrate sync --timeout {max(300, int(self.timeout * 10))}' once"
                if self.encrypted
                else ""
            )
            raise SyncError(
                f"origin ({self.remote_shown}) did not answer within {timeout:g} s; "
                "your commits are kept here, run 'narrate sync' again when it is reachable" + hint,
                "offline",
            ) from None

    def _network_failure(self, stderr: str) -> SyncError:
        from narrate.journal import crypt

        explained = crypt.explain(stderr, self.remote_shown) if self.encrypted else None
        if explained:
            return SyncError(*explained)
        if self.encrypted:
            stderr = crypt.quiet(stderr)
        first = gitrun.first_line(stderr, "no answer")
        # Anything else a fetch or push can say means the remote is out of reach.
        if gitrun.classify(stderr) == "auth":
            return SyncError(
                f"origin ({self.remote_shown}) refused the credentials: {first}; "
                "check your ssh key or credential helper (narrate never prompts). "
                "Your commits are kept here",
                "auth",
            )
        return SyncError(
            f"cannot reach origin ({self.remote_shown}): {first}; your commits are "
            "kept here, run 'narrate sync' again when it is reachable",
            "offline",
        )

    # ------------------------------------------------------------------ checks

    @property
    def remote_shown(self) -> str:
        """The remote URL, safe to print."""
        return redact(self.remote_url or "")

    def preflight(self) -> str:
        """Refuse unsafe repository states; returns the current branch."""
        folder = git_dir(self.root)
        states = {
            "rebase-merge": ("a rebase", "git rebase --abort"),
            "rebase-apply": ("a rebase or am", "git rebase --abort"),
            "MERGE_HEAD": ("a merge", "git merge --abort"),
            "CHERRY_PICK_HEAD": ("a cherry-pick", "git cherry-pick --abort"),
            "REVERT_HEAD": ("a revert", "git revert --abort"),
        }
        for marker, (what, undo) in states.items():
            if (folder / marker).exists():
                raise SyncError(
                    f"the journal repository is in the middle of {what} that narrate did "
                    f"not start; finish it, or undo it with '{undo}' in {self.root}, then "
                    "sync again (nothing was changed)",
                    "state",
                )
        lock = folder / "index.lock"
        if lock.exists():
            raise SyncError(
                f"git's lock file {lock} exists: another git command is running, or one "
                f"crashed. If no git is running, remove it (rm '{lock}') and sync again",
                "state",
            )
        head = self._git("symbolic-ref", "-q", "--short", "HEAD", check=False)
        if head.returncode != 0:
            raise SyncError(
                f"the journal repository has a detached HEAD; run 'git -C {self.root} switch "
                "main' (or your branch) and sync again (nothing was changed)",
                "state",
            )
        branch = head.stdout.strip()
        # One read of the settings sync needs (each git process costs ~5 ms).
        found = self._git(
            "config",
            "-z",
            "--get-regexp",
            r"^(remote\.origin\.url|core\.sshcommand|branch\..*\.merge)$",
            check=False,
        ).stdout
        settings = dict(item.split("\n", 1) for item in found.split("\0") if "\n" in item)
        self.remote_url = settings.get("remote.origin.url")
        self.ssh_command = settings.get("core.sshcommand")
        self.upstream = settings.get(f"branch.{branch}.merge")
        self.encrypted = is_encrypted_url(self.remote_url)
        return branch

    # ------------------------------------------------------------------ the run

    def run(self) -> SyncResult:
        """Commit, fetch, integrate, push. Raises SyncError with a clear message."""
        result = SyncResult()
        started = time.time()
        full = False
        try:
            with JournalLock(self.root, timeout=2.0):
                branch = self.preflight()
                if not self.remote_url:
                    # Nothing to exchange, but every change still reaches git history.
                    result.local_only = True
                    result.untracked = ignore_device_files(self.root)
                    result.committed = self._commit_pending(True)
                    return result
                gitrun.require_git()  # before anything is fetched or merged
                result.untracked = ignore_device_files(self.root)
                full = self._full_check_due()
                result.committed = self._commit_pending(full)
                for attempt in range(PUSH_ATTEMPTS):
                    before = self._head()
                    remote_head = self._fetch(branch)
                    if remote_head is not None:
                        try:
                            self._integrate(before, remote_head, result)
                        except _DirtyTree:
                            # An in-place edit the quick check could not see is in the way
                            # of the merge: commit everything, then integrate again.
                            full = True
                            result.committed = self._commit_pending(True) or result.committed
                            self._integrate(self._head(), remote_head, result)
                    if self._push(branch, remote_head, result):
                        break
                    if attempt == PUSH_ATTEMPTS - 1:
                        raise SyncError(
                            f"origin ({self.remote_shown}) kept moving while narrate pushed; "
                            "your commits are kept here, run 'narrate sync' again"
                        )
                self._set_upstream(branch)
                self._reindex(result.changed_paths)
            self._record(ok=True, message="", started=started, full=full)
        except NarrateError as exc:
            kind = exc.kind if isinstance(exc, SyncError) else "other"
            self._record(ok=False, message=str(exc), kind=kind)
            if isinstance(exc, SyncError) or not isinstance(exc, GitError):
                raise
            raise SyncError(str(exc)) from exc
        return result

    # ------------------------------------------------------------------ pending changes

    def _full_check_due(self) -> bool:
        """Whether to look at every file for changes made outside narrate (docs/sync.md)."""
        last = self._load_record().get("last_full_check")
        if last is None or time.time() - float(last) > FULL_CHECK_SECONDS:
            return True
        index = git_dir(self.root) / "index"
        # ~100 bytes an entry in git's index: a small journal is always checked fully.
        return not index.exists() or index.stat().st_size < FULL_CHECK_FILES * 100

    def _recent_folders(self) -> list[str]:
        """Entry folders changed since the last sync began, and the two newest months."""
        from narrate.journal.store import ENTRIES, read_folders

        since_ns = int((float(self._load_record().get("last_sync_started") or 0) - 2) * 1e9)
        folders = list(read_folders(self.root, self.journal.ignore))
        months = sorted(p for p in folders if p.startswith(f"{ENTRIES}/") and p.count("/") == 2)
        chosen = set(months[-2:])
        for folder in folders:
            try:
                if os.stat(self.root / folder).st_mtime_ns >= since_ns:
                    chosen.add(folder)
            except FileNotFoundError:
                continue
        return sorted(chosen)

    def _commit_pending(
        self, full: bool, message: str = "Sync: commit changes made outside narrate"
    ) -> bool:
        """Commit files changed outside narrate: everything when ``full``, else in the
        folders the quick check points at (so git stats only those)."""
        from narrate.journal.history import commit, commit_all

        if full:
            return commit_all(self.root, message)
        folders = self._recent_folders()
        if not folders:
            return False
        # Only the files directly in each folder: a folder's subfolders are in the list
        # when they changed, and naming a parent would make git walk everything below.
        from narrate.journal.store import join

        loose = [
            join(folder, item.name) for folder in folders for item in scan_dir(self.root / folder)
        ]
        tracked_spec = [f":(glob){folder}/*" if folder else ":(glob)*" for folder in folders]
        changed = self._git("diff-files", "--name-only", "-z", "--", *tracked_spec).stdout
        untracked = ""
        if loose:
            untracked = self._git("ls-files", "-o", "--exclude-standard", "-z", "--", *loose).stdout
        paths = [p for p in (changed + untracked).split("\0") if p]
        if not paths:
            return False
        return commit(self.root, paths, message)

    def _head(self) -> str:
        return self._git("rev-parse", "HEAD").stdout.strip()

    def _fetch(self, branch: str) -> str | None:
        """Fetch the remote branch; None when the remote does not have it yet."""
        from narrate.journal import crypt

        # An encrypted remote also holds its list of participants (narrate.journal.crypt).
        extra = [crypt.fetch_refspec()] if self.encrypted else []
        fetched = self._fetch_refs(f"+refs/heads/{branch}:refs/remotes/origin/{branch}", *extra)
        if extra and f"couldn't find remote ref {crypt.PARTICIPANTS_REF}" in fetched.stderr:
            crypt.forget_fetched(self.root)  # a remote from before narrate kept the list
            fetched = self._fetch_refs(f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
        missing = "couldn't find remote ref" in fetched.stderr.lower()
        if self.encrypted and (fetched.returncode == 0 or missing):
            try:
                self.participants = crypt.take_in(self.root, self.remote_shown)
            except NarrateError as exc:
                raise SyncError(str(exc), "state") from None
        if fetched.returncode != 0:
            if missing:
                return None
            raise self._network_failure(fetched.stderr)
        return self._git("rev-parse", f"refs/remotes/origin/{branch}").stdout.strip()

    def _fetch_refs(self, *refspecs: str) -> subprocess.CompletedProcess[str]:
        return self._remote_git("fetch", "--no-tags", "--no-write-fetch-head", "origin", *refspecs)

    def _integrate(self, local: str, remote: str, result: SyncResult) -> None:
        if local == remote:
            return
        base = self._git("merge-base", local, remote, check=False)
        if base.returncode != 0:
            raise SyncError(
                f"origin ({self.remote_shown}) holds an unrelated history, not this journal's; "
                "check the remote URL ('narrate remote set URL'). Nothing was changed",
                "state",
            )
        base_sha = base.stdout.strip()
        if base_sha == remote:
            return  # only local commits: nothing to take in
        count = self._git("rev-list", "--count", f"{local}..{remote}").stdout.strip()
        result.pulled += int(count)
        target = remote if base_sha == local else self._merge(local, remote, result)
        moved = self._git("merge", "--ff-only", "-q", target, check=False)
        if moved.returncode != 0:
            if "would be overwritten" in moved.stderr:
                raise _DirtyTree
            raise SyncError(f"git could not update the working tree: {moved.stderr.strip()}")
        changed = self._git("diff", "--name-only", "-z", local, target).stdout
        result.changed_paths.extend(p for p in changed.split("\0") if p)

    def _merge(self, local: str, remote: str, result: SyncResult) -> str:
        """A merge commit of local and remote, conflicts resolved by narrate's rule."""
        merged = self._git(
            "merge-tree", "--write-tree", "-z", "--no-messages", local, remote, check=False
        )
        if merged.returncode not in (0, 1):
            raise SyncError(f"git could not merge the remote's changes: {merged.stderr.strip()}")
        # The tree, then "<mode> <blob> <stage>\t<path>" per side of each conflicted
        # path. Stages pair the sides across renames (an edit of a file the other device
        # renamed lands at the new name with both versions), so read them here rather
        # than looking each side up by path.
        records = merged.stdout.split("\0")
        tree = records[0].strip()
        conflicted: dict[str, dict[int, tuple[str, str]]] = {}
        for record in records[1:]:
            if not record:
                break
            info, _tab, path = record.partition("\t")
            mode, blob, stage = info.split()
            conflicted.setdefault(path, {})[int(stage)] = (mode, blob)
        message = "Sync: merge changes from origin"
        if conflicted:
            tree = self._resolve(tree, remote, conflicted, result)
            if result.conflicts:
                message += "\n\nConflicts kept both versions:\n" + "\n".join(
                    f"- {kept} (other device's version: {copy})" for kept, copy in result.conflicts
                )
            if result.kept_local:
                message += "\n\nChanged on both devices, this device's version kept:\n"
                message += "\n".join(f"- {path}" for path in result.kept_local)
        return self._git(
            "commit-tree", tree, "-p", local, "-p", remote, "-m", message
        ).stdout.strip()

    def _blob(self, commit: str, path: str) -> tuple[str, str] | None:
        """(mode, blob id) of ``path`` in ``commit``, or None if it is not there."""
        listed = self._git("ls-tree", "-z", commit, "--", path).stdout.strip("\0")
        if not listed:
            return None
        info, _name = listed.split("\t", 1)
        mode, kind, sha = info.split()
        return (mode, sha) if kind == "blob" else None

    def _resolve(
        self,
        tree: str,
        remote: str,
        conflicted: dict[str, dict[int, tuple[str, str]]],
        result: SyncResult,
    ) -> str:
        # A private index, so the journal's own index never holds a half-made merge.
        index_file = git_dir(self.root) / "narrate-merge-index"
        env = {"GIT_INDEX_FILE": str(index_file)}
        index_file.unlink(missing_ok=True)
        taken: set[str] = set()

        def stage(mode: str, blob: str, path: str) -> None:
            run_git(
                self.root, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", env=env
            )

        try:
            run_git(self.root, "read-tree", tree, env=env)
            for path, sides in conflicted.items():
                mine, theirs = sides.get(2), sides.get(3)
                if mine is None and theirs is None:
                    run_git(self.root, "update-index", "--force-remove", "--", path, env=env)
                    continue
                keep = mine or theirs
                assert keep is not None
                stage(*keep, path)
                if mine is None or theirs is None or mine[1] == theirs[1]:
                    continue  # an edit against a delete: the edit stays
                if not self._is_entry(path):
                    # A tool's settings (.obsidian/app.json), not an entry: a copy beside
                    # it would be read by nobody, and committed on every device. This
                    # device's version stays, and sync says so.
                    result.kept_local.append(path)
                    continue
                base = sides.get(1)
                copy_path, data, is_conflict = self._other_version(
                    path, mine[1], theirs[1], remote, tree, taken, base[1] if base else None
                )
                taken.add(copy_path)
                blob = git_bytes(self.root, "hash-object", "-w", "--stdin", data=data)
                stage("100644", blob.decode().strip(), copy_path)
                (result.conflicts if is_conflict else result.renamed).append((path, copy_path))
            return run_git(self.root, "write-tree", env=env).stdout.strip()
        finally:
            index_file.unlink(missing_ok=True)

    def _other_version(
        self,
        path: str,
        my_blob: str,
        blob: str,
        remote: str,
        tree: str,
        taken_paths: set[str],
        base_blob: str | None = None,
    ) -> tuple[str, bytes, bool]:
        """Where and what to save the remote's version of a conflicting file as.

        Two different entries that happen to share a file name are not a conflict: the
        remote one moves to a free name unchanged. Two versions of one entry are: the
        remote's is saved as a conflict copy with its own id and ``conflict_of``.
        """
        from narrate.journal.conflicts import conflict_copy, device_id, next_free, split_suffix
        from narrate.journal.entry import BrokenEntry, Entry

        data = git_bytes(self.root, "cat-file", "blob", blob)
        local_data = git_bytes(self.root, "cat-file", "blob", my_blob)

        def taken(candidate: str) -> bool:
            return (
                candidate in taken_paths
                or self._blob(tree, candidate) is not None
                or (self.root / candidate).exists()
            )

        theirs_id: str | None
        mine_id: str | None
        try:
            theirs_id = Entry.from_bytes(data, path).id
            mine_id = Entry.from_bytes(local_data, path).id
        except BrokenEntry:
            theirs_id = mine_id = None
        if theirs_id != mine_id:
            stem, suffix = split_suffix(path)
            return next_free(f"{stem}-2", suffix, taken), data, False
        origin = {"conflict_from": "remote", "conflict_device": device_id(self.root)}
        if base_blob:
            origin["conflict_base"] = base_blob
        copy, copy_data = conflict_copy(path, data, _short(remote), taken, origin)
        return copy, copy_data, True

    def _push(self, branch: str, remote_head: str | None, result: SyncResult) -> bool:
        """Push; False when the remote moved on (fetch and integrate again)."""
        from narrate.journal import crypt

        head = self._head()
        # A key added here (or taken in): the manifest is encrypted anew for everyone.
        extra = crypt.push_refspecs(self.root, self.participants) if self.encrypted else []
        if head == remote_head and not extra:
            return True
        ahead = self._git(
            "rev-list", "--count", head if remote_head is None else f"{remote_head}..{head}"
        ).stdout.strip()
        refspecs = [f"HEAD:refs/heads/{branch}"] if head != remote_head else []
        if self.encrypted:
            # gcrypt forces every push: git refuses it only when the branch is no longer
            # where this sync found it (a lease checked against gcrypt's own listing).
            lease = f"refs/heads/{branch}:{remote_head or ''}"
            refspecs.insert(0, f"--force-with-lease={lease}")
        pushed = self._remote_git("push", "--porcelain", "origin", *refspecs, *extra)
        if pushed.returncode == 0:
            crypt.pushed(self.root, extra)
            result.pushed += int(ahead)
            result.first_push = result.first_push or remote_head is None
            return True
        text = (pushed.stdout + pushed.stderr).lower()
        if (
            "[rejected]" in text
            or "stale info" in text
            or "non-fast-forward" in text
            or "fetch first" in text
        ):
            return False
        raise self._network_failure(pushed.stderr or pushed.stdout)

    def _set_upstream(self, branch: str) -> None:
        if self.upstream == f"refs/heads/{branch}":
            return
        self._git("config", f"branch.{branch}.remote", "origin")
        self._git("config", f"branch.{branch}.merge", f"refs/heads/{branch}")

    def _is_entry(self, path: str) -> bool:
        from narrate.journal.store import is_entry_name, is_read_folder

        folder, _, name = path.rpartition("/")
        return is_entry_name(name) and is_read_folder(folder, self.journal.ignore)

    def _reindex(self, paths: list[str]) -> None:
        entries = [p for p in paths if self._is_entry(p)]
        if entries:
            self.journal.reindex_paths(entries)

    def _load_record(self) -> dict[str, Any]:
        try:
            record = json.loads((self.root / STATE / "sync.json").read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}

    def _record(
        self,
        ok: bool,
        message: str,
        started: float | None = None,
        full: bool = False,
        kind: str | None = None,
    ) -> None:
        from narrate.journal.store import atomic_write

        record = self._load_record()
        now = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        record.update(
            {
                "last_attempt": now,
                "last_error": None if ok else redact(message),
                "last_error_kind": None if ok else kind,
            }
        )
        if ok:
            record.update({"last_sync": now, "last_sync_started": started})
            if full:
                record["last_full_check"] = started
        (self.root / STATE).mkdir(exist_ok=True)
        atomic_write(self.root / STATE / "sync.json", json.dumps(record).encode())


def device_files_tracked(root: Path) -> list[str]:
    """Per-device files (store.DEVICE_FILES) that git tracks: each device rewrites them."""
    from narrate.journal.store import DEVICE_FILES

    # A name without a trailing "/" may be a file or a folder (.obsidian/cache): both.
    specs = [
        spec
        for p in DEVICE_FILES
        for spec in ([f":(glob){p}**"] if p.endswith("/") else [f":(glob){p}", f":(glob){p}/**"])
    ]
    listed = run_git(root, "ls-files", "-z", "--", *specs, check=False)
    return [p for p in listed.stdout.split("\0") if p] if listed.returncode == 0 else []


def ignore_device_files(root: Path) -> list[str]:
    """Once the journal holds another tool's vault folder (``.obsidian/``): git-ignore its
    per-device files and stop tracking those already committed (they stay on disk), in
    one commit. Returns the files git stopped tracking."""
    from narrate.journal.history import commit, unstage
    from narrate.journal.store import DEVICE_FILES, atomic_write, with_ignore_lines

    if not (root / ".obsidian").is_dir():
        return []
    gitignore = root / ".gitignore"
    try:
        updated = with_ignore_lines(
            gitignore.read_bytes() if gitignore.exists() else b"", DEVICE_FILES
        )
    except (OSError, UnicodeDecodeError):
        return []  # the user's own file, unreadable: leave it to them
    tracked = device_files_tracked(root)
    if updated is None and not tracked:
        return []
    if updated is not None:
        atomic_write(gitignore, updated)
    if tracked:
        unstage(root, tracked)
    commit(root, [".gitignore"], "Sync: stop tracking per-device files (.obsidian/workspace*.json)")
    return tracked


def commit_local(journal: Journal) -> bool:
    """Commit every change made outside narrate, here, without talking to a remote (the
    app, once it has picked up an outside edit); False when there was none. Refuses,
    like a sync, in the middle of a merge or rebase or on a detached HEAD."""
    syncer = Syncer(journal)
    with JournalLock(journal.root, timeout=2.0):
        syncer.preflight()
        return syncer._commit_pending(True, "Commit changes made outside narrate")


class _DirtyTree(Exception):
    """An uncommitted file is in the way of the fast-forward."""


def status(journal: Journal) -> SyncStatus:
    """Branch, remote, ahead/behind (as of the last fetch), last sync, conflicts."""
    from narrate.journal.history import repo_state

    state = repo_state(journal.root)
    try:
        record = json.loads((journal.root / STATE / "sync.json").read_text("utf-8"))
    except (OSError, ValueError):
        record = {}
    from narrate.journal.conflicts import list_conflicts

    conflicts = [c.copy.path for c in list_conflicts(journal)]
    encrypted = is_encrypted_url(state.remote)
    participants: list[dict[str, str]] = []
    if encrypted:
        from narrate.journal import crypt

        with contextlib.suppress(NarrateError):  # no gpg: the fingerprints still show
            found = crypt.read(journal.root).participants
            participants = [k.to_json() for k in crypt.describe(found)]
    return SyncStatus(
        branch=state.branch,
        remote=redact(state.remote) if state.remote else None,
        ahead=state.ahead,
        behind=state.behind,
        last_sync=record.get("last_sync"),
        # Redacted on the way out too: a record written by an older narrate may hold one.
        last_error=redact(str(record["last_error"])) if record.get("last_error") else None,
        last_error_kind=record.get("last_error_kind"),
        uncommitted=len(state.uncommitted),
        conflicts=conflicts,
        problems=state.problems,
        encrypted=encrypted,
        participants=participants,
    )


def set_remote(root: Path, url: str) -> None:
    """Point origin at a validated URL (``gcrypt::`` allowed: narrate.journal.crypt)."""
    from narrate.journal.remote import validate_url

    validate_url(url, allow_encrypted=True)
    run_git(root, "remote", "set-url" if has_remote(root) else "add", "--", "origin", url)


def foreign_history(url: str, root: Path | None, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Whether the remote at ``url`` holds commits the journal at ``root`` does not know:
    another journal's history, which a sync could not join ("unrelated histories"). An
    unreachable remote tells nothing (False), so ``init --remote`` works offline; nor
    does an encrypted one (gcrypt lists refs only inside a repository, after decrypting:
    the first sync says so instead)."""
    if is_encrypted_url(url):
        return False
    try:
        listed = gitrun.run(
            ["ls-remote", "--heads", "--", url], timeout=timeout, check=False, text=True
        )
    except GitError:
        return False
    heads = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    if listed.returncode != 0 or not heads:
        return False
    if root is None or not (root / ".git").exists():
        return True
    return not any(
        run_git(root, "cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0
        for sha in heads
    )


def clone(
    url: str, target: Path, timeout: float = DEFAULT_TIMEOUT, *, prompt: bool = False
) -> None:
    """Clone a journal (the remote may be empty) into ``target``."""
    from narrate.journal import crypt
    from narrate.journal.remote import validate_url

    validate_url(url, allow_encrypted=True)
    env, unset = gitrun.gpg_terminal(prompt) if is_encrypted_url(url) else ({}, ())
    if is_encrypted_url(url):
        timeout *= crypt.TIMEOUT_FACTOR
    if target.exists() and any(target.iterdir()):
        raise NarrateError(f"{target} exists and is not empty; clone into a new folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        cloned = gitrun.run(
            ["clone", "--", url, str(target)],
            timeout=timeout,
            check=False,
            text=True,
            env=env,
            unset=unset,
        )
    except GitError as exc:
        if exc.kind != "timeout":
            raise
        raise NarrateError(f"{redact(url)} did not answer within {timeout:g} s") from None
    if cloned.returncode != 0:
        explained = crypt.explain(cloned.stderr, redact(url)) if is_encrypted_url(url) else None
        if explained:
            raise NarrateError(f"cannot clone: {explained[0].split('. Your commits')[0]}")
        first = gitrun.first_line(cloned.stderr, "failed")
        raise NarrateError(f"cannot clone {redact(url)}: {first}")
    if is_encrypted_url(url):
        # Cloned without participants, gcrypt took any good signature from a key in the
        # keyring; from now on it takes only the participants', so learn who they are.
        gitrun.run(
            ["fetch", "origin", crypt.fetch_refspec()],
            target,
            timeout=timeout,
            check=False,
            env=env,
            unset=unset,
        )
        crypt.take_in_fetched(target)
    if run_git(target, "rev-parse", "-q", "--verify", "HEAD", check=False).returncode == 0:
        return
    # The remote's HEAD names no branch (a bare repository whose default branch was never
    # pushed) or the remote is empty: pick main, else its first branch.
    branches = run_git(target, "for-each-ref", "--format=%(refname:short)", "refs/remotes/origin")
    names = [b.removeprefix("origin/") for b in branches.stdout.split() if b != "origin/HEAD"]
    if names:
        branch = "main" if "main" in names else names[0]
        run_git(target, "checkout", "-q", "-B", branch, f"origin/{branch}")
    else:
        run_git(target, "symbolic-ref", "HEAD", "refs/heads/main")
