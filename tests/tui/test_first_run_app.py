"""The app opens on a journal made on a fresh machine (empty HOME, no git identity)."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.journal import take_notices
from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.writer import RefreshJob
from tests.journal.test_history import no_identity
from tests.test_first_run import bare_env, narrate
from tests.tui.helpers import add_entry, git_clean, shows, wait_for


async def test_the_app_opens_on_a_journal_made_without_identity(tmp_path: Path) -> None:
    env = bare_env(tmp_path / "home")
    root = tmp_path / "journal"
    assert narrate(env, "init", str(root)).returncode == 0
    with Journal.open(root) as journal:
        async with NarrateApp(journal).run_test(size=(100, 30)) as pilot:
            await shows(pilot, "narrate · journal")


async def test_the_app_says_once_that_it_commits_with_the_fallback_identity(
    journal: Journal, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = add_entry(journal, "Written where git knew who I was")
    no_identity(monkeypatch, tmp_path / "empty-home")
    take_notices()
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.sub_title == "clean")
        path = root / entry.path
        path.write_text(path.read_text("utf-8") + "Added in another editor\n", "utf-8")
        app.writer.submit(RefreshJob())
        await wait_for(pilot, lambda: git_clean(root))
        await wait_for(pilot, lambda: any("user.name" in n.message for n in app._notifications))
        assert sum("user.name" in n.message for n in app._notifications) == 1
