"""Issue 17: private text must not reach a community through Unicode forms of a private
tag, look-alike private markers, a private flag written another way, comments of other
Markdown dialects, path-derived ids or attachment links."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.community.helpers import Member
from tests.community.test_privacy import (
    community_text,
    entry_file,
    member_files,
    set_private_tags,
)


def folded(text: str) -> str:
    """``text`` as a reader sees it: compatibility forms, case, accents and invisible
    characters aside (written here, not taken from narrate, so the test judges it)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Cf"))


def assert_never_published(cop: Path, *secrets: str) -> None:
    # Object names and entry ids are random: a hex "cafe" in one is no leak.
    text = re.sub(r"\b[0-9a-f]{40}\b|\b[0-9A-Z]{26}\b", " ", community_text(cop))
    published = folded(text)
    for secret in secrets:
        assert folded(secret) not in published, secret


PRIVATE = ["istanbul", "cafe", "strasse", "clientx"]
TAG_FORMS = [
    (PRIVATE, "#İstanbul", "istanbul"),
    (PRIVATE, "#İSTANBUL", "istanbul"),
    (["İstanbul"], "#ISTANBUL", "istanbul"),
    (["İstanbul"], "#istanbul", "istanbul"),
    (PRIVATE, "#café", "cafe"),
    (PRIVATE, "#Straße", "strasse"),
    (PRIVATE, "#ＣＬＩＥＮＴＸ", "clientx"),
    (["client-x"], "#ＣＬＩＥＮＴ－Ｘ", "client-x"),
    (PRIVATE, "#client\u200dx", "clientx"),
    (PRIVATE, "#client\u00adx", "clientx"),
    (PRIVATE, "#client\u200bx/sub", "clientx"),
    (PRIVATE, "_#clientx_", "clientx"),
    (PRIVATE, "#-clientx-", "clientx"),
]


@pytest.mark.parametrize(
    ("private", "written", "secret"), TAG_FORMS, ids=[repr(f[1]) for f in TAG_FORMS]
)
def test_a_private_tag_in_any_unicode_form_is_never_published(
    alice: Member, cop: Path, private: list[str], written: str, secret: str
) -> None:
    set_private_tags(alice, private)
    entry_id = alice.ok("add", f"Lunch {written} notes\nWe met {written} today.").stdout.strip()
    path = entry_file(alice, entry_id)
    text = path.read_text("utf-8")
    path.write_text(text.replace("\n---\n", f"\ntags: ['{written.strip('_')}']\n---\n", 1))
    dry = alice.ok("share", entry_id, "--to", "cop", "--dry-run")
    assert folded(secret) not in folded(dry.output)
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert_never_published(cop, secret)
    assert all(folded(secret) not in folded(name) for name in member_files(cop))
    assert "lunch" in community_text(cop).lower()  # the public rest was shared


MARKER_FORMS = ["PRİVATE", "ｐｒｉｖａｔｅ", "pri\u200bvate", "pri\u00advate", "рrivate", "privаte"]


@pytest.mark.parametrize("word", MARKER_FORMS, ids=[repr(w) for w in MARKER_FORMS])
def test_a_private_marker_in_any_unicode_form_is_honoured_or_refused(
    alice: Member, cop: Path, word: str
) -> None:
    text = f"Weekly notes\nbefore <!-- {word} -->SECRETM about my boss<!-- /{word} --> after"
    entry_id = alice.ok("add", text).stdout.strip()
    dry = alice("share", entry_id, "--to", "cop", "--dry-run")
    assert "SECRETM" not in dry.output
    shared = alice("share", entry_id, "--to", "cop", "--yes")
    assert "SECRETM" not in community_text(cop)
    if shared.exit_code != 0:
        # A refusal is one clear line naming the file, and nothing was published.
        assert "nothing was shared" in shared.output.lower()
        assert "Traceback" not in shared.output
        assert member_files(cop) == []
    else:
        assert "after" in community_text(cop)


@pytest.mark.parametrize("word", ["рrivate", "privаte", "ρrivate"])
def test_a_look_alike_private_marker_is_refused(alice: Member, cop: Path, word: str) -> None:
    entry_id = alice.ok("add", f"Weekly notes\n<!-- {word} -->SECRETM<!-- /{word} -->").stdout
    shared = alice("share", entry_id.strip(), "--to", "cop", "--yes")
    assert shared.exit_code != 0 and "nothing was shared" in shared.output.lower()
    assert member_files(cop) == [] and "SECRETM" not in community_text(cop)


@pytest.mark.parametrize(
    "line", ["Private: true", "PRIVATE: yes", "private: maybe", "private: [true]", 'private: "sí"']
)
def test_an_entry_flagged_private_any_way_is_never_shared(
    alice: Member, cop: Path, line: str
) -> None:
    entry_id = alice.ok("add", "SECRETF lunch\nbody").stdout.strip()
    path = entry_file(alice, entry_id)
    path.write_text(path.read_text("utf-8").replace("\n---\n", f"\n{line}\n---\n", 1))
    shared = alice("share", entry_id, "--to", "cop", "--yes")
    assert shared.exit_code != 0 and "can never be shared" in shared.output
    assert member_files(cop) == [] and "SECRETF" not in community_text(cop)


COMMENT_FORMS = [
    "before %%SECRETC inline%% after",
    "before\n%%\nSECRETC block\nmore\n%%\nafter",
    "before\n\n[//]: # (SECRETC a note)\n\nafter",
    'before\n\n[//]: # "SECRETC a note"\n\nafter',
    "before\n\n[comment]: <> (SECRETC a note)\n\nafter",
    "before\n\n[Comment]: # (SECRETC a\nnote over lines)\n\nafter",
    "before %%SECRETC never closed, hidden to the end as Obsidian does",
]


@pytest.mark.parametrize("body", COMMENT_FORMS, ids=range(len(COMMENT_FORMS)))
def test_obsidian_and_markdown_comments_are_not_published(
    alice: Member, cop: Path, body: str
) -> None:
    entry_id = alice.ok("add", f"Weekly notes\n{body}").stdout.strip()
    dry = alice.ok("share", entry_id, "--to", "cop", "--dry-run")
    assert "SECRETC" not in dry.output and "comment" in dry.output.lower()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "SECRETC" not in community_text(cop)
    assert "before" in community_text(cop)


def test_a_comment_in_the_title_is_not_published(alice: Member, cop: Path) -> None:
    entry_id = alice.ok("add", "Lunch %%SECRETC with Bob%% notes\nbody").stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "SECRETC" not in community_text(cop)
    assert all("secretc" not in name for name in member_files(cop))


def test_a_note_without_an_id_is_shared_with_a_random_id_not_its_path(
    alice: Member, cop: Path
) -> None:
    import hashlib

    from narrate.journal import frontmatter

    rel = "entries/2026/11/therapy-with-dr-SECRETP.md"
    note = alice.journal / rel
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text("---\ncreated: 2026-11-20T10:00:00Z\n---\n\nWeekly notes\nbody\n", "utf-8")
    derived = "P" + hashlib.sha1(rel.encode()).hexdigest()[:25].upper()
    assert derived in alice.ok("list", "--json").stdout  # read with the path's id
    alice.ok("share", derived, "--to", "cop", "--yes")
    (copy,) = member_files(cop)
    published = community_text(cop)
    assert derived not in published and "SECRETP" not in published
    assert hashlib.sha1(rel.encode()).hexdigest()[:25] not in published.lower()
    # The id the community holds is the one now written into the note (doctor's writer).
    stored = str(frontmatter.parse(note.read_text("utf-8").split("---\n")[1])["id"])
    assert stored != derived and not stored.startswith("P") and stored in published
    assert "SECRETP" not in copy.lower()


def test_a_dry_run_of_a_note_without_an_id_changes_nothing_and_previews_the_id_published(
    alice: Member, cop: Path
) -> None:
    import hashlib
    import re
    import subprocess

    from narrate.journal import frontmatter

    rel = "entries/2026/11/no-id.md"
    note = alice.journal / rel
    note.parent.mkdir(parents=True, exist_ok=True)
    text = "---\ncreated: 2026-11-20T10:00:00Z\n---\n\nNo id yet\nbody\n"
    note.write_text(text, "utf-8")
    derived = "P" + hashlib.sha1(rel.encode()).hexdigest()[:25].upper()
    alice.ok("list")

    def commits() -> str:
        args = ["git", "-C", str(alice.journal), "rev-list", "--all", "--count"]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    before = commits()
    dry = alice.ok("share", derived, "--to", "cop", "--dry-run")
    assert note.read_text("utf-8") == text and commits() == before
    assert derived in alice.ok("list", "--json").stdout  # the id the user saw still works
    previewed = re.search(r"^id: (\S+)$", dry.stdout, re.MULTILINE)
    assert previewed is not None and previewed.group(1) != derived
    alice.ok("share", derived, "--to", "cop", "--yes")
    stored = str(frontmatter.parse(note.read_text("utf-8").split("---\n")[1])["id"])
    assert stored in community_text(cop)


ATTACHMENT_LINKS = [
    "![scan](../../../attachments/2026/11/SECRETA-scan.png)",
    "[the report](../../../attachments/2026/11/SECRETA-report.pdf)",
    "[the report](<attachments/2026/11/SECRETA report.pdf>)",
    "![[SECRETA-photo.jpg]]",
    "![[SECRETA-photo.jpg|300]]",
    '<img src="../../../attachments/2026/11/SECRETA.png">',
    "see attachments/2026/11/SECRETA.png",
]


@pytest.mark.parametrize("link", ATTACHMENT_LINKS, ids=range(len(ATTACHMENT_LINKS)))
def test_an_attachment_link_is_replaced_in_the_shared_copy(
    alice: Member, cop: Path, link: str
) -> None:
    entry_id = alice.ok("add", f"Weekly notes\nbefore {link} after").stdout.strip()
    dry = alice.ok("share", entry_id, "--to", "cop", "--dry-run")
    assert "SECRETA" not in dry.output and "attachment" in dry.stderr.lower()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    published = community_text(cop)
    assert "SECRETA" not in published and "attachments/" not in published
    assert "[attachment not shared] after" in published and "before" in published


def test_percent_signs_and_comment_idioms_in_code_are_text_not_comments(
    alice: Member, cop: Path
) -> None:
    # `%%` in code is literal (Obsidian reads no comment there): a modulo in a fenced
    # block used to hide the rest of the entry from the shared copy.
    body = (
        "Modulo notes\n\n```\nx = a %% b\n[//]: # (in code)\n```\n\n"
        "Inline `y %% z` then AFTERCODE.\n\nVisible %%HIDDENWORD%% text\n"
    )
    entry_id = alice.ok("add", "-", input=body).stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    published = community_text(cop)
    assert "x = a %% b" in published and "[//]: # (in code)" in published
    assert "`y %% z` then AFTERCODE." in published
    assert "HIDDENWORD" not in published and "Visible  text" in published


def test_a_bare_attachments_path_is_replaced_but_not_the_words_around_it(
    alice: Member, cop: Path
) -> None:
    text = (
        "Tidy\nClean up the attachments/ folder, see `attachments/` and "
        "attachments/2026/SECRETB.png."
    )
    entry_id = alice.ok("add", text).stdout.strip()
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    published = community_text(cop)
    assert "SECRETB" not in published
    assert "the attachments/ folder, see `attachments/` and [attachment not shared]." in published
