"""The user's $EDITOR: which one to run, running it on a file, writing text in it."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from narrate.errors import NarrateError


def editor_command(ctx: click.Context | None = None) -> list[str]:
    """The editor to run: the config's editor, then $VISUAL, then $EDITOR, then vi."""
    configured = None
    if not (os.environ.get("VISUAL") or os.environ.get("EDITOR")):
        from narrate.config import load_config

        configured = load_config().get("editor")
    command = configured or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(command)


def run_editor(path: Path, ctx: click.Context | None = None) -> None:
    """Open ``path`` in the user's editor and wait for it."""
    # Imported here: only the commands that open an editor pay for subprocess.
    import subprocess

    command = [*editor_command(ctx), str(path)]
    try:
        result = subprocess.run(command)
    except FileNotFoundError:
        raise NarrateError(
            f"editor '{command[0]}' not found; set $EDITOR (e.g. export EDITOR=nano)"
        ) from None
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
