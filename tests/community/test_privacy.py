"""Issue 11: nothing the user marked private leaves the journal, in any published field,
and a member's copies of an entry are found by the entry id inside them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.community.helpers import Member, git, publish


def community_text(cop: Path) -> str:
    """Every object of the community remote and every commit's metadata, as text."""
    objects = subprocess.run(
        ["git", "-C", str(cop), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")
    log = git(cop, "log", "--all", "--format=%an%n%ae%n%cn%n%ce%n%B%n%N")
    return objects + log


def member_files(cop: Path, member: str = "alice") -> list[str]:
    """The files under members/<member>/ on the community's main branch."""
    files = git(cop, "ls-tree", "-r", "--name-only", "main").split()
    return [f for f in files if f.startswith(f"members/{member}/")]


def set_private_tags(member: Member, tags: list[str]) -> None:
    """Replace the member's private_tags, keeping the communities they joined."""
    path = member.home / "config" / "narrate" / "config.toml"
    listed = ", ".join('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in tags)
    text = re.sub(r"(?m)^private_tags = .*$", f"private_tags = [{listed}]", path.read_text())
    path.write_text(text, "utf-8")


def entry_file(member: Member, entry_id: str) -> Path:
    return next(p for p in member.journal.glob("entries/*/*/*.md") if entry_id in p.read_text())


def assert_clean(cop: Path, *sentinels: str) -> None:
    published = community_text(cop).lower()
    for sentinel in sentinels:
        assert sentinel.lower() not in published, sentinel


# ---------------------------------------------------------------------- item 2


def test_a_private_block_in_the_first_line_is_redacted_everywhere(
    alice: Member, cop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = alice.ok(
        "add", "Met <!-- private -->Bob from HR about my raise<!-- /private --> today\nPublic body"
    ).stdout.strip()
    dry = alice.ok("share", entry_id, "--to", "cop", "--dry-run")
    assert "Bob from HR" not in dry.output and "<!--" not in dry.output
    assert "title: Met today" in dry.stdout

    # The app's preview: nothing it shows as published (+ lines) holds the block.
    from narrate.community.share import prepare_share, share_diff
    from narrate.config import load_config
    from narrate.journal.core import Journal

    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, alice.env[var])
    with Journal.open(alice.journal) as journal:
        copy, context = prepare_share(journal, load_config(), "cop", entry_id)
        diff = share_diff(context, copy)
    added = [line for line in diff if line.startswith("+")]
    assert "+title: Met today" in added
    assert not any("Bob" in line or "<!--" in line for line in added)

    alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert_clean(cop, "Bob", "raise", "from-hr", "<!--")
    (path,) = member_files(cop)
    assert path.endswith("-met-today.md")


# ---------------------------------------------------------------------- item 3


def test_private_tags_written_like_tags_still_protect(alice: Member, cop: Path) -> None:
    set_private_tags(alice, ["#Health", "Salary "])
    entry_id = alice.ok(
        "add", "Talk about #salary today\nThe doctor said #health is fine. #HEALTH/sleep too"
    ).stdout.strip()
    shared = alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "salary" not in shared.stdout.lower() and "health" not in shared.stdout.lower()
    assert_clean(cop, "salary", "health")


# ---------------------------------------------------------------------- item 4


def test_private_tags_outside_ascii_are_removed_from_every_field(alice: Member, cop: Path) -> None:
    set_private_tags(alice, ["santé", "здоровье"])
    entry_id = alice.ok(
        "add",
        "Saw the doctor #santé\n\n"
        "## Notes #Santé\n\n- a list item #здоровье\n- [a link #santé](https://example.com)\n"
        "Public words.\n",
        "--practice",
        "focus:Walk after lunch #santé",
        "--before",
        "Sat all day #здоровье",
    ).stdout.strip()
    shared = alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "tags: []" in shared.stdout  # not the ASCII grammar's 'sant'
    assert "Public words." in shared.stdout and "Walk after lunch" in shared.stdout
    assert_clean(cop, "santé", "sante", "sant", "здоровье")


# ---------------------------------------------------------------------- item 5


def test_private_markers_in_practice_fields_are_honoured(alice: Member, cop: Path) -> None:
    entry_id = alice.ok(
        "add",
        "Practice fields\nPublic body.",
        "--practice",
        "focus:Ask <!-- private -->my therapist<!-- /private --> before deciding",
        "--before",
        "Decided <!--- private --->after the divorce<!--- /private ---> alone",
        "--source",
        "a book <!-- private -->Dr. Secretname<!-- /private -->",
    ).stdout.strip()
    shared = alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "change: Ask before deciding" in shared.stdout
    assert "before: Decided alone" in shared.stdout and "source: a book" in shared.stdout
    assert_clean(cop, "therapist", "divorce", "Secretname", "<!--")


# ---------------------------------------------------------------------- item 6

VARIANTS = [
    ("<!--- private --->", "<!--- /private --->"),
    ("<!--private-->", "<!--/private-->"),
    ("<!-- PRIVATE -->", "<!-- /PRIVATE -->"),
    ("<!--   private   -->", "<!--  / private  -->"),
    ("<!---- Private ---->", "<!-- end private -->"),
]


@pytest.mark.parametrize(("opening", "closing"), VARIANTS)
def test_marker_variants_are_honoured(alice: Member, cop: Path, opening: str, closing: str) -> None:
    entry_id = alice.ok(
        "add", "-", input=f"Variants\n\nBefore.\n{opening}\nSENTINEL-VARIANT\n{closing}\nAfter.\n"
    ).stdout.strip()
    shared = alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "Before." in shared.stdout and "After." in shared.stdout
    assert_clean(cop, "SENTINEL-VARIANT", "private")


@pytest.mark.parametrize(
    ("body", "bad", "said"),
    [
        ("a\n<!--- private --->\nSECRET\n", "<!--- private --->", "never closed"),
        ("a\nSECRET\n<!--/private-->\nb\n", "<!--/private-->", "without an opening"),
        (
            "a\n<!-- private -->\nx\n<!-- private -->\nSECRET\n<!-- /private -->\n",
            "<!-- private -->",
            "never closed",
        ),
        ("a\n<!-- begin privat -->\nSECRET\n<!-- private: end -->\nb\n", "", "marker"),
    ],
)
def test_markers_that_cannot_be_paired_are_refused_naming_the_line(
    alice: Member, cop: Path, body: str, bad: str, said: str
) -> None:
    entry_id = alice.ok("add", "-", input=f"Unpaired\n\n{body}").stdout.strip()
    refused = alice("share", entry_id, "--to", "cop", "--yes")
    assert refused.exit_code == 1 and said in refused.output, refused.output
    lines = entry_file(alice, entry_id).read_text("utf-8").splitlines()
    if bad:
        assert f"line {lines.index(bad) + 1}:" in refused.output, refused.output
    else:
        assert re.search(r"line \d+:", refused.output), refused.output
    assert member_files(cop) == []


def test_unpaired_markers_in_a_title_are_refused(alice: Member, cop: Path) -> None:
    # --title: a capture's first line is also its body, which would be refused first.
    title = "Met <!-- private -->Bob from HR"
    entry_id = alice.ok("add", "body", "--title", title).stdout.strip()
    refused = alice("share", entry_id, "--to", "cop", "--yes")
    lines = entry_file(alice, entry_id).read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("title:"))
    assert refused.exit_code == 1 and f"line {line} (title):" in refused.output, refused.output
    assert "never closed" in refused.output
    assert member_files(cop) == []


# ---------------------------------------------------------------------- item 8


def test_re_sharing_after_a_title_edit_moves_the_copy(alice: Member, cop: Path) -> None:
    entry_id = alice.ok("add", "Interview at Google went well\nbody").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    (old,) = member_files(cop)
    path = entry_file(alice, entry_id)
    path.write_text(
        path.read_text("utf-8").replace("Interview at Google went well", "An interview"), "utf-8"
    )
    dry = alice.ok("share", entry_id, "--to", "cop", "--dry-run")
    assert old in dry.output and "removed" in dry.output
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    (new,) = member_files(cop)
    assert new.endswith("-an-interview.md")
    # One commit moved it: the old path went in the same commit the new one came in.
    changes = git(cop, "show", "--no-renames", "--name-status", "--format=%s", "main").split("\n")
    assert f"D\t{old}" in changes and f"A\t{new}" in changes
    assert "google" not in git(cop, "log", "-1", "--format=%s", "main").lower()


def test_the_preview_says_the_copy_moves(
    alice: Member, cop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.community.share import prepare_share
    from narrate.config import load_config
    from narrate.journal.core import Journal

    entry_id = alice.ok("add", "Old title\nbody").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    (old,) = member_files(cop)
    path = entry_file(alice, entry_id)
    path.write_text(path.read_text("utf-8").replace("Old title", "New title"), "utf-8")
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, alice.env[var])
    with Journal.open(alice.journal) as journal:
        copy, _context = prepare_share(journal, load_config(), "cop", entry_id)
    assert copy.removes == [old]
    assert old in copy.summary() and copy.path in copy.summary()
    assert any(old in warning for warning in copy.warnings)


# ---------------------------------------------------------------------- item 12


def forget_shares(member: Member, entry_id: str) -> None:
    """The entry as an interrupted publish leaves it: pushed, but no ``shared`` record."""
    path = entry_file(member, entry_id)
    text = path.read_text("utf-8")
    text = re.sub(r"(?m)^shared:\n(?:  .*\n)+", "", text)
    path.write_text(text, "utf-8")
    assert "shared:" not in text


def test_a_retried_share_updates_the_entrys_own_copy(alice: Member, cop: Path) -> None:
    entry_id = alice.ok("add", "Retried share\nfirst body").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    (first,) = member_files(cop)
    forget_shares(alice, entry_id)
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert member_files(cop) == [first]


def test_unshare_removes_every_copy_carrying_the_id(
    alice: Member, cop: Path, maintainer: Path
) -> None:
    entry_id = alice.ok("add", "Copied twice\nbody").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    (first,) = member_files(cop)
    git(maintainer, "pull", "-q", "origin", "main")
    duplicate = first.replace(".md", "-2.md")
    other = first.replace("copied-twice", "someone-else")
    publish(
        maintainer,
        {
            duplicate: (maintainer / first).read_text(),
            other: (maintainer / first).read_text().replace(entry_id, "01OTHERENTRY0000000000000"),
        },
    )
    alice.ok("unshare", entry_id, "--from", "cop")
    assert member_files(cop) == [other]


def test_unshare_without_a_record_still_removes_the_copy(alice: Member, cop: Path) -> None:
    entry_id = alice.ok("add", "Record lost\nbody").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    forget_shares(alice, entry_id)
    alice.ok("unshare", entry_id, "--from", "cop")
    assert member_files(cop) == []


# ---------------------------------------------------------------------- items 3, 4: the rule


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("a #health b", "a b"),
        ("a #Health/sleep b", "a b"),
        ("a #health- b", "a b"),  # the ASCII grammar reads #health- as health
        ("a #healthé b", "a b"),  # ...and #healthé as health too
        ("a #healthy #health_x #health-x b", "a #healthy #health_x #health-x b"),
        ("a #santé, b", "a , b"),
        ("a #SANTÉ. b", "a . b"),
        ("a #sante\u0301 b", "a b"),  # written decomposed (NFD)
        ("a #santé/x b", "a b"),
        ("a #santéx #sant b", "a #santéx #sant b"),
        ("(#秘密)", "()"),
        ("x#health y", "x y"),  # not a tag to the grammar, still private text
    ],
)
def test_private_tags_go_as_any_grammar_reads_them(text: str, published: str) -> None:
    from narrate.community.share import redact_text

    private = ["health", "santé", "秘密"]
    assert redact_text(text, private, lambda _: "here", one_line=True) == published
