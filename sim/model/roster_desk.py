"""The roster side of the dispatcher: people coming on and off shift, going away and
coming back, trainees taking their own role, and what happens to their work then.

A mixin of :class:`sim.model.dispatch.Dispatcher`, apart only to keep each file one
concern; it reads and changes the dispatcher's state.
"""

from __future__ import annotations

from sim.model.job import AWAY, FINISHING, HANDOFF, PARKED
from sim.model.records import TRANSITIONS, PersonState, WorkKind, WorkMode

ON_SHIFT, OFF, ABSENT = PersonState.ON_SHIFT, PersonState.OFF, PersonState.ABSENT


class RosterSide:
    """Roster changes applied to the dispatcher's state (see the module docstring)."""

    def roster_change(
        self,
        starting: list[int],
        ending: list[int],
        going_away: list[int] = (),
        coming_back: list[int] = (),
        qualifying: list[tuple[int, int]] = (),
    ) -> None:
        """Apply every shift start and end, and absence start and end, of one minute together.

        People coming back from absence and newcomers come on, leavers go off,
        and people whose absence begins go away (their work in hand is asked for
        again). Then free newcomers take waiting work, most urgent first;
        newcomers busy with overtime or a call-out give way to more urgent
        waiting work; each leaver's work in hand goes to a colleague who is still
        free (``handoff``) or is finished in overtime; and pools left with nobody
        on shift page for their work. ``qualifying`` pairs (person, role): trainees
        who take their own role first of all.

        It is :meth:`change_states` then :meth:`settle`; between the two, work that
        falls due for named people at this minute can be requested (see the model).
        """
        self.change_states(starting, ending, going_away, coming_back, qualifying)
        self.settle(starting, ending, coming_back, qualifying)

    def change_states(self, starting, ending, going_away=(), coming_back=(), qualifying=()):
        """The state changes of one minute, before anyone takes new work."""
        for person, role in qualifying:
            self._qualify(person, role)
        for person in coming_back:
            self._move(person, "come_back")
        for person in starting:
            self._come_on(person)
        for person in ending:
            self._go_off(person)
        for person in going_away:
            self._go_away(person)

    def settle(self, starting, ending, coming_back=(), qualifying=()) -> None:
        """After the state changes of one minute: who takes, gives way, hands over, is paged."""
        taking = [*starting, *(p for p, _ in qualifying if p not in set(starting))]
        for person in taking:
            self._take_waiting(person)
        for person in starting:
            self._give_way(person)
        for person in ending:
            self._leave_work(person)
        changed = [*ending, *coming_back, *(p for p, _ in qualifying)]
        pools = {k for p in changed for k in self.role_pools[self.person_role[p]]}
        self._page_for(sorted(pools))

    def _move(self, person: int, transition: str) -> None:
        """Change a person's state by a named transition; an impossible one is a bug."""
        before, after = TRANSITIONS[transition]
        if self.state[person] is not before:
            raise RuntimeError(
                f"person {person}: cannot {transition} while {self.state[person].name}"
            )
        self.state[person] = after
        role = self.person_role[person]
        if before is ABSENT and self.job_of[person] is None:
            self.idle_off[role][person] = None
        elif after is ABSENT:
            self.idle_off[role].pop(person, None)

    def _qualify(self, person: int, role: int) -> None:
        """A trainee takes their own role: same state and work, wider pools."""
        old = self.person_role[person]
        self.person_role[person] = role
        for by_role in (self.free, self.idle_off):
            if person in by_role[old]:
                del by_role[old][person]
                by_role[role][person] = None
        job = self.job_of[person]
        if job is not None and person in self.busy[old][job.rank]:
            del self.busy[old][job.rank][person]
            self.busy[role][job.rank][person] = None
        if self.state[person] is ON_SHIFT:
            self.on_count[old] -= 1
            self.on_count[role] += 1

    def _come_on(self, person: int) -> None:
        self._move(person, "come_on")
        role = self.person_role[person]
        self.on_count[role] += 1
        job = self.job_of[person]
        if job is None:
            del self.idle_off[role][person]
            self.free[role][person] = None
            return
        if job.seg_start is not None:
            self._segment(job)
            job.mode = WorkMode.SHIFT
        self.busy[role][job.rank][person] = None

    def _go_off(self, person: int) -> None:
        self._move(person, "go_off")
        role = self.person_role[person]
        self.on_count[role] -= 1
        job = self.job_of[person]
        if job is None:
            del self.free[role][person]
            self.idle_off[role][person] = None
        else:
            self.busy[role][job.rank].pop(person, None)

    def _go_away(self, person: int) -> None:
        """Absence begins: work in hand (overtime, a call-out) is asked for again, unless
        it is finishing at this very minute."""
        job = self.job_of[person]
        if job is not None and self.remaining(job) > FINISHING:
            self._interrupt(job, AWAY, None)
        self._move(person, "go_away")

    def _take_waiting(self, person: int) -> None:
        role = self.person_role[person]
        if self.job_of[person] is None and person in self.free[role]:
            del self.free[role][person]
            self._release(person)

    def _leave_work(self, person: int) -> None:
        """Hand the leaver's work to a free colleague, or keep it in overtime.

        Work not yet started (the leaver is still acknowledging) moves without a
        hand-off delay; the process picks the new job up from the interrupt.
        Free colleagues have no waiting work they could take (they would have
        taken it), so a hand-off never collides with queued work. Personal work
        is never handed over. A stream item is parked: it goes back to the queue
        with the work left, for whoever picks it up next.
        """
        job = self.job_of[person]
        if job is None or self.state[person] is ON_SHIFT:
            return
        if job.kind is WorkKind.STREAM and self.remaining(job) > FINISHING:
            self._interrupt(job, PARKED, None)  # nobody stays late for a ticket
            self.idle_off[self.person_role[person]][person] = None
            return
        receiver = None
        if self.handoff and job.owner is None:
            receiver = self._free_in(job.pool)
        if receiver is not None and self.remaining(job) > FINISHING:
            handed = job.again()
            self._interrupt(job, HANDOFF, handed)
            self._grant(handed, receiver, callout=False)
            self.idle_off[self.person_role[person]][person] = None
        elif job.seg_start is not None:
            self._segment(job)
            job.mode = WorkMode.OVERTIME

    def _give_way(self, person: int) -> None:
        job = self.job_of[person]
        if job is None or not self.preemptive:
            return
        urgent = self._more_urgent(person, job)
        if urgent is not None and self.remaining(job) > FINISHING:
            self._preempt(person)
            self._grant(self._pop(urgent), person, callout=False)
