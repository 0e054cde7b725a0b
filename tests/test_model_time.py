"""Exact timelines and invariants of non-incident work: planned operations, work streams,
training and absence, in the running model.

Timelines replay hand-made incidents (``workload``), hand-made stream items and
hand-made absences in one-person scenarios and check every work segment. The
invariants run random small scenarios with every feature switched on.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.metrics import PARTS, kpi_rows, people_table, stream_metrics
from sim.model import calendar, ops_model
from sim.model.arrivals import StreamItems
from sim.model.ops_model import OpsModel
from sim.model.records import AbsenceKind, ActivityStatus, WorkKind, WorkMode
from sim.model.roster import effective_shifts
from tests.scenarios import tiny, workload

SEQ = np.random.SeedSequence(0)
SHIFT, OVERTIME, CALLOUT = WorkMode.SHIFT, WorkMode.OVERTIME, WorkMode.CALLOUT
INCIDENT, POSTMORTEM = WorkKind.INCIDENT, WorkKind.POSTMORTEM
PLANNED, STREAM, TRAINING = WorkKind.PLANNED, WorkKind.STREAM, WorkKind.TRAINING
DONE, DROPPED, MISSED, OPEN = (
    ActivityStatus.DONE,
    ActivityStatus.DROPPED,
    ActivityStatus.MISSED,
    ActivityStatus.OPEN,
)
LEAVE, SICK = AbsenceKind.LEAVE, AbsenceKind.SICK
NOTHING = {"at": 10**8, "effort": [1]}  # an incident long after the horizon


def simulate(scenario, *incidents, absences=None, items=None, monkeypatch=None):
    """One run with these incidents, and optionally these absences and stream items."""
    if items is not None:
        at, stream, effort = zip(*items, strict=True) if items else ((), (), ())
        given_items = StreamItems(
            np.array(at, dtype=float), np.array(stream, dtype=np.int32), np.array(effort, float)
        )
        monkeypatch.setattr(ops_model, "draw_stream_items", lambda scenario, seq: given_items)

    class Model(OpsModel):
        def _draw_absences(self, seq):
            if absences is None:
                return super()._draw_absences(seq)
            return [list(a) for a in absences]

    return Model(scenario, SEQ, workload=workload(*(incidents or (NOTHING,)))).run()


def segments(record, person=None):
    w = record.work
    rows = zip(w.person, w.kind, w.item, w.start, w.end, w.mode, strict=True)
    return sorted(
        (WorkKind(k), i, s, e, WorkMode(m)) for p, k, i, s, e, m in rows if person in (None, p)
    )


def activity(record, row=0):
    a = record.activities
    return a.person[row], a.due[row], a.started[row], ActivityStatus(a.status[row])


def meeting(**more):
    return {
        "id": "standup",
        "cadence": {"every": "day"},
        "at": "09:00",
        "timezone": "UTC",
        "duration": 30,
        "attendees": {"everyone": True},
        **more,
    }


def times(record, i):
    log = record.incidents
    return (log.started[i], log.detected[i], log.acknowledged[i], log.restored[i])


# -- planned operations: exact timelines -----------------------------------------------------


def test_a_meeting_alone_is_held_at_its_time():
    r = simulate(tiny(planned=[meeting()]))
    assert segments(r) == [(PLANNED, 0, 540, 570, SHIFT)]
    assert activity(r) == (0, 540, 540, DONE)


def test_an_interrupting_priority_interrupts_the_meeting_which_resumes():
    r = simulate(
        tiny(planned=[meeting(interrupted_by=["P0"])]), {"at": 550, "cls": 0, "effort": [10]}
    )
    assert segments(r) == [
        (INCIDENT, 0, 550, 560, SHIFT),
        (PLANNED, 0, 540, 550, SHIFT),
        (PLANNED, 0, 560, 580, SHIFT),
    ]
    assert times(r, 0) == (550, 550, 550, 560)
    assert activity(r) == (0, 540, 540, DONE)
    assert r.preempted == [(550, 0, 20)]


def test_an_interrupted_meeting_set_to_drop_is_dropped():
    scenario = tiny(planned=[meeting(interrupted_by=["P0"], on_interrupt="drop")])
    r = simulate(scenario, {"at": 550, "cls": 0, "effort": [10]})
    assert segments(r) == [(INCIDENT, 0, 550, 560, SHIFT), (PLANNED, 0, 540, 550, SHIFT)]
    assert activity(r) == (0, 540, 540, DROPPED)


def test_a_priority_that_may_not_interrupt_waits_for_the_meeting_to_end():
    r = simulate(
        tiny(planned=[meeting(interrupted_by=["P0"])]), {"at": 550, "cls": 1, "effort": [10]}
    )
    assert segments(r) == [(INCIDENT, 0, 570, 580, SHIFT), (PLANNED, 0, 540, 570, SHIFT)]
    assert times(r, 0) == (550, 550, 570, 580)
    assert activity(r) == (0, 540, 540, DONE)


def test_a_meeting_nothing_may_interrupt_holds_off_even_p0():
    r = simulate(tiny(planned=[meeting()]), {"at": 550, "cls": 0, "effort": [10]})
    assert times(r, 0) == (550, 550, 570, 580)
    assert r.preempted == []


def test_someone_busy_with_an_incident_joins_late_and_does_all_of_it():
    # a P1 outranks nothing here, but personal work never takes people from incident work
    for rule in ([], ["P0"], ["P0", "P1"]):
        r = simulate(
            tiny(planned=[meeting(interrupted_by=rule)]), {"at": 500, "cls": 1, "effort": [50]}
        )
        assert segments(r) == [(INCIDENT, 0, 500, 550, SHIFT), (PLANNED, 0, 550, 580, SHIFT)]
        assert activity(r) == (0, 540, 550, DONE)


def test_a_clock_time_meeting_is_missed_by_someone_busy_past_its_end():
    r = simulate(tiny(planned=[meeting()]), {"at": 500, "cls": 1, "effort": [100]})
    assert segments(r) == [(INCIDENT, 0, 500, 600, SHIFT)]
    person, due, started, status = activity(r)
    assert (person, due, status) == (0, 540, MISSED)
    assert np.isnan(started)


def test_personal_work_takes_the_person_from_stream_work(monkeypatch):
    scenario = tiny(
        planned=[meeting(interrupted_by=["P0"])],
        streams=[{"id": "tickets", "rate_per_day": 1, "effort": 1, "roles": ["operator"]}],
    )
    r = simulate(scenario, items=[(500, 0, 60)], monkeypatch=monkeypatch)
    assert segments(r) == [
        (PLANNED, 0, 540, 570, SHIFT),
        (STREAM, 0, 500, 540, SHIFT),
        (STREAM, 0, 570, 590, SHIFT),
    ]
    assert (r.streams.picked_up[0], r.streams.done[0]) == (500, 590)
    assert r.preempted == [(540, 0, 20)]


def test_personal_work_takes_the_person_from_a_postmortem():
    r = simulate(
        tiny(planned=[meeting()]), {"at": 400, "cls": 0, "effort": [10], "postmortem": 200}
    )
    assert segments(r) == [
        (INCIDENT, 0, 400, 410, SHIFT),
        (POSTMORTEM, 0, 410, 540, SHIFT),
        (POSTMORTEM, 0, 570, 640, SHIFT),
        (PLANNED, 0, 540, 570, SHIFT),
    ]
    assert r.incidents.postmortem_done[0] == 640


def test_a_meeting_running_past_the_shift_end_finishes_in_overtime():
    shift = {"shifts": [{"id": "always", "start": "00:00", "end": "09:15", "timezone": "UTC"}]}
    r = simulate(tiny(**shift, planned=[meeting()]))
    assert segments(r) == [(PLANNED, 0, 540, 555, SHIFT), (PLANNED, 0, 555, 570, OVERTIME)]
    assert activity(r)[3] is DONE


def test_a_meeting_queued_behind_an_incident_at_the_shift_end_is_missed():
    # busy at 09:00 and off shift from 09:10: nobody joins late from off shift
    shift = {"shifts": [{"id": "always", "start": "00:00", "end": "09:10", "timezone": "UTC"}]}
    r = simulate(tiny(**shift, planned=[meeting()]), {"at": 530, "cls": 1, "effort": [20]})
    assert [s for s in segments(r) if s[0] is PLANNED] == []
    assert activity(r)[3] is MISSED


def test_a_meeting_preempted_before_it_begins_resumes_with_all_its_minutes():
    # the P1 ends at 550 and hands the person to the waiting meeting; in that same minute the
    # P0 (detected at 550) takes them before the meeting process has begun: the meeting
    # should then run 560..590, not until the horizon
    r = simulate(
        tiny(planned=[meeting(interrupted_by=["P0"])]),
        {"at": 500, "cls": 1, "effort": [50]},
        {"at": 549, "cls": 0, "detection": 1, "effort": [10]},
    )
    assert times(r, 1)[2:] == (550, 560)
    assert [s for s in segments(r) if s[0] is PLANNED] == [(PLANNED, 0, 560, 590, SHIFT)]
    assert activity(r)[2:] == (560, DONE)


# -- work streams -------------------------------------------------------------------------------

TWO_ROLES = {
    "roles": [
        {"id": "operator", "staff": [{"site": "hq", "count": 1, "shift": "always"}]},
        {
            "id": "sre",
            "team": "sre",
            "tiers": ["L2"],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
    ]
}


def stream(**more):
    return {"id": "tickets", "rate_per_day": 1, "effort": 1, "roles": ["operator"], **more}


def test_stream_items_go_to_their_roles_preferred_first(monkeypatch):
    only_sre = tiny(**TWO_ROLES, streams=[stream(roles=["sre"])])
    r = simulate(only_sre, items=[(100, 0, 30), (110, 0, 30)], monkeypatch=monkeypatch)
    assert segments(r, person=0) == []
    assert segments(r, person=1) == [(STREAM, 0, 100, 130, SHIFT), (STREAM, 1, 130, 160, SHIFT)]
    both = tiny(**TWO_ROLES, streams=[stream(roles=["sre", "operator"])])
    r = simulate(both, items=[(100, 0, 30), (110, 0, 30)], monkeypatch=monkeypatch)
    assert segments(r, person=1) == [(STREAM, 0, 100, 130, SHIFT)]
    assert segments(r, person=0) == [(STREAM, 1, 110, 140, SHIFT)]
    assert list(r.streams.picked_up) == [100, 110]


def test_any_incident_preempts_a_stream_item_by_default(monkeypatch):
    r = simulate(
        tiny(streams=[stream()]),
        {"at": 120, "cls": 2, "effort": [10]},  # P3, the least urgent priority
        items=[(100, 0, 60)],
        monkeypatch=monkeypatch,
    )
    assert segments(r) == [
        (INCIDENT, 0, 120, 130, SHIFT),
        (STREAM, 0, 100, 120, SHIFT),
        (STREAM, 0, 130, 170, SHIFT),
    ]
    assert (r.streams.arrived[0], r.streams.picked_up[0], r.streams.done[0]) == (100, 100, 170)
    assert list(r.incidents.preemptions) == [0]  # the incident was pre-empted by nothing


def test_a_stream_only_some_priorities_interrupt(monkeypatch):
    scenario = tiny(streams=[stream(interrupted_by=["P0"])])
    r = simulate(
        scenario,
        {"at": 110, "cls": 2, "effort": [10]},  # P3 waits for the item
        {"at": 120, "cls": 0, "effort": [10]},  # P0 interrupts it
        items=[(100, 0, 60)],
        monkeypatch=monkeypatch,
    )
    assert times(r, 1)[2:] == (120, 130)
    assert r.streams.done[0] == 170
    assert times(r, 0)[2:] == (170, 180)


def test_incidents_go_before_waiting_stream_items(monkeypatch):
    r = simulate(
        tiny(streams=[stream()]),
        {"at": 0, "cls": 1, "effort": [50]},
        {"at": 20, "cls": 2, "effort": [10]},
        items=[(10, 0, 5)],
        monkeypatch=monkeypatch,
    )
    assert times(r, 1)[2:] == (50, 60)
    assert (r.streams.picked_up[0], r.streams.done[0]) == (60, 65)


def test_stream_items_never_page_they_wait_for_the_shift(monkeypatch):
    night_off = {"shifts": [{"id": "always", "start": "08:00", "end": "16:00", "timezone": "UTC"}]}
    r = simulate(
        tiny(**night_off, streams=[stream()]),
        items=[(60, 0, 30), (1000, 0, 30)],
        monkeypatch=monkeypatch,
    )
    assert segments(r) == [(STREAM, 0, 480, 510, SHIFT)]
    assert r.streams.picked_up[0] == 480
    assert np.isnan(r.streams.picked_up[1])  # arrived after the shift; none until the horizon


def test_stream_wait_and_response_adherence_on_a_hand_made_timeline(monkeypatch):
    scenario = tiny(streams=[stream(response_minutes=15)])
    r = simulate(
        scenario,
        {"at": 1390, "cls": 1, "effort": [100]},  # busy until after the horizon (1440)
        items=[(100, 0, 30), (110, 0, 5), (200, 0, 5), (1400, 0, 5), (1430, 0, 5)],
        monkeypatch=monkeypatch,
    )
    assert list(r.streams.picked_up[:3]) == [100, 130, 200]
    assert np.isnan(r.streams.picked_up[3]) and np.isnan(r.streams.picked_up[4])
    got = {(m, g): v for m, g, v in stream_metrics(r, scenario) if g == "tickets"}
    assert got[("stream_items", "tickets")] == 5
    assert got[("stream_wait_minutes", "tickets")] == pytest.approx(20 / 3)  # picked up only
    # met: 0 and 0 minutes; missed: 20 minutes, and never picked up after 40 minutes; the
    # last item had waited 10 minutes at the horizon, under its target: not counted
    assert got[("stream_response_adherence", "tickets")] == pytest.approx(2 / 4)
    assert got[("stream_backlog_at_end", "tickets")] == 2


def test_stream_items_before_the_warmup_are_not_measured(monkeypatch):
    scenario = tiny(calendar={"days": 2, "warmup_days": 1}, streams=[stream(response_minutes=15)])
    r = simulate(scenario, items=[(100, 0, 5), (1500, 0, 5)], monkeypatch=monkeypatch)
    got = {(m, g): v for m, g, v in stream_metrics(r, scenario) if g == "tickets"}
    assert got[("stream_items", "tickets")] == 1
    assert got[("stream_response_adherence", "tickets")] == 1.0


# -- absence: exact timelines ------------------------------------------------------------------

NIGHT_OFF = {"shifts": [{"id": "always", "start": "08:00", "end": "16:00", "timezone": "UTC"}]}


def test_nobody_is_paged_while_the_only_person_is_away_and_work_waits_for_their_return():
    r = simulate(tiny(), {"at": 650, "cls": 0, "effort": [10]}, absences=[[(600, 900, LEAVE)]])
    assert times(r, 0) == (650, 650, 900, 910)
    assert list(r.incidents.pages) == [0]
    assert segments(r) == [(INCIDENT, 0, 900, 910, SHIFT)]


def test_work_in_hand_when_an_absence_begins_waits_for_the_return():
    r = simulate(tiny(), {"at": 550, "cls": 1, "effort": [100]}, absences=[[(600, 900, SICK)]])
    assert segments(r) == [(INCIDENT, 0, 550, 600, SHIFT), (INCIDENT, 0, 900, 950, SHIFT)]
    assert times(r, 0)[3] == 950


def test_a_callout_cut_short_by_an_absence_pages_again_when_they_are_back():
    r = simulate(
        tiny(**NIGHT_OFF), {"at": 60, "cls": 1, "effort": [100]}, absences=[[(120, 400, SICK)]]
    )
    assert segments(r) == [(INCIDENT, 0, 67, 120, CALLOUT), (INCIDENT, 0, 407, 454, CALLOUT)]
    assert list(r.incidents.pages) == [2]


def test_the_person_paged_is_one_who_is_not_away():
    scenario = tiny(
        **NIGHT_OFF,
        roles=[{"id": "operator", "staff": [{"site": "hq", "count": 2, "shift": "always"}]}],
    )
    r = simulate(scenario, {"at": 60, "cls": 1, "effort": [30]}, absences=[[(0, 300, LEAVE)], []])
    assert segments(r, person=0) == []
    assert segments(r, person=1) == [(INCIDENT, 0, 67, 97, CALLOUT)]


def test_an_absent_person_does_not_attend():
    scenario = tiny(
        planned=[meeting()],
        roles=[{"id": "operator", "staff": [{"site": "hq", "count": 2, "shift": "always"}]}],
    )
    r = simulate(scenario, absences=[[], [(0, 1440, LEAVE)]])
    assert list(r.activities.person) == [0]


def test_an_absence_beginning_during_a_meeting_drops_it_even_when_it_would_resume():
    r = simulate(tiny(planned=[meeting()]), absences=[[(555, 900, SICK)]])
    assert segments(r) == [(PLANNED, 0, 540, 555, SHIFT)]
    assert activity(r)[2:] == (540, DROPPED)


def test_people_table_accounts_for_hand_made_absences():
    scenario = tiny(calendar={"days": 2}, **NIGHT_OFF, planned=[meeting()])
    r = simulate(scenario, absences=[[(0, 1440, LEAVE), (1440 + 600, 1440 + 700, SICK)]])
    row = people_table(r, scenario).iloc[0]
    assert row.scheduled_hours == 16
    assert row.leave_hours == 8
    assert row.sick_hours == pytest.approx(100 / 60)
    assert row.available_hours == pytest.approx(16 - 8 - 100 / 60)
    assert row.planned_hours == 0.5  # day 2 only; day 1 was leave
    assert row.idle_hours == pytest.approx(row.available_hours - 0.5)


def test_shrinkage_and_fte_from_hand_made_absences():
    scenario = tiny(calendar={"days": 2}, **NIGHT_OFF, planned=[meeting()])
    r = simulate(scenario, absences=[[(0, 1440, LEAVE)]])
    got = {(m, g): v for m, g, v in kpi_rows(r, scenario) if m.startswith(("shrinkage", "fte"))}
    lost = 8 + 0.5  # a day of leave and one meeting, of 16 rostered hours
    assert got[("shrinkage", "all")] == pytest.approx(lost / 16)
    assert got[("fte_present", "all")] == 1.0
    per_week = 16 / (2 / 7)  # rostered hours per week
    assert got[("fte_required", "all")] == pytest.approx(per_week / (40 * (1 - lost / 16)))


NIGHTS = {
    "calendar": {"days": 4},
    "shifts": [{"id": "always", "start": "22:00", "end": "06:00", "timezone": "UTC"}],
    "planned": [meeting(at="during-shift")],
}


def test_during_shift_work_is_due_at_each_night_shift_start():
    r = simulate(tiny(**NIGHTS))
    due = list(r.activities.due)
    for day in range(4):
        assert day * 1440 + 1320 in due


def test_the_tail_of_a_night_shift_after_an_absence_is_no_new_shift_start():
    r = simulate(tiny(**NIGHTS), absences=[[(0, 2880, SICK)]])
    # nights starting on days 2 and 3 only (the ones starting on days 0 and 1 are cut)
    assert sorted(r.activities.due) == [2 * 1440 + 1320, 3 * 1440 + 1320]


# -- invariants over random small scenarios with every feature on ------------------------------

PRIORITIES = ["P0", "P1", "P3"]
WINDOWS = [
    ("08:00", "16:00", ("mon", "tue", "wed", "thu", "fri")),
    ("16:00", "24:00", None),
    ("22:00", "06:00", None),
    ("00:00", "24:00", None),
    ("09:00", "17:00", ("mon", "wed", "fri", "sat")),
]


@st.composite
def busy_scenarios(draw):
    zone = draw(st.sampled_from(["UTC", "Europe/Dublin", "America/New_York"]))
    windows = draw(st.lists(st.sampled_from(WINDOWS), min_size=1, max_size=3, unique=True))
    shifts = []
    for i, (a, b, days) in enumerate(windows):
        shift = {"id": f"s{i}", "start": a, "end": b}
        if days:
            shift["days"] = list(days)
        shifts.append(shift)
    staff = [{"site": "hq", "count": draw(st.integers(1, 2)), "shift": s["id"]} for s in shifts]
    sre = [{"site": "hq", "count": draw(st.integers(1, 2)), "shift": shifts[-1]["id"]}]

    def interrupters():
        return PRIORITIES[: draw(st.integers(0, 3))]

    planned = [
        {
            "id": "standup",
            "cadence": {"every": "day"},
            "at": draw(st.sampled_from(["09:00", "16:30", "23:00"])),
            "timezone": draw(st.sampled_from(["local", "UTC"])),
            "duration": draw(st.sampled_from([15, 45, {"dist": "exponential", "mean": 30}])),
            "attendees": {"everyone": True, "one_per_team": draw(st.booleans())},
            "interrupted_by": interrupters(),
            "on_interrupt": draw(st.sampled_from(["resume", "drop"])),
        },
        {
            "id": "review",
            "cadence": draw(
                st.sampled_from(
                    [
                        {"every": "week", "days": ["wed"]},
                        {"every_days": 3},
                        {"every": "month", "weekday": "fri", "nth": -1},
                    ]
                )
            ),
            "at": "during-shift",
            "duration": draw(st.sampled_from([60, 240])),
            "attendees": {"teams": ["sre"]},
            "interrupted_by": interrupters(),
            "on_interrupt": draw(st.sampled_from(["resume", "drop"])),
        },
    ]
    streams = [
        {
            "id": "tickets",
            "rate_per_day": draw(st.floats(1, 20)),
            "effort": {"dist": "exponential", "mean": 20},
            "roles": draw(st.sampled_from([["operator"], ["sre", "operator"], ["sre"]])),
            "interrupted_by": draw(st.sampled_from(["all", ["P0"], []])),
            "response_minutes": 30,
        }
    ]
    training = {
        "monthly_hours": draw(st.sampled_from([0, 4, 8])),
        "quarterly_certification_hours": draw(st.sampled_from([0, 6])),
        "conference_days": draw(st.sampled_from([0, 1])),
        "session_hours": draw(st.sampled_from([1, 4])),
        "interrupted_by": interrupters(),
        "on_interrupt": draw(st.sampled_from(["resume", "drop"])),
    }
    classes = [
        {
            "id": f"k{p}",
            "priority": p,
            "category": "ops",
            "rate_per_day": draw(st.floats(0.5, 8)),
            "resolution": [
                {"tier": "L1", "effort": {"dist": "exponential", "mean": 40}, "escalate": 0.3},
                {"tier": "L2", "effort": 30},
            ],
            "postmortem": draw(st.sampled_from([0, 60])),
        }
        for p in PRIORITIES
    ]
    return tiny(
        calendar={
            "start": draw(st.sampled_from(["2027-01-04", "2027-03-20", "2027-10-25"])),
            "days": draw(st.integers(14, 40)),
        },
        sites=[{"id": "hq", "timezone": zone}],
        shifts=shifts,
        roles=[
            {"id": "operator", "staff": staff},
            {"id": "sre", "team": "sre", "tiers": ["L2"], "staff": sre},
        ],
        incidents={"classes": classes},
        work_rules={
            "preemptive": draw(st.booleans()),
            "shift_end": draw(st.sampled_from(["overtime", "handoff"])),
            "handoff_delay": 0,
            "ack_delay": draw(st.sampled_from([0, 2])),
        },
        absence={
            "annual_leave_days": {"hq": draw(st.sampled_from([0, 25, 80]))},
            "leave_block_days": draw(st.integers(1, 5)),
            "max_away_per_role": draw(st.integers(1, 2)),
            "sick_days_per_year": draw(st.sampled_from([0, 10, 40])),
        },
        planned=planned,
        streams=streams,
        training=training,
    )


def _inside(spans, t: float) -> bool:
    return any(a <= t < b for a, b, *_ in spans)


INVARIANTS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@INVARIANTS
@given(scenario=busy_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_work_respects_shifts_and_absences_and_time_adds_up(scenario, seed):
    record = ops_model.simulate_record(scenario, np.random.SeedSequence(seed))
    work = record.work
    start, end = np.asarray(work.start), np.asarray(work.end)
    person, kind, mode = np.asarray(work.person), np.asarray(work.kind), np.asarray(work.mode)
    assert np.all(end > start)

    for p, info in enumerate(record.people):
        mine = person == p
        order = np.argsort(start[mine])
        s, e = start[mine][order], end[mine][order]
        assert np.all(s[1:] >= e[:-1] - 1e-9), f"overlapping work for person {p}"
        effective = effective_shifts(info.shifts, record.absences[p])
        away = [(a, b) for a, b, _ in record.absences[p]]
        for a, b, m in zip(s, e, mode[mine][order], strict=True):
            inside = calendar.overlap(effective, a, b)
            assert np.isclose(inside, b - a if m == SHIFT else 0.0, atol=1e-6), (p, a, b, m)
            assert calendar.overlap(away, a, b) == 0.0, f"person {p} worked while away"

    # only incident response pages
    assert not np.any((mode == CALLOUT) & (kind != INCIDENT))

    # time accounting per person: kinds of on-shift work + idle = available
    people = people_table(record, scenario)
    parts = people[[f"{part}_hours" for part in PARTS]].sum(axis=1)
    assert np.allclose(parts, people.available_hours)
    assert np.allclose(
        people.available_hours, people.scheduled_hours - people.leave_hours - people.sick_hours
    )
    assert np.all(people.idle_hours >= -1e-9)
    assert np.all(people.leave_hours >= 0) and np.all(people.sick_hours >= 0)

    # utilization parts add up to 1 per team and overall
    sums: dict[str, float] = {}
    for metric, group, value in kpi_rows(record, scenario):
        if metric == "utilization_part" and not np.isnan(value):
            prefix = group.rsplit(":", 1)[0]
            sums[prefix] = sums.get(prefix, 0.0) + value
    assert "all" in sums
    for prefix, total in sums.items():
        assert total == pytest.approx(1.0), prefix

    # stream items: picked up after arrival, done after pick-up, with exactly their effort
    log = record.streams
    arrived, picked, done = (
        np.asarray(x, dtype=float) for x in (log.arrived, log.picked_up, log.done)
    )
    # (arrival times are reached by adding up timeouts: they may be off by rounding)
    assert np.all(picked[~np.isnan(picked)] >= arrived[~np.isnan(picked)] - 1e-9)
    assert not np.any(~np.isnan(done) & np.isnan(picked))
    assert np.all(done[~np.isnan(done)] >= picked[~np.isnan(done)] - 1e-9)
    on_streams = kind == STREAM
    spent = np.bincount(
        np.asarray(work.item)[on_streams], weights=(end - start)[on_streams], minlength=len(arrived)
    )
    effort = ops_model.draw_stream_items(scenario, np.random.SeedSequence(seed)).effort
    finished = ~np.isnan(done)
    assert np.allclose(spent[finished], effort[finished])


def _activity_checks(scenario, seed):
    record = ops_model.simulate_record(scenario, np.random.SeedSequence(seed))
    a, work = record.activities, record.work
    personal = np.isin(np.asarray(work.kind), [PLANNED, TRAINING])
    item = np.asarray(work.item)[personal]
    length = (np.asarray(work.end) - np.asarray(work.start))[personal]
    done = np.bincount(item, weights=length, minlength=len(a.kind))
    by_row_kind = {
        int(i): int(k) for i, k in zip(item, np.asarray(work.kind)[personal], strict=True)
    }
    for row in range(len(a.kind)):
        p, due, minutes, started = a.person[row], a.due[row], a.minutes[row], a.started[row]
        status = ActivityStatus(a.status[row])
        if row in by_row_kind:
            assert by_row_kind[row] == a.kind[row]
        effective = effective_shifts(record.people[p].shifts, record.absences[p])
        assert _inside(effective, due), f"row {row}: attendee not on shift when it was due"
        assert done[row] <= minutes + 1e-6, f"row {row}: {done[row]} done of {minutes}"
        if status is DONE:
            assert done[row] == pytest.approx(minutes)
        if status is MISSED:
            assert np.isnan(started) and done[row] == 0
        if status is DROPPED:
            assert not np.isnan(started) and done[row] < minutes
        if not np.isnan(started):
            assert started >= due


@INVARIANTS
@given(scenario=busy_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_activity_rows_agree_with_the_work_done(scenario, seed):
    _activity_checks(scenario, seed)


# ---------------------------------------------------------------------- people who join


def joiner_scenario(**training):
    """Two operators (L1, L2); the second joins on day 1 and trains for one day at half time."""
    return tiny(
        calendar={"days": 3},
        tiers=[{"id": "L1"}, {"id": "L2"}],
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1", "L2"],
                "staff": [
                    {"site": "hq", "count": 1, "shift": "always"},
                    {"site": "hq", "count": 1, "shift": "always", "joins": "2027-01-05"},
                ],
            }
        ],
        training={"initial": {"days": 1, "share": 0.5, "max_tier": "L1", **training}},
        incidents={
            "classes": [
                {
                    "id": "urgent",
                    "resolution": [
                        {"tier": "L1", "effort": 1, "escalate": 1},
                        {"tier": "L2", "effort": 1},
                    ],
                }
            ]
        },
    )


def test_someone_who_joins_is_away_until_then_and_trains_part_of_each_first_shift():
    record = simulate(joiner_scenario())
    assert [p.name for p in record.people] == ["operator-hq-1", "operator-hq-2"]
    assert record.absences[1] == [(0.0, 1440.0, AbsenceKind.JOINING)]
    # day 1 is the trainee's only shift start in training: half of it, 12 h, in training
    assert segments(record, person=1) == [(TRAINING, 0, 1440.0, 2160.0, SHIFT)]
    assert activity(record) == (1, 1440.0, 1440.0, DONE)
    table = people_table(record, joiner_scenario()).set_index("person")
    assert table.loc["operator-hq-2", "joining_hours"] == 24.0
    assert table.loc["operator-hq-2", "available_hours"] == 48.0


def test_a_trainee_works_no_tier_above_the_limit_until_qualified():
    # an incident at 1500 needs L1 then L2: the trainee (free; the other operator busy) may
    # triage and do L1, but the L2 step waits for someone qualified
    busy = {"at": 1490, "cls": 1, "effort": [600]}  # the veteran works a P1 till 2090
    mixed = {"at": 1500, "cls": 0, "effort": [10, 10]}
    record = simulate(joiner_scenario(share=0.0), busy, mixed)
    trainee = [s for s in segments(record, person=1) if s[0] is INCIDENT]
    # L1 of the P0; then the P1 (one L1 step) that the veteran left for the P0's L2 step
    assert trainee == [(INCIDENT, 0, 1510.0, 2090.0, SHIFT), (INCIDENT, 1, 1500.0, 1510.0, SHIFT)]
    veteran = [s for s in segments(record, person=0) if s[1] == 1]
    assert veteran == [(INCIDENT, 1, 1510.0, 1520.0, SHIFT)]


def test_after_initial_training_the_joiner_works_every_tier():
    late = {"at": 2900, "cls": 0, "effort": [10, 10]}
    busy = {"at": 2890, "cls": 1, "effort": [600]}
    record = simulate(joiner_scenario(share=0.0), busy, late)
    assert [s for s in segments(record, person=1) if s[1] == 1] == [
        (INCIDENT, 1, 2900.0, 2920.0, SHIFT)
    ]


# ---------------------------------------------------------------------- found in review

OFFICE = {"shifts": [{"id": "always", "start": "09:00", "end": "17:00", "timezone": "UTC"}]}


def test_work_due_at_a_shift_start_competes_with_work_queued_overnight():
    # a P3 waited since 08:00; the 09:00 stand-up outranks it (nothing may interrupt it)
    record = simulate(tiny(**OFFICE, planned=[meeting()]), {"at": 480, "cls": 2, "effort": [120]})
    assert segments(record) == [
        (INCIDENT, 0, 570.0, 690.0, SHIFT),
        (PLANNED, 0, 540.0, 570.0, SHIFT),
    ]
    assert activity(record) == (0, 540.0, 540.0, DONE)


def test_waiting_planned_work_does_not_hide_urgent_incidents_from_pre_emption():
    # at 570 the P3's first step ends; the waiting meeting may not take the person from
    # incident work, but the P1 detected at 570 may
    two_steps = [{"tier": "L1", "effort": 1, "escalate": 1.0}, {"tier": "L1", "effort": 1}]
    classes = [{"id": c, "resolution": two_steps} for c in ("urgent", "normal", "low")]
    scenario = tiny(incidents={"classes": classes}, planned=[meeting(interrupted_by=["P0"])])
    p1 = {"at": 400, "cls": 1, "detection": 170, "effort": [10, 10]}
    p3 = {"at": 480, "cls": 2, "effort": [90, 60]}
    record = simulate(scenario, p1, p3)
    assert [s for s in segments(record) if s[1] == 0] == [(INCIDENT, 0, 570.0, 590.0, SHIFT)]


def test_one_per_team_during_the_shift_sends_one_person_a_day_in_turn():
    scenario = tiny(
        calendar={"days": 3},
        **OFFICE,
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1"],
                "staff": [{"site": "hq", "count": 3, "shift": "always"}],
            }
        ],
        planned=[meeting(at="during-shift", attendees={"teams": ["noc"], "one_per_team": True})],
    )
    record = simulate(scenario)
    a = record.activities
    assert list(zip(a.person, a.due, strict=True)) == [(0, 540.0), (1, 1980.0), (2, 3420.0)]


def test_one_per_team_at_local_time_takes_turns_at_each_site():
    scenario = tiny(
        calendar={"days": 4},
        sites=[{"id": "a", "timezone": "Europe/Dublin"}, {"id": "b", "timezone": "Asia/Singapore"}],
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1"],
                "staff": [
                    {"site": "a", "count": 2, "shift": "always"},
                    {"site": "b", "count": 2, "shift": "always"},
                ],
            }
        ],
        planned=[meeting(timezone="local", attendees={"teams": ["noc"], "one_per_team": True})],
    )
    record = simulate(scenario)
    names = [record.people[p].name for p in record.activities.person]
    assert sorted(names) == sorted(
        ["operator-a-1", "operator-a-2", "operator-b-1", "operator-b-2"] * 2
    )


def test_a_trainee_qualifying_as_the_shift_ends_takes_no_work_into_overtime():
    l2_only = [
        {"id": c, "resolution": [{"tier": "L2", "effort": 1}]} for c in ("urgent", "normal", "low")
    ]
    scenario = tiny(
        calendar={"days": 3},
        shifts=[{"id": "always", "start": "16:00", "end": "24:00", "timezone": "UTC"}],
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1", "L2"],
                "staff": [{"site": "hq", "count": 1, "shift": "always", "joins": "2027-01-05"}],
            }
        ],
        training={"initial": {"days": 1, "share": 0.0, "max_tier": "L1"}},
        incidents={"classes": l2_only},
    )
    record = simulate(scenario, {"at": 2000, "cls": 2, "effort": [120]})
    # qualified at midnight (2880) as the shift ends: the L2 work waits for the next shift
    assert segments(record) == [(INCIDENT, 0, 3840.0, 3960.0, SHIFT)]


def test_a_zero_minute_activity_is_done_at_once_and_keeps_nobody():
    scenario = tiny(planned=[meeting(duration=0)])
    record = simulate(
        scenario, {"at": 600, "cls": 1, "effort": [30]}, absences=[[(700, 800, SICK)]]
    )
    person, due, _, status = activity(record)
    assert (person, due, status) == (0, 540.0, DONE)
    assert segments(record) == [(INCIDENT, 0, 600.0, 630.0, SHIFT)]
