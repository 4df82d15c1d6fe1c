"""Commands for a community that talks: follow, unfollow, digest, and the feed's
search and following views (docs/communities.md)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from narrate.commands.common import (
    CONTEXT,
    emit_json,
    journal_option,
    json_option,
    load_settings,
    open_journal,
)
from narrate.errors import NarrateError

if TYPE_CHECKING:
    from narrate.community.registry import Community
    from narrate.config import Config
    from narrate.journal.core import Journal


def _fresh_feed(
    ctx: click.Context, name: str | None, say_unpulled: bool = False
) -> tuple[Config, list[Community], Journal]:
    """The config, the communities ``name`` chooses and the journal, with any clone a
    pull changed read into the feed first, exactly as the plain feed does."""
    from narrate import output
    from narrate.community.pull import choose, read_feed

    config = load_settings(ctx)
    chosen = choose(config, name)
    journal = open_journal(ctx)
    for view in read_feed(journal, chosen, limit=0).communities:
        if view.problem is not None:
            raise view.problem
        if say_unpulled and not view.cloned:
            output.warn(f"{name} was never pulled here; run 'narrate community pull {name}'")
    return config, chosen, journal


def show_feed_search(
    ctx: click.Context,
    name: str | None,
    text: str | None,
    following: bool,
    limit: int,
    as_json: bool,
) -> None:
    """``narrate feed --search/--following``: matching items, best first, with snippets."""
    from narrate import output
    from narrate.community.search import search_feed

    config, chosen, journal = _fresh_feed(ctx, name)
    found = search_feed(journal, config, chosen, text or "", following=following, limit=limit)
    for warning in found.warnings:
        output.warn(warning)
    if as_json:
        for item in found.items:
            item["snippet"] = output.plain_snippet(item["snippet"])
        emit_json(found.items)
        return
    if not found.items:
        hint = (
            "Nothing from what you follow; see 'narrate follow --help'."
            if following and not text
            else "Nothing in the feed matches."
        )
        click.echo(hint, err=True)
        return
    _print_items(found.items)


def _print_items(items: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from narrate import output
    from narrate.sanitize import clean, safe_text

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("feed id", "date", "who", "title"):
        table.add_column(column, overflow="fold", no_wrap=column in ("feed id", "date"))
    for item in items:
        title = safe_text(item["title"], style="bold")
        if item.get("snippet"):
            title.append("\n")
            title.append_text(output.highlighted(clean(item["snippet"], single_line=True)))
        table.add_row(
            item["feed_id"],
            output.humane_date(item["created"], with_time=False),
            safe_text(f"{item['member']}@{item['community']}"),
            title,
        )
    output.console().print(table)


def _community_for(name: str | None) -> tuple[Any, Any]:
    """The config and the one community a follow applies to."""
    from narrate.community.pull import choose

    config = load_settings()
    chosen = choose(config, name)
    if len(chosen) != 1:
        names = ", ".join(c.name for c in chosen) or "none yet"
        raise NarrateError(
            f"say which community with --community NAME (you belong to: {names})"
            if chosen
            else "no community yet; add one with 'narrate community add NAME URL'"
        )
    return config, chosen[0]


def _follow(target: str, community: str | None, on: bool) -> None:
    from narrate.community.registry import follow_target, set_follow

    config, chosen = _community_for(community)
    stored = follow_target(target)
    changed = set_follow(config, chosen, stored, on)
    verb = "Following" if on else "No longer following"
    if not changed:
        verb = "Already following" if on else "Was not following"
    click.echo(f"{verb} {stored} in {chosen.name}.")


@click.command(context_settings=CONTEXT)
@click.argument("target", metavar="HANDLE|#TAG|area:AREA", required=False)
@click.option("--community", metavar="NAME", help="The community (needed if you are in several).")
@json_option
def follow(target: str | None, community: str | None, as_json: bool) -> None:
    """Follow a member, a #tag or a practice area: 'narrate feed --following' shows them.

    Without a target, lists what you follow. The list is kept with the community's
    settings in the config file.

    \b
    Examples:
      narrate follow bob
      narrate follow '#lang/python' --community python-cop
      narrate follow area:code-review && narrate feed --following
    """
    if target is not None:
        _follow(target, community, True)
        return
    from narrate.community.pull import choose
    from narrate.community.registry import follow_list

    config = load_settings()
    listing = [
        {"community": c.name, "follow": follow_list(config, c)} for c in choose(config, community)
    ]
    if as_json:
        emit_json(listing)
        return
    for row in listing:
        click.echo(f"{row['community']}: {', '.join(row['follow']) or 'nothing yet'}")


@click.command(context_settings=CONTEXT)
@click.argument("target", metavar="HANDLE|#TAG|area:AREA")
@click.option("--community", metavar="NAME", help="The community (needed if you are in several).")
def unfollow(target: str, community: str | None) -> None:
    """Stop following a member, a #tag or a practice area."""
    _follow(target, community, False)


@click.command(context_settings=CONTEXT)
@click.argument("name", required=False)
@click.option("--week", "period", flag_value="week", help="The last 7 days (the default).")
@click.option("--month", "period", flag_value="month", help="The last 30 days.")
@click.option("--markdown", is_flag=True, help="Print the digest as a Markdown note.")
@json_option
@journal_option
@click.pass_context
def digest(
    ctx: click.Context, name: str | None, period: str | None, markdown: bool, as_json: bool
) -> None:
    """What a community did lately, for people who do not read the whole feed: new
    practice changes by area, what members adopted, the busiest threads.

    \b
    Examples:
      narrate community pull && narrate digest --week
      narrate digest python-cop --month --markdown | narrate add -
    """
    from narrate.community.digest import build_digest, render_markdown, render_text

    config, chosen, journal = _fresh_feed(ctx, name)
    result = build_digest(journal, config, chosen, period=period or "week")
    if as_json:
        emit_json(result.to_json())
    elif markdown:
        click.echo(render_markdown(result), nl=False)
    else:
        click.echo(render_text(result), nl=False)


def show_community_review(
    ctx: click.Context,
    name: str,
    since: dt.date | None,
    until: dt.date | None,
    by: str,
    markdown: bool,
    as_json: bool,
) -> None:
    """``narrate review --community NAME``: the five cycles and the stories."""
    from narrate import output
    from narrate.community.review import build_community_review, render_markdown, render_text

    _config, chosen, journal = _fresh_feed(ctx, name, say_unpulled=True)
    result = build_community_review(journal, chosen[0], since=since, until=until, by=by)
    for problem in result.problems:
        output.warn(problem)
    if as_json:
        emit_json(result.to_json())
    elif markdown:
        click.echo(render_markdown(result), nl=False)
    else:
        click.echo(render_text(result), nl=False)
