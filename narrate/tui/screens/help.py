"""The help screen: the keys of the screen it opened on, the list's markers, the search
language, the template.

It reads the bindings of that screen (and of its widgets and the app) when it opens, so
it imports no screen: a new key shows up here by being bound.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static, TextArea

from narrate.tui.widgets.entry_list import (
    CONFLICT_MARK,
    CURRENT_MARK,
    PRACTICE_MARK,
    PRIVATE_MARK,
    SHARED_MARK,
    STAR_MARK,
)

# The palette is Textual's; its key is not in narrate's bindings.
PALETTE = Binding("ctrl+p", "command_palette", "Command palette: every action, and themes")
EDITOR_KEYS = [
    ("ctrl+z / ctrl+y", "Undo / redo"),
    ("ctrl+x / ctrl+c / ctrl+v", "Cut / copy / paste"),
    ("ctrl+w / ctrl+k", "Delete word left / to end of line"),
    ("tab / shift+tab", "Next / previous part of the screen"),
]

SEARCH_HELP = [
    ('words "a phrase"', "full text, best match first"),
    ("#tag  -#tag  -word", "with a tag, without a tag or word"),
    ("area:code-review", "practice changes in an area"),
    ("since:monday until:2026-11-01", "dates, as narrate add --date takes them"),
    ("in:community", "shared to a community"),
    ("is:practice is:private is:shared", "kinds of entries"),
]


class HelpScreen(ModalScreen[None]):
    """A modal listing every key and what the list's markers mean."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > #help {
            width: 90%;
            max-width: 96;
            height: 90%;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #help-body { height: 1fr; }
        & #help-hint { color: $text-muted; height: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close"),
    ]

    def __init__(self, bindings: list[Binding], editor: bool = False) -> None:
        super().__init__()
        self.shown_bindings = bindings
        """The keys to list, in order: those of the screen help was opened on."""
        self.with_editor = editor
        """Whether that screen has a text editor (whose keys are Textual's)."""

    @classmethod
    def of(cls, screen: Screen[Any]) -> HelpScreen:
        """Help for ``screen``: its keys, its own widgets' and the app's, as bound now."""
        return cls(screen_bindings(screen), editor=has_editor(screen))

    def compose(self) -> ComposeResult:
        """The help text in a scrolling box."""
        with Vertical(id="help") as box:
            box.border_title = "narrate · keys"
            with VerticalScroll(id="help-body"):
                yield Static(self._keys_table(), id="help-keys")
                yield Static(self._markers_table(), id="help-markers")
                yield Static(self._search_table(), id="help-search")
                yield Static(self._practice_table(), id="help-practice")
                yield Static(self._community_table(), id="help-community")
                yield Static(self._sync_table(), id="help-sync")
                yield Static(self._notes(), id="help-notes")
            yield Static("escape closes this help", id="help-hint", markup=False)

    def _table(self, title: str) -> Table:
        table = Table(title=title, title_justify="left", box=None, show_header=False, expand=True)
        table.add_column(style="bold", no_wrap=True, min_width=18)
        table.add_column(ratio=1)
        return table

    def _keys_table(self) -> Table:
        table = self._table("Keys")
        # One row per action, with every key bound to it ("ctrl+f" and "/" both search).
        rows: dict[str, tuple[list[str], str]] = {}
        for binding in self.shown_bindings:
            # A screen's "app.help" is the app's "help": one row.
            action = binding.action.removeprefix("app.")
            keys, _ = rows.setdefault(action, ([], binding.tooltip or binding.description))
            keys.extend(key for key in self._keys(binding) if key not in keys)
        for keys, description in rows.values():
            table.add_row(Text(", ".join(keys)), Text(description))
        if self.with_editor:
            for shown, description in EDITOR_KEYS:
                table.add_row(Text(shown), Text(description))
        return table

    def _keys(self, binding: Binding) -> list[str]:
        """How the keys of ``binding`` are written on this keyboard ("^s", "f1")."""
        return [
            self.app.get_key_display(Binding(key.strip(), binding.action))
            for key in binding.key.split(",")
        ]

    def _practice_table(self) -> Table:
        """Where practice lives: the form and the Review screen."""
        table = self._table("\nPractice: the form (f8) and the Review screen (f9)")
        table.add_row(
            Text("enter"),
            Text("in the timeline or on this day: open the entry; on a check-back: answer it"),
        )
        return table

    def _community_table(self) -> Table:
        """What the Community screen and the share dialog do with untrusted text."""
        table = self._table("\nCommunities: the feed (ctrl+o) and sharing (ctrl+g)")
        table.add_row(
            Text("links"),
            Text("shown in full; opened (http and https only) after you confirm"),
        )
        return table

    def _sync_table(self) -> Table:
        """When the app syncs."""
        table = self._table("\nSync (f3) and the Conflicts screen (f4)")
        table.add_row(
            Text("header"),
            Text("in sync · N to push · offline (the remote did not answer) · N conflicts"),
        )
        table.add_row(
            Text("auto_sync"),
            Text(
                "with a remote, the app syncs on start and on quit unless config.toml says "
                "auto_sync = false; sync_timeout bounds the wait (default 30 s)"
            ),
        )
        return table

    def _markers_table(self) -> Table:
        table = self._table("\nIn the list")
        table.add_row(STAR_MARK, "starred (f5): is:starred finds it")
        table.add_row(PRACTICE_MARK, "the entry records a practice change")
        table.add_row(PRIVATE_MARK, "private: never shared")
        table.add_row(SHARED_MARK, "shared with a community")
        table.add_row(CONFLICT_MARK, "a conflict copy: another version kept beside the entry")
        table.add_row(CURRENT_MARK, "the entry open in the editor")
        return table

    def _search_table(self) -> Table:
        table = self._table("\nSearch (ctrl+f, or / in the list)")
        for query, meaning in SEARCH_HELP:
            table.add_row(Text(query), Text(meaning))
        return table

    def _notes(self) -> Text:
        return Text(
            "\nEntries save themselves a moment after you stop typing, when you leave them "
            "and when you quit; every save is a git commit. If a file changes on disk while "
            "you edit it, both versions are kept.\n"
            "New entries start from template.md at the journal's root, if there is one "
            "({{date}} becomes the day); otherwise from three narration prompts.\n"
            "Themes: the command palette's Theme command; your own theme files go in the "
            "themes/ folder beside config.toml."
        )

    def on_mount(self) -> None:
        """Scroll from the top."""
        self.query_one("#help-body", VerticalScroll).focus()


def screen_bindings(screen: Screen[Any]) -> list[Binding]:
    """Every key of ``screen`` now: its own, the app's, the palette's, then those of
    narrate's widgets on it (the entry list's, even while the editor has the focus)."""
    groups: list[list[BindingType]] = [list(type(screen).BINDINGS), list(screen.app.BINDINGS)]
    groups.append([PALETTE])
    seen: set[type[Any]] = set()
    for widget in screen.query("*"):
        kind = type(widget)
        if kind not in seen and kind.__module__.startswith("narrate.") and "BINDINGS" in vars(kind):
            seen.add(kind)
            groups.append(list(kind.BINDINGS))
    return [binding for group in groups for binding in group if isinstance(binding, Binding)]


def has_editor(screen: Screen[Any]) -> bool:
    """Whether ``screen`` holds a text area one can write in."""
    return any(not area.read_only for area in screen.query(TextArea))
