"""Time the read path of this checkout against another commit, in the same run.

Both trees run from the same interpreter (PYTHONPATH picks the tree), on two copies of
the same corpus, each with its own index. Commands alternate between the trees round
by round, so a burst of load from other processes lands on both sides alike.

    .venv/bin/python bench/compare.py 10000 --baseline 6dd98e7
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

import corpus  # noqa: E402
from run import (  # noqa: E402
    PHRASE,
    SEARCH_SQL,
    TAG,
    WORD,
    WORK,
    clean_env,
    floor_argv,
    run_once,
)

READS: list[tuple[str, list[str]]] = [
    ("list -n 20", ["list", "-n", "20"]),
    ("list -n 20 --json", ["list", "-n", "20", "--json"]),
    ("search WORD", ["search", WORD]),
    ("search PHRASE", ["search", f'"{PHRASE}"']),
    ("search #TAG", ["search", f"#{TAG}"]),
    ("tags", ["tags"]),
    ("practice", ["practice"]),
    ("review", ["review"]),
    ("show ID", ["show", "SHOW_ID"]),
]
# The first read after an idle hour: the last full check is set back before each run
# (the baseline pays its periodic full check there; this tree spreads it over reads).
IDLE = ("list -n 20 (idle hour)", ["list", "-n", "20"])


def age_full_check(journal: Path) -> None:
    """Make the index's last full check an hour (or more) old."""
    import sqlite3

    conn = sqlite3.connect(journal / ".narrate" / "index.db")
    with conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'last_full'")
    conn.close()


def baseline_tree(rev: str) -> Path:
    """A detached worktree of ``rev`` under bench/.work (made once, reused)."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = WORK / f"baseline-{commit[:12]}"
    if not (tree / "narrate").is_dir():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree), commit],
            check=True,
            capture_output=True,
        )
    return tree


def journal_copy(source: Path, target: Path, env: dict[str, str]) -> None:
    """A fresh copy of the corpus journal, its git index refreshed for the new inodes."""
    if target.exists():
        shutil.rmtree(target)
    subprocess.run(["cp", "-a", str(source / "journal"), str(target)], check=True)
    subprocess.run(["git", "update-index", "--refresh", "-q"], cwd=target, env=env)


def main() -> None:
    """Build or reuse the corpus, index both copies, then time the reads round-robin."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", type=int, default=10_000)
    parser.add_argument("--baseline", default="HEAD~1", help="the commit to compare with")
    parser.add_argument("--runs", type=int, default=9, help="timed rounds (one warm-up first)")
    args = parser.parse_args()

    source = corpus.build(args.size)
    sides = {"baseline": baseline_tree(args.baseline), "this tree": ROOT}
    work = WORK / f"compare-{args.size}"
    setups: dict[str, tuple[dict[str, str], Path]] = {}
    for label, tree in sides.items():
        # Byte-compiled up front, as an installed narrate is: no side pays compile().
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "narrate")])
        folder = work / label.replace(" ", "-")
        folder.mkdir(parents=True, exist_ok=True)
        journal = folder / "journal"
        env = clean_env(folder, journal) | {"PYTHONPATH": str(tree)}
        journal_copy(source, journal, env)
        subprocess.run(
            [sys.executable, "-m", "narrate", "reindex", "--full"],
            cwd=journal,
            env=env,
            check=True,
            capture_output=True,
        )
        setups[label] = (env, journal)
    env, journal = setups["this tree"]
    show_id = subprocess.run(
        [sys.executable, "-m", "narrate", "list", "-n", "1", "--short"],
        cwd=journal, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()[0]  # fmt: skip
    db = journal / ".narrate" / "index.db"
    floors = [
        ("floor: python -c pass", [sys.executable, "-c", "pass"]),
        ("floor: sqlite3 FTS", floor_argv(db, SEARCH_SQL, (f'"{WORD}"',))),
    ]
    times: dict[tuple[str, str], list[float]] = {}
    for round_ in range(args.runs + 1):
        for name, argv in [*READS, IDLE]:
            argv = [show_id if a == "SHOW_ID" else a for a in argv]
            for label, (env, journal) in setups.items():
                if name == IDLE[0]:
                    age_full_check(journal)
                run = run_once([sys.executable, "-m", "narrate", *argv], env, journal)
                if round_:
                    times.setdefault((name, label), []).append(run.seconds * 1000)
        for name, argv in floors:
            run = run_once(argv, env, journal)
            if round_:
                times.setdefault((name, "floor"), []).append(run.seconds * 1000)
    load = os.getloadavg()[0]
    median = {key: statistics.median(values) for key, values in times.items()}
    floor_pass = median[(floors[0][0], "floor")]
    floor_fts = median[(floors[1][0], "floor")]
    print(f"{args.size} entries, {args.runs} rounds, baseline {args.baseline}, load {load:.2f}")
    print(f"{floors[0][0]}: {floor_pass:.1f} ms; {floors[1][0]}: {floor_fts:.1f} ms")
    print(
        f"{'command':<24} {'baseline ms':>12} {'this tree ms':>13} {'ratio':>7}"
        f" {'x pass':>7} {'x FTS':>7}"
    )
    for name, _ in [*READS, IDLE]:
        old = median[(name, "baseline")]
        new = median[(name, "this tree")]
        print(
            f"{name:<24} {old:12.1f} {new:13.1f} {new / old:7.2f}"
            f" {new / floor_pass:7.2f} {new / floor_fts:7.2f}"
        )


if __name__ == "__main__":
    main()
