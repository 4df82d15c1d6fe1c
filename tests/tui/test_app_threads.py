"""The app's two threads: the writer (every write, in order) and the reader (reads that
must not wait behind a write). No screen opens a Journal of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.widgets import Input

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.listing import SearchListing
from narrate.tui.screens.community import CommunityScreen
from narrate.tui.screens.review import ReviewScreen
from narrate.tui.writer import Reader, RefreshJob, TaskJob
from tests.tui.helpers import add_entry, wait_for

SIZE = (100, 30)


class Answer(Message):
    """What a task said."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def test_the_reader_runs_the_latest_read_of_a_name_and_replies_where_asked(root: Path) -> None:
    reader = Reader(root)
    replies: list[Message] = []
    posted: list[object] = []
    for query in ("t", "te", "tes"):
        reader.submit(TaskJob("search", lambda journal, q=query: Answer(q), reply=replies.append))
    reader.submit(TaskJob("count", lambda journal: Answer(str(journal.count()))))
    reader.stop()
    reader.run(posted.append, lambda: False)
    assert [m.text for m in replies if isinstance(m, Answer)] == ["tes"]
    assert [m.text for m in posted if isinstance(m, Answer)] == ["0"]


def test_the_reader_takes_reads_only(root: Path) -> None:
    reader = Reader(root)
    with pytest.raises(TypeError):
        reader.submit(RefreshJob())
    reader.journal.close()


async def test_only_the_writer_and_the_reader_open_a_journal(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_entry(journal, "Paired on the flaky #testing suite", days_ago=2)
    opened: list[Path] = []
    real_open = Journal.open.__func__  # type: ignore[attr-defined]

    def counting_open(cls: type[Journal], root: Path, **options: object) -> Journal:
        opened.append(root)
        journal: Journal = real_open(cls, root, **options)
        return journal

    monkeypatch.setattr(Journal, "open", classmethod(counting_open))
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        await wait_for(pilot, lambda: screen.indexed)
        await pilot.press("ctrl+f", *"testing")
        await wait_for(pilot, lambda: isinstance(screen.entry_list.listing, SearchListing))
        assert screen.query_one("#search", Input).value == "testing"
        await pilot.press("escape", "escape")

        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review: Any = app.screen
        await wait_for(pilot, lambda: review.review is not None)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, CommunityScreen))
        community: Any = app.screen
        await wait_for(pilot, lambda: community.loaded)
    assert opened == [journal.root, journal.root]  # app.writer's and app.reader's
