"""Export as JSON, Markdown (folder or one document) and HTML; round trips through import."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import Cli, commit_count, snapshot
from tests.importers.conftest import JrnlFiles, dayone_export


class Tags(HTMLParser):
    """Every tag name and attribute of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes.extend(attrs)


HOSTILE_TITLE = '<script>alert("title")</script> & more'
HOSTILE_BODY = (
    "Text with <img src=x onerror=alert(1)> and <b>bold</b> HTML.\n\n"
    "[click me](javascript:alert(1)) and [fine](https://example.com/a?b=1&c=2)\n\n"
    "<script>alert('body')</script>\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n"
)


@pytest.fixture
def full(cli: Cli, jrnl_files: JrnlFiles, tmp_path: Path) -> Cli:
    """A journal with every kind of entry: added, with practice, private, and imported
    from jrnl and Day One (nested front matter)."""
    cli.add("Plain entry about deploys #devops", "-t", "pairing")
    cli.add(
        "Tests first",
        "--practice",
        "testing:Write the failing test first",
        "--before",
        "Wrote tests after",
        "--source",
        "python-cop",
    )
    cli.add("Private thoughts", "--private")
    cli.ok("add", HOSTILE_BODY, "--title", HOSTILE_TITLE)
    cli.ok("import", "jrnl", str(jrnl_files.text))
    dayone = tmp_path / "Journal.json"
    dayone.write_text(json.dumps(dayone_export()), "utf-8")
    cli.ok("import", "dayone", str(dayone))
    return cli


def test_json_round_trip_through_an_empty_journal(full: Cli, other: Cli, tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    full.ok("export", "--out", str(first))
    result = other.ok("import", "json", str(first), "--verify")
    assert "Imported 13 entries from narrate JSON export" in result.stdout
    assert "nothing is lost" in result.stdout
    second = tmp_path / "second.json"
    other.ok("export", "--out", str(second))
    assert second.read_text("utf-8") == first.read_text("utf-8")
    assert snapshot(other.root) == snapshot(full.root), "even the files are the same bytes"


def test_markdown_folder_round_trip(full: Cli, other: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    result = full.ok("export", "--format", "markdown", "--out", f"{folder}/")
    assert "Exported 13 entries to" in result.stderr
    for rel, data in snapshot(full.root).items():
        assert (folder / rel.removeprefix("entries/")).read_bytes() == data
    imported = other.ok("import", "markdown", str(folder), "--verify")
    assert "Imported 13 entries" in imported.stdout
    assert "nothing is lost" in imported.stdout
    assert other.ok("export").stdout == full.ok("export").stdout


def test_import_json_into_the_same_journal_imports_nothing(full: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    full.ok("export", "--out", str(backup))
    files, commits = snapshot(full.root), commit_count(full.root)
    result = full.ok("import", "json", str(backup))
    assert "Skipped 13 already imported" in result.stdout
    assert snapshot(full.root) == files
    assert commit_count(full.root) == commits


def test_an_export_of_imported_entries_is_known_to_a_journal_that_imported_them(
    full: Cli, other: Cli, jrnl_files: JrnlFiles, tmp_path: Path
) -> None:
    # The other journal imported the same jrnl file itself: a narrate export of the first
    # journal brings its jrnl entries again under new ids, but imported_from knows them.
    other.ok("import", "jrnl", str(jrnl_files.text))
    backup = tmp_path / "backup.json"
    full.ok("export", "--out", str(backup))
    result = other.ok("import", "json", str(backup))
    assert "Imported 8 entries" in result.stdout
    assert "Skipped 5 already imported" in result.stdout


def test_markdown_into_an_existing_folder_and_as_one_document(full: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "existing"
    folder.mkdir()
    full.ok("export", "--format", "markdown", "--out", str(folder))
    assert len(list(folder.rglob("*.md"))) == 13
    document = tmp_path / "journal.md"
    full.ok("export", "--format", "markdown", "--out", str(document))
    text = document.read_text("utf-8")
    assert text.startswith("# journal\n")
    assert "## Plain entry about deploys #devops" in text
    assert "- Practice (testing): Wrote tests after → Write the failing test first [trying]" in text


def test_html_is_one_readable_page_that_runs_nothing(full: Cli, tmp_path: Path) -> None:
    page = tmp_path / "journal.html"
    result = full.ok("export", "--format", "html", "--out", str(page))
    assert "Exported 13 entries to" in result.stderr
    text = page.read_text("utf-8")
    assert text.startswith("<!doctype html>")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    # Nothing executable and nothing fetched from elsewhere: one self-contained file.
    tags = Tags()
    tags.feed(text)
    assert not tags.names & {"script", "iframe", "object", "embed", "link", "form", "base"}
    assert not [a for a in tags.attributes if a[0].startswith("on")]
    assert not [a for a in tags.attributes if a[1] and a[1].lstrip().startswith("javascript")]
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; more" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert '<a href="https://example.com/a?b=1&amp;c=2">fine</a>' in text
    assert "<table>" in text
    # Entries, months, tags, practice, private marker and extra fields are all there.
    assert text.count("<article ") == 13
    assert '<section id="m-2021-03"><h2>March 2021</h2>' in text
    assert '<span class="tag">#devops</span>' in text
    assert 'Wrote tests after → Write the failing test first <span class="status">' in text
    assert '<span class="private">private</span>' in text
    assert "<summary>More fields</summary>" in text and "Wanniassa" in text


def test_html_to_stdout(full: Cli) -> None:
    result = full.ok("export", "--format", "html")
    assert result.stdout.rstrip().endswith("</html>")


def test_html_of_an_empty_journal(cli: Cli) -> None:
    text = cli.ok("export", "--format", "html").stdout
    assert "<p>0 entries · exported" in text
    assert "<article" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "json", "--out", "{folder}"), "is a folder; give a file name"),
        (("--format", "html", "--out", "{missing}/page.html"), "does not exist; create it"),
        (("--format", "markdown", "--out", "{entries}/copy/"), "inside the journal's entries"),
    ],
)
def test_export_refuses_with_a_clear_message(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    places = {
        "folder": str(tmp_path),
        "missing": str(tmp_path / "missing"),
        "entries": str(cli.root / "entries"),
    }
    result = cli("export", *(a.format(**places) for a in args))
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_importer_modules_stay_out_of_the_startup_path() -> None:
    # narrate --help imports the command module; everything heavy loads when a run does.
    # (What every command shares, commands.common, is loaded before it anyway.)
    code = (
        "import sys, narrate.commands.common\n"
        "before = set(sys.modules)\n"
        "import narrate.commands.imports\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(('narrate', 'rich', "
        "'yaml', 'markdown_it', 'sqlite_utils', 'git', 'zipfile', 'json'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['narrate.commands.imports']"


# ---------------------------------------------------------------------------- --out targets


def test_export_writes_through_a_symlink_to_its_target(cli: Cli, tmp_path: Path) -> None:
    cli.add("First")
    drive = tmp_path / "usb"
    drive.mkdir()
    target = drive / "backup.json"
    target.write_text("stale\n")
    link = tmp_path / "backup.json"
    link.symlink_to(target)
    result = cli.ok("export", "--out", str(link))
    assert link.is_symlink(), "the link stays a link"
    assert [e["title"] for e in json.loads(target.read_text())] == ["First"]
    assert str(target) in result.stderr
    # A link whose target does not exist yet gets it created.
    dangling = tmp_path / "later.json"
    dangling.symlink_to(drive / "later.json")
    cli.ok("export", "--out", str(dangling))
    assert dangling.is_symlink() and json.loads((drive / "later.json").read_text())


def test_export_streams_into_a_named_pipe(cli: Cli, tmp_path: Path) -> None:
    import os
    import threading

    cli.add("Through the pipe")
    pipe = tmp_path / "export.fifo"
    os.mkfifo(pipe)
    received: list[bytes] = []
    # The reader opens the pipe; without one, opening for writing would wait forever.
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "narrate",
                "--journal",
                str(cli.root),
                "export",
                "--out",
                str(pipe),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        if reader.is_alive():
            # Unblock the reader if the export never opened the pipe.
            with open(pipe, "wb"):
                pass
        reader.join(10)
    assert result.returncode == 0, result.stderr
    assert pipe.exists() and not pipe.is_file(), "the pipe is still a pipe"
    assert [e["title"] for e in json.loads(received[0])] == ["Through the pipe"]


def device_node(path: Path, minor: int) -> Path:
    """A private copy of a memory device (1, 3 is null, 1, 7 is full), or skip: only
    root may make one. Never the system's /dev/null: a regression would replace it."""
    import os
    import stat

    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        open(path, "wb").close()  # a nodev mount refuses this
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make or open a device node here ({exc}); the bug needs root")
    return path


def test_export_to_a_character_device(cli: Cli, tmp_path: Path) -> None:
    import os

    cli.add("Into the void")
    null = device_node(tmp_path / "null", 3)
    before = os.stat(null)
    result = cli.ok("export", "--out", str(null))
    assert "Exported 1 entry to" in result.stderr
    after = os.stat(null)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (
        before.st_ino,
        before.st_mode,
        before.st_rdev,
    ), "the device node is written to, never replaced"
    full = device_node(tmp_path / "full", 7)
    full_before = os.stat(full)
    result = cli("export", "--out", str(full))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert str(full) in line and "space" in line
    assert os.stat(full).st_ino == full_before.st_ino


def test_export_refuses_a_socket_with_one_line(cli: Cli, tmp_path: Path) -> None:
    import socket

    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(tmp_path / "out.sock"))
    try:
        result = cli("export", "--out", str(tmp_path / "out.sock"))
    finally:
        listener.close()
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "out.sock" in line and "socket" in line
