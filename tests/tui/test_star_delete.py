"""Starring and deleting the open entry from the app: the keys, the question, the list."""

from __future__ import annotations

from pathlib import Path

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.screens.confirm import ConfirmModal
from narrate.tui.screens.help import HelpScreen
from narrate.tui.screens.journal import JournalScreen
from narrate.tui.widgets.entry_list import STAR_MARK
from tests.tui.helpers import add_entry, git_clean, git_log, shows, wait_for

SIZE = (100, 30)


async def test_delete_asks_and_yes_removes_the_file_and_commits(
    journal: Journal, root: Path
) -> None:
    add_entry(journal, "Older\n", title="Older one", days_ago=1)
    doomed = add_entry(journal, "Going away\n", title="Doomed [/] entry")
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        assert screen.entry is not None and screen.entry.path == doomed.path
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        # The title is shown as text: "[/]" is not markup.
        await shows(pilot, "Doomed [/] entry")
        await pilot.click("#confirm-yes")
        await wait_for(pilot, lambda: not (root / doomed.path).exists())
        await wait_for(pilot, lambda: screen.entry is None or screen.entry.path != doomed.path)
        await wait_for(pilot, lambda: git_log(root)[0] == "Delete entry: Doomed [/] entry")
        assert git_clean(root)
        assert isinstance(app.screen, JournalScreen)
        # The list no longer has it; the notification says how to bring it back.
        assert screen.entry_list.listing.row_of_path(doomed.path) is None
        texts = [n.message for n in app._notifications]
        assert any("to bring it back: git -C" in t for t in texts), texts


async def test_delete_no_or_escape_keeps_the_entry(journal: Journal, root: Path) -> None:
    kept = add_entry(journal, "Staying\n", title="Keeper")
    commits = git_log(root)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.click("#confirm-no")
        await wait_for(pilot, lambda: isinstance(app.screen, JournalScreen))
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, JournalScreen))
        await pilot.pause(0.3)
        assert screen.entry is not None and screen.entry.path == kept.path
    assert (root / kept.path).exists()
    assert git_log(root) == commits


async def test_star_toggles_the_front_matter_and_the_list_shows_it(
    journal: Journal, root: Path
) -> None:
    entry = add_entry(journal, "Worth keeping\n", title="Bright idea")
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        await pilot.press("end")
        await pilot.press(*"more")  # unsaved: saved first, never lost
        await pilot.press("f5")
        file = root / entry.path
        await wait_for(pilot, lambda: "starred: true" in file.read_text("utf-8"))
        await wait_for(pilot, lambda: screen.entry is not None and screen.entry.starred)
        assert "Worth keeping\nmore" in file.read_text("utf-8")
        assert "Worth keeping\nmore" in screen.editor.text
        assert not screen.dirty
        await shows(pilot, STAR_MARK)
        await wait_for(pilot, lambda: git_log(root)[0] == "Star entry: Bright idea")
        assert git_clean(root)
        await pilot.press("f5")
        await wait_for(pilot, lambda: "starred" not in file.read_text("utf-8"))
        await wait_for(pilot, lambda: git_log(root)[0] == "Unstar entry: Bright idea")


async def test_star_and_delete_are_in_help_and_the_palette(journal: Journal) -> None:
    async with NarrateApp(journal).run_test(size=(100, 40)) as pilot:
        titles = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert {"Star or unstar", "Delete entry"} <= titles
        await pilot.press("f1")
        assert isinstance(pilot.app.screen, HelpScreen)
        shown = {(b.key, b.action) for b in pilot.app.screen.shown_bindings}
        assert {("f5", "toggle_star"), ("f10", "delete_entry")} <= shown


def test_the_keys_are_not_the_editors() -> None:
    from narrate.tui.widgets.entry_editor import EntryEditor

    editor_keys = {k for b in EntryEditor.BINDINGS for k in b.key.split(",")}  # type: ignore[union-attr]
    assert not {"f5", "f10"} & editor_keys


async def test_help_explains_the_star_marker(journal: Journal) -> None:
    async with NarrateApp(journal).run_test(size=(100, 60)) as pilot:
        await pilot.press("f1")
        await shows(pilot, f"{STAR_MARK}")
        await shows(pilot, "starred (f5)")
