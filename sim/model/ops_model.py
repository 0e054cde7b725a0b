"""The SimPy model of an operations organisation: it runs incidents and records what happened.

The model only records raw events (see :mod:`sim.model.records`); it never prints,
reads files or computes metrics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import URGENT

from sim.model.arrivals import Workload, draw_workload
from sim.model.dispatch import HANDOFF, PREEMPTED, Dispatcher, Job
from sim.model.randomness import Sampler, stream
from sim.model.records import IncidentLog, RunRecord, WorkLog
from sim.model.staff import Staff, build_staff
from sim.scenario.schema import Scenario


class OpsModel:
    """One replication of a scenario."""

    def __init__(
        self,
        scenario: Scenario,
        seq: np.random.SeedSequence,
        replication: int = 0,
        staff: Staff | None = None,
        workload: Workload | None = None,
    ):
        self.scenario, self.replication = scenario, replication
        self.staff = staff or build_staff(scenario)
        self.env = simpy.Environment()
        load = workload if workload is not None else draw_workload(scenario, seq)
        self.log = IncidentLog.empty(load.cls.tolist(), load.started.tolist())
        self.load = _Columns(load)
        self.work = WorkLog()
        rules = scenario.work_rules
        self.duties = [_Duty(c.rank, c.pages, on_clock=True) for c in self.staff.classes]
        self.postmortem_duty = _Duty(len(scenario.priorities), pages=False, on_clock=False)
        self.handoff_delay = Sampler(rules.handoff_delay, stream(seq, "handoff"))
        self.desk = Dispatcher(
            self.env,
            self.staff.person_role,
            self.staff.pools,
            len(self.staff.role_ids),
            len(scenario.priorities),
            preemptive=rules.preemptive,
            handoff=rules.shift_end == "handoff",
            ack_delay=Sampler(rules.ack_delay, stream(seq, "acknowledgement")),
            page_delay=Sampler(scenario.paging.ack_delay, stream(seq, "paging")),
            work=self.work,
        )

    def run(self) -> RunRecord:
        """Simulate the horizon and return the raw records."""
        self.env.process(self._roster())
        self.env.process(self._arrivals())
        self.env.run(until=self.scenario.horizon_minutes)
        self.desk.close_all()
        return RunRecord(
            replication=self.replication,
            horizon=self.scenario.horizon_minutes,
            warmup=self.scenario.warmup_minutes,
            people=list(self.staff.people),
            incidents=self.log.as_arrays(),
            work=self.work,
            preempted=self.desk.preempted,
        )

    # -- processes -------------------------------------------------------------------------

    def _arrivals(self):
        env = self.env
        for i, at in enumerate(self.log.started):
            yield env.timeout(at - env.now)
            env.process(self._incident(i))

    def _incident(self, i: int):
        """The lifecycle: occurs, detected, acknowledged and triaged, resolved tier by tier."""
        plan = self.staff.classes[self.load.cls[i]]
        duty = self.duties[self.load.cls[i]]
        yield from self._detect(i)
        job = yield from self._work(i, plan.triage_pool, self.load.triage[i], None, duty)
        for step in range(self.load.steps[i]):
            self.log.tiers_reached[i] = step + 1
            effort = self.load.effort[i][step]
            job = yield from self._work(i, plan.step_pools[step], effort, job, duty)
        self.desk.finish(job)
        self.log.restored[i] = self.env.now
        if self.load.postmortem[i] > 0:
            self.env.process(self._postmortem(i, plan.step_pools[self.load.steps[i] - 1]))

    def _detect(self, i: int):
        delay = self.load.detection[i]
        if delay > 0:
            yield self.env.timeout(delay)
        self.log.detected[i] = self.env.now

    def _postmortem(self, i: int, pool: int):
        """Post-mortem work occupies people at the lowest priority, never pages, off the clock."""
        job = yield from self._work(i, pool, self.load.postmortem[i], None, self.postmortem_duty)
        self.desk.finish(job)
        self.log.postmortem_done[i] = self.env.now

    def _work(self, i: int, pool: int, effort: float, held: Job | None, duty: _Duty):
        """Put ``effort`` minutes of work from ``pool`` into incident ``i``; returns the job."""
        if held is not None and self.desk.can_continue(held, pool):
            job = held
        else:
            if held is not None:
                self.desk.finish(held)
            job = yield from self._acquire(i, pool, duty)
        left = effort
        while True:
            if left > 0 and self.desk.yield_to_urgent(job, left):
                why, handed = PREEMPTED, None
            else:
                self.desk.work_on(job, left, pool)
                if left <= 0:
                    return job
                try:
                    yield self.env.timeout(left)
                    return job
                except simpy.Interrupt as stop:
                    why, left, handed = stop.cause
            if why == HANDOFF:
                left += self.handoff_delay()
            if duty.on_clock:
                counter = self.log.handoffs if why == HANDOFF else self.log.preemptions
                counter[i] += 1
            job = yield from self._acquire(i, pool, duty, handed, job.seq)

    def _acquire(
        self, i: int, pool: int, duty: _Duty, job: Job | None = None, seq: int | None = None
    ):
        """Wait for a qualified responder; the first one to arrive acknowledges the incident.

        ``job`` is work already handed to a colleague; otherwise it is requested.
        Someone granted the work can still be taken by more urgent work before they
        start: then it is requested again, keeping its place in the queue.
        """
        handed = job is not None
        while True:
            if job is None:
                job = self.desk.request(
                    i, pool, duty.rank, duty.pages, self.env.active_process, seq
                )
            seq = job.seq
            try:
                if job.granted is not None:
                    yield job.granted
                if job.delay > 0 or handed:
                    # a handed-over job always waits here, even for zero minutes: the
                    # receiver may be taken by more urgent work in this very minute, and
                    # that interrupt must land in this `except`
                    yield self.env.timeout(job.delay)
            except simpy.Interrupt as stop:
                job = stop.cause[2]
                handed = job is not None
                continue
            if duty.on_clock:
                self._picked_up(i, job)
            return job

    def _picked_up(self, i: int, job: Job) -> None:
        if job.callout:
            self.log.pages[i] += 1
        if self.log.acknowledged[i] != self.log.acknowledged[i]:  # nan: first responder
            self.log.acknowledged[i] = self.env.now
        if job.person not in self.log.responders[i]:
            self.log.responders[i].append(job.person)

    def _roster(self):
        """Bring people on and off shift, all changes of one minute at once, before arrivals."""
        env = self.env
        for at, starting, ending in _shift_changes(self.staff, self.scenario.horizon_minutes):
            if at > env.now:
                yield _urgent_timeout(env, at - env.now)
            self.desk.shift_change(starting, ending)


@dataclass(frozen=True)
class _Duty:
    """How a piece of work competes: its priority rank, whether it pages, whether it is
    on the incident's clock (post-mortems are not)."""

    rank: int
    pages: bool
    on_clock: bool


def _urgent_timeout(env: simpy.Environment, delay: float) -> simpy.Event:
    """A timeout processed before ordinary events at the same time (shift changes go first)."""
    event = env.event()
    event._ok, event._value = True, None
    env.schedule(event, URGENT, delay)
    return event


class _Columns:
    """The workload as Python lists: item access is several times faster than numpy's."""

    def __init__(self, load: Workload):
        self.cls = load.cls.tolist()
        self.detection = load.detection.tolist()
        self.triage = load.triage.tolist()
        self.steps = load.steps.tolist()
        self.effort = load.effort.tolist()
        self.postmortem = load.postmortem.tolist()


def _shift_changes(staff: Staff, horizon: float) -> list[tuple[float, list[int], list[int]]]:
    """(minute, people starting, people ending) for every minute with a shift change."""
    changes: dict[float, tuple[list[int], list[int]]] = {}
    for person, info in enumerate(staff.people):
        for begin, end in info.shifts:
            changes.setdefault(begin, ([], []))[0].append(person)
            if end < horizon:
                changes.setdefault(end, ([], []))[1].append(person)
    return [(at, *changes[at]) for at in sorted(changes)]


def simulate_record(
    scenario: Scenario,
    seq: np.random.SeedSequence,
    replication: int = 0,
    staff: Staff | None = None,
    workload: Workload | None = None,
) -> RunRecord:
    """Run one replication and return its raw records.

    ``workload`` replays given incidents (e.g. exact timelines in tests, or an
    incident export) instead of drawing them from the scenario's classes.
    """
    return OpsModel(scenario, seq, replication, staff, workload).run()
