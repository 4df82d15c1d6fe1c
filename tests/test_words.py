"""Issue 12, items 1 and 9: every character typed reaches the file, every inline #tag
anywhere counts, and a long first line shortens only the title."""

from __future__ import annotations

import json
from pathlib import Path

from narrate.journal.entry import Entry
from tests.helpers import Cli

SENTENCE = " ".join(f"word{i}" for i in range(200)) + " #late-tag the end."


def entry_file(root: Path) -> str:
    (path,) = (root / "entries").rglob("*.md")
    return path.read_text("utf-8")


def test_a_long_one_line_capture_keeps_every_character(cli: Cli, root: Path) -> None:
    entry_id = cli.add(SENTENCE)
    assert SENTENCE in entry_file(root)
    shown = cli.json("show", entry_id)
    assert shown["body"] == SENTENCE + "\n", "the text of a capture is its body"
    assert len(shown["title"]) <= 100 and shown["title"].endswith("…")
    assert shown["title"].startswith("word0 word1 word2")
    assert "late-tag" in shown["tags"]
    (item,) = cli.json("list")
    assert "late-tag" in item["tags"]
    assert [t["tag"] for t in cli.json("tags")] == ["late-tag"]
    (found,) = cli.json("search", "#late-tag")
    assert found["id"] == entry_id
    (found,) = cli.json("search", "word199")
    assert found["id"] == entry_id


def test_every_one_of_three_thousand_tags_counts(cli: Cli) -> None:
    text = "many tags " + " ".join(f"#t{i}" for i in range(3000))
    entry_id = cli.add(text)
    shown = cli.json("show", entry_id)
    assert shown["tags"] == [f"t{i}" for i in range(3000)]
    assert len(cli.json("tags")) == 3000
    (item,) = cli.json("list")
    assert len(item["tags"]) == 3000
    (found,) = cli.json("search", "#t2999")
    assert found["id"] == entry_id


def test_a_one_line_capture_is_its_own_body(cli: Cli) -> None:
    shown = cli.json("show", cli.add("Paired with Sam #devops"))
    text = "Paired with Sam #devops"
    assert (shown["title"], shown["body"]) == (text, text + "\n")
    assert shown["tags"] == ["devops"]


def test_a_shortened_title_never_holds_half_a_tag() -> None:
    text = "x" * 95 + " #abcdefghij rest"
    entry = Entry.from_capture(text)
    assert entry.body == text + "\n"
    assert entry.all_tags() == ["abcdefghij"]


def test_show_prints_the_title_once(cli: Cli) -> None:
    entry_id = cli.add("Fixed the flaky deploy\n\nIt was DNS.")
    out = cli.ok("show", entry_id).stdout
    assert out.count("Fixed the flaky deploy") == 1 and "It was DNS." in out


def test_show_prints_a_long_first_line_whole_once(cli: Cli) -> None:
    entry_id = cli.add(SENTENCE)
    out = " ".join(cli.ok("show", entry_id).stdout.split())
    assert out.count("word0 word1") == 1 and "word199 #late-tag the end." in out


def test_exports_print_the_title_once(cli: Cli, root: Path) -> None:
    cli.add("Fixed the flaky deploy\n\nIt was DNS.")
    cli.add(SENTENCE)
    markdown = cli.ok("export", "--format", "markdown").stdout
    assert markdown.count("Fixed the flaky deploy") == 1 and "It was DNS." in markdown
    assert markdown.count("word0 word1") == 1 and SENTENCE in markdown
    page = cli.ok("export", "--format", "html").stdout
    body = page.split("<main>", 1)[1]
    assert body.count("Fixed the flaky deploy") == 1 and "It was DNS." in body
    assert body.count("word0 word1") == 1 and "word199" in body
    data = json.loads(cli.ok("export").stdout)
    assert {item["body"] for item in data} == {
        "Fixed the flaky deploy\n\nIt was DNS.\n",
        SENTENCE + "\n",
    }


def test_import_jrnl_with_a_first_line_over_256_kb(cli: Cli, tmp_path: Path) -> None:
    first_line = "start " + "a" * (300 * 1024) + " #deep end"
    source = tmp_path / "journal.txt"
    source.write_text(f"[2024-01-05 09:15] {first_line}\nSecond line.\n\n[2024-01-06 10:00] Next\n")
    result = cli.ok("import", "jrnl", str(source), "--verify")
    assert "Imported 2 entries" in result.stdout
    listed = cli("list", "--json")
    assert "skipped" not in listed.stderr
    items = json.loads(listed.stdout)
    assert len(items) == 2
    long = next(item for item in items if item["title"] != "Next")
    assert len(long["title"]) <= 100 and long["title"].startswith("start ")
    assert "deep" in long["tags"]
    shown = cli.json("show", long["id"])
    assert shown["body"] == f"{first_line}\nSecond line.\n"
