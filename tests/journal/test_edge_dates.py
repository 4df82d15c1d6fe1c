"""Entries dated at the calendar's edge (issue 12, item 7): a reported bad file, never a
crash, on every read of the journal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.journal.entry import BrokenEntry, Entry, new_id, sort_key
from narrate.journal.sync import Syncer
from tests.helpers import Cli, snapshot, write

# The two-device fixtures and helpers of the sync tests.
from tests.journal.test_sync import (  # noqa: F401
    add,
    append,
    assert_healthy,
    device_a,
    device_b,
    remote,
    sync,
)

# created/updated values that datetime can read but not place in UTC (or only just).
EDGES = {
    "created-0001": ("0001-01-01T09:00:00+10:00", "2026-11-03T09:00:00+00:00"),
    "created-9999": ("9999-12-31T23:59:59-23:59", "2026-11-03T09:00:00+00:00"),
    "updated-0001": ("2026-11-03T09:00:00+00:00", "0001-01-01T09:00:00+10:00"),
    "updated-9999": ("2026-11-03T09:00:00+00:00", "9999-12-31T23:59:59-23:59"),
}


def edge_text(created: str, updated: str, title: str = "Edge #edge") -> str:
    return (
        f"---\nid: 01EDGE{abs(hash(created + updated)) % 10**20:020d}\ncreated: {created}\n"
        f"updated: {updated}\ntitle: {title}\ntags: [edge]\n---\n\nThe edge body.\n"
    )


@pytest.fixture(params=sorted(EDGES))
def edged(request: pytest.FixtureRequest, cli: Cli, root: Path) -> str:
    """A journal with two good entries and one edge-dated file; the file's path."""
    cli.add("Good one #ok", "--date", "2026-11-01")
    cli.add("Good two #ok", "--date", "2026-11-02")
    rel = f"entries/2026/11/2026-11-03-0900-{request.param}.md"
    write(root, rel, edge_text(*EDGES[request.param]))
    return rel


def titles(items: list[dict[str, object]]) -> list[object]:
    return [item["title"] for item in items]


def test_reads_skip_the_edge_dated_file_and_name_it(cli: Cli, root: Path, edged: str) -> None:
    before = snapshot(root)
    for args in (("list",), ("search", "good"), ("search", "#ok"), ("tags",)):
        result = cli(*args, "--json")
        assert result.exit_code == 0, result.output
        items = json.loads(result.stdout)
        if args[0] == "tags":
            assert items == [{"tag": "ok", "count": 2}]
        else:
            assert titles(items) == ["Good two #ok", "Good one #ok"], args
        (warning,) = result.stderr.strip().splitlines()
        assert edged in warning and "date out of range" in warning
    human = cli("list")
    assert human.exit_code == 0 and "Good two" in human.stdout
    assert snapshot(root) == before


def test_doctor_names_the_edge_dated_file(cli: Cli, root: Path, edged: str) -> None:
    result = cli("doctor")
    assert result.exit_code == 1
    line = next((x for x in result.stdout.splitlines() if edged in x), None)
    assert line is not None, result.stdout
    assert "date out of range" in line


def test_reindex_full_and_export_work_on_the_others(cli: Cli, root: Path, edged: str) -> None:
    reindexed = cli("reindex", "--full")
    assert reindexed.exit_code == 0, reindexed.output
    assert edged in reindexed.stderr
    exported = cli("export", "--format", "json")
    assert exported.exit_code == 0, exported.output
    assert [e["title"] for e in json.loads(exported.stdout)] == ["Good one #ok", "Good two #ok"]
    for fmt in ("markdown", "html"):
        out = root.parent / f"out-{fmt}"
        result = cli("export", "--format", fmt, "--out", str(out))
        assert result.exit_code == 0, result.output
    assert "Good two" in (root.parent / "out-html").read_text("utf-8")
    assert "Edge" not in (root.parent / "out-html").read_text("utf-8")


@pytest.mark.parametrize("created", [EDGES["created-0001"][0], EDGES["created-9999"][0]])
def test_entry_from_bytes_reports_the_date(created: str) -> None:
    with pytest.raises(BrokenEntry, match=r"created date out of range: .*0001-01-02 to 9999-12-30"):
        Entry.from_bytes(edge_text(created, "2026-11-03T09:00:00Z").encode(), "x.md")
    with pytest.raises(BrokenEntry, match="updated date out of range"):
        Entry.from_bytes(edge_text("2026-11-03T09:00:00Z", created).encode(), "x.md")


def test_a_file_named_for_year_one_without_created_is_still_read(root: Path) -> None:
    from narrate.journal.dates import in_range

    data = b"---\ntitle: Old\n---\n\nBody\n"
    entry = Entry.from_bytes(data, "entries/0001/01/0001-01-01-old.md", mtime=1.7e9)
    assert in_range(entry.created)
    assert entry.created.year == 2023  # the file's mtime, not a day it cannot place


def test_sort_key_and_new_id_clamp_instead_of_overflowing() -> None:
    early = dt.datetime.fromisoformat(EDGES["created-0001"][0])
    late = dt.datetime.fromisoformat(EDGES["created-9999"][0])
    assert sort_key(early) == "0001-01-01T00:00:00.000000"
    assert sort_key(late) == "9999-12-31T23:59:59.999999"
    assert sort_key(early) < sort_key(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) < sort_key(late)
    # Year 999 sorts before 2026 (strftime's "%Y" wrote it as "999").
    assert sort_key(dt.datetime(999, 1, 1)) < sort_key(dt.datetime(2026, 1, 1))
    assert len(new_id(early)) == len(new_id(late)) == 26


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ("0001-01-01T09:00:00+10:00", False),
        ("9999-12-31T23:59:59-23:59", False),
        ("0001-01-01T00:00:00", False),
        ("9999-12-31T12:00:00+00:00", False),
        ("0001-01-03T00:00:00+00:00", True),
        ("9999-12-29T00:00:00-12:00", True),
        ("2026-11-03T09:00:00+14:00", True),
    ],
)
def test_in_range_leaves_a_day_to_spare_in_every_zone(text: str, inside: bool) -> None:
    from narrate.journal.dates import in_range

    assert in_range(dt.datetime.fromisoformat(text)) is inside


def test_add_with_an_edge_date_refuses_in_one_line(cli: Cli) -> None:
    result = cli("add", "Too old", "--date", "0001-01-01T09:00:00+10:00")
    assert result.exit_code != 0
    assert "out of range" in result.output
    assert cli.ok("list", "--json").stdout.strip() == "[]"


# ---------------------------------------------------------------------------- sync


def _date_edge(root: Path, rel: str) -> None:
    path = root / rel
    text = path.read_text("utf-8")
    head, _, rest = text.partition("created: ")
    _, _, rest = rest.partition("\n")
    path.write_text(f"{head}created: 0001-01-01T09:00:00+10:00\n{rest}", "utf-8")


def test_sync_pulls_an_edge_dated_file_and_keeps_conflicts_with_one(
    device_a: Journal,  # noqa: F811
    device_b: Journal,  # noqa: F811
) -> None:
    shared = add(device_a, "Edited on both devices")
    new = add(device_a, "Only on the laptop")
    sync(device_a)
    sync(device_b)
    _date_edge(device_a.root, shared.path)
    _date_edge(device_a.root, new.path)
    append(device_a, shared, "Laptop: an edit of the same line")
    device_a.commit_paths([shared.path, new.path], "Edge dates")
    append(device_b, shared, "Desktop: the words that must survive")
    sync(device_a)
    result = Syncer(device_b, 20.0).run()
    assert len(result.conflicts) == 1
    kept, copy = result.conflicts[0]
    assert "Desktop: the words that must survive" in (device_b.root / kept).read_text("utf-8")
    assert "0001-01-01T09:00:00+10:00" in (device_b.root / copy).read_text("utf-8")
    broken = dict(device_b.broken())
    assert "date out of range" in broken[copy] and "date out of range" in broken[new.path]
    assert [item["title"] for item in device_b.entries(limit=None)] == ["Edited on both devices"]
    assert_healthy(device_b.root)
