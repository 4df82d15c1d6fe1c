"""Importing Day One: its JSON export, the export zip, and the unzipped folder."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, commit_count, snapshot
from tests.importers.conftest import (
    LOCATION,
    PACKED_TEXT,
    PHOTO_ID,
    PHOTO_MD5,
    PHOTOS,
    WEATHER,
    dayone_export,
)

PHOTO_BYTES = b"\xff\xd8\xff\xe0 not really a jpeg"


@pytest.fixture
def journal_json(tmp_path: Path) -> Path:
    """Journal.json as Day One exports it, unzipped: its photos folder beside it."""
    path = tmp_path / "export" / "Journal.json"
    path.parent.mkdir()
    path.write_text(json.dumps(dayone_export(), indent=2, ensure_ascii=False), "utf-8")
    (path.parent / "photos").mkdir()
    (path.parent / "photos" / f"{PHOTO_MD5}.jpeg").write_bytes(PHOTO_BYTES)
    return path


@pytest.fixture
def export_zip(tmp_path: Path, journal_json: Path) -> Path:
    """The export zip: Journal.json and the photos folder, named by md5."""
    path = tmp_path / "Export-Journal.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(journal_json, "Journal.json")
        archive.writestr(f"photos/{PHOTO_MD5}.jpeg", PHOTO_BYTES)
    return path


def exported(cli: Cli) -> dict[str, dict[str, Any]]:
    """The imported entries by Day One uuid."""
    entries = json.loads(cli.ok("export").stdout)
    return {e["front_matter"]["dayone"]["uuid"]: e for e in entries}


def test_every_field_comes_across(cli: Cli, journal_json: Path) -> None:
    result = cli.ok("import", "dayone", str(journal_json))
    assert "Imported 4 entries from Day One export" in result.stdout
    entries = exported(cli)
    packed = entries["2F8DDCA258634D9994DF3A4FEE328035"]
    # The text is the body exactly, escaped punctuation included; the photo link points
    # at the copy in the journal.
    link = f"![](../../../attachments/2021/03/{PHOTO_MD5}.jpeg)"
    assert packed["body"] == PACKED_TEXT.replace(f"![](dayone-moment://{PHOTO_ID})", link) + "\n"
    # The title is plain text: Markdown's escapes are gone.
    assert packed["title"] == "All packed up finally .. still checking on weather ..."
    # 11:48:50Z in Sydney's summer time (UTC+11), and the zone's name is kept.
    assert packed["created"] == "2021-03-03T22:48:50+11:00"
    assert packed["updated"] == "2021-03-03T22:59:09+11:00"
    front = packed["front_matter"]
    # Top-level properties stay flat and typed; Day One's bulk is under one key.
    assert front["starred"] is True
    assert isinstance(front["tags"], list)
    dayone = front["dayone"]
    assert dayone["timeZone"] == "Australia/Sydney"
    assert dayone["location"] == LOCATION
    assert dayone["weather"] == WEATHER
    assert dayone["photos"] == PHOTOS
    assert dayone["userActivity"] == {"activityName": "Walking", "stepCount": 75}
    assert not {"location", "weather", "photos", "timeZone", "uuid"} & set(front)
    assert front["imported_from"] == "dayone:2F8DDCA258634D9994DF3A4FEE328035"
    assert "richText" not in front and "richText" not in dayone
    assert packed["tags"] == ["travel", "work-trip"]


def test_time_zones(cli: Cli, journal_json: Path) -> None:
    cli.ok("import", "dayone", str(journal_json))
    entries = exported(cli)
    # Summer in New York: UTC-4.
    assert entries["ABF26CD8D3EA42E298F1C3D5EFB0CF83"]["created"] == "2023-07-04T12:05:00-04:00"
    # No zone recorded: the UTC time as Day One stored it.
    assert entries["C1A1F6787CEC46F1AD61A4DD557F9EEC"]["created"] == "2023-01-15T08:00:00+00:00"
    # 23:30 UTC on New Year's Eve is already the new year in Berlin: it files there.
    berlin = entries["914A44C8A0C04ED1B512DD3BEA61E3A7"]
    assert berlin["created"] == "2023-01-01T00:30:00+01:00"
    assert berlin["path"].startswith("entries/2023/01/2023-01-01-0030-")


def test_tags_and_stars(cli: Cli, journal_json: Path) -> None:
    cli.ok("import", "dayone", str(journal_json))
    entries = exported(cli)
    fireworks = entries["ABF26CD8D3EA42E298F1C3D5EFB0CF83"]
    assert fireworks["tags"] == ["summer"]  # the inline #tag
    assert "starred" not in fireworks["front_matter"]
    berlin = entries["914A44C8A0C04ED1B512DD3BEA61E3A7"]
    assert berlin["tags"] == ["c", "new-year"]
    # C++ cannot be a narrate tag as written: the originals stay beside the tags.
    assert berlin["front_matter"]["source_tags"] == ["C++", "new year"]


def test_bare_json_keeps_media_links_and_says_so(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "Journal.json"
    path.write_text(json.dumps(dayone_export()), "utf-8")
    result = cli.ok("import", "dayone", str(path))
    assert "media is not copied: 1 photo in 1 entry stay in the Day One export" in (result.stdout)
    assert not (cli.root / "attachments").exists()
    body = exported(cli)["2F8DDCA258634D9994DF3A4FEE328035"]["body"]
    assert f"![](dayone-moment://{PHOTO_ID})" in body


@pytest.mark.parametrize("shape", ["zip", "json", "folder"])
def test_every_shape_of_the_export_gives_the_same_entries(
    cli: Cli, other: Cli, journal_json: Path, export_zip: Path, shape: str
) -> None:
    source = {"zip": export_zip, "json": journal_json, "folder": journal_json.parent}[shape]
    cli.ok("import", "dayone", str(export_zip))
    other.ok("import", "dayone", str(source))
    mine, theirs = exported(cli), exported(other)
    for entries in (mine, theirs):
        for entry in entries.values():
            entry.pop("id")
            entry["front_matter"].pop("id")
    assert mine == theirs


def test_verify_lists_rich_text_as_left_out_on_purpose(cli: Cli, export_zip: Path) -> None:
    result = cli.ok("import", "dayone", str(export_zip), "--verify")
    assert "Verify: 4 entries exported again and compared with the source: nothing is lost." in (
        result.stdout
    )
    assert "Not kept, on purpose: richText in 1 entry (Day One's rich-text copy" in (result.stdout)


def test_zip_then_json_imports_nothing_twice(
    cli: Cli, export_zip: Path, journal_json: Path
) -> None:
    cli.ok("import", "dayone", str(export_zip))
    files, commits = snapshot(cli.root), commit_count(cli.root)
    result = cli.ok("import", "dayone", str(journal_json))
    assert "Skipped 4 already imported" in result.stdout
    assert snapshot(cli.root) == files
    assert commit_count(cli.root) == commits


def test_dry_run(cli: Cli, export_zip: Path) -> None:
    files = snapshot(cli.root)
    result = cli.ok("import", "dayone", str(export_zip), "--dry-run")
    assert "Would import 4 entries" in result.stdout
    assert "2021-03-03 22:48  All packed up finally" in result.stdout
    assert snapshot(cli.root) == files


def test_several_journals_in_one_zip(cli: Cli, tmp_path: Path) -> None:
    work = {"entries": [{"uuid": "AA", "creationDate": "2024-01-05T09:00:00Z", "text": "Work"}]}
    home = {"entries": [{"uuid": "BB", "creationDate": "2024-01-06T09:00:00Z", "text": "Home"}]}
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Work.json", json.dumps(work))
        archive.writestr("Home.json", json.dumps(home))
    cli.ok("import", "dayone", str(path))
    journals = {e["title"]: e["front_matter"]["dayone"]["journal"] for e in exported(cli).values()}
    assert journals == {"Work": "Work", "Home": "Home"}


# ---------------------------------------------------------------------------- malformed


def test_an_entry_without_a_date_fails_alone(cli: Cli, tmp_path: Path) -> None:
    data = dayone_export()
    del data["entries"][1]["creationDate"]
    data["entries"][2]["creationDate"] = "yesterday"
    path = tmp_path / "Journal.json"
    path.write_text(json.dumps(data), "utf-8")
    result = cli("import", "dayone", str(path))
    assert result.exit_code == 1
    assert "Imported 2 entries" in result.stdout
    assert (
        "Journal.json entry 2 (ABF26CD8D3EA42E298F1C3D5EFB0CF83): no creationDate is not an "
        "ISO 8601 date" in result.stdout
    )
    assert "entry 3 (C1A1F6787CEC46F1AD61A4DD557F9EEC): creationDate 'yesterday'" in (result.stdout)


def test_broken_json_names_the_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "Journal.json"
    path.write_text('{\n  "entries": [\n    {"uuid": "AA" "text": "x"}\n  ]\n}\n', "utf-8")
    result = cli("import", "dayone", str(path))
    assert result.exit_code == 1
    assert "Journal.json line 3 column 19: not valid JSON" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("Journal.json", b'{"metadata": {}}', "is not a Day One export (it has no 'entries'"),
        ("export.zip", b"PK\x03\x04 torn", "is not a readable zip file"),
        ("Journal.json", b'{"entries": []}\xff', "not UTF-8 text"),
    ],
)
def test_sources_that_are_not_day_one_exports(
    cli: Cli, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = cli("import", "dayone", str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert not list((cli.root / "entries").iterdir())


def test_a_zip_without_a_journal(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photos/a.jpeg", b"x")
    result = cli("import", "dayone", str(path))
    assert result.exit_code == 1
    assert "holds no Journal.json" in result.stderr
