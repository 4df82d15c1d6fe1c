"""The review as a person reads it: Rich tables on the CLI, or a Markdown note to keep."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from narrate.humane import plural
from narrate.practice.review import Review, period_title
from narrate.sanitize import clean_data

if TYPE_CHECKING:
    from rich.console import RenderableType

    from narrate.journal.types import CheckBack

BARS = " ▁▂▃▄▅▆▇█"
HEAT = "·░▒▓█"
TIMELINE_ROWS = 20
DUE_ROWS = 10  # the Rich review's check-backs due (--markdown and --json list all)


def spark(values: list[int]) -> str:
    """A sparkline of counts, one character each."""
    top = max(values, default=0)
    if top == 0:
        return BARS[0] * len(values)
    return "".join(BARS[0] if v == 0 else BARS[max(1, round(v / top * 8))] for v in values)


def heat_rows(review: Review) -> list[tuple[str, str]]:
    """A GitHub-style calendar: one row per weekday, one column per week."""
    counts = review.cadence.get("heatmap", {})
    top = max(counts.values(), default=0)
    start = review.since - dt.timedelta(days=review.since.weekday())
    weeks = (review.until - start).days // 7 + 1
    rows = []
    for weekday, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        cells = []
        for week in range(weeks):
            day = start + dt.timedelta(weeks=week, days=weekday)
            if day < review.since or day > review.until:
                cells.append(" ")
                continue
            n = counts.get(day.isoformat(), 0)
            cells.append(HEAT[0] if n == 0 else HEAT[min(4, 1 + (n - 1) * 4 // max(top, 1))])
        rows.append((name, "".join(cells)))
    return rows


def fit(values: list[int], width: int) -> list[int]:
    """``values`` summed into at most ``width`` buckets, so a year of weeks fits a line."""
    width = max(1, width)
    if len(values) <= width:
        return values
    size = -(-len(values) // width)  # ceiling: every bucket the same span
    return [sum(values[i : i + size]) for i in range(0, len(values), size)]


def check_words(check: CheckBack) -> str:
    """A check-back as a line: "2026-11-24 still doing it → adopted: only new modules"."""
    from narrate.journal.checkbacks import ANSWERS

    text = f"{check['date']} {ANSWERS.get(check['answer'] or '', 'checked back')}"
    if check["status"]:
        text += f" → {check['status']}"
    if check["note"]:
        text += f": {check['note']}"
    return text


def _cleaned(review: Review, changes: slice = slice(None), due: slice = slice(None)) -> Review:
    """The review with escapes and controls removed from every string it shows: of
    ``changes`` and ``due`` only the slices shown (the Rich review shows 20 of the
    timeline and 10 of the 6,700 check-backs due at 100k entries)."""
    import dataclasses

    return dataclasses.replace(
        review,
        areas=clean_data(review.areas),
        changes=clean_data(review.changes[changes]),
        sources=clean_data(review.sources),
        due=clean_data(review.due[due]),
        on_this_day=clean_data(review.on_this_day),
    )


def render_rich(review: Review, width: int = 80) -> list[RenderableType]:
    """Renderables for `narrate review` ``width`` columns wide (a pipe: 80); entry text is
    never parsed as markup."""
    changes_total, due_total = len(review.changes), len(review.due)
    review = _cleaned(review, slice(-TIMELINE_ROWS, None), slice(DUE_ROWS))
    from rich.table import Table
    from rich.text import Text

    out: list[RenderableType] = [
        Text(f"Practice review {review.since} → {review.until}, by {review.by}", style="bold")
    ]
    total = sum(a["count"] for a in review.areas)
    out.append(
        Text(
            f"{plural(total, 'practice change')} in {plural(len(review.areas), 'area')}",
            style="dim",
        )
    )
    if review.areas:
        # The names and counts first: a long run of periods shrinks, never them.
        name_w = max(len("area"), *(len(a["area"]) for a in review.areas))
        count_w = max(len("changes"), *(len(str(a["count"])) for a in review.areas))
        room = max(8, width - name_w - count_w - 4)
        first, last = review.periods[0], review.periods[-1]
        span = f"{period_title(first, review.by, True)} … {period_title(last, review.by, True)}"
        if review.by == "week":
            span += f" ({first.split('-')[1]}…{last.split('-')[1]})"
        table = Table(box=None, pad_edge=False, header_style="bold", title_justify="left")
        table.add_column("area", no_wrap=True, min_width=min(name_w, width // 3))
        table.add_column("changes", justify="right", no_wrap=True)
        table.add_column(span if len(span) <= room else span[:room], no_wrap=True)
        for area in review.areas:
            values = fit([area["periods"][p] for p in review.periods], room)
            table.add_row(Text(area["area"], style="green"), str(area["count"]), spark(values))
        out += [Text(""), table]

    if review.changes:
        out += [Text(""), Text("Timeline", style="bold")]
        table = Table(box=None, pad_edge=False, header_style="bold")
        for name in ("date", "area", "change", "source", "status"):
            table.add_column(name, overflow="fold")
        for change in review.changes:
            text = Text()
            if change["before"]:
                text.append(f"{change['before']} → ", style="dim")
            text.append(change["change"])
            for check in change.get("checks") or []:
                text.append(f"\n· {check_words(check)}", style="dim")
            table.add_row(
                change["date"],
                Text(change["area"], style="green"),
                text,
                change["source"] or "",
                change["status"],
            )
        out.append(table)
        if changes_total > TIMELINE_ROWS:
            out.append(
                Text(
                    f"… and {changes_total - TIMELINE_ROWS} earlier (--json lists all)",
                    style="dim",
                )
            )

    if review.sources:
        out += [Text(""), Text("Where changes came from", style="bold")]
        table = Table(box=None, pad_edge=False, header_style="bold")
        for name in ("source", "changes", "adopted", "dropped", "trying"):
            table.add_column(name, justify="left" if name == "source" else "right")
        for item in review.sources:
            table.add_row(
                item["source"], *(str(item[k]) for k in ("count", "adopted", "dropped", "trying"))
            )
        out.append(table)

    s = review.status
    out += [
        Text(""),
        Text("What stuck  ", style="bold")
        + Text(f"adopted {s['adopted']} · trying {s['trying']} · dropped {s['dropped']}")
        + Text("  (recorded or settled in the period)", style="dim"),
    ]
    if review.due:
        out.append(Text(f"Check-backs due ({due_total}):", style="yellow"))
        for due in review.due:
            out.append(Text(f"  {due['due']}  {due['id'][:12]}  {due['area']}: {due['change']}"))
        out.append(
            Text("  answer with: narrate practice check ID --status adopted|dropped", style="dim")
        )

    c = review.cadence
    out += [
        Text(""),
        Text("Cadence  ", style="bold")
        + Text(
            f"{c['days_with_entries']} of {c['days']} days · "
            f"{c['entries_per_week']} entries/week · "
            f"streak {c['current_streak']} (longest {c['longest_streak']})"
        ),
    ]
    for name, cells in heat_rows(review):
        out.append(Text(f"  {name} ", style="dim") + Text(cells, style="green"))

    for key, label in (("month_ago", "A month ago"), ("year_ago", "A year ago")):
        items = review.on_this_day.get(key) or []
        if items:
            out += [Text(""), Text(f"On this day, {label.lower()}", style="bold")]
            out.extend(Text(f"  {item['id'][:12]}  {item['title']}") for item in items[:5])
    return out


def _cell(text: object) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(review: Review) -> str:
    """A review note to read, keep, and save as an entry (`narrate add - < review.md`)."""
    review = _cleaned(review)
    lines = [f"# Practice review: {review.since} to {review.until}", ""]
    total = sum(a["count"] for a in review.areas)
    s = review.status
    lines += [
        f"{plural(total, 'practice change')} in {plural(len(review.areas), 'area')}; "
        f"adopted {s['adopted']}, trying {s['trying']}, dropped {s['dropped']} "
        "(recorded or settled in the period).",
        "",
    ]
    if review.areas:
        heads = [
            f"{period_title(p, review.by)} ({p.split('-')[1]})"
            if review.by == "week"
            else period_title(p, review.by)
            for p in review.periods
        ]
        lines += ["## By area", "", "| area | " + " | ".join(heads) + " | total |"]
        lines.append("|---|" + "---:|" * (len(review.periods) + 1))
        for area in review.areas:
            counts = " | ".join(str(area["periods"][p]) for p in review.periods)
            lines.append(f"| {_cell(area['area'])} | {counts} | {area['count']} |")
        lines.append("")
    if review.changes:
        lines += ["## What changed", ""]
        for change in review.changes:
            before = f"{change['before']} → " if change["before"] else ""
            source = f" (from {change['source']})" if change["source"] else ""
            lines.append(
                f"- {change['date']} **{change['area']}**: {before}{change['change']}{source} "
                f"— {change['status']}"
            )
            lines += [f"  - check-back {check_words(c)}" for c in change.get("checks") or []]
        lines.append("")
    if review.sources:
        lines += [
            "## Where changes came from",
            "",
            "| source | changes | adopted | dropped | trying |",
        ]
        lines.append("|---|---:|---:|---:|---:|")
        for item in review.sources:
            lines.append(
                f"| {_cell(item['source'])} | {item['count']} | {item['adopted']} | "
                f"{item['dropped']} | {item['trying']} |"
            )
        lines.append("")
    if review.due:
        lines += ["## Check-backs due", ""]
        lines += [f"- {d['due']}: {d['area']}: {d['change']} ({d['id']})" for d in review.due]
        lines.append("")
    c = review.cadence
    lines += [
        "## Cadence",
        "",
        f"Wrote on {c['days_with_entries']} of {c['days']} days, {c['entries_per_week']} "
        f"entries a week; current streak {c['current_streak']} days, longest "
        f"{c['longest_streak']}.",
        "",
        "```",
        *(f"{name} {cells}" for name, cells in heat_rows(review)),
        "```",
        "",
    ]
    for key, label in (("month_ago", "A month ago"), ("year_ago", "A year ago")):
        items = review.on_this_day.get(key) or []
        if items:
            lines += [f"## {label}", ""]
            lines += [f"- {item['title']} ({item['id']})" for item in items]
            lines.append("")
    lines.append("#review")
    return "\n".join(lines) + "\n"
