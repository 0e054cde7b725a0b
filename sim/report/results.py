"""The results a report is drawn from: read from a results folder, or taken from memory.

A report never simulates. :func:`load_results` reads what ``opsim run --out``
wrote; :meth:`Results.of` wraps an :class:`~sim.experiments.experiment.ExperimentResult`
from a notebook, so the same charts draw both.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import __version__
from sim.errors import ScenarioError
from sim.experiments.owned_folder import recorded_files
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

    @property
    def name(self) -> str:
        """What the report is about, for its title."""
        return self.scenario.name

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

    Every file is checked against opsim's marker when the folder has one: a file
    edited since, or replaced by another run while it was read, is refused.

    Raises
    ------
    ScenarioError
        The folder is missing, is not a results folder, or a file cannot be read or
        is not what opsim wrote; one line per problem.
    """
    path = Path(folder)
    if not path.is_dir():
        raise ScenarioError([f"{path}: no such results folder"])
    missing = [name for name in NEEDED if not (path / name).is_file()]
    if missing:
        raise ScenarioError(
            [f"{path}: not a results folder of `opsim run --out` (no {', '.join(missing)})"]
        )
    files = MarkedFiles(path)
    text = files.text("scenario.resolved.yaml")
    if re.search(r"^extends\s*:", text, re.MULTILINE):
        raise ScenarioError(
            [
                f"{path / 'scenario.resolved.yaml'}: names a parent (extends): "
                "not a resolved scenario written by opsim"
            ]
        )
    scenario = load_scenario(path / "scenario.resolved.yaml")
    results = Results(
        scenario,
        read_table(files, "summary.csv", SUMMARY_COLUMNS, ("mean", "ci_low", "ci_high")),
        read_table(files, "incidents.csv", ("priority",), INCIDENT_NUMBERS),
        read_table(files, "people.csv", ("replication", "person"), PEOPLE_NUMBERS),
        _manifest(files),
        text,
        str(path),
    )
    _check_belongs(results, path)
    return results


SUMMARY_COLUMNS = ("metric", "group", "mean", "ci_low", "ci_high")
INCIDENT_NUMBERS = ("replication", "started", "restore_minutes", "ack_minutes")
PEOPLE_NUMBERS = ("replication", "available_hours", "utilization")
"""Columns that must hold numbers where present (the rest of ``*_hours`` too)."""
_MANIFEST_TYPES = {
    "replications": int,
    "seed": int,
    "days": int,
    "version": str,
    "scenario": str,
    "finished_utc": str,
}


class MarkedFiles:
    """A results folder's files, each read once and checked against opsim's marker."""

    def __init__(self, path: Path):
        self.path = path
        self.recorded = recorded_files(path)  # None: no marker, nothing to check against

    def has(self, name: str) -> bool:
        return (self.path / name).is_file()

    def data(self, name: str) -> bytes:
        file = self.path / name
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ScenarioError([f"{file}: cannot be read: {exc.strerror or exc}"]) from None
        if self.recorded is not None:
            record = self.recorded.get(name)
            if record is None or record.get("sha256") != hashlib.sha256(data).hexdigest():
                raise ScenarioError(
                    [
                        f"{file}: is not the file opsim wrote with these results (edited, or "
                        "replaced by another run while it was read); run the command that "
                        "wrote it again"
                    ]
                )
        return data

    def text(self, name: str) -> str:
        try:
            return self.data(name).decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError([f"{self.path / name}: is not UTF-8 text"]) from None


def read_table(files: MarkedFiles, name: str, columns: tuple[str, ...], numbers: tuple[str, ...]):
    """A CSV file with at least ``columns``, and numbers where numbers belong; an empty
    table if the file is absent."""
    if not files.has(name):
        return pd.DataFrame()
    file = files.path / name
    try:
        table = pd.read_csv(io.BytesIO(files.data(name)), keep_default_na=False, na_values=[""])
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{file}: cannot be read as CSV: {exc}"]) from None
    lacking = [c for c in columns if c not in table.columns]
    if lacking:
        raise ScenarioError([f"{file}: no column {', '.join(lacking)}: not written by opsim"])
    for column in table.columns:
        if column in numbers or column.endswith("_hours"):
            table[column] = _numbers(table[column], file, column)
    if "group" in table:
        table["group"] = table["group"].astype(str)
    return table


def _numbers(column: pd.Series, file: Path, name: str) -> pd.Series:
    """The column as floats (empty and "nan" are missing); anything else is bad input."""
    values = pd.to_numeric(column.replace({"nan": "", "NaN": ""}), errors="coerce")
    bad = column[values.isna() & ~column.isin(["", "nan", "NaN"]) & column.notna()]
    if not bad.empty or np.isinf(values).any():
        shown = bad.iloc[0] if not bad.empty else "inf"
        line = int((bad.index if not bad.empty else values.index[np.isinf(values)])[0]) + 2
        raise ScenarioError(
            [f"{file}: line {line}: column {name}: expected a number, got {str(shown)[:40]!r}"]
        )
    return values.astype(float)


def _manifest(files: MarkedFiles) -> dict:
    if not files.has("manifest.json"):
        return {}
    file = files.path / "manifest.json"
    try:
        data = json.loads(files.text("manifest.json"))
    except ValueError as exc:
        raise ScenarioError([f"{file}: cannot be read as JSON: {exc}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError([f"{file}: expected a JSON object"])
    for key, kind in _MANIFEST_TYPES.items():
        value = data.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise ScenarioError([f"{file}: {key}: expected {kind.__name__}, got {value!r:.40}"])
    if data.get("replications") is not None and data["replications"] < 1:
        raise ScenarioError([f"{file}: replications: expected at least 1"])
    overrides = data.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise ScenarioError([f"{file}: overrides: expected a list of KEY=VALUE texts"])
    return data


def _check_belongs(results: Results, path: Path) -> None:
    """Refuse tables of another scenario (files of two runs in one folder)."""
    scenario = results.scenario
    known = {
        ("people.csv", "team"): {t.id for t in scenario.teams},
        ("people.csv", "role"): {r.id for r in scenario.roles},
        ("incidents.csv", "priority"): {p.id for p in scenario.priorities},
    }
    tables = {"people.csv": results.people, "incidents.csv": results.incidents}
    for (name, column), ids in known.items():
        table = tables[name]
        if column in table:
            strangers = sorted(set(table[column].astype(str)) - ids)
            if strangers:
                raise ScenarioError(
                    [
                        f"{path / name}: {column} {strangers[0]!r} is not in "
                        "scenario.resolved.yaml: the files come from different runs"
                    ]
                )
