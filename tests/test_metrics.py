"""Tests for sim.analysis.metrics: exact KPI values on tiny hand-built run records."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import metrics
from sim.model.records import (
    AbsenceKind,
    IncidentLog,
    PersonInfo,
    RunRecord,
    WorkKind,
    WorkLog,
    WorkMode,
)
from sim.scenario.schema import Scenario

SHIFT, OVERTIME, CALLOUT = WorkMode.SHIFT, WorkMode.OVERTIME, WorkMode.CALLOUT

NAN = float("nan")
DAY = 1440.0
WEEK = 7 * DAY

# incident classes by index
OUT_SVC, OUT_WEB, P2_SVC = 0, 1, 2
# ranks: 0 = P1, 1 = P2, 2 = post-mortem
P1, P2, PM = 0, 1, 2


def make_scenario(response_clock: str = "detected", **extra) -> Scenario:
    return Scenario.model_validate(
        extra
        | {
            "name": "tiny",
            "calendar": {"start": "2027-01-04", "days": 7},
            "sites": [{"id": "hq", "timezone": "UTC"}, {"id": "eu", "timezone": "Europe/Berlin"}],
            "teams": [{"id": "ops"}, {"id": "eng"}],
            "tiers": [{"id": "L1"}, {"id": "L2"}, {"id": "L3"}],
            "shifts": [{"id": "always", "start": "00:00", "end": "24:00"}],
            "roles": [
                {
                    "id": "responder",
                    "team": "ops",
                    "tiers": ["L1"],
                    "staff": [{"site": "hq", "count": 1, "shift": "always"}],
                },
                {
                    "id": "expert",
                    "team": "eng",
                    "tiers": ["L2"],
                    "staff": [{"site": "eu", "count": 1, "shift": "always"}],
                },
                {
                    "id": "manager",
                    "team": "eng",
                    "tiers": ["L3"],
                    "staff": [{"site": "eu", "count": 0, "shift": "always"}],
                },
            ],
            "priorities": [
                {"id": "P1", "response_minutes": 15, "mttr_minutes": 60},
                {"id": "P2", "response_minutes": 60},
            ],
            "services": [{"id": "svc", "slo": 0.99}, {"id": "web", "slo": 0.999}],
            "incidents": {
                "classes": [
                    {
                        "id": "out-svc",
                        "priority": "P1",
                        "category": "x",
                        "service": "svc",
                        "outage": True,
                        "rate_per_day": 1,
                        "resolution": [
                            {"tier": "L1", "effort": 10, "escalate": 0.5},
                            {"tier": "L2", "effort": 10},
                        ],
                    },
                    {
                        "id": "out-web",
                        "priority": "P1",
                        "category": "x",
                        "service": "web",
                        "outage": True,
                        "rate_per_day": 1,
                        "resolution": [{"tier": "L1", "effort": 10}],
                    },
                    {
                        "id": "p2-svc",
                        "priority": "P2",
                        "category": "x",
                        "service": "svc",
                        "rate_per_day": 1,
                        "resolution": [{"tier": "L1", "effort": 10}],
                    },
                ],
            },
            "work_rules": {"response_clock": response_clock},
        }
    )


def person(name, role="responder", team="ops", site="hq", shifts=((0.0, WEEK),)):
    return PersonInfo(
        name=name,
        role=role,
        team=team,
        site=site,
        employment="employee",
        hourly_cost=0.0,
        shifts=list(shifts),
    )


def make_record(incidents=(), people=None, work=None, horizon=WEEK, warmup=0.0) -> RunRecord:
    """``incidents``: tuples (cls, started, detected, acknowledged, restored).

    Work with no incidents given is on open incidents 0 (class 0, P1) and 1 (class 2, P2).
    """
    open_ones = [(0, 0.0, NAN, NAN, NAN), (2, 0.0, NAN, NAN, NAN)]
    incidents = list(incidents) or (open_ones if work else [])
    log = IncidentLog.empty([i[0] for i in incidents], [i[1] for i in incidents])
    for k, (_, _, det, ack, res) in enumerate(incidents):
        log.detected[k], log.acknowledged[k], log.restored[k] = det, ack, res
    people = people if people is not None else [person("a")]
    return RunRecord(
        replication=0,
        horizon=horizon,
        warmup=warmup,
        people=people,
        incidents=log.as_arrays(),
        work=work or WorkLog(),
        preempted=[],
    )


def kpi(rows, metric, group="all"):
    found = [v for m, g, v in rows if m == metric and g == group]
    assert len(found) == 1, (metric, group, found)
    return found[0]


def assert_nan(value):
    assert math.isnan(value), value


H = WEEK
RESPONSE_CASE = [
    (OUT_SVC, 0.0, 5.0, 20.0, 80.0),  # response 15 (== target): met
    (OUT_WEB, 100.0, 100.0, 116.0, 200.0),  # response 16: miss
    (OUT_SVC, H - 10, H - 10, NAN, NAN),  # unacknowledged, 10 < 15 min waited: left out
    (OUT_WEB, H - 100, H - 100, NAN, NAN),  # unacknowledged, target passed: miss
    (P2_SVC, 200.0, 210.0, 260.0, 500.0),  # response 50 (60 from start): met
    (P2_SVC, H - 100, NAN, NAN, NAN),  # never detected
]


def test_response_adherence_detected_clock():
    rows = metrics.kpi_rows(make_record(RESPONSE_CASE), make_scenario("detected"))
    assert kpi(rows, "response_sla_adherence", "P1") == pytest.approx(1 / 3)
    # the undetected P2 has not started its response clock: left out
    assert kpi(rows, "response_sla_adherence", "P2") == 1.0
    assert kpi(rows, "response_sla_adherence") == 0.5
    assert kpi(rows, "mtta_minutes", "P1") == 15.5
    assert kpi(rows, "mtta_minutes", "P2") == 50.0
    assert kpi(rows, "mtta_minutes") == 27.0


def test_response_adherence_started_clock():
    rows = metrics.kpi_rows(make_record(RESPONSE_CASE), make_scenario("started"))
    assert kpi(rows, "response_sla_adherence", "P1") == 0.0
    # P2: 60 == target is met; the undetected one waited 100 > 60 min: miss
    assert kpi(rows, "response_sla_adherence", "P2") == 0.5
    assert kpi(rows, "response_sla_adherence") == pytest.approx(1 / 5)
    # MTTA is detection to acknowledgement whatever clock the response SLA uses
    assert kpi(rows, "mtta_minutes", "P1") == 15.5
    assert kpi(rows, "mtta_minutes", "P2") == 50.0
    assert kpi(rows, "mtta_minutes") == 27.0


def test_unacknowledged_incident_becomes_a_miss_once_target_passes():
    s = make_scenario()
    pending = [(OUT_SVC, 1000.0, 1000.0, NAN, NAN)]
    assert_nan(
        kpi(
            metrics.kpi_rows(make_record(pending, horizon=1010.0), s),
            "response_sla_adherence",
            "P1",
        )
    )
    assert (
        kpi(
            metrics.kpi_rows(make_record(pending, horizon=1016.0), s),
            "response_sla_adherence",
            "P1",
        )
        == 0.0
    )


def test_detect_restore_means_and_quantiles():
    rows = metrics.kpi_rows(make_record(RESPONSE_CASE), make_scenario())
    assert kpi(rows, "mttd_minutes", "P1") == 1.25
    assert kpi(rows, "mttd_minutes", "P2") == 10.0
    assert kpi(rows, "mttd_minutes") == 3.0
    assert kpi(rows, "mttr_minutes", "P1") == 90.0
    assert kpi(rows, "mttr_minutes", "P2") == 300.0
    assert kpi(rows, "mttr_minutes") == 160.0
    assert kpi(rows, "mttr_median_minutes") == 100.0
    assert kpi(rows, "mttr_median_minutes", "P1") == 90.0
    assert kpi(rows, "mttr_p90_minutes") == pytest.approx(260.0)
    assert kpi(rows, "mttr_p90_minutes", "P1") == pytest.approx(98.0)
    assert kpi(rows, "incidents", "P1") == 4
    assert kpi(rows, "incidents", "P2") == 2
    assert kpi(rows, "incidents") == 6
    assert kpi(rows, "backlog_at_end") == 3


def test_incident_table_durations():
    table = metrics.incident_table(make_record(RESPONSE_CASE), make_scenario())
    assert list(table["class"][:3]) == ["out-svc", "out-web", "out-svc"]
    assert list(table["priority"]) == ["P1"] * 4 + ["P2"] * 2
    assert table["detect_minutes"].iloc[0] == 5.0
    assert table["response_minutes"].iloc[0] == 15.0
    assert table["restore_minutes"].iloc[4] == 300.0
    assert table["measured"].all()


def test_warmup_excludes_earlier_incidents():
    incidents = [
        (OUT_SVC, 100.0, 100.0, 130.0, 400.0),  # before warm-up: a miss, not counted
        (OUT_SVC, 1000.0, 1000.0, NAN, NAN),  # before warm-up, still open at the end
        (OUT_SVC, 2000.0, 2001.0, 2005.0, 2060.0),
    ]
    rows = metrics.kpi_rows(make_record(incidents, warmup=DAY), make_scenario())
    assert kpi(rows, "incidents") == 1
    assert kpi(rows, "incidents", "P1") == 1
    assert kpi(rows, "incidents", "P2") == 0
    assert kpi(rows, "response_sla_adherence") == 1.0
    assert kpi(rows, "mtta_minutes") == 4.0
    assert kpi(rows, "mttd_minutes") == 1.0
    assert kpi(rows, "mttr_minutes") == 60.0
    assert_nan(kpi(rows, "mtta_minutes", "P2"))
    assert_nan(kpi(rows, "response_sla_adherence", "P2"))
    assert_nan(kpi(rows, "mttr_minutes", "P2"))
    # the backlog is the state at the horizon, whenever the incident started
    assert kpi(rows, "backlog_at_end") == 1


# ---------------------------------------------------------------------- availability


def test_availability_merges_overlapping_outages():
    incidents = [
        (OUT_SVC, 0.0, 0.0, 0.0, 60.0),
        (OUT_SVC, 30.0, 30.0, 30.0, 90.0),  # overlaps: union is 90 min
        (P2_SVC, 100.0, 100.0, 100.0, 1000.0),  # same service but not an outage
        (OUT_WEB, 5000.0, 5000.0, NAN, NAN),  # unrestored: down until the horizon
    ]
    s = make_scenario()
    record = make_record(incidents)
    assert metrics.outage_minutes(record, s, "svc") == 90.0
    assert metrics.outage_minutes(record, s, "web") == WEEK - 5000.0
    rows = metrics.kpi_rows(record, s)
    assert kpi(rows, "availability", "svc") == 1 - 90 / WEEK
    assert kpi(rows, "availability_slo_met", "svc") == 1.0  # 90 < 100.8 min allowed
    assert kpi(rows, "availability", "web") == 1 - (WEEK - 5000) / WEEK
    assert kpi(rows, "availability_slo_met", "web") == 0.0


def test_availability_slo_missed_when_outages_add_up():
    incidents = [
        (OUT_SVC, 0.0, 0.0, 0.0, 60.0),
        (OUT_SVC, 30.0, 30.0, 30.0, 90.0),
        (OUT_SVC, 200.0, 200.0, 200.0, 240.0),  # 130 min > 100.8 min allowed
    ]
    rows = metrics.kpi_rows(make_record(incidents), make_scenario())
    assert kpi(rows, "availability", "svc") == 1 - 130 / WEEK
    assert kpi(rows, "availability_slo_met", "svc") == 0.0
    assert kpi(rows, "availability", "web") == 1.0
    assert kpi(rows, "availability_slo_met", "web") == 1.0


def test_availability_clipped_to_window():
    incidents = [
        (OUT_SVC, 0.0, 0.0, 0.0, 100.0),  # wholly before warm-up
        (OUT_SVC, 1400.0, 1400.0, 1400.0, 1500.0),  # straddles warm-up: 60 min count
        (OUT_SVC, 1450.0, 1450.0, 1450.0, 1460.0),  # inside the previous one
    ]
    s = make_scenario()
    record = make_record(incidents, warmup=DAY)
    assert metrics.outage_minutes(record, s, "svc") == 60.0
    rows = metrics.kpi_rows(record, s)
    assert kpi(rows, "availability", "svc") == 1 - 60 / (WEEK - DAY)


# ---------------------------------------------------------------------- people


def _staff():
    return [
        person("A", shifts=[(0.0, 480.0), (1440.0, 1920.0)]),  # 16 h
        person("B", site="eu", shifts=[(480.0, 960.0)]),  # 8 h
        person("C", role="expert", team="eng", site="eu", shifts=[(0.0, 1440.0)]),  # 24 h
    ]


def _work():
    w = WorkLog()
    w.add(0, WorkKind.INCIDENT, 0, 0.0, 60.0, P1, SHIFT)
    w.add(0, WorkKind.INCIDENT, 1, 1440.0, 1560.0, P2, SHIFT)
    w.add(0, WorkKind.INCIDENT, 0, 480.0, 540.0, P1, OVERTIME)  # 1 h
    w.add(0, WorkKind.INCIDENT, 0, 600.0, 600.0, P1, OVERTIME)  # zero-length: dropped
    w.add(1, WorkKind.POSTMORTEM, 0, 500.0, 740.0, PM, SHIFT)
    w.add(1, WorkKind.INCIDENT, 0, 2000.0, 2090.0, P1, CALLOUT)  # 1.5 h
    w.add(2, WorkKind.INCIDENT, 1, 100.0, 400.0, P2, SHIFT)
    w.add(2, WorkKind.INCIDENT, 0, 3000.0, 3030.0, P1, CALLOUT)  # 0.5 h
    w.add(2, WorkKind.POSTMORTEM, 0, 1440.0, 1470.0, PM, OVERTIME)  # 0.5 h
    return w


def test_worklog_drops_zero_length_segments():
    assert len(_work().person) == 8


def test_utilization_by_level():
    rows = metrics.kpi_rows(make_record(people=_staff(), work=_work()), make_scenario())
    expected = {
        "person:A": 3 / 16,
        "person:B": 4 / 8,
        "person:C": 5 / 24,
        "role:responder": 7 / 24,
        "role:expert": 5 / 24,
        "team:ops": 7 / 24,
        "team:eng": 5 / 24,
        "site:hq": 3 / 16,
        "site:eu": 9 / 32,
        "all": 12 / 48,
    }
    got = {g: v for m, g, v in rows if m == "utilization"}
    assert got == pytest.approx(expected)
    assert set(got) == set(expected)


def test_overtime_and_callout_by_group():
    rows = metrics.kpi_rows(make_record(people=_staff(), work=_work()), make_scenario())
    overtime = {g: v for m, g, v in rows if m == "overtime_hours"}
    callout = {g: v for m, g, v in rows if m == "callout_hours"}
    assert overtime == pytest.approx(
        {
            "role:responder": 1.0,
            "role:expert": 0.5,
            "team:ops": 1.0,
            "team:eng": 0.5,
            "site:hq": 1.0,
            "site:eu": 0.5,
            "all": 1.5,
        }
    )
    assert callout == pytest.approx(
        {
            "role:responder": 1.5,
            "role:expert": 0.5,
            "team:ops": 1.5,
            "team:eng": 0.5,
            "site:hq": 0.0,
            "site:eu": 2.0,
            "all": 2.0,
        }
    )


def test_people_table_exact():
    table = metrics.people_table(make_record(people=_staff(), work=_work()), make_scenario())
    t = table.set_index("person")
    assert list(t.index) == ["A", "B", "C"]
    assert list(t.scheduled_hours) == [16.0, 8.0, 24.0]
    assert list(t.busy_hours) == [3.0, 4.0, 5.0]
    assert list(t.overtime_hours) == [1.0, 0.0, 0.5]
    assert list(t.callout_hours) == [0.0, 1.5, 0.5]
    assert list(t.busy_P1_hours) == [2.0, 1.5, 0.5]
    assert list(t.busy_P2_hours) == [2.0, 0.0, 5.0]
    assert list(t.busy_postmortem_hours) == [0.0, 4.0, 0.5]
    assert list(t.idle_hours) == [13.0, 4.0, 19.0]
    assert list(t.utilization) == pytest.approx([3 / 16, 0.5, 5 / 24])


def test_people_table_clips_work_and_shifts_to_window():
    people = [person("A", shifts=[(0.0, 480.0), (WEEK - 60, WEEK)])]
    w = WorkLog()
    w.add(0, WorkKind.INCIDENT, 0, 60.0, 180.0, P1, SHIFT)  # 1 h after the 120-min warm-up
    w.add(0, WorkKind.INCIDENT, 0, 0.0, 100.0, P1, SHIFT)  # wholly in the warm-up
    w.add(0, WorkKind.INCIDENT, 0, WEEK - 30, WEEK + 30, P1, OVERTIME)  # half past the horizon
    t = metrics.people_table(make_record(people=people, work=w, warmup=120.0), make_scenario())
    assert t.scheduled_hours.iloc[0] == 7.0
    assert t.busy_hours.iloc[0] == 1.0
    assert t.overtime_hours.iloc[0] == 0.5


segment = st.tuples(
    st.integers(0, 2),
    st.floats(-100, WEEK + 100),
    st.floats(0, 600),
    st.integers(0, 2),
    st.sampled_from([SHIFT, OVERTIME, CALLOUT]),
)


@settings(max_examples=60, deadline=None)
@given(segments=st.lists(segment, max_size=30), warmup=st.floats(0, 3 * DAY))
def test_people_table_invariants(segments, warmup):
    w = WorkLog()
    for p, start, length, rank, mode in segments:
        kind = WorkKind.POSTMORTEM if rank == PM else WorkKind.INCIDENT
        w.add(p, kind, rank if rank != PM else 0, start, start + length, rank, mode)
    t = metrics.people_table(make_record(people=_staff(), work=w, warmup=warmup), make_scenario())
    assert np.allclose(t.busy_hours + t.idle_hours, t.scheduled_hours)
    by_priority = t.busy_P1_hours + t.busy_P2_hours + t.busy_postmortem_hours
    assert np.allclose(by_priority, t.busy_hours + t.overtime_hours + t.callout_hours)
    # brute force: clipped on-shift work per person
    for p in range(3):
        expected = (
            sum(
                max(min(s + n, WEEK) - max(s, warmup), 0.0)
                for q, s, n, _, mode in segments
                if q == p and mode == SHIFT and n > 0
            )
            / 60
        )
        assert t.busy_hours.iloc[p] == pytest.approx(expected, abs=1e-9)
    for column in ("scheduled_hours", "busy_hours", "overtime_hours", "callout_hours"):
        assert (t[column] >= 0).all()


def test_backlog_at_end_counts_unrestored():
    incidents = [
        (OUT_SVC, 0.0, 0.0, 1.0, 10.0),
        (OUT_SVC, 10.0, 10.0, NAN, NAN),
        (P2_SVC, 20.0, 20.0, 30.0, NAN),
        (P2_SVC, 30.0, 30.0, 31.0, 40.0),
    ]
    rows = metrics.kpi_rows(make_record(incidents), make_scenario())
    assert kpi(rows, "backlog_at_end") == 2


def test_empty_record():
    rows = metrics.kpi_rows(make_record(), make_scenario())
    assert kpi(rows, "incidents") == 0
    assert_nan(kpi(rows, "response_sla_adherence"))
    assert_nan(kpi(rows, "mttr_minutes"))
    assert kpi(rows, "availability", "svc") == 1.0
    assert kpi(rows, "backlog_at_end") == 0
    assert isinstance(metrics.incident_table(make_record(), make_scenario()), pd.DataFrame)


# ---------------------------------------------------------------------- every hour of every person


def _week_of_work():
    """One person, 5 x 8 h shifts; Tuesday on leave, Thursday sick; one segment of each kind."""
    shifts = [(d * DAY + 9 * 60, d * DAY + 17 * 60) for d in range(5)]
    people = [person("A", shifts=shifts)]
    w = WorkLog()
    w.add(0, WorkKind.INCIDENT, 0, 9 * 60, 11 * 60, P1, SHIFT)  # 2 h Monday
    w.add(0, WorkKind.PLANNED, 0, 11 * 60, 12 * 60, 5, SHIFT)  # 1 h
    w.add(0, WorkKind.STREAM, 0, 2 * DAY + 9 * 60, 2 * DAY + 13 * 60, 6, SHIFT)  # 4 h
    w.add(0, WorkKind.TRAINING, 1, 4 * DAY + 9 * 60, 4 * DAY + 12 * 60, 5, SHIFT)  # 3 h
    w.add(0, WorkKind.POSTMORTEM, 0, 4 * DAY + 12 * 60, 4 * DAY + 13 * 60, PM, SHIFT)  # 1 h
    w.add(0, WorkKind.STREAM, 1, 4 * DAY + 17 * 60, 4 * DAY + 18 * 60, 6, OVERTIME)  # 1 h
    record = make_record(people=people, work=w)
    record.activities.add(WorkKind.PLANNED, 0, 0, 11 * 60, 60.0)
    record.activities.add(WorkKind.TRAINING, 0, 0, 4 * DAY + 9 * 60, 240.0)  # 3 of 4 h done
    record.absences = [
        [(1 * DAY, 2 * DAY, AbsenceKind.LEAVE), (3 * DAY, 4 * DAY, AbsenceKind.SICK)]
    ]
    return record


def test_people_table_accounts_for_every_hour_by_kind_and_absence():
    t = metrics.people_table(_week_of_work(), make_scenario()).iloc[0]
    assert (t.scheduled_hours, t.leave_hours, t.sick_hours, t.available_hours) == (40, 8, 8, 24)
    parts = {p: t[f"{p}_hours"] for p in metrics.PARTS}
    assert parts == {
        "incident": 2,
        "postmortem": 1,
        "planned": 1,
        "stream": 4,
        "training": 3,
        "idle": 13,
    }
    assert t.busy_hours == 11 and t.overtime_hours == 1
    assert t.utilization == pytest.approx(11 / 24)


def test_utilization_parts_add_up_to_one_and_fte_follows_shrinkage():
    record = _week_of_work()
    rows = metrics.kpi_rows(record, make_scenario())
    parts = {g: v for m, g, v in rows if m == "utilization_part"}
    assert parts["all:idle"] == pytest.approx(13 / 24)
    assert sum(v for g, v in parts.items() if g.startswith("all:")) == pytest.approx(1.0)
    assert sum(v for g, v in parts.items() if g.startswith("team:ops:")) == pytest.approx(1.0)
    # lost to absence, training and planned work: 8 + 8 + 3 + 1 of 40 rostered hours
    assert kpi(rows, "shrinkage", "role:responder") == pytest.approx(0.5)
    assert kpi(rows, "fte_present", "role:responder") == 1.0
    # 40 rostered h/week need 40 / (40 x (1 - 0.5)) = 2 full-time heads
    assert kpi(rows, "fte_required", "role:responder") == pytest.approx(2.0)
    assert kpi(rows, "fte_required") == pytest.approx(2.0)


def test_training_completion_counts_minutes_done_of_minutes_due():
    scenario = make_scenario(training={"monthly_hours": 4})
    rows = metrics.kpi_rows(_week_of_work(), scenario)
    assert kpi(rows, "training_completion") == pytest.approx(0.75)
    assert kpi(rows, "training_completion", "team:ops") == pytest.approx(0.75)
    assert math.isnan(kpi(rows, "training_completion", "team:eng"))


def test_someone_who_joins_counts_from_their_start_in_fte_and_shrinkage():
    shifts = [(d * DAY + 9 * 60, d * DAY + 17 * 60) for d in range(5)]
    record = make_record(people=[person("A", shifts=shifts)], work=WorkLog())
    record.absences = [[(0.0, 2 * DAY, AbsenceKind.JOINING), (3 * DAY, 4 * DAY, AbsenceKind.SICK)]]
    rows = metrics.kpi_rows(record, make_scenario())
    # 24 rostered hours from Wednesday; 8 of them lost to sickness
    assert kpi(rows, "shrinkage", "role:responder") == pytest.approx(8 / 24)
    assert kpi(rows, "fte_present", "role:responder") == pytest.approx(0.6)
    assert kpi(rows, "fte_required", "role:responder") == pytest.approx(24 / 40 / (1 - 8 / 24))
    assert kpi(rows, "utilization", "person:A") == 0.0
