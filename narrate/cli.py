"""The narrate command line: the click group, ``narrate`` alone opening the app, and
the registration of every command (they live in narrate.commands).

The command modules import only click at load time; heavy modules (Rich, YAML,
markdown-it, sqlite-utils, GitPython, Textual) load inside the commands that need
them, so ``narrate add`` and ``narrate search`` start fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from narrate import __version__
from narrate.commands import (
    community,
    conflicts,
    entries,
    imports,
    maintenance,
    practice,
    sync,
)
from narrate.commands.common import CONTEXT, journal_option, open_journal
from narrate.errors import NarrateError


class NarrateGroup(click.Group):
    """A group that turns NarrateError into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NarrateError as exc:
            click.echo(f"narrate: {exc}", err=True)
            ctx.exit(1)
        except BrokenPipeError:
            # `narrate list | head`: the reader left; not an error worth a traceback.
            sys.stderr.close()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("narrate: interrupted", err=True)
            ctx.exit(130)


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


def open_tui(ctx: click.Context) -> None:
    """Open the Textual app (the only place Textual is imported)."""
    journal = open_journal(ctx)
    # Deferred: importing Textual costs far more than everything else narrate imports.
    from narrate.tui.app import NarrateApp

    NarrateApp(journal).run()


def _register() -> None:
    """Add every command to the group; their modules import only click at load time."""
    for command in (
        maintenance.init,
        entries.add,
        entries.edit,
        entries.list_,
        entries.show,
        entries.search,
        entries.tags,
        maintenance.reindex,
        maintenance.doctor,
        maintenance.export,
        sync.remote,
        sync.sync,
        sync.status,
        conflicts.conflicts,
        conflicts.resolve,
        practice.practice,
        practice.review,
        community.community,
        community.share,
        community.unshare,
        community.feed,
        community.adopt,
        imports.import_group,
    ):
        main.add_command(command)


_register()
