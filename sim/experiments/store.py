"""The results store: every finished replication on disk, so a batch survives interruption.

A replication is identified by what determines it: the scenario as it runs (after
its budget's effects), the seed, the replication's number, whether incidents are
kept, and opsim's own code. Its tables are written as Parquet files the moment it
finishes, each under a temporary name renamed into place, the KPI table last: a
replication is finished exactly when its KPI file exists. Rerunning a command
finds what is finished and runs only what is missing; a finished replication is
never recomputed, and any command (run, compare, sweep) reuses another's.

Layout::

    STORE/.opsim-store                      marker: opsim made this folder
    STORE/<run key>/scenario.json           the scenario as it ran (for people)
    STORE/<run key>/r000017.kpis.parquet    replication 17: one row per metric and group
    STORE/<run key>/r000017.people.parquet
    STORE/<run key>/r000017.incidents.parquet

opsim only ever adds to a store (and removes its own temporary files); deleting a
store folder is always safe, it only costs recomputation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim import __version__
from sim.errors import FolderRefused
from sim.experiments.workers import running

MARKER = ".opsim-store"
TABLES = ("incidents", "people", "kpis")  # written in this order: kpis last means finished
DEFAULT_NAME = ".opsim-store"
"""The store's folder name, beside a command's ``--out`` folder unless ``--store`` says."""


class Store:
    """Finished replications under ``root`` (created on first use)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def finished(self, key: str) -> set[int]:
        """The replications of run ``key`` already in the store."""
        folder = self.root / key
        if not folder.is_dir():
            return set()
        return {int(p.name[1:7]) for p in folder.glob("r??????.kpis.parquet")}

    def put(self, key: str, replication: int, tables: dict[str, pd.DataFrame]) -> None:
        """Add one finished replication's tables (``kpis``, ``people``, ``incidents``)."""
        folder = self._folder(key)
        for name in TABLES:
            _write_atomically(tables[name], folder / _file(replication, name))

    def get(
        self, key: str, replication: int, tables: tuple[str, ...] = TABLES
    ) -> dict[str, pd.DataFrame]:
        """One finished replication's tables (those named; the others empty).

        Raises
        ------
        Damaged
            A file is missing, unreadable, or not a table of this replication (the caller
            runs the replication again, which replaces the files).
        """
        folder = self.root / key
        found = {}
        for name in TABLES:
            path = folder / _file(replication, name)
            if not path.is_file():
                raise Damaged(path, "missing")
            found[name] = _read(path, replication, name) if name in tables else pd.DataFrame()
        return found

    def describe(self, key: str, scenario_json: str) -> None:
        """Keep the scenario beside its replications, for people browsing the store."""
        path = self._folder(key) / "scenario.json"
        if not path.exists():
            _write_text_atomically(path, scenario_json)

    def _folder(self, key: str) -> Path:
        self._claim()
        folder = self.root / key
        if folder.is_dir() and folder not in _TIDIED:
            _tidy(folder)
            _TIDIED.add(folder)
        folder.mkdir(exist_ok=True)
        return folder

    def _claim(self) -> None:
        """Make the store on first use; refuse a folder of that name opsim did not make."""
        marker = self.root / MARKER
        if marker.is_file():
            return
        if self.root.exists() and not self.root.is_dir():
            raise FolderRefused(f"results store {self.root}: not a folder")
        if self.root.exists() and any(self.root.iterdir()):
            raise FolderRefused(
                f"results store {self.root}: not an opsim results store (no {MARKER} marker); "
                "give another folder with --store"
            )
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            _write_text_atomically(marker, json.dumps({"package": "opsim"}) + "\n")
        except OSError as exc:
            raise FolderRefused(
                f"results store {self.root}: cannot be made: {exc.strerror or exc}"
            ) from None


class StoreNote(UserWarning):
    """Something the user should know about the store (a damaged replication run again)."""


class Damaged(Exception):
    """A stored replication that cannot be used as it is."""

    def __init__(self, path: Path, why: str):
        super().__init__(f"{path}: {why}")
        self.path, self.why = path, why


KPI_COLUMNS = ["replication", "metric", "group", "value"]


def _read(path: Path, replication: int, name: str) -> pd.DataFrame:
    """A stored table, checked as far as it can be: readable, and KPIs of this replication."""
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises its own kinds for every sort of damage
        raise Damaged(path, f"unreadable ({type(exc).__name__})") from None
    if name == "kpis" and (
        list(table.columns) != KPI_COLUMNS
        or not (table["replication"] == replication).all()
        or not pd.api.types.is_float_dtype(table["value"])
    ):
        raise Damaged(path, f"not the KPIs of replication {replication}")
    return table


def run_key(scenario_json: str, seed: int, keep_incidents: bool) -> str:
    """The identity of a run's replications: what they are drawn from, and by which code."""
    digest = hashlib.sha256()
    for part in (code_digest(), scenario_json, str(seed), str(keep_incidents)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


@lru_cache(maxsize=1)
def code_digest() -> str:
    """opsim's version and the source of everything that shapes a replication's figures.

    A changed model or metric gives new keys, so a store never serves figures that
    the code in use would not produce (the report and command line do not count).
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for layer in ("scenario", "model", "analysis", "experiments"):
        for path in sorted((package / layer).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


_TIDIED: set[Path] = set()
"""Folders this process has tidied already (once is enough: its own files are renamed)."""


def _tidy(folder: Path) -> None:
    """Remove the temporary files that killed opsim processes of this machine left: their
    name (``.NAME.HOST.PID.tmp``) proves opsim wrote them, and the process that would have
    renamed them is gone. Files of other machines (a shared folder) are left alone."""
    for path in folder.glob(".*.tmp"):
        found = _TEMPORARY.fullmatch(path.name)
        if found and found["host"] == _HOST and not running(int(found["pid"])):
            with contextlib.suppress(OSError):
                path.unlink()


_HOST = socket.gethostname().replace(".", "-") or "host"
_TEMPORARY = re.compile(
    r"\.(?:r\d{6}\.(?:kpis|people|incidents)\.parquet|scenario\.json|\.opsim-store)"
    r"\.(?P<host>[^.]+)\.(?P<pid>\d+)\.tmp"
)


def _file(replication: int, table: str) -> str:
    return f"r{replication:06d}.{table}.parquet"


def _write_atomically(table: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.tmp")
    try:
        table.to_parquet(temporary, engine="pyarrow", index=False)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _write_text_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
