"""Hostile text never reaches the terminal from the app (issue 11, items 9 and 10).

The user's own entries can hold escape sequences (imports, other devices, other tools
put them there), and titles, tags, areas, sources and community names can hold markup.
Each test records the bytes Textual writes to the terminal (the ``written`` fixture).
"""

from __future__ import annotations

from pathlib import Path

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from tests.tui.helpers import add_entry, entry_files, foreign_sequences, shows, wait_for

SIZE = (110, 36)

# OSC 52 (clipboard), OSC 0 (window title), CSI clear screen, C1 CSI and OSC, RTL override.
HOSTILE_BODY = (
    "Plain start\n"
    "clip \x1b]52;c;cHduZWQ=\x07 title \x1b]0;pwned-title\x07 clear \x1b[2J\n"
    "c1 \x9b6n and \x9d0;pwned-c1\x9c rtl \u202eevil\u202c bell \x07 end\n"
)


async def test_escapes_in_an_entry_body_never_reach_the_terminal(
    journal: Journal, root: Path, written: list[str]
) -> None:
    add_entry(journal, HOSTILE_BODY, title="Hostile body")
    (path,) = entry_files(root)
    before = path.read_bytes()
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: "Plain start" in screen.editor.text)
        await shows(pilot, "Plain start")
        # The editor holds the text as it is in the file: only its display is defused.
        assert screen.editor.text == HOSTILE_BODY
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.previewing)
        await shows(pilot, "rtl")
        editor_and_preview = "".join(written)
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
    assert "Plain start" in editor_and_preview and "rtl" in editor_and_preview
    assert foreign_sequences("".join(written)) == set()
    assert path.read_bytes() == before  # the file stays untouched
