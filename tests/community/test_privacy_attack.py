"""Leaks the review's attack found after issue 11's fixes: a title kept from a line that
was later marked private, a private area outside ASCII, and an unshare that said it
removed a copy it never found."""

from __future__ import annotations

from pathlib import Path

from tests.community.helpers import Member, git
from tests.community.test_privacy import (
    assert_clean,
    entry_file,
    member_files,
    set_private_tags,
)


def test_a_title_whose_line_was_later_marked_private_is_withheld(alice: Member, cop: Path) -> None:
    entry_id = alice.ok("add", "SENTX Lunch with the recruiter\nWe talked about the role.").stdout
    entry_id = entry_id.strip()
    path = entry_file(alice, entry_id)
    text = path.read_text("utf-8")
    line = "SENTX Lunch with the recruiter"
    # The body's line goes private; the title: key still holds the words.
    body_start = text.index("\n---\n") + 5
    head, body = text[:body_start], text[body_start:]
    path.write_text(head + body.replace(line, f"<!-- private -->{line}<!-- /private -->"))
    assert f"title: {line}" in path.read_text("utf-8")
    dry = alice.ok("share", entry_id, "--to", "cop", "--dry-run")
    assert "SENTX" not in dry.output
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert_clean(cop, "SENTX", "sentx")
    assert all("sentx" not in name for name in member_files(cop))


def test_a_practice_area_that_is_a_private_tag_in_any_script_is_not_published(
    alice: Member, cop: Path
) -> None:
    set_private_tags(alice, ["santé"])
    entry_id = alice.ok("add", "Weekly notes\nbody").stdout.strip()
    path = entry_file(alice, entry_id)
    text = path.read_text("utf-8")
    path.write_text(
        text.replace(
            "\n---\n",
            "\npractice:\n- area: santé\n  change: SENTQ talk to my therapist\n---\n",
            1,
        ),
        "utf-8",
    )
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert_clean(cop, "SENTQ")


def test_unshare_removes_the_recorded_copy_even_when_its_id_was_changed(
    alice: Member, cop: Path, tmp_path: Path
) -> None:
    entry_id = alice.ok("add", "Shared then forged\nbody").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    (copy,) = member_files(cop)
    # Another member rewrites the id inside alice's copy and pushes.
    work = tmp_path / "bob-work"
    git(tmp_path, "clone", "-q", str(cop), str(work))
    forged = work / copy
    forged.write_text(forged.read_text("utf-8").replace(entry_id, "01NOTYOURS00000000000000000"))
    git(work, "-c", "user.name=bob", "-c", "user.email=b@x", "commit", "-qam", "forge")
    git(work, "push", "-q", "origin", "HEAD:main")
    result = alice.ok("unshare", entry_id, "--from", "cop")
    assert copy not in member_files(cop) and "Removed" in result.output


def test_unshare_never_says_removed_of_a_copy_that_is_not_there(
    alice: Member, cop: Path, tmp_path: Path
) -> None:
    entry_id = alice.ok("add", "Shared then moved away\nbody").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    (copy,) = member_files(cop)
    work = tmp_path / "bob-work"
    git(tmp_path, "clone", "-q", str(cop), str(work))
    git(work, "rm", "-q", copy)
    git(work, "-c", "user.name=bob", "-c", "user.email=b@x", "commit", "-qm", "gone")
    git(work, "push", "-q", "origin", "HEAD:main")
    result = alice("unshare", entry_id, "--from", "cop")
    assert result.exit_code == 1 and "nothing was removed" in result.output, result.output
    assert "Removed" not in result.output
