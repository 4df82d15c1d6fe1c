"""Issue 13, the app as a person lives with it: outside entries appear, search as you
type, the own editor, a calendar, the word count."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.listing import JournalListing, SearchListing
from narrate.tui.screens import journal as journal_screen
from tests.tui.helpers import add_entry, entry_files, shows, wait_for

SIZE = (100, 30)


def notified(app: NarrateApp, text: str) -> bool:
    """Whether a notification says ``text`` (toasts are not in screen_text's picture)."""
    return any(text in notification.message for notification in app._notifications)


def listed(app: NarrateApp) -> int:
    """How many entries the journal list holds."""
    listing = app.journal_screen.entry_list.listing
    return listing.entry_count if isinstance(listing, JournalListing) else -1


async def test_an_entry_added_by_another_process_appears(
    journal: Journal, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another narrate (the CLI) writes the file, indexes it in the same index.db and
    # commits: the app's own refresh then finds nothing new on disk.
    monkeypatch.setattr(journal_screen, "REFRESH_SECONDS", 0.3)
    add_entry(journal, "First", days_ago=2)
    add_entry(journal, "Second", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        assert listed(app) == 2
        other = Journal.open(root)
        try:
            add_entry(other, "Written from the CLI", title="From the other shell", days_ago=1)
        finally:
            other.close()
        await wait_for(pilot, lambda: listed(app) == 3, timeout=5)
        await shows(pilot, "3 entries")
        await shows(pilot, "From the other shell")


async def test_an_entry_from_a_real_narrate_add_appears(
    journal: Journal, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import run_narrate

    monkeypatch.setattr(journal_screen, "REFRESH_SECONDS", 0.3)
    add_entry(journal, "First", days_ago=2)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        assert listed(app) == 1
        added = run_narrate(
            "add", "Shipped the retry fix from the other shell", env={"NARRATE_JOURNAL": str(root)}
        )
        assert added.returncode == 0, added.stderr
        await wait_for(pilot, lambda: listed(app) == 2, timeout=5)
        await shows(pilot, "2 entries")


def test_refreshing_every_few_seconds() -> None:
    # "Within a few seconds", by any means (a file written by hand needs a refresh).
    assert journal_screen.REFRESH_SECONDS <= 5


async def test_search_as_you_type_treats_the_last_word_as_a_prefix(journal: Journal) -> None:
    add_entry(journal, "Added a retry to the uploader", days_ago=1)
    add_entry(journal, "Planning the quarter", days_ago=2)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        entries = screen.entry_list
        await wait_for(pilot, lambda: screen.indexed)
        await pilot.press("ctrl+f", *"retr")
        await wait_for(pilot, lambda: isinstance(entries.listing, SearchListing))
        await shows(pilot, "1 match")
        assert entries.listing.row_count == 1
        # A finished word (a space after it) is exact again.
        await pilot.press("space", "q", "backspace")
        await wait_for(pilot, lambda: screen.search_query == "retr ")
        await shows(pilot, "No matches for")


async def test_zero_matches_say_so_not_start_writing(journal: Journal) -> None:
    add_entry(journal, "Something ordinary", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        await pilot.press("ctrl+f", *"zebra")
        text = await shows(pilot, "No matches for")
        assert "zebra" in text
        assert "No entries yet" not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(screen.entry_list.listing, JournalListing))
        assert "No matches" not in await shows(pilot, "1 entry")


# ---------------------------------------------------------------------- item 7: your editor

FAKE_EDITOR = """\
import os, sys
path = sys.argv[1]
with open(path, "a", encoding="utf-8") as handle:
    handle.write("Written in my own editor.\\n")
other = os.environ.get("FAKE_EDITOR_TOUCH")
if other:
    with open(other, "a", encoding="utf-8") as handle:
        handle.write("Changed by a sync meanwhile.\\n")
"""


@pytest.fixture
def fake_editor(tmp_path: Path, config_file: Path) -> Path:
    """The config's editor: a script that appends a line to the file it is given."""
    import sys

    script = tmp_path / "fake_editor.py"
    script.write_text(FAKE_EDITOR, "utf-8")
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(f'editor = "{sys.executable} {script}"\n', "utf-8")
    return script


async def test_f2_writes_the_entry_in_your_editor_and_saves_it_back(
    journal: Journal, root: Path, fake_editor: Path
) -> None:
    # Under run_test the terminal cannot be suspended (App.suspend raises
    # SuspendNotSupported headless): the app then runs the editor directly, which is
    # the edit-and-reload path a real terminal takes inside App.suspend().
    from tests.tui.helpers import git_log

    entry = add_entry(journal, "Started here.\n", title="Own editor day", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(entry.path)
        await pilot.press("f2")
        await wait_for(pilot, lambda: "Written in my own editor." in screen.editor.text)
        await wait_for(pilot, lambda: not screen.dirty and not screen.saving)
        on_disk = (root / entry.path).read_text("utf-8")
        assert "Started here.\nWritten in my own editor.\n" in on_disk
        assert git_log(root)[0] == "Write entry: Own editor day"
        # The editor's copy is gone from the state folder.
        assert not list((root / ".narrate").rglob("edit-*/*.md"))


async def test_your_editor_keeps_both_versions_when_the_file_changed_meanwhile(
    journal: Journal, root: Path, fake_editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = add_entry(journal, "Started here.\n", title="Busy day", days_ago=1)
    monkeypatch.setenv("FAKE_EDITOR_TOUCH", str(root / entry.path))
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(entry.path)
        await pilot.press("f2")
        await wait_for(pilot, lambda: any("-conflict-" in p.name for p in entry_files(root)))
        on_disk = (root / entry.path).read_text("utf-8")
        assert "Written in my own editor." in on_disk
        copy = next(p for p in entry_files(root) if "-conflict-" in p.name)
        assert "Changed by a sync meanwhile." in copy.read_text("utf-8")


async def test_your_editor_on_a_new_entry_creates_it(
    journal: Journal, root: Path, fake_editor: Path
) -> None:
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        assert screen.entry is None
        await pilot.press("f2")
        await wait_for(pilot, lambda: screen.entry is not None and not screen.saving)
        assert len(entry_files(root)) == 1
        assert "Written in my own editor." in entry_files(root)[0].read_text("utf-8")


async def test_a_broken_editor_setting_is_said_and_nothing_changes(
    journal: Journal, root: Path, config_file: Path
) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('editor = "vim \'unclosed"\n', "utf-8")
    entry = add_entry(journal, "Started here.\n", days_ago=1)
    before = (root / entry.path).read_bytes()
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(entry.path)
        await pilot.press("f2")
        await wait_for(pilot, lambda: notified(app, "unterminated quote"))
    assert (root / entry.path).read_bytes() == before


# ---------------------------------------------------------------------- item 9: dates


async def test_calendar_marks_written_days_and_jumps_to_the_chosen_one(journal: Journal) -> None:
    from narrate.tui.screens.calendar import CalendarModal, MonthGrid

    recent = add_entry(journal, "Recent\n", title="Three days ago", days_ago=3)
    older = add_entry(journal, "Older\n", title="Ten days ago", days_ago=10)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(recent.path)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, CalendarModal))
        grid = app.screen.query_one(MonthGrid)
        assert grid.day == recent.created.date()
        day = recent.created.date()
        assert f"{day.day:>2}•" in await shows(pilot, "1 entry")
        await pilot.press("up")  # a week before: the older entry's day
        assert grid.day == older.created.date()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: screen.entry is not None and screen.entry.path == older.path)
        assert screen.entry_list.cursor_path == older.path


async def test_calendar_brackets_step_between_written_days(journal: Journal) -> None:
    from narrate.tui.screens.calendar import CalendarModal, MonthGrid

    far = add_entry(journal, "Far\n", title="Far back", days_ago=70)
    near = add_entry(journal, "Near\n", title="Near", days_ago=2)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(near.path)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, CalendarModal))
        grid = app.screen.query_one(MonthGrid)
        await pilot.press("left_square_bracket")
        assert grid.day == far.created.date()
        await pilot.press("right_square_bracket")
        assert grid.day == near.created.date()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.entry is not None and screen.entry.path == near.path


async def test_a_day_without_entries_shows_the_nearest_day_before(journal: Journal) -> None:
    import datetime as dt

    older = add_entry(journal, "Older\n", title="Ten days ago", days_ago=10)
    add_entry(journal, "Recent\n", title="Two days ago", days_ago=2)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.jump_to_day(dt.date.today() - dt.timedelta(days=5))
        await wait_for(pilot, lambda: screen.entry is not None and screen.entry.path == older.path)
        assert notified(app, "Nothing written on")


async def test_heat_map_day_opens_that_days_entries(journal: Journal) -> None:
    import datetime as dt

    from narrate.journal.entry import Practice
    from narrate.tui.screens.review import ReviewScreen

    target = add_entry(
        journal,
        "Practice\n",
        title="Heat map day",
        days_ago=6,
        practice=[Practice("testing", "Write the test first")],
    )
    add_entry(journal, "Later\n", title="Later day", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=(110, 80)) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review_screen = app.screen
        assert isinstance(review_screen, ReviewScreen)
        await wait_for(pilot, lambda: "shown" in review_screen.timing)
        review = review_screen.review
        assert review is not None
        day = target.created.date()
        start = review.since - dt.timedelta(days=review.since.weekday())
        x, y = 4 + (day - start).days // 7, 1 + day.weekday()
        await pilot.click("#review-cadence", offset=(x, y))
        await wait_for(pilot, lambda: app.screen is app.journal_screen)
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.entry is not None and screen.entry.path == target.path)


async def test_word_count_in_the_entry_bar(journal: Journal) -> None:
    entry = add_entry(journal, "One two three.\n", title="Counting", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        screen.open_path(entry.path)
        await shows(pilot, "3 words")
        screen.action_focus_editor()
        await pilot.press(*"Four ")
        await shows(pilot, "4 words")
        # A new entry counts what was written, not the template's prompts.
        await pilot.press("ctrl+n")
        await shows(pilot, "0 words")


def test_word_count_skips_prompts_and_marks() -> None:
    from narrate.tui.screens.journal import word_count

    template = "## What did I do?\n\n## What did I learn?\n"
    assert word_count("## What did I do?\nShipped it — finally!\n- [ ] x\n", template) == 4
