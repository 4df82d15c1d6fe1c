"""A TextArea for journal text that shows control characters instead of sending them."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import TextArea

from narrate.sanitize import visible


class EntryEditor(TextArea):
    """The editor (and the read-only views) of entry text.

    An entry's own body can hold escape sequences (an import, another device or another
    tool put them there): an OSC 52 clipboard write, a window title, a clear screen, C1
    controls, a right-to-left override. TextArea would write them to the terminal as
    they are. Here each is drawn as a visible stand-in of one character, so the
    document (what is saved) stays the file's text, and offsets (the cursor, the
    selection, syntax highlights) still line up.
    """

    def get_line(self, line_index: int) -> Text:
        """The line as drawn: control characters replaced by their stand-ins."""
        line = super().get_line(line_index)
        shown = visible(line.plain)
        if shown == line.plain:
            return line
        return Text(shown, style=line.style, end="", no_wrap=True, spans=line.spans)
