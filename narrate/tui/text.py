"""Journal text made safe to show (by the one sanitiser), and days read from ISO text."""

from __future__ import annotations

import datetime as dt

from narrate.sanitize import clean


def one_line(text: str) -> str:
    """Untrusted text cleaned by the one sanitiser and squeezed onto one line, for titles,
    tags and names in a list."""
    return clean(text, single_line=True)


def parse_day(value: str) -> dt.date | None:
    """The date at the start of an ISO timestamp or day string, if it has one."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
