"""The Community screen and the Share dialog, driven like a user, over real git: two
members (two homes, two journals) and a bare repository as the community's remote.

A community is untrusted input, so one test builds a hostile one and captures the bytes
Textual writes to the terminal while it is on screen.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Markdown, OptionList, Static

from narrate.journal.core import Journal
from narrate.tui.app import NarrateApp
from narrate.tui.screens.community import AdoptModal, CommunityScreen, LinkModal
from narrate.tui.screens.share import ShareModal
from narrate.tui.widgets.entry_list import SHARED_MARK
from tests.community.helpers import Member, git, publish, shared_entry
from tests.tui.helpers import ANY_SEQUENCE, TEXTUAL_SEQUENCES, screen_text, shows, wait_for

SIZE = (120, 40)


def become(monkeypatch: pytest.MonkeyPatch, member: Member) -> Journal:
    """Run the app as ``member``: their config, their clones, their journal."""
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, member.env[var])
    return Journal.open(member.journal)


def community_tree(cop: Path) -> list[str]:
    """The files on the community's main branch."""
    return git(cop, "ls-tree", "-r", "--name-only", "main").split()


async def open_community(pilot: Any) -> CommunityScreen:
    """ctrl+o from the journal; wait until the feed is read."""
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommunityScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.loaded)
    return screen


SHARED_BY_ALICE = """Reviews with the tests first #review #sentinel-tag

I now read the tests before the code, see [the notes](https://example.org/review-notes).
<!-- private -->
SENTINEL-BLOCK: what my manager said
<!-- /private -->
Done.
"""


def add_entry(member: Member, text: str, *args: str) -> str:
    """An entry written through the CLI; its id."""
    return member.ok("add", "-", *args, input=text).stdout.strip()


async def test_feed_pull_reader_and_adopt(
    alice: Member, bob: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = add_entry(alice, SHARED_BY_ALICE, "--practice", "code-review:Read the tests first")
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    journal = become(monkeypatch, bob)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen = await open_community(pilot)
        # bob's clone predates alice's share: nothing until a pull.
        assert screen.feed.option_count == 0
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.feed.option_count == 1, timeout=20)
        text = await shows(pilot, "Reviews with the tests first")
        assert "alice@cop" in text and "code-review: Read the tests first" in text

        # The reader: alice's redacted entry, rendered, its link listed in full.
        await wait_for(pilot, lambda: screen.reader.item is not None)
        body = screen.reader.query_one(Markdown).source
        assert "I now read the tests before the code" in body
        assert "SENTINEL" not in body
        assert screen.reader.links == ["https://example.org/review-notes"]
        await shows(pilot, "https://example.org/review-notes")

        # Adopt: the form is prefilled from the entry; enter adopts.
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AdoptModal))
        modal = pilot.app.screen
        assert modal.query_one("#adopt-area", Input).value == "code-review"
        assert modal.query_one("#adopt-change", Input).value == "Read the tests first"
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen is screen)

        def adopted() -> list[Path]:
            return [
                p
                for p in bob.journal.rglob("entries/**/*.md")
                if "adopted_from:" in p.read_text("utf-8")
            ]

        await wait_for(pilot, adopted, timeout=20)
        (path,) = adopted()
        assert "members/alice/" in path.read_text("utf-8")
        assert "status: trying" in path.read_text("utf-8")
        # Back in the journal, the new entry is in the list.
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is pilot.app.journal_screen)
        await shows(pilot, "Trying: Read the tests first")
    journal.close()


async def test_share_dialog_shows_the_redacted_diff_and_publishes(
    alice: Member, cop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = add_entry(alice, SHARED_BY_ALICE)
    journal = become(monkeypatch, alice)
    entry = journal.get(entry_id)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        home = pilot.app.journal_screen
        home.open_path(entry.path)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShareModal))
        modal = pilot.app.screen
        await wait_for(pilot, lambda: modal.prepared is not None, timeout=20)
        diff = modal.prepared.diff
        # The private block and tag are removed lines; the copy's header is added.
        assert "-SENTINEL-BLOCK: what my manager said" in diff
        assert "+author: alice" in diff
        assert not any(line.startswith("+") and "SENTINEL" in line for line in diff)
        assert not any(line.startswith("+") and "sentinel-tag" in line for line in diff)
        text = await shows(pilot, "+author: alice")
        assert "-SENTINEL-BLOCK" in text
        # d shows the copy alone: exactly what will be published.
        await pilot.press("d")
        shown = modal.query_one("#share-diff", Static).visual
        assert str(shown).rstrip("\n") == modal.prepared.copy.text.rstrip("\n")
        await pilot.press("d")

        assert community_tree(cop) == ["README.md"]  # nothing before confirming
        await pilot.click("#share-publish")
        await wait_for(pilot, lambda: pilot.app.screen is home, timeout=20)
        await wait_for(
            pilot, lambda: any(p.startswith("members/alice/") for p in community_tree(cop))
        )
        (published,) = [p for p in community_tree(cop) if p.startswith("members/alice/")]
        blob = git(cop, "show", f"main:{published}")
        assert "I now read the tests before the code" in blob and "SENTINEL" not in blob
        assert "sentinel-tag" not in blob
        # The entry records the share, the editor still holds it, the list marks it.
        assert journal.get(entry_id).shared[0]["path"] == published
        assert home.entry.shared and home.editor.text == entry.body
        await wait_for(pilot, lambda: SHARED_MARK in screen_text(pilot.app))
    journal.close()


async def test_private_entries_and_unclosed_markers_are_refused(
    alice: Member, cop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private_id = alice.ok("add", "Salary talk", "--private").stdout.strip()
    unclosed_id = add_entry(alice, "Unclosed\n\nline one\n<!-- private -->\nsecret\n")
    journal = become(monkeypatch, alice)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        home = pilot.app.journal_screen
        for ref, reason in [(private_id, "private"), (unclosed_id, "never closed")]:
            home.open_path(journal.get(ref).path)
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShareModal))
            modal = pilot.app.screen
            text = await shows(pilot, "Not shareable")
            assert reason in text
            assert modal.query_one("#share-publish", Button).disabled
            await pilot.press("escape")
            await wait_for(pilot, lambda: pilot.app.screen is home)
    assert community_tree(cop) == ["README.md"]
    journal.close()


# ---------------------------------------------------------------------- hostile content

HOSTILE_TITLE = (
    "Hi \x1b[2J\x1b[5;31m\x1b]0;pwned-title\x07 [red]x[/red] [@click=app.quit]go[/] "
    "\x9b6n\x85\u202eevil\x07"
)
HOSTILE_BODY = (
    "Text \x1b]8;;https://evil.example\x1b\\hidden-link\x1b]8;;\x1b\\ and "
    "\x1b]52;c;SGVsbG8=\x07 clip \x1b[6n \x1bP1$qm\x1b\\ \x90dcs\x9c "
    "[bold]b[/bold] [@click=app.quit]quit-me[/]\n\n"
    "A [friendly link](https://good.example/page), [mail me](mailto:m@mail.example?x=\x1b[2J) "
    "and [a script](javascript:alert(1)).\n"
)
HOSTILE_TOML = (
    'name = "Evil \\u001b]0;pwned-name\\u0007 [blink]CoP[/blink]"\n'
    'description = "desc \\u001b[2J [@click=app.quit]here[/]"\n'
    'guidelines = "be \\u009b31m nice"\n'
)


def position_of(app: Any, text: str) -> tuple[int, int]:
    """Where ``text`` is on screen (column, row)."""
    for row, line in enumerate(screen_text(app).splitlines()):
        if text in line:
            return line.index(text), row
    raise AssertionError(f"{text!r} is not on screen")


async def test_hostile_community_is_shown_inert(
    bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch, written: list[str]
) -> None:
    publish(
        maintainer,
        {
            "community.toml": HOSTILE_TOML,
            "members/mallory/2026/2026-11-21-x.md": shared_entry(HOSTILE_TITLE, HOSTILE_BODY),
            "members/m\x1b]0;pwned-member\x07/2026/2026-11-20-y.md": shared_entry("Second"),
            "outside-\x1b[2J-\x9b6n.md": shared_entry("Outside members"),
        },
    )
    journal = become(monkeypatch, bob)
    opened: list[str] = []
    app = NarrateApp(journal)
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: opened.append(url))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_community(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.feed.option_count == 2, timeout=20)
        await shows(pilot, "Some community files were ignored")
        screen.feed.highlighted = screen.feed.get_option_index(
            next(i for i, item in screen.feed.items.items() if item["member"] == "mallory")
        )
        await wait_for(pilot, lambda: "quit-me" in screen.reader.query_one(Markdown).source)
        text = await shows(pilot, "quit-me")
        # Markup is shown as the characters it is made of, never applied.
        assert "[red]x[/red]" in text and "[@click=app.quit]go[/]" in text
        assert "[@click=app.quit]quit-me[/]" in text and "[bold]b[/bold]" in text
        assert "pwned" not in text and "SGVsbG8" not in text
        assert screen.reader.links == ["https://good.example/page"]

        # The community's own page (community.toml) and the feed list, too.
        communities = screen.query_one("#communities", OptionList)
        communities.focus()
        communities.highlighted = 1
        text = await shows(pilot, "[blink]CoP[/blink]")
        assert "[@click=app.quit]here[/]" in text and "pwned" not in text

        # Clicking the [@click=...] text does nothing: the app is still running.
        screen.feed.focus()
        await wait_for(pilot, lambda: screen.reader.item is not None)
        await shows(pilot, "[@click=app.quit]go[/]")
        await pilot.click(offset=position_of(app, "[@click=app.quit]go[/]"))
        await pilot.click(offset=position_of(app, "[@click=app.quit]quit-me[/]"))
        await pilot.pause(0.2)
        assert app.is_running and app.return_code is None
        assert app.screen is screen

        # A link opens only after confirming, and only http(s).
        await pilot.click(offset=position_of(app, "mail me"))
        await shows(pilot, "narrate only opens")
        assert not isinstance(app.screen, LinkModal)
        await pilot.click(offset=position_of(app, "friendly link"))
        await wait_for(pilot, lambda: isinstance(app.screen, LinkModal))
        assert "https://good.example/page" in await shows(pilot, "Open a link")
        await pilot.press("enter")  # Cancel has the focus
        await wait_for(pilot, lambda: app.screen is screen)
        assert opened == []
        await pilot.click(offset=position_of(app, "friendly link"))
        await wait_for(pilot, lambda: isinstance(app.screen, LinkModal))
        await pilot.click("#link-open")
        await wait_for(pilot, lambda: opened == ["https://good.example/page"])
        await pilot.pause(0.2)

    output = "".join(written)
    assert "quit-me" in output  # the capture saw the reader
    assert "pwned" not in output and "SGVsbG8" not in output and "evil.example" not in output
    assert not re.search(r"[\x80-\x9f\u202e]", output)
    assert "\x1b[5;31m" not in output and "\x1b[2J" not in output and "\x1b[6n" not in output
    foreign = {s for s in ANY_SEQUENCE.findall(output) if not TEXTUAL_SEQUENCES.fullmatch(s)}
    assert foreign == set()
    assert "\x07" not in TEXTUAL_SEQUENCES.sub("", output)
    journal.close()


async def test_a_shared_entry_over_the_reader_limit_is_cut_not_a_crash(
    bob: Member, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrate.tui.widgets.community_reader import MAX_RENDERED_CHARS

    body = ("a" * 79 + "\n") * (MAX_RENDERED_CHARS // 80) + "b"
    assert len(body) == MAX_RENDERED_CHARS + 1
    publish(maintainer, {"members/carol/2026/2026-11-21-long.md": shared_entry("Long", body)})
    journal = become(monkeypatch, bob)
    async with NarrateApp(journal).run_test(size=SIZE) as pilot:
        screen = await open_community(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.feed.option_count == 1, timeout=20)
        await wait_for(pilot, lambda: screen.reader.item is not None)
        source = screen.reader.query_one(Markdown).source
        assert source == body[:MAX_RENDERED_CHARS]
        note = screen.reader.query_one("#reader-links-title", Static).content
        assert "the last 1 characters are not shown here" in str(note)
    journal.close()
