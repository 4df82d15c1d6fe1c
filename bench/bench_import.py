"""Benchmark: ``narrate import jrnl`` of an N-entry jrnl journal into an empty journal.

Usage: .venv/bin/python bench/bench_import.py [SIZES...] [--keep]

For each size (default 10000 100000) it takes the cached corpus's ``jrnl.txt``
(bench/corpus.py: the same seeded entries as the narrate corpus, in jrnl's plain-text
format), creates an empty journal under bench/.work/import-<N>/, and runs the import in a
fresh interpreter through the real command line (click, the progress bar, the summary),
with a clean HOME and a git identity from env vars. It prints the wall time, the time of
each phase (read and write the files, the one git commit, the index refresh), the peak
RSS of the narrate process (VmHWM) and of its largest child (git), and then the time of
a second import of the same file, which must skip every entry. It checks the result:
N files, all committed in one commit, N entries in the index.

Targets of issue 7 at 100k entries: at most 3 minutes and 600 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work"
TARGET_SECONDS = 180.0
TARGET_MB = 600.0
IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench Writer",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench Writer",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def child(journal: str, source: str) -> None:
    """Run one import through the CLI, timing its phases; print the figures as JSON."""
    import resource

    from narrate.cli import main
    from narrate.importers import base
    from narrate.journal.core import Journal

    marks: dict[str, float] = {}

    def timed(name: str, function: object) -> object:
        def run(*args: object, **kwargs: object) -> object:
            marks[f"{name}_start"] = time.perf_counter()
            try:
                return function(*args, **kwargs)  # type: ignore[operator]
            finally:
                marks[f"{name}_end"] = time.perf_counter()

        return run

    base.commit_many = timed("commit", base.commit_many)  # type: ignore[assignment]
    Journal.refresh = timed("index", Journal.refresh)  # type: ignore[method-assign]
    started = time.perf_counter()
    exit_code = 0
    try:
        main(["-j", journal, "import", "jrnl", source], standalone_mode=False)
    except SystemExit as exc:
        exit_code = int(exc.code or 0)
    ended = time.perf_counter()
    with open("/proc/self/status", encoding="ascii") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # The last refresh is the import's own (the first one, if any, belongs to the read
    # of the journal's index before importing).
    write_end = marks.get("commit_start", ended)
    figures = {
        "exit_code": exit_code,
        "seconds": ended - started,
        "read_write_s": write_end - started,
        "commit_s": marks.get("commit_end", 0.0) - marks.get("commit_start", 0.0),
        "index_s": marks.get("index_end", 0.0) - marks.get("index_start", 0.0),
        "peak_mb": peak_kb / 1024,
        "git_peak_mb": children_kb / 1024,
    }
    print("FIGURES " + json.dumps(figures), file=sys.stderr, flush=True)


def run_child(journal: Path, source: Path, env: dict[str, str]) -> dict[str, float]:
    """One import in a fresh interpreter; its figures, and the whole process's wall time."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(journal), str(source)],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - started
    lines = [x for x in result.stderr.splitlines() if x.startswith("FIGURES ")]
    if result.returncode != 0 or not lines:
        sys.exit(f"import failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    figures: dict[str, float] = json.loads(lines[-1].removeprefix("FIGURES "))
    figures["wall_s"] = wall
    figures["summary"] = result.stdout.strip()  # type: ignore[assignment]
    return figures


def git(root: Path, *args: str) -> str:
    """git's stdout in the journal."""
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout


def python(code: str, env: dict[str, str]) -> str:
    """Run narrate code in a fresh interpreter (Journal and Path imported); its stdout."""
    prelude = "from pathlib import Path\nfrom narrate.journal.core import Journal\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()


def bench(n: int, keep: bool) -> bool:
    """Import the n-entry corpus, print the figures; True when the targets are met."""
    sys.path.insert(0, str(BENCH))
    import corpus  # bench/corpus.py: the shared, seeded generator (cached per size)

    source = corpus.build(n) / "jrnl.txt"
    work = WORK / f"import-{n}"
    if work.exists():
        shutil.rmtree(work)
    (work / "home").mkdir(parents=True)
    env = {
        **os.environ,
        **IDENTITY,
        "HOME": str(work / "home"),
        "XDG_CONFIG_HOME": str(work / "home" / ".config"),
        "XDG_DATA_HOME": str(work / "home" / ".local" / "share"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.pop("NARRATE_JOURNAL", None)
    journal = work / "journal"
    python(f"Journal.create(Path({str(journal)!r}))", env)
    size_mb = source.stat().st_size / 1e6
    print(f"\n== import of {n} jrnl entries ({size_mb:.0f} MB of text) ==", flush=True)
    first = run_child(journal, source, env)
    files = sum(1 for _ in (journal / "entries").rglob("*.md"))
    commits = int(git(journal, "rev-list", "--count", "HEAD"))
    clean = git(journal, "status", "--porcelain") == ""
    indexed = python(f"print(Journal.open(Path({str(journal)!r})).count())", env)
    second = run_child(journal, source, env)
    print(first["summary"].splitlines()[0])
    print(
        f"first import: {first['wall_s']:.1f} s wall ({first['read_write_s']:.1f} s reading "
        f"and writing files, {first['commit_s']:.1f} s git commit, {first['index_s']:.1f} s "
        f"index), peak {first['peak_mb']:.0f} MB (git {first['git_peak_mb']:.0f} MB)"
    )
    print(
        f"second import of the same file: {second['wall_s']:.1f} s wall, peak "
        f"{second['peak_mb']:.0f} MB; {second['summary'].splitlines()[-1]}"
    )
    print(
        f"check: {files} files, {commits} commits (journal start + import), "
        f"{'clean' if clean else 'NOT CLEAN'} work tree, {indexed} entries indexed"
    )
    ok = (
        files == n
        and commits == 2
        and clean
        and indexed == str(n)
        and first["wall_s"] <= TARGET_SECONDS
        and first["peak_mb"] <= TARGET_MB
    )
    verdict = "meets" if ok else "MISSES"
    print(f"{verdict} the target (≤ {TARGET_SECONDS:.0f} s, ≤ {TARGET_MB:.0f} MB)")
    if not keep:
        shutil.rmtree(work)
    return ok


def main() -> None:
    """Run the benchmark for the sizes on the command line."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--keep", action="store_true", help="keep bench/.work/import-<N>/")
    args = parser.parse_args()
    results = [bench(n, args.keep) for n in args.sizes]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
