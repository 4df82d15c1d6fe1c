"""Entry files on disk: atomic writes, the folder layout, scanning, the journal lock."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import stat
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from narrate.errors import NarrateError

ENTRIES = "entries"
STATE = ".narrate"
# Temporary files start with a dot and carry this marker: scans skip dot files, and
# doctor reports leftovers by the marker.
TEMP_MARKER = ".narrate-tmp"
# Per-device files of other tools that open the journal as a vault, as obsidian-git and
# Obsidian's help advise: the open tabs and layout (desktop, mobile, saved workspaces),
# the backups Obsidian keeps of them, its cache and its local trash. Committed, they change
# on every device and conflict on every sync. A name without "/" at the end is a file or
# a folder (sync.device_files_tracked).
DEVICE_FILES = (
    ".obsidian/workspace*.json",
    ".obsidian/workspace*.json.bak",
    ".obsidian/cache",
    ".trash/",
)
GITIGNORE = f"{STATE}/\n.*{TEMP_MARKER}*\n" + "".join(f"{line}\n" for line in DEVICE_FILES)


def with_ignore_lines(existing: bytes, lines: Iterable[str]) -> bytes | None:
    """A .gitignore's bytes with the ``lines`` it lacks appended, in the file's own line
    endings (CRLF stays CRLF); None when none is missing."""
    have = existing.decode("utf-8").splitlines()
    missing = [line for line in lines if line not in have]
    if not missing:
        return None
    eol = "\r\n" if b"\r\n" in existing else "\n"
    text = existing.decode("utf-8")
    prefix = "" if not text or text.endswith("\n") else eol
    return (text + prefix + "".join(f"{line}{eol}" for line in missing)).encode("utf-8")


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file."""
    with atomic_writer(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary handle whose contents replace ``path`` atomically when the block ends
    (nothing changes if it raises): for output too large to hold in memory."""
    import tempfile  # not on a read's path: only writes need it

    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_MARKER, dir=path.parent)
    try:
        # mkstemp makes the file 0600: keep the replaced file's mode, or what the umask
        # gives a new file, as any editor would.
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    # The only portable way to read the umask is to set it; do it once, early.
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return _UMASK


_UMASK: int | None = None


def make_durable(files: Iterable[Path], folders: Iterable[Path] = ()) -> None:
    """fsync these files, then the folders that name them (and ``folders``): what a bulk
    writer flushes per batch instead of ``os.sync()``, which flushes the whole
    machine's writes (a 100k import swung from 70 to 147 s with it)."""
    named: set[Path] = set(folders)
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        named.add(path.parent)
    for folder in sorted(named):
        _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory itself is flushed.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def entry_relpath(year: int, month: int, stem: str) -> str:
    """The path of an entry file relative to the journal."""
    return f"{ENTRIES}/{year:04d}/{month:02d}/{stem}.md"


def entry_stem(created: dt.datetime, title: str) -> str:
    """The file name of a new entry without ``.md``: ``YYYY-MM-DD-HHMM-slug``."""
    # Imported here: store is on every command's path, the entry module is not.
    from narrate.journal.entry import slugify

    # Explicit widths: strftime's %Y is not zero-padded before the year 1000.
    return (
        f"{created.year:04d}-{created.month:02d}-{created.day:02d}-"
        f"{created.hour:02d}{created.minute:02d}-{slugify(title)}"
    )


def is_entry_name(name: str) -> bool:
    """Whether a file name in a month folder is an entry (not hidden, not temporary)."""
    return name.endswith(".md") and not name.startswith(".")


def scan_dir(folder: Path) -> Iterator[os.DirEntry[str]]:
    """Entry files directly in ``folder``, without following symlinks out of it."""
    try:
        with os.scandir(folder) as it:
            for item in it:
                if is_entry_name(item.name) and item.is_file(follow_symlinks=False):
                    yield item
    except (FileNotFoundError, NotADirectoryError):
        return


def is_read_folder(rel: str, ignore: Iterable[str] = ()) -> bool:
    """Whether entries are read from the folder ``rel`` (relative, "/" separators, "" for
    the journal itself): not a hidden folder (.git, .obsidian, .trash), not narrate's
    state, and not inside a folder the config's ``ignore`` lists."""
    if rel == "":
        return True
    if any(part.startswith(".") for part in rel.split("/")):
        return False
    return not any(rel == skip or rel.startswith(skip + "/") for skip in ignore)


def join(rel: str, name: str) -> str:
    """The relative path of ``name`` in the folder ``rel`` ("" is the journal)."""
    return f"{rel}/{name}" if rel else name


def subfolders(root: Path, rel: str, ignore: Iterable[str] = ()) -> list[str]:
    """The folders directly in ``rel`` that entries are read from (no symlinks)."""
    ignore = tuple(ignore)
    try:
        with os.scandir(root / rel if rel else root) as it:
            names = [i.name for i in it if i.is_dir(follow_symlinks=False)]
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []
    return sorted(join(rel, n) for n in names if is_read_folder(join(rel, n), ignore))


def read_folders(root: Path, ignore: Iterable[str] = (), start: str = "") -> Iterator[str]:
    """``start`` and every folder below it that entries are read from, relative."""
    ignore = tuple(ignore)
    pending = [start]
    while pending:
        rel = pending.pop()
        yield rel
        pending.extend(reversed(subfolders(root, rel, ignore)))


def leftover_temp_files(root: Path, ignore: Iterable[str] = ()) -> list[Path]:
    """Temporary files a killed write left behind."""
    found: list[Path] = []
    for rel in read_folders(root, ignore):
        folder = root / rel if rel else root
        with contextlib.suppress(OSError), os.scandir(folder) as it:
            found.extend(Path(i.path) for i in it if TEMP_MARKER in i.name)
    return found


class JournalLock:
    """An exclusive lock around write-and-commit, so concurrent narrate runs take turns."""

    def __init__(self, root: Path, timeout: float = 30.0) -> None:
        self.path = root / STATE / "lock"
        self.timeout = timeout
        self._fd: int | None = None

    def __enter__(self) -> JournalLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    os.close(self._fd)
                    self._fd = None
                    raise NarrateError(
                        "another narrate operation is running on this journal; "
                        "wait for it to finish and try again"
                    ) from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            # Closing the descriptor releases the flock; the kernel also does so if we
            # crash, which is why a lock file is never "stale".
            os.close(self._fd)
            self._fd = None


class PendingFiles:
    """Entry files narrate has written and not yet committed, listed in
    ``.narrate/pending`` before they are written: a run killed between its write and its
    commit leaves them named there, and the next commit takes them along.

    Best effort: a state folder that cannot be written (full, read-only) loses only the
    list, never an entry; ``narrate doctor`` still lists uncommitted files.
    """

    def __init__(self, root: Path) -> None:
        self.path = root / STATE / "pending"

    def add(self, paths: list[str]) -> None:
        """Name ``paths`` before writing them (under the journal lock)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write("".join(f"{p}\n" for p in paths))
        except OSError:
            pass

    def paths(self) -> list[str]:
        """The listed entry paths (anything else in the file is ignored)."""
        try:
            text = self.path.read_text("utf-8", errors="replace")
        except OSError:
            return []
        listed = (line for line in text.splitlines() if _is_entry_path(line))
        return list(dict.fromkeys(listed))

    def forget(self, paths: list[str]) -> None:
        """Drop ``paths`` from the list (they were committed or removed)."""
        gone = set(paths)
        rest = [p for p in self.paths() if p not in gone]
        try:
            if rest:
                atomic_write(self.path, "".join(f"{p}\n" for p in rest).encode("utf-8"))
            else:
                self.path.unlink(missing_ok=True)
        except OSError:
            pass


def _is_entry_path(line: str) -> bool:
    parts = line.split("/")
    return (
        all(part not in ("", ".", "..") for part in parts)
        and is_read_folder("/".join(parts[:-1]))
        and is_entry_name(parts[-1])
    )
