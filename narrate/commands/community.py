"""Commands for communities: community, share, unshare, feed, adopt, reply, read,
activity (docs/communities.md)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from narrate.commands.common import (
    CONTEXT,
    commit_or_warn,
    emit_json,
    journal_option,
    json_option,
    load_settings,
    open_journal,
    sync_timeout,
)
from narrate.errors import NarrateError
from narrate.humane import plural

if TYPE_CHECKING:
    from collections.abc import Callable

    from narrate.community.registry import Community
    from narrate.community.repo import Skipped
    from narrate.config import Config
    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry


def _print_skipped(skipped: list[Skipped]) -> None:
    from narrate.sanitize import clean

    if skipped:
        # A few of each kind: the counts are in the notices (one line per reason).
        click.echo("Ignored files in the community:", err=True)
        for item in skipped[:10]:
            click.echo(f"  {clean(item.path, single_line=True)}: {item.reason}", err=True)


def _clone_progress(name: str) -> Callable[[int, int], None] | None:
    """Lines on stderr along a long first clone, when a person is watching it."""
    if not sys.stderr.isatty():
        return None
    click.echo(f"{name}: cloning (the first pull of a large community is long)", err=True)
    return lambda done, total: click.echo(f"{name}: fetched {done} of {total} files", err=True)


@click.group(context_settings=CONTEXT)
def community() -> None:
    """Communities of practice: git repositories members share narrations to."""


@community.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.argument("url")
@click.option("--member", metavar="HANDLE", help="Your handle there (default: author.handle).")
@click.option("--email", metavar="E", help="The e-mail for your commits there.")
@click.option(
    "--partial",
    is_flag=True,
    help="A large community: clone without old versions' contents (partial = true).",
)
@journal_option
@click.pass_context
def community_add(
    ctx: click.Context,
    name: str,
    url: str,
    member: str | None,
    email: str | None,
    partial: bool,
) -> None:
    """Join a community: clone its repository (checked, never run) and remember it."""
    from narrate.community.feed import index_community
    from narrate.community.pull import mark_pulled
    from narrate.community.registry import Community, check_name, communities, read_info
    from narrate.journal.remote import redact, validate_url
    from narrate.sanitize import safe_text

    config = load_settings()
    check_name(name, "community name")
    handle = member or config.get("author.handle")
    if not handle:
        raise NarrateError("give your handle in this community with --member HANDLE")
    check_name(handle, "member handle")
    validate_url(url)
    if name in communities(config):
        raise NarrateError(f"community '{name}' exists; remove it first to change it")
    address = email or config.get("author.email") or f"{handle}@users.narrate.invalid"
    joined = Community(name, url, handle, address, partial=partial)
    repo = joined.repo(sync_timeout(ctx))
    repo.clone(_clone_progress(name))
    settings: dict[str, str | bool] = {"url": url, "member": handle}
    if email:
        settings["email"] = email
    if partial:
        settings["partial"] = True
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
    # The clone was a pull: 'community list' must not say "never" right after it.
    mark_pulled(name)
    _print_skipped(update.skipped)
    for notice in update.notices:
        click.echo(f"narrate: warning: {name}: {notice}", err=True)
    click.echo(f"{plural(update.entries, 'shared entry')}; read them with 'narrate feed {name}'.")


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
        for c in communities(load_settings()).values()
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

    config = load_settings()
    found = get(config, name)
    del config.data["communities"][name]
    # The config first: if it cannot be written the community stays whole (configured,
    # with its clone), rather than configured with nothing behind it.
    config.save()
    shutil.rmtree(found.clone_path, ignore_errors=True)
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
    from narrate.community.pull import PullResult, choose, pull, timeout_of

    config = load_settings()
    chosen = choose(config, name)
    if not chosen:
        raise NarrateError("no communities yet: narrate community add NAME URL --member HANDLE")

    def pulled(result: PullResult) -> None:
        if result.error is not None:
            click.echo(f"narrate: {result.error}", err=True)
            return
        _print_skipped(result.skipped)
        for notice in result.notices:
            click.echo(f"narrate: warning: {result.community.name}: {notice}", err=True)
        replies = f", {plural(result.replies, 'reply')}" if result.replies else ""
        click.echo(f"{result.community.name}: {plural(result.entries, 'shared entry')}{replies}.")

    def detail(found: Community, line: str) -> None:
        click.echo(f"{found.name}: {line}", err=True)

    journal = open_journal(ctx)
    # Progress is for a person watching a long first pull, not for scripts or logs.
    shown = detail if sys.stderr.isatty() else None
    results = pull(journal, chosen, timeout_of(config), pulled=pulled, detail=shown)
    from narrate.community.pull import activity_summary

    reached = [r.community for r in results if r.error is None]
    if reached:
        news = activity_summary(journal, reached)
        click.echo(
            "Nothing new on your entries."
            if news == "nothing new"
            else f"New on your entries: {news} (narrate activity)."
        )
    if any(result.error is not None for result in results):
        ctx.exit(1)


def only_community(config: Config, to: str | None, verb: str) -> str:
    """``to``, or the one community configured (a clear error with none or several)."""
    if to is not None:
        return to
    from narrate.community.registry import communities

    names = sorted(communities(config))
    if len(names) != 1:
        raise NarrateError(
            f"{verb} to which community? add --to NAME (one of: {', '.join(names)})"
            if names
            else "no communities yet: narrate community add NAME URL --member HANDLE"
        )
    return names[0]


def preview_and_publish(
    journal: Journal,
    config: Config,
    name: str,
    ref: str | Entry,
    *,
    timeout: float,
    dry_run: bool = False,
    yes: bool = False,
    with_notes: bool = False,
    kept: str = "",
) -> bool:
    """The one publishing flow of share, reply and practice check --reshare: build the
    redacted copy, print it exactly, ask (unless ``yes``), publish. Returns whether it was
    published. ``kept`` is said when it is not (the entry is in the journal already)."""
    from narrate.community.share import prepare_share, publish
    from narrate.sanitize import clean

    copy, context = prepare_share(journal, config, name, ref, timeout, with_notes)
    for warning in copy.warnings:
        click.echo(f"narrate: note: {clean(warning, single_line=True)}", err=True)
    click.echo(f"--- {clean(copy.path, True)} in {clean(copy.community, True)}", err=True)
    # clean keeps newlines: the copy reads as it will be published, without escapes.
    click.echo(clean(copy.text), nl=False)
    if dry_run:
        click.echo("(dry run: nothing was published)", err=True)
        return False
    if not yes:
        if not sys.stdin.isatty():
            raise NarrateError(
                f"not published: confirm with --yes (standard input is not a terminal){kept}"
            )
        if not click.confirm(f"Publish this to {copy.community}?", err=True):
            if kept:
                click.echo(f"Not published{kept}.", err=True)
                return False
            raise click.Abort()
    before = context.repo.head()
    done = commit_or_warn(lambda: publish(journal, copy, context))
    if done.commit == before:  # the community already held exactly this copy
        click.echo(f"Unchanged: {done.community} already holds this copy as {done.path}.", err=True)
    else:
        click.echo(f"Published to {done.community} as {done.path} ({done.commit[:7]}).", err=True)
    return True


_WITH_NOTES = click.option(
    "--with-notes",
    is_flag=True,
    help="Also publish check-back notes and outcomes (the body's Check-backs section).",
)


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID")
@click.option("--to", "to", metavar="NAME", help="The community to share to (needed with several).")
@click.option("--dry-run", is_flag=True, help="Print exactly what would be published, then stop.")
@click.option("--yes", is_flag=True, help="Publish without asking.")
@_WITH_NOTES
@journal_option
@click.pass_context
def share(
    ctx: click.Context, ref: str, to: str | None, dry_run: bool, yes: bool, with_notes: bool
) -> None:
    """Publish a redacted copy of an entry to a community.

    Only the title, date (UTC), id, non-private tags, practice changes (with an adopted
    change's trail: where it came from, its status, its check-back answers) and your
    handle are published; <!-- private --> blocks, HTML, %% and [//]: # comments and
    private tags are removed, and check-back notes stay home unless --with-notes. You
    always see the exact text first. A reply (narrate reply) is published again to its
    own community.
    """
    config = load_settings()
    journal = open_journal(ctx)
    if to is None:
        from narrate.community.share import reply_target

        answered = reply_target(journal.get(ref))
        to = answered["community"] if answered else None
    to = only_community(config, to, "share")
    preview_and_publish(
        journal,
        config,
        to,
        ref,
        timeout=sync_timeout(ctx),
        dry_run=dry_run,
        yes=yes,
        with_notes=with_notes,
    )


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="FEED-ID")
@click.argument("text", required=False)
@click.option("--dry-run", is_flag=True, help="Print exactly what would be published, then stop.")
@click.option("--yes", is_flag=True, help="Publish without asking.")
@click.option("--edit", is_flag=True, help="Write or finish the reply in your editor.")
@journal_option
@click.pass_context
def reply(
    ctx: click.Context, ref: str, text: str | None, dry_run: bool, yes: bool, edit: bool
) -> None:
    """Reply to a member's shared entry, or to a reply (threads nest).

    The reply is kept in your journal as an entry first (so a failed push loses
    nothing), then published, redacted exactly like a share, to your folder's replies/
    in the community of what it answers. You see the exact text before it goes; with
    --dry-run nothing is written anywhere.

    \b
    Examples:
      narrate reply 3f2a9c1e4d "How did you make the flag expire?"
      narrate reply 3f2a9c1e4d - < answer.md
      narrate reply 3f2a9c1e4d --edit
    """
    from narrate.commands.common import checked_text, read_stdin
    from narrate.commands.editor import edit_text
    from narrate.community.feed import find
    from narrate.community.reply import reply_entry, save_reply

    config = load_settings()
    journal = open_journal(ctx)
    item = find(journal, ref)
    body = read_stdin() if text == "-" else checked_text(text, "TEXT") or ""
    if text is None and not edit:
        raise NarrateError("nothing to reply: give the text, '-' to read standard input, or --edit")
    if edit:
        body = edit_text(body, ctx)
    entry = reply_entry(config, item, body)
    timeout = sync_timeout(ctx)
    if dry_run:
        preview_and_publish(
            journal, config, item["community"], entry, timeout=timeout, dry_run=True
        )
        return
    saved = commit_or_warn(lambda: save_reply(journal, entry))
    click.echo(saved.id)
    short = saved.id[:12]
    kept = (
        f"; the reply is kept in your journal as {short}: publish it with 'narrate share {short}'"
    )
    try:
        preview_and_publish(
            journal, config, item["community"], saved.id, timeout=timeout, yes=yes, kept=kept
        )
    except NarrateError as exc:
        if kept in str(exc):
            raise
        raise NarrateError(f"{exc}{kept}") from None


@click.command("read", context_settings=CONTEXT)
@click.argument("ref", metavar="FEED-ID")
@json_option
@journal_option
@click.pass_context
def read_(ctx: click.Context, ref: str, as_json: bool) -> None:
    """One feed entry in full, with its thread of replies and who adopted it.

    The thread is nested, oldest first (at most 500 replies, 40 levels deep); each
    adoption shows its member, status and check-back answers. Everything shown came
    from the community and is sanitised. FEED-ID may be a reply's: its own thread.

    \b
    Examples:
      narrate read 3f2a9c1e4d
      narrate read 3f2a --json | jq '.adoptions[] | {member, status}'
    """
    from narrate.community.pull import choose, refresh
    from narrate.community.thread import read

    journal = open_journal(ctx)
    refresh(journal, choose(load_settings()))
    item = read(journal, ref)
    if as_json:
        emit_json(item)
        return
    from rich.text import Text

    from narrate import output
    from narrate.community.feed import identity_notices
    from narrate.sanitize import safe_text

    con = output.console()
    head = Text()
    head.append_text(safe_text(item["title"], style="bold"))
    con.print(head)
    con.print(
        safe_text(
            f"{item['member']}@{item['community']} · "
            f"{output.humane_date(item['created'])} · {item['feed_id']}",
            style="dim",
        )
    )
    for notice in identity_notices(item):
        con.print(safe_text(notice, style="yellow"))
    con.print(safe_text(item["body"].rstrip("\n"), single_line=False))
    for change in item["practice"]:
        line = f"practice · {change['area']}: {change['change']} ({change.get('status')})"
        con.print(safe_text(line, style="green"))

    def show(replies: list[dict[str, object]], depth: int) -> None:
        for node in replies:
            pad = "  " * depth
            said = f"{node['member']} · {output.humane_date(str(node['created']))}"
            con.print(Text(f"{pad}↳ ") + safe_text(f"{said} · {node['feed_id']}", style="cyan"))
            for line in str(node["body"]).rstrip("\n").split("\n"):
                con.print(Text(f"{pad}  ") + safe_text(line))
            show(node["replies"], depth + 1)  # type: ignore[arg-type]

    if item["replies"]:
        con.print(Text("\nThread", style="bold"))
        show(item["replies"], 0)
    if item.get("replies_omitted"):
        con.print(Text(f"({plural(item['replies_omitted'], 'more reply')} not shown)", style="dim"))
    if item["adoptions"]:
        con.print(Text("\nAdopted by", style="bold"))
        for adoption in item["adoptions"]:
            checks = ", ".join(
                f"{c['date']} {c['answer'] or 'checked'}" for c in adoption["checkbacks"]
            )
            line = f"{adoption['member']} · since {adoption['adopted']} · {adoption['status']}"
            con.print(safe_text(line + (f" · check-backs: {checks}" if checks else "")))
    if not item["replies"] and not item["adoptions"]:
        click.echo(f'No replies yet: narrate reply {item["feed_id"]} "..."', err=True)


@click.command(context_settings=CONTEXT)
@click.argument("name", required=False)
@click.option("--all", "show_all", is_flag=True, help="Everything, not only what is new.")
@json_option
@journal_option
@click.pass_context
def activity(ctx: click.Context, name: str | None, show_all: bool, as_json: bool) -> None:
    """What happened to your contributions since you last looked.

    Replies to your entries and replies, adoptions of your practice changes, and the
    check-backs adopters shared, from the last 'community pull'. Looking marks them seen;
    --all lists everything again.

    \b
    Examples:
      narrate community pull && narrate activity
      narrate activity python-cop --all --json
    """
    from narrate.community.activity import gather, mark_new, mark_seen
    from narrate.community.pull import choose, refresh

    chosen = choose(load_settings(), name)
    journal = open_journal(ctx)
    for view in refresh(journal, chosen):
        if view.problem is not None:
            raise view.problem
    items = mark_new(gather(journal, chosen))
    shown_items = items if show_all else [item for item in items if item["new"]]
    mark_seen(shown_items, current=items)
    if as_json:
        emit_json(shown_items)
        return
    if not shown_items:
        click.echo("Nothing new on your entries (--all lists everything).", err=True)
        return
    from rich.table import Table

    from narrate import output
    from narrate.sanitize import safe_text

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("date", "what", "who", "on", "feed id", "text"):
        table.add_column(column, overflow="fold", no_wrap=column in ("date", "feed id"))
    for item in shown_items:
        table.add_row(
            output.humane_date(item["created"], with_time=False),
            item["kind"],
            safe_text(f"{item['member']}@{item['community']}"),
            output.short_id(item["on"] or ""),
            item["feed_id"],
            safe_text(item["text"]),
        )
    output.console().print(table)
    click.echo("Read a thread: narrate read FEED-ID", err=True)


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="ID")
@click.option("--from", "source", required=True, metavar="NAME", help="The community.")
@journal_option
@click.pass_context
def unshare(ctx: click.Context, ref: str, source: str) -> None:
    """Retract a shared copy: remove it from the community with a commit."""
    from narrate.community.share import unshare as retract

    config = load_settings()
    journal = open_journal(ctx)
    path = commit_or_warn(lambda: retract(journal, config, source, ref, sync_timeout(ctx)))
    click.echo(f"Removed {path} from {source}.")
    click.echo(
        "Its git history, and every member's clone, still hold the earlier version: "
        "unsharing cannot take back what was already read.",
        err=True,
    )


@click.command(context_settings=CONTEXT)
@click.argument("name", required=False)
@click.option("-n", "limit", type=click.IntRange(min=0), default=20, show_default=True)
@click.option("--member", metavar="H", help="Only this member's entries.")
@click.option("--area", metavar="A", help="Only entries with a practice change in this area.")
@click.option(
    "--search", metavar="QUERY", help="Entries and replies matching QUERY, best first (below)."
)
@click.option("--following", is_flag=True, help="Only who and what you follow (narrate follow).")
@json_option
@journal_option
@click.pass_context
def feed(
    ctx: click.Context,
    name: str | None,
    limit: int,
    member: str | None,
    area: str | None,
    search: str | None,
    following: bool,
    as_json: bool,
) -> None:
    """Other members' shared entries, newest first (run 'community pull' to update).

    \b
    --search takes the language of 'narrate search' (docs/search.md): words,
    "phrases", #tag, -word, area:SLUG, since:D, until:D, plus member:HANDLE.
    """
    if search is not None or following:
        from narrate.commands.conversation import show_feed_search

        extra = [f"member:{member}" if member else "", f"area:{area}" if area else ""]
        text = " ".join([search or "", *extra]).strip()
        show_feed_search(ctx, name, text, following, limit, as_json)
        return
    from narrate.community.pull import choose, read_feed

    chosen = choose(load_settings(), name)
    found = read_feed(open_journal(ctx), chosen, limit=limit, member=member, area=area)
    for view in found.communities:
        if view.problem is not None:
            raise view.problem
    items = found.items
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("Nothing in the feed yet; try 'narrate community pull'.", err=True)
        return
    from rich.table import Table

    from narrate import output
    from narrate.community.feed import identity_notices
    from narrate.sanitize import safe_text

    notices = {item["feed_id"]: identity_notices(item) for item in items}
    columns = ["feed id", "date", "who", "title", "practice"]
    if any(notices.values()):
        columns.append("notice")
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in ("feed id", "date"))
    for item in items:
        changes = "; ".join(f"{p['area']}: {p['change']}" for p in item["practice"])
        cells = [
            item["feed_id"],
            output.humane_date(item["created"], with_time=False),
            safe_text(f"{item['member']}@{item['community']}"),
            safe_text(item["title"], style="bold"),
            safe_text(changes, style="green"),
        ]
        if len(columns) > 5:
            cells.append(safe_text("; ".join(notices[item["feed_id"]]), style="yellow"))
        table.add_row(*cells)
    output.console().print(table)
    click.echo("Adopt a practice you like: narrate adopt FEED-ID", err=True)


@click.command(context_settings=CONTEXT)
@click.argument("ref", metavar="FEED-ID")
@click.option("--area", metavar="A", help="Your practice area for it.")
@click.option("--change", metavar="TEXT", help="What you will do, in your words.")
@click.option("--again", is_flag=True, help="Adopt it even if you adopted it before.")
@journal_option
@click.pass_context
def adopt(ctx: click.Context, ref: str, area: str | None, change: str | None, again: bool) -> None:
    """Start trying a practice seen in a feed: an entry whose change names its source.

    A feed entry you adopted before is not adopted twice (the duplicate would count twice
    in the review): narrate names the earlier entry, unless --again.
    """
    from narrate.community.feed import AlreadyAdopted
    from narrate.community.feed import adopt as adopt_item
    from narrate.sanitize import clean

    journal = open_journal(ctx)
    try:
        entry = commit_or_warn(
            lambda: adopt_item(journal, ref, area=area, change=change, again=again)
        )
    except AlreadyAdopted as exc:
        click.echo(exc.entry.id)
        click.echo(f"Nothing to do: {exc}", err=True)
        return
    click.echo(entry.id)
    # The title already says "Trying: ...".
    click.echo(
        f"{clean(entry.title, True)} ({entry.path}); check-backs will ask how it goes.",
        err=True,
    )
