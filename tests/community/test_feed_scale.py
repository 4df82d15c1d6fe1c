"""The feed at the scale of git hosts: incremental pulls equal a full read, a rewritten
history is read again, nothing is cut off silently, a hostile tree stays bounded."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from narrate.journal.index import index_path
from tests.community.helpers import Member, git, publish, shared_entry

ROOT = "members/carol/2026/2026-11-20-root.md"


def reply(member: str, target: str, target_id: str, body: str, rid: str) -> str:
    """A reply as narrate publishes it, answering ``target`` (carol's, by path and id)."""
    owner = target.split("/")[1]
    return (
        f'---\nid: {rid}\ntitle: "Re"\ncreated: 2026-11-21T10:00:00Z\nauthor: {member}\n'
        f"tags: []\nin_reply_to:\n  member: {owner}\n  path: {target}\n  id: {target_id}\n"
        f"---\n\n{body}\n"
    )


def adopting(title: str, source: str, source_id: str, rid: str) -> str:
    """A shared entry whose practice change was adopted from ``source``."""
    owner = source.split("/")[1]
    return (
        f'---\nid: {rid}\ntitle: "{title}"\ncreated: 2026-11-22T10:00:00Z\nauthor: dave\n'
        "tags: [testing]\npractice:\n  - area: testing\n    change: Pair on flaky tests\n"
        f"    adopted_from:\n      member: {owner}\n      path: {source}\n      id: {source_id}\n"
        f"---\n\nTried it\n"
    )


def entry_id(text: str) -> str:
    return text.split("\n")[1].removeprefix("id: ")


def feed_state(member: Member) -> dict[str, Any]:
    """Every feed row of ``member``'s index (all columns, JSON parsed), and the full-text
    matches when the index has a feed_fts table."""
    conn = sqlite3.connect(index_path(member.journal))
    conn.row_factory = sqlite3.Row
    rows = {}
    for row in conn.execute("SELECT * FROM feed ORDER BY feed_id"):
        found = dict(row)
        for key in ("tags", "practice", "provenance"):
            found[key] = json.loads(found[key])
        rows[found["feed_id"]] = found
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    fts: list[Any] = []
    if "feed_fts" in tables:
        # Rowids differ between two indexes: compare the rows the matches name.
        fts = sorted(
            r[0]
            for r in conn.execute(
                "SELECT feed.feed_id FROM feed_fts JOIN feed ON feed.rowid = feed_fts.rowid "
                "WHERE feed_fts MATCH 'flaky OR body'"
            )
        )
    conn.close()
    return {"rows": rows, "fts": fts}


def rowid_of(member: Member, suffix: str) -> int:
    conn = sqlite3.connect(index_path(member.journal))
    found = conn.execute("SELECT rowid FROM feed WHERE path LIKE ?", (f"%{suffix}",)).fetchone()
    conn.close()
    return int(found[0])


def full_read(base: Path, cop: Path, step: int) -> dict[str, Any]:
    """The feed a fresh device reads from the whole community."""
    fresh = Member(base / f"fresh{step}", "zed")
    fresh.ok("community", "add", "cop", str(cop), "--member", "zed")
    return feed_state(fresh)


def test_incremental_pulls_leave_the_feed_equal_to_a_full_read(
    tmp_path: Path, bob: Member, cop: Path, maintainer: Path
) -> None:
    root = shared_entry("Root")
    moving = shared_entry("Moving")
    steps: list[dict[str, str | None]] = [
        # A reply whose parent arrives in a later pull; an adoption of the root.
        {
            "members/carol/2026/2026-11-20-other.md": shared_entry("Other"),
            "members/erin/replies/2026/early.md": reply(
                "erin", ROOT, entry_id(root), "Early", "01REPLYEARLY"
            ),
            "members/dave/2026/2026-11-22-adopt.md": adopting(
                "Adopted", ROOT, entry_id(root), "01ADOPT0001"
            ),
            "members/erin/replies/2026/on-moving.md": reply(
                "erin",
                "members/carol/2026/2026-11-20-moving.md",
                entry_id(moving),
                "On moving",
                "01REPLYMOVE",
            ),
        },
        # The parent arrives; the moving entry too.
        {ROOT: root, "members/carol/2026/2026-11-20-moving.md": moving},
        # An edit, a rename (the reply follows it by id), a new member.
        {
            "members/carol/2026/2026-11-20-other.md": shared_entry("Other, edited", "New body\n"),
            "members/carol/2026/2026-11-20-moving.md": None,
            "members/carol/2026/2026-11-20-moved.md": moving,
            "members/frank/2026/2026-11-23-hello.md": shared_entry("Hello from frank"),
        },
        # The parent is deleted, its path now holds another entry: the reply is refused;
        # a broken file; a file outside members/.
        {
            ROOT: shared_entry("Another entry at the root's path"),
            "members/frank/2026/broken.md": "---\nid: [\n---\n",
            "outside.md": shared_entry("Outside"),
        },
        # The root comes back: the reply answers it again; frank's entry is deleted.
        {ROOT: root, "members/frank/2026/2026-11-23-hello.md": None},
    ]
    hello_rowid = -1
    for number, files in enumerate(steps):
        for rel, content in files.items():
            if content is None:
                (maintainer / rel).unlink()
        publish(maintainer, {k: v for k, v in files.items() if v is not None})
        bob.ok("community", "pull")
        pulled = feed_state(bob)
        assert pulled["rows"], number
        if number == 3:
            # Incremental, not a full read again: a row the pull did not touch keeps its rowid.
            assert rowid_of(bob, "hello.md") == hello_rowid
        if number == 2:
            hello_rowid = rowid_of(bob, "hello.md")
        assert pulled == full_read(tmp_path, cop, number), f"after step {number}"
    rows = feed_state(bob)["rows"].values()
    early = next(r for r in rows if r["path"].endswith("early.md"))
    assert early["parent"] is not None and early["kind"] == "reply"
    moved = next(r for r in rows if r["path"].endswith("on-moving.md"))
    # The reply to the renamed entry answers its new path.
    assert moved["parent"] == next(r["feed_id"] for r in rows if r["path"].endswith("moved.md"))
    adopted = next(r for r in rows if r["path"].endswith("adopt.md"))
    assert adopted["origin"] == next(r["feed_id"] for r in rows if r["path"] == ROOT)


def test_a_force_pushed_community_is_read_again(
    tmp_path: Path, bob: Member, cop: Path, maintainer: Path
) -> None:
    publish(maintainer, {"members/carol/2026/2026-11-20-a.md": shared_entry("Kept")})
    publish(maintainer, {"members/carol/2026/2026-11-21-b.md": shared_entry("Rewritten away")})
    bob.ok("community", "pull")
    assert len(feed_state(bob)["rows"]) == 2
    # The maintainer rewrites history: b never happened, c did.
    git(maintainer, "reset", "-q", "--hard", "HEAD~1")
    rewritten = maintainer / "members/carol/2026/2026-11-22-c.md"
    rewritten.write_text(shared_entry("After the rewrite"), "utf-8")
    git(maintainer, "add", "-A")
    git(maintainer, "commit", "-qm", "rewrite")
    git(maintainer, "push", "-q", "--force", "origin", "main")
    bob.ok("community", "pull")
    titles = sorted(r["title"] for r in feed_state(bob)["rows"].values())
    assert titles == ["After the rewrite", "Kept"]
    assert feed_state(bob) == full_read(tmp_path, cop, 0)


def test_a_full_read_killed_half_way_starts_again_cleanly(
    tmp_path: Path, bob: Member, cop: Path, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import narrate.community.repo as repo_module
    from narrate.community.feed import index_community
    from narrate.community.pull import choose
    from narrate.config import load_config
    from narrate.journal.core import Journal

    publish(
        maintainer,
        {f"members/carol/2026/2026-11-2{i}-x.md": shared_entry(f"Entry {i}") for i in range(8)},
    )
    bob.ok("community", "pull")
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, bob.env[var])
    monkeypatch.setattr(repo_module, "READ_BATCH_FILES", 2)
    real = repo_module.CommunityRepo._read_batch
    calls = {"n": 0}

    def dies_on_the_third(self: Any, files: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the user's Ctrl-C half-way through the read
        return real(self, files)

    community = choose(load_config(), "cop")[0]
    monkeypatch.setattr(repo_module.CommunityRepo, "_read_batch", dies_on_the_third)
    with Journal.open(bob.journal) as journal, pytest.raises(KeyboardInterrupt):
        index_community(journal, community, community.repo(), rebuild=True)
    with Journal.open(bob.journal) as journal:
        assert journal.feed_head("cop") is None  # no head: the next pull reads it all
    monkeypatch.setattr(repo_module.CommunityRepo, "_read_batch", real)
    bob.ok("community", "pull")
    assert feed_state(bob) == full_read(tmp_path, cop, 0)
    assert len(feed_state(bob)["rows"]) == 8


def fast_import(repo: Path, files: dict[str, bytes], message: str = "bulk") -> None:
    """Commit ``files`` onto ``repo``'s main in one commit with git fast-import."""
    parent = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "-q", "--verify", "main"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    out = [
        b"commit refs/heads/main\ncommitter Bulk <bulk@example.com> 1795000000 +0000\n",
        b"data %d\n%s\n" % (len(message), message.encode()),
    ]
    if parent:
        out.append(f"from {parent}\n".encode())
    for path, data in files.items():
        out.append(b"M 644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(out), check=True
    )


def small_entry(member: int, number: int) -> bytes:
    minute = number % 60
    return (
        f"---\nid: 01BULK{member:04d}{number:04d}\ntitle: m{member} e{number}\n"
        f"created: 2026-{1 + number // 30 % 12:02d}-{1 + number % 28:02d}T10:{minute:02d}:00Z\n"
        f"tags: [t]\n---\n\nx\n"
    ).encode()


def test_sixty_thousand_entries_show_the_newest_of_every_member(
    tmp_path: Path, bob: Member, cop: Path, maintainer: Path
) -> None:
    members, each = 600, 100  # 60,000 entries: over the old 50,000-file cap
    files = {
        f"members/p{m:03d}/2026/e{n:03d}.md": small_entry(m, n)
        for m in range(members)
        for n in range(each)
    }
    fast_import(cop, files)
    pulled = bob.ok("community", "pull")
    assert "beyond what narrate reads" not in pulled.output
    assert "60,000 shared entries" in pulled.output or "60000 shared entries" in pulled.output
    conn = sqlite3.connect(index_path(bob.journal))
    newest = dict(conn.execute("SELECT member, max(sort) FROM feed GROUP BY member").fetchall())
    conn.close()
    assert len(newest) == members
    for m in (0, 299, 599):
        shown = json.loads(bob.ok("feed", "--member", f"p{m:03d}", "-n", "1", "--json").stdout)
        expected = max(
            (small_entry(m, n) for n in range(each)), key=lambda d: d.split(b"created: ")[1][:20]
        )
        assert shown[0]["title"] == expected.split(b"title: ")[1].split(b"\n")[0].decode()


def hostile_repo(path: Path, tiny: int, huge_mb: int) -> None:
    """A bare repository of ``tiny`` one-line entry files in one member's folder and one
    ``huge_mb`` MB entry (zeros: a few KB packed, huge when read)."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    # Blobs over 1 MB are streamed into the pack, not held in fast-import's memory.
    process = subprocess.Popen(
        ["git", "-C", str(path), "-c", "core.bigFileThreshold=1m", "fast-import", "--quiet"],
        stdin=subprocess.PIPE,
    )
    assert process.stdin is not None
    # One blob for every tiny file: the tree is what is big.
    process.stdin.write(b"blob\nmark :1\ndata 2\nx\n\n")
    process.stdin.write(b"commit refs/heads/main\nmark :2\n")
    process.stdin.write(b"committer H <h@example.com> 1795000000 +0000\ndata 7\nhostile\n")
    # Spread over folders of 500 (fast-import is slow on one folder of 200,000).
    for number in range(tiny):
        process.stdin.write(b"M 644 :1 members/mallory/%04d/%07d.md\n" % (number // 500, number))
    process.stdin.write(b"\n")
    size = huge_mb * 2**20
    process.stdin.write(b"commit refs/heads/main\ncommitter H <h@example.com> 1795000001 +0000\n")
    process.stdin.write(b"data 4\nhuge\nfrom :2\n")
    process.stdin.write(b"M 644 inline members/mallory/2026/huge.md\ndata %d\n" % size)
    chunk = b"0" * 2**20
    for _ in range(huge_mb):
        process.stdin.write(chunk)
    process.stdin.write(b"\n\n")
    process.stdin.close()
    assert process.wait() == 0


def test_a_hostile_tree_is_bounded_in_time_and_memory_with_one_notice(
    tmp_path: Path, bob: Member
) -> None:
    tiny, huge_mb = 200_000, 300
    hostile = tmp_path / "hostile.git"
    hostile_repo(hostile, tiny, huge_mb)
    code = (
        "import resource, sys\n"
        "from narrate.cli import main\n"
        "try:\n"
        "    main(['community', 'add', 'evil', sys.argv[1], '--member', 'bob'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, str(hostile)],
        env={**os.environ, **bob.env, "PYTHONPATH": str(Path.cwd())},
        capture_output=True,
        text=True,
        timeout=300,
    )
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    # The narrate process's own peak (git's processes are bounded by what they are asked).
    peak_mb = int(done.stderr.rsplit("RSS ", 1)[1].split()[0]) / 1024
    print(f"hostile tree of {tiny} tiny files + {huge_mb} MB blob: {took:.1f} s, {peak_mb:.0f} MB")
    said = done.stdout + done.stderr
    # The huge blob is named once; the 200,000 unreadable files are one counted line.
    assert said.count("larger than 1024 KB") == 1
    assert f"{tiny:,} files skipped in all" in said
    assert said.count("members/mallory/") <= 10
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"
    assert took < 120
