"""`list -t` with a tag that is not UTF-8 (a byte from a shell or a script)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import CLI_ENV, Cli


def test_list_t_with_a_non_utf8_byte_says_so_without_a_traceback(cli: Cli, root: Path) -> None:
    """Python reads argv byte 0xff as the lone surrogate U+DCFF; normalise_tag and
    tag_key pass it through and SQLite's binding raises UnicodeEncodeError: a traceback
    (exit 1) instead of one clear line. `search` with the same byte answers normally."""
    cli.add("An entry about #work")
    env = {**os.environ, **CLI_ENV, "PYTHONPATH": str(Path(__file__).parents[2])}
    run = subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"narrate",
            b"--journal",
            bytes(root),
            b"list",
            b"-t",
            b"\xff",
        ],
        capture_output=True,
        env=env,
        timeout=60,
    )
    searched = subprocess.run(
        [sys.executable.encode(), b"-m", b"narrate", b"--journal", bytes(root), b"search", b"\xff"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert b"Traceback" not in searched.stderr  # what held: search copes
    assert b"Traceback" not in run.stderr, run.stderr.decode(errors="replace")[-300:]
    assert run.returncode == 1 and b"-t is not valid UTF-8 text" in run.stderr, run.stderr
