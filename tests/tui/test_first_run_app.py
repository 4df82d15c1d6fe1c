"""The app opens on a journal made on a fresh machine (empty HOME, no git identity)."""

from __future__ import annotations

from pathlib import Path

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from tests.test_first_run import bare_env, narrate
from tests.tui.helpers import shows


async def test_the_app_opens_on_a_journal_made_without_identity(tmp_path: Path) -> None:
    env = bare_env(tmp_path / "home")
    root = tmp_path / "journal"
    assert narrate(env, "init", str(root)).returncode == 0
    with Journal.open(root) as journal:
        async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
            await shows(pilot, "narrate · journal")
