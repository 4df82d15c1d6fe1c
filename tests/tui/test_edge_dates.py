"""The app with files dated at the calendar's edge (issue 12, item 7): the journal and
the Community screen open and show the readable entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.screens.community import CommunityScreen
from tests.community.helpers import Member, publish, shared_entry
from tests.helpers import write
from tests.tui.helpers import add_entry, shows, wait_for

SIZE = (120, 40)
EDGE = "0001-01-01T09:00:00+10:00"


def edge_file(title: str, created: str = EDGE) -> str:
    return (
        f"---\nid: 01EDGE0000000000000000000A\ncreated: {created}\nupdated: {created}\n"
        f"title: {title}\ntags: []\n---\n\nBody\n"
    )


async def test_the_journal_opens_with_edge_dated_files(journal: Journal, root: Path) -> None:
    add_entry(journal, "A good entry\n", title="A good entry", days_ago=1)
    write(root, "entries/2026/11/2026-11-03-0900-edge.md", edge_file("Edge early"))
    late = edge_file("Late but readable", "9999-12-29T09:00:00+00:00")
    write(root, "entries/9999/12/9999-12-29-0900-late.md", late.replace("0000A", "0000B"))
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.journal_screen.indexed)
        text = await shows(pilot, "A good entry")
        assert "Late but readable" in text
        assert "Edge early" not in text


async def test_the_community_screen_skips_an_edge_dated_member_file(
    bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edge = shared_entry("From the edge").replace("2026-11-20T10:00:00Z", EDGE)
    publish(
        maintainer,
        {
            "members/carol/2026/2026-11-20-ok.md": shared_entry("A fine entry"),
            "members/carol/2026/2026-11-19-edge.md": edge,
        },
    )
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, bob.env[var])
    journal = Journal.open(bob.journal)
    async with NarrateApp(journal).run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommunityScreen))
        screen = pilot.app.screen
        assert isinstance(screen, CommunityScreen)
        await wait_for(pilot, lambda: screen.loaded)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.feed.option_count == 1, timeout=20)
        text = await shows(pilot, "A fine entry")
        assert "From the edge" not in text
    journal.close()
