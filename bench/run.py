"""Whole-process benchmark of narrate against jrnl, grep, bare sqlite3 and plain git.

Usage: .venv/bin/python bench/run.py [SIZES...] [--runs N] [--no-jrnl] [--keep]

For every corpus size (default 1000 10000) it copies the cached corpus (bench/corpus.py)
to bench/.work/run-<N>/, runs every command in a clean environment (temporary HOME and
XDG folders, NARRATE_JOURNAL, a git identity from env vars) and prints medians of the
wall time and the peak RSS of each process (os.wait4, children included). The cached
corpus is never touched. Results also go to bench/.work/results-<N>.json.

``bench/run.py 300000`` takes about 15 minutes on a 2-core machine once the corpus is
built (bench/corpus.py 300000, about 10 minutes more): the 1.2 GB copy, one rebuild,
grep and jrnl run once there, the reads as many times as at other sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
VENV_BIN = Path(sys.executable).parent
NARRATE = str(VENV_BIN / "narrate")
PYTHON = sys.executable
JRNL_VENV = WORK / "jrnl-venv"
JRNL = JRNL_VENV / "bin" / "jrnl"

WORD = "flaky"  # in ~29% of entries: a common word, many rows for bm25 to rank
PHRASE = "memory leak"  # in ~20% of entries
TAG = "testing"  # the most used tag, on ~18% of entries
ADD_TEXT = "Paired with Sam on the flaky deploy #devops\nWe found the retry storm."


@dataclass
class Result:
    """Repeated measurements of one command."""

    name: str
    command: str
    seconds: list[float] = field(default_factory=list)
    peak_kb: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    note: str = ""

    def record(self, run: Run) -> None:
        """Keep one run's figures."""
        self.seconds.append(run.seconds)
        self.peak_kb.append(run.peak_kb)
        self.cpu.append(run.cpu)

    @property
    def cpu_ms(self) -> float:
        """Median CPU time (user + system, children included) in milliseconds: less
        sensitive than wall time to other processes competing for the two cores."""
        return statistics.median(self.cpu) * 1000 if self.cpu else 0.0

    @property
    def median_ms(self) -> float:
        """Median wall time in milliseconds."""
        return statistics.median(self.seconds) * 1000

    @property
    def min_ms(self) -> float:
        """Fastest run in milliseconds."""
        return min(self.seconds) * 1000

    @property
    def peak_mb(self) -> float:
        """Largest peak RSS over the runs, in MB."""
        return max(self.peak_kb) / 1024 if self.peak_kb else 0.0


@dataclass
class Run:
    """One run of a command."""

    seconds: float
    peak_kb: int
    cpu: float


class CommandFailed(RuntimeError):
    """A measured command exited non-zero."""


def run_once(argv: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None) -> Run:
    """Wall time, peak RSS and CPU time of one run, output discarded.

    The peak comes from /usr/bin/time -f %M (the largest RSS of the process and its
    children): os.wait4 on a child forked from this Python process would report this
    process's own RSS, which the child carries until it execs. CPU time is os.wait4's
    user + system time of the wrapper, which includes the command it waited for.
    """
    with (
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryFile() as inp,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        if stdin is not None:
            inp.write(stdin.encode())
            inp.seek(0)
        wrapped = ["/usr/bin/time", "-f", "%M", "-o", peak.name, *argv]
        started = time.perf_counter()
        proc = subprocess.Popen(
            wrapped, env=env, cwd=cwd, stdin=inp, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise CommandFailed(f"{argv} exited {code}: {err.read().decode()[-2000:]}")
        return Run(elapsed, int(peak.read().split()[-1]), usage.ru_utime + usage.ru_stime)


def measure(
    name: str,
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    runs: int,
    warmup: int = 1,
    before: Callable[[], None] | None = None,
    after: Callable[[], None] | None = None,
    shown: str | None = None,
) -> Result:
    """Run a command ``warmup`` + ``runs`` times; ``before``/``after`` run untimed."""
    result = Result(name, shown or " ".join(argv))
    for i in range(warmup + runs):
        if before:
            before()
        run = run_once(argv, env, cwd)
        if after:
            after()
        if i >= warmup:
            result.record(run)
    show(result)
    return result


def show(r: Result) -> None:
    """One progress line on stderr."""
    print(
        f"  {r.name:<36} {r.median_ms:9.1f} ms  (min {r.min_ms:.1f}, cpu {r.cpu_ms:.1f}, "
        f"n={len(r.seconds)}, {r.peak_mb:.0f} MB)",
        file=sys.stderr,
        flush=True,
    )


def measure_round_robin(
    commands: list[tuple[str, list[str], str | None]], env: dict[str, str], cwd: Path, runs: int
) -> list[Result]:
    """Run each command once per round (one warm-up round first), so a burst of load
    from other processes spreads over all commands instead of skewing one."""
    results = [Result(name, shown or " ".join(argv)) for name, argv, shown in commands]
    for round_ in range(runs + 1):
        for result, (_, argv, _) in zip(results, commands, strict=True):
            run = run_once(argv, env, cwd)
            if round_:
                result.record(run)
    for r in results:
        show(r)
    return results


def clean_env(work: Path, journal: Path) -> dict[str, str]:
    """A minimal environment: temp HOME and XDG dirs, the journal, a git identity."""
    home = work / "home"
    for sub in ("config", "data", "cache", "state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": "Europe/Berlin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "NARRATE_JOURNAL": str(journal),
        "GIT_AUTHOR_NAME": "Bench Writer",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "Bench Writer",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "COLUMNS": "120",
    }


def floor_argv(db: Path, sql: str, params: tuple[object, ...]) -> list[str]:
    """A bare Python process running one query on narrate's own index."""
    code = (
        "import sqlite3; "
        f"c = sqlite3.connect({str(db)!r}); "
        f"print(c.execute({sql!r}, {params!r}).fetchall())"
    )
    return [PYTHON, "-c", code]


# The floor: one FTS5 query ranking the matches (what any search must at least do),
# in a bare interpreter. narrate also fetches rows and snippets for the page.
SEARCH_SQL = (
    "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? "
    "ORDER BY bm25(entries_fts, 4.0, 1.0) LIMIT 20"
)
LIST_SQL = "SELECT * FROM entries ORDER BY sort DESC, path DESC LIMIT 20"
# "+" keeps SQLite from driving the query by the IN list (which sorts every tagged row):
# it walks the sort index and stops after 20 hits, the fastest form measured here.
TAG_SQL = (
    "SELECT e.* FROM entries e WHERE +e.rowid IN (SELECT entry FROM tags WHERE tag = ?) "
    "ORDER BY e.sort DESC, e.path DESC LIMIT 20"
)
TAGS_SQL = "SELECT tag, count(DISTINCT entry) FROM tags GROUP BY tag ORDER BY 2 DESC, tag"


def micro(root: str, runs: int) -> None:
    """In-process figures (run in a fresh subprocess): freshness check and stat walks."""
    from narrate.journal.core import Journal
    from narrate.journal.store import read_folders, scan_dir

    path = Path(root)
    out: dict[str, object] = {}

    def timed(action: Callable[[], object]) -> list[float]:
        values = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            action()
            values.append(time.perf_counter() - started)
        return values[1:]

    def refresh(full: bool) -> None:
        journal = Journal(path)
        report = journal.refresh(full=full)
        journal.close()
        out[f"report_full_{full}"] = {"full": report.full, "stat_files": report.stat_files}

    folders = [path / rel for rel in read_folders(path)]

    def stat_walk() -> None:
        for folder in folders:
            for item in scan_dir(folder):
                item.stat(follow_symlinks=False)

    def month_stats() -> None:
        for folder in folders:
            os.stat(folder)

    out["refresh_nochange_ms"] = [s * 1000 for s in timed(lambda: refresh(False))]
    out["refresh_full_stat_ms"] = [s * 1000 for s in timed(lambda: refresh(True))]
    out["raw_stat_walk_ms"] = [s * 1000 for s in timed(stat_walk)]
    out["month_dir_walk_ms"] = [s * 1000 for s in timed(month_stats)]
    print(json.dumps(out))


def write_jrnl_config(home: Path, journal_file: Path) -> None:
    """jrnl's config: one journal, the bench timestamp format, no colours or prompts."""
    version = subprocess.run(
        [
            str(JRNL_VENV / "bin" / "python"),
            "-c",
            "from jrnl import __version__; print(__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    folder = home / "config" / "jrnl"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jrnl.yaml").write_text(
        f'version: "{version}"\n'
        "journals:\n"
        f"  default:\n    journal: {journal_file}\n"
        'editor: ""\nencrypt: false\ntemplate: false\ndefault_hour: 9\ndefault_minute: 0\n'
        'timeformat: "%Y-%m-%d %H:%M"\ntagsymbols: "#@"\nhighlight: false\nlinewrap: 79\n'
        'indent_character: "|"\ncolors: {body: none, date: none, tags: none, title: none}\n'
    )


def ensure_jrnl() -> bool:
    """Install jrnl 4.6 into bench/.work/jrnl-venv if it is not there yet."""
    if JRNL.exists():
        return True
    print("installing jrnl==4.6 into bench/.work/jrnl-venv ...", file=sys.stderr)
    subprocess.run([PYTHON, "-m", "venv", str(JRNL_VENV)], check=True)
    done = subprocess.run([str(JRNL_VENV / "bin" / "pip"), "install", "-q", "jrnl==4.6"])
    return done.returncode == 0 and JRNL.exists()


def git(journal: Path, env: dict[str, str], *args: str) -> str:
    """Run git in the bench copy (untimed)."""
    return subprocess.run(
        ["git", "-C", str(journal), *args], env=env, check=True, capture_output=True, text=True
    ).stdout


def code_version() -> str:
    """The checkout's commit, marked dirty when narrate/ has uncommitted changes."""
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "narrate"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head}{' + uncommitted changes in narrate/' if dirty else ''}"


def bench_size(n: int, runs: int, with_jrnl: bool, keep: bool) -> dict[str, object]:
    """Every measurement for one corpus size."""
    sys.path.insert(0, str(BENCH))
    import corpus

    source = corpus.build(n)
    work = WORK / f"run-{n}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    journal = work / "journal"
    started = time.perf_counter()
    subprocess.run(["cp", "-a", str(source / "journal"), str(journal)], check=True)
    env = clean_env(work, journal)
    # The git settings `narrate init` gives a journal today (and `doctor --fix` an older
    # one, as `doctor` advises): the corpus was made before they existed.
    from narrate.journal.history import set_speed_settings

    set_speed_settings(journal)
    git(journal, env, "update-index", "--refresh", "-q")  # new inodes after the copy
    print(
        f"\n== {n} entries: copied in {time.perf_counter() - started:.1f} s; "
        f"load {os.getloadavg()[0]:.2f} ==",
        file=sys.stderr,
    )
    slow = max(3, runs // 2) if n >= 100_000 else runs
    # 300k: what costs tens of seconds a run (a rebuild ~80 s, grep over 1.2 GB, jrnl)
    # runs once, so the whole size fits in about 15 minutes on 2 cores.
    huge = n >= 300_000
    once = 1 if huge else slow
    db = journal / ".narrate" / "index.db"
    results: list[Result] = []

    def add(r: Result) -> Result:
        results.append(r)
        return r

    # 1. Full rebuild (also makes the index every later read uses).
    add(
        measure(
            "narrate reindex --full", [NARRATE, "reindex", "--full"], env, journal, once, warmup=0
        )
    )
    # 2. Reads on a warm, unchanged index. `show` opens an entry a page down the list.
    listed = subprocess.run(
        [NARRATE, "list", "-n", "30", "--json"], env=env, cwd=journal, capture_output=True,
        text=True, check=True,
    ).stdout  # fmt: skip
    shown_id = json.loads(listed)[-1]["id"]
    reads = [
        ("narrate show ID", ["show", shown_id]),
        ("narrate list -n 1 (no-change check)", ["list", "-n", "1"]),
        ("narrate list -n 20", ["list", "-n", "20"]),
        ("narrate search WORD", ["search", WORD]),
        ("narrate search PHRASE", ["search", f'"{PHRASE}"']),
        ("narrate search #TAG", ["search", f"#{TAG}"]),
        ("narrate tags", ["tags"]),
        ("narrate list -n 20 --json", ["list", "-n", "20", "--json"]),
    ]
    group: list[tuple[str, list[str], str | None]] = [
        (name, [NARRATE, *args], None) for name, args in reads
    ]
    floors = [
        ("floor: sqlite3 FTS WORD", SEARCH_SQL, (f'"{WORD}"',)),
        ("floor: sqlite3 FTS PHRASE", SEARCH_SQL, (f'"{PHRASE}"',)),
        ("floor: sqlite3 list 20", LIST_SQL, ()),
        ("floor: sqlite3 tag", TAG_SQL, (TAG,)),
        ("floor: sqlite3 tags", TAGS_SQL, ()),
    ]
    group += [(name, floor_argv(db, sql, params), sql) for name, sql, params in floors]
    group.append(("floor: python -c pass", [PYTHON, "-c", "pass"], None))
    grep = ("grep -rl WORD entries/", ["grep", "-rl", WORD, "entries/"], None)
    if not huge:
        group.append(grep)
    for r in measure_round_robin(group, env, journal, runs):
        add(r)
    if huge:
        add(measure(grep[0], grep[1], env, journal, once, warmup=0))

    # 3. The periodic full check a read pays when the last one is old (index.py).
    def age_full_check() -> None:
        subprocess.run(
            [
                PYTHON,
                "-c",
                f"import sqlite3; c = sqlite3.connect({str(db)!r}); "
                "c.execute(\"UPDATE meta SET value = '0' WHERE key = 'last_full'\"); c.commit()",
            ],
            check=True,
        )

    add(
        measure(
            "narrate list -n 1 (after an idle hour)",
            [NARRATE, "list", "-n", "1"],
            env,
            journal,
            slow,
            warmup=0,
            before=age_full_check,
        )
    )

    # 4. In-process freshness figures.
    micro_out = subprocess.run(
        [
            PYTHON,
            str(Path(__file__).resolve()),
            "_micro",
            str(journal),
            str(3 if huge else max(runs, 10)),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    micro_data = json.loads(micro_out)
    for key in (
        "refresh_nochange_ms",
        "refresh_full_stat_ms",
        "raw_stat_walk_ms",
        "month_dir_walk_ms",
    ):
        values = micro_data[key]
        print(f"  in-process {key:<26} {statistics.median(values):9.2f} ms", file=sys.stderr)

    # In-process phases of the reads (imports, freshness check, query, render).
    phases = {}
    for kind in ("list", "word", "phrase", "tag", "tags"):
        phases[kind] = json.loads(
            subprocess.run(
                [PYTHON, str(BENCH / "phases.py"), kind, str(runs)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        shown = ", ".join(f"{k} {v:.1f}" for k, v in phases[kind].items())
        print(f"  phases {kind:<7} {shown}", file=sys.stderr)

    # 5. Writes: narrate add against plain git add + commit, interleaved.
    head = git(journal, env, "rev-parse", "HEAD").strip()
    add_result = Result("narrate add", f'narrate add "{ADD_TEXT.splitlines()[0]}" -t pairing')
    git_result = Result("git add + commit (1 file)", "git add FILE && git commit -q -m MSG")
    month = journal / "entries" / "2026" / "11"
    month.mkdir(parents=True, exist_ok=True)
    for i in range(runs + 1):
        run = run_once([NARRATE, "add", f"{ADD_TEXT} run {i}", "-t", "pairing"], env, journal)
        if i:
            add_result.record(run)
        name = f"entries/2026/11/bench-git-baseline-{i}.md"
        (journal / name).write_text(f"---\ntitle: baseline {i}\n---\n\n{ADD_TEXT}\n")
        run = run_once(
            ["sh", "-c", 'git add -- "$1" && git commit -q -m "$2"', "sh", name, f"Add {i}"],
            env,
            journal,
        )
        if i:
            git_result.record(run)
    for r in (add_result, git_result):
        show(r)
        add(r)
    # Put the copy back as it was (the cached corpus itself was never touched).
    git(journal, env, "reset", "-q", "--hard", head)
    git(journal, env, "clean", "-q", "-fd", "entries")
    subprocess.run([NARRATE, "reindex"], env=env, cwd=journal, check=True, capture_output=True)

    # 6. jrnl 4.6 on the same entries.
    if with_jrnl and ensure_jrnl():
        jrnl_file = work / "jrnl.txt"
        pristine = source / "jrnl.txt"
        shutil.copyfile(pristine, jrnl_file)
        write_jrnl_config(work / "home", jrnl_file)
        jruns = 1 if huge else 3 if n >= 100_000 else runs
        jrnl_reads = [
            ("jrnl -contains WORD", ["-contains", WORD]),
            ("jrnl @TAG", [f"@{TAG}"]),
            ("jrnl -n 10", ["-n", "10"]),
        ]
        for name, args in jrnl_reads:
            add(measure(name, [str(JRNL), *args], env, work, jruns, warmup=1 if n < 100_000 else 0))
        if n <= 1000:
            add(
                measure(
                    "jrnl capture",
                    [str(JRNL), "Paired with Sam on the flaky deploy. We found it @devops"],
                    env,
                    work,
                    runs,
                    after=lambda: shutil.copyfile(pristine, jrnl_file),
                )
            )

    data = {
        "entries": n,
        "date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
        "cpus": os.cpu_count(),
        "load_end": os.getloadavg()[0],
        "narrate_code": code_version(),
        "results": [
            {
                **asdict(r),
                "median_ms": r.median_ms,
                "min_ms": r.min_ms,
                "cpu_ms": r.cpu_ms,
                "peak_mb": r.peak_mb,
            }
            for r in results
        ],
        "micro": dict(micro_data.items()),
        "phases": phases,
    }
    (WORK / f"results-{n}.json").write_text(json.dumps(data, indent=2))
    if not keep:
        shutil.rmtree(work)
    return data


def report(data: dict[str, object]) -> None:
    """Print one size's table, ratios and the issue's targets."""
    n = data["entries"]
    rows = {r["name"]: r for r in data["results"]}  # type: ignore[union-attr]
    micro_data = data["micro"]
    print(f"\n### {n:,} entries ({data['date']}, {data['cpus']} CPUs)\n")
    print(f"narrate code: {data.get('narrate_code', '?')}\n")
    print("| command | median ms | min ms | CPU ms | runs | peak MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in data["results"]:  # type: ignore[union-attr]
        print(
            f"| {r['name']} | {r['median_ms']:.0f} | {r['min_ms']:.0f} | "
            f"{r.get('cpu_ms', 0):.0f} | {len(r['seconds'])} | {r['peak_mb']:.0f} |"
        )
    for key in (
        "refresh_nochange_ms",
        "refresh_full_stat_ms",
        "raw_stat_walk_ms",
        "month_dir_walk_ms",
    ):
        values = micro_data[key]  # type: ignore[index]
        print(
            f"| in-process: {key.removesuffix('_ms')} | {statistics.median(values):.1f} | "
            f"{min(values):.1f} | | {len(values)} | |"
        )

    if "phases" in data:
        print("\nIn-process phases of one read (ms, medians of fresh interpreters):\n")
        print("| read | import cli | import core+output | refresh | query | render |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for kind, values in data["phases"].items():  # type: ignore[union-attr]
            cells = " | ".join(f"{v:.1f}" for v in values.values())
            print(f"| {kind} | {cells} |")

    def ratio(a: str, b: str) -> str:
        if a not in rows or b not in rows:
            return "n/a"
        return f"{rows[a]['median_ms'] / rows[b]['median_ms']:.1f}×"

    print("\nRatios (medians, same run):")
    pairs = [
        ("narrate search WORD", "floor: sqlite3 FTS WORD"),
        ("narrate search PHRASE", "floor: sqlite3 FTS PHRASE"),
        ("narrate search #TAG", "floor: sqlite3 tag"),
        ("narrate list -n 20", "floor: sqlite3 list 20"),
        ("grep -rl WORD entries/", "narrate search WORD"),
        ("jrnl -contains WORD", "narrate search WORD"),
        ("jrnl @TAG", "narrate search #TAG"),
        ("jrnl -n 10", "narrate list -n 20"),
    ]
    for a, b in pairs:
        if a in rows and b in rows:
            print(f"- {a} / {b}: {ratio(a, b)}")

    print("\nGoals of issue 18 (a lifetime journal):")
    limit = {1000: 60.0, 100_000: 100.0, 300_000: 150.0}.get(int(n))  # type: ignore[call-overload]
    read_names = [
        "narrate list -n 20",
        "narrate search WORD",
        "narrate search PHRASE",
        "narrate search #TAG",
        "narrate tags",
        "narrate show ID",
    ]
    checks: list[tuple[str, float, float, str]] = []
    if limit is not None:
        checks += [(name, rows[name]["median_ms"], limit, "ms") for name in read_names]
    if int(n) == 1000:  # type: ignore[call-overload]
        floor = rows["floor: sqlite3 FTS WORD"]["median_ms"]
        for name in read_names:
            checks.append((f"{name} / FTS floor", rows[name]["median_ms"] / floor, 3.5, "×"))
    if int(n) >= 300_000:  # type: ignore[call-overload]
        checks.append(("narrate add", rows["narrate add"]["median_ms"], 300.0, "ms"))
        reindex = rows["narrate reindex --full"]
        checks.append(("reindex --full", reindex["median_ms"] / 1000, 60.0, "s"))
        for name in read_names:
            checks.append((f"{name} peak RSS", rows[name]["peak_mb"], 40.0, "MB"))
    git_ms = rows["git add + commit (1 file)"]["median_ms"]
    checks.append(("add / (git add + commit)", rows["narrate add"]["median_ms"] / git_ms, 1.0, "×"))
    idle = rows["narrate list -n 1 (after an idle hour)"]["median_ms"]
    normal = rows["narrate list -n 1 (no-change check)"]["median_ms"]
    checks.append(("idle-hour read / normal read", idle / normal, 1.5, "×"))
    for name, value, target, unit in checks:
        verdict = "met" if value <= target else "MISSED"
        print(f"- {name}: {value:.2f} {unit} (goal ≤ {target:g} {unit}) {verdict}")


def main() -> None:
    """Parse arguments, run every size, print the report."""
    if len(sys.argv) >= 2 and sys.argv[1] == "_micro":
        micro(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (≥5)")
    parser.add_argument("--no-jrnl", action="store_true", help="skip the jrnl comparison")
    parser.add_argument("--keep", action="store_true", help="keep bench/.work/run-<N>/")
    parser.add_argument("--report", action="store_true", help="only print saved results")
    args = parser.parse_args()
    for n in args.sizes:
        if args.report:
            data = json.loads((WORK / f"results-{n}.json").read_text())
        else:
            data = bench_size(n, args.runs, not args.no_jrnl, args.keep)
        report(data)


if __name__ == "__main__":
    main()
