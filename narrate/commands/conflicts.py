"""Commands for conflict copies: conflicts (list), resolve (keep mine, theirs, both or a
merge). The rules are the core's (narrate.journal.conflicts); these parse and render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import click

from narrate.commands.common import CONTEXT, emit_json, journal_option, json_option, open_journal

if TYPE_CHECKING:
    from narrate.journal.conflicts import Choice, Conflict
    from narrate.journal.core import Journal


def _short(conflict: Conflict) -> str:
    entry = conflict.copy.entry
    return str(entry.id)[:12] if entry is not None else conflict.copy.path


def _as_json(conflict: Conflict, device: str) -> dict[str, Any]:
    mine, theirs = conflict.sides(device)
    copy = conflict.copy
    return {
        "id": str(copy.entry.id) if copy.entry is not None else None,
        "original_id": conflict.original_id,
        "title": conflict.title,
        "origin": conflict.origin,
        "original": {
            "path": conflict.original_path,
            "label": mine.label,
            "updated": mine.when,
            "exists": conflict.original is not None,
        },
        "copy": {
            "path": copy.path,
            "label": theirs.label,
            "updated": theirs.when,
            "problem": copy.problem,
        },
    }


def _pick(journal: Journal, ref: str) -> Conflict:
    """The conflict ``ref`` names: its number in the list, the copy's or the original's
    id (a prefix will do), or the copy's path."""
    from narrate.errors import NarrateError
    from narrate.journal.conflicts import list_conflicts

    found = list_conflicts(journal)
    if not found:
        raise NarrateError("there are no conflicts to resolve")
    if ref.isdigit() and 1 <= int(ref) <= len(found) and len(ref) < 4:
        return found[int(ref) - 1]
    wanted = ref.lower()
    matches = [
        c
        for c in found
        if c.copy.path == ref
        or (c.copy.entry is not None and str(c.copy.entry.id).lower().startswith(wanted))
        or (c.original_id or "").lower().startswith(wanted)
    ]
    if len(matches) == 1:
        return matches[0]
    listing = "\n".join(f"  {n}. {_short(c)}  {c.title}" for n, c in enumerate(found, 1))
    if not matches:
        raise NarrateError(f"no conflict matches '{ref}'; the conflicts are:\n{listing}")
    raise NarrateError(f"'{ref}' names {len(matches)} conflicts; give more of the id:\n{listing}")


@click.command("conflicts", context_settings=CONTEXT)
@json_option
@journal_option
@click.pass_context
def conflicts(ctx: click.Context, as_json: bool) -> None:
    """List entries changed in two places, each side labelled by where it came from.

    Resolve one with: narrate resolve ID --keep mine|theirs|both|merged
    """
    from narrate.journal.conflicts import device_id, list_conflicts
    from narrate.sanitize import clean

    journal = open_journal(ctx)
    found = list_conflicts(journal)
    device = device_id(journal.root)
    if as_json:
        emit_json([_as_json(c, device) for c in found])
        return
    if not found:
        click.echo("No conflicts: every entry has one version.", err=True)
        return
    for number, conflict in enumerate(found, 1):
        mine, theirs = conflict.sides(device)
        click.echo(f"{number}. {_short(conflict)}  {clean(conflict.title)}")
        gone = "" if conflict.original is not None else " (gone)"
        for name, side, path in (
            ("mine  ", mine, f"{conflict.original_path}{gone}"),
            ("theirs", theirs, conflict.copy.path),
        ):
            when = f", updated {side.when}" if side.when else ""
            click.echo(f"   {name} {side.label}{when}: {clean(path)}")
    click.echo(
        "Resolve one: narrate resolve ID --keep mine|theirs|both|merged "
        "(or press the Conflicts key in the app)",
        err=True,
    )


@click.command("resolve", context_settings=CONTEXT)
@click.argument("ref", metavar="ID")
@click.option(
    "--keep",
    "choice",
    required=True,
    type=click.Choice(["mine", "theirs", "both", "merged"]),
    help="mine: the version in place; theirs: the copy's; both: two entries; merged: a "
    "line-level merge of the two.",
)
@click.option("--edit", is_flag=True, help="With --keep merged: edit the merge in your editor.")
@click.option("--show", is_flag=True, help="With --keep merged: print the merge, change nothing.")
@journal_option
@click.pass_context
def resolve(ctx: click.Context, ref: str, choice: str, edit: bool, show: bool) -> None:
    """Resolve a conflict (ID: its number in `narrate conflicts`, or an id).

    \b
    Examples:
      narrate resolve 1 --keep mine
      narrate resolve 01JDQ3 --keep merged --show
      narrate resolve 01JDQ3 --keep merged --edit
    """
    from narrate.errors import NarrateError
    from narrate.journal.conflicts import merge_proposal
    from narrate.journal.conflicts import resolve as do_resolve

    if (edit or show) and choice != "merged":
        raise NarrateError("--edit and --show go with --keep merged")
    journal = open_journal(ctx)
    conflict = _pick(journal, ref)
    merged: str | None = None
    if choice == "merged":
        merged = merge_proposal(journal, conflict)
        if merged is None:
            raise NarrateError(
                f"a merge needs both versions of {conflict.copy.path} readable as entries; "
                "keep mine, theirs or both instead"
            )
        if show:
            click.echo(merged, nl=False)
            return
        if edit:
            from narrate.commands.editor import edit_text

            merged = edit_text(merged, ctx)
    result = do_resolve(journal, conflict, cast("Choice", choice), merged)
    if result.warning:
        click.echo(f"warning: {result.warning}", err=True)
    click.echo(result.describe())
