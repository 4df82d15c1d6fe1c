"""The app commits the outside edits it picks up: the header never says
"1 uncommitted" forever."""

from __future__ import annotations

from pathlib import Path

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.writer import RefreshJob
from tests.tui.helpers import add_entry, git_clean, git_log, wait_for


async def test_an_outside_edit_is_committed_by_the_app(journal: Journal, root: Path) -> None:
    entry = add_entry(journal, "Written before the app opened")
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.sub_title == "clean")
        commits = len(git_log(root))
        path = root / entry.path
        path.write_text(path.read_text("utf-8") + "Added in another editor\n", "utf-8")
        app.writer.submit(RefreshJob())  # as the periodic check and coming back do
        await wait_for(pilot, lambda: len(git_log(root)) == commits + 1)
        assert git_clean(root)
        assert "outside narrate" in git_log(root)[0]
        await wait_for(pilot, lambda: app.sub_title == "clean")
