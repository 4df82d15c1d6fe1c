"""The one way narrate runs git: never prompting, bounded in time, killed whole on timeout.

Every git process narrate starts goes through :func:`run`, whether it commits an entry,
syncs the journal or talks to a community. Callers add their own arguments (a
community's hardened ``-c`` settings, sync's low-speed limits) and turn a
:class:`GitError` into their own message; this module owns the process: the
environment that keeps git from asking for anything, the timeout, and the kill that
takes git's helpers (ssh, git-remote-https) down with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, overload

from narrate.errors import NarrateError

Kind = Literal["timeout", "offline", "auth", "missing", "other"]

# Lower-cased pieces of git's stderr that mean the remote refused the credentials, or
# could not be reached. git prints them in English: git_env() sets LC_ALL=C.
AUTH_SIGNS = (
    "authentication failed",
    "permission denied",
    "terminal prompts disabled",
    "could not read username",
    "could not read password",
    "403",
)
OFFLINE_SIGNS = (
    "could not resolve host",
    "could not resolve hostname",
    "connection refused",
    "connection timed out",
    "operation timed out",
    "network is unreachable",
    "no route to host",
    "unable to access",
    "could not read from remote repository",
    "the remote end hung up",
)
# Options of git itself that take a value, skipped to find the subcommand's name.
_VALUED_OPTIONS = ("-C", "-c", "--git-dir", "--work-tree", "--namespace")
# The oldest git narrate works with: sync merges with ``merge-tree --write-tree`` (2.38).
MIN_GIT = (2, 38)
_git_version: tuple[int, int] | None = None


class GitError(NarrateError):
    """A git command failed or timed out; ``kind`` says which, the message what to do.

    ``kind`` is "timeout" (killed after the timeout), "offline" (the remote could not be
    reached), "auth" (credentials refused), "missing" (the program is not installed) or
    "other".
    """

    def __init__(
        self, message: str, kind: Kind = "other", *, stderr: str = "", returncode: int = 0
    ) -> None:
        from narrate.journal.remote import redact

        # Every message quoting git's stderr goes out without the URL's password.
        super().__init__(redact(message))
        self.kind: Kind = kind
        self.stderr = stderr
        self.returncode = returncode


def git_env(extra: Mapping[str, str] | None = None, unset: Sequence[str] = ()) -> dict[str, str]:
    """The environment for git: never prompt, messages in English for parsing; the
    variables in ``unset`` removed."""
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_ASKPASS": "", "SSH_ASKPASS": ""})
    # The journal (or community) is named on the command line, never inherited.
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    # A read (status, diff) may refresh the index and hold index.lock meanwhile: the app
    # reads the journal's state while `narrate add` commits in another shell, whose
    # commit would then fail. Writes still take their locks.
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env.update(extra or {})
    return env


def classify(stderr: str) -> Kind:
    """What git's stderr says went wrong: "auth", "offline" or "other"."""
    lowered = stderr.lower()
    if any(sign in lowered for sign in AUTH_SIGNS):
        return "auth"
    if any(sign in lowered for sign in OFFLINE_SIGNS):
        return "offline"
    return "other"


_NOT_REASONS = ("Cloning into", "hint:", "warning: redirecting")


def first_line(stderr: str, default: str = "no output") -> str:
    """git's first non-blank line of stderr without its "fatal: "/"error: " prefix,
    credentials in URLs hidden."""
    from narrate.journal.remote import redact

    # The reason, not git's progress or hints around it ("Cloning into bare repository
    # ..."); ssh's own line ("Permission denied (publickey)") comes before git's vaguer
    # "fatal: Could not read from remote repository" and says more.
    lines = [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.lstrip().startswith(_NOT_REASONS)
    ]
    line = (lines or [default])[0]
    return redact(line.strip().removeprefix("fatal: ").removeprefix("error: "))


def subcommand(args: Sequence[str]) -> str:
    """The git subcommand in ``args`` (after git's own options), for messages."""
    items = iter(args)
    for item in items:
        if item in _VALUED_OPTIONS:
            next(items, None)
        elif not item.startswith("-"):
            return item
    return ""


@overload
def run(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    input: bytes | None = None,
    check: bool = True,
    text: Literal[False] = False,
    unset: Sequence[str] = (),
) -> subprocess.CompletedProcess[bytes]: ...


@overload
def run(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    check: bool = True,
    text: Literal[True],
    unset: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]: ...


def run(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    input: bytes | str | None = None,
    check: bool = True,
    text: bool = False,
    unset: Sequence[str] = (),
) -> subprocess.CompletedProcess[bytes] | subprocess.CompletedProcess[str]:
    """Run ``git [-C cwd] args`` and wait for it.

    Args:
        args: git's arguments (without "git"); user text only ever follows "--" or an
            option's value.
        cwd: the repository, passed as ``-C`` (None: ``args`` name it themselves).
        timeout: seconds before git and every process it started are killed, raising
            GitError("timeout"). None waits (local plumbing on the journal).
        env: variables set on top of :func:`git_env`.
        input: written to git's stdin (otherwise stdin is empty, so git never waits on
            the terminal).
        check: raise GitError when git exits non-zero.
        text: stdout and stderr as text rather than bytes.
        unset: variables of narrate's environment that git must not see.
    """
    command = ["git", *(("-C", str(cwd)) if cwd is not None else ()), *args]
    missing = "git is not installed or not on PATH; install git and try again"
    returncode, stdout, stderr = _communicate(
        command, git_env(env, unset), input, timeout, text, missing, f"git {subcommand(args)}"
    )
    if check and returncode != 0:
        said = stderr if isinstance(stderr, str) else stderr.decode("utf-8", "replace")
        raise GitError(
            f"git {subcommand(args)} failed: {first_line(said)}",
            classify(said),
            stderr=said,
            returncode=returncode,
        )
    if isinstance(stdout, str) and isinstance(stderr, str):
        return subprocess.CompletedProcess(command, returncode, stdout, stderr)
    assert isinstance(stdout, bytes) and isinstance(stderr, bytes)
    return subprocess.CompletedProcess(command, returncode, stdout, stderr)


def _communicate(
    command: list[str],
    env: dict[str, str],
    input: bytes | str | None,
    timeout: float | None,
    text: bool,
    missing: str,
    name: str,
) -> tuple[int, bytes | str, bytes | str]:
    """Start ``command``, feed it ``input``, wait at most ``timeout``: (code, out, err)."""
    try:
        # A session of its own when bounded, so the kill reaches git's helpers too (a
        # killed git leaves ssh holding the pipes open otherwise).
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=text,
            env=env,
            start_new_session=timeout is not None,
        )
    except FileNotFoundError:
        raise GitError(missing, "missing") from None
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process, group=True)
        raise GitError(f"{name} did not finish within {timeout:g} s", "timeout") from None
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP: git must not outlive narrate
        _stop(process, timeout is not None)
        raise
    return process.returncode, stdout, stderr


# gpg: how long a local GnuPG operation may take (a key is made in well under 1 s with
# ed25519; an agent that waits on a pinentry nobody answers is stopped here).
GPG_TIMEOUT = 120.0


def gpg_terminal(prompt: bool) -> tuple[dict[str, str], tuple[str, ...]]:
    """(variables to set, variables to unset) for gpg, or git-remote-gcrypt's gpg.

    gpg runs in a session of its own (no controlling terminal). With ``prompt`` (a
    command in a terminal) gpg-agent is told which terminal its pinentry may ask a
    passphrase on (GPG_TTY, as gpg's manual asks shells to set it); without (the app,
    which owns the terminal), GPG_TTY is removed, so a text pinentry cannot draw over
    the screen: a locked key fails in one line, a graphical pinentry still asks.
    """
    if not prompt:
        return {}, ("GPG_TTY",)
    if "GPG_TTY" not in os.environ:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            import sys

            if sys.stdin is not None and sys.stdin.isatty():
                return {"GPG_TTY": os.ttyname(sys.stdin.fileno())}, ()
    return {}, ()


class GpgError(GitError):
    """A gpg command failed or timed out; ``kind`` as for GitError, "missing" when gpg is
    not installed."""


def run_gpg(
    args: Sequence[str],
    *,
    timeout: float | None = GPG_TIMEOUT,
    input: str | None = None,
    check: bool = True,
    batch: bool = True,
    prompt: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``gpg args`` (GnuPG), bounded in time, never reading narrate's terminal.

    Args:
        args: gpg's arguments; a user's key id or name only ever as an option's value
            or after "--".
        timeout: seconds before gpg is killed (GpgError "timeout").
        input: written to gpg's stdin.
        check: raise GpgError when gpg exits non-zero.
        batch: ``--batch`` (never ask anything); False only to make a key, whose
            passphrase gpg-agent's pinentry asks for (narrate never sees it).
        prompt: let gpg-agent's pinentry use this terminal (:func:`gpg_terminal`).
    """
    command = ["gpg", "--no-tty", *(("--batch",) if batch else ()), *args]
    missing = (
        "gpg (GnuPG) is not installed or not on PATH; install it (Debian/Ubuntu: "
        "apt install gnupg; macOS: brew install gnupg) and try again"
    )
    try:
        returncode, stdout, stderr = _communicate(
            command,
            git_env(*gpg_terminal(prompt)),
            None if input is None else input.encode(),
            timeout,
            False,
            missing,
            "gpg",
        )
    except GitError as exc:
        raise GpgError(str(exc), exc.kind) from None
    # User ids are meant to be UTF-8, and are not always: never a crash over one.
    assert isinstance(stdout, bytes) and isinstance(stderr, bytes)
    stdout, stderr = stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")
    if check and returncode != 0:
        lines = [
            line.removeprefix("gpg: ")
            for line in stderr.splitlines()
            if line.strip() and "scdaemon" not in line
        ]
        raise GpgError(
            f"gpg failed: {(lines or ['no output'])[-1]}", stderr=stderr, returncode=returncode
        )
    return subprocess.CompletedProcess(command, returncode, stdout, stderr)


def parse_version(said: str) -> tuple[int, int] | None:
    """(major, minor) from ``git version``'s line ("git version 2.39.5 (Apple ...)")."""
    import re

    found = re.search(r"(\d+)\.(\d+)", said)
    return (int(found.group(1)), int(found.group(2))) if found else None


def require_git(minimum: tuple[int, int] = MIN_GIT) -> None:
    """Refuse, in one line, a git older than ``minimum``; asks git once per process, and
    only where a command is about to need it (a sync), never on a read."""
    global _git_version
    if _git_version is None:
        said = run(["version"], text=True).stdout.strip()
        # An unreadable line (a wrapper, a fork) is given the benefit of the doubt.
        _git_version = parse_version(said) or minimum
        if _git_version < minimum:
            found = said.removeprefix("git version ").strip() or "unknown"
            _git_version = None  # asked again next time: the user may be upgrading
            want = ".".join(map(str, minimum))
            raise GitError(
                f"narrate needs git {want} or newer to sync (it merges with "
                f"'git merge-tree --write-tree'); this is git {found}: update git and sync again"
            )


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str], group: bool) -> None:
    """End git on an interruption: SIGTERM first, which git answers by removing its lock
    files (a SIGKILL mid-commit leaves a stale ``.git/index.lock``); SIGKILL if it lingers."""
    try:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.terminate()
        process.communicate(timeout=5)
    except BaseException:  # a second interruption, or git ignoring SIGTERM
        _kill(process, group)


def _kill(process: subprocess.Popen[bytes] | subprocess.Popen[str], group: bool) -> None:
    if group:
        # The session's id is git's pid: this takes ssh and the remote helpers with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.communicate()


def start_worker(module: str, env: Mapping[str, str], cwd: str) -> subprocess.Popen[bytes]:
    """Start ``python -m MODULE`` with this interpreter, talking over its stdin and stdout:
    the cold build's parsing workers (narrate.journal.coldbuild), the one process besides
    git, gpg and the editor that narrate starts. Raises OSError if it cannot start."""
    import json
    import sys

    # Isolated (-I: no PYTHONPATH, PYTHONSTARTUP, user site or working folder), then this
    # process's own import path, in its order: a worker imports exactly the modules this
    # process would, never one the environment or narrate's folder slips in first.
    here = os.getcwd()
    path = [os.path.abspath(entry) if entry else here for entry in sys.path]
    return subprocess.Popen(
        [sys.executable, "-I", "-c", _WORKER_BOOT, json.dumps(path), module],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=dict(env),
        cwd=cwd,
        close_fds=True,
    )


# A worker's first lines: the caller's import path, then the module as __main__.
_WORKER_BOOT = (
    "import json, runpy, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "runpy.run_module(sys.argv[2], run_name='__main__', alter_sys=True)"
)
