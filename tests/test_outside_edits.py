"""Edits made outside narrate reach git history, with or without a remote."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from tests.helpers import Cli, commit_count, git, run_narrate


def edit_outside(root: Path, entry_id: str, words: str) -> Path:
    """Append to an entry's file the way another editor would."""
    (path,) = [p for p in (root / "entries").rglob("*.md") if entry_id in p.read_text("utf-8")]
    path.write_text(path.read_text("utf-8") + words + "\n", "utf-8")
    return path


def test_sync_without_a_remote_commits_outside_edits_locally(cli: Cli, root: Path) -> None:
    entry_id = cli.add("Written in narrate")
    edit_outside(root, entry_id, "Added in another editor")
    (root / "entries" / "2026").mkdir(exist_ok=True)
    (root / "entries" / "2026" / "from-obsidian.md").write_text("# A note made elsewhere\n")
    before = commit_count(root)
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert "Committed changes made outside narrate" in result.output
    assert "no remote" in result.output.lower()
    assert commit_count(root) == before + 1
    assert git(root, "status", "--porcelain").strip() == ""
    again = cli("sync")
    assert again.exit_code == 0, again.output
    assert "nothing to commit" in again.output.lower()
    assert commit_count(root) == before + 1
    assert json.loads(cli.ok("status", "--json").stdout)["uncommitted"] == 0


def test_the_fix_doctor_prints_for_uncommitted_files_works(cli: Cli, root: Path) -> None:
    entry_id = cli.add("Written in narrate")
    edit_outside(root, entry_id, "Added in another editor")
    report = run_narrate("-j", str(root), "doctor")
    header = next(line for line in report.stdout.splitlines() if "Uncommitted" in line)
    fix = re.search(r"run '([^']+)'", header)
    assert fix, header
    args = shlex.split(fix.group(1))
    assert args[0] == "narrate"
    done = run_narrate("-j", str(root), *args[1:])
    assert done.returncode == 0, done.stderr
    assert git(root, "status", "--porcelain").strip() == ""
    assert "Uncommitted" not in run_narrate("-j", str(root), "doctor").stdout
    status = cli.ok("status").stdout
    assert "uncommitted" not in status


def test_status_names_the_command_that_commits(cli: Cli, root: Path) -> None:
    entry_id = cli.add("Written in narrate")
    edit_outside(root, entry_id, "Added in another editor")
    status = cli.ok("status").stdout
    assert "1 uncommitted file (run 'narrate sync' to commit them)" in status
