"""Attendance: people taking part in planned operations and training as they fall due.

A mixin of :class:`sim.model.ops_model.OpsModel`, apart only to keep each file one
concern. An attendee asks for themselves at once when the activity falls due; a
clock-time activity can still start until it would have ended, one during the
shift until the shift ends; interrupted, it resumes later in the shift or is
dropped; each attendee's outcome is recorded.
"""

from __future__ import annotations

import bisect

import simpy

from sim.model import activities
from sim.model.job import AWAY
from sim.model.records import ActivityStatus, PersonState, WorkKind


class Attendance:
    """Planned operations and training as the model runs them (see the module docstring)."""

    def _fall_due(self, occasion: activities.Occasion) -> None:
        """The candidates now on shift attend: each asks for themselves at once."""
        state = self.desk.state
        rank, _ = self._activity_rules(occasion)
        for person in occasion.attendees(lambda p: state[p] is PersonState.ON_SHIFT):
            row = self.activities.add(
                occasion.kind, occasion.source, person, occasion.due, occasion.minutes
            )
            if occasion.minutes <= 0:  # nothing to do: done as it falls due
                self.activities.status[row] = int(ActivityStatus.DONE)
                continue
            job = self.desk.request_personal(person, occasion.kind, row, rank, None)
            job.process = self.env.process(self._attend(row, occasion, job))

    def _attend(self, row: int, occasion: activities.Occasion, job):
        """One attendee's part: wait (until it is too late), take part, maybe be interrupted.

        ``job`` is the request made when it fell due; later ones are made here.
        """
        log, person = self.activities, self.activities.person[row]
        rank, drop = self._activity_rules(occasion)
        left, latest, seq = occasion.minutes, occasion.latest, job.seq
        while left > 0:
            if job is None:
                job = self.desk.request_personal(
                    person, occasion.kind, row, rank, self.env.active_process, seq
                )
            try:
                if job.granted is not None:
                    yield job.granted | self.env.timeout(max(latest - self.env.now, 0.0))
                    if not job.granted.triggered:
                        self.desk.cancel(job)
                        break
                if log.started[row] != log.started[row]:  # nan: first start
                    log.started[row] = self.env.now
                self.desk.work_on(job, left)
                yield self.env.timeout(left)
                self.desk.finish(job)
                left = 0.0
            except simpy.Interrupt as stop:
                why, remaining, _ = stop.cause
                job = None
                if remaining == float("inf"):  # taken before it began: wait again as before
                    continue
                left = remaining
                if drop or why is AWAY:
                    break
                latest = self._shift_end(person)  # resumes later in this shift, or is dropped
        log.status[row] = _outcome(left, log.started[row])

    def _shift_end(self, person: int) -> float:
        """End of the person's (effective) shift under way now; now if they are off shift."""
        spans, now = self.shifts[person], self.env.now
        k = bisect.bisect_right(spans, (now, float("inf"))) - 1
        return spans[k][1] if k >= 0 and spans[k][0] <= now < spans[k][1] else now

    def _activity_rules(self, occasion: activities.Occasion) -> tuple[int, bool]:
        """Rank, and whether interrupted work is dropped, of an activity."""
        if occasion.kind is WorkKind.TRAINING:
            return self.staff.training_rank, self.scenario.training.on_interrupt == "drop"
        op = self.scenario.planned[occasion.source]
        return self.staff.planned_ranks[occasion.source], op.on_interrupt == "drop"


def _outcome(left: float, started: float) -> ActivityStatus:
    if left <= 0:
        return ActivityStatus.DONE
    return ActivityStatus.MISSED if started != started else ActivityStatus.DROPPED
