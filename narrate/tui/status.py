"""The header's few words for the repository: in sync, to push, offline, conflicts.

Apart from narrate.tui.sync so the writer (which reads the state) and the sync (which
queues work on the writer) do not import each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from narrate.humane import plural

if TYPE_CHECKING:
    from narrate.journal.core import Journal
    from narrate.journal.sync import SyncStatus

# Messages of SyncError that mean the remote could not be reached (narrate.journal.sync),
# for a sync record written before SyncError had a kind.
OFFLINE_SIGNS = ("cannot reach origin", "did not answer within")


def is_offline(error: str | None) -> bool:
    """Whether a sync error says the remote could not be reached."""
    return bool(error) and any(sign in str(error) for sign in OFFLINE_SIGNS)


def describe_sync(state: SyncStatus, conflicts: int) -> str:
    """The header's few words for a SyncStatus: "in sync", "2 to push", "offline",
    "1 conflict", joined when several hold; "clean" for a journal without a remote."""
    if state.problems:
        return "git needs attention (narrate doctor)"
    parts: list[str] = []
    if conflicts:
        parts.append(plural(conflicts, "conflict"))
    if state.remote:
        if state.last_error:
            kind = state.last_error_kind
            offline = kind == "offline" if kind else is_offline(state.last_error)
            parts.append("offline" if offline else "sync failed")
        if state.ahead:
            parts.append(f"{state.ahead} to push")
        if state.behind:
            parts.append(f"{state.behind} to pull")
        if state.ahead is None and not state.last_error:
            parts.append("not synced yet")
    if state.uncommitted:
        parts.append(f"{state.uncommitted} uncommitted")
    if not parts:
        return "in sync" if state.remote else "clean"
    return ", ".join(parts)


def header_summary(journal: Journal) -> str:
    """Read the repository and the last sync (runs git: off the UI thread)."""
    from narrate.journal.conflicts import count_conflicts
    from narrate.journal.sync import status

    state = status(journal)
    # status() lists the paths holding "-conflict-"; only those naming an original count.
    return describe_sync(state, count_conflicts(journal, state.conflicts))


def safe_summary(journal: Journal) -> str:
    """``header_summary``, or a word that git could not be read: never raises."""
    try:
        return header_summary(journal)
    except Exception as exc:  # the header is not worth a crash
        return f"git state unknown ({type(exc).__name__})"
