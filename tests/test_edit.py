"""Issue 12, items 2, 13, 16 and 17: `narrate edit` with real editors, real processes and
real git: which editor runs, odd editor settings, an edit during a sync, broken files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.journal.sync import clone, set_remote
from tests.helpers import Cli, commit_count, git, narrate_bin, run_narrate, snapshot
from tests.test_cli import one_line_error

# An editor that appends a line naming itself, so a test sees which one ran.
MARKER_EDITOR = """
import sys
path = sys.argv[-1]
with open(path, "a", encoding="utf-8") as handle:
    handle.write("\\nedited by {name}\\n")
"""


def marker_editor(tmp_path: Path, name: str) -> str:
    """A command line for an editor that appends "edited by NAME"."""
    script = tmp_path / f"{name}-editor.py"
    script.write_text(MARKER_EDITOR.format(name=name))
    return f"{sys.executable} '{script}'"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The config file narrate reads (NARRATE_CONFIG), empty at first."""
    path = tmp_path / "config.toml"
    path.write_text("")
    monkeypatch.setenv("NARRATE_CONFIG", str(path))
    return path


# ---------------------------------------------------------------------------- item 16


@pytest.mark.parametrize(
    ("configured", "visual", "editor", "expected"),
    [
        (True, True, True, "config"),
        (False, True, True, "visual"),
        (False, False, True, "editor"),
        (True, False, True, "config"),
    ],
)
def test_the_config_editor_comes_first_then_visual_then_editor(
    cli: Cli,
    tmp_path: Path,
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    configured: bool,
    visual: bool,
    editor: bool,
    expected: str,
) -> None:
    entry_id = cli.add("Which editor")
    if configured:
        config.write_text(f"editor = {json.dumps(marker_editor(tmp_path, 'config'))}\n")
    if visual:
        monkeypatch.setenv("VISUAL", marker_editor(tmp_path, "visual"))
    if editor:
        monkeypatch.setenv("EDITOR", marker_editor(tmp_path, "editor"))
    cli.ok("edit", entry_id)
    body = cli.json("show", entry_id)["body"]
    assert re.findall(r"edited by (\w+)", body) == [expected]


# ---------------------------------------------------------------------------- item 13


@pytest.mark.parametrize(
    ("value", "needle"), [("vim '-c", "unterminated quote"), ("   ", "only spaces")]
)
@pytest.mark.parametrize("variable", ["EDITOR", "VISUAL"])
def test_an_odd_editor_variable_is_one_line_naming_it(
    cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, needle: str
) -> None:
    entry_id = cli.add("Never executed")
    (path,) = (root / "entries").rglob("*.md")
    path.chmod(0o755)  # were the entry file run as the editor, the test would see it
    before = snapshot(root)
    monkeypatch.setenv(variable, value)
    one_line_error(cli("edit", entry_id), f"${variable}", needle)
    one_line_error(cli("add", "--edit"), f"${variable}", needle)
    assert snapshot(root) == before


def test_an_odd_config_editor_is_one_line_naming_the_key(
    cli: Cli, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("Never executed")
    monkeypatch.setenv("EDITOR", "true")
    config.write_text('editor = "  "\n')
    one_line_error(cli("edit", entry_id), "editor", str(config), "only spaces")


def test_narrate_journal_pointing_at_a_file_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "not-a-folder.md"
    target.write_text("hello\n")
    monkeypatch.setenv("NARRATE_JOURNAL", str(target))
    for args in (["list"], ["add", "text"], ["init"]):
        result = Cli(tmp_path)(*args, journal=False)
        one_line_error(result, "NARRATE_JOURNAL", str(target), "not a folder")
    assert target.read_text() == "hello\n"


def test_a_configured_journal_that_is_a_file_is_one_clear_line(
    tmp_path: Path, config: Path
) -> None:
    target = tmp_path / "journal.txt"
    target.write_text("x")
    config.write_text(f"journal = {json.dumps(str(target))}\n")
    one_line_error(Cli(tmp_path)("list", journal=False), str(target), "not a folder")


def test_journal_flag_pointing_at_a_file_is_one_clear_line(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    one_line_error(Cli(target)("list"), str(target), "not a folder")


# ---------------------------------------------------------------------------- item 2

# A real editor: reads the file when it opens, waits for the user (a signal file), then
# writes its buffer back with the user's words added.
SLOW_EDITOR = """
import os, sys, time, pathlib
path = pathlib.Path(sys.argv[-1])
buffer = path.read_text(encoding="utf-8")
signals = pathlib.Path(os.environ["SLOW_EDITOR_SIGNALS"])
(signals / "opened").write_text(str(path))
deadline = time.monotonic() + 60
while not (signals / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.02)
path.write_text(buffer + "Words typed on device A.\\n", encoding="utf-8")
"""


def wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def all_text(root: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted((root / "entries").rglob("*.md")))


def test_an_edit_during_a_sync_keeps_the_other_devices_words(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    device_a, device_b = tmp_path / "a", tmp_path / "b"
    Journal.create(device_a).close()
    set_remote(device_a, str(remote))
    entry_id = run_narrate("--journal", str(device_a), "add", "Shared entry").stdout.strip()
    assert run_narrate("--journal", str(device_a), "sync").returncode == 0
    clone(str(remote), device_b)
    Journal.create(device_b).close()

    signals = tmp_path / "signals"
    signals.mkdir()
    script = tmp_path / "slow-editor.py"
    script.write_text(SLOW_EDITOR)
    env = {
        **os.environ,
        "EDITOR": f"{sys.executable} '{script}'",
        "SLOW_EDITOR_SIGNALS": str(signals),
    }
    editing = subprocess.Popen(
        [str(narrate_bin()), "--journal", str(device_a), "edit", entry_id],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(signals / "opened")
        # Meanwhile device B edits the entry and syncs; device A syncs it in.
        (rel,) = [p.relative_to(device_b) for p in (device_b / "entries").rglob("*.md")]
        path_b = device_b / rel
        path_b.write_text(path_b.read_text("utf-8") + "Words typed on device B.\n", "utf-8")
        for device in (device_b, device_a):
            synced = run_narrate("--journal", str(device), "sync")
            assert synced.returncode == 0, synced.stderr
        assert "device B" in (device_a / rel).read_text("utf-8"), "the sync brought B's edit in"
        (signals / "go").write_text("")
        _, err = editing.communicate(timeout=60)
    finally:
        if editing.poll() is None:
            editing.kill()
    assert editing.returncode == 0, err
    assert "changed" in err and "conflict" in err, err
    assert "device A" in all_text(device_a) and "device B" in all_text(device_a)
    assert git(device_a, "status", "--porcelain") == ""
    # And after the next syncs, both devices hold both versions.
    for device in (device_a, device_b):
        assert run_narrate("--journal", str(device), "sync").returncode == 0
    assert "device A" in all_text(device_b) and "device B" in all_text(device_b)


def test_edit_does_not_hold_the_journal_lock_while_the_editor_runs(
    tmp_path: Path, root: Path
) -> None:
    entry_id = run_narrate("--journal", str(root), "add", "Open for a while").stdout.strip()
    signals = tmp_path / "signals"
    signals.mkdir()
    script = tmp_path / "slow-editor.py"
    script.write_text(SLOW_EDITOR)
    env = {
        **os.environ,
        "EDITOR": f"{sys.executable} '{script}'",
        "SLOW_EDITOR_SIGNALS": str(signals),
    }
    editing = subprocess.Popen(
        [str(narrate_bin()), "--journal", str(root), "edit", entry_id],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(signals / "opened")
        added = run_narrate("--journal", str(root), "add", "Written meanwhile", timeout=20)
        assert added.returncode == 0, added.stderr
        (signals / "go").write_text("")
        _, err = editing.communicate(timeout=60)
    finally:
        if editing.poll() is None:
            editing.kill()
    assert editing.returncode == 0, err
    assert "conflict" not in err
    shown = json.loads(run_narrate("--journal", str(root), "show", "--json", entry_id).stdout)
    assert "device A" in shown["body"]
    assert git(root, "status", "--porcelain") == ""


# ---------------------------------------------------------------------------- item 17

BREAK_EDITOR = """
import sys, pathlib
path = pathlib.Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
path.write_text(text.replace("{old}", "{new}", 1), encoding="utf-8")
"""


def replacing_editor(tmp_path: Path, old: str, new: str) -> str:
    script = tmp_path / f"replace-{abs(hash((old, new)))}.py"
    script.write_text(BREAK_EDITOR.format(old=old, new=new))
    return f"{sys.executable} '{script}'"


def test_the_fix_it_hint_after_a_broken_edit_works(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("Fragile")
    commits = commit_count(root)
    monkeypatch.setenv("EDITOR", replacing_editor(tmp_path, "title: Fragile", "title: [oops"))
    line = one_line_error(cli("edit", entry_id[:8]), "no longer reads as an entry")
    hint = re.search(r"Fix it with 'narrate (edit [^']+)'", line)
    assert hint, line
    monkeypatch.setenv("EDITOR", replacing_editor(tmp_path, "title: [oops", "title: Fixed"))
    result = cli.ok(*hint.group(1).split(" ", 1))
    assert "Saved" in result.stderr
    assert cli.json("show", entry_id)["title"] == "Fixed"
    assert commit_count(root) == commits + 1
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize("how", ["id", "prefix", "path", "absolute path"])
def test_edit_and_show_accept_a_broken_file_by_id_or_path(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    entry_id = cli.add("Fragile")
    (path,) = (root / "entries").rglob("*.md")
    path.write_text(path.read_text().replace("title: Fragile", "title: [oops"))
    assert cli.json("list") == []  # the index now knows the file as broken
    rel = path.relative_to(root).as_posix()
    ref = {"id": entry_id, "prefix": entry_id[:10], "path": rel, "absolute path": str(path)}[how]
    shown = cli("show", ref)
    assert shown.exit_code == 0, shown.output
    assert "title: [oops" in shown.stdout and "no longer reads" not in shown.stdout
    assert rel in shown.stderr
    monkeypatch.setenv("EDITOR", replacing_editor(tmp_path, "title: [oops", "title: Mended"))
    cli.ok("edit", ref)
    assert cli.json("show", entry_id)["title"] == "Mended"


def test_edit_and_show_accept_a_path_to_a_good_entry(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("By path")
    (path,) = (root / "entries").rglob("*.md")
    assert cli.json("show", str(path))["id"] == entry_id
    monkeypatch.setenv("EDITOR", marker_editor(tmp_path, "path"))
    cli.ok("edit", str(path))
    assert "edited by path" in cli.json("show", entry_id)["body"]


def test_a_broken_file_without_its_id_line_is_found_by_its_last_good_copy(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = cli.add("Mangled")
    (path,) = (root / "entries").rglob("*.md")
    path.write_text("The front matter is gone, and the id with it.\n")
    # A file without front matter is an entry (issue 16), under its file name.
    assert [item["title"] for item in cli.json("list")] == [path.stem]
    shown = cli("show", entry_id[:10])
    assert shown.exit_code == 0, shown.output
    assert "front matter is gone" in shown.stdout
    restore = tmp_path / "restore.py"
    restore.write_text(
        "import sys, subprocess, pathlib\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        f"good = subprocess.run(['git', '-C', {str(root)!r}, 'show', "
        f"'HEAD:{path.relative_to(root).as_posix()}'], capture_output=True, check=True)\n"
        "path.write_bytes(good.stdout.replace(b'Mangled', b'Restored'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} '{restore}'")
    cli.ok("edit", entry_id)
    assert cli.json("show", entry_id)["title"] == "Restored"
