"""A yes-or-no question asked before something that is hard to undo."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from narrate.tui.text import one_line, plain


class ConfirmModal(ModalScreen[bool]):
    """Ask ``question``; dismissed with True for Yes, False for No or escape."""

    DEFAULT_CSS = """
    ConfirmModal {
        align: center middle;
        & > #confirm-box {
            width: 80%;
            max-width: 72;
            height: auto;
            border: round $error;
            background: $surface;
            padding: 0 1;
        }
        & #confirm-question { height: auto; margin-top: 1; }
        & #confirm-detail { color: $text-muted; height: auto; margin-top: 1; }
        & #confirm-buttons { height: auto; margin-top: 1; align-horizontal: right; }
        & #confirm-buttons Button { margin-left: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "no", "No", tooltip="Keep it: do nothing"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes") -> None:
        super().__init__()
        # Both may hold an entry's title: untrusted text, never markup.
        self.question = question
        self.detail = detail
        self.yes_label = yes

    def compose(self) -> ComposeResult:
        """The question, what it means, and the two buttons (No focused)."""
        with Vertical(id="confirm-box"):
            yield Static(one_line(self.question), id="confirm-question", markup=False)
            if self.detail:
                yield Static(one_line(self.detail), id="confirm-detail", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(plain(self.yes_label), id="confirm-yes", variant="error")
                yield Button("No", id="confirm-no", variant="primary")

    def on_mount(self) -> None:
        """No has the focus: enter alone does not delete."""
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def action_yes(self) -> None:
        """Yes: go ahead."""
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_no(self) -> None:
        """No: do nothing."""
        self.dismiss(False)
