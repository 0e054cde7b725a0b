"""Putting a new folder in place of an old one in one step, whatever happens meanwhile.

Linux swaps two paths atomically (``renameat2`` with ``RENAME_EXCHANGE``), and
so does macOS (``renamex_np`` with ``RENAME_SWAP``): the path then names the
complete old folder until the instant it names the complete new one. Where the
file system cannot swap, the old folder is renamed aside first and the new one
renamed in; a process killed between the two leaves the old folder aside, and
the next run puts it back.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import functools
import os
import sys
from pathlib import Path

_AT_FDCWD, _EXCHANGE = -100, 0x2  # <fcntl.h>, <linux/fs.h>; RENAME_SWAP is also 0x2


def swap_in(new: Path, path: Path, aside: Path) -> Path | None:
    """Put folder ``new`` at ``path``; returns where the old folder is now (None if none).

    The old folder ends at ``new`` after a swap, or at ``aside`` after the
    two-step fallback.
    """
    if not os.path.lexists(path):
        os.rename(new, path)
        fsync_dir(path.parent)
        return None
    if _exchange(new, path):
        fsync_dir(path.parent)
        return new
    os.rename(path, aside)  # a kill here is repaired by the next run
    try:
        os.rename(new, path)
    except BaseException:
        os.rename(aside, path)
        raise
    fsync_dir(path.parent)
    return aside


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk (best effort: not every system can)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    libc = _libc()
    if libc is None:
        return False
    if sys.platform == "darwin":
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), _EXCHANGE)
    else:
        result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@functools.cache
def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        getattr(libc, "renamex_np" if sys.platform == "darwin" else "renameat2")
    except (OSError, AttributeError, TypeError):
        return None
    return libc
