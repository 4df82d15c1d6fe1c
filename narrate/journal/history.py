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

from narrate.journal import gitrun
from narrate.journal.gitrun import GitError, git_env
from narrate.journal.store import ENTRIES, GITIGNORE

__all__ = ["GitError", "git_bytes", "git_env", "run_git"]

# A git lock older than this, with narrate holding its own journal lock, is stale.
STALE_LOCK_SECONDS = 10.0


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
        lock = root / ".git" / "index.lock"
        return GitError(
            f"git's lock file {lock} exists: another git command is running, or one crashed. "
            f"If no git is running, remove it (rm '{lock}') and run the command again"
        )
    if "tell me who you are" in text or "empty ident" in text or "unable to auto-detect" in text:
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


def init_repo(root: Path) -> None:
    """Make ``root`` a journal repository: git init, settings, .gitignore, first commit."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        run_git(root, "init", "-q", "--initial-branch=main")
    # manyFiles: index v4 and the untracked cache keep add/status fast at 100k files.
    run_git(root, "config", "feature.manyFiles", "true")
    gitignore = root / ".gitignore"
    existing = gitignore.read_text("utf-8") if gitignore.exists() else ""
    missing = [line for line in GITIGNORE.splitlines() if line not in existing.splitlines()]
    if missing:
        prefix = "" if not existing or existing.endswith("\n") else "\n"
        gitignore.write_text(existing + prefix + "\n".join(missing) + "\n", "utf-8")
    commit(root, [".gitignore"], "Start the journal")


def commit(root: Path, paths: list[str], message: str) -> bool:
    """Stage ``paths`` (added, changed or removed) and commit; False if nothing changed.

    Plumbing rather than ``git commit``: porcelain commit re-stats every tracked file
    (0.3-0.6 s at 100k entries); update-index + write-tree touch only what changed.
    Like ``--no-verify``, no hooks run: these are narrate's own bookkeeping commits, and
    a failing or prompting hook would leave an entry saved but uncommitted.
    """
    check_git_lock(root)
    refuse_unfinished_operation(root)
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
    new = run_git(root, "commit-tree", tree, *parent_args, "-m", message).stdout.strip()
    run_git(root, "update-ref", "-m", f"commit: {message.splitlines()[0]}", "HEAD", new, head)
    return True


def refuse_unfinished_operation(root: Path) -> None:
    """Refuse to commit in the middle of a merge or rebase that something else began."""
    git_dir = root / ".git"
    for marker, what, recovery in (
        ("rebase-merge", "a rebase", "git rebase --continue' or 'git rebase --abort"),
        ("rebase-apply", "a rebase", "git rebase --continue' or 'git rebase --abort"),
        ("MERGE_HEAD", "a merge", "git commit' or 'git merge --abort"),
        ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --abort"),
    ):
        if (git_dir / marker).exists():
            raise GitError(
                f"the journal's git repository is in the middle of {what} that narrate did "
                f"not start; finish or undo it in {root} ('{recovery}'), then run the "
                "command again"
            )


def check_git_lock(root: Path) -> None:
    """Refuse to run git over a lock file that a crashed git left behind."""
    lock = root / ".git" / "index.lock"
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


def repo_state(root: Path) -> RepoState:
    """Branch, remote, uncommitted files and any half-finished git operation."""
    state = RepoState()
    git_dir = root / ".git"
    if not git_dir.is_dir():
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
        if (git_dir / marker).exists():
            state.problems.append(message)
    lock = git_dir / "index.lock"
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
    if state.remote is not None:
        counts = run_git(
            root, "rev-list", "--left-right", "--count", "HEAD...@{upstream}", check=False
        )
        if counts.returncode == 0:
            ahead, behind = counts.stdout.split()
            state.ahead, state.behind = int(ahead), int(behind)
    return state
