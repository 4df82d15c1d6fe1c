"""The command line of SPEC §4, in-process through click's runner and as a real process."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from narrate.cli import main
from tests.helpers import (
    CLI_ENV,
    ENTRY_KEYS,
    PRACTICE_KEYS,
    Cli,
    commit_count,
    entry_text,
    git,
    narrate_bin,
    run_narrate,
    snapshot,
    tracked,
    write,
)
from tests.journal.test_entry import BROKEN

ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
TODAY = dt.date.today()


def front_matter(path: Path) -> str:
    """The text between an entry file's fences."""
    return path.read_text().split("---\n")[1]


def one_line_error(result: Result, *needles: str) -> str:
    """Exit status 1, one line on stderr holding every needle, no traceback."""
    assert result.exit_code == 1, result.output
    err = result.stderr
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# ---------------------------------------------------------------------------- init and paths


def test_init_creates_a_journal_and_a_second_init_is_harmless(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "my journal"
    first = runner.invoke(main, ["init", str(target)], env=CLI_ENV)
    assert first.exit_code == 0, first.output
    assert f"Created a journal at {target}" in first.stdout
    assert "narrate add" in first.stderr
    assert (target / ".git").is_dir() and (target / "entries").is_dir()
    assert ".narrate/" in (target / ".gitignore").read_text()
    second = runner.invoke(main, ["init", str(target)], env=CLI_ENV)
    assert second.exit_code == 0 and "Journal already at" in second.stdout
    assert commit_count(target) == 1


def test_init_without_a_path_uses_the_platform_data_dir(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init"], env=CLI_ENV)
    assert result.exit_code == 0, result.output
    expected = Path(os.environ["XDG_DATA_HOME"]) / "narrate" / "journal"
    assert (expected / ".git").is_dir()
    listed = CliRunner().invoke(main, ["list", "--json"], env=CLI_ENV)
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []


def test_a_missing_journal_is_one_clear_line_saying_narrate_init(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (
        ["--journal", str(tmp_path / "none"), "list"],
        ["list", "--journal", str(tmp_path / "none")],
        ["add", "text", "--journal", str(tmp_path / "none")],
    ):
        one_line_error(runner.invoke(main, args, env=CLI_ENV), "narrate init", "none")
    default = runner.invoke(main, ["search", "x"], env=CLI_ENV)
    one_line_error(default, "narrate init", os.environ["XDG_DATA_HOME"])
    assert not (tmp_path / "none").exists()


def test_journal_comes_from_flag_then_env_then_config(tmp_path: Path) -> None:
    runner = CliRunner()
    journals = {}
    for name in ("flag", "env", "config"):
        journals[name] = tmp_path / name
        assert runner.invoke(main, ["init", str(journals[name])], env=CLI_ENV).exit_code == 0
        assert runner.invoke(main, ["-j", str(journals[name]), "add", name]).exit_code == 0
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "narrate" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'journal = "{journals["config"]}"\n')

    def titles(args: list[str], env: dict[str, str]) -> list[str]:
        result = runner.invoke(main, [*args, "list", "--json"], env={**CLI_ENV, **env})
        assert result.exit_code == 0, result.output
        return [e["title"] for e in json.loads(result.stdout)]

    assert titles([], {}) == ["config"]
    assert titles([], {"NARRATE_JOURNAL": str(journals["env"])}) == ["env"]
    assert titles(["-j", str(journals["flag"])], {"NARRATE_JOURNAL": str(journals["env"])}) == [
        "flag"
    ]


def test_an_invalid_config_is_an_error_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('theme = "dark"\njournal = = "x"\n')
    result = CliRunner().invoke(main, ["list"], env={**CLI_ENV, "NARRATE_CONFIG": str(config)})
    one_line_error(result, str(config), "line 2")


# ---------------------------------------------------------------------------- add


def test_add_writes_commits_and_prints_the_id(cli: Cli, root: Path) -> None:
    result = cli.ok("add", "Paired with Sam on the flaky deploy #devops", "-t", "pairing")
    entry_id = result.stdout.strip()
    assert ULID.fullmatch(entry_id)
    rel = result.stderr.strip().removeprefix("Added ")
    assert re.fullmatch(
        r"entries/\d{4}/\d{2}/\d{4}-\d{2}-\d{2}-\d{4}-paired-with-sam-on-the-flaky-deploy-devops\.md",
        rel,
    )
    fm = front_matter(root / rel)
    assert fm.startswith(f"id: {entry_id}\ncreated: ")
    created = re.search(r"^created: (\S+)$", fm, re.M)
    assert created and dt.datetime.fromisoformat(created.group(1)).tzinfo is not None
    assert 'title: "Paired with Sam on the flaky deploy #devops"\n' in fm
    assert "tags: [pairing]\n" in fm and "private: false\n" in fm
    assert rel in tracked(root)
    assert git(root, "log", "-1", "--format=%s").startswith("Add entry: Paired with Sam")
    (item,) = cli.json("list")
    assert item["id"] == entry_id and item["tags"] == ["pairing", "devops"]


def test_add_title_from_the_first_line_and_the_whole_text_as_body(cli: Cli) -> None:
    entry_id = cli.add("First line is the title\n\nThe rest is the body.")
    shown = cli.json("show", entry_id)
    assert shown["title"] == "First line is the title"
    assert shown["body"] == "First line is the title\n\nThe rest is the body.\n"
    other = cli.add("Everything stays in the body", "--title", "Given title")
    shown = cli.json("show", other)
    assert (shown["title"], shown["body"]) == ("Given title", "Everything stays in the body\n")


def test_a_leading_tag_stays_in_the_title_and_counts(cli: Cli) -> None:
    shown = cli.json("show", cli.add("#devops standup went well"))
    assert shown["title"] == "#devops standup went well"
    assert shown["tags"] == ["devops"]


def test_add_reads_standard_input(cli: Cli) -> None:
    entry_id = cli.ok("add", "-", "-t", "git", input="Commit message subject\n\nDetails #ci\n")
    shown = cli.json("show", entry_id.stdout.strip())
    assert shown["title"] == "Commit message subject"
    assert shown["body"] == "Commit message subject\n\nDetails #ci\n"
    assert shown["tags"] == ["git", "ci"]


def last_monday() -> dt.date:
    return TODAY - dt.timedelta(days=(TODAY.weekday() - 0) % 7 or 7)


@pytest.mark.parametrize(
    ("when", "day"),
    [
        ("2026-01-15", dt.date(2026, 1, 15)),
        ("2026-01-15 14:30", dt.date(2026, 1, 15)),
        ("yesterday", TODAY - dt.timedelta(days=1)),
        ("last monday", last_monday()),
        ("3 days ago", TODAY - dt.timedelta(days=3)),
    ],
)
def test_add_with_a_date(cli: Cli, root: Path, when: str, day: dt.date) -> None:
    result = cli.ok("add", "Dated entry", "--date", when)
    assert result.stderr.startswith(f"Dated {day:%a %d %b %Y}")
    (item,) = cli.json("list")
    assert dt.datetime.fromisoformat(item["created"]).date() == day
    assert item["path"].startswith(f"entries/{day:%Y}/{day:%m}/{day:%Y-%m-%d}-")
    if when == "2026-01-15 14:30":
        assert item["path"].endswith("-1430-dated-entry.md")


@pytest.mark.parametrize(
    "when",
    [
        "someday",
        "2026-13-01",
        "next blursday",
        "99999 years ago",
        "",
    ],
)
def test_an_unreadable_date_is_an_error_and_nothing_is_written(
    cli: Cli, root: Path, when: str
) -> None:
    before = snapshot(root)
    one_line_error(cli("add", "Never written", "--date", when), "date")
    assert snapshot(root) == before
    assert commit_count(root) == 1


def test_add_private_practice_before_and_source(cli: Cli, root: Path) -> None:
    entry_id = cli.add(
        "After the meetup",
        "--practice",
        "testing:Write the failing test first",
        "--before",
        "Tests after the code",
        "--source",
        "python-cop",
        "--private",
    )
    (path,) = (root / "entries").rglob("*.md")
    fm = front_matter(path)
    assert (
        "practice:\n  - area: testing\n    change: Write the failing test first\n"
        "    before: Tests after the code\n    source: python-cop\n    status: trying\n"
    ) in fm
    assert "private: true\n" in fm
    shown = cli.json("show", entry_id)
    assert shown["private"] is True
    assert shown["practice"] == [
        {
            "area": "testing",
            "change": "Write the failing test first",
            "before": "Tests after the code",
            "source": "python-cop",
            "status": "trying",
            "review_after": None,
        }
    ]
    (practice,) = cli.json("practice")
    assert {"id", "title", "created", "area", "change", "before", "source"} <= set(practice)
    assert (practice["id"], practice["title"]) == (entry_id, "After the meetup")


def test_a_typed_area_is_stored_as_the_app_stores_it(cli: Cli) -> None:
    # One normaliser for the CLI and the practice form: "Code Review" is code-review.
    entry_id = cli.add("Reviews", "--practice", "Code Review:Read the tests first")
    (change,) = cli.json("show", entry_id)["practice"]
    assert (change["area"], change["change"]) == ("code-review", "Read the tests first")
    assert [i["id"] for i in cli.json("practice", "--area", "Code Review")] == [entry_id]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["text", "--practice", "no-colon-here"], "AREA:CHANGE"),
        (["text", "--practice", "area:"], "AREA:CHANGE"),
        (["text", "--practice", "bad area!:change"], "AREA:CHANGE"),
        (["text", "--practice", "bad area!:change"], "'bad area!' cannot be an area"),
        (["text", "--practice", " :change"], "AREA:CHANGE"),
        (["text", "--before", "x"], "--practice"),
        (["text", "--source", "x"], "--practice"),
        (["text", "-t", "not a tag!"], "is not a tag"),
        (["   "], "empty"),
        ([], "nothing to add"),
    ],
)
def test_bad_add_arguments_write_nothing(
    cli: Cli, root: Path, args: list[str], needle: str
) -> None:
    before = snapshot(root)
    one_line_error(cli("add", *args), needle)
    assert snapshot(root) == before and commit_count(root) == 1


# ---------------------------------------------------------------------------- the editor

FAKE_EDITOR = """
import os, sys, pathlib
path = pathlib.Path(sys.argv[-1])
mode = os.environ["FAKE_EDITOR_MODE"]
text = os.environ.get("FAKE_EDITOR_TEXT", "")
def read():
    # newline="": like a careful editor, keep the file's line ends as they are.
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()
def save(data):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(data)
if mode == "write":
    save(text)
elif mode == "append":
    save(read() + text)
elif mode == "replace":
    old, new = text.split("=>")
    save(read().replace(old, new))
elif mode == "delete":
    path.unlink()
elif mode == "fail":
    sys.exit(3)
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """$EDITOR is a small script; FAKE_EDITOR_MODE says what it does to the file."""
    script = tmp_path / "fake editor.py"
    script.write_text(FAKE_EDITOR)
    monkeypatch.setenv("EDITOR", f"{sys.executable} '{script}'")


@pytest.mark.usefixtures("editor")
def test_add_edit_writes_the_entry_in_the_editor(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_EDITOR_MODE", "write")
    monkeypatch.setenv("FAKE_EDITOR_TEXT", "Written in the editor\n\nWith a body #edited\n")
    entry_id = cli.add("--edit")
    shown = cli.json("show", entry_id)
    assert shown["title"] == "Written in the editor"
    assert shown["tags"] == ["edited"]


@pytest.mark.usefixtures("editor")
def test_add_edit_with_an_empty_result_writes_nothing(
    cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_MODE", "write")
    monkeypatch.setenv("FAKE_EDITOR_TEXT", "  \n")
    one_line_error(cli("add", "--edit"), "no text")
    assert snapshot(root) == {}


@pytest.mark.usefixtures("editor")
def test_edit_commits_only_when_the_file_changed(
    cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("Needs more detail", "--date", "2026-01-15 09:00")
    commits = commit_count(root)
    monkeypatch.setenv("FAKE_EDITOR_MODE", "keep")
    result = cli.ok("edit", entry_id[:12])
    assert "No changes" in result.stderr and commit_count(root) == commits

    monkeypatch.setenv("FAKE_EDITOR_MODE", "append")
    monkeypatch.setenv("FAKE_EDITOR_TEXT", "\nMore detail #later\n")
    result = cli.ok("edit", entry_id[:12])
    assert commit_count(root) == commits + 1
    assert git(root, "log", "-1", "--format=%s").strip() == "Edit entry: Needs more detail"
    assert git(root, "status", "--porcelain").strip() == ""
    shown = cli.json("show", entry_id)
    assert "More detail" in shown["body"] and shown["tags"] == ["later"]
    assert shown["updated"] > shown["created"]


@pytest.mark.usefixtures("editor")
def test_edit_defaults_to_today(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.add("Older", "--date", "2026-01-01")
    today_id = cli.add("Today's entry")
    monkeypatch.setenv("FAKE_EDITOR_MODE", "append")
    monkeypatch.setenv("FAKE_EDITOR_TEXT", "added today\n")
    cli.ok("edit")
    assert "added today" in cli.json("show", today_id)["body"]


@pytest.mark.usefixtures("editor")
def test_an_edit_that_breaks_the_file_is_kept_but_not_committed(
    cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("Fragile")
    commits = commit_count(root)
    monkeypatch.setenv("FAKE_EDITOR_MODE", "replace")
    monkeypatch.setenv("FAKE_EDITOR_TEXT", "title: Fragile=>title: [oops")
    one_line_error(cli("edit", entry_id), "no longer reads as an entry", "not committed")
    assert commit_count(root) == commits
    (path,) = (root / "entries").rglob("*.md")
    assert "title: [oops" in path.read_text(), "the user's text is never thrown away"
    listed = cli("list", "--json")
    assert json.loads(listed.stdout) == [] and path.name in listed.stderr


@pytest.mark.usefixtures("editor")
def test_a_failing_editor_changes_nothing(
    cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("Stable")
    before = snapshot(root)
    monkeypatch.setenv("FAKE_EDITOR_MODE", "fail")
    one_line_error(cli("edit", entry_id), "status 3")
    assert snapshot(root) == before


@pytest.mark.usefixtures("editor")
def test_an_editor_that_deletes_the_file_gets_a_clear_error(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("Doomed")
    (item,) = cli.json("list")
    before = snapshot(cli.root)
    commits = commit_count(cli.root)
    monkeypatch.setenv("FAKE_EDITOR_MODE", "delete")
    one_line_error(cli("edit", entry_id), item["path"])
    assert snapshot(cli.root) == before, "the entry is put back as it was"
    assert commit_count(cli.root) == commits


@pytest.mark.usefixtures("editor")
def test_edit_keeps_bom_line_ends_comments_and_unknown_keys(
    cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = (
        "id: HANDWRITTEN000000000000000\n# kept comment\ncreated: 2026-11-20 09:00\n"
        "updated: 2026-11-20 09:00\ntitle:   Written elsewhere\nmood: calm\ntags: [a,b]\n"
    )
    original = ("\ufeff---\n" + front + "---\n\nBody line\n").replace("\n", "\r\n")
    rel = "entries/2026/11/2026-11-20-0900-elsewhere.md"
    path = write(root, rel, original)
    monkeypatch.setenv("FAKE_EDITOR_MODE", "replace")
    monkeypatch.setenv("FAKE_EDITOR_TEXT", "Body line=>Body line, edited")
    cli.ok("edit", "HANDWRITTEN")
    data = path.read_bytes()
    assert data.startswith("\ufeff---\r\n".encode())
    assert b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode().removeprefix("\ufeff").replace("\r\n", "\n")
    new_front, body = text.removeprefix("---\n").split("---\n", 1)
    updated = re.search(r"^updated: (.+)$", new_front, re.M)
    assert updated and updated.group(1) != "2026-11-20 09:00"
    assert new_front == front.replace("updated: 2026-11-20 09:00", f"updated: {updated.group(1)}")
    assert body == "\nBody line, edited\n"
    assert rel in tracked(root)


def test_a_missing_editor_says_how_to_set_one(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    entry_id = cli.add("Anything")
    monkeypatch.setenv("EDITOR", "no-such-editor-anywhere")
    one_line_error(cli("edit", entry_id), "no-such-editor-anywhere", "EDITOR")


# ---------------------------------------------------------------------------- reading


@pytest.fixture
def week(cli: Cli) -> dict[str, str]:
    """Four entries on known days; their ids by title."""
    ids = {}
    for title, day, tag in [
        ("Monday", "2025-11-24", "lang/python"),
        ("Tuesday", "2025-11-25", "review"),
        ("Wednesday", "2025-11-26", "review"),
        ("Thursday", "2025-11-27", "ops"),
    ]:
        ids[title] = cli.add(f"{title} deploy notes", "--title", title, "--date", day, "-t", tag)
    return ids


def titles(items: list[dict[str, object]]) -> list[object]:
    return [i["title"] for i in items]


def test_list_json_shape_and_filters(cli: Cli, week: dict[str, str]) -> None:
    items = cli.json("list")
    assert titles(items) == ["Thursday", "Wednesday", "Tuesday", "Monday"]
    for item in items:
        assert set(item) == ENTRY_KEYS
        assert isinstance(item["tags"], list) and isinstance(item["practice"], list)
        assert isinstance(item["shared"], list) and isinstance(item["private"], bool)
    assert titles(cli.json("list", "-n", "2")) == ["Thursday", "Wednesday"]
    assert titles(cli.json("list", "--since", "2025-11-26")) == ["Thursday", "Wednesday"]
    assert titles(cli.json("list", "--until", "2025-11-25")) == ["Tuesday", "Monday"]
    assert titles(cli.json("list", "-t", "review")) == ["Wednesday", "Tuesday"]
    assert titles(cli.json("list", "-t", "#Lang")) == ["Monday"]
    assert titles(cli.json("list", "--since", "yesterday")) == []


def test_list_with_a_bad_date_is_an_error(cli: Cli) -> None:
    one_line_error(cli("list", "--since", "whenever"), "--since")


def test_list_for_people(cli: Cli, week: dict[str, str]) -> None:
    out = cli.ok("list").stdout
    assert "Thursday" in out and "#review" in out and week["Monday"][:12] in out
    empty = cli("list", "-t", "nothing")
    assert empty.exit_code == 0 and "No entries match" in empty.stderr


def test_show_by_unique_prefix(cli: Cli, week: dict[str, str]) -> None:
    entry_id = week["Tuesday"]
    shown = cli.json("show", entry_id[:12].lower())
    assert set(shown) == ENTRY_KEYS | {"body"}
    assert shown["id"] == entry_id and shown["body"] == "Tuesday deploy notes\n"
    human = cli.ok("show", entry_id).stdout
    assert "Tuesday" in human and "deploy notes" in human


def test_show_ambiguous_and_unknown_ids(cli: Cli, root: Path) -> None:
    for n in (1, 2):
        write(
            root,
            f"entries/2026/11/2026-11-0{n}-0900-twin-{n}.md",
            entry_text(f"TWIN{n}" + "0" * 21, f"2026-11-0{n}T09:00:00Z", f"Twin {n}"),
        )
    one_line_error(cli("show", "TWIN"), "several entries", "Twin 1", "Twin 2")
    one_line_error(cli("show", "NOPE"), "no entry with id 'NOPE'")
    assert cli.json("show", "twin2")["title"] == "Twin 2"


def test_search(cli: Cli, week: dict[str, str]) -> None:
    cli.add("Private thoughts", "--private", "--date", "2025-11-21")
    cli.add("Tests first", "--practice", "testing:Read tests first", "--date", "2025-11-22")
    hits = cli.json("search", "deploy")
    assert set(titles(hits)) == {"Monday", "Tuesday", "Wednesday", "Thursday"}
    for hit in hits:
        assert set(hit) == ENTRY_KEYS | {"snippet"}
        assert "\x02" not in hit["snippet"] and "deploy" in hit["snippet"]

    def found(*query: str) -> set[object]:
        return set(titles(cli.json("search", *query)))

    # "--" still works, as in any command line.
    assert found("--", "deploy", "-#review") == {"Monday", "Thursday"}
    assert found("#review") == {"Tuesday", "Wednesday"}
    assert found('"deploy notes" -monday') == {"Tuesday", "Wednesday", "Thursday"}
    assert found("area:testing") == found("is:practice") == {"Tests first"}
    assert found("is:private") == {"Private thoughts"}
    assert found("since:2025-11-26") == {"Wednesday", "Thursday"}
    assert found("until:2025-11-22 -is:private") == {"Tests first"}
    assert found("since:yesterday") == set()
    assert found("is:shared") == found("in:python-cop") == set()
    write(
        cli.root,
        "entries/2025/11/2025-11-23-0900-shared.md",
        entry_text(
            "SHARED" + "0" * 20,
            "2025-11-23T09:00:00+01:00",
            "Shared one",
            extra="shared:\n  - community: python-cop\n    path: members/me/x.md\n"
            "    commit: abc1234\n    at: 2025-11-24T10:00:00+01:00\n",
        ),
    )
    assert found("is:shared") == found("in:python-cop") == {"Shared one"}
    assert found("in:other-cop") == set()
    assert found("--", "-is:shared", "-is:private", "until:2025-11-24") == {"Monday", "Tests first"}
    cli.add("Recent deploy", "--date", "2 days ago")
    assert found('since:"3 days ago"') == found("since:3-days-ago deploy") == {"Recent deploy"}
    for nasty in ("c++", "NEAR(", '"unbalanced', "AND", "*", "-", "\x00", "caf\udcff"):
        result = cli("search", nasty, "--json")
        assert result.exit_code == 0 and isinstance(json.loads(result.stdout), list), nasty


def test_search_accepts_exclusions_without_double_dash(cli: Cli, week: dict[str, str]) -> None:
    assert titles(cli.json("search", "deploy", "-#review")) == ["Thursday", "Monday"]
    assert titles(cli.json("search", "-#review -#ops")) == ["Monday"]


@pytest.mark.parametrize("word", ["-#chores", "-nothing", "-#jenkins", "-is:shared"])
def test_search_exclusions_that_spell_an_option_letter(
    cli: Cli, week: dict[str, str], word: str
) -> None:
    result = cli("search", "--json", "deploy", word)
    assert result.exit_code == 0, result.output
    assert set(titles(json.loads(result.stdout))) == {"Monday", "Tuesday", "Wednesday", "Thursday"}


def test_search_for_people_and_warnings(cli: Cli, week: dict[str, str]) -> None:
    out = cli.ok("search", "deploy").stdout
    assert "Thursday" in out and "deploy" in out
    # An unknown filter is an error (issue 13 item 16), not a warning before every entry.
    result = cli("search", "is:bogus", "deploy")
    assert result.exit_code == 1 and "is:bogus" in result.stderr and not result.stdout
    none = cli("search", "zebra")
    assert none.exit_code == 0 and "No entries match" in none.stderr


def test_tags_json(cli: Cli, week: dict[str, str]) -> None:
    cli.add("Also review #Review #ops")
    assert cli.json("tags") == [
        {"tag": "review", "count": 3},
        {"tag": "ops", "count": 2},
        {"tag": "lang/python", "count": 1},
    ]
    assert "#review" in cli.ok("tags").stdout


def test_practice_json_and_filters(cli: Cli) -> None:
    cli.add("One", "--practice", "testing:Tests first", "--date", "2026-11-01")
    cli.add(
        "Two", "--practice", "review:Read tests first", "--source", "sam", "--date", "2026-11-10"
    )
    items = cli.json("practice")
    assert [i["title"] for i in items] == ["Two", "One"]
    for item in items:
        assert {"id", "title", "created"} | (PRACTICE_KEYS - {"review_after", "status"}) <= set(
            item
        )
    assert items[0]["source"] == "sam" and items[1]["before"] is None
    assert [i["title"] for i in cli.json("practice", "--area", "testing")] == ["One"]
    assert [i["title"] for i in cli.json("practice", "--since", "2026-11-05")] == ["Two"]
    assert cli.json("practice", "--status", "adopted") == []
    assert "Read tests first" in cli.ok("practice").stdout


def test_entry_text_is_never_read_as_markup(cli: Cli, root: Path) -> None:
    write(
        root,
        "entries/2026/11/2026-11-20-0900-markup.md",
        entry_text("MARKUP" + "0" * 20, "2026-11-20T09:00:00Z", "'[bold]x[/bold] :smile:'",
                   "[red]body[/red] [link=https://evil.example]click[/link]\n"),
    )  # fmt: skip
    for args in (("list",), ("show", "MARKUP"), ("search", "body")):
        out = cli.ok(*args).stdout
        assert "[bold]x[/bold] :smile:" in out, args
    assert "[red]body[/red]" in cli.ok("show", "MARKUP").stdout


def test_terminal_escapes_in_entries_never_reach_the_terminal(cli: Cli, root: Path) -> None:
    # An entry from another tool or a community feed must not drive the terminal:
    # set its title, clear the screen, or forge output.
    write(
        root,
        "entries/2026/11/2026-11-20-0900-escapes.md",
        entry_text(
            "ESCAPE" + "0" * 20,
            "2026-11-20T09:00:00Z",
            '"\\e[31mRED\\e[0m \\e]0;owned\\a title"',
            "body \x1b[2J cleared \x9b31m and \x07 bell #tag\n",
        ),
    )
    assert cli.json("show", "ESCAPE")["title"].startswith("\x1b[31m"), "the data keeps them"
    for args in (("list",), ("show", "ESCAPE"), ("search", "body"), ("tags",)):
        out = cli.ok(*args).stdout
        assert not set(out) & {"\x1b", "\x9b", "\x07"}, (args, out)
        assert "RED" in out or args == ("tags",)


def test_leftover_temp_files_are_never_committed(cli: Cli, root: Path) -> None:
    temp = write(
        root,
        "entries/2026/11/.2026-11-27-0900-x.md.abc123.narrate-tmp",
        entry_text("TEMP" + "0" * 22, "2026-11-27T09:00:00Z", "Half written"),
    )
    cli.add("After a crash", "--date", "2026-11-27")
    rel = temp.relative_to(root).as_posix()
    assert rel not in tracked(root)
    # Even a blanket `git add -A` (sync commits outside edits that way) skips it.
    git(root, "add", "-A")
    assert rel not in git(root, "diff", "--cached", "--name-only")
    assert titles(cli.json("list")) == ["After a crash"]


# ---------------------------------------------------------------------------- maintenance


def test_reindex_and_full_reindex(cli: Cli, week: dict[str, str], root: Path) -> None:
    assert "Indexed 4 entries" in cli.ok("reindex").stdout
    (root / ".narrate" / "index.db").write_bytes(b"garbage")
    result = cli.ok("reindex", "--full")
    assert "Indexed 4 entries" in result.stdout and "4 added" in result.stdout
    assert len(cli.json("list")) == 4


def test_doctor_healthy(cli: Cli, week: dict[str, str]) -> None:
    result = cli.ok("doctor")
    assert "4 entries on branch main" in result.stdout and "All good" in result.stdout


def test_doctor_lists_every_problem_and_exits_1(cli: Cli, root: Path, week: dict[str, str]) -> None:
    write(root, "entries/2026/11/.x.md.abc.narrate-tmp", "half")
    (path,) = [p for p in (root / "entries").rglob("*.md") if "monday" in p.name]
    path.with_name("copy.md").write_bytes(path.read_bytes())
    result = cli("doctor")
    assert result.exit_code == 1
    assert "Duplicate ids" in result.stdout and week["Monday"] in result.stdout
    assert ".x.md.abc.narrate-tmp" in result.stdout
    assert "All good" not in result.stdout


# ---------------------------------------------------------------------------- broken files


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_file_is_reported_never_rewritten_and_never_blocks_the_rest(
    cli: Cli, root: Path, kind: str
) -> None:
    cli.add("Good one #ok", "--date", "2026-11-01")
    cli.add("Good two #ok", "--date", "2026-11-02")
    data, reason = BROKEN[kind]
    rel = f"entries/2026/11/2026-11-03-0900-{kind}.md"
    write(root, rel, data)
    before = snapshot(root)
    for args in (("list",), ("search", "good"), ("search", "#ok"), ("tags",)):
        result = cli(*args, "--json")
        assert result.exit_code == 0, result.output
        items = json.loads(result.stdout)
        if args[0] != "tags":
            assert titles(items) == ["Good two #ok", "Good one #ok"], args
        else:
            assert items == [{"tag": "ok", "count": 2}]
        (warning,) = result.stderr.strip().splitlines()
        assert rel in warning and reason in warning and "narrate doctor" in warning
    human = cli("list")
    assert human.exit_code == 0 and len(human.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before


def test_doctor_lists_every_broken_file_with_its_reason(cli: Cli, root: Path) -> None:
    cli.add("Good")
    for kind, (data, _) in BROKEN.items():
        write(root, f"entries/2026/11/2026-11-03-0900-{kind}.md", data)
    before = snapshot(root)
    result = cli("doctor")
    assert result.exit_code == 1
    for kind, (_, reason) in BROKEN.items():
        line = next((line for line in result.stdout.splitlines() if f"-{kind}.md:" in line), None)
        assert line is not None, kind
        assert reason in line, line
    listed = cli("list", "--json")
    assert titles(json.loads(listed.stdout)) == ["Good"]
    assert "more" in listed.stderr and len(listed.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before


# ---------------------------------------------------------------------------- export


def test_export_json_and_markdown(cli: Cli, root: Path, week: dict[str, str]) -> None:
    data = json.loads(cli.ok("export").stdout)
    assert [e["title"] for e in data] == ["Monday", "Tuesday", "Wednesday", "Thursday"]
    assert ENTRY_KEYS | {"body", "front_matter"} <= set(data[0])
    assert data[0]["front_matter"]["id"] == week["Monday"]
    out = root.parent / "export.md"
    result = cli.ok("export", "--format", "markdown", "--out", str(out))
    assert "Exported 4 entries" in result.stderr
    text = out.read_text()
    assert text.index("## Monday") < text.index("## Thursday")
    assert "`#review`" in text and "Tuesday deploy notes" in text
    out_json = root.parent / "export.json"
    cli.ok("export", "--format", "json", "--out", str(out_json))
    assert json.loads(out_json.read_text()) == data


def test_export_of_an_empty_journal(cli: Cli) -> None:
    assert json.loads(cli.ok("export").stdout) == []


# ---------------------------------------------------------------------------- help


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("command", [(), *all_commands(main)], ids=lambda c: " ".join(c) or "main")
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"], env=CLI_ENV)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ") and len(result.stdout) > 80


def test_the_core_commands_exist() -> None:
    assert {"init", "add", "edit", "list", "show", "search", "tags", "practice", "reindex",
            "doctor", "export"} <= set(main.commands)  # fmt: skip


# ---------------------------------------------------------------------------- real processes


def test_the_installed_command_round_trip(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    assert run_narrate("init", str(journal)).returncode == 0
    env = {"NARRATE_JOURNAL": str(journal)}
    added = run_narrate("add", "Tuned the postgres autovacuum #db", env=env)
    assert added.returncode == 0, added.stderr
    entry_id = added.stdout.strip()
    assert ULID.fullmatch(entry_id)
    piped = run_narrate("add", "-", "--date", "yesterday", input="From a pipe\n", env=env)
    assert piped.returncode == 0, piped.stderr
    items = json.loads(run_narrate("list", "--json", env=env).stdout)
    assert [i["title"] for i in items] == ["Tuned the postgres autovacuum #db", "From a pipe"]
    (hit,) = json.loads(run_narrate("search", "autovacuum", "--json", env=env).stdout)
    assert hit["id"] == entry_id
    version = subprocess.run(
        [sys.executable, "-m", "narrate", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and "0.1.0" in version.stdout
    assert narrate_bin().exists()


def test_two_adds_started_at_the_same_instant_both_commit(root: Path) -> None:
    env = {**os.environ, **CLI_ENV, "NARRATE_JOURNAL": str(root)}
    start = time.time() + 0.5
    # Both processes are started, then wait for the same wall-clock moment to add.
    code = (
        "import sys, time; from narrate.cli import main; "
        f"time.sleep(max(0, {start} - time.time())); "
        "main(['add', sys.argv[1]])"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, f"Racing entry {n}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert ULID.fullmatch(out.strip())
    subjects = git(root, "log", "--format=%s").splitlines()
    assert sorted(subjects[:2]) == ["Add entry: Racing entry 1", "Add entry: Racing entry 2"]
    assert git(root, "status", "--porcelain").strip() == ""
    assert len(json.loads(run_narrate("-j", str(root), "list", "--json").stdout)) == 2


def test_a_stale_git_lock_names_the_file_and_the_fix_and_keeps_the_entry(root: Path) -> None:
    lock = root / ".git" / "index.lock"
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    result = run_narrate("-j", str(root), "add", "Saved despite the lock")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(lock) in result.stderr and f"rm '{lock}'" in result.stderr
    (path,) = (root / "entries").rglob("*.md")
    assert "Saved despite the lock" in path.read_text()
    lock.unlink()
    items = json.loads(run_narrate("-j", str(root), "list", "--json").stdout)
    assert [i["title"] for i in items] == ["Saved despite the lock"]


def test_no_git_identity_commits_and_says_how_to_set_one(root: Path, tmp_path: Path) -> None:
    home = tmp_path / "empty-home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") and k not in ("EMAIL", "HOME", "XDG_CONFIG_HOME")
    }
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        # As on a machine whose host name has no domain: git must not invent one.
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0="user.useConfigOnly",
        GIT_CONFIG_VALUE_0="true",
        **CLI_ENV,
    )
    result = subprocess.run(
        [str(narrate_bin()), "-j", str(root), "add", "Who wrote this?"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert 'git config --global user.name "Your Name"' in result.stderr
    assert "user.email" in result.stderr
    (path,) = (root / "entries").rglob("*.md")
    assert "Who wrote this?" in path.read_text()
    assert commit_count(root) == 2


def test_arguments_that_are_not_utf8_are_refused_cleanly(cli: Cli, root: Path) -> None:
    before = sorted(p.name for p in (root / "entries").rglob("*.md"))
    for args in (["add", "--title", "\udcff", "hello"], ["add", "x\udcffy"]):
        result = cli(*args)
        assert result.exit_code == 1 and "not valid UTF-8" in result.output
        assert "Traceback" not in result.output
    assert sorted(p.name for p in (root / "entries").rglob("*.md")) == before
