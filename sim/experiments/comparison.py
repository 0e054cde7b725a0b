"""Comparing scenarios on common random numbers: paired differences and plain verdicts.

Every scenario of a comparison runs the same replications with the same seed, so
replication ``i`` of each sees the same incidents with the same draws (see
:mod:`sim.model.randomness`). The difference to the base is then taken
replication by replication, and its interval is that of the mean of those
differences: much narrower than two independent intervals would allow, because
the noise the scenarios share cancels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import catalogue
from sim.analysis.metric import Better
from sim.analysis.scorecard import Line, formatter, judged, scorecard
from sim.experiments.experiment import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    ExperimentResult,
    run_many,
)
from sim.experiments.statistics import paired_difference
from sim.experiments.store import Store
from sim.scenario.schema import Scenario

BETTER, WORSE, SAME, DIFFERENT = "better", "worse", "no different", "different"


@dataclass
class Comparison:
    """Scenarios run on common random numbers, each against the first (the base)."""

    results: dict[str, ExperimentResult]  # label -> result, the base first
    table: pd.DataFrame  # see :func:`comparison_table`

    @property
    def base(self) -> str:
        return next(iter(self.results))

    def verdicts(self) -> list[str]:
        """One plain line per other scenario, on every target of the base's scorecard."""
        return verdict_lines(self.table, self.results)

    def difference(self, other: str, metric: str, group: str = catalogue.ALL) -> pd.Series:
        """The row of ``other``'s paired difference to the base on one metric."""
        t = self.table
        rows = t[(t.scenario == other) & (t.metric == metric) & (t.group == group)]
        if rows.empty:
            raise KeyError(f"no {metric!r} for group {group!r} of {other!r}")
        return rows.iloc[0]


def compare(
    scenarios: list[Scenario],
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    *,
    store: Store | None = None,
    cluster: str | None = None,
    progress=None,
    labels: list[str] | None = None,
) -> Comparison:
    """Run every scenario's replications on the same seed and compare each with the first.

    ``labels`` name the scenarios (default: their names, made unique). Replications
    of all scenarios share the workers; a store makes the batch resumable.

    Raises
    ------
    ScenarioError
        Before simulating, for a scenario beyond opsim's bounds (named by its label).
    """
    if len(scenarios) < 2:
        raise ValueError("a comparison needs a base and at least one other scenario")
    if replications < 1:
        raise ValueError("replications must be at least 1")
    labels = list(labels) if labels is not None else unique_labels([s.name for s in scenarios])
    if len(labels) != len(scenarios) or len(set(labels)) != len(labels):
        raise ValueError(f"labels must name each scenario once, got {labels}")
    named = dict(zip(labels, scenarios, strict=True))
    results = run_many(
        named, replications, seed, workers, store=store, cluster=cluster, progress=progress
    )
    return Comparison(results, comparison_table(results))


def unique_labels(names: list[str]) -> list[str]:
    """Names as labels, a repeated one numbered (``baseline``, ``baseline (2)``), never
    taking a label another scenario is named."""
    named, used, labels = set(names), set(), []
    for name in names:
        label, k = name, 1
        while label in used or (label != name and label in named):
            k += 1
            label = f"{name} ({k})"
        used.add(label)
        labels.append(label)
    return labels


def comparison_table(results: dict[str, ExperimentResult]) -> pd.DataFrame:
    """Per scenario, metric and group: the mean with its interval, and the paired difference
    to the base (the first scenario) with its interval.

    Columns: scenario, metric, group, mean, ci_low, ci_high, replications, label, unit,
    target, verdict (of the scorecard's lines; empty for other rows), difference,
    diff_low, diff_high, pairs, significant (the interval excludes 0), outcome
    (better, worse, no different, or different where no direction is better).
    """
    labels = list(results)
    base = results[labels[0]]
    base_values = _by_replication(base.replications)
    base_means = {(r.metric, r.group): r.mean for r in base.summary.itertuples(index=False)}
    frames = []
    for label in labels:
        summary = judged(results[label].summary, results[label].scenario)
        summary.insert(0, "scenario", label)
        values = _by_replication(results[label].replications)
        keys = list(zip(summary.metric, summary.group, strict=True))
        diffs = [
            _difference(values.get(key), base_values.get(key), label == labels[0], key[0])
            for key in keys
        ]
        outcomes = [
            _outcome(base.scenario, key, base_means.get(key), diff[0], diff[4])
            for key, diff in zip(
                zip(summary.metric, summary.group, strict=True), diffs, strict=True
            )
        ]
        diffs = [(*diff[:5], outcome) for diff, outcome in zip(diffs, outcomes, strict=True)]
        columns = ["difference", "diff_low", "diff_high", "pairs", "significant", "outcome"]
        frames.append(pd.concat([summary, pd.DataFrame(diffs, columns=columns)], axis=1))
    return pd.concat(frames, ignore_index=True)


def _by_replication(kpis: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {
        key: values.set_index("replication")["value"]
        for key, values in kpis.groupby(["metric", "group"], sort=False)
    }


def _possible(metric: str, low: float, high: float) -> tuple[float, float]:
    """A difference's interval within what two values of the metric can differ by (two
    shares differ by at most one: a Student-t interval over few pairs can say more)."""
    known = catalogue.METRICS.get(metric)
    bottom, top = known.kind.bounds if known else (0.0, math.inf)
    span = top - bottom
    return (max(low, -span), min(high, span)) if math.isfinite(span) else (low, high)


def _difference(other, base, is_base: bool, metric: str) -> tuple:
    if is_base or other is None or base is None:
        return (np.nan, np.nan, np.nan, 0, False, "")
    both = other.index.intersection(base.index)
    low, mean, high, pairs = paired_difference(
        other.loc[both].to_numpy(dtype=float), base.loc[both].to_numpy(dtype=float)
    )
    low, high = _possible(metric, low, high)
    significant = bool(low > 0 or high < 0) if not math.isnan(low) else False
    return (mean, low, high, pairs, significant, "")


def _outcome(scenario, key: tuple[str, str], base_mean, difference: float, significant) -> str:
    """Better or worse by the metric's direction; for a band (utilization), by how far
    each mean lies outside the base's band."""
    if base_mean is None or math.isnan(difference):
        return ""
    if not significant:
        return SAME
    known = catalogue.METRICS.get(key[0])
    better = known.better if known else Better.NONE
    if better is Better.HIGHER:
        return BETTER if difference > 0 else WORSE
    if better is Better.LOWER:
        return BETTER if difference < 0 else WORSE
    target = known.target_for(scenario, key[1]) if better is Better.BAND else None
    if target is not None and len(target.edges) == 2:
        low, high = target.edges
        outside = lambda v: max(low - v, 0.0, v - high)  # noqa: E731
        before, after = outside(base_mean), outside(base_mean + difference)
        if before != after:
            return BETTER if after < before else WORSE
    return DIFFERENT


def target_lines(results: dict[str, ExperimentResult]) -> list[Line]:
    """The base's scorecard lines that have a target: what a comparison's verdicts judge."""
    base = next(iter(results.values()))
    return [line for line in scorecard(base.summary, base.scenario) if line.target]


def verdict_lines(table: pd.DataFrame, results: dict[str, ExperimentResult]) -> list[str]:
    """Per other scenario, a line per outcome: ``weekend-noc is better on Response SLA P3
    (+16.7 points, 95% CI +14.8 to +18.5)``, ``weekend-noc is no different on ...``."""
    targets = target_lines(results)
    index = {(r.scenario, r.metric, r.group): r for r in table.itertuples(index=False)}
    lines = []
    for label in list(results)[1:]:
        found: dict[str, list[str]] = {}
        for line in targets:
            row = index.get((label, line.metric, line.group))
            if row is None or not row.pairs:
                continue
            text = line.label
            if row.significant:
                text += f" ({difference_text(row, line.unit)})"
            found.setdefault(row.outcome, []).append(text)
        lines += [f"{label} is {o} on {'; '.join(found[o])}" for o in _ORDER if o in found]
        if not found:
            lines.append(f"{label} shares no target with {next(iter(results))}")
    return lines


_ORDER = (BETTER, WORSE, DIFFERENT, SAME)


def difference_text(row, unit: str) -> str:
    """``+10.8 points, 95% CI +10.4 to +11.2`` (shares in percentage points)."""
    if math.isnan(row.diff_low):
        return _one_pair(row, unit)
    if unit in ("%", "%%"):
        scale, decimals = 100.0, (1 if unit == "%" else 3)
        show = lambda v: f"{v * scale:+.{decimals}f}"  # noqa: E731
        return (
            f"{show(row.difference)} points, 95% CI {show(row.diff_low)} to {show(row.diff_high)}"
        )
    fmt = formatter(unit)
    show = lambda v: ("+" if v >= 0 else "-") + fmt(abs(v))  # noqa: E731
    return f"{show(row.difference)}, 95% CI {show(row.diff_low)} to {show(row.diff_high)}"


def _one_pair(row, unit: str) -> str:
    scale = 100.0 if unit in ("%", "%%") else 1.0
    shown = f"{row.difference * scale:+.1f}" + (" points" if scale == 100.0 else "")
    return f"{shown}, no interval from one replication"


def render_comparison(comparison: Comparison) -> str:
    """A plain-text table: each target's mean per scenario and the paired differences."""
    results, table = comparison.results, comparison.table
    labels = list(results)
    index = {(r.scenario, r.metric, r.group): r for r in table.itertuples(index=False)}
    lines = target_lines(results)
    width = max([30, *(len(line.label) for line in lines)])
    header = f"{'KPI':<{width}}" + "".join(f" {_clip(label, 22):>22}" for label in labels)
    header += "".join(f"  {_clip('vs ' + label, 34):<34}" for label in labels[1:])
    out = [header, "-" * len(header)]
    for line in lines:
        fmt = formatter(line.unit)
        cells = [index.get((label, line.metric, line.group)) for label in labels]
        text = f"{line.label:<{width}}" + "".join(
            f" {fmt(c.mean) if c is not None else 'n/a':>22}" for c in cells
        )
        for c in cells[1:]:
            shown = _difference_cell(c, line.unit) if c is not None and c.pairs else "n/a"
            text += f"  {shown:<34}"
        out.append(text.rstrip())
    out.append(
        "difference: other minus base, paired replication by replication (common random "
        "numbers), 95% CI; * = the interval excludes zero"
    )
    return "\n".join(out)


def _difference_cell(row, unit: str) -> str:
    if math.isnan(row.diff_low):
        return _one_pair(row, unit)
    text = difference_text(row, unit).replace(", 95% CI ", " [").replace(" to ", ", ") + "]"
    return text + (" *" if row.significant else "")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
