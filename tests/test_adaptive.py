"""Enough replications, automatically: rounds until the rules hold, or the cap."""

from __future__ import annotations

import math

import pytest

from sim.analysis.scorecard import scorecard
from sim.analysis.verdicts import UNSURE
from sim.errors import ScenarioError
from sim.experiments.adaptive import Precision, run_adaptive
from sim.experiments.statistics import needed_for_halfwidth, next_count
from sim.scenario.loader import load_scenario
from tests.conftest import MMC_PATH

DAYS = {"calendar.days": 5, "calendar.warmup_days": 1}


def test_a_precision_rule_names_a_metric_a_group_and_a_half_width():
    assert Precision.parse("mttr_minutes:P1=2.5") == Precision("mttr_minutes", "P1", 2.5)
    assert Precision.parse("utilization=0.01").group == "all"


@pytest.mark.parametrize("text", ["mttr_minutes", "mttr_minutes=0", "mttr_minutes=x", "=1"])
def test_a_malformed_precision_rule_is_refused(text):
    with pytest.raises(ScenarioError, match="METRIC"):
        Precision.parse(text)


def test_an_unknown_metric_is_refused_with_a_suggestion():
    with pytest.raises(ScenarioError, match="did you mean 'mttr_minutes'"):
        Precision.parse("mttr_minute=1")


def test_the_half_width_falls_as_one_over_the_root_of_the_count():
    assert needed_for_halfwidth(10, 2.0, 1.0) == pytest.approx(40)
    assert needed_for_halfwidth(10, 0.5, 1.0) == 10
    assert needed_for_halfwidth(1, math.nan, 1.0) == 2
    assert next_count(10, 40, cap=200, step=2) == 20  # at most doubling
    assert next_count(10, 12, cap=200, step=4) == 16  # towards the need, whole rounds
    assert next_count(150, 1e9, cap=200) == 200


def test_a_loose_rule_holds_after_the_first_round():
    scenario = load_scenario(MMC_PATH, DAYS)
    result, done = run_adaptive(
        scenario, [Precision("utilization", "all", 0.5)], start=3, cap=50, workers=1
    )
    assert done.rounds == [3] and not done.unmet
    assert result.kpi("utilization").replications == 3


def test_a_tight_rule_adds_rounds_until_it_holds():
    scenario = load_scenario(MMC_PATH, DAYS)
    rule = Precision("utilization", "all", 0.01)
    result, done = run_adaptive(scenario, [rule], start=3, cap=100, workers=1)
    assert len(done.rounds) > 1 and not done.unmet
    row = result.kpi("utilization")
    assert (row.ci_high - row.ci_low) / 2 <= 0.01 and row.replications == done.rounds[-1]


def test_the_cap_stops_an_impossible_rule_and_says_so():
    scenario = load_scenario(MMC_PATH, DAYS)
    rule = Precision("mttr_minutes", "P1", 1e-6)
    _, done = run_adaptive(scenario, [rule], start=2, cap=6, workers=1, keep_incidents=False)
    assert done.rounds[-1] == 6 and done.unmet
    assert "at the cap of 6" in done.describe()


def test_until_decided_stops_when_every_verdict_is_decided():
    scenario = load_scenario(MMC_PATH, {**DAYS, "roles.responder.staff.0.count": 6})
    result, done = run_adaptive(scenario, until_decided=True, start=2, cap=60, workers=1)
    verdicts = [line.verdict for line in scorecard(result.summary, scenario) if line.target]
    assert len(done.rounds) > 1 and done.rounds[-1] < 60 and not done.unmet
    assert verdicts and UNSURE not in verdicts


def test_a_verdict_on_the_targets_edge_stays_undecided_at_the_cap():
    """Five responders at rho 0.8 sit on the utilization band's upper edge."""
    scenario = load_scenario(MMC_PATH, DAYS)
    _, done = run_adaptive(scenario, until_decided=True, start=2, cap=8, workers=1)
    assert done.rounds[-1] == 8 and any("Utilization" in u for u in done.unmet)
