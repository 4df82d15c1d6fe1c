"""Entries as things you change, and a CLI a person lives with (issue 13, items 10-16):
delete, re-date, star, dates people type, lists that say what they left out, messages."""

from __future__ import annotations

import datetime as dt
import io
import json
import shlex
import subprocess
from pathlib import Path

import pytest

from narrate.cli import main
from narrate.commands import entries as entry_commands
from tests.helpers import Cli, commit_count, git, tracked, write

ULID_PREFIX = 12


def entry_file(root: Path, entry_id: str) -> Path:
    """The file holding the entry with ``entry_id``."""
    (found,) = [p for p in (root / "entries").rglob("*.md") if f"id: {entry_id}" in p.read_text()]
    return found


# ---------------------------------------------------------------------------- 10: delete


def test_delete_yes_removes_commits_and_the_hint_brings_it_back(cli: Cli, root: Path) -> None:
    entry_id = cli.add("Retry the flaky deploy #ops", "--date", "2026-11-20")
    path = entry_file(root, entry_id)
    rel = path.relative_to(root).as_posix()
    commits = commit_count(root)

    result = cli.ok("delete", entry_id[:ULID_PREFIX], "--yes")

    assert not path.exists()
    assert rel not in tracked(root)
    assert commit_count(root) == commits + 1
    assert (
        git(root, "log", "-1", "--format=%s").strip() == "Delete entry: Retry the flaky deploy #ops"
    )
    assert cli.json("list") == []
    assert cli("show", entry_id).exit_code == 1
    # The message says how to get it back, and that command works.
    hint = result.stderr.split("to bring it back: ", 1)[1].strip()
    assert hint.startswith("git -C ")
    restored = subprocess.run(shlex.split(hint), capture_output=True, text=True, check=False)
    assert restored.returncode == 0, restored.stderr
    assert cli.json("show", entry_id)["title"] == "Retry the flaky deploy #ops"


def test_delete_keeps_uncommitted_words_in_the_history(cli: Cli, root: Path) -> None:
    entry_id = cli.add("Edited by hand")
    path = entry_file(root, entry_id)
    path.write_text(path.read_text() + "A line not yet committed.\n")
    write(
        root,
        "entries/2026/11/2026-11-20-1200-never-committed.md",
        "---\nid: 01NEVERCOMMITTED0000000000\ncreated: 2026-11-20T12:00:00+00:00\n"
        "title: Never committed\n---\n\nOnly on disk\n",
    )
    for ref, words in ((entry_id, "A line not yet committed."), ("01NEVER", "Only on disk")):
        result = cli.ok("delete", ref, "--yes")
        hint = result.stderr.split("to bring it back: ", 1)[1].strip()
        subprocess.run(shlex.split(hint), check=True, capture_output=True)
        assert words in cli.json("show", ref)["body"]


def test_delete_asks_first_and_no_keeps_the_entry(
    cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("Keep me")
    monkeypatch.setattr(entry_commands, "can_ask", lambda: True)
    kept = cli.ok("delete", entry_id, input="n\n")
    assert "Delete 'Keep me'" in kept.stderr and "Nothing was deleted" in kept.stderr
    assert [i["id"] for i in cli.json("list")] == [entry_id]
    cli.ok("delete", entry_id, input="y\n")
    assert cli.json("list") == []


def test_delete_without_a_terminal_refuses_unless_yes(cli: Cli) -> None:
    entry_id = cli.add("Not without asking")
    refused = cli("delete", entry_id)
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    assert len(cli.json("list")) == 1


# ---------------------------------------------------------------------------- 11: re-date


def test_edit_date_moves_the_file_and_created_in_one_commit(cli: Cli, root: Path) -> None:
    entry_id = cli.add("Paired on the migration", "--date", "2026-11-20 10:15")
    old = entry_file(root, entry_id)
    commits = commit_count(root)

    cli.ok("edit", entry_id, "--date", "2026-10-03 09:30")

    new = entry_file(root, entry_id)
    assert not old.exists()
    assert new.relative_to(root).as_posix() == (
        "entries/2026/10/2026-10-03-0930-paired-on-the-migration.md"
    )
    shown = cli.json("show", entry_id)
    assert shown["created"].startswith("2026-10-03T09:30")
    assert shown["body"] == "Paired on the migration\n"
    assert commit_count(root) == commits + 1
    assert git(root, "status", "--porcelain").strip() == ""
    assert [i["id"] for i in cli.json("list", "--until", "2026-10-31")] == [entry_id]


def test_redating_a_shared_entry_says_its_copies_keep_the_old_date(cli: Cli, root: Path) -> None:
    entry_id = cli.add("Shared once", "--date", "2026-11-20")
    path = entry_file(root, entry_id)
    text = path.read_text().replace(
        "private: false\n",
        "private: false\nshared:\n  - community: cop\n    path: members/me/x.md\n",
    )
    path.write_text(text)
    result = cli.ok("edit", entry_id, "--date", "2026-11-18")
    assert "shared copies (cop) keep the old date" in result.stderr


# ---------------------------------------------------------------------------- 12: star


def test_star_unstar_add_star_and_is_starred(cli: Cli, root: Path) -> None:
    plain = cli.add("A plain day")
    starred = cli.add("A day to remember", "--star")
    assert "starred: true" in entry_file(root, starred).read_text()
    assert {i["id"]: i["starred"] for i in cli.json("list")} == {plain: False, starred: True}
    assert cli.json("show", starred)["starred"] is True

    cli.ok("star", plain)
    assert {i["id"] for i in cli.json("search", "is:starred")} == {starred, plain}
    assert "★" in cli.ok("list").stdout
    commits = commit_count(root)
    cli.ok("unstar", plain)
    assert "starred" not in entry_file(root, plain).read_text()
    assert commit_count(root) == commits + 1
    assert [i["id"] for i in cli.json("search", "is:starred")] == [starred]
    assert [i["id"] for i in cli.json("search", "-is:starred")] == [plain]
    again = cli.ok("unstar", plain)
    assert "nothing changed" in again.stderr and commit_count(root) == commits + 1


def test_an_imported_star_is_found(cli: Cli, root: Path) -> None:
    cli.add("Not starred")
    write(
        root,
        "entries/2026/11/2026-11-20-1200-from-jrnl.md",
        "---\nid: 01JRNLSTAR0000000000000000\ncreated: 2026-11-20T12:00:00+00:00\n"
        "title: From jrnl\nstarred: true\n---\n\nBody\n",
    )
    assert [i["title"] for i in cli.json("search", "is:starred")] == ["From jrnl"]


# ---------------------------------------------------------------------------- 14: dates


def test_add_dry_run_prints_what_it_would_write_and_writes_nothing(cli: Cli, root: Path) -> None:
    commits = commit_count(root)
    result = cli.ok(
        "add", "Read the RFC #reading", "-t", "rfc", "--date", "2026-11-03 9:00", "--dry-run"
    )
    out = result.stdout
    assert "Tue 03 Nov 2026 09:00" in out
    assert "Title: Read the RFC #reading" in out
    assert "#rfc" in out and "#reading" in out
    assert "entries/2026/11/2026-11-03-0900-read-the-rfc-reading.md" in out
    assert commit_count(root) == commits
    assert not list((root / "entries").rglob("*.md"))


@pytest.mark.parametrize(
    ("phrase", "day"),
    [("3rd of december 2025", "2025-12-03"), ("27 nov 2025", "2025-11-27"),
     ("2026/11/03", "2026-11-03"), ("03.11.2026", "2026-11-03")],
)  # fmt: skip
def test_add_date_takes_everyday_phrases(cli: Cli, phrase: str, day: str) -> None:
    cli.add("Dated", "--date", phrase)
    assert cli.json("list")[0]["created"].startswith(day)


def test_date_order_in_the_config_reads_month_first(cli: Cli, root: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('date_order = "mdy"\n')
    result = cli.runner.invoke(
        main,
        ["--journal", str(root), "add", "Month first", "--date", "11/03/2026"],
        env={"NARRATE_CONFIG": str(config), "COLUMNS": "240"},
    )
    assert result.exit_code == 0, result.output
    assert cli.json("list")[0]["created"].startswith("2026-11-03")


def test_bad_date_order_in_the_config_is_an_error(cli: Cli, root: Path, tmp_path: Path) -> None:
    from narrate.config import load_config
    from narrate.errors import NarrateError

    config = tmp_path / "config.toml"
    config.write_text('date_order = "ymd"\n')
    with pytest.raises(NarrateError, match="date_order"):
        load_config(config)


def test_a_future_date_warns(cli: Cli) -> None:
    later = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    result = cli.ok("add", "Not yet", "--date", later)
    assert "in the future" in result.stderr


def test_since_after_until_is_an_error(cli: Cli) -> None:
    for command in ("review", "list"):
        result = cli(command, "--since", "2026-11-20", "--until", "2026-11-01")
        assert result.exit_code == 1, command
        assert "--since 2026-11-20 is after --until 2026-11-01" in result.stderr


# ---------------------------------------------------------------------------- 15: lists


@pytest.fixture
def many(cli: Cli, root: Path) -> list[str]:
    """28 entries, one a day, written straight to files (28 adds would be slow)."""
    ids = []
    for n in range(28):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=n)
        entry_id = f"01MANY{n:020d}"
        write(
            root,
            f"entries/{day:%Y/%m}/{day}-1200-day-{n}.md",
            f"---\nid: {entry_id}\ncreated: {day}T12:00:00+00:00\ntitle: Day {n} "
            + "with a title long enough to wrap in a narrow table " * 3
            + "\n---\n\nBody\n",
        )
        ids.append(entry_id)
    return ids


def test_list_says_what_it_left_out(cli: Cli, many: list[str]) -> None:
    result = cli.ok("list")
    assert "20 of 28; -n N or --all" in result.stderr
    assert len(cli.json("list", "--all")) == 28
    everything = cli.ok("list", "--all")
    assert "of 28" not in everything.stderr
    assert "5 of 28" in cli.ok("list", "-n", "5").stderr


def test_list_n_0_does_not_say_no_entries_yet(cli: Cli, many: list[str]) -> None:
    result = cli.ok("list", "-n", "0")
    assert "No entries yet" not in result.stderr
    assert "0 of 28 entries shown" in result.stderr


def test_list_short_is_one_line_per_entry(cli: Cli, many: list[str]) -> None:
    lines = cli.ok("list", "--short", "--all").stdout.splitlines()
    assert len(lines) == 28
    assert lines[0].startswith(f"{many[-1]}  2026-10-28 12:00  -  Day 27 with a title")


class FakeTerminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def paged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What went to the pager (instead of running one)."""
    sent: list[str] = []
    monkeypatch.setattr("click.echo_via_pager", lambda text, color=None: sent.append(text))
    monkeypatch.setenv("LINES", "10")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("PAGER", raising=False)
    return sent


def test_long_output_at_a_terminal_goes_through_the_pager(
    paged: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from rich.text import Text

    tall = [Text(f"line {n}") for n in range(30)]
    monkeypatch.setattr("sys.stdout", FakeTerminal())
    entry_commands.print_paged(tall, no_pager=False)
    assert len(paged) == 1 and "line 29" in paged[0]
    assert os.environ["PAGER"] == "less -FRX"
    entry_commands.print_paged(tall, no_pager=True)
    entry_commands.print_paged(tall[:3], no_pager=False)  # fits: printed
    assert len(paged) == 1


def test_piped_output_never_goes_through_the_pager(
    paged: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.text import Text

    piped = io.StringIO()
    monkeypatch.setattr("sys.stdout", piped)
    entry_commands.print_paged([Text(f"line {n}") for n in range(30)], no_pager=False)
    assert paged == [] and "line 29" in piped.getvalue()


# ---------------------------------------------------------------------------- 16: messages


def test_practice_check_with_neither_answer_nor_status_refuses(cli: Cli, root: Path) -> None:
    entry_id = cli.add("Tests first", "--practice", "testing:Write the test first")
    before = entry_file(root, entry_id).read_bytes()
    result = cli("practice", "check", entry_id)
    assert result.exit_code == 1 and "--answer" in result.stderr
    result = cli("practice", "check", entry_id, "--note", "just a note")
    assert result.exit_code == 1
    assert entry_file(root, entry_id).read_bytes() == before


def test_an_unknown_search_filter_is_an_error(cli: Cli) -> None:
    cli.add("Something")
    for query in ("is:bogus", "since:whenever"):
        result = cli("search", query)
        assert result.exit_code == 1, query
        assert query in result.stderr and result.stdout == ""


def test_search_snippets_skip_template_headings_and_the_title(cli: Cli) -> None:
    body = (
        "Flaky deploy\n\n## What did I do?\n\nRetried the deploy with a backoff.\n\n"
        "## What did I learn?\n\nBackoff hides the real failure.\n"
    )
    cli.ok("add", "-", input=body)
    (hit,) = cli.json("search", "backoff")
    assert "What did I" not in hit["snippet"] and "Flaky deploy" not in hit["snippet"]
    assert "backoff" in hit["snippet"].lower()
    # Without words, the snippet is the body's start: still no heading and no title.
    (listed,) = cli.json("search", "since:2000-01-01")
    assert listed["snippet"].startswith("Retried the deploy")
    assert "What did I" not in listed["snippet"] and not listed["snippet"].startswith("Flaky")


def test_plurals(cli: Cli) -> None:
    cli.add("Only one")
    assert "Indexed 1 entry in" in cli.ok("reindex").stdout
    assert "1 entry on branch" in cli.ok("doctor").stdout


def test_init_remote_on_a_remote_that_holds_a_journal_suggests_clone(
    tmp_path: Path, cli: Cli, root: Path
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "-q", "origin", "HEAD:main")

    fresh = tmp_path / "second"
    result = cli.runner.invoke(
        main,
        ["init", str(fresh), "--remote", str(remote)],
        env={"COLUMNS": "240"},
    )
    assert result.exit_code == 1
    assert "already holds a journal" in result.stderr and "--clone" in result.stderr
    assert not (fresh / ".git").exists()
    # The journal that pushed there may point at it again; an empty remote is fine.
    again = cli.runner.invoke(main, ["init", str(root), "--remote", str(remote)])
    assert again.exit_code == 0, again.output
    empty = tmp_path / "empty.git"
    subprocess.run(["git", "init", "-q", "--bare", str(empty)], check=True)
    new = cli.runner.invoke(main, ["init", str(tmp_path / "third"), "--remote", str(empty)])
    assert new.exit_code == 0, new.output


def test_json_lists_are_unchanged_by_the_left_out_note(cli: Cli, many: list[str]) -> None:
    result = cli.ok("list", "--json")
    assert len(json.loads(result.stdout)) == 20


# ---------------------------------------------------------------------------- 17: docs


def test_docs_and_help_never_point_to_a_spec_the_reader_does_not_have() -> None:
    import click
    from click.testing import CliRunner

    repo = Path(__file__).resolve().parent.parent
    for doc in [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]:
        assert "SPEC" not in doc.read_text("utf-8"), doc.name
    for name in ("json.md", "search.md", "format.md"):
        assert (repo / "docs" / name).is_file()

    def commands(group: click.Group, prefix: list[str]) -> list[list[str]]:
        found = [prefix]
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                found += commands(command, [*prefix, name])
            else:
                found.append([*prefix, name])
        return found

    for argv in commands(main, []):
        shown = CliRunner().invoke(main, [*argv, "--help"])
        assert shown.exit_code == 0 and "SPEC" not in shown.output, argv
