"""An output folder that opsim owns: it replaces only what it can prove it wrote.

Rules, checked before anything is simulated (each refusal is one line):

* ``--out`` may not be empty, the working directory or a folder holding it, a
  mount point, a file, a link that does not resolve, a folder holding one of
  the run's scenario files, or a folder opsim could not write and empty again;
* an existing folder is replaced only if it is empty, or if everything in it is
  a regular file listed, unchanged (size and SHA-256), in the marker opsim
  wrote into it (results of opsim 0.1.0 have no marker: nothing proves them
  unchanged, so they are refused too);
* one run at a time writes a folder (:mod:`sim.experiments.folder_lock`).

New results are written into a hidden sibling folder, flushed, marked complete
and swapped into place in one step (:mod:`sim.experiments.folder_swap`). Hidden leftovers
of killed runs are removed by the next run on the same folder, file by listed
file, never by walking a tree, never through a link.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import FolderRefused
from sim.experiments import interrupts
from sim.experiments.folder_lock import folder_lock
from sim.experiments.folder_swap import fsync_dir, swap_in

MARKER = ".opsim-results"
"""The file by which opsim proves a folder is its own: the files it wrote, with digests."""
_NEW, _OLD = "opsim-new", "opsim-old"
_TOKEN = "0" * 8  # length of the random part of a hidden folder's name


def _hidden_names(folder: str) -> re.Pattern:
    """Names opsim gives the hidden folders beside output folder ``folder`` (a pattern)."""
    return re.compile(rf"\.{folder}\.(?:{_NEW}|{_OLD})-[0-9]+-[0-9a-f]{{{len(_TOKEN)}}}")


_HIDDEN = _hidden_names(".+")
_SHOWN = 5  # entries named in a refusal


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
        new = old = None
        try:
            new = _fresh_sibling(self.path, self.expected)
            _seal(new, list(write(new)), self.path.name)
            refusal = _ownership_problem(self.path)
            if refusal:  # changed during the run: leave it alone
                raise FolderRefused(f"{refusal}; the new results were not written")
            with interrupts.held():  # the caller must know whether the swap happened
                token = new.name[-len(_TOKEN) :]
                old = swap_in(new, self.path, _sibling(self.path, _OLD, token))
                self.replaced = True
        except BaseException:
            if not self.replaced and new is not None:
                _remove_owned(new)
            elif old is not None:  # interrupted just after the swap: finish tidying
                self.notes += _remove_owned(old, empty_ok=True)
            raise
        if old is not None:
            self.notes += _remove_owned(old, empty_ok=True)


@contextlib.contextmanager
def claim(
    out: str | os.PathLike,
    protect: Iterable[Path] = (),
    expected: Iterable[str] = (),
    protected_as: str = "the scenario file",
):
    """Check and lock ``out`` for a run; tidy what killed runs left; unlock afterwards.

    Parameters
    ----------
    out
        The folder to write (created with its parents if missing).
    protect
        Files that must not be inside it (the run's scenario files).
    protected_as
        What those files are, for the refusal.
    expected
        Names of the files a run may write: the marker of the folder being written
        lists them, so that what a killed run left can be removed.

    Raises
    ------
    FolderRefused
        Before anything is written, with the reason.
    """
    path = _resolve(out)
    _check_place(path, protect, protected_as)
    created = _make_parents(path)
    try:
        with folder_lock(path):
            yield _prepared(path, frozenset(expected))
    finally:
        _remove_empty(created)


def _prepared(path: Path, expected: frozenset[str]) -> Claim:
    """The claim of a locked folder: leftovers tidied, ownership proved."""
    result = Claim(path, expected)
    try:
        result.notes += _tidy(path)
        refusal = _ownership_problem(path) or _kind_problem(path, expected)
    except OSError as exc:
        raise FolderRefused(f"--out {path}: {exc.strerror or exc}") from None
    if refusal:
        raise FolderRefused(refusal)
    return result


# -- the place ---------------------------------------------------------------------------------


def _resolve(out: str | os.PathLike) -> Path:
    if not os.fspath(out):
        raise FolderRefused("--out: the folder name is empty")
    try:
        path = Path(os.path.realpath(out))
    except OSError as exc:  # e.g. the working directory was deleted
        raise FolderRefused(f"--out {out}: cannot resolve it: {exc.strerror or exc}") from None
    if os.path.islink(path) or (os.path.islink(out) and not os.path.exists(out)):
        raise FolderRefused(f"--out {out}: is a symbolic link that does not resolve")
    return path


def _check_place(path: Path, protect: Iterable[Path], protected_as: str) -> None:
    try:
        _check_where(path, protect, protected_as)
        _check_what(path)
    except OSError as exc:
        raise FolderRefused(f"--out {path}: cannot inspect it: {exc.strerror or exc}") from None


def _check_where(path: Path, protect: Iterable[Path], protected_as: str) -> None:
    with contextlib.suppress(OSError):  # no working directory (deleted): nothing to protect
        here = Path.cwd().resolve()
        if path == here or path in here.parents:
            raise FolderRefused(
                f"--out {path}: is the working directory or holds it; write results into a "
                "folder of their own, e.g. results/NAME"
            )
    for source in protect:
        if path in Path(os.path.realpath(source)).parents:
            raise FolderRefused(f"--out {path}: holds {protected_as} {source}")
    if _HIDDEN.fullmatch(path.name) or path.name.endswith(".opsim-lock"):
        raise FolderRefused(
            f"--out {path}: names of this form belong to opsim's own hidden files; choose another"
        )
    hidden = f".{path.name}.{_NEW}-{os.getpid()}-{_TOKEN}"
    longest = _name_max(path.parent)
    if len(os.fsencode(hidden)) > longest:
        room = longest - len(os.fsencode(hidden)) + len(os.fsencode(path.name))
        raise FolderRefused(
            f"--out {path}: the folder name is too long (at most {room} bytes here: opsim "
            "needs room for the hidden folder it writes beside it)"
        )


def _check_what(path: Path) -> None:
    if not path.exists():
        return
    if not path.is_dir():
        raise FolderRefused(f"--out {path}: exists and is not a folder")
    if os.path.ismount(path):
        raise FolderRefused(f"--out {path}: is a mount point; choose a folder inside it")
    if not os.access(path, os.W_OK | os.X_OK):
        raise FolderRefused(
            f"--out {path}: is not writable, so opsim could not remove the old results after "
            "replacing them"
        )
    parent, own = path.parent.stat(), path.stat()
    if parent.st_mode & stat.S_ISVTX and os.geteuid() not in (0, own.st_uid, parent.st_uid):
        raise FolderRefused(
            f"--out {path}: belongs to another user in a shared folder: opsim may not replace it"
        )


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder if folder.exists() else "/", "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _make_parents(path: Path) -> list[Path]:
    """Create the folders above ``path``; returns those created, deepest first."""
    for above in reversed(path.parents):
        if above.exists() and not above.is_dir():
            raise FolderRefused(f"--out {path}: {above} is a file, not a folder")
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


# -- ownership ---------------------------------------------------------------------------------


def _ownership_problem(path: Path) -> str | None:
    """Why ``path`` is not opsim's to replace, or None if it is (or does not exist)."""
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return f"--out {path}: became a symbolic link during the run; not replacing it"
        entries = sorted(os.listdir(path))
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"--out {path}: cannot read it: {exc.strerror or exc}"
    listed = _listed_files(path, complete_only=True) if entries else {}
    if listed is None:
        return f"--out {path}: {_not_opsims(path)}; choose a new or empty folder"
    own = {MARKER} if _read_marker(path) is not None else set()
    what = [f"{n} (not written by opsim)" for n in entries if n not in listed and n not in own]
    for name in entries:
        change = _change(path / name, listed[name]) if name in listed else None
        if change:
            what.append(f"{name} ({change})")
    if not what:
        return None
    more = f" and {len(what) - _SHOWN} more" if len(what) > _SHOWN else ""
    return (
        f"--out {path}: holds files opsim would lose: {', '.join(what[:_SHOWN])}{more}; "
        "move them or choose another folder"
    )


def _kind_problem(path: Path, expected: frozenset[str]) -> str | None:
    """Why an opsim folder of another kind (results where a report goes, or the other way
    round) may not be replaced, or None: an easy slip of ``--out`` must not cost a run."""
    listed = _listed_files(path, complete_only=True) if path.is_dir() else None
    other = sorted(set(listed or ()) - expected) if expected else []
    if not other:
        return None
    return (
        f"--out {path}: holds opsim output of another kind ({', '.join(other[:_SHOWN])}); "
        "choose another folder, or remove it yourself if you no longer need it"
    )


def _not_opsims(path: Path) -> str:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        old = isinstance(manifest, dict) and manifest.get("package") == "opsim"
    except (OSError, ValueError):
        old = False
    if old:
        return (
            "holds results of opsim 0.1.0, which left no proof that nothing in them changed "
            "since (remove the folder yourself if you no longer need it)"
        )
    return f"is a folder opsim did not write (it has no {MARKER} marker); refusing to replace it"


def _listed_files(folder: Path, complete_only: bool, of: str | None = None):
    """File name -> what opsim recorded of it; None if ``folder`` is not opsim's.

    ``of``: only a hidden folder that opsim made for the output folder of that name.
    """
    marker = _read_marker(folder)
    if marker is None or (of is not None and marker.get("folder") != of):
        return None
    files = marker.get("files")
    if complete_only and marker.get("state") != "complete":
        return None
    if isinstance(files, list):
        files = {name: {} for name in files}
    if not isinstance(files, dict) or not all(_plain(name) for name in files):
        return None  # a marker naming paths is not one opsim wrote
    return {name: d if isinstance(d, dict) else {} for name, d in files.items()}


def recorded_files(folder: Path) -> dict[str, dict] | None:
    """What opsim's marker records of each file of a complete folder (name -> size and
    SHA-256), or None when the folder has no marker opsim wrote."""
    return _listed_files(Path(folder), complete_only=True)


def _plain(name: object) -> bool:
    return (
        isinstance(name, str)
        and name not in ("", ".", "..", MARKER)
        and not name.startswith(".")
        and not any(c in name for c in "/\\\0")
    )


def _change(file: Path, record: dict) -> str | None:
    """How ``file`` differs from what opsim recorded of it, or None if it does not."""
    try:
        info = os.lstat(file)
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"  # a folder or link where opsim wrote a file
        if info.st_size != record.get("size") or _sha256(file) != record.get("sha256"):
            return "changed"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return None


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_marker(folder: Path) -> dict | None:
    try:
        if not stat.S_ISREG(os.lstat(folder / MARKER).st_mode):
            return None
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
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


def _seal(folder: Path, names: list[str], owner: str) -> None:
    """Flush every file to disk, then record them with their digests: the folder is complete."""
    files = {}
    for name in names:
        if not _plain(name):
            raise ValueError(f"a results folder holds plain file names, not {name!r}")
        with (folder / name).open("rb") as handle:
            os.fsync(handle.fileno())
        files[name] = {"size": (folder / name).stat().st_size, "sha256": _sha256(folder / name)}
    marker = {"state": "complete", "folder": owner, "written": time.time(), "files": files}
    _write_marker(folder, marker)
    fsync_dir(folder)


# -- hidden folders: new results, and leftovers of killed runs ---------------------------------


def _sibling(path: Path, kind: str, token: str) -> Path:
    return path.parent / f".{path.name}.{kind}-{os.getpid()}-{token}"


def _fresh_sibling(path: Path, expected: frozenset[str]) -> Path:
    """A new hidden folder beside ``path``, marked as opsim's before anything goes in."""
    folder = _sibling(path, _NEW, secrets.token_hex(len(_TOKEN) // 2))
    folder.mkdir()  # mode 0777 less the umask, like any folder the user makes
    try:
        _keep_access(folder, path)
        marker = {"state": "writing", "folder": path.name, "files": sorted(expected)}
        _write_marker(folder, marker)
    except BaseException:
        with contextlib.suppress(OSError):
            (folder / f"{MARKER}.tmp").unlink(missing_ok=True)
            folder.rmdir()
        raise
    return folder


def _keep_access(folder: Path, path: Path) -> None:
    """Give the new folder the old one's permissions and group (a shared folder stays shared)."""
    try:
        old = path.stat()
    except FileNotFoundError:
        return
    with contextlib.suppress(OSError):  # a group the user is not in cannot be given
        os.chown(folder, -1, old.st_gid)
    os.chmod(folder, stat.S_IMODE(old.st_mode))


def _tidy(path: Path) -> list[str]:
    """Put back results a killed two-step swap left aside; remove other hidden leftovers."""
    pattern = _hidden_names(re.escape(path.name))
    leftovers = sorted(
        path.parent / entry.name
        for entry in os.scandir(path.parent)
        if pattern.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
    )
    notes = []
    aside = [  # results the fallback swap moved aside (it alone uses that name)
        p
        for p in leftovers
        if f".{_OLD}-" in p.name and _listed_files(p, True, of=path.name) is not None
    ]
    if not os.path.lexists(path) and aside:
        os.rename(max(aside, key=lambda p: os.lstat(p).st_mtime_ns), path)
        notes.append(f"restored {path} from a run that was killed while replacing it")
    for leftover in leftovers:
        if os.path.lexists(leftover) and leftover != path:
            notes += _remove_owned(leftover, of=path.name)
    return notes


def _remove_owned(folder: Path, empty_ok: bool = False, of: str | None = None) -> list[str]:
    """Delete the regular files opsim listed in ``folder``, its marker last, then the folder.

    A folder without opsim's marker is left alone (unless empty and
    ``empty_ok``), and so is anything unlisted, and the marker while a listed
    file remains; the returned notes say what was left and where.
    """
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return []  # a link or file: never followed, never removed
    except FileNotFoundError:
        return []
    marker = _read_marker(folder)
    listed = _listed_files(folder, complete_only=False, of=of)
    if listed is None and not (empty_ok and not _entries(folder)):
        return []
    kept = [name for name in listed or {} if _unlink_regular(folder / name)]  # try every one
    if marker is not None:  # the marker goes last, and only if it is one opsim wrote
        _unlink_regular(folder / f"{MARKER}.tmp")
        if not kept:
            _unlink_regular(folder / MARKER)
    try:
        folder.rmdir()
    except OSError as exc:
        left = ", ".join(_entries(folder)[:_SHOWN])
        return [f"left {folder} in place ({exc.strerror or exc}: {left})"]
    return []


def _entries(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _unlink_regular(file: Path) -> bool:
    """Remove ``file`` if it is a regular file; True if something is left there."""
    try:
        if not stat.S_ISREG(os.lstat(file).st_mode):
            return True
        file.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return False
