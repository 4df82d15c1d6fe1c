"""Members, a bare community remote and hand-built community content, for the CLI and
the app's community tests alike."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from narrate.cli import main


def git(root: Path, *args: str, data: bytes | None = None) -> str:
    """Run git in ``root``; stdout as text."""
    return subprocess.run(
        ["git", "-C", str(root), *args], input=data, capture_output=True, check=True
    ).stdout.decode()


class Member:
    """One person: their own home, config, data dir and journal, driven through the CLI."""

    def __init__(self, base: Path, handle: str) -> None:
        self.handle = handle
        self.home = base / handle
        self.journal = self.home / "journal"
        self.env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "NARRATE_JOURNAL": str(self.journal),
        }
        self.ok("init")

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env, input=input)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, f"{args}: {result.output}{result.exception!r}"
        return result

    def config(self, text: str) -> None:
        path = self.home / "config" / "narrate" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


@pytest.fixture
def cop(tmp_path: Path) -> Path:
    """An empty bare repository: the community's remote."""
    path = tmp_path / "cop.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    return path


@pytest.fixture
def maintainer(tmp_path: Path, cop: Path) -> Path:
    """A working clone of the community, for building (hostile) content by hand."""
    work = tmp_path / "maintainer"
    subprocess.run(["git", "clone", "-q", str(cop), str(work)], check=True, capture_output=True)
    git(work, "checkout", "-q", "-b", "main")
    (work / "README.md").write_text("The community\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "start")
    git(work, "push", "-q", "origin", "main")
    return work


def publish(work: Path, files: dict[str, bytes | str]) -> None:
    """Commit files into the community as some member would, and push."""
    for rel, content in files.items():
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    git(work, "add", "-A")
    git(work, "commit", "-qm", "publish")
    git(work, "push", "-q", "origin", "main")


def shared_entry(title: str, body: str = "Body\n", area: str = "testing") -> str:
    """A shared entry as narrate publishes it."""
    return (
        f"---\nid: 01TEST{abs(hash(title)) % 10**8:08d}\ntitle: {json.dumps(title)}\n"
        f"created: 2026-11-20T10:00:00Z\nauthor: carol\ntags: [testing]\n"
        f"practice:\n  - area: {area}\n    change: Pair on flaky tests\n---\n\n{body}"
    )


@pytest.fixture
def alice(tmp_path: Path, cop: Path, maintainer: Path) -> Member:
    member = Member(tmp_path / "people", "alice")
    member.config('private_tags = ["sentinel-tag"]\n')
    member.ok(
        "community", "add", "cop", str(cop), "--member", "alice", "--email", "alice@cop.example"
    )
    return member


@pytest.fixture
def bob(tmp_path: Path, cop: Path, maintainer: Path) -> Member:
    member = Member(tmp_path / "people", "bob")
    member.ok("community", "add", "cop", str(cop), "--member", "bob")
    return member
