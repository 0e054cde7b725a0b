"""Exact event timelines of tiny scenarios: the model does what the lifecycle says."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.ops_model import simulate_record
from sim.model.records import WorkMode
from tests.scenarios import tiny, workload

SHIFT, OVERTIME, CALLOUT = WorkMode.SHIFT, WorkMode.OVERTIME, WorkMode.CALLOUT

SEQ = np.random.SeedSequence(0)


def run(scenario, *incidents):
    return simulate_record(scenario, SEQ, workload=workload(*incidents))


def segments(record):
    w = record.work
    return sorted(zip(w.person, w.item, w.start, w.end, w.mode, strict=True))


def times(record, i):
    log = record.incidents
    return (log.started[i], log.detected[i], log.acknowledged[i], log.restored[i])


def test_fifo_single_responder_timeline():
    r = run(
        tiny(),
        {"at": 0, "detection": 5, "effort": [30]},
        {"at": 10, "detection": 5, "effort": [30]},
    )
    assert times(r, 0) == (0, 5, 5, 35)
    assert times(r, 1) == (10, 15, 35, 65)
    assert segments(r) == [(0, 0, 5, 35, SHIFT), (0, 1, 35, 65, SHIFT)]


def test_triage_then_first_tier_by_the_same_person_without_requeueing():
    r = run(tiny(), {"at": 0, "triage": 4, "effort": [10]}, {"at": 1, "effort": [10]})
    # incident 0 keeps its responder from triage into L1 work: 0..14; incident 1 waits
    assert times(r, 0) == (0, 0, 0, 14)
    assert times(r, 1) == (1, 1, 14, 24)


def test_higher_priority_preempts_and_interrupted_work_resumes():
    r = run(tiny(), {"at": 0, "cls": 1, "effort": [60]}, {"at": 10, "cls": 0, "effort": [20]})
    assert times(r, 1) == (10, 10, 10, 30)
    assert times(r, 0) == (0, 0, 0, 80)  # 10 done, 50 left, resumed at 30
    assert list(r.incidents.preemptions) == [1, 0]
    assert r.preempted == [(10, 0, 50)]
    assert segments(r) == [(0, 0, 0, 10, SHIFT), (0, 0, 30, 80, SHIFT), (0, 1, 10, 30, SHIFT)]


def test_non_preemptive_waits_for_the_current_work():
    r = run(
        tiny(work_rules={"preemptive": False}),
        {"at": 0, "cls": 1, "effort": [60]},
        {"at": 10, "cls": 0, "effort": [20]},
    )
    assert times(r, 0) == (0, 0, 0, 60)
    assert times(r, 1) == (10, 10, 60, 80)


def test_priority_order_in_the_queue():
    r = run(
        tiny(),
        {"at": 0, "cls": 1, "effort": [30]},
        {"at": 1, "cls": 2, "effort": [10]},
        {"at": 2, "cls": 1, "effort": [10]},
    )
    # P3 can be pre-empted by nobody here (busy with P1), waits behind the later P1
    assert times(r, 2)[2:] == (30, 40)
    assert times(r, 1)[2:] == (40, 50)


SHORT_SHIFT = {
    "shifts": [
        {"id": "always", "start": "00:00", "end": "01:00", "timezone": "UTC"},
        {"id": "next", "start": "01:00", "end": "02:00", "timezone": "UTC"},
    ]
}


HANDOFF_TWO = {
    **SHORT_SHIFT,
    "roles": [
        {
            "id": "operator",
            "staff": [
                {"site": "hq", "count": 1, "shift": "always"},
                {"site": "hq", "count": 1, "shift": "next"},
            ],
        }
    ],
}


def test_shift_end_overtime_is_recorded():
    r = run(tiny(**SHORT_SHIFT), {"at": 30, "effort": [60]})
    assert times(r, 0) == (30, 30, 30, 90)
    assert segments(r) == [(0, 0, 30, 60, SHIFT), (0, 0, 60, 90, OVERTIME)]


def test_handoff_to_the_next_shift_adds_the_handoff_delay():
    scenario = tiny(**HANDOFF_TWO, work_rules={"shift_end": "handoff", "handoff_delay": 10})
    r = run(scenario, {"at": 30, "effort": [60]})
    assert times(r, 0) == (30, 30, 30, 100)  # 30 done, 30 left + 10 hand-off
    assert list(r.incidents.handoffs) == [1]
    assert r.incidents.responders[0] == [0, 1]
    assert segments(r) == [(0, 0, 30, 60, SHIFT), (1, 0, 60, 100, SHIFT)]


def test_handoff_with_nobody_on_shift_falls_back_to_overtime():
    r = run(
        tiny(**SHORT_SHIFT, work_rules={"shift_end": "handoff", "handoff_delay": 10}),
        {"at": 30, "effort": [60]},
    )
    assert times(r, 0) == (30, 30, 30, 90)
    assert list(r.incidents.handoffs) == [0]


NIGHT_OFF = {"shifts": [{"id": "always", "start": "08:00", "end": "16:00", "timezone": "UTC"}]}


def test_nobody_on_shift_pages_someone_who_acknowledges_after_the_page_delay():
    r = run(tiny(**NIGHT_OFF), {"at": 60, "cls": 1, "effort": [30]})
    assert times(r, 0) == (60, 60, 67, 97)
    assert list(r.incidents.pages) == [1]
    assert segments(r) == [(0, 0, 67, 97, CALLOUT)]


def test_priority_that_does_not_page_waits_for_the_shift():
    r = run(tiny(**NIGHT_OFF), {"at": 60, "cls": 2, "effort": [30]})
    assert times(r, 0) == (60, 60, 480, 510)
    assert list(r.incidents.pages) == [0]


def test_shift_starting_during_a_callout_turns_it_into_shift_work():
    r = run(tiny(**NIGHT_OFF), {"at": 470, "cls": 1, "effort": [30]})
    assert times(r, 0) == (470, 470, 477, 507)
    assert segments(r) == [(0, 0, 477, 480, CALLOUT), (0, 0, 480, 507, SHIFT)]


def test_on_shift_acknowledgement_delay():
    r = run(tiny(work_rules={"ack_delay": 2}), {"at": 0, "detection": 3, "effort": [10]})
    assert times(r, 0) == (0, 3, 5, 15)


ESCALATING = {
    "roles": [
        {
            "id": "operator",
            "team": "noc",
            "tiers": ["L1"],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
        {
            "id": "sre",
            "team": "sre",
            "tiers": ["L2"],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
    ],
    "incidents": {
        "classes": [
            {
                "id": "deep",
                "priority": "P0",
                "category": "ops",
                "rate_per_day": 1,
                "resolution": [
                    {"tier": "L1", "effort": 1, "escalate": 0.5},
                    {"tier": "L2", "effort": 1},
                ],
            },
        ]
    },
}


def test_escalation_moves_the_incident_to_the_next_tier():
    r = run(
        tiny(**ESCALATING),
        {"at": 0, "cls": 3, "triage": 5, "effort": [10, 20]},
        {"at": 1, "cls": 3, "effort": [3]},
    )
    assert times(r, 0) == (0, 0, 0, 35)
    assert r.incidents.responders[0] == [0, 1]
    assert list(r.incidents.tiers_reached) == [2, 1]
    # the operator is free at 15, when L2 takes over; incident 1 waited for it
    assert times(r, 1) == (1, 1, 15, 18)


def test_postmortem_occupies_people_but_not_the_incident_clock():
    r = run(
        tiny(),
        {"at": 0, "cls": 0, "effort": [10], "postmortem": 60},
        {"at": 20, "cls": 2, "effort": [5]},
    )
    assert times(r, 0)[3] == 10
    # the P3 incident pre-empts the post-mortem (lowest priority) and is done at 25
    assert times(r, 1)[2:] == (20, 25)
    assert r.incidents.postmortem_done[0] == 75
    assert r.incidents.postmortem_done[1] != r.incidents.postmortem_done[1]  # nan: none


def test_unfinished_work_is_open_at_the_horizon():
    r = run(tiny(), {"at": 1400, "effort": [100]})
    assert np.isnan(r.incidents.restored[0])
    assert segments(r) == [(0, 0, 1400, 1440, SHIFT)]


@pytest.mark.parametrize("cost_first", [True, False])
def test_cheaper_role_is_preferred_when_both_are_free(cost_first):
    costs = (10, 50) if cost_first else (50, 10)
    roles = [
        {"id": "operator", "staff": [{"site": "hq", "count": 0, "shift": "always"}]},
        {
            "id": "a",
            "team": "noc",
            "tiers": ["L1"],
            "hourly_cost": costs[0],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
        {
            "id": "b",
            "team": "noc",
            "tiers": ["L1"],
            "hourly_cost": costs[1],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
    ]
    r = run(tiny(roles=roles), {"at": 0, "effort": [10]})
    assert r.people[r.incidents.responders[0][0]].role == ("a" if cost_first else "b")


def test_colleagues_leaving_at_the_same_minute_do_not_hand_off_to_each_other():
    scenario = tiny(
        **SHORT_SHIFT,
        work_rules={"shift_end": "handoff", "handoff_delay": 10},
        roles=[{"id": "operator", "staff": [{"site": "hq", "count": 2, "shift": "always"}]}],
    )
    r = run(scenario, {"at": 30, "effort": [60]}, {"at": 31, "cls": 2, "effort": [60]})
    assert times(r, 0)[3] == 90 and times(r, 1)[3] == 91  # both finish in overtime
    assert list(r.incidents.handoffs) == [0, 0] and list(r.incidents.pages) == [0, 0]


def test_work_finishing_at_that_instant_is_neither_preempted_nor_handed_off():
    r = run(tiny(), {"at": 0, "cls": 1, "effort": [10]}, {"at": 10, "cls": 0, "effort": [5]})
    assert times(r, 0)[3] == 10 and list(r.incidents.preemptions) == [0, 0]
    assert times(r, 1)[2:] == (10, 15)
    scenario = tiny(**HANDOFF_TWO, work_rules={"shift_end": "handoff", "handoff_delay": 10})
    r = run(scenario, {"at": 30, "effort": [30]})
    assert times(r, 0)[3] == 60 and list(r.incidents.handoffs) == [0]


def test_preemption_during_the_acknowledgement_delay():
    r = run(
        tiny(work_rules={"ack_delay": 2}),
        {"at": 0, "cls": 2, "effort": [60]},
        {"at": 1, "cls": 0, "effort": [10]},
    )
    assert times(r, 1)[2:] == (3, 13)  # the P3 had not started: the operator takes the P0
    assert times(r, 0)[2:] == (15, 75)


def test_work_granted_from_the_queue_can_be_preempted_before_it_starts():
    r = run(
        tiny(),
        {"at": 0, "cls": 1, "effort": [10]},
        {"at": 5, "cls": 2, "effort": [60]},
        {"at": 10, "cls": 0, "effort": [5]},
    )
    assert times(r, 2)[2:] == (10, 15)
    assert times(r, 1)[2:] == (15, 75)


def test_coming_on_shift_in_overtime_lets_urgent_waiting_work_preempt():
    shifts = {
        "shifts": [{"id": "always", "start": "00:00", "end": "23:00", "timezone": "UTC"}],
        "calendar": {"days": 2},
    }
    r = run(
        tiny(**shifts),
        {"at": 1300, "cls": 2, "effort": [200]},
        {"at": 1400, "cls": 0, "effort": [10]},
    )
    assert times(r, 1)[2:] == (1440, 1450)  # not 1500, when the P3 would have finished
    assert times(r, 0)[3] == 1510


def test_shift_changes_come_before_arrivals_at_the_same_minute():
    scenario = tiny(
        **SHORT_SHIFT,
        roles=[
            {
                "id": "operator",
                "staff": [
                    {"site": "hq", "count": 1, "shift": "always"},
                    {"site": "hq", "count": 1, "shift": "next"},
                ],
            }
        ],
    )
    r = run(scenario, {"at": 60, "effort": [30]})
    assert r.incidents.responders[0] == [1]
    assert segments(r) == [(1, 0, 60, 90, SHIFT)]


def test_preempted_work_keeps_its_place_and_its_responder():
    r = run(
        tiny(),
        {"at": 0, "cls": 1, "effort": [60]},
        {"at": 5, "cls": 1, "effort": [60]},
        {"at": 10, "cls": 0, "effort": [20]},
    )
    assert times(r, 0)[3] == 80  # resumes before the P1 that arrived later
    assert times(r, 1)[2:] == (80, 140)
    assert r.incidents.responders[0] == [0]


def test_urgent_work_arriving_as_a_task_ends_takes_the_person_before_the_next_task():
    # the P3's triage ends at 5 exactly when the P0 arrives: the P0 goes first, then the P3's
    # first-tier work (its place in the queue kept)
    r = run(
        tiny(),
        {"at": 0, "cls": 2, "triage": 5, "effort": [10]},
        {"at": 5, "cls": 0, "effort": [20]},
    )
    assert times(r, 1)[2:] == (5, 25)
    assert times(r, 0)[2:] == (0, 35)
    assert list(r.incidents.preemptions) == [1, 0]


SPECIALIST_NEXT_SHIFT = {
    **SHORT_SHIFT,
    "roles": [
        {"id": "operator", "staff": [{"site": "hq", "count": 1, "shift": "always"}]},
        {
            "id": "sre",
            "team": "sre",
            "tiers": ["L1", "L2"],
            "staff": [{"site": "hq", "count": 1, "shift": "next"}],
        },
    ],
    "priorities": [{"id": "P0", "response_minutes": 15, "pages_off_shift": False}],
    "incidents": {
        "classes": [
            {
                "id": "deep",
                "priority": "P0",
                "category": "ops",
                "rate_per_day": 1,
                "resolution": [{"tier": "L2", "effort": 1}],
            },
        ]
    },
    "work_rules": {"shift_end": "handoff", "handoff_delay": 10},
}


def test_newcomer_takes_urgent_waiting_work_before_any_hand_off():
    # at 60 the SRE arrives: the waiting P0 (only the SRE can work it) comes first, so the
    # operator's P1 cannot be handed over and is finished in overtime
    r = run(
        tiny(**SPECIALIST_NEXT_SHIFT),
        {"at": 30, "cls": 1, "effort": [60]},
        {"at": 40, "cls": 3, "effort": [10]},
    )
    assert times(r, 0)[3] == 90 and times(r, 1)[2:] == (40, 70)
    assert list(r.incidents.handoffs) == [0, 0]
    assert (0, 0, 60, 90, OVERTIME) in segments(r)
    assert (1, 1, 60, 70, SHIFT) in segments(r)


def test_next_task_after_shift_end_goes_to_the_free_colleague():
    scenario = tiny(**HANDOFF_TWO, work_rules={"shift_end": "handoff", "handoff_delay": 10})
    r = run(scenario, {"at": 50, "triage": 10, "effort": [30]})
    assert times(r, 0)[3] == 90
    assert segments(r) == [(0, 0, 50, 60, SHIFT), (1, 0, 60, 90, SHIFT)]


def test_work_still_being_acknowledged_at_shift_end_moves_without_a_handoff_delay():
    scenario = tiny(
        **HANDOFF_TWO, work_rules={"shift_end": "handoff", "handoff_delay": 10, "ack_delay": 5}
    )
    r = run(scenario, {"at": 58, "effort": [30]})
    assert times(r, 0)[2:] == (65, 95)
    assert segments(r) == [(1, 0, 65, 95, SHIFT)]
