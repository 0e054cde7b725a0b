"""People leaving under burden: monthly chances, empty seats, and the new hire's first days."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from sim.model.ops_model import OpsModel, simulate_record
from sim.model.records import AbsenceKind, WorkKind
from tests.scenarios import tiny, workload

MONTH = 30 * 1440.0
NOTHING = {"at": 10**8, "effort": [1]}


def everyone_leaves(share=0.5, **more):
    """Two operators who leave for sure at the start of every 30 days; seats empty 10 days."""
    settings = {
        "calendar": {"days": 60},
        "tiers": [{"id": "L1"}, {"id": "L2"}],
        "roles": [
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1", "L2"],
                "staff": [{"site": "hq", "count": 2, "shift": "always"}],
            }
        ],
        "attrition": {"enabled": True, "annual_rate": 1.0, "hiring_days": 10},
        "training": {"initial": {"days": 5, "share": share, "max_tier": "L1"}},
    }
    return tiny(**(settings | more))


def test_a_leaver_leaves_an_empty_seat_until_the_hire_who_then_trains():
    record = simulate_record(
        everyone_leaves(), np.random.SeedSequence(0), workload=workload(NOTHING)
    )
    for p in (0, 1):
        assert (0.0, 10 * 1440, AbsenceKind.VACANT) in record.absences[p]
        assert (MONTH, MONTH + 10 * 1440, AbsenceKind.VACANT) in record.absences[p]
    # the hire's first shifts (a 24-hour shift: one a day) are half training
    training = [
        (s, e)
        for p, k, s, e in zip(
            record.work.person, record.work.kind, record.work.start, record.work.end, strict=True
        )
        if p == 0 and k == WorkKind.TRAINING
    ]
    assert training and all(
        10 * 1440 <= s < 15 * 1440 or s >= MONTH + 10 * 1440 for s, _ in training
    )
    assert sum(e - s for s, e in training) == pytest.approx(0.5 * 1440 * len(training), rel=0.2)


def test_a_new_hire_works_no_tier_above_the_limit_until_trained():
    # at day 41 only the hires are there (everyone left at day 30, hired at day 40);
    # an L2 step waits until a hire qualifies at day 45
    two_steps = [{"tier": "L1", "effort": 10, "escalate": 1}, {"tier": "L2", "effort": 10}]
    classes = [{"id": c, "resolution": two_steps} for c in ("urgent", "normal", "low")]
    s = everyone_leaves(share=0.0, incidents={"classes": classes})
    record = simulate_record(
        s,
        np.random.SeedSequence(0),
        workload=workload({"at": 41 * 1440, "cls": 1, "effort": [10, 10]}),
    )
    assert record.incidents.restored[0] >= 45 * 1440


def test_the_monthly_chance_rises_with_off_hours_pages():
    s = everyone_leaves(
        attrition={
            "enabled": True,
            "annual_rate": 0.12,
            "bad_multiplier": 2,
            "burnout_multiplier": 3,
        }
    )
    model = OpsModel(s, np.random.SeedSequence(0), workload=workload(NOTHING))
    turnover = model.turnover
    base = 1 - 0.88 ** (1 / 12)
    model.env.run(until=MONTH)  # (no processes started: only the clock moves)
    assert turnover._chance(0) == pytest.approx(base)
    for k in range(8):  # 8 pages at 03:00 UTC in the past month: the "bad" band
        model.pages.add(MONTH - (k + 1) * 1440 + 180, 0, WorkKind.INCIDENT, 0, 0, 0)
    assert turnover._chance(0) == pytest.approx(2 * base)
    for k in range(12):  # 20 in all: the "burnout" band
        model.pages.add(MONTH - (k + 9) * 1440 + 180, 0, WorkKind.INCIDENT, 0, 0, 0)
    assert turnover._chance(0) == pytest.approx(3 * base)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_heavy_turnover_runs_with_leave_sickness_rotations_and_fatigue(seed):
    from sim.experiments.experiment import run_experiment
    from sim.scenario.loader import load_scenario

    baseline = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
    scenario = load_scenario(
        baseline,
        {"attrition.annual_rate": 0.95, "calendar.days": 200, "absence.sick_days_per_year": 20},
    )
    result = run_experiment(scenario, replications=2, seed=seed, workers=1)
    assert result.kpi("leavers")["mean"] > 0


def test_turnover_with_annual_leave_runs_for_two_years():
    # people on leave when a decision falls stay; leavers' booked leave is cleared
    s = tiny(
        calendar={"days": 730},
        shifts=[{"id": "always", "start": "09:00", "end": "17:00", "timezone": "UTC"}],
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1"],
                "staff": [{"site": "hq", "count": 3, "shift": "always"}],
            }
        ],
        absence={"annual_leave_days": {"hq": 25}},
        attrition={"enabled": True, "annual_rate": 0.5},
    )
    for seed in (1, 2):
        record = simulate_record(s, np.random.SeedSequence(seed), workload=workload(NOTHING))
        vacant = [a for spans in record.absences for a in spans if a[2] == AbsenceKind.VACANT]
        assert vacant
        for spans in record.absences:  # a person's absences never overlap
            ordered = sorted(spans)
            assert all(b[0] >= a[1] for a, b in itertools.pairwise(ordered))


def test_the_yearly_turnover_counts_the_months_decided():
    from sim.analysis.burden import turnover_rows

    s = everyone_leaves()
    record = simulate_record(s, np.random.SeedSequence(0), workload=workload(NOTHING))
    rows = {(m, g): v for m, g, v in turnover_rows(record, s)}
    # 60 days: decisions at days 0 and 30, both people leave each time: 4 / 2 heads / (2/12)
    assert rows["leavers", "all"] == 4
    assert rows["attrition", "all"] == pytest.approx(4 / 2 / (2 / 12))


def test_leave_that_finds_no_room_is_reported_not_lost():
    from sim.analysis.metrics import kpi_rows

    s = tiny(
        calendar={"days": 60},
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1"],
                "staff": [{"site": "hq", "count": 3, "shift": "always"}],
            }
        ],
        absence={"annual_leave_days": {"hq": 200}, "max_away_per_role": 1},
    )
    record = simulate_record(s, np.random.SeedSequence(0), workload=workload(NOTHING))
    untaken = {g: v for m, g, v in kpi_rows(record, s) if m == "leave_days_untaken"}
    assert untaken["all"] == sum(record.leave_untaken) > 0
