"""``narrate attach``: copy a file into the journal and link it from an entry.

Only click is imported at module level; the journal loads when the command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from narrate.commands.common import CONTEXT, commit_or_warn, journal_option, open_journal, shown


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID|PATH")
@click.argument("file", type=click.Path(path_type=Path))
@journal_option
@click.pass_context
def attach(ctx: click.Context, ref: str, file: Path) -> None:
    """Copy FILE into the journal and link it at the end of an entry, in one commit.

    The copy goes to attachments/YYYY/MM/ (the entry's month) under a safe version of
    its name; an image is embedded (![name](...)), any other file linked. The link is
    relative, so Obsidian, the HTML export and the app's preview all find it. Symlinks,
    folders and files over 200 MB are refused.

    \b
    Examples:
      narrate attach today ~/Desktop/whiteboard.png
      narrate attach 01JDQ3V7 ~/Downloads/boarding-pass.pdf
    """
    from narrate.journal.attachments import LARGE_BYTES
    from narrate.journal.attachments import attach as attach_file

    journal = open_journal(ctx)
    entry, rel, size = commit_or_warn(lambda: attach_file(journal, ref, file))
    click.echo(f"Attached {shown(rel)} to {shown(entry.path)} ({shown(entry.title)})", err=True)
    if size >= LARGE_BYTES:
        click.echo(
            f"Note: {size // (1024 * 1024)} MB; git keeps it in every clone of the journal",
            err=True,
        )
