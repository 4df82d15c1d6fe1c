"""Commands for syncing devices: remote, sync, status (docs/sync.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from narrate.journal.crypt import Key

ENCRYPT_HELP = (
    "Encrypt the remote end to end with git-remote-gcrypt and GnuPG: the URL becomes "
    "gcrypt::URL (docs/sync.md, 'Encrypted remote')."
)
KEY_HELP = (
    "The GnuPG secret key (id, fingerprint or user id) that encrypts and signs on this "
    "device; default: the only one there is, or a new one made for the journal."
)


def choose_journal_key(key: str | None, clone: bool = False) -> Key | None:
    """Check gcrypt and gpg are installed and pick this device's key (None: make one),
    before anything is written."""
    from narrate.journal.crypt import choose_key

    return choose_key(key, clone=clone)


def finish_encryption(root: Path, chosen: Key | None) -> None:
    """Make the key if none was chosen, write the gcrypt settings, and say who can read."""
    from narrate.journal import crypt

    if chosen is None:
        uid = crypt.default_uid(root)
        click.echo(f"Making a GnuPG key for the journal ({uid}); gpg asks for its passphrase.")
        chosen = crypt.create_key(uid)
        click.echo(
            f"Made key {chosen.keyid}. Back it up now, away from the remote: gpg "
            f"--export-secret-keys --armor {chosen.fingerprint} > journal-key.asc. Without "
            "it nothing on the remote can ever be read.",
            err=True,
        )
    participants = crypt.set_up(root, chosen)
    click.echo(
        f"Encrypted remote: signed by {shown(chosen.label())}, encrypted for "
        f"{plural(len(participants), 'key')} (narrate status lists them)."
    )


@click.group(context_settings=CONTEXT)
def remote() -> None:
    """The journal's private git remote (origin), used by sync."""


@remote.command("set", context_settings=CONTEXT)
@click.argument("url")
@click.option("--encrypt", is_flag=True, help=ENCRYPT_HELP)
@click.option("--key", metavar="KEYID", help=KEY_HELP)
@journal_option
@click.pass_context
def remote_set(ctx: click.Context, url: str, encrypt: bool, key: str | None) -> None:
    """Set the journal's remote: an https, ssh or git URL, or a local path.

    \b
    Examples:
      narrate remote set git@github.com:me/journal.git
      narrate remote set git@github.com:me/journal.git --encrypt
    """
    from narrate.journal.crypt import encrypted
    from narrate.journal.remote import is_encrypted_url, redact, validate_url
    from narrate.journal.sync import remote_url, set_remote

    journal = open_journal(ctx)
    before = remote_url(journal.root)
    encrypt = encrypt or is_encrypted_url(url)
    if key and not encrypt:
        raise NarrateError("--key is for an encrypted remote: add --encrypt")
    chosen = None
    if encrypt:
        url = encrypted(url)
        validate_url(url, allow_encrypted=True)  # before a key is looked for or made
        chosen = choose_journal_key(key)
    set_remote(journal.root, url)
    click.echo(f"Remote set to {redact(url)}; run 'narrate sync' to sync")
    if encrypt:
        finish_encryption(journal.root, chosen)
        if before and not is_encrypted_url(before):
            click.echo(
                f"narrate: note: {redact(before)} still holds everything synced to it in plain "
                "text; delete that repository on the host (an encrypted remote is best a new, "
                "empty repository)",
                err=True,
            )


@remote.command("add-key", context_settings=CONTEXT)
@click.argument("keyid")
@journal_option
@click.pass_context
def remote_add_key(ctx: click.Context, keyid: str) -> None:
    """Let another device's GnuPG key read the encrypted remote.

    Import the key first (gpg --import KEY.asc). The remote is encrypted anew for every
    participant at the next push (narrate sync); docs/sync.md, 'Adding a device'.
    """
    from narrate.journal import crypt
    from narrate.journal.remote import is_encrypted_url
    from narrate.journal.sync import remote_url

    journal = open_journal(ctx)
    if not is_encrypted_url(remote_url(journal.root)):
        raise NarrateError(
            "the journal's remote is not encrypted; set one with 'narrate remote set URL --encrypt'"
        )
    crypt.require_tools()
    found = crypt.public_key(keyid)
    participants, new = crypt.add_participant(journal.root, found)
    if not new:
        click.echo(f"{shown(found.label())} is already a participant; nothing to do.")
        return
    click.echo(
        f"Added {shown(found.label())}: the journal is encrypted for "
        f"{plural(len(participants), 'key')}. The remote is encrypted anew for all of "
        "them at the next push: run 'narrate sync' now."
    )


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
@click.option(
    "--timeout",
    type=float,
    metavar="S",
    help="Give up on the remote after S seconds (three times that for an encrypted remote).",
)
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
    # A command in a terminal: gpg-agent may ask for the key's passphrase there.
    result = Syncer(journal, timeout or sync_timeout(ctx), prompt=True).run()
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
        if state.encrypted:
            readers = ", ".join(f"{p['keyid']} {p['uid']}".strip() for p in state.participants)
            lines.append(f"Encrypted (git-remote-gcrypt) for: {readers or 'no key set'}")
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
