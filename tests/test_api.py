"""The notebook API works as the README shows it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim

BASELINE = Path(__file__).parents[1] / "scenarios" / "baseline.yaml"


def test_readme_notebook_example_returns_dataframes():
    scenario = sim.load_scenario(BASELINE, {"incidents.rate_multiplier": 1.3, "calendar.days": 14})
    result = sim.run_experiment(scenario, replications=3, seed=7, workers=1)
    for table in (result.summary, result.replications, result.incidents, result.people):
        assert isinstance(table, pd.DataFrame) and not table.empty
    assert result.kpi("mttr_minutes", "all")["replications"] == 3
    text = sim.render(sim.scorecard(result.summary, scenario))
    assert "Response SLA P0" in text and "Availability core-platform" in text

    one = sim.simulate(scenario, seed=7, replication=0)
    first = result.replications[result.replications.replication == 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.kpis, first)
    assert len(one.incidents) == len(one.record.incidents)


def test_baseline_has_the_seed_organisation():
    s = sim.load_scenario(BASELINE)
    headcount = {t.id: 0 for t in s.teams}
    for role in s.roles:
        headcount[role.team] += s.headcount(role)
    assert sum(headcount.values()) == 22
    assert sorted(headcount.values()) == [2, 2, 4, 4, 4, 6]
    assert [p.response_minutes for p in s.priorities] == [15, 60, 240, 1440]
    assert {x.id: x.slo for x in s.services} == {
        "constitutional-ai": 0.999,
        "core-platform": 0.9995,
        "api-gateway": 0.999,
        "dashboard": 0.995,
    }
    assert s.escalation.matrix["P0"] == ("noc", "sre", "devops")
    contractors = sum(s.headcount(r) for r in s.roles if r.employment == "contractor")
    assert contractors == 4


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).parents[1] / "scenarios").rglob("*.yaml")),
    ids=lambda p: str(p.relative_to(p.parents[1])),
)
def test_every_shipped_scenario_validates(path):
    assert sim.load_scenario(path).name


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).parents[1] / "scenarios").rglob("*.yaml")),
    ids=lambda p: str(p.relative_to(p.parents[1])),
)
def test_every_shipped_scenario_runs_for_a_short_horizon(path):
    scenario = sim.load_scenario(path)
    days = int(scenario.calendar.warmup_days) + 3
    short = sim.load_scenario(path, {"calendar.days": days})
    result = sim.run_experiment(short, replications=1, seed=1, workers=1)
    assert not result.summary.empty


def test_weekend_noc_what_if_closes_most_of_the_first_tier_gap():
    import numpy as np

    from sim.analysis.coverage import coverage_gap_hours
    from sim.model.ops_model import simulate_record

    def l1_gap(scenario):
        record = simulate_record(scenario, np.random.SeedSequence(0))
        return {g: v for _, g, v in coverage_gap_hours(record, scenario)}["tier:L1"]

    what_if = BASELINE.parent / "whatif" / "weekend-noc.yaml"
    # a calendar figure, no randomness: public holidays count (Singapore's Hari Raya Puasa on
    # 10 March 2027, from the holidays package, takes out a whole apac shift)
    assert l1_gap(sim.load_scenario(BASELINE)) == pytest.approx(51.6, abs=0.1)
    assert l1_gap(sim.load_scenario(what_if)) == pytest.approx(10.6, abs=0.1)
