"""The narrate command line: a thin click layer over narrate.journal.

Heavy modules (Rich, YAML, markdown-it, sqlite-utils, GitPython, Textual) are imported
inside the commands that need them, so ``narrate add`` and ``narrate search`` start fast.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from narrate import __version__
from narrate.errors import NarrateError

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


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


def _remember_journal(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
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
        callback=_remember_journal,
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
        return Path(chosen).expanduser()
    if os.environ.get("NARRATE_JOURNAL"):
        return Path(os.environ["NARRATE_JOURNAL"]).expanduser()
    from narrate.config import env_or_config_journal, load_config
    from narrate.paths import default_journal

    return env_or_config_journal(load_config()) or default_journal()


def open_journal(ctx: click.Context) -> Any:
    """The Journal for this invocation, closed when the command ends."""
    from narrate.journal.core import Journal

    journal = Journal.open(journal_path(ctx))
    ctx.call_on_close(journal.close)
    return journal


def emit_json(data: Any) -> None:
    """Print one JSON document."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def parse_date_option(value: str | None, name: str) -> dt.date | None:
    """A --since/--until value as a day."""
    if value is None:
        return None
    from narrate.journal.dates import parse_day

    try:
        return parse_day(value)
    except NarrateError as exc:
        raise NarrateError(f"{name}: {exc}") from None


def warn_broken(journal: Any) -> None:
    """One warning line naming files that could not be read, if any."""
    broken = journal.broken()
    if broken:
        path, reason = broken[0]
        more = f" and {len(broken) - 1} more" if len(broken) > 1 else ""
        click.echo(
            f"narrate: warning: skipped {path} ({reason}){more}; run 'narrate doctor' for details",
            err=True,
        )


@click.group(cls=NarrateGroup, invoke_without_command=True, context_settings=CONTEXT)
@click.option(
    "--journal",
    "-j",
    metavar="PATH",
    expose_value=False,
    callback=_remember_journal,
    is_eager=True,
    help="The journal folder (default: $NARRATE_JOURNAL, the config, then the data dir).",
)
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


# `narrate import`: its module imports only click at load time.
from narrate.importers.commands import import_group  # noqa: E402

main.add_command(import_group)


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


def sync_timeout() -> float:
    """Seconds a remote may take to answer: the config's sync_timeout, default 30."""
    from narrate.config import load_config
    from narrate.journal.sync import DEFAULT_TIMEOUT

    return float(load_config().get("sync_timeout", DEFAULT_TIMEOUT))


@main.group(context_settings=CONTEXT)
def remote() -> None:
    """The journal's private git remote (origin), used by sync."""


@remote.command("set", context_settings=CONTEXT)
@click.argument("url")
@journal_option
@click.pass_context
def remote_set(ctx: click.Context, url: str) -> None:
    """Set the journal's remote: an https, ssh or git URL, or a local path."""
    from narrate.journal.remote import redact
    from narrate.journal.sync import set_remote

    journal = open_journal(ctx)
    set_remote(journal.root, url)
    click.echo(f"Remote set to {redact(url)}; run 'narrate sync' to sync")


@remote.command("show", context_settings=CONTEXT)
@journal_option
@click.pass_context
def remote_show(ctx: click.Context) -> None:
    """Print the journal's remote URL (credentials hidden)."""
    from narrate.journal.history import run_git
    from narrate.journal.remote import redact

    journal = open_journal(ctx)
    found = run_git(journal.root, "remote", "get-url", "origin", check=False)
    if found.returncode != 0:
        raise NarrateError("no remote set; set one with 'narrate remote set URL'")
    click.echo(redact(found.stdout.strip()))


@main.command(context_settings=CONTEXT)
@click.option("--timeout", type=float, metavar="S", help="Give up on the remote after S seconds.")
@journal_option
@click.pass_context
def sync(ctx: click.Context, timeout: float | None) -> None:
    """Commit pending changes, fetch, integrate and push to the journal's remote.

    Nothing is ever lost: when both devices changed the same entry, yours stays in
    place and the other version is saved beside it as a ...-conflict-<id>.md copy.
    """
    from narrate.journal.sync import Syncer

    journal = open_journal(ctx)
    result = Syncer(journal, timeout or sync_timeout()).run()
    if result.committed:
        click.echo("Committed changes made outside narrate.")
    if result.pulled:
        click.echo(f"Took in {result.pulled} commit(s) from origin.")
    for kept, other in result.renamed:
        click.echo(f"Two entries shared the name {kept}: the other device's is now {other}.")
    for kept, copy in result.conflicts:
        click.echo(
            f"Conflict in {kept}: your version stays; the other device's is saved as {copy}.",
            err=True,
        )
    if result.pushed:
        click.echo(f"Pushed {result.pushed} commit(s).")
    if not (result.committed or result.pulled or result.pushed or result.conflicts):
        click.echo("Already in sync.")
    elif result.conflicts:
        click.echo("Compare the copies, keep what you want, and delete the copy.", err=True)


@main.command(context_settings=CONTEXT)
@json_option
@journal_option
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show the branch, commits to push and pull, last sync and conflicts."""
    from narrate.journal.sync import status as sync_status

    journal = open_journal(ctx)
    state = sync_status(journal)
    if as_json:
        emit_json(state.to_json())
        return
    lines = [f"Branch {state.branch or '(detached)'}"]
    if state.remote:
        lines.append(f"Remote {state.remote}")
        if state.ahead is not None:
            lines.append(
                f"{state.ahead} commit(s) to push, {state.behind} to pull (as of the last sync)"
            )
        lines.append(f"Last sync {state.last_sync or 'never'}")
        if state.last_error:
            lines.append(f"Last attempt failed: {state.last_error}")
    else:
        lines.append("No remote (set one with 'narrate remote set URL')")
    if state.uncommitted:
        lines.append(f"{state.uncommitted} uncommitted file(s) (the next sync commits them)")
    lines.extend(f"Conflict copy: {path}" for path in state.conflicts)
    lines.extend(f"Problem: {problem}" for problem in state.problems)
    click.echo("\n".join(lines))


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
    from narrate.journal.entry import Entry, Practice, derive_title, normalise_tag

    journal = open_journal(ctx)
    if text == "-":
        text = sys.stdin.read()
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
        area_tag = normalise_tag(area)
        if not sep or not change.strip() or area_tag is None:
            raise NarrateError(
                f"--practice '{raw}' must be AREA:CHANGE, "
                "e.g. --practice testing:'Write the test first'"
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

    if title:
        body = body_text.strip("\n")
    else:
        lines = body_text.strip("\n").split("\n")
        title = derive_title(lines[0]) or derive_title(body_text)
        body = "\n".join(lines[1:]).strip("\n")
    entry = Entry.new(
        body, title=title, created=created, tags=clean_tags, practice=changes, private=private
    )
    entry = commit_or_warn(lambda: journal.add(entry))
    click.echo(entry.id)
    click.echo(f"Added {entry.path}", err=True)


def commit_or_warn(action: Callable[[], Any]) -> Any:
    """Run a write; if only the git commit failed, say so (the file is saved) and exit 1."""
    from narrate.journal.core import NotCommitted

    try:
        return action()
    except NotCommitted as exc:
        click.echo(f"narrate: {exc}", err=True)
        click.echo("The entry is safe on disk; 'narrate doctor' lists uncommitted files.", err=True)
        raise SystemExit(1) from None


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


@main.group(invoke_without_command=True, context_settings=CONTEXT)
@click.option("--area", metavar="A", help="Only this practice area.")
@click.option("--since", metavar="D", help="Recorded on or after this day.")
@click.option(
    "--status", type=click.Choice(["trying", "adopted", "dropped"]), help="Only this status."
)
@click.option("--due", is_flag=True, help="Only changes whose check-back is due.")
@json_option
@journal_option
@click.pass_context
def practice(
    ctx: click.Context,
    area: str | None,
    since: str | None,
    status: str | None,
    due: bool,
    as_json: bool,
) -> None:
    """List practice changes (what you now do differently), newest first.

    Each change is checked back 2, 6 and 12 weeks after it was recorded (the config's
    check_back_weeks); --due lists the ones waiting for an answer, and
    `narrate practice check ID` answers one.
    """
    if ctx.invoked_subcommand is not None:
        return
    import datetime as dt

    from narrate.config import load_config
    from narrate.practice.checkback import check_back_weeks, with_due

    journal = open_journal(ctx)
    items = journal.practice(area=area, since=parse_date_option(since, "--since"), status=status)
    items = with_due(items, check_back_weeks(load_config()), dt.date.today())
    if due:
        items = sorted((i for i in items if i["due"]), key=lambda i: (i["due"], i["id"]))
    warn_broken(journal)
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo(
            "No check-backs are due."
            if due
            else 'No practice changes yet. Record one: narrate add "..." --practice AREA:CHANGE',
            err=True,
        )
        return
    from rich.table import Table
    from rich.text import Text

    from narrate import output

    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("id", "date", "area", "change", "status"):
        table.add_column(
            name, overflow="fold", style="dim" if name == "id" else None, no_wrap=name != "change"
        )
    from narrate.sanitize import clean_data

    for item in clean_data(items):
        change = Text()
        if item["before"]:
            change.append(f"{item['before']} → ", style="dim")
        change.append(item["change"])
        if item["source"]:
            change.append(f" (from {item['source']})", style="dim")
        state = Text(item["status"])
        if item["due"]:
            state.append(f", due {item['due'][5:]}", style="yellow")
        elif item["next_check"]:
            state.append(f", next {item['next_check'][5:]}", style="dim")
        table.add_row(
            output.short_id(item["id"]),
            output.humane_date(item["created"], with_time=False),
            Text(item["area"], style="green"),
            change,
            state,
        )
    output.console().print(table)


@practice.command("check", context_settings=CONTEXT)
@click.argument("ref", metavar="ID")
@click.option(
    "--status", type=click.Choice(["trying", "adopted", "dropped"]), help="Set the new status."
)
@click.option(
    "--answer",
    type=click.Choice(["yes", "partly", "no"]),
    help="Still doing it? (no also sets dropped, unless --status says otherwise)",
)
@click.option("--note", metavar="TEXT", help="A line about how it is going.")
@click.option("--area", metavar="A", help="Which change, when the entry records several.")
@journal_option
@click.pass_context
def practice_check(
    ctx: click.Context,
    ref: str,
    status: str | None,
    answer: str | None,
    note: str | None,
    area: str | None,
) -> None:
    """Answer a check-back: appends a dated line to the entry and may set the status.

    \b
    Examples:
      narrate practice check 01JDQ3 --answer yes --status adopted
      narrate practice check 01JDQ3 --answer no --note "Too slow on big PRs"
    """
    from narrate.practice.checkback import answer as record_answer

    journal = open_journal(ctx)
    result = commit_or_warn(
        lambda: record_answer(journal, ref, answer=answer, status=status, note=note, area=area)
    )
    click.echo(result.line.removeprefix("- "))


@main.command(context_settings=CONTEXT)
@click.option("--since", metavar="D", help="Start of the period (default: 90 days ago).")
@click.option("--until", metavar="D", help="End of the period (default: today).")
@click.option("--by", type=click.Choice(["week", "month"]), default="month", show_default=True)
@click.option("--markdown", is_flag=True, help="Print a review note in Markdown.")
@json_option
@journal_option
@click.pass_context
def review(
    ctx: click.Context,
    since: str | None,
    until: str | None,
    by: str,
    markdown: bool,
    as_json: bool,
) -> None:
    """How did your practice change? Changes per area, timeline, sources, cadence.

    The Markdown note can be kept as an entry: narrate review --markdown | narrate add -
    """
    from narrate.config import load_config
    from narrate.practice.checkback import check_back_weeks
    from narrate.practice.review import build_review

    journal = open_journal(ctx)
    result = build_review(
        journal,
        since=parse_date_option(since, "--since"),
        until=parse_date_option(until, "--until"),
        by=by,
        weeks=check_back_weeks(load_config()),
    )
    warn_broken(journal)
    if as_json:
        emit_json(result.to_json())
        return
    if markdown:
        from narrate.practice.report import render_markdown

        click.echo(render_markdown(result), nl=False)
        return
    from narrate import output
    from narrate.practice.report import render_rich

    con = output.console()
    for part in render_rich(result):
        con.print(part)


def _config() -> Any:
    from narrate.config import load_config

    return load_config()


def _print_skipped(skipped: list[Any]) -> None:
    from narrate.sanitize import clean

    if skipped:
        click.echo(f"Ignored {len(skipped)} file(s) in the community:", err=True)
        for item in skipped[:10]:
            click.echo(f"  {clean(item.path, single_line=True)}: {item.reason}", err=True)


@main.group(context_settings=CONTEXT)
def community() -> None:
    """Communities of practice: git repositories members share narrations to."""


@community.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.argument("url")
@click.option("--member", metavar="HANDLE", help="Your handle there (default: author.handle).")
@click.option("--email", metavar="E", help="The e-mail for your commits there.")
@journal_option
@click.pass_context
def community_add(
    ctx: click.Context, name: str, url: str, member: str | None, email: str | None
) -> None:
    """Join a community: clone its repository (checked, never run) and remember it."""
    from narrate.community.feed import index_community
    from narrate.community.registry import Community, check_name, communities, read_info
    from narrate.journal.remote import redact, validate_url
    from narrate.sanitize import safe_text

    config = _config()
    check_name(name, "community name")
    handle = member or config.get("author.handle")
    if not handle:
        raise NarrateError("give your handle in this community with --member HANDLE")
    check_name(handle, "member handle")
    validate_url(url)
    if name in communities(config):
        raise NarrateError(f"community '{name}' exists; remove it first to change it")
    address = email or config.get("author.email") or f"{handle}@users.narrate.invalid"
    joined = Community(name, url, handle, address)
    repo = joined.repo(sync_timeout())
    repo.clone()
    settings = {"url": url, "member": handle}
    if email:
        settings["email"] = email
    config.set(f"communities.{name}", settings)
    config.save()
    click.echo(f"Joined {name} ({redact(url)}) as {handle}.")
    info = read_info(repo, repo.head())
    from narrate import output

    con = output.console()
    for label, value in (
        ("", info.name),
        ("", info.description),
        ("Guidelines: ", info.guidelines),
    ):
        if value:
            con.print(safe_text(f"{label}{value}", single_line=False))
    if info.areas or info.tags:
        con.print(safe_text(f"Vocabulary: {', '.join((info.areas or []) + (info.tags or []))}"))
    if info.problem:
        output.warn(info.problem)
    journal = open_journal(ctx)
    update = index_community(journal, joined, repo)
    _print_skipped(update.skipped)
    click.echo(f"{update.entries} shared entries; read them with 'narrate feed {name}'.")


@community.command("list", context_settings=CONTEXT)
@json_option
def community_list(as_json: bool) -> None:
    """The communities you belong to, with your handle, last pull and shares."""
    from narrate.community.registry import communities, load_state
    from narrate.journal.remote import redact

    state = load_state()
    items = [
        {
            "name": c.name,
            "url": redact(c.url),
            "member": c.member,
            "last_pull": state.get(c.name, {}).get("last_pull"),
            "shared": state.get(c.name, {}).get("shared", 0),
        }
        for c in communities(_config()).values()
    ]
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("No communities yet: narrate community add NAME URL --member HANDLE", err=True)
        return
    from rich.table import Table

    from narrate import output

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("name", "url", "member", "last pull", "shared"):
        table.add_column(column)
    for item in items:
        table.add_row(
            item["name"],
            item["url"],
            item["member"],
            item["last_pull"] or "never",
            str(item["shared"]),
        )
    output.console().print(table)


@community.command("remove", context_settings=CONTEXT)
@click.argument("name")
def community_remove(name: str) -> None:
    """Leave a community here: forget it and delete narrate's clone (shares stay there)."""
    import shutil

    from narrate.community.registry import get, load_state, save_state

    config = _config()
    found = get(config, name)
    shutil.rmtree(found.clone_path, ignore_errors=True)
    del config.data["communities"][name]
    config.save()
    state = load_state()
    state.pop(name, None)
    save_state(state)
    click.echo(f"Removed {name}. What you shared there stays in its repository.")


@community.command("pull", context_settings=CONTEXT)
@click.argument("name", required=False)
@journal_option
@click.pass_context
def community_pull(ctx: click.Context, name: str | None) -> None:
    """Fetch new narrations from one community, or all of them."""
    import datetime as dt

    from narrate.community.feed import index_community
    from narrate.community.registry import communities, get, load_state, save_state

    config = _config()
    chosen = [get(config, name)] if name else list(communities(config).values())
    if not chosen:
        raise NarrateError("no communities yet: narrate community add NAME URL --member HANDLE")
    journal = open_journal(ctx)
    state = load_state()
    failed = 0
    for item in chosen:
        repo = item.repo(sync_timeout())
        try:
            if not repo.path.exists():
                repo.clone()
            repo.fetch()
        except NarrateError as exc:
            click.echo(f"narrate: {exc}", err=True)
            failed += 1
            continue
        update = index_community(journal, item, repo)
        _print_skipped(update.skipped)
        now = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        state.setdefault(item.name, {})["last_pull"] = now
        click.echo(f"{item.name}: {update.entries} shared entries.")
    save_state(state)
    if failed:
        ctx.exit(1)


@main.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID")
@click.option("--to", "to", required=True, metavar="NAME", help="The community to share to.")
@click.option("--dry-run", is_flag=True, help="Print exactly what would be published, then stop.")
@click.option("--yes", is_flag=True, help="Publish without asking.")
@journal_option
@click.pass_context
def share(ctx: click.Context, ref: str, to: str, dry_run: bool, yes: bool) -> None:
    """Publish a redacted copy of an entry to a community.

    Only the title, date (UTC), id, non-private tags, practice changes and your handle
    are published; <!-- private --> blocks, HTML comments and private tags are removed.
    You always see the exact text first.
    """
    from narrate.community.share import prepare_share, publish

    config = _config()
    journal = open_journal(ctx)
    copy, context = prepare_share(journal, config, to, ref, sync_timeout())
    for warning in copy.warnings:
        click.echo(f"narrate: note: {warning}", err=True)
    click.echo(f"--- {copy.path} in {copy.community}", err=True)
    click.echo(copy.text, nl=False)
    if dry_run:
        click.echo("(dry run: nothing was published)", err=True)
        return
    if not yes:
        if not sys.stdin.isatty():
            raise NarrateError(
                "not published: confirm with --yes (standard input is not a terminal)"
            )
        click.confirm(f"Publish this to {copy.community}?", abort=True, err=True)
    done = commit_or_warn(lambda: publish(journal, copy, context))
    click.echo(f"Published to {done.community} as {done.path} ({done.commit[:7]}).", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID")
@click.option("--from", "source", required=True, metavar="NAME", help="The community.")
@journal_option
@click.pass_context
def unshare(ctx: click.Context, ref: str, source: str) -> None:
    """Retract a shared copy: remove it from the community with a commit."""
    from narrate.community.share import unshare as retract

    config = _config()
    journal = open_journal(ctx)
    path = commit_or_warn(lambda: retract(journal, config, source, ref, sync_timeout()))
    click.echo(f"Removed {path} from {source}.")
    click.echo(
        "Its git history, and every member's clone, still hold the earlier version: "
        "unsharing cannot take back what was already read.",
        err=True,
    )


@main.command(context_settings=CONTEXT)
@click.argument("name", required=False)
@click.option("-n", "limit", type=click.IntRange(min=0), default=20, show_default=True)
@click.option("--member", metavar="H", help="Only this member's entries.")
@click.option("--area", metavar="A", help="Only entries with a practice change in this area.")
@json_option
@journal_option
@click.pass_context
def feed(
    ctx: click.Context,
    name: str | None,
    limit: int,
    member: str | None,
    area: str | None,
    as_json: bool,
) -> None:
    """Other members' shared entries, newest first (run 'community pull' to update)."""
    from narrate.community.feed import feed_items, index_community
    from narrate.community.registry import communities, get

    config = _config()
    chosen = [get(config, name)] if name else list(communities(config).values())
    journal = open_journal(ctx)
    for item in chosen:
        repo = item.repo()
        if repo.path.exists():
            index_community(journal, item, repo)
    items = feed_items(journal, chosen, limit=limit, member=member, area=area)
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("Nothing in the feed yet; try 'narrate community pull'.", err=True)
        return
    from rich.table import Table

    from narrate import output
    from narrate.sanitize import safe_text

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("feed id", "date", "who", "title", "practice"):
        table.add_column(column, overflow="fold", no_wrap=column in ("feed id", "date"))
    for item in items:
        changes = "; ".join(f"{p['area']}: {p['change']}" for p in item["practice"])
        table.add_row(
            item["feed_id"],
            output.humane_date(item["created"], with_time=False),
            safe_text(f"{item['member']}@{item['community']}"),
            safe_text(item["title"], style="bold"),
            safe_text(changes, style="green"),
        )
    output.console().print(table)
    click.echo("Adopt a practice you like: narrate adopt FEED-ID", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("ref", metavar="FEED-ID")
@click.option("--area", metavar="A", help="Your practice area for it.")
@click.option("--change", metavar="TEXT", help="What you will do, in your words.")
@journal_option
@click.pass_context
def adopt(ctx: click.Context, ref: str, area: str | None, change: str | None) -> None:
    """Start trying a practice seen in a feed: an entry whose change names its source."""
    from narrate.community.feed import adopt as adopt_item

    journal = open_journal(ctx)
    entry = commit_or_warn(lambda: adopt_item(journal, ref, area=area, change=change))
    click.echo(entry.id)
    click.echo(
        f"Trying it: {entry.title} ({entry.path}); check-backs will ask how it goes.", err=True
    )


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


def run_with_progress(work: Callable[[Callable[[int, int], None]], Any]) -> Any:
    """Run ``work(progress)``, showing a progress bar on stderr once it has many files."""
    from rich.progress import Progress

    from narrate import output

    with Progress(console=output.console(stderr=True), transient=True) as bar:
        task = bar.add_task("Reading entries", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            if total > 2000:
                bar.update(task, completed=done, total=total, visible=True)

        return work(progress)


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
