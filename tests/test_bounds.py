"""Tests for sim.scenario.bounds: what a scenario and a run may ask for, and the refusals."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.model.arrivals import hourly_rates
from sim.scenario import bounds
from sim.scenario.loader import load_scenario, validate
from tests.conftest import MMC_PATH


def _problems(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        validate(data)
    return info.value.problems


def test_expected_incidents_is_rate_times_multiplier_times_days(mmc_data):
    mmc_data["incidents"]["rate_multiplier"] = 1.5
    s = validate(mmc_data)
    assert bounds.expected_incidents(s) == pytest.approx(288 * 1.5 * 365)


def test_more_people_than_the_bound_is_refused(mmc_data):
    staff = mmc_data["roles"][0]["staff"]
    staff[:] = [{"site": "hq", "count": 6000, "shift": "always"}] * 2
    (line,) = _problems(mmc_data)
    assert line == f"<scenario>: roles: 12,000 people; opsim simulates at most {10_000:,}"


def test_too_many_person_days_is_refused(mmc_data):
    mmc_data["roles"][0]["staff"][0]["count"] = 1000
    mmc_data["calendar"]["days"] = 2001
    (line,) = _problems(mmc_data)
    assert "1,000 people over 2,001 days is 2,001,000 person-days" in line
    assert f"the bound is {bounds.MAX_PERSON_DAYS:,}" in line


def test_an_incident_volume_above_the_bound_is_refused_with_the_bound(mmc_data):
    mmc_data["incidents"]["rate_multiplier"] = 20
    (line,) = _problems(mmc_data)
    assert line.startswith("<scenario>: incidents: up to about 2,102,400 incidents expected")
    assert f"opsim simulates at most {bounds.MAX_INCIDENTS:,}" in line


def test_the_incident_bound_itself_is_allowed(mmc_data):
    mmc_data["incidents"]["rate_multiplier"] = bounds.MAX_INCIDENTS / (288 * 365)
    assert validate(mmc_data).incidents.rate_multiplier > 19


def test_run_problems_bound_kept_rows_and_replications(mmc_path):
    s = load_scenario(mmc_path)
    assert bounds.run_problems(s, 40, keep_incidents=True) == []
    (kept,) = bounds.run_problems(s, 60, keep_incidents=True)
    assert "add --no-incidents" in kept
    assert bounds.run_problems(s, 60, keep_incidents=False) == []
    (reps,) = bounds.run_problems(s, 20_000, keep_incidents=False)
    assert reps == f"--replications 20,000: at most {bounds.MAX_REPLICATIONS:,}"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("days", 3661, "less than or equal to 3660"),
        ("start", "1969-12-31", "greater than or equal to 1970-01-01"),
        ("start", "2201-01-01", "less than or equal to 2200-12-31"),
    ],
)
def test_calendar_bounds(mmc_data, key, value, message):
    mmc_data["calendar"][key] = value
    assert any(message in line for line in _problems(mmc_data))


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_numbers_must_be_finite(mmc_data, value):
    mmc_data["incidents"]["classes"][0]["rate_per_day"] = value
    assert any("finite number" in line or "greater than 0" in line for line in _problems(mmc_data))


def test_a_run_that_would_not_fit_in_memory_is_refused(mmc_path):
    s = load_scenario(mmc_path)  # about 105,000 incidents a replication
    gib = 2**30
    assert bounds.run_problems(s, 8, False, workers=8, memory=64 * gib) == []
    (line,) = bounds.run_problems(s, 8, False, workers=8, memory=1 * gib)
    assert line.startswith("this run may need about 2.0 GiB of memory (8 replications at once")
    assert "more than this machine's 1.0 GiB: use fewer --workers" in line
    assert bounds.run_problems(s, 8, False, workers=2, memory=1 * gib) == []


def test_kept_incident_rows_count_towards_memory(mmc_path):
    s = load_scenario(mmc_path)
    need_without = 105_120 * bounds.BYTES_PER_INCIDENT
    need_with = need_without + 40 * 105_120 * bounds.BYTES_PER_KEPT_ROW
    memory = int((need_without + need_with) / 2 / 0.9)
    assert bounds.run_problems(s, 40, False, workers=1, memory=memory) == []
    assert len(bounds.run_problems(s, 40, True, workers=1, memory=memory)) == 1


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(["UTC", "Europe/Dublin", "America/New_York", "Asia/Kathmandu"]),
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2028, 12, 31)),
    days=st.integers(min_value=1, max_value=20),
    weights=st.lists(st.floats(min_value=0, max_value=10), min_size=168, max_size=168).filter(
        lambda w: max(w) > 0
    ),
)
def test_the_bound_on_incidents_is_never_below_what_the_model_draws_from(
    zone, start, days, weights
):
    mmc_data = yaml.safe_load(MMC_PATH.read_text())
    mmc_data["calendar"].update(start=start, days=days, warmup_days=0)
    mmc_data["incidents"]["profiles"] = {"p": {"timezone": zone, "weekly": weights}}
    mmc_data["incidents"]["classes"][0].update(profile="p", rate_per_day=1.0)
    scenario = validate(mmc_data)
    integral = hourly_rates(scenario, scenario.incidents.classes[0]).sum()
    assert bounds.expected_incidents(scenario, ceiling=True) >= integral * (1 - 1e-9)
