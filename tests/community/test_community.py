"""Communities over real git: two members, a bare community remote, hostile repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrate.cli import main
from tests.community.helpers import Member, git, publish, shared_entry

PRIVATE_SENTINELS = ("SENTINEL-BLOCK", "sentinel-tag", "SENTINEL-FIELD", "SENTINEL-COMMENT")


SECRET_ENTRY = """Reviews with the tests first #review #sentinel-tag

I now read the tests before the code.
<!-- private -->
SENTINEL-BLOCK: what my manager said
<!-- /private -->
Done. <!-- SENTINEL-COMMENT -->
"""


def add_secret_entry(member: Member) -> str:
    entry_id = member.ok(
        "add",
        "-",
        "--practice",
        "code-review:Read the tests first",
        "--source",
        "python-cop",
        input=SECRET_ENTRY,
    ).stdout.strip()
    path = next(member.journal.glob("entries/*/*/*.md"))
    text = path.read_text("utf-8").replace(
        "private: false\n", "private: false\nmood: SENTINEL-FIELD\n"
    )
    path.write_text(text, "utf-8")
    return entry_id


def test_two_members_share_read_and_adopt(alice: Member, bob: Member, cop: Path) -> None:
    entry_id = add_secret_entry(alice)
    shared = alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "I now read the tests before the code." in shared.stdout
    assert "SENTINEL" not in shared.stdout and "sentinel-tag" not in shared.stdout

    bob.ok("community", "pull")
    items = json.loads(bob.ok("feed", "--json").stdout)
    assert [i["member"] for i in items] == ["alice"]
    assert items[0]["practice"][0]["change"] == "Read the tests first"
    assert json.loads(alice.ok("feed", "--json").stdout) == []  # not your own shares

    adopted = bob.ok("adopt", items[0]["feed_id"]).stdout.strip()
    shown = json.loads(bob.ok("show", adopted, "--json").stdout)
    assert shown["practice"][0]["source"] == "alice@cop"
    assert shown["practice"][0]["status"] == "trying"
    text = next(p for p in bob.journal.rglob("*.md") if adopted in p.read_text("utf-8"))
    assert "adopted_from:" in text.read_text("utf-8") and "members/alice/" in text.read_text(
        "utf-8"
    )

    record = json.loads(alice.ok("show", entry_id, "--json").stdout)["shared"]
    assert record[0]["community"] == "cop" and record[0]["path"].startswith("members/alice/2026/")


def test_nothing_private_reaches_the_community_history(
    alice: Member, cop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The global identity and the journal path must not leak either.
    monkeypatch.setenv("GIT_AUTHOR_NAME", "SENTINEL-IDENTITY")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "sentinel-identity@example.com")
    entry_id = add_secret_entry(alice)
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    path = next(alice.journal.glob("entries/*/*/*.md"))
    path.write_text(path.read_text("utf-8") + "An edit after sharing.\n", "utf-8")
    alice.ok("share", entry_id, "--to", "cop", "--yes")

    objects = subprocess.run(
        ["git", "-C", str(cop), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")
    for sentinel in (
        *PRIVATE_SENTINELS,
        "SENTINEL-IDENTITY",
        "sentinel-identity",
        str(alice.journal),
    ):
        assert sentinel not in objects, sentinel
    log = git(cop, "log", "--format=%an|%ae|%cn|%ce|%ai|%ci|%s", "main")
    for line in log.strip().splitlines()[:2]:
        an, ae, cn, ce, ai, ci, subject = line.split("|")
        assert (an, ae, cn, ce) == ("alice", "alice@cop.example", "alice", "alice@cop.example")
        assert ai.endswith("+0000") and ci.endswith("+0000")
        assert subject.startswith("Share members/alice/")
    # Re-sharing an edited entry updated the same file.
    files = git(cop, "ls-tree", "-r", "--name-only", "main").split()
    assert len([f for f in files if f.startswith("members/alice/")]) == 1
    assert "An edit after sharing." in objects


def test_refusals(alice: Member, cop: Path) -> None:
    private_id = alice.ok("add", "Salary talk", "--private").stdout.strip()
    refused = alice("share", private_id, "--to", "cop", "--yes")
    assert refused.exit_code == 1 and "private" in refused.output

    unclosed = alice.ok(
        "add", "-", input="Title\n\nline one\n<!-- private -->\nsecret\n"
    ).stdout.strip()
    refused = alice("share", unclosed, "--to", "cop", "--yes")
    path = next(p for p in alice.journal.rglob("*title.md"))
    line = path.read_text("utf-8").splitlines().index("<!-- private -->") + 1
    assert refused.exit_code == 1 and "never closed" in refused.output
    assert f"line {line}:" in refused.output

    plain = alice.ok("add", "Fine to share").stdout.strip()
    dry = alice.ok("share", plain, "--to", "cop", "--dry-run")
    assert "Fine to share" in dry.stdout and "dry run" in dry.output
    no_tty = alice("share", plain, "--to", "cop")
    assert no_tty.exit_code == 1 and "--yes" in no_tty.output
    assert "members/" not in git(cop, "ls-tree", "-r", "--name-only", "main")

    bad = alice("community", "add", "evil", "ext::sh -c touch% /tmp/x", "--member", "alice")
    assert bad.exit_code == 1 and "transport helper" in bad.output
    assert "evil" not in (alice.home / "config" / "narrate" / "config.toml").read_text()


def test_unshare_removes_and_says_history_remains(alice: Member, cop: Path) -> None:
    entry_id = alice.ok("add", "Shared then retracted").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    result = alice.ok("unshare", entry_id, "--from", "cop")
    assert "still hold the earlier version" in result.output
    assert "members/" not in git(cop, "ls-tree", "-r", "--name-only", "main")
    assert json.loads(alice.ok("show", entry_id, "--json").stdout)["shared"] == []


def test_vocabulary_maps_tags_and_warns(alice: Member, maintainer: Path, cop: Path) -> None:
    publish(
        maintainer,
        {
            "community.toml": 'name = "Python CoP"\n[vocabulary]\ntags = ["testing", "review"]\n'
            '[vocabulary.synonyms]\ntests = "testing"\n',
        },
    )
    alice.ok("community", "pull")
    entry_id = alice.ok("add", "Wrote tests #tests #reviews").stdout.strip()
    result = alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "tags: [testing, reviews]" in result.stdout
    assert "shared as the community's #testing" in result.output
    assert "looks like the community's #review" in result.output


def test_hostile_content_is_skipped_with_notices(
    bob: Member, maintainer: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside-secret.md"
    outside.write_text("---\ntitle: stolen\n---\nSTOLEN\n")
    (maintainer / "members" / "carol" / "2026").mkdir(parents=True)
    os.symlink(outside, maintainer / "members" / "carol" / "2026" / "link.md")
    os.symlink(bob.journal, maintainer / "members" / "eve")
    publish(
        maintainer,
        {
            "members/carol/2026/2026-11-20-ok.md": shared_entry("A fine entry"),
            "members/carol/2026/big.md": b"---\ntitle: big\n---\n" + b"x" * (2 * 1024 * 1024),
            "outside.md": shared_entry("Outside members"),
            ".gitattributes": "*.md filter=evil\n",
        },
    )
    marker = tmp_path / "filter-ran"
    # The filter driver is defined in the *member's* own git config: still never run.
    gitconfig = bob.home / ".gitconfig"
    subprocess.run(
        ["git", "config", "--file", str(gitconfig), "filter.evil.smudge", f"touch {marker}; cat"],
        check=True,
    )
    subprocess.run(
        ["git", "config", "--file", str(gitconfig), "filter.evil.process", f"touch {marker}"],
        check=True,
    )
    result = bob.ok("community", "pull")
    assert "symbolic link" in result.output and "larger than 1024 KB" in result.output
    assert "outside members/" in result.output
    titles = [i["title"] for i in json.loads(bob.ok("feed", "--json").stdout)]
    assert titles == ["A fine entry"]
    assert not marker.exists()


def test_crafted_dotdot_tree_is_refused(tmp_path: Path, cop: Path, maintainer: Path) -> None:
    blob = git(cop, "hash-object", "-w", "--stdin", data=b"escaped\n").strip()
    inner = git(cop, "mktree", data=f"100644 blob {blob}\tevil.md\n".encode()).strip()
    top = git(cop, "mktree", data=f"040000 tree {inner}\t..\n".encode()).strip()
    parent = git(cop, "rev-parse", "main").strip()
    commit = git(cop, "commit-tree", top, "-p", parent, "-m", "evil").strip()
    git(cop, "update-ref", "refs/heads/main", commit)
    member = Member(tmp_path / "people", "dave")
    result = member("community", "add", "cop", str(cop), "--member", "dave")
    assert result.exit_code == 1 and "safety checks" in result.output
    assert not (
        tmp_path / "people" / "dave" / "data" / "narrate" / "communities" / "cop.git"
    ).exists()
    assert not (tmp_path / "evil.md").exists()


def test_repo_config_commands_never_run(tmp_path: Path) -> None:
    source = tmp_path / "source"
    subprocess.run(["git", "init", "-q", "-b", "main", str(source)], check=True)
    marker = tmp_path / "fsmonitor-ran"
    git(source, "config", "core.fsmonitor", f"touch {marker}; false")
    git(source, "config", "core.pager", f"touch {marker}")
    publish_local = source / "members" / "carol" / "2026" / "2026-11-20-x.md"
    publish_local.parent.mkdir(parents=True)
    publish_local.write_text(shared_entry("From a local path"))
    subprocess.run(
        ["git", "-C", str(source), "-c", "core.fsmonitor=false", "add", "-A"], check=True
    )
    subprocess.run(
        ["git", "-C", str(source), "-c", "core.fsmonitor=false", "commit", "-qm", "x"], check=True
    )
    member = Member(tmp_path / "people", "erin")
    member.ok("community", "add", "local", str(source), "--member", "erin")
    member.ok("community", "pull")
    entry_id = member.ok("add", "Shared into a local community").stdout.strip()
    member.ok("share", entry_id, "--to", "local", "--dry-run")
    assert [i["title"] for i in json.loads(member.ok("feed", "--json").stdout)] == [
        "From a local path"
    ]
    assert not marker.exists()


def test_escape_sequences_and_markup_are_neutralised(bob: Member, maintainer: Path) -> None:
    hostile_title = (
        "Hi \x1b[2J\x1b]0;pwned\x07 [red]x[/red] [@click=app.quit]go[/] \x9b31m\u202eevil"
    )
    body = (
        "Text \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ "
        "and \x1b]52;c;SGVsbG8=\x07 done\n"
    )
    publish(maintainer, {"members/mallory/2026/2026-11-21-x.md": shared_entry(hostile_title, body)})
    bob.ok("community", "pull")
    human = CliRunner().invoke(main, ["feed"], env={**bob.env, "COLUMNS": "300"}).stdout
    as_json = bob.ok("feed", "--json").stdout
    for output in (human, as_json):
        assert "\x1b" not in output and "\x9b" not in output and "\u202e" not in output
        assert "\x07" not in output
    assert "[red]x[/red]" in human and "[@click=app.quit]go[/]" in human
    item = json.loads(as_json)[0]
    assert "[red]x[/red]" in item["title"]
    assert "pwned" not in item["title"] and "SGVsbG8" not in item["body"]


def test_review_findings_nothing_private_leaks(alice: Member, maintainer: Path, cop: Path) -> None:
    publish(
        maintainer,
        {
            "community.toml": "[vocabulary.synonyms]\n"
            'work = "\\u001b]8;;https://evil.example\\u001b\\\\job\\u001b]8;;\\u001b\\\\"\n'
            'tests = "testing"\n',
        },
    )
    alice.ok("community", "pull")
    path = alice.journal / "entries" / "2026" / "01" / "2026-01-06-0200-early.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\nid: 01EARLYENTRY0000000000000\ncreated: 2026-01-06T02:00:00+05:30\n"
        "tags: [work, tests]\npractice:\n  - area: review\n"
        "    change: 'Ask the #sentinel-tag owner first'\n    source: '#sentinel-tag'\n"
        "shared:\n  - community: cop\n    path: community.toml\n---\n"
        "<!-- private -->\nSENTINEL-TITLE about my boss\n<!-- /private -->\nPublic text.\n",
        "utf-8",
    )
    alice.ok("add", "nudge")  # commits; the outside file is indexed on the next read
    shared = alice.ok("share", "01EARLYENTRY", "--to", "cop", "--yes")
    assert "\x1b" not in shared.output
    objects = subprocess.run(
        ["git", "-C", str(cop), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")
    assert "SENTINEL" not in objects and "sentinel-tag" not in objects
    assert "title: Public text." in objects
    files = git(cop, "ls-tree", "-r", "--name-only", "main").split()
    # The UTC day (5 Jan), not the writer's local day; community.toml untouched.
    assert "members/alice/2026/2026-01-05-public-text.md" in files
    assert git(cop, "log", "-1", "--format=%s", "main", "--", "community.toml").strip() == "publish"
    assert "tags: [work, testing]" in shared.stdout  # tests -> the community's testing
    assert "change: Ask the owner first" in shared.stdout and "source:" not in shared.stdout


def test_a_community_larger_than_one_read_batch_is_read_whole(
    bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import narrate.community.repo as repo_module

    # Batches of a few hundred bytes: memory is bounded per batch, nothing is cut off.
    monkeypatch.setattr(repo_module, "READ_BATCH_BYTES", 600)
    monkeypatch.setattr(repo_module, "READ_BATCH_FILES", 2)
    publish(
        maintainer,
        {f"members/carol/2026/2026-11-2{i}-x.md": shared_entry(f"Entry {i}") for i in range(6)},
    )
    result = bob.ok("community", "pull")
    assert "beyond what narrate reads" not in result.output
    titles = [i["title"] for i in json.loads(bob.ok("feed", "--json").stdout)]
    assert sorted(titles) == [f"Entry {i}" for i in range(6)]


def test_the_feed_is_read_again_after_the_index_is_rebuilt(
    alice: Member, bob: Member, cop: Path
) -> None:
    import sqlite3

    from narrate.journal.index import index_path

    entry_id = add_secret_entry(alice)
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    bob.ok("community", "pull")
    titles = [i["title"] for i in json.loads(bob.ok("feed", "--json").stdout)]
    assert titles == ["Reviews with the tests first #review"]

    bob.ok("reindex", "--full")  # a new index: the feed tables start empty
    with sqlite3.connect(index_path(bob.journal)) as conn:
        assert conn.execute("SELECT count(*) FROM feed").fetchone() == (0,)
    # No pull needed: the unknown head makes the feed read the clone again.
    assert [i["title"] for i in json.loads(bob.ok("feed", "--json").stdout)] == titles

    index_path(bob.journal).write_bytes(b"not a database")  # corruption: rebuilt too
    assert [i["title"] for i in json.loads(bob.ok("feed", "--json").stdout)] == titles
    feed_id = json.loads(bob.ok("feed", "--json").stdout)[0]["feed_id"]
    assert bob.ok("adopt", feed_id).stdout.strip()
