"""The app cleans untrusted text exactly as the CLI does: one sanitiser for both faces."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from narrate.cli import main
from narrate.sanitize import clean
from narrate.tui.text import one_line
from narrate.tui.widgets.feed_list import feed_prompt
from tests.community.helpers import Member, publish, shared_entry

# A bidi override, a zero-width space, an OSC 52 clipboard write and a CSI clear screen.
HOSTILE = "Bidi \u202eevil\u200bhidden osc \x1b]52;c;aGk=\x07 csi \x1b[2J end"
LEFTOVERS = ("\u202e", "\u200b", "\x1b", "\x07", "]52;", "aGk=", "[2J")


def test_the_app_strips_from_community_text_what_the_cli_strips(
    bob: Member, maintainer: Path
) -> None:
    publish(maintainer, {"members/mallory/2026/2026-11-20-x.md": shared_entry(HOSTILE)})
    bob.ok("community", "pull")
    human = CliRunner().invoke(main, ["feed"], env={**bob.env, "COLUMNS": "300"}).stdout
    (item,) = json.loads(bob.ok("feed", "--json").stdout)
    cli_title = clean(HOSTILE, single_line=True)
    # Invisible characters shown, not dropped (a name must not pass for another); the
    # JSON keeps them (written as escapes), escapes and controls go in both.
    assert cli_title == "Bidi <U+202E>evil<U+200B>hidden osc csi end"
    assert cli_title in human and item["title"] == clean(HOSTILE, invisible="keep")
    assert "\u202e" not in bob.ok("feed", "--json").stdout
    # The app's text path for titles and tags (the journal list, review, forms) and its
    # feed list show the same characters the CLI shows.
    assert one_line(HOSTILE) == cli_title
    assert feed_prompt({**item, "title": HOSTILE}).plain.splitlines()[0] == cli_title
    for shown in (one_line(HOSTILE), human):
        assert not any(bad in shown for bad in LEFTOVERS)
