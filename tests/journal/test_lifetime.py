"""A lifetime journal: reads stay right and cheap however big the journal grows."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import Cli, git


def listed_ids(cli: Cli) -> set[str]:
    return {item["id"] for item in cli.json("list", "-n", "1000")}


@pytest.mark.parametrize("how", ["rm", "git reset --hard"])
def test_a_new_month_folder_removed_before_the_next_read_takes_its_entries(
    cli: Cli, root: Path, how: str
) -> None:
    old = cli.add("An old entry", "--date", "2020-01-05")
    assert listed_ids(cli) == {old}
    git(root, "add", "-A")
    git(root, "commit", "-qm", "old entry", "--allow-empty")
    # narrate add makes entries/2031/07/ and indexes its entry with no read after it.
    new = cli.add("In a folder about to vanish", "--date", "2031-07-09")
    folder = root / "entries" / "2031" / "07"
    assert folder.is_dir()
    if how == "rm":
        shutil.rmtree(root / "entries" / "2031")
    else:
        git(root, "reset", "--hard", "-q", "HEAD~1")
        assert not (root / "entries" / "2031").exists()
    assert new not in listed_ids(cli)
    assert listed_ids(cli) == {old}
    conn = sqlite3.connect(root / ".narrate" / "index.db")
    gone = conn.execute("SELECT count(*) FROM files WHERE dir LIKE 'entries/2031%'").fetchone()
    assert gone == (0,)


def test_reindex_drops_files_of_folders_it_never_recorded(cli: Cli, root: Path) -> None:
    old = cli.add("An old entry", "--date", "2020-01-05")
    new = cli.add("In a folder about to vanish", "--date", "2031-07-09")
    # An index written by an older narrate: the new month's folder was never recorded.
    conn = sqlite3.connect(root / ".narrate" / "index.db")
    with conn:
        conn.execute("DELETE FROM dirs WHERE path LIKE 'entries/2031%'")
    conn.close()
    shutil.rmtree(root / "entries" / "2031")
    report = cli.ok("reindex").stdout
    assert "1 removed" in report, report
    assert listed_ids(cli) == {old}
    assert new not in listed_ids(cli)


def test_an_import_flushes_its_own_files_never_the_whole_machine(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    for day in range(1, 29):
        path = notes / "Daily" / f"2024-02-{day:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Day {day} of the import\n", "utf-8")

    def no_sync() -> None:
        raise AssertionError("os.sync() flushes every program's writes")

    # Which inodes were fsync'ed: the imported files are the temporary files' inodes
    # (placed by link or rename), their folders keep theirs.
    synced: set[int] = set()
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.add(os.fstat(fd).st_ino)
        real_fsync(fd)

    monkeypatch.setattr(os, "sync", no_sync)
    monkeypatch.setattr(os, "fsync", fsync)
    cli.ok("import", "markdown", str(notes))
    imported = sorted((root / "entries").rglob("*.md"))
    assert len(imported) == 28
    for path in imported:
        assert path.stat().st_ino in synced, path
        assert path.parent.stat().st_ino in synced, path.parent
    # The month folders the import made are named durably in their parents too.
    for folder in {path.parent for path in imported}:
        assert folder.parent.stat().st_ino in synced, folder.parent


def test_no_read_pays_a_full_check_yet_every_folder_is_verified_within_n_reads(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal import index as idx
    from narrate.journal.core import Journal
    from tests.helpers import entry_text, write

    monkeypatch.setattr(idx, "FULL_CHECK_FILES", 0)  # the path a 100k journal takes
    monkeypatch.setattr(idx, "SLICE_FILES", 5)  # a slice: 5 of the 48 files a read
    months = [(year, month) for year in range(2020, 2024) for month in range(1, 13)]
    old = {}
    for year, month in months:
        old[(year, month)] = write(
            root,
            f"entries/{year}/{month:02d}/{year}-{month:02d}-01-0900-e.md",
            entry_text(f"E{year}{month:02d}" + "0" * 19, f"{year}-{month:02d}-01T09:00:00Z",
                       f"Entry {year}-{month}", "before\n"),
        )  # fmt: skip
    write(root, "node_modules/pkg/lib/index.js", "x")
    # Folder times an hour back, so the index trusts them (one changed within the last
    # two seconds is looked at again on every read).
    past = os.stat(root).st_mtime_ns - 3600 * 10**9
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and ".git" not in p.parts)]:
        os.utime(folder, ns=(past, past))
    with Journal.open(root) as journal:
        journal.refresh(full=True)
    # An idle hour: on main this read would walk and stat everything.
    conn = sqlite3.connect(root / ".narrate" / "index.db")
    with conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'last_full'")
    conn.close()
    # In place, in the oldest month (never a hot one), keeping the folder's time.
    target = old[(2020, 1)]
    target.write_text(target.read_text().replace("before", "after!"))
    write(root, "node_modules/pkg/lib/NOTES.md", "# Deep note\n")
    lib = root / "node_modules" / "pkg" / "lib"
    os.utime(lib, ns=(past, past))  # deep in a barren tree: only a walk finds it
    seen_after = None
    # 48 months, 4 years, entries/, the journal and the barren tree: a full turn.
    turn = 48 // 5 + 8
    for read in range(1, turn + 1):
        with Journal.open(root) as journal:
            report = journal.refresh()
            assert not report.full
            # The slice and the two newest months: never every file in one read.
            assert report.stat_files <= 5 + 1 + 2, report
            titles = {e["title"] for e in journal.entries(limit=None)}
            found = journal.search("after")[0]
        if found and "Deep note" in titles and seen_after is None:
            seen_after = read
    assert seen_after is not None, f"not seen within {turn} reads"


def test_a_small_journal_finds_a_note_deep_in_a_barren_tree_in_turn(root: Path) -> None:
    from narrate.journal import index as idx
    from narrate.journal.core import Journal
    from tests.helpers import write

    write(root, "Notes/a.md", "# A note\n")
    for package in range(5):
        write(root, f"node_modules/p{package}/lib/index.js", "x")
    past = os.stat(root).st_mtime_ns - 3600 * 10**9
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and ".git" not in p.parts)]:
        os.utime(folder, ns=(past, past))
    with Journal.open(root) as journal:
        journal.refresh(full=True)
    write(root, "node_modules/p3/lib/DEEP.md", "# Deep note\n")
    os.utime(root / "node_modules" / "p3" / "lib", ns=(past, past))
    found = None
    for read in range(1, idx.BARREN_EVERY + 2):
        with Journal.open(root) as journal:
            journal.refresh()
            if "Deep note" in {e["title"] for e in journal.entries(limit=None)}:
                found = read
                break
    assert found is not None, f"not found within {idx.BARREN_EVERY + 1} reads"


def _busy_month(root: Path, files: int) -> list[Path]:
    """One month folder holding ``files`` entries (oldest first), folder times an hour
    back so the index trusts them."""
    from tests.helpers import entry_text, write

    written = [
        write(
            root,
            f"entries/2026/11/2026-11-{1 + n // 100:02d}-{n % 100:04d}-e{n}.md",
            entry_text(
                f"B{n:024d}",
                f"2026-11-{1 + n // 100:02d}T09:00:00Z",
                f"Busy {n}",
                f"Body {n} before\n",
            ),
        )
        for n in range(files)
    ]
    past = os.stat(root).st_mtime_ns - 3600 * 10**9
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and ".git" not in p.parts)]:
        os.utime(folder, ns=(past, past))
    return written


def test_a_busy_month_costs_a_read_a_bounded_number_of_stats_yet_every_edit_is_seen(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal import index as idx
    from narrate.journal.core import Journal

    monkeypatch.setattr(idx, "FULL_CHECK_FILES", 0)  # the path a 100k journal takes
    monkeypatch.setattr(idx, "SLICE_FILES", 10)
    monkeypatch.setattr(idx, "HOT_FILES", 5)
    written = _busy_month(root, 120)
    with Journal.open(root) as journal:
        journal.refresh(full=True)

    def edit(path: Path) -> None:
        # In place, so the folder's time stays: only a stat of the file can see it.
        path.write_text(path.read_text().replace("before", "after"))

    newest, old = written[-1], written[3]
    edit(newest)
    with Journal.open(root) as journal:
        report = journal.refresh()
        # The month is hot, yet a read stats its newest files and the slice, not all 120.
        assert report.stat_files <= 10 + 2 * 5 + 4, report
        assert [e["title"] for e in journal.search("after")[0]] == ["Busy 119"]
    # An edit in place deep in the month, far from its newest files: the slice reaches it.
    edit(old)
    turn = 120 // 10 + 2
    seen = None
    for read in range(1, turn + 1):
        with Journal.open(root) as journal:
            journal.refresh()
            if "Busy 3" in {e["title"] for e in journal.search("after")[0]}:
                seen = read
                break
    assert seen is not None, f"an edit deep in a hot month not seen within {turn} reads"
    # The file edited last is re-checked on every read, whatever its name.
    edit_again = old.read_text().replace("after", "again")
    old.write_text(edit_again)
    with Journal.open(root) as journal:
        journal.refresh()
        assert [e["title"] for e in journal.search("again")[0]] == ["Busy 3"]


def test_tag_counts_stay_equal_to_counting_the_tag_rows(
    cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.journal import index as idx
    from tests.helpers import entry_text, write

    def counted() -> list[tuple[str, int]]:
        conn = sqlite3.connect(root / ".narrate" / "index.db")
        try:
            return [
                tuple(row)
                for row in conn.execute(
                    "SELECT tag, count(DISTINCT entry) AS n FROM tags GROUP BY tag "
                    "ORDER BY n DESC, tag"
                )
            ]
        finally:
            conn.close()

    def listed() -> list[tuple[str, int]]:
        return [(item["tag"], item["count"]) for item in cli.json("tags")]

    # A first read of many files takes the bulk path (triggers off, counts rebuilt).
    monkeypatch.setattr(idx, "BATCH", 20)
    for n in range(60):
        write(root, f"entries/2026/10/2026-10-01-{n:04d}-t.md",
              entry_text(f"T{n:024d}", "2026-10-01T09:00:00Z", f"Tagged {n}",
                         f"#odd{n % 2} and #all\n", tags=f"[t{n % 3}, all]"))  # fmt: skip
    cli.ok("reindex", "--full")
    assert listed() == counted() and ("all", 60) in listed()
    first = cli.add("Adds #all and #new")
    assert listed() == counted() and ("new", 1) in listed()
    path = root / cli.json("show", first)["path"]
    path.write_text(path.read_text().replace("#new", "#renamed"))
    assert listed() == counted() and ("renamed", 1) in listed() and "new" not in dict(listed())
    cli.ok("delete", first, "--yes")
    assert listed() == counted() and "new" not in dict(listed())
    (root / "entries/2026/10/2026-10-01-0000-t.md").unlink()
    assert listed() == counted() and ("all", 59) in listed()


@pytest.mark.parametrize("strategy", ["probe every entry", "list the tag's entries", "by count"])
def test_a_tag_filter_finds_the_same_entries_whichever_way_it_is_read(
    root: Path, monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    from narrate.journal.core import Journal
    from tests.helpers import entry_text, write

    expected: dict[str, list[str]] = {"common": [], "rare": [], "lang": [], "-common": []}
    for n in range(400):
        tags = ["common"] if n % 5 else []
        tags += ["rare"] if n % 97 == 0 else []
        tags += ["lang/python"] if n % 7 == 0 else []
        tags += ["lang"] if n % 11 == 0 else []
        day = f"2026-{1 + n // 40:02d}-{1 + n % 28:02d}"
        title = f"Entry {n:03d}"
        write(root, f"entries/{day[:4]}/{day[5:7]}/{day}-{n:04d}-e.md",
              entry_text(f"L{n:024d}", f"{day}T{n % 24:02d}:00:00Z", title,
                         "Some words.\n", tags=f"[{', '.join(tags)}]"))  # fmt: skip
        for key, on in (
            ("common", "common" in tags),
            ("rare", "rare" in tags),
            ("lang", "lang" in tags or "lang/python" in tags),
            ("-common", "common" not in tags),
        ):
            if on:
                expected[key].append((day, n % 24, title))  # type: ignore[arg-type]
    newest = {k: [t for *_, t in sorted(v, reverse=True)] for k, v in expected.items()}
    if strategy != "by count":
        dense = strategy == "probe every entry"
        monkeypatch.setattr(
            Journal, "_dense", lambda self, tags: frozenset(tags) if dense else frozenset()
        )
    with Journal.open(root) as journal:
        for tag in ("common", "rare", "lang"):
            listed = [e["title"] for e in journal.entries(limit=None, tags=[tag])]
            assert listed == newest[tag], tag
            assert [e["title"] for e in journal.entries(limit=5, tags=[tag])] == newest[tag][:5]
            assert journal.count(tags=[tag]) == len(newest[tag])
            found = [e["title"] for e in journal.search(f"#{tag}", limit=None)[0]]
            assert found == newest[tag], tag
            assert [e["title"] for e in journal.search(f"#{tag}", limit=7)[0]] == newest[tag][:7]
        without = [e["title"] for e in journal.search("-#common", limit=None)[0]]
        assert without == newest["-common"]
        both = [e["title"] for e in journal.search("#common #lang", limit=None)[0]]
        assert both == [t for t in newest["common"] if t in set(newest["lang"])]
