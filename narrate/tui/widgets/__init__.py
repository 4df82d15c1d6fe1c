"""Widgets of the TUI that earn a module of their own."""
