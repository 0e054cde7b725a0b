"""The SimPy model of an operations organisation: it runs incidents and records what happened.

The model only records raw events (see :mod:`sim.records`); it never prints,
reads files or computes metrics.
"""

from __future__ import annotations

import numpy as np
import simpy

from sim.arrivals import Workload, draw_workload
from sim.dispatch import HANDOFF, Dispatcher, Job
from sim.randomness import Sampler, stream
from sim.records import IncidentLog, RunRecord, WorkLog
from sim.scenario import Scenario
from sim.staff import Staff, build_staff


class OpsModel:
    """One replication of a scenario."""

    def __init__(self, scenario: Scenario, seq: np.random.SeedSequence, replication: int = 0,
                 staff: Staff | None = None, workload: Workload | None = None):
        self.scenario, self.replication = scenario, replication
        self.staff = staff or build_staff(scenario)
        self.env = simpy.Environment()
        load = workload if workload is not None else draw_workload(scenario, seq)
        self.log = IncidentLog.empty(load.cls.tolist(), load.started.tolist())
        self.load = _Columns(load)
        self.work = WorkLog()
        rules = scenario.work_rules
        self.handoff_delay = Sampler(rules.handoff_delay, stream(seq, "handoff"))
        self.desk = Dispatcher(
            self.env,
            self.staff.person_role,
            self.staff.pools,
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
            preempted_work=self.desk.preempted_work,
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
        yield from self._detect(i)
        job = yield from self._work(i, plan.triage_pool, self.load.triage[i], None)
        for step in range(self.load.steps[i]):
            self.log.tiers_reached[i] = step + 1
            job = yield from self._work(i, plan.step_pools[step], self.load.effort[i][step], job)
        self.desk.finish(job)
        self.log.restored[i] = self.env.now
        if self.load.postmortem[i] > 0:
            self.env.process(self._postmortem(i, plan.step_pools[self.load.steps[i] - 1]))

    def _detect(self, i: int):
        delay = self.load.detection[i]
        if delay > 0:
            yield self.env.timeout(delay)
        self.log.detected[i] = self.env.now

    def _work(self, i: int, pool: int, effort: float, held: Job | None):
        """Put ``effort`` minutes of work from ``pool`` into incident ``i``; returns the job."""
        if held is not None and self.desk.can_continue(held, pool):
            job = held
        else:
            if held is not None:
                self.desk.finish(held)
            job = yield from self._acquire(i, pool)
        left = effort
        while True:
            self.desk.work_on(job, left, pool)
            if left <= 0:
                return job
            try:
                yield self.env.timeout(left)
                return job
            except simpy.Interrupt as stop:
                why, left = stop.cause
                if why == HANDOFF:
                    self.log.handoffs[i] += 1
                    left += self.handoff_delay()
                else:
                    self.log.preemptions[i] += 1
                job = yield from self._acquire(i, pool)

    def _acquire(self, i: int, pool: int):
        """Wait for a qualified responder; the first one to arrive acknowledges the incident."""
        plan = self.staff.classes[self.load.cls[i]]
        job = self.desk.request(i, pool, plan.rank, plan.pages, self.env.active_process)
        if job.granted is not None:
            yield job.granted
        if job.delay > 0:
            yield self.env.timeout(job.delay)
        if job.callout:
            self.log.pages[i] += 1
        if self.log.acknowledged[i] != self.log.acknowledged[i]:  # nan: first responder
            self.log.acknowledged[i] = self.env.now
        self.log.responders[i].append(job.person)
        return job

    def _postmortem(self, i: int, pool: int):
        """Post-mortem work occupies people at the lowest priority, never pages, off the clock."""
        rank = len(self.scenario.priorities)
        left = self.load.postmortem[i]
        while left > 0:
            job = self.desk.request(i, pool, rank, False, self.env.active_process)
            if job.granted is not None:
                yield job.granted
            if job.delay > 0:
                yield self.env.timeout(job.delay)
            self.desk.work_on(job, left, pool)
            try:
                yield self.env.timeout(left)
                left = 0
                self.desk.finish(job)
            except simpy.Interrupt as stop:
                left = stop.cause[1]
        self.log.postmortem_done[i] = self.env.now

    def _roster(self):
        """Bring people on and off shift; starts before ends at the same minute."""
        env = self.env
        for at, starting, person in _shift_events(self.staff, self.scenario.horizon_minutes):
            if at > env.now:
                yield env.timeout(at - env.now)
            if starting:
                self.desk.shift_start(person)
            else:
                self.desk.shift_end(person)


class _Columns:
    """The workload as Python lists: item access is several times faster than numpy's."""

    def __init__(self, load: Workload):
        self.cls = load.cls.tolist()
        self.detection = load.detection.tolist()
        self.triage = load.triage.tolist()
        self.steps = load.steps.tolist()
        self.effort = load.effort.tolist()
        self.postmortem = load.postmortem.tolist()


def _shift_events(staff: Staff, horizon: float) -> list[tuple[float, bool, int]]:
    events = []
    for person, info in enumerate(staff.people):
        for begin, end in info.shifts:
            events.append((begin, 0, person))
            if end < horizon:
                events.append((end, 1, person))
    events.sort()
    return [(at, kind == 0, person) for at, kind, person in events]


def simulate_record(scenario: Scenario, seq: np.random.SeedSequence, replication: int = 0,
                    staff: Staff | None = None, workload: Workload | None = None) -> RunRecord:
    """Run one replication and return its raw records.

    ``workload`` replays given incidents (e.g. exact timelines in tests, or an
    incident export) instead of drawing them from the scenario's classes.
    """
    return OpsModel(scenario, seq, replication, staff, workload).run()
