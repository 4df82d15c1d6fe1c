"""YAML front matter: a fast reader for what narrate writes, a safe YAML fallback, and
an emitter that rewrites one key without touching the bytes of any other."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yaml import SafeLoader

# Front matter beyond this is refused rather than parsed: no journal entry needs it,
# and it bounds the work a hostile file can cause.
MAX_FRONT_MATTER = 256 * 1024
MAX_ALIASES = 64
# More values than 256 KB of YAML can spell out without aliases (a flow list of one
# character items holds about 131,000).
MAX_VALUES = 200_000


class FrontMatterError(ValueError):
    """The front matter cannot be read; the message says why, for the user."""


# ---------------------------------------------------------------------------- reading

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}
_PLAIN_START_BAD = set("-?:,[]{}#&*!|>'\"%@`")


# Characters YAML forbids raw in a document (outside its printable set: tab, LF, CR,
# 0x20-0x7e, 0x85, 0xa0-0xd7ff, 0xe000-0xfffd, 0x10000 and up), or that would be read
# back differently. Written as the few characters it forbids, not as the negation of
# what it allows: the same set, compiled in 0.4 ms instead of 6.4 ms (every `show`
# and `add` compiled it); tests/journal/test_frontmatter.py holds the two equal.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# YAML 1.1 line breaks besides "\n", and the byte order mark.
_ODD_BREAKS = "\r\x85\u2028\u2029\ufeff"
_NOT_FAST = re.compile(f"[{_UNPRINTABLE.pattern[1:-1]}{_ODD_BREAKS}]")


class _Fallback(Exception):
    """The fast reader met YAML it does not handle; the full parser takes over."""


def _plain_scalar(text: str, in_flow: bool = False) -> Any:
    """Resolve a plain scalar the way the YAML loader below does."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if text[0] in _PLAIN_START_BAD or ": " in text or " #" in text or text.endswith(":"):
        raise _Fallback
    if _FLOAT.fullmatch(text) or text.startswith("<<") or text == "=":
        raise _Fallback
    if in_flow and any(c in text for c in ",[]{}?:"):
        raise _Fallback
    return text


def _quoted_or_plain(text: str, in_flow: bool = False) -> Any:
    if text.startswith("'"):
        inner = text[1:-1]
        if len(text) < 2 or not text.endswith("'") or "'" in inner.replace("''", ""):
            raise _Fallback
        return inner.replace("''", "'")
    if text.startswith('"'):
        inner = text[1:-1]
        if len(text) < 2 or not text.endswith('"') or '"' in inner or "\\" in inner:
            raise _Fallback
        return inner
    return _plain_scalar(text, in_flow)


def _fast_value(value: str) -> Any:
    """A non-empty value on a ``key: value`` line: a scalar or a ``[a, b]`` list."""
    if value.startswith("["):
        if not value.endswith("]"):
            raise _Fallback
        inner = value[1:-1].strip()
        items = [] if not inner else [item.strip() for item in inner.split(",")]
        if any(not item for item in items):
            raise _Fallback
        return [_quoted_or_plain(item, in_flow=True) for item in items]
    if value[0] in "{|>&*!":
        raise _Fallback
    return _quoted_or_plain(value)


def _fast_items(lines: list[str], start: int) -> tuple[list[dict[str, Any]], int]:
    """The block list of flat mappings narrate writes under a key (``practice:``):
    ``  - key: value`` opens an item, ``    key: value`` continues it. Returns the
    items and the index of the first line after them; any other shape falls back."""
    items: list[dict[str, Any]] = []
    index = start
    while index < len(lines) and lines[index].startswith(" "):
        line = lines[index]
        if line.startswith("  - "):
            items.append({})
            body = line[4:]
        elif line.startswith("    ") and items and line[4:5] != " ":
            body = line[4:]
        else:
            raise _Fallback
        match = _KEY_LINE.fullmatch(body)
        if not match or not match.group(2):
            raise _Fallback  # a nested block, a bare "- value" or not a key at all
        items[-1][match.group(1)] = _fast_value(match.group(2))
        index += 1
    return items, index


def _fast_parse(text: str) -> dict[str, Any]:
    """Read front matter made of ``key: scalar`` and ``key: [a, b]`` lines, and the
    block lists of flat mappings narrate writes for practice changes."""
    if _NOT_FAST.search(text):
        # Control characters, BOM, and line breaks YAML knows but str.split("\n") does
        # not (\r, NEL, U+2028/9): the full parser decides what they mean.
        raise _Fallback
    if "\t" in text:  # YAML refuses tabs in many places the patterns allow
        raise _Fallback
    result: dict[str, Any] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line or line.startswith("#"):
            continue
        match = _KEY_LINE.fullmatch(line)
        if not match:
            raise _Fallback
        key, value = match.group(1), match.group(2) or ""
        if value:
            result[key] = _fast_value(value)
            continue
        following = lines[index] if index < len(lines) else ""
        if following.startswith("  - "):
            result[key], index = _fast_items(lines, index)
            continue
        # Any other indented or "- " line after an empty value is a block: fallback.
        following = next((x for x in lines[index:] if x and not x.startswith("#")), "")
        if following[:1] in (" ", "-", "\t"):
            raise _Fallback
        result[key] = None
    return result


def _make_loader(base: type[SafeLoader]) -> type[SafeLoader]:
    """A safe loader without YAML 1.1's surprises: yes/no/on stay strings, 00123 is not
    octal, timestamps stay text (narrate parses dates itself), aliases are bounded."""

    class Loader(base):  # type: ignore[misc,valid-type]  # a base chosen at run time
        alias_count = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            import yaml

            if self.check_event(yaml.AliasEvent):
                self.alias_count += 1
                if self.alias_count > MAX_ALIASES:
                    raise FrontMatterError(f"more than {MAX_ALIASES} YAML aliases")
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            # A key is its text: "true: x" and "null: y" name keys "true" and "null",
            # as the fast reader reads them, not True and None.
            for key_node, _ in node.value:
                if getattr(key_node, "tag", "").rsplit(":", 1)[-1] in _TYPED_KEY_TAGS:
                    key_node.tag = "tag:yaml.org,2002:str"
            return super().construct_mapping(node, deep)

    resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in base.yaml_implicit_resolvers.items():
        kept = [
            (tag, regexp)
            for tag, regexp in entries
            if tag.rsplit(":", 1)[-1] not in ("bool", "int", "float", "timestamp")
        ]
        if kept:
            resolvers[first] = kept
    Loader.yaml_implicit_resolvers = resolvers
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
    )
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float", re.compile(rf"^(?:{_FLOAT.pattern})$"), list("-+0123456789.")
    )
    return Loader


_TYPED_KEY_TAGS = {"null", "bool", "int", "float", "timestamp"}
_loaders: dict[str, type[SafeLoader]] = {}


def _yaml_load(text: str) -> Any:
    import yaml

    if not _loaders:
        _loaders["py"] = _make_loader(yaml.SafeLoader)
        # libyaml's parser is ~10x faster, but its composer cannot be hooked to count
        # aliases, so it only reads text that has no alias at all.
        _loaders["c"] = _make_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    loader = _loaders["py"] if "*" in text else _loaders["c"]
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader subclass: no python tags
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at front matter line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise FrontMatterError("YAML nested too deeply") from None


def _plainify(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """Turn what YAML may still construct (explicit !!timestamp, bytes) into JSON types."""
    if depth > 50:
        raise FrontMatterError("YAML nested too deeply")
    if budget is None:
        budget = [MAX_VALUES]
    budget[0] -= 1
    if budget[0] < 0:
        # Aliases of aliases (a1: [*a0, *a0], a2: [*a1, *a1], ...) stay under the alias
        # limit yet expand exponentially; every reader and writer walks the expansion.
        raise FrontMatterError(f"YAML expands to more than {MAX_VALUES} values")
    if isinstance(value, dict):
        return {str(k): _plainify(v, depth + 1, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_plainify(v, depth + 1, budget) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, set):
        return sorted(str(v) for v in value)
    return value


def parse(text: str) -> dict[str, Any]:
    """The front matter mapping; raises FrontMatterError with a reason for the user."""
    if len(text) > MAX_FRONT_MATTER:
        raise FrontMatterError(f"front matter larger than {MAX_FRONT_MATTER // 1024} KB")
    try:
        return _fast_parse(text)
    except _Fallback:
        pass
    data = _yaml_load(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(f"front matter is a {type(data).__name__}, not a mapping")
    plain: dict[str, Any] = _plainify(data)  # a mapping stays a mapping
    return plain


# ---------------------------------------------------------------------------- writing

_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:\d{2})?"
)
# Anything YAML 1.1 or 1.2 might read as a number, date or sexagesimal: quoted. A ULID
# ("01JDQ3V7...") has other letters, so ids stay plain as in SPEC §2.
_NUMBER_LIKE = re.compile(r"[-+]?[0-9][-+.0-9_:eExXoObBa-fA-F]*")
_RESERVED = {"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~"}


def _needs_quotes(text: str, in_flow: bool) -> bool:
    if not text or text != text.strip() or text.lower() in _RESERVED:
        return True
    if text[0] in _PLAIN_START_BAD or text[0] in "+.<=" or _NUMBER_LIKE.fullmatch(text):
        return True
    if ": " in text or " #" in text or text.endswith(":") or "\n" in text or "\t" in text:
        return True
    if in_flow and any(c in text for c in ",[]{}?:"):
        return True
    return bool(_NOT_FAST.search(text))


def _quote(text: str) -> str:
    # JSON's escapes are a subset of YAML's double-quoted escapes; JSON leaves DEL, NEL,
    # U+2028/9 and the BOM raw, and YAML would read those back differently.
    quoted = json.dumps(text, ensure_ascii=False)
    return _NOT_FAST.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def scalar(value: Any, in_flow: bool = False) -> str:
    """One YAML scalar that reads back as the same value with the loader above."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or abs(value) == float("inf"):
            return _quote(str(value))
        text = repr(value)
        # The loader's float pattern (YAML 1.1's) needs a "." before any exponent:
        # 1e+16 would read back as a string.
        mantissa, e, exponent = text.partition("e")
        return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text
    text = str(value)
    if _ISO_DATE.fullmatch(text):
        return text
    return _quote(text) if _needs_quotes(text, in_flow) else text


def _block(value: Any, indent: int) -> list[str]:
    """Lines for a nested value under a key, indented by ``indent`` spaces."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            lines.extend(_key_lines(str(key), item, indent))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                inner = _block(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {_inline(item)}")
    return lines


def _inline(value: Any, in_flow: bool = False) -> str:
    """A value on one line; inside [...] or {...} every scalar is written for flow context."""
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v, True) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{scalar(k, True)}: {_inline(v, True)}" for k, v in value.items())
            + "}"
        )
    return scalar(value, in_flow)


def _key_lines(key: str, value: Any, indent: int = 0) -> list[str]:
    pad = " " * indent
    name = key if _PLAIN_KEY.fullmatch(key) else _quote(key)
    if isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        return [f"{pad}{name}:", *_block(value, indent + 2)]
    if isinstance(value, dict) and value:
        return [f"{pad}{name}:", *_block(value, indent + 2)]
    return [f"{pad}{name}: {_inline(value)}"]


def dump(data: dict[str, Any]) -> str:
    """Front matter text (without the --- fences) for a mapping, in its key order."""
    return "".join(line + "\n" for key, value in data.items() for line in _key_lines(key, value))


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# A top-level key: plain, or quoted without escapes ("title": and 'title': name the
# same key as title:, and replacing it must not leave a duplicate behind).
_BLOCK_KEY = re.compile(
    r"""(?:([A-Za-z_][A-Za-z0-9_-]*)|"([^"\\]*)"|'([^']*)')[ \t]*:(?=[ \t\r\n]|$)"""
)


def _top_level_blocks(text: str) -> list[tuple[str | None, str]]:
    """Split front matter text into (key, text) blocks: a key line and its continuation."""
    blocks: list[tuple[str | None, str]] = []
    # Split on "\n" only: str.splitlines() also breaks on U+2028, NEL and friends, which
    # may sit inside a value.
    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
        if line[:1] not in (" ", "\t", "-", "#", "\n", "\r", "") or not blocks:
            match = _BLOCK_KEY.match(line)
            key = next((g for g in match.groups() if g is not None), None) if match else None
            blocks.append((key, line))
        else:
            key, body = blocks[-1]
            blocks[-1] = (key, body + line)
    return blocks


def replace_keys(text: str, changes: dict[str, Any]) -> str:
    """Front matter text with ``changes`` applied, every other byte unchanged.

    A key whose value is the sentinel ``DELETE`` is removed; new keys go at the end.
    Comments and blank lines after a replaced key's block are kept.

    The text rewrite knows block-style ``key: value`` lines; where the result does not
    read back as the old mapping with ``changes`` applied (flow style, an indented
    mapping, an anchor on a replaced key), the whole front matter is written anew.
    Raises FrontMatterError, before anything is written, when neither can be proved.
    """
    before = parse(text)
    expected = dict(before)
    for key, value in changes.items():
        if value is DELETE:
            expected.pop(key, None)
        else:
            # The value as it reads back: what the rewrite must produce.
            expected[key] = parse(dump({key: value}))[key]
    rewritten = _replace_text(text, changes)
    if _reads_as(rewritten, expected):
        return rewritten
    fresh = dump(expected)
    if _reads_as(fresh, expected):
        return fresh
    raise FrontMatterError(
        "its front matter cannot be rewritten without changing other values; write it "
        "in block style, one 'key: value' per line"
    )


def _reads_as(text: str, expected: dict[str, Any]) -> bool:
    try:
        return _same(parse(text), expected)
    except FrontMatterError:
        return False


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types (True is not 1, a NaN is itself)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return bool(b != b)
    return bool(a == b)


def _replace_text(text: str, changes: dict[str, Any]) -> str:
    blocks = _top_level_blocks(text)
    done: set[str] = set()
    out: list[str] = []
    for key, block in blocks:
        if key is None or key not in changes:
            out.append(block)
            continue
        trailing = _trailing_trivia(block)
        if key not in done and changes[key] is not DELETE:
            out.append(dump({key: changes[key]}))
        out.append(trailing)
        done.add(key)
    for key, value in changes.items():
        if key not in done and value is not DELETE:
            if out and not out[-1].endswith("\n") and out[-1]:
                out.append("\n")
            out.append(dump({key: value}))
    return "".join(out)


def _trailing_trivia(block: str) -> str:
    """The blank and comment lines that end a block (they belong to what follows)."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", block)
    keep: list[str] = []
    for line in reversed(lines[1:]):
        if line.strip() == "" or line.startswith("#"):
            keep.append(line)
        else:
            break
    return "".join(reversed(keep))


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()
