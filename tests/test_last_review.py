"""The last review's findings: escapes in output, words kept when the editor fails,
leftover edit copies, NUL bytes, conflict markers, deleting a shared entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.community.helpers import Member
from tests.helpers import Cli, entry_text, write

OSC52 = "\x1b]52;c;UFdORUQ=\x07"
HOSTILE = f"entries/2026/01/2026-01-05-evil{OSC52}name.md"
HOSTILE_ID = "01KAAAAAAAAAAAAAAAAAAAAAAA"


def no_escapes(said: str) -> None:
    assert "\x1b" not in said and "\x07" not in said, repr(said)
    assert not any(0x80 <= ord(c) <= 0x9F for c in said), repr(said)


@pytest.fixture
def hostile(root: Path, cli: Cli) -> Cli:
    """A journal holding a readable entry whose file name carries an OSC 52 sequence."""
    write(root, HOSTILE, entry_text(HOSTILE_ID, "2026-01-05T10:00:00Z", "Evil", f"B {OSC52}\n"))
    cli.ok("reindex")
    return cli


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    path = tmp_path / "editor.sh"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(path))


@pytest.mark.parametrize("command", ["star", "unstar"])
def test_star_cleans_the_path(hostile: Cli, command: str) -> None:
    result = hostile(command, HOSTILE_ID)
    assert result.exit_code == 0, result.output
    no_escapes(result.stdout + result.stderr)


def test_edit_saved_cleans_the_path(
    hostile: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, 'printf "more\\n" >> "$1"')
    result = hostile("edit", HOSTILE_ID)
    assert result.exit_code == 0, result.output
    assert "Saved" in result.stderr
    no_escapes(result.stdout + result.stderr)


def test_edit_conflict_cleans_the_path(
    hostile: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = root / HOSTILE
    editor(tmp_path, monkeypatch, f'printf "more\\n" >> "$1"; printf "other\\n" >> "{target}"')
    result = hostile("edit", HOSTILE_ID)
    assert "conflict copy" in result.stderr, result.output
    no_escapes(result.stdout + result.stderr)


def test_delete_cleans_the_path(hostile: Cli) -> None:
    result = hostile("delete", HOSTILE_ID, "--yes")
    assert result.exit_code == 0, result.output
    assert "Deleted" in result.stderr
    no_escapes(result.stdout + result.stderr)


def test_delete_without_asking_cleans_the_path(hostile: Cli) -> None:
    result = hostile("delete", HOSTILE_ID)
    assert result.exit_code != 0
    no_escapes(result.stdout + result.stderr)


def test_redate_kept_cleans_the_path(hostile: Cli) -> None:
    result = hostile("edit", HOSTILE_ID, "--date", "2026-01-05 12:00")
    assert result.exit_code == 0, result.output
    no_escapes(result.stdout + result.stderr)


def test_practice_check_cleans_the_change(cli: Cli) -> None:
    entry_id = cli.add("Trying a thing", "--practice", f"testing: Pair {OSC52}more")
    result = cli("practice", "check", entry_id, "--answer", "yes")
    assert result.exit_code == 0, result.output
    assert "Pair" in result.stdout
    no_escapes(result.stdout + result.stderr)


def test_share_dry_run_cleans_the_copy(alice: Member) -> None:
    entry_id = alice.ok("add", "-", input=f"Plain title\n\nLine one {OSC52}\nLine two\n").stdout
    dry = alice.ok("share", entry_id.strip(), "--to", "cop", "--dry-run")
    assert "Line one" in dry.stdout and "Line two" in dry.stdout
    assert "\n" in dry.stdout.strip()  # newlines kept
    no_escapes(dry.stdout + dry.stderr)


def test_failed_editor_keeps_the_edited_entry_copy(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("An entry")
    editor(tmp_path, monkeypatch, 'printf "precious words\\n" >> "$1"; exit 1')
    result = cli("edit", entry_id)
    assert result.exit_code != 0
    line = next(x for x in result.stderr.splitlines() if "your text is kept in" in x)
    kept = Path(line.split("your text is kept in ", 1)[1].strip())
    assert "precious words" in kept.read_text("utf-8")


def test_failed_editor_without_changes_keeps_nothing(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("An entry")
    editor(tmp_path, monkeypatch, "exit 1")
    result = cli("edit", entry_id)
    assert result.exit_code != 0
    assert "kept in" not in result.stderr
    assert not list((root / ".narrate" / "editing").glob("*/*"))


def test_failed_editor_keeps_add_edit_text(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, 'printf "precious words\\n" >> "$1"; exit 1')
    result = cli("add", "--edit")
    assert result.exit_code != 0
    line = next(x for x in result.stderr.splitlines() if "your text is kept in" in x)
    kept = Path(line.split("your text is kept in ", 1)[1].strip())
    assert "precious words" in kept.read_text("utf-8")


def test_doctor_lists_leftover_edit_copies(cli: Cli, root: Path) -> None:
    cli.add("An entry")
    write(root, ".narrate/editing/edit-abc123/2026-01-05-an-entry.md", "half typed\n")
    result = cli("doctor")
    said = result.stdout + result.stderr
    assert "edit-abc123" in said and "All good" not in said, said


def test_add_refuses_nul_bytes(cli: Cli, root: Path) -> None:
    before = sorted(p.name for p in (root / "entries").rglob("*.md"))
    result = cli("add", "-", input="Alpha\nBeta \x00 words\n")
    assert result.exit_code != 0
    assert "NUL" in result.stderr or "nul" in result.stderr.lower(), result.output
    assert sorted(p.name for p in (root / "entries").rglob("*.md")) == before


def test_delete_of_a_shared_entry_names_unshare(cli: Cli, root: Path) -> None:
    write(
        root,
        "entries/2026/01/2026-01-05-shared.md",
        entry_text(
            HOSTILE_ID,
            "2026-01-05T10:00:00Z",
            "Shared",
            extra="shared:\n  - community: cop\n    path: members/me/x.md\n",
        ),
    )
    cli.ok("reindex")
    result = cli("delete", HOSTILE_ID, "--yes")
    assert f"narrate unshare {HOSTILE_ID[:12]}" in result.stderr or (
        "narrate unshare" in result.stderr and "--from cop" in result.stderr
    ), result.output
    assert "--from cop" in result.stderr


def test_conflict_marker_follows_the_core_rule() -> None:
    from narrate.journal.conflicts import is_conflict_copy

    assert not is_conflict_copy(
        {"path": "entries/2026/01/2026-01-05-handling-a-team-conflict-what-worked.md"}
    )
    assert is_conflict_copy({"path": "entries/2026/01/2026-01-05-x-conflict-abc123.md"})


def test_entry_list_marks_only_real_conflict_copies() -> None:
    from rich.style import Style

    from narrate.tui.listing import EntryRow
    from narrate.tui.widgets.entry_list import CONFLICT_MARK, EntryList

    def marks(path: str) -> str:
        row = EntryRow(0, {"id": "x", "path": path})  # type: ignore[typeddict-item]
        return EntryList._markers(None, row, Style(), True).plain  # type: ignore[arg-type]

    assert CONFLICT_MARK not in marks("entries/2026/01/2026-01-05-a-team-conflict-what-worked.md")
    assert CONFLICT_MARK in marks("entries/2026/01/2026-01-05-x-conflict-abc123.md")
