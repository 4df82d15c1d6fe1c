"""``narrate add`` against plain git and against another tree's code, in the same run.

    .venv/bin/python bench/bench_add.py 100000 [--rounds 9] [--baseline /work/main]

Copies the cached corpus (bench/corpus.py) twice under /tmp/add/<N>/: ``this`` gets
the git settings ``narrate init`` and ``doctor --fix`` give a journal, ``base`` stays
as the corpus was made (the baseline tree's journal as users have it). One index is
built and copied to both. Each round runs, in turn: ``narrate add`` with this tree in
``this``, ``git add FILE && git commit`` of one new file in ``this`` (the goal: add is
never slower), ``narrate add`` with the baseline tree in ``base``, and the same plain
git commit in ``base``. Prints medians, the ratios, and the git processes one add
starts (GIT_TRACE2). ``--keep`` keeps the copies (they are ~1.5 GB at 300k).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import ADD_TEXT, PYTHON, Result, clean_env, run_once, show  # noqa: E402

CORPUS = Path("/work/main/bench/corpus")
WORK = Path("/tmp/add")
GIT_COMMIT = 'f="$1"; echo "$2" > "$f" && git add -- "$f" && git commit -q -m "Add $f"'


def copy_corpus(n: int, name: str) -> Path:
    """A copy of the cached N-entry journal at /tmp/add/<N>/<name> (made once)."""
    source = CORPUS / str(n) / "journal"
    if not (CORPUS / str(n) / "DONE").exists():
        raise SystemExit(f"{source} is not built yet (bench/corpus.py {n})")
    target = WORK / str(n) / name
    if not (target / ".git").is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        print(f"copying {source} to {target} ...", file=sys.stderr, flush=True)
        subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    return target


def narrate_env(tree: Path, work: Path, journal: Path) -> dict[str, str]:
    """The clean bench environment, importing narrate from ``tree``."""
    env = clean_env(work, journal)
    env["PYTHONPATH"] = str(tree)
    return env


def git_processes(env: dict[str, str], journal: Path) -> list[str]:
    """The git commands one ``narrate add`` starts, with their wall times."""
    with tempfile.NamedTemporaryFile("r", suffix=".trace") as trace:
        traced = {**env, "GIT_TRACE2_PERF": trace.name}
        subprocess.run(
            [PYTHON, "-m", "narrate", "add", "Traced add"],
            env=traced,
            cwd=journal,
            check=True,
            capture_output=True,
        )
        # A process's children (fast-import's unpack-objects) trace between its
        # cmd_name and its exit: a stack pairs them.
        names: list[str] = []
        lines: list[str] = []
        for line in trace.read().splitlines():
            cells = [cell.strip() for cell in line.split("|")]
            if len(cells) < 9:
                continue
            if cells[3] == "cmd_name":
                names.append(cells[8].split()[0])
                lines.append(names[-1])
            elif cells[3] == "exit" and names:
                name = names.pop()
                at = len(lines) - 1 - lines[::-1].index(name)
                lines[at] = f"{'  ' * len(names)}{name} {float(cells[5]) * 1000:.1f} ms"
        return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--baseline", type=Path, default=Path("/work/main"))
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    this, base = copy_corpus(args.size, "this"), copy_corpus(args.size, "base")
    work = WORK / str(args.size) / "env"
    env_this = narrate_env(ROOT, work, this)
    env_base = narrate_env(args.baseline.resolve(), work, base)
    # What init and doctor --fix give a journal, through narrate's own function.
    from narrate.journal.history import set_speed_settings

    print(f"settings set in {this}: {set_speed_settings(this)}", file=sys.stderr)
    index = this / ".narrate" / "index.db"
    if not index.exists():
        print("building the index once (reindex) ...", file=sys.stderr, flush=True)
        run_once([PYTHON, "-m", "narrate", "reindex"], env_this, this)
    if not (base / ".narrate" / "index.db").exists():
        (base / ".narrate").mkdir(exist_ok=True)
        shutil.copy2(index, base / ".narrate" / "index.db")

    commands = [
        ("add (this tree)", env_this, this, "add"),
        ("git add && git commit (this repo)", env_this, this, "git"),
        ("add (baseline tree)", env_base, base, "add"),
        ("git add && git commit (base repo)", env_base, base, "git"),
    ]
    results = [Result(name, kind) for name, _, _, kind in commands]
    for round_ in range(args.rounds + 1):  # round 0 warms the caches up, unrecorded
        for result, (_, env, journal, kind) in zip(results, commands, strict=True):
            if kind == "add":
                argv = [PYTHON, "-m", "narrate", "add", f"{ADD_TEXT} {round_}"]
            else:
                rel = f"entries/2026/12/plain-git-{os.getpid()}-{round_}.md"
                argv = ["sh", "-c", GIT_COMMIT, "sh", rel, f"plain git {round_}"]
            run = run_once(argv, env, journal)
            if round_:
                result.record(run)
    print(f"\n{args.size} entries, {args.rounds} rounds, medians:", file=sys.stderr)
    for result in results:
        show(result)
    new, git_this, old, git_base = (statistics.median(r.seconds) * 1000 for r in results)
    print(
        f"\nadd / plain git (same repo): {new / git_this:.2f}   "
        f"add / baseline add: {new / old:.2f}   baseline add / plain git: {old / git_base:.2f}",
        file=sys.stderr,
    )
    for label, env, journal in (("this", env_this, this), ("baseline", env_base, base)):
        print(f"\ngit processes of one add ({label}):", file=sys.stderr)
        for line in git_processes(env, journal):
            print(f"  {line}", file=sys.stderr)
    for journal in (this, base):
        status = subprocess.run(
            ["git", "-C", str(journal), "status", "--porcelain"], capture_output=True, text=True
        )
        print(f"git status in {journal.name}: {status.stdout.strip() or 'clean'}", file=sys.stderr)
    if not args.keep:
        shutil.rmtree(WORK / str(args.size))


if __name__ == "__main__":
    main()
