"""The journal's git history: init, commit, and the state checks doctor reports.

Every call runs the git command line through narrate.journal.gitrun: GitPython's
in-process index costs seconds per commit at tens of thousands of files, and importing
it costs ~60-180 ms that ``narrate add`` should not pay.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from narrate.errors import NarrateError
from narrate.journal import gitrun
from narrate.journal.gitrun import GitError, git_env
from narrate.journal.store import ENTRIES, GITIGNORE, with_ignore_lines

__all__ = ["GitError", "git_bytes", "git_env", "run_git"]

# A git lock older than this, with narrate holding its own journal lock, is stale.
STALE_LOCK_SECONDS = 10.0
# The author of a journal's commits when git knows no one (docs/sync.md, "Who commits").
FALLBACK_NAME = "narrate"

_git_dirs: dict[Path, Path] = {}
_notices: list[str] = []


def git_dir(root: Path) -> Path:
    """The journal's git directory: ``root/.git``, or where a ``.git`` file points (a
    worktree, ``--separate-git-dir``, a submodule). Asks git only in that second case,
    once per process."""
    dot = root / ".git"
    if dot.is_dir() or not dot.is_file():
        return dot
    if root not in _git_dirs:
        found = run_git(root, "rev-parse", "--absolute-git-dir", check=False)
        if found.returncode != 0:
            return dot
        _git_dirs[root] = Path(found.stdout.strip())
    return _git_dirs[root]


def take_notices() -> list[str]:
    """What the core did on the user's behalf that they should hear about once (a
    fallback identity set at a first commit); the faces print these."""
    taken = list(_notices)
    _notices.clear()
    return taken


def run_git(
    root: Path,
    *args: str,
    check: bool = True,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git -C root args``; user text only ever follows "--" or an option's value."""
    result = gitrun.run(args, root, env=env, input=stdin, check=False, text=True)
    if check and result.returncode != 0:
        raise explain_git_failure(root, args, result.stderr)
    return result


def git_bytes(root: Path, *args: str, data: bytes | None = None) -> bytes:
    """Run git with binary input and output (blobs); raises GitError on failure."""
    result = gitrun.run(args, root, input=data, check=False)
    if result.returncode != 0:
        raise explain_git_failure(root, args, result.stderr.decode("utf-8", "replace"))
    return result.stdout


def has_remote(root: Path) -> bool:
    """Whether the journal has an origin to sync with."""
    return remote_url(root) is not None


def remote_url(root: Path) -> str | None:
    """The journal's origin URL as configured (redact it before showing it), or None."""
    found = run_git(root, "remote", "get-url", "origin", check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def explain_git_failure(root: Path, args: tuple[str, ...], stderr: str) -> GitError:
    """Turn git's stderr into one line that names the problem and the fix."""
    text = stderr.strip()
    if "index.lock" in text:
        lock = git_dir(root) / "index.lock"
        return GitError(
            f"git's lock file {lock} exists: another git command is running, or one crashed. "
            f"If no git is running, remove it (rm '{lock}') and run the command again"
        )
    if _no_identity(text):
        return GitError(
            "git does not know who you are, so it cannot commit. Set an identity: "
            'git config --global user.name "Your Name" && '
            'git config --global user.email "you@example.com" '
            f"(or for this journal only: git -C '{root}' config user.name ...)"
        )
    if "not a git repository" in text:
        return GitError(f"{root} is not a git repository; run 'narrate init {root}' to make one")
    first = next((line for line in text.splitlines() if line.strip()), "no output")
    return GitError(f"git {args[0] if args else ''} failed in {root}: {first}")


def _no_identity(stderr: str) -> bool:
    """Whether git refused because it knows no author or committer."""
    signs = ("tell me who you are", "empty ident", "unable to auto-detect", "no email was given")
    return any(sign in stderr for sign in signs)


@dataclass
class InitResult:
    """What ``init_repo`` did, for the message ``narrate init`` prints."""

    created: bool = False
    """A new git repository was made."""
    committed: bool = False
    """A commit was made (the first one, or a .gitignore that lacked narrate's lines)."""
    identity_notice: str | None = None
    """Set when git knew no identity and the journal got the fallback one."""


def fallback_identity() -> tuple[str, str]:
    """The name and e-mail a journal commits with when git knows no one:
    ``narrate <login@host.invalid>`` (.invalid: it can never be a real address)."""
    import getpass
    import re
    import socket

    def part(value: str, default: str) -> str:
        cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip(".-")
        return cleaned or default

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no $USER and no passwd entry, as in some containers
        login = ""
    return FALLBACK_NAME, f"{part(login, 'user')}@{part(socket.gethostname(), 'localhost')}.invalid"


def identity_notice(root: Path, name: str, email: str) -> str:
    """The one-time message saying who commits and how to commit as yourself."""
    return (
        f"git has no identity set, so this journal commits as '{name} <{email}>' (kept in "
        f"its own .git/config). To commit as yourself: git config --global user.name "
        f'"Your Name" && git config --global user.email "you@example.com" && '
        f"git -C '{root}' config --remove-section user"
    )


def ensure_identity(root: Path) -> str | None:
    """Give the journal the fallback identity in its own config when git has none for
    the author or the committer; the notice to show once, or None if nothing was set."""
    if all(run_git(root, "var", var, check=False).returncode == 0
           for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT")):  # fmt: skip
        return None
    name, email = fallback_identity()
    # Only what git lacks: a configured name keeps its place beside a missing e-mail.
    if run_git(root, "config", "user.name", check=False).returncode != 0:
        run_git(root, "config", "--local", "user.name", name)
    else:
        name = run_git(root, "config", "user.name").stdout.strip()
    if run_git(root, "config", "user.email", check=False).returncode != 0:
        run_git(root, "config", "--local", "user.email", email)
        run_git(root, "config", "--local", "narrate.fallbackEmail", email)
    else:
        email = run_git(root, "config", "user.email").stdout.strip()
    return identity_notice(root, name, email)


def fallback_in_use(root: Path) -> str | None:
    """``name <email>`` when the journal commits with the fallback identity, else None."""
    found = run_git(
        root,
        "config",
        "--local",
        "-z",
        "--get-regexp",
        r"^(user\.name|user\.email|narrate\.fallbackemail)$",
        check=False,
    ).stdout
    settings = dict(item.split("\n", 1) for item in found.split("\0") if "\n" in item)
    email = settings.get("user.email")
    if email is None or email != settings.get("narrate.fallbackemail"):
        return None
    return f"{settings.get('user.name', FALLBACK_NAME)} <{email}>"


# git settings that keep a commit fast in a journal of 100k files and more, set by
# ``init`` (and ``init --clone``) and by ``doctor --fix`` on an older journal. git's
# index lists every tracked file (about 30 MB at 300k entries) and every commit rewrote
# it whole. manyFiles: index v4 (paths prefix-compressed, a third of the size) and the
# untracked cache. splitIndex: a shared index that stays as it is, and a small one of
# the entries changed since; at 1% changed (3,000 entries at 300k) the shared one is
# written again, which keeps the small one under ~300 KB: rewriting both costs least
# around sqrt(2/N) of N entries, 0.3% at 300k, and 1% is the smallest setting.
SPEED_SETTINGS = (
    ("feature.manyFiles", "true"),
    ("core.splitIndex", "true"),
    ("splitIndex.maxPercentChange", "1"),
)


def missing_speed_settings(root: Path) -> list[str]:
    """The ``key=value`` settings of SPEED_SETTINGS the journal's git config lacks."""
    found = run_git(root, "config", "--local", "-z", "--list", check=False).stdout
    have = {item.split("\n", 1)[0].lower(): item.split("\n", 1)[-1] for item in found.split("\0")}
    return [f"{key}={value}" for key, value in SPEED_SETTINGS if have.get(key.lower()) != value]


def set_speed_settings(root: Path) -> list[str]:
    """Set the SPEED_SETTINGS the journal lacks in its own config; the ones set."""
    missing = missing_speed_settings(root)
    for setting in missing:
        key, value = setting.split("=", 1)
        run_git(root, "config", "--local", key, value)
    return missing


def init_repo(root: Path) -> InitResult:
    """Make ``root`` a journal repository: git init, settings, .gitignore, first commit.

    Atomic: if any step fails, what this call made (the folder, .git, .gitignore) is
    removed or restored, so a re-run starts clean. Idempotent: on a journal it changes
    nothing and commits nothing.
    """
    result = InitResult()
    made_root = not root.exists()
    made_git = not (root / ".git").exists()
    gitignore = root / ".gitignore"
    before = gitignore.read_bytes() if gitignore.is_file() else None
    try:
        root.mkdir(parents=True, exist_ok=True)
        if made_git:
            run_git(root, "init", "-q", "--initial-branch=main")
            result.created = True
        set_speed_settings(root)
        updated = with_ignore_lines(before or b"", GITIGNORE.splitlines())
        if updated is not None:
            gitignore.write_bytes(updated)
        result.identity_notice = ensure_identity(root)
        result.committed = commit(root, [".gitignore"], "Start the journal")
        (root / ENTRIES).mkdir(exist_ok=True)
    except OSError as exc:
        _undo_init(root, made_root, made_git, before)
        where = exc.filename or root
        raise NarrateError(
            f"cannot make a journal at {root}: {exc.strerror or exc} ({where}); nothing was changed"
        ) from exc
    except BaseException:
        _undo_init(root, made_root, made_git, before)
        raise
    return result


def _undo_init(root: Path, made_root: bool, made_git: bool, before: bytes | None) -> None:
    """Take back what a failed init made, so no half-made repository is left."""
    import contextlib
    import shutil

    gitignore = root / ".gitignore"
    if made_git:
        shutil.rmtree(root / ".git", ignore_errors=True)
    with contextlib.suppress(OSError):
        if before is None:
            if made_git:
                gitignore.unlink(missing_ok=True)
        elif gitignore.read_bytes() != before:
            gitignore.write_bytes(before)
    if made_git:
        with contextlib.suppress(OSError):
            (root / ENTRIES).rmdir()  # only if empty: it may hold the user's files
    if made_root:
        with contextlib.suppress(OSError):
            root.rmdir()


def commit(root: Path, paths: list[str], message: str) -> bool:
    """Stage ``paths`` (added, changed or removed) and commit; False if nothing changed.

    Plumbing rather than ``git commit``: porcelain commit re-stats every tracked file
    (0.3-0.6 s at 100k entries); update-index + write-tree touch only what changed.
    Like ``--no-verify``, no hooks run: these are narrate's own bookkeeping commits, and
    a failing or prompting hook would leave an entry saved but uncommitted.
    """
    check_git_lock(root)
    refuse_unfinished_operation(root)
    _fold_split_index(root)
    # On stdin, NUL-separated: any number of paths, whatever characters they hold.
    run_git(
        root,
        "update-index",
        "--add",
        "--remove",
        "-z",
        "--stdin",
        stdin="".join(f"{path}\0" for path in paths),
    )
    return commit_index(root, message)


# The size above which the small index of a split one is folded into the shared one.
# git writes a new shared index once splitIndex.maxPercentChange of the entries are new
# (about 300 KB at 1% of 300k), but never for entries whose file details it refreshed:
# after a clone, a copy or a restore every file's ctime changes, the next git status
# refreshes all of them, and the small index grows to the whole (19 MB at 300k), which
# every commit then writes.
SPLIT_FOLD_BYTES = 1 << 20


def _fold_split_index(root: Path) -> None:
    """Push the small index of a split index into a new shared one when it has grown
    past SPLIT_FOLD_BYTES (once after a mass refresh; a commit then writes it small)."""
    try:
        size = (git_dir(root) / "index").stat().st_size
    except OSError:
        return
    if size < SPLIT_FOLD_BYTES:
        return
    split = run_git(root, "config", "--type=bool", "core.splitIndex", check=False)
    if split.stdout.strip() == "true":
        run_git(root, "update-index", "--split-index")


def not_in_head(root: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` that HEAD's tree does not hold (never committed)."""
    listed = run_git(root, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", ENTRIES, check=False)
    held = set(listed.stdout.split("\0")) if listed.returncode == 0 else set()
    return [path for path in paths if path not in held]


def unstage(root: Path, paths: list[str]) -> None:
    """Drop never-committed ``paths`` from git's index (an interrupted import removed
    them: staged, they would enter the next commit as files that are not there)."""
    run_git(
        root,
        "update-index",
        "--force-remove",
        "-z",
        "--stdin",
        stdin="".join(f"{path}\0" for path in paths),
    )


def commit_all(root: Path, message: str) -> bool:
    """Commit every change in the working tree (files edited outside narrate)."""
    check_git_lock(root)
    refuse_unfinished_operation(root)
    run_git(root, "add", "-A")
    return commit_index(root, message)


def commit_index(root: Path, message: str) -> bool:
    """Commit what the index holds, unless it equals HEAD's tree."""
    tree = run_git(root, "write-tree").stdout.strip()
    parents = run_git(root, "rev-parse", "HEAD", "HEAD^{tree}", check=False)
    head = ""
    if parents.returncode == 0:
        head, head_tree = parents.stdout.split()
        if head_tree == tree:
            return False
    parent_args = ["-p", head] if head else []
    made = run_git(root, "commit-tree", tree, *parent_args, "-m", message, check=False)
    if made.returncode != 0 and _no_identity(made.stderr):
        # A journal made where git knew someone, now used where it knows no one.
        notice = ensure_identity(root)
        if notice is not None:
            _notices.append(notice)
            made = run_git(root, "commit-tree", tree, *parent_args, "-m", message, check=False)
    if made.returncode != 0:
        raise explain_git_failure(root, ("commit-tree",), made.stderr)
    new = made.stdout.strip()
    run_git(root, "update-ref", "-m", f"commit: {message.splitlines()[0]}", "HEAD", new, head)
    return True


def refuse_unfinished_operation(root: Path) -> None:
    """Refuse to commit in the middle of a merge or rebase that something else began."""
    folder = git_dir(root)
    for marker, what, recovery in (
        ("rebase-merge", "a rebase", "git rebase --continue' or 'git rebase --abort"),
        ("rebase-apply", "a rebase", "git rebase --continue' or 'git rebase --abort"),
        ("MERGE_HEAD", "a merge", "git commit' or 'git merge --abort"),
        ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --abort"),
    ):
        if (folder / marker).exists():
            raise GitError(
                f"the journal's git repository is in the middle of {what} that narrate did "
                f"not start; finish or undo it in {root} ('{recovery}'), then run the "
                "command again"
            )


def check_git_lock(root: Path) -> None:
    """Refuse to run git over a lock file that a crashed git left behind."""
    lock = git_dir(root) / "index.lock"
    try:
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return
    if age > STALE_LOCK_SECONDS:
        raise GitError(
            f"git's lock file {lock} is {int(age)} s old: a git command crashed or is still "
            f"running. If no git is running, remove it (rm '{lock}') and run the command again"
        )


@dataclass
class RepoState:
    """What doctor and status say about the repository."""

    branch: str | None = None
    detached: bool = False
    problems: list[str] = field(default_factory=list)
    uncommitted: list[str] = field(default_factory=list)
    ahead: int | None = None
    behind: int | None = None
    remote: str | None = None
    fallback_identity: str | None = None
    """``name <email>`` when commits use narrate's fallback identity."""


def repo_state(root: Path) -> RepoState:
    """Branch, remote, uncommitted files and any half-finished git operation."""
    state = RepoState()
    folder = git_dir(root)
    if not folder.is_dir():
        state.problems.append(f"{root} is not a git repository (run 'narrate init {root}')")
        return state
    markers = {
        "rebase-merge": "a rebase is in progress (finish it with 'git rebase --continue' or "
        "undo it with 'git rebase --abort')",
        "rebase-apply": "a rebase or am is in progress ('git rebase --abort' or 'git am --abort')",
        "MERGE_HEAD": "a merge is in progress (finish with 'git commit' or undo with "
        "'git merge --abort')",
        "CHERRY_PICK_HEAD": "a cherry-pick is in progress ('git cherry-pick --abort')",
        "REVERT_HEAD": "a revert is in progress ('git revert --abort')",
    }
    for marker, message in markers.items():
        if (folder / marker).exists():
            state.problems.append(message)
    lock = folder / "index.lock"
    if lock.exists():
        state.problems.append(
            f"git's lock file {lock} exists; if no git command is running, remove it"
        )
    head = run_git(root, "symbolic-ref", "-q", "--short", "HEAD", check=False)
    if head.returncode == 0:
        state.branch = head.stdout.strip()
    else:
        state.detached = True
        state.problems.append("HEAD is detached; run 'git switch main' in the journal")
    status = run_git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", check=False)
    if status.returncode == 0:
        state.uncommitted = [item[3:] for item in status.stdout.split("\0") if len(item) > 3]
    state.remote = remote_url(root)
    state.fallback_identity = fallback_in_use(root)
    if state.remote is not None:
        counts = run_git(
            root, "rev-list", "--left-right", "--count", "HEAD...@{upstream}", check=False
        )
        if counts.returncode == 0:
            ahead, behind = counts.stdout.split()
            state.ahead, state.behind = int(ahead), int(behind)
    return state
