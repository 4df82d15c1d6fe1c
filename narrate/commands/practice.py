"""Commands for practice change: practice, practice check, review (docs/index.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

import click

from narrate.commands.common import (
    CONTEXT,
    checked_text,
    commit_or_warn,
    emit_json,
    journal_option,
    json_option,
    load_settings,
    open_journal,
    parse_date_option,
    warn_broken,
)
from narrate.commands.entries import pager_option
from narrate.errors import NarrateError

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

    from narrate.journal.types import PracticeItem


def paired(
    values: tuple[str, ...], changes: int, name: str, shared: bool = False
) -> list[str | None]:
    """One ``name`` value (--before, --source) per --practice, in order ('' for none):
    a single value with several changes is refused, or given to all when ``shared``."""
    from narrate.errors import NarrateError

    texts = [checked_text(v, name) or None for v in values]
    if not texts or changes == 0:
        return [None] * changes if not texts else texts[:1]
    if len(texts) == changes:
        return texts
    if len(texts) == 1 and shared:
        return texts * changes
    raise NarrateError(
        f"{len(texts)} {name} for {changes} --practice: give {name} once per --practice, in "
        f"the same order ('' for none), e.g. --practice ci:'Retry flaky tests' {name} "
        f"'Rerun by hand' --practice ci:'Lint first' {name} ''"
    )


def _area(raw: str | None) -> str | None:
    """An --area as areas are stored ("Code Review" is code-review), as typed otherwise."""
    if raw is None:
        return None
    from narrate.journal.entry import normalise_area

    return normalise_area(raw) or raw


@click.group(invoke_without_command=True, context_settings=CONTEXT)
@click.option("--area", metavar="A", help="Only this practice area.")
@click.option("--since", metavar="D", help="Recorded on or after this day.")
@click.option(
    "--status", type=click.Choice(["trying", "adopted", "dropped"]), help="Only this status."
)
@click.option("--due", is_flag=True, help="Only changes whose check-back is due.")
@click.option(
    "-n",
    "limit",
    type=click.IntRange(min=0),
    metavar="N",
    help="Only the first N (the newest; with --due the longest overdue). Default: all.",
)
@pager_option
@json_option
@journal_option
@click.pass_context
def practice(
    ctx: click.Context,
    area: str | None,
    since: str | None,
    status: str | None,
    due: bool,
    limit: int | None,
    no_pager: bool,
    as_json: bool,
) -> None:
    """List practice changes (what you now do differently), newest first.

    Each change is checked back 2, 6 and 12 weeks after it was recorded (the config's
    check_back_weeks); --due lists the ones waiting for an answer, and
    `narrate practice check ID` answers one.

    Every change is listed unless -n N keeps the first N; at a terminal a long list
    goes through $PAGER (--no-pager prints it straight), into a pipe it is plain text.
    """
    if ctx.invoked_subcommand is not None:
        return
    import datetime as dt

    from narrate.practice.checkback import check_back_weeks, with_due

    journal = open_journal(ctx)
    first = parse_date_option(since, "--since")
    # Only a change still being tried falls due: --due reads no other; one more than -n
    # says whether any were left out.
    wanted = "trying" if due else status
    items = (
        []
        if due and status not in (None, "trying")
        else journal.practice(
            area=_area(area),
            since=first,
            status=wanted,
            limit=None if due or limit is None else limit + 1,
        )
    )
    items = with_due(items, check_back_weeks(load_settings(ctx)), dt.date.today())
    if due:
        items = sorted((i for i in items if i["due"]), key=lambda i: (i["due"], i["id"]))
    more = limit is not None and len(items) > limit
    items = items[:limit] if limit is not None else items
    if more:
        click.echo(f"{limit} shown; more with a larger -n, all without it", err=True)
    warn_broken(journal)
    if as_json:
        emit_json(items)
        return
    if not items:
        if more:
            return
        click.echo(
            "No check-backs are due."
            if due
            else 'No practice changes yet. Record one: narrate add "..." --practice AREA:CHANGE',
            err=True,
        )
        return
    print_changes(items, no_pager)


# A practice table at a terminal is drawn this many rows at a time (a screenful or more):
# Rich takes ~0.4 ms a row, so the 11,000 changes of a 100k journal would take 4-8 s
# before the first line. Each chunk goes to the pager as it is drawn, with the column
# widths of the whole table; a pager that stops reading stops the drawing.
CHUNK_ROWS = 50
_COLUMNS = ("id", "date", "area", "change", "status")


class ChangeRow(NamedTuple):
    """One change's table row as plain strings; ``cells`` and ``styled`` lay it out."""

    ident: str
    day: str
    area: str
    before: str  # "Reviewed alone → ", or ""
    change: str
    source: str  # " (from python-cop)", or ""
    status: str
    note: str  # ", due 12-01" or ", next 12-04", or ""
    note_style: str

    def cells(self) -> list[str]:
        """The five columns as plain text."""
        return [
            self.ident,
            self.day,
            self.area,
            f"{self.before}{self.change}{self.source}",
            f"{self.status}{self.note}",
        ]

    def styled(self) -> list[Text]:
        """The five columns as Rich text."""
        from rich.text import Text

        return [
            Text(self.ident),
            Text(self.day),
            Text(self.area, style="green"),
            Text.assemble((self.before, "dim"), self.change, (self.source, "dim")),
            Text.assemble(self.status, (self.note, self.note_style)),
        ]


def change_rows(items: list[PracticeItem]) -> list[ChangeRow]:
    """The table's row for each change, cleaned for a screen."""
    import datetime as dt
    from collections import Counter

    from narrate import output
    from narrate.sanitize import clean

    # Areas, sources and days repeat across thousands of changes: each distinct string
    # is cleaned, and each day named, once (a third of the time at 11,000 changes).
    cleaned: dict[str, str] = {}
    days: dict[str, str] = {}
    today = dt.date.today()

    def one_line(text: str) -> str:
        found = cleaned.get(text)
        if found is None:
            found = cleaned[text] = clean(text, single_line=True)
        return found

    # An entry with several changes: its id says which (practice check ID --change N).
    several = Counter(item["id"] for item in items)
    rows = []
    for item in items:
        due, upcoming = item.get("due"), item.get("next_check")
        note, note_style = (
            (f", due {due[5:]}", "yellow")
            if due
            else (f", next {upcoming[5:]}", "dim")
            if upcoming
            else ("", "")
        )
        # The created day is the date part of created: one name per day.
        day = days.get(item["day"])
        if day is None:
            day = days[item["day"]] = output.humane_date(item["created"], today, with_time=False)
        before, source = item["before"], item["source"]
        rows.append(
            ChangeRow(
                output.short_id(one_line(item["id"]))
                + (f" #{item['position'] + 1}" if several[item["id"]] > 1 else ""),
                day,
                one_line(item["area"]),
                f"{one_line(before)} → " if before else "",
                one_line(item["change"]),
                f" (from {one_line(source)})" if source else "",
                item["status"],
                note,
                note_style,
            )
        )
    return rows


def print_changes(items: list[PracticeItem], no_pager: bool) -> None:
    """The practice table: plain aligned text into a pipe or a file, Rich at a terminal
    (through the pager when taller than it, drawn a chunk at a time)."""
    from narrate import output

    rows = change_rows(items)
    if not output.to_terminal():
        click.echo(str(output.plain_table(_COLUMNS, [row.cells() for row in rows])))
        return
    import shutil

    con = output.console()
    tables = change_tables(rows, con.width)
    if no_pager or len(rows) < shutil.get_terminal_size().lines - 1:
        for table in tables:
            con.print(table)
        return

    def drawn() -> Iterator[str]:
        for table in tables:
            with con.capture() as captured:
                con.print(table)
            yield captured.get()

    output.page_lines(drawn())


def change_tables(rows: list[ChangeRow], width: int) -> Iterator[Table]:
    """Rich tables of CHUNK_ROWS rows each that read as one: the header on the first,
    every column as wide as the whole table's (the change column folds to fit)."""
    from rich.cells import cell_len
    from rich.table import Table

    texts = [row.cells() for row in rows]
    widths = [
        max([len(name), *(cell_len(cells[i]) for cells in texts)])
        for i, name in enumerate(_COLUMNS)
    ]
    # Two cells of padding between columns; the change column takes what is left.
    room = width - sum(w for i, w in enumerate(widths) if i != 3) - 2 * (len(_COLUMNS) - 1)
    widths[3] = max(min(widths[3], room), len("change"))
    for start in range(0, max(len(rows), 1), CHUNK_ROWS):
        table = Table(box=None, pad_edge=False, header_style="bold", show_header=start == 0)
        for name, column_width in zip(_COLUMNS, widths, strict=True):
            table.add_column(
                name,
                overflow="fold",
                style="dim" if name == "id" else None,
                no_wrap=name != "change",
                width=column_width,
            )
        for row in rows[start : start + CHUNK_ROWS]:
            table.add_row(*row.styled())
        yield table


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
@click.option(
    "--change",
    metavar="N|TEXT",
    help="Which change: its number in the entry (1, 2, ...) or words of its text.",
)
@click.option("--outcome", metavar="TEXT", help="What improved (or did not) since the change.")
@click.option(
    "--reshare/--no-reshare",
    default=None,
    help="Update the entry's shared copies with the answer (default: config reshare_checkbacks).",
)
@click.option(
    "--with-notes", is_flag=True, help="With --reshare: publish the note and outcome too."
)
@click.option("--yes", is_flag=True, help="With --reshare: publish without asking.")
@journal_option
@click.pass_context
def practice_check(
    ctx: click.Context,
    ref: str,
    status: str | None,
    answer: str | None,
    note: str | None,
    area: str | None,
    change: str | None,
    outcome: str | None,
    reshare: bool | None,
    with_notes: bool,
    yes: bool,
) -> None:
    """Answer a check-back: appends a dated line to the entry and may set the status.

    --outcome records what improved (or did not): the realized value a community
    review counts. When the entry is shared, --reshare (or the config's
    reshare_checkbacks = true) updates its shared copies with the answer, after showing
    them; notes and outcomes are published only with --with-notes.

    \b
    Examples:
      narrate practice check 01JDQ3 --answer yes --status adopted
      narrate practice check 01JDQ3 --answer no --note "Too slow on big PRs"
      narrate practice check 01JDQ3 --area ci --change 2 --answer yes
      narrate practice check 01JDQ3 --answer yes --outcome "No flaky reruns" --reshare
    """
    from narrate.practice.checkback import answer as record_answer

    if answer is None and status is None and not outcome:
        raise NarrateError(
            "say how it went: --answer yes|partly|no and/or --status trying|adopted|dropped "
            "(--note and --outcome add to either)"
        )
    outcome = checked_text(outcome, "--outcome")
    journal = open_journal(ctx)
    chosen = _area(area)
    result = commit_or_warn(
        lambda: record_answer(
            journal,
            ref,
            answer=answer,
            status=status,
            note=note,
            area=chosen,
            change=change,
            outcome=outcome,
        )
    )
    from narrate.sanitize import clean

    click.echo(clean(result.line.removeprefix("- ").split("\n")[0], single_line=True))
    config = load_settings(ctx)
    if reshare is None:
        reshare = config.get("reshare_checkbacks") is True
    shared = sorted({str(s.get("community")) for s in result.entry.shared if s.get("community")})
    short = result.entry.id[:12]
    # share refuses a private entry for ever: advising it (or --reshare) would be a dead
    # end. What is left to do is take back the copies published before it became private.
    undo = "; ".join(f"narrate unshare {short} --from {name}" for name in shared)
    private = (
        f"entry {short} is private now (private: true); its earlier copy is still in "
        f"{', '.join(shared)}: remove it with '{undo}'"
    )
    if not reshare:
        if shared:
            click.echo(
                f"narrate: note: {private}"
                if result.entry.private
                else f"The entry is shared to {', '.join(shared)}; update the copies with "
                "--reshare.",
                err=True,
            )
        return
    if not shared:
        click.echo("Not shared anywhere: nothing to re-share.", err=True)
        return
    if result.entry.private:
        raise NarrateError(f"not re-shared: {private}; the check-back is recorded in your journal")
    from narrate.commands.common import sync_timeout
    from narrate.commands.community import preview_and_publish

    kept = (
        "; the check-back is recorded in your journal: re-share it with "
        f"'narrate share {short} --to NAME'"
    )
    for name in shared:
        try:
            preview_and_publish(
                journal,
                config,
                name,
                result.entry.id,
                timeout=sync_timeout(ctx),
                yes=yes,
                with_notes=with_notes,
                kept=kept,
            )
        except NarrateError as exc:
            if kept in str(exc):
                raise
            raise NarrateError(f"{name}: {exc}{kept}") from None


@click.command(context_settings=CONTEXT)
@click.option("--since", metavar="D", help="Start of the period (default: 90 days ago).")
@click.option("--until", metavar="D", help="End of the period (default: today).")
@click.option("--by", type=click.Choice(["week", "month"]), default="month", show_default=True)
@click.option("--markdown", is_flag=True, help="Print a review note in Markdown.")
@click.option(
    "--community", metavar="NAME", help="Review what community NAME changed (five cycles)."
)
@pager_option
@json_option
@journal_option
@click.pass_context
def review(
    ctx: click.Context,
    since: str | None,
    until: str | None,
    by: str,
    markdown: bool,
    community: str | None,
    no_pager: bool,
    as_json: bool,
) -> None:
    """How did your practice change? Changes per area, timeline, sources, cadence.

    The Markdown note can be kept as an entry: narrate review --markdown | narrate add -

    With --community NAME: what the community changed, in the five cycles of value
    creation (immediate, potential, applied, realized, reframing) and the stories of the
    practice changes that spread (docs/communities.md).
    """
    from narrate.practice.checkback import check_back_weeks
    from narrate.practice.review import build_review

    first = parse_date_option(since, "--since")
    last = parse_date_option(until, "--until")
    import datetime as dt

    end = last or dt.date.today()
    if first and first > end:
        until_text = f"--until {last}" if last else f"today ({end})"
        raise NarrateError(f"--since {first} is after {until_text}; the period would be empty")
    if community is not None:
        from narrate.commands.conversation import show_community_review

        show_community_review(ctx, community, first, last, by, markdown, as_json)
        return
    journal = open_journal(ctx)
    result = build_review(
        journal,
        since=first,
        until=last,
        by=by,
        weeks=check_back_weeks(load_settings(ctx)),
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

    output.print_paged(render_rich(result, width=output.console().width), no_pager)
