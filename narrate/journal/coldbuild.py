"""The cold build: many changed files (a new device's first read, ``reindex --full``)
parsed by worker processes while this process writes the index.

Workers run ``index.read_files``, the refresh's one reading rule, on whole batches and
send back plain row tuples; the caller writes them in batch order, so the index is the
same row for row as a build in one process. A worker is a fresh interpreter running this
module (``python -m narrate.journal.coldbuild``): a forked child would inherit the
caller's SQLite connection and, in the app, threads holding locks, and multiprocessing's
'spawn' imports the caller's main module again (a script without a ``__main__`` guard
would start itself over). Batches go out round-robin, at most AHEAD per worker, so
parsed rows never pile up in memory whatever the journal's size. A worker that fails
(it cannot start, it dies) leaves the rest of the batches to this process: the result is
the same, only slower.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from narrate.journal.index import Outcome

Batch = list[tuple[str, int, int]]  # (path, change_ns, size) of changed files
Task = tuple[str, Batch, dict[str, str]]  # (journal, batch, the hashes the index knows)

# Below this many changed files the workers' start-up (~0.2 s) costs more than it saves:
# a normal read, an add, a pull of a few days' entries stay in one process.
PARALLEL_MIN = 2000
# Batches sent ahead to each worker: enough to keep it busy while the writer commits,
# few enough that parsed rows never pile up.
AHEAD = 2


def cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worth_it(files: int) -> bool:
    """Whether ``files`` changed files are parsed in worker processes."""
    return files >= PARALLEL_MIN and cores() >= 2


def read_batches(
    root: Path, batches: list[Batch], hashes: Mapping[str, str]
) -> Generator[list[Outcome], None, None]:
    """``index.read_files`` of each batch (with the ``hashes`` the index knows), in
    order, read by one worker per core; closing the generator (or an error) ends the
    workers."""
    from narrate.journal.index import read_files

    workers = _start(min(cores(), len(batches)))
    where = os.path.abspath(root)  # the workers run in another folder
    done = 0
    try:
        if workers:
            sent = 0
            for sent in range(min(len(batches), len(workers) * AHEAD)):
                _send(workers[sent % len(workers)], _task(where, batches[sent], hashes))
            sent = min(len(batches), len(workers) * AHEAD)
            while done < len(batches):
                outcomes = _receive(workers[done % len(workers)])
                if sent < len(batches):
                    _send(workers[sent % len(workers)], _task(where, batches[sent], hashes))
                    sent += 1
                done += 1
                yield outcomes
    except (OSError, EOFError, pickle.UnpicklingError):
        pass  # a worker failed: this process reads what is left
    finally:
        _stop(workers)
    for batch in batches[done:]:
        yield read_files(root, batch, hashes)


def _task(root: str, batch: Batch, hashes: Mapping[str, str]) -> Task:
    return root, batch, {path: hashes[path] for path, _, _ in batch if path in hashes}


def _start(count: int) -> list[subprocess.Popen[bytes]]:
    import narrate
    from narrate.journal.gitrun import start_worker

    # The workers import the same narrate as this process: start_worker hands them this
    # process's import path (isolated from the environment's), so the folder they run
    # in does not matter; narrate's own is one that surely exists.
    here = str(Path(narrate.__file__).resolve().parent.parent)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            workers.append(start_worker("narrate.journal.coldbuild", os.environ, here))
    except OSError:
        _stop(workers)
        return []
    return workers


def _send(worker: subprocess.Popen[bytes], task: Task) -> None:
    assert worker.stdin is not None
    pickle.dump(task, worker.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    worker.stdin.flush()


def _receive(worker: subprocess.Popen[bytes]) -> list[Outcome]:
    assert worker.stdout is not None
    outcomes: list[Outcome] = pickle.load(worker.stdout)
    return outcomes


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        for stream in (worker.stdin, worker.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
    for worker in workers:
        try:
            worker.wait(timeout=2)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _serve(tasks: IO[bytes], results: IO[bytes]) -> None:
    """A worker: read batches from ``tasks`` and write their outcomes to ``results``
    until the caller closes ``tasks`` (or goes away)."""
    from narrate.journal.index import read_files

    inbox: queue.Queue[Any] = queue.Queue()

    def listen() -> None:
        # Tasks are read as they come, so the caller never blocks writing one while
        # this worker blocks writing a result.
        try:
            while True:
                inbox.put(pickle.load(tasks))
        except (EOFError, OSError, pickle.UnpicklingError):
            inbox.put(None)

    threading.Thread(target=listen, daemon=True).start()
    while (task := inbox.get()) is not None:
        root, batch, hashes = task
        outcomes = read_files(Path(root), batch, hashes)
        pickle.dump(outcomes, results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()


if __name__ == "__main__":
    import signal

    # Ctrl-C reaches the whole process group: the caller stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(BrokenPipeError):  # the caller went away
        _serve(sys.stdin.buffer, sys.stdout.buffer)
