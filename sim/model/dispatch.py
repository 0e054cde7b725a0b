"""Dispatch: who picks up which piece of incident work, and when.

The dispatcher keeps, per role, the free people on shift, the idle people off
shift and the on-shift people busy at each priority; per task pool, a priority
queue of waiting work. Every operation touches only the roles of one pool or
the pools of one role, never the whole staff, so it stays fast for
organisations of hundreds.

A *job* is one person's hold on one piece of incident work. The incident
process requests a job, waits until it is granted, acknowledges after the
job's delay, works, and finishes it. The dispatcher may end a job early with a
SimPy interrupt whose cause is ``(why, minutes_left, next_job)``: pre-emption by
more urgent work (``next_job`` is None: ask again), or a hand-off at shift end
to a free colleague (``next_job`` is already granted to them). A granted job
can be pre-empted from the moment it is granted, even during its
acknowledgement delay. Shift changes at one minute are applied as a batch, so
nobody hands work to a colleague who leaves at the same minute. Work segments
are split at shift boundaries so time is accounted as shift, overtime or
call-out work.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import count

import simpy

from sim.model.records import CALLOUT, OVERTIME, SHIFT, WorkLog

PREEMPTED, HANDOFF = "preempted", "handoff"
FINISHING = 1e-9
"""Work with this little left is finishing now: it is never pre-empted or handed over."""


class Job:
    """One person's hold on one piece of an incident's work."""

    __slots__ = (
        "begun_at",
        "callout",
        "delay",
        "granted",
        "incident",
        "mode",
        "pages",
        "person",
        "pool",
        "process",
        "rank",
        "seg_start",
        "seq",
        "work_left",
    )

    def __init__(self, incident, pool, rank, seq, pages, process):
        self.incident, self.pool, self.rank, self.seq = incident, pool, rank, seq
        self.pages, self.process = pages, process
        self.person = self.granted = self.begun_at = self.seg_start = None
        self.delay, self.callout, self.work_left, self.mode = 0.0, False, 0.0, SHIFT

    def __lt__(self, other: Job) -> bool:
        return (self.rank, self.seq) < (other.rank, other.seq)


class Dispatcher:
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
        ack_delay: Callable[[], float],
        page_delay: Callable[[], float],
        work: WorkLog,
    ):
        self.env, self.person_role, self.pools = env, person_role, pools
        self.role_pools = [[k for k, p in enumerate(pools) if r in p] for r in range(n_roles)]
        self.preemptive, self.handoff = preemptive, handoff
        self.ack_delay, self.page_delay, self.work = ack_delay, page_delay, work
        self.on_shift = [False] * len(person_role)
        self.job_of: list[Job | None] = [None] * len(person_role)
        self.free = [{} for _ in range(n_roles)]  # insertion-ordered sets: longest idle first
        self.idle_off = [{} for _ in range(n_roles)]
        self.on_count = [0] * n_roles
        self.busy = [[{} for _ in range(n_ranks + 1)] for _ in range(n_roles)]  # on shift
        self.paging_queue: list[list[Job]] = [[] for _ in pools]
        self.quiet_queue: list[list[Job]] = [[] for _ in pools]  # work that never pages
        self.preempted: list[tuple[float, int, float]] = []  # (when, person, minutes displaced)
        self._seq = count()
        for p, r in enumerate(person_role):
            self.idle_off[r][p] = None

    # -- incident side ---------------------------------------------------------------------

    def request(
        self, incident: int, pool: int, rank: int, pages: bool, process, seq: int | None = None
    ) -> Job:
        """Ask for someone in ``pool``; the job is granted now or its ``granted`` event fires.

        ``seq`` keeps the queue position of work asked for before (pre-empted work
        goes back ahead of same-priority work that arrived later).
        """
        job = Job(incident, pool, rank, next(self._seq) if seq is None else seq, pages, process)
        person = self._free_in(pool)
        if person is None and self.preemptive:
            person = self._preempt_for(pool, rank)
        if person is not None:
            self._grant(job, person, callout=False)
        elif pages and self._on_count(pool) == 0 and (person := self._on_call(pool)) is not None:
            self._grant(job, person, callout=True)
        else:
            job.granted = self.env.event()
            heapq.heappush(self.paging_queue[pool] if pages else self.quiet_queue[pool], job)
        return job

    def can_continue(self, job: Job, pool: int) -> bool:
        """Whether the job's person keeps the work for the task in ``pool``.

        They must be qualified for it; and under ``handoff``, someone in overtime
        passes the next task on when a qualified colleague is free on shift.
        """
        person = job.person
        if self.person_role[person] not in self.pools[pool]:
            return False
        overtime = not self.on_shift[person] and not job.callout
        return not (self.handoff and overtime and self._free_in(pool) is not None)

    def work_on(self, job: Job, minutes: float, pool: int) -> None:
        """Start (or continue) hands-on work: ``minutes`` left on the task in ``pool``."""
        job.pool, job.begun_at, job.work_left = pool, self.env.now, minutes
        if job.seg_start is None:
            job.seg_start = self.env.now
            if self.on_shift[job.person]:
                job.mode = SHIFT
            else:
                job.mode = CALLOUT if job.callout else OVERTIME

    def yield_to_urgent(self, job: Job, minutes: float) -> bool:
        """At a task boundary, give the job's person to more urgent waiting work, if any.

        Work finishing at the very minute urgent work arrives is not interrupted;
        this catches it when it moves on to its next task. Returns True when the
        job was given up (the incident must ask again with its ``minutes`` of work).
        """
        person = job.person
        if not (self.preemptive and self.on_shift[person]):
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
        """The job's person is done with this incident and looks for the next work."""
        person = job.person
        self._close(job)
        self._release(person)

    def close_all(self) -> None:
        """Record every open work segment up to now (the horizon)."""
        for job in self.job_of:
            if job is not None and job.seg_start is not None:
                self._segment(job)

    # -- roster side -----------------------------------------------------------------------

    def shift_change(self, starting: list[int], ending: list[int]) -> None:
        """Apply every shift start and end of one minute together.

        Newcomers come on and leavers go off first. Then free newcomers take
        waiting work, most urgent first; newcomers busy with overtime or a
        call-out give way to more urgent waiting work; each leaver's work in hand
        goes to a colleague who is still free (``handoff``) or is finished in
        overtime; and pools left with nobody on shift page for their work.
        """
        for person in starting:
            self._come_on(person)
        for person in ending:
            self._go_off(person)
        for person in starting:
            self._take_waiting(person)
        for person in starting:
            self._give_way(person)
        for person in ending:
            self._leave_work(person)
        pools = {k for p in ending for k in self.role_pools[self.person_role[p]]}
        self._page_for(sorted(pools))

    def _come_on(self, person: int) -> None:
        role = self.person_role[person]
        self.on_shift[person] = True
        self.on_count[role] += 1
        job = self.job_of[person]
        if job is None:
            del self.idle_off[role][person]
            self.free[role][person] = None
            return
        if job.seg_start is not None:
            self._segment(job)
            job.mode = SHIFT
        self.busy[role][job.rank][person] = None

    def _go_off(self, person: int) -> None:
        role = self.person_role[person]
        self.on_shift[person] = False
        self.on_count[role] -= 1
        job = self.job_of[person]
        if job is None:
            del self.free[role][person]
            self.idle_off[role][person] = None
        else:
            self.busy[role][job.rank].pop(person, None)

    def _take_waiting(self, person: int) -> None:
        role = self.person_role[person]
        if self.job_of[person] is None and person in self.free[role]:
            del self.free[role][person]
            self._release(person)

    def _leave_work(self, person: int) -> None:
        """Hand the leaver's work to a free colleague, or keep it in overtime.

        Work not yet started (the leaver is still acknowledging) moves without a
        hand-off delay; the incident process picks the new job up from the
        interrupt. Free colleagues have no waiting work they could take (they
        would have taken it), so a hand-off never collides with queued work.
        """
        job = self.job_of[person]
        if job is None or self.on_shift[person]:
            return
        receiver = self._free_in(job.pool) if self.handoff else None
        if receiver is not None and self.remaining(job) > FINISHING:
            handed = Job(job.incident, job.pool, job.rank, job.seq, job.pages, job.process)
            self._interrupt(job, HANDOFF, handed)
            self._grant(handed, receiver, callout=False)
            self.idle_off[self.person_role[person]][person] = None
        elif job.seg_start is not None:
            self._segment(job)
            job.mode = OVERTIME

    def _give_way(self, person: int) -> None:
        job = self.job_of[person]
        if job is None or not self.preemptive:
            return
        urgent = self._more_urgent(person, job)
        if urgent is not None and self.remaining(job) > FINISHING:
            self._preempt(person)
            self._grant(self._pop(urgent), person, callout=False)

    # -- internals -------------------------------------------------------------------------

    def _grant(self, job: Job, person: int, callout: bool) -> None:
        role = self.person_role[person]
        self.free[role].pop(person, None)
        self.idle_off[role].pop(person, None)
        self.job_of[person] = job
        if self.on_shift[person]:
            self.busy[role][job.rank][person] = None
        job.person, job.callout = person, callout
        job.delay = self.page_delay() if callout else self.ack_delay()
        if job.granted is not None:
            job.granted.succeed(person)

    def _free_in(self, pool: int) -> int | None:
        return self._first_in(self.free, pool)

    def _on_call(self, pool: int) -> int | None:
        """Who is paged when nobody in ``pool`` is on shift: the longest-idle qualified person.

        This is the seam for on-call rotations (primary, secondary, escalation).
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

    def _interrupt(self, job: Job, why: str, handed: Job | None) -> None:
        left = self.remaining(job)
        self._close(job)
        job.process.interrupt((why, left, handed))

    def _close(self, job: Job) -> None:
        person = job.person
        if job.seg_start is not None:
            self._segment(job)
        self.busy[self.person_role[person]][job.rank].pop(person, None)
        self.job_of[person] = None

    def _segment(self, job: Job) -> None:
        now = self.env.now
        self.work.add(job.person, job.incident, job.seg_start, now, job.rank, job.mode)
        job.seg_start = now

    def _release(self, person: int) -> None:
        role = self.person_role[person]
        if not self.on_shift[person]:
            self.idle_off[role][person] = None
            self._page_for(self.role_pools[role])
            return
        best = self._best_waiting(self.role_pools[role])
        if best is None:
            self.free[role][person] = None
        else:
            self._grant(self._pop(best), person, callout=False)

    def _more_urgent(self, person: int, job: Job) -> tuple[Job, list[Job]] | None:
        """Waiting work the person could take that is more urgent than ``job``."""
        urgent = self._best_waiting(self.role_pools[self.person_role[person]])
        return urgent if urgent is not None and urgent[0].rank < job.rank else None

    def _best_waiting(self, pools) -> tuple[Job, list[Job]] | None:
        best = None
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
                person = self._on_call(k)
                if person is None:
                    break
                self._grant(heapq.heappop(queue), person, callout=True)
