"""The cost model against a hand computation, and the budget's figures."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis import costs
from sim.model.records import PersonInfo
from tests.scenarios import tiny
from tests.test_metrics import make_record

DAY = 1440.0


def _row(person, site="hq", employment="employee", hourly_cost=100.0, **hours):
    """One person's row of the people table: role operator, team noc, 100 h rostered."""
    return {
        "person": person,
        "role": "operator",
        "team": "noc",
        "site": site,
        "employment": employment,
        "hourly_cost": hourly_cost,
        **hours,
    }


def _people(rows):
    base = {
        "replication": 0,
        "scheduled_hours": 100.0,
        "joining_hours": 0.0,
        "vacant_hours": 0.0,
        "available_hours": 90.0,
        "overtime_hours": 0.0,
        "callout_hours": 0.0,
        "busy_P0_hours": 0.0,
        "busy_P1_hours": 0.0,
        "busy_P3_hours": 0.0,
    }
    return pd.DataFrame([base | r for r in rows])


def _scenario(**costs_section):
    return tiny(
        calendar={"days": 73},  # a fifth of a year: annualising multiplies by 5
        sites=[{"id": "hq", "timezone": "UTC"}, {"id": "lab", "timezone": "UTC"}],
        costs={"site_levels": {"lab": 0.5}, "paid_hours_per_year": 2000, **costs_section},
        budget={"total": 1_000_000},
    )


def _person(name, site="hq"):
    return PersonInfo(name, "operator", "noc", site, "employee", 0.0, [(0.0, 73 * DAY)])


def test_costs_match_a_hand_computation_for_a_tiny_organisation():
    scenario = _scenario(overtime_premium=0.5, callout_premium=1.0, oncall_stipend=100)
    people = _people(
        [
            # an employee at hq, $100/h, half the window before joining, 4 h overtime
            _row("a", joining_hours=50.0, overtime_hours=4.0),
            # a contractor at the lab (level 0.5), $80/h, 90 h present, 2 h called out
            _row("b", "lab", "contractor", 80.0, callout_hours=2.0),
        ]
    )
    record = make_record(people=[_person("a"), _person("b", "lab")], horizon=73 * DAY)
    record.oncall = [(DAY, 8 * DAY, 0, 0), (8 * DAY, 15 * DAY, 1, 0), (80 * DAY, 90 * DAY, 1, 0)]
    got = costs.personnel_cost(record, scenario, people)
    a = 100 * 2000 * 0.5 + 4 * 100 * 1.5 * 5 + 1 * 100 * 5  # pay, overtime, one turn
    b = 40 * 90 * 5 + 2 * 40 * 2.0 * 5 + 1 * 100 * 5  # present hours, call-out, one turn
    assert list(got) == pytest.approx([a, b])
    rows = {(m, g): v for m, g, v in costs.cost_rows(record, scenario, people)}
    assert rows[("personnel_cost", "all")] == pytest.approx(a + b)
    assert rows[("personnel_cost", "site:lab")] == pytest.approx(b)
    assert rows[("personnel_cost", "team:noc")] == pytest.approx(a + b)
    assert rows[("budget_allocated", "personnel")] == 700_000
    assert rows[("budget_implied", "personnel")] == pytest.approx(a + b)
    assert ("budget_implied", "tools") not in rows  # no run prices the other lines


def test_cost_per_incident_is_incident_work_at_hourly_cost_per_incident():
    scenario = _scenario()
    people = _people(
        [_row("a", busy_P0_hours=3.0), _row("b", "lab", busy_P0_hours=2.0, busy_P1_hours=1.0)]
    )
    incidents = [(0, 10.0, 10.0, 11.0, 20.0), (0, 30.0, 30.0, 31.0, 40.0), (1, 50.0, 50, 51, 60)]
    record = make_record(incidents, people=[_person("a"), _person("b", "lab")], horizon=73 * DAY)
    rows = {(m, g): v for m, g, v in costs.incident_cost_rows(record, scenario, people)}
    assert rows[("cost_per_incident", "P0")] == pytest.approx((300 + 100) / 2)
    assert rows[("cost_per_incident", "P1")] == pytest.approx(50)
    assert rows[("cost_per_incident", "all")] == pytest.approx(450 / 3)


def test_an_employee_rostered_beyond_full_time_is_paid_those_hours_at_the_overtime_rate():
    scenario = _scenario(overtime_premium=0.5)
    # 600 h rostered in a fifth of a year: 3,000 h a year, 1,000 beyond the 2,000 paid
    people = _people([_row("a", scheduled_hours=600.0), _row("b", scheduled_hours=300.0)])
    record = make_record(people=[_person("a"), _person("b")], horizon=73 * DAY)
    got = costs.personnel_cost(record, scenario, people)
    assert list(got) == pytest.approx([100 * (2000 + 1000 * 1.5), 100 * 2000])


def test_no_budget_figures_without_a_total():
    assert costs.budget_rows(tiny(), 1.0) == []
