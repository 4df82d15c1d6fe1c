"""Issue 13 items 2 and 3 in the app: the Review screen reads well at 80×24 (every
change whole in the detail pane, the header uncut, the source table's headers apart),
shows each change's check-back trail, and is pinned by snapshots at 80×24 and 160×48."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice
from narrate.practice.checkback import answer
from narrate.tui.app import NarrateApp
from narrate.tui.screens.review import ReviewScreen
from tests.tui.helpers import screen_text, wait_for
from tests.tui.test_snapshots import check_snapshot

TODAY = dt.date(2026, 12, 1)
TZ = dt.timezone(dt.timedelta(hours=1))
LONG = [
    (
        "ci",
        "Rerun the whole pipeline by hand whenever a flaky integration test fails on main",
        "Add retries with a budget until green builds become reliable on every branch we ship",
        "team-retro",
        dt.datetime(2026, 10, 5, 9, 0, tzinfo=TZ),
    ),
    (
        "code-review",
        None,
        "Read the tests before the diff, and ask for them first when a pull request has none",
        "sam",
        dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ),
    ),
    (
        "testing",
        "Example tests only",
        "Property tests for the parser",
        None,
        dt.datetime(2026, 11, 24, 9, 0, tzinfo=TZ),
    ),
]


def fill(journal: Journal) -> None:
    """Three changes with long texts at fixed dates; the CI one checked back twice."""
    added = []
    for area, before, change, source, when in LONG:
        added.append(
            journal.add(
                Entry.new(
                    f"About {area}.\n",
                    title=f"{area} change",
                    created=when,
                    practice=[Practice(area=area, change=change, before=before, source=source)],
                )
            )
        )
    ci = added[0].id
    answer(journal, ci, answer="partly", note="Too many missed updates",
           today=dt.date(2026, 10, 19))  # fmt: skip
    answer(journal, ci, answer="yes", status="adopted", note="only for new modules",
           today=dt.date(2026, 11, 16))  # fmt: skip


async def open_review(pilot: Any, app: NarrateApp, journal: Journal) -> ReviewScreen:
    await wait_for(pilot, lambda: app.journal_screen.indexed)
    screen = ReviewScreen(journal, today=TODAY)
    app.push_screen(screen)
    await wait_for(pilot, lambda: "shown" in screen.timing)
    await pilot.pause(0.2)
    return screen


async def test_every_change_is_readable_at_80_columns(journal: Journal) -> None:
    fill(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, app, journal)
        text = screen_text(app)
        header = text.splitlines()[1]
        assert "Review 3 Sep → 1 Dec 2026 · 3 changes" in header  # not cut
        assert re.search(r"source\s{2,}changes\s+adopted", text)  # headers apart
        await pilot.press("t")
        timeline = screen.query_one("#review-timeline", DataTable)
        assert timeline.has_focus
        detail = screen.query_one("#review-change", Static)
        for row in range(timeline.row_count):
            timeline.move_cursor(row=row)
            await pilot.pause(0.1)
            area, before, change, source, _ = LONG[::-1][row]
            shown = " ".join(screen_text(app).replace("▌", " ").split())
            # The whole change (and what came before) is on screen, wrapped.
            assert change in shown, (row, screen_text(app))
            if before:
                assert before in shown
            plain = str(detail.render())
            assert area in plain and (source is None or source in plain)
        # The CI change: its check-back trail, with the notes.
        timeline.move_cursor(row=2)
        await pilot.pause(0.1)
        shown = " ".join(screen_text(app).replace("▌", " ").split())
        assert "2026-10-19 partly: Too many missed updates" in shown
        assert "2026-11-16 still doing it → adopted: only for new modules" in shown


async def test_what_stuck_counts_a_change_settled_in_the_period(journal: Journal) -> None:
    fill(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, app, journal)
        assert screen.review is not None
        assert screen.review.status == {"trying": 2, "adopted": 1, "dropped": 0}


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_review_screen_snapshot(journal: Journal, size: tuple[int, int]) -> None:
    fill(journal)
    app = NarrateApp(journal)
    async with app.run_test(size=size) as pilot:
        app.theme = "narrate-dusk"
        await open_review(pilot, app, journal)
        await pilot.press("t")
        await pilot.pause(0.3)
        check_snapshot(f"review-narrow-{size[0]}x{size[1]}.txt", screen_text(app))
