"""The one exception type that reaches the user as a clear message."""

from __future__ import annotations


class NarrateError(Exception):
    """A problem the user can act on: the message names it and says what to do."""
