"""The SimPy model of an operations organisation: it runs incidents and records what happened.

The model only records raw events (see :mod:`sim.model.records`); it never prints,
reads files or computes metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import simpy
from simpy.events import URGENT

from sim.model import activities
from sim.model.arrivals import Workload, draw_stream_items, draw_workload, recurring_delays
from sim.model.attendance import Attendance
from sim.model.dispatch import AWAY, HANDOFF, PREEMPTED, Dispatcher, Job
from sim.model.fatigue import Alertness
from sim.model.leave import draw_absences
from sim.model.pager import Pager, Rota
from sim.model.randomness import PerItem, PerPerson, Uniform01, stream
from sim.model.records import (
    AbsenceKind,
    ActivityLog,
    FatigueLog,
    IncidentLog,
    PageLog,
    PersonState,
    RunRecord,
    StreamLog,
    WorkKind,
    WorkLog,
)
from sim.model.roster import Change, effective_shifts, roster_changes
from sim.model.staff import Staff, build_staff
from sim.model.turnover import Turnover
from sim.scenario.schema import Scenario


class OpsModel(Attendance):
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
        self.deployments = load.deployments
        self.work = WorkLog()
        self.leave_untaken = [0] * len(self.staff.people)  # set by _draw_absences
        self.absences = self._draw_absences(seq)
        self.shifts = [
            effective_shifts(p.shifts, a)
            for p, a in zip(self.staff.people, self.absences, strict=True)
        ]
        self.fatigue_log = FatigueLog()
        self.alertness = self._alertness(seq) if scenario.fatigue.enabled else None
        self.activities = ActivityLog()
        self.occasions = self._lay_out_activities(seq)
        items = draw_stream_items(scenario, seq)
        self.stream_log = StreamLog.empty(items.stream.tolist(), items.started.tolist())
        self.stream_effort = items.effort.tolist()
        rules = scenario.work_rules
        ladder = self.staff.precedence
        self.duties = [_Duty(WorkKind.INCIDENT, c.rank, c.pages) for c in self.staff.classes]
        self.postmortem_duty = _Duty(WorkKind.POSTMORTEM, ladder.postmortem(), pages=False)
        own = _OwnDraws(load, scenario, seq)  # each incident's own delays
        self.handoff_delay, self.engagement_effort = own.handoff, own.engagement
        self.team_acks: list[tuple[int, str, float]] = []  # (incident, team, first pick-up)
        self._teams_on: dict[int, set[str]] = {}
        self.desk = Dispatcher(
            self.env,
            self.staff.person_role,
            self.staff.pools,
            len(self.staff.role_ids),
            len(ladder),
            preemptive=rules.preemptive,
            handoff=rules.shift_end == "handoff",
            ack_delay=own.acknowledgement,
            page_delay=self._delays(own.paging),
            work=self.work,
        )
        if scenario.budget.surge is not None:  # what the contingency line buys
            self.desk.surge_backlog = scenario.budget.surge.backlog
            self.desk.surge_calls = scenario.budget.surge_calls(scenario.calendar.days / 365.0)
        self.pages = PageLog()
        self.rota = Rota(scenario, self.staff.people) if scenario.oncall.rotations else None
        if self.rota is not None:
            self.desk.pager = self._pager(own.paging)
        self.turnover = Turnover(self, seq) if scenario.attrition.enabled else None
        if self.alertness is not None:
            self.desk.after_callout = self.alertness.rested
            if self.rota is not None:
                self.desk.pager.after_page = self.alertness.rested

    def run(self) -> RunRecord:
        """Simulate the horizon and return the raw records."""
        self.env.process(self._roster())
        self.env.process(self._arrivals())
        if self.stream_effort:
            self.env.process(self._stream_arrivals())
        if self.turnover is not None:
            self.env.process(self.turnover.process())
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
            absences=self.absences,
            activities=self.activities,
            streams=self.stream_log,
            pages=self.pages,
            oncall=self._turns(),
            fatigue=self.fatigue_log,
            team_acks=self.team_acks,
            leave_untaken=self.leave_untaken,
            deployments=list(self.deployments),
            surges=list(self.desk.surged),
            sleep_lost=self.alertness.sleep_lost() if self.alertness is not None else [],
        )

    def _alertness(self, seq) -> Alertness:
        names = [p.name for p in self.staff.people]
        rules = self.scenario.fatigue
        wake = PerPerson(rules.wake_delay, seq, names, "fatigue", "wake")
        redo = PerPerson(Uniform01, seq, names, "fatigue", "redo")
        people, shifts = self.staff.people, self.shifts
        return Alertness(self.scenario, people, shifts, wake, self.fatigue_log, redo)

    def _delays(self, draw):
        """Page-to-acknowledgement delays: ``draw(incident)``, then (fatigue) woken and slowed."""
        if self.alertness is None:
            return lambda item, person, at: draw(item)
        return lambda item, person, at: self.alertness.page_delay(person, at, draw(item))

    def _pager(self, paging) -> Pager:
        ladder, desk = self.staff.precedence, self.desk
        rank_priority = {ladder.incident(i): p.id for i, p in enumerate(self.scenario.priorities)}
        return Pager(
            self.rota,
            rank_priority,
            self._delays(paging),
            self.pages,
            pageable=desk.pageable,
            absent=lambda p: desk.state[p] is PersonState.ABSENT,
            role_of=lambda p: desk.person_role[p],
        )

    def _turns(self) -> list[tuple[float, float, int, int]]:
        """Everyone's scheduled on-call turns (start, end, person, layer)."""
        if self.rota is None:
            return []
        rota = self.rota
        return [
            (start, end, person, rota.layer[r])
            for r in range(len(rota.turns))
            for start, end, person in rota.duty(r)
        ]

    # -- set-up ----------------------------------------------------------------------------

    def _draw_absences(self, seq) -> list[list[tuple]]:
        """Leave and sickness per person, after the time before they join."""
        rules, people = self.scenario.absence, self.staff.people
        if rules.sick_days_per_year > 0 or any(rules.annual_leave_days.values()):
            drawn, self.leave_untaken = draw_absences(self.scenario, people, seq)
        else:
            drawn = [[] for _ in people]
        return [_after_joining(p.joins, spans) for p, spans in zip(people, drawn, strict=True)]

    def _lay_out_activities(self, seq) -> list[activities.Occasion]:
        """Every planned operation and training session due in the horizon, in time order."""
        scenario, training = self.scenario, self.scenario.training
        joiners = any(q < float("inf") for q in self.staff.qualifies_at)
        if not (scenario.planned or training.scheduled or joiners):
            return []
        layout = activities.Layout(scenario, self.staff.people, self.shifts)
        found = activities.training_occasions(layout, training, seq) if training.scheduled else []
        if joiners:
            found += activities.initial_training_occasions(layout, training.initial)
        for k, op in enumerate(scenario.planned):
            rng = stream(seq, "planned", op.id)
            found += activities.planned_occasions(layout, op, k, rng)
        return sorted(found, key=lambda o: o.due)

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
        joining = _Duty(duty.kind, duty.rank, duty.pages, joins=True)
        for pool in plan.engage_pools:  # the other engaged teams join at once
            self.env.process(self._engage(i, pool, joining))
        job = yield from self._work(i, plan.triage_pool, self.load.triage[i], None, duty)
        for step in range(self.load.steps[i]):
            self.log.tiers_reached[i] = step + 1
            effort = self.load.effort[i][step]
            job = yield from self._work(i, plan.step_pools[step], effort, job, duty)
        self.desk.finish(job)
        self.log.restored[i] = self.env.now
        if self.load.postmortem[i] > 0:
            self.env.process(self._postmortem(i, plan.step_pools[self.load.steps[i] - 1]))

    def _engage(self, i: int, pool: int, duty: _Duty):
        """An engaged team's responder joins the incident (on shift or paged) and helps."""
        job = yield from self._work(i, pool, self.engagement_effort(i), None, duty)
        self.desk.finish(job)

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
        off_shift = self.desk.state[job.person] is not PersonState.ON_SHIFT
        if job.callout and off_shift and self.alertness is not None and left > 0:
            left = self.alertness.slowed(job.person, self.env.now, left)  # tired at night
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
            if why is HANDOFF:
                left += self.handoff_delay(i)
            if duty.on_clock and why is not AWAY:
                counter = self.log.handoffs if why is HANDOFF else self.log.preemptions
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
                    duty.kind, i, pool, duty.rank, duty.pages, self.env.active_process, seq
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
                self._picked_up(i, job, duty.joins)
            elif (
                duty.kind is WorkKind.STREAM
                and self.stream_log.picked_up[i] != self.stream_log.picked_up[i]
            ):
                self.stream_log.picked_up[i] = self.env.now
            return job

    def _picked_up(self, i: int, job: Job, joins: bool = False) -> None:
        if job.callout:
            self.log.pages[i] += 1
        if not joins and self.log.acknowledged[i] != self.log.acknowledged[i]:  # nan: first
            self.log.acknowledged[i] = self.env.now
        if job.person not in self.log.responders[i]:
            self.log.responders[i].append(job.person)
        team = self.staff.people[job.person].team
        teams = self._teams_on.setdefault(i, set())
        if team not in teams:
            teams.add(team)
            self.team_acks.append((i, team, self.env.now))

    def _roster(self):
        """Each minute anything changes, before arrivals: people come on, go off, away and
        back; then activities fall due (so they compete with queued work for people who
        just came on); then people take work, hand it over, or are paged."""
        env, staff, desk = self.env, self.staff, self.desk
        changes = roster_changes(
            self.shifts, self.absences, self.scenario.horizon_minutes, staff.qualifies_at
        )
        handovers = self._handovers()
        for at, c, due in _by_minute(changes, self.occasions, handovers):
            if at > env.now:
                yield _urgent_timeout(env, at - env.now)
            if self.turnover is not None:
                c = self._without_empty_seats(c, at)
            qualifying = [(p, staff.qualified_role[p]) for p in c.qualifying]
            desk.change_states(c.starting, c.ending, c.going_away, c.coming_back, qualifying)
            for occasion in due:
                self._fall_due(occasion)
            desk.settle(c.starting, c.ending, c.coming_back, qualifying)
            if at in handovers:
                desk.repage()  # work that found nobody on call asks the new one

    def _without_empty_seats(self, c: Change, at: float) -> Change:
        """The roster's changes, leaving out the seats empty now (the hire brings them in)."""

        def keep(people):
            return [p for p in people if not self.turnover.vacant(p, at)]

        return Change(
            keep(c.starting),
            keep(c.ending),
            keep(c.going_away),
            keep(c.coming_back),
            # a joiner's own qualifying date is not their replacement's
            [p for p in keep(c.qualifying) if self.turnover.hires[p] == 0],
        )

    def _handovers(self) -> set[float]:
        if self.rota is None:
            return set()
        turns = {start for turns in self.rota.turns for start, _, _ in turns[1:]}
        return turns | self.rota.openings()

    def _stream_arrivals(self):
        env = self.env
        for j, at in enumerate(self.stream_log.arrived):
            yield env.timeout(at - env.now)
            env.process(self._stream_item(j))

    def _stream_item(self, j: int):
        """A stream item waits for someone in its pool, is worked, and is done."""
        pool, rank = self.staff.streams[self.stream_log.stream[j]]
        duty = _Duty(WorkKind.STREAM, rank, pages=False)
        job = yield from self._work(j, pool, self.stream_effort[j], None, duty)
        self.desk.finish(job)
        self.stream_log.done[j] = self.env.now


@dataclass(frozen=True)
class _Duty:
    """How a piece of an incident's work competes: its kind, precedence rank, and whether
    it pages. Only incident response is on the incident's clock (post-mortems are not)."""

    kind: WorkKind
    rank: int
    pages: bool
    joins: bool = False  # an engaged team joining: not the incident's acknowledgement

    @property
    def on_clock(self) -> bool:
        return self.kind is WorkKind.INCIDENT


class _OwnDraws:
    """Each incident's own draws of the delays that can recur in its lifecycle.

    An incident's ``k``-th acknowledgement, page, hand-off or engaged team takes
    its row's ``k``-th draw, whatever else is happening: the basis of common
    random numbers between scenarios.
    """

    def __init__(self, load: Workload, scenario: Scenario, seq):
        for name, dist in recurring_delays(scenario).items():
            more = partial(_more, seq, name, load)
            setattr(self, name, PerItem(dist, load.delays.get(name), more))


def _more(seq, name: str, load: Workload, item: int):
    """The stream of an incident's draws past its pre-drawn ones."""
    return stream(seq, name, *load.origin_of(item), "more")


def _by_minute(changes, occasions, handovers=()):
    """``(minute, roster change, occasions due)`` for every minute with any of them, in order."""
    empty = Change()
    due: dict[float, list] = {}
    for occasion in occasions:
        due.setdefault(occasion.due, []).append(occasion)
    merged = dict(changes)
    for at in sorted(merged.keys() | due.keys() | set(handovers)):
        yield at, merged.get(at, empty), due.get(at, ())


def _after_joining(joins: float, spans: list[tuple]) -> list[tuple]:
    """Absences of someone who joins at ``joins``: away until then, the rest after it."""
    if joins <= 0:
        return spans
    later = [(max(a, joins), b, k) for a, b, k in spans if b > joins]
    return [(0.0, joins, AbsenceKind.JOINING), *later]


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
