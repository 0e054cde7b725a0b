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


# ---------------------------------------------------------------- work streams, planned, training


def _stream(rate: float, **more) -> dict:
    return {"id": "tickets", "rate_per_day": rate, "effort": 5, "roles": ["responder"], **more}


def _daily(id: str = "standup", **more) -> dict:
    return {
        "id": id,
        "cadence": {"every": "day"},
        "at": "09:00",
        "duration": 15,
        "attendees": {"everyone": True},
        **more,
    }


def test_expected_stream_items_share_the_incidents_arithmetic(mmc_data):
    mmc_data["incidents"]["rate_multiplier"] = 3  # scales incidents, not streams
    mmc_data["incidents"]["profiles"] = {"office": {"timezone": "hq", "daily": [1] * 8 + [5] * 16}}
    mmc_data["streams"] = [_stream(10), _stream(4, id="changes", profile="office")]
    s = validate(mmc_data)
    assert bounds.expected_stream_items(s) == pytest.approx(14 * 365)
    office = bounds.expected_arrivals(s, 4, "office", ceiling=True)
    assert bounds.expected_stream_items(s, ceiling=True) == pytest.approx(10 * 365 + office)
    assert bounds.expected_incidents(s) == pytest.approx(bounds.expected_arrivals(s, 3 * 288, None))


def test_stream_items_above_the_bound_are_refused(mmc_data):
    mmc_data["streams"] = [_stream(6000)]
    (line,) = _problems(mmc_data)
    assert line == (
        "<scenario>: streams: up to about 2,190,000 stream items expected per replication over "
        "365 days, besides about 105,120 incidents; opsim simulates at most 2,000,000 incidents "
        "and stream items together (lower the streams' rate_per_day, or shorten calendar.days)"
    )


def test_incidents_and_stream_items_together_above_the_bound_are_refused(mmc_data):
    mmc_data["streams"] = [_stream(5200)]  # 1,898,000 items and 105,120 incidents
    (line,) = _problems(mmc_data)
    assert line.startswith("<scenario>: streams: up to about 1,898,000 stream items expected")
    assert "besides about 105,120 incidents" in line


def test_incidents_and_stream_items_up_to_the_bound_are_allowed(mmc_data):
    mmc_data["streams"] = [_stream(5190)]  # 1,894,350 + 105,120 = 1,999,470
    assert len(validate(mmc_data).streams) == 1


def test_too_many_incidents_is_not_blamed_on_a_small_stream(mmc_data):
    mmc_data["incidents"]["rate_multiplier"] = 20
    mmc_data["streams"] = [_stream(1)]
    (line,) = _problems(mmc_data)
    assert line.startswith("<scenario>: incidents: ")


def test_planned_attendances_are_occurrences_times_people_named(mmc_data):
    weekly = {"every": "week", "days": ["mon", "thu"]}
    mmc_data["planned"] = [
        _daily(),  # 367 local dates (a day either side of 365) x 5 people
        # 52 weeks and 3 days: at most 2 x 52 + 2 Mondays and Thursdays
        _daily("review", cadence=weekly, attendees={"roles": ["responder"], "sites": ["hq"]}),
        _daily("dr-test", cadence={"every": "month", "day": 31}),  # 13 months
        _daily("audit", cadence={"every_days": 10}),  # 367 / 10, rounded up
    ]
    s = validate(mmc_data)
    assert bounds.planned_attendances(s) == 5 * (367 + 106 + 13 + 37)


def test_planned_attendances_above_the_bound_are_refused(mmc_data):
    mmc_data["roles"][0]["staff"][0]["count"] = 1000
    mmc_data["planned"] = [_daily(f"op{i}") for i in range(6)]  # 6 x 367 x 1,000
    (line,) = _problems(mmc_data)
    assert line == (
        "<scenario>: planned: up to about 2,202,000 attendances per replication over 365 days "
        "(occurrences x people who may attend, summed over the operations); opsim lays out at "
        f"most {bounds.MAX_ATTENDANCES:,} (meet less often, invite fewer attendees, or shorten "
        "calendar.days)"
    )


def test_training_sessions_above_the_bound_are_refused(mmc_data):
    mmc_data["roles"][0]["staff"][0]["count"] = 1000
    mmc_data["training"] = {"monthly_hours": 160, "session_hours": 1}  # 13 months x 160 x 1,000
    (line,) = _problems(mmc_data)
    assert line == (
        "<scenario>: training: up to about 2,080,000 training sessions per replication over 365 "
        "days (everyone's hours in sessions of at most 1 hour); opsim lays out at most "
        f"{bounds.MAX_ATTENDANCES:,} (raise session_hours, lower the hours, or shorten "
        "calendar.days)"
    )


def test_vanishing_training_sessions_are_refused_not_laid_out(mmc_data):
    mmc_data["training"] = {"monthly_hours": 160, "session_hours": 5e-324}
    (line,) = _problems(mmc_data)
    assert line.startswith("<scenario>: training: countless training sessions per replication")


def test_planned_and_training_together_above_the_bound_are_refused(mmc_data):
    mmc_data["roles"][0]["staff"][0]["count"] = 1000
    mmc_data["planned"] = [_daily(f"op{i}") for i in range(3)]  # 1,101,000
    mmc_data["training"] = {"monthly_hours": 80, "session_hours": 1}  # 1,040,000
    (line,) = _problems(mmc_data)
    assert line == (
        "<scenario>: planned: up to about 1,101,000 attendances of planned operations besides "
        "1,040,000 training sessions per replication over 365 days; opsim lays out at most "
        f"{bounds.MAX_ATTENDANCES:,} of both together (meet less often, invite fewer attendees, "
        "train in longer sessions, or shorten calendar.days)"
    )


def test_stream_items_and_attendances_count_towards_memory(mmc_data):
    s = validate(mmc_data)
    incidents = 105_120 * (bounds.BYTES_PER_INCIDENT + bounds.BYTES_PER_STEP)
    items = 105_120 * bounds.BYTES_PER_STREAM_ITEM
    attendances = (5 * 367 + 5 * 13 * 4) * bounds.BYTES_PER_ATTENDANCE
    memory = int((incidents + items / 2) / 0.9)
    assert bounds.run_problems(s, 1, False, memory=memory) == []
    mmc_data["streams"] = [_stream(288)]
    mmc_data["planned"] = [_daily()]
    mmc_data["training"] = {"monthly_hours": 16}  # 4 sessions a month of 4 hours
    busy = validate(mmc_data)
    (line,) = bounds.run_problems(busy, 1, False, memory=memory)
    assert line.startswith(
        "this run may need about 0.5 GiB of memory (1 replications at once of up to about "
        "105,120 incidents, 105,120 stream items and 2,095 attendances each)"
    )
    enough = int((incidents + items + attendances) / 0.9) + 1
    assert bounds.run_problems(busy, 1, False, memory=enough) == []


_CADENCES = st.one_of(
    st.builds(
        lambda days: {"every": "day", "days": days},
        st.lists(st.sampled_from(["mon", "tue", "wed", "sat"]), min_size=1, unique=True),
    ),
    st.builds(lambda day: {"every": "month", "day": day}, st.integers(1, 31)),
    st.builds(
        lambda weekday, nth: {"every": "month", "weekday": weekday, "nth": nth},
        st.sampled_from(["mon", "fri"]),
        st.sampled_from([1, 5, -1]),
    ),
    st.builds(
        lambda n, back: {"every_days": n, "start": dt.date(2026, 12, 1) + dt.timedelta(back)},
        st.integers(1, 12),
        st.integers(0, 60),
    ),
)


@settings(max_examples=40, deadline=None)
@given(
    cadence=_CADENCES,
    at=st.sampled_from(["09:00", "23:30", "during-shift"]),
    zone=st.sampled_from(["local", "UTC", "ny", "Asia/Kathmandu"]),
    start=st.dates(min_value=dt.date(2026, 12, 20), max_value=dt.date(2027, 11, 20)),
    days=st.integers(min_value=1, max_value=45),
    training=st.fixed_dictionaries(
        {
            "monthly_hours": st.sampled_from([0, 3, 8]),
            "quarterly_certification_hours": st.sampled_from([0, 5]),
            "conference_days": st.sampled_from([0, 2]),
            "session_hours": st.sampled_from([1, 2.5, 4]),
        }
    ),
)
def test_the_bounds_on_activities_are_never_below_what_the_model_lays_out(
    cadence, at, zone, start, days, training
):
    import numpy as np

    from sim.model.ops_model import OpsModel
    from sim.model.records import WorkKind

    mmc_data = yaml.safe_load(MMC_PATH.read_text())
    mmc_data["calendar"] = {"start": start, "days": days}
    mmc_data["sites"].append({"id": "ny", "timezone": "America/New_York"})
    mmc_data["shifts"] += [
        {"id": "day", "start": "09:00", "end": "17:00"},
        {"id": "night", "start": "22:00", "end": "06:00", "days": ["mon", "tue", "wed", "thu"]},
    ]
    mmc_data["roles"][0]["staff"] += [
        {"site": "ny", "count": 2, "shift": "night"},
        {"site": "hq", "count": 1, "shift": "day"},
    ]
    mmc_data["planned"] = [_daily(cadence=cadence, at=at, timezone=zone)]
    mmc_data["training"] = training
    s = validate(mmc_data)
    occasions = OpsModel(s, np.random.SeedSequence(0)).occasions
    planned = [o for o in occasions if o.kind is WorkKind.PLANNED]
    assert sum(len(o.candidates) for o in planned) <= bounds.planned_attendances(s)
    assert len(occasions) - len(planned) <= bounds.training_sessions(s)
