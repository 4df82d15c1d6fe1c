"""What every command shares: the --journal and --json options, opening the journal,
JSON output, dates, warnings. Imports only click at load time."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from narrate.errors import NarrateError
from narrate.sanitize import INVISIBLE

if TYPE_CHECKING:
    from narrate.config import Config
    from narrate.journal.core import Journal

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
_ESCAPED = re.compile(f"[\x7f-\x9f]|{INVISIBLE.pattern}")


def checked_text(value: str | None, name: str) -> str | None:
    """``value`` if it is valid Unicode text; arguments that were not UTF-8 arrive as
    lone surrogates, which no file or index can hold."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise NarrateError(
            f"{name} is not valid UTF-8 text; check the terminal's encoding (LANG)"
        ) from None
    return value


def read_stdin() -> str:
    """Standard input as UTF-8 text, or a clear error."""
    import sys

    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, str):
        return checked_text(data, "standard input") or ""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NarrateError(
            f"standard input is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None


def remember_journal(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value:
        ctx.ensure_object(dict)["journal"] = value
    return value


def journal_option(func: F) -> F:
    """--journal on every command (it is also accepted before the command)."""
    return click.option(
        "--journal",
        "-j",
        metavar="PATH",
        expose_value=False,
        callback=remember_journal,
        is_eager=True,
        help="The journal folder (default: $NARRATE_JOURNAL, the config, then the data dir).",
    )(func)


def json_option(func: F) -> F:
    """--json: one JSON document on stdout with stable keys."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


def journal_path(ctx: click.Context) -> Path:
    """The journal folder: --journal, then NARRATE_JOURNAL, then the config, then the default."""
    chosen = (ctx.find_root().obj or {}).get("journal")
    if chosen:
        return folder_or_error(Path(chosen).expanduser(), "--journal")
    if os.environ.get("NARRATE_JOURNAL"):
        return folder_or_error(Path(os.environ["NARRATE_JOURNAL"]).expanduser(), "$NARRATE_JOURNAL")
    from narrate.config import env_or_config_journal
    from narrate.paths import default_journal

    return env_or_config_journal(load_settings(ctx)) or folder_or_error(
        default_journal(), "default"
    )


def folder_or_error(path: Path, source: str) -> Path:
    """``path`` if it is a folder or does not exist yet; a clear line naming where it came
    from when it is a file (which every later step would trip over)."""
    if path.exists() and not path.is_dir():
        raise NarrateError(
            f"the journal {path} (from {source}) is not a folder; point it at a journal "
            "folder, or at a new one for 'narrate init'"
        )
    return path


def open_journal(ctx: click.Context) -> Journal:
    """The Journal for this invocation, closed when the command ends."""
    from narrate.journal.core import Journal

    journal = Journal.open(journal_path(ctx), ignore=load_settings(ctx).ignore)
    import sys

    if sys.stderr.isatty():
        journal.reading = ReadingBar
    ctx.call_on_close(journal.close)
    ctx.call_on_close(say_notices)
    return journal


def say_notices() -> None:
    """Print what the core did on the user's behalf (a fallback git identity), once."""
    import sys

    # Nothing to say unless something committed (a read never imports the history).
    if "narrate.journal.history" not in sys.modules:
        return
    from narrate.journal import take_notices

    for notice in take_notices():
        click.echo(f"narrate: note: {notice}", err=True)


def emit_json(data: object) -> None:
    """Print one JSON document."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    # json escapes C0 controls but not DEL and C1 (0x9b is a CSI to many terminals), nor
    # invisible characters (a zero-width space in a member name): a string holding one
    # stays the same string, written as \u009b or \u200b.
    click.echo(_ESCAPED.sub(lambda found: json.dumps(found.group())[1:-1], text))


def shown(text: object) -> str:
    """Text from outside narrate (a file name, git's words) safe to print on one line."""
    from narrate.sanitize import clean

    return clean(text, single_line=True)


def parse_date_option(value: str | None, name: str) -> dt.date | None:
    """A --since/--until value as a day."""
    if value is None:
        return None
    from narrate.journal.dates import parse_day

    try:
        return parse_day(value, order=date_order())
    except NarrateError as exc:
        raise NarrateError(f"{name}: {exc}") from None


def warn_broken(journal: Journal) -> None:
    """One warning line naming files that could not be read, if any."""
    broken = journal.broken()
    if broken:
        path, reason = broken[0]
        more = f" and {len(broken) - 1} more" if len(broken) > 1 else ""
        # A file name is whatever another tool wrote: escapes in it must not reach the
        # terminal.
        click.echo(
            f"narrate: warning: skipped {shown(path)} ({shown(reason)}){more}; "
            "run 'narrate doctor' for details",
            err=True,
        )


def commit_or_warn(action: Callable[[], T]) -> T:
    """Run a write; if only the git commit failed, say so (the file is saved) and exit 1."""
    from narrate.journal.core import NotCommitted

    try:
        return action()
    except NotCommitted as exc:
        click.echo(f"narrate: {exc}", err=True)
        click.echo("The entry is safe on disk; 'narrate doctor' lists uncommitted files.", err=True)
        raise SystemExit(1) from None


def sync_timeout(ctx: click.Context | None = None) -> float:
    """Seconds a remote may take to answer: the config's sync_timeout, default 30."""
    from narrate.journal.sync import DEFAULT_TIMEOUT

    return float(load_settings(ctx).get("sync_timeout", DEFAULT_TIMEOUT))


def date_order(ctx: click.Context | None = None) -> str:
    """The config's ``date_order`` for numeric dates such as 11/03 ("dmy" or "mdy")."""
    return str(load_settings(ctx).get("date_order", "dmy"))


_CONFIG_KEY = "narrate.config"


def load_settings(ctx: click.Context | None = None) -> Config:
    """The user's config (validated), read once per CLI call: kept on the root context,
    its warnings (unknown keys) printed once on stderr when it is first read."""
    from narrate.config import load_config

    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return load_config()
    meta = ctx.find_root().meta
    config: Config | None = meta.get(_CONFIG_KEY)
    if config is None:
        config = load_config()
        meta[_CONFIG_KEY] = config
        for warning in config.warnings:
            click.echo(f"narrate: warning: {warning}", err=True)
    return config


# A read with more files than this to read (a new device's first read) shows a bar.
BAR_FILES = 2000


class ReadingBar:
    """A refresh's progress (``Journal.reading``): a bar on stderr once it has many
    files to read, a new device's first read; rich is imported then, never on a
    normal read."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __enter__(self) -> Callable[[int, int], None]:
        return self.progress

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def progress(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` files are read."""
        if total <= BAR_FILES:
            return
        if self.bar is None:
            from rich.progress import Progress

            from narrate import output

            self.bar = Progress(console=output.console(stderr=True), transient=True)
            self.bar.start()
            self.bar.add_task("Reading entries", total=total)
        self.bar.update(self.bar.task_ids[0], completed=done, total=total)


def run_with_progress(work: Callable[[Callable[[int, int], None]], T]) -> T:
    """Run ``work(progress)``, showing a progress bar on stderr once it has many files."""
    from rich.progress import Progress

    from narrate import output

    with Progress(console=output.console(stderr=True), transient=True) as bar:
        task = bar.add_task("Reading entries", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            if total > 2000:
                bar.update(task, completed=done, total=total, visible=True)

        return work(progress)
