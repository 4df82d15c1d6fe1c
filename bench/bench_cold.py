"""Time the cold build of this tree against a baseline tree, in the same run.

A copy of the cached corpus (bench/corpus/<N>/journal, or --corpus) without its index
stands for a new device's clone. Each round runs, for the baseline and then this tree
(PYTHONPATH picks the tree): the first read ``narrate list -n 20`` with no index, then
``narrate reindex --full``. Printed: wall, CPU (user + system of the command and every
process it waited for) and peak RSS (summed over the whole process tree, sampled every
20 ms), the medians, and this tree's ratio to the baseline.

    .venv/bin/python bench/bench_cold.py 100000 --baseline /work/main --rounds 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import clean_env  # noqa: E402

COMMANDS = [
    ("first read (list -n 20)", ["list", "-n", "20"], True),
    ("reindex --full", ["reindex", "--full"], False),
]


def tree_rss_kb(pid: int) -> int:
    """The summed resident memory of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo += [int(child) for child in children]
    return total


def run(tree: Path, argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall s, CPU s, peak tree RSS MB) of ``narrate ARGV`` run from ``tree``."""
    env = {**env, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "narrate", *argv],
        env=env,
        # Not the checkout: python -m puts the working folder before PYTHONPATH.
        cwd=env["HOME"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"narrate {' '.join(argv)} failed: {err.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, peak // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, help="corpus size (bench/corpus/<size>/journal)")
    parser.add_argument("--baseline", type=Path, default=Path("/work/main"))
    parser.add_argument("--corpus", type=Path, help="a journal to copy instead")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cold/bench"))
    parser.add_argument("--this", type=Path, default=ROOT, help="the tree to time")
    parser.add_argument("--only", choices=["read", "reindex"], help="time one command")
    args = parser.parse_args()
    source = args.corpus or ROOT / "bench" / "corpus" / str(args.size) / "journal"
    journal = args.work / f"journal-{args.size}"
    if not journal.exists():
        args.work.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, journal, symlinks=True)
    env = clean_env(args.work, journal)
    trees = {"baseline": args.baseline.resolve(), "this": args.this.resolve()}
    commands = [c for c in COMMANDS if args.only is None or c[1][0].startswith(args.only)]
    results: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    for round_number in range(1, args.rounds + 1):
        for name, tree in trees.items():
            for label, argv, cold in commands:
                if cold:
                    shutil.rmtree(journal / ".narrate", ignore_errors=True)
                # (reindex --full throws the index away first: it does the same work
                # with an index or without one.)
                figures = run(tree, argv, env)
                results.setdefault((label, name), []).append(figures)
                wall, cpu, rss = figures
                print(
                    f"round {round_number} {name:8} {label:24} wall {wall:6.1f} s  "
                    f"cpu {cpu:6.1f} s  peak rss {rss:4d} MB",
                    flush=True,
                )
    print(f"\nmedians at {args.size:,} entries ({args.rounds} rounds, interleaved)")
    for label, _, _ in commands:
        medians = {
            name: [statistics.median(f[i] for f in results[(label, name)]) for i in range(3)]
            for name in trees
        }
        base, this = medians["baseline"], medians["this"]
        print(
            f"{label:24} baseline wall {base[0]:6.1f} s cpu {base[1]:6.1f} s rss {base[2]:4.0f} MB"
            f" | this wall {this[0]:6.1f} s cpu {this[1]:6.1f} s rss {this[2]:4.0f} MB"
            f" | wall x{this[0] / base[0]:.2f} cpu x{this[1] / base[1]:.2f}"
        )
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
