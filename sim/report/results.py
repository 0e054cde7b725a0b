"""The results a report is drawn from: read from a results folder, or taken from memory.

A report never simulates. :func:`load_results` reads what ``opsim run --out``
wrote; :meth:`Results.of` wraps an :class:`~sim.experiments.experiment.ExperimentResult`
from a notebook, so the same charts draw both.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim import __version__
from sim.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

NEEDED = ("summary.csv", "scenario.resolved.yaml")
"""Files without which a folder is not a results folder a report can use."""
OPTIONAL = ("replications.csv", "incidents.csv", "people.csv", "manifest.json")


class MissingData(LookupError):
    """The results hold nothing for a chart (an older run, or a smaller scenario)."""


@dataclass(frozen=True)
class Results:
    """One run's tables, scenario and manifest.

    ``incidents`` and ``people`` are empty tables when the run did not keep them.
    """

    scenario: Scenario
    summary: pd.DataFrame
    incidents: pd.DataFrame = field(default_factory=pd.DataFrame)
    people: pd.DataFrame = field(default_factory=pd.DataFrame)
    manifest: dict = field(default_factory=dict)
    scenario_text: str = ""
    source: str = ""  # the folder read ("" for results from memory)

    @classmethod
    def of(cls, result, manifest: dict | None = None) -> Results:
        """Results of an experiment run in this process (a notebook's ``run_experiment``)."""
        from sim.experiments.results import resolved_yaml

        scenario = result.scenario
        about = {
            "package": "opsim",
            "version": __version__,
            "seed": result.seed,
            "replications": int(result.summary["replications"].max()),
            "days": scenario.calendar.days,
        }
        return cls(
            scenario,
            result.summary,
            result.incidents,
            result.people,
            about | (manifest or {}),
            resolved_yaml(scenario),
        )

    # ------------------------------------------------------------------ reading figures

    def has(self, metric: str, prefix: str = "") -> bool:
        """Whether the summary holds ``metric`` (for a group starting with ``prefix``)."""
        rows = self.rows(metric)
        return not rows.empty and bool(rows["group"].str.startswith(prefix).any())

    def rows(self, metric: str) -> pd.DataFrame:
        """The summary rows of one metric."""
        return self.summary[self.summary["metric"] == metric]

    def figure(self, metric: str, group: str) -> tuple[float, float, float]:
        """``(mean, ci_low, ci_high)`` of one metric and group (nan when absent)."""
        return self._index.get((metric, group), (math.nan,) * 3)

    @functools.cached_property
    def _index(self) -> dict[tuple[str, str], tuple[float, float, float]]:
        table = self.summary
        columns = (table[c].astype(float) for c in ("mean", "ci_low", "ci_high"))
        return dict(
            zip(
                zip(table["metric"], table["group"], strict=True),
                zip(*columns, strict=True),
                strict=True,
            )
        )

    def require(self, metric: str, prefix: str = "", why: str = "") -> None:
        """Raise :class:`MissingData` unless the summary holds ``metric``."""
        if not self.has(metric, prefix):
            raise MissingData(why or f"these results have no {metric} figures")

    @property
    def measured_hours(self) -> float:
        """Hours of the measured window (after the warm-up)."""
        calendar = self.scenario.calendar
        return (calendar.days - calendar.warmup_days) * 24.0

    @property
    def replications(self) -> int:
        """Replications behind the summary."""
        return int(self.manifest.get("replications") or self.summary["replications"].max())


def load_results(folder: str | Path) -> Results:
    """Read a results folder written by ``opsim run --out``.

    Raises
    ------
    ScenarioError
        The folder is missing, is not a results folder, or a file cannot be read;
        one line per problem.
    """
    path = Path(folder)
    if not path.is_dir():
        raise ScenarioError([f"{path}: no such results folder"])
    missing = [name for name in NEEDED if not (path / name).is_file()]
    if missing:
        raise ScenarioError(
            [f"{path}: not a results folder of `opsim run --out` (no {', '.join(missing)})"]
        )
    scenario = load_scenario(path / "scenario.resolved.yaml")
    return Results(
        scenario,
        _table(path / "summary.csv", ("metric", "group", "mean", "ci_low", "ci_high")),
        _table(path / "incidents.csv", ("replication", "priority", "restore_minutes")),
        _table(path / "people.csv", ("replication", "person", "available_hours")),
        _manifest(path / "manifest.json"),
        (path / "scenario.resolved.yaml").read_text(encoding="utf-8"),
        str(path),
    )


def _table(file: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A CSV file with at least ``columns``; an empty table if the file is absent."""
    if not file.is_file():
        return pd.DataFrame()
    try:
        table = pd.read_csv(file, keep_default_na=False, na_values=[""])
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{file}: cannot be read as CSV: {exc}"]) from None
    lacking = [c for c in columns if c not in table.columns]
    if lacking:
        raise ScenarioError([f"{file}: no column {', '.join(lacking)}: not written by opsim"])
    if "group" in table:
        table["group"] = table["group"].astype(str)
    return table


def _manifest(file: Path) -> dict:
    if not file.is_file():
        return {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise ScenarioError([f"{file}: cannot be read as JSON: {exc}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError([f"{file}: expected a JSON object"])
    return data
