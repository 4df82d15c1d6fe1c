"""Commands for syncing devices: remote, sync, status (docs/sync.md)."""

from __future__ import annotations

import click

from narrate.commands.common import (
    CONTEXT,
    emit_json,
    journal_option,
    json_option,
    open_journal,
    shown,
    sync_timeout,
)
from narrate.errors import NarrateError
from narrate.humane import plural


@click.group(context_settings=CONTEXT)
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
    from narrate.journal.remote import redact
    from narrate.journal.sync import remote_url

    url = remote_url(open_journal(ctx).root)
    if url is None:
        raise NarrateError("no remote set; set one with 'narrate remote set URL'")
    click.echo(redact(url))


@click.command(context_settings=CONTEXT)
@click.option("--timeout", type=float, metavar="S", help="Give up on the remote after S seconds.")
@journal_option
@click.pass_context
def sync(ctx: click.Context, timeout: float | None) -> None:
    """Commit pending changes, fetch, integrate and push to the journal's remote.

    Without a remote it commits pending changes (files edited outside narrate) here.

    Nothing is ever lost: when both devices changed the same entry, yours stays in
    place and the other version is saved beside it as a ...-conflict-<id>.md copy.
    """
    from narrate.journal.sync import Syncer

    journal = open_journal(ctx)
    result = Syncer(journal, timeout or sync_timeout(ctx)).run()
    if result.local_only:
        done = "Committed changes made outside narrate" if result.committed else "Nothing to commit"
        click.echo(f"{done}; no remote to sync with (set one with 'narrate remote set URL').")
        return
    if result.committed:
        click.echo("Committed changes made outside narrate.")
    if result.pulled:
        click.echo(f"Took in {plural(result.pulled, 'commit')} from origin.")
    # File names come from the other device (or another tool): printed cleaned.
    for kept, other in result.renamed:
        click.echo(
            f"Two entries shared the name {shown(kept)}: the other device's is now {shown(other)}."
        )
    for kept, copy in result.conflicts:
        click.echo(
            f"Conflict in {shown(kept)}: this device's version stays; the remote's is saved "
            f"as {shown(copy)}.",
            err=True,
        )
    for path in result.untracked:
        click.echo(f"Stopped tracking {shown(path)} (it differs on every device; kept on disk).")
    for path in result.kept_local:
        click.echo(
            f"Both devices changed {shown(path)} (not an entry): this device's version stays."
        )
    if result.pushed:
        click.echo(f"Pushed {plural(result.pushed, 'commit')}.")
    if not (result.committed or result.pulled or result.pushed or result.conflicts):
        click.echo("Already in sync.")
    elif result.conflicts:
        click.echo(
            "Compare and resolve them: narrate conflicts, then "
            "narrate resolve ID --keep mine|theirs|both|merged (or the app's Conflicts screen).",
            err=True,
        )


@click.command(context_settings=CONTEXT)
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
                f"{plural(state.ahead, 'commit')} to push, {state.behind} to pull "
                "(as of the last sync)"
            )
        lines.append(f"Last sync {state.last_sync or 'never'}")
        if state.last_error:
            lines.append(f"Last attempt failed: {state.last_error}")
    else:
        lines.append("No remote (set one with 'narrate remote set URL')")
    if state.uncommitted:
        files = plural(state.uncommitted, "uncommitted file")
        lines.append(f"{files} (run 'narrate sync' to commit them)")
    lines.extend(f"Conflict copy: {path}" for path in state.conflicts)
    if state.conflicts:
        lines.append("Resolve with: narrate conflicts, then narrate resolve ID --keep ...")
    lines.extend(f"Problem: {problem}" for problem in state.problems)
    click.echo("\n".join(shown(line) for line in lines))
