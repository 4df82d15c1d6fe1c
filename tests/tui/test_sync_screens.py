"""Sync in the app and the Conflicts screen, over real git: a bare remote, two devices."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from narrate.journal.conflicts import list_conflicts
from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.journal.sync import SyncResult, SyncStatus, set_remote
from narrate.tui.app import NarrateApp
from narrate.tui.screens.conflicts import ConflictsScreen, diff_summary
from narrate.tui.screens.journal import JournalScreen
from narrate.tui.status import describe_sync
from narrate.tui.sync import describe_result
from tests.journal.test_conflicts import make_conflict, make_devices
from tests.journal.test_sync import add, append, assert_healthy, git, sync
from tests.tui.helpers import git_log, screen_text, shows, wait_for

SIZE = (110, 30)


@pytest.fixture
def devices(tmp_path: Path, config_file: Path) -> Iterator[tuple[Journal, Journal]]:
    """Device a pushed to a bare remote; device b cloned it (the app runs on b)."""
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text("sync_timeout = 10\n", "utf-8")
    a, b = make_devices(tmp_path)
    yield a, b
    a.close()
    b.close()


def notifications(app: NarrateApp) -> str:
    """Every notification's text, joined."""
    return "\n".join(n.message for n in app._notifications)


def titles(journal: Journal) -> set[str]:
    """The titles the journal's index holds."""
    return {item["title"] for item in journal.entries(limit=None)}


async def test_sync_on_start_pulls_the_other_devices_entry(
    devices: tuple[Journal, Journal],
) -> None:
    a, b = devices
    add(a, "Written on the laptop")
    sync(a)
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.last_sync is not None)
        assert app.last_sync is not None and app.last_sync.error is None
        await wait_for(pilot, lambda: app.sub_title == "in sync")
        await shows(pilot, "Written on the laptop")
        await shows(pilot, "in sync")
        # Today's entry came from the other device: the editor opens it.
        await wait_for(pilot, lambda: "Written on the laptop" in app.journal_screen.editor.text)
    assert "Written on the laptop" in titles(b)
    assert_healthy(b.root)


async def test_offline_remote_says_offline_and_the_app_stays_usable(
    devices: tuple[Journal, Journal], tmp_path: Path
) -> None:
    _a, b = devices
    (tmp_path / "remote.git").rename(tmp_path / "remote-away")
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.sub_title == "offline")
        await shows(pilot, "offline")
        assert "cannot reach origin" in notifications(app)
        screen = app.journal_screen
        screen.editor.load_text("")
        await pilot.press(*"Written on the train")
        await wait_for(pilot, lambda: not screen.dirty and not screen.saving)
        await wait_for(pilot, lambda: app.sub_title == "offline, 1 to push")
        assert git_log(b.root)[0] == "Write entry: Written on the train"
        # Quitting tries once more, fails within the timeout, and keeps the commit.
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running, timeout=30)
    assert "Written on the train" in titles(b)
    assert_healthy(b.root)


@pytest.fixture
def silent_remote() -> Iterator[str]:
    """A git:// URL on 127.0.0.1 whose server accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"git://127.0.0.1:{listener.getsockname()[1]}/journal.git"
    stop.set()
    thread.join(timeout=5)
    for conn in accepted:
        conn.close()
    listener.close()


async def test_a_hanging_remote_never_blocks_the_ui(
    devices: tuple[Journal, Journal], config_file: Path, silent_remote: str
) -> None:
    _a, b = devices
    config_file.write_text("sync_timeout = 4\n", "utf-8")
    set_remote(b.root, silent_remote)
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.journal_screen
        screen.editor.load_text("")
        await pilot.press(*"Typed while the remote hangs")
        # The keys were handled while the start sync still waited for the remote.
        assert screen.editor.text == "Typed while the remote hangs"
        assert app.last_sync is None
        await wait_for(pilot, lambda: app.sub_title.startswith("offline"), timeout=20)
        assert "did not answer within 4 s" in notifications(app)
        # Said from SyncError's kind, not by reading the message.
        assert app.last_sync is not None and app.last_sync.error_kind == "offline"
        assert "Offline" in [n.title for n in app._notifications]
        # The save waited for the sync, then landed.
        await wait_for(pilot, lambda: not screen.dirty and not screen.saving)
    assert "Typed while the remote hangs" in titles(b)
    assert_healthy(b.root)


async def test_sync_now_takes_in_new_entries_and_says_so(
    devices: tuple[Journal, Journal],
) -> None:
    a, b = devices
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.sub_title == "in sync")
        add(a, "Later on the laptop")
        sync(a)
        await pilot.press("f3")
        await wait_for(pilot, lambda: "Synced: took in 1 commit." in notifications(app))
        await shows(pilot, "Later on the laptop")
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Sync now", "Conflicts"} <= commands


async def test_quit_saves_then_syncs_before_exiting(devices: tuple[Journal, Journal]) -> None:
    a, b = devices
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.sub_title == "in sync")
        app.journal_screen.editor.load_text("Last words before the train")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running, timeout=30)
    sync(a)
    assert "Last words before the train" in titles(a)
    assert_healthy(b.root)


async def test_auto_sync_off_leaves_the_remote_alone(
    devices: tuple[Journal, Journal], config_file: Path
) -> None:
    a, b = devices
    config_file.write_text("auto_sync = false\n", "utf-8")
    add(a, "Not pulled on start")
    sync(a)
    head = git(b.root, "rev-parse", "HEAD")
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.last_sync is not None)
        assert app.last_sync is not None and app.last_sync.skipped
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)
    assert git(b.root, "rev-parse", "HEAD") == head


# ---------------------------------------------------------------------- conflicts


async def open_conflicts(pilot: object, app: NarrateApp) -> ConflictsScreen:
    """Press the key, wait for the list."""
    await pilot.press("f4")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, ConflictsScreen))  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, ConflictsScreen)
    await wait_for(pilot, lambda: screen.loaded)  # type: ignore[arg-type]
    return screen


async def test_a_conflict_from_the_start_sync_is_offered_and_shown_side_by_side(
    devices: tuple[Journal, Journal],
) -> None:
    a, b = devices
    entry = add(a, "Started the migration plan", title="Migration plan")
    sync(a)
    sync(b)
    append(a, entry, "Laptop: decided on blue-green")
    append(b, entry, "Desktop: decided on canary")
    sync(a)
    app = NarrateApp(b)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: "1 conflict" in app.sub_title)
        assert "changed on both devices" in notifications(app)
        # The notification's link opens the Conflicts screen.
        await shows(pilot, "Compare them (f4)")
        (y, line), *_ = [
            (y, line)
            for y, line in enumerate(screen_text(app).splitlines())
            if "Compare them" in line
        ]
        await pilot.click(offset=(line.index("Compare them") + 2, y))
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictsScreen))
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        await wait_for(pilot, lambda: screen.loaded)
        assert len(screen.conflicts) == 1
        mine = screen.query_one("#mine", TextArea)
        theirs = screen.query_one("#theirs", TextArea)
        assert "Desktop: decided on canary" in mine.text
        assert "Laptop: decided on blue-green" in theirs.text
        text = await shows(pilot, "Migration plan")
        # Issue 13: by origin, as this device (b, which synced) sees them.
        assert "This device" in text and "The remote" in text
        assert "Yours" not in text and "other device" not in text
        assert "1 line only in this device, 1 only in the remote" in text
        await pilot.press("d")
        await shows(pilot, "+Laptop: decided on blue-green")
        await pilot.press("escape")
        assert isinstance(app.screen, JournalScreen)


@pytest.mark.parametrize("choice", ["mine", "theirs", "both"])
async def test_keep_mine_theirs_or_both_does_what_it_says(
    devices: tuple[Journal, Journal], choice: str
) -> None:
    a, b = devices
    entry = make_conflict(a, b)
    (conflict,) = list_conflicts(b)
    copy = conflict.copy.path
    before = {p.relative_to(b.root).as_posix() for p in (b.root / "entries").rglob("*.md")}
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.last_sync is not None)
        await wait_for(pilot, lambda: "1 conflict" in app.sub_title)
        screen = await open_conflicts(pilot, app)
        await pilot.press({"mine": "m", "theirs": "t", "both": "b"}[choice])
        # The last conflict resolved: back to the journal, whose list and header follow.
        await wait_for(pilot, lambda: isinstance(app.screen, JournalScreen))
        await wait_for(pilot, lambda: "conflict" not in app.sub_title)
        assert not screen.busy
        await wait_for(pilot, lambda: "Resolve conflict in" in git_log(b.root)[0])
    after = {p.relative_to(b.root).as_posix() for p in (b.root / "entries").rglob("*.md")}
    assert copy not in after
    kept = Entry.from_bytes((b.root / entry.path).read_bytes(), entry.path)
    assert kept.id == entry.id and "conflict_of" not in kept.meta
    if choice == "mine":
        assert after == before - {copy}
        assert "Desktop: decided on canary" in kept.body
        assert "Laptop" not in kept.body
    elif choice == "theirs":
        assert after == before - {copy}
        assert "Laptop: decided on blue-green" in kept.body
        assert "Desktop" not in kept.body
    else:
        (created,) = after - before
        assert "-conflict-" not in created
        other = Entry.from_bytes((b.root / created).read_bytes(), created)
        assert "conflict_of" not in other.meta and other.id != entry.id
        assert "Laptop: decided on blue-green" in other.body
        assert "Desktop: decided on canary" in kept.body
    assert list_conflicts(b) == []
    assert_healthy(b.root)
    # The resolution travels: the other device has no conflict after its next sync.
    sync(b)
    sync(a)
    assert list_conflicts(a) == []
    assert_healthy(a.root)


async def test_a_refused_resolution_says_why_and_changes_nothing(
    devices: tuple[Journal, Journal],
) -> None:
    a, b = devices
    entry = make_conflict(a, b)
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.last_sync is not None)
        screen = await open_conflicts(pilot, app)
        head = git(b.root, "rev-parse", "HEAD")
        append(b, entry, "Edited in another editor meanwhile")
        await pilot.press("t")
        await wait_for(pilot, lambda: "changed since it was shown" in notifications(app))
        assert isinstance(app.screen, ConflictsScreen) and len(screen.conflicts) == 1
        # No resolution was committed; the app may have committed the outside edit.
        since = git(b.root, "log", "--format=%s", f"{head.strip()}..HEAD").split("\n")
        assert {s for s in since if s} <= {"Commit changes made outside narrate"}
        assert "Edited in another editor meanwhile" in (b.root / entry.path).read_text("utf-8")
        assert "Edited in another editor meanwhile" in screen.query_one("#mine", TextArea).text


def test_the_header_words() -> None:
    state = SyncStatus("main", "/remote.git", 0, 0, None, None, 0, [], [])
    assert describe_sync(state, 0) == "in sync"
    state.ahead = 2
    assert describe_sync(state, 0) == "2 to push"
    state.last_error = "cannot reach origin (/remote.git): no answer; ..."
    assert describe_sync(state, 1) == "1 conflict, offline, 2 to push"
    state.last_error = "another narrate operation is running on this journal"
    state.ahead = 0
    assert describe_sync(state, 3) == "3 conflicts, sync failed"
    state.remote, state.last_error, state.ahead = None, None, None
    assert describe_sync(state, 0) == "clean"
    state.problems = ["a rebase is in progress"]
    assert describe_sync(state, 0) == "git needs attention (narrate doctor)"


def test_result_and_diff_words() -> None:
    result = SyncResult()
    assert describe_result(result) == "Already in sync."
    result.pulled, result.pushed = 1, 2
    assert describe_result(result) == "Synced: took in 1 commit, pushed 2 commits."
    assert diff_summary("a\nb\n", "a\nb\n") == "The two versions are the same."
    assert diff_summary("a\nb\nc\n", "a\nB\nc\nd\n") == (
        "They differ in 2 places: 1 line only in yours, 2 only in theirs."
    )


async def test_without_a_remote_nothing_syncs_and_sync_now_says_how(
    journal: Journal, root: Path
) -> None:
    commits = git_log(root)
    app = NarrateApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.last_sync is not None)
        assert app.last_sync is not None and app.last_sync.skipped
        assert app.sync_remote is False
        await wait_for(pilot, lambda: app.sub_title == "clean")
        await pilot.press("f3")
        await wait_for(pilot, lambda: "narrate remote set URL" in notifications(app))
        assert app.sub_title == "clean"
        screen = await open_conflicts(pilot, app)
        assert screen.conflicts == []
        await shows(pilot, "No conflicts: nothing to decide.")
        await pilot.press("m")  # nothing to keep: nothing happens
        await pilot.press("escape")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)
    assert git_log(root) == commits


async def test_the_second_device_labels_the_sides_by_origin(
    devices: tuple[Journal, Journal],
) -> None:
    """Issue 13 item 5: after device b synced the conflict, device a's own text is the
    copy: it is "This device", and the version in place is "The remote"."""
    a, b = devices
    make_conflict(a, b)
    sync(b)
    app = NarrateApp(a)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.last_sync is not None)
        await wait_for(pilot, lambda: "1 conflict" in app.sub_title)
        screen = await open_conflicts(pilot, app)
        assert "Laptop: decided on blue-green" in screen.query_one("#theirs", TextArea).text
        titles = [str(screen.query_one(f"#{n}-title", Static).render()) for n in ("mine", "theirs")]
        assert titles[0].startswith("The remote\n") and titles[1].startswith("This device\n")
        assert "Yours" not in screen_text(app)


async def test_keep_merged_takes_the_edited_merge(devices: tuple[Journal, Journal]) -> None:
    a, b = devices
    entry = make_conflict(a, b)
    app = NarrateApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.last_sync is not None)
        screen = await open_conflicts(pilot, app)
        await pilot.press("d", "d")
        merged = screen.query_one("#merged", TextArea)
        assert merged.has_focus
        assert "Laptop: decided on blue-green" in merged.text
        assert "Desktop: decided on canary" in merged.text
        merged.insert("Both: canary, then blue-green.\n", (0, 0))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, JournalScreen))
        await wait_for(pilot, lambda: "Resolve conflict in" in git_log(b.root)[0])
    kept = Entry.from_bytes((b.root / entry.path).read_bytes(), entry.path)
    assert kept.body.lstrip().startswith("Both: canary, then blue-green.")
    assert "Laptop" in kept.body and "Desktop" in kept.body
    assert list_conflicts(b) == []
    assert_healthy(b.root)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_conflicts_screen_snapshot(journal: Journal, size: tuple[int, int]) -> None:
    """A copy kept when the file changed under the editor, at fixed bytes and times."""
    from tests.helpers import entry_text
    from tests.tui.test_snapshots import check_snapshot

    text = entry_text("01HQ7ZKZ1M0000000000000000", "2024-03-04T09:15:00+01:00",
                      "Migration plan", "Started the plan.\n\nSteps:\n- inventory\n")  # fmt: skip
    path = root_path = journal.root / "entries/2024/03/2024-03-04-0915-migration-plan.md"
    root_path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    journal.commit_paths([path.relative_to(journal.root).as_posix()], "Add")
    outside = text.replace("2024-03-04T09:15:00+01:00\ntitle", "2024-03-05T18:40:00+01:00\ntitle")
    journal.keep_conflict_copy(
        path.relative_to(journal.root).as_posix(),
        (outside + "Edited in another editor: blue-green.\n").encode(),
    )
    app = NarrateApp(journal)
    async with app.run_test(size=size) as pilot:
        app.theme = "narrate-dusk"
        screen = await open_conflicts(pilot, app)
        assert len(screen.conflicts) == 1
        await pilot.pause(0.3)
        shown = screen_text(app)
        assert "This device" in shown and "Edited outside narrate" in shown
        assert "other device" not in shown
        check_snapshot(f"conflicts-origins-{size[0]}x{size[1]}.txt", shown)
