"""Writing an experiment's results folder, all or nothing.

The files are written into a new hidden folder that replaces ``--out`` in one
step, and only a folder opsim can prove it wrote is ever replaced (see
:mod:`sim.experiments.owned_folder`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from pathlib import Path

import yaml

from sim import __version__
from sim.experiments.experiment import ExperimentResult
from sim.experiments.owned_folder import claim

RESULT_FILES = frozenset(
    {
        "summary.csv",
        "replications.csv",
        "incidents.csv",
        "people.csv",
        "scenario.resolved.yaml",
        "manifest.json",
    }
)
"""Every file a results folder may hold (besides opsim's marker)."""


def resolved_yaml(scenario) -> str:
    """The fully merged scenario as YAML: a run can be reproduced from it alone."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_files(result: ExperimentResult, folder: Path, manifest: dict) -> list[str]:
    """Write summary, replications, incidents, people, resolved scenario and manifest.

    Returns the names written. ``folder`` must exist; use :func:`write_results`
    to write a results folder safely.
    """
    folder = Path(folder)
    result.summary.to_csv(folder / "summary.csv", index=False)
    result.replications.to_csv(folder / "replications.csv", index=False)
    names = ["summary.csv", "replications.csv"]
    if not result.incidents.empty:
        result.incidents.drop(columns=["response_origin"]).to_csv(
            folder / "incidents.csv", index=False
        )
        names.append("incidents.csv")
    result.people.to_csv(folder / "people.csv", index=False)
    (folder / "scenario.resolved.yaml").write_text(resolved_yaml(result.scenario))
    full = {"package": "opsim", "version": __version__, "seed": result.seed, **manifest}
    (folder / "manifest.json").write_text(json.dumps(full, indent=2, default=str) + "\n")
    return [*names, "people.csv", "scenario.resolved.yaml", "manifest.json"]


def write_results(
    result: ExperimentResult, out: Path, manifest: dict, protect: Iterable[Path] = ()
) -> list[Path]:
    """Write a results folder at ``out``, replacing a previous one only if opsim wrote it.

    Raises :class:`sim.errors.FolderRefused` for a folder it may not replace; notes
    about leftovers it could not remove are given as warnings.
    """
    with claim(out, protect, RESULT_FILES) as folder:
        try:
            folder.replace(lambda new: write_files(result, new, manifest))
        finally:
            for note in folder.notes:
                warnings.warn(note, stacklevel=2)
        return sorted(folder.path.iterdir())


COMPARISON_FILES = frozenset(
    {
        "comparison.csv",
        "verdicts.txt",
        "replications.parquet",
        "scenarios.resolved.yaml",
        "manifest.json",
    }
)
"""Every file a comparison folder may hold."""

SWEEP_FILES = frozenset(
    {"sweep.csv", "sweep-long.csv", "best.csv", "replications.parquet", "manifest.json"}
)
"""Every file a sweep folder may hold."""


def write_comparison_files(comparison, folder: Path, manifest: dict) -> list[str]:
    """A comparison: its table, verdict lines, every replication, the scenarios as run."""
    folder = Path(folder)
    comparison.table.to_csv(folder / "comparison.csv", index=False)
    (folder / "verdicts.txt").write_text("\n".join(comparison.verdicts()) + "\n")
    _replications(comparison.results, "scenario").to_parquet(
        folder / "replications.parquet", index=False
    )
    scenarios = {
        label: result.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
        for label, result in comparison.results.items()
    }
    text = yaml.safe_dump(scenarios, sort_keys=False, allow_unicode=True)
    (folder / "scenarios.resolved.yaml").write_text(text)
    _manifest(folder, {"kind": "comparison", "seed": _seed(comparison.results), **manifest})
    return sorted(COMPARISON_FILES)


def write_sweep_files(sweep, folder: Path, manifest: dict) -> list[str]:
    """A sweep: the wide and long tables, the best point per target, every replication."""
    folder = Path(folder)
    sweep.wide().to_csv(folder / "sweep.csv", index=False)
    sweep.long().to_csv(folder / "sweep-long.csv", index=False)
    sweep.best().to_csv(folder / "best.csv", index=False)
    _replications(sweep.results, "point").to_parquet(folder / "replications.parquet", index=False)
    _manifest(folder, {"kind": "sweep", "seed": _seed(sweep.results), **manifest})
    return sorted(SWEEP_FILES)


def _replications(results: dict, column: str):
    """One row per scenario (or point), replication, metric and group."""
    import pandas as pd

    frames = []
    for label, result in results.items():
        frame = result.replications.copy()
        frame.insert(0, column, label)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _seed(results: dict) -> int:
    return next(iter(results.values())).seed


def _manifest(folder: Path, fields: dict) -> None:
    full = {"package": "opsim", "version": __version__, **fields}
    (folder / "manifest.json").write_text(json.dumps(full, indent=2, default=str) + "\n")


def write_folder(out: Path, expected, write, protect: Iterable[Path] = ()) -> list[Path]:
    """Write a folder of ``expected`` files at ``out`` with ``write(new_folder)``, replacing a
    previous one only if opsim wrote it (see :func:`write_results`)."""
    with claim(out, protect, expected) as folder:
        try:
            folder.replace(write)
        finally:
            for note in folder.notes:
                warnings.warn(note, stacklevel=2)
        return sorted(folder.path.iterdir())
