"""Commands on the journal as a whole: set it up (init), keep it healthy (reindex,
doctor), copy it out (export)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from narrate.commands.common import (
    CONTEXT,
    journal_option,
    journal_path,
    open_journal,
    run_with_progress,
    sync_timeout,
    warn_broken,
)
from narrate.errors import NarrateError


@click.command(context_settings=CONTEXT)
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--remote", metavar="URL", help="Sync with this private git remote (origin).")
@click.option("--clone", metavar="URL", help="Clone an existing journal (it may be empty).")
@journal_option
@click.pass_context
def init(ctx: click.Context, path: Path | None, remote: str | None, clone: str | None) -> None:
    """Create a journal: a git repository with an entries/ folder.

    PATH defaults to the journal narrate would use ($NARRATE_JOURNAL, the config,
    then the data dir). Running it on an existing journal is harmless.

    \b
    Examples:
      narrate init ~/journal --remote git@github.com:me/journal.git
      narrate init ~/journal --clone git@github.com:me/journal.git   # a second device
    """
    from narrate.journal.core import Journal
    from narrate.journal.remote import redact
    from narrate.journal.sync import clone as clone_journal
    from narrate.journal.sync import set_remote

    if remote and clone:
        raise NarrateError("use --remote (a new journal) or --clone (an existing one), not both")
    target = (path or journal_path(ctx)).expanduser().absolute()
    existed = (target / ".git").exists()
    if clone:
        if existed:
            raise NarrateError(f"{target} is already a journal; clone into a new folder")
        clone_journal(clone, target, sync_timeout())
    journal = Journal.create(target)
    if remote:
        set_remote(journal.root, remote)
    if clone:
        click.echo(f"Cloned {redact(clone)} into {journal.root}")
    else:
        verb = "Journal already at" if existed else "Created a journal at"
        click.echo(f"{verb} {journal.root}")
    if remote:
        click.echo(f"Remote: {redact(remote)} (run 'narrate sync' to push)", err=True)
    if not existed and not clone:
        click.echo('Write the first entry: narrate add "What I did today"', err=True)


@click.command(context_settings=CONTEXT)
@click.option("--full", is_flag=True, help="Delete the index and rebuild it from the files.")
@journal_option
@click.pass_context
def reindex(ctx: click.Context, full: bool) -> None:
    """Bring the index up to date with the files (it is a cache; nothing is lost).

    Without --full every file is checked by size and time and changed ones are
    re-read; --full throws the index away and reads every file again.
    """
    import time

    journal = open_journal(ctx)
    started = time.perf_counter()
    report = run_with_progress(lambda progress: journal.reindex(full=full, progress=progress))
    seconds = time.perf_counter() - started
    click.echo(
        f"Indexed {journal.count()} entries in {seconds:.1f} s "
        f"({report.added} added, {report.updated} updated, {report.removed} removed)."
    )
    warn_broken(journal)


@click.command(context_settings=CONTEXT)
@journal_option
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the journal's health: unreadable files, duplicate ids, git state.

    Exits with status 1 when something needs your attention.
    """
    from rich.text import Text

    from narrate import output

    journal = open_journal(ctx)
    report = journal.doctor()
    con = output.console()
    con.print(Text(f"Journal {journal.root}", style="bold"))
    branch = report.branch or "(detached)"
    remote = f", remote {report.remote}" if report.remote else ", no remote"
    sync = ""
    if report.ahead is not None:
        sync = f", {report.ahead} to push, {report.behind} to pull"
    con.print(f"{report.entries} entries on branch {branch}{remote}{sync}")

    def section(title: str, lines: list[str], style: str = "red") -> None:
        if lines:
            con.print(Text(f"\n{title} ({len(lines)})", style=f"bold {style}"))
            for line in lines:
                con.print(Text(f"  {line}"))

    section("Files that cannot be read (fix them by hand)", [f"{p}: {r}" for p, r in report.broken])
    section(
        "Duplicate ids (give one of the files a new id)",
        [f"{i}: {', '.join(paths)}" for i, paths in report.duplicate_ids],
    )
    section("Conflict copies to resolve", report.conflicts)
    section("Git", report.git_problems)
    section("Index", report.index_problems)
    section(
        "Leftover temporary files from an interrupted write (safe to delete)", report.temp_files
    )
    section("Uncommitted changes (the next sync commits them)", report.uncommitted, "yellow")
    section("Notes", [f"{p}: {n}" for p, n in report.notes], "yellow")
    if report.healthy:
        con.print(Text("\nAll good.", style="bold green"))
    else:
        ctx.exit(1)


@click.command(context_settings=CONTEXT)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown", "html"]),
    default="json",
    show_default=True,
)
@click.option(
    "--out",
    metavar="PATH",
    help="Write to this file instead of stdout; with --format markdown, a folder (one that "
    "exists, or a path ending in /) gets one file per entry.",
)
@journal_option
@click.pass_context
def export(ctx: click.Context, fmt: str, out: str | None) -> None:
    """Export the whole journal, oldest first.

    json: every field of every entry, front matter included (`narrate import json`
    reads it back). markdown: one document, or with --out DIR/ a copy of every entry
    file. html: one self-contained page to open in a browser.

    \b
    Examples:
      narrate export --out backup.json
      narrate export --format markdown --out notes/
      narrate export --format html --out journal.html
    """
    from narrate.journal.export import export_journal

    journal = open_journal(ctx)
    count, where = export_journal(journal, fmt, out, sys.stdout)
    if where is not None:
        click.echo(f"Exported {count} entries to {where}", err=True)
