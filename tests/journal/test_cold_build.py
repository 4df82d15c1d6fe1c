"""The cold build (narrate.journal.coldbuild): worker processes parse, one process writes,
and the index is the same row for row as a build in one process; a build killed half way
leaves an index the next read completes."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from narrate.journal import coldbuild
from narrate.journal import index as idx

ENTRIES = 3000  # above coldbuild.PARALLEL_MIN, so a first read takes the parallel path
COMMITTED = "2020-05-05T12:00:00+00:00"  # the generated files' commit
WORDS = ["standup", "kafka", "deploy", "review", "notatag", "retro*", '"second pair"']

pytestmark = pytest.mark.skipif(coldbuild.cores() < 2, reason="one core: no workers")


def _entry(i: int) -> tuple[str, str]:
    """(relative path, text) of generated entry ``i``: tags in front matter and prose (some
    in code, which are none), practice changes, shares, aliases, broken front matter,
    notes without any date (dated by the commit that added them) and repeated ids."""
    month = f"{2024 + i // 1200}/{i // 100 % 12 + 1:02d}"
    day = i % 28 + 1
    stem = f"{month.replace('/', '-')}-{day:02d}-{i % 24:02d}00-entry-{i}"
    entry_id = f"01COLD{(i - 1 if i % 60 == 0 else i):020d}"  # every 60th repeats an id
    word = ["standup", "kafka", "deploy", "review", "retrospective"][i % 5]
    body = f"Entry {i} about the {word}, a second pair of eyes on #topic-{i % 17}.\n"
    if i % 7 == 0:
        body += "Code: `#notatag` and\n\n    #indented code\n\n# Heading #nottag\n"
    extra = ""
    if i % 11 == 0:
        extra += (
            "practice:\n  - area: code-review\n    change: Ask for smaller changes\n"
            "    status: trying\n    review_after: 2025-01-01\n"
            "    checked: [2024-06-01]\n"
        )
    if i % 13 == 0:
        extra += "shared:\n  - community: team\n    path: m/x.md\n    at: 2025-02-01\n"
    if i % 19 == 0:
        extra += "aliases: [Other name, Third]\n"
    if i % 50 == 0:
        return f"entries/{month}/{stem}.md", "---\ntitle: [unclosed\nid: x\n---\nBroken.\n"
    if i % 40 == 0:
        # No created date and no date in the name: the history gives it.
        return f"entries/{month}/note-{i}.md", f"---\ntitle: Note {i}\n---\n{body}"
    if i % 97 == 0:
        return f"notes/daily/page-{i}.md", f"# Daily page {i}\n\n{body}"
    created = f"{month.replace('/', '-')}-{day:02d}T{i % 24:02d}:00:00+01:00"
    text = (
        f"---\nid: {entry_id}\ncreated: {created}\ntitle: Entry {i} {word}\n"
        f"tags: [gen, t{i % 23}]\n{extra}---\n\n{body}"
    )
    return f"entries/{month}/{stem}.md", text


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Cold", "-c", "user.email=cold@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_AUTHOR_DATE": COMMITTED, "GIT_COMMITTER_DATE": COMMITTED},
    )


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed journal of ENTRIES generated files and no index."""
    root = tmp_path_factory.mktemp("cold") / "journal"
    root.mkdir()
    _git(root, "init", "-q")
    for i in range(ENTRIES):
        rel, text = _entry(i)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Generated entries")
    return root


def build(root: Path, parallel: bool, stream: bool = False) -> dict[str, Any]:
    """Throw the index away, read the journal once (in workers or not), and dump it."""
    idx.remove_index_files(idx.index_path(root))
    minimum = coldbuild.PARALLEL_MIN
    coldbuild.PARALLEL_MIN = minimum if parallel else 10**9
    try:
        assert coldbuild.worth_it(ENTRIES) == parallel
        conn = idx.connect(idx.index_path(root))
        try:
            report = idx.Refresher(root, conn).run(stream=stream)
        finally:
            conn.close()
    finally:
        coldbuild.PARALLEL_MIN = minimum
    assert report.added > ENTRIES * 0.9
    return {"report": (report.added, report.broken), **dump(idx.index_path(root))}


def dump(db: Path, by_path: bool = False) -> dict[str, Any]:
    """Every row of the index's entry tables, and what the full-text index matches;
    ``by_path``: keyed by path instead of rowid (for builds read in another order)."""
    conn = sqlite3.connect(db)
    try:
        key = "e.path" if by_path else "e.rowid"
        columns = "e.*" if not by_path else ", ".join(f"e.{c}" for c in idx._ENTRY_COLUMNS)
        out: dict[str, Any] = {
            "entries": conn.execute(f"SELECT {columns} FROM entries e ORDER BY e.path").fetchall(),
            # A copy of the journal has other change times: by path, only the rest.
            "files": conn.execute(
                f"SELECT path, dir, {'' if by_path else 'change_ns, '}size, hash, error "
                "FROM files ORDER BY path"
            ).fetchall(),
            "dirs": conn.execute("SELECT path, barren FROM dirs ORDER BY path").fetchall(),
        }
        for table in ("tags", "practice", "shares"):
            out[table] = conn.execute(
                f"SELECT {key}, t.* FROM {table} t JOIN entries e ON e.rowid = t.entry "
                f"ORDER BY {key}, t.rowid"
            ).fetchall()
            if by_path:
                out[table] = [row[:1] + row[2:] for row in out[table]]  # no rowid
        for word in WORDS:
            out[f"match {word}"] = conn.execute(
                f"SELECT {key} FROM entries_fts f JOIN entries e ON e.rowid = f.rowid "
                f"WHERE entries_fts MATCH ? ORDER BY {key}",
                (word,),
            ).fetchall()
        if not by_path:
            # The full-text index itself, byte for byte.
            out["fts"] = conn.execute("SELECT * FROM entries_fts_data ORDER BY id").fetchall()
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def serial(journal: Path) -> dict[str, Any]:
    return build(journal, parallel=False)


def test_the_generated_journal_has_every_kind_of_file(serial: dict[str, Any]) -> None:
    entries = serial["entries"]
    history = [row for row in entries if "/note-" in row[1]]
    assert history and all(row[4] == COMMITTED for row in history)  # the commit's date
    assert len({row[2] for row in entries}) < len(entries)  # repeated ids kept
    assert serial["practice"] and serial["shares"]
    assert len(serial["report"][1]) == ENTRIES // 50
    assert [row for row in serial["files"] if row[5] is not None]  # broken files
    tags = {row[-1] for row in serial["tags"]}
    assert {"gen", "topic-3"} <= tags and not tags & {"notatag", "indented", "nottag"}
    assert serial["match standup"]


def in_workers_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sure the files are read by the workers, not by this process."""

    def here(*args: object) -> None:
        raise AssertionError("read in the writing process")

    monkeypatch.setattr(idx, "read_files", here)


def test_a_parallel_build_is_the_serial_build_row_for_row(
    journal: Path, serial: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    in_workers_only(monkeypatch)
    parallel = build(journal, parallel=True)
    assert parallel.keys() == serial.keys()
    for table in serial:
        assert parallel[table] == serial[table], table


def test_a_parallel_streamed_build_is_the_serial_streamed_build(
    journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial_stream = build(journal, parallel=False, stream=True)
    in_workers_only(monkeypatch)
    parallel_stream = build(journal, parallel=True, stream=True)
    for table in serial_stream:
        assert parallel_stream[table] == serial_stream[table], table


def test_a_worker_that_cannot_start_leaves_the_batches_to_this_process(
    journal: Path, serial: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    parallel = build(journal, parallel=True)
    for table in serial:
        assert parallel[table] == serial[table], table


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
@pytest.mark.parametrize("stream", [False, True], ids=["bulk", "stream"])
def test_a_build_killed_half_way_is_completed_by_the_next_read(
    journal: Path, serial: dict[str, Any], tmp_path: Path, stream: bool
) -> None:
    root = tmp_path / "journal"
    shutil.copytree(journal, root, symlinks=True)
    idx.remove_index_files(idx.index_path(root))
    wal = Path(f"{idx.index_path(root)}-wal")
    code = (
        "import sys\nfrom pathlib import Path\nfrom narrate.journal.core import Journal\n"
        "with Journal.open(Path(sys.argv[1])) as j:\n"
        "    j.refresh(stream=sys.argv[2] == '1')\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(root), str(int(stream))])
    workers: list[int] = []
    deadline = time.monotonic() + 60
    # Half way: the workers are reading and the index has taken some of their rows.
    while time.monotonic() < deadline and process.poll() is None:
        workers = [c for c in _children(process.pid) if "coldbuild" in _cmdline(c)]
        if workers and wal.exists() and wal.stat().st_size > 400_000:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the build ended before it could be killed"
    assert workers
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived their writer"

    conn = sqlite3.connect(idx.index_path(root))
    kept = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    conn.close()
    assert kept < len(serial["entries"])  # killed before it was done
    subprocess.run([sys.executable, "-m", "narrate", "--journal", str(root), "list"], check=True,
                   capture_output=True)  # fmt: skip
    assert dump(idx.index_path(root), by_path=True) == _by_path(journal, serial)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _by_path(journal: Path, serial: dict[str, Any]) -> dict[str, Any]:
    """The serial build, keyed by path."""
    build(journal, parallel=False)
    return dump(idx.index_path(journal), by_path=True)


def _read_with_stderr_on(root: Path, terminal: bool, code: str | None = None) -> tuple[str, str]:
    """(stdout, stderr) of ``narrate list -n 1`` (or a script) with stderr on a terminal
    or a pipe."""
    import pty

    args = ["-c", code] if code else ["-m", "narrate"]
    argv = [sys.executable, *args, "--journal", str(root), "list", "-n", "1"]
    if not terminal:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout, done.stderr
    controller, follower = pty.openpty()
    try:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end closed: the process is done
                break
            if not chunk:
                break
            shown += chunk
        out = process.communicate(timeout=120)[0]
        assert process.returncode == 0, shown
    finally:
        os.close(controller)
    return out.decode(), shown.decode(errors="replace")


def test_a_first_read_shows_a_progress_bar_on_a_terminal_only(
    journal: Path, tmp_path: Path
) -> None:
    root = tmp_path / "journal"
    shutil.copytree(journal, root, symlinks=True)
    idx.remove_index_files(idx.index_path(root))
    out, err = _read_with_stderr_on(root, terminal=True)
    assert "Reading entries" in err
    assert "1 of " in out + err  # the list itself is printed after the bar
    idx.remove_index_files(idx.index_path(root))
    out, err = _read_with_stderr_on(root, terminal=False)
    assert "Reading entries" not in err and "\x1b" not in err
    # A normal read at a terminal draws nothing and never loads the bar's code.
    code = (
        "import sys\nfrom narrate.cli import main\n"
        "try:\n    main(sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print('loaded' if 'rich.progress' in sys.modules else 'lean')\n"
    )
    out, err = _read_with_stderr_on(root, terminal=True, code=code)
    assert "Reading entries" not in err
    assert out.strip().endswith("lean")


def test_workers_read_a_journal_named_relative_to_a_folder_holding_another_narrate(
    journal: Path, serial: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A checkout of another narrate in the working folder: python -m would import it.
    (tmp_path / "narrate").mkdir()
    (tmp_path / "narrate" / "__init__.py").write_text("raise ImportError('the other one')\n")
    shutil.copytree(journal, tmp_path / "journal", symlinks=True)
    monkeypatch.chdir(tmp_path)
    in_workers_only(monkeypatch)
    parallel = build(Path("journal"), parallel=True)
    assert parallel["entries"] == serial["entries"]
    assert parallel["fts"] == serial["fts"]


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity")
def test_one_core_or_a_few_files_read_in_process() -> None:
    assert not coldbuild.worth_it(coldbuild.PARALLEL_MIN - 1)
    assert coldbuild.worth_it(coldbuild.PARALLEL_MIN)
    code = (
        "import os\nos.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})\n"
        "from narrate.journal import coldbuild\nprint(coldbuild.worth_it(10**6))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_a_parallel_refresh_of_touched_and_edited_files_is_the_serial_one(
    journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files the index knows whose signatures changed: most only touched (the hash
    decides), some edited, some gone, read by workers as in one process."""
    dumps = []
    for parallel in (False, True):
        root = tmp_path / f"journal-{parallel}"
        shutil.copytree(journal, root, symlinks=True)
        build(root, parallel=False)
        files = sorted((root / "entries").rglob("*.md"))
        for number, path in enumerate(files):
            if number % 100 == 1:
                path.write_text(path.read_text("utf-8").replace("Entry", "Edited"), "utf-8")
            elif number % 100 == 2:
                path.unlink()
            else:
                os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        with monkeypatch.context() as patch:
            if parallel:
                in_workers_only(patch)
            patch.setattr(coldbuild, "PARALLEL_MIN", 2000 if parallel else 10**9)
            conn = idx.connect(idx.index_path(root))
            report = idx.Refresher(root, conn).run(full=True)
            conn.close()
        assert report.updated and report.removed and not report.added
        dumps.append(((report.updated, report.removed), dump(idx.index_path(root), by_path=True)))
    assert dumps[0] == dumps[1]
