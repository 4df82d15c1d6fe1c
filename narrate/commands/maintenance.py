"""Commands on the journal as a whole: set it up (init), keep it healthy (reindex,
doctor), copy it out (export)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

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
from narrate.commands.sync import ENCRYPT_HELP, KEY_HELP
from narrate.errors import NarrateError
from narrate.humane import plural

if TYPE_CHECKING:
    from narrate.journal.core import Journal


@click.command(context_settings=CONTEXT)
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--remote", metavar="URL", help="Sync with this private git remote (origin).")
@click.option("--clone", metavar="URL", help="Clone an existing journal (it may be empty).")
@click.option("--encrypt", is_flag=True, help=ENCRYPT_HELP)
@click.option("--key", metavar="KEYID", help=KEY_HELP)
@journal_option
@click.pass_context
def init(
    ctx: click.Context,
    path: Path | None,
    remote: str | None,
    clone: str | None,
    encrypt: bool,
    key: str | None,
) -> None:
    """Create a journal: a git repository with an entries/ folder.

    PATH defaults to the journal narrate would use ($NARRATE_JOURNAL, the config,
    then the data dir). Running it on an existing journal is harmless.

    \b
    Examples:
      narrate init ~/journal --remote git@github.com:me/journal.git
      narrate init ~/journal --clone git@github.com:me/journal.git   # a second device
      narrate init ~/journal --remote git@github.com:me/journal.git --encrypt
    """
    from narrate.commands.sync import choose_journal_key, finish_encryption
    from narrate.journal.core import Journal
    from narrate.journal.crypt import encrypted
    from narrate.journal.remote import is_encrypted_url, redact, validate_url
    from narrate.journal.sync import clone as clone_journal
    from narrate.journal.sync import set_remote

    if remote and clone:
        raise NarrateError("use --remote (a new journal) or --clone (an existing one), not both")
    chosen, encrypt = None, encrypt or is_encrypted_url(remote or clone)
    if encrypt:  # tools, URL and key checked before anything is written
        if not (remote or clone):
            raise NarrateError("--encrypt needs --remote URL or --clone URL")
        remote, clone = remote and encrypted(remote), clone and encrypted(clone)
        validate_url(remote or clone or "", allow_encrypted=True)
        chosen = choose_journal_key(key, clone=bool(clone))
    elif key:
        raise NarrateError("--key is for an encrypted remote: add --encrypt")
    target = (path or journal_path(ctx)).expanduser().absolute()
    existed = (target / ".git").exists()
    if clone:
        if existed:
            raise NarrateError(f"{target} is already a journal; clone into a new folder")
        clone_journal(clone, target, sync_timeout(ctx), prompt=True)
    if remote:
        from narrate.journal.sync import foreign_history

        validate_url(remote, allow_encrypted=True)
        if foreign_history(remote, target if existed else None, sync_timeout(ctx)):
            place = "NEW-FOLDER" if existed else str(target)
            raise NarrateError(
                f"{redact(remote)} already holds a journal (history this one does not share), "
                "so syncing would fail; to continue that journal on this device: "
                f"narrate init {place} --clone {redact(remote)}"
            )
    journal = Journal.create(target)
    done = journal.init_result
    assert done is not None
    from narrate.journal.sync import ignore_device_files

    # A folder that is already an Obsidian vault: its per-device files leave git now.
    untracked = ignore_device_files(journal.root)
    if remote:
        set_remote(journal.root, remote)
    if clone:
        click.echo(f"Cloned {redact(clone)} into {journal.root}")
    elif done.created:
        click.echo(f"Created a journal at {journal.root}")
    elif done.committed:
        click.echo(f"Finished setting up the journal at {journal.root} (committed .gitignore)")
    else:
        click.echo(f"Journal already at {journal.root}; nothing to do")
    if untracked:
        click.echo(f"Stopped tracking {len(untracked)} per-device file(s): {', '.join(untracked)}")
    if done.identity_notice:
        click.echo(f"narrate: note: {done.identity_notice}", err=True)
    if encrypt:
        finish_encryption(journal.root, chosen)
    if remote:
        click.echo(f"Remote: {redact(remote)} (run 'narrate sync' to push)", err=True)
    if done.created and not clone:
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
        f"Indexed {plural(journal.count(), 'entry')} in {seconds:.1f} s "
        f"({report.added} added, {report.updated} updated, {report.removed} removed)."
    )
    warn_broken(journal)


@click.command(context_settings=CONTEXT)
@click.option(
    "--fix",
    is_flag=True,
    help="Write an id: into notes that have none (made in another tool), after asking, so "
    "renaming them keeps their id; set the git settings that keep commits fast.",
)
@click.option("--yes", is_flag=True, help="With --fix: do not ask first.")
@journal_option
@click.pass_context
def doctor(ctx: click.Context, fix: bool, yes: bool) -> None:
    """Check the journal's health: unreadable files, duplicate ids, git state.

    Exits with status 1 when something needs your attention.

    \b
    Examples:
      narrate doctor
      narrate doctor --fix     # ids for notes made in Obsidian or an editor
    """
    from rich.text import Text

    from narrate import output
    from narrate.journal.remote import redact
    from narrate.sanitize import clean

    def shown(text: object) -> str:
        # File names, branch names and git's words come from outside narrate: no escape
        # sequence reaches the terminal, no password in a URL is printed.
        return redact(clean(text, single_line=True))

    journal = open_journal(ctx)
    if fix:
        _write_ids(journal, yes)
        for setting in journal.set_speed_settings():
            click.echo(f"Set git config {setting} (faster commits in a large journal).")
    report = journal.doctor()
    con = output.console()
    con.print(Text(f"Journal {shown(journal.root)}", style="bold"))
    branch = report.branch or "(detached)"
    remote = f", remote {report.remote}" if report.remote else ", no remote"
    sync = ""
    if report.ahead is not None:
        sync = f", {report.ahead} to push, {report.behind} to pull"
    con.print(Text(shown(f"{plural(report.entries, 'entry')} on branch {branch}{remote}{sync}")))

    def section(title: str, lines: list[str], style: str = "red") -> None:
        if lines:
            con.print(Text(f"\n{title} ({len(lines)})", style=f"bold {style}"))
            for line in lines:
                con.print(Text(f"  {shown(line)}"))

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
    section(
        "Copies left by an edit that did not finish (the text typed in it: copy what you "
        "want into the entry with 'narrate edit', then delete the copy)",
        report.edit_copies,
        "yellow",
    )
    section("Uncommitted changes (run 'narrate sync' to commit them)", report.uncommitted, "yellow")
    section(
        "Git settings that keep commits fast in a large journal ('narrate doctor --fix' sets them)",
        report.slow_settings,
        "yellow",
    )
    notes = [(p, n) for p, n in report.notes if not n.startswith("no id in front matter")]
    section("Notes", [f"{p}: {n}" for p, n in notes], "yellow")
    without_id = [p for p, n in report.notes if n.startswith("no id in front matter")]
    if without_id:
        # One line, however many: a vault of notes made in Obsidian has no ids at all.
        con.print(Text(f"\nFiles without an id ({len(without_id)})", style="bold yellow"))
        shown_paths = ", ".join(shown(p) for p in without_id[:3])
        more = f" and {len(without_id) - 3} more" if len(without_id) > 3 else ""
        con.print(
            Text(
                f"  {shown_paths}{more}: their id comes from the file name, so renaming one "
                "changes it; 'narrate doctor --fix' writes an id into each"
            )
        )
    if report.identity:
        con.print(Text("\nGit identity", style="bold yellow"))
        # Soft-wrapped: the fix is a command to copy, and must stay one line.
        con.print(
            Text(
                f"  commits are made as {report.identity}, narrate's fallback for a machine "
                "with no git identity; to commit as yourself: git config --global "
                'user.name "Your Name" && git config --global user.email '
                f"\"you@example.com\" && git -C '{journal.root}' config --remove-section user"
            ),
            soft_wrap=True,
        )
    if report.healthy:
        con.print(Text("\nAll good.", style="bold green"))
    else:
        ctx.exit(1)


def _write_ids(journal: Journal, yes: bool) -> None:
    """doctor --fix: write ids into the files without one, once the user agrees."""
    paths = journal.without_id()
    if not paths:
        click.echo("Every entry has an id; nothing to fix.")
        return
    listed = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    from narrate.sanitize import clean

    question = (
        f"Write an id: line into {plural(len(paths), 'file')} without one "
        f"({clean(listed, single_line=True)})? Their text stays as it is"
    )
    if not yes and not click.confirm(question, default=False, err=True):
        click.echo("Nothing was changed.", err=True)
        return
    done = journal.write_ids(paths)
    click.echo(f"Wrote an id into {plural(len(done), 'file')} (one commit).")


@click.command(context_settings=CONTEXT)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown", "html", "jrnl-json", "dayone"]),
    default="json",
    show_default=True,
    help="jrnl-json: jrnl's own JSON shape; dayone: a Day One JSON zip (needs --out).",
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
    file. html: one self-contained page to open in a browser (attachments linked
    relatively, no remote images loaded). jrnl-json: what 'jrnl --format json' writes.
    dayone: a zip that Day One (and 'narrate import dayone') imports, media included.

    \b
    Examples:
      narrate export --out backup.json
      narrate export --format markdown --out notes/
      narrate export --format html --out journal.html
      narrate export --format dayone --out Journal.zip
    """
    from narrate.journal.export import export_journal

    journal = open_journal(ctx)
    if fmt == "jrnl-json":
        from narrate.importers.jrnl import write_jrnl_json

        count, where = export_journal(journal, fmt, out, sys.stdout, text_writer=write_jrnl_json)
    elif fmt == "dayone":
        from narrate.importers.dayone import write_dayone

        count, where = export_journal(journal, fmt, out, sys.stdout, binary_writer=write_dayone)
    else:
        count, where = export_journal(journal, fmt, out, sys.stdout)
    if where is not None:
        click.echo(f"Exported {plural(count, 'entry')} to {where}", err=True)
