"""The conversation in the app: the reader's thread and adoption trail, replying through
the share dialog, the badge for new activity, following, and the community review.

Three members' content is published into a bare community remote in the data model the
publishing commands write (tests/community/scenario.py); bob and alice read it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import tomllib
import types
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static, TextArea

from narrate.community.feed import feed_id
from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.screens.community import CommunityScreen
from narrate.tui.screens.conversation import CommunityReviewScreen, ReplyModal, bar
from narrate.tui.screens.share import ShareModal
from tests.community.helpers import Member, git
from tests.community.scenario import ALICE_PATH, publish_conversation
from tests.tui.helpers import screen_text, shows, wait_for
from tests.tui.test_snapshots import check_snapshot

WIDE = (160, 48)
SIZES = [(80, 24), WIDE]
TODAY = dt.date(2026, 12, 10)


class _DateMeta(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, _REAL_DATE)


_REAL_DATE = dt.date


class _Frozen(dt.date, metaclass=_DateMeta):
    @classmethod
    def today(cls) -> _Frozen:
        return cls(TODAY.year, TODAY.month, TODAY.day)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is TODAY for the dates the screens show and the review's period."""
    fake = types.SimpleNamespace(**{k: getattr(dt, k) for k in dir(dt) if not k.startswith("__")})
    fake.date = _Frozen
    for name in ("narrate.humane", "narrate.community.review", "narrate.tui.app"):
        monkeypatch.setattr(importlib.import_module(name), "dt", fake)


def become(monkeypatch: pytest.MonkeyPatch, member: Member) -> Journal:
    """Run the app as ``member``: their config, their clones, their journal."""
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, member.env[var])
    return Journal.open(member.journal)


async def open_community(pilot: Any) -> CommunityScreen:
    """ctrl+o from the journal; wait until the feed is read."""
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommunityScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.loaded)
    return screen


async def read_alices_entry(pilot: Any, screen: CommunityScreen) -> None:
    """Highlight alice's entry in the feed and wait for its thread."""
    alice_id = feed_id("cop", ALICE_PATH)
    screen.feed.focus()
    screen.feed.highlighted = screen.feed.get_option_index(alice_id)
    await wait_for(pilot, lambda: screen.reader.conversation_of == alice_id, timeout=15)


async def test_the_reader_shows_the_thread_and_the_adoption_trail(
    bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_conversation(maintainer)
    bob.ok("community", "pull")
    journal = become(monkeypatch, bob)
    async with NarrateApp(journal).run_test(size=WIDE) as pilot:
        screen = await open_community(pilot)
        await read_alices_entry(pilot, screen)
        text = await shows(pilot, "Thread · 2 replies")
        assert "How did you make the flag expire?" in text
        # carol's answers bob's reply: nested one level deeper.
        lines = text.splitlines()
        bob_line = next(line for line in lines if "↳ bob" in line)
        carol_line = next(line for line in lines if "↳ carol" in line)
        assert carol_line.index("↳") > bob_line.index("↳")
        assert "Adoption trail" in text and "✓ bob adopted" in text
        assert "2026-12-05: yes" in text
    journal.close()


async def test_reply_goes_through_the_share_preview(
    bob: Member, maintainer: Path, cop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_conversation(maintainer)
    bob.ok("community", "pull")
    journal = become(monkeypatch, bob)
    async with NarrateApp(journal).run_test(size=WIDE) as pilot:
        screen = await open_community(pilot)
        await read_alices_entry(pilot, screen)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReplyModal))
        modal = pilot.app.screen
        # Empty: refused, nothing written.
        await pilot.press("ctrl+s")
        assert isinstance(pilot.app.screen, ReplyModal)
        modal.query_one("#reply-text", TextArea).insert("A nightly job works for us too.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShareModal), timeout=20)
        share = pilot.app.screen
        await wait_for(pilot, lambda: share.prepared is not None, timeout=20)
        copy = share.prepared.copy
        assert copy.path.startswith("members/bob/replies/")
        assert "in_reply_to" in copy.text and "A nightly job works for us too." in copy.text
        # Kept in the journal before anything is published.
        assert any(
            "A nightly job works" in p.read_text("utf-8")
            for p in bob.journal.rglob("entries/**/*.md")
        )
        await pilot.click("#share-publish")
        await wait_for(pilot, lambda: pilot.app.screen is screen, timeout=20)
        tree = git(cop, "ls-tree", "-r", "--name-only", "main").split()
        assert copy.path in tree
    journal.close()


async def test_the_badge_shows_new_activity_once(
    alice: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_conversation(maintainer)
    alice.ok("community", "pull")
    journal = become(monkeypatch, alice)
    async with NarrateApp(journal).run_test(size=WIDE) as pilot:
        screen = await open_community(pilot)
        badge = screen.query_one("#activity-badge", Static)
        assert badge.display
        await shows(pilot, "● new: 1 reply, 1 adoption, 1 check-back")
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is pilot.app.journal_screen)
        screen = await open_community(pilot)
        assert not screen.query_one("#activity-badge", Static).display
    journal.close()


async def test_follow_toggles_the_member_and_the_area(
    bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_conversation(maintainer)
    bob.ok("community", "pull")
    journal = become(monkeypatch, bob)
    config = Path(bob.env["XDG_CONFIG_HOME"]) / "narrate" / "config.toml"

    def follows() -> list[str]:
        data = tomllib.loads(config.read_text("utf-8"))
        return list(data["communities"]["cop"].get("follow", []))

    async with NarrateApp(journal).run_test(size=WIDE) as pilot:
        screen = await open_community(pilot)
        await read_alices_entry(pilot, screen)
        await pilot.press("f")
        await wait_for(pilot, lambda: follows() == ["alice"])
        await shows(pilot, "★ you follow alice")
        await pilot.press("F")
        await wait_for(pilot, lambda: follows() == ["alice", "area:feature-flags"])
        await pilot.press("f")
        await wait_for(pilot, lambda: follows() == ["area:feature-flags"])
        await shows(pilot, "★ you follow area:feature-flags")
    journal.close()


async def test_the_community_review_screen(
    bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch, frozen: None
) -> None:
    publish_conversation(maintainer)
    bob.ok("community", "pull")
    journal = become(monkeypatch, bob)
    async with NarrateApp(journal).run_test(size=WIDE) as pilot:
        screen = await open_community(pilot)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommunityReviewScreen))
        review = pilot.app.screen
        await wait_for(pilot, lambda: review.loaded, timeout=15)
        assert review.data is not None
        assert review.data["cycles"]["applied"]["adopted"] == 1
        text = await shows(pilot, "Stories · 1 practice change that spread")
        assert "↳ bob: adopted (check-backs 2026-12-05 yes)" in text
        for cycle in ("Immediate", "Potential", "Applied", "Realized", "Reframing"):
            assert cycle in text
        await pilot.press("w")
        await wait_for(pilot, lambda: review.loaded and review.data["by"] == "week", timeout=15)
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
    journal.close()


def test_bars_scale_to_the_largest() -> None:
    assert bar(0, 10) == "" and bar(10, 10) == "█" * 30 and bar(1, 1000) == "█"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_snapshots(
    bob: Member,
    maintainer: Path,
    monkeypatch: pytest.MonkeyPatch,
    frozen: None,
    size: tuple[int, int],
) -> None:
    from narrate.community.registry import load_state, save_state

    publish_conversation(maintainer)
    bob.ok("community", "pull")
    journal = become(monkeypatch, bob)
    # The pull's time is the clock's: a fixed one keeps the snapshot's "pulled" words.
    state = load_state()
    state["cop"]["last_pull"] = "2026-12-09T09:00:00+00:00"
    save_state(state)
    async with NarrateApp(journal).run_test(size=size) as pilot:
        screen = await open_community(pilot)
        await read_alices_entry(pilot, screen)
        screen.reader.focus()
        await pilot.pause(0.3)
        check_snapshot(f"community-thread-{size[0]}x{size[1]}.txt", screen_text(pilot.app))
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommunityReviewScreen))
        review = pilot.app.screen
        await wait_for(pilot, lambda: review.loaded, timeout=15)
        await pilot.pause(0.3)
        check_snapshot(f"community-review-{size[0]}x{size[1]}.txt", screen_text(pilot.app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReplyModal))
        pilot.app.screen.query_one("#reply-text", TextArea).cursor_blink = False
        await pilot.pause(0.3)
        check_snapshot(f"community-reply-{size[0]}x{size[1]}.txt", screen_text(pilot.app))
    journal.close()


async def test_a_hostile_reply_is_shown_inert(
    bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch, written: list[str]
) -> None:
    from tests.community.helpers import publish
    from tests.community.scenario import ALICE_ID
    from tests.tui.helpers import foreign_sequences

    hostile = (
        "---\nid: 01JMALLORYREPLY00000000000\ntitle: x\ncreated: 2026-11-23T08:00:00Z\n"
        f"in_reply_to:\n  member: alice\n  path: {ALICE_PATH}\n  id: {ALICE_ID}\n---\n\n"
        "[@click=app.quit]CLICKME[/] [red]red[/red] \x1b]52;c;SGVsbG8=\x07 \x1b[2J\x9b6n end\n"
    )
    publish_conversation(maintainer)
    publish(maintainer, {"members/mallory/replies/2026/2026-11-23-x.md": hostile})
    bob.ok("community", "pull")
    journal = become(monkeypatch, bob)
    app = NarrateApp(journal)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_community(pilot)
        await read_alices_entry(pilot, screen)
        text = await shows(pilot, "Thread · 3 replies")
        assert "[@click=app.quit]CLICKME[/] [red]red[/red]" in text
        for row, line in enumerate(screen_text(app).splitlines()):
            if "CLICKME" in line:
                await pilot.click(offset=(line.index("CLICKME"), row))
        await pilot.pause(0.2)
        assert app.is_running and app.return_code is None
    output = "".join(written)
    assert "CLICKME" in output and "SGVsbG8" not in output
    assert foreign_sequences(output) == set()
    journal.close()
