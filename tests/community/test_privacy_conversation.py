"""The sentinel scan of the community's whole history, extended to the conversation
(issue 14): replies, shared check-backs and outcomes leak nothing marked private."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.community.helpers import Member, publish, shared_entry
from tests.community.test_privacy import assert_clean, community_text, member_files

ROOT = "members/carol/2026/2026-11-20-root.md"


def carol_root(member: Member, maintainer: Path) -> str:
    """carol's shared practice change in the community; its feed id as member sees it."""
    publish(maintainer, {ROOT: shared_entry("Root")})
    member.ok("community", "pull")
    (item,) = json.loads(member.ok("feed", "--json").stdout)
    return str(item["feed_id"])


def journal_entries(member: Member) -> list[dict[str, object]]:
    return list(json.loads(member.ok("list", "-n", "1000", "--json").stdout))


def test_a_reply_is_redacted_like_a_share(alice: Member, cop: Path, maintainer: Path) -> None:
    root = carol_root(alice, maintainer)
    text = (
        "Tried it #sentinel-tag today.\n"
        "<!-- private -->SENTR my manager hates it<!-- /private -->\n"
        "Works for us. <!-- a comment SENTC -->\n"
    )
    dry = alice.ok("reply", root, "-", "--dry-run", input=text)
    assert "SENTR" not in dry.output and "sentinel-tag" not in dry.stdout
    assert "in_reply_to:" in dry.stdout and "members/alice/replies/" in dry.output
    # A dry run writes nothing anywhere.
    assert journal_entries(alice) == [] and member_files(cop) == []

    reply_id = alice.ok("reply", root, "-", "--yes", input=text).stdout.split()[0]
    (path,) = member_files(cop)
    assert path.startswith("members/alice/replies/2026/")
    assert "Works for us." in community_text(cop)
    assert_clean(cop, "SENTR", "SENTC", "sentinel-tag", "manager")
    # The reply is the user's own entry too, private parts and all.
    (kept,) = journal_entries(alice)
    assert kept["id"] == reply_id
    shown = json.loads(alice.ok("show", reply_id, "--json").stdout)
    assert "SENTR" in shown["body"]


def test_a_reply_whose_push_fails_stays_in_the_journal(
    alice: Member, cop: Path, maintainer: Path, tmp_path: Path
) -> None:
    root = carol_root(alice, maintainer)
    away = tmp_path / "away.git"
    shutil.move(cop, away)
    failed = alice("reply", root, "Kept whatever happens", "--yes")
    assert failed.exit_code == 1
    assert "kept in your journal" in failed.output and "narrate share" in failed.output
    (kept,) = journal_entries(alice)
    shutil.move(away, cop)
    alice.ok("share", str(kept["id"]), "--yes")  # its own community, unasked
    (path,) = member_files(cop)
    assert path.startswith("members/alice/replies/")


def test_shared_check_backs_carry_answers_not_notes_or_outcomes(
    alice: Member, cop: Path, maintainer: Path
) -> None:
    root = carol_root(alice, maintainer)
    adopted = alice.ok("adopt", root).stdout.strip()
    alice.ok("share", adopted, "--yes")
    alice.ok(
        "practice",
        "check",
        adopted,
        "--answer",
        "partly",
        "--note",
        "SENTN my team lead objected",
        "--outcome",
        "SENTO fewer reruns",
        "--reshare",
        "--yes",
    )
    text = community_text(cop)
    assert "answer: partly" in text and "adopted_from:" in text
    assert_clean(cop, "SENTN", "SENTO", "team lead", "fewer reruns")


def test_notes_and_outcomes_shared_on_request_are_still_redacted(
    alice: Member, cop: Path, maintainer: Path
) -> None:
    root = carol_root(alice, maintainer)
    adopted = alice.ok("adopt", root).stdout.strip()
    alice.ok(
        "practice",
        "check",
        adopted,
        "--answer",
        "yes",
        "--status",
        "adopted",
        "--note",
        "Fine <!-- private -->SENTP1 after the layoffs<!-- /private -->",
        "--outcome",
        "Faster builds #sentinel-tag <!-- private -->SENTP2 and my bonus<!-- /private -->",
    )
    alice.ok("share", adopted, "--yes", "--with-notes")
    text = community_text(cop)
    assert "outcome: Faster builds" in text and "note: Fine" in text
    assert_clean(cop, "SENTP1", "SENTP2", "layoffs", "bonus", "sentinel-tag")


def test_the_check_backs_section_ends_at_a_heading_not_at_a_tag_line() -> None:
    from narrate.community.share import without_checkbacks

    body = (
        "Intro\n\n## Check-backs\n\n- 2026-11-20 · ci: Lint — still doing it. SENTNOTE\n"
        "#ci a line that starts with a tag\n<!-- private -->\nx\n<!-- /private -->\n"
        "## Next\n\nKept\n"
    )
    kept = without_checkbacks(body)
    assert "SENTNOTE" not in kept and "<!--" not in kept
    assert kept.startswith("Intro\n") and "## Next\n\nKept\n" in kept
