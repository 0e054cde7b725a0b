"""The shipped on-call what-ifs move the baseline's figures the way one would expect."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.experiment import run_experiment
from sim.experiments.statistics import paired_difference
from sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@functools.cache
def replications(name: str):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml", {"calendar.days": 60})
    return run_experiment(scenario, replications=8, seed=3, workers=1).replications


def values(name: str, metric: str, group: str) -> pd.Series:
    """One metric's values, indexed by replication."""
    kpis = replications(name)
    rows = kpis[(kpis.metric == metric) & (kpis.group == group)]
    return rows.set_index("replication").value


def interval_of_difference(a, b) -> tuple[float, float]:
    """95% interval of ``a - b``, paired replication by replication: both runs used the
    same seed, so they share their random numbers (common random numbers)."""
    a, b = pd.Series(a), pd.Series(b)
    both = a.index.intersection(b.index)
    low, _, high, _ = paired_difference(a[both].to_numpy(), b[both].to_numpy())
    return low, high


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
