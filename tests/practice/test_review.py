"""Practice change: check-back scheduling, answering, and the review's exact figures."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrate.cli import main
from narrate.errors import NarrateError
from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice
from narrate.practice.checkback import answer, due_changes, due_date
from narrate.practice.report import render_markdown
from narrate.practice.review import build_review, periods_between

TZ_PLUS1 = dt.timezone(dt.timedelta(hours=1))
TZ_MINUS8 = dt.timezone(dt.timedelta(hours=-8))


def record(
    journal: Journal,
    when: dt.datetime,
    area: str,
    change: str,
    source: str | None = None,
    status: str = "trying",
    before: str | None = None,
) -> Entry:
    """An entry recording one practice change at ``when``."""
    practice = Practice(area=area, change=change, source=source, status=status, before=before)
    return journal.add(
        Entry.new(
            f"Learned: {change}", title=f"{area}: {change}", created=when, practice=[practice]
        )
    )


@pytest.fixture
def years(journal: Journal) -> Journal:
    """A journal spanning 2024-2026 with known practice changes and plain entries."""
    record(
        journal,
        dt.datetime(2024, 3, 10, 9, 0, tzinfo=TZ_PLUS1),
        "testing",
        "Test first",
        "python-cop",
    )
    record(
        journal,
        dt.datetime(2025, 6, 1, 9, 0, tzinfo=TZ_PLUS1),
        "code-review",
        "Tests before code",
        "sam",
        "adopted",
        "Top to bottom",
    )
    record(
        journal,
        dt.datetime(2026, 9, 30, 23, 59, tzinfo=TZ_PLUS1),
        "testing",
        "Property tests",
        "python-cop",
        "dropped",
    )
    record(
        journal,
        dt.datetime(2026, 10, 1, 0, 1, tzinfo=TZ_PLUS1),
        "testing",
        "Mutation tests",
        "https://example.com/post",
    )
    record(
        journal,
        dt.datetime(2026, 10, 31, 23, 59, tzinfo=TZ_MINUS8),
        "pairing",
        "Swap every 15 min",
        "python-cop",
        "adopted",
    )
    record(journal, dt.datetime(2026, 11, 2, 8, 0, tzinfo=TZ_PLUS1), "testing", "Snapshot tests")
    for day in (20, 21, 22, 24, 25, 26, 27):
        journal.add(
            Entry.new("Plain narration", created=dt.datetime(2026, 11, day, 10, 0, tzinfo=TZ_PLUS1))
        )
    return journal


def test_counts_per_area_and_month_respect_the_writers_day(years: Journal) -> None:
    review = build_review(
        years, since=dt.date(2026, 9, 1), until=dt.date(2026, 11, 30), today=dt.date(2026, 11, 27)
    )
    data = review.to_json()
    assert data["periods"] == ["2026-09", "2026-10", "2026-11"]
    areas = {a["area"]: a for a in data["areas"]}
    # 23:59 on 30 Sep (UTC+1) stays in September; 23:59 on 31 Oct at UTC-8 stays in October.
    assert areas["testing"]["periods"] == {"2026-09": 1, "2026-10": 1, "2026-11": 1}
    assert areas["testing"]["count"] == 3
    assert areas["pairing"]["periods"] == {"2026-09": 0, "2026-10": 1, "2026-11": 0}
    assert "code-review" not in areas
    assert data["status"] == {"trying": 2, "adopted": 1, "dropped": 1}
    sources = {s["source"]: s for s in data["sources"]}
    assert sources["python-cop"] == {
        "source": "python-cop",
        "count": 2,
        "trying": 0,
        "adopted": 1,
        "dropped": 1,
    }
    assert [c["change"] for c in data["changes"]] == [
        "Property tests",
        "Mutation tests",
        "Swap every 15 min",
        "Snapshot tests",
    ]


def test_weeks_are_iso_weeks(years: Journal) -> None:
    review = build_review(
        years,
        since=dt.date(2026, 10, 26),
        until=dt.date(2026, 11, 8),
        by="week",
        today=dt.date(2026, 11, 27),
    )
    assert review.periods == ["2026-W44", "2026-W45"]
    areas = {a["area"]: a["periods"] for a in review.areas}
    assert areas["pairing"] == {"2026-W44": 1, "2026-W45": 0}  # Sat 31 Oct
    assert areas["testing"] == {"2026-W44": 0, "2026-W45": 1}  # Mon 2 Nov


def test_periods_between_spans_years() -> None:
    assert periods_between(dt.date(2025, 11, 15), dt.date(2026, 2, 1), "month") == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert periods_between(dt.date(2025, 12, 29), dt.date(2026, 1, 5), "week") == [
        "2026-W01",
        "2026-W02",
    ]


def test_cadence_streaks_and_on_this_day(years: Journal) -> None:
    review = build_review(
        years, since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 27), today=dt.date(2026, 11, 27)
    )
    cadence = review.cadence
    assert cadence["days_with_entries"] == 8  # 2 Nov, and 20-22, 24-27 Nov
    assert cadence["entries"] == 8
    assert cadence["current_streak"] == 4  # 24-27
    assert cadence["longest_streak"] == 4
    assert cadence["heatmap"]["2026-11-20"] == 1
    year_ago = build_review(years, today=dt.date(2025, 7, 1)).on_this_day
    assert [e["title"] for e in year_ago["month_ago"]] == ["code-review: Tests before code"]


def test_check_backs_fall_due_at_2_6_and_12_weeks() -> None:
    recorded = dt.date(2026, 1, 1)
    weeks = (2, 6, 12)
    assert due_date(recorded, "trying", None, None, weeks, dt.date(2026, 1, 14)) is None
    assert due_date(recorded, "trying", None, None, weeks, dt.date(2026, 1, 15)) == dt.date(
        2026, 1, 15
    )
    answered = dt.date(2026, 1, 16)
    assert due_date(recorded, "trying", answered, None, weeks, dt.date(2026, 2, 11)) is None
    assert due_date(recorded, "trying", answered, None, weeks, dt.date(2026, 2, 12)) == dt.date(
        2026, 2, 12
    )
    # Answering late settles the earlier check-backs too.
    assert (
        due_date(recorded, "trying", dt.date(2026, 3, 1), None, weeks, dt.date(2026, 3, 2)) is None
    )
    assert due_date(recorded, "adopted", None, None, weeks, dt.date(2027, 1, 1)) is None
    review_after = dt.date(2026, 1, 5)
    assert (
        due_date(recorded, "trying", None, review_after, weeks, dt.date(2026, 1, 6)) == review_after
    )


def test_answering_appends_a_line_sets_status_and_stops_the_check_back(journal: Journal) -> None:
    entry = record(
        journal, dt.datetime(2026, 10, 1, 9, 0, tzinfo=TZ_PLUS1), "testing", "Test first"
    )
    today = dt.date(2026, 11, 27)
    assert [d["id"] for d in due_changes(journal, (2, 6, 12), today)] == [entry.id]
    before = (journal.root / entry.path).read_text("utf-8")
    result = answer(
        journal, entry.id[:10], answer="yes", status="adopted", note="Works", today=today
    )
    text = (journal.root / entry.path).read_text("utf-8")
    assert "## Check-backs" in text and "2026-11-27 · testing: Test first — still doing it" in text
    assert "(trying → adopted). Works" in result.line
    assert text.startswith(before.split("updated:")[0])  # id and created untouched
    fresh = journal.get(entry.id)
    assert fresh.practice[0].status == "adopted"
    assert fresh.practice[0].extra["checked"] == ["2026-11-27"]
    assert due_changes(journal, (2, 6, 12), today) == []
    log = subprocess.run(
        ["git", "-C", str(journal.root), "log", "-1", "--format=%s"], capture_output=True, text=True
    ).stdout
    assert log.strip() == "Check back on practice: testing: Test first"


def test_answer_no_drops_and_several_answers_keep_one_section(journal: Journal) -> None:
    entry = record(
        journal, dt.datetime(2026, 8, 1, 9, 0, tzinfo=TZ_PLUS1), "pairing", "Mob on Fridays"
    )
    answer(journal, entry.id, answer="partly", today=dt.date(2026, 8, 16))
    answer(journal, entry.id, answer="no", note="Nobody came", today=dt.date(2026, 9, 20))
    text = (journal.root / entry.path).read_text("utf-8")
    assert text.count("## Check-backs") == 1
    assert "2026-08-16 · pairing: Mob on Fridays — partly" in text
    assert "— stopped (trying → dropped). Nobody came" in text
    assert journal.get(entry.id).practice[0].status == "dropped"


def test_answer_errors_are_clear(journal: Journal) -> None:
    plain = journal.add(Entry.new("No practice here"))
    with pytest.raises(NarrateError, match="no practice change"):
        answer(journal, plain.id)
    two = journal.add(
        Entry.new(
            "Two changes",
            practice=[Practice(area="testing", change="A"), Practice(area="review", change="B")],
        )
    )
    with pytest.raises(NarrateError, match="--area"):
        answer(journal, two.id)
    answer(journal, two.id, area="review", status="adopted")
    assert [p.status for p in journal.get(two.id).practice] == ["trying", "adopted"]


def test_markdown_note_reads_well_and_can_be_saved(years: Journal, tmp_path: Path) -> None:
    review = build_review(
        years, since=dt.date(2026, 9, 1), until=dt.date(2026, 11, 30), today=dt.date(2026, 11, 27)
    )
    note = render_markdown(review)
    assert note.startswith("# Practice review: 2026-09-01 to 2026-11-30\n")
    assert "| testing | 1 | 1 | 1 | 3 |" in note
    assert (
        "- 2026-10-01 **testing**: Mutation tests (from https://example.com/post) — trying" in note
    )
    assert "## Cadence" in note and "#review" in note
    runner = CliRunner()
    saved = runner.invoke(main, ["--journal", str(years.root), "add", "-"], input=note)
    assert saved.exit_code == 0, saved.output
    shown = runner.invoke(main, ["--journal", str(years.root), "search", "#review", "--json"])
    assert json.loads(shown.stdout)[0]["title"] == "Practice review: 2026-09-01 to 2026-11-30"


def test_cli_practice_due_check_and_review_json(years: Journal) -> None:
    runner = CliRunner()
    base = ["--journal", str(years.root)]
    listed = runner.invoke(main, [*base, "practice", "--json"])
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.stdout)
    assert {
        "id",
        "title",
        "created",
        "area",
        "change",
        "before",
        "source",
        "status",
        "due",
    } <= items[0].keys()
    due = json.loads(runner.invoke(main, [*base, "practice", "--due", "--json"]).stdout)
    assert due and all(item["status"] == "trying" and item["due"] for item in due)
    checked = runner.invoke(
        main, [*base, "practice", "check", due[0]["id"], "--answer", "yes", "--status", "adopted"]
    )
    assert checked.exit_code == 0, checked.output
    assert "still doing it" in checked.output
    after = json.loads(runner.invoke(main, [*base, "practice", "--due", "--json"]).stdout)
    assert due[0]["id"] not in {item["id"] for item in after}
    reviewed = runner.invoke(main, [*base, "review", "--since", "2024-01-01", "--json"])
    data = json.loads(reviewed.stdout)
    assert {"since", "until", "by", "areas", "changes", "sources", "cadence"} <= data.keys()
    assert sum(a["count"] for a in data["areas"]) == 6
    human = runner.invoke(main, [*base, "review", "--by", "week", "--since", "2026-10-01"])
    assert human.exit_code == 0 and "Timeline" in human.output and "Cadence" in human.output


def test_answering_keeps_practice_items_narrate_cannot_read(journal: Journal) -> None:
    entry = record(
        journal, dt.datetime(2026, 10, 1, 9, 0, tzinfo=TZ_PLUS1), "testing", "Test first"
    )
    path = journal.root / entry.path
    text = path.read_text("utf-8").replace(
        "practice:\n", "practice:\n  - just a note someone wrote\n  - {mood: calm}\n", 1
    )
    path.write_text(text, "utf-8")
    answer(journal, entry.id, answer="yes", today=dt.date(2026, 11, 27))
    data = journal.get(entry.id).practice_data()
    assert data[0] == "just a note someone wrote" and data[1] == {"mood": "calm"}
    assert data[2]["checked"] == ["2026-11-27"] and data[2]["change"] == "Test first"
