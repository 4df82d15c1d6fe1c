"""The narrate command line: the click group, ``narrate`` alone opening the app, and
the registration of every command (they live in narrate.commands).

The command modules import only click at load time; heavy modules (Rich, YAML,
markdown-it, sqlite-utils, GitPython, Textual) load inside the commands that need
them, so ``narrate add`` and ``narrate search`` start fast.
"""

from __future__ import annotations

import importlib
import signal
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any

import click

from narrate import __version__
from narrate.commands.common import CONTEXT, journal_option, open_journal
from narrate.errors import NarrateError, os_problem


class NarrateGroup(click.Group):
    """A group that turns NarrateError into one line on stderr and exit status 1, and
    imports a command's module only when that command is asked for (COMMANDS)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(self.commands)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NarrateError as exc:
            from narrate.journal.remote import redact
            from narrate.sanitize import clean

            # The last word on every error: it may quote a URL, git's stderr or a file
            # name holding escape sequences.
            click.echo(f"narrate: {redact(clean(str(exc)))}", err=True)
            ctx.exit(1)
        except BrokenPipeError:
            # `narrate list | head`: the reader left; not an error worth a traceback.
            sys.stderr.close()
            ctx.exit(0)
        except OSError as exc:
            # A full disk, a read-only journal: one line naming it, not a traceback.
            click.echo(f"narrate: {os_problem(exc)}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt as exc:
            _interrupted(ctx, exc)
        except Exception as exc:
            # A signal that lands while Python runs __set_name__ or another hook that
            # wraps what it raises (RuntimeError from a dataclass being defined during an
            # import): still an interruption, not a traceback.
            cause = _interruption(exc)
            if cause is None:
                raise
            _interrupted(ctx, cause)
        finally:
            release_termination()


class LazyCommands(dict[str, click.Command]):
    """The group's commands by name: every name in COMMANDS is listed, and a command's
    module is imported the first time the command itself is asked for (click looks a
    command up with ``get``; help and tests read ``items()``, which loads them all)."""

    def _load(self, name: str) -> click.Command | None:
        if not dict.__contains__(self, name) and name in COMMANDS:
            module, _, attr = COMMANDS[name].partition(":")
            command = getattr(importlib.import_module(f"narrate.commands.{module}"), attr)
            assert isinstance(command, click.Command) and command.name == name, name
            dict.__setitem__(self, name, command)
        return dict.get(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        """The command, imported now if it was not yet."""
        found = self._load(name)
        return default if found is None else found

    def __getitem__(self, name: str) -> click.Command:
        found = self._load(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in COMMANDS

    def _names(self) -> list[str]:
        return [*dict.keys(self), *(n for n in COMMANDS if not dict.__contains__(self, n))]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def keys(self) -> Any:
        """Every command's name (nothing imported)."""
        return self._names()

    def items(self) -> Any:
        """Every (name, command), importing every command module."""
        return [(name, self[name]) for name in self._names()]

    def values(self) -> Any:
        """Every command, importing every command module."""
        return [self[name] for name in self._names()]


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (the terminal closed), raised where the command is, like ctrl+C:
    the same clean-up runs (temporary files removed, an unfinished import undone)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interruption(exc: BaseException) -> KeyboardInterrupt | None:
    """The ctrl+C or Terminated an exception was raised from, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _interrupted(ctx: click.Context, exc: KeyboardInterrupt) -> None:
    click.echo("narrate: interrupted", err=True)
    ctx.exit(128 + (exc.signum if isinstance(exc, Terminated) else signal.SIGINT))


_BEFORE: dict[int, Any] = {}
"""The handlers handle_termination replaced, for release_termination to put back."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def handle_termination() -> None:
    """Turn SIGTERM and SIGHUP into Terminated in the main thread (a command's, not the
    app's: Textual handles its own signals and rescues unsaved text itself)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (a command run from a test's thread)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        _BEFORE[signum] = signal.signal(signum, _terminate)


def release_termination() -> None:
    """Give SIGTERM and SIGHUP back to the system once the command is over: one that
    lands while Python shuts down (threading's _shutdown) would raise Terminated where
    nothing catches it and print a traceback; now it simply ends the process."""
    import threading

    if threading.current_thread() is threading.main_thread():
        for signum, before in list(_BEFORE.items()):
            if signal.getsignal(signum) is _terminate:
                # What it was (SIG_IGN under nohup stays ignored), else the default.
                signal.signal(signum, before if before is not None else signal.SIG_DFL)
            del _BEFORE[signum]


@click.group(cls=NarrateGroup, invoke_without_command=True, context_settings=CONTEXT)
@journal_option
@click.version_option(__version__, prog_name="narrate")
@click.pass_context
def main(ctx: click.Context) -> None:
    """narrate: a terminal journal for narrating your work.

    Run with no command to open the journal app on today's entry. Capture a line
    from the shell with `narrate add "..."`; find it again with `narrate search`.
    """
    ctx.ensure_object(dict)
    if ctx.invoked_subcommand is None:
        open_tui(ctx)
    else:
        handle_termination()


def open_tui(ctx: click.Context) -> None:
    """Open the Textual app (the only place Textual is imported)."""
    journal = open_journal(ctx)
    # Deferred: importing Textual costs far more than everything else narrate imports.
    from narrate.tui.app import NarrateApp

    app = NarrateApp(journal)
    app.run()
    unsaved = app.words_to_print()
    if unsaved:
        # The last place the words can go: the terminal, to copy back by hand.
        click.echo("narrate: this text could not be saved; copy it somewhere safe:", err=True)
        click.echo(unsaved)


# Every command: its name and where it lives (module in narrate.commands, attribute).
# Only the command run is imported: `narrate list` never loads the community, import or
# sync modules (tests/test_imports.py). One line per command; add yours anywhere.
COMMANDS: dict[str, str] = {}


def _register() -> None:
    """Name every command and where it lives; nothing is imported until one is run."""
    for name, where in (
        ("init", "maintenance:init"),
        ("add", "entries:add"),
        ("edit", "entries:edit"),
        ("delete", "entries:delete"),
        ("star", "entries:star"),
        ("unstar", "entries:unstar"),
        ("attach", "attach:attach"),
        ("list", "entries:list_"),
        ("show", "entries:show"),
        ("search", "entries:search"),
        ("tags", "entries:tags"),
        ("reindex", "maintenance:reindex"),
        ("doctor", "maintenance:doctor"),
        ("export", "maintenance:export"),
        ("remote", "sync:remote"),
        ("sync", "sync:sync"),
        ("status", "sync:status"),
        ("conflicts", "conflicts:conflicts"),
        ("resolve", "conflicts:resolve"),
        ("practice", "practice:practice"),
        ("review", "practice:review"),
        ("community", "community:community"),
        ("share", "community:share"),
        ("unshare", "community:unshare"),
        ("feed", "community:feed"),
        ("adopt", "community:adopt"),
        ("reply", "community:reply"),
        ("read", "community:read_"),
        ("activity", "community:activity"),
        ("follow", "conversation:follow"),
        ("unfollow", "conversation:unfollow"),
        ("digest", "conversation:digest"),
        ("import", "imports:import_group"),
    ):
        COMMANDS[name] = where


_register()
