"""Journal text made safe to show (by the one sanitiser), and days read from ISO text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from narrate.sanitize import clean

if TYPE_CHECKING:
    from textual.content import Content


def one_line(text: str) -> str:
    """Untrusted text cleaned by the one sanitiser and squeezed onto one line, for titles,
    tags and names in a list."""
    return clean(text, single_line=True)


def plain(text: str) -> Content:
    """Untrusted text on one line as Textual ``Content`` that is never parsed as markup,
    for the places that parse a ``str`` (border titles, button labels): "[/]" would
    crash them and "[@click=app.quit]" would be a live action."""
    from textual.content import Content

    return Content(one_line(text))


def parse_day(value: str) -> dt.date | None:
    """The date at the start of an ISO timestamp or day string, if it has one."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
