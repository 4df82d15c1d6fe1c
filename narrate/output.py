"""Human output for the CLI: Rich tables and text, never parsing entry text as markup.

Rich is imported inside the functions that draw with it: ``search --json`` and
``list --short`` never pay for it, and output that goes to a pipe or a file (not a
terminal) is plain aligned text without Rich at all: no colours to strip, no lines
folded at 80 columns, ~40 ms less per read (tests/test_imports.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from narrate.humane import humane_date as humane_date  # the one humane date, for commands
from narrate.sanitize import clean, safe_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"
_TAG_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_cyan", "bright_magenta")


def console(stderr: bool = False) -> Console:
    """A console whose output never interprets markup or emoji codes in our strings."""
    from rich.console import Console

    return Console(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=False)


def tag_text(tags: list[str]) -> Text:
    """Tags as #words, each in a colour stable for that tag."""
    import hashlib  # only where Rich draws: a read into a pipe never loads it

    from rich.text import Text

    text = Text()
    for i, tag in enumerate(tags):
        if i:
            text.append(" ")
        colour = _TAG_COLOURS[hashlib.md5(tag.encode()).digest()[0] % len(_TAG_COLOURS)]
        text.append(f"#{tag}", style=colour)
    return text


def short_id(entry_id: str) -> str:
    """Enough of an id to type back (ULIDs made in one millisecond share 10 characters)."""
    return entry_id[:12]


def markers(item: Mapping[str, Any]) -> Text:
    """Small markers for starred entries, practice changes, private and shared ones."""
    from rich.text import Text

    text = Text()
    for mark, style in marks(item):
        text.append(mark, style=style)
    return text


def marks(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(marker, style) for each of starred, practice, private and shared an entry is."""
    found = [
        ("starred", "★", "bold yellow"),
        ("practice", "◆", "bold green"),
        ("private", "⚿", "yellow"),
        ("shared", "↗", "blue"),
    ]
    return [(mark, style) for key, mark, style in found if item.get(key)]


def to_terminal() -> bool:
    """Whether stdout is a terminal (Rich draws there; anywhere else is plain text)."""
    return sys.stdout.isatty()


class Plain:
    """Plain text to print as it is: what a renderer gives when stdout is no terminal."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: int = -1) -> Plain:
    """Columns aligned with two spaces, nothing folded; column ``right`` right-aligned.
    A cell with a newline continues on the next lines, under its own column."""
    widths = [max(len(line) for r in [header, *rows] for line in r[i].split("\n")) for i in
              range(len(header))]  # fmt: skip
    out = []
    for row in [header, *rows]:
        lines = [cell.split("\n") for cell in row]
        for n in range(max(len(cell) for cell in lines)):
            parts = [
                (cell[n] if n < len(cell) else "").rjust(w)
                if i == right
                else (cell[n] if n < len(cell) else "").ljust(w)
                for i, (cell, w) in enumerate(zip(lines, widths, strict=True))
            ]
            out.append("  ".join(parts).rstrip())
    return Plain("\n".join(out))


def entries_table(items: Sequence[Mapping[str, Any]], snippets: bool = False) -> Table | Plain:
    """The table for list and search (plain text when stdout is no terminal)."""
    if not to_terminal():
        rows = []
        for item in items:
            title = clean(item["title"], single_line=True)
            if snippets and item.get("snippet"):
                title += "\n" + plain_snippet(clean(item["snippet"], single_line=True))
            rows.append(
                [
                    short_id(item["id"]),
                    humane_date(item["created"]),
                    "".join(m for m, _ in marks(item)),
                    title,
                    " ".join(f"#{clean(tag, True)}" for tag in item["tags"]),
                ]
            )
        return plain_table(["id", "date", "", "title", "tags"], rows)
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("id", style="dim", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=2)
    table.add_column("tags", overflow="fold", ratio=1)
    for item in items:
        title = safe_text(item["title"], style="bold")
        if snippets and item.get("snippet"):
            title.append("\n")
            title.append_text(highlighted(clean(item["snippet"], single_line=True)))
        table.add_row(
            short_id(item["id"]),
            humane_date(item["created"]),
            markers(item),
            title,
            tag_text(item["tags"]),
        )
    return table


def entry_line(item: Mapping[str, Any]) -> str:
    """One entry on one line, whatever its length, for grep and cut: id, date and time,
    markers, title, tags, separated by two spaces."""
    created = str(item["created"])[:16].replace("T", " ")
    parts = [
        item["id"],
        created,
        "".join(m for m, _ in marks(item)) or "-",
        clean(item["title"], True),
    ]
    if item["tags"]:
        parts.append(" ".join(f"#{tag}" for tag in item["tags"]))
    return "  ".join(parts)


def highlighted(snippet: str) -> Text:
    """A search snippet with the matched words highlighted, as plain text."""
    from rich.text import Text

    text = Text(style="dim")
    inside = False
    for part in snippet.replace(HIGHLIGHT_END, HIGHLIGHT_START).split(HIGHLIGHT_START):
        text.append(part, style="bold reverse" if inside else "")
        inside = not inside
    return text


def plain_snippet(snippet: str) -> str:
    """A snippet without highlight markers, for JSON."""
    return snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def tags_table(items: Sequence[Mapping[str, Any]]) -> Table | Plain:
    """The table for ``tags``: each tag and how many entries carry it."""
    if not to_terminal():
        rows = [[f"#{clean(item['tag'], True)}", str(item["count"])] for item in items]
        return plain_table(["tag", "entries"], rows, right=1)
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("tag")
    table.add_column("entries", justify="right")
    for item in items:
        table.add_row(tag_text([item["tag"]]), str(item["count"]))
    return table


def practice_line(change: Mapping[str, Any]) -> str:
    """One practice change as a line: area, before → change, (status, from source)."""
    line = f"◆ {clean(change['area'], True)}: "
    if change.get("before"):
        line += f"{clean(change['before'], True)} → "
    line += clean(change["change"], True)
    source = f", from {clean(change['source'], True)})" if change.get("source") else ")"
    return f"{line}  ({change['status']}{source}"


def entry_view(item: dict[str, Any]) -> list[Any]:
    """Renderables for one entry: a header, its practice changes and the body (plain
    text, the body as written, when stdout is no terminal: no markdown-it either)."""
    if not to_terminal():
        lines = [
            clean(item["title"], True),
            clean(f"{item['id']} · {humane_date(item['created'])} · {item['path']}", True),
        ]
        if item["tags"]:
            lines.append(" ".join(f"#{clean(tag, True)}" for tag in item["tags"]))
        if item.get("starred"):
            lines.append("★ starred")
        if item.get("private"):
            lines.append("private: never shared")
        lines += [practice_line(change) for change in item["practice"]]
        lines += ["", clean(item.get("body", "")).rstrip("\n")]
        return [Plain("\n".join(lines))]
    from rich.markdown import Markdown
    from rich.text import Text

    header = safe_text(item["title"], style="bold")
    meta = safe_text(f"{item['id']} · {humane_date(item['created'])} · {item['path']}", style="dim")
    parts: list[Any] = [header, meta]
    if item["tags"]:
        parts.append(tag_text(item["tags"]))
    if item.get("starred"):
        parts.append(Text("★ starred", style="bold yellow"))
    if item.get("private"):
        parts.append(Text("private: never shared", style="yellow"))
    for change in item["practice"]:
        line = Text("◆ ", style="bold green")
        line.append(f"{clean(change['area'], True)}: ", style="green")
        if change.get("before"):
            line.append(f"{clean(change['before'], True)} → ", style="dim")
        line.append(clean(change["change"], True))
        line.append(f"  ({change['status']}", style="dim")
        source = f", from {clean(change['source'], True)})" if change.get("source") else ")"
        line.append(source, style="dim")
        parts.append(line)
    parts.append(Text(""))
    parts.append(Markdown(clean(item.get("body", "")), hyperlinks=False))
    return parts


def print_paged(renderables: Sequence[Any], no_pager: bool = False) -> None:
    """Print Rich renderables; at a terminal, output taller than it goes through the
    pager as git does ($PAGER, default ``less -FRX``). Piped output never is."""
    import click

    if all(isinstance(item, Plain) for item in renderables) and not to_terminal():
        for item in renderables:
            click.echo(str(item))
        return
    import shutil

    con = console()
    if no_pager or not sys.stdout.isatty():
        for item in renderables:
            con.print(item)
        return
    with con.capture() as captured:
        for item in renderables:
            con.print(item)
    text = captured.get()
    if text.count("\n") < shutil.get_terminal_size().lines - 1:
        click.echo(text, nl=False)
        return
    page_lines(text)


def page_lines(chunks: str | Iterable[str]) -> None:
    """Drawn text through the pager as it comes ($PAGER, default ``less -FRX``): a long
    table shows its first screen while the rest is drawn, and quitting stops the drawing."""
    import os

    import click

    if not os.environ.get("PAGER"):
        os.environ["PAGER"] = "less -FRX"  # -F: quit when it fits; -R: colours; -X: no clear
    click.echo_via_pager(chunks, color=True)


def warn(message: str) -> None:
    """One warning line on stderr."""
    sys.stderr.write(f"narrate: warning: {message}\n")
