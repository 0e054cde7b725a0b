"""Tests for sim.analysis.feasibility: warnings about valid scenarios to be wary of."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.analysis import feasibility
from sim.scenario.loader import load_scenario, validate

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPO / "scenarios").rglob("*.yaml"))


OVERLOADED = {"reduced-staff.yaml", "budget-to-tools.yaml"}
"""What-ifs that take people away on purpose: their warnings are the point."""


def test_shipped_scenarios_have_no_warnings_but_the_overloaded_what_ifs():
    from sim.scenario.spending import effective

    for path in SHIPPED:
        found = feasibility.warnings(effective(load_scenario(path)))
        if path.name in OVERLOADED:
            assert any("queues grow all run long" in w for w in found), path
        else:
            assert found == [], path


def test_offered_work_above_on_shift_hours_warns_with_both_figures(mmc_data):
    s = validate(copy.deepcopy(mmc_data))
    mmc_data["roles"][0]["staff"][0]["count"] = 3  # 288 x 20 min = 96 h/day; 3 x 24 h = 72 h
    (line,) = feasibility.warnings(validate(mmc_data))
    assert line == (
        "work for roles responder: 96.0 h of work offered a day, more than the 72.0 h they are "
        "on shift: queues grow all run long unless call-outs absorb it"
    )
    assert feasibility.warnings(s) == []  # 5 people: 120 h on shift


def test_work_nobody_is_ever_on_shift_for_warns_unless_it_pages(mmc_data):
    mmc_data["calendar"].update(days=5, warmup_days=0)  # Monday to Friday
    mmc_data["shifts"][0]["days"] = ["sat"]
    mmc_data["priorities"][0]["pages_off_shift"] = False
    (line,) = feasibility.warnings(validate(mmc_data))
    assert line.startswith("work for roles responder: nobody in these roles is ever on shift")
    mmc_data["priorities"][0]["pages_off_shift"] = True
    assert feasibility.warnings(validate(mmc_data)) == []


def test_work_longer_than_the_horizon_warns(mmc_data):
    mmc_data["calendar"].update(days=2, warmup_days=0)
    cls = mmc_data["incidents"]["classes"][0]
    cls.update(rate_per_day=0.1, detection=5000, triage=0)
    cls["resolution"][0]["effort"] = 4000
    lines = feasibility.warnings(validate(mmc_data))
    assert lines == [
        "incidents.classes[work].detection: mean 3.5 days is longer than the 2-day horizon: "
        "most of these incidents are never detected",
        "incidents.classes[work]: an incident needs 2.8 days of work on average, longer than the "
        "2-day horizon: few of them can be restored",
    ]


def test_work_per_incident_weights_steps_by_the_chance_of_reaching_them(mmc_data):
    mmc_data["tiers"].append({"id": "L2"})
    mmc_data["roles"][0]["tiers"] = ["L1", "L2"]
    cls = mmc_data["incidents"]["classes"][0]
    cls["triage"] = 5
    cls["resolution"] = [
        {"tier": "L1", "effort": 10, "escalate": 0.5},
        {"tier": "L2", "effort": 20},
    ]
    assert feasibility.work_per_incident(validate(mmc_data).incidents.classes[0]) == 25


@pytest.mark.parametrize(("start", "end"), [("08:00", "08:00"), ("00:00", "00:00")])
def test_a_shift_that_starts_when_it_ends_warns_that_it_is_24_hours(mmc_data, start, end):
    mmc_data["shifts"][0].update(start=start, end=end)
    (line,) = feasibility.warnings(validate(mmc_data))
    assert line.startswith(f"shifts[always]: start and end are both {start}: it runs as a 24-hour")
    assert ("'24:00'" in line) == (start == "00:00")


def test_planned_work_due_only_when_its_attendees_are_off_shift_warns():
    from tests.scenarios import tiny

    night = {"shifts": [{"id": "always", "start": "00:00", "end": "08:00", "timezone": "UTC"}]}
    meeting = {
        "id": "review",
        "cadence": {"every": "day"},
        "at": "09:00",
        "duration": 30,
        "attendees": {"everyone": True},
    }
    (line,) = feasibility.warnings(tiny(**night, planned=[meeting]))
    assert line == (
        "planned[review]: none of its attendees is ever on shift when it falls due "
        "(at 09:00, local time): it never takes place"
    )
    assert feasibility.warnings(tiny(**night, planned=[{**meeting, "at": "07:00"}])) == []


def test_stream_work_counts_in_the_offered_load():
    from tests.scenarios import tiny

    stream = {"id": "tickets", "rate_per_day": 100, "effort": 30, "roles": ["operator"]}
    (line,) = feasibility.warnings(tiny(streams=[stream]))
    assert line.startswith(
        "work for roles operator: 50.0 h of work offered a day, more than the 24.0 h"
    )


def test_years_the_holidays_package_does_not_cover_warn():
    from tests.scenarios import tiny

    site = {"id": "hq", "timezone": "UTC", "country": "IE"}
    late = tiny(sites=[site], calendar={"start": "2100-12-01", "days": 60})
    (line,) = feasibility.warnings(late)
    assert line == (
        "sites[hq].country: the holidays package has no IE public holidays for 2101: those "
        "years have none unless listed under holidays"
    )
    assert feasibility.warnings(tiny(sites=[site])) == []


def test_rotations_and_windows_that_do_nothing_or_everything_warn():
    from tests.scenarios import tiny

    rotations = [
        {"id": "nobody", "roles": ["operator"], "sites": ["elsewhere"]},
        {"id": "wrong", "roles": ["operator"], "covers": ["manager"]},
        {"id": "never", "roles": ["operator"], "active_hours": {"start": "24:00", "end": "00:00"}},
    ]
    s = tiny(
        sites=[{"id": "hq", "timezone": "UTC"}, {"id": "elsewhere", "timezone": "UTC"}],
        roles=[
            {
                "id": "manager",
                "team": "sre",
                "tiers": ["L1"],
                "staff": [{"site": "hq", "count": 0, "shift": "always"}],
            }
        ],
        oncall={
            "rotations": rotations,
            "notify_executive": ["P0"],
            "sleep_hours": {"start": "22:00", "end": "22:00"},
        },
        fatigue={"enabled": True},
    )
    assert feasibility.warnings(s) == [
        "oncall.rotations[nobody]: nobody is a member (no staff in the roles or teams named)",
        "oncall.rotations[wrong].covers: no member holds any of these roles: never paged",
        "oncall.rotations[never].active_hours: 24:00-00:00 covers no time at all",
        "oncall.notify_executive: there is no executive rotation to notify",
        "oncall.sleep_hours: 22:00-22:00 covers the whole day (write 00:00-24:00 to say so)",
    ]
