"""``narrate import``: parse the options, run the importer (narrate.importers), render
its report.

Only click is imported at module level, so ``narrate --help`` stays fast; the
importers, Rich and the journal load when an import runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from narrate.commands.common import CONTEXT, journal_option, open_journal

if TYPE_CHECKING:
    from rich.progress import TaskID

    from narrate.importers.base import ImportReport, Source
    from narrate.journal.core import Journal

F = TypeVar("F", bound=Callable[..., Any])
# How many failures a summary lists before it only counts them.
LISTED = 20
# A progress bar appears once a run has taken this long (short imports print none).
PROGRESS_AFTER = 0.5


def import_options(func: F) -> F:
    """--dry-run, --verify and --journal, shared by every importer."""
    func = journal_option(func)
    func = click.option(
        "--verify",
        is_flag=True,
        help="Export every imported entry again and compare it with the source, field by "
        "field; report anything that would be lost (exit status 1 if so).",
    )(func)
    func = click.option(
        "--dry-run",
        is_flag=True,
        help="Read the source and report what would be imported; write nothing.",
    )(func)
    return func


@click.group("import", context_settings=CONTEXT)
def import_group() -> None:
    """Bring entries in from jrnl, Day One, Markdown notes or a narrate export.

    Importing is safe to repeat: each entry records its source (imported_from in its
    front matter), so a second run skips what is already there. The source is only
    read, never changed. All new entries land in one commit. Exit status 1 when an
    entry failed or --verify found a loss.
    """


@import_group.command("jrnl", context_settings=CONTEXT)
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--time-format",
    metavar="FMT",
    help="jrnl's timeformat for the entry dates (default: from jrnl's config, else "
    "'%F %r'; common formats are always tried).",
)
@click.option(
    "--tag-symbols",
    metavar="CHARS",
    help="The characters that start a tag (default: jrnl's tagsymbols, else '#@').",
)
@click.option(
    "--jrnl-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="jrnl's config file (default: $XDG_CONFIG_HOME/jrnl/jrnl.yaml when it exists).",
)
@import_options
@click.pass_context
def import_jrnl(
    ctx: click.Context,
    source: Path,
    time_format: str | None,
    tag_symbols: str | None,
    jrnl_config: Path | None,
    dry_run: bool,
    verify: bool,
) -> None:
    """Import a jrnl journal: its text file, its folder, or its JSON export.

    SOURCE is a jrnl journal file (journal.txt), a folder journal (YYYY/MM/DD.txt) or
    the output of 'jrnl --format json'. Titles, bodies (never re-wrapped), dates and
    times, tags and starred entries (starred: true) come across.

    \b
    Examples:
      narrate import jrnl ~/.local/share/jrnl/journal.txt --dry-run
      jrnl --format json > jrnl.json && narrate import jrnl jrnl.json --verify
    """
    from narrate.importers.jrnl import JrnlSource, load_settings

    settings = load_settings(source, jrnl_config, time_format, tag_symbols)
    _run(ctx, lambda journal: JrnlSource(source, settings), dry_run, verify)


@import_group.command("dayone", context_settings=CONTEXT)
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@import_options
@click.pass_context
def import_dayone(ctx: click.Context, source: Path, dry_run: bool, verify: bool) -> None:
    """Import a Day One JSON export: the .zip, its Journal.json, or the unzipped folder.

    The text becomes the body; the date keeps its time zone; tags and starred are
    top-level properties, and location, weather, the media lists and Day One's other
    fields go under one 'dayone:' key. Photos, audio, videos and PDFs in the export are
    copied to attachments/YYYY/MM/ and the entry links to them; the summary names what
    the export lacks.
    """
    from narrate.importers.dayone import DayOneSource

    _run(ctx, lambda journal: DayOneSource(source, journal.root), dry_run, verify)


@import_group.command("markdown", context_settings=CONTEXT)
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@import_options
@click.pass_context
def import_markdown(ctx: click.Context, source: Path, dry_run: bool, verify: bool) -> None:
    """Import a folder of Markdown notes (Obsidian daily notes, notes with front matter).

    Each note's front matter is kept. Its date comes from the front matter (created or
    date), else the file name (2026-11-27.md), else the file's modification time: the
    summary says which. Hidden folders (.obsidian, .git) are skipped. Embedded files
    (![[whiteboard.png]], ![](img/x.png)) are copied to attachments/YYYY/MM/ and linked
    relatively; each note's file name becomes an alias, so [[Note name]] links resolve.
    Files that narrate exported (--format markdown --out DIR/) come back unchanged.
    """
    from narrate.importers.markdown import MarkdownSource

    _run(ctx, lambda journal: MarkdownSource(source, exclude=journal.root), dry_run, verify)


@import_group.command("json", context_settings=CONTEXT)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@import_options
@click.pass_context
def import_json(ctx: click.Context, source: Path, dry_run: bool, verify: bool) -> None:
    """Import narrate's own JSON export (narrate export --format json).

    Entries keep their ids, front matter, bodies and, when free, their paths: export,
    import into an empty journal, and export again gives the same JSON. (jrnl's JSON
    export goes through 'narrate import jrnl'.)
    """
    from narrate.importers.native import NarrateExportSource

    _run(ctx, lambda journal: NarrateExportSource(source), dry_run, verify)


def _run(
    ctx: click.Context, make_source: Callable[[Journal], Source], dry_run: bool, verify: bool
) -> None:
    """Open the journal, import, print the summary; exit 1 on failures or losses."""
    from narrate.importers.base import run_import

    journal = open_journal(ctx)
    source = make_source(journal)
    with _progress_bar() as progress:
        report = run_import(journal, source, dry_run=dry_run, verify=verify, progress=progress)
    print_report(report, journal.root)
    if report.failed or report.losses:
        ctx.exit(1)


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int | None], None]]:
    """A Rich progress bar on stderr, shown only once a run has lasted a moment."""
    import time

    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from narrate.output import console

    started = time.monotonic()
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:

        def update(phase: str, done: int, total: int | None) -> None:
            if time.monotonic() - started < PROGRESS_AFTER:
                return
            if phase not in tasks:
                for task in tasks.values():
                    bar.update(task, visible=False)
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


def print_report(report: ImportReport, root: Path) -> None:
    """The summary: imported, skipped as duplicates, failed with reasons, notes, verify."""
    from rich.text import Text

    from narrate.output import console

    con = console()

    from narrate.sanitize import clean

    def line(text: str, style: str = "") -> None:
        # Text, not markup: titles and file names from the source print as they are,
        # without the escape sequences a file name can hold.
        con.print(Text(clean(text), style=style), soft_wrap=True)

    from narrate.importers.base import plural

    count = report.imported
    if report.dry_run:
        line("Dry run: nothing was written.", "bold")
        line(f"Would import {plural(count, 'entry')} from {report.label}")
        for date, title, path in report.planned:
            line(f"  {date}  {_clip(title)}  → {path}")
        if count > len(report.planned):
            line(f"  … and {count - len(report.planned)} more")
    elif count:
        how = f'in one commit ("{report.message}")' if report.committed else "(nothing to commit)"
        line(f"Imported {plural(count, 'entry')} from {report.label}", "bold green")
        line(f"  into {root} {how}")
    else:
        line(f"Nothing new to import from {report.label}")
    if report.recovered and not report.dry_run:
        line(
            f"Committed {plural(report.recovered, 'entry')} that an interrupted run had "
            "written but not committed"
        )
    if report.duplicates:
        skipped = len(report.duplicates)
        verb = "Would skip" if report.dry_run else "Skipped"
        line(
            f"{verb} {skipped} already imported (each entry records its source, so nothing is "
            "duplicated)"
        )
    if report.failed:
        verb = "Would fail" if report.dry_run else "Failed"
        line(f"{verb}: {len(report.failed)}", "bold red")
        for failure in report.failed[:LISTED]:
            line(f"  {failure.where}: {failure.reason}")
        if len(report.failed) > LISTED:
            line(f"  … and {len(report.failed) - LISTED} more")
    if report.dated_by:
        counts = ", ".join(f"{len(items)} from {how}" for how, items in report.dated_by.items())
        line(f"Dates: {counts}")
        from narrate.importers.markdown import FROM_MTIME

        guessed = report.dated_by.get(FROM_MTIME, [])
        if guessed:
            line("  dated by modification time (add a date to their front matter to change it):")
            for where in guessed[:LISTED]:
                line(f"    {where}")
            if len(guessed) > LISTED:
                line(f"    … and {len(guessed) - LISTED} more")
    if report.attachments:
        verb = "Would copy" if report.dry_run else "Copied"
        line(f"{verb} {plural(len(report.attachments), 'attachment')} into attachments/")
        for rel, size in report.large[:LISTED]:
            line(
                f"  large: {rel} ({size / (1024 * 1024):.0f} MB; every clone of the journal "
                "carries it)"
            )
    for notice in report.notices[:LISTED]:
        line(f"Note: {notice}", "yellow")
    if len(report.notices) > LISTED:
        line(f"Note: … and {len(report.notices) - LISTED} more notes", "yellow")
    if report.verify:
        _print_verify(report, line)


def _print_verify(report: ImportReport, line: Callable[[str, str], None]) -> None:
    from narrate.importers.base import plural

    checked = report.checked
    if not report.losses:
        line(
            f"Verify: {plural(checked, 'entry')} exported again and compared with the source: "
            "nothing is lost.",
            "bold green",
        )
    else:
        fields = sorted({loss.field for loss in report.losses})
        problems = len(report.losses)
        line(
            f"Verify: {problems} {'problem' if problems == 1 else 'problems'} in {checked} "
            f"entries; fields that would be lost or changed: {', '.join(fields)}",
            "bold red",
        )
        for loss in report.losses[:LISTED]:
            line(f"  {loss.where}: {loss.field}: {loss.detail}", "")
        if len(report.losses) > LISTED:
            line(f"  … and {len(report.losses) - LISTED} more", "")
    for name, times in sorted(report.by_design.items()):
        line(
            f"  Not kept, on purpose: {name} in {plural(times, 'entry')} "
            f"({report.by_design_reasons[name]})",
            "",
        )


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
