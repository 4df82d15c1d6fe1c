"""Start-up benchmark of the TUI: process start to first full paint, headless.

Usage: .venv/bin/python bench/bench_tui.py [SIZES...] [--runs N] [--json PATH]

For each journal size (default 0 10000 100000) and for a minimal Textual app (the
floor, measured in the same run) it starts a fresh Python process, which runs the app
headless and reports the moment the first screen has been painted: for narrate, the
journal screen with its list and today's entry, reached the way ``narrate`` gets
there (click CLI -> open_tui -> NarrateApp.run). The parent times from just before
it spawns the process to that moment. Peak memory is the child's own high-water mark
(VmHWM), read once its startup work (index refresh, git state) has finished.
A second child per size measures keystroke-to-screen time in the editor: from a key
event reaching the app to the headless driver writing the updated screen (the floor:
a bare TextArea app).

Corpora come from bench/corpus.py (cached under bench/corpus/<N>/, never touched):
each is hard-link copied to bench/.work/tui-<N>/ and its index built once before
timing, so the figures are a warm start (a journal in daily use). The environment
is clean: temporary HOME and XDG folders, a git identity from env vars.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work"
PYTHON = sys.executable
IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench Writer",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench Writer",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}
SIZE = (120, 40)
KEYS = 40  # keys typed per key-latency child
KEY_ROUNDS = 3  # key-latency children per size (the median is reported)


@dataclass
class Case:
    """Measurements of one app at one journal size."""

    name: str
    entries: int | None
    paint_s: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    key_ms: float | None = None

    @property
    def paint(self) -> float:
        """Median seconds from process start to first paint."""
        return statistics.median(self.paint_s)

    @property
    def memory(self) -> float:
        """Largest peak RSS seen, in MB."""
        return max(self.peak_mb)


# ------------------------------------------------------------------ children


def child_minimal() -> None:
    """The floor: the smallest Textual app, run headless until its first paint."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello")

        def on_mount(self) -> None:
            self.call_after_refresh(self.painted)

        def painted(self) -> None:
            report_paint()
            report_peak()
            self.exit()

    Minimal().run(headless=True, size=SIZE)


def child_narrate(journal: str) -> None:
    """narrate as the command line starts it, headless: report the journal screen's
    first paint, then the peak memory once the startup's background work is done."""
    from narrate.tui import app as app_module
    from narrate.tui.screens.journal import JournalScreen

    mount = JournalScreen.on_mount

    def on_mount(screen: JournalScreen) -> None:
        mount(screen)  # the list and today's entry are loaded here, synchronously
        screen.call_after_refresh(report_paint)

        def settled() -> None:
            # The index refresh and the git state run in the writer after the paint.
            if screen.indexed and screen.app.sub_title != "…":
                report_peak()
                screen.app.exit()

        screen.set_interval(0.05, settled)

    JournalScreen.on_mount = on_mount  # type: ignore[method-assign]
    run = app_module.NarrateApp.run

    def headless_run(self: app_module.NarrateApp, *args: object, **kwargs: object) -> None:
        run(self, headless=True, size=SIZE)

    app_module.NarrateApp.run = headless_run  # type: ignore[method-assign]
    from narrate.cli import main

    main(["--journal", journal], standalone_mode=False)


def report_paint() -> None:
    """Tell the parent the moment of the first paint."""
    print(f"PAINTED {time.time():.6f}", flush=True)


def report_peak() -> None:
    """Tell the parent this process's peak RSS so far (VmHWM).

    Not the parent's os.wait4 ru_maxrss: on Linux a child's maxrss starts from the
    parent's RSS at fork (it survives exec), so every child looked as big as the
    parent after it had built a 100k index.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print(f"PEAKMB {int(line.split()[1]) / 1024:.1f}", flush=True)
                return


def child_keys(journal: str) -> None:
    """Median milliseconds from a key arriving to the screen written with it, typing in
    the editor; ``journal`` "-" types into a bare TextArea app instead (the floor)."""
    import asyncio

    from textual import events
    from textual.app import App, ComposeResult
    from textual.widgets import TextArea

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield TextArea()

    async def measure() -> float:
        if journal == "-":
            app: App[None] = Bare()
        else:
            from narrate.journal.core import Journal
            from narrate.tui.app import NarrateApp

            app = NarrateApp(Journal.open(Path(journal)))
        async with app.run_test(size=SIZE) as pilot:
            if isinstance(app, Bare):
                editor = app.query_one(TextArea)
            else:
                screen = app.journal_screen  # type: ignore[attr-defined]
                while not screen.indexed:  # the startup refresh must not compete
                    await pilot.pause(0.05)
                editor = screen.editor
            editor.focus()
            await pilot.pause(0.2)
            driver = app._driver
            assert driver is not None
            # Headless, the app builds each screen update and skips only the terminal
            # write: the moment it hands an update over is the moment to time.
            updates: list[float] = []
            display = app._display

            def timed_display(screen: object, renderable: object) -> None:
                if renderable is not None:
                    updates.append(time.perf_counter())
                display(screen, renderable)  # type: ignore[arg-type]

            app._display = timed_display  # type: ignore[method-assign]
            times = []
            for char in ("narrating the work " * 5)[:KEYS]:
                before = editor.text
                start = time.perf_counter()
                driver.send_message(events.Key(char if char != " " else "space", char))
                while editor.text == before or not updates or updates[-1] < start:
                    await asyncio.sleep(0)
                times.append(time.perf_counter() - start)
                await asyncio.sleep(0.02)  # a fast typist: 50 keys a second
            if not isinstance(app, Bare):
                # Leave nothing on disk: the benchmark must not change the journal.
                screen.baseline = editor.text
                screen._cancel_save_timer()
            return statistics.median(times) * 1000

    print(f"KEYMS {asyncio.run(measure()):.3f}", flush=True)


# ------------------------------------------------------------------ parent


def clean_env(work: Path) -> dict[str, str]:
    """A temporary home, config and data dir, and a git identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NARRATE_", "XDG_"))}
    for var, sub in [
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ]:
        (work / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(work / sub)
    env.update(IDENTITY)
    return env


def prepare(n: int) -> Path:
    """A journal of ``n`` entries with a warm index, under bench/.work/tui-<n>/."""
    sys.path.insert(0, str(BENCH.parent))
    os.environ.update(IDENTITY)
    from narrate.journal.core import Journal

    target = WORK / f"tui-{n}" / "journal"
    if not (target.parent / "READY").exists():
        if target.parent.exists():
            shutil.rmtree(target.parent)
        target.parent.mkdir(parents=True)
        if n == 0:
            Journal.create(target).close()
        else:
            sys.path.insert(0, str(BENCH))
            import corpus  # bench/corpus.py: the shared, seeded generator

            source = corpus.build(n) / "journal"
            # Hard links: instant and no extra space; narrate and git replace files by
            # rename, never in place, so the cached corpus is not changed through them.
            subprocess.run(["cp", "-al", str(source), str(target)], check=True)
        (target.parent / "READY").write_text("ok\n")
    with Journal.open(target) as journal:
        started = time.perf_counter()
        journal.refresh()
        print(f"  index of {n} entries ready ({time.perf_counter() - started:.1f} s)",
              file=sys.stderr)  # fmt: skip
    return target


def run_child(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a child to its end; its MARKER value lines, with PAINTED turned into seconds
    from spawn to paint."""
    started = time.time()
    result = subprocess.run(
        [PYTHON, __file__, *args], capture_output=True, env=env, timeout=600, check=False
    )
    values = {}
    for line in result.stdout.decode().splitlines():
        marker, _, value = line.partition(" ")
        if marker in ("PAINTED", "PEAKMB", "KEYMS"):
            values[marker] = float(value)
    if "PAINTED" in values:
        values["PAINTED"] -= started
    if not values:
        raise RuntimeError(f"child {args} reported nothing: {result.stderr.decode()[-2000:]}")
    return values


def main() -> None:
    """Measure, print a table, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[0, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    env = clean_env(WORK / "tui-env")
    journals = {n: prepare(n) for n in args.sizes}
    minimal = Case("minimal Textual app", None)
    cases = {n: Case("narrate", n) for n in args.sizes}
    # Interleaved rounds: machine noise (2 shared cores) spreads over every case alike.
    for _ in range(args.runs):
        values = run_child(["--child", "minimal"], env)
        minimal.paint_s.append(values["PAINTED"])
        minimal.peak_mb.append(values["PEAKMB"])
        for n, journal in journals.items():
            values = run_child(["--child", "narrate", str(journal)], env)
            cases[n].paint_s.append(values["PAINTED"])
            cases[n].peak_mb.append(values["PEAKMB"])
    keys: dict[int | None, list[float]] = {None: [], **{n: [] for n in journals}}
    for _ in range(KEY_ROUNDS):
        keys[None].append(run_child(["--child", "keys", "-"], env)["KEYMS"])
        for n, journal in journals.items():
            keys[n].append(run_child(["--child", "keys", str(journal)], env)["KEYMS"])
    minimal.key_ms = statistics.median(keys[None])
    for n in journals:
        cases[n].key_ms = statistics.median(keys[n])

    floor = minimal.paint
    print(f"\nFirst paint, headless, {SIZE[0]}x{SIZE[1]}; median of {args.runs} runs")
    print(f"{'app':<22}{'entries':>9}{'first paint':>13}{'x minimal':>11}"
          f"{'peak RSS':>11}{'key→screen':>12}")  # fmt: skip
    print(f"{minimal.name:<22}{'-':>9}{floor:>12.3f}s{1:>10.2f}x{minimal.memory:>9.0f}MB"
          f"{minimal.key_ms or 0:>10.1f}ms")  # fmt: skip
    for n, case in cases.items():
        print(
            f"{case.name:<22}{n:>9,}{case.paint:>12.3f}s{case.paint / floor:>10.2f}x"
            f"{case.memory:>9.0f}MB{case.key_ms or 0:>10.1f}ms"
        )
    print(
        "first paint: process start to the first painted screen (narrate: journal screen\n"
        "with list and today's entry, warm index). peak RSS: the process's VmHWM after\n"
        "startup work. key→screen: median ms from a key to the screen update while typing\n"
        f"in the editor ({KEY_ROUNDS} rounds of {KEYS} keys; minimal row: a bare TextArea app)."
    )
    if args.json:
        data = {
            "size": SIZE,
            "runs": args.runs,
            "minimal": asdict(minimal) | {"median_s": floor},
            "narrate": [asdict(c) | {"median_s": c.paint} for c in cases.values()],
        }
        args.json.write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind = sys.argv[2]
        if kind == "minimal":
            child_minimal()
        elif kind == "narrate":
            child_narrate(sys.argv[3])
        else:
            child_keys(sys.argv[3])
    else:
        main()
