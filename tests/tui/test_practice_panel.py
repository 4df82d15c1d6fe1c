"""Issue 13 item 4 in the app: the open entry's practice changes beside it (before →
after, status, next check-back), edited and checked back from there, two in one area
told apart; and a snapshot of the journal screen with the panel at 80×24."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import Input, Select

from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice
from narrate.tui.app import NarrateApp
from narrate.tui.screens.practice import CheckBackModal, PracticeModal
from narrate.tui.widgets.practice_panel import PracticePanel
from tests.tui.helpers import add_entry, git_clean, git_log, screen_text, shows, wait_for
from tests.tui.test_snapshots import check_snapshot

SIZE = (80, 24)
TODAY = dt.date.today()


def two_in_ci(journal: Journal) -> Entry:
    """Today's entry, with two practice changes in one area."""
    return add_entry(
        journal,
        "Flaky CI again.\n",
        title="CI day",
        practice=[
            Practice("ci", "Retry flaky tests", before="Rerun by hand"),
            Practice("ci", "Lint before push", status="adopted"),
        ],
    )


async def panel_shown(pilot: object, app: NarrateApp) -> PracticePanel:
    screen = app.journal_screen
    await wait_for(pilot, lambda: screen.indexed and screen.entry is not None)  # type: ignore[arg-type]
    panel = screen.query_one(PracticePanel)
    await wait_for(pilot, lambda: panel.option_count > 0)  # type: ignore[arg-type]
    return panel


async def test_the_panel_shows_each_change_with_status_and_next_check_back(
    journal: Journal,
) -> None:
    two_in_ci(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        panel = await panel_shown(pilot, app)
        assert panel.display
        first = TODAY + dt.timedelta(weeks=2)
        text = " ".join(screen_text(app).split())
        assert "ci: Rerun by hand → Retry flaky tests · trying" in text
        assert f"next check-back {first.isoformat()}" in text
        assert "ci: Lint before push · adopted" in text
        # The preview shows it too: the panel is under both.
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert "Retry flaky tests" in screen_text(app)


async def test_f8_records_a_change_that_the_panel_then_shows(journal: Journal) -> None:
    add_entry(journal, "Paired today.\n", title="Pairing")
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed and screen.entry is not None)
        panel = screen.query_one(PracticePanel)
        assert not panel.display
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        await pilot.press(*"pairing", "enter", *"Pair on parser changes", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: panel.display and panel.option_count == 1)
        await shows(pilot, "pairing: Pair on parser changes · trying")


async def test_check_back_the_second_change_of_an_area_from_the_panel(
    journal: Journal, root: Path
) -> None:
    entry = two_in_ci(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        panel = await panel_shown(pilot, app)
        panel.focus()
        panel.highlighted = 1
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckBackModal))
        modal = app.screen
        await shows(pilot, "ci: Lint before push")
        await pilot.press(*"Only for new modules")
        modal.query_one("#checkback-status", Select).value = "trying"
        await pilot.click("#checkback-partly")
        await wait_for(pilot, lambda: app.screen is app.journal_screen)
        await wait_for(pilot, lambda: "Check back on practice" in git_log(root)[0])
    saved = journal.get(entry.id)
    assert [p.status for p in saved.practice] == ["trying", "trying"]
    assert "checked" not in saved.practice[0].extra
    assert saved.practice[1].extra["checked"] == [TODAY.isoformat()]
    assert (
        f"- {TODAY.isoformat()} · ci: Lint before push — partly (adopted → trying). "
        "Only for new modules"
    ) in saved.body
    assert git_clean(root)


async def test_edit_a_change_and_its_status_from_the_panel(journal: Journal, root: Path) -> None:
    entry = two_in_ci(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 30)) as pilot:
        panel = await panel_shown(pilot, app)
        panel.focus()
        panel.highlighted = 0
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        modal = app.screen
        change = modal.query_one("#practice-change", Input)
        assert change.value == "Retry flaky tests"
        assert modal.query_one("#practice-before", Input).value == "Rerun by hand"
        change.value = "Retry flaky tests twice, then quarantine"
        modal.query_one("#practice-status", Select).value = "adopted"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is app.journal_screen)
        await shows(pilot, "quarantine · adopted")
    saved = journal.get(entry.id)
    assert [(p.change, p.status, p.before) for p in saved.practice] == [
        ("Retry flaky tests twice, then quarantine", "adopted", "Rerun by hand"),
        ("Lint before push", "adopted", None),
    ]
    assert git_log(root)[0].startswith("Edit practice change: ci: Retry flaky tests twice")
    assert git_clean(root)


async def test_journal_screen_with_the_panel_snapshot(journal: Journal) -> None:
    tz = dt.timezone(dt.timedelta(hours=1))
    added = journal.add(
        Entry.new(
            "Flaky CI again.\n",
            title="CI day",
            created=dt.datetime(2024, 3, 4, 9, 15, tzinfo=tz),
            practice=[
                Practice("ci", "Retry flaky tests", before="Rerun by hand"),
                Practice("ci", "Lint before push", status="adopted"),
            ],
        )
    )
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "narrate-dusk"
        screen = app.journal_screen
        screen.editor.cursor_blink = False
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(added.path)
        panel = await panel_shown(pilot, app)
        assert panel.display
        await wait_for(pilot, lambda: "^q Quit" in screen_text(app))
        await pilot.pause(0.2)
        check_snapshot("journal-practice-panel-80x24.txt", screen_text(app))
