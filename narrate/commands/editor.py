"""The user's editor for the commands: the rule is ``narrate.editor``'s (the app uses it
too); these read the config and write text in it."""

from __future__ import annotations

from pathlib import Path

import click

from narrate.editor import DEFAULT_EDITOR, edit_in_folder, kept_after_failure
from narrate.editor import editor_command as _editor_command
from narrate.editor import run_editor as _run_editor
from narrate.errors import NarrateError

__all__ = ["DEFAULT_EDITOR", "edit_copy", "edit_text", "editor_command", "run_editor"]


def editor_command(ctx: click.Context | None = None) -> tuple[list[str], str]:
    """The editor to run and where that choice came from (see narrate.editor)."""
    from narrate.commands.common import load_settings

    return _editor_command(load_settings(ctx))


def run_editor(path: Path, ctx: click.Context | None = None) -> None:
    """Open ``path`` in the user's editor and wait for it."""
    from narrate.config import load_config

    _run_editor(path, load_config())


def edit_text(initial: str, ctx: click.Context) -> str:
    """Text written in the editor, starting from ``initial``."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as handle:
        handle.write(initial)
        temp = Path(handle.name)
    keep = False
    try:
        try:
            run_editor(temp, ctx)
        except NarrateError as exc:
            keep = kept_after_failure(temp, initial.encode("utf-8"))
            if keep:
                raise NarrateError(f"{exc}; your text is kept in {temp}") from None
            raise
        return temp.read_text("utf-8")
    finally:
        if not keep:
            temp.unlink(missing_ok=True)


def edit_copy(data: bytes, name: str, folder: Path, ctx: click.Context) -> bytes | None:
    """The bytes of ``data`` after the user edited a copy of them named ``name`` in a
    fresh folder under ``folder``; None when the editor deleted the copy (see
    narrate.editor.edit_in_folder)."""
    from narrate.config import load_config

    return edit_in_folder(data, name, folder, load_config())
