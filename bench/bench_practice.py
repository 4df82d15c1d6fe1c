"""Whole-process practice reads against ``list -n 20``, this tree against a baseline tree.

Usage: .venv/bin/python bench/bench_practice.py [SIZES...] [--runs N]
           [--baseline PATH] [--work DIR]

For each corpus size (default 10000) it copies the cached corpus (bench/corpus.py; the
--corpus folder) twice under --work, indexes each copy with its own tree's code (each
tree keeps its own index schema), then times every command round by round, the two
trees interleaved, so a burst of load lands on both alike. It prints medians of the
wall time, each tree's ratio to its own ``list -n 20`` measured in the same rounds, and
this tree's ratio to the baseline. Output goes to /dev/null: a pipe, not a terminal.

Both trees run from this interpreter with PYTHONPATH set to the tree, and with a
PYTHONPYCACHEPREFIX under --work, so both use byte-compiled modules and nothing is
written into either tree. Copies are kept for the next run (delete --work when done).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import clean_env, run_once  # noqa: E402

READS: list[tuple[str, list[str]]] = [
    ("list -n 20", ["list", "-n", "20"]),
    ("practice", ["practice"]),
    ("practice --json", ["practice", "--json"]),
    ("practice --due", ["practice", "--due"]),
    ("practice --due --json", ["practice", "--due", "--json"]),
    ("practice -n 20", ["practice", "-n", "20"]),
    ("practice --area testing", ["practice", "--area", "testing"]),
    ("review", ["review"]),
    ("review --json", ["review", "--json"]),
    ("review --markdown", ["review", "--markdown"]),
]
ONLY_HERE = {"practice -n 20"}  # options the baseline does not have


def prepare(source: Path, folder: Path, tree: Path, cache: Path) -> tuple[dict[str, str], Path]:
    """A copy of the corpus journal in ``folder`` indexed by ``tree``'s code (reused when
    it is there: the warm-up round brings its index up to date)."""
    journal = folder / "journal"
    env = clean_env(folder, journal) | {
        "PYTHONPATH": str(tree),
        "PYTHONPYCACHEPREFIX": str(cache),
    }
    if not journal.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-a", str(source), str(journal)], check=True)
        subprocess.run(["git", "update-index", "--refresh", "-q"], cwd=journal, env=env)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "narrate")], env=env)
    subprocess.run(
        [sys.executable, "-m", "narrate", "reindex"],
        cwd=journal,
        env=env,
        check=True,
        capture_output=True,
    )
    return env, journal


def bench(size: int, args: argparse.Namespace) -> None:
    """Time every read for one corpus size and print the table."""
    source = Path(args.corpus) / str(size) / "journal"
    if not source.is_dir():
        raise SystemExit(f"no corpus at {source}: build it with bench/corpus.py {size}")
    work = Path(args.work) / str(size)
    cache = Path(args.work) / "pycache"
    sides = {"baseline": Path(args.baseline).resolve(), "this tree": ROOT}
    setups = {
        label: prepare(source, work / label.replace(" ", "-"), tree, cache)
        for label, tree in sides.items()
    }
    times: dict[tuple[str, str], list[float]] = {}
    for round_ in range(args.runs + 1):  # round 0 warms the page cache, not counted
        for name, argv in READS:
            for label, (env, journal) in setups.items():
                if label == "baseline" and name in ONLY_HERE:
                    continue
                run = run_once([sys.executable, "-m", "narrate", *argv], env, journal)
                if round_:
                    times.setdefault((name, label), []).append(run.seconds * 1000)
    median = {key: statistics.median(values) for key, values in times.items()}
    load = os.getloadavg()[0]
    print(f"\n{size} entries, {args.runs} rounds, baseline {args.baseline}, load {load:.2f}")
    print(
        f"{'command':<24} {'baseline ms':>11} {'x list':>7} {'this ms':>8} {'x list':>7}"
        f" {'this/base':>9}"
    )
    base_list = median[("list -n 20", "baseline")]
    this_list = median[("list -n 20", "this tree")]
    for name, _ in READS:
        new = median[(name, "this tree")]
        old = median.get((name, "baseline"))
        old_cols = f"{old:11.0f} {old / base_list:7.2f}" if old else f"{'-':>11} {'-':>7}"
        ratio = f"{new / old:9.2f}" if old else f"{'-':>9}"
        print(f"{name:<24} {old_cols} {new:8.0f} {new / this_list:7.2f} {ratio}")


def main() -> None:
    """Parse the arguments and run each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--runs", type=int, default=7, help="timed rounds (one warm-up first)")
    parser.add_argument("--baseline", default="/work/main", help="the tree to compare with")
    parser.add_argument("--corpus", default=str(BENCH / "corpus"), help="cached corpora")
    parser.add_argument("--work", default="/tmp/narrate-bench-practice", help="copies go here")
    args = parser.parse_args()
    if shutil.which("git") is None:
        raise SystemExit("git is needed")
    for size in args.sizes:
        bench(size, args)


if __name__ == "__main__":
    main()
