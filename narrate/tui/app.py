"""The narrate Textual app: themes, the command palette, help and moving between screens,
and quitting without loss.

Screens never import each other: the keys that open one (F1 help, the feed, review,
practice, share) are bound here, and each action imports its screen when it runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import get_current_worker

from narrate.errors import NarrateError
from narrate.humane import plural
from narrate.tui.screens.journal import JournalScreen
from narrate.tui.sync import SyncMixin
from narrate.tui.text import one_line, parse_day
from narrate.tui.themes import DEFAULT_THEME, builtin_theme_dir, load_themes, user_theme_dir
from narrate.tui.writer import Reader, RefreshJob, Writer

if TYPE_CHECKING:
    from narrate.config import Config
    from narrate.journal.core import Journal


class NarrateApp(SyncMixin, App[None]):
    """The journal in the terminal."""

    CSS_PATH = "narrate.tcss"
    TITLE = "narrate"

    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown by the screens' footers (as app.help), before ^q Quit; here for the rest.
        Binding("f1", "help", "Help", show=False, tooltip="All keys"),
        Binding("ctrl+q", "quit", "Quit", tooltip="Save, then quit", priority=True),
        Binding("f3", "sync_now", "Sync", show=False, tooltip="Sync with the remote now"),
        Binding(
            "f4", "conflicts", "Conflicts", show=False, tooltip="Compare and resolve conflicts"
        ),
        # Out of the footer, which holds no more at 100 columns: in help (f1) and the palette.
        Binding(
            "ctrl+o", "community", "Feed", show=False, tooltip="Read what your communities share"
        ),
        Binding(
            "ctrl+g", "share", "Share", show=False, tooltip="Share a redacted copy of this entry"
        ),
        # f5-f7 are the editor's own (select word, line, all).
        Binding(
            "f8",
            "record_practice",
            "Practice",
            tooltip="Record a practice change on this entry",
            show=False,  # in F1 and the palette: at 80 columns the footer keeps the basics
        ),
        Binding("f9", "review", "Review", tooltip="How did my practice change?", show=False),
        Binding(
            "f12", "calendar", "Calendar", show=False, tooltip="Go to a date: a month of entries"
        ),
    ]

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        # Screens narrower than 72 columns get "-narrow" (narrate.tcss fits their footers).
        self.HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (72, "-wide")]
        self.journal = journal
        self.title = f"narrate · {one_line(journal.name)}"
        self.sub_title = "…"
        self.config: Config | None = None
        """The user's config, read once here (again only after the app saves it); None
        when it is unusable."""
        self.config_problem: str | None = None
        """Why the config is unusable, if it is (said once, on start)."""
        self.load_config()
        self.writer = Writer(journal.root)
        """Every write of the TUI goes through it, in order, in its own thread."""
        self.reader = Reader(journal.root)
        """Reads that must not wait behind a write (search as you type, the review)."""
        self.journal_screen = JournalScreen(journal)
        self.saved_theme: str | None = None
        """The theme name the config holds (None: not set, or the config is unusable)."""
        self.config_usable = True
        self._startup_theme: str | None = None
        self._quit_anyway = False
        self._left_in_editor: tuple[str, str] | None = None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast of every screen: its words may quote file names, git or a
        community, so escapes are removed here, once, whatever the caller did."""
        from narrate.sanitize import clean

        super().notify(
            clean(message),
            title=clean(title, single_line=True),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def load_config(self) -> None:
        """Read the config file into ``config`` (or say why not in ``config_problem``)."""
        from narrate.config import load_config

        try:
            self.config, self.config_problem = load_config(), None
        except NarrateError as exc:
            self.config, self.config_problem = None, str(exc)

    def on_mount(self) -> None:
        """The writer and reader threads, the themes (so the first paint is in the right
        colours), then the journal."""
        self.run_writer()
        self.run_reader()
        self.load_theme_files()
        self.restore_theme()
        self.theme_changed_signal.subscribe(self, self.theme_changed)
        self.push_screen(self.journal_screen)
        # After the journal screen's first refresh is queued: the sync waits behind it.
        self.call_after_refresh(self.sync_on_start)

    def on_app_focus(self, event: events.AppFocus) -> None:
        """Back from another window (maybe an editor): look at the disk again now."""
        if self.journal_screen.is_mounted:
            self.writer.submit(RefreshJob())
            self.journal_screen.check_disk()

    def on_unmount(self) -> None:
        """Let the writer finish what is queued, and the reader stop."""
        self.writer.stop()
        self.reader.stop()

    @work(thread=True, name="journal writer", group="writer", exit_on_error=False)
    def run_writer(self) -> None:
        """The background thread that saves, refreshes the index, reads git state and
        runs the screens' writes; what it reports goes to the journal screen."""
        worker = get_current_worker()
        self.writer.run(self.journal_screen.post_message, lambda: worker.is_cancelled)

    @work(thread=True, name="journal reader", group="reader", exit_on_error=False)
    def run_reader(self) -> None:
        """The background thread that runs the screens' reads."""
        worker = get_current_worker()
        self.reader.run(self.journal_screen.post_message, lambda: worker.is_cancelled)

    # ------------------------------------------------------------------ themes

    def load_theme_files(self) -> None:
        """Register narrate's themes and the user's; report broken files in one place."""
        loaded = load_themes([builtin_theme_dir(), user_theme_dir()])
        for theme in loaded.themes:
            self.register_theme(theme)
        if loaded.problems:
            self.notify(
                "\n".join(loaded.problems),
                title=f"Skipped {plural(len(loaded.problems), 'theme file')}",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def restore_theme(self) -> None:
        """The theme saved in the config, else narrate's default."""
        if self.config is not None:
            self.saved_theme = self.config.get("theme")
            if self.config.warnings:  # said once, here: the CLI's stderr is under the app
                self.notify(
                    "\n".join(self.config.warnings),
                    title="Config",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
        else:
            self.config_usable = False
            self.notify(
                f"{self.config_problem}. Theme changes will not be saved until it is fixed.",
                severity="error",
                timeout=15,
                markup=False,
            )
        name = self.saved_theme if isinstance(self.saved_theme, str) else None
        if name and name not in self.available_themes:
            self.notify(
                f"Theme '{name}' (from the config) is not installed; using {DEFAULT_THEME}.",
                severity="warning",
                markup=False,
            )
            name = None
        self.theme = name or (
            DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        )
        # Setting the theme here is announced too, a moment later: that is not a choice
        # to save (saving a fallback would overwrite the user's missing theme).
        self._startup_theme = self.theme

    def theme_changed(self, theme: Theme) -> None:
        """Remember the user's choice in the config."""
        startup, self._startup_theme = self._startup_theme, None
        if theme.name == startup:
            return
        if self.config_usable and theme.name != self.saved_theme:
            self.saved_theme = theme.name
            self.save_theme(theme.name)

    @work(thread=True, group="config", exclusive=False, exit_on_error=False)
    def save_theme(self, name: str) -> None:
        """Write the theme to config.toml (re-read first: another command may have changed
        it since the app started)."""
        from narrate.config import load_config

        try:
            config = load_config()
            config.set("theme", name)
            config.save()
        except (NarrateError, OSError) as exc:
            self.call_from_thread(
                self.notify, f"Could not save the theme: {exc}", severity="error", markup=False
            )
            return
        self.call_from_thread(setattr, self, "config", config)

    # ------------------------------------------------------------------ commands

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands (Theme, Keys, Quit...), moving between screens, and every
        action of the screen."""
        for command in super().get_system_commands(screen):
            if command.title == "Quit":
                yield SystemCommand("Quit", "Save, then quit", self.action_quit)
            else:
                yield command
        yield from self.sync_commands()
        commands = getattr(screen, "commands", None)
        if callable(commands):
            yield from commands()
        yield from self.navigation_commands()

    def navigation_commands(self) -> Iterator[SystemCommand]:
        """The palette's way to every screen, as the app's keys are."""
        yield SystemCommand("Help", "Show every key", self.action_help)
        yield SystemCommand("Journal", "Back to the journal", self.action_journal)
        yield SystemCommand("Community", "Read what your communities share", self.action_community)
        yield SystemCommand("Share", "Share a redacted copy of this entry", self.action_share)
        yield SystemCommand(
            "Practice change",
            "Record what you now do differently, on this entry",
            self.action_record_practice,
        )
        yield SystemCommand("Calendar", "Go to a date in the journal", self.action_calendar)
        yield SystemCommand("Review", "How did my practice change?", self.action_review)
        yield SystemCommand(
            "Check-backs due", "Answer “still doing it?”", lambda: self.action_review(due=True)
        )

    # ------------------------------------------------------------------ navigation

    def action_help(self) -> None:
        """Show every key of the screen on top."""
        from narrate.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen.of(self.screen))

    def action_journal(self) -> JournalScreen:
        """Back to the journal screen, closing the screens over it."""
        while self.screen is not self.journal_screen and len(self.screen_stack) > 1:
            self.pop_screen()
        return self.journal_screen

    def action_community(self) -> None:
        """Open the Community screen (the feed of what other members shared)."""
        from narrate.tui.screens.community import CommunityScreen

        if isinstance(self.screen, CommunityScreen):
            return
        self.action_journal().save_now()
        self.push_screen(CommunityScreen(self.journal))

    def action_review(self, due: bool = False) -> None:
        """Open the Review screen (at the check-backs due, with ``due``)."""
        from narrate.tui.screens.review import ReviewScreen

        if isinstance(self.screen, ReviewScreen):
            return
        self.action_journal().save_now()
        self.push_screen(ReviewScreen(self.journal, focus_due=due))

    def action_calendar(self) -> None:
        """A month calendar over the journal; the chosen day opens in the list."""
        from narrate.tui.screens.calendar import CalendarModal

        screen = self.action_journal()
        entry = screen.entry
        day = (parse_day(entry.day) if entry is not None else None) or dt.date.today()
        counts = dict(screen.journal_listing().runs)

        def chosen(day: dt.date | None) -> None:
            if day is not None:
                screen.jump_to_day(day)

        self.push_screen(CalendarModal(day, counts), chosen)

    def action_record_practice(self) -> None:
        """Save the open entry, then open the practice change form on it."""
        from narrate.tui.screens.practice import open_practice_form

        screen = self.action_journal()
        screen.run_worker(open_practice_form(screen), group="practice-form", exclusive=True)

    def action_share(self) -> None:
        """Save the open entry, then open the share dialog on it."""
        from narrate.tui.screens.share import open_share

        screen = self.action_journal()
        screen.run_worker(open_share(screen), group="share-dialog", exclusive=True)

    def words_to_print(self) -> str:
        """The text the app could not save, nor keep in ``.narrate/unsaved`` (a full
        disk, a forced quit): printed to the terminal after the app has closed, so no
        word is lost. "" when everything was saved."""
        texts = dict(self.writer.unsaved)
        if self._left_in_editor is not None:
            key, text = self._left_in_editor
            texts[key] = text  # the editor's text is newer than any failed save of it
        return "\n\n".join(text.rstrip("\n") for text in texts.values() if text.strip())

    async def action_quit(self) -> None:
        """Save what is unsaved, wait for the commit, then quit."""
        # ctrl+q is a priority binding, handled the moment it arrives, while the keys
        # typed just before it may still wait in the focused widget's queue: quit from
        # the back of that queue, so they land in the editor (and the save) first.
        (self.screen.focused or self.screen).call_later(self.quit_when_saved)

    async def quit_when_saved(self) -> None:
        """Quit once everything is saved; if a save failed, say so and quit only on a
        second ctrl+q."""
        problem = None if self._quit_anyway else await self.journal_screen.finish()
        if problem is not None:
            self._quit_anyway = True
            self.notify(
                f"Not saved: {problem}. Press ctrl+q again to quit anyway (the text is "
                "printed when narrate closes, to keep by hand).",
                severity="error",
                timeout=20,
                markup=False,
            )
            return
        screen = self.journal_screen
        if self._quit_anyway and screen.dirty:
            self._left_in_editor = (screen.edits.key, screen.editor.text)
        # Saved: sync once more (bounded by sync_timeout); a failure is printed after.
        self.exit(message=await self.sync_before_quit())
