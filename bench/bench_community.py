"""The community benchmark (issue 15): narrate against plain git on the same corpus.

    python bench/bench_community.py 20000 200000     # corpora cached in bench/corpus/

For each size: the first ``community add`` (wall, CPU, peak RSS, disk of the clone and of
the index) beside ``git clone --bare`` and ``git ls-remote``; an incremental pull of one
day's 100 shares beside ``git fetch``; a no-change pull beside ``git ls-remote``; then
``feed -n 20``, ``feed --member``, ``feed --area`` and ``read`` (and ``feed --search``
when the command has it). Every figure is one whole process, measured with
resource.getrusage of the child (CPU, peak RSS) and a monotonic clock (wall).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import community_corpus  # noqa: E402

PYTHON = sys.executable
RUNS = 5


def measure(args: list[str], env: dict[str, str], cwd: Path | None = None) -> dict[str, float]:
    """One process: wall seconds, CPU seconds, peak RSS in MB (of it and what it waited for)."""
    script = (
        "import resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "w = time.monotonic() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(p.returncode, w, u.ru_utime + u.ru_stime, u.ru_maxrss)\n"
        "sys.stderr.buffer.write(p.stderr[-2000:])\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", script, *args], env=env, cwd=cwd, capture_output=True, text=True
    )
    code, wall, cpu, rss = done.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")
    return {"wall": float(wall), "cpu": float(cpu), "rss_mb": int(rss) / 1024}


def best(args: list[str], env: dict[str, str], runs: int = RUNS) -> dict[str, float]:
    """The median wall (and its CPU and RSS) of ``runs`` runs after a warm-up."""
    measure(args, env)
    found = sorted((measure(args, env) for _ in range(runs)), key=lambda r: r["wall"])
    return found[len(found) // 2]


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def bench(size: int) -> dict[str, object]:
    """Every figure for the corpus of ``size`` shares."""
    corpus = community_corpus.cached(size)
    work = HERE / ".work" / f"community-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    origin = work / "origin.git"
    # A copy the incremental day is added to, so the cached corpus stays as built.
    subprocess.run(
        ["git", "clone", "-q", "--bare", "--mirror", str(corpus), str(origin)], check=True
    )
    home = work / "home"
    # Bytecode is cached as an installed narrate's is (a shell that sets
    # PYTHONDONTWRITEBYTECODE would compile every module on every run).
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {
        **environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "NARRATE_JOURNAL": str(home / "journal"),
        "PYTHONPATH": str(ROOT),
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    narrate = [PYTHON, "-m", "narrate"]
    subprocess.run([*narrate, "init"], env=env, check=True, capture_output=True)
    url = f"file://{origin}"
    results: dict[str, object] = {"size": size, "load": os.getloadavg()}
    results["git clone --bare"] = measure(
        ["git", "clone", "-q", "--bare", url, str(work / "plain.git")], env
    )
    results["community add"] = measure(
        [*narrate, "community", "add", "cop", url, "--member", "m00001"], env
    )
    clone = home / "data" / "narrate" / "communities" / "cop.git"
    index = next((home / "journal").rglob("index.sqlite*"), None)
    results["disk"] = {
        "clone_mb": disk_mb(clone) if clone.exists() else None,
        "plain_clone_mb": disk_mb(work / "plain.git"),
        "index_mb": sum(p.stat().st_size for p in (home / "journal").rglob("index*")) / 2**20,
        "index_file": str(index),
    }
    results["git ls-remote"] = best(["git", "ls-remote", url], env)
    results["pull, no change"] = best([*narrate, "community", "pull"], env)
    community_corpus.add_day(origin, community_corpus.Corpus(100, seed=size))
    results["git fetch (100 new)"] = measure(
        [
            "git",
            "--git-dir",
            str(work / "plain.git"),
            "fetch",
            "-q",
            url,
            "+refs/heads/*:refs/heads/*",
        ],
        env,
    )
    results["pull, 100 new entries"] = measure([*narrate, "community", "pull"], env)
    feed = json.loads(
        subprocess.run(
            [*narrate, "feed", "-n", "1", "--json"], env=env, capture_output=True, check=True
        ).stdout
    )
    member = feed[0]["member"] if feed else "m00002"
    ref = feed[0]["feed_id"] if feed else "0"
    results["feed -n 20"] = best([*narrate, "feed", "-n", "20"], env)
    results["feed --member"] = best([*narrate, "feed", "--member", member], env)
    results["feed --area"] = best([*narrate, "feed", "--area", "testing"], env)
    results["read"] = best([*narrate, "read", ref], env)
    helped = subprocess.run([*narrate, "feed", "--help"], env=env, capture_output=True, text=True)
    if "--search" in helped.stdout:
        results["feed --search"] = best([*narrate, "feed", "--search", "rollback"], env)
    (HERE / ".work" / f"community-results-{size}.json").write_text(json.dumps(results, indent=1))
    return results


def report(results: dict[str, object]) -> None:
    print(f"\n## {results['size']:,} shares (load {results['load']})")
    for name, found in results.items():
        if isinstance(found, dict) and "wall" in found:
            print(
                f"{name:28} {found['wall'] * 1000:9.0f} ms  CPU {found['cpu'] * 1000:8.0f} ms"
                f"  peak RSS {found['rss_mb']:6.0f} MB"
            )
    print("disk:", results["disk"])


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["20000"]:
        report(bench(int(arg)))
    _ = resource  # getrusage is used in the measuring child
