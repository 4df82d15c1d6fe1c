"""The TUI's plain-Python parts: search highlighting, the template, the writer's queue."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.tui import highlight
from narrate.tui.messages import EntrySaved, SaveFailed
from narrate.tui.template import DEFAULT_TEMPLATE, first_blank_line, load_template, title_for
from narrate.tui.writer import RefreshJob, SaveJob, Writer, describe_repo

DAY = dt.date(2026, 11, 27)
REPO = Path(__file__).resolve().parents[2]


def test_query_words_are_the_free_text_of_a_query() -> None:
    query = 'retry "flaky test" #ci -skip area:review since:monday tes*'
    assert highlight.query_words(query) == ["retry", "flaky test", "tes"]


def test_highlighting_finds_what_the_core_searches_for() -> None:
    # The core's parser reads 10:30 as a word (10 is no filter key); the TUI's own
    # tokenizer took it for a filter and highlighted nothing.
    assert highlight.query_words("10:30") == ["10:30"]
    text = "Standup at 10:30, then lunch."
    assert highlight.emphasise(text, highlight.query_words("10:30")) == (
        "Standup at **10:30**, then lunch."
    )
    # note:"two words" is searched as the phrase "note two words"; ++ has nothing to find.
    assert highlight.query_words('note:"two words" ++') == ["note two words"]


def test_snippet_marks_name_the_matched_words() -> None:
    assert highlight.snippet_words("a \x02Testing\x03 b \x02tests\x03") == ["Testing", "tests"]


def test_matches_are_emphasised_outside_code_and_links() -> None:
    text = "Testing the `test` code.\n\n```\ntest\n```\nSee [tests](http://x/test) <b>test</b>"
    assert highlight.emphasise(text, ["test"]) == (
        "**Testing** the `test` code.\n\n```\ntest\n```\nSee [**tests**](http://x/test) "
        "<b>**test**</b>"
    )
    assert highlight.emphasise(text, []) == text
    assert highlight.first_match("A retest and a test", ["test"]) == (15, 19)


def test_titles_come_from_what_was_written_not_the_prompts() -> None:
    body = DEFAULT_TEMPLATE.replace(
        "## What did I do?\n", "## What did I do?\nFixed the flaky CI\n"
    )
    assert title_for(body, DEFAULT_TEMPLATE, DAY) == "Fixed the flaky CI"
    assert title_for(DEFAULT_TEMPLATE, DEFAULT_TEMPLATE, DAY) == (
        "Narration, Friday 27 November 2026"
    )
    assert title_for("# Shipped it\nmore", "", DAY) == "Shipped it"


def test_template_cursor_goes_under_the_first_prompt(tmp_path: Path) -> None:
    assert first_blank_line(DEFAULT_TEMPLATE) == 1
    assert load_template(tmp_path) == DEFAULT_TEMPLATE
    (tmp_path / "template.md").write_bytes(b"\xff broken")
    assert load_template(tmp_path) == DEFAULT_TEMPLATE  # unreadable: the default


def test_repo_state_in_a_few_words() -> None:
    def state(**kw: object) -> SimpleNamespace:
        base = {"problems": [], "uncommitted": [], "remote": None, "ahead": None, "behind": None}
        return SimpleNamespace(**(base | kw))

    assert describe_repo(state()) == "clean"
    assert describe_repo(state(uncommitted=["a", "b"])) == "2 uncommitted"
    assert describe_repo(state(remote="u", ahead=0, behind=0)) == "in sync"
    assert describe_repo(state(remote="u", ahead=3, behind=1)) == "3 unpushed, 1 to pull"
    assert describe_repo(state(remote="u")) == "no upstream"
    assert describe_repo(state(problems=["x"])) == "git needs attention (narrate doctor)"


def run_writer(writer: Writer) -> list[object]:
    posted: list[object] = []
    writer.stop()
    writer.run(posted.append, lambda: False)
    return posted


def test_the_writer_coalesces_saves_and_keeps_their_order(journal: Journal, root: Path) -> None:
    writer = Writer(root)
    for seq, body in enumerate(["one", "one two", "one two three"], 1):
        writer.submit(SaveJob("s1", seq, None, None, body, DEFAULT_TEMPLATE, DAY))
    writer.submit(RefreshJob())
    writer.submit(RefreshJob())
    posted = run_writer(writer)
    saves = [m for m in posted if isinstance(m, EntrySaved)]
    assert [m.seq for m in saves] == [3]  # one write, one commit, of the latest text
    assert saves[0].created and "one two three" in saves[0].entry.body
    assert len([m for m in posted if type(m).__name__ == "JournalRefreshed"]) == 1
    assert len(list((root / "entries").rglob("*.md"))) == 1


def test_a_new_entry_is_created_once_then_edited(journal: Journal, root: Path) -> None:
    writer = Writer(root)
    writer.submit(SaveJob("s1", 1, None, None, "first", DEFAULT_TEMPLATE, DAY))
    first = run_writer(writer)
    writer.submit(SaveJob("s1", 2, None, None, "first and second", DEFAULT_TEMPLATE, DAY))
    second = run_writer(writer)
    assert first[0].created and not second[0].created
    assert first[0].entry.path == second[0].entry.path
    assert second[0].entry.title == "first and second"  # a derived title follows the body


def test_an_explicit_title_stays(journal: Journal, root: Path) -> None:
    entry = journal.add(Entry.new("body\n", title="Chosen title"))
    writer = Writer(root)
    data = (root / entry.path).read_bytes()
    writer.submit(SaveJob("s1", 1, entry, data, "new body\n", DEFAULT_TEMPLATE, DAY))
    (saved,) = run_writer(writer)
    assert saved.entry.title == "Chosen title" and saved.entry.body == "new body\n"


def test_a_failed_save_keeps_the_text(journal: Journal, root: Path) -> None:
    entry = journal.add(Entry.new("body\n", title="T"))
    (root / "entries" / "blocker").write_text("a file where a folder should be")
    entry.path = "entries/blocker/t.md"  # the write cannot happen, even as root
    writer = Writer(root)
    writer.submit(SaveJob("s1", 1, entry, b"", "precious words\n", "", DAY))
    (failed,) = run_writer(writer)
    assert isinstance(failed, SaveFailed)
    kept = failed.reason.rsplit("kept in ", 1)[1]
    assert Path(kept).read_text("utf-8") == "precious words\n"
    assert Path(kept).is_relative_to(root / ".narrate")  # git-ignored local state


def test_commands_other_than_the_tui_never_import_textual(root: Path) -> None:
    code = (
        "import sys\n"
        "from narrate.cli import main\n"
        f"main(['--journal', {str(root)!r}, 'list'], standalone_mode=False)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'"
        " or m.startswith('narrate.tui'))\n"
        "print(loaded)\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_only_the_tui_and_open_tui_import_the_tui() -> None:
    importing = re.compile(r"^\s*(from|import)\s+(narrate\.tui|textual)\b", re.M)
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "narrate").rglob("*.py")
        if "tui" not in path.relative_to(REPO / "narrate").parts
        and path.name != "cli.py"
        and importing.search(path.read_text("utf-8"))
    ]
    assert offenders == []
    cli = (REPO / "narrate" / "cli.py").read_text("utf-8")
    # In cli.py, only inside open_tui (indented, never at module level).
    assert not re.search(r"^(from|import)\s+(narrate\.tui|textual)", cli, re.M)
