"""The one sanitiser: nothing that drives a terminal or hides text gets through."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate.sanitize import clean

CONTROL = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[2Jb", "ab"),
        ("t\x1b]0;pwned\x07x", "tx"),
        ("t\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\", "tlink"),
        ("c\x1b]52;c;SGVsbG8=\x07d", "cd"),
        ("\x1bP1$q\x1b\\ok", "ok"),
        ("\x1b]0;title\x9cafter", "after"),
        ("a\x9b31mb", "ab"),
        ("bidi\u202eevil\u2066x\u2069", "bidievilx"),
        ("hidden\u200b\u00ad\u061c\U000e0041text", "hiddentext"),
        ("[red]x[/red] [@click=app.quit]", "[red]x[/red] [@click=app.quit]"),
        ("tab\there", "tab    here"),
    ],
)
def test_clean(raw: str, shown: str) -> None:
    assert clean(raw) == shown


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    cleaned = clean(text)
    assert not set(cleaned) & (CONTROL - {"\n"})
    assert "\u202e" not in cleaned and "\x1b" not in cleaned


def test_visible_shows_controls_and_keeps_every_offset() -> None:
    from narrate.sanitize import visible

    text = "a\x1b]0;t\x07b\x9b2J\u202ec\td\n"
    shown = visible(text)
    assert len(shown) == len(text)
    assert shown == "a␛]0;t␇b\ufffd2J\ufffdc\td\n"
