"""A file name holding escape sequences never reaches the terminal raw (issue 11, item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli, write

HOSTILE = "entries/2026/01/2026-01-05-\x1b]0;pwn\x07title-\x1b[2Jclear-\x9b31m.md"


@pytest.fixture
def hostile(root: Path, cli: Cli) -> Cli:
    """A journal with one good entry and an unreadable file whose name is hostile."""
    cli.add("A good entry #work")
    # Unreadable on purpose, so every read names it in its "skipped ..." warning.
    write(root, HOSTILE, "---\nid: [unclosed\n---\nbody\n")
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("search", "good"),
        ("tags",),
        ("practice",),
        ("review",),
        ("reindex",),
        ("doctor",),
    ],
)
def test_hostile_file_names_are_cleaned(hostile: Cli, args: tuple[str, ...]) -> None:
    result = hostile(*args)
    said = result.stdout + result.stderr
    assert "title-" in said and "clear-" in said, said  # the file is named...
    assert "\x1b" not in said and "\x07" not in said and "\x9b" not in said  # ...cleaned


def test_json_output_escapes_c1_controls(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from narrate.commands.common import emit_json

    emit_json({"path": "a\x9b2Jb\x1b]0;x\x07"})
    printed = capsys.readouterr().out
    assert "\x9b" not in printed and "\x1b" not in printed
    assert json.loads(printed) == {"path": "a\x9b2Jb\x1b]0;x\x07"}  # the same string


def test_import_names_hostile_source_files_cleaned(tmp_path: Path, cli: Cli) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    # No date anywhere: the summary lists it among the files dated by modification time.
    (vault / "note-\x1b]0;pwn\x07-\x1b[2J.md").write_text("Just a note\n")
    result = cli("import", "markdown", str(vault), "--dry-run")
    said = result.stdout + result.stderr
    assert "note-" in said, said
    assert "\x1b" not in said and "\x07" not in said


def test_error_messages_are_cleaned(cli: Cli) -> None:
    result = cli("show", "nope-\x1b]0;pwn\x07-\x1b[2J")
    assert result.exit_code == 1
    assert "nope-" in result.stderr and "\x1b" not in result.stderr
