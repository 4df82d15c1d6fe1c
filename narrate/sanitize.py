"""The one sanitiser for text from outside: community content, and files from other tools.

Everything a community member wrote (titles, bodies, tags, member and file names,
commit authors) passes through ``clean`` before it reaches a screen (as do the user's own entries in
human output: a file written by another tool may hold escapes), and is then shown
as Rich/Textual ``Text`` (``safe_text``), never parsed as markup. ``clean`` removes
terminal escape sequences (CSI, OSC 0/8/52, DCS, ...), C0 and C1 controls, DEL, NUL and
BEL, and bidirectional overrides that can make text read differently from what it is.
"""

from __future__ import annotations

import re
from typing import Any

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC (ESC ] P X ^ _ ...
# terminated by BEL or ST), and any other two-character escape.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)"  # OSC, DCS, SOS, PM, APC (7- or 8-bit ST)
    r"|\x1b[@-Z\\-_]?",  # other escapes (and a lone ESC)
    re.DOTALL,
)
# 8-bit C1 forms of the same (CSI = 0x9B, OSC = 0x9D, ...), with their payloads.
_C1_SEQUENCES = re.compile(
    r"\x9b[0-?]*[ -/]*[@-~]?|[\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x9c|$)", re.DOTALL
)
# Characters that show as nothing: bidi embeddings, overrides, isolates and marks;
# zero-width characters, the soft hyphen, line separators, tag characters. They can hide
# text, and make one name pass for another ("b\u200bob" for "bob").
_INVISIBLE_SET = (
    "\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f"
)
INVISIBLE = re.compile(f"[{_INVISIBLE_SET}]")
# Remaining controls: C0 except tab and newline, DEL, C1; and the invisible characters.
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE_SET}]")
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _marked(found: re.Match[str]) -> str:
    return f"<U+{ord(found.group()):04X}>"


def clean(text: Any, single_line: bool = False, invisible: str | None = None) -> str:
    """``text`` without escape sequences or control characters; tabs become spaces.

    An invisible character is shown as ``<U+200B>`` in one-line text (names, titles,
    tags: what tells one thing from another, so an impostor "b\u200bob" cannot read as
    "bob"), dropped from running text (a body reads as written); ``invisible`` ("mark",
    "drop" or "keep": left for --json, which writes it as an escape) chooses otherwise.
    """
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPES.sub("", value)
    value = _C1_SEQUENCES.sub("", value)
    value = _TERMINAL_CONTROLS.sub("", value)
    how = invisible or ("mark" if single_line else "drop")
    if how == "mark":
        value = INVISIBLE.sub(_marked, value)
    elif how == "drop":
        value = INVISIBLE.sub("", value)
    value = value.replace("\t", "    ")
    if single_line:
        value = " ".join(value.split())
    return value


def _stand_in(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code < 32:
        return chr(0x2400 + code)  # the Control Pictures block: ESC shows as ␛
    return "\u2421" if code == 127 else "\ufffd"


def visible(text: str) -> str:
    """``text`` with each control and hiding character replaced by one visible stand-in
    (ESC as ␛, C1 and bidi overrides as �): no escape sequence can act, the reader sees
    where one was, and every offset into the text still holds (for an editor)."""
    return _CONTROLS.sub(_stand_in, text)


def safe_text(text: Any, style: str = "", single_line: bool = True) -> Any:
    """A Rich ``Text`` of cleaned text: brackets stay brackets, [@click] stays text."""
    from rich.text import Text

    return Text(clean(text, single_line=single_line), style=style)


def clean_data(value: Any, depth: int = 0) -> Any:
    """``clean`` applied to every string in a JSON-like value (for --json output).

    Invisible characters are kept: JSON carries the real string, and emit_json writes
    each as an escape (``"b\\u200bob"``), so nothing invisible reaches the terminal."""
    if depth > 20:
        return None
    if isinstance(value, str):
        return clean(value, invisible="keep")
    if isinstance(value, list):
        return [clean_data(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {clean(k, invisible="keep"): clean_data(v, depth + 1) for k, v in value.items()}
    return value


def link_targets(text: str) -> list[str]:
    """http(s) links in Markdown text, in order, shown in full so nothing is hidden."""
    return re.findall(r"https?://[^\s)>\]\"']+", clean(text))
