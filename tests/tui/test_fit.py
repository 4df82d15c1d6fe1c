"""Issue 13 item 8: footers and dialogs fit; nothing cut or overlapping at 80×24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select

from narrate.journal.core import Journal
from narrate.journal.entry import Practice
from narrate.tui.app import NarrateApp
from tests.tui.helpers import add_entry, screen_text, shows, wait_for


def footer(app: NarrateApp) -> str:
    """The screen's last line."""
    return screen_text(app).rstrip("\n").splitlines()[-1]


def due_journal(journal: Journal) -> None:
    """One practice change whose check-back is due."""
    add_entry(
        journal,
        "Learned about tests\n",
        title="Test day",
        days_ago=20,
        practice=[Practice("testing", "Write the test first", source="python-cop")],
    )


async def open_review(pilot: Any, app: NarrateApp) -> Any:
    """F9, figures shown."""
    from narrate.tui.screens.review import ReviewScreen

    await wait_for(pilot, lambda: app.journal_screen.indexed)
    await pilot.press("f9")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
    screen = app.screen
    await wait_for(pilot, lambda: "shown" in getattr(screen, "timing", {}))
    return screen


async def test_review_footer_keeps_help_and_quit_at_80_columns(journal: Journal) -> None:
    due_journal(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot, app)
        await shows(pilot, "^q Quit")
        line = footer(app)
        assert "f1 Help" in line and "^q Quit" in line
        # Nothing past the last key but the palette's (no stray letter).
        assert line.rstrip().endswith(("^q Quit", "^p palette"))


@pytest.mark.parametrize("width", [60, 80])
async def test_journal_footer_keeps_help_and_quit(journal: Journal, width: int) -> None:
    add_entry(journal, "Something\n", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=(width, 24)) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        await shows(pilot, "Quit")
        line = footer(app)
        assert "f1 Help" in line and "^q Quit" in line
        assert line.rstrip().endswith(("^q Quit", "^p palette"))


async def test_practice_form_subtitle_is_whole_or_ends_in_an_ellipsis(journal: Journal) -> None:
    from narrate.tui.screens.practice import PracticeModal

    title = "A rather long title about the migration of the billing service to queues"
    entry = add_entry(journal, "Body\n", title=title, days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(entry.path)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        text = await shows(pilot, "Practice change")
        # The form's bottom border (the title also shows, whole, in the entry bar).
        border = next(line for line in text.splitlines() if "╰" in line)
        assert title in border
    async with NarrateApp(journal).run_test(size=(80, 24)) as pilot:
        narrow = pilot.app
        assert isinstance(narrow, NarrateApp)
        await wait_for(pilot, lambda: narrow.journal_screen.indexed)
        narrow.journal_screen.open_path(entry.path)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(narrow.screen, PracticeModal))
        text = await shows(pilot, "Practice change")
        border = next(line for line in text.splitlines() if "A rather long" in line)
        assert "…" in border


async def test_check_back_status_list_does_not_cover_the_buttons(journal: Journal) -> None:
    from narrate.tui.screens.practice import CheckBackModal

    due_journal(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot, app)
        await pilot.press("c", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckBackModal))
        modal = app.screen
        status = modal.query_one("#checkback-status", Select)
        status.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: status.expanded)
        text = await shows(pilot, "Adopted: it stuck")
        assert "Yes, still doing it" in text
        assert "No, stopped" in text


async def test_dialog_fields_look_alike(journal: Journal) -> None:
    from narrate.tui.screens.practice import CheckBackModal, PracticeModal

    due_journal(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        app.journal_screen.entry_list.focus()
        await pilot.press("home", "f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        form = app.screen.query_one("#practice-form")
        field = app.screen.query_one("#practice-before", Input)
        practice_look = field.styles.background
        # A field stands out from the dialog it is on.
        assert practice_look != form.styles.background
        await pilot.press("escape")
        await open_review(pilot, app)
        await pilot.press("c", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckBackModal))
        note = app.screen.query_one("#checkback-note", Input)
        assert note.styles.background == practice_look


async def test_tags_in_the_entry_bar_are_not_cut_at_160_columns(journal: Journal) -> None:
    tags = ["code-review", "pairing", "parser", "testing", "mentoring", "ci"]
    entry = add_entry(
        journal,
        "Body\n",
        title="A long day of reviews, pairing and a parser rewrite with the whole team",
        days_ago=1,
        tags=tags,
    )
    app = NarrateApp(journal)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(entry.path)
        text = await shows(pilot, "#code-review")
        bar = next(line for line in text.splitlines() if "#code-review" in line)
        assert " ".join(f"#{tag}" for tag in tags) in bar


async def test_share_button_label_is_whole_at_100_columns(
    tmp_path: Path, cop: Path, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.tui.screens.share import ShareModal
    from tests.community.helpers import Member

    # A name longer than the button's first label ("Publish"), which set its width.
    dana = Member(tmp_path / "people", "dana")
    dana.ok("community", "add", "python-reviewers-guild", str(cop), "--member", "dana")
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, dana.env[var])
    entry_id = dana.ok("add", "-", input="Sharing this\n").stdout.strip()
    journal = Journal.open(dana.journal)
    entry = journal.get(entry_id)
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        app.journal_screen.open_path(entry.path)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, ShareModal))
        modal = app.screen
        await wait_for(pilot, lambda: getattr(modal, "prepared", None) is not None, timeout=20)
        await shows(pilot, "Publish to python-reviewers-guild")
    journal.close()


async def test_every_new_action_is_in_the_palette(journal: Journal) -> None:
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Calendar", "Write in your editor", "Review", "Help", "Quit"} <= titles
        await open_review(pilot, app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        # t left the review's footer: the palette still has it.
        assert {"Help", "Quit", "Journal", "Timeline", "Check-backs due"} <= titles
