"""The preview shows ``[[wikilinks]]`` as links, and following one opens the entry it
names, as Obsidian does; a name no entry has is said, not guessed."""

from __future__ import annotations

from textual.widgets import Markdown

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from tests.tui.helpers import add_entry, wait_for

SIZE = (100, 30)


async def test_a_wikilink_in_the_preview_opens_its_entry(journal: Journal) -> None:
    retro = add_entry(journal, "Went well: the deploy.\n", title="Retro notes", days_ago=1)
    add_entry(journal, "Planning, after [[retro notes|the retro]] and [[Nowhere]].\n")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen = pilot.app.journal_screen
        await wait_for(pilot, lambda: screen.indexed and screen.entry is not None)
        await pilot.press("ctrl+r")
        preview = screen.query_one("#preview-text", Markdown)
        await wait_for(pilot, lambda: "wikilink:" in preview.source)
        assert "[the retro](<wikilink:retro notes>)" in preview.source
        # What a click on the link sends.
        preview.post_message(Markdown.LinkClicked(preview, "wikilink:retro%20notes"))
        await wait_for(pilot, lambda: screen.entry is not None and screen.entry.path == retro.path)
        preview.post_message(Markdown.LinkClicked(preview, "wikilink:Nowhere"))
        await wait_for(
            pilot,
            lambda: any(
                "No entry is called Nowhere" in n.message for n in pilot.app._notifications
            ),
        )
        assert screen.entry is not None and screen.entry.path == retro.path
