"""Search matches made visible: which words matched, and where they are in an entry."""

from __future__ import annotations

import re

from narrate.journal.query import search_words

# The search snippet marks matches with STX ... ETX (see Journal.search).
_MARKED = re.compile(r"\x02(.*?)\x03", re.S)
# Markdown that must not be touched: fenced code, inline code, link targets, autolinks
# and HTML tags. Emphasis inserted there would change what the text means.
_PROTECTED = re.compile(r"(^(```|~~~).*?^\2[^\n]*$|`[^`\n]*`|\]\([^)\n]*\)|<[^>\n]*>)", re.M | re.S)


def query_words(query: str) -> list[str]:
    """The plain words and phrases of a query (not filters, tags or exclusions), as the
    core's query parser reads them: what is highlighted is what was searched for."""
    return search_words(query)


def snippet_words(snippet: str) -> list[str]:
    """The words a search snippet marked as matches."""
    return [m.strip() for m in _MARKED.findall(snippet) if m.strip()]


def match_pattern(words: list[str]) -> re.Pattern[str] | None:
    """A case-insensitive pattern finding, at a word start, any of ``words`` and the
    rest of the word ("test" finds "testing", as the index's stemming does)."""
    unique = sorted({w.lower() for w in words if w}, key=len, reverse=True)
    if not unique:
        return None
    return re.compile(r"(?<!\w)((?:" + "|".join(re.escape(w) for w in unique) + r")\w*)", re.I)


def first_match(text: str, words: list[str]) -> tuple[int, int] | None:
    """(start, end) character offsets of the first match in ``text``."""
    pattern = match_pattern(words)
    found = pattern.search(text) if pattern else None
    return (found.start(), found.end()) if found else None


def emphasise(markdown: str, words: list[str]) -> str:
    """``markdown`` with matches wrapped in ``**`` so the preview shows them in bold,
    leaving code, link targets and HTML alone."""
    pattern = match_pattern(words)
    if pattern is None:
        return markdown
    pieces: list[str] = []
    last = 0
    for protected in _PROTECTED.finditer(markdown):
        pieces.append(pattern.sub(r"**\1**", markdown[last : protected.start()]))
        pieces.append(protected.group(0))
        last = protected.end()
    pieces.append(pattern.sub(r"**\1**", markdown[last:]))
    return "".join(pieces)
