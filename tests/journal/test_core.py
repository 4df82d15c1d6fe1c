"""The Journal API that the CLI and the TUI share, over a real repository and index."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest

from narrate.errors import NarrateError
from narrate.journal.core import Journal, NotCommitted
from narrate.journal.entry import Entry, Practice
from tests.helpers import ENTRY_KEYS, commit_count, entry_text, git, tracked, write

TZ = dt.timezone(dt.timedelta(hours=1))


def at(day: int, hour: int = 9, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


def add(
    journal: Journal,
    title: str,
    when: dt.datetime,
    tags: list[str] | None = None,
    practice: list[Practice] | None = None,
    private: bool = False,
) -> Entry:
    """Add an entry through the API (written, indexed, committed)."""
    entry = Entry.new(
        "Body.", title=title, created=when, tags=tags, practice=practice, private=private
    )
    return journal.add(entry)


# ---------------------------------------------------------------------------- opening


def test_opening_a_missing_journal_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(NarrateError) as caught:
        Journal.open(tmp_path / "nowhere")
    assert "narrate init" in str(caught.value) and "nowhere" in str(caught.value)


def test_opening_a_folder_of_other_things_says_so(tmp_path: Path) -> None:
    write(tmp_path, "project/setup.py", "")
    with pytest.raises(NarrateError, match="not a narrate journal"):
        Journal.open(tmp_path / "project")


def test_creating_over_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(NarrateError, match="not a folder"):
        Journal.create(tmp_path / "file")
    assert (tmp_path / "file").read_text() == "x"


# ---------------------------------------------------------------------------- writing


def test_add_writes_the_file_commits_it_and_indexes_it(journal: Journal) -> None:
    entry = add(journal, "Paired with Sam #devops", at(27, 9), tags=["pairing"])
    assert entry.path == "entries/2026/11/2026-11-27-0900-paired-with-sam-devops.md"
    assert (journal.root / entry.path).read_bytes() == entry.document.to_bytes()
    assert entry.path in tracked(journal.root)
    assert git(journal.root, "log", "-1", "--format=%s").strip() == (
        "Add entry: Paired with Sam #devops"
    )
    assert git(journal.root, "status", "--porcelain").strip() == ""
    (listed,) = journal.entries()
    assert listed["id"] == entry.id and listed["tags"] == ["pairing", "devops"]


def test_entries_with_the_same_name_get_distinct_files(journal: Journal) -> None:
    paths = [add(journal, "Standup", at(27, 9)).path for _ in range(3)]
    assert [Path(p).name for p in paths] == [
        "2026-11-27-0900-standup.md",
        "2026-11-27-0900-standup-2.md",
        "2026-11-27-0900-standup-3.md",
    ]
    assert len({e["id"] for e in journal.entries()}) == 3


def test_save_changes_one_field_and_keeps_everything_else(journal: Journal) -> None:
    rel = "entries/2026/11/2026-11-20-0900-by-hand.md"
    original = (
        "---\nid: HAND0000000000000000000000\n# written in Obsidian\ncreated: 2026-11-20 09:00\n"
        "title: By hand\nmood: calm\ntags: [a]\ncssclass: wide\n---\n\nBody #inline\n"
    )
    write(journal.root, rel, original)
    journal.commit_paths([rel], "Add by hand")
    entry = journal.get("HAND")
    saved = journal.save(entry.with_changes(title="Renamed"))
    text = (journal.root / rel).read_text()
    assert text == original.replace("title: By hand", "title: Renamed")
    assert saved.meta["mood"] == "calm"
    assert git(journal.root, "log", "-1", "--format=%s").strip() == "Edit entry: Renamed"
    assert journal.show("HAND")["title"] == "Renamed"


def test_a_failed_commit_keeps_the_entry_saved_and_indexed(journal: Journal) -> None:
    lock = journal.root / ".git" / "index.lock"
    lock.write_text("")
    old = time.time() - 600
    os.utime(lock, (old, old))
    with pytest.raises(NotCommitted) as caught:
        add(journal, "Saved anyway", at(27))
    assert str(lock) in str(caught.value)
    (path,) = caught.value.paths
    assert (journal.root / path).exists()
    assert [e["title"] for e in journal.entries()] == ["Saved anyway"]
    assert commit_count(journal.root) == 1


# ---------------------------------------------------------------------------- reading


@pytest.fixture
def week(journal: Journal) -> Journal:
    add(journal, "Monday", at(23), tags=["lang/python"])
    add(journal, "Tuesday", at(24), tags=["lang/rust", "review"])
    add(
        journal,
        "Wednesday",
        at(25),
        tags=["review"],
        practice=[Practice("testing", "Tests first", before="Tests last", source="python-cop")],
    )
    add(journal, "Thursday", at(26), private=True, practice=[Practice("review", "Read tests")])
    return journal


def test_list_is_newest_first_with_the_spec_shape(week: Journal) -> None:
    items = week.entries()
    assert [i["title"] for i in items] == ["Thursday", "Wednesday", "Tuesday", "Monday"]
    for item in items:
        assert set(item) == ENTRY_KEYS
        assert not item["path"].startswith("/")
        assert dt.datetime.fromisoformat(item["created"]).tzinfo is not None
    assert items[0]["private"] is True and items[1]["private"] is False


def test_list_filters(week: Journal) -> None:
    def names(**kw: Any) -> list[str]:
        return [i["title"] for i in week.entries(**kw)]

    assert names(limit=2) == ["Thursday", "Wednesday"]
    assert names(limit=2, offset=2) == ["Tuesday", "Monday"]
    assert names(since=dt.date(2026, 11, 25)) == ["Thursday", "Wednesday"]
    assert names(until=dt.date(2026, 11, 24)) == ["Tuesday", "Monday"]
    assert names(tags=["lang"]) == ["Tuesday", "Monday"]
    assert names(tags=["lang", "review"]) == ["Tuesday"]
    assert names(tags=["lang/python"]) == ["Monday"]
    assert names(tags=["nope"]) == []
    assert week.count() == 4


def test_same_time_entries_sort_deterministically(journal: Journal) -> None:
    for name in ("b", "a", "c"):
        write(
            journal.root,
            f"entries/2026/11/2026-11-27-0900-{name}.md",
            entry_text(name.upper() * 26, "2026-11-27T09:00:00+01:00", name),
        )
    # Same instant written three ways: local offset, UTC and naive (read as UTC).
    write(journal.root, "entries/2026/11/z.md", entry_text("Z" * 26, "2026-11-27T08:00:00Z", "z"))
    write(journal.root, "entries/2026/11/y.md", entry_text("Y" * 26, "2026-11-27 08:00", "y"))
    first = [i["title"] for i in journal.entries()]
    assert first == ["z", "y", "c", "b", "a"]
    journal.reindex(full=True)
    assert [i["title"] for i in journal.entries()] == first


def test_tags_are_counted(week: Journal) -> None:
    assert week.tags() == [
        {"tag": "review", "count": 2},
        {"tag": "lang/python", "count": 1},
        {"tag": "lang/rust", "count": 1},
    ]


def test_practice_changes_with_their_entry(week: Journal) -> None:
    items = week.practice()
    assert [(i["title"], i["area"]) for i in items] == [
        ("Thursday", "review"),
        ("Wednesday", "testing"),
    ]
    wednesday = items[1]
    assert {"id", "title", "created", "area", "change", "before", "source"} <= set(wednesday)
    assert (wednesday["change"], wednesday["before"], wednesday["source"]) == (
        "Tests first",
        "Tests last",
        "python-cop",
    )
    assert [i["title"] for i in week.practice(area="testing")] == ["Wednesday"]
    assert [i["title"] for i in week.practice(since=dt.date(2026, 11, 26))] == ["Thursday"]
    assert week.practice(status="adopted") == []


def test_resolve_by_id_prefix_today_and_path(journal: Journal) -> None:
    for day, title in [(1, "One"), (2, "Two")]:
        write(
            journal.root,
            f"entries/2026/11/2026-11-0{day}-0900-{title}.md",
            entry_text(f"ABC{day}" + "0" * 22, f"2026-11-0{day}T09:00:00Z", title),
        )
    today = add(journal, "Today", dt.datetime.now().astimezone())
    assert journal.show("ABC1")["title"] == "One"
    assert journal.show("abc2")["title"] == "Two"
    assert journal.show("ABC1" + "0" * 22)["title"] == "One"
    assert journal.show("today")["id"] == today.id
    assert journal.show(today.path)["id"] == today.id
    with pytest.raises(NarrateError) as caught:
        journal.resolve("ABC")
    assert "several entries" in str(caught.value) and "One" in str(caught.value)
    with pytest.raises(NarrateError, match="no entry with id"):
        journal.resolve("XYZ")
    with pytest.raises(NarrateError, match="no entry given"):
        journal.resolve("  ")


def test_today_without_an_entry_says_how_to_write_one(journal: Journal) -> None:
    with pytest.raises(NarrateError, match="narrate add"):
        journal.resolve("today")


def test_show_has_the_body(week: Journal) -> None:
    shown = week.show(week.entries()[0]["id"])
    assert set(shown) == ENTRY_KEYS | {"body"}
    assert shown["body"] == "Body.\n"


def test_get_explains_a_file_gone_or_broken_since_indexing(week: Journal) -> None:
    monday, tuesday = week.entries()[-1], week.entries()[-2]
    (week.root / monday["path"]).unlink()
    with pytest.raises(NarrateError, match="reindex"):
        week.get(monday["id"])
    (week.root / tuesday["path"]).write_bytes(b"---\n: [\n---\n")
    with pytest.raises(NarrateError, match="fix the file by hand"):
        week.get(tuesday["id"])


def test_iter_entries_is_oldest_first_and_skips_broken_files(week: Journal) -> None:
    write(week.root, "entries/2026/11/broken.md", b"\xff\xfe")
    assert [e.title for e in week.iter_entries()] == ["Monday", "Tuesday", "Wednesday", "Thursday"]


# ---------------------------------------------------------------------------- health


def test_doctor_on_a_healthy_journal(week: Journal) -> None:
    report = week.doctor()
    assert report.healthy
    assert report.entries == 4 and report.branch == "main"
    assert report.broken == [] and report.uncommitted == [] and report.git_problems == []


def test_doctor_reports_every_problem(week: Journal) -> None:
    write(week.root, "entries/2026/11/empty.md", b"")
    write(week.root, "entries/2026/11/no-id.md", "---\ntitle: No id\n---\nx\n")
    (week.root / ".git" / "index.lock").write_text("")
    report = week.doctor()
    assert not report.healthy
    assert report.broken == [("entries/2026/11/empty.md", "empty file")]
    assert any(p == "entries/2026/11/no-id.md" and "no id" in n for p, n in report.notes)
    assert any("index.lock" in p for p in report.git_problems)
    assert "entries/2026/11/no-id.md" in report.uncommitted
