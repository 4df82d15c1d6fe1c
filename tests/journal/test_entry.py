"""Entries: splitting files, byte-exact round trips, lenient reading, inline tags."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrate.journal import frontmatter
from narrate.journal.entry import (
    SLUG_BYTES,
    BrokenEntry,
    Document,
    Entry,
    Practice,
    derive_title,
    inline_tags,
    new_id,
    normalise_tag,
    parse_timestamp,
    slugify,
    sort_key,
)
from tests.helpers import PROPERTY
from tests.journal.test_frontmatter import MAPPING

# Any text but NUL: a NUL byte marks a file as binary, which is refused by design.
BODY = st.text(alphabet=st.sampled_from("ab #-\n\r\t\ufeff…"), max_size=40) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30
)


def build(front_matter: str, body: str, newline: str, bom: bool, closing: str = "---\n") -> bytes:
    text = f"---\n{front_matter}{closing}{body}".replace("\n", newline)
    return (("\ufeff" if bom else "") + text).encode("utf-8")


# ---------------------------------------------------------------------------- round trip


@PROPERTY
@given(
    MAPPING,
    BODY,
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.sampled_from(["---\n", "...\n", "---   \n", "---"]),
)
def test_an_entry_read_and_written_unchanged_keeps_every_byte(
    data: dict, body: str, newline: str, bom: bool, closing: str
) -> None:
    raw = build(
        frontmatter.dump(data), body if closing.endswith("\n") else "", newline, bom, closing
    )
    entry = Entry.from_bytes(raw, "entries/2026/11/x.md")
    assert entry.document.to_bytes() == raw


@PROPERTY
@given(
    MAPPING,
    st.text(alphabet=st.sampled_from("ab #\n-"), max_size=30),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_documents_rebuilt_from_their_parts_keep_bom_and_line_ends(
    data: dict, body: str, newline: str, bom: bool
) -> None:
    # Not only the remembered bytes: the parts themselves rebuild a consistent file.
    raw = build(frontmatter.dump(data), body, newline, bom)
    doc = Document.from_bytes(raw)
    rebuilt = Document(doc.front_matter, doc.body, doc.newline, doc.bom, doc.closing)
    assert rebuilt.to_bytes() == raw
    assert doc.bom is bom and doc.newline == newline
    assert "\r" not in doc.front_matter


def test_mixed_line_ends_survive_an_unchanged_round_trip() -> None:
    raw = b"---\r\nid: x\r\ntitle: t\n---\r\nfirst\nsecond\r\n"
    assert Entry.from_bytes(raw).document.to_bytes() == raw


@PROPERTY
@given(
    st.sampled_from(["title", "updated", "tags", "private", "novel_key"]),
    st.one_of(st.text(max_size=20), st.booleans(), st.lists(st.text(max_size=5), max_size=3)),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_changing_one_field_keeps_unknown_keys_order_comments_body_bom_and_line_ends(
    key: str, value: object, newline: str, bom: bool
) -> None:
    front = (
        "id: 01JDQ3V7Y8K2M4N6P8R0S2T4V6\n# a comment someone wrote\ncreated: 2026-11-27 09:14\n"
        "updated: 2026-11-27T09:30:12+01:00\ntitle:   Reviewing tests first\ntags: [a,b]\n"
        "mood: calm   # unknown key, kept\nprivate: false\nx-obsidian:\n  cssclass: wide\n"
    )
    body = "\nBody line #tag\n\n```\ncode\n```\n"
    raw = build(front, body, newline, bom)
    changed = Entry.from_bytes(raw, "entries/2026/11/x.md").with_changes(**{key: value})
    expected = build(frontmatter.replace_keys(front, {key: value}), body, newline, bom)
    assert changed.document.to_bytes() == expected
    assert changed.meta[key] == value
    assert changed.meta["mood"] == "calm" and changed.meta["x-obsidian"] == {"cssclass": "wide"}


def test_replacing_the_body_keeps_the_front_matter_bytes() -> None:
    raw = build("id: abc\ntitle: T\nodd:    spacing\n", "\nold body\n", "\r\n", True)
    changed = Entry.from_bytes(raw).with_changes(body="new body")
    assert changed.document.to_bytes() == build(
        "id: abc\ntitle: T\nodd:    spacing\n", "\nnew body\n", "\r\n", True
    )
    assert changed.body == "new body\n"


# ---------------------------------------------------------------------------- broken files

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
BROKEN: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty file"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "bad-utf8": (b"---\ntitle: caf\xe9\n---\nbody\n", "not UTF-8"),
    "blank": (b"\n  \n", "empty file"),
    "unclosed": (b"---\nid: x\ntitle: never closed\n\nbody\n", "not closed"),
    "broken-yaml": (b"---\nid: x\ntitle: [unclosed\n---\nbody\n", "invalid YAML"),
    "list": (b"---\n- just\n- a list\n---\nbody\n", "not a mapping"),
    "scalar": (b"---\njust a sentence\n---\nbody\n", "not a mapping"),
    "alias-bomb": (f"---\n{ALIAS_BOMB}---\nbody\n".encode(), "aliases"),
    "huge": (("---\n" + "k: " + "v" * 300_000 + "\n---\nbody\n").encode(), "larger than"),
    "python-tag": (b"---\n!!python/object/apply:os.system ['true']\n---\n", "invalid YAML"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_files_raise_with_a_reason(name: str) -> None:
    data, reason = BROKEN[name]
    with pytest.raises(BrokenEntry) as caught:
        Entry.from_bytes(data, f"entries/2026/11/{name}.md")
    assert reason in caught.value.reason


def test_a_note_without_front_matter_is_an_entry_kept_byte_for_byte() -> None:
    data = b"Went to the park.\n\n# Park day\n\nSaw #birds\n"
    entry = Entry.from_bytes(data, "Daily/2026-12-01.md", mtime=1.7e9)
    assert entry.title == "Park day"  # the first heading, not the first line
    assert entry.created == dt.datetime(2026, 12, 1) and entry.created_from == "file name"
    assert entry.all_tags() == ["birds"] and entry.body == data.decode()
    assert entry.document.to_bytes() == data
    untitled = Entry.from_bytes(b"just words\n", "Notes/Idea one.md", mtime=1.7e9)
    assert untitled.title == "Idea one" and untitled.created_from == "mtime"
    assert untitled.created == dt.datetime.fromtimestamp(1.7e9).astimezone()
    # The first write through narrate adds front matter, with the id and date it was read
    # with, and keeps every byte of the note below it.
    starred = entry.with_changes(starred=True)
    assert starred.id == entry.id and starred.created == entry.created and starred.starred
    assert starred.document.to_bytes().endswith(b"---\n" + data)


def test_a_bom_file_is_read_without_the_bom_in_any_value() -> None:
    entry = Entry.from_bytes(build("id: abc\ntitle: With BOM\n", "\nbody\n", "\r\n", True))
    assert entry.id == "abc" and entry.title == "With BOM" and entry.body == "body\n"


# ---------------------------------------------------------------------------- lenient meaning


def doc(front: str, body: str = "\nBody\n") -> Document:
    return Document.from_bytes(f"---\n{front}---\n{body}".encode())


def test_yaml_11_words_stay_strings_in_entries() -> None:
    entry = Entry.from_bytes(
        b"---\nid: 00123\ntitle: no\ntags: [no, yes, on, off]\ncreated: 2026-11-27\n---\n"
    )
    assert entry.id == "00123"
    assert entry.title == "no"
    assert entry.tags == ["no", "yes", "on", "off"]


@pytest.mark.parametrize("value", ["true", "yes", "on", "True", "'yes'"])
def test_private_yes_means_private(value: str) -> None:
    entry = Entry.from_bytes(f"---\nid: a\nprivate: {value}\n---\n".encode())
    assert entry.private is True


@pytest.mark.parametrize(
    "line",
    [
        "Private: true",
        "PRIVATE: yes",
        "private: maybe",
        "private: [true]",
        'private: "sí"',
        "private: {really: true}",
        "private: 2",
        "PrIvAtE: 'x'",
        "private: false\nPrivate: true",
        "private: none",
    ],
)
def test_a_private_flag_written_any_way_but_a_clear_false_means_private(line: str) -> None:
    entry = Entry.from_bytes(f"---\nid: a\n{line}\n---\n".encode())
    assert entry.private is True


@pytest.mark.parametrize(
    "value", ["false", "no", "off", "", "null", "n", "0", "'False '", "' NO'", "~", "Off"]
)
def test_private_no_means_shareable(value: str) -> None:
    entry = Entry.from_bytes(f"---\nid: a\nprivate: {value}\n---\n".encode())
    assert entry.private is False


def test_missing_fields_are_derived_and_noted() -> None:
    entry = Entry.from_bytes(
        b"---\ncreated: whenever\n---\n\n# Heading title\n\nText\n",
        "entries/2026/11/2026-11-20-0930-note.md",
    )
    assert entry.id.startswith("P") and len(entry.id) == 26
    again = Entry.from_bytes(b"---\n---\nx\n", "entries/2026/11/2026-11-20-0930-note.md")
    assert again.id == entry.id, "a derived id is stable for a path"
    assert entry.created == dt.datetime(2026, 11, 20, 9, 30)
    assert entry.title == "Heading title"
    assert any("no id" in note for note in entry.notes)
    assert any("created" in note for note in entry.notes)


def test_tags_are_normalised_from_any_shape() -> None:
    entry = Entry.from_meta(
        {"id": "a", "tags": "Lang/Python, #Testing  review, not a tag!"}, doc("id: a\n")
    )
    assert entry.tags == ["lang/python", "testing", "review", "not", "a"]  # "tag!" is no tag
    single = Entry.from_meta({"id": "a", "tags": 2026}, doc("id: a\n"))
    assert single.tags == []  # digits only: no tag, as in Obsidian


def test_practice_is_read_from_a_mapping_or_a_list() -> None:
    one = Entry.from_meta(
        {"id": "a", "practice": {"area": "Code Review", "change": "Tests first"}}, doc("id: a\n")
    )
    assert one.practice[0].area == "code-review"
    many = Entry.from_bytes(
        b"---\nid: a\npractice:\n  - area: testing\n    change: Write the test first\n"
        b"    before: Tests last\n    source: python-cop\n    status: ADOPTED\n    extra: kept\n"
        b"  - nonsense\n  - area: x\n    change: y\n    status: bogus\n---\n"
    )
    first, second = many.practice
    assert (first.area, first.change, first.before, first.source, first.status) == (
        "testing",
        "Write the test first",
        "Tests last",
        "python-cop",
        "adopted",
    )
    assert first.to_data()["extra"] == "kept"
    assert second.status == "trying"


def test_to_json_has_exactly_the_spec_keys() -> None:
    entry = Entry.new("Body #inline", title="T", tags=["a"], practice=[Practice("x", "y")])
    data = entry.to_json(body=True)
    assert set(data) == {
        "id", "title", "created", "updated", "tags", "path", "private", "practice", "shared",
        "starred", "body"
    }  # fmt: skip
    assert data["tags"] == ["a", "inline"]
    assert data["practice"] == [
        {"area": "x", "change": "y", "before": None, "source": None, "status": "trying",
         "review_after": None}
    ]  # fmt: skip
    assert dt.datetime.fromisoformat(data["created"]).tzinfo is not None


def test_new_entries_have_the_spec_front_matter_in_order() -> None:
    when = dt.datetime(2026, 11, 27, 9, 14, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    entry = Entry.new(
        "Body", title="Reviewing tests first", created=when, tags=["code-review"], private=True
    )
    assert list(entry.meta) == ["id", "created", "updated", "title", "tags", "private"]
    assert entry.document.front_matter.startswith(
        f"id: {entry.id}\ncreated: 2026-11-27T09:14:00+01:00\n"
    )
    assert "title: Reviewing tests first\ntags: [code-review]\n" in entry.document.front_matter
    again = Entry.from_bytes(entry.document.to_bytes())
    assert (again.id, again.title, again.tags, again.private) == (
        entry.id, "Reviewing tests first", ["code-review"], True
    )  # fmt: skip
    assert again.created == when


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27", dt.datetime(2026, 11, 27)),
        ("2026-11-27 09:14", dt.datetime(2026, 11, 27, 9, 14)),
        ("2026-11-27 9:14", dt.datetime(2026, 11, 27, 9, 14)),
        ("2026-11-27T09:14:00", dt.datetime(2026, 11, 27, 9, 14)),
        ("2026-11-27T09:14:00Z", dt.datetime(2026, 11, 27, 9, 14, tzinfo=dt.UTC)),
        ("2026-11-27T10:14:00+01:00", dt.datetime(2026, 11, 27, 9, 14, tzinfo=dt.UTC)),
        ("2026-11-27 10:14:00 +0100", dt.datetime(2026, 11, 27, 9, 14, tzinfo=dt.UTC)),
        ("2026/11/27", dt.datetime(2026, 11, 27)),
        ("27.11.2026", dt.datetime(2026, 11, 27)),
        ("2026-11-27 9:14 PM", dt.datetime(2026, 11, 27, 21, 14)),
        ("Nov 27, 2026", dt.datetime(2026, 11, 27)),
        ("27 November 2026", dt.datetime(2026, 11, 27)),
    ],
)
def test_common_date_shapes_are_read(text: str, expected: dt.datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "2026-13-45", "32.01.2026", None])
def test_unreadable_dates_are_none(text: str | None) -> None:
    assert parse_timestamp(text) is None


def test_dates_of_every_shape_sort_deterministically() -> None:
    shapes = [
        "2026-11-27T10:30:00+01:00",  # 09:30 UTC
        "2026-11-27 09:14",  # naive: read as UTC
        "2026-11-27",
        "2026/11/26",
        "Nov 28, 2026",
        "2026-11-27T09:20:00Z",
    ]
    moments = [parse_timestamp(s) for s in shapes]
    keys = [sort_key(m) for m in moments if m is not None]
    ordered = [s for _, s in sorted(zip(keys, shapes, strict=True))]
    assert ordered == [
        "2026/11/26",
        "2026-11-27",
        "2026-11-27 09:14",
        "2026-11-27T09:20:00Z",
        "2026-11-27T10:30:00+01:00",
        "Nov 28, 2026",
    ]
    assert len(set(keys)) == len(keys)


# ---------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Paired with Sam on the deploy #devops", ["devops"]),
        ("- item one #list-tag\n- item two #Other", ["list-tag", "other"]),
        ("> quoted #quoted", ["quoted"]),
        ("#start of a paragraph", ["start"]),
        ("nested #lang/python tag", ["lang/python"]),
        ("see [#linked](https://example.com)", ["linked"]),
        ("same #tag and #TAG again", ["tag"]),
        ("`#code` and #real", ["real"]),
        ("```\n#fenced\n```\n\nafter #real", ["real"]),
        ("~~~python\n# comment #fenced\n~~~", []),
        ("para\n\n    #indented code\n", []),
        ("# Heading #notag\n\ntext", []),
        ("## Sub heading #notag", []),
        ("Setext heading #notag\n===", []),
        ("see https://example.com/page#frag and https://x/#frag", []),
        ("<https://example.com/#frag>", []),
        ("write to alice@example.com#x or bob#dev@example.com", []),
        ("mail dev+#ops@example.com", []),
        ("C# and F# are languages", []),
        ("entity &#38; and ## double", []),
        ('<a href="#frag">link</a> inline html', []),
        ("<span>#shown</span> text inside inline html is prose", ["shown"]),
        ("![#alt](img.png) image text", []),
        ("issue #-1 is not a tag", []),
    ],
)
def test_inline_tags_come_only_from_prose(markdown: str, expected: list[str]) -> None:
    assert inline_tags(markdown) == expected


def test_a_title_starting_with_a_tag_keeps_it() -> None:
    entry = Entry.new("#devops standup went well")
    assert entry.title == "#devops standup went well"
    assert entry.all_tags() == ["devops"]
    titled = Entry.new("", title="#devops standup")
    assert titled.all_tags() == ["devops"]
    heading = Entry.new("# Weekly review #retro\n\ntext")
    assert heading.title == "Weekly review #retro" and heading.all_tags() == ["retro"]


def test_title_tags_count() -> None:
    entry = Entry.new("Body without tags", title="Paired with Sam #devops")
    assert entry.all_tags() == ["devops"]
    assert "devops" in entry.to_json()["tags"]


@pytest.mark.parametrize(
    ("raw", "tag"),
    [("Python", "python"), ("#Lang/Python", "lang/python"), ("a_b-c", "a_b-c"),
     ("trailing/", "trailing"), ("no spaces", None), ("-lead", None), ("", None), ("é", "é"),
     ("2024", None), ("y2024", "y2024"), ("#Straße", "strasse"), ("STRASSE", "strasse"),
     ("#Über-team", "über-team"), ("日本語", "日本語"), ("İstanbul", "i̇stanbul"),
     ("हिंदी", "हिंदी"), ("#café", "café"), ("cafe\u0301", "café")],
)  # fmt: skip
def test_normalise_tag(raw: str, tag: str | None) -> None:
    assert normalise_tag(raw) == tag


# ---------------------------------------------------------------------------- names


def test_slugify_makes_short_names_that_keep_every_script() -> None:
    assert slugify("Paired with Sam on the flaky deploy #devops") == (
        "paired-with-sam-on-the-flaky-deploy-devops"
    )
    assert slugify("Café déjà vu") == "café-déjà-vu"
    assert slugify("Обзор кода") == "обзор-кода"
    assert slugify("Ærøskøbing") == "ærøskøbing"
    assert slugify("Straße") == "straße"
    assert slugify("Cafe\u0301") == "café"  # NFC: one name whatever the keyboard typed
    assert slugify("😀!!") == "entry"
    long = slugify("word " * 40)
    assert len(long) <= 48 and not long.endswith("-")


@PROPERTY
@given(st.text())
def test_slugs_are_always_safe_file_names(text: str) -> None:
    slug = slugify(text)
    assert unicodedata.normalize("NFC", slug) == slug and slug == slug.lower()
    assert len(slug) <= 48 and len(slug.encode("utf-8")) <= SLUG_BYTES
    words = slug.split("-")
    assert all(words) and not any(unicodedata.category(w[0]).startswith("M") for w in words)
    # Nothing a file system treats specially: no separators, dots, spaces or controls.
    assert all(c.isdecimal() or unicodedata.category(c)[0] in "LM" for w in words for c in w)


def test_ids_are_ulids_sorted_by_time() -> None:
    earlier = new_id(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    later = new_id(dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", earlier)
    assert earlier < later
    assert len({new_id() for _ in range(1000)}) == 1000
    for year in (1, 1900, 9999):
        old_or_far = new_id(dt.datetime(year, 6, 1, tzinfo=dt.UTC))
        assert re.fullmatch(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", old_or_far), (year, old_or_far)


def test_derive_title_skips_blank_lines_and_heading_marks() -> None:
    assert derive_title("\n\n## The title\nmore") == "The title"
    assert derive_title("#\n# \nreal") == "real"
    assert derive_title("#devops standup went well") == "#devops standup went well"
    assert derive_title("x" * 150).endswith("…") and len(derive_title("x" * 150)) == 100
    assert derive_title("\n   \n") == ""


YAMLISH = st.text(
    alphabet=st.sampled_from("abc019 -:#[]{},'\"&*!|>?\n\r\t.@`%~\\é\x85"), max_size=60
)


@PROPERTY
@given(
    st.one_of(
        st.binary(max_size=200),
        st.tuples(YAMLISH, YAMLISH).map(lambda p: f"---\n{p[0]}\n---\n{p[1]}".encode()),
        st.tuples(
            st.sampled_from(["id", "title", "tags", "created", "private", "practice", "shared"]),
            YAMLISH,
        ).map(lambda p: f"---\nid: x\n{p[0]}: {p[1]}\n---\nbody\n".encode()),
    )
)
def test_any_bytes_are_an_entry_or_a_broken_entry(data: bytes) -> None:
    from narrate.journal.index import entry_row

    try:
        entry = Entry.from_bytes(data, "entries/2026/11/2026-11-27-0900-any.md")
    except BrokenEntry as exc:
        assert exc.reason
        return
    assert entry.id and isinstance(entry.title, str)
    json.dumps(entry.to_json(body=True))
    row = entry_row(entry)
    assert row["day"] == entry.created.date().isoformat()
    assert entry.document.to_bytes() == data


TAG = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}(/[a-z0-9][a-z0-9_-]{0,5})?", fullmatch=True).filter(
    lambda tag: normalise_tag(tag) == tag  # stored form: no trailing "-"
)
NO_CR = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\x00"), max_size=40)


@PROPERTY
@given(
    title=NO_CR.filter(lambda t: t.strip() != ""),
    body=NO_CR,
    tags=st.lists(TAG, max_size=4, unique=True),
    change=st.none() | st.tuples(TAG, NO_CR, st.none() | NO_CR),
    private=st.booleans(),
)
def test_what_narrate_writes_it_reads_back(
    title: str,
    body: str,
    tags: list[str],
    change: tuple[str, str, str | None] | None,
    private: bool,
) -> None:
    practice = [Practice(change[0], change[1], source=change[2])] if change else []
    written = Entry.new(body, title=title, tags=tags, practice=practice, private=private)
    read = Entry.from_bytes(written.document.to_bytes(), "entries/2026/11/x.md")
    assert read.meta == written.meta
    assert read.title == title.strip()
    assert read.tags == tags
    assert read.private is private
    assert read.body == (body + "\n" if body and not body.endswith("\n") else body)
    assert [(p.area, p.change, p.source) for p in read.practice] == [
        (p.area, p.change, p.source or None) for p in practice
    ]
    assert read.id == written.id and read.created == written.created


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("Tried #café and #straße, then #STRASSE", ["café", "strasse"]),
        ("Meeting #日本語 with #Über-team", ["日本語", "über-team"]),
        ("Year #2024 is no tag, #y2024 is", ["y2024"]),
        ("#İstanbul trip, and #i̇stanbul again", ["i̇stanbul"]),
        ("समाचार #हिंदी और #मराठी", ["हिंदी", "मराठी"]),
        ("mail dev+#ops@example.com, see https://x.org/#frag, &#38; ##x", []),
    ],
)
def test_inline_tags_in_every_language(text: str, tags: list[str]) -> None:
    assert inline_tags(text) == tags
