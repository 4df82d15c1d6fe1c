"""Snapshots of the main screen in two themes: its text, and its SVG (the colours).

pytest-textual-snapshot pins an old syrupy that needs pytest < 9, so this compares
``export_screenshot()`` and the screen's text with files in snapshots/ directly.
After an intended change, regenerate with NARRATE_UPDATE_SNAPSHOTS=1 and review the
diff (open the .svg files in a browser).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice
from narrate.tui.app import NarrateApp
from tests.tui.helpers import screen_text, wait_for

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("NARRATE_UPDATE_SNAPSHOTS") == "1"


def check_snapshot(name: str, actual: str) -> None:
    """Compare with snapshots/<name>; write it when updating (or when it is new)."""
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, "utf-8")
        if not UPDATE:
            pytest.fail(f"new snapshot {path} written: review it and run the tests again")
        return
    expected = path.read_text("utf-8")
    if actual != expected:
        (path.parent / f"{path.stem}.actual{path.suffix}").write_text(actual, "utf-8")
        diff = "\n".join(
            difflib.unified_diff(expected.splitlines(), actual.splitlines(), lineterm="", n=1)
        )
        pytest.fail(f"{name} differs (actual saved beside it):\n{diff[:3000]}")


def fill(journal: Journal) -> None:
    """A small journal at fixed past dates, so the screen is the same every day."""

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2024, 3, day, hour, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))

    entries = [
        Entry.new("Reviewed the retry PR.\n", title="Code review day", created=at(4, 9),
                  tags=["code-review"]),
        Entry.new("Tests first, then the diff.\n", title="Reading tests first", created=at(4, 16),
                  practice=[Practice(area="code-review", change="Read the tests first")]),
        Entry.new("Health notes.\n", title="Doctor appointment", created=at(5, 8), private=True),
        Entry.new("Paired with Mei on the parser.\n", title="Pairing on the parser",
                  created=at(6, 11), tags=["pairing", "parser"]),
        Entry.new("[red]not markup[/red]\n", title="[red]Brackets stay[/red]", created=at(6, 17)),
    ]  # fmt: skip
    for entry in entries:
        journal.add(entry)


@pytest.mark.parametrize("theme", ["narrate-dusk", "narrate-paper"])
async def test_main_screen(journal: Journal, theme: str) -> None:
    fill(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=(100, 24)) as pilot:
        app.theme = theme
        app.journal_screen.editor.cursor_blink = False
        await wait_for(pilot, lambda: app.sub_title == "clean")
        # The footer fills in after its first layout: wait for what a user would see.
        await wait_for(pilot, lambda: "^q Quit" in screen_text(app))
        await pilot.pause(0.2)
        check_snapshot("main-screen.txt", screen_text(app))
        check_snapshot(f"main-screen-{theme}.svg", app.export_screenshot(title="narrate"))


# ---------------------------------------------------------------------- every screen
# Issue 13: every screen and modal at 80×24 (nothing cut or overlapping) and wide.
# "Today" is frozen to FROZEN_TODAY for the modules that draw relative dates, so the
# review's periods, the heat map and "Today"/"Yesterday" are the same every day.

FROZEN_TODAY = dt.date(2024, 3, 8)
SIZES = [(80, 24), (160, 48)]


class _DateMeta(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, _REAL_DATE)


_REAL_DATE = dt.date


class FrozenDate(dt.date, metaclass=_DateMeta):
    """``date`` whose today() is FROZEN_TODAY (instances of real dates still pass
    isinstance checks)."""

    @classmethod
    def today(cls) -> FrozenDate:
        """The frozen day."""
        return cls(FROZEN_TODAY.year, FROZEN_TODAY.month, FROZEN_TODAY.day)


@pytest.fixture
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is FROZEN_TODAY wherever a screen asks."""
    import importlib
    import types

    fake = types.SimpleNamespace(**{k: getattr(dt, k) for k in dir(dt) if not k.startswith("__")})
    fake.date = FrozenDate
    for name in (
        "narrate.humane",
        "narrate.tui.screens.journal",
        "narrate.tui.screens.review",
        "narrate.tui.screens.practice",
        "narrate.tui.screens.calendar",
        "narrate.tui.widgets.entry_list",
        "narrate.tui.app",
        "narrate.practice.review",
        "narrate.practice.checkback",
    ):
        module = importlib.import_module(name)
        monkeypatch.setattr(module, "dt", fake)


def fill_practice(journal: Journal) -> None:
    """The small journal, and practice changes the review, the form and a check-back show."""
    fill(journal)
    zone = dt.timezone(dt.timedelta(hours=1))
    journal.add(
        Entry.new(
            "Smaller pull requests this week.\n",
            title="Small PRs",
            created=dt.datetime(2024, 2, 20, 10, 0, tzinfo=zone),
            tags=["code-review"],
            practice=[
                Practice(
                    area="code-review",
                    change="Ask for pull requests under 300 lines",
                    before="Reviewed whatever came",
                    source="sam",
                    review_after="2024-03-05",
                )
            ],
        )
    )


MINE = """---
id: 01HRA8QWX0KE6KYCZQ67CTPHRY
created: 2024-03-07T09:00:00+01:00
updated: 2024-03-07T09:30:00+01:00
title: Planning the release
tags: [release]
---

Cut the release branch on Friday.
Mei reviews the changelog.
"""
THEIRS = (
    MINE.replace("01HRA8QWX0KE6KYCZQ67CTPHRY", "01HRA8QWX0KE6KYCZQ67CTPHRZ")
    .replace("tags: [release]", "tags: [release]\nconflict_of: 01HRA8QWX0KE6KYCZQ67CTPHRY")
    .replace("on Friday", "on Thursday")
)


def conflict(journal: Journal) -> None:
    """An entry and a conflict copy of it, with fixed ids and times (written by hand: a
    copy made now would carry today's time and a random id)."""
    folder = journal.root / "entries" / "2024" / "03"
    (folder / "2024-03-07-0900-planning-the-release.md").write_text(MINE, "utf-8")
    name = "2024-03-07-0900-planning-the-release-conflict-abc1234.md"
    (folder / name).write_text(THEIRS, "utf-8")
    journal.refresh()


async def ready(pilot: Pilot[None], app: NarrateApp) -> None:
    """The journal screen indexed and its footer drawn."""
    app.journal_screen.editor.cursor_blink = False
    await wait_for(pilot, lambda: app.sub_title != "…")
    await wait_for(pilot, lambda: app.journal_screen.indexed)
    await wait_for(pilot, lambda: "Quit" in screen_text(app))


async def open_journal(pilot: Pilot[None], app: NarrateApp) -> None:
    """The journal screen as it opens."""


async def open_help(pilot: Pilot[None], app: NarrateApp) -> None:
    """F1 over the journal."""
    from narrate.tui.screens.help import HelpScreen

    await pilot.press("f1")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def open_review(pilot: Pilot[None], app: NarrateApp) -> None:
    """F9: the review of the last 30 days."""
    from narrate.tui.screens.review import ReviewScreen

    await pilot.press("f9")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    await wait_for(pilot, lambda: "shown" in screen.timing)


async def open_practice_form(pilot: Pilot[None], app: NarrateApp) -> None:
    """F8 on the entry in the editor."""
    from narrate.tui.screens.practice import PracticeModal

    app.journal_screen.entry_list.focus()
    await pilot.press("home")
    await pilot.press("f8")
    await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))


async def open_checkback(pilot: Pilot[None], app: NarrateApp) -> None:
    """A check-back due, answered from the review."""
    from narrate.tui.screens.practice import CheckBackModal

    await open_review(pilot, app)
    await pilot.press("c", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CheckBackModal))


async def open_conflicts(pilot: Pilot[None], app: NarrateApp) -> None:
    """F4 with one conflict copy kept."""
    from narrate.tui.screens.conflicts import ConflictsScreen

    await pilot.press("f4")
    await wait_for(pilot, lambda: isinstance(app.screen, ConflictsScreen))
    screen = app.screen
    assert isinstance(screen, ConflictsScreen)
    await wait_for(pilot, lambda: screen.loaded)


async def open_community(pilot: Pilot[None], app: NarrateApp) -> None:
    """ctrl+o with no community joined."""
    from narrate.tui.screens.community import CommunityScreen

    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(app.screen, CommunityScreen))
    screen = app.screen
    assert isinstance(screen, CommunityScreen)
    await wait_for(pilot, lambda: screen.loaded)


async def open_share(pilot: Pilot[None], app: NarrateApp) -> None:
    """ctrl+g on an entry, with no community joined."""
    from narrate.tui.screens.share import ShareModal

    app.journal_screen.entry_list.focus()
    await pilot.press("home")
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: isinstance(app.screen, ShareModal))


async def open_calendar(pilot: Pilot[None], app: NarrateApp) -> None:
    """The month calendar over the journal (at the newest entry's month)."""
    from narrate.tui.screens.calendar import CalendarModal

    await pilot.press("f12")
    await wait_for(pilot, lambda: isinstance(app.screen, CalendarModal))


SCREENS: dict[str, Callable[[Pilot[None], NarrateApp], Awaitable[None]]] = {
    "journal": open_journal,
    "help": open_help,
    "review": open_review,
    "practice-form": open_practice_form,
    "check-back": open_checkback,
    "conflicts": open_conflicts,
    "community": open_community,
    "share": open_share,
    "calendar": open_calendar,
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_screen(
    journal: Journal, frozen_today: None, name: str, size: tuple[int, int]
) -> None:
    fill_practice(journal)
    if name == "conflicts":
        conflict(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=size) as pilot:
        await ready(pilot, app)
        await SCREENS[name](pilot, app)
        await pilot.pause(0.3)
        text = screen_text(app)
        check_snapshot(f"{name}-{size[0]}x{size[1]}.txt", text)
