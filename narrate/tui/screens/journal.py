"""The journal screen: the entry list beside the editor, with search, preview and autosave."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer, Header, Input, Static, TextArea
from textual.widgets.text_area import Document, Selection

from narrate.errors import NarrateError
from narrate.humane import humane_date, plural
from narrate.sanitize import clean, visible
from narrate.tui.editing import EditSession, Outside, Typed
from narrate.tui.listing import JournalListing, SearchListing
from narrate.tui.messages import (
    CoreNotice,
    EntryChosen,
    EntryDeleted,
    EntryHighlighted,
    EntrySaved,
    EntryStarred,
    GitStateChecked,
    IndexProgress,
    JournalRefreshed,
    SaveFailed,
    SearchFinished,
    WikilinkResolved,
)
from narrate.tui.template import first_blank_line, load_template
from narrate.tui.text import one_line, parse_day
from narrate.tui.widgets.entry_editor import EntryEditor
from narrate.tui.widgets.entry_list import EntryList
from narrate.tui.widgets.practice_panel import PracticePanel
from narrate.tui.writer import GitStateJob, RefreshJob, TaskJob, Writer, journal_app

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry

# Save this long after the last keystroke: long enough not to commit every word,
# short enough that a crash loses at most a sentence.
AUTOSAVE_SECONDS = 2.0
# How often the open entry's file is compared with what the editor loaded.
DISK_CHECK_SECONDS = 2.0
# How often the index is refreshed so outside changes (a file written by hand, an
# entry added by the CLI) reach the list: a refresh that finds nothing costs a few stats.
REFRESH_SECONDS = 3.0
# Search as you type, once typing pauses this long.
SEARCH_DELAY = 0.15
SEARCH_LIMIT = 500
# The word count follows the text once typing pauses this long.
WORDS_DELAY = 0.3
EMPTY_JOURNAL = "No entries yet: start writing."
READING = "Reading the journal…"


def word_count(text: str, template: str = "") -> int:
    """The words the user wrote: not the template's prompts, nor Markdown's marks."""
    prompts = {line.strip() for line in template.splitlines() if line.lstrip().startswith("#")}
    return sum(
        1
        for line in text.splitlines()
        if line.strip() not in prompts
        for word in line.split()
        if any(char.isalnum() for char in word)
    )


def _markdown_language() -> str | None:
    """The editor's language: Markdown with Textual's syntax extra installed, else plain."""
    import importlib.util

    return "markdown" if importlib.util.find_spec("tree_sitter_markdown") else None


class JournalScreen(Screen[None]):
    """Write today's entry, browse and search the rest."""

    CSS_PATH = "journal.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new_entry", "New", tooltip="Start a new entry from the template"),
        Binding("ctrl+t", "today", "Today", tooltip="Open today's entry"),
        Binding("ctrl+f", "search", "Search", tooltip="Search the journal as you type"),
        Binding("slash", "search", "Search", show=False),
        Binding(
            "ctrl+r", "toggle_preview", "Preview", tooltip="Show the entry rendered, or the editor"
        ),
        Binding("ctrl+s", "save", "Save", tooltip="Save and commit now"),
        Binding("ctrl+l", "focus_list", "List", show=False, tooltip="Move to the entry list"),
        Binding("ctrl+e", "focus_editor", "Editor", show=False, tooltip="Move to the editor"),
        Binding(
            "escape", "back", "Back", show=False, tooltip="Leave the search, preview or editor"
        ),
        Binding(
            "f2",
            "edit_outside",
            "Your editor",
            show=False,
            tooltip="Write this entry in your own editor (config 'editor', $VISUAL, $EDITOR)",
        ),
        # Not f6, f7 nor ctrl+d: the editor selects the line, all, deletes right with them.
        Binding("f5", "toggle_star", "Star", show=False, tooltip="Star or unstar this entry"),
        Binding("f10", "delete_entry", "Delete", show=False, tooltip="Delete this entry (asks)"),
        # The app's help, shown here so the footer keeps it before ^q Quit.
        Binding("f1", "app.help", "Help", tooltip="All keys"),
    ]

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal
        self.edits = EditSession()
        """The editor's text against the file: when to save, conflicts, reloads."""
        self.indexed = False
        """Whether the first background refresh of the index has finished."""
        self.search_query = ""
        self.search_words: list[str] = []
        """The query's plain words, highlighted in the editor and the preview."""
        self._save_timer: Timer | None = None
        self._words_timer: Timer | None = None
        self._words = -1
        self._search_timer: Timer | None = None
        self._offering_save = False
        self._status = ""
        self._looking_for_today = False
        self._reading: tuple[int, int] | None = None
        """(done, total) while a long read of the files is under way."""
        self._deleting: str | None = None
        """The path the writer is deleting: its disappearance is not an outside change."""
        self._journal_listing: tuple[int, JournalListing] | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """Header, list and editor side by side, footer."""
        yield Header(icon="✎")
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield Input(
                    placeholder='search: words "phrases" #tag is:practice since:monday',
                    id="search",
                    compact=True,
                )
                yield EntryList(id="entries")
                yield Static("", id="list-status", markup=False)
            with Vertical(id="pane"):
                with Horizontal(id="entry-bar"):
                    yield Static("", id="entry-title", markup=False)
                    yield Static("", id="entry-tags", markup=False)
                    yield Static("", id="entry-words", markup=False)
                    yield Static("", id="entry-status", markup=False)
                with ContentSwitcher(initial="editor", id="switcher"):
                    # Plain until the first paint: Markdown highlighting (tree-sitter's
                    # import, grammar and query) is ~35 ms the first frame need not wait.
                    yield EntryEditor(id="editor", soft_wrap=True, tab_behavior="focus")
                    # The Markdown widget is made on the first preview: it and markdown-it
                    # cost ~25 ms of import and CSS that the first paint need not pay.
                    yield VerticalScroll(id="preview")
                # The entry's practice changes, under the editor and the preview alike.
                yield PracticePanel(id="practice-panel")
        # Compact: at 80 columns every main action and ^q Quit must fit.
        yield Footer(compact=True)

    @property
    def entry(self) -> Entry | None:
        """The Entry in the editor; None while it is a new entry not yet on disk."""
        return self.edits.entry

    @entry.setter
    def entry(self, entry: Entry | None) -> None:
        # None forgets the open entry, so that opening its path again reads the file.
        self.edits.entry = entry

    @property
    def disk(self) -> bytes | None:
        """The entry file's bytes as the editor last loaded or saved them."""
        return self.edits.disk

    @property
    def editor(self) -> TextArea:
        """The editor widget."""
        return self.query_one("#editor", TextArea)

    @property
    def entry_list(self) -> EntryList:
        """The entry list widget."""
        return self.query_one("#entries", EntryList)

    def on_mount(self) -> None:
        """Paint from the index as it is, open today, then refresh in the background."""
        # The index may be behind the files; reading it now and refreshing in the
        # writer keeps first paint fast at 100k entries (a full check can take seconds).
        self.journal.defer_refresh()
        self.load_listing()
        self.open_today(focus=True)
        self.call_after_refresh(self.highlight_markdown)
        # After the first paint: a refresh at 100k entries holds the GIL for a while.
        self.call_after_refresh(self.writer.submit, RefreshJob())
        self.call_after_refresh(self.writer.submit, GitStateJob())
        self.set_interval(DISK_CHECK_SECONDS, self.check_disk)
        self.set_interval(REFRESH_SECONDS, lambda: self.writer.submit(RefreshJob()))

    def highlight_markdown(self) -> None:
        """Give the editor its Markdown highlighting (after the first paint)."""
        language = _markdown_language()
        editor = self.editor
        if language is None or editor.language == language:
            return
        # A new language makes a new document with the cursor at the start: keep the
        # cursor, the selection and the scroll where they were.
        selection, scroll = editor.selection, editor.scroll_offset
        editor.language = language
        editor.selection = selection
        editor.scroll_to(scroll.x, scroll.y, animate=False, immediate=True)

    @property
    def writer(self) -> Writer:
        """The app's writer: saves, index refreshes and git state, in order."""
        return journal_app(self).writer

    # ------------------------------------------------------------------ the list

    def load_listing(self) -> None:
        """(Re)read the list: every entry, or the current search's results."""
        if self.searching and self.search_query.strip():
            self.run_search(self.search_query)
            return
        follow = self.entry.path if self.entry is not None else None
        listing = self.journal_listing()
        # Until the first read of the files is done, an empty list means "not read
        # yet", never "nothing written".
        self.entry_list.empty_text = EMPTY_JOURNAL if self.indexed else READING
        self.entry_list.set_listing(listing, follow=follow)
        self.entry_list.mark_current(follow, move_cursor=False)
        if self._reading is not None:
            done, total = self._reading
            # Short: the sidebar is 28 columns at 80x24.
            self.set_list_status(f"Reading… {done:,} of {total:,} files")
        elif not self.indexed and listing.entry_count == 0:
            self.set_list_status(READING)
        else:
            count = listing.entry_count
            self.set_list_status(f"{count:,} entr{'y' if count == 1 else 'ies'}")

    def journal_listing(self) -> JournalListing:
        """Every entry by day: the listing built last, while the index has not changed
        since (counting the days reads the whole index, ~35 ms at 300,000 entries, and
        leaving a search or opening the calendar need not pay it again)."""
        version = self.journal.index_version()
        if self._journal_listing is None or self._journal_listing[0] != version:
            self._journal_listing = (version, JournalListing(self.journal))
        return self._journal_listing[1]

    def set_list_status(self, text: str) -> None:
        """The line under the list."""
        self.query_one("#list-status", Static).update(Text(one_line(text)))

    @on(EntryHighlighted)
    def entry_highlighted(self, message: EntryHighlighted) -> None:
        """The cursor moved onto an entry: show it in the editor."""
        self.open_path(message.path)

    @on(EntryChosen)
    def entry_chosen(self, message: EntryChosen) -> None:
        """Enter or double click: open the entry and write in it."""
        self.open_path(message.path)
        self.action_focus_editor()

    # ------------------------------------------------------------------ opening

    def open_today(self, focus: bool = False) -> None:
        """Today's newest entry, or a new one from the template."""
        try:
            entry = self.journal.today_entry()
        except NarrateError as exc:
            self.notify(str(exc), severity="error", markup=False)
            entry = None
        if entry is None:
            self.open_draft()
            # Today's entry may exist but not be indexed yet: look again after a refresh.
            self._looking_for_today = True
        else:
            self.open_path(entry.path, cursor_at_end=True)
        if focus:
            self.action_focus_editor()

    def open_draft(self) -> None:
        """A new entry from the template; nothing is written until the text changes."""
        self.save_now()
        self._looking_for_today = False
        template = load_template(self.journal.root)
        self.edits.open_draft(template)
        self._load_editor(template)
        row = first_blank_line(template)
        self.editor.move_cursor((row, 0))
        self.entry_list.mark_current(None, move_cursor=False)
        self.update_bar()
        self.update_preview()

    def open_path(self, path: str, cursor_at_end: bool = False) -> None:
        """Open the entry at ``path``, saving the one being left first; if a save of the
        entry is still queued, open it once that save has landed."""
        if self.entry is not None and self.entry.path == path:
            return
        self.save_now()
        if not self.edits.may_open(path, cursor_at_end):
            return  # once its queued save has landed (entry_saved, save_failed)
        from narrate.journal.entry import BrokenEntry, Entry

        data = self.journal.read_file(path)
        if data is None:
            self.notify(f"{one_line(path)} is no longer on disk", severity="warning", markup=False)
            self.writer.submit(RefreshJob())
            return
        try:
            entry = Entry.from_bytes(data, path)
        except BrokenEntry as exc:
            self.notify(
                f"{one_line(path)} cannot be read: {one_line(exc.reason)}. "
                "Fix it in a text editor; narrate will not rewrite it.",
                severity="error",
                markup=False,
            )
            return
        self.show_entry(entry, data, cursor_at_end)

    def show_entry(self, entry: Entry, data: bytes, cursor_at_end: bool = False) -> None:
        """Put an entry in the editor as a fresh editing session."""
        self.edits.open_entry(entry, data, load_template(self.journal.root))
        self._load_editor(entry.body)
        editor = self.editor
        match = self._match_in(entry.body) if self.searching else None
        document = editor.document  # a Document: DocumentBase has no index lookups
        if match is not None and isinstance(document, Document):
            start = document.get_location_from_index(match[0])
            end = document.get_location_from_index(match[1])
            editor.selection = Selection(start, end)
            editor.scroll_cursor_visible(center=True)
        elif cursor_at_end:
            editor.move_cursor(editor.document.end)
        else:
            editor.move_cursor((0, 0))
        self.entry_list.mark_current(entry.path, move_cursor=not self.entry_list.has_focus)
        self.update_bar()
        self.update_preview()

    def _load_editor(self, text: str) -> None:
        self._cancel_save_timer()
        self.editor.load_text(text)

    # ------------------------------------------------------------------ saving

    @property
    def dirty(self) -> bool:
        """Whether the editor holds text that is not on disk."""
        return self.edits.dirty(self.editor.text)

    @property
    def saving(self) -> bool:
        """Whether a save was asked for and not yet answered."""
        return self.edits.saving

    @on(TextArea.Changed, "#editor")
    def text_changed(self) -> None:
        """Typing: save once it pauses (or every half minute while it does not)."""
        self._cancel_save_timer()
        typed = self.edits.typed(self.editor.text, time.monotonic())
        if typed is Typed.SAVE:
            self.save_now()
        elif typed is Typed.WAIT:
            self._save_timer = self.set_timer(AUTOSAVE_SECONDS, self.save_now)
        self.update_status()
        # Counted when typing pauses: re-laying out the bar on every key is too slow.
        if self._words_timer is not None:
            self._words_timer.stop()
        self._words_timer = self.set_timer(WORDS_DELAY, self.update_words)

    def _cancel_save_timer(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None

    def save_now(self) -> bool:
        """Queue a save of the editor's text if it has changed; True if one was queued."""
        self._cancel_save_timer()
        job = self.edits.save(self.editor.text, dt.date.today())
        if job is None:
            return False
        self.writer.submit(job)
        self.update_status()
        return True

    @on(EntrySaved)
    def entry_saved(self, message: EntrySaved) -> None:
        """A save landed: it becomes the editor's baseline if it is the open entry's."""
        current = self.edits.saved(message)
        if message.created or message.conflict_copy:
            self.load_listing()
        else:
            # The entry kept its place in the list; only its row's text may have changed.
            self.entry_list.reload_rows()
        if current:
            self.entry_list.mark_current(message.entry.path, move_cursor=message.created)
        if message.conflict_copy:
            self.notify(
                f"“{one_line(message.entry.title)}” changed on disk while you were writing. "
                f"Your version stays in {one_line(message.entry.path)}; the other is kept in "
                f"{one_line(message.conflict_copy)}.",
                title="Both versions kept",
                severity="warning",
                timeout=15,
                markup=False,
            )
        if message.warning:
            self.notify(clean(message.warning), severity="warning", timeout=10, markup=False)
        self.writer.submit(GitStateJob())
        self.update_bar()
        self._open_deferred()

    def _open_deferred(self) -> None:
        deferred = self.edits.deferred_open()
        if deferred is not None:
            self.open_path(*deferred)

    @on(SaveFailed)
    def save_failed(self, message: SaveFailed) -> None:
        """Tell the user; the text stays in the editor and the next change retries."""
        self.edits.failed(message)
        self.notify(
            f"Could not save: {one_line(message.reason)}. Your text is still in the editor.",
            severity="error",
            timeout=15,
            markup=False,
        )
        self.update_status()
        self._open_deferred()

    async def saved_for_rewrite(self) -> bool:
        """Before narrate rewrites the open entry's file (a star, a practice change): save
        what the editor holds and wait, or the writer would take the rewrite for an
        outside edit and keep two versions. False, said to the user, if it could not."""
        problem = await self.finish()
        if problem is None and self.entry is not None:
            return True
        self.notify(
            f"Save the entry first: {problem or 'it is not on disk yet'}.",
            severity="error",
            markup=False,
        )
        return False

    async def finish(self) -> str | None:
        """Save everything and wait for the writer; why not, if something stays unsaved."""
        self.save_now()
        deadline = time.monotonic() + 30
        while self.saving and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if self.dirty:
            return self.edits.last_failure or "the last save did not finish"
        return None

    # ------------------------------------------------------------------ outside changes

    def check_disk(self) -> None:
        """Compare the open entry's file with what the editor loaded; reload or keep both."""
        entry = self.entry
        if entry is None or self.saving or entry.path == self._deleting:
            return
        change = self.edits.outside_change(self.journal.read_file(entry.path), self.editor.text)
        if change.outside is Outside.SAVE:
            # The writer compares again and keeps the other version as a conflict copy.
            self.save_now()
        elif change.outside is Outside.DELETED:
            self.notify(
                f"{one_line(entry.path)} was deleted outside narrate.",
                severity="warning",
                markup=False,
            )
            self.entry = None
            self.writer.submit(RefreshJob())
            self.open_today()
        elif change.outside is Outside.BROKEN:
            self.notify(
                f"{one_line(entry.path)} changed on disk and cannot be read: "
                f"{one_line(change.reason)}. Fix it in a text editor; your next edit here "
                "keeps both versions.",
                severity="error",
                markup=False,
            )
        elif change.outside is Outside.RELOAD and change.entry and change.data is not None:
            location = self.editor.cursor_location
            self.show_entry(change.entry, change.data)
            self.editor.move_cursor(location)
            self.notify(
                f"Reloaded “{one_line(change.entry.title)}”: it changed on disk.", markup=False
            )
            self.writer.submit(RefreshJob())

    @on(IndexProgress)
    def index_progressed(self, message: IndexProgress) -> None:
        """A long read of the files got further: show what it has read so far."""
        self._reading = (message.done, message.total)
        if not self.searching:
            self.load_listing()

    @on(JournalRefreshed)
    def journal_refreshed(self, message: JournalRefreshed) -> None:
        """The index caught up with the files: update the list and maybe today's entry."""
        first = not self.indexed
        self.indexed = True
        self._reading = None
        if message.changed or first:
            self.load_listing()
        if message.changed:  # the writer committed outside edits: the header follows
            self.writer.submit(GitStateJob())
        if self._looking_for_today and self.entry is None and not self.dirty:
            entry = self.journal.today_entry()
            if entry is not None:
                self.open_path(entry.path, cursor_at_end=True)
        if message.broken:
            lines = "\n".join(
                f"{one_line(path)}: {one_line(reason)}" for path, reason in message.broken[:5]
            )
            more = len(message.broken) - 5
            self.notify(
                lines + (f"\n…and {more} more" if more > 0 else "") + "\nSee 'narrate doctor'.",
                title="Files that cannot be read",
                severity="warning",
                timeout=15,
                markup=False,
            )

    @on(GitStateChecked)
    def git_state_checked(self, message: GitStateChecked) -> None:
        """Show the repository state in the header."""
        self.app.sub_title = one_line(message.summary)

    @on(CoreNotice)
    def core_notice(self, message: CoreNotice) -> None:
        """Say once what the core did for the user (such as a fallback git identity)."""
        self.notify(message.text, title="Git identity", timeout=20, markup=False)

    # ------------------------------------------------------------------ search

    @property
    def searching(self) -> bool:
        """Whether the search bar is open."""
        return self.has_class("-searching")

    def action_search(self) -> None:
        """Open the search bar (or go back to it)."""
        self.add_class("-searching")
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        """Search as the query is typed, once typing pauses."""
        self.search_query = event.value
        if self._search_timer is not None:
            self._search_timer.stop()
        if not event.value.strip():
            self.search_words = []
            self.load_listing()
            return
        self._search_timer = self.set_timer(
            SEARCH_DELAY, lambda: self.run_search(self.search_query)
        )

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        """Enter: go to the results."""
        self.entry_list.focus()
        if self.entry_list.cursor is None:
            self.entry_list.action_first()  # opens it
        elif self.entry_list.cursor_path:
            self.open_path(self.entry_list.cursor_path)

    def run_search(self, query: str) -> None:
        """Search on the app's reader, off the UI thread and the writer's queue; a
        query still queued there is replaced by this one."""

        def task(journal: Journal) -> SearchFinished:
            try:
                results, warnings = journal.search(query, limit=SEARCH_LIMIT, prefix_last=True)
            except NarrateError as exc:
                results, warnings = [], [str(exc)]
            return SearchFinished(query, results, warnings)

        journal_app(self).reader.submit(TaskJob("search", task, reply=self.post_message))

    @on(SearchFinished)
    def search_finished(self, message: SearchFinished) -> None:
        """Show results, unless the query has moved on since."""
        if not self.searching or message.query != self.search_query:
            return
        from narrate.tui import highlight

        self.search_words = highlight.query_words(message.query)
        follow = self.entry.path if self.entry is not None else None
        self.entry_list.empty_text = f"No matches for {one_line(message.query.strip())}"
        self.entry_list.set_listing(SearchListing(message.results), follow=follow)
        self.entry_list.mark_current(follow, move_cursor=False)
        count = len(message.results)
        status = (
            f"best {SEARCH_LIMIT} matches"
            if count >= SEARCH_LIMIT
            else f"{count} match{'' if count == 1 else 'es'}"
            if count
            else "no matches"
        )
        if message.warnings:
            status += " · " + "; ".join(message.warnings)
        self.set_list_status(status)
        self.update_preview()

    def close_search(self) -> None:
        """Back to the whole journal."""
        self.remove_class("-searching")
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.search_query = ""
        self.search_words = []
        self.load_listing()
        self.update_preview()

    def _match_in(self, body: str) -> tuple[int, int] | None:
        # Imported on the first search: the query parser is not needed for the first paint.
        from narrate.tui import highlight

        words = list(self.search_words)
        row = self.entry_list.listing.row_of_path(self.entry.path) if self.entry else None
        if row is not None:
            item = getattr(self.entry_list.listing.row(row), "item", {})
            words += highlight.snippet_words(str(item.get("snippet", "")))
        return highlight.first_match(body, words) if words else None

    # ------------------------------------------------------------------ preview and bar

    @property
    def previewing(self) -> bool:
        """Whether the rendered preview is shown instead of the editor."""
        return self.query_one("#switcher", ContentSwitcher).current == "preview"

    def update_preview(self) -> None:
        """Render the entry into the preview, if it is shown."""
        if not self.previewing:
            return
        from narrate.tui import highlight

        text = self.editor.text
        words = list(self.search_words) if self.searching else []
        if self.searching and self.entry is not None:
            row = self.entry_list.listing.row_of_path(self.entry.path)
            item = getattr(self.entry_list.listing.row(row), "item", {}) if row is not None else {}
            words += highlight.snippet_words(str(item.get("snippet", "")))
        # visible(): the entry's own text may hold escape sequences; they are shown,
        # never sent to the terminal.
        source = highlight.emphasise(visible(text), words)
        from textual.widgets import Markdown

        from narrate.journal.export import wikilinks_as_links

        source = wikilinks_as_links(source)

        preview = self.query_one("#preview", VerticalScroll)
        existing = preview.query(Markdown)
        if existing:
            existing.first().update(source)
        else:
            preview.mount(Markdown(source, id="preview-text", open_links=False))

    def update_bar(self) -> None:
        """The line above the editor: what is open."""
        title = Text(no_wrap=True, overflow="ellipsis")
        if self.entry is None:
            title.append("New entry", "bold")
            title.append(f" · {humane_date(dt.date.today())}", "dim")
        else:
            title.append(one_line(self.entry.title) or "Untitled", "bold")
            day = parse_day(self.entry.day)
            when = humane_date(day) if day else self.entry.day
            title.append(f" · {when} {self.entry.created:%H:%M}", "dim")
        tags = " ".join(f"#{one_line(tag)}" for tag in self.entry.all_tags()) if self.entry else ""
        # Beside the title, not in it: a long title is cut before the tags are.
        bar_tags = self.query_one("#entry-tags", Static)
        bar_tags.update(Text(tags, "italic", no_wrap=True, overflow="ellipsis"))
        bar_tags.display = bool(tags)
        self.query_one("#entry-title", Static).update(title)
        self.update_words()
        self.query_one(PracticePanel).show(self.entry)
        self.update_status()

    def update_words(self) -> None:
        """The open entry's word count, in the bar."""
        count = word_count(self.editor.text, self.edits.template)
        if count != self._words:
            self._words = count
            self.query_one("#entry-words", Static).update(plural(count, "word"))

    def update_status(self) -> None:
        """Saved, unsaved, saving: at the right of the bar."""
        dirty = self.dirty
        if dirty != self._offering_save:
            self._offering_save = dirty
            self.refresh_bindings()  # the footer offers Save only when there is something
        if dirty:
            status = "● not saved" if self.edits.last_failure else "● editing"
        elif self.saving:
            status = "saving…"
        elif self.entry is None:
            status = "saved once you write"
        else:
            status = "saved"
        if status != self._status:
            # Only on change: an update re-lays out the screen, too slow for each key.
            self._status = status
            self.query_one("#entry-status", Static).update(status)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Links are never opened on a click: show where they go. A ``[[wikilink]]``
        opens the entry it names (by title or alias), found on the reader."""
        from urllib.parse import unquote

        from narrate.journal.export import WIKILINK_SCHEME, find_wikilink

        if not event.href.startswith(WIKILINK_SCHEME):
            self.notify(f"Link to {one_line(event.href)} (not opened)", markup=False)
            return
        name = unquote(event.href.removeprefix(WIKILINK_SCHEME))

        def task(journal: Journal) -> WikilinkResolved:
            try:
                return WikilinkResolved(name, find_wikilink(journal, name))
            except NarrateError:
                return WikilinkResolved(name, None)

        journal_app(self).reader.submit(TaskJob("wikilink", task, reply=self.post_message))

    @on(WikilinkResolved)
    def wikilink_resolved(self, message: WikilinkResolved) -> None:
        """Open the entry a clicked [[link]] names, or say there is none."""
        if message.path is None:
            self.notify(f"No entry is called {one_line(message.name)}", markup=False)
        else:
            self.open_path(message.path)

    # ------------------------------------------------------------------ actions

    def action_new_entry(self) -> None:
        """Start a new entry from the template."""
        self.open_draft()
        self.action_focus_editor()

    def action_today(self) -> None:
        """Open today's entry (or a new one)."""
        self.save_now()
        if self.searching:
            self.close_search()
        self.open_today(focus=True)

    def action_toggle_preview(self) -> None:
        """Switch between the editor and the rendered entry."""
        switcher = self.query_one("#switcher", ContentSwitcher)
        if self.previewing:
            switcher.current = "editor"
            self.editor.focus()
        else:
            switcher.current = "preview"
            self.update_preview()
            self.query_one("#preview", VerticalScroll).focus()
        self.refresh_bindings()

    def action_save(self) -> None:
        """Save and commit now."""
        if not self.save_now():
            self.notify("Nothing to save: everything is on disk.", timeout=3)

    def action_focus_list(self) -> None:
        """Move the focus to the entry list."""
        self.entry_list.focus()

    def action_focus_editor(self) -> None:
        """Move the focus to the editor (closing the preview)."""
        if self.previewing:
            self.query_one("#switcher", ContentSwitcher).current = "editor"
        self.editor.focus()

    def action_back(self) -> None:
        """Escape: leave search, the preview or the editor, in that order."""
        if self.searching and not self.editor.has_focus:
            self.close_search()
            self.entry_list.focus()
        elif self.previewing:
            self.action_toggle_preview()
        elif self.editor.has_focus:
            self.entry_list.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only offer what works now: no Save when everything is saved."""
        if action == "save":
            return self.dirty
        return True

    def commands(self) -> Iterator[SystemCommand]:
        """This screen's actions for the command palette."""
        yield SystemCommand(
            "New entry", "Start a new entry from the template", self.action_new_entry
        )
        yield SystemCommand("Today", "Open today's entry", self.action_today)
        yield SystemCommand("Search", "Search the journal as you type", self.action_search)
        yield SystemCommand("Preview", "Toggle the rendered Markdown", self.action_toggle_preview)
        yield SystemCommand("Save", "Save and commit the entry now", self.action_save)
        yield SystemCommand("Focus list", "Move to the entry list", self.action_focus_list)
        yield SystemCommand("Focus editor", "Move to the editor", self.action_focus_editor)
        yield SystemCommand(
            "Reload", "Re-read the journal from disk", lambda: self.writer.submit(RefreshJob())
        )
        yield SystemCommand(
            "Star or unstar", "Star this entry (is:starred finds it)", self.action_toggle_star
        )
        yield SystemCommand(
            "Delete entry",
            "Delete this entry after asking (the history keeps it)",
            self.action_delete_entry,
        )
        yield SystemCommand(
            "Write in your editor",
            "Open this entry in your own editor ($EDITOR), then take its text back",
            self.action_edit_outside,
        )

    # ------------------------------------------------------------------ dates

    def jump_to_day(self, day: dt.date) -> None:
        """Show the entries of ``day`` in the list (or of the nearest day before it) and
        open the first."""
        if self.searching:
            self.close_search()
        listing = self.entry_list.listing
        row = listing.row_of_day(day.isoformat()) if isinstance(listing, JournalListing) else None
        if row is None:
            self.notify("Nothing written yet.", timeout=3)
            return
        heading = listing.row(row)
        shown = getattr(heading, "day", day.isoformat())
        if shown != day.isoformat():
            when = parse_day(shown)
            self.notify(
                f"Nothing written on {day:%a} {day.day} {day:%b %Y}; "
                f"showing {humane_date(when) if when else shown}.",
                timeout=4,
                markup=False,
            )
        self.entry_list.focus()
        self.entry_list.move_to_row(row)

    # ------------------------------------------------------------------ your editor

    def action_edit_outside(self) -> None:
        """Suspend the app, write this entry in the user's editor, then take the text
        back through the writer (as a save from here: an edit made meanwhile on disk is
        kept as a conflict copy)."""
        from textual.app import SuspendNotSupported

        from narrate.editor import edit_in_folder, editor_command

        config = journal_app(self).config
        try:
            editor_command(config)  # a broken setting is said before the screen goes
        except NarrateError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.save_now()
        text = self.editor.text
        name = self.entry.path.rsplit("/", 1)[-1] if self.entry is not None else "new-entry.md"
        folder = self.journal.state_dir() / "editing"

        def edit() -> bytes | NarrateError | None:
            try:
                return edit_in_folder(text.encode("utf-8"), name, folder, config)
            except NarrateError as exc:
                return exc

        try:
            with self.app.suspend():
                result = edit()
        except SuspendNotSupported:
            if not self.app.is_headless:
                self.notify(
                    "This terminal cannot hand the screen to another program; "
                    "use 'narrate edit' in a shell.",
                    severity="warning",
                    markup=False,
                )
                return
            result = edit()  # under test there is no terminal to hand over
        self.take_outside_text(text, result)

    def take_outside_text(self, sent: str, result: bytes | NarrateError | None) -> None:
        """Put what the editor wrote into the editor widget and save it."""
        if isinstance(result, NarrateError):
            self.notify(str(result), severity="error", markup=False)
            return
        if result is None:
            self.notify("The editor deleted its copy: nothing changed.", markup=False)
            return
        try:
            written = result.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            self.notify(
                "The editor saved text that is not UTF-8: nothing changed.", severity="error"
            )
            return
        if written == sent:
            self.notify("No changes from the editor.", timeout=3)
            return
        editor = self.editor
        location = editor.cursor_location
        # A replace, not a load: ctrl+z still undoes the editor's changes here.
        editor.replace(written, (0, 0), editor.document.end)
        editor.move_cursor(location)
        self.save_now()
        self.update_words()

    # ------------------------------------------------------------------ forms

    def entry_rewritten(self, entry: Any, data: bytes) -> None:
        """A form rewrote ``entry`` (a practice change, a check-back): if it is open, it
        becomes the editor's text and baseline, the cursor where it was."""
        if self.entry is not None and self.entry.path == entry.path and not self.dirty:
            location = self.editor.cursor_location
            self.show_entry(entry, data)
            self.editor.move_cursor(location)
        self.entry_list.reload_rows()

    # ------------------------------------------------------------------ star and delete

    def action_toggle_star(self) -> None:
        """Star the open entry, or take its star off."""
        self.run_worker(self._toggle_star(), group="star-entry", exclusive=True)

    async def _toggle_star(self) -> None:
        if self.entry is None and not self.dirty:
            self.notify("Write the entry first: a star goes on an entry.", markup=False)
            return
        if not await self.saved_for_rewrite() or self.entry is None:
            return
        path, starred = self.entry.path, not self.entry.starred

        def task(journal: Journal) -> EntryStarred:
            from narrate.journal.core import NotCommitted

            try:
                try:
                    entry, _ = journal.set_starred(path, starred)
                    warning = None
                except NotCommitted as exc:  # written, not committed: the file holds it
                    entry, warning = journal.get(path), str(exc)
                data = entry.document.to_bytes()
            except (NarrateError, OSError) as exc:
                return EntryStarred(path, starred, failure=str(exc))
            return EntryStarred(path, starred, entry, data, warning)

        self.writer.submit(TaskJob(f"star-{path}", task, reply=self.post_message))

    @on(EntryStarred)
    def entry_starred(self, message: EntryStarred) -> None:
        """The star landed: reload the file, keeping what was typed meanwhile."""
        if message.entry is None:
            self.notify(f"Not changed: {message.failure}", severity="error", markup=False)
            return
        entry = message.entry
        if self.entry is not None and self.entry.path == entry.path:
            typed = self.editor.text if self.dirty else None
            location = self.editor.cursor_location
            self.show_entry(entry, message.data)
            if typed is not None:
                # Typed while the star was written: kept, and saved over the new file.
                self.editor.replace(typed, (0, 0), self.editor.document.end)
            self.editor.move_cursor(location)
        self.entry_list.reload_rows()
        state = "Starred" if message.starred else "Unstarred"
        self.notify(f"{state} “{one_line(entry.title)}”.", timeout=3, markup=False)
        if message.warning:
            self.notify(message.warning, severity="warning", timeout=10, markup=False)

    def action_delete_entry(self) -> None:
        """Delete the open entry, after asking."""
        self.run_worker(self._delete_entry(), group="delete-entry", exclusive=True)

    async def _delete_entry(self) -> None:
        from narrate.tui.screens.confirm import ConfirmModal

        if self.entry is None:
            self.notify("Nothing to delete: this entry is not on disk yet.", markup=False)
            return
        # Saved first: the history then keeps the text as it was when deleted.
        problem = await self.finish()
        if problem is not None or self.entry is None:
            self.notify(f"Not deleted: {problem}.", severity="error", markup=False)
            return
        path, title = self.entry.path, self.entry.title or "Untitled"

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(path, title)

        self.app.push_screen(
            ConfirmModal(
                f"Delete “{title}”?",
                f"{path} goes from the journal; its history keeps it.",
                yes="Delete",
            ),
            answered,
        )

    def _delete(self, path: str, title: str) -> None:
        self._deleting = path

        def task(journal: Journal) -> EntryDeleted:
            from narrate.journal.core import NotCommitted

            try:
                gone = journal.delete(path)
            except NotCommitted as exc:  # gone from disk, not from git's next commit
                return EntryDeleted(path, title, str(exc))
            except (NarrateError, OSError) as exc:
                return EntryDeleted(path, title, failure=str(exc))
            return EntryDeleted(path, title, gone.restore_message)

        self.writer.submit(TaskJob(f"delete-{path}", task, reply=self.post_message))

    @on(EntryDeleted)
    def entry_deleted(self, message: EntryDeleted) -> None:
        """Gone: say how to get it back, reload the list and open today's entry."""
        self._deleting = None
        if message.failure is not None:
            self.notify(f"Not deleted: {message.failure}", severity="error", markup=False)
            return
        if self.entry is not None and self.entry.path == message.path:
            self.entry = None
            self.open_today()
        self.load_listing()
        self.notify(
            one_line(f"Deleted “{message.title}”. {message.restore or ''}".strip()),
            title="Deleted",
            timeout=15,
            markup=False,
        )
