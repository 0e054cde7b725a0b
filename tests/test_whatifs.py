"""The shipped on-call what-ifs move the baseline's figures the way one would expect."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.experiments.experiment import run_experiment
from sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@functools.cache
def replications(name: str):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml", {"calendar.days": 60})
    return run_experiment(scenario, replications=8, seed=3, workers=1).replications


def values(name: str, metric: str, group: str) -> np.ndarray:
    kpis = replications(name)
    return kpis[(kpis.metric == metric) & (kpis.group == group)].value.to_numpy()


def interval_of_difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    diff = a.mean() - b.mean()
    half = stats.t.ppf(0.975, len(a) + len(b) - 2) * np.sqrt(
        a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)
    )
    return diff - half, diff + half


@pytest.mark.slow
@pytest.mark.parametrize(
    ("whatif", "metric", "group"),
    [
        ("whatif/follow-the-sun-oncall", "sleep_lost_hours", "all"),
        ("whatif/follow-the-sun-oncall", "interruptions_per_month", "all:sleep_hours"),
        ("whatif/larger-noc-rotation", "page_share_max", "all"),
        (
            "whatif/larger-noc-rotation",
            "interruptions_per_month",
            "person:noc-operator-apac-1:sleep_hours",
        ),
        ("whatif/weekend-noc", "interruptions_per_month", "person:noc-operator-apac-1:sleep_hours"),
    ],
)
def test_a_what_if_lowers_the_burden_it_targets(whatif, metric, group):
    low, high = interval_of_difference(
        values(whatif, metric, group), values("baseline", metric, group)
    )
    assert high < 0, (low, high)
