"""The narrate command line: a thin click layer over narrate.journal.

Heavy modules (Rich, YAML, markdown-it, sqlite-utils, GitPython, Textual) are imported
inside the commands that need them, so ``narrate add`` and ``narrate search`` start fast.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from narrate import __version__
from narrate.commands.common import (
    CONTEXT,
    checked_text,
    commit_or_warn,
    emit_json,
    journal_option,
    journal_path,
    json_option,
    open_journal,
    parse_date_option,
    read_stdin,
    run_with_progress,
    sync_timeout,
    warn_broken,
)
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


@main.command(context_settings=CONTEXT)
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


@main.command(context_settings=CONTEXT)
@click.argument("text", required=False)
@click.option("-t", "--tag", "tags", multiple=True, metavar="TAG", help="Add a tag (repeatable).")
@click.option("--title", metavar="T", help="The title (default: the text's first line).")
@click.option(
    "--date",
    "when",
    metavar="WHEN",
    help='When it happened: 2026-11-27, "2026-11-27 14:30", yesterday, monday, "3 days ago".',
)
@click.option(
    "--practice",
    "practices",
    multiple=True,
    metavar="AREA:CHANGE",
    help="Record a practice change: what you now do differently, in which area (repeatable).",
)
@click.option("--before", metavar="TEXT", help="What you did before the practice change.")
@click.option("--source", metavar="S", help="Where you learned it: a community, person or URL.")
@click.option("--private", is_flag=True, help="Mark the entry private: it can never be shared.")
@click.option("--edit", is_flag=True, help="Write or finish the entry in $EDITOR.")
@journal_option
@click.pass_context
def add(
    ctx: click.Context,
    text: str | None,
    tags: tuple[str, ...],
    title: str | None,
    when: str | None,
    practices: tuple[str, ...],
    before: str | None,
    source: str | None,
    private: bool,
    edit: bool,
) -> None:
    """Capture an entry from the shell and print its id.

    TEXT is the entry; its first line becomes the title unless --title is given.
    Use - to read the text from standard input. #tags in the text count as tags.

    \b
    Examples:
      narrate add "Paired with Sam on the flaky deploy #devops" -t pairing
      narrate add "Tests first in reviews" --practice code-review:"Read tests first"
      git log -1 --format=%B | narrate add - --date yesterday
    """
    from narrate.journal.entry import Entry, Practice, normalise_area, normalise_tag

    journal = open_journal(ctx)
    text = read_stdin() if text == "-" else checked_text(text, "TEXT")
    title = checked_text(title, "--title")
    before = checked_text(before, "--before")
    source = checked_text(source, "--source")
    for value in (*tags, *practices):
        checked_text(value, "-t/--practice")
    if text is None and not edit:
        raise NarrateError("nothing to add: give the text, '-' to read standard input, or --edit")
    body_text = text or ""
    if edit:
        body_text = edit_text(body_text, ctx)
        if not body_text.strip():
            raise NarrateError("the editor returned no text; no entry was created")
    if not body_text.strip() and not title:
        raise NarrateError("the text is empty; no entry was created")

    clean_tags = []
    for raw in tags:
        tag = normalise_tag(raw)
        if tag is None:
            raise NarrateError(
                f"'{raw}' is not a tag: use letters, digits, '-', '_' and '/' (e.g. lang/python)"
            )
        clean_tags.append(tag)
    changes = []
    for raw in practices:
        area, sep, change = raw.partition(":")
        if not sep or not area.strip() or not change.strip():
            raise NarrateError(
                f"--practice '{raw}' must be AREA:CHANGE, "
                "e.g. --practice testing:'Write the test first'"
            )
        area_tag = normalise_area(area)
        if area_tag is None:
            raise NarrateError(
                f"--practice '{raw}': '{area}' cannot be an area (use letters, digits, '-', "
                "'_' and '/'); give AREA:CHANGE, e.g. --practice code-review:'Read tests first'"
            )
        changes.append(Practice(area=area_tag, change=change.strip(), before=before, source=source))
    if (before or source) and not changes:
        raise NarrateError(
            "--before and --source describe a practice change: add --practice AREA:CHANGE"
        )

    created = None
    if when is not None:
        from narrate.journal.dates import parse_when

        created = parse_when(when)
        click.echo(f"Dated {created:%a %d %b %Y %H:%M %z}", err=True)

    entry = Entry.from_capture(
        body_text,
        title=title,
        tags=clean_tags,
        practices=changes,
        private=private,
        created=created,
    )
    entry = commit_or_warn(lambda: journal.add(entry))
    click.echo(entry.id)
    click.echo(f"Added {entry.path}", err=True)


def editor_command(ctx: click.Context | None = None) -> list[str]:
    """The editor to run: the config's editor, then $VISUAL, then $EDITOR, then vi."""
    configured = None
    if not (os.environ.get("VISUAL") or os.environ.get("EDITOR")):
        from narrate.config import load_config

        configured = load_config().get("editor")
    command = configured or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(command)


def run_editor(path: Path, ctx: click.Context | None = None) -> None:
    """Open ``path`` in the user's editor and wait for it."""
    command = [*editor_command(ctx), str(path)]
    try:
        result = subprocess.run(command)
    except FileNotFoundError:
        raise NarrateError(
            f"editor '{command[0]}' not found; set $EDITOR (e.g. export EDITOR=nano)"
        ) from None
    if result.returncode != 0:
        raise NarrateError(
            f"the editor exited with status {result.returncode}; nothing was changed"
        )


def edit_text(initial: str, ctx: click.Context) -> str:
    """Text written in the editor, starting from ``initial``."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as handle:
        handle.write(initial)
        temp = Path(handle.name)
    try:
        run_editor(temp, ctx)
        return temp.read_text("utf-8")
    finally:
        temp.unlink(missing_ok=True)


@main.command(context_settings=CONTEXT)
@click.argument("ref", required=False, default="today", metavar="[ID|today]")
@journal_option
@click.pass_context
def edit(ctx: click.Context, ref: str) -> None:
    """Open an entry in $EDITOR, then re-index and commit it if it changed.

    ID may be a unique prefix of an id; the default is today's newest entry.
    """
    from narrate.journal.entry import BrokenEntry, Entry

    journal = open_journal(ctx)
    rel = journal.resolve(ref)
    path = journal.root / rel
    before = path.read_bytes()
    run_editor(path, ctx)
    if not path.exists():
        # The editor removed the file; put it back: deleting is not what `edit` is for.
        from narrate.journal.store import atomic_write

        atomic_write(path, before)
        raise NarrateError(
            f"the editor deleted {rel}; it was restored unchanged. To remove an entry, "
            "delete the file and commit (or run 'narrate sync')"
        )
    after = path.read_bytes()
    if after == before:
        click.echo("No changes.", err=True)
        return
    try:
        entry = Entry.from_bytes(after, rel)
    except BrokenEntry as exc:
        journal.index_file(rel)
        raise NarrateError(
            f"{rel} no longer reads as an entry ({exc.reason}); it was not committed. "
            f"Fix it with 'narrate edit {ref}'"
        ) from None
    entry = entry.touched()
    commit_or_warn(lambda: journal.save(entry, f"Edit entry: {entry.title}"))
    click.echo(f"Saved {rel}", err=True)


@main.command("list", context_settings=CONTEXT)
@click.option(
    "-n", "limit", type=click.IntRange(min=0), default=20, show_default=True, help="How many."
)
@click.option("--since", metavar="D", help="From this day on (ISO date or phrase).")
@click.option("--until", metavar="D", help="Up to and including this day.")
@click.option(
    "-t", "--tag", "tags", multiple=True, metavar="TAG", help="Only entries with this tag."
)
@json_option
@journal_option
@click.pass_context
def list_(
    ctx: click.Context,
    limit: int,
    since: str | None,
    until: str | None,
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """List entries, newest first."""
    journal = open_journal(ctx)
    items = journal.list(
        limit=limit,
        since=parse_date_option(since, "--since"),
        until=parse_date_option(until, "--until"),
        tags=[t.lstrip("#").lower() for t in tags],
    )
    warn_broken(journal)
    if as_json:
        emit_json(items)
        return
    from narrate import output

    if not items:
        click.echo(
            'No entries yet. Write one: narrate add "What I did"'
            if not (since or until or tags)
            else "No entries match.",
            err=True,
        )
        return
    output.console().print(output.entries_table(items))


@main.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID")
@json_option
@journal_option
@click.pass_context
def show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show one entry; ID may be a unique prefix of its id, or "today"."""
    journal = open_journal(ctx)
    item = journal.show(ref)
    if as_json:
        emit_json(item)
        return
    from narrate import output

    con = output.console()
    for part in output.entry_view(item):
        con.print(part)


class QueryCommand(click.Command):
    """A command whose words starting with "-" are query exclusions, not options.

    Only its own options are options (-n N, -nN, -j/--journal PATH, --json, -h/--help);
    anything else, "-#chores" or "-nothing" included, is part of the query.
    """

    takes_value = ("-n", "-j", "--journal")
    flags = ("--json", "-h", "--help")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options: list[str] = []
        words: list[str] = []
        position = 0
        while position < len(args):
            arg = args[position]
            if arg == "--":
                words.extend(args[position + 1 :])
                break
            if arg in self.flags or arg.startswith("--journal="):
                options.append(arg)
            elif arg in self.takes_value and position + 1 < len(args):
                options.extend(args[position : position + 2])
                position += 1
            elif arg[:2] == "-n" and arg[2:].isdigit():
                options.append(arg)
            else:
                words.append(arg)
            position += 1
        return super().parse_args(ctx, [*options, "--", *words])


@main.command(cls=QueryCommand, context_settings=CONTEXT)
@click.argument("query", nargs=-1)
@click.option(
    "-n", "limit", type=click.IntRange(min=0), default=20, show_default=True, help="How many."
)
@json_option
@journal_option
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Search entries, best match first.

    \b
    QUERY words and "quoted phrases" match titles and bodies; word* matches a prefix.
      #tag, -#tag         with / without a tag (#lang also finds #lang/python)
      -word               without a word
      area:SLUG           with a practice change in that area
      since:D  until:D    by date (2026-11-01, yesterday, "2 weeks ago")
      in:COMMUNITY        shared to that community
      is:practice  is:private  is:shared
    """
    from narrate import output

    journal = open_journal(ctx)
    results, warnings = journal.search(" ".join(query), limit=limit)
    for warning in warnings:
        output.warn(warning)
    warn_broken(journal)
    if as_json:
        for item in results:
            item["snippet"] = output.plain_snippet(item["snippet"])
        emit_json(results)
        return
    if not results:
        click.echo("No entries match.", err=True)
        return
    output.console().print(output.entries_table(results, snippets=True))


@main.command(context_settings=CONTEXT)
@json_option
@journal_option
@click.pass_context
def tags(ctx: click.Context, as_json: bool) -> None:
    """List tags with how many entries carry each, most used first."""
    journal = open_journal(ctx)
    items = journal.tags()
    warn_broken(journal)
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("No tags yet: add -t TAG or write #tag in an entry.", err=True)
        return
    from rich.table import Table

    from narrate import output

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("tag")
    table.add_column("entries", justify="right")
    for item in items:
        table.add_row(output.tag_text([item["tag"]]), str(item["count"]))
    output.console().print(table)


@main.command(context_settings=CONTEXT)
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


@main.command(context_settings=CONTEXT)
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
    section(
        "Leftover temporary files from an interrupted write (safe to delete)", report.temp_files
    )
    section("Uncommitted changes (the next sync commits them)", report.uncommitted, "yellow")
    section("Notes", [f"{p}: {n}" for p, n in report.notes], "yellow")
    if report.healthy:
        con.print(Text("\nAll good.", style="bold green"))
    else:
        ctx.exit(1)


@main.command(context_settings=CONTEXT)
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


def _register() -> None:
    """Add the capability commands; their modules import only click at load time."""
    from narrate.commands import community, practice, sync
    from narrate.importers.commands import import_group

    for command in (
        sync.remote,
        sync.sync,
        sync.status,
        practice.practice,
        practice.review,
        community.community,
        community.share,
        community.unshare,
        community.feed,
        community.adopt,
        import_group,
    ):
        main.add_command(command)


_register()
