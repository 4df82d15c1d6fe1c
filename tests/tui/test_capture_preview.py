"""Issue 12, item 1 in the app: a capture whose body starts with its title shows that
text once in the editor and once in the preview."""

from __future__ import annotations

from textual.widgets import Markdown

from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.tui.app import NarrateApp

SIZE = (100, 30)


async def test_a_capture_shows_its_title_line_once_in_editor_and_preview(
    journal: Journal,
) -> None:
    entry = journal.add(Entry.from_capture("Fixed the flaky deploy #ops\n\nIt was DNS."))
    assert entry.body.startswith("Fixed the flaky deploy")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen = pilot.app.journal_screen
        assert screen.entry is not None and screen.entry.id == entry.id
        assert screen.editor.text == entry.body, "the editor shows the file's body as it is"
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        source = screen.query_one("#preview-text", Markdown).source
        assert source.count("Fixed the flaky deploy") == 1 and "It was DNS." in source
