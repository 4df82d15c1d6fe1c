"""Helpers shared by the core's tests: files, git, and the two ways of running the CLI."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

from narrate.cli import main

# SPEC §4: the keys of an entry object, and what show and search add.
ENTRY_KEYS = {
    "id",
    "title",
    "created",
    "updated",
    "tags",
    "path",
    "private",
    "practice",
    "shared",
    "starred",
}
PRACTICE_KEYS = {"area", "change", "before", "source", "status", "review_after"}

# Small example counts keep the whole suite inside its one-minute budget on 2 cores;
# NARRATE_PROPERTY_EXAMPLES=5000 digs deeper on demand.
PROPERTY = settings(
    max_examples=int(os.environ.get("NARRATE_PROPERTY_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Rich wraps at 80 columns when it is not writing to a terminal; a wide console keeps a
# path and its reason on one line so tests can find them.
CLI_ENV = {"COLUMNS": "240", "NO_COLOR": "1"}


def narrate_bin() -> Path:
    """The installed console script beside the running interpreter (CI: .venv/bin)."""
    beside = Path(sys.executable).parent / "narrate"
    if beside.exists():
        return beside
    found = shutil.which("narrate")
    assert found, "the narrate console script is not installed"
    return Path(found)


def entry_text(
    entry_id: str,
    created: str,
    title: str,
    body: str = "Body text.\n",
    tags: str = "[]",
    extra: str = "",
) -> str:
    """An entry file as a person or another tool might write it."""
    return (
        f"---\nid: {entry_id}\ncreated: {created}\nupdated: {created}\n"
        f"title: {title}\ntags: {tags}\n{extra}---\n\n{body}"
    )


def write(root: Path, rel: str, data: str | bytes) -> Path:
    """Write a file under ``root``, making its folders."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under entries/ (hidden ones too), by relative path."""
    base = root / "entries"
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` and return its stdout (fails the test on error)."""
    result = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def commit_count(root: Path) -> int:
    """How many commits HEAD has."""
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def tracked(root: Path) -> set[str]:
    """Files git tracks at HEAD."""
    return set(git(root, "ls-tree", "-r", "-z", "--name-only", "HEAD").split("\0")) - {""}


class Cli:
    """narrate's click command run in-process against one journal."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, journal: bool = True) -> Result:
        argv = ["--journal", str(self.root), *args] if journal else list(args)
        return self.runner.invoke(main, argv, input=input, env=CLI_ENV, catch_exceptions=False)

    def ok(self, *args: str, input: str | None = None) -> Result:
        """Run and require exit status 0 and no warning on stderr."""
        result = self(*args, input=input)
        assert result.exit_code == 0, f"narrate {' '.join(args)}: {result.output}"
        return result

    def json(self, *args: str) -> Any:
        """Run a --json command and parse its stdout."""
        # --json right after the command name: a "--" among the arguments ends options.
        return json.loads(self.ok(args[0], "--json", *args[1:]).stdout)

    def add(self, *args: str) -> str:
        """``narrate add`` and return the printed id."""
        return self.ok("add", *args).stdout.strip()


def run_narrate(
    *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The installed ``narrate`` in a real process, with the test's environment."""
    full_env = {**os.environ, **CLI_ENV, **(env or {})}
    return subprocess.run(
        [str(narrate_bin()), *args],
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def mount_tmpfs(target: Path, size: str) -> None:
    """Mount a tmpfs of ``size`` on ``target``, or skip the test saying why not (it needs
    root: the tests run as root here and in CI). Unmount it in a finally."""
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'not root'})")


def unmount(target: Path) -> None:
    """Unmount what mount_tmpfs mounted (lazily if something still holds it)."""
    if subprocess.run(["umount", str(target)], capture_output=True, check=False).returncode:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


def fill(folder: Path) -> None:
    """Write into ``folder`` until its filesystem is full."""
    chunk = b"\0" * 65536
    with open(folder / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    # The last small blocks too.
    with open(folder / "filler2", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 512)
        except OSError:
            pass
