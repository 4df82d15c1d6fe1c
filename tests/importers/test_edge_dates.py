"""Importing entries dated at the calendar's edge (issue 12, item 7): each fails alone,
with its reason; the others are imported, committed and readable."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Cli, git

EDGE_REASON = "date out of range"


@pytest.fixture(params=["Australia/Sydney", "America/Los_Angeles", "UTC"])
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The machine's local zone: naive source dates are local time."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def imported_titles(cli: Cli) -> list[str]:
    listed = cli("list", "--json")
    assert listed.exit_code == 0, listed.output
    assert listed.stderr == "", listed.stderr  # no file narrate cannot read was written
    return sorted(item["title"] for item in json.loads(listed.stdout))


def check_report(cli: Cli, result: object, failures: int) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert "Traceback" not in output
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert output.count(EDGE_REASON) == failures, output
    assert git(cli.root, "status", "--porcelain", "entries") == ""


def test_jrnl_text_with_edge_dates(cli: Cli, tmp_path: Path, zone: str) -> None:
    source = tmp_path / "journal.txt"
    source.write_text(
        "[0001-01-01 09:00:00 AM] The first morning.\n\n"
        "[2024-01-05 09:15:00 AM] Shipped the retry fix.\n\n"
        "[9999-12-31 11:59:00 PM] The last night.\n",
        "utf-8",
    )
    result = cli("import", "jrnl", str(source))
    check_report(cli, result, 2)
    assert "line 1" in result.output and "line 5" in result.output
    assert imported_titles(cli) == ["Shipped the retry fix."]


def test_jrnl_json_with_edge_dates(cli: Cli, tmp_path: Path, zone: str) -> None:
    entries = [
        {"date": date, "time": clock, "title": title, "body": "", "tags": [], "starred": False}
        for date, clock, title in [
            ("0001-01-01", "00:00", "Year one"),
            ("2024-01-05", "09:15", "Good"),
            ("9999-12-31", "23:59", "Year 9999"),
        ]
    ]
    source = tmp_path / "jrnl.json"
    source.write_text(json.dumps({"tags": {}, "entries": entries}), "utf-8")
    result = cli("import", "jrnl", str(source))
    check_report(cli, result, 2)
    assert imported_titles(cli) == ["Good"]


def test_dayone_with_edge_dates(cli: Cli, tmp_path: Path, zone: str) -> None:
    def item(uuid: str, created: str, text: str, **more: str) -> dict[str, object]:
        return {"uuid": uuid, "creationDate": created, "text": text, "tags": [], **more}

    data = {
        "metadata": {"version": "1.0"},
        "entries": [
            item("A" * 32, "0001-01-01T00:00:00Z", "Year one", timeZone="Australia/Sydney"),
            item("B" * 32, "9999-12-31T23:00:00Z", "Year 9999", timeZone="America/New_York"),
            item("C" * 32, "2023-01-15T08:00:00Z", "Good", timeZone="Europe/Paris"),
            item(
                "D" * 32,
                "2023-01-15T09:00:00Z",
                "Edited at the edge",
                modifiedDate="9999-12-31T23:59:59Z",
            ),
        ],
    }
    source = tmp_path / "Journal.json"
    source.write_text(json.dumps(data), "utf-8")
    result = cli("import", "dayone", str(source))
    check_report(cli, result, 3)
    assert imported_titles(cli) == ["Good"]


def test_markdown_notes_with_edge_dates(cli: Cli, tmp_path: Path, zone: str) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    notes = {
        "created-early.md": "---\ncreated: 0001-01-01T09:00:00+10:00\n---\n\nEarly\n",
        "created-late.md": "---\ncreated: 9999-12-31T23:59:59-23:59\n---\n\nLate\n",
        "updated-late.md": (
            "---\ncreated: 2024-01-05T09:00:00+00:00\nupdated: 9999-12-31T23:59:59-23:59\n"
            "---\n\nUpdated late\n"
        ),
        "native-early.md": (
            "---\nid: 01JDQ3V7K0000000000000000A\ncreated: 0001-01-01T09:00:00+10:00\n"
            "updated: 0001-01-01T09:00:00+10:00\ntitle: Native\ntags: []\n---\n\nNative\n"
        ),
        "date-only-early.md": "---\ndate: 0001-01-01\n---\n\nDate only\n",
        "good.md": "---\ncreated: 2024-01-05T09:00:00+00:00\ntitle: Good\n---\n\nGood\n",
    }
    for name, text in notes.items():
        (vault / name).write_text(text, "utf-8")
    result = cli("import", "markdown", str(vault))
    check_report(cli, result, 5)
    assert imported_titles(cli) == ["Good"]
