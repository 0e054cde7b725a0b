"""Sweeps: every combination, one table (wide and long), the best point per target."""

from __future__ import annotations

import pytest

from sim.experiments.sweep import Point, grid, sweep
from sim.scenario.loader import load_scenario
from tests.conftest import MMC_PATH

DAYS = {"calendar.days": 7, "calendar.warmup_days": 1}


def test_the_grid_is_full_factorial_with_the_last_factor_fastest():
    found = grid([("a", ("1", "2")), ("b", ("x", "y", "z"))])
    assert len(found) == 6
    assert found[:3] == [{"a": "1", "b": "x"}, {"a": "1", "b": "y"}, {"a": "1", "b": "z"}]
    assert found[-1] == {"a": "2", "b": "z"}


@pytest.fixture(scope="module")
def responders():
    points = [
        Point(f"p{k}", {"count": str(c)}, load_scenario(MMC_PATH, {**DAYS, **_staff(c)}))
        for k, c in enumerate((5, 6, 7), start=1)
    ]
    return sweep(points, replications=3, seed=2, workers=1)


def _staff(count: int) -> dict:
    return {"roles.responder.staff.0.count": count}


def test_the_wide_table_has_a_row_per_point_and_a_column_per_factor_and_metric(responders):
    wide = responders.wide()
    assert list(wide.point) == ["p1", "p2", "p3"]
    assert list(wide["count"]) == ["5", "6", "7"]
    util = wide["utilization[all]"].to_numpy()
    assert util[0] > util[1] > util[2]  # same work, more people
    assert (wide["utilization[all] low"] <= wide["utilization[all]"]).all()


def test_the_long_table_has_the_same_figures(responders):
    long = responders.long()
    wide = responders.wide().set_index("point")
    row = long[(long.point == "p2") & (long.metric == "mttr_minutes") & (long.group == "P1")]
    assert row["mean"].item() == wide.loc["p2", "mttr_minutes[P1]"]
    assert row["count"].item() == "6"


def test_the_best_point_follows_each_metrics_direction(responders):
    best = responders.best().set_index("target")
    response = best.loc["Response SLA P1 (<= 15 min)"]
    assert response.point == "p3" and response.metric == "response_sla_adherence"
    utilization = best[best.metric == "utilization"].iloc[0]  # the band: nearest 70-80%
    assert utilization.point == "p1"


def test_the_best_point_is_judged_against_its_own_goal():
    points = [
        Point(f"p{k}", {"sla": str(m)}, load_scenario(MMC_PATH, {**DAYS, **_sla(m)}))
        for k, m in enumerate((5, 60), start=1)
    ]
    best = sweep(points, replications=2, seed=2, workers=1).best().set_index("metric")
    row = best[best.group == "P1"].loc["response_sla_adherence"]
    assert row.point == "p2" and row.goal == ">= 95%" and "(<= 1 h)" in row.target


def _sla(minutes: int) -> dict:
    return {"priorities.P1.response_minutes": minutes}


def test_a_sweep_needs_points():
    with pytest.raises(ValueError, match="at least one point"):
        sweep([], replications=2)
