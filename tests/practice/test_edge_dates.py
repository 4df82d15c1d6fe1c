"""Practice reads near the calendar's edge (issue 12, item 7): a change recorded in the
last days of 9999 has check-backs that never come, not an OverflowError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli, write

LATE = (
    "---\nid: 01EDGE0000000000000000000A\ncreated: 9999-12-29T09:00:00+00:00\n"
    "updated: 9999-12-29T09:00:00+00:00\ntitle: Late\ntags: []\npractice:\n"
    "  - area: testing\n    change: A late change\n---\n\nBody\n"
)
EARLY = LATE.replace("9999-12-29", "0001-01-02").replace("Late", "Early").replace("0000A", "0000B")


@pytest.fixture
def edged(cli: Cli, root: Path) -> Cli:
    cli.add("Good", "--practice", "testing:Write the test first")
    write(root, "entries/9999/12/9999-12-29-0900-late.md", LATE)
    write(root, "entries/0001/01/0001-01-02-0900-early.md", EARLY)
    return cli


def test_practice_lists_changes_at_the_edge(edged: Cli) -> None:
    changes = [item["change"] for item in json.loads(edged.ok("practice", "--json").stdout)]
    assert sorted(changes) == ["A late change", "A late change", "Write the test first"]
    assert "A late change" in edged.ok("practice").stdout


def test_a_review_from_the_calendars_last_day_is_refused_in_one_line(edged: Cli) -> None:
    # A --since after today is an empty period: said plainly, never an OverflowError.
    for form in ((), ("--markdown",)):
        result = edged("review", *form, "--since", "9999-12-30")
        assert result.exit_code == 1 and "after today" in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--until", "0001-01-05"),
        ("--since", "0001-01-02", "--until", "9999-12-30", "--by", "month"),
        ("--since", "9999-12-01", "--until", "9999-12-30", "--by", "week"),
    ],
)
def test_review_at_the_edge_of_the_calendar(edged: Cli, args: tuple[str, ...]) -> None:
    result = edged("review", *args)
    assert result.exit_code == 0, result.output
    markdown = edged("review", "--markdown", *args)
    assert markdown.exit_code == 0, markdown.output
