"""Whole-journal export: JSON with every field, Markdown (one file per entry, or one
document), or one self-contained HTML page to keep as an archive.

In the one-document Markdown and the HTML page, an entry's own headings are shifted
below its heading; the page renders task lists and footnotes, resolves ``[[wikilinks]]``
by title, alias or file name to the entry's anchor, links attachments relatively from
where the page is written, and loads no remote image.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
import posixpath
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from narrate.errors import NarrateError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

    from narrate.journal.core import Journal
    from narrate.journal.entry import Entry

FORMATS = ("json", "markdown", "html", "jrnl-json", "dayone")
# The keys every entry has; the HTML page lists any others under "More fields".
_STANDARD_KEYS = {"id", "created", "updated", "title", "tags", "practice", "private", "shared"}


def entry_record(entry: Entry) -> dict[str, Any]:
    """An entry as the JSON export writes it: SPEC §4 fields, body, and all front matter."""
    item = entry.to_json(body=True)
    item["front_matter"] = entry.meta
    return item


def write_json(journal: Journal, out: TextIO) -> int:
    """Stream a JSON array of entries (SPEC §4 fields, body, and all front matter)."""
    count = 0
    out.write("[")
    for entry in journal.iter_entries():
        out.write(",\n" if count else "\n")
        out.write(json.dumps(entry_record(entry), ensure_ascii=False, default=str))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_markdown(journal: Journal, out: TextIO, base: Path | None = None) -> int:
    """One Markdown document: a heading per entry, its date and tags, then its body (its
    headings below the entry's, its relative links made from ``base``, the folder the
    document is written to)."""
    from narrate.journal.attachments import outside_fences

    links = PageLinks(journal.root, base or Path.cwd())
    count = 0
    out.write(f"# {journal.name}\n")
    for entry in journal.iter_entries():
        heading, body = entry_heading(entry)
        out.write(f"\n## {heading}\n\n")
        meta = [entry.created.isoformat(sep=" ", timespec="minutes")]
        tags = entry.all_tags()
        if tags:
            meta.append(" ".join(f"`#{t}`" for t in tags))
        out.write(f"*{' · '.join(meta)}*\n\n")
        for change in entry.practice:
            before = f"{change.before} → " if change.before else ""
            out.write(f"- Practice ({change.area}): {before}{change.change} [{change.status}]\n")
        if entry.practice:
            out.write("\n")
        body = shift_headings(body, 3).strip("\n")
        body = outside_fences(body, partial(_rebase_links, entry_path=entry.path, links=links))
        if body:
            out.write(body + "\n")
        count += 1
    return count


_MD_LINK = re.compile(r"(!?\[[^\]\n]*\]\()([^)\s]+)\)")


def _rebase_links(text: str, entry_path: str, links: PageLinks) -> str:
    """Relative Markdown links in an entry, as links from where the document is."""

    def rebase(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith(("#", "/", "<")) or _SCHEME.match(target):
            return match.group(0)
        rebased = links.rebase(entry_path, target)
        return f"{match.group(1)}{rebased})" if rebased is not None else match.group(0)

    return _MD_LINK.sub(rebase, text)


def entry_heading(entry: Entry) -> tuple[str, str]:
    """(heading, body below it) for a view of the entry: a body that opens with the line
    its title came from shows that line once as the heading, without Markdown escapes."""
    from narrate.journal.attachments import unescape_markdown
    from narrate.journal.entry import derive_title, first_line, heading_and_rest

    body = entry.body
    heading, rest = heading_and_rest(entry.title, body)
    if rest == body:
        # A title stored without the line's escapes (Day One's `finally \.\.`).
        line = first_line(body)
        if line and unescape_markdown(derive_title(line)) == entry.title:
            heading, rest = heading_and_rest(derive_title(line), body)
        else:
            return heading, rest
    return unescape_markdown(heading), rest


_ATX = re.compile(r"^([ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?[ ]{0,3})#{1,6}(?=[ \t]|$)")


def shift_headings(body: str, top: int) -> str:
    """``body`` with its headings moved down so the biggest is level ``top`` (at most 6):
    an entry's ``# Sprint planning`` must not sit above the entry's own heading."""
    if "#" not in body and "=" not in body and "-" not in body:
        return body
    from markdown_it import MarkdownIt

    heads = [t for t in MarkdownIt("commonmark").parse(body) if t.type == "heading_open" and t.map]
    if not heads:
        return body
    delta = top - min(int(t.tag[1]) for t in heads)
    if delta <= 0:
        return body
    lines: list[str | None] = list(body.split("\n"))
    for token in heads:
        level = min(6, int(token.tag[1]) + delta)
        start, end = token.map or (0, 0)
        if token.markup in ("=", "-"):
            text = " ".join((lines[i] or "").strip() for i in range(start, end - 1))
            lines[start] = "#" * level + " " + text
            for i in range(start + 1, end):
                lines[i] = None
        else:
            match = _ATX.match(lines[start] or "")
            if match:
                line = lines[start] or ""
                lines[start] = match.group(1) + "#" * level + line[match.end() :]
    return "\n".join(line for line in lines if line is not None)


def write_markdown_folder(journal: Journal, folder: Path) -> int:
    """Copy every readable entry file, byte for byte, to ``folder/YYYY/MM/<name>.md``."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    made: set[Path] = set()
    for rel in journal.entry_paths():
        data = journal.read_file(rel)
        if data is None:
            continue
        target = folder / rel.removeprefix("entries/")
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        # Temporary name + rename: a re-export over an old one never leaves a torn file.
        # No fsync per file: an interrupted export is simply run again.
        temp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
        temp.write_bytes(data)
        os.replace(temp, target)
        count += 1
    return count


# ---------------------------------------------------------------------------- HTML

_CSS = """
:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fdfdfb; --muted: #6b6b70;
  --line: #e4e2dc; --accent: #2f6f5e; --tag-bg: #eef4f1; --code-bg: #f3f1ec; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e6e1; --bg: #17181a; --muted: #9a9a9f; --line: #2e3033;
    --accent: #7fc4ad; --tag-bg: #1f2b27; --code-bg: #222326; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 17px/1.6 Charter, "Iowan Old Style", Georgia, serif; }
.page { max-width: 46rem; margin: 0 auto; padding: 2.5rem 1.25rem 5rem; }
header.journal h1 { margin: 0; font-size: 2rem; }
header.journal p, .meta, nav, details { color: var(--muted);
  font: 0.85rem/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
nav ol { list-style: none; padding: 0; margin: 0.5rem 0 0; }
nav li { margin: 0.15rem 0; }
nav a { margin-right: 0.6rem; }
a { color: var(--accent); }
section > h2 { margin: 3rem 0 0; padding-bottom: 0.3rem; border-bottom: 1px solid var(--line);
  font: 600 1.1rem/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
article { padding: 1.5rem 0; border-bottom: 1px solid var(--line); }
article h3 { margin: 0; font-size: 1.25rem; line-height: 1.35; }
.meta { margin: 0.2rem 0 0.8rem; }
.tag { background: var(--tag-bg); color: var(--accent); border-radius: 0.3rem;
  padding: 0 0.35rem; margin-right: 0.2rem; white-space: nowrap; }
.private { color: #b06000; }
.practice { margin: 0 0 0.8rem; padding-left: 1.1rem;
  font: 0.9rem/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
.practice .area { font-weight: 600; }
.practice .status { color: var(--muted); }
.body img { max-width: 100%; }
.task-list-item { list-style: none; }
.task-list-item input { margin: 0 0.4rem 0 -1.3rem; }
.wikilink.missing { color: var(--muted); border-bottom: 1px dotted var(--muted); }
.footnotes { font-size: 0.9rem; color: var(--muted); }
details.index ol { columns: 2; padding-left: 1.2rem; }
pre, code { font: 0.85em/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace;
  background: var(--code-bg); border-radius: 0.25rem; }
code { padding: 0.05rem 0.25rem; }
pre { padding: 0.7rem 0.9rem; overflow-x: auto; }
pre code { padding: 0; background: none; }
blockquote { margin: 0; padding-left: 1rem; border-left: 3px solid var(--line);
  color: var(--muted); }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 0.2rem 0.5rem; }
details pre { white-space: pre-wrap; }
@media print { nav, details { display: none; } article { break-inside: avoid; } }
"""
# Nothing on the page may run: no scripts, no frames, no forms; styles inline only;
# images only from beside the page (the journal's attachments) or inline data, so opening
# an archive never tells a remote server that it was read.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass
class PageLinks:
    """What the page needs to link an entry's text: entries by the names a wikilink may
    use, and where the page is written (relative links are made from there)."""

    root: Path
    base: Path
    names: dict[str, str] = field(default_factory=dict)  # casefolded name -> entry id

    def add(self, entry_id: str, *names: str) -> None:
        """Make ``[[name]]`` lead to the entry (the first entry to claim a name keeps it)."""
        for name in names:
            key = name.strip().casefold()
            if key:
                self.names.setdefault(key, entry_id)

    def rebase(self, entry_path: str, target: str) -> str | None:
        """A relative link in the entry file, as a link from the page; None when it
        leaves the journal."""
        path = urllib.parse.unquote(target.split("#", 1)[0].split("?", 1)[0])
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(entry_path), path))
        if joined.startswith("../") or joined == ".." or joined.startswith("/"):
            return None
        relative = os.path.relpath(self.root / joined, self.base)
        return urllib.parse.quote(Path(relative).as_posix())


def link_names(entry: Entry) -> list[str]:
    """The names a ``[[wikilink]]`` may give an entry: its title, its aliases (an imported
    note's old file name among them) and its file name."""
    value = entry.meta.get("aliases")
    aliases = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [entry.title, *(str(a) for a in aliases), Path(entry.path).stem]


def wikilink_parts(inner: str) -> tuple[str, str]:
    """(the name a link points at, the words it shows) of ``Note#Heading|label``."""
    target, _, label = inner.partition("|")
    return target.split("#", 1)[0].strip(), label.strip() or target.strip()


_WIKILINK = re.compile(r"(?<!!)\[\[([^\[\]\n]+)\]\]")
WIKILINK_SCHEME = "wikilink:"


def wikilinks_as_links(text: str) -> str:
    """``[[Note|label]]`` as ``[label](<wikilink:Note>)``: a Markdown viewer shows a link
    whose target names the note (the app's preview follows it with ``find_wikilink``)."""

    def link(match: re.Match[str]) -> str:
        name, label = wikilink_parts(match.group(1))
        if not name or "<" in name or ">" in name:
            return match.group(0)
        return f"[{label.replace(']', ')')}](<{WIKILINK_SCHEME}{name}>)"

    return _WIKILINK.sub(link, text)


def find_wikilink(journal: Journal, name: str) -> str | None:
    """The path of the entry ``[[name]]`` means (by title, alias or file name), found
    through search; None when no entry has that name."""
    from narrate.journal.entry import BrokenEntry, Entry

    key = posixpath.basename(name.strip()).casefold()
    phrase = re.sub(r'["\\]', " ", name).strip()
    if not key or not phrase:
        return None
    results, _ = journal.search(f'"{phrase}"', limit=50)
    for item in results:
        path = str(item["path"])
        data = journal.read_file(path)
        if data is None:
            continue
        try:
            entry = Entry.from_bytes(data, path)
        except BrokenEntry:
            continue
        if key in {n.strip().casefold() for n in link_names(entry)}:
            return path
    return None


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """``[[Note]]``, ``[[Note|label]]``, ``[[Note#Heading]]`` (and ``![[...]]``): a link to
    the entry with that title, alias or file name, else the label marked as missing."""
    start = state.pos
    src = state.src
    embed = src.startswith("![[", start)
    if not embed and not src.startswith("[[", start):
        return False
    opening = start + (3 if embed else 2)
    end = src.find("]]", opening)
    inner = src[opening:end] if end != -1 else ""
    if not inner.strip() or "\n" in inner or "[" in inner:
        return False
    if not silent:
        name, label = wikilink_parts(inner)
        names: dict[str, str] = state.env.get("wikilinks", {})
        found = names.get(name.casefold()) or names.get(posixpath.basename(name).casefold())
        if found:
            token = state.push("link_open", "a", 1)
            token.attrs = {"href": f"#e-{found}", "class": "wikilink"}
        else:
            token = state.push("wikilink_open", "span", 1)
            token.attrs = {"class": "wikilink missing", "title": "not in this journal"}
        text = state.push("text", "", 0)
        text.content = label
        state.push("link_close" if found else "wikilink_close", "a" if found else "span", -1)
    state.pos = end + 2
    return True


def _markdown_renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    # html=False: raw HTML in an entry is shown as text, never passed through; markdown-it
    # also refuses javascript:, vbscript: and file: links.
    md = (
        MarkdownIt("commonmark", {"html": False})
        .enable(["table", "strikethrough"])
        .use(tasklists_plugin)
        .use(footnote_plugin)
    )
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("image", _render_image)
    return md


def _render_image(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    """A local or inline image as <img>; a remote one as a link, never fetched."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if not src:  # a link that left the journal: the words, not a request
        return f'<span class="image missing">{html.escape(alt or "image")}</span>'
    if src.startswith(("data:", "#")) or not _SCHEME.match(src):
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    label = alt or src
    return (
        f'<a href="{html.escape(src)}" class="remote-image">{html.escape(label)} '
        "(remote image, not loaded)</a>"
    )


def _render_body(md: MarkdownIt, entry: Entry, body: str, links: PageLinks | None) -> str:
    """The entry's Markdown as HTML: headings below the entry's <h3>, relative links
    made relative to the page, footnote ids unique to the entry."""
    env: dict[str, Any] = {"docId": entry.id, "wikilinks": links.names if links else {}}
    tokens = md.parse(body, env)
    heads = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if heads:
        delta = 4 - min(int(t.tag[1]) for t in heads)
        if delta > 0:
            for token in heads:
                token.tag = f"h{min(6, int(token.tag[1]) + delta)}"
    for token in tokens:
        for child in token.children or []:
            attr = {"image": "src", "link_open": "href"}.get(child.type)
            if attr is None:
                continue
            value = str(child.attrGet(attr) or "")
            if not value or value.startswith(("#", "/")) or _SCHEME.match(value):
                continue
            rebased = links.rebase(entry.path, value) if links else value
            if rebased is None:
                child.attrs.pop(attr, None)
            else:
                child.attrSet(attr, rebased)
    return str(md.renderer.render(tokens, md.options, env))


def write_html(journal: Journal, out: TextIO, base: Path | None = None) -> int:
    """One self-contained page: every entry, oldest first, grouped by month, with an
    index of every entry; ``base`` is the folder the page is written to."""
    from narrate import __version__
    from narrate.journal import frontmatter

    esc = html.escape
    md = _markdown_renderer()
    links = PageLinks(journal.root, base or Path.cwd())
    index: list[tuple[str, str, str, str]] = []  # (month, id, date, heading)
    for entry in journal.iter_entries():
        links.add(entry.id, *link_names(entry))
        heading, _ = entry_heading(entry)
        index.append((entry.day[:7], entry.id, entry.day, heading))
    months = journal.entries_per_month()
    total = sum(n for _, n in months)
    span = f" · {_month_name(months[0][0])} to {_month_name(months[-1][0])}" if months else ""
    today = dt.date.today().isoformat()
    out.write(
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f'<meta name="generator" content="narrate {esc(__version__)}">\n'
        f"<title>{esc(journal.name)} · narrate journal</title>\n"
        f'<style>{_CSS}</style>\n</head>\n<body>\n<div class="page">\n'
        f'<header class="journal"><h1>{esc(journal.name)}</h1>\n'
        f"<p>{total} {'entry' if total == 1 else 'entries'}{esc(span)} · exported {today}</p>"
        "</header>\n"
    )
    if months:
        out.write("<nav><ol>\n")
        for year in sorted({m[:4] for m, _ in months}):
            month_links = " ".join(
                f'<a href="#m-{m}">{_month_name(m).split()[0]}</a>'
                for m, _ in months
                if m.startswith(year)
            )
            out.write(f"<li><strong>{year}</strong> {month_links}</li>\n")
        out.write("</ol>\n")
        out.write('<details class="index"><summary>Every entry</summary><ol>\n')
        for _month, entry_id, day, heading in index:
            out.write(f'<li><a href="#e-{esc(entry_id)}">{esc(day)} · {esc(heading)}</a></li>\n')
        out.write("</ol></details>\n</nav>\n")
    out.write("<main>\n")
    count = 0
    month = None
    opened: set[str] = set()
    for entry in journal.iter_entries():
        current = entry.day[:7]
        # Entries are in UTC order; one written in another zone can fall in the month
        # before or after its neighbours: it stays in the section already open.
        if current != month and current not in opened:
            opened.add(current)
            if month is not None:
                out.write("</section>\n")
            out.write(f'<section id="m-{esc(current)}"><h2>{esc(_month_name(current))}</h2>\n')
            month = current
        out.write(_entry_html(entry, md, frontmatter.dump, links))
        count += 1
    if month is not None:
        out.write("</section>\n")
    out.write("</main>\n</div>\n</body>\n</html>\n")
    return count


def _entry_html(
    entry: Entry,
    md: MarkdownIt,
    dump: Callable[[dict[str, Any]], str],
    links: PageLinks | None = None,
) -> str:
    """One entry as an <article>; every piece of its text escaped or rendered safely."""
    esc = html.escape
    heading, body = entry_heading(entry)
    created = entry.created
    meta = [
        f'<time datetime="{esc(created.isoformat())}">'
        f"{esc(f'{created:%a} {created.day} {created:%b %Y, %H:%M}')}</time>"
    ]
    tags = entry.all_tags()
    if tags:
        meta.append(" ".join(f'<span class="tag">#{esc(t)}</span>' for t in tags))
    if entry.private:
        meta.append('<span class="private">private</span>')
    parts = [
        f'<article id="e-{esc(entry.id)}">\n<h3>{esc(heading)}</h3>\n',
        f'<p class="meta">{" · ".join(meta)}</p>\n',
    ]
    if entry.practice:
        parts.append('<ul class="practice">\n')
        for change in entry.practice:
            before = f"{esc(change.before)} → " if change.before else ""
            source = f", from {esc(change.source)}" if change.source else ""
            parts.append(
                f'<li><span class="area">{esc(change.area)}</span>: {before}'
                f'{esc(change.change)} <span class="status">({esc(change.status)}{source})'
                "</span></li>\n"
            )
        parts.append("</ul>\n")
    parts.append(f'<div class="body">\n{_render_body(md, entry, body, links)}</div>\n')
    extra = {k: v for k, v in entry.meta.items() if k not in _STANDARD_KEYS}
    if extra:
        parts.append(
            f"<details><summary>More fields</summary><pre>{esc(dump(extra))}</pre></details>\n"
        )
    parts.append("</article>\n")
    return "".join(parts)


def _month_name(month: str) -> str:
    try:
        return dt.date.fromisoformat(f"{month}-01").strftime("%B %Y")
    except ValueError:
        return month


# ---------------------------------------------------------------------------- to a file

TextWriter = Callable[["Journal", TextIO], int]
BinaryWriter = Callable[["Journal", BinaryIO], int]
WRITERS: dict[str, TextWriter] = {
    "json": write_json,
    "markdown": write_markdown,
    "html": write_html,
}


def export_journal(
    journal: Journal,
    fmt: str,
    out: str | None,
    stdout: TextIO,
    *,
    text_writer: TextWriter | None = None,
    binary_writer: BinaryWriter | None = None,
) -> tuple[int, str | None]:
    """Export in ``fmt`` to stdout, to a file, or (Markdown) to a folder of entry files;
    returns (entries exported, where they went, or None for stdout). Formats another
    package writes (jrnl's JSON, a Day One zip) come as ``text_writer`` or
    ``binary_writer``; this function still decides where and how the bytes go."""
    if binary_writer is not None:
        return _export_binary(journal, out, stdout, binary_writer)
    if text_writer is None and fmt not in WRITERS:
        raise NarrateError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    chosen = text_writer or WRITERS[fmt]
    if out is None or out == "-":
        return chosen(journal, stdout), None
    place = _place(journal, out)
    writer = chosen
    if fmt in ("html", "markdown"):
        # Attachments are linked relatively from the folder the document is written to.
        folder = Path(os.path.abspath(place[0])).parent
        document = write_html if fmt == "html" else write_markdown

        def writer(journal: Journal, handle: TextIO) -> int:
            return document(journal, handle, folder)

    return _export_text(journal, fmt, out, place, writer)


def _place(journal: Journal, out: str) -> tuple[Path, Path, str]:
    """(where the bytes go, the path given, how to name it): refusing the entries folder,
    and writing through a symlink to its target."""
    given = Path(out).expanduser()
    entries = (journal.root / "entries").resolve()
    resolved = given.resolve()
    if resolved == entries or entries in resolved.parents:
        raise NarrateError(f"--out {out} is inside the journal's entries; export somewhere else")
    # A symlink is written through, to the file it points at (a backup on a USB drive
    # must not stay stale behind a new regular file where the link was).
    target = resolved if given.is_symlink() else given
    shown = f"{target} (through the link {given})" if target != given else str(target)
    return target, given, shown


def _export_text(
    journal: Journal, fmt: str, out: str, place: tuple[Path, Path, str], writer: TextWriter
) -> tuple[int, str | None]:
    target, _given, shown = place
    kind = _special_kind(target)
    if kind in ("named pipe", "character device"):
        # Streamed: a pipe or a device cannot be replaced by a renamed file, only fed.
        return _write_stream(target, kind, lambda handle: writer(journal, handle)), shown
    if kind is not None:
        raise NarrateError(
            f"--out {out} is a {kind}; export to a file, a folder, a named pipe or a "
            "character device"
        )
    if fmt == "markdown" and (out.endswith(("/", os.sep)) or target.is_dir()):
        count = write_markdown_folder(journal, target)
        return count, f"{target}{os.sep} (one file per entry)"
    if target.is_dir():
        raise NarrateError(
            f"--out {out} is a folder; give a file name (only --format markdown writes a "
            "folder, one file per entry)"
        )
    if not target.parent.is_dir():
        raise NarrateError(f"the folder {target.parent} does not exist; create it first")
    try:
        count = _write_atomically(target, lambda handle: writer(journal, handle))
    except OSError as exc:
        raise NarrateError(f"cannot write {target}: {exc.strerror or exc}") from None
    return count, shown


def _export_binary(
    journal: Journal, out: str | None, stdout: TextIO, writer: BinaryWriter
) -> tuple[int, str | None]:
    """A binary export (a zip) to stdout's bytes, a pipe or device, or a file renamed
    into place."""
    if out is None or out == "-":
        raw = getattr(stdout, "buffer", None)
        if raw is None or stdout.isatty():
            raise NarrateError("this format is a zip file: give --out FILE.zip")
        stdout.flush()
        count = writer(journal, raw)
        raw.flush()
        return count, None
    target, _given, shown = _place(journal, out)
    kind = _special_kind(target)
    if kind in ("named pipe", "character device"):
        try:
            with open(target, "wb") as handle:
                return writer(journal, handle), shown
        except OSError as exc:
            raise NarrateError(f"cannot write to the {kind} {target}: {exc}") from None
    if kind is not None or target.is_dir():
        raise NarrateError(f"--out {out} is a {kind or 'folder'}; give a file name")
    if not target.parent.is_dir():
        raise NarrateError(f"the folder {target.parent} does not exist; create it first")
    from narrate.journal.store import atomic_writer

    try:
        with atomic_writer(target) as handle:
            count = writer(journal, handle)
    except OSError as exc:
        raise NarrateError(f"cannot write {target}: {exc.strerror or exc}") from None
    return count, shown


def _special_kind(path: Path) -> str | None:
    """What ``path`` is when it exists and is neither a regular file nor a folder."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    kinds = [
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISBLK, "block device"),
    ]
    return next((name for test, name in kinds if test(mode)), None)


def _write_stream(target: Path, kind: str, write: Callable[[TextIO], int]) -> int:
    """Write straight into a named pipe or a character device, as a shell redirect does."""
    try:
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            count = write(handle)
    except BrokenPipeError:
        raise NarrateError(f"the reader of {target} closed it before the export ended") from None
    except OSError as exc:
        raise NarrateError(f"cannot write to the {kind} {target}: {exc.strerror or exc}") from None
    return count


def _write_atomically(target: Path, write: Callable[[TextIO], int]) -> int:
    """Stream into a temporary file beside ``target``, then rename it into place."""
    from narrate.journal.store import atomic_writer

    with atomic_writer(target) as raw:
        handle = io.TextIOWrapper(raw, "utf-8", newline="\n")
        count = write(handle)
        handle.flush()
        handle.detach()  # atomic_writer syncs and closes the file itself
    return count
