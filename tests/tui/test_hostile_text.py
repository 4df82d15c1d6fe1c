"""Hostile text never reaches the terminal from the app (issue 11, items 9 and 10).

The user's own entries can hold escape sequences (imports, other devices, other tools
put them there), and titles, tags, areas, sources and community names can hold markup.
Each test records the bytes Textual writes to the terminal (the ``written`` fixture).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, OptionList

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.screens.community import AdoptModal, CommunityScreen
from narrate.tui.screens.conflicts import ConflictsScreen
from narrate.tui.screens.help import HelpScreen
from narrate.tui.screens.practice import CheckBackModal, PracticeModal
from narrate.tui.screens.review import ReviewScreen
from narrate.tui.screens.share import ShareModal
from tests.community.helpers import Member, publish, shared_entry
from tests.tui.helpers import (
    add_entry,
    entry_files,
    foreign_sequences,
    screen_text,
    shows,
    wait_for,
)

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


# ---------------------------------------------------------------------- item 10: markup

# "[/]" closes a tag that was never opened (MarkupError wherever it is parsed), and
# [@click=...] would be a live action; the rest is style markup and escapes.
MARKUP = "[/] [@click=app.quit]CLICKME[/] [bold]b[/bold] [link=https://evil.example]l[/link]"
HOSTILE_TITLE = f"Hostile {MARKUP} \x1b]0;pwned\x07"
HOSTILE_TAGS = ["[/]tag", "[@click=app.quit]t"]
HOSTILE_AREA = "[/]area"
# A community name in the config is checked against the name rule when it is read
# (tests/community/test_registry_names.py): markup never gets that far, so the second
# community here is an ordinary one and the hostile text comes from its members.
HOSTILE_COMMUNITY = "evil-cop"


def hostile_journal(journal: Journal) -> Any:
    """An entry with hostile title, tags and practice fields (due for a check-back), and
    a conflict copy of it with a hostile title of its own."""
    from narrate.journal.conflicts import conflict_copy
    from narrate.journal.entry import Practice

    entry = add_entry(
        journal,
        f"Body of the hostile entry {MARKUP}\n",
        title=HOSTILE_TITLE,
        tags=HOSTILE_TAGS,
        days_ago=20,
        practice=[
            Practice(
                HOSTILE_AREA,
                f"Change {MARKUP}",
                before=f"Before {MARKUP}",
                source=f"[/]{MARKUP}",
            )
        ],
    )
    add_entry(journal, "Today's entry\n", title=f"Today {MARKUP}", tags=HOSTILE_TAGS)
    data = (journal.root / entry.path).read_bytes()
    copy, copy_data = conflict_copy(entry.path, data.replace(b"Body of", b"Theirs:"), "abc1234")
    (journal.root / copy).write_bytes(copy_data)
    journal.refresh(full=True)
    return entry


async def test_every_screen_shows_hostile_markup_as_text(
    bob: Member, cop: Path, maintainer: Path, monkeypatch: pytest.MonkeyPatch, written: list[str]
) -> None:
    publish(
        maintainer,
        {
            "members/m[@click=app.quit]CLICKME[b]/2026/2026-11-21-x.md": shared_entry(
                HOSTILE_TITLE, f"Shared {MARKUP}\n", area="x"
            ),
            "members/mallory/2026/2026-11-20-y.md": shared_entry(
                f"Mallory {MARKUP}", f"Body {MARKUP}\n"
            ),
        },
    )
    config = bob.home / "config" / "narrate" / "config.toml"
    config.write_text(
        config.read_text("utf-8") + f'\n[communities."{HOSTILE_COMMUNITY}"]\nurl = "{cop}"\n'
        'member = "bob"\n',
        "utf-8",
    )
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, bob.env[var])
    journal = Journal.open(bob.journal)
    entry = hostile_journal(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = app.journal_screen
        await wait_for(pilot, lambda: home.indexed)
        await shows(pilot, "CLICKME")

        async def click_clickme() -> None:
            # Clicking where the hostile [@click] text is drawn does nothing.
            for row, line in enumerate(screen_text(app).splitlines()):
                if "CLICKME" in line:
                    await pilot.click(offset=(line.index("CLICKME"), row))
                    await pilot.pause(0.1)
            assert app.is_running and app.return_code is None

        await click_clickme()
        # Search for the hostile text: the list status and snippets.
        await pilot.press("ctrl+f", *"CLICKME")
        await shows(pilot, "Hostile")
        await pilot.press("escape")
        home.open_path(entry.path)
        await shows(pilot, "Body of the hostile entry")

        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)

        # The practice form: its border subtitle is the title.
        home.editor.focus()
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        await shows(pilot, "Practice change")
        await shows(pilot, "[@click=app.quit]CLICKME")
        await click_clickme()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)

        # The review, and a check-back of the hostile change.
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        await wait_for(pilot, lambda: "shown" in review.timing)
        await shows(pilot, "Change [/] [@click=app.quit]CLICKME")
        await click_clickme()
        await pilot.press("c", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckBackModal))
        await shows(pilot, "Check-back")
        await shows(pilot, "[@click=app.quit]CLICKME")
        await click_clickme()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is review)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)

        # The conflicts screen: both versions, side by side and as a diff.
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictsScreen))
        await shows(pilot, "They differ")
        await click_clickme()
        await pilot.press("d")
        await pilot.pause(0.2)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)

        # The share dialog, with a hostile community name among the targets.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, ShareModal))
        share = app.screen
        await shows(pilot, HOSTILE_COMMUNITY)
        await wait_for(pilot, lambda: share.prepared is not None, timeout=20)
        share.query_one("#share-to", OptionList).highlighted = 1
        await wait_for(
            pilot,
            lambda: share.prepared is not None and share.prepared.community == HOSTILE_COMMUNITY,
            timeout=20,
        )
        label = share.query_one("#share-publish", Button).label
        assert str(label) == f"Publish to {HOSTILE_COMMUNITY}"  # as text, not markup
        await click_clickme()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)

        # The community screen: hostile member folders, titles, areas; the adopt form.
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, CommunityScreen))
        community = app.screen
        await wait_for(pilot, lambda: community.loaded)
        await pilot.press("p")
        await wait_for(pilot, lambda: community.feed.option_count >= 2, timeout=20)
        await shows(pilot, "Mallory")
        await click_clickme()
        community.feed.focus()
        await wait_for(pilot, lambda: community.reader.item is not None)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AdoptModal))
        await pilot.pause(0.2)
        await click_clickme()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is community)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)
        assert app.is_running and app.return_code is None
    journal.close()
    output = "".join(written)
    assert "CLICKME" in output
    assert foreign_sequences(output) == set()
    assert "\x1b]0;pwned" not in output


async def test_a_click_action_in_a_title_is_not_live_in_the_form_border(
    journal: Journal, written: list[str]
) -> None:
    # Valid markup (no "[/]" to crash on): before, the border drew "CLICKME" as a link
    # that quit the app.
    add_entry(journal, "Body\n", title="Look [@click=app.quit]CLICKME[/] here")
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await shows(pilot, "Body")
        app.journal_screen.editor.focus()
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        text = await shows(pilot, "CLICKME")
        assert "[@click=app.quit]CLICKME[/]" in text
        for row, line in enumerate(text.splitlines()):
            if "CLICKME" in line:
                await pilot.click(offset=(line.index("CLICKME"), row))
        await pilot.pause(0.3)
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, PracticeModal)
