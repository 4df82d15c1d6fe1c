"""Issue 13 items 2-4 on the CLI: the review at 80 columns and in a pipe, the check-back
trail and what stuck, readable week columns, and two changes in one area."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrate.cli import main
from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice
from narrate.practice.checkback import answer
from narrate.practice.review import build_review, period_title
from tests.helpers import Cli, run_narrate

TZ = dt.UTC
TODAY = dt.date.today()
AREAS = {
    "continuous-integration": 3,
    "code-review": 2,
    "pairing-and-mobbing": 1,
    "testing": 1,
}


def at(days_ago: int) -> dt.datetime:
    day = TODAY - dt.timedelta(days=days_ago)
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=TZ)


@pytest.fixture
def spread(journal: Journal) -> Journal:
    """Changes in four areas spread over two years (a long run of weekly periods)."""
    ago = 5
    for area, count in AREAS.items():
        for n in range(count):
            journal.add(
                Entry.new(
                    f"Learned {n}.\n",
                    title=f"{area} {n}",
                    created=at(ago),
                    practice=[Practice(area=area, change=f"Change {n} in {area}")],
                )
            )
            ago += 97
    return journal


def review_output(root: Path, *args: str, columns: int) -> str:
    result = CliRunner().invoke(
        main,
        ["--journal", str(root), "review", *args],
        env={"COLUMNS": str(columns), "NO_COLOR": "1"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def by_area_lines(text: str) -> dict[str, str]:
    """Each area's line of the "by area" chart."""
    lines = text.splitlines()
    return {
        area: next((line for line in lines[:12] if line.startswith(area)), "") for area in AREAS
    }


@pytest.mark.parametrize("columns", [80, 120])
def test_review_by_area_keeps_names_and_counts_at_80_columns(
    spread: Journal, root: Path, columns: int
) -> None:
    since = (TODAY - dt.timedelta(days=800)).isoformat()
    text = review_output(root, "--by", "week", "--since", since, columns=columns)
    for area, line in by_area_lines(text).items():
        assert line, f"{area} missing from the by-area chart:\n{text}"
        assert str(AREAS[area]) in line.split(), line
        assert len(line) <= columns


def test_review_in_a_pipe_keeps_names_and_counts(spread: Journal, root: Path) -> None:
    since = (TODAY - dt.timedelta(days=800)).isoformat()
    done = run_narrate(
        "--journal", str(root), "review", "--by", "week", "--since", since, env={"COLUMNS": "80"}
    )
    assert done.returncode == 0, done.stderr
    for area, line in by_area_lines(done.stdout).items():
        assert line and str(AREAS[area]) in line.split(), done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())


def test_week_columns_read_as_dates(journal: Journal) -> None:
    assert period_title("2026-W48", "week") == "23 Nov"
    assert period_title("2026-11", "month") == "Nov 2026"
    journal.add(
        Entry.new("x", title="x", created=at(1), practice=[Practice(area="ci", change="Lint")])
    )
    data = build_review(journal, by="week").to_json()
    assert len(data["period_titles"]) == len(data["periods"])
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    assert data["period_titles"][-1] == f"{monday.day} {monday:%b}"


@pytest.fixture
def tried(journal: Journal) -> Entry:
    """An August change, checked back twice (the second adopts it), 100 days later."""
    entry = journal.add(
        Entry.new(
            "Retries.\n",
            title="Retries",
            created=at(200),
            practice=[Practice(area="ci", change="Retry flaky tests", before="Rerun by hand")],
        )
    )
    answer(journal, entry.id, answer="partly", note="Too many missed updates",
           today=TODAY - dt.timedelta(days=150))  # fmt: skip
    answer(journal, entry.id, answer="yes", status="adopted", note="only for new modules",
           today=TODAY - dt.timedelta(days=3))  # fmt: skip
    return journal.get(entry.id)


def test_status_changed_in_the_period_counts_in_what_stuck(journal: Journal, tried: Entry) -> None:
    review = build_review(journal)  # the last 90 days: recorded 200 days ago
    assert review.status["adopted"] == 1
    assert build_review(journal, since=TODAY - dt.timedelta(days=60)).status["adopted"] == 1
    early = build_review(journal, until=TODAY - dt.timedelta(days=10))
    assert early.status["adopted"] == 0


def test_review_json_markdown_and_rich_show_the_check_back_trail(
    journal: Journal, tried: Entry, cli: Cli
) -> None:
    since = (TODAY - dt.timedelta(days=300)).isoformat()
    data = cli.json("review", "--since", since)
    (change,) = data["changes"]
    assert [(c["date"], c["answer"], c["note"]) for c in change["checks"]] == [
        ((TODAY - dt.timedelta(days=150)).isoformat(), "partly", "Too many missed updates"),
        ((TODAY - dt.timedelta(days=3)).isoformat(), "yes", "only for new modules"),
    ]
    assert change["checks"][1]["status"] == "adopted"
    markdown = cli.ok("review", "--since", since, "--markdown").stdout
    assert "Too many missed updates" in markdown and "only for new modules" in markdown
    text = " ".join(review_output(cli.root, "--since", since, columns=80).split())
    assert "partly: Too many missed updates" in text
    assert "→ adopted: only for new modules" in text


def test_trail_survives_a_reindex(journal: Journal, tried: Entry, root: Path) -> None:
    journal.reindex()
    (change,) = journal.practice_timeline(TODAY - dt.timedelta(days=300), TODAY)
    assert [c["answer"] for c in change["checks"]] == ["partly", "yes"]


@pytest.fixture
def two_in_ci(cli: Cli) -> str:
    return cli.add(
        "Two CI changes",
        "--practice", "ci:Retry flaky tests", "--before", "Rerun by hand",
        "--practice", "ci:Lint before push", "--before", "",
    )  # fmt: skip


def test_before_pairs_with_its_practice(cli: Cli, two_in_ci: str) -> None:
    shown = cli.json("show", two_in_ci)
    assert [(p["change"], p["before"]) for p in shown["practice"]] == [
        ("Retry flaky tests", "Rerun by hand"),
        ("Lint before push", None),
    ]


def test_one_before_for_two_practices_is_refused(cli: Cli) -> None:
    result = cli("add", "x", "--practice", "ci:A", "--practice", "ci:B", "--before", "old")
    assert result.exit_code != 0
    assert "once per --practice" in result.output
    assert cli.json("list") == []


def test_one_source_is_shared_by_every_practice(cli: Cli) -> None:
    ref = cli.add("x", "--practice", "ci:A", "--practice", "ci:B", "--source", "retro")
    assert [p["source"] for p in cli.json("show", ref)["practice"]] == ["retro", "retro"]


def test_check_with_two_changes_in_one_area_refuses_with_a_list(cli: Cli, two_in_ci: str) -> None:
    result = cli("practice", "check", two_in_ci, "--area", "ci", "--answer", "yes")
    assert result.exit_code != 0
    assert "1. ci: Retry flaky tests" in result.output
    assert "2. ci: Lint before push" in result.output
    assert "--change" in result.output
    assert "Check-backs" not in cli.ok("show", two_in_ci).stdout


def test_check_the_second_change_by_number_and_by_words(cli: Cli, two_in_ci: str) -> None:
    done = cli.ok("practice", "check", two_in_ci, "--change", "2", "--answer", "yes",
                  "--status", "adopted")  # fmt: skip
    assert "ci: Lint before push" in done.stdout
    cli.ok("practice", "check", two_in_ci, "--area", "ci", "--change", "retry", "--answer", "no")
    statuses = [p["status"] for p in cli.json("show", two_in_ci)["practice"]]
    assert statuses == ["dropped", "adopted"]
    missing = cli("practice", "check", two_in_ci, "--change", "3", "--answer", "yes")
    assert missing.exit_code != 0 and "2. ci: Lint before push" in missing.output


def test_json_practice_rows_for_two_changes(cli: Cli, two_in_ci: str) -> None:
    rows = json.loads(cli.ok("practice", "--json").stdout)
    assert sorted(r["position"] for r in rows) == [0, 1]


def test_practice_list_numbers_the_changes_of_one_entry(cli: Cli, two_in_ci: str) -> None:
    text = cli.ok("practice").stdout
    assert f"{two_in_ci[:12]} #1" in text and f"{two_in_ci[:12]} #2" in text
