"""The practice review at scale: build_review's SQL aggregates and the TUI Review
screen's time to show, headless.

Usage: .venv/bin/python bench/bench_review.py [SIZES...] [--runs N]

For each journal size (default 100000) it prints:

- build_review: seconds for each period the Review screen offers (30, 90 and 365 days,
  by week and by month): the first call on a fresh connection (cold SQLite page cache
  of this process) and the median of ``--runs`` warm calls, with how many changes,
  check-backs due and areas the review holds;
- the Review screen: seconds from pressing f9 on the journal screen to the screen
  painted with every section filled (90 days by month), then from a key changing the
  period (365 days by month, by week) to the repaint; with the worker's build_review
  time and the screen's own request-to-painted time. Once with f9 pressed as soon as
  the journal's index is fresh (startup work still running), once 2 s later.

Corpora are bench/corpus.py's (cached under bench/corpus/<N>/), hard-link copied and
indexed once by bench_tui.prepare() into bench/.work/tui-<N>/ (shared with
bench_tui.py: nothing here writes entries). HOME and XDG folders are temporary and the
git identity comes from env vars, so no personal config is read.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

SIZE = (120, 40)
PERIODS = [(30, "week"), (90, "month"), (365, "week"), (365, "month")]


def isolate() -> None:
    """A clean environment: temporary HOME/XDG, a git identity, no system git config."""
    base = Path(tempfile.mkdtemp(prefix="narrate-bench-review-"))
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        (base / var.lower()).mkdir()
        os.environ[var] = str(base / var.lower())
    os.environ.update(
        {
            "GIT_AUTHOR_NAME": "Bench Writer",
            "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "Bench Writer",
            "GIT_COMMITTER_EMAIL": "bench@example.invalid",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
    )
    for var in ("NARRATE_JOURNAL", "NARRATE_CONFIG"):
        os.environ.pop(var, None)


def bench_build(root: Path, runs: int) -> None:
    """build_review for each period: cold first call, then the median of warm calls."""
    from narrate.journal.core import Journal
    from narrate.practice.review import build_review

    today = dt.date.today()
    print(f"  build_review (today {today}; {runs} warm runs each)")
    print(f"    {'period':<16}{'cold s':>8}{'warm s':>8}{'changes':>9}{'due':>7}{'areas':>7}")
    for days, by in PERIODS:
        since = today - dt.timedelta(days=days - 1)
        with Journal.open(root) as journal:
            journal.defer_refresh()
            started = time.perf_counter()
            review = build_review(journal, since=since, by=by, today=today)
            cold = time.perf_counter() - started
            warm = []
            for _ in range(runs):
                started = time.perf_counter()
                build_review(journal, since=since, by=by, today=today)
                warm.append(time.perf_counter() - started)
        print(
            f"    {f'{days} d by {by}':<16}{cold:>8.3f}{statistics.median(warm):>8.3f}"
            f"{len(review.changes):>9}{len(review.due):>7}{len(review.areas):>7}"
        )


async def bench_screen(root: Path, settle: float) -> None:
    """From f9 on the journal screen to the Review screen painted with its figures;
    ``settle`` seconds after the journal's first index refresh (0: the app's startup
    work, git state and the first refresh's aftermath, still competes)."""
    from narrate.journal.core import Journal
    from narrate.tui.app import NarrateApp
    from narrate.tui.screens.review import ReviewScreen

    with Journal.open(root) as journal:
        app = NarrateApp(journal)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.journal_screen.indexed, 120)
            await pilot.pause(settle)
            started = time.perf_counter()
            await pilot.press("f9")
            await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            await until(pilot, lambda: screen.shown_at is not None)
            report("90 days by month", started, screen)
            for key, label in (("p", "365 days by month"), ("b", "365 days by week")):
                screen.shown_at = None
                started = time.perf_counter()
                await pilot.press(key)  # p: 90 -> 365 days; b: month -> week
                await until(pilot, lambda: screen.shown_at is not None)
                report(label, started, screen)


def report(label: str, started: float, screen: Any) -> None:
    """One line: key to painted, and the screen's own figures."""
    timing, review = screen.timing, screen.review
    print(
        f"    {label:<18} key to painted {screen.shown_at - started:.3f} s"
        f"   (build_review in the worker {timing['build']:.3f} s,"
        f" request to painted {timing['shown']:.3f} s; {len(review.changes)} changes,"
        f" {min(len(review.changes), timeline_limit())} in the timeline)"
    )


def timeline_limit() -> int:
    """How many timeline rows the screen lists at most."""
    from narrate.tui.screens import review

    return review.TIMELINE_LIMIT


async def until(pilot: object, condition: object, timeout: float = 30.0) -> None:
    """Let the app run until ``condition()`` holds (workers are not awaited by pause)."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s")
        await pilot.pause(0.005)  # type: ignore[attr-defined]


def main() -> None:
    """Run the benchmark for each size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    isolate()
    from bench_tui import prepare

    for n in args.sizes:
        root = prepare(n)
        print(f"{n:,} entries ({root})")
        bench_build(root, args.runs)
        for settle in (0.0, 2.0):
            when = "right after startup" if not settle else f"{settle:.0f} s after startup"
            print(f"  Review screen, headless {SIZE[0]}x{SIZE[1]}, f9 pressed {when}")
            asyncio.run(bench_screen(root, settle))


if __name__ == "__main__":
    main()
