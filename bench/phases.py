"""Where one read's time goes, in process: imports, freshness check, query, rendering.

Usage: python bench/phases.py KIND [RUNS]  (KIND: list, word, phrase, tag, tags), with
NARRATE_JOURNAL set. Each run is a fresh interpreter (imports are part of the cost);
prints one JSON object of per-phase medians in milliseconds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

QUERIES = {"word": "flaky", "phrase": '"memory leak"', "tag": "#testing"}


def one(kind: str) -> dict[str, float]:
    """Time the phases of one read in this process."""
    marks = [time.perf_counter()]
    import narrate.cli

    marks.append(time.perf_counter())
    import narrate.output
    from narrate.journal.core import Journal

    marks.append(time.perf_counter())
    from pathlib import Path

    journal = Journal(Path(os.environ["NARRATE_JOURNAL"]))
    journal.refresh()
    marks.append(time.perf_counter())
    if kind == "list":
        items = journal.entries(limit=20)
    elif kind == "tags":
        items = journal.tags()
    else:
        items, _ = journal.search(QUERIES[kind])
    journal.broken()
    marks.append(time.perf_counter())
    # Rendered as into a pipe (what the benchmark's processes do): plain text, no Rich.
    if kind != "tags":
        str(narrate.output.entries_table(items, snippets=kind != "list"))
    else:
        str(narrate.output.tags_table(items))
    marks.append(time.perf_counter())
    names = ("import_cli", "import_core_output", "refresh", "query", "render")
    return {name: (b - a) * 1000 for name, a, b in zip(names, marks, marks[1:], strict=False)}


def main() -> None:
    """Run KIND in RUNS fresh interpreters and print the medians."""
    kind = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == "_one":
        print(json.dumps(one(kind)))
        return
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    samples = [
        json.loads(
            subprocess.run(
                [sys.executable, __file__, kind, "_one"], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs + 1)
    ][1:]
    print(json.dumps({k: statistics.median(s[k] for s in samples) for k in samples[0]}))


if __name__ == "__main__":
    main()
