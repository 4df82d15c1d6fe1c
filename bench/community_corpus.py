"""Deterministic community repositories for the community benchmark, written with
``git fast-import`` (seconds, not the hours one commit per share through porcelain takes).

A corpus is a bare repository with ``members/<handle>/YYYY/<date>-<slug>.md`` shares,
``members/<handle>/replies/YYYY/...`` replies answering earlier shares of other members,
and practice changes, some adopted from an earlier share (``adopted_from``). Shares span
three years; one commit per day holds that day's shares (authored by a sync identity:
a commit per share would rewrite the 10,000-entry members/ tree a million times).

    python bench/community_corpus.py 20000 200000 1000000   # cached in bench/corpus/community-<N>
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = dt.datetime(2023, 11, 20, 8, 0, tzinfo=dt.UTC)
DAYS = 3 * 365
MEMBERS = 10_000
WORDS = [
    "pairing",
    "review",
    "flaky",
    "test",
    "deploy",
    "rollback",
    "incident",
    "retro",
    "sprint",
    "backlog",
    "estimate",
    "customer",
    "ticket",
    "refactor",
    "module",
    "database",
    "index",
    "query",
    "cache",
    "latency",
    "outage",
    "alert",
    "runbook",
    "onboarding",
    "mentor",
    "feedback",
    "design",
    "decision",
    "tradeoff",
    "spike",
    "prototype",
    "release",
]
AREAS = ["testing", "reviews", "planning", "incidents", "mentoring", "design", "deploys"]
REPLY_SHARE = 0.15
PRACTICE_SHARE = 0.10
ADOPTION_SHARE = 0.03


def handle(number: int) -> str:
    """The handle of member ``number``."""
    return f"m{number:05d}"


def _entry_id(number: int) -> str:
    return f"01CORPUS{number:010d}"


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


class Corpus:
    """The files of a corpus, generated in order (deterministic for a seed)."""

    def __init__(self, entries: int, members: int = MEMBERS, seed: int = 15) -> None:
        self.entries = entries
        self.members = members
        self.rng = random.Random(seed)
        # (member, path, id, has_practice) of earlier shares, for replies and adoptions.
        self.shares: list[tuple[str, str, str, bool]] = []

    def file(self, number: int, when: dt.datetime) -> tuple[str, bytes]:
        """The path and bytes of share ``number``, created at ``when``."""
        rng = self.rng
        member = handle(rng.randrange(self.members))
        entry_id = _entry_id(number)
        slug = f"{rng.choice(WORDS)}-{number}"
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        day = when.strftime("%Y-%m-%d")
        lines = ["---", f"id: {entry_id}", f'title: "{_text(rng, 3, 7)}"', f"created: {stamp}"]
        lines += [f"author: {member}", f"tags: [{rng.choice(AREAS)}]"]
        reply = self.shares and rng.random() < REPLY_SHARE
        if reply:
            target = self.shares[rng.randrange(len(self.shares))]
            path = f"members/{member}/replies/{when.year}/{day}-re-{slug}.md"
            lines += ["in_reply_to:", f"  member: {target[0]}", f"  path: {target[1]}"]
            lines += [f"  id: {target[2]}"]
        else:
            path = f"members/{member}/{when.year}/{day}-{slug}.md"
            if rng.random() < PRACTICE_SHARE:
                area = rng.choice(AREAS)
                lines += ["practice:", f"  - area: {area}", f"    change: {_text(rng, 4, 8)}"]
                adopted = [s for s in self.shares[-200:] if s[3] and s[0] != member]
                if adopted and rng.random() < ADOPTION_SHARE / PRACTICE_SHARE:
                    source = adopted[rng.randrange(len(adopted))]
                    lines += ["    adopted_from:", f"      member: {source[0]}"]
                    lines += [f"      path: {source[1]}", f"      id: {source[2]}"]
                self.shares.append((member, path, entry_id, True))
            else:
                self.shares.append((member, path, entry_id, False))
            if len(self.shares) > 100_000:  # replies answer the recent past; memory stays flat
                del self.shares[:50_000]
        body = "\n\n".join(_text(self.rng, 20, 60) for _ in range(rng.randint(1, 3)))
        return path, ("\n".join(lines) + "\n---\n\n" + body + "\n").encode()

    def days(self) -> Iterator[tuple[dt.datetime, list[tuple[str, bytes]]]]:
        """Each day's shares, oldest first."""
        number = 0
        for day in range(DAYS):
            when = START + dt.timedelta(days=day)
            upto = (day + 1) * self.entries // DAYS
            files = []
            while number < upto:
                minute = self.rng.randrange(9 * 60)
                files.append(self.file(number, when + dt.timedelta(minutes=minute)))
                number += 1
            if files:
                yield when, files


def _commit(
    out: list[bytes],
    when: dt.datetime,
    files: list[tuple[str, bytes]],
    first: bool,
    parent: str | None = None,
) -> None:
    stamp = int(when.timestamp())
    message = f"Shares of {when:%Y-%m-%d}".encode()
    out.append(b"commit refs/heads/main\n")
    out.append(f"committer Community Sync <sync@corpus.example> {stamp} +0000\n".encode())
    out.append(b"data %d\n%s\n" % (len(message), message))
    if parent:
        out.append(f"from {parent}\n".encode())
    elif first:
        out.append(b"M 644 inline README.md\ndata 15\nThe community\n\n")
    for path, data in files:
        out.append(f"M 644 inline {path}\ndata {len(data)}\n".encode())
        out.append(data)
        out.append(b"\n")
    out.append(b"\n")


def fast_import(repo: Path, stream: Iterator[bytes]) -> None:
    """Feed a fast-import stream into the bare repository ``repo``."""
    process = subprocess.Popen(
        ["git", "-C", str(repo), "fast-import", "--quiet", "--force"],
        stdin=subprocess.PIPE,
    )
    assert process.stdin is not None
    for chunk in stream:
        process.stdin.write(chunk)
    process.stdin.close()
    if process.wait() != 0:
        raise SystemExit(f"git fast-import failed in {repo}")


def build(repo: Path, entries: int, members: int = MEMBERS) -> Corpus:
    """Write a corpus of ``entries`` shares into a new bare repository at ``repo``."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(repo)], check=True)
    corpus = Corpus(entries, members)

    def stream() -> Iterator[bytes]:
        for number, (when, files) in enumerate(corpus.days()):
            out: list[bytes] = []
            _commit(out, when, files, number == 0)
            yield b"".join(out)

    fast_import(repo, stream())
    return corpus


def add_day(repo: Path, corpus: Corpus, count: int = 100) -> None:
    """One more day of ``count`` shares on top of ``repo``'s main (the incremental pull)."""
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()
    when = START + dt.timedelta(days=DAYS + 1)
    base = corpus.entries + 10_000_000 + len(corpus.shares)
    files = [corpus.file(base + n, when + dt.timedelta(minutes=n)) for n in range(count)]
    out: list[bytes] = []
    _commit(out, when, files, False, parent=head)
    fast_import(repo, iter(out))


def cached(entries: int) -> Path:
    """The corpus of ``entries`` shares, built once into bench/corpus/community-<N>."""
    repo = HERE / "corpus" / f"community-{entries}.git"
    if not (repo / "DONE").exists():
        import shutil

        shutil.rmtree(repo, ignore_errors=True)
        repo.parent.mkdir(parents=True, exist_ok=True)
        build(repo, entries)
        (repo / "DONE").write_text("built\n")
    return repo


if __name__ == "__main__":
    for size in sys.argv[1:] or ["20000"]:
        import time

        began = time.perf_counter()
        print(cached(int(size)), f"{time.perf_counter() - began:.1f} s")
