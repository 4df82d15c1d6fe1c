"""``--verify``: export an imported entry as ``narrate export`` does and compare it with
what the source said, field by field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from narrate.importers.base import Expected


def compare(expected: Expected, data: bytes, rel: str) -> list[tuple[str, str]]:
    """(field, what is wrong) for everything the stored entry does not give back."""
    from narrate.journal.entry import BrokenEntry, Entry
    from narrate.journal.export import entry_record

    try:
        entry = Entry.from_bytes(data, rel)
    except BrokenEntry as exc:
        return [("file", f"narrate cannot read the entry it wrote: {exc.reason}")]
    record = entry_record(entry)
    if expected.record is not None:
        return _compare_records(expected.record, record)
    problems: list[tuple[str, str]] = []
    front_matter = record["front_matter"]
    if expected.created is not None and not _same_time(
        expected.created, record["created"], expected.precision
    ):
        problems.append(("created", f"{expected.created.isoformat()} became {record['created']}"))
    if expected.updated is not None and not _same_time(
        expected.updated, record["updated"], "second"
    ):
        problems.append(("updated", f"{expected.updated.isoformat()} became {record['updated']}"))
    if expected.title and expected.title.strip() != record["title"]:
        problems.append(("title", f"{expected.title!r} became {record['title']!r}"))
    if expected.body is not None:
        problem = _body_problem(expected.body, record["body"])
        if problem:
            problems.append(("body", problem))
    kept_tags = set(record["tags"])
    originals = front_matter.get("source_tags") or []
    for raw, tag in expected.tags.items():
        if (tag is None or tag not in kept_tags) and raw not in originals:
            problems.append(("tags", f"tag {raw!r} is not kept"))
    for key, want in expected.fields.items():
        if key not in front_matter:
            problems.append((key, "missing from the front matter"))
        elif _norm(front_matter[key]) != _norm(want):
            problems.append((key, f"{_short(want)} became {_short(front_matter[key])}"))
    return problems


def _compare_records(want: dict[str, Any], got: dict[str, Any]) -> list[tuple[str, str]]:
    """Every key of a narrate export record, except the path (it may move)."""
    problems = []
    for key, value in want.items():
        if key == "path":
            continue
        if key not in got:
            problems.append((key, "missing"))
        elif _norm(got[key]) != _norm(value):
            problems.append((key, f"{_short(value)} became {_short(got[key])}"))
    return problems


def _same_time(want: dt.datetime, got_text: str, precision: str) -> bool:
    """The same moment, at the source's precision; with an offset, the same offset too."""
    got = dt.datetime.fromisoformat(got_text)
    want = want.replace(microsecond=0)
    if precision == "minute":
        want, got = want.replace(second=0), got.replace(second=0)
    if want.tzinfo is None or got.tzinfo is None:
        # A source without offsets (jrnl) means wall-clock time: compare what it says.
        return want.replace(tzinfo=None) == got.replace(tzinfo=None)
    return want == got and want.utcoffset() == got.utcoffset()


def _body_problem(want: str, got: str) -> str | None:
    # narrate ends every non-empty body with a newline and writes one kind of line end;
    # nothing else may change.
    want = want.replace("\r\n", "\n")
    if got == want or got == want + "\n":
        return None
    at = next(
        (i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b),
        min(len(want), len(got)),
    )
    return (
        f"differs at character {at}: source {want[at : at + 30]!r}, journal {got[at : at + 30]!r}"
    )


def _norm(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _short(value: Any, limit: int = 60) -> str:
    text = _norm(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
