"""Whole-journal export: JSON with every field, or one Markdown document."""

from __future__ import annotations

import json
from typing import Any, TextIO


def write_json(journal: Any, out: TextIO) -> int:
    """Stream a JSON array of entries (SPEC §4 fields, body, and all front matter)."""
    count = 0
    out.write("[")
    for entry in journal.iter_entries():
        item = entry.to_json(body=True)
        item["front_matter"] = entry.meta
        out.write(",\n" if count else "\n")
        out.write(json.dumps(item, ensure_ascii=False, default=str))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_markdown(journal: Any, out: TextIO) -> int:
    """One Markdown document: a heading per entry, its date and tags, then its body."""
    count = 0
    out.write(f"# {journal.name}\n")
    for entry in journal.iter_entries():
        out.write(f"\n## {entry.title}\n\n")
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
        body = entry.body.strip("\n")
        if body:
            out.write(body + "\n")
        count += 1
    return count
