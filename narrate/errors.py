"""The one exception type that reaches the user as a clear message."""

from __future__ import annotations


class NarrateError(Exception):
    """A problem the user can act on: the message names it and says what to do."""


def os_problem(exc: OSError) -> str:
    """One line naming what the system refused (a full disk, a read-only journal, a
    permission) and what to do, for an OSError that reached the command line."""
    import errno

    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the disk{where}; free some space and run the command again"
    if exc.errno == errno.EROFS:
        return f"the journal is on a read-only disk{where}: narrate can read it but not change it"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied{where}; check who owns the journal's files"
    if exc.errno == errno.EIO:
        return f"the disk reported an input/output error{where}; check the disk"
    return f"{exc.strerror or exc}{where}"
