"""An output folder that opsim owns: it replaces only what it can prove it wrote, atomically.

Rules, in the order they are checked (each refusal is one line, before anything
is simulated or written):

* ``--out`` may not be empty, the working directory or a folder holding it, a
  mount point, or a folder holding one of the run's scenario files;
* an existing folder is replaced only if it is empty, or if everything in it is
  listed, unchanged (size and SHA-256), in the marker file opsim wrote into it;
* one run at a time writes a folder: a lock file beside it (``flock``, so a
  killed run never leaves a stale lock) makes a second run refuse at once.

New results are written into a hidden sibling folder, flushed to disk, marked
complete, and then swapped with the old folder in one ``rename`` (Linux
``RENAME_EXCHANGE``, macOS ``RENAME_SWAP``): at every instant the folder holds
the complete old or the complete new results. Where the file system cannot
swap, the old folder is renamed aside first; a run killed in that window is
repaired by the next run, which puts the old folder back. Leftover hidden
folders of killed runs are removed by the next run on the same folder, file by
listed file, never by walking a tree.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import functools
import hashlib
import json
import os
import secrets
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".opsim-results"
"""The file by which opsim proves a folder is its own: the files it wrote, with digests."""
_NEW, _OLD, _LOCK = "opsim-new", "opsim-old", "opsim-lock"
_SHOWN = 5  # foreign entries named in a refusal


class FolderRefused(Exception):
    """An output folder opsim will not write (one line, for an ``error:`` message)."""


@dataclass
class Claim:
    """A locked output folder; :meth:`replace` puts new results in place."""

    path: Path
    expected: frozenset[str]
    notes: list[str] = field(default_factory=list)
    replaced: bool = False

    def replace(self, write: Callable[[Path], Iterable[str]]) -> None:
        """Call ``write(folder)`` on a new hidden folder, then swap it into place.

        ``write`` returns the names of the files it wrote. If it fails, or the
        run is interrupted before the swap, the new folder is removed and the
        old results stay as they were.
        """
        new, aside = _fresh_sibling(self.path, _NEW), None
        try:
            _write_marker(new, {"state": "writing", "files": sorted(self.expected)})
            names = list(write(new))
            _seal(new, names)
            refusal = _ownership_problem(self.path, self.expected)
            if refusal:  # changed since the claim: do not touch it
                raise FolderRefused(refusal)
            with _signals_deferred():
                aside = _swap_in(new, self.path)
                self.replaced = True
        except BaseException:
            if not self.replaced:
                _remove_owned(new, self.expected)
            elif aside is not None:  # interrupted just after the swap: finish tidying
                self.notes += _remove_owned(aside, self.expected)
            raise
        if aside is not None:
            self.notes += _remove_owned(aside, self.expected)


@contextlib.contextmanager
def claim(out: str | os.PathLike, protect: Iterable[Path] = (), expected: Iterable[str] = ()):
    """Check and lock ``out`` for a run; tidy what killed runs left; unlock afterwards.

    Parameters
    ----------
    out
        The folder to write (created with its parents if missing).
    protect
        Files that must not be inside it (the run's scenario files).
    expected
        Names of the files a run writes; a folder from before markers existed
        is recognised by its ``manifest.json`` and these names.

    Raises
    ------
    FolderRefused
        Before anything is written, with the reason.
    """
    if not str(out).strip():
        raise FolderRefused("--out: the folder name is empty")
    path = Path(os.path.realpath(out))
    _check_place(path, protect)
    created = _make_parents(path)
    try:
        with _lock(path):
            result = Claim(path, frozenset(expected))
            result.notes += _tidy(path, result.expected)
            refusal = _ownership_problem(path, result.expected)
            if refusal:
                raise FolderRefused(refusal)
            yield result
    finally:
        _remove_empty(created)


def _check_place(path: Path, protect: Iterable[Path]) -> None:
    here = Path.cwd().resolve()
    if path == here or path in here.parents:
        raise FolderRefused(
            f"--out {path}: is the working directory or holds it; write results into a "
            "folder of their own, e.g. results/NAME"
        )
    for source in protect:
        if path in Path(os.path.realpath(source)).parents:
            raise FolderRefused(f"--out {path}: holds the scenario file {source}")
    if path.exists() and not path.is_dir():
        raise FolderRefused(f"--out {path}: exists and is not a folder")
    if path.is_dir() and os.path.ismount(path):
        raise FolderRefused(f"--out {path}: is a mount point; choose a folder inside it")


def _make_parents(path: Path) -> list[Path]:
    """Create the folders above ``path``; returns those created, deepest first."""
    missing = [p for p in path.parents if not p.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FolderRefused(
            f"--out {path}: cannot create {path.parent}: {exc.strerror or exc}"
        ) from None
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first; a folder someone else filled stays
        with contextlib.suppress(OSError):
            folder.rmdir()


# -- ownership -------------------------------------------------------------------------------


def _ownership_problem(path: Path, expected: frozenset[str]) -> str | None:
    """Why ``path`` is not opsim's to replace, or None if it is (or does not exist)."""
    if not path.exists():
        return None
    try:
        entries = sorted(os.listdir(path))
    except OSError as exc:
        return f"--out {path}: cannot read it: {exc.strerror or exc}"
    if not entries:
        return None
    listed = _listed_files(path, expected)
    if listed is None:
        return (
            f"--out {path}: is a folder opsim did not write (it has no {MARKER} marker); "
            "refusing to replace it: choose a new or empty folder"
        )
    foreign = [name for name in entries if name != MARKER and name not in listed]
    changed = [n for n, digest in listed.items() if digest and _changed(path / n, digest)]
    if foreign or changed:
        what = [
            *(f"{n} (not written by opsim)" for n in foreign),
            *(f"{n} (changed)" for n in changed),
        ]
        more = f" and {len(what) - _SHOWN} more" if len(what) > _SHOWN else ""
        return (
            f"--out {path}: holds files opsim would lose: {', '.join(what[:_SHOWN])}{more}; "
            "move them or choose another folder"
        )
    return None


def _listed_files(path: Path, expected: frozenset[str]) -> dict[str, dict] | None:
    """File name -> digest opsim recorded for it ({} if none); None if not opsim's folder."""
    marker = _read_marker(path)
    if marker is not None:
        files = marker.get("files")
        if isinstance(files, dict):
            return {str(n): d if isinstance(d, dict) else {} for n, d in files.items()}
        if isinstance(files, list):
            return {str(n): {} for n in files}
        return None
    try:  # results written before the marker existed: their manifest names opsim
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(manifest, dict) and manifest.get("package") == "opsim":
        return {name: {} for name in expected}
    return None


def _changed(file: Path, digest: dict) -> bool:
    try:
        if file.is_symlink() or not file.is_file():
            return file.exists() or file.is_symlink()
        return file.stat().st_size != digest.get("size") or _sha256(file) != digest.get("sha256")
    except OSError:
        return True


def _sha256(file: Path) -> str:
    h = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_marker(path: Path) -> dict | None:
    try:
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("package") == "opsim" else None


def _write_marker(folder: Path, content: dict) -> None:
    tmp = folder / f"{MARKER}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump({"package": "opsim", **content}, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / MARKER)


def _seal(folder: Path, names: list[str]) -> None:
    """Flush every file to disk, then record them with their digests: the folder is complete."""
    files = {}
    for name in names:
        with (folder / name).open("rb") as handle:
            os.fsync(handle.fileno())
        files[name] = {"size": (folder / name).stat().st_size, "sha256": _sha256(folder / name)}
    _write_marker(folder, {"state": "complete", "written": time.time(), "files": files})
    _fsync_dir(folder)


def _remove_owned(folder: Path, expected: frozenset[str]) -> list[str]:
    """Delete the files opsim listed in ``folder``, the marker last, then the folder.

    Anything else is left where it is, and so is the marker while a listed file
    remains (so a later run can finish the job); the notes say what and where.
    """
    listed = _listed_files(folder, expected) or {}
    kept = False
    for name in listed:
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            continue
        except OSError:
            kept = True
    for name in (f"{MARKER}.tmp", *([] if kept else [MARKER])):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
    try:
        folder.rmdir()
    except FileNotFoundError:
        return []
    except OSError as exc:
        left = ", ".join(sorted(os.listdir(folder))[:_SHOWN]) if folder.is_dir() else ""
        return [f"left {folder} in place ({exc.strerror or exc}{': ' + left if left else ''})"]
    return []


# -- leftovers of killed runs ----------------------------------------------------------------


def _tidy(path: Path, expected: frozenset[str]) -> list[str]:
    """Put back results a killed two-step swap left aside; remove other hidden leftovers."""
    notes = []
    leftovers = sorted(path.parent.glob(f".{_glob_escape(path.name)}.opsim-*-*"))
    aside = [p for p in leftovers if f".{_OLD}-" in p.name and _is_complete(p)]
    if not path.exists() and aside:
        os.rename(aside[-1], path)
        notes.append(f"restored {path} from a run that was killed while replacing it")
    for leftover in leftovers:
        if leftover.is_dir() and leftover.exists() and f".{_LOCK}" not in leftover.name:
            notes += _remove_owned(leftover, expected)
    return notes


def _is_complete(folder: Path) -> bool:
    marker = _read_marker(folder)
    return marker is not None and marker.get("state") == "complete"


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


# -- the swap ---------------------------------------------------------------------------------


def _fresh_sibling(path: Path, kind: str) -> Path:
    folder = path.parent / f".{path.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()  # mode 0777 less the umask, like any folder the user makes
    return folder


def _swap_in(new: Path, path: Path) -> Path | None:
    """Put ``new`` at ``path``; returns where the old folder now is (None if there was none)."""
    if not path.exists():
        os.rename(new, path)
        _fsync_dir(path.parent)
        return None
    if _exchange(new, path):
        _fsync_dir(path.parent)
        return new
    aside = path.parent / new.name.replace(_NEW, _OLD)
    os.rename(path, aside)  # a kill here is repaired by the next run (see _tidy)
    os.rename(new, path)
    _fsync_dir(path.parent)
    return aside


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    libc = _libc()
    if libc is None:
        return False
    if sys.platform == "darwin":
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), 0x2)  # RENAME_SWAP
    else:
        result = libc.renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 0x2)  # EXCHANGE
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@functools.cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        getattr(libc, "renamex_np" if sys.platform == "darwin" else "renameat2")
    except (OSError, AttributeError, TypeError):
        return None
    return libc


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every system can open a folder for fsync
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the instant of the swap, so its outcome is known."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# -- the lock ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """Hold the lock of ``path`` (a file beside it); refuse at once if another run holds it."""
    try:
        import fcntl  # POSIX only: imported here so that `import sim` works everywhere
    except ImportError:
        raise FolderRefused("--out needs POSIX file locks (Linux, macOS)") from None
    lock = path.parent / f".{path.name}.{_LOCK}"
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise FolderRefused(
                f"--out {path}: cannot write in {path.parent}: {exc.strerror or exc}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode(errors="replace").strip()
            os.close(fd)
            raise FolderRefused(
                f"--out {path}: another opsim run is writing it ({holder or 'unknown process'}); "
                "wait for it to finish or choose another folder"
            ) from None
        if _same_file(fd, lock):  # not a lock file an earlier holder already unlinked
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, since {time.strftime('%H:%M:%S')}".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False
