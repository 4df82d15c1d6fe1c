"""Attachments come along: Day One's photos, audio and PDFs from the export zip, an
Obsidian vault's embedded files; hostile archives and vaults lose nothing and write
nothing outside the journal."""

from __future__ import annotations

import json
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli, commit_count, git, snapshot, tracked, write
from tests.importers.conftest import PHOTO_ID, PHOTO_MD5, dayone_export

AUDIO_ID = "0B1F4E2C9A8D4B6E8F7A6B5C4D3E2F10"
AUDIO_MD5 = "5d41402abc4b2a76b9719d911017c592"
PDF_ID = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
PDF_MD5 = "7d793037a0760186574b0282f2f435e7"
MISSING_MD5 = "0123456789abcdef0123456789abcdef"
PHOTO = b"\xff\xd8\xff\xe0 a photo"
AUDIO = b"ftypM4A  an audio memo"
PDF = b"%PDF-1.4 a boarding pass"
LINK = re.compile(r"\]\(([^)]+)\)")


def media_export() -> dict[str, Any]:
    """The Day One export with an audio memo and a PDF on the first entry, and a photo
    on the second that the zip lacks."""
    data = dayone_export()
    first, second = data["entries"][0], data["entries"][1]
    first["text"] += f"\n\n![](dayone-moment:/audio/{AUDIO_ID})\n"
    first["audios"] = [
        {"identifier": AUDIO_ID, "md5": AUDIO_MD5, "format": "m4a", "duration": 12.5}
    ]
    # Listed with the entry but not placed in its text: linked at the end.
    first["pdfAttachments"] = [{"identifier": PDF_ID, "md5": PDF_MD5, "type": "pdf"}]
    second["text"] += "![](dayone-moment://FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF)\n"
    second["photos"] = [
        {"identifier": "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "md5": MISSING_MD5, "type": "jpeg"}
    ]
    return data


def make_zip(path: Path, data: dict[str, Any], extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Journal.json", json.dumps(data))
        archive.writestr(f"photos/{PHOTO_MD5}.jpeg", PHOTO)
        archive.writestr(f"audios/{AUDIO_MD5}.m4a", AUDIO)
        archive.writestr(f"pdfs/{PDF_MD5}.pdf", PDF)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return path


def entries_by_uuid(cli: Cli) -> dict[str, dict[str, Any]]:
    return {e["front_matter"]["dayone"]["uuid"]: e for e in json.loads(cli.ok("export").stdout)}


def resolved_links(cli: Cli, entry: dict[str, Any]) -> list[Path]:
    """Every relative link of an entry, resolved from its file as Obsidian does."""
    folder = (cli.root / entry["path"]).parent
    return [
        (folder / target).resolve()
        for target in LINK.findall(entry["body"])
        if not target.startswith("dayone-moment:")
    ]


def test_day_one_media_is_copied_and_linked(cli: Cli, tmp_path: Path) -> None:
    source = make_zip(tmp_path / "export.zip", media_export())
    result = cli("import", "dayone", str(source))
    assert result.exit_code == 0, result.output
    assert "Copied 3 attachments into attachments/" in result.stdout
    packed = entries_by_uuid(cli)["2F8DDCA258634D9994DF3A4FEE328035"]
    body = packed["body"]
    assert "dayone-moment" not in body
    assert f"![](../../../attachments/2021/03/{PHOTO_MD5}.jpeg)" in body
    # Audio and PDFs are linked, not embedded as images (a browser shows them as links).
    assert f"[audio](../../../attachments/2021/03/{AUDIO_MD5}.m4a)" in body
    assert body.rstrip().endswith(f"[PDF](../../../attachments/2021/03/{PDF_MD5}.pdf)")
    files = resolved_links(cli, packed)
    assert [f.read_bytes() for f in files] == [PHOTO, AUDIO, PDF]
    assert all(cli.root.resolve() in f.parents for f in files)
    # Git-tracked, in the import's one commit.
    assert {
        f"attachments/2021/03/{PHOTO_MD5}.jpeg",
        f"attachments/2021/03/{AUDIO_MD5}.m4a",
        f"attachments/2021/03/{PDF_MD5}.pdf",
    } <= tracked(cli.root)
    assert git(cli.root, "status", "--porcelain").strip() == ""


def test_a_missing_file_is_one_line_for_its_entry(cli: Cli, tmp_path: Path) -> None:
    source = make_zip(tmp_path / "export.zip", media_export())
    result = cli.ok("import", "dayone", str(source))
    lines = [line for line in result.stdout.splitlines() if "not in the export" in line]
    assert lines == [
        f"Note: Journal.json entry 2 (ABF26CD8D3EA42E298F1C3D5EFB0CF83): 1 attachment not in "
        f"the export (photos/{MISSING_MD5}); its links and the list of its media are kept"
    ]
    fireworks = entries_by_uuid(cli)["ABF26CD8D3EA42E298F1C3D5EFB0CF83"]
    # Nothing lost: Day One's link and the media record stay.
    assert "![](dayone-moment://FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF)" in fireworks["body"]
    assert fireworks["front_matter"]["dayone"]["photos"][0]["md5"] == MISSING_MD5


def test_reimport_copies_nothing_twice(cli: Cli, tmp_path: Path) -> None:
    source = make_zip(tmp_path / "export.zip", media_export())
    cli.ok("import", "dayone", str(source))
    files, commits = snapshot(cli.root), commit_count(cli.root)
    result = cli.ok("import", "dayone", str(source))
    assert "Copied" not in result.stdout
    assert snapshot(cli.root) == files
    assert commit_count(cli.root) == commits


def test_verify_accepts_the_rewritten_links(cli: Cli, tmp_path: Path) -> None:
    source = make_zip(tmp_path / "export.zip", media_export())
    result = cli.ok("import", "dayone", str(source), "--verify")
    assert "nothing is lost" in result.stdout


def test_hostile_zip_members_are_refused_with_one_line(cli: Cli, tmp_path: Path) -> None:
    source = make_zip(
        tmp_path / "export.zip",
        media_export(),
        {"../../x": b"escape", "/etc/evil": b"absolute"},
    )
    # A member that claims to be a symlink (unix mode in the external attributes).
    with zipfile.ZipFile(source, "a") as archive:
        info = zipfile.ZipInfo(f"photos/{MISSING_MD5}.jpeg")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    result = cli("import", "dayone", str(source))
    assert result.exit_code == 0, result.output
    assert "skipped the zip entry '../../x': its path leaves the export" in result.stdout
    assert "skipped the zip entry '/etc/evil': its path leaves the export" in result.stdout
    assert f"skipped the zip entry 'photos/{MISSING_MD5}.jpeg': it is a symlink" in result.stdout
    assert not (tmp_path / "x").exists() and not (cli.root.parent / "x").exists()
    # Every entry still came in, the good media with it.
    assert len(entries_by_uuid(cli)) == 4
    assert (cli.root / f"attachments/2021/03/{PHOTO_MD5}.jpeg").read_bytes() == PHOTO


def test_unzipped_folder_refuses_a_symlinked_photo(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write(folder, "Journal.json", json.dumps(dayone_export()))
    secret = write(tmp_path, "secret.txt", "not a photo")
    (folder / "photos").mkdir()
    (folder / "photos" / f"{PHOTO_MD5}.jpeg").symlink_to(secret)
    result = cli.ok("import", "dayone", str(folder))
    assert "1 attachment not in the export" in result.stdout
    assert "a symlink" in result.stdout
    assert not (cli.root / "attachments").exists()
    packed = entries_by_uuid(cli)["2F8DDCA258634D9994DF3A4FEE328035"]
    assert f"![](dayone-moment://{PHOTO_ID})" in packed["body"]


# ---------------------------------------------------------------------------- Obsidian


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """An Obsidian vault with embedded attachments in the ways Obsidian writes them."""
    root = tmp_path / "vault"
    write(
        root,
        "Projects/Retro notes.md",
        "---\ntags: [retro]\n---\n# Retro\n\n![[whiteboard.png]]\n![[diagram.png|300]]\n"
        "![chart](img/chart%20v2.png)\n![[Daily/2024-01-05]]\n"
        "```\n![[whiteboard.png]] stays code\n```\n"
        "![[gone.png]] and ![](../../outside.png) and ![[linked.png]]\n"
        "![remote](https://example.com/x.png)\n",
    )
    write(root, "Daily/2024-01-05.md", "A day, linking [[Retro notes]].\n")
    write(root, "Attachments/whiteboard.png", b"\x89PNG whiteboard")
    write(root, "Projects/diagram.png", b"\x89PNG diagram")
    write(root, "Projects/img/chart v2.png", b"\x89PNG chart")
    write(tmp_path, "outside.png", b"outside the vault")
    (root / "Attachments" / "linked.png").symlink_to(tmp_path / "outside.png")
    return root


def test_vault_attachments_are_copied_and_linked(cli: Cli, vault: Path) -> None:
    result = cli.ok("import", "markdown", str(vault))
    assert "Copied 3 attachments into attachments/" in result.stdout
    notes = {e["title"]: e for e in json.loads(cli.ok("export").stdout)}
    retro = notes["Retro notes"]
    body = retro["body"]
    assert "![whiteboard.png](../../../attachments/" in body
    assert "![diagram.png](../../../attachments/" in body
    assert "![chart](../../../attachments/" in body
    assert "![[Daily/2024-01-05]]" in body  # a note embedded in a note stays
    assert "```\n![[whiteboard.png]] stays code\n```" in body
    assert "![remote](https://example.com/x.png)" in body
    files = resolved_links(cli, {**retro, "body": body.split("```")[0]})
    contents = {f.read_bytes() for f in files if f.exists()}
    assert contents == {b"\x89PNG whiteboard", b"\x89PNG diagram", b"\x89PNG chart"}
    assert retro["front_matter"]["aliases"] == ["Retro notes"]
    names = sorted(p.name for p in (cli.root / "attachments").rglob("*") if p.is_file())
    assert names == ["chart-v2.png", "diagram.png", "whiteboard.png"]


def test_vault_problems_are_one_line_per_note(cli: Cli, vault: Path) -> None:
    result = cli.ok("import", "markdown", str(vault))
    lines = [line for line in result.stdout.splitlines() if "not found" in line]
    assert len(lines) == 1
    assert lines[0].startswith("Note: Projects/Retro notes.md: 3 attachments not found in ")
    assert "gone.png" in lines[0] and "../../outside.png" in lines[0]
    assert "linked.png (a symlink" in lines[0]
    body = {e["title"]: e for e in json.loads(cli.ok("export").stdout)}["Retro notes"]["body"]
    # The links stay as they were: nothing is lost, and nothing outside the vault is read.
    assert "![[gone.png]] and ![](../../outside.png) and ![[linked.png]]" in body
    assert b"outside the vault" not in b"".join(snapshot(cli.root).values())


def test_large_files_are_noted_and_oversized_ones_left_out(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import narrate.importers.dayone
    import narrate.journal.attachments

    # Limits scaled down: the photo (16 bytes) counts as large, the audio (22) as too big.
    monkeypatch.setattr(narrate.journal.attachments, "LARGE_BYTES", 10)
    monkeypatch.setattr(narrate.importers.dayone, "MAX_BYTES", 20)
    source = make_zip(tmp_path / "export.zip", media_export())
    result = cli.ok("import", "dayone", str(source))
    assert f"  large: attachments/2021/03/{PHOTO_MD5}.jpeg (0 MB;" in result.stdout
    assert f"audios/{AUDIO_MD5}.m4a (22 bytes, over the limit)" in result.stdout
    packed = entries_by_uuid(cli)["2F8DDCA258634D9994DF3A4FEE328035"]
    assert f"![](dayone-moment:/audio/{AUDIO_ID})" in packed["body"]
