"""The user's own editor, for every face: which command to run, and running it on a file.

The CLI's ``narrate edit`` and the app's "edit in your editor" key both call these, so
the choice (the config, then $VISUAL, then $EDITOR, then vi) and its errors are one rule.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.errors import NarrateError

if TYPE_CHECKING:
    from narrate.config import Config

DEFAULT_EDITOR = "vi"


def editor_command(config: Config | None) -> tuple[list[str], str]:
    """The editor to run and where that choice came from: the config's ``editor``, then
    $VISUAL, then $EDITOR, then vi (as git puts core.editor first)."""
    configured = config.get("editor") if config is not None else None
    where = f"the config's 'editor' ({config.path})" if config is not None else "the config"
    choices = [
        (configured, where),
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


def run_editor(path: Path, config: Config | None) -> None:
    """Open ``path`` in the user's editor and wait for it."""
    # Imported here: only what opens an editor pays for subprocess.
    import subprocess

    words, source = editor_command(config)
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


def edit_in_folder(data: bytes, name: str, folder: Path, config: Config | None) -> bytes | None:
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
    keep = False
    try:
        copy.write_bytes(data)
        try:
            run_editor(copy, config)
        except NarrateError as exc:
            keep = kept_after_failure(copy, data)
            if keep:
                raise NarrateError(f"{exc}; your text is kept in {copy}") from None
            raise
        try:
            return copy.read_bytes()
        except FileNotFoundError:
            return None
    finally:
        if not keep:
            shutil.rmtree(place, ignore_errors=True)


def kept_after_failure(copy: Path, original: bytes) -> bool:
    """Whether a copy the editor exited non-zero on holds words worth keeping: an
    editor may save and then fail (a plugin, a :cq), and the words are the user's."""
    try:
        return copy.read_bytes() != original
    except OSError:
        return False
