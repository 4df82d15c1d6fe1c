"""The index is a cache: rebuilt when damaged or outdated, and always as fresh as the files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from narrate.journal import index as idx
from narrate.journal.core import Journal
from tests.helpers import Cli, entry_text, write


def fill(root: Path, count: int = 3) -> list[str]:
    """Write entries as files (another editor, or a git pull, could have); their paths."""
    paths = []
    for i in range(count):
        rel = f"entries/2026/{i // 2 + 10:02d}/2026-{i // 2 + 10:02d}-0{i + 1}-0900-entry-{i}.md"
        created = f"2026-{i // 2 + 10:02d}-0{i + 1}T09:00:00+01:00"
        write(root, rel, entry_text(f"ENTRY{i:021d}", created, f"Entry number {i}", f"word{i}\n"))
        paths.append(rel)
    return paths


def titles(root: Path) -> list[str]:
    """What a new narrate process lists."""
    with Journal.open(root) as journal:
        return [e["title"] for e in journal.entries(limit=None)]


def hits(root: Path, text: str) -> list[str]:
    with Journal.open(root) as journal:
        return [e["title"] for e in journal.search(text)[0]]


@pytest.fixture
def filled(root: Path) -> Path:
    fill(root)
    assert titles(root) == ["Entry number 2", "Entry number 1", "Entry number 0"]
    return root


# ---------------------------------------------------------------------------- damage


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.unlink(), id="deleted"),
        pytest.param(lambda p: p.write_bytes(b""), id="truncated-empty"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:100]), id="truncated-header"),
        pytest.param(
            lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), id="half"
        ),
        pytest.param(lambda p: p.write_bytes(os.urandom(8192)), id="garbage"),
        pytest.param(
            lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(4096)), id="bad-pages"
        ),
    ],
)
def test_a_damaged_index_is_rebuilt_silently(
    filled: Path, damage: Callable[[Path], object]
) -> None:
    cli = Cli(filled)
    before = cli.ok("list", "--json").stdout
    path = idx.index_path(filled)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    damage(path)
    result = cli("list", "--json")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == before
    assert cli.ok("search", "word1", "--json").stdout.count('"id"') == 1


@pytest.mark.parametrize("version", [idx.SCHEMA_VERSION + 1, idx.SCHEMA_VERSION - 1, 0])
def test_a_schema_version_change_rebuilds_the_index(filled: Path, version: int) -> None:
    path = idx.index_path(filled)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('marker', 'old index')")
        conn.execute(f"PRAGMA user_version = {version}")
    assert titles(filled) == ["Entry number 2", "Entry number 1", "Entry number 0"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == idx.SCHEMA_VERSION
        assert conn.execute("SELECT value FROM meta WHERE key = 'marker'").fetchall() == []


def test_a_missing_table_rebuilds_the_index(filled: Path) -> None:
    with sqlite3.connect(idx.index_path(filled)) as conn:
        conn.execute("DROP TABLE entries_fts")
    assert hits(filled, "word1") == ["Entry number 1"]


def test_a_query_error_does_not_throw_the_index_away(filled: Path) -> None:
    path = idx.index_path(filled)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('marker', 'kept')")
    too_deep = "SELECT 1 WHERE " + " AND ".join(["1"] * 1500)
    with Journal.open(filled) as journal, pytest.raises(sqlite3.OperationalError):
        journal._read(too_deep)  # SQL is private: the test reaches in on purpose
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'marker'").fetchall() == [("kept",)]


# ---------------------------------------------------------------------------- freshness


def test_files_changed_outside_narrate_show_up(filled: Path) -> None:
    paths = sorted((filled / "entries").rglob("*.md"))
    # A new file, in a month folder that did not exist.
    write(
        filled,
        "entries/2025/01/2025-01-05-0800-imported.md",
        entry_text("IMPORTED" + "0" * 18, "2025-01-05T08:00:00Z", "Imported", "fresh words\n"),
    )
    # An in-place edit (same path, new text).
    first = paths[0]
    first.write_text(first.read_text().replace("Entry number 0", "Edited title"))
    # A deleted file and a renamed one.
    deleted = next(p for p in paths if "entry-1" in p.name)
    deleted.unlink()
    renamed = next(p for p in paths if "entry-2" in p.name)
    moved = renamed.rename(renamed.with_name("2026-11-03-0900-renamed.md"))

    assert sorted(titles(filled)) == ["Edited title", "Entry number 2", "Imported"]
    assert hits(filled, "fresh") == ["Imported"]
    assert hits(filled, "word1") == []
    with Journal.open(filled) as journal:
        paths_now = {e["path"] for e in journal.entries(limit=None)}
    assert moved.relative_to(filled).as_posix() in paths_now
    assert renamed.relative_to(filled).as_posix() not in paths_now


def backdate_folders(root: Path) -> None:
    """Set every folder's time an hour back, so a change made now always moves it (file
    times tick in jiffies: a change in the same tick as the setup would not)."""
    past = os.stat(root).st_mtime_ns - 3600 * 10**9
    for folder in [root / "entries", *(root / "entries").rglob("*")]:
        if folder.is_dir():
            os.utime(folder, ns=(past, past))


@pytest.fixture
def incremental(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the refresh take its cheap path (folder times only) as at 100k entries."""
    monkeypatch.setattr(idx, "FULL_CHECK_FILES", 0)


@pytest.mark.usefixtures("incremental")
def test_the_cheap_refresh_sees_what_it_promises(root: Path) -> None:
    for year in range(2020, 2026):
        write(
            root,
            f"entries/{year}/01/{year}-01-01-0900-old.md",
            entry_text(f"OLD{year}" + "0" * 19, f"{year}-01-01T09:00:00Z", f"Old {year}"),
        )
    hot = write(
        root,
        "entries/2026/11/2026-11-02-0900-hot.md",
        entry_text("HOT" + "0" * 23, "2026-11-02T09:00:00Z", "Hot", "before\n"),
    )
    backdate_folders(root)
    with Journal.open(root) as journal:
        assert journal.refresh(full=True).added == 7
    # Created, deleted and renamed files change their folder's time: always seen.
    write(
        root,
        "entries/2021/01/2021-01-02-0900-new.md",
        entry_text("NEW" + "0" * 23, "2021-01-02T09:00:00Z", "New in an old month"),
    )
    (root / "entries/2022/01/2022-01-01-0900-old.md").unlink()
    (root / "entries/2023/01/2023-01-01-0900-old.md").rename(
        root / "entries/2023/01/2023-01-01-0900-moved.md"
    )
    # In-place edits in the two newest months are seen too.
    hot.write_text(hot.read_text().replace("before", "after"))
    with Journal.open(root) as journal:
        report = journal.refresh()
        assert not report.full
        assert (report.added, report.removed, report.updated) == (2, 2, 1)
        listed = {e["title"] for e in journal.entries(limit=None)}
    assert "New in an old month" in listed and "Old 2022" not in listed
    assert hits(root, "after") == ["Hot"]


@pytest.mark.usefixtures("incremental")
def test_reindex_checks_every_file(root: Path) -> None:
    old = write(
        root,
        "entries/2020/01/2020-01-01-0900-old.md",
        entry_text("OLD" + "0" * 23, "2020-01-01T09:00:00Z", "Old", "before\n"),
    )
    for month in (10, 11, 12):
        write(
            root,
            f"entries/2026/{month}/2026-{month}-01-0900-x.md",
            entry_text(f"M{month}" + "0" * 23, f"2026-{month}-01T09:00:00Z", f"Month {month}"),
        )
    with Journal.open(root) as journal:
        journal.refresh(full=True)
    old.write_text(old.read_text().replace("before", "changed"))
    with Journal.open(root) as journal:
        assert journal.reindex().updated == 1
    assert hits(root, "changed") == ["Old"]


def test_a_same_size_replacement_with_the_old_mtime_is_seen(filled: Path) -> None:
    path = next((filled / "entries").rglob("*entry-0.md"))
    stat = path.stat()
    text = path.read_text()
    replacement = filled.parent / "restored.md"
    replacement.write_text(text.replace("word0", "WORD9"))
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, path)  # same size, same mtime, new inode and ctime
    with Journal.open(filled) as journal:
        journal.reindex()
    assert hits(filled, "WORD9") == ["Entry number 0"]


def test_a_touched_but_unchanged_file_is_not_parsed_again(filled: Path) -> None:
    path = next((filled / "entries").rglob("*entry-0.md"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    with Journal.open(filled) as journal:
        report = journal.reindex()
    assert report.changed == 0


def test_refresh_reports_what_changed(root: Path) -> None:
    fill(root, 4)
    with Journal.open(root) as journal:
        assert journal.refresh().added == 4
        again = journal.refresh()
    assert again.changed == 0


def test_full_reindex_gives_the_same_results(filled: Path) -> None:
    with Journal.open(filled) as journal:
        before = journal.entries(limit=None)
        journal.reindex(full=True)
        assert journal.entries(limit=None) == before


# ---------------------------------------------------------------------------- bad files


def test_a_file_that_breaks_leaves_the_list_and_comes_back_when_fixed(filled: Path) -> None:
    path = next((filled / "entries").rglob("*entry-1.md"))
    good = path.read_bytes()
    path.write_bytes(b"---\ntitle: [broken\n---\n")
    with Journal.open(filled) as journal:
        assert "Entry number 1" not in [e["title"] for e in journal.entries()]
        ((broken_path, reason),) = journal.broken()
        assert broken_path.endswith("entry-1.md") and "invalid YAML" in reason
    path.write_bytes(good)
    with Journal.open(filled) as journal:
        assert journal.broken() == []
        assert "Entry number 1" in [e["title"] for e in journal.entries()]


def test_leftover_temp_files_are_never_indexed(filled: Path) -> None:
    write(
        filled,
        "entries/2026/11/.2026-11-27-0900-x.md.k2j3h4.narrate-tmp",
        entry_text("TEMP" + "0" * 22, "2026-11-27T09:00:00Z", "Half written", "tempword\n"),
    )
    assert "Half written" not in titles(filled)
    assert hits(filled, "tempword") == []
    with Journal.open(filled) as journal:
        report = journal.doctor()
    assert report.temp_files == ["entries/2026/11/.2026-11-27-0900-x.md.k2j3h4.narrate-tmp"]
    assert not report.healthy


def test_duplicate_ids_are_reported(filled: Path) -> None:
    path = next((filled / "entries").rglob("*entry-0.md"))
    copy = path.with_name("2026-10-01-0900-copy.md")
    copy.write_bytes(path.read_bytes())
    with Journal.open(filled) as journal:
        report = journal.doctor()
    ((dup_id, dup_paths),) = report.duplicate_ids
    assert dup_id == "ENTRY" + "0" * 21
    assert sorted(Path(p).name for p in dup_paths) == sorted([path.name, copy.name])
    assert not report.healthy


def test_files_outside_month_folders_and_symlinks_are_ignored(filled: Path) -> None:
    outside = filled.parent / "secret.md"
    outside.write_text(entry_text("SECRET" + "0" * 20, "2026-11-01T09:00:00Z", "Secret"))
    (filled / "entries/2026/11").mkdir(parents=True, exist_ok=True)
    (filled / "entries/2026/11/link.md").symlink_to(outside)
    write(filled, "notes/elsewhere.md", entry_text("ELSE" + "0" * 22, "2026-11-01", "Elsewhere"))
    # A note in any folder is an entry (an Obsidian vault); a symlink out never is.
    assert "Secret" not in titles(filled) and "Elsewhere" in titles(filled)


def test_readers_racing_to_rebuild_a_missing_index_all_succeed(root: Path) -> None:
    fill(root, 9)
    expected = titles(root)
    idx.remove_index_files(idx.index_path(root))
    start = time.time() + 0.4
    code = (
        "import sys, time; from narrate.cli import main; "
        f"time.sleep(max(0, {start} - time.time())); "
        "main(['-j', sys.argv[1], 'list', '--json', '-n', '100'])"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and err == "", err
        assert [e["title"] for e in json.loads(out)] == expected


def test_reads_while_another_process_writes_never_fail(root: Path) -> None:
    fill(root, 3)
    titles(root)
    writer = (
        "import sys; from pathlib import Path; from narrate.journal.core import Journal; "
        "from narrate.journal.entry import Entry\n"
        "with Journal.open(Path(sys.argv[1])) as j:\n"
        "    for n in range(6):\n"
        "        j.add(Entry.new(f'Written {n}', title=f'Written {n}'))\n"
    )
    reader = (
        "import sys; from narrate.cli import main\n"
        "for _ in range(6):\n"
        "    main(['-j', sys.argv[1], 'list', '--json'], standalone_mode=False)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for code in (writer, reader, reader)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and err == "", err
    assert len(titles(root)) == 9


def test_a_transaction_abandoned_after_its_connection_closed_ends_quietly() -> None:
    # A signal can land while a write is open: the handler closes the journal, and the
    # transaction's generator is finalised later (at exit). It must not print a traceback.
    import sqlite3

    from narrate.journal.index import transaction

    conn = sqlite3.connect(":memory:")
    opened = transaction(conn)
    opened.__enter__()
    conn.close()
    opened.gen.close()  # what the garbage collector does with it
