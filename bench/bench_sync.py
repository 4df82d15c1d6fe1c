"""Benchmark `narrate sync` against plain `git pull && git push` on the same repository.

Usage: python bench/bench_sync.py [N ...] [--runs R]    (default: 100000, 7 runs)

For each corpus size (bench/corpus.py builds and caches it) the journal is copied, a
bare clone of it plays the private remote, and then, interleaved run by run:

- `narrate sync` with nothing to do,
- `narrate sync` with one new entry (written with `narrate add` before the timed run),
- `git pull --no-rebase origin main && git push origin HEAD:main` with nothing to do,
- the same git with one new committed file.

Target (issue 5): sync within 1.5x plain git plus 150 ms. Whole-process wall times;
medians of R runs; printed with the ratio and the margin against that target.

With --encrypted (issue 17): the same journal synced to a plain remote and to an
encrypted one (git-remote-gcrypt, a throwaway GnuPG key without passphrase), in the same
run: the first push of the whole journal, then, interleaved run by run, a sync of one
new entry (`narrate add`) and of 100 new entries (`narrate import markdown`), with the
ratio encrypted / plain. Goal: an encrypted sync of one entry within 2 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.corpus import GIT_ENV, build  # noqa: E402

NARRATE = Path(sys.executable).with_name("narrate")


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall seconds of one process; fails loudly if it fails."""
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stderr}")
    return elapsed


def bench(n: int, runs: int) -> None:
    """Measure one corpus size and print the table."""
    corpus = build(n) / "journal"
    work = Path(tempfile.mkdtemp(prefix=f"narrate-sync-{n}-"))
    try:
        journal = work / "journal"
        shutil.copytree(corpus, journal, symlinks=True)
        remote = work / "remote.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(journal), str(remote)], check=True)
        env = {
            **os.environ,
            **GIT_ENV,
            "HOME": str(work / "home"),
            "XDG_CONFIG_HOME": str(work / "config"),
            "XDG_DATA_HOME": str(work / "data"),
            "NARRATE_JOURNAL": str(journal),
        }
        subprocess.run(
            [str(NARRATE), "remote", "set", str(remote)], env=env, check=True, capture_output=True
        )
        # Warm up: first sync (sets the upstream), index built, caches warm.
        timed([str(NARRATE), "sync"], env, journal)
        timed([str(NARRATE), "list", "-n", "1"], env, journal)
        pull_push = "git pull -q --no-rebase origin main && git push -q origin HEAD:main"
        samples: dict[str, list[float]] = {k: [] for k in ("sync", "sync+1", "git", "git+1")}
        for i in range(runs):
            samples["sync"].append(timed([str(NARRATE), "sync"], env, journal))
            subprocess.run(
                [str(NARRATE), "add", f"Bench entry {i}"], env=env, check=True, capture_output=True
            )
            samples["sync+1"].append(timed([str(NARRATE), "sync"], env, journal))
            samples["git"].append(timed(["sh", "-c", pull_push], env, journal))
            extra = journal / "entries" / f"bench-git-{i}.md"
            extra.write_text(f"---\ntitle: git {i}\n---\n")
            subprocess.run(["git", "add", "--", str(extra)], cwd=journal, env=env, check=True)
            subprocess.run(["git", "commit", "-qm", f"git {i}"], cwd=journal, env=env, check=True)
            samples["git+1"].append(timed(["sh", "-c", pull_push], env, journal))
        median = {k: statistics.median(v) for k, v in samples.items()}
        print(f"\n{n:,} entries, median of {runs} runs (wall seconds)")
        print(f"{'':24}{'narrate sync':>14}{'git pull+push':>15}{'ratio':>8}{'target':>9}")
        for label, ours, theirs in (
            ("nothing to do", median["sync"], median["git"]),
            ("one new entry", median["sync+1"], median["git+1"]),
        ):
            target = 1.5 * theirs + 0.150
            verdict = "ok" if ours <= target else "MISS"
            print(
                f"{label:24}{ours:14.3f}{theirs:15.3f}{ours / theirs:7.1f}x{target:8.3f} {verdict}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_encrypted(n: int, runs: int) -> None:
    """Plain remote against encrypted remote on one corpus size; print the table."""
    corpus = build(n) / "journal"
    work = Path(tempfile.mkdtemp(prefix=f"narrate-crypt-{n}-"))
    # gpg-agent's socket path must stay under ~100 bytes: a short home in /tmp.
    gnupg = Path(tempfile.mkdtemp(prefix="nbg", dir="/tmp"))
    try:
        base = {
            **os.environ,
            **GIT_ENV,
            "HOME": str(work / "home"),
            "XDG_CONFIG_HOME": str(work / "config"),
            "XDG_DATA_HOME": str(work / "data"),
            "GNUPGHOME": str(gnupg),
        }
        base.pop("GPG_TTY", None)
        uid = "Bench <bench@narrate.invalid>"
        keygen = ["--quick-generate-key", uid, "future-default", "default", "0"]
        subprocess.run(
            ["gpg", "--batch", "--passphrase", "", *keygen],
            env=base,
            check=True,
            capture_output=True,
        )
        envs: dict[str, dict[str, str]] = {}
        first: dict[str, float] = {}
        for mode in ("plain", "encrypted"):
            journal = work / mode / "journal"
            shutil.copytree(corpus, journal, symlinks=True)
            host = work / mode / "host.git"
            env = envs[mode] = {**base, "NARRATE_JOURNAL": str(journal)}
            subprocess.run(["git", "init", "-q", "--bare", str(host)], check=True)
            remote = [str(host), "--encrypt", "--key", uid] if mode == "encrypted" else [str(host)]
            subprocess.run(
                [str(NARRATE), "remote", "set", *remote], env=env, check=True, capture_output=True
            )
            first[mode] = timed([str(NARRATE), "sync", "--timeout", "600"], env, journal)
            timed([str(NARRATE), "list", "-n", "1"], env, journal)
        samples: dict[str, list[float]] = {
            f"{mode}{case}": [] for mode in envs for case in ("+1", "+100")
        }
        notes = work / "notes"
        for i in range(runs):
            for mode, env in envs.items():
                journal = Path(env["NARRATE_JOURNAL"])
                subprocess.run(
                    [str(NARRATE), "add", f"Bench entry {i}"],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                samples[f"{mode}+1"].append(timed([str(NARRATE), "sync"], env, journal))
                batch = notes / f"{mode}-{i}"
                batch.mkdir(parents=True)
                for k in range(100):
                    (batch / f"note-{i}-{k}.md").write_text(
                        f"# Batch {i} note {k}\n\nWhat I changed in run {i}, note {k}.\n"
                    )
                subprocess.run(
                    [str(NARRATE), "import", "markdown", str(batch)],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                samples[f"{mode}+100"].append(timed([str(NARRATE), "sync"], env, journal))
        median = {k: statistics.median(v) for k, v in samples.items()}
        print(f"\n{n:,} entries, median of {runs} runs (wall seconds), plain vs encrypted")
        print(f"{'':24}{'plain':>10}{'encrypted':>11}{'ratio':>8}")
        print(
            f"{'first push (whole)':24}{first['plain']:10.3f}{first['encrypted']:11.3f}"
            f"{first['encrypted'] / first['plain']:7.1f}x"
        )
        for label, case in (("one new entry", "+1"), ("100 new entries", "+100")):
            plain, crypt = median[f"plain{case}"], median[f"encrypted{case}"]
            print(f"{label:24}{plain:10.3f}{crypt:11.3f}{crypt / plain:7.1f}x")
        goal = "ok" if median["encrypted+1"] <= 2.0 else "MISS"
        print(f"goal: encrypted sync of one entry <= 2 s: {median['encrypted+1']:.3f} s {goal}")
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(gnupg), "--kill", "gpg-agent"], capture_output=True
        )
        shutil.rmtree(gnupg, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--encrypted", action="store_true", help="plain vs encrypted remote (issue 17)"
    )
    args = parser.parse_args()
    for n in args.sizes:
        (bench_encrypted if args.encrypted else bench)(n, args.runs)


if __name__ == "__main__":
    main()
