"""Importing jrnl: journals written by jrnl 4 itself, as text, folder and JSON export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from narrate.importers.base import map_tag
from narrate.importers.jrnl import split_entry
from tests.helpers import Cli, commit_count, snapshot, tracked
from tests.importers.conftest import LONG_LINE, JrnlFiles


def exported(cli: Cli) -> list[dict[str, Any]]:
    """The journal as 'narrate export' gives it, oldest first."""
    return json.loads(cli.ok("export").stdout)


def assert_matches_jrnl(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    """Every jrnl entry came across: count, date and time, title, body, tags, star."""
    assert len(ours) == len(theirs)
    theirs = sorted(theirs, key=lambda e: (e["date"], e["time"]))
    for mine, source in zip(ours, theirs, strict=True):
        assert mine["created"][:16] == f"{source['date']}T{source['time']}"
        assert mine["title"] == source["title"]
        assert mine["body"] in (source["body"], source["body"] + "\n")
        wanted = {map_tag(t, "#@") for t in source["tags"]} - {None}
        assert wanted <= set(mine["tags"]), (source["tags"], mine["tags"])
        assert mine["front_matter"].get("starred", False) is source["starred"]


def test_text_journal_comes_across_as_jrnl_reads_it(cli: Cli, jrnl_files: JrnlFiles) -> None:
    result = cli.ok("import", "jrnl", str(jrnl_files.text))
    assert "Imported 5 entries" in result.stdout
    ours = exported(cli)
    assert_matches_jrnl(ours, jrnl_files.exported())
    # jrnl's text has seconds; they are kept.
    assert ours[0]["created"].startswith("2024-01-05T09:15:00")


def test_json_export_comes_across_as_jrnl_wrote_it(cli: Cli, jrnl_files: JrnlFiles) -> None:
    cli.ok("import", "jrnl", str(jrnl_files.json))
    assert_matches_jrnl(exported(cli), jrnl_files.exported())


def test_text_and_json_of_one_journal_are_the_same_entries(cli: Cli, jrnl_files: JrnlFiles) -> None:
    cli.ok("import", "jrnl", str(jrnl_files.text))
    before = snapshot(cli.root)
    result = cli.ok("import", "jrnl", str(jrnl_files.json))
    assert "Skipped 5 already imported" in result.stdout
    assert snapshot(cli.root) == before


def test_bodies_titles_tags_and_stars_in_detail(cli: Cli, jrnl_files: JrnlFiles) -> None:
    cli.ok("import", "jrnl", str(jrnl_files.text))
    by_title = {e["title"]: e for e in exported(cli)}
    one_line = by_title["Shipped the retry fix @work."]
    assert one_line["body"] == "It took three tries.\n"
    assert one_line["tags"] == ["work"]
    starred = by_title["Paired with Sam on the flaky deploy @pairing"]
    assert starred["front_matter"]["starred"] is True
    assert starred["body"] == ""
    retro = by_title["Notes from the retro @team/payments"]
    # Not re-wrapped, indentation and Markdown kept, no trailing jrnl separator.
    assert retro["body"] == (
        f"{LONG_LINE}\n\n    indented code block\n\n## What I learned\n"
        "- a list item #done\n- another @Work and @café\n\nA footnote[^1].\n\n"
        "[^1]: the footnote @c++\n"
    )
    assert {"team/payments", "done", "work", "café", "c"} <= set(retro["tags"])
    # Tags narrate had to change are kept as jrnl had them; ## (a heading mark) is no tag.
    assert "@c++" in retro["front_matter"]["source_tags"]
    assert "##" not in retro["front_matter"]["source_tags"]
    assert "starred" not in by_title["Café ☕ notes"]["front_matter"]
    for entry in by_title.values():
        assert entry["front_matter"]["imported_from"].startswith("jrnl:")


def test_folder_journal_takes_the_day_from_its_path(cli: Cli, jrnl_files: JrnlFiles) -> None:
    result = cli.ok("import", "jrnl", str(jrnl_files.folder))
    assert "Imported 3 entries from jrnl folder journal" in result.stdout
    ours = exported(cli)
    assert_matches_jrnl(ours, jrnl_files.exported("folder"))
    assert [e["created"][:16] for e in ours] == [
        "2024-01-05T10:00",
        "2024-01-05T18:00",
        "2024-02-29T07:30",
    ]
    assert ours[1]["body"] == "with a body\n"


def test_import_is_one_commit_and_indexed(cli: Cli, jrnl_files: JrnlFiles) -> None:
    commits = commit_count(cli.root)
    result = cli.ok("import", "jrnl", str(jrnl_files.text))
    assert commit_count(cli.root) == commits + 1
    files = set(snapshot(cli.root))
    assert files <= tracked(cli.root)
    assert len(files) == 5
    assert 'one commit ("Import 5 entries from jrnl (journal.txt)")' in result.stdout
    assert len(cli.json("list")) == 5
    assert cli.json("tags")[0] == {"tag": "work", "count": 3}


def test_importing_twice_changes_nothing(cli: Cli, jrnl_files: JrnlFiles) -> None:
    cli.ok("import", "jrnl", str(jrnl_files.text))
    files, commits = snapshot(cli.root), commit_count(cli.root)
    result = cli.ok("import", "jrnl", str(jrnl_files.text))
    assert "Nothing new to import" in result.stdout
    assert "Skipped 5 already imported" in result.stdout
    assert snapshot(cli.root) == files
    assert commit_count(cli.root) == commits


def test_a_new_entry_in_the_source_is_the_only_one_imported(
    cli: Cli, jrnl_files: JrnlFiles, tmp_path: Path
) -> None:
    source = tmp_path / "journal.txt"
    shutil.copy(jrnl_files.text, source)
    cli.ok("import", "jrnl", str(source))
    with open(source, "a", encoding="utf-8") as handle:
        handle.write("\n[2024-04-01 08:00:00 AM] Written later @work\n")
    result = cli.ok("import", "jrnl", str(source))
    assert "Imported 1 entry" in result.stdout
    assert "Skipped 5" in result.stdout
    assert len(exported(cli)) == 6


def test_dry_run_reports_and_writes_nothing(cli: Cli, jrnl_files: JrnlFiles) -> None:
    files, commits = snapshot(cli.root), commit_count(cli.root)
    result = cli.ok("import", "jrnl", str(jrnl_files.text), "--dry-run")
    assert "Dry run: nothing was written." in result.stdout
    assert "Would import 5 entries" in result.stdout
    assert "2024-01-05 09:15  Shipped the retry fix @work.  → entries/2024/01/" in result.stdout
    assert snapshot(cli.root) == files
    assert commit_count(cli.root) == commits


def test_the_source_is_never_touched(cli: Cli, jrnl_files: JrnlFiles) -> None:
    sources = [jrnl_files.text, jrnl_files.json, *sorted(jrnl_files.folder.rglob("*.txt"))]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sources}
    cli.ok("import", "jrnl", str(jrnl_files.text), "--verify")
    cli.ok("import", "jrnl", str(jrnl_files.json))
    cli.ok("import", "jrnl", str(jrnl_files.folder))
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sources} == before
    assert not list(jrnl_files.text.parent.glob(".*tmp*"))


@pytest.mark.parametrize("which", ["text", "json", "folder"])
def test_verify_finds_nothing_lost(cli: Cli, jrnl_files: JrnlFiles, which: str) -> None:
    result = cli.ok("import", "jrnl", str(getattr(jrnl_files, which)), "--verify")
    assert "nothing is lost" in result.stdout
    # Verifying again checks the entries already there against the source.
    again = cli.ok("import", "jrnl", str(getattr(jrnl_files, which)), "--verify")
    assert "nothing is lost" in again.stdout


def test_verify_reports_a_field_that_changed(cli: Cli, jrnl_files: JrnlFiles) -> None:
    cli.ok("import", "jrnl", str(jrnl_files.text))
    # Someone edits an imported entry's body; verify says what no longer matches.
    path = next(p for p in (cli.root / "entries").rglob("*shipped*"))
    path.write_text(path.read_text("utf-8").replace("three tries", "two tries"), "utf-8")
    result = cli("import", "jrnl", str(jrnl_files.text), "--verify")
    assert result.exit_code == 1
    assert "fields that would be lost or changed: body" in result.stdout
    assert "Verify: 1 problem in 5 entries" in result.stdout
    assert "line 1: body: differs at character 9: source 'hree tries.'" in result.stdout


# ---------------------------------------------------------------------------- settings


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_configured_tag_symbols_and_time_format(cli: Cli, tmp_path: Path) -> None:
    source = write(
        tmp_path,
        "diary.txt",
        "[05.01.2024 09:15] Morning +ideas and @not-a-tag\nBody +more\n\n"
        "[06.01.2024 21:00] Evening\n",
    )
    config = write(
        tmp_path,
        "jrnl.yaml",
        f"timeformat: '%d.%m.%Y %H:%M'\ntagsymbols: '+'\njournals:\n  default: {source}\n",
    )
    cli.ok("import", "jrnl", str(source), "--jrnl-config", str(config))
    first, second = exported(cli)
    assert first["created"].startswith("2024-01-05T09:15")
    assert first["tags"] == ["ideas", "more"]
    assert second["title"] == "Evening"


def test_a_journal_block_in_the_config_overrides_the_top_level(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path, "work.txt", "[2024/01/05 09:15] Per journal format\n")
    (tmp_path / "config" / "jrnl").mkdir(parents=True)
    write(
        tmp_path / "config" / "jrnl",
        "jrnl.yaml",
        "timeformat: '%d.%m.%Y'\njournals:\n"
        f"  work:\n    journal: {source}\n    timeformat: '%Y/%m/%d %H:%M'\n",
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    cli.ok("import", "jrnl", str(source))
    assert exported(cli)[0]["created"].startswith("2024-01-05T09:15")


def test_lines_that_are_not_entry_dates_stay_text(cli: Cli, tmp_path: Path) -> None:
    source = write(
        tmp_path,
        "journal.txt",
        "[2024-01-05 09:15] Title\n[1] a footnote stays a footnote\n"
        "[2024-02-30 09:00] not a date either\n\n[2024-01-06 10:00] Next\n",
    )
    result = cli.ok("import", "jrnl", str(source))
    assert "Imported 2 entries" in result.stdout
    assert "line 3: [2024-02-30 09:00] is not a date" in result.stdout
    first = exported(cli)[0]
    assert first["body"] == (
        "[1] a footnote stays a footnote\n[2024-02-30 09:00] not a date either\n"
    )


def test_identical_entries_are_two_entries_once(cli: Cli, tmp_path: Path) -> None:
    text = "[2024-01-05 09:15] Standup\nSame words.\n\n"
    source = write(tmp_path, "journal.txt", text * 2)
    cli.ok("import", "jrnl", str(source))
    assert len(exported(cli)) == 2
    again = cli.ok("import", "jrnl", str(source))
    assert "Skipped 2 already imported" in again.stdout


@pytest.mark.parametrize(
    ("text", "starred", "title", "body"),
    [
        ("One line. Then more.", False, "One line.", "Then more."),
        ("Just a title", False, "Just a title", ""),
        ("Title *\nBody", True, "Title", "Body"),
        ("*Emphasis* in a starred title **\n", True, "*Emphasis* in a starred title", ""),
        ("Title\n\n\n  indented first line\n\n", False, "Title", "  indented first line"),
        ("Question? Answer.", False, "Question?", "Answer."),
    ],
)
def test_split_entry_as_jrnl_does(text: str, starred: bool, title: str, body: str) -> None:
    assert split_entry(text) == (starred, title, body)


# ---------------------------------------------------------------------------- malformed


def assert_fails_cleanly(cli: Cli, source: Path, *needles: str) -> None:
    files, commits = snapshot(cli.root), commit_count(cli.root)
    result = cli("import", "jrnl", str(source))
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith("narrate: ") and "\n" not in message, message
    for needle in needles:
        assert needle in message
    assert "Traceback" not in result.output
    assert snapshot(cli.root) == files, "a failed import leaves the journal as it was"
    assert commit_count(cli.root) == commits


def test_text_before_the_first_entry_names_the_line(cli: Cli, tmp_path: Path) -> None:
    source = write(tmp_path, "journal.txt", "\nnotes to self\n[2024-01-05 09:15] Title\n")
    assert_fails_cleanly(cli, source, "line 2: text before the first dated entry")


def test_no_entry_at_all_suggests_the_time_format(cli: Cli, tmp_path: Path) -> None:
    source = write(tmp_path, "journal.txt", "[Jan 5th, morning] Title\n")
    assert_fails_cleanly(cli, source, "no dated entry found", "--time-format")


def test_bad_utf8_late_in_the_file_rolls_everything_back(cli: Cli, tmp_path: Path) -> None:
    good = "".join(f"[2024-01-{d:02d} 09:00] Day {d}\n\n" for d in range(1, 29))
    source = write(tmp_path, "journal.txt", good.encode() + b"[2024-02-01 09:00] caf\xe9\n")
    assert_fails_cleanly(cli, source, "line 57: not UTF-8 text (byte 0xe9 at column 23)")
    assert not list((cli.root / "entries").rglob("*")), "no file, not even a temporary one"


def test_an_encrypted_journal_says_to_decrypt_it(cli: Cli, tmp_path: Path) -> None:
    source = write(tmp_path, "journal.txt", "gAAAAABlZ2x5c2VjcmV0")
    assert_fails_cleanly(cli, source, "encrypted jrnl journal", "jrnl --decrypt")


def test_broken_json_names_line_and_column(cli: Cli, tmp_path: Path) -> None:
    source = write(tmp_path, "export.json", '{\n  "entries": [\n    {"title": "x",}\n  ]\n}\n')
    assert_fails_cleanly(cli, source, "line 3 column 19: not valid JSON")


def test_json_that_is_not_a_jrnl_export(cli: Cli, tmp_path: Path) -> None:
    source = write(tmp_path, "export.json", '{"tags": {}}')
    assert_fails_cleanly(cli, source, "not a jrnl export", "jrnl --format json")


def test_a_bad_entry_in_json_fails_alone(cli: Cli, tmp_path: Path) -> None:
    entries = [
        {"title": "Good", "body": "", "date": "2024-01-05", "time": "09:00", "tags": []},
        {"title": "Bad", "body": "", "date": "2024-13-05", "time": "09:00", "tags": []},
    ]
    source = write(tmp_path, "export.json", json.dumps({"tags": {}, "entries": entries}))
    result = cli("import", "jrnl", str(source))
    assert result.exit_code == 1
    assert "Imported 1 entry" in result.stdout
    assert "entry 2 (2024-13-05 09:00): date '2024-13-05' and time '09:00' are not" in (
        result.stdout
    )
    assert [e["title"] for e in exported(cli)] == ["Good"]


def test_a_folder_that_is_not_a_jrnl_folder(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert_fails_cleanly(cli, tmp_path / "empty", "no YYYY/MM/DD.txt files")


def test_crlf_journals_and_nul_characters(cli: Cli, tmp_path: Path) -> None:
    source = write(
        tmp_path,
        "journal.txt",
        "[2024-01-05 09:15] Windows\r\nline one\r\nline two\r\n\r\n"
        "[2024-01-06 09:15] Binary\r\nnul \x00 here\r\n",
    )
    result = cli("import", "jrnl", str(source), "--verify")
    assert result.exit_code == 1
    assert "line 5: contains a NUL character" in result.stdout
    assert "nothing is lost" in result.stdout
    (entry,) = exported(cli)
    assert entry["body"] == "line one\nline two\n"
