"""The help screen: every key, the list's markers, the search language, the template."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from narrate.tui.widgets.entry_list import (
    CONFLICT_MARK,
    CURRENT_MARK,
    PRACTICE_MARK,
    PRIVATE_MARK,
    SHARED_MARK,
    EntryList,
)

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
        from narrate.tui.app import NarrateApp
        from narrate.tui.screens.journal import JournalScreen

        table = self._table("Keys")
        groups: list[list[BindingType]] = [
            JournalScreen.BINDINGS,
            NarrateApp.BINDINGS,
            [Binding("ctrl+p", "command_palette", "Command palette: every action, and themes")],
            EntryList.BINDINGS,
        ]
        # One row per action, with every key bound to it ("ctrl+f" and "/" both search).
        rows: dict[str, tuple[list[str], str]] = {}
        for bindings in groups:
            for binding in bindings:
                if not isinstance(binding, Binding):
                    continue
                keys, description = rows.setdefault(
                    binding.action, ([], binding.tooltip or binding.description)
                )
                keys.extend(
                    self.app.get_key_display(Binding(key.strip(), binding.action))
                    for key in binding.key.split(",")
                )
        for keys, description in rows.values():
            table.add_row(Text(", ".join(keys)), Text(description))
        for keys, description in EDITOR_KEYS:
            table.add_row(Text(keys), Text(description))
        return table

    def _practice_table(self) -> Table:
        """The Review screen's keys and the practice forms'."""
        from narrate.tui.screens.practice import PracticeModal
        from narrate.tui.screens.review import ReviewScreen

        table = self._table("\nPractice: the form (f8) and the Review screen (f9)")
        for binding in [*PracticeModal.BINDINGS, *ReviewScreen.BINDINGS]:
            if isinstance(binding, Binding):
                keys = ", ".join(
                    self.app.get_key_display(Binding(key.strip(), binding.action))
                    for key in binding.key.split(",")
                )
                table.add_row(Text(keys), Text(binding.tooltip or binding.description))
        table.add_row(
            Text("enter"),
            Text("in the timeline or on this day: open the entry; on a check-back: answer it"),
        )
        return table

    def _community_table(self) -> Table:
        """The Community screen's keys and the share dialog's."""
        from narrate.tui.screens.community import CommunityScreen
        from narrate.tui.screens.share import ShareModal

        table = self._table("\nCommunities: the feed (ctrl+o) and sharing (ctrl+g)")
        for binding in [*CommunityScreen.BINDINGS, *ShareModal.BINDINGS]:
            if isinstance(binding, Binding) and binding.action != "help":
                keys = ", ".join(
                    self.app.get_key_display(Binding(key.strip(), binding.action))
                    for key in binding.key.split(",")
                )
                table.add_row(Text(keys), Text(binding.tooltip or binding.description))
        table.add_row(
            Text("links"),
            Text("shown in full; opened (http and https only) after you confirm"),
        )
        return table

    def _sync_table(self) -> Table:
        """When the app syncs, and the Conflicts screen's keys."""
        from narrate.tui.screens.conflicts import ConflictsScreen

        table = self._table("\nSync (f3) and the Conflicts screen (f4)")
        table.add_row(
            Text("header"),
            Text("in sync · N to push · offline (the remote did not answer) · N conflicts"),
        )
        for binding in ConflictsScreen.BINDINGS:
            if isinstance(binding, Binding):
                key = self.app.get_key_display(Binding(binding.key, binding.action))
                table.add_row(Text(key), Text(binding.tooltip or binding.description))
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
