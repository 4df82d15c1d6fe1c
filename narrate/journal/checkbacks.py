"""The check-back line: how a "still doing it?" answer is written under "## Check-backs",
and read back into a change's trail (the index keeps the trail, so the core owns it)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from narrate.journal.types import CheckBack

HEADING = "## Check-backs"
ANSWERS = {
    "yes": "still doing it",
    "partly": "partly",
    "no": "stopped",
}
_NO_ANSWER = "checked back"
_WORDS = {words: key for key, words in ANSWERS.items()} | {_NO_ANSWER: None}
# "- 2026-11-24 · ci: Run the linter — still doing it (trying → adopted). A note"
_LINE = re.compile(r"^- (\d{4}-\d{2}-\d{2}) · (.*)$")
_TAIL = re.compile(
    r"^(?P<words>" + "|".join(re.escape(w) for w in _WORDS) + r")"
    r"(?: \((?P<old>[a-z]+) → (?P<new>[a-z]+)\))?(?:\. (?P<note>.*))?$"
)


def format_line(
    day: str,
    area: str,
    change: str,
    answer: str | None,
    old_status: str | None = None,
    new_status: str | None = None,
    note: str | None = None,
) -> str:
    """The line recording one check-back (``day`` is YYYY-MM-DD)."""
    words = ANSWERS.get(answer or "", _NO_ANSWER)
    line = f"- {day} · {area}: {change} — {words}"
    if new_status and new_status != old_status:
        line += f" ({old_status} → {new_status})"
    if note:
        line += f". {' '.join(note.split())}"
    return line


def section_lines(body: str) -> list[str]:
    """The lines of the body's "## Check-backs" section (none when it has none)."""
    if HEADING not in body:
        return []
    lines = body.split("\n")
    try:
        start = lines.index(HEADING) + 1
    except ValueError:
        return []
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    return lines[start:end]


def trail(
    body: str, area: str, change: str, checked: Any = None, only_change: bool = True
) -> list[CheckBack]:
    """A change's check-backs, oldest first: the dated lines that name it (by area alone
    when ``only_change``, the entry's one change in that area, after an edit of its text),
    and any ``checked`` date with no line, as an answer not written down."""
    found: list[CheckBack] = []
    exact = f"{area}: {change} — "
    loose = f"{area}: "
    for raw in section_lines(body):
        match = _LINE.match(raw.strip())
        if not match:
            continue
        day, rest = match.groups()
        if rest.startswith(exact):
            tail = rest[len(exact) :]
        elif only_change and rest.startswith(loose) and " — " in rest:
            tail = rest.rsplit(" — ", 1)[1]
        else:
            continue
        parts = _TAIL.match(tail)
        if parts is None:
            found.append({"date": day, "answer": None, "note": tail or None, "status": None})
            continue
        found.append(
            {
                "date": day,
                "answer": _WORDS[parts["words"]],
                "note": parts["note"] or None,
                "status": parts["new"] or None,
            }
        )
    dates = {c["date"] for c in found}
    listed = checked if isinstance(checked, list) else [checked] if checked else []
    for day in listed:
        text = str(day)[:10]
        if day and text not in dates:
            dates.add(text)
            found.append({"date": text, "answer": None, "note": None, "status": None})
    return sorted(found, key=lambda c: c["date"])
