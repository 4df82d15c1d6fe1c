"""The TUI as a user meets it: first paint and key-to-screen latency, on a real pty.

Usage: .venv/bin/python bench/bench_tui.py [SIZES...] [--runs N] [--base TREE] [--json PATH]

Each measurement starts a fresh Python process on the slave side of a pseudo-terminal
(120x40, TERM=xterm-256color) and reads the master side the way a terminal emulator
does, so the figures include Textual's real driver, its rendering and the bytes it
writes. Cases run interleaved round by round (the machine is shared: noise spreads over
every case alike), and every figure is reported beside its floor measured in the same
run:

- **first paint**: from just before the process is spawned to the moment the master
  reads the first frame: for the floor (a Textual App with one Static) the frame that
  holds its text; for narrate, the frame that holds the list's "N entries" line, i.e.
  the journal screen with its list and today's entry, reached as ``narrate`` gets there
  (click CLI -> open_tui -> NarrateApp.run).
- **key to screen**: from writing a key's bytes to the master to the last byte of the
  screen update it caused, once the screen has been quiet for ``QUIET`` seconds (cursor
  blinking is turned off in the child, so an idle app writes nothing). This is what a
  user feels: the key travels through the tty, Textual's input parser, the app, the
  compositor and back. The floor is the minimal app updating its Static on a key.
  The search word is typed at 50 ms a key and timed from its last key: its "settled"
  figure is the results on screen (its first update is the letter in the input).
  Escape pays Textual's ESCDELAY (100 ms) wait, as it does for a user; search as you
  type waits SEARCH_DELAY (150 ms) after the last key before it searches.

``--base TREE`` (default /work/main) also measures another checkout's narrate (the
child runs with PYTHONPATH=TREE) in the same rounds, for ratios to main's code.

Corpora come from bench/corpus.py (cached under bench/corpus/<N>/, or ``--corpus``,
never written to): each is copied once to ``--work``/<N>/journal (default /tmp/tui) and
indexed once before timing, so the figures are a warm start (a journal in daily use).
The environment is clean: temporary HOME and XDG folders, a git identity from env vars.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import shutil
import statistics
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TREE = BENCH.parent
PYTHON = sys.executable
IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench Writer",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench Writer",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}
COLUMNS, LINES = 120, 40
# Seconds without output that mean the screen has settled: longer than the app's own
# deliberate delays (the word count follows typing after 0.3 s, search after 0.15 s).
QUIET = 0.6
FIRST_UPDATE_WAIT = 10.0  # seconds a key may take to change the screen at all
SIGNAL_FD = "BENCH_TUI_FD"  # the child's pipe back to the parent (READY, PEAKMB)

# Key bytes as an xterm sends them.
DOWN, UP, HOME, END = b"\x1b[B", b"\x1b[A", b"\x1b[H", b"\x1b[F"
ESCAPE, ENTER = b"\x1b", b"\r"
CTRL_L, CTRL_R, CTRL_Q = b"\x0c", b"\x12", b"\x11"
F9, F12 = b"\x1b[20~", b"\x1b[24~"
SEARCH_WORD = "release"  # in about a third of the corpus' entries: the most results

# What each narrate key-latency child does, in order: (name, key, measured).
# Names with the same prefix are reported together.
SCRIPT: list[tuple[str, bytes, bool]] = [
    ("list: focus", CTRL_L, True),
    *[("list: down", DOWN, True) for _ in range(8)],
    *[("list: up", UP, True) for _ in range(3)],
    ("open entry (enter)", ENTER, True),
    ("back to list (escape)", ESCAPE, True),
    ("list: end (oldest)", END, True),
    *[("list: up at the end", UP, True) for _ in range(4)],
    ("list: home (newest)", HOME, True),
    ("search: open (/)", b"/", True),
    *[("search: type", char.encode(), False) for char in SEARCH_WORD[:-1]],
    ("search: results", SEARCH_WORD[-1].encode(), True),
    ("search: to results (enter)", ENTER, True),
    *[("search: down", DOWN, True) for _ in range(3)],
    ("search: close (escape)", ESCAPE, True),
    ("view: preview (ctrl+r)", CTRL_R, True),
    ("view: editor (ctrl+r)", CTRL_R, True),
    ("view: calendar (f12)", F12, True),
    ("view: close calendar (escape)", ESCAPE, True),
    ("view: review (f9)", F9, True),
    ("view: back from review (escape)", ESCAPE, True),
]
# Keys whose update is known by what it writes (search results come from the reader).
UNTIL = {"search: results": b"match"}
MINIMAL_SCRIPT: list[tuple[str, bytes, bool]] = [("key: Static update", DOWN, True)] * 12


# ------------------------------------------------------------------ children


def signal(text: str) -> None:
    """Tell the parent something, on the pipe it passed (the pty is the app's)."""
    fd = int(os.environ[SIGNAL_FD])
    os.write(fd, f"{text}\n".encode())


def peak_mb() -> float:
    """This process's peak RSS so far (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def no_blinking() -> None:
    """Keep every cursor still: a blinking cursor writes to the terminal twice a second,
    and the parent takes a quiet terminal for a settled screen."""
    from textual.screen import Screen
    from textual.widget import Widget

    set_focus = Screen.set_focus

    def still_focus(screen: Screen[object], widget: Widget | None, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        if widget is not None and hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False
        return set_focus(screen, widget, *args, **kw)  # type: ignore[arg-type]

    Screen.set_focus = still_focus  # type: ignore[method-assign,assignment]


def child_minimal() -> None:
    """The floor: the smallest Textual app; a key changes its one Static."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Minimal(App[None]):
        BINDINGS = [("down", "step", "Step")]  # noqa: RUF012

        def compose(self) -> ComposeResult:
            yield Static("Hello", id="hello")

        def on_mount(self) -> None:
            self.steps = 0
            self.call_after_refresh(lambda: signal(f"READY\nPEAKMB {peak_mb():.1f}"))

        def action_step(self) -> None:
            self.steps += 1
            self.query_one(Static).update(f"Hello {self.steps}")

    no_blinking()
    Minimal().run()


def child_narrate(journal: str) -> None:
    """narrate as the command line starts it; READY once its startup work (the index
    refresh and the git state, in the writer after the first paint) is done."""
    from narrate.tui.screens.journal import JournalScreen

    mount = JournalScreen.on_mount

    def on_mount(screen: JournalScreen) -> None:
        mount(screen)

        def settled() -> None:
            if screen.indexed and screen.app.sub_title != "…":
                timer.stop()
                signal(f"READY\nPEAKMB {peak_mb():.1f}")

        timer = screen.set_interval(0.05, settled)

    JournalScreen.on_mount = on_mount  # type: ignore[method-assign]
    no_blinking()
    from narrate.cli import main

    main(["--journal", journal], standalone_mode=False)


# ------------------------------------------------------------------ the terminal


class Terminal:
    """A child process on a pty, and the master side read as a terminal would."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        signals, signal_w = os.pipe()
        env = {**env, SIGNAL_FD: str(signal_w), "TERM": "xterm-256color"}
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [PYTHON, __file__, "--child", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,  # Textual writes the screen to stderr
            env=env,
            pass_fds=(signal_w,),
            start_new_session=True,
        )
        os.close(slave)
        os.close(signal_w)
        self.master, self.signals = master, signals
        self.screen = bytearray()
        self.messages: list[str] = []
        self.last_output = self.started
        self.first_output: float | None = None
        self._pending = b""

    def pump(self, timeout: float) -> bool:
        """Read what is there within ``timeout``; False if nothing came."""
        ready, _, _ = select.select([self.master, self.signals], [], [], max(timeout, 0))
        got = False
        for fd in ready:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:  # EIO: the child closed the pty
                data = b""
            if not data:
                continue
            got = True
            if fd == self.master:
                self.last_output = time.monotonic()
                if self.first_output is None:
                    self.first_output = self.last_output
                self.screen += data
            else:
                lines = (self._pending + data).split(b"\n")
                self._pending = lines.pop()
                self.messages += [line.decode() for line in lines]
        if not got and self.proc.poll() is not None:
            raise RuntimeError(f"child ended: {self.screen[-2000:].decode(errors='replace')}")
        return got

    def until_text(self, text: str, timeout: float = 120) -> float:
        """Seconds from spawn to the first output that holds ``text``."""
        needle, seen = text.encode(), 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.5)
            if needle in self.screen[max(seen - len(needle), 0) :]:
                return self.last_output - self.started
            seen = len(self.screen)
        raise RuntimeError(f"no {text!r} on screen after {timeout} s")

    def until_message(self, name: str, timeout: float = 600) -> str:
        """The value of the child's first ``name`` message."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                key, _, value = message.partition(" ")
                if key == name:
                    return value
            self.pump(0.5)
        raise RuntimeError(f"no {name} from the child after {timeout} s")

    def settle(self, timeout: float = 60) -> None:
        """Read until the screen has been quiet for QUIET seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pump(QUIET) and time.monotonic() - self.last_output >= QUIET:
                return
        tail = self.screen[-600:].decode(errors="replace")
        raise RuntimeError(f"the screen did not settle in {timeout} s; it last wrote {tail!r}")

    def key(self, data: bytes, until: bytes | None = None) -> tuple[float, float] | None:
        """Seconds from writing ``data`` to the first and to the last byte of the update
        it caused (with ``until``: of the update that writes it); None if the screen
        did not change."""
        self.settle()
        self.first_output = None
        sent = time.monotonic()
        seen = len(self.screen)
        os.write(self.master, data)
        # Results that arrive from a background read can follow a quiet spell longer
        # than QUIET: wait for what they write.
        while until is not None and until not in self.screen[seen:]:
            if time.monotonic() - sent > FIRST_UPDATE_WAIT * 3:
                raise RuntimeError(f"no {until!r} on screen {FIRST_UPDATE_WAIT * 3} s after a key")
            self.pump(0.1)
        # A screen that loads in the background (the review) may write nothing for a
        # while: wait for its first update, then for quiet.
        while self.first_output is None and time.monotonic() - sent < FIRST_UPDATE_WAIT:
            self.pump(0.1)
        self.settle()
        if self.first_output is None:
            return None
        return self.first_output - sent, self.last_output - sent

    def close(self, quit_key: bytes | None = None) -> None:
        """Quit with ``quit_key`` (narrate saves and exits), else end the child."""
        if quit_key is not None and self.proc.poll() is None:
            os.write(self.master, quit_key)
            deadline = time.monotonic() + 30
            while self.proc.poll() is None and time.monotonic() < deadline:
                try:
                    self.pump(0.2)
                except RuntimeError:
                    break
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
        self.proc.wait(30)
        os.close(self.master)
        os.close(self.signals)


# ------------------------------------------------------------------ parent


@dataclass
class Case:
    """Measurements of one app (a tree's narrate, or the floor) at one journal size."""

    name: str
    entries: int | None
    paint_s: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    keys_ms: dict[str, list[float]] = field(default_factory=dict)
    """Per key: milliseconds to the first screen update."""
    settled_ms: dict[str, list[float]] = field(default_factory=dict)
    """Per key: milliseconds to the last byte before the screen went quiet."""
    gave_up: list[str] = field(default_factory=list)
    """Keys after which the screen did not settle (the child's script stopped there)."""

    @property
    def paint(self) -> float:
        """Median seconds from spawn to first paint."""
        return statistics.median(self.paint_s)

    def key(self, name: str, settled: bool = False) -> float | None:
        """Median milliseconds of a scenario, to its first update or to quiet."""
        values = (self.settled_ms if settled else self.keys_ms).get(name)
        return statistics.median(values) if values else None


def clean_env(work: Path, tree: Path) -> dict[str, str]:
    """A temporary home, config and data dir, a git identity, narrate from ``tree``."""
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
    env["PYTHONPATH"] = str(tree)
    return env


def prepare(n: int, corpus_dirs: list[Path], work: Path) -> Path:
    """A journal of ``n`` entries with a warm index, under ``work``/<n>/journal."""
    sys.path.insert(0, str(TREE))
    os.environ.update(IDENTITY)
    from narrate.journal.core import Journal

    target = work / str(n) / "journal"
    if not (target.parent / "READY").exists():
        if target.parent.exists():
            shutil.rmtree(target.parent)
        target.parent.mkdir(parents=True)
        source = next((d / str(n) for d in corpus_dirs if (d / str(n) / "DONE").exists()), None)
        if source is None:
            sys.path.insert(0, str(BENCH))
            import corpus  # bench/corpus.py: the shared, seeded generator

            source = corpus.build(n)
        subprocess.run(["cp", "-a", str(source / "journal"), str(target)], check=True)
        (target.parent / "READY").write_text("ok\n")
    with Journal.open(target) as journal:
        started = time.perf_counter()
        journal.refresh()
        print(f"  index of {n:,} entries ready ({time.perf_counter() - started:.1f} s)",
              file=sys.stderr)  # fmt: skip
    return target


def first_paint(
    case: Case, args: list[str], marker: str, env: dict[str, str], quit_key: bytes | None = CTRL_Q
) -> None:
    """One spawn: the first paint, then the peak RSS once startup work is done."""
    terminal = Terminal(args, env)
    try:
        case.paint_s.append(terminal.until_text(marker))
        case.peak_mb.append(float(terminal.until_message("PEAKMB")))
    finally:
        terminal.close(quit_key)


def key_latency(
    case: Case,
    args: list[str],
    script: list[tuple[str, bytes, bool]],
    env: dict[str, str],
    quit_key: bytes | None = CTRL_Q,
) -> None:
    """One spawn: wait for startup to finish, then run ``script`` key by key."""
    terminal = Terminal(args, env)
    try:
        terminal.until_message("READY")
        for name, data, measured in script:
            if not measured:  # typed at a typist's pace (50 ms a key), not timed
                os.write(terminal.master, data)
                deadline = time.monotonic() + 0.05
                while time.monotonic() < deadline:
                    terminal.pump(deadline - time.monotonic())
                continue
            try:
                took = terminal.key(data, UNTIL.get(name))
            except RuntimeError as exc:  # the rest of the script would time nothing
                print(f"    {case.name} {case.entries}: gave up at {name}: {exc}"[:300],
                      file=sys.stderr)  # fmt: skip
                case.gave_up.append(name)
                break
            if os.environ.get("BENCH_TUI_VERBOSE"):
                shown = f"{took[0] * 1000:.0f}/{took[1] * 1000:.0f} ms" if took else "no update"
                print(f"    {case.name} {case.entries}: {name}: {shown}", file=sys.stderr)
            if took is not None:
                case.keys_ms.setdefault(name, []).append(took[0] * 1000)
                case.settled_ms.setdefault(name, []).append(took[1] * 1000)
    finally:
        terminal.close(quit_key)


def ratio(value: float | None, floor: float | None) -> str:
    """``value`` as a multiple of ``floor``."""
    return f"{value / floor:.2f}x" if value is not None and floor else "-"


def report(
    minimal: Case, cases: dict[tuple[str, int], Case], trees: list[str], sizes: list[int]
) -> None:
    """Print the first-paint and key-latency tables."""
    floor = minimal.paint
    print(f"\nFirst paint on a pty, {COLUMNS}x{LINES}; median of {len(minimal.paint_s)} runs")
    head = f"{'app':<22}{'entries':>9}{'first paint':>13}{'x minimal':>11}{'peak RSS':>10}"
    if len(trees) > 1:
        head += f"{'x ' + trees[1]:>10}"
    print(head)
    print(f"{minimal.name:<22}{'-':>9}{floor:>12.3f}s{1:>10.2f}x"
          f"{max(minimal.peak_mb):>8.0f}MB")  # fmt: skip
    for n in sizes:
        for tree in trees:
            case = cases[tree, n]
            line = (
                f"{case.name:<22}{n:>9,}{case.paint:>12.3f}s{case.paint / floor:>10.2f}x"
                f"{max(case.peak_mb):>8.0f}MB"
            )
            if len(trees) > 1:
                line += f"{ratio(case.paint, cases[trees[1], n].paint):>10}"
            print(line)

    names = list(dict.fromkeys(name for name, _, measured in SCRIPT if measured))
    columns = [(tree, n) for tree in trees for n in sizes]
    for settled, what in ((False, "first update"), (True, "settled screen")):
        key_floor = minimal.key(MINIMAL_SCRIPT[0][0], settled) or 0.0
        print(f"\nKey to {what} on a pty, median ms (floor: the minimal app, {key_floor:.1f} ms)")
        print(f"{'key':<33}" + "".join(f"{f'{t} {n // 1000}k':>11}" for t, n in columns)
              + f"{trees[0] + ' max/min':>14}")  # fmt: skip
        for name in names:
            values = [cases[col].key(name, settled) for col in columns]
            mine = [v for (t, _), v in zip(columns, values, strict=True) if t == trees[0] and v]
            spread = f"{max(mine) / min(mine):.2f}x" if mine else "-"
            print(f"{name:<33}" + "".join(f"{v:>11.1f}" if v else f"{'-':>11}" for v in values)
                  + f"{spread:>14}")  # fmt: skip
    for case in cases.values():
        if case.gave_up:
            print(f"{case.name} at {case.entries:,}: stopped at {', '.join(case.gave_up)}")
    print(
        "first paint: spawn to the first frame on the pty holding the list's 'N entries'\n"
        "line (the minimal app: its Static); warm index. peak RSS: VmHWM once startup work\n"
        "is done. key to first update / settled screen: key bytes written to the first /\n"
        f"the last byte of the update they caused ({QUIET:.1f} s of quiet = settled; the\n"
        "word count follows 0.3 s after the text, search 0.15 s after the last key,\n"
        "escape waits 0.1 s (ESCDELAY)); max/min: the spread over the sizes."
    )


def main() -> None:
    """Measure, print the tables, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 100_000, 300_000])
    parser.add_argument("--runs", type=int, default=5, help="first-paint rounds")
    parser.add_argument("--key-runs", type=int, default=2, help="key-latency rounds")
    parser.add_argument("--base", type=Path, default=Path("/work/main"),
                        help="another checkout measured alongside ('' for none)")  # fmt: skip
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="where cached corpora live (besides bench/corpus)")  # fmt: skip
    parser.add_argument("--work", type=Path, default=Path("/tmp/tui"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    trees = {"tui": TREE}
    if str(args.base) not in ("", ".") and args.base.resolve() != TREE:
        trees["main"] = args.base.resolve()
    corpus_dirs = [*args.corpus, BENCH / "corpus", Path("/work/main/bench/corpus")]
    journals = {n: prepare(n, corpus_dirs, args.work) for n in args.sizes}
    envs = {name: clean_env(args.work / "env", tree) for name, tree in trees.items()}
    minimal = Case("minimal Textual app", None)
    cases = {(t, n): Case(f"narrate ({t})", n) for t in trees for n in journals}
    for round_ in range(args.runs):
        print(f"  first paint, round {round_ + 1} of {args.runs}", file=sys.stderr)
        first_paint(minimal, ["minimal"], "Hello", envs["tui"], quit_key=None)
        for n, journal in journals.items():
            for tree in trees:
                marker = f"{n:,} entr"
                first_paint(cases[tree, n], ["narrate", str(journal)], marker, envs[tree])
    for round_ in range(args.key_runs):
        print(f"  key latency, round {round_ + 1} of {args.key_runs}", file=sys.stderr)
        key_latency(minimal, ["minimal"], MINIMAL_SCRIPT, envs["tui"], quit_key=None)
        for n, journal in journals.items():
            for tree in trees:
                key_latency(cases[tree, n], ["narrate", str(journal)], SCRIPT, envs[tree])
    report(minimal, cases, list(trees), list(journals))
    if args.json:
        data = {
            "size": [COLUMNS, LINES],
            "minimal": minimal.__dict__,
            "narrate": [case.__dict__ for case in cases.values()],
        }
        args.json.write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        if sys.argv[2] == "minimal":
            child_minimal()
        else:
            child_narrate(sys.argv[3])
    else:
        main()
