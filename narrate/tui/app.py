"""The narrate Textual app."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class NarrateApp(App[None]):
    """The journal in the terminal."""

    TITLE = "narrate"

    def __init__(self, journal: Any) -> None:
        super().__init__()
        self.journal = journal

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Journal: {self.journal.root}", markup=False)
        yield Footer()
