"""The lock that lets one opsim run at a time write an output folder.

A lock file beside the folder (``.NAME.opsim-lock``) held with ``flock``: the
system releases it when its run ends, however it ends, so a killed run never
blocks the next one. A second run is refused at once and told which process
holds the lock. The lock file is opened without following links, so a link
planted at its name cannot make opsim write anywhere else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from sim.errors import FolderRefused

SUFFIX = "opsim-lock"


def lock_path(path: Path) -> Path:
    """Where the lock of output folder ``path`` lives."""
    return path.parent / f".{path.name}.{SUFFIX}"


@contextlib.contextmanager
def folder_lock(path: Path) -> Iterator[None]:
    """Hold the lock of ``path``; raise :class:`FolderRefused` at once if another run holds it."""
    try:
        import fcntl  # POSIX only: imported here so that `import sim` works everywhere
    except ImportError:
        raise FolderRefused("--out needs POSIX file locks (Linux, macOS)") from None
    lock = lock_path(path)
    while True:
        fd = _open(lock, path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode(errors="replace").strip()
            os.close(fd)
            raise FolderRefused(
                f"--out {path}: another opsim run is writing it ({holder or 'unknown process'}); "
                "wait for it to finish or choose another folder"
            ) from None
        if _same_file(fd, lock):  # not a file an earlier holder unlinked meanwhile
            break
        os.close(fd)
    try:
        _say_who(fd)
        yield
    finally:
        if _same_file(fd, lock):
            with contextlib.suppress(OSError):
                lock.unlink()
        os.close(fd)


def _say_who(fd: int) -> None:
    """Write who holds the lock into it, for a second run's message (best effort)."""
    with contextlib.suppress(OSError):  # read-only (another user's file) or disk full
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, since {time.strftime('%H:%M:%S')}".encode())


def _open(lock: Path, path: Path) -> int:
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | nofollow, 0o666)
    except PermissionError:
        fd = _open_read_only(lock, path)  # another user's lock file: reading is enough to lock
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            reason = "is a symbolic link, not opsim's lock file; remove it"
        elif exc.errno == errno.EISDIR:
            reason = "is a folder, not opsim's lock file; remove it"
        else:
            reason = f"cannot be created: {exc.strerror or exc}"
        raise FolderRefused(f"--out {path}: the lock file {lock} {reason}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FolderRefused(f"--out {path}: the lock file {lock} is not a regular file")
    return fd


def _open_read_only(lock: Path, path: Path) -> int:
    try:
        return os.open(lock, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:  # no lock file, and none may be created here
        raise FolderRefused(f"--out {path}: cannot write in {path.parent}") from None
    except OSError as exc:
        raise FolderRefused(
            f"--out {path}: the lock file {lock} cannot be opened: {exc.strerror or exc}"
        ) from None


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.lstat(path))
    except OSError:
        return False
