"""The single-document exports read like one document (headings nested, task lists,
footnotes, wikilinks, no remote images), and the exports for other tools (jrnl's JSON,
a Day One zip) are what those tools, and narrate's own importers, read back."""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, write
from tests.importers.conftest import JrnlFiles
from tests.importers.test_attachments import AUDIO, PHOTO, make_zip, media_export

PLANNING = (
    "# Sprint planning\n\nWe planned.\n\n## What did I do?\n\nStuff.\n\n"
    "- [ ] write the doc\n- [x] book the room\n\n"
    "A claim[^1].\n\n[^1]: the source\n\n"
    "See [[Retro notes]], [[retro 7|the seventh]] and [[Nowhere]].\n\n"
    "![remote](https://tracker.example/pixel.png)\n\n"
    "```\n# not a heading\n```\n"
)


class Page(HTMLParser):
    """Tags, ids and the text of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.starts.append((tag, values))
        if values.get("id"):
            self.ids.append(str(values["id"]))

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.starts if tag == name]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


@pytest.fixture
def vaulted(cli: Cli, tmp_path: Path) -> Cli:
    """A journal with a note imported from a vault (renamed, aliased, with a picture) and
    an entry that links to it by its old name and its alias."""
    vault = tmp_path / "vault"
    write(
        vault,
        "Projects/Retro notes.md",
        "---\naliases: [retro 7]\n---\nRetro went well.\n\n![[board.png]]\n",
    )
    write(vault, "Projects/board.png", b"\x89PNG board")
    cli.ok("import", "markdown", str(vault))
    cli.ok("add", PLANNING, "--title", "Sprint planning", "--date", "2024-02-02")
    return cli


def test_markdown_document_nests_body_headings(vaulted: Cli) -> None:
    text = vaulted.ok("export", "--format", "markdown").stdout
    # The entry is "## Sprint planning"; its own "# Sprint planning" line is its heading,
    # and "## What did I do?" moves below it.
    assert "\n## Sprint planning\n" in text
    assert "\n### What did I do?\n" in text
    assert "\n## What did I do?\n" not in text
    assert "```\n# not a heading\n```" in text


def test_html_renders_tasks_footnotes_and_nested_headings(vaulted: Cli, tmp_path: Path) -> None:
    out = tmp_path / "site" / "journal.html"
    out.parent.mkdir()
    vaulted.ok("export", "--format", "html", "--out", str(out))
    text = out.read_text("utf-8")
    page = parse(text)
    boxes = [a for a in page.tags("input") if a.get("type") == "checkbox"]
    assert len(boxes) == 2 and sum("checked" in a for a in boxes) == 1
    assert "<h4>What did I do?</h4>" in text
    assert "<h2>What did I do?</h2>" not in text
    # Footnote ids are the entry's own: two entries' footnotes never collide.
    footnotes = [i for i in page.ids if i.startswith("fn")]
    assert footnotes and len(footnotes) == len(set(footnotes))
    assert all(len(i) > 10 for i in footnotes)


def test_html_resolves_wikilinks_by_alias_and_old_name(vaulted: Cli) -> None:
    entries = {e["title"]: e for e in json.loads(vaulted.ok("export").stdout)}
    retro_id = entries["Retro notes"]["id"]
    text = vaulted.ok("export", "--format", "html").stdout
    links = [a for a in parse(text).tags("a") if "wikilink" in str(a.get("class"))]
    assert [a.get("href") for a in links] == [f"#e-{retro_id}", f"#e-{retro_id}"]
    assert ">the seventh</a>" in text
    assert '<span class="wikilink missing" title="not in this journal">Nowhere</span>' in text
    assert f'id="e-{retro_id}"' in text


def test_html_index_links_every_entry(vaulted: Cli) -> None:
    entries = json.loads(vaulted.ok("export").stdout)
    text = vaulted.ok("export", "--format", "html").stdout
    page = parse(text)
    hrefs = {a.get("href") for a in page.tags("a")}
    for entry in entries:
        assert f"#e-{entry['id']}" in hrefs
        assert f"e-{entry['id']}" in page.ids


def test_html_loads_no_remote_image_and_links_attachments(vaulted: Cli, tmp_path: Path) -> None:
    out = tmp_path / "site" / "journal.html"
    out.parent.mkdir()
    vaulted.ok("export", "--format", "html", "--out", str(out))
    text = out.read_text("utf-8")
    assert "img-src 'self' data:" in text
    images = [a.get("src") or "" for a in parse(text).tags("img")]
    assert not [src for src in images if "example" in src]
    assert "(remote image, not loaded)" in text
    # The attachment is linked relatively from the page and the link resolves.
    (local,) = images
    assert not re.match(r"[a-z]+:", local)
    assert (out.parent / local).resolve().read_bytes() == b"\x89PNG board"


# ---------------------------------------------------------------------------- jrnl


def test_jrnl_json_matches_what_jrnl_exports(cli: Cli, jrnl_files: JrnlFiles) -> None:
    cli.ok("import", "jrnl", str(jrnl_files.text))
    ours = json.loads(cli.ok("export", "--format", "jrnl-json").stdout)
    theirs = json.loads(jrnl_files.json.read_text("utf-8"))
    assert set(ours) == {"tags", "entries"}
    assert len(ours["entries"]) == len(theirs["entries"])
    key = ("title", "body", "date", "time", "starred")

    def comparable(entry: dict[str, Any]) -> tuple[Any, ...]:
        return (*(entry[k] for k in key), sorted(entry["tags"]))

    assert sorted(map(comparable, ours["entries"])) == sorted(map(comparable, theirs["entries"]))
    assert ours["tags"] == theirs["tags"]


def test_jrnl_json_imports_back(
    cli: Cli, other: Cli, jrnl_files: JrnlFiles, tmp_path: Path
) -> None:
    cli.ok("import", "jrnl", str(jrnl_files.text))
    out = tmp_path / "jrnl.json"
    cli.ok("export", "--format", "jrnl-json", "--out", str(out))
    # narrate's own jrnl importer reads it as the same journal jrnl's JSON is.
    result = other.ok("import", "jrnl", str(out))
    assert "Imported 5 entries" in result.stdout
    again = other.ok("import", "jrnl", str(jrnl_files.json))
    assert "Skipped 5 already imported" in again.stdout


# ---------------------------------------------------------------------------- Day One


def comparable(cli: Cli) -> dict[str, dict[str, Any]]:
    """Entries by title, without what a new journal gives them anew (id, fingerprint)."""
    found = {}
    for entry in json.loads(cli.ok("export").stdout):
        entry.pop("id")
        front = entry.pop("front_matter")
        front.pop("id")
        entry["front_matter"] = front
        found[entry["title"]] = entry
    return found


def attachments(cli: Cli) -> dict[Path, bytes]:
    folder = cli.root / "attachments"
    return {p.relative_to(cli.root): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_dayone_round_trip_is_lossless(cli: Cli, other: Cli, tmp_path: Path) -> None:
    cli.ok("import", "dayone", str(make_zip(tmp_path / "in.zip", media_export())))
    out = tmp_path / "out.zip"
    result = cli.ok("export", "--format", "dayone", "--out", str(out))
    assert "Exported 4 entries" in result.stderr
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        document = json.loads(archive.read("Journal.json"))
    assert {
        "Journal.json",
        "photos/" + media_export()["entries"][0]["photos"][0]["md5"] + ".jpeg",
    } <= names
    assert all(
        "dayone-moment:" in e["text"] or "attachments" not in e["text"] for e in document["entries"]
    )
    other.ok("import", "dayone", str(out))
    assert comparable(other) == comparable(cli)
    mine = {
        p.relative_to(cli.root): p.read_bytes()
        for p in (cli.root / "attachments").rglob("*")
        if p.is_file()
    }
    theirs = {
        p.relative_to(other.root): p.read_bytes()
        for p in (other.root / "attachments").rglob("*")
        if p.is_file()
    }
    assert mine == theirs and PHOTO in mine.values() and AUDIO in mine.values()


def test_dayone_export_of_narrate_entries(cli: Cli, other: Cli, tmp_path: Path) -> None:
    cli.ok("add", "Paired on the deploy #devops", "-t", "pairing", "--title", "Pairing day")
    cli.add("Starred thought")
    entry = json.loads(cli.ok("list", "--json").stdout)[0]
    cli.ok("star", entry["id"])
    out = tmp_path / "out.zip"
    cli.ok("export", "--format", "dayone", "--out", str(out))
    other.ok("import", "dayone", str(out))
    ours = {e["title"]: e for e in json.loads(cli.ok("export").stdout)}
    theirs = {e["title"]: e for e in json.loads(other.ok("export").stdout)}
    assert set(ours) == set(theirs)
    for title, entry in ours.items():
        back = theirs[title]
        assert back["created"] == entry["created"]
        assert set(back["tags"]) == set(entry["tags"])
        assert back["starred"] == entry["starred"]
        assert entry["body"].strip() in back["body"]


def test_dayone_export_to_stdout_is_the_zip(cli: Cli, other: Cli, tmp_path: Path) -> None:
    cli.add("Something")
    result = cli("export", "--format", "dayone")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"PK")
    path = tmp_path / "piped.zip"
    path.write_bytes(result.stdout_bytes)
    assert "Imported 1 entry" in other.ok("import", "dayone", str(path)).stdout


def test_day_one_import_exports_as_a_page_with_its_photo(cli: Cli, tmp_path: Path) -> None:
    cli.ok("import", "dayone", str(make_zip(tmp_path / "in.zip", media_export())))
    out = tmp_path / "site" / "journal.html"
    out.parent.mkdir()
    cli.ok("export", "--format", "html", "--out", str(out))
    text = out.read_text("utf-8")
    # The title without Markdown's escapes, once; the body does not repeat it.
    assert "<h3>All packed up finally .. still checking on weather ...</h3>" in text
    assert "finally \\.\\." not in text
    assert text.count("All packed up finally") == 2  # the heading and the index
    sources = [a.get("src") or "" for a in parse(text).tags("img")]
    assert [(out.parent / src).resolve().read_bytes() for src in sources] == [PHOTO]


def test_markdown_document_links_attachments_from_where_it_is(cli: Cli, tmp_path: Path) -> None:
    cli.ok("import", "dayone", str(make_zip(tmp_path / "in.zip", media_export())))
    out = tmp_path / "docs" / "journal.md"
    out.parent.mkdir()
    cli.ok("export", "--format", "markdown", "--out", str(out))
    text = out.read_text("utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", text)
    files = [(out.parent / t).resolve() for t in targets if not t.startswith("dayone-moment")]
    assert [f.read_bytes() for f in files if f.suffix in (".jpeg", ".m4a")] == [PHOTO, AUDIO]


def test_html_never_links_outside_the_journal(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "secret.png", b"not the journal's")
    body = "Look ![s](../../../../secret.png) and [doc](../../../../secret.png)"
    cli.ok("add", body, "--title", "Escape")
    text = cli.ok("export", "--format", "html").stdout
    assert "secret.png" not in text.split('<div class="body">')[1]
    assert '<span class="image missing">s</span>' in text
