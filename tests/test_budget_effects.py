"""Money moved toward each budget line moves its figure the right way (intervals over
replications), and with every effect off a split changes money only."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from sim.experiments.experiment import run_experiment
from sim.scenario.loader import load_scenario
from tests.test_spending import EVERY_EFFECT_OFF
from tests.test_whatifs import interval_of_difference

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
REFERENCE = {"personnel": 70, "tools": 15, "infrastructure": 10, "training": 3, "contingency": 2}
MONEY = {"personnel_cost", "cost_per_incident", "budget_allocated", "budget_implied"}


@functools.cache
def _kpis(split: tuple, hire: bool = False, effects_off: bool = False, days: int = 60):
    overrides = {"calendar.days": days, "budget.split": dict(split)}
    if not hire:
        overrides["budget.hire_order"] = []
    if effects_off:
        overrides["budget.effects"] = EVERY_EFFECT_OFF
    scenario = load_scenario(BASELINE, overrides)
    reps = 8 if days > 7 else 2
    return run_experiment(scenario, replications=reps, seed=5, workers=1).replications


def _values(kpis, metric, group):
    """One metric's values, indexed by replication."""
    return kpis[(kpis.metric == metric) & (kpis.group == group)].set_index("replication").value


def _split(**moved) -> tuple:
    split = {**REFERENCE, **moved}
    split["personnel"] += 100 - sum(split.values())
    return tuple(sorted(split.items()))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("moved", "hire", "metric", "group", "sign"),
    [
        ({"tools": 30}, False, "mttd_minutes", "all", -1),  # tools: faster detection
        ({"infrastructure": 25}, False, "incidents", "all", -1),  # infrastructure: fewer
        ({"training": 18}, False, "mttr_minutes", "P2", -1),  # training: faster resolution
        ({"personnel": 80, "tools": 5}, True, "response_sla_adherence", "P3", 1),  # people
    ],
)
def test_money_moved_toward_a_line_moves_its_figure(moved, hire, metric, group, sign):
    reference = _values(_kpis(_split(), hire), metric, group)
    moved_values = _values(_kpis(_split(**moved), hire), metric, group)
    low, high = interval_of_difference(moved_values, reference)
    assert (high < 0) if sign < 0 else (low > 0), (metric, group, low, high)


def test_with_every_effect_off_a_split_changes_money_only():
    reference = _kpis(_split(), effects_off=True, days=7)
    moved = _kpis(_split(tools=40), effects_off=True, days=7)
    same = ~reference.metric.isin(MONEY)
    assert (
        reference[same]
        .reset_index(drop=True)
        .equals(moved[~moved.metric.isin(MONEY)].reset_index(drop=True))
    )
    assert np.allclose(_values(moved, "budget_allocated", "tools"), 0.40 * 6_600_000)
    assert np.allclose(_values(reference, "budget_allocated", "tools"), 0.15 * 6_600_000)


@functools.cache
def _surge_kpis(contingency: float):
    split = {**REFERENCE, "contingency": contingency}
    split["personnel"] += 100 - sum(split.values())
    overrides = {
        "calendar.days": 60,
        "budget.split": split,
        "budget.hire_order": [],
        "budget.surge": {"backlog": 3, "call_cost": 3000},
    }
    scenario = load_scenario(BASELINE, overrides)
    return run_experiment(scenario, replications=8, seed=5, workers=1).replications


@pytest.mark.slow
def test_contingency_money_buys_surge_calls_when_a_backlog_builds():
    few, many = _surge_kpis(2), _surge_kpis(12)
    calls = _values(many, "surge_calls", "all"), _values(few, "surge_calls", "all")
    low, _ = interval_of_difference(*calls)
    assert low > 0  # more money, more calls (2%: 44 calls a year at 3,000 each)
    assert _values(few, "surge_calls", "all").max() <= 44 * 60 / 365 + 1  # what the line pays
