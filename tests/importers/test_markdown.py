"""Importing a folder of Markdown notes: an Obsidian vault with and without front matter."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, commit_count, snapshot

DAILY_PLAIN = "- Met with Sam about #deploys\n- ![[whiteboard.png]]\n"
DAILY_FRONT = (
    '---\ntags: [daily, Work Trip, "#travel"]\nmood: good # comment kept\n---\n\n'
    "# Saturday\n\nFlew to Lisbon.\n"
)
RETRO = (
    "---\nid: 202402011030\ntitle: Sprint retro\ndate: 2024-02-01 10:30\n"
    "aliases:\n  - retro 7\n  - February retro\n---\n"
    "Went well: [[Deploy checklist]].\n"
)
CREATED = "---\ncreated: 2024-03-05T08:00:00+01:00\ntags: work\n---\r\n\r\nCRLF body\r\nline\r\n"
LOOSE = "An idea with no date at all.\n"
# 2024-04-02 15:30 local time, for the note dated by its modification time.
LOOSE_MTIME = dt.datetime(2024, 4, 2, 15, 30).timestamp()


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """An Obsidian vault: daily notes, notes with front matter, its settings folder."""
    root = tmp_path / "vault"
    write(root, "Daily/2024-01-05.md", DAILY_PLAIN)
    write(root, "Daily/2024-01-06.md", DAILY_FRONT)
    write(root, "Notes/Retro.md", RETRO)
    write(root, "Notes/Crlf.md", CREATED.replace("\n", "\r\n").replace("\r\r", "\r"))
    loose = write(root, "Notes/Loose idea.md", LOOSE)
    os.utime(loose, (LOOSE_MTIME, LOOSE_MTIME))
    write(root, ".obsidian/workspace.md", "settings, not a note\n")
    write(root, ".obsidian/app.json", "{}")
    write(root, "Attachments/whiteboard.png", b"\x89PNG")
    return root


def exported(cli: Cli) -> dict[str, dict[str, Any]]:
    """Imported entries by title."""
    return {e["title"]: e for e in json.loads(cli.ok("export").stdout)}


def test_a_vault_comes_across(cli: Cli, vault: Path) -> None:
    result = cli.ok("import", "markdown", str(vault))
    assert "Imported 5 entries from Markdown folder" in result.stdout
    assert (
        "Dates: 2 from the file name, 2 from front matter, 1 from the file's modification time"
        in result.stdout
    )
    assert "    Notes/Loose idea.md" in result.stdout
    assert "Copied 1 attachment into attachments/" in result.stdout
    entries = exported(cli)
    assert set(entries) == {"2024-01-05", "2024-01-06", "Sprint retro", "Crlf", "Loose idea"}


def test_a_daily_note_without_front_matter(cli: Cli, vault: Path) -> None:
    cli.ok("import", "markdown", str(vault))
    daily = exported(cli)["2024-01-05"]
    # The embedded picture is copied, and linked relatively from the entry file.
    link = "![whiteboard.png](../../../attachments/2024/01/whiteboard.png)"
    assert daily["body"] == DAILY_PLAIN.replace("![[whiteboard.png]]", link)
    assert (cli.root / "attachments/2024/01/whiteboard.png").read_bytes() == b"\x89PNG"
    # The note's own name stays an alias: [[2024-01-05]] links still find it.
    assert daily["front_matter"]["aliases"] == ["2024-01-05"]
    assert daily["created"].startswith("2024-01-05T12:00:00")  # a day: noon, as 'add' does
    assert daily["tags"] == ["deploys"]
    assert daily["front_matter"]["imported_from"].startswith("markdown:")


def test_front_matter_is_kept_byte_for_byte(cli: Cli, vault: Path) -> None:
    cli.ok("import", "markdown", str(vault))
    daily = exported(cli)["2024-01-06"]
    text = (cli.root / daily["path"]).read_text("utf-8")
    assert "mood: good # comment kept\n" in text
    assert daily["front_matter"]["mood"] == "good"
    assert daily["body"] == "# Saturday\n\nFlew to Lisbon.\n"
    # "Work Trip" is no narrate tag as written: the tags are rewritten, the originals kept.
    assert daily["tags"] == ["daily", "work-trip", "travel"]
    assert daily["front_matter"]["source_tags"] == ["daily", "Work Trip", "#travel"]


def test_dates_and_ids_from_front_matter(cli: Cli, vault: Path) -> None:
    cli.ok("import", "markdown", str(vault))
    entries = exported(cli)
    retro = entries["Sprint retro"]
    assert retro["created"].startswith("2024-02-01T10:30:00")
    assert retro["front_matter"]["date"] == "2024-02-01 10:30"
    assert retro["front_matter"]["aliases"] == ["retro 7", "February retro", "Retro"]
    # A Zettelkasten id is not narrate's id; it is kept beside it.
    assert retro["front_matter"]["source_id"] == 202402011030
    assert len(retro["id"]) == 26
    assert retro["body"] == "Went well: [[Deploy checklist]].\n"
    loose = entries["Loose idea"]
    assert loose["created"].startswith("2024-04-02T15:30:00")


def test_line_ends_and_created_are_kept(cli: Cli, vault: Path) -> None:
    cli.ok("import", "markdown", str(vault))
    crlf = exported(cli)["Crlf"]
    raw = (cli.root / crlf["path"]).read_bytes()
    assert b"\r\ncreated: 2024-03-05T08:00:00+01:00\r\n" in raw
    assert raw.endswith(b"\r\n\r\nCRLF body\r\nline\r\n")
    assert crlf["created"] == "2024-03-05T08:00:00+01:00"
    assert crlf["tags"] == ["work"]


def test_hidden_folders_and_other_files_are_skipped(cli: Cli, vault: Path) -> None:
    cli.ok("import", "markdown", str(vault))
    bodies = [e["body"] for e in exported(cli).values()]
    assert not any("settings" in body for body in bodies)
    assert not [p for p in (cli.root / "entries").rglob("*") if p.suffix == ".png"]
    assert [p.name for p in (cli.root / "attachments").rglob("*") if p.is_file()] == [
        "whiteboard.png"
    ]


def test_verify_and_idempotence(cli: Cli, vault: Path) -> None:
    result = cli.ok("import", "markdown", str(vault), "--verify")
    assert "nothing is lost" in result.stdout
    assert "Not kept, on purpose: id in 1 entry (kept as source_id" in result.stdout
    files, commits = snapshot(cli.root), commit_count(cli.root)
    again = cli.ok("import", "markdown", str(vault), "--verify")
    assert "Skipped 5 already imported" in again.stdout
    assert "nothing is lost" in again.stdout
    assert snapshot(cli.root) == files
    assert commit_count(cli.root) == commits


def test_the_vault_is_not_touched(cli: Cli, vault: Path) -> None:
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in vault.rglob("*") if p.is_file()}
    cli.ok("import", "markdown", str(vault))
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in vault.rglob("*") if p.is_file()}
    assert after == before


def test_a_broken_note_fails_alone(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "notes"
    write(root, "good.md", "Fine.\n")
    write(root, "broken.md", "---\ntitle: [unclosed\n---\nBody\n")
    write(root, "latin1.md", b"caf\xe9\n")
    write(root, "empty.md", "")
    write(root, "rule.md", "---\nA thematic break, never closed.\n")
    result = cli("import", "markdown", str(root))
    assert result.exit_code == 1
    assert "Imported 2 entries" in result.stdout
    assert "broken.md: front matter: invalid YAML at front matter line" in result.stdout
    assert "latin1.md: not UTF-8 text (invalid byte at offset 3)" in result.stdout
    assert "empty.md: empty note" in result.stdout
    assert exported(cli)["rule"]["body"] == "---\nA thematic break, never closed.\n"


def test_the_journal_is_never_its_own_source(cli: Cli) -> None:
    result = cli("import", "markdown", str(cli.root / "entries"))
    assert result.exit_code == 1
    assert "is inside the journal itself" in result.stderr


def test_a_journal_inside_the_source_folder_is_skipped(cli: Cli, tmp_path: Path) -> None:
    # The default test journal lives at tmp_path/journal: import all of tmp_path.
    write(tmp_path, "notes/2024-01-05.md", "A note.\n")
    cli.add("An entry already in the journal")
    result = cli.ok("import", "markdown", str(tmp_path))
    assert "Imported 1 entry" in result.stdout


def test_a_note_that_already_names_its_source(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "notes", "clip.md", "---\nimported_from: readwise\n---\nA highlight.\n")
    result = cli.ok("import", "markdown", str(tmp_path / "notes"), "--verify")
    assert "nothing is lost" in result.stdout
    front = exported(cli)["clip"]["front_matter"]
    assert front["imported_from"].startswith("markdown:")
    assert front["source_imported_from"] == "readwise"
    again = cli.ok("import", "markdown", str(tmp_path / "notes"))
    assert "Skipped 1 already imported" in again.stdout


def test_dry_run_writes_nothing(cli: Cli, vault: Path) -> None:
    files, commits = snapshot(cli.root), commit_count(cli.root)
    result = cli.ok("import", "markdown", str(vault), "--dry-run")
    assert "Would import 5 entries" in result.stdout
    assert "2024-01-05 12:00  2024-01-05  → entries/2024/01/2024-01-05-1200-2024-01-05.md" in (
        result.stdout
    )
    assert "1 from the file's modification time" in result.stdout
    assert snapshot(cli.root) == files
    assert commit_count(cli.root) == commits


def test_an_entry_before_the_year_1000_gets_the_same_path_as_add(cli: Cli, tmp_path: Path) -> None:
    # The importer and `narrate add` share one namer: four-digit years, as the folders.
    vault = tmp_path / "old"
    write(vault, "note.md", "---\ncreated: 0999-01-02T10:30:00+00:00\n---\nA very old note\n")
    cli.ok("import", "markdown", str(vault))
    (entry,) = exported(cli).values()
    assert entry["path"].startswith("entries/0999/01/0999-01-02-1030-"), entry["path"]
    added = cli.json("show", cli.add("A very old capture", "--date", "0999-01-02 10:30"))
    assert added["path"].startswith("entries/0999/01/0999-01-02-1030-"), added["path"]


def test_a_named_pipe_or_socket_in_the_vault_is_skipped_with_a_notice(
    tmp_path: Path, root: Path
) -> None:
    import socket

    from tests.helpers import run_narrate

    vault = tmp_path / "vault"
    write(vault, "2024-01-05.md", "A real note\n")
    os.mkfifo(vault / "zz-pipe.md")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(vault / "zz-socket.md"))
    try:
        # A real process with a timeout: a read that blocks on the pipe fails the test
        # instead of hanging the suite.
        result = run_narrate("--journal", str(root), "import", "markdown", str(vault), timeout=20)
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr
    assert "Imported 1 entry" in result.stdout
    out = " ".join(result.stdout.split())
    assert "zz-pipe.md" in out and "zz-socket.md" in out and "not a regular file" in out
    listed = json.loads(run_narrate("--journal", str(root), "list", "--json").stdout)
    assert [item["title"] for item in listed] == ["2024-01-05"]
