"""Tests for sim.analysis.coverage: coverage gaps and people on shift by hour of the week."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import coverage, metrics
from sim.model.records import AbsenceKind
from tests.test_metrics import DAY, WEEK, kpi, make_record, make_scenario, person


def _daily(begin_h, end_h, days=7):
    return [(d * DAY + begin_h * 60, d * DAY + end_h * 60) for d in range(days)]


@pytest.mark.parametrize("days", [7, 14])
def test_coverage_gap_for_role_covering_only_night(days):
    people = [
        person("n", shifts=_daily(0, 8, days)),
        person("x", role="expert", team="eng", site="eu", shifts=[(0.0, days * DAY)]),
    ]
    rows = metrics.kpi_rows(make_record(people=people, horizon=days * DAY), make_scenario())
    gaps = {g: v for m, g, v in rows if m == "coverage_gap_hours"}
    # every role, team and tier has a row; the manager (team ops, tier L3) has nobody at all
    # in this record, so neither has L3, but the team ops is covered by "n" 8 h a day
    assert gaps == pytest.approx(
        {
            "responder": 16 * 7,
            "expert": 0.0,
            "manager": 168.0,
            "team:ops": 16 * 7,
            "team:eng": 0.0,
            "tier:L1": 16 * 7,
            "tier:L2": 0.0,
            "tier:L3": 168.0,
        }
    )


def test_coverage_gap_overlapping_people():
    people = [
        person("n1", shifts=_daily(0, 8)),
        person("n2", shifts=_daily(4, 12)),
        person("x", role="expert", team="eng", site="eu", shifts=_daily(0, 24)),
    ]
    rows = metrics.kpi_rows(make_record(people=people), make_scenario())
    assert kpi(rows, "coverage_gap_hours", "responder") == pytest.approx(12 * 7)
    assert kpi(rows, "coverage_gap_hours", "expert") == 0.0


def test_coverage_gap_of_unstaffed_needed_role_is_whole_week():
    people = [person("n", shifts=_daily(0, 24))]
    rows = metrics.kpi_rows(make_record(people=people), make_scenario())
    assert kpi(rows, "coverage_gap_hours", "expert") == pytest.approx(168.0)


def _on_shift(record, scenario):
    return {g: v for m, g, v in coverage.on_shift_rows(record, scenario)}


def test_on_shift_counts_people_per_utc_hour_of_the_week():
    # 2027-01-04 is a Monday: hour 0 of the week is the epoch's first hour
    people = [person("n1", shifts=_daily(0, 8)), person("n2", shifts=_daily(4, 12))]
    got = _on_shift(make_record(people=people), make_scenario())
    for day in range(7):
        h = day * 24
        assert got[f"role:responder:{h + 3}"] == 1.0
        assert got[f"role:responder:{h + 5}"] == 2.0
        assert got[f"role:responder:{h + 10}"] == 1.0
        assert got[f"role:responder:{h + 20}"] == 0.0
        assert got[f"tier:L1:{h + 5}"] == 2.0
        assert got[f"role:expert:{h + 5}"] == 0.0  # nobody in the record
        assert got[f"all:{h + 5}"] == 2.0
    assert len(got) == (3 + 3 + 1) * 168  # three roles, three tiers, and everyone


def test_on_shift_leaves_out_absences_and_averages_over_weeks():
    shifts = _daily(8, 16, days=14)
    record = make_record(people=[person("a", shifts=shifts)], horizon=2 * WEEK)
    # sick on the first Tuesday from 10:00 to 11:30: half of that week's 11:00 hour is lost
    record.absences = [[(DAY + 600.0, DAY + 690.0, AbsenceKind.SICK)]]
    got = _on_shift(record, make_scenario())
    assert got["role:responder:34"] == 0.5  # Tuesday 10:00: absent one week of two
    assert got["role:responder:35"] == 0.75  # Tuesday 11:00: half an hour lost in one week
    assert got["role:responder:36"] == 1.0
    assert got["role:responder:8"] == 1.0


def test_on_shift_hour_of_week_follows_the_start_weekday_and_the_warmup():
    base = make_scenario()
    wednesday = base.calendar.model_copy(update={"start": dt.date(2027, 1, 6)})
    scenario = base.model_copy(update={"calendar": wednesday})
    people = [person("a", shifts=[(0.0, 60.0)])]  # Wednesday 00:00-01:00 UTC only
    record = make_record(people=people, warmup=30.0)  # the window begins at 00:30
    got = _on_shift(record, scenario)
    assert got["role:responder:48"] == 1.0  # measured half hour, on shift throughout
    assert got["role:responder:49"] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    spans=st.lists(st.tuples(st.floats(0, WEEK), st.floats(0, 3000)), min_size=0, max_size=12),
    warmup=st.floats(0, 3 * DAY),
)
def test_on_shift_hours_add_up_to_the_time_on_shift(spans, warmup):
    shifts = sorted((a, min(a + d, WEEK)) for a, d in spans)
    record = make_record(people=[person("a", shifts=shifts)], warmup=warmup)
    got = _on_shift(record, make_scenario())
    hours = [got.get(f"role:responder:{h}") for h in range(168)]
    covered = [h for h in range(168) if hours[h] is not None]
    # one week: every hour of the window occurs once, whole or clipped by the warm-up
    lengths = {h: min(60.0, max(0.0, (h + 1) * 60 - warmup)) for h in covered}
    total = sum(hours[h] * lengths[h] for h in covered)
    from sim.model import calendar

    expected = calendar.overlap(calendar.merge_intervals(shifts), warmup, WEEK)
    assert total == pytest.approx(expected, abs=1e-6)
    assert all(0.0 <= hours[h] <= 1.0 + 1e-9 for h in covered)
