"""Every practice read gives what the entry files say: practice, practice --due, their
filters, the table in a pipe and the review's check-backs, compared with a reference
computed here from the files themselves (parsed one by one, no index), so a faster
read path can never drift from the journal."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from narrate.commands.practice import CHUNK_ROWS, change_rows, change_tables, print_changes
from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice, format_timestamp, normalise_area, sort_key
from narrate.journal.types import PracticeItem
from narrate.practice.checkback import answer, due_date, next_check
from tests.helpers import Cli, write

TZ = dt.timezone(dt.timedelta(hours=2))
TODAY = dt.date.today()
WEEKS = (2, 6, 12)


def ago(days: int, minute: int = 0) -> dt.datetime:
    day = TODAY - dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, 9, minute, tzinfo=TZ)


def raw(days: int, minute: int, title: str, practice: str) -> str:
    """An entry file whose practice block is written by hand (odd YAML included)."""
    when = ago(days, minute).isoformat()
    return (
        f"---\nid: 01RAW{days:05d}{minute:02d}{'0' * 14}\ncreated: {when}\nupdated: {when}\n"
        f"title: {title}\ntags: []\npractice:\n{practice}---\n\nBody.\n"
    )


def block(*lines: str) -> str:
    """A practice block, one YAML line each."""
    return "".join(f"{line}\n" for line in lines)


ODD = [
    # A number as the area (no slug: "general"), the status in capitals, no change.
    (150, 1, "Numbers", block("  - area: 42", "    status: ADOPTED")),
    # An unknown status is trying; review_after as a YAML date (past), then as text.
    (120, 2, "Unknown status",
     block("  - area: ci", "    change: Pin tools", "    status: maybe",
           "    review_after: 2020-01-05")),
    (110, 3, "Bad review date",
     block("  - area: ci", "    change: Cache deps", "    review_after: not a date")),
    # One check-back date instead of a list; a list with junk beside a date.
    (100, 4, "One checked",
     block("  - area: testing", "    change: Mutation tests", "    checked: 2026-01-01")),
    (95, 5, "Junk checked",
     block("  - area: testing", "    change: Fuzz parsers",
           f"    checked: [null, '', {TODAY - dt.timedelta(days=1)}]")),
    # A string item is no change (skipped, positions count the usable ones), then one
    # that is; an area as people write it; an escape sequence and a quote in the text.
    (80, 6, "Mixed items",
     block("  - just a string", "  - area: Code Review",
           '    change: "Read \\e[31mtests\\e[0m first"',
           "    source: 'Sam \"the reviewer\"'", "    before: Read the diff")),
    # The practice block as one mapping, not a list.
    (60, 7, "One mapping",
     block("  area: focus", "  change: Mute chat mornings", "  status: dropped")),
    # A far-future review date; unicode everywhere.
    (30, 8, "Unicode",
     block("  - area: écriture", "    change: Écrire chaque jour ✍", "    source: Zoë",
           "    review_after: 9999-12-31")),
]  # fmt: skip


@pytest.fixture
def practised(journal: Journal, root: Path) -> Journal:
    """A journal with practice changes of every kind: areas, sources, statuses, several
    changes in one entry, check-backs answered (one adopting, one dropping), a change
    adopted from a community feed's source, odd YAML values and a broken file."""
    made: list[Entry] = []
    changes: list[tuple[int, str, str, dict[str, Any]]] = [
        (200, "testing", "Tests first", {"source": "python-cop"}),
        (90, "code-review", "Review in pairs", {"before": "Reviewed alone", "status": "adopted"}),
        (45, "ci", "Retry flaky tests", {"source": "sam (member of python-cop)"}),
        (20, "testing", "Property tests", {}),
        (10, "planning", "Timebox spikes", {"status": "dropped", "review_after": "2030-01-01"}),
        (3, "ci", "Lint before push", {"review_after": (TODAY - dt.timedelta(days=1)).isoformat()}),
        (1, "testing", "Snapshot the app", {}),
    ]
    for days, area, change, extra in changes:
        made.append(
            journal.add(
                Entry.new(
                    f"About {change}.\n",
                    title=change,
                    created=ago(days),
                    practice=[Practice(area=area, change=change, **extra)],
                )
            )
        )
    several = journal.add(
        Entry.new(
            "Two changes.\n",
            title="Two at once",
            created=ago(70, 30),
            practice=[
                Practice(area="ci", change="Cache builds"),
                Practice(area="ci", change="Split the pipeline", source="devops-guild"),
                Practice(area="pairing", change="Pair on incidents"),
            ],
        )
    )
    answer(journal, made[0].id, answer="partly", note="slow", today=TODAY - dt.timedelta(days=150))
    answer(journal, made[2].id, answer="yes", status="adopted", today=TODAY - dt.timedelta(days=2))
    answer(journal, several.id, answer="no", change="2", today=TODAY - dt.timedelta(days=5))
    answer(journal, several.id, answer="yes", change="1", today=TODAY - dt.timedelta(days=40))
    for days, minute, title, block in ODD:
        write(root, f"entries/odd/{days}-{minute}.md", raw(days, minute, title, block))
    write(root, "entries/odd/broken.md", "---\ntitle: [unclosed\npractice: {\n---\n\nBody\n")
    journal.refresh(full=True)
    return journal


def reference(root: Path) -> list[dict[str, Any]]:
    """``narrate practice --json`` computed from the files alone, newest first."""
    rows: list[dict[str, Any]] = []
    with Journal.open(root) as fresh:
        entries = list(fresh.iter_entries())
    for entry in entries:
        for position, p in enumerate(entry.practice):
            checked = p.extra.get("checked")
            checked = checked if isinstance(checked, list) else [checked] if checked else []
            days = [str(day)[:10] for day in checked if day]
            rows.append(
                {
                    "id": entry.id,
                    "title": entry.title,
                    "created": format_timestamp(entry.created),
                    "path": entry.path,
                    "position": position,
                    "area": p.area,
                    "change": p.change,
                    "before": p.before,
                    "source": p.source,
                    "status": p.status,
                    "review_after": p.review_after,
                    "last_checked": max(days) if days else None,
                    "day": entry.day,
                    "_sort": sort_key(entry.created),
                }
            )
    rows.sort(key=lambda r: r["position"])
    rows.sort(key=lambda r: r["_sort"], reverse=True)
    for row in rows:
        del row["_sort"]
        args = (
            dt.date.fromisoformat(row["day"]),
            row["status"],
            _day(row["last_checked"]),
            _day(row["review_after"]),
        )
        due = due_date(*args, WEEKS, TODAY)
        upcoming = next_check(*args, WEEKS)
        row["due"] = due.isoformat() if due else None
        row["next_check"] = upcoming.isoformat() if upcoming else None
    return rows


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def test_the_fixture_holds_what_the_reads_must_get_right(practised: Journal, root: Path) -> None:
    rows = reference(root)
    assert {r["status"] for r in rows} == {"trying", "adopted", "dropped"}
    assert any(r["due"] for r in rows) and any(r["next_check"] for r in rows)
    assert any(r["last_checked"] for r in rows) and any(r["source"] for r in rows)
    assert any(r["position"] == 2 for r in rows)
    assert {"general", "code-review", "écriture", "focus"} <= {r["area"] for r in rows}
    assert [path for path, _ in practised.broken()] == ["entries/odd/broken.md"]


FILTERS: list[tuple[str, ...]] = [
    (),
    ("--area", "ci"),
    ("--area", "Code Review"),
    ("--area", "42"),
    ("--area", "nowhere"),
    ("--status", "trying"),
    ("--status", "adopted"),
    ("--status", "dropped"),
    ("--since", (TODAY - dt.timedelta(days=80)).isoformat()),
    ("--since", (TODAY - dt.timedelta(days=100)).isoformat(), "--status", "trying"),
    ("--area", "testing", "--status", "trying"),
]


def expected(rows: list[dict[str, Any]], args: tuple[str, ...]) -> list[dict[str, Any]]:
    """The reference rows an invocation's filters keep."""
    options = dict(zip(args[::2], args[1::2], strict=True))
    if "--area" in options:
        area = normalise_area(options["--area"]) or options["--area"]
        rows = [r for r in rows if r["area"] == area]
    if "--status" in options:
        rows = [r for r in rows if r["status"] == options["--status"]]
    if "--since" in options:
        rows = [r for r in rows if r["day"] >= options["--since"]]
    return rows


@pytest.mark.parametrize("args", FILTERS, ids=lambda a: " ".join(a) or "all")
def test_practice_json_is_what_the_files_say(
    practised: Journal, root: Path, cli: Cli, args: tuple[str, ...]
) -> None:
    result = cli("practice", "--json", *args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected(reference(root), args)


@pytest.mark.parametrize("args", FILTERS[:3] + FILTERS[5:6], ids=lambda a: " ".join(a) or "all")
def test_practice_due_json_is_what_the_files_say(
    practised: Journal, root: Path, cli: Cli, args: tuple[str, ...]
) -> None:
    due = sorted(
        (r for r in expected(reference(root), args) if r["due"]), key=lambda r: (r["due"], r["id"])
    )
    assert due, "the fixture has check-backs due"
    assert cli.json("practice", "--due", *args) == due


@pytest.mark.parametrize("status", ["adopted", "dropped"])
def test_no_change_but_one_being_tried_is_due(practised: Journal, cli: Cli, status: str) -> None:
    assert cli.json("practice", "--due", "--status", status) == []


@pytest.mark.parametrize("args", [(), ("--area", "ci"), ("--due",), ("--due", "--area", "testing")])
def test_n_keeps_the_first_changes_and_says_more_were_left_out(
    practised: Journal, root: Path, cli: Cli, args: tuple[str, ...]
) -> None:
    rows = expected(reference(root), tuple(a for a in args if a != "--due"))
    if "--due" in args:
        rows = sorted((r for r in rows if r["due"]), key=lambda r: (r["due"], r["id"]))
    assert len(rows) > 2
    result = cli("practice", "--json", "-n", "2", *args)
    assert json.loads(result.stdout) == rows[:2]
    assert "2 shown; more with a larger -n" in result.stderr
    every = cli("practice", "--json", "-n", str(len(rows)), *args)
    assert json.loads(every.stdout) == rows and "shown" not in every.stderr
    table = cli("practice", "-n", "0", *args)
    assert table.exit_code == 0 and table.stdout == ""


def test_the_practice_table_in_a_pipe_lists_every_change(
    practised: Journal, root: Path, cli: Cli
) -> None:
    rows = reference(root)
    lines = cli.ok("practice").stdout.splitlines()
    assert lines[0].split() == ["id", "date", "area", "change", "status"]
    body = lines[1:]
    assert len(body) == len(rows)
    for line, row in zip(body, rows, strict=True):
        assert line.startswith(row["id"][:12]), (line, row)
        assert f" {row['area']} " in line and row["status"] in line
        if row["source"]:
            assert f"(from {row['source']})" in line
        if row["before"]:
            assert f"{row['before']} → " in line
    assert "\x1b" not in "\n".join(lines), "an escape in a change reached the terminal"
    assert "Read tests first" in "\n".join(lines)


def test_the_due_table_in_a_pipe_lists_every_check_back_due(
    practised: Journal, root: Path, cli: Cli
) -> None:
    due = sorted((r for r in reference(root) if r["due"]), key=lambda r: (r["due"], r["id"]))
    lines = cli.ok("practice", "--due").stdout.splitlines()[1:]
    assert [line[:12] for line in lines] == [r["id"][:12] for r in due]
    for line, row in zip(lines, due, strict=True):
        assert f"due {row['due'][5:]}" in line


def test_review_lists_the_check_backs_the_files_say_are_due(
    practised: Journal, root: Path, cli: Cli
) -> None:
    due = sorted((r for r in reference(root) if r["due"]), key=lambda r: (r["due"], r["id"]))
    keys = ("id", "title", "area", "change", "status", "day", "due", "position")
    data = cli.json("review")
    assert data["due"] == [{k: r[k] for k in keys} for r in due]
    text = cli.ok("review").stdout
    assert "Read tests first" in text and "\x1b" not in text
    assert f"Check-backs due ({len(due)}):" in text
    for row in due[:10]:
        assert f"{row['due']}  {row['id'][:12]}  {row['area']}:" in text
    markdown = cli.ok("review", "--markdown").stdout
    for row in due:
        assert f"- {row['due']}: {row['area']}: " in markdown and row["id"] in markdown


def short(n: int) -> str:
    """The short id (12 characters) of synthetic change ``n``."""
    return f"01S{n:09d}"


def synthetic(count: int) -> list[PracticeItem]:
    """Changes of every length (some longer than a line), due, upcoming and settled."""
    items: list[PracticeItem] = []
    for n in range(count):
        day = TODAY - dt.timedelta(days=n)
        items.append(
            {
                "id": f"{short(n)}{'X' * 14}",
                "title": f"Entry {n}",
                "created": f"{day.isoformat()}T09:00:00+02:00",
                "path": f"entries/{n}.md",
                "position": n % 2,
                "area": ["ci", "code-review", "pairing-and-mobbing"][n % 3],
                "change": " ".join(["Retry the flaky tests"] * (1 + n % 7)),
                "before": "Rerun by hand" if n % 4 == 0 else None,
                "source": "python-cop" if n % 5 == 0 else None,
                "status": ["trying", "adopted", "dropped"][n % 3],
                "review_after": None,
                "last_checked": None,
                "day": day.isoformat(),
                "due": day.isoformat() if n % 6 == 0 else None,
                "next_check": (day + dt.timedelta(days=14)).isoformat() if n % 6 == 3 else None,
            }
        )
    return items


@pytest.mark.parametrize("width", [80, 120, 200])
def test_the_table_drawn_in_chunks_reads_as_one_table(width: int) -> None:
    from rich.console import Console
    from rich.table import Table

    rows = change_rows(synthetic(CHUNK_ROWS * 2 + 50))

    def draw(*renderables: object) -> str:
        console = Console(file=io.StringIO(), width=width, color_system=None, markup=False)
        for renderable in renderables:
            console.print(renderable)
        return console.file.getvalue()  # type: ignore[attr-defined]

    # How the table was drawn before it came in chunks: one Rich table of every row.
    whole = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("id", "date", "area", "change", "status"):
        whole.add_column(
            name, overflow="fold", style="dim" if name == "id" else None, no_wrap=name != "change"
        )
    for row in rows:
        whole.add_row(*row.styled())
    chunks = list(change_tables(rows, width))
    assert len(chunks) == 3
    assert draw(*chunks) == draw(whole)


class FakeTerminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_long_table_at_a_terminal_reaches_the_pager_a_chunk_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[Any] = []
    monkeypatch.setattr("click.echo_via_pager", lambda chunks, color=None: sent.append(chunks))
    monkeypatch.setenv("LINES", "10")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr("sys.stdout", FakeTerminal())
    items = synthetic(CHUNK_ROWS * 2 + 50)
    print_changes(items, no_pager=False)
    (chunks,) = sent
    first = next(chunks)  # drawn when the pager asks for it, not before
    assert first.startswith("\x1b") or first.lstrip().startswith("id")
    assert short(0) in first and short(CHUNK_ROWS - 1) in first and short(CHUNK_ROWS) not in first
    rest = "".join(chunks)
    assert short(len(items) - 1) in rest
    straight = FakeTerminal()
    monkeypatch.setattr("sys.stdout", straight)
    print_changes(items, no_pager=True)
    assert straight.getvalue() == first + rest and len(sent) == 1
