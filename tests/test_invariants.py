"""Invariants for any scenario: work is conserved, time adds up, nothing goes backwards."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.metrics import people_table
from sim.model import calendar
from sim.model.arrivals import draw_workload
from sim.model.ops_model import simulate_record
from sim.model.records import WorkKind, WorkMode
from tests.scenarios import tiny

SHIFT = WorkMode.SHIFT

SHIFT_WINDOWS = [
    ("00:00", "24:00"),
    ("00:00", "08:00"),
    ("08:00", "16:00"),
    ("22:00", "06:00"),
    ("09:00", "17:00"),
]


@st.composite
def scenarios(draw):
    windows = draw(st.lists(st.sampled_from(SHIFT_WINDOWS), min_size=1, max_size=3, unique=True))
    shifts = [
        {"id": f"s{i}", "start": a, "end": b, "timezone": "UTC"} for i, (a, b) in enumerate(windows)
    ]
    staff = [{"site": "hq", "count": draw(st.integers(1, 2)), "shift": s["id"]} for s in shifts]
    sre_staff = [{"site": "hq", "count": draw(st.integers(0, 2)), "shift": shifts[0]["id"]}]
    effort = draw(
        st.sampled_from(
            [
                {"dist": "exponential", "mean": 45},
                30,
                {"dist": "lognormal", "median": 20, "p95": 120},
            ]
        )
    )
    classes = [
        {
            "id": f"k{p}",
            "priority": p,
            "category": "ops",
            "rate_per_day": draw(st.floats(2, 30)),
            "detection": draw(st.sampled_from([0, {"dist": "exponential", "mean": 5}])),
            "triage": draw(st.sampled_from([0, 5])),
            "resolution": [
                {"tier": "L1", "effort": effort, "escalate": draw(st.floats(0, 0.8))},
                {"tier": "L2", "effort": effort},
            ],
            "postmortem": draw(st.sampled_from([0, 60])),
        }
        for p in ("P0", "P1", "P3")
    ]
    roles = [
        {"id": "operator", "staff": staff},
        {
            "id": "sre",
            "team": "sre",
            "tiers": ["L2"],
            "staff": sre_staff if sre_staff[0]["count"] else staff,
        },
    ]
    return tiny(
        calendar={"days": 3, "warmup_days": draw(st.sampled_from([0, 0.5]))},
        shifts=shifts,
        roles=roles,
        incidents={"classes": classes},
        work_rules={
            "preemptive": draw(st.booleans()),
            "shift_end": draw(st.sampled_from(["overtime", "handoff"])),
            "handoff_delay": 10,
            "ack_delay": draw(st.sampled_from([0, 2])),
        },
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_model_invariants(scenario, seed):
    record = simulate_record(scenario, np.random.SeedSequence(seed))
    log, work = record.incidents, record.work
    horizon = record.horizon

    # lifecycle timestamps never go backwards and never pass the horizon
    stamps = np.vstack([log.started, log.detected, log.acknowledged, log.restored])
    for earlier, later in itertools.pairwise(stamps):
        both = ~np.isnan(earlier) & ~np.isnan(later)
        assert np.all(earlier[both] <= later[both] + 1e-9)
    assert np.all(np.nan_to_num(stamps, nan=0) <= horizon + 1e-9)
    # restored implies acknowledged; every incident is restored or still open
    assert not np.any(~np.isnan(log.restored) & np.isnan(log.acknowledged))

    # no negative or overlapping work for any person
    start, end = np.asarray(work.start), np.asarray(work.end)
    assert np.all(end > start)
    person = np.asarray(work.person)
    for p in set(work.person):
        order = np.argsort(start[person == p])
        s, e = start[person == p][order], end[person == p][order]
        assert np.all(s[1:] >= e[:-1] - 1e-9)

    # shift work lies inside the person's shifts, other work outside them
    for p, s, e, mode in zip(work.person, work.start, work.end, work.mode, strict=True):
        inside = calendar.overlap(record.people[p].shifts, s, e)
        assert np.isclose(inside, e - s if mode == SHIFT else 0.0, atol=1e-6)

    # time accounting adds up for every person
    people = people_table(record, scenario)
    assert np.allclose(people.busy_hours + people.idle_hours, people.scheduled_hours)
    assert np.all(people.idle_hours >= -1e-9)
    by_rank = people.filter(regex=r"^busy_(P\d|postmortem)_hours$").sum(axis=1)
    assert np.allclose(by_rank, people.busy_hours + people.overtime_hours + people.callout_hours)

    # work is conserved: a restored incident received exactly its triage + tier efforts
    # (+ the hand-off delay for each hand-off); post-mortem work is counted apart
    load = draw_workload(scenario, np.random.SeedSequence(seed))
    incident_work = np.asarray(work.kind) == WorkKind.INCIDENT
    spent = np.bincount(
        np.asarray(work.item)[incident_work],
        weights=(end - start)[incident_work],
        minlength=len(log.started),
    )
    for i in np.flatnonzero(~np.isnan(log.restored)):
        needed = load.triage[i] + load.effort[i, : load.steps[i]].sum() + 10 * log.handoffs[i]
        assert np.isclose(spent[i], needed, atol=1e-6)
