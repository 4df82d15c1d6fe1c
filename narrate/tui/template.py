"""The narration template that new entries start from, and titles derived from bodies.

A journal may carry its own template in ``<journal>/template.md``: a plain Markdown
file at the journal's root, outside ``entries/`` (so it is never listed as an entry),
tracked by git (so it travels with the journal to every device). ``{{date}}`` in it
becomes the day, written out. Without one, DEFAULT_TEMPLATE is used.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from narrate.humane import long_day

TEMPLATE_FILE = "template.md"
MAX_TEMPLATE_BYTES = 64 * 1024

DEFAULT_TEMPLATE = """\
## What did I do?


## What did I learn?


## What will I do differently?

"""


def load_template(root: Path, day: dt.date | None = None) -> str:
    """The journal's template (or the default) with ``{{date}}`` filled in."""
    text = DEFAULT_TEMPLATE
    path = root / TEMPLATE_FILE
    try:
        if path.is_file() and path.stat().st_size <= MAX_TEMPLATE_BYTES:
            text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        text = DEFAULT_TEMPLATE
    return text.replace("{{date}}", long_day(day or dt.date.today()))


def title_for(body: str, template: str, day: dt.date) -> str:
    """A title from what the writer wrote: the first line that is not one of the
    template's own lines, else the day ("Narration, Thursday 27 November 2026")."""
    # Imported here: the entry module costs ~20 ms, and a new day's first paint (the
    # template, no entry yet) does not need it.
    from narrate.journal.entry import derive_title

    prompts = {line.strip() for line in template.splitlines() if line.strip()}
    written = "\n".join(line for line in body.splitlines() if line.strip() not in prompts)
    return derive_title(written) or f"Narration, {long_day(day)}"


def first_blank_line(text: str) -> int:
    """Where the cursor goes in a fresh template: the first blank line after a heading,
    else the end."""
    lines = text.split("\n")
    seen_heading = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith("#"):
            seen_heading = True
        elif seen_heading and not line.strip():
            return number
    return len(lines) - 1
