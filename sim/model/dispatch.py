"""Dispatch: who picks up which piece of work, and when.

The dispatcher keeps each person's :class:`~sim.model.records.PersonState` and,
per role, the free people on shift, the idle people off shift and the on-shift
people busy at each precedence rank; per task pool, a priority queue of waiting
work; per person, a queue of work only they can do (planned operations,
training). Every operation touches only the roles of one pool or the pools of
one role, never the whole staff, so it stays fast for organisations of hundreds.

A *job* is one person's hold on one piece of work of some
:class:`~sim.model.records.WorkKind`. A process requests a job, waits until it is
granted, acknowledges after the job's delay, works, and finishes it. The
dispatcher may end a job early with a SimPy interrupt whose cause is
``(why, minutes_left, next_job)``, ``why`` an :class:`Interruption`: pre-emption
by more urgent work or the person going away (``next_job`` is None: ask
again), or a hand-off at shift end to a free colleague (``next_job`` is already
granted to them). A granted job can be pre-empted from the moment it is
granted, even during its acknowledgement delay. Roster changes at one minute
are applied as a batch, so nobody hands work to a colleague who leaves at the
same minute. Work segments are split at shift boundaries so time is accounted
as shift, overtime or call-out work.

Personal work (a job for one named person) never pages and is never handed
over: at shift end it is finished in overtime. When it becomes due it displaces
less urgent work that is not incident response, but it waits for incident work
in hand to finish, whatever their ranks.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import count

import simpy

from sim.model.job import (  # noqa: F401  (re-exported for the model and tests)
    ACKNOWLEDGED,
    AWAY,
    FINISHING,
    HANDOFF,
    PARKED,
    PREEMPTED,
    Interruption,
    Job,
)
from sim.model.records import PersonState, WorkKind, WorkLog, WorkMode
from sim.model.roster_desk import RosterSide

ON_SHIFT, OFF, ABSENT = PersonState.ON_SHIFT, PersonState.OFF, PersonState.ABSENT


class Dispatcher(RosterSide):
    """Matches waiting work to qualified people; see the module docstring."""

    def __init__(
        self,
        env: simpy.Environment,
        person_role: tuple[int, ...],
        pools: tuple[tuple[int, ...], ...],
        n_roles: int,
        n_ranks: int,
        *,
        preemptive: bool,
        handoff: bool,
        ack_delay: Callable[[int], float],
        page_delay: Callable[[int, int, float], float],
        work: WorkLog,
    ):
        self.env, self.person_role, self.pools = env, list(person_role), pools
        self.role_pools = [[k for k, p in enumerate(pools) if r in p] for r in range(n_roles)]
        self.preemptive, self.handoff = preemptive, handoff
        self.ack_delay, self.page_delay, self.work = ack_delay, page_delay, work
        self.state = [OFF] * len(person_role)
        self.job_of: list[Job | None] = [None] * len(person_role)
        self.free = [{} for _ in range(n_roles)]  # insertion-ordered sets: longest idle first
        self.idle_off = [{} for _ in range(n_roles)]
        self.on_count = [0] * n_roles
        self.busy = [[{} for _ in range(n_ranks)] for _ in range(n_roles)]  # on shift, by rank
        self.paging_queue: list[list[Job]] = [[] for _ in pools]
        self.quiet_queue: list[list[Job]] = [[] for _ in pools]  # work that never pages
        self.personal: list[list[Job]] = [[] for _ in person_role]  # work for one person
        self.preempted: list[tuple[float, int, float]] = []  # (when, person, minutes displaced)
        self.pager = None  # a sim.model.pager.Pager when the scenario has rotations
        self.after_callout = None  # called (person, now) when work someone was paged for ends
        self.surge_backlog, self.surge_calls = 0, 0  # set by the model with a surge budget
        self.surged: list[tuple[float, int]] = []  # (when, person called in)
        self._seq = count()
        for p, r in enumerate(person_role):
            self.idle_off[r][p] = None

    # -- work side -------------------------------------------------------------------------

    def request(
        self,
        kind: WorkKind,
        item: int,
        pool: int,
        rank: int,
        pages: bool,
        process,
        seq: int | None = None,
    ) -> Job:
        """Ask for someone in ``pool``; the job is granted now or its ``granted`` event fires.

        ``seq`` keeps the queue position of work asked for before (pre-empted work
        goes back ahead of same-priority work that arrived later).
        """
        job = Job(kind, item, pool, rank, self._next(seq), pages, process)
        person = self._free_in(pool)
        if person is None and self.preemptive:
            person = self._preempt_for(pool, rank)
        if person is not None:
            self._grant(job, person, callout=False)
        elif not (pages and self._on_count(pool) == 0 and self._page(job, pool)):
            queue = self.paging_queue[pool] if pages else self.quiet_queue[pool]
            self._wait(job, queue)
            if self.surge_calls and kind is WorkKind.INCIDENT:
                self._surge(pool, queue)
        return job

    def _surge(self, pool: int, queue: list[Job]) -> None:
        """An incident backlog built up (in either queue, work that pages or not): call someone
        in for the first waiting job, if the contingency money is not spent."""
        if self.surge_calls <= 0 or len(queue) <= self.surge_backlog:
            return
        first = queue[0]
        if self._page(first, pool):
            heapq.heappop(queue)
            self.surge_calls -= 1
            self.surged.append((self.env.now, first.person))

    def request_personal(
        self, person: int, kind: WorkKind, item: int, rank: int, process, seq: int | None = None
    ) -> Job:
        """Ask for ``person`` in particular (planned work, training); granted now or later.

        Granted only while they are on shift. It takes them from less urgent work
        that is not incident response; otherwise it waits in their own queue.
        """
        job = Job(kind, item, None, rank, self._next(seq), False, process, owner=person)
        if self.state[person] is ON_SHIFT:
            held = self.job_of[person]
            if held is not None and self._displaces(job, held):
                self._preempt(person)
                held = None
            if held is None:
                self._grant(job, person, callout=False)
                return job
        self._wait(job, self.personal[person])
        return job

    def cancel(self, job: Job) -> None:
        """Withdraw a request that has not been granted (e.g. planned work now too late)."""
        queue = self._queue_of(job)
        queue.remove(job)
        heapq.heapify(queue)

    def can_continue(self, job: Job, pool: int) -> bool:
        """Whether the job's person keeps the work for the task in ``pool``.

        They must be qualified for it; and under ``handoff``, someone in overtime
        passes the next task on when a qualified colleague is free on shift.
        """
        person = job.person
        if self.person_role[person] not in self.pools[pool]:
            return False
        overtime = self.state[person] is not ON_SHIFT and not job.callout
        return not (self.handoff and overtime and self._free_in(pool) is not None)

    def work_on(self, job: Job, minutes: float, pool: int | None = None) -> None:
        """Start (or continue) hands-on work: ``minutes`` left on the task (in ``pool``)."""
        job.pool, job.begun_at, job.work_left = pool, self.env.now, minutes
        if job.seg_start is None:
            job.seg_start = self.env.now
            if self.state[job.person] is ON_SHIFT:
                job.mode = WorkMode.SHIFT
            else:
                job.mode = WorkMode.CALLOUT if job.callout else WorkMode.OVERTIME

    def yield_to_urgent(self, job: Job, minutes: float) -> bool:
        """At a task boundary, give the job's person to more urgent waiting work, if any.

        Work finishing at the very minute urgent work arrives is not interrupted;
        this catches it when it moves on to its next task. Returns True when the
        job was given up (the process must ask again with its ``minutes`` of work).
        """
        person = job.person
        if not (self.preemptive and self.state[person] is ON_SHIFT):
            return False
        urgent = self._more_urgent(person, job)
        if urgent is None:
            return False
        self.preempted.append((self.env.now, person, minutes))
        self._close(job)
        self._grant(self._pop(urgent), person, callout=False)
        return True

    def remaining(self, job: Job) -> float:
        """Work left on the job's current task now (infinite before work has begun)."""
        if job.begun_at is None:
            return float("inf")
        return max(0.0, job.work_left - (self.env.now - job.begun_at))

    def finish(self, job: Job) -> None:
        """The job's person is done with this work and looks for the next."""
        person = job.person
        self._close(job)
        self._release(person)

    def close_all(self) -> None:
        """Record every open work segment up to now (the horizon)."""
        for job in self.job_of:
            if job is not None and job.seg_start is not None:
                self._segment(job)

    # -- internals -------------------------------------------------------------------------

    def _next(self, seq: int | None) -> int:
        return next(self._seq) if seq is None else seq

    def _wait(self, job: Job, queue: list[Job]) -> None:
        job.granted = self.env.event()
        heapq.heappush(queue, job)

    def _queue_of(self, job: Job) -> list[Job]:
        if job.owner is not None:
            return self.personal[job.owner]
        return self.paging_queue[job.pool] if job.pages else self.quiet_queue[job.pool]

    def _displaces(self, job: Job, held: Job) -> bool:
        """Whether newly due personal ``job`` takes its person from the work ``held``."""
        return (
            self.preemptive
            and held.kind is not WorkKind.INCIDENT
            and job.rank < held.rank
            and self.remaining(held) > FINISHING
        )

    def _page(self, job: Job, pool: int) -> bool:
        """Page someone off shift for ``job``; False when nobody can be reached now."""
        roles = self.pools[pool]
        if self.pager is not None and self.pager.covers(roles):
            found = self.pager.page(roles, job.rank, job.item, job.kind, self.env.now)
            if found is None:
                return False
            held = self.job_of[found[0]]
            if held is not None:  # they leave less urgent work for this, and stay up
                held.callout = False
                self._preempt(found[0])
            self._grant(job, found[0], callout=True, delay=found[1])
            return True
        person = self._on_call(pool)
        if person is None:
            return False
        self._grant(job, person, callout=True)
        return True

    def repage(self) -> None:
        """Page again for all work waiting to page (an on-call turn has changed hands)."""
        self._page_for(range(len(self.pools)))

    def pageable(self, person: int, rank: int) -> bool:
        """Whether a page for work at ``rank`` can take the person: off shift and present, and
        free or busy only with less urgent work (which they would leave for it)."""
        if person in self.idle_off[self.person_role[person]]:
            return True
        held = self.job_of[person]
        return (
            self.state[person] is OFF
            and held is not None
            and held.rank > rank
            and self.remaining(held) > FINISHING
        )

    def _grant(self, job: Job, person: int, callout: bool, delay: float | None = None) -> None:
        role = self.person_role[person]
        self.free[role].pop(person, None)
        self.idle_off[role].pop(person, None)
        self.job_of[person] = job
        if self.state[person] is ON_SHIFT:
            self.busy[role][job.rank][person] = None
        job.person, job.callout = person, callout
        if delay is not None:
            job.delay = delay
        elif job.kind in ACKNOWLEDGED:
            # the incident's own draws (common random numbers), not the next in event order
            item = job.item
            job.delay = (
                self.page_delay(item, person, self.env.now) if callout else self.ack_delay(item)
            )
        if job.granted is not None:
            job.granted.succeed(person)

    def _free_in(self, pool: int) -> int | None:
        return self._first_in(self.free, pool)

    def _on_call(self, pool: int) -> int | None:
        """Who is paged, without rotations covering the work, when nobody in ``pool`` is on
        shift: the longest-idle qualified person. Absent people are in no list, so they
        are never paged (rotations: :mod:`sim.model.pager`).
        """
        return self._first_in(self.idle_off, pool)

    def _first_in(self, people_by_role: list[dict], pool: int) -> int | None:
        """The longest-waiting person of the pool's most preferred role that has one."""
        for role in self.pools[pool]:
            if people_by_role[role]:
                return next(iter(people_by_role[role]))
        return None

    def _on_count(self, pool: int) -> int:
        return sum(self.on_count[r] for r in self.pools[pool])

    def _preempt_for(self, pool: int, rank: int) -> int | None:
        for victim_rank in range(len(self.busy[0]) - 1, rank, -1):
            for role in self.pools[pool]:
                for person in reversed(self.busy[role][victim_rank]):  # latest start loses least
                    if self.remaining(self.job_of[person]) > FINISHING:
                        self._preempt(person)
                        return person
        return None

    def _preempt(self, person: int) -> None:
        job = self.job_of[person]
        if job.begun_at is not None:
            self.preempted.append((self.env.now, person, self.remaining(job)))
        self._interrupt(job, PREEMPTED, None)

    def _interrupt(self, job: Job, why: Interruption, handed: Job | None) -> None:
        left = self.remaining(job)
        self._close(job)
        job.process.interrupt((why, left, handed))

    def _close(self, job: Job) -> None:
        person = job.person
        if job.callout and self.after_callout is not None:
            self.after_callout(person, self.env.now)
        if job.seg_start is not None:
            self._segment(job)
        self.busy[self.person_role[person]][job.rank].pop(person, None)
        self.job_of[person] = None

    def _segment(self, job: Job) -> None:
        now = self.env.now
        self.work.add(job.person, job.kind, job.item, job.seg_start, now, job.rank, job.mode)
        job.seg_start = now

    def _release(self, person: int) -> None:
        role = self.person_role[person]
        if self.state[person] is ABSENT:
            return  # work that was finishing as the absence began: nothing more
        if self.state[person] is not ON_SHIFT:
            self.idle_off[role][person] = None
            self._page_for(self.role_pools[role])
            return
        best = self._best_waiting(self.role_pools[role], person)
        if best is None:
            self.free[role][person] = None
        else:
            self._grant(self._pop(best), person, callout=False)

    def _more_urgent(self, person: int, job: Job) -> tuple[Job, list[Job]] | None:
        """Waiting work the person could take that is more urgent than ``job``.

        Personal work waits for incident work in hand, so it is left out then.
        """
        pools = self.role_pools[self.person_role[person]]
        mine = job.kind is not WorkKind.INCIDENT
        urgent = self._best_waiting(pools, person if mine else None)
        if urgent is None or urgent[0].rank >= job.rank:
            return None
        return urgent

    def _best_waiting(self, pools, person: int | None) -> tuple[Job, list[Job]] | None:
        """The most urgent job waiting in ``pools`` or (unless None) for ``person``."""
        mine = self.personal[person] if person is not None else None
        best = (mine[0], mine) if mine else None
        for k in pools:
            for queue in (self.paging_queue[k], self.quiet_queue[k]):
                if queue and (best is None or queue[0] < best[0]):
                    best = (queue[0], queue)
        return best

    @staticmethod
    def _pop(best: tuple[Job, list[Job]]) -> Job:
        return heapq.heappop(best[1])

    def _page_for(self, pools) -> None:
        for k in pools:
            queue = self.paging_queue[k]
            while queue and self._on_count(k) == 0:
                if not self._page(queue[0], k):
                    break
                heapq.heappop(queue)
