"""The dispatcher on its own: who gets which work, when, and what interrupts it.

Each test drives a :class:`Dispatcher` directly with a SimPy environment and tiny
worker processes, so the rules are checked without the incident lifecycle.
"""

from __future__ import annotations

import pytest
import simpy

from sim.model.dispatch import AWAY, HANDOFF, PARKED, PREEMPTED, Dispatcher
from sim.model.precedence import Precedence
from sim.model.records import PersonState, WorkKind, WorkLog, WorkMode

INCIDENT, PLANNED, STREAM = WorkKind.INCIDENT, WorkKind.PLANNED, WorkKind.STREAM
LADDER = Precedence(2, personal=[1], streams=[2])  # P0, planned (P0 interrupts), P1, stream, pm
P0, PLAN, P1, STRM = LADDER.incident(0), LADDER.personal(1), LADDER.incident(1), LADDER.stream(2)


class Desk:
    """A dispatcher over people with roles ``roles``, and a log of what happened to each job."""

    def __init__(self, roles, pools, *, preemptive=True, handoff=False, page_delay=5.0):
        self.env = simpy.Environment()
        self.work = WorkLog()
        self.d = Dispatcher(
            self.env,
            tuple(roles),
            tuple(tuple(p) for p in pools),
            max(roles) + 1,
            len(LADDER),
            preemptive=preemptive,
            handoff=handoff,
            ack_delay=lambda item: 0.0,
            page_delay=lambda item, person, at: page_delay,
            work=self.work,
        )
        self.events: list[tuple] = []

    def on(self, *people):
        self.d.roster_change(list(people), [])

    def at(self, when, fn):
        def later():
            yield self.env.timeout(when)
            fn()

        self.env.process(later())

    def worker(self, name, minutes, ask, at=0.0):
        """A process that asks for work at ``at`` (``ask(process)`` returns the job) and does it."""

        def run():
            yield self.env.timeout(at)
            job = ask(self.env.active_process)
            try:
                if job.granted is not None:
                    yield job.granted
                yield self.env.timeout(job.delay)
                self.events.append((self.env.now, name, "start", job.person, job.callout))
                self.d.work_on(job, minutes, job.pool)
                yield self.env.timeout(minutes)
                self.events.append((self.env.now, name, "done", job.person))
                self.d.finish(job)
            except simpy.Interrupt as stop:
                why, left, _ = stop.cause
                self.events.append((self.env.now, name, why, job.person, round(left, 6)))

        self.env.process(run())

    def incident(self, name, minutes, rank, pool=0, pages=True, at=0.0):
        def ask(process):
            return self.d.request(INCIDENT, 0, pool, rank, pages, process)

        self.worker(name, minutes, ask, at)

    def personal(self, name, person, minutes, rank=PLAN, kind=PLANNED, at=0.0):
        self.worker(name, minutes, lambda p: self.d.request_personal(person, kind, 0, rank, p), at)

    def run(self, until=1000):
        self.env.run(until=until)
        return self.events


def test_free_person_of_the_preferred_role_longest_idle_first():
    desk = Desk(roles=[0, 1, 1], pools=[[1, 0]])  # role 1 preferred
    desk.on(0, 2, 1)  # person 2 came on before person 1
    desk.incident("a", 10, P1)
    desk.incident("b", 10, P1)
    desk.incident("c", 10, P1)
    starts = [(e[1], e[3]) for e in desk.run() if e[2] == "start"]
    assert starts == [("a", 2), ("b", 1), ("c", 0)]


def test_waiting_work_is_granted_most_urgent_first_then_in_arrival_order():
    desk = Desk(roles=[0], pools=[[0]], preemptive=False)
    desk.on(0)
    desk.incident("first", 10, P1)
    desk.incident("late-p1", 5, P1, at=1)
    desk.incident("p0", 5, P0, at=2)
    starts = [(e[0], e[1]) for e in desk.run() if e[2] == "start"]
    assert starts == [(0, "first"), (10, "p0"), (15, "late-p1")]


def test_more_urgent_work_preempts_the_least_urgent_latest_started():
    desk = Desk(roles=[0, 0], pools=[[0]])
    desk.on(0, 1)
    desk.incident("p1-early", 60, P1)
    desk.incident("p1-late", 60, P1, at=5)
    desk.incident("p0", 10, P0, at=20)
    events = desk.run()
    assert (20, "p1-late", PREEMPTED, 1, 45) in events
    assert (20, "p0", "start", 1, False) in events
    assert desk.d.preempted == [(20, 1, 45)]


def test_without_preemption_urgent_work_waits():
    desk = Desk(roles=[0], pools=[[0]], preemptive=False)
    desk.on(0)
    desk.incident("p1", 30, P1)
    desk.incident("p0", 10, P0, at=5)
    assert [e[:3] for e in desk.run()] == [
        (0, "p1", "start"),
        (30, "p1", "done"),
        (30, "p0", "start"),
        (40, "p0", "done"),
    ]


def test_nobody_on_shift_pages_an_idle_person_unless_the_work_never_pages():
    desk = Desk(roles=[0, 0], pools=[[0]], page_delay=7.0)
    desk.incident("pages", 10, P0)
    desk.incident("quiet", 10, P1, pages=False)
    events = desk.run(until=100)
    assert (7.0, "pages", "start", 0, True) in events
    assert not any(e[1] == "quiet" for e in events)
    assert len(desk.d.quiet_queue[0]) == 1


def test_personal_work_starts_at_once_for_a_free_person_and_is_never_paged():
    desk = Desk(roles=[0, 0], pools=[[0]])
    desk.on(0)
    desk.personal("meeting", 0, 15)
    desk.personal("off-shift", 1, 15)  # person 1 is off shift: waits, nobody is paged
    events = desk.run(until=100)
    assert (0, "meeting", "start", 0, False) in events
    assert not any(e[1] == "off-shift" for e in events)


def test_personal_work_waits_for_incident_work_in_hand_then_goes_before_less_urgent_work():
    desk = Desk(roles=[0], pools=[[0]])
    desk.on(0)
    desk.incident("p1", 30, P1)
    desk.personal("meeting", 0, 15, at=10)
    desk.incident("stream-ish", 10, STRM, pages=False, at=12)
    starts = [(e[0], e[1]) for e in desk.run() if e[2] == "start"]
    assert starts == [(0, "p1"), (30, "meeting"), (45, "stream-ish")]


def test_personal_work_displaces_less_urgent_work_that_is_not_incident_response():
    desk = Desk(roles=[0], pools=[[0]])
    desk.on(0)
    desk.worker("ticket", 60, lambda p: desk.d.request(STREAM, 0, 0, STRM, False, p))
    desk.personal("meeting", 0, 15, at=20)
    events = desk.run()
    assert (20, "ticket", PREEMPTED, 0, 40) in events
    assert (20, "meeting", "start", 0, False) in events


def test_incidents_that_may_interrupt_planned_work_do_and_others_wait():
    desk = Desk(roles=[0], pools=[[0]])
    desk.on(0)
    desk.personal("meeting", 0, 30)
    desk.incident("p1", 10, P1, at=5)  # P1 may not interrupt: waits for the meeting
    desk.incident("p0", 10, P0, at=10)  # P0 may
    events = desk.run()
    assert (10, "meeting", PREEMPTED, 0, 20) in events
    starts = [(e[0], e[1]) for e in events if e[2] == "start"]
    assert starts == [(0, "meeting"), (10, "p0"), (20, "p1")]


def test_cancelled_personal_work_is_never_granted():
    desk = Desk(roles=[0], pools=[[0]])
    jobs = []

    def ask(process):
        jobs.append(desk.d.request_personal(0, PLANNED, 0, PLAN, process))
        return jobs[-1]

    desk.worker("meeting", 15, ask)
    desk.at(5, lambda: desk.d.cancel(jobs[0]))
    desk.at(10, lambda: desk.on(0))
    desk.run(until=100)
    assert desk.events == []
    assert desk.d.personal[0] == []
    assert desk.d.state[0] is PersonState.ON_SHIFT and 0 in desk.d.free[0]


def test_personal_work_at_shift_end_goes_on_in_overtime_even_with_handoff():
    desk = Desk(roles=[0, 0], pools=[[0]], handoff=True)
    desk.on(0, 1)
    desk.personal("meeting", 0, 30)
    desk.at(10, lambda: desk.d.roster_change([], [0]))
    events = desk.run()
    assert (30, "meeting", "done", 0) in events
    modes = list(zip(desk.work.start, desk.work.end, desk.work.mode, strict=True))
    assert modes == [(0, 10, WorkMode.SHIFT), (10, 30, WorkMode.OVERTIME)]


def test_incident_work_at_shift_end_is_handed_to_a_free_colleague():
    desk = Desk(roles=[0, 0], pools=[[0]], handoff=True)
    desk.on(0, 1)
    desk.incident("p1", 30, P1)
    desk.at(10, lambda: desk.d.roster_change([], [0]))
    events = desk.run()
    assert (10, "p1", HANDOFF, 0, 20) in events
    assert desk.d.job_of[1] is not None and desk.d.job_of[1].person == 1


def test_person_states_change_only_by_named_transitions():
    desk = Desk(roles=[0], pools=[[0]])
    with pytest.raises(RuntimeError, match="cannot go_off while OFF"):
        desk.d.roster_change([], [0])
    desk.d.roster_change([], [], going_away=[0])
    assert desk.d.state[0] is PersonState.ABSENT
    with pytest.raises(RuntimeError, match="cannot come_on while ABSENT"):
        desk.on(0)


def test_an_absent_person_is_never_paged_and_waiting_work_pages_them_on_return():
    desk = Desk(roles=[0], pools=[[0]], page_delay=5.0)
    desk.d.roster_change([], [], going_away=[0])
    desk.incident("p0", 10, P0)
    desk.at(100, lambda: desk.d.roster_change([], [], coming_back=[0]))
    events = desk.run()
    assert [e[:4] for e in events if e[2] == "start"] == [(105, "p0", "start", 0)]


def test_work_in_hand_when_absence_begins_is_asked_for_again():
    desk = Desk(roles=[0, 0], pools=[[0]], page_delay=0.0)
    desk.incident("callout", 60, P0)  # nobody on shift: person 0 is paged
    desk.at(10, lambda: desk.d.roster_change([], [], going_away=[0]))
    events = desk.run()
    assert (10, "callout", AWAY, 0, 50) in events
    assert desk.d.state[0] is PersonState.ABSENT
    assert 0 not in desk.d.idle_off[0] and 1 in desk.d.idle_off[0]


def test_a_stream_item_in_hand_at_shift_end_is_parked_for_the_next_shift():
    desk = Desk(roles=[0, 0], pools=[[0]], handoff=True)
    desk.on(0)
    desk.worker("ticket", 60, lambda p: desk.d.request(STREAM, 0, 0, STRM, False, p))
    desk.at(20, lambda: desk.d.roster_change([], [0]))
    events = desk.run()
    assert (20, "ticket", PARKED, 0, 40) in events
    assert desk.d.state[0] is PersonState.OFF and 0 in desk.d.idle_off[0]
    modes = list(zip(desk.work.start, desk.work.end, desk.work.mode, strict=True))
    assert modes == [(0, 20, WorkMode.SHIFT)]  # no overtime for a ticket


def test_a_trainee_who_qualifies_takes_waiting_work_of_their_own_role():
    # role 1 is the trainee variant of role 0; pool 0 (say L2) takes role 0 only
    desk = Desk(roles=[1], pools=[[0], [0, 1]])
    desk.on(0)
    desk.incident("l2-work", 10, P1, pool=0)  # nobody qualified: waits (no one to page)
    desk.at(30, lambda: desk.d.roster_change([], [], qualifying=[(0, 0)]))
    events = desk.run()
    assert (30, "l2-work", "start", 0, False) in events
    assert desk.d.person_role[0] == 0 and desk.d.on_count == [1, 0]


def test_a_backlog_past_the_surge_threshold_calls_someone_in_while_calls_last():
    desk = Desk([0, 0], [[0]])
    desk.on(0)  # person 0 on shift, person 1 off shift and idle
    desk.d.surge_backlog, desk.d.surge_calls = 1, 1
    desk.incident("a", 60, P1)  # person 0 takes it
    desk.incident("b", 60, P1, at=1)  # waits: one in the queue, not past the threshold
    desk.incident("c", 60, P1, at=2)  # two waiting: the first of them ("b") is a surge call
    desk.incident("d", 60, P1, at=3)
    desk.incident("e", 60, P1, at=4)  # two waiting again, but the calls are spent
    desk.env.run(until=500)
    starts = {e[1]: (e[0], e[3], e[4]) for e in desk.events if e[2] == "start"}
    assert starts["a"] == (0.0, 0, False)
    assert starts["b"] == (7.0, 1, True)  # called in at 2, answering after the 5-minute page
    assert desk.d.surged == [(2.0, 1)]
    assert desk.d.surge_calls == 0
    assert starts["c"][2] is False and starts["e"][2] is False  # the rest wait for people


def test_no_surge_without_calls_or_below_the_threshold():
    desk = Desk([0, 0], [[0]])
    desk.on(0)
    desk.d.surge_backlog, desk.d.surge_calls = 3, 5
    for k, name in enumerate("abc"):
        desk.incident(name, 60, P1, at=k)
    desk.env.run(until=500)
    assert desk.d.surged == []
    assert all(e[3] == 0 for e in desk.events if e[2] == "start")
