"""narrate's one-key rewrite on any readable front matter (issue 12, item 8): the result
is readable and only the key asked for changes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrate.errors import NarrateError
from narrate.journal.core import Journal
from narrate.journal.entry import Entry
from narrate.journal.frontmatter import (
    DELETE,
    FrontMatterError,
    dump,
    parse,
    replace_keys,
    scalar,
)
from narrate.journal.sync import Syncer
from tests.community.helpers import Member
from tests.helpers import PROPERTY, Cli, git, write
from tests.journal.test_frontmatter import KEY, VALUE

# The two-device fixtures and helpers of the sync tests.
from tests.journal.test_sync import assert_healthy, device_a, device_b, remote, sync  # noqa: F401

NEW = "2026-12-01T10:00:00+00:00"

# Front matter other tools (and people) write, valid YAML all of it.
READABLE: dict[str, str] = {
    "flow": "{id: 01JDQ3V7K0000000000000000A, title: Flow style, updated: 2026-01-01}\n",
    "flow-lines": "{\n  id: 01JDQ3V7K0000000000000000A,\n  title: Flow over lines\n}\n",
    "indented": "  id: 01JDQ3V7K0000000000000000A\n  title: Indented\n  updated: 2026-01-01\n",
    "anchor-used-elsewhere": (
        "id: 01JDQ3V7K0000000000000000A\nupdated: &when 2026-01-01\ntitle: Anchored\n"
        "reviewed: *when\n"
    ),
    "anchor-inside-the-block": (
        "id: 01JDQ3V7K0000000000000000A\nupdated:\n  at: &at 2026-01-01\ntitle: T\ncopy: *at\n"
    ),
    "explicit-key": "id: 01JDQ3V7K0000000000000000A\n? updated\n: 2026-01-01\ntitle: Explicit\n",
    "document-start": "--- \nid: 01JDQ3V7K0000000000000000A\ntitle: With a start\n",
    "tagged-mapping": "!!map\nid: 01JDQ3V7K0000000000000000A\ntitle: Tagged\n",
}


@pytest.mark.parametrize("name", sorted(READABLE))
@pytest.mark.parametrize("key", ["updated", "title", "shared", "practice", "brand_new"])
def test_rewriting_one_key_of_readable_front_matter(name: str, key: str) -> None:
    text = READABLE[name]
    before = parse(text)
    value: Any = NEW if key in ("updated", "title", "brand_new") else [{"community": "cop"}]
    after = parse(replace_keys(text, {key: value}))
    assert after == {**before, key: value}


@pytest.mark.parametrize("name", sorted(READABLE))
def test_deleting_one_key_of_readable_front_matter(name: str) -> None:
    text = READABLE[name]
    before = parse(text)
    after = parse(replace_keys(text, {"title": DELETE}))
    before.pop("title", None)
    assert after == before


def test_safe_text_is_still_rewritten_byte_for_byte() -> None:
    text = "id: abc  # mine\n# keep me\nupdated: 2026-01-01\ntitle: Old\n"
    assert replace_keys(text, {"updated": NEW}) == text.replace("2026-01-01", NEW)


# ---------------------------------------------------------------------------- fuzz

# Scalars that can carry an anchor and be aliased (a collection's anchor would work too,
# but these keep the generated YAML simple).
ANCHORABLE = st.one_of(st.booleans(), st.integers(-1000, 1000), st.text(max_size=12))


def flow_text(data: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{scalar(k, True)}: {_flow(v)}" for k, v in data.items()) + "}\n"


def _flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return flow_text(value).rstrip("\n")
    return scalar(value, True)


@st.composite
def front_matter(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Readable front matter text in one of several styles, and what it reads as."""
    data = draw(st.dictionaries(KEY, VALUE, min_size=1, max_size=6))
    style = draw(st.sampled_from(["block", "flow", "indented", "comments", "anchor"]))
    if style == "flow":
        text = flow_text(data)
    elif style == "indented":
        pad = " " * draw(st.integers(1, 4))
        text = "".join(pad + line + "\n" for line in dump(data).splitlines())
    elif style == "comments":
        lines = dump(data).splitlines()
        out = []
        for line in lines:
            out.append(line + draw(st.sampled_from(["", "  # note"])) + "\n")
            out.append(draw(st.sampled_from(["", "# between\n", "\n"])))
        text = "".join(out)
        if any(line.startswith(("  ", "-")) for line in lines):
            # A comment after a nested line could sit inside a block scalar; keep it simple.
            text = dump(data)
    else:
        anchored = draw(KEY.filter(lambda k: k not in data))
        alias = draw(KEY.filter(lambda k: k not in data and k != anchored))
        value = draw(ANCHORABLE)
        data = {anchored: value, **data, alias: value}
        body = dump({k: v for k, v in data.items() if k not in (anchored, alias)})
        text = f"{anchored}: &a1 {scalar(value)}\n{body}{alias}: *a1\n"
    assert parse(text) == data, text  # the generator writes what it means
    return text, data


@PROPERTY
@given(front_matter(), st.data())
def test_a_rewrite_of_any_readable_front_matter_changes_only_that_key(
    case: tuple[str, dict[str, Any]], draw: st.DataObject
) -> None:
    text, data = case
    key = draw.draw(st.sampled_from([*data, "updated", "brand_new"]))
    value = draw.draw(st.one_of(VALUE, st.just(DELETE)))
    result = replace_keys(text, {key: value})
    expected = dict(data)
    if value is DELETE:
        expected.pop(key, None)
    else:
        expected[key] = value
    assert parse(result) == expected, result


# ---------------------------------------------------------------------------- entries

FLOW_ENTRY = (
    "---\n{id: 01JDQ3V7K0000000000000000A, created: 2026-11-20T09:00:00+00:00, "
    "updated: &u 2026-11-20T09:00:00+00:00, title: Flow entry, tags: [flow]}\n"
    "---\n\nWritten by another tool.\n"
)
ANCHOR_ENTRY = (
    "---\nid: 01JDQ3V7K0000000000000000B\ncreated: 2026-11-20T09:00:00+00:00\n"
    "updated: &u 2026-11-20T09:00:00+00:00\ntitle: Anchored entry\ntags: [flow]\n"
    "reviewed: *u\n---\n\nWritten by another tool.\n"
)
INDENTED_ENTRY = (
    "---\n  id: 01JDQ3V7K0000000000000000C\n  created: 2026-11-20T09:00:00+00:00\n"
    "  title: Indented entry\n  tags: [flow]\n---\n\nWritten by another tool.\n"
)
ENTRIES = {"flow": FLOW_ENTRY, "anchor": ANCHOR_ENTRY, "indented": INDENTED_ENTRY}


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_touching_an_entry_keeps_it_readable(name: str) -> None:
    entry = Entry.from_bytes(ENTRIES[name].encode(), "x.md")
    touched = entry.touched(shared=[{"community": "cop", "path": "members/a/x.md"}])
    again = Entry.from_bytes(touched.document.to_bytes(), "x.md")
    assert again.shared == [{"community": "cop", "path": "members/a/x.md"}]
    assert again.title == entry.title and again.id == entry.id
    assert again.body == entry.body
    if name == "anchor":
        assert again.meta["reviewed"] == "2026-11-20T09:00:00+00:00"


EDITOR_SCRIPT = """
import pathlib, sys
path = pathlib.Path(sys.argv[-1])
path.write_text(path.read_text("utf-8") + "Added in the editor.\\n", "utf-8")
"""


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_edit_of_an_entry_written_by_another_tool(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    rel = f"entries/2026/11/2026-11-20-0900-{name}.md"
    write(root, rel, ENTRIES[name])
    git(root, "add", rel)
    git(root, "commit", "-qm", "by another tool")
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    entry_id = Entry.from_bytes(ENTRIES[name].encode(), rel).id
    result = cli("edit", entry_id)
    assert result.exit_code == 0, result.output
    shown = cli.json("show", entry_id)
    assert "Added in the editor." in shown["body"]
    assert shown["updated"] != "2026-11-20T09:00:00+00:00"
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_share_of_an_entry_written_by_another_tool(alice: Member, cop: Path, name: str) -> None:
    rel = f"entries/2026/11/2026-11-20-0900-{name}.md"
    write(alice.journal, rel, ENTRIES[name].replace("tags: [flow]", "tags: [testing]"))
    entry_id = Entry.from_bytes(ENTRIES[name].encode(), rel).id
    alice.ok("share", entry_id, "--to", "cop", "--yes")
    shown = json.loads(alice.ok("show", entry_id, "--json").stdout)
    assert shown["shared"][0]["community"] == "cop"
    assert "Written by another tool." in shown["body"]


# ---------------------------------------------------------------------------- refusal

# Flow style (so the text rewrite cannot be used) holding a value narrate's writer does
# not give back (a NaN is written as the text "nan"): neither way can be proved safe.
UNPROVABLE = (
    "---\n{id: 01JDQ3V7K0000000000000000D, created: 2026-11-20T09:00:00+00:00, "
    "title: Unprovable, tags: [testing], score: .nan}\n---\n\nWritten by another tool.\n"
)


def test_a_rewrite_that_cannot_be_proved_is_refused() -> None:
    with pytest.raises(FrontMatterError, match="cannot be rewritten"):
        replace_keys(UNPROVABLE.split("---\n")[1], {"updated": NEW})


def test_edit_still_commits_the_words_when_updated_cannot_be_written(
    cli: Cli, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rel = "entries/2026/11/2026-11-20-0900-unprovable.md"
    write(root, rel, UNPROVABLE)
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = cli("edit", "01JDQ3V7K0000000000000000D")
    assert result.exit_code == 0, result.output
    assert "Added in the editor." in (root / rel).read_text("utf-8")
    assert "score: .nan" in (root / rel).read_text("utf-8")
    assert git(root, "status", "--porcelain") == ""


def test_share_refuses_before_pushing_when_the_record_cannot_be_written(
    alice: Member, cop: Path
) -> None:
    write(alice.journal, "entries/2026/11/2026-11-20-0900-unprovable.md", UNPROVABLE)
    before = git(cop, "rev-list", "--all")
    result = alice("share", "01JDQ3V7K0000000000000000D", "--to", "cop", "--yes")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = [x for x in result.output.splitlines() if "cannot be rewritten" in x]
    assert "unprovable.md" in line
    assert git(cop, "rev-list", "--all") == before


def test_sync_keeps_a_conflict_copy_of_front_matter_it_cannot_rewrite(
    device_a: Journal,  # noqa: F811
    device_b: Journal,  # noqa: F811
) -> None:
    rel = "entries/2026/11/2026-11-20-0900-unprovable.md"
    write(device_a.root, rel, UNPROVABLE)
    device_a.commit_paths([rel], "by another tool")
    sync(device_a)
    sync(device_b)
    for device, words in ((device_a, "Laptop words"), (device_b, "Desktop words")):
        path = device.root / rel
        path.write_text(path.read_text("utf-8") + words + "\n", "utf-8")
        device.commit_paths([rel], words)
    sync(device_a)
    result = Syncer(device_b, 20.0).run()
    (conflict,) = result.conflicts
    kept, copy = conflict
    assert "Desktop words" in (device_b.root / kept).read_text("utf-8")
    assert "Laptop words" in (device_b.root / copy).read_text("utf-8")
    assert_healthy(device_b.root)


def test_the_apps_conflict_copy_of_front_matter_it_cannot_rewrite(journal: Journal) -> None:
    rel = "entries/2026/11/2026-11-20-0900-unprovable.md"
    write(journal.root, rel, UNPROVABLE)
    journal.commit_paths([rel], "by another tool")
    data = UNPROVABLE.replace("Written by another tool.", "The other version.").encode()
    copy = journal.keep_conflict_copy(rel, data)
    assert (journal.root / copy).read_bytes() == data
    assert git(journal.root, "status", "--porcelain") == ""


def test_a_new_body_is_kept_when_only_updated_cannot_be_written() -> None:
    entry = Entry.from_bytes(UNPROVABLE.encode(), "x.md")
    touched = entry.touched(body="New words from the app.\n")
    assert touched.body == "New words from the app.\n"
    assert touched.document.front_matter == entry.document.front_matter
    with pytest.raises(NarrateError, match=r"cannot change shared in x\.md"):
        entry.touched(shared=[{"community": "cop"}])


# ---------------------------------------------------------------------------- alias chains


def alias_chain(levels: int) -> str:
    """Each key holds two aliases of the one before: under the alias limit, yet it
    expands to 2**levels values."""
    return "a0: &a0 [x]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, levels + 1)
    )


def test_a_doubling_alias_chain_is_refused_quickly() -> None:
    import time

    started = time.monotonic()
    with pytest.raises(FrontMatterError, match="expands to more than"):
        parse(alias_chain(30))  # 60 aliases: under the limit of 64
    assert time.monotonic() - started < 2


def test_a_short_alias_chain_is_read_and_rewritten() -> None:
    text = alias_chain(4)
    before = parse(text)
    assert before["a2"] == [[["x"], ["x"]], [["x"], ["x"]]]
    # a0's anchor is used by a1: the front matter is written anew, a1..a4 kept.
    after = parse(replace_keys(text, {"a0": ["y"]}))
    assert after == {**before, "a0": ["y"]}
