"""The user's editor: which one to run, running it on a file, writing text in it."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from narrate.errors import NarrateError

DEFAULT_EDITOR = "vi"


def editor_command(ctx: click.Context | None = None) -> tuple[list[str], str]:
    """The editor to run and where that choice came from: the config's ``editor``, then
    $VISUAL, then $EDITOR, then vi (as git puts core.editor first)."""
    from narrate.commands.common import load_settings

    config = load_settings(ctx)
    configured = config.get("editor")
    choices = [
        (configured, f"the config's 'editor' ({config.path})"),
        (os.environ.get("VISUAL"), "$VISUAL"),
        (os.environ.get("EDITOR"), "$EDITOR"),
    ]
    # An empty value is unset, as for git; anything else is meant, and checked.
    command, source = next(
        ((value, source) for value, source in choices if value), (DEFAULT_EDITOR, "default")
    )
    try:
        words = shlex.split(command)
    except ValueError as exc:
        problem = "an unterminated quote" if "quotation" in str(exc) else "a trailing backslash"
        raise NarrateError(
            f"{source} has {problem}: {command!r}; fix it (e.g. export EDITOR=nano)"
        ) from None
    if not words:
        # Run as is, the entry file itself would be the command.
        raise NarrateError(
            f"{source} is only spaces; set it to an editor (e.g. export EDITOR=nano)"
        )
    return words, source


def run_editor(path: Path, ctx: click.Context | None = None) -> None:
    """Open ``path`` in the user's editor and wait for it."""
    # Imported here: only the commands that open an editor pay for subprocess.
    import subprocess

    words, source = editor_command(ctx)
    command = [*words, str(path)]
    try:
        result = subprocess.run(command)
    except (FileNotFoundError, PermissionError) as exc:
        what = "not found" if isinstance(exc, FileNotFoundError) else "cannot be run"
        hint = (
            "set $EDITOR (e.g. export EDITOR=nano)"
            if source in ("$EDITOR", "default")
            else f"fix {source} or set $EDITOR (e.g. export EDITOR=nano)"
        )
        raise NarrateError(f"editor '{command[0]}' {what}; {hint}") from None
    if result.returncode != 0:
        raise NarrateError(
            f"the editor exited with status {result.returncode}; nothing was changed"
        )


def edit_text(initial: str, ctx: click.Context) -> str:
    """Text written in the editor, starting from ``initial``."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as handle:
        handle.write(initial)
        temp = Path(handle.name)
    try:
        run_editor(temp, ctx)
        return temp.read_text("utf-8")
    finally:
        temp.unlink(missing_ok=True)


def edit_copy(data: bytes, name: str, folder: Path, ctx: click.Context) -> bytes | None:
    """The bytes of ``data`` after the user edited a copy of them named ``name`` in a
    fresh folder under ``folder``; None when the editor deleted the copy.

    A copy, not the entry itself: a sync that changes the entry meanwhile is then still
    on disk when the editor exits, to be compared and kept, never overwritten unseen.
    The copy lives in the journal's state folder, so words typed before a crash are
    still on disk."""
    import shutil
    import tempfile

    folder.mkdir(parents=True, exist_ok=True)
    place = Path(tempfile.mkdtemp(prefix="edit-", dir=folder))
    copy = place / name
    try:
        copy.write_bytes(data)
        run_editor(copy, ctx)
        try:
            return copy.read_bytes()
        except FileNotFoundError:
            return None
    finally:
        shutil.rmtree(place, ignore_errors=True)
