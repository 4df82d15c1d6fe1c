"""The journal screen as a user drives it: open, write, search, switch, outside edits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.binding import Binding
from textual.events import Key
from textual.widgets import Input, Markdown, TextArea

from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.tui.app import NarrateApp
from narrate.tui.listing import JournalListing, SearchListing
from narrate.tui.screens.help import HelpScreen
from narrate.tui.screens.journal import JournalScreen
from narrate.tui.template import DEFAULT_TEMPLATE
from narrate.tui.widgets.entry_list import EntryList
from tests.tui.helpers import (
    add_entry,
    entry_files,
    git_clean,
    git_log,
    screen_text,
    shows,
    wait_for,
)

SIZE = (100, 30)


def parts(app: NarrateApp) -> tuple[JournalScreen, TextArea, EntryList]:
    """The journal screen, its editor and its list."""
    screen = app.journal_screen
    return screen, screen.editor, screen.entry_list


async def test_opens_on_a_new_entry_for_today_and_writes_nothing(
    journal: Journal, root: Path
) -> None:
    commits = git_log(root)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, _ = parts(pilot.app)
        await wait_for(pilot, lambda: screen.indexed)
        assert editor.has_focus
        assert editor.text == DEFAULT_TEMPLATE
        # The cursor waits under the first prompt, ready to type.
        assert editor.cursor_location == (1, 0)
        await pilot.pause(0.5)  # longer than the autosave delay
        await shows(pilot, "New entry")
    assert entry_files(root) == []
    assert git_log(root) == commits


async def test_opens_on_todays_entry_with_the_cursor_at_its_end(journal: Journal) -> None:
    add_entry(journal, "Yesterday's work", days_ago=1)
    today = add_entry(journal, "Started the migration\n", title="Migration day")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, entries = parts(pilot.app)
        assert screen.entry is not None and screen.entry.id == today.id
        assert editor.text == "Started the migration\n"
        assert editor.cursor_location == editor.document.end
        assert editor.has_focus
        assert entries.current_path == today.path
        text = await shows(pilot, "Migration day")
        assert "Today" in text and "Yesterday" in text


async def test_typing_autosaves_and_commits_one_entry(journal: Journal, root: Path) -> None:
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, _ = parts(pilot.app)
        editor.load_text("")
        await pilot.press(*"Shipped the retry fix")
        await wait_for(pilot, lambda: len(entry_files(root)) == 1 and not screen.saving)
        await wait_for(pilot, lambda: not screen.dirty)
        (path,) = entry_files(root)
        assert "Shipped the retry fix" in path.read_text("utf-8")
        assert git_log(root)[0] == "Write entry: Shipped the retry fix"
        # Writing on edits the same file: the second save is an edit, not a new entry.
        await pilot.press("enter", *"Then reviewed #testing")
        await wait_for(pilot, lambda: "reviewed" in path.read_text("utf-8"))
        await wait_for(pilot, lambda: not screen.saving and not screen.dirty)
        assert entry_files(root) == [path]
        assert git_clean(root)
        await shows(pilot, "#testing")


async def test_rapid_saves_are_coalesced_into_few_commits(journal: Journal, root: Path) -> None:
    before = len(git_log(root))
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, _ = parts(pilot.app)
        for word in ["one ", "two ", "three ", "four ", "five ", "six "]:
            editor.insert(word)
            screen.save_now()  # as fast as a user could press ctrl+s
        await wait_for(pilot, lambda: not screen.saving and not screen.dirty)
    commits = len(git_log(root)) - before
    assert 1 <= commits <= 3
    (path,) = entry_files(root)
    assert "one two three four five six" in path.read_text("utf-8")


async def test_ctrl_q_saves_then_quits(journal: Journal, root: Path) -> None:
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        app.journal_screen.editor.load_text("Last thought before lunch")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)
    (path,) = entry_files(root)
    assert "Last thought before lunch" in path.read_text("utf-8")
    assert git_clean(root)


async def test_search_narrows_the_list_and_escape_returns(journal: Journal) -> None:
    add_entry(journal, "Paired on the flaky #testing suite", days_ago=2)
    add_entry(journal, "Planning the quarter", days_ago=1)
    add_entry(journal, "Wrote property tests for the parser #testing", days_ago=1, hour=15)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, _, entries = parts(pilot.app)
        assert isinstance(entries.listing, JournalListing)
        assert entries.listing.entry_count == 3
        await pilot.press("ctrl+f")
        search = screen.query_one("#search", Input)
        assert search.has_focus
        await pilot.press(*"#testing")
        await wait_for(pilot, lambda: isinstance(entries.listing, SearchListing))
        assert entries.listing.row_count == 2
        await shows(pilot, "2 matches")
        await pilot.press("enter")  # to the results; the first opens
        assert entries.has_focus
        assert screen.entry is not None and "testing" in screen.entry.all_tags()
        await pilot.press("escape")
        assert isinstance(entries.listing, JournalListing)
        assert entries.listing.entry_count == 3
        assert not search.display


async def test_search_with_any_text_never_crashes(journal: Journal) -> None:
    add_entry(journal, "Something ordinary")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        _screen, _, entries = parts(pilot.app)
        await pilot.press("ctrl+f", *'"unclosed AND OR ( * -', "^")
        await wait_for(pilot, lambda: isinstance(entries.listing, SearchListing))
        assert entries.listing.row_count == 0


async def test_switching_entries_saves_the_one_left(journal: Journal, root: Path) -> None:
    older = add_entry(journal, "Older body\n", title="Older", days_ago=3)
    newer = add_entry(journal, "Newer body\n", title="Newer", days_ago=1)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, entries = parts(pilot.app)
        await pilot.press("escape")  # editor -> list
        assert entries.has_focus
        await pilot.press("down")
        assert screen.entry.id == newer.id
        assert editor.text == "Newer body\n"
        await pilot.press("enter")
        assert editor.has_focus
        editor.insert("An edit. ")
        await pilot.press("escape", "down")
        assert screen.entry.id == older.id
        assert editor.text == "Older body\n"
        await wait_for(pilot, lambda: not screen.saving)
        assert "An edit. Newer body" in (root / newer.path).read_text("utf-8")
        assert git_clean(root)
        await pilot.press("up")
        assert editor.text == "An edit. Newer body\n"


async def test_outside_edit_reloads_when_there_are_no_local_edits(
    journal: Journal, root: Path
) -> None:
    entry = add_entry(journal, "First version\n")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, _ = parts(pilot.app)
        assert editor.text == "First version\n"
        changed = entry.touched(body="Edited in vim\n")
        (root / entry.path).write_bytes(changed.document.to_bytes())
        await wait_for(pilot, lambda: editor.text == "Edited in vim\n")
        assert not screen.dirty
        assert len(entry_files(root)) == 1


async def test_outside_edit_during_local_edits_keeps_both_versions(
    journal: Journal, root: Path
) -> None:
    entry = add_entry(journal, "Shared start\n", title="Standup")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, _ = parts(pilot.app)
        editor.insert("Typed in narrate. ")
        theirs = entry.touched(body="Shared start\nTyped in another editor.\n")
        (root / entry.path).write_bytes(theirs.document.to_bytes())
        await wait_for(pilot, lambda: len(entry_files(root)) == 2 and not screen.saving)
        await wait_for(pilot, lambda: not screen.dirty)
        original = (root / entry.path).read_text("utf-8")
        (copy,) = [p for p in entry_files(root) if "-conflict-" in p.name]
        assert "Typed in narrate." in original
        assert "Typed in another editor." in copy.read_text("utf-8")
        copied = Entry.from_bytes(copy.read_bytes())
        assert copied.id != entry.id and copied.meta["conflict_of"] == entry.id
        assert git_clean(root)
        # The notice is a message of its own: under load it can follow the files.
        await wait_for(
            pilot, lambda: any("Both versions kept" in n.title for n in pilot.app._notifications)
        )
        await shows(pilot, "≠")  # the copy is marked in the list


async def test_preview_renders_markdown_and_links_are_not_followed(journal: Journal) -> None:
    add_entry(journal, "# Heading\n\nSee [the docs](https://example.com) **now**\n")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, _ = parts(pilot.app)
        await pilot.press("ctrl+r")
        assert screen.previewing
        text = await shows(pilot, "Heading")
        assert "# Heading" not in text
        assert screen.query_one("#preview-text", Markdown).source.startswith("# Heading")
        await pilot.press("ctrl+r")
        assert not screen.previewing and editor.has_focus


async def test_untrusted_markup_is_shown_literally_and_does_nothing(
    journal: Journal, root: Path
) -> None:
    title = "[red]x[/red] [@click=app.quit]boom[/]"
    entry = add_entry(journal, "[bold]not bold[/bold] [@click=app.quit]quit[/]\n", title=title)
    add_entry(journal, "Another\n", days_ago=1)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        _screen, _, entries = parts(app)
        text = await shows(pilot, "[red]x[/red] [@click=app.quit]boom[/]")  # list and bar
        assert "[bold]not bold[/bold]" in text
        row = entries.listing.row_of_path(entry.path)
        assert row is not None
        await pilot.click(EntryList, offset=(20, row))
        await pilot.click("#entry-title", offset=(15, 0))
        await pilot.pause(0.2)
        assert app.is_running
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        await shows(pilot, "[bold]not bold[/bold]")
        await pilot.click("#preview-text", offset=(25, 0))
        await pilot.pause(0.2)
        assert app.is_running


async def test_control_characters_never_reach_the_terminal(journal: Journal) -> None:
    add_entry(journal, "body\n", title="evil \x1b]52;c;aGk=\x07 title\x9b31m")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        # As the CLI shows it (narrate/sanitize.py): the escapes go with their payloads.
        text = await shows(pilot, "evil title")
        assert "\x1b]52" not in text and "\x9b" not in text and "52;c" not in text


async def test_new_and_today_keys(journal: Journal, root: Path) -> None:
    today = add_entry(journal, "Morning notes\n", title="Morning", hour=0)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen, editor, _ = parts(pilot.app)
        await pilot.press("ctrl+n")
        assert screen.entry is None and editor.text == DEFAULT_TEMPLATE
        await pilot.press(*"Afternoon idea")
        await wait_for(pilot, lambda: len(entry_files(root)) == 2 and not screen.saving)
        await pilot.press("ctrl+t")
        # Today's newest entry is the one just written.
        assert screen.entry is not None and screen.entry.id != today.id
        assert "Afternoon idea" in editor.text


async def test_a_template_in_the_journal_is_used(journal: Journal, root: Path) -> None:
    (root / "template.md").write_text("# {{date}}\n\n## Wins\n\n", "utf-8")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        _, editor, _ = parts(pilot.app)
        today = dt.date.today()
        assert editor.text.startswith(f"# {today:%A} {today.day} {today:%B} {today.year}\n")
        assert "## Wins" in editor.text


async def test_help_lists_keys_and_palette_has_every_action(journal: Journal) -> None:
    async with NarrateApp(journal).run_test(size=(100, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(pilot.app.screen, HelpScreen)
        text = await shows(pilot, "Start a new entry")
        for words in ["Start a new entry", "Open today's entry", "Search the journal", "Quit"]:
            assert words in text
        # Every key of the journal screen, of the app and of the entry list (while the
        # editor has the focus), read from the bindings as help opened.
        help_screen = pilot.app.screen
        shown = {(b.key, b.action) for b in help_screen.shown_bindings}
        for binding in [*JournalScreen.BINDINGS, *NarrateApp.BINDINGS, *EntryList.BINDINGS]:
            assert isinstance(binding, Binding) and (binding.key, binding.action) in shown
        assert help_screen.with_editor
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, JournalScreen)
        titles = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert {"New entry", "Today", "Search", "Preview", "Save", "Help", "Theme"} <= titles
        assert {"Quit"} <= titles


async def test_footer_offers_save_only_when_there_is_something_to_save(
    journal: Journal,
) -> None:
    add_entry(journal, "Saved already\n")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        _screen, editor, _ = parts(pilot.app)
        await wait_for(pilot, lambda: "^t Today" in screen_text(pilot.app))
        assert "^s Save" not in screen_text(pilot.app)
        editor.insert("more ")
        await wait_for(pilot, lambda: "^s Save" in screen_text(pilot.app))


async def test_header_shows_journal_name_and_git_state(journal: Journal, root: Path) -> None:
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.sub_title == "clean")
        await wait_for(pilot, lambda: f"narrate · {root.name} — clean" in screen_text(pilot.app))


async def test_keys_typed_just_before_ctrl_q_are_saved(journal: Journal, root: Path) -> None:
    """A fast typist's last keys may still wait in the editor's queue when ctrl+q (a
    priority binding, handled on arrival) comes in: they must be saved too."""
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        driver = app._driver
        assert driver is not None
        for char in "Last words":
            driver.send_message(Key("space" if char == " " else char, char))
        driver.send_message(Key("ctrl+q", None))
        await wait_for(pilot, lambda: not app.is_running)
    (path,) = entry_files(root)
    assert "Last words" in path.read_text("utf-8")
