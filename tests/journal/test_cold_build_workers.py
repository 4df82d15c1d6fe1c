"""The cold build's workers import what the caller would, and die with it: real processes
(found by a second engineer trying to break them)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import narrate

PACKAGE = Path(narrate.__file__).resolve().parent

SHADOW = textwrap.dedent(
    """
    import os, sysconfig
    with open(os.environ["SHADOW_MARK"], "a") as mark:
        mark.write(__name__ + "\\n")
    # Behave as the standard library's module, so only the marker tells.
    _src = os.path.join(sysconfig.get_paths()["stdlib"], __name__ + ".py")
    exec(compile(open(_src).read(), _src, "exec"))
    """
)


def one_entry_journal(tmp_path: Path) -> Path:
    """A journal of one entry, for a cold read."""
    journal = tmp_path / "journal"
    (journal / "entries").mkdir(parents=True)
    (journal / "entries" / "a.md").write_text(
        "---\nid: 01AAAAAAAAAAAAAAAAAAAAAAAA\ncreated: 2024-01-01T10:00:00+00:00\n"
        "title: A\n---\nbody\n"
    )
    return journal


def read_in_workers(journal: Path, prelude: str, python: list[str], env: dict[str, str]) -> None:
    """In a new process started with ``python``, run ``prelude`` and then read the
    journal's entry through the cold build's workers; the read must succeed."""
    entry = journal / "entries" / "a.md"
    script = prelude + textwrap.dedent(
        f"""
        from pathlib import Path
        from narrate.journal import coldbuild
        batch = [("entries/a.md", 1, {entry.stat().st_size})]
        out = list(coldbuild.read_batches(Path({str(journal)!r}), [batch], {{}}))
        assert out and out[0][0][1] == "entries/a.md", out
        """
    )
    done = subprocess.run(
        [*python, "-c", script], cwd=journal.parent, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_workers_import_order_matches_the_callers(tmp_path: Path) -> None:
    """narrate installed where site-packages is, after the standard library on sys.path,
    beside a module named like a standard one (enum34's enum.py, a queue backport): the
    workers import the standard module, as the caller does (they once got narrate's
    folder first on PYTHONPATH)."""
    site = tmp_path / "site-packages"
    site.mkdir()
    shutil.copytree(PACKAGE, site / "narrate", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "queue.py").write_text(SHADOW)
    journal = one_entry_journal(tmp_path)
    mark = tmp_path / "mark"
    prelude = textwrap.dedent(
        f"""
        import sys
        sys.path.append({str(site)!r})  # as site-packages: after the standard library
        import narrate, queue
        assert narrate.__file__.startswith({str(site)!r}), narrate.__file__
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["SHADOW_MARK"] = str(mark)
    read_in_workers(journal, prelude, [sys.executable], env)
    shadowed = mark.read_text().split() if mark.exists() else []
    assert shadowed == [], f"the workers imported {shadowed} from narrate's folder, not the stdlib"


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_the_caller_leaves_no_worker(tmp_path: Path, sig: int) -> None:
    """A first read of 4000 files killed while the workers parse: no worker outlives it."""
    journal = tmp_path / "journal"
    for i in range(4000):
        rel = journal / "entries" / f"{2000 + i // 400}" / f"e{i}.md"
        rel.parent.mkdir(parents=True, exist_ok=True)
        rel.write_text(
            f"---\nid: 01K{i:023d}\ncreated: 2020-01-01T10:00:00+00:00\ntitle: E{i}\n---\n"
            + "word #tag " * 2000
            + "\n"
        )
    subprocess.run(["git", "init", "-q", str(journal)], check=True)
    env = {**os.environ, "NO_COLOR": "1"}
    parent = subprocess.Popen(
        [sys.executable, "-m", "narrate", "--journal", str(journal), "list"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    workers: list[int] = []
    deadline = time.time() + 60
    while time.time() < deadline and not workers:
        workers = [
            p
            for p in _children(parent.pid)
            if "coldbuild" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")
        ]
        time.sleep(0.05)
    assert workers, "no worker started"
    parent.send_signal(sig)
    parent.wait(timeout=30)
    end = time.time() + 30
    while time.time() < end and any(_alive(w) for w in workers):
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert left == [], f"workers {left} outlived the killed caller"


def test_an_isolated_caller_gets_isolated_workers(tmp_path: Path) -> None:
    """A sitecustomize.py on $PYTHONPATH, which a caller run with `python -I` refuses to
    run, never runs in its workers (they once started as plain `python -m` with the whole
    environment)."""
    evil = tmp_path / "evil"
    evil.mkdir()
    mark = tmp_path / "mark"
    (evil / "sitecustomize.py").write_text(
        f"open({str(mark)!r}, 'a').write('sitecustomize ran\\n')\n"
    )
    journal = one_entry_journal(tmp_path)
    prelude = f"import sys\nsys.path.insert(0, {str(PACKAGE.parent)!r})\n"
    env = {**os.environ, "PYTHONPATH": str(evil)}
    read_in_workers(journal, prelude, [sys.executable, "-I"], env)
    ran = mark.read_text().splitlines() if mark.exists() else []
    assert ran == [], f"code the isolated caller ignored ran in its workers: {ran}"
