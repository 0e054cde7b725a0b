"""A job: one person's hold on one piece of work, and why the dispatcher may end it early."""

from __future__ import annotations

from enum import Enum

from sim.model.records import WorkKind, WorkMode

FINISHING = 1e-9
"""Work with this little left is finishing now: it is never pre-empted or handed over."""


class Interruption(Enum):
    """Why the dispatcher took a job away from its person."""

    PREEMPTED = "preempted"  # more urgent work needs the person: ask again
    HANDOFF = "handoff"  # shift end: a colleague already holds the next job
    AWAY = "away"  # the person's absence began: ask again
    PARKED = "parked"  # shift end: a stream item goes back to the queue for the next shift


PREEMPTED, HANDOFF, AWAY = Interruption.PREEMPTED, Interruption.HANDOFF, Interruption.AWAY
PARKED = Interruption.PARKED
ACKNOWLEDGED = (WorkKind.INCIDENT, WorkKind.POSTMORTEM)
"""Work picked up after an acknowledgement (or page) delay; other work starts at once."""


class Job:
    """One person's hold on one piece of work."""

    __slots__ = (
        "begun_at",
        "callout",
        "delay",
        "granted",
        "item",
        "kind",
        "mode",
        "owner",
        "pages",
        "person",
        "pool",
        "process",
        "rank",
        "seg_start",
        "seq",
        "work_left",
    )

    def __init__(self, kind, item, pool, rank, seq, pages, process, owner=None):
        self.kind, self.item, self.pool, self.rank, self.seq = kind, item, pool, rank, seq
        self.pages, self.process, self.owner = pages, process, owner
        self.person = self.granted = self.begun_at = self.seg_start = None
        self.delay, self.callout, self.work_left, self.mode = 0.0, False, 0.0, WorkMode.SHIFT

    def __lt__(self, other: Job) -> bool:
        return (self.rank, self.seq) < (other.rank, other.seq)

    def again(self) -> Job:
        """A fresh request for the same work, keeping its place in the queue."""
        return Job(
            self.kind,
            self.item,
            self.pool,
            self.rank,
            self.seq,
            self.pages,
            self.process,
            self.owner,
        )
