"""``narrate attach ID FILE``: the file is copied into the journal, linked at the end of
the entry, and both are committed; a symlink, a folder or a missing file changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import Cli, commit_count, git, snapshot, tracked, write


@pytest.fixture
def entry(cli: Cli) -> dict[str, str]:
    cli.ok("add", "Whiteboard session\n\nWe drew the plan.", "--date", "2026-11-27")
    item: dict[str, str] = json.loads(cli.ok("list", "--json").stdout)[0]
    return item


def body(cli: Cli, entry_id: str) -> str:
    return str(json.loads(cli.ok("show", entry_id, "--json").stdout)["body"])


def test_attach_copies_links_and_commits(cli: Cli, entry: dict[str, str], tmp_path: Path) -> None:
    picture = write(tmp_path, "My Board (final).PNG", b"\x89PNG board")
    commits = commit_count(cli.root)
    result = cli.ok("attach", entry["id"], str(picture))
    rel = "attachments/2026/11/My-Board-final.png"
    assert f"Attached {rel} to {entry['path']}" in result.stderr
    text = body(cli, entry["id"])
    assert text.endswith("We drew the plan.\n\n![My-Board-final.png](../../../" + rel + ")\n")
    target = re.findall(r"\]\(([^)]+)\)", text)[-1]
    assert ((cli.root / entry["path"]).parent / target).resolve().read_bytes() == b"\x89PNG board"
    assert commit_count(cli.root) == commits + 1
    assert rel in tracked(cli.root)
    assert git(cli.root, "status", "--porcelain").strip() == ""
    assert "Attach My-Board-final.png to: Whiteboard session" in git(cli.root, "log", "-1")


def test_same_name_other_file_gets_its_own(cli: Cli, entry: dict[str, str], tmp_path: Path) -> None:
    first = write(tmp_path / "a", "notes.pdf", b"%PDF one")
    second = write(tmp_path / "b", "notes.pdf", b"%PDF two")
    cli.ok("attach", entry["id"], str(first))
    cli.ok("attach", entry["id"], str(first))  # the same bytes: the same file
    cli.ok("attach", entry["id"], str(second))
    folder = cli.root / "attachments/2026/11"
    assert sorted(p.name for p in folder.iterdir()) == ["notes-2.pdf", "notes.pdf"]
    # A PDF is linked, not embedded as an image.
    assert "\n[notes.pdf](../../../attachments/2026/11/notes.pdf)\n" in body(cli, entry["id"])


@pytest.mark.parametrize("kind", ["symlink", "folder", "missing"])
def test_bad_files_change_nothing(
    cli: Cli, entry: dict[str, str], tmp_path: Path, kind: str
) -> None:
    secret = write(tmp_path, "secret.txt", "private")
    path = tmp_path / "thing.png"
    if kind == "symlink":
        path.symlink_to(secret)
    elif kind == "folder":
        path.mkdir()
    files, commits = snapshot(cli.root), commit_count(cli.root)
    result = cli("attach", entry["id"], str(path))
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(path) in result.stderr or "thing.png" in result.stderr
    assert snapshot(cli.root) == files
    assert commit_count(cli.root) == commits


def test_attach_to_an_unknown_entry(cli: Cli, tmp_path: Path) -> None:
    picture = write(tmp_path, "x.png", b"\x89PNG")
    result = cli("attach", "01ZZZZZZZZ", str(picture))
    assert result.exit_code == 1
    assert not (cli.root / "attachments").exists()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        (".bashrc", "attachment.bashrc"),
        ("..png", "attachment.png"),
        ("a\x1b[31mred\x07.png", "a-31mred.png"),
        ("Ærøskøbing harbour.JPG", "Ærøskøbing-harbour.jpg"),
        ("report: final?.pdf", "report-final.pdf"),
        ("x" * 300 + ".png", "x" * 92 + ".png"),
    ],
)
def test_attachment_names_are_sanitised(name: str, safe: str) -> None:
    from narrate.journal.attachments import attachment_relpath, safe_name

    assert safe_name(name) == safe
    rel = attachment_relpath(2026, 11, name)
    assert rel == f"attachments/2026/11/{safe}"
    assert ".." not in rel.split("/")
