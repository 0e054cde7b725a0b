"""Sweeps: a full factorial grid of scenario variants, in one table, and the best point per target.

Every point runs the same replications with the same seed (common random
numbers), so neighbouring points differ by their factors, not by luck. The
result is one table a planner can read without pivoting: a row per point with a
column per factor and per metric (wide), and the same figures a row per point,
metric and group (long).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sim.analysis import catalogue
from sim.analysis.metric import Better
from sim.analysis.scorecard import judged, scorecard
from sim.analysis.verdicts import MISS, OK, UNSURE
from sim.experiments.defaults import DEFAULT_SEED, DEFAULT_SWEEP_REPLICATIONS
from sim.experiments.experiment import ExperimentResult, run_many
from sim.experiments.store import Store
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Point:
    """One grid point: its factors' values and the scenario they give."""

    label: str
    factors: dict[str, str]
    scenario: Scenario


def grid(factors: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, str]]:
    """Every combination of the factors' values, the last factor varying fastest."""
    names = [name for name, _ in factors]
    return [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(v for _, v in factors))
    ]


@dataclass
class Sweep:
    """A sweep's points and each point's results."""

    points: list[Point]
    results: dict[str, ExperimentResult]  # point label -> result

    def long(self) -> pd.DataFrame:
        """A row per point, metric and group: factors, mean, interval, replications, and
        for the scorecard's lines their label, unit, target and verdict at that point."""
        frames = []
        for point in self.points:
            summary = judged(self.results[point.label].summary, point.scenario)
            for k, (name, value) in enumerate(point.factors.items()):
                summary.insert(k, name, value)
            summary.insert(0, "point", point.label)
            frames.append(summary)
        return pd.concat(frames, ignore_index=True)

    def wide(self) -> pd.DataFrame:
        """A row per point: its factors, then ``metric[group]`` means and interval ends."""
        rows = []
        for point in self.points:
            row = {"point": point.label, **point.factors}
            for r in self.results[point.label].summary.itertuples(index=False):
                name = f"{r.metric}[{r.group}]"
                row[name], row[f"{name} low"], row[f"{name} high"] = r.mean, r.ci_low, r.ci_high
            rows.append(row)
        return pd.DataFrame(rows)

    def best(self) -> pd.DataFrame:
        """Per target of the first point's scorecard, the point with the best mean there
        (by the metric's direction; for a band, nearest it), its verdict, and how many
        other points are as good (the first in grid order is shown)."""
        first = self.results[self.points[0].label]
        rows = []
        for line in scorecard(first.summary, first.scenario):
            if not line.target:
                continue
            found = _best_point(self, line.metric, line.group)
            if found is not None:
                point, row, verdict, ties = found
                known = catalogue.lookup(line.metric)  # the point's own goal: a factor may move it
                goal = known.target_for(point.scenario, line.group)
                rows.append(
                    {
                        "target": known.label_for(point.scenario, line.group),
                        "metric": line.metric,
                        "group": line.group,
                        "goal": goal.text if goal else "",
                        "point": point.label,
                        **point.factors,
                        "mean": row["mean"],
                        "ci_low": row.ci_low,
                        "ci_high": row.ci_high,
                        "verdict": verdict,
                        "equal_points": ties,
                    }
                )
        return pd.DataFrame(rows)


def _best_point(sweep: Sweep, metric: str, group: str):
    """The point with the best mean (the first of equals), its row, verdict and how many
    other points equal it."""
    known = catalogue.lookup(metric)
    scored = []
    for point in sweep.points:
        summary = sweep.results[point.label].summary
        rows = summary[(summary.metric == metric) & (summary.group == group)]
        if rows.empty or math.isnan(rows.iloc[0]["mean"]):
            continue
        row = rows.iloc[0]
        target = known.target_for(point.scenario, group)
        verdict = target.verdict(row["mean"], row.ci_low, row.ci_high) if target else ""
        scored.append((_badness(known.better, row["mean"], target, verdict), point, row, verdict))
    if not scored:
        return None
    badness, point, row, verdict = min(scored, key=lambda s: s[0])  # min keeps the first
    ties = sum(1 for s in scored if s[0] == badness) - 1
    return point, row, verdict, ties


def _badness(better: Better, mean: float, target, verdict: str) -> float:
    """Lower is better: by the metric's direction; for a band, the distance outside it;
    for a target with no better direction (money against its line), the verdict."""
    if better is Better.HIGHER:
        return -mean
    if better is Better.LOWER:
        return mean
    if target is not None and len(target.edges) == 2:
        low, high = target.edges
        return max(low - mean, 0.0, mean - high)
    return {OK: 0.0, UNSURE: 1.0, MISS: 2.0}.get(verdict, 3.0)


def sweep(
    points: list[Point],
    replications: int = DEFAULT_SWEEP_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    *,
    store: Store | None = None,
    cluster: str | None = None,
    progress=None,
) -> Sweep:
    """Run every point's replications on the same seed (all points share the workers).

    Raises
    ------
    ScenarioError
        Before simulating, for a point beyond opsim's bounds (named by its factors).
    """
    if not points or replications < 1:
        raise ValueError("a sweep needs at least one point and one replication")
    results = run_many(
        {p.label: p.scenario for p in points},
        replications,
        seed,
        workers,
        store=store,
        cluster=cluster,
        progress=progress,
        names={p.label: _name(p) for p in points},
        load=("kpis",),  # a sweep's tables are its KPIs: people are not read back
    )
    return Sweep(points, results)


def _name(point: Point) -> str:
    return f"{point.label} (" + ", ".join(f"{k}={v}" for k, v in point.factors.items()) + ")"
