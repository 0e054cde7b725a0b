"""A comparison's or a sweep's folder, as the report reads it.

``opsim compare --out`` and ``opsim sweep --out`` write tables that carry, beside
each figure, the scorecard's label, target and verdict, so a report needs no
scenario to judge them. Files are checked against opsim's marker like a results
folder's (see :mod:`sim.report.results`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import ScenarioError
from sim.report.results import MarkedFiles, read_table

FIGURES = ("mean", "ci_low", "ci_high")
DIFFERENCES = ("difference", "diff_low", "diff_high")
KINDS = {"comparison": "comparison.csv", "sweep": "sweep-long.csv"}


@dataclass
class BatchResults:
    """A comparison (scenarios against a base) or a sweep (a grid of points)."""

    kind: str  # "comparison" or "sweep"
    table: pd.DataFrame  # comparison.csv, or sweep-long.csv
    manifest: dict
    verdicts: list[str] = field(default_factory=list)  # a comparison's plain lines
    best: pd.DataFrame = field(default_factory=pd.DataFrame)  # a sweep's best point per target
    source: str = ""

    @classmethod
    def of(cls, batch) -> BatchResults:
        """A comparison or sweep run in this process (a notebook's ``compare`` or ``sweep``)."""
        first = next(iter(batch.results.values()))
        about = {"seed": first.seed, "replications": int(first.summary["replications"].max())}
        if hasattr(batch, "table"):  # a Comparison
            manifest = {**about, "labels": list(batch.results)}
            return cls("comparison", batch.table, manifest, verdicts=batch.verdicts())
        grid = [
            [k, list(dict.fromkeys(p.factors[k] for p in batch.points))]
            for k in batch.points[0].factors
        ]
        manifest = {**about, "labels": [p.label for p in batch.points], "grid": grid}
        return cls("sweep", batch.long(), manifest, best=batch.best())

    @property
    def name(self) -> str:
        """What the report is about, for its title."""
        labels = self.manifest.get("labels") or []
        if self.kind == "comparison" and labels:
            return f"{', '.join(map(str, labels[1:]))} against {labels[0]}"
        return f"sweep of {len(labels)} points" if labels else self.kind

    @property
    def factors(self) -> list[str]:
        """A sweep's factors, in grid order."""
        grid = [str(key) for key, _ in self.manifest.get("grid") or []]
        scenarios = self.manifest.get("scenarios") or []
        return (["scenario"] if len(scenarios) > 1 else []) + grid

    def targets(self) -> pd.DataFrame:
        """The rows of judged figures: the scorecard's lines that have a target."""
        return self.table[self.table["target"].fillna("") != ""]


def is_batch(folder: str | Path) -> bool:
    """Whether ``folder`` holds a comparison or a sweep rather than one run's results."""
    return any((Path(folder) / name).is_file() for name in KINDS.values())


def load_batch(folder: str | Path) -> BatchResults:
    """Read a comparison or sweep folder.

    Raises
    ------
    ScenarioError
        A file is missing, unreadable or not what opsim wrote; one line per problem.
    """
    path = Path(folder)
    kind = next((k for k, name in KINDS.items() if (path / name).is_file()), None)
    if kind is None:
        raise ScenarioError([f"{path}: not a comparison or sweep folder"])
    files = MarkedFiles(path)
    for name in sorted(files.recorded or ()):  # every file opsim wrote, read or not
        files.data(name)
    numbers = FIGURES + (DIFFERENCES if kind == "comparison" else ())
    columns = ("metric", "group", "label", "target", "verdict", *numbers)
    table = read_table(files, KINDS[kind], columns, numbers)
    for column in ("label", "target", "verdict", "unit", "outcome", "scenario", "point"):
        if column in table:
            table[column] = table[column].fillna("").astype(str)
    manifest = _manifest(files)
    found = BatchResults(kind, table, manifest, source=str(path))
    if kind == "comparison":
        found.verdicts = [v for v in files.text("verdicts.txt").splitlines() if v.strip()]
        if "significant" in table:
            table["significant"] = table["significant"].astype(str).str.lower() == "true"
    else:
        found.best = read_table(files, "best.csv", ("target", "point", "mean"), FIGURES)
        for factor in found.factors:
            if factor not in table:
                raise ScenarioError([f"{path / KINDS[kind]}: no column {factor}: not a sweep"])
            table[factor] = table[factor].astype(str)
    return found


def _manifest(files: MarkedFiles) -> dict:
    file = files.path / "manifest.json"
    try:
        data = json.loads(files.text("manifest.json"))
    except ValueError as exc:
        raise ScenarioError([f"{file}: cannot be read as JSON: {exc}"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("labels", []), list):
        raise ScenarioError([f"{file}: expected a JSON object with a list of labels"])
    return data
