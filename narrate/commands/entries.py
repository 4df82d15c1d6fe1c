"""Commands on entries: add, edit, delete, star, list, show, search, tags."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from narrate.commands.common import (
    CONTEXT,
    checked_text,
    commit_or_warn,
    date_order,
    emit_json,
    journal_option,
    json_option,
    open_journal,
    parse_date_option,
    read_stdin,
    shown,
    warn_broken,
)
from narrate.errors import NarrateError

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry

F = TypeVar("F", bound=Callable[..., Any])


@click.command(context_settings=CONTEXT)
@click.argument("text", required=False)
@click.option("-t", "--tag", "tags", multiple=True, metavar="TAG", help="Add a tag (repeatable).")
@click.option("--title", metavar="T", help="The title (default: the text's first line).")
@click.option(
    "--date",
    "when",
    metavar="WHEN",
    help='When it happened: 2026-11-27, "2026-11-27 14:30", yesterday, "last friday at noon", '
    '"dec 3", "3 days ago" (docs/search.md).',
)
@click.option(
    "--practice",
    "practices",
    multiple=True,
    metavar="AREA:CHANGE",
    help="Record a practice change: what you now do differently, in which area (repeatable).",
)
@click.option(
    "--before",
    "befores",
    multiple=True,
    metavar="TEXT",
    help="What you did before the practice change (with several, once each, in order).",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="S",
    help="Where you learned it: a community, person or URL (once for all, or once each).",
)
@click.option("--private", is_flag=True, help="Mark the entry private: it can never be shared.")
@click.option(
    "--edit",
    is_flag=True,
    help="Write or finish the entry in your editor (config 'editor', $VISUAL, $EDITOR).",
)
@click.option("--star", is_flag=True, help="Star the entry (is:starred finds it).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the date understood, the title, tags and file; write nothing.",
)
@journal_option
@click.pass_context
def add(
    ctx: click.Context,
    text: str | None,
    tags: tuple[str, ...],
    title: str | None,
    when: str | None,
    practices: tuple[str, ...],
    befores: tuple[str, ...],
    sources: tuple[str, ...],
    private: bool,
    edit: bool,
    star: bool,
    dry_run: bool,
) -> None:
    """Capture an entry from the shell and print its id.

    TEXT is the entry, kept whole; its first line (shortened if long) is the title
    unless --title is given. Use - to read the text from standard input. #tags anywhere
    in the text count as tags.

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
    from narrate.commands.practice import paired

    before_of = paired(befores, len(practices), "--before")
    source_of = paired(sources, len(practices), "--source", shared=True)
    for value in (*tags, *practices):
        checked_text(value, "-t/--practice")
    if text is None and not edit:
        raise NarrateError("nothing to add: give the text, '-' to read standard input, or --edit")
    body_text = text or ""
    if edit:
        from narrate.commands.editor import edit_text

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
    for number, raw in enumerate(practices):
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
        changes.append(
            Practice(area_tag, change.strip(), before=before_of[number], source=source_of[number])
        )
    if (befores or sources) and not changes:
        raise NarrateError(
            "--before and --source describe a practice change: add --practice AREA:CHANGE"
        )

    created = None
    if when is not None:
        created = parse_when_option(when, "--date")
        click.echo(f"Dated {created:%a %d %b %Y %H:%M %z}", err=True)
        warn_future(created)

    entry = Entry.from_capture(
        body_text,
        title=title,
        tags=clean_tags,
        practices=changes,
        private=private,
        created=created,
    )
    if star:
        entry = entry.with_changes(starred=True)
    if dry_run:
        from narrate.sanitize import clean

        click.echo(f"Date:  {entry.created:%a %d %b %Y %H:%M %z}")
        click.echo(f"Title: {clean(entry.title, True)}")
        click.echo(f"Tags:  {' '.join('#' + t for t in entry.all_tags()) or '(none)'}")
        if entry.practice:
            for item in entry.practice:
                click.echo(f"Practice: {item.area}: {clean(item.change, True)}")
        if star:
            click.echo("Starred")
        click.echo(f"File:  {journal.new_path(entry)}")
        click.echo("Nothing was written (--dry-run).", err=True)
        return
    entry = commit_or_warn(lambda: journal.add(entry))
    click.echo(entry.id)
    click.echo(f"Added {entry.path}", err=True)


def parse_when_option(value: str, name: str) -> dt.datetime:
    """A --date value as a moment, the option's name in the error."""
    from narrate.journal.dates import parse_when

    try:
        return parse_when(value, order=date_order())
    except NarrateError as exc:
        raise NarrateError(f"{name}: {exc}") from None


def warn_future(moment: dt.datetime) -> None:
    """A warning when "when it happened" is still to come (a typo, or a phrase read the
    wrong way): the entry is written as asked."""
    now = dt.datetime.now().astimezone()
    if moment > now + dt.timedelta(minutes=5):
        click.echo(
            f"narrate: warning: {moment:%a %d %b %Y %H:%M} is in the future; "
            "--date says when it happened",
            err=True,
        )


@click.command(context_settings=CONTEXT)
@click.argument("ref", required=False, default="today", metavar="[ID|PATH|today]")
@click.option(
    "--date",
    "when",
    metavar="WHEN",
    help="Move the entry to this date instead of opening the editor (file name and created).",
)
@journal_option
@click.pass_context
def edit(ctx: click.Context, ref: str, when: str | None) -> None:
    """Open an entry in your editor, then re-index and commit it if it changed.

    ID may be a unique prefix of an id, PATH the entry's file (also one that no longer
    reads as an entry); the default is today's newest entry. The editor is the config's
    `editor`, else $VISUAL, else $EDITOR, else vi.

    With --date WHEN the entry moves to that date instead: its `created` changes and its
    file takes the new date's name, in one commit.
    """
    from narrate.journal.entry import BrokenEntry, Entry

    journal = open_journal(ctx)
    if when is not None:
        redate_entry(journal, ref, when)
        return
    rel = journal.resolve(ref)
    path = journal.root / rel
    before = path.read_bytes()
    # The editor works on a copy and no lock is held meanwhile: syncs and adds go on,
    # and what they change is seen below, not overwritten.
    from narrate.commands.editor import edit_copy

    edited = edit_copy(before, path.name, journal.state_dir() / "editing", ctx)
    if edited is None:
        raise NarrateError(
            f"the editor deleted its copy of {shown(rel)}; the entry was left unchanged. To remove "
            "an entry, delete the file and commit (or run 'narrate sync')"
        )
    if edited == before:
        click.echo("No changes.", err=True)
        return
    on_disk = journal.read_file(rel)
    if on_disk is not None and on_disk != before:
        # A sync or another editor changed the file while ours was open: keep that
        # version beside it, as the app does, and save the one just written in its place.
        copy = journal.keep_conflict_copy(rel, on_disk)
        click.echo(
            f"{shown(rel)} changed on disk while the editor was open; your version is saved in "
            f"{shown(rel)}, the other is kept as the conflict copy {shown(copy)}",
            err=True,
        )
    elif on_disk is None:
        click.echo(
            f"{shown(rel)} was deleted while the editor was open; your version brings it back",
            err=True,
        )
    try:
        entry = Entry.from_bytes(edited, rel)
    except BrokenEntry as exc:
        journal.keep_bytes(rel, edited)  # the user's words are never thrown away
        raise NarrateError(
            f"{shown(rel)} no longer reads as an entry ({exc.reason}); it was not committed. "
            f"Fix it with 'narrate edit {shown(rel)}'"
        ) from None
    entry = entry.touched()
    commit_or_warn(lambda: journal.save(entry, f"Edit entry: {entry.title}"))
    click.echo(f"Saved {shown(rel)}", err=True)


def redate_entry(journal: Journal, ref: str, when: str) -> None:
    """``edit --date``: move an entry to another date and say where it went."""
    moment = parse_when_option(when, "--date")
    warn_future(moment)
    old, entry = commit_or_warn(lambda: journal.redate(ref, moment))
    where = f"moved to {shown(entry.path)}" if entry.path != old else f"kept in {shown(old)}"
    click.echo(f"Dated {entry.created:%a %d %b %Y %H:%M %z}; {where}", err=True)
    if entry.shared:
        names = ", ".join(sorted({str(s.get("community")) for s in entry.shared}))
        click.echo(
            f"Its shared copies ({names}) keep the old date; 'narrate share {entry.id[:12]}' "
            "publishes the new one.",
            err=True,
        )


def can_ask() -> bool:
    """Whether a person at a terminal can answer a question."""
    return sys.stdin.isatty()


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID|PATH")
@click.option("-y", "--yes", is_flag=True, help="Delete without asking.")
@journal_option
@click.pass_context
def delete(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete an entry and commit the deletion.

    The history keeps it: the message says the command that brings it back. Asks first
    unless --yes (without a terminal to ask on, --yes is required).
    """
    from narrate.sanitize import clean

    journal = open_journal(ctx)
    rel = journal.resolve(ref)
    try:
        entry = journal.get(rel)
    except NarrateError:
        title = shown(rel)  # a broken file is deleted by its path
    else:
        title = clean(entry.title, True)
        warn_shared_copies(entry)
    if not yes:
        if not can_ask():
            raise NarrateError(
                f"not deleting '{title}' ({shown(rel)}) without asking; add --yes to delete it"
            )
        if not click.confirm(f"Delete '{title}' ({shown(rel)})?", default=False, err=True):
            click.echo("Nothing was deleted.", err=True)
            return
    gone = commit_or_warn(lambda: journal.delete(rel))
    click.echo(f"Deleted {shown(gone.path)} ({title}).", err=True)
    if gone.restore_message:
        click.echo(shown(gone.restore_message), err=True)


def warn_shared_copies(entry: Entry) -> None:
    """Say, before a delete, that the entry's shared copies stay in their communities."""
    names = sorted({shown(s.get("community")) for s in entry.shared if s.get("community")})
    if not names:
        return
    unshare = "; ".join(f"narrate unshare {entry.id[:12]} --from {name}" for name in names)
    click.echo(
        f"narrate: warning: deleting it here leaves its shared copies in {', '.join(names)}; "
        f"to remove those, run first: {unshare}",
        err=True,
    )


def _star(ctx: click.Context, ref: str, starred: bool) -> None:
    journal = open_journal(ctx)
    entry, changed = commit_or_warn(lambda: journal.set_starred(ref, starred))
    from narrate.sanitize import clean

    state = "Starred" if starred else "Unstarred"
    if changed:
        click.echo(f"{state} {shown(entry.path)} ({clean(entry.title, True)})", err=True)
    else:
        click.echo(f"Already {state.lower()}: {shown(entry.path)}; nothing changed", err=True)


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID|PATH")
@journal_option
@click.pass_context
def star(ctx: click.Context, ref: str) -> None:
    """Star an entry (starred: true in its front matter); find them with is:starred."""
    _star(ctx, ref, True)


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID|PATH")
@journal_option
@click.pass_context
def unstar(ctx: click.Context, ref: str) -> None:
    """Take the star off an entry."""
    _star(ctx, ref, False)


def pager_option(func: F) -> F:
    """--no-pager: long output at a terminal goes through $PAGER (less -FRX) otherwise."""
    return click.option(
        "--no-pager", is_flag=True, help="Print straight to the terminal, never via $PAGER."
    )(func)


def print_paged(renderables: list[Any], no_pager: bool) -> None:
    """Print Rich renderables, through the pager when long and at a terminal."""
    from narrate import output

    output.print_paged(renderables, no_pager)


@click.command("list", context_settings=CONTEXT)
@click.option(
    "-n", "limit", type=click.IntRange(min=0), default=20, show_default=True, help="How many."
)
@click.option("--since", metavar="D", help="From this day on (ISO date or phrase).")
@click.option("--until", metavar="D", help="Up to and including this day.")
@click.option(
    "-t", "--tag", "tags", multiple=True, metavar="TAG", help="Only entries with this tag."
)
@click.option("--all", "show_all", is_flag=True, help="Every entry (no -n limit).")
@click.option("--short", is_flag=True, help="One line per entry (id, date, markers, title, tags).")
@pager_option
@json_option
@journal_option
@click.pass_context
def list_(
    ctx: click.Context,
    limit: int,
    since: str | None,
    until: str | None,
    tags: tuple[str, ...],
    show_all: bool,
    short: bool,
    no_pager: bool,
    as_json: bool,
) -> None:
    """List entries, newest first (★ starred, ◆ practice change, ⚿ private, ↗ shared).

    Stops at -n entries (20) and says on stderr how many it left out.
    """
    from narrate.humane import plural

    journal = open_journal(ctx)
    first = parse_date_option(since, "--since")
    last = parse_date_option(until, "--until")
    if first and last and first > last:
        raise NarrateError(f"--since {first} is after --until {last}; swap them")
    from narrate.journal.entry import normalise_tag, tag_key

    # The one tag grammar, as search's #tag reads it (Straße is strasse, "lang/" is lang).
    tag_list = [
        normalise_tag(t) or tag_key(t.lstrip("#"))
        for t in (checked_text(tag, "-t") or "" for tag in tags)
    ]
    items = journal.entries(
        limit=None if show_all else limit, since=first, until=last, tags=tag_list
    )
    warn_broken(journal)
    total = len(items) if show_all or len(items) < limit else journal.count(first, last, tag_list)
    if as_json:
        emit_json(items)
    elif not items:
        if total:
            click.echo(f"0 of {plural(total, 'entry')} shown; -n N or --all", err=True)
        else:
            click.echo(
                'No entries yet. Write one: narrate add "What I did"'
                if not (since or until or tags)
                else "No entries match.",
                err=True,
            )
        return
    elif short:
        from narrate import output

        for item in items:
            click.echo(output.entry_line(item))
    else:
        from narrate import output

        print_paged([output.entries_table(items)], no_pager)
    if len(items) < total:
        click.echo(f"{len(items)} of {total}; -n N or --all", err=True)


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID|PATH")
@pager_option
@json_option
@journal_option
@click.pass_context
def show(ctx: click.Context, ref: str, no_pager: bool, as_json: bool) -> None:
    """Show one entry; ID may be a unique prefix of its id, "today", or the entry's file
    (one that no longer reads as an entry is shown as it is)."""
    from narrate.journal.entry import BrokenEntry, Entry

    journal = open_journal(ctx)
    rel = journal.resolve(ref)
    data = journal.read_file(rel)
    if data is None:
        raise NarrateError(f"{rel} has gone from disk; run 'narrate reindex'")
    try:
        item = Entry.from_bytes(data, rel).to_json(body=True)
    except BrokenEntry as exc:
        problem = f"{rel} does not read as an entry ({exc.reason})"
        if as_json:
            raise NarrateError(f"{problem}; fix it with 'narrate edit {rel}'") from None
        from narrate.sanitize import clean

        click.echo(f"narrate: warning: {problem}; fix it with 'narrate edit {rel}'", err=True)
        click.echo(clean(data.decode("utf-8", "replace")), nl=False)
        return
    if as_json:
        emit_json(item)
        return
    from narrate import output
    from narrate.journal.entry import heading_and_rest

    # A body that starts with its title's line shows that line once, whole, as the header.
    heading, body = heading_and_rest(item["title"], item.get("body", ""))
    print_paged(output.entry_view({**item, "title": heading, "body": body}), no_pager)


class QueryCommand(click.Command):
    """A command whose words starting with "-" are query exclusions, not options.

    Only its own options are options (-n N, -nN, -j/--journal PATH, --json, -h/--help);
    anything else, "-#chores" or "-nothing" included, is part of the query.
    """

    takes_value = ("-n", "-j", "--journal")
    flags = ("--json", "--no-pager", "-h", "--help")

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


@click.command(cls=QueryCommand, context_settings=CONTEXT)
@click.argument("query", nargs=-1)
@click.option(
    "-n", "limit", type=click.IntRange(min=0), default=20, show_default=True, help="How many."
)
@pager_option
@json_option
@journal_option
@click.pass_context
def search(
    ctx: click.Context, query: tuple[str, ...], limit: int, no_pager: bool, as_json: bool
) -> None:
    """Search entries, best match first.

    \b
    QUERY words and "quoted phrases" match titles and bodies; word* matches a prefix.
      #tag, -#tag         with / without a tag (#lang also finds #lang/python)
      -word               without a word
      area:SLUG           with a practice change in that area
      since:D  until:D    by date (2026-11-01, yesterday, "2 weeks ago")
      in:COMMUNITY        shared to that community
      is:practice  is:private  is:shared  is:starred
    A filter narrate does not understand (is:bogus, since:whenever) is an error.
    See docs/search.md for the whole language.
    """
    from narrate import output

    journal = open_journal(ctx)
    results, warnings = journal.search(" ".join(query), limit=limit, strict=True)
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
    print_paged([output.entries_table(results, snippets=True)], no_pager)


@click.command(context_settings=CONTEXT)
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
    from narrate import output

    output.print_paged([output.tags_table(items)], no_pager=True)
