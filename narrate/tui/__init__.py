"""The Textual app. Imported only when the TUI opens: nothing else may import it."""
