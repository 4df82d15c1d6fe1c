"""Issue 16, the vault: a folder written the way Obsidian writes it is a journal. Notes
without front matter in any folder, block-style tags, aliases, Unicode tags and titles,
an .obsidian/ folder whose per-device files never travel, ids that survive renames."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.journal.sync import Syncer, clone, set_remote
from tests.community.helpers import Member
from tests.helpers import Cli

WORKSPACE = {"main": {"id": "a1", "type": "split", "children": []}, "active": "a1"}

# Relative path -> text, as Obsidian (and a person in it) writes them.
VAULT: dict[str, str] = {
    # The default daily note: at the root, named by its date, no front matter.
    "2026-12-01.md": "Walked to the river before work. #outside #Über-team\n",
    "Daily/2026-11-30.md": "# Retro day\n\n## What did I do?\n\nPlanned the sprint #work\n",
    "Projects/Retro notes.md": (
        "---\n"
        "tags:\n"
        "  - work\n"
        "  - Обзор\n"
        "aliases:\n"
        "  - Sprint retro\n"
        "  - Ретроспектива\n"
        "created: 2026-11-28T10:30\n"
        "---\n"
        "What went well, what did not.\n"
    ),
    "Projects/Deep/Nested/idea.md": "An idea with no date and no heading #日本語\n",
    "Straße.md": "---\ntitle: Straße\ntags: [STRASSE]\n---\nA street in #İstanbul\n",
    "Notes/हिंदी.md": "# समाचार\n\nआज की खबर #हिंदी\n",
    "Templates/Daily template.md": "# {{date}}\n\n## What did I do?\n",
    ".obsidian/snippets/not-an-entry.md": "# CSS notes\n",
}
OBSIDIAN = {
    ".obsidian/app.json": '{"alwaysUpdateLinks": true}\n',
    ".obsidian/appearance.json": '{"theme": "obsidian"}\n',
    ".obsidian/workspace.json": json.dumps(WORKSPACE) + "\n",
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout


def tracked(root: Path) -> set[str]:
    return set(git(root, "ls-files", "-z").split("\0")) - {""}


def write_vault(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def write_config(text: str) -> None:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "narrate" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """An Obsidian vault made a journal with ``narrate init`` (ignoring Templates/)."""
    root = tmp_path / "vault"
    write_vault(root, {**VAULT, **OBSIDIAN})
    write_config('ignore = ["Templates"]\n')
    Cli(root).ok("init", str(root))
    return root


def titles(cli: Cli) -> dict[str, dict[str, object]]:
    return {item["title"]: item for item in cli.json("list", "--all")}


def test_list_search_and_tags_read_the_whole_vault(vault: Path) -> None:
    cli = Cli(vault)
    found = titles(cli)
    # Titles: the first "#" heading, else the file name; hidden and ignored folders skipped.
    assert set(found) == {"2026-12-01", "Retro day", "Retro notes", "idea", "Straße", "समाचार"}
    assert found["2026-12-01"]["created"].startswith("2026-12-01")  # type: ignore[union-attr]
    assert found["Retro day"]["created"].startswith("2026-11-30")  # type: ignore[union-attr]
    assert found["Retro notes"]["tags"] == ["work", "обзор"]
    assert found["Straße"]["tags"] == ["strasse", "i̇stanbul"]
    assert found["idea"]["path"] == "Projects/Deep/Nested/idea.md"

    def search(query: str) -> list[str]:
        return [item["title"] for item in cli.json("search", query)]

    # Aliases are titles too; tags compare by Unicode case folding.
    assert search('"sprint retro"') == ["Retro notes"]
    assert search("Ретроспектива") == ["Retro notes"]
    assert search("#ÜBER-TEAM") == ["2026-12-01"]
    assert search("#straße") == search("#STRASSE") == ["Straße"]
    assert search("#İSTANBUL") == ["Straße"]
    assert search("#हिंदी") == ["समाचार"]
    assert search("template") == []  # Templates/ is ignored
    tags = {row["tag"] for row in cli.json("tags")}
    assert {"outside", "über-team", "work", "обзор", "日本語", "strasse", "हिंदी"} <= tags

    # Read, never rewritten: every note keeps its bytes.
    for rel, text in VAULT.items():
        assert (vault / rel).read_text("utf-8") == text

    # doctor: nothing unreadable; the notes without an id in one line; after a sync that
    # commits the vault, nothing per-device is tracked and all is good.
    doctor = cli("doctor")
    assert "cannot be read" not in doctor.output and "no front matter" not in doctor.output
    assert "Files without an id (6)" in doctor.output
    cli.ok("sync")
    assert ".obsidian/workspace.json" not in tracked(vault)
    assert {".obsidian/app.json", "2026-12-01.md", "Notes/हिंदी.md"} <= tracked(vault)
    assert "All good." in cli.ok("doctor").output


def test_new_entries_still_go_to_entries_and_a_new_note_anywhere_is_seen(vault: Path) -> None:
    cli = Cli(vault)
    titles(cli)
    entry_id = cli.add("Written in narrate #review")
    shown = cli.json("show", entry_id)
    assert shown["path"].startswith("entries/2026/") or shown["path"].startswith("entries/")
    # Obsidian makes a note in a new folder, and edits one in place: the next read sees both.
    write_vault(vault, {"Areas/Health/2026-12-02.md": "Ran 5k #running\n"})
    (vault / "Daily/2026-11-30.md").write_text("# Retro day, edited\n", "utf-8")
    found = titles(cli)
    assert "2026-12-02" in found and "Retro day, edited" in found
    # Changing the ignore list drops (or brings back) a folder's notes at the next read.
    write_config('ignore = ["Templates", "Projects"]\n')
    assert "Retro notes" not in titles(cli) and "idea" not in titles(cli)
    write_config('ignore = ["Templates"]\n')
    assert "Retro notes" in titles(cli)


def test_a_note_narrate_writes_to_gets_front_matter_only_then(vault: Path) -> None:
    cli = Cli(vault)
    daily = next(i for i in cli.json("list") if i["title"] == "2026-12-01")
    cli.ok("star", daily["id"])
    text = (vault / "2026-12-01.md").read_text("utf-8")
    assert text.startswith("---\n") and f"id: {daily['id']}" in text and "starred: true" in text
    assert text.endswith("---\n" + VAULT["2026-12-01.md"])
    again = next(i for i in cli.json("list") if i["path"] == "2026-12-01.md")
    assert again["id"] == daily["id"] and again["created"] == daily["created"]


def test_ids_stay_across_renames_after_doctor_fix(vault: Path) -> None:
    cli = Cli(vault)
    cli.ok("sync")
    before = {i["path"]: i["id"] for i in cli.json("list", "--all")}
    # Without an id: the id comes from the path, so a rename would change it; doctor
    # --fix asks first, and writes nothing when told no.
    refused = cli("doctor", "--fix", input="n\n")
    assert "Nothing was changed" in refused.output
    assert not (vault / "2026-12-01.md").read_text("utf-8").startswith("---")
    fixed = cli("doctor", "--fix", input="y\n")
    assert "Wrote an id into 6 files" in fixed.output
    assert "Files without an id" not in fixed.output
    assert git(vault, "status", "--porcelain") == ""

    git(vault, "mv", "Projects/Deep/Nested/idea.md", "Projects/Idea renamed.md")
    git(vault, "commit", "-qm", "rename in Obsidian")
    os.rename(vault / "2026-12-01.md", vault / "Daily/2026-12-01 walk.md")
    after = {i["path"]: i["id"] for i in cli.json("list", "--all")}
    assert after["Projects/Idea renamed.md"] == before["Projects/Deep/Nested/idea.md"]
    assert after["Daily/2026-12-01 walk.md"] == before["2026-12-01.md"]
    assert sorted(after.values()) == sorted(before.values())


def sync(journal: Journal) -> object:
    return Syncer(journal, 20.0).run()


def test_two_devices_editing_obsidian_files_make_no_conflict_copies(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    a_root = tmp_path / "a"
    write_vault(a_root, VAULT)
    Journal.create(a_root).close()
    # A vault committed before narrate knew better: no ignore lines, workspace.json tracked.
    (a_root / ".gitignore").write_text(".narrate/\n.*.narrate-tmp*\n", "utf-8")
    write_vault(a_root, OBSIDIAN)
    git(a_root, "add", "-A")
    git(a_root, "commit", "-qm", "vault as obsidian-git committed it")
    set_remote(a_root, str(remote))
    with Journal.open(a_root) as device_a:
        first = sync(device_a)
    assert ".obsidian/workspace.json" in first.untracked  # type: ignore[attr-defined]
    clone(str(remote), tmp_path / "b")
    b_root = tmp_path / "b"
    write_vault(b_root, OBSIDIAN)  # Obsidian opens the vault on the second device

    # Both devices open other notes (workspace.json) and change a setting (app.json).
    for root, note in ((a_root, "2026-12-01.md"), (b_root, "Straße.md")):
        workspace = {**WORKSPACE, "lastOpenFiles": [note]}
        (root / ".obsidian/workspace.json").write_text(json.dumps(workspace), "utf-8")
        (root / ".obsidian/app.json").write_text(json.dumps({"device": root.name}), "utf-8")
        git(root, "add", ".obsidian/app.json")
        git(root, "commit", "-qm", f"settings on {root.name}")
    with Journal.open(a_root) as device_a, Journal.open(b_root) as device_b:
        sync(device_a)
        result = sync(device_b)
        sync(device_a)
    assert ".obsidian/workspace*.json" in (a_root / ".gitignore").read_text("utf-8")
    assert result.kept_local == [".obsidian/app.json"]  # type: ignore[attr-defined]
    assert result.conflicts == []  # type: ignore[attr-defined]
    for root in (a_root, b_root):
        on_disk = [p for p in root.rglob("*") if "-conflict-" in p.name and ".git" not in p.parts]
        assert on_disk == [] and not any("-conflict-" in p for p in tracked(root))
        assert not any(p.startswith(".obsidian/workspace") for p in tracked(root))
        # Each device keeps its own open tabs.
        assert json.loads((root / ".obsidian/workspace.json").read_text())["lastOpenFiles"]
        assert "All good." in Cli(root).ok("doctor").output
    assert json.loads((b_root / ".obsidian/app.json").read_text()) == {"device": "b"}
    assert git(remote, "log", "--all", "--format=%B").count("this device's version kept") == 1


def test_doctor_says_when_a_per_device_file_is_committed(tmp_path: Path) -> None:
    root = tmp_path / "j"
    Journal.create(root).close()
    write_vault(root, OBSIDIAN)
    git(root, "add", "-f", ".obsidian/workspace.json")
    git(root, "commit", "-qm", "tracked by hand")
    doctor = Cli(root)("doctor")
    assert doctor.exit_code == 1 and ".obsidian/workspace.json is committed" in doctor.output
    Cli(root).ok("sync")
    assert "All good." in Cli(root).ok("doctor").output


def test_unicode_private_tags_never_leave(alice: Member, cop: Path) -> None:
    config = alice.home / "config" / "narrate" / "config.toml"
    text = config.read_text("utf-8").replace(
        'private_tags = ["sentinel-tag"]',
        'private_tags = ["Straße", "İstanbul", "हिंदी", "Здоровье"]',
    )
    config.write_text(text, "utf-8")
    entry_id = alice.ok(
        "add",
        "Trip notes #STRASSE and #i̇stanbul\n\nसमाचार #हिंदी/निजी and #ЗДОРОВЬЕ, public words.",
    ).stdout.strip()
    shared = alice.ok("share", entry_id, "--to", "cop", "--yes")
    assert "public words" in shared.stdout
    published = subprocess.run(
        ["git", "-C", str(cop), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")
    for secret in ("strasse", "STRASSE", "stanbul", "हिंदी", "निजी", "здоровье", "ЗДОРОВЬЕ"):
        assert secret not in published, secret


def test_a_big_tree_without_notes_costs_one_stat_per_read(tmp_path: Path) -> None:
    root = tmp_path / "j"
    Journal.create(root).close()
    write_vault(root, VAULT)
    for package in range(20):
        for module in range(25):
            write_vault(root, {f"node_modules/p{package}/m{module}/index.js": "x"})
    with Journal.open(root) as journal:
        first = journal.refresh()
        assert first.full
        quick = journal.refresh()
        # The vault's folders that hold notes, and node_modules/ as one folder: the 520
        # folders below it are neither stat'ed nor listed.
        assert quick.scanned_dirs < 20 and not quick.changed
        # A note dropped at the top of that tree is seen at once (its mtime changed); one
        # deep inside it at the next walk (reindex, doctor, or every 10 minutes).
        write_vault(root, {"node_modules/README.md": "# Packages\n"})
        time.sleep(0.01)
        assert journal.refresh().added == 1
        write_vault(root, {"node_modules/p3/m4/NOTES.md": "# Deep note\n"})
        journal.reindex()
        titles = {item["title"] for item in journal.entries(limit=None)}
        assert {"Packages", "Deep note"} <= titles
        # Now p3/m4 holds a note: its 19 sibling packages and 24 sibling modules are
        # barren tops, one stat each, still a tenth of the tree.
        assert journal.refresh().scanned_dirs < 60


@pytest.mark.parametrize(
    ("value", "folders"),
    [('["Templates", "Archive/2019/", "./Daily"]', ["Templates", "Archive/2019", "Daily"])],
)
def test_the_ignore_list_takes_relative_folders(value: str, folders: list[str]) -> None:
    from narrate.config import load_config

    write_config(f"ignore = {value}\n")
    assert load_config().ignore == folders


@pytest.mark.parametrize(
    "bad", ['"/etc"', '"../outside"', '"entries"', '"entries/2026"', "3", '""']
)
def test_a_bad_ignore_value_is_refused_with_one_line(bad: str) -> None:
    from narrate.config import load_config
    from narrate.errors import NarrateError

    write_config(f"ignore = [{bad}]\n")
    with pytest.raises(NarrateError, match="key 'ignore' must be a list of folders"):
        load_config()


def test_a_wikilink_name_finds_its_note_by_file_name_title_or_alias(vault: Path) -> None:
    with Journal.open(vault, ignore=["Templates"]) as journal:
        assert journal.titled("Retro notes") == ["Projects/Retro notes.md"]  # file name
        assert journal.titled("sprint RETRO") == ["Projects/Retro notes.md"]  # an alias
        assert journal.titled("ретроспектива") == ["Projects/Retro notes.md"]  # any script
        assert journal.titled("Retro day") == ["Daily/2026-11-30.md"]  # a title
        assert journal.titled("100%_") == [] and journal.titled("") == []


# Per-device files Obsidian writes besides the open tabs: its cache and the backups of
# the workspace files (obsidian-git's advice), none of which may travel between devices.
DEVICE_ONLY = {
    ".obsidian/cache": "binary-ish cache\n",
    ".obsidian/workspace.json.bak": json.dumps(WORKSPACE) + "\n",
    ".obsidian/workspace-mobile.json": json.dumps(WORKSPACE) + "\n",
    ".obsidian/workspace-mobile.json.bak": json.dumps(WORKSPACE) + "\n",
}


def test_obsidian_cache_and_workspace_backups_are_never_committed(tmp_path: Path) -> None:
    root = tmp_path / "j"
    Journal.create(root).close()
    write_vault(root, {**OBSIDIAN, **DEVICE_ONLY})
    # Committed by hand, as a vault synced before narrate knew these files.
    git(root, "add", "-f", *DEVICE_ONLY)
    git(root, "commit", "-qm", "tracked by hand")
    Cli(root).ok("sync")
    for rel in DEVICE_ONLY:
        assert rel not in tracked(root), rel
        assert (root / rel).exists()  # stays on this device
        assert git(root, "check-ignore", rel).strip() == rel
    assert {".obsidian/app.json", ".obsidian/appearance.json"} <= tracked(root)
    assert "All good." in Cli(root).ok("doctor").output


def test_narrates_ignore_lines_keep_a_crlf_gitignore_crlf(tmp_path: Path) -> None:
    # A .gitignore written on Windows: narrate init and then a sync (once .obsidian/
    # appears) add their lines in the file's own line endings.
    root = tmp_path / "vault"
    root.mkdir()
    (root / ".gitignore").write_bytes(b"# mine\r\n*.tmp\r\n")
    Cli(root).ok("init", str(root))
    write_vault(root, OBSIDIAN)
    Cli(root).ok("sync")
    data = (root / ".gitignore").read_bytes()
    assert data.startswith(b"# mine\r\n*.tmp\r\n")
    assert b".obsidian/cache\r\n" in data and b".narrate/\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b""), data
