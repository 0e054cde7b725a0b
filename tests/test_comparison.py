"""Comparisons: paired differences on common random numbers, and their plain verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiments.comparison import (
    BETTER,
    SAME,
    WORSE,
    compare,
    render_comparison,
    unique_labels,
)
from sim.experiments.experiment import run_experiment
from sim.experiments.statistics import independent_difference
from sim.scenario.loader import load_scenario
from tests.conftest import MMC_PATH

DAYS = {"calendar.days": 14, "calendar.warmup_days": 1}
SIX = {**DAYS, "roles.responder.staff.0.count": 6}


@pytest.fixture(scope="module")
def five_against_six():
    five, six = load_scenario(MMC_PATH, DAYS), load_scenario(MMC_PATH, SIX)
    return compare([five, six], replications=8, seed=3, workers=1, labels=["five", "six"])


def test_a_sixth_responder_is_better_on_response_and_the_difference_is_paired(five_against_six):
    row = five_against_six.difference("six", "response_sla_adherence", "P1")
    assert row.significant and row.outcome == BETTER and row.pairs == 8
    five = five_against_six.results["five"].replications
    six = five_against_six.results["six"].replications

    def pick(table):
        return table[(table.metric == "response_sla_adherence") & (table.group == "P1")].value

    by_replication = pick(six).to_numpy() - pick(five).to_numpy()
    assert row.difference == pytest.approx(float(np.mean(by_replication)))
    assert five_against_six.difference("six", "mttr_minutes", "P1").outcome == BETTER


def test_common_random_numbers_narrow_the_interval_of_a_difference(five_against_six):
    """The same two scenarios on independent seeds: Welch's interval is much wider.

    Utilization is the clearest case: both scenarios do the same work (same arrivals,
    same efforts), so its paired difference is almost exactly 4/5 - 4/6 of the shared
    load, while independent runs add both runs' load noise."""
    five = run_experiment(load_scenario(MMC_PATH, DAYS), 8, seed=3, workers=1)
    six = run_experiment(load_scenario(MMC_PATH, SIX), 8, seed=4, workers=1, keep_incidents=False)

    def values(result):
        t = result.replications
        return t[(t.metric == "utilization") & (t.group == "all")].value.to_numpy()

    low, _, high = independent_difference(values(six), values(five))
    paired = five_against_six.difference("six", "utilization")
    assert paired.diff_high - paired.diff_low < 0.3 * (high - low)
    assert paired.diff_low < 0.8 / 6 * 5 - 0.8 < paired.diff_high  # rho 0.8 with five


def test_a_scenario_against_itself_differs_by_nothing():
    same = load_scenario(MMC_PATH, DAYS)
    found = compare([same, same], replications=3, seed=1, workers=1)
    table = found.table[found.table.scenario == "mmc (2)"]
    assert (table.difference.dropna() == 0).all()
    assert set(table.outcome) == {SAME}
    assert "mmc (2) is no different on" in "\n".join(found.verdicts())


def test_verdict_lines_name_the_direction_and_the_interval(five_against_six):
    lines = five_against_six.verdicts()
    better = next(line for line in lines if line.startswith("six is better on"))
    assert "Response SLA P1" in better and "points, 95% CI +" in better
    assert not any(line.startswith(f"six is {WORSE}") and "Response SLA" in line for line in lines)
    text = render_comparison(five_against_six)
    assert "vs six" in text and "*" in text


def test_labels_are_made_unique():
    assert unique_labels(["a", "b", "a", "a"]) == ["a", "b", "a (2)", "a (3)"]


def test_a_comparison_needs_two_scenarios():
    with pytest.raises(ValueError, match="at least one other"):
        compare([load_scenario(MMC_PATH, DAYS)])


def test_labels_never_take_another_scenarios_name():
    assert unique_labels(["mmc", "mmc", "mmc (2)"]) == ["mmc", "mmc (3)", "mmc (2)"]
    with pytest.raises(ValueError, match="name each scenario once"):
        compare([load_scenario(MMC_PATH, DAYS)] * 2, labels=["a", "a"])


def test_a_difference_of_shares_stays_within_one(five_against_six):
    table = five_against_six.table
    shares = table[(table.metric == "response_sla_adherence") & (table.scenario == "six")]
    assert (shares.diff_low >= -1).all() and (shares.diff_high <= 1).all()
