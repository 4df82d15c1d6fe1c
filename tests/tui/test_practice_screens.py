"""Practice in the TUI as a user drives it: the form, the Review screen, a check-back."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Select

from narrate.journal.core import Journal
from narrate.journal.entry import Entry, Practice, normalise_area
from narrate.practice.review import build_review
from narrate.tui.app import NarrateApp
from narrate.tui.screens.help import HelpScreen
from narrate.tui.screens.practice import CheckBackModal, PracticeModal
from narrate.tui.screens.review import ReviewScreen, area_bars, period_short
from tests.tui.helpers import add_entry, git_clean, git_log, screen_text, shows, wait_for

SIZE = (110, 40)
TODAY = dt.date.today()


def practice_journal(journal: Journal) -> dict[str, Entry]:
    """Known changes: in the last 90 days two code-review (one adopted) and one testing
    (trying, due: recorded 20 days ago); one testing change 200 days ago (dropped)."""
    return {
        "testing": add_entry(
            journal,
            "Learned about tests\n",
            title="Test day",
            days_ago=20,
            practice=[Practice("testing", "Write the test first", source="python-cop")],
        ),
        "review": add_entry(
            journal,
            "Reviews\n",
            title="Review day",
            days_ago=40,
            tags=["code-review"],
            practice=[
                Practice(
                    "code-review",
                    "Read tests first",
                    before="Top to bottom",
                    source="sam",
                    status="adopted",
                )
            ],
        ),
        "review2": add_entry(
            journal,
            "More reviews\n",
            title="Smaller PRs",
            days_ago=5,
            practice=[Practice("code-review", "Ask for small PRs", status="adopted")],
        ),
        "old": add_entry(
            journal,
            "Long ago\n",
            title="Old habit",
            days_ago=200,
            practice=[Practice("testing", "Mock everything", status="dropped")],
        ),
    }


async def review_shown(pilot: Any) -> ReviewScreen:
    """Open the Review screen from the journal and wait for its figures."""
    app = pilot.app
    await wait_for(pilot, lambda: app.journal_screen.indexed)
    await pilot.press("f9")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    await wait_for(pilot, lambda: "shown" in screen.timing)
    return screen


def notified(app: Any, text: str) -> bool:
    """Whether a notification says ``text`` (toasts are not in screen_text's picture)."""
    return any(text in notification.message for notification in app._notifications)


def front_matter_without(text: str, *keys: str) -> list[str]:
    """The front matter's lines, leaving out ``keys`` and their indented items."""
    lines = text.split("---\n")[1].splitlines()
    kept, skipping = [], False
    for line in lines:
        if re.match(r"[A-Za-z_]", line):
            skipping = line.split(":")[0] in keys
        if not skipping:
            kept.append(line)
    return kept


# ---------------------------------------------------------------------- the form


async def test_form_completes_saves_to_front_matter_and_commits(
    journal: Journal, root: Path, config_file: Path
) -> None:
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(
        '[communities.rust-guild]\nurl = "https://example.invalid/rust.git"\nmember = "ana"\n'
    )
    practice_journal(journal)
    today = add_entry(journal, "Paired with Sam on the parser\n", title="Pairing", tags=["pairing"])
    before = (root / today.path).read_bytes()
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        app, screen = pilot.app, pilot.app.journal_screen
        await wait_for(pilot, lambda: screen.indexed and screen.entry is not None)
        assert screen.entry.path == today.path
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        modal = app.screen
        assert isinstance(modal, PracticeModal)
        # Completion: known areas first (by use), then tags; sources, then communities.
        await wait_for(pilot, lambda: modal.source_suggester.choices)
        assert modal.area_suggester.choices[:2] == ["code-review", "testing"]
        assert "pairing" in modal.area_suggester.choices
        assert modal.source_suggester.choices == ["python-cop", "sam", "rust-guild"]
        await pilot.press(*"co")
        await wait_for(pilot, lambda: modal.query_one("#practice-area", Input)._suggestion)
        await pilot.press("right", "enter")  # accept "code-review", go to the next field
        assert modal.query_one("#practice-area", Input).value == "code-review"
        await pilot.press(*"Tests first", "enter", *"Top down", "enter", *"ru")
        await wait_for(pilot, lambda: modal.query_one("#practice-source", Input)._suggestion)
        await pilot.press("right", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)

        after = (root / today.path).read_text("utf-8")
        saved = Entry.from_bytes(after.encode(), today.path)
        assert [p.to_json() for p in saved.practice] == [
            {
                "area": "code-review",
                "change": "Tests first",
                "before": "Top down",
                "source": "rust-guild",
                "status": "trying",
                "review_after": None,
            }
        ]
        # Only the practice key (and updated) changed: the body and every other line of
        # the front matter are the same bytes.
        old = before.decode()
        assert after.split("---\n", 2)[2] == old.split("---\n", 2)[2]
        assert front_matter_without(after, "practice", "updated") == front_matter_without(
            old, "practice", "updated"
        )
        assert git_log(root)[0] == "Record practice change: code-review: Tests first"
        assert git_clean(root)
        # The editor took the new file as its baseline: nothing to save, no conflict.
        assert screen.disk == after.encode() and not screen.dirty
        await wait_for(pilot, lambda: notified(app, "Recorded code-review: Tests first"))


async def test_form_refuses_an_empty_change_and_cancel_writes_nothing(
    journal: Journal, root: Path
) -> None:
    entry = add_entry(journal, "Notes\n", title="Notes")
    commits = git_log(root)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        app, screen = pilot.app, pilot.app.journal_screen
        await wait_for(pilot, lambda: screen.entry is not None)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        await pilot.press(*"Code Review", "ctrl+s")
        await shows(pilot, "Say what you now do")
        assert app.focused is app.screen.query_one("#practice-change")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
    assert (root / entry.path).read_bytes() == entry.document.to_bytes()
    assert git_log(root) == commits
    assert normalise_area("Code Review") == "code-review"


async def test_form_never_overwrites_an_outside_edit(journal: Journal, root: Path) -> None:
    entry = add_entry(journal, "Notes\n", title="Notes")
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        app, screen = pilot.app, pilot.app.journal_screen
        await wait_for(pilot, lambda: screen.entry is not None)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        outside = (root / entry.path).read_bytes() + b"Added in another editor.\n"
        (root / entry.path).write_bytes(outside)
        await pilot.press(*"focus", "enter", *"One thing", "ctrl+s")
        await shows(pilot, "changed on disk since it was")
        assert isinstance(app.screen, PracticeModal)  # still open, with what was typed
    assert (root / entry.path).read_bytes() == outside


async def test_form_on_a_new_entry_saves_it_first(journal: Journal, root: Path) -> None:
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        app, screen = pilot.app, pilot.app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        assert screen.entry is None
        # An untouched template is no entry: say so rather than write one.
        await pilot.press("f8")
        await wait_for(pilot, lambda: notified(app, "Write the entry first"))
        assert not isinstance(app.screen, PracticeModal)
        screen.editor.load_text("")
        await pilot.press(*"Mob review", "f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeModal))
        assert screen.entry is not None and (root / screen.entry.path).exists()
        await pilot.press(*"mob", "enter", *"Mob it", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        saved = Entry.from_bytes((root / screen.entry.path).read_bytes(), screen.entry.path)
        assert saved.body.strip() == "Mob review"
        assert [(p.area, p.change) for p in saved.practice] == [("mob", "Mob it")]
        assert git_log(root)[:2] == [
            "Record practice change: mob: Mob it",
            "Write entry: Mob review",
        ]


# ---------------------------------------------------------------------- the review


async def test_review_shows_the_periods_figures_and_switches_period(journal: Journal) -> None:
    practice_journal(journal)
    expected = build_review(journal, by="month", today=TODAY)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen = await review_shown(pilot)
        assert screen.review is not None
        assert screen.review.status == {"trying": 1, "adopted": 2, "dropped": 0}
        assert screen.review.status == expected.status
        text = screen_text(pilot.app)
        assert "adopted 2 · trying 1 · dropped 0" in text
        assert "3 changes" in text
        # Bars: code-review has 2 changes, testing 1 (the 200-day-old one is outside).
        assert re.search(r"code-review\s+[▁-█ ]+\s2\b", text)
        assert re.search(r"testing\s+[▁-█ ]+\s1\b", text)
        timeline = screen.query_one("#review-timeline", DataTable)
        assert timeline.row_count == 3
        due = screen.query_one("#review-due", DataTable)
        assert due.row_count == 1
        assert "Check-backs due (1)" in text
        # A year (90 -> 365 days), then by week: the dropped change of 200 days ago is in.
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.days == 365 and timeline.row_count == 4)
        assert screen.review.status["dropped"] == 1
        await pilot.press("b")
        await wait_for(pilot, lambda: screen.review is not None and screen.review.by == "week")
        assert screen.query_one("#review-by", Select).value == "week"
        await shows(pilot, "dropped 1")
        # Every action is in the command palette, on both screens.
        titles = {command.title for command in pilot.app.get_system_commands(screen)}
        assert {"Back to the journal", "Review by month", "Check-backs due"} <= titles
        journal_screen = pilot.app.journal_screen
        titles = {command.title for command in pilot.app.get_system_commands(journal_screen)}
        assert {"Practice change", "Review", "Check-backs due"} <= titles
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        # Help lists the keys of the screen it opened on: the Review screen's, and the app's.
        await shows(pilot, "Bars by week or by month")
        await shows(pilot, "Save, then quit")
        pilot.app.screen.query_one("#help-practice").scroll_visible(animate=False, top=True)
        await shows(pilot, "Practice: the form (f8) and the Review screen (f9)")


async def test_selecting_a_timeline_change_opens_its_entry(journal: Journal) -> None:
    entries = practice_journal(journal)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        app = pilot.app
        screen = await review_shown(pilot)
        await pilot.press("t")
        timeline = screen.query_one("#review-timeline", DataTable)
        assert timeline.has_focus
        await pilot.press("down", "enter")  # the second newest: the testing change
        await wait_for(pilot, lambda: app.screen is app.journal_screen)
        journal_screen = app.journal_screen
        await wait_for(pilot, lambda: journal_screen.entry is not None)
        assert journal_screen.entry.path == entries["testing"].path
        assert journal_screen.editor.has_focus
        await shows(pilot, "Test day")


async def test_answering_a_check_back_records_it_and_updates_the_list(
    journal: Journal, root: Path
) -> None:
    entries = practice_journal(journal)
    path = root / entries["testing"].path
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        app = pilot.app
        screen = await review_shown(pilot)
        await pilot.press("c", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckBackModal))
        modal = app.screen
        await shows(pilot, "testing: Write the test first")
        await pilot.press(*"Works well")
        modal.query_one("#checkback-status", Select).value = "adopted"
        await pilot.click("#checkback-yes")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: screen.review is not None and not screen.review.due)
        assert screen.query_one("#review-due", DataTable).display is False
        await shows(pilot, "Check-backs due: none")
        assert screen.review.status["adopted"] == 3

    saved = Entry.from_bytes(path.read_bytes(), entries["testing"].path)
    assert saved.practice[0].status == "adopted"
    assert saved.practice[0].extra["checked"] == [TODAY.isoformat()]
    assert (
        f"- {TODAY.isoformat()} · testing: Write the test first — still doing it "
        "(trying → adopted). Works well"
    ) in saved.body
    assert git_log(root)[0] == "Check back on practice: testing: Write the test first"
    assert git_clean(root)


# ---------------------------------------------------------------------- the parts


def test_bars_scale_to_the_busiest_period_and_label_what_fits(journal: Journal) -> None:
    practice_journal(journal)
    review = build_review(journal, by="month", today=TODAY)
    lines = area_bars(review, 60).plain.splitlines()
    assert lines[0].split() == [period_short(p, "month") for p in review.periods]
    assert lines[1].startswith("code-review") and lines[1].rstrip().endswith("2")
    assert period_short("2026-01", "month") == "Jan'26"
    assert period_short("2026-W07", "week") == "9 Feb"  # issue 13: dates people read
    empty = build_review(journal, since=dt.date(2001, 1, 1), until=dt.date(2001, 2, 1))
    assert "No practice changes" in area_bars(empty, 60).plain


async def test_screens_are_reached_through_the_app(journal: Journal) -> None:
    """ctrl+o on the Review screen goes to the feed from the journal, not over the review."""
    practice_journal(journal)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        app = pilot.app
        await review_shown(pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommunityScreen")
        assert app.screen_stack[-2] is app.journal_screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.journal_screen)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("f9")  # the Review screen's own f9 closes it
        await wait_for(pilot, lambda: app.screen is app.journal_screen)
