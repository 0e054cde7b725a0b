"""Raw records of one simulated run: what happened and when, nothing derived.

The model appends to these plain containers; metric functions read them. They
hold only numbers and ids (no pandas, no SimPy) so a run can be shipped between
processes and stored cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

NOT_YET = float("nan")
"""Timestamp of a lifecycle event that had not happened by the horizon."""


class WorkKind(IntEnum):
    """What a piece of work is. Stored as small integers in the logs, read by name."""

    INCIDENT = 0  # detection-to-restore response: triage and resolution steps
    POSTMORTEM = 1  # follow-up after restore, off the incident's clock
    PLANNED = 2  # a recurring planned operation (stand-up, review, DR test...)
    STREAM = 3  # an item of a non-incident work stream (tickets, alerts, changes)
    TRAINING = 4  # training, certification, conferences

    @property
    def label(self) -> str:
        """Lower-case name used in tables and metric groups (``postmortem``)."""
        return self.name.lower()


class WorkMode(IntEnum):
    """When a work segment happened relative to the person's schedule."""

    SHIFT = 0  # during a scheduled shift
    OVERTIME = 1  # past the end of a shift, finishing work in hand
    CALLOUT = 2  # paged while off shift

    @property
    def label(self) -> str:
        """Lower-case name (``overtime``)."""
        return self.name.lower()


class PersonState(IntEnum):
    """A person's availability; exactly one at any moment.

    Transitions (named in :data:`TRANSITIONS`): ``come_on`` OFF -> ON_SHIFT, ``go_off``
    ON_SHIFT -> OFF, ``go_away`` OFF -> ABSENT, ``come_back`` ABSENT -> OFF. Someone
    whose absence begins during a shift goes off first; someone whose absence ends
    during a shift comes back, then on.
    """

    OFF = 0  # not scheduled; may be paged
    ON_SHIFT = 1  # scheduled and present
    ABSENT = 2  # on leave or sick: on no shift, never paged


TRANSITIONS: dict[str, tuple[PersonState, PersonState]] = {
    "come_on": (PersonState.OFF, PersonState.ON_SHIFT),
    "go_off": (PersonState.ON_SHIFT, PersonState.OFF),
    "go_away": (PersonState.OFF, PersonState.ABSENT),
    "come_back": (PersonState.ABSENT, PersonState.OFF),
}
"""Every allowed change of :class:`PersonState`, by name: ``(from, to)``."""


class AbsenceKind(IntEnum):
    """Why a person is absent."""

    LEAVE = 0  # annual leave, planned in blocks
    SICK = 1  # sick leave, unplanned
    JOINING = 2  # before the person's start date
    VACANT = 3  # the person left; their seat is empty until someone is hired

    @property
    def label(self) -> str:
        """Lower-case name (``sick``)."""
        return self.name.lower()


@dataclass
class PersonInfo:
    """Who a person is, and when they are scheduled (model minutes)."""

    name: str
    role: str
    team: str
    site: str
    employment: str
    hourly_cost: float
    shifts: list[tuple[float, float]]
    shift: str = ""  # the shift pattern's id ("" when built by hand)
    joins: float = 0.0  # model minute the person joins (0: there from the start)


@dataclass
class IncidentLog:
    """One row per incident, in arrival order; times in model minutes (nan = not yet).

    The model fills plain lists (fast to update one item at a time);
    :meth:`as_arrays` gives the numpy view the metrics use.
    """

    cls: list[int]  # index into the scenario's incident classes
    started: list[float]
    detected: list[float]
    acknowledged: list[float]
    restored: list[float]
    postmortem_done: list[float]
    tiers_reached: list[int]  # resolution steps started (0 before the first)
    preemptions: list[int]
    handoffs: list[int]
    pages: list[int]  # off-shift people paged for this incident
    responders: list[list[int]]  # person indices, in order of involvement

    @classmethod
    def empty(cls, classes: list[int], started: list[float]) -> IncidentLog:
        """A log for these arrivals with every later event still pending."""
        n = len(started)
        return cls(
            cls=list(classes),
            started=list(started),
            detected=[NOT_YET] * n,
            acknowledged=[NOT_YET] * n,
            restored=[NOT_YET] * n,
            postmortem_done=[NOT_YET] * n,
            tiers_reached=[0] * n,
            preemptions=[0] * n,
            handoffs=[0] * n,
            pages=[0] * n,
            responders=[[] for _ in range(n)],
        )

    def as_arrays(self) -> IncidentLog:
        """The same log with numpy arrays in place of lists (responders stay lists)."""
        kw = {
            name: np.asarray(getattr(self, name))
            for name in self.__dataclass_fields__
            if name != "responders"
        }
        return IncidentLog(responders=self.responders, **kw)

    def __len__(self) -> int:
        return len(self.started)


@dataclass
class WorkLog:
    """Work segments: one person working one item without interruption.

    ``item`` indexes the log of the segment's kind: the incident for incident and
    post-mortem work, the occurrence for planned work, stream items and training.
    """

    person: list[int] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)  # WorkKind
    item: list[int] = field(default_factory=list)
    start: list[float] = field(default_factory=list)
    end: list[float] = field(default_factory=list)
    rank: list[int] = field(default_factory=list)  # precedence: lower is more urgent
    mode: list[int] = field(default_factory=list)  # WorkMode

    def add(
        self, person: int, kind: WorkKind, item: int, start: float, end: float, rank: int, mode
    ):
        """Record a finished segment (zero-length segments are dropped)."""
        if end > start:
            self.person.append(person)
            self.kind.append(int(kind))
            self.item.append(item)
            self.start.append(start)
            self.end.append(end)
            self.rank.append(rank)
            self.mode.append(int(mode))


class ActivityStatus(IntEnum):
    """How a planned operation or training session ended for one attendee."""

    OPEN = 0  # due, not finished by the horizon (or never begun yet)
    DONE = 1  # all of it done
    DROPPED = 2  # begun, interrupted, and dropped (or the person went away)
    MISSED = 3  # never begun: the attendee was busy until it was too late

    @property
    def label(self) -> str:
        """Lower-case name (``missed``)."""
        return self.name.lower()


@dataclass
class ActivityLog:
    """One row per attendee of a planned operation or training session (model minutes)."""

    kind: list[int] = field(default_factory=list)  # WorkKind.PLANNED or TRAINING
    source: list[int] = field(default_factory=list)  # planned operation / training source
    person: list[int] = field(default_factory=list)
    due: list[float] = field(default_factory=list)
    minutes: list[float] = field(default_factory=list)
    started: list[float] = field(default_factory=list)
    status: list[int] = field(default_factory=list)  # ActivityStatus

    def add(self, kind: WorkKind, source: int, person: int, due: float, minutes: float) -> int:
        """Record an attendee's activity as due; returns its row."""
        self.kind.append(int(kind))
        self.source.append(source)
        self.person.append(person)
        self.due.append(due)
        self.minutes.append(minutes)
        self.started.append(NOT_YET)
        self.status.append(int(ActivityStatus.OPEN))
        return len(self.kind) - 1


class PageOutcome(IntEnum):
    """What became of one page to one person."""

    ACKNOWLEDGED = 0  # they acknowledged first and took the work
    TIMED_OUT = 1  # no acknowledgement within the escalation timeout (or someone was faster)
    NOTIFIED = 2  # told, not asked to do the work (the executive on duty, for some priorities)

    @property
    def label(self) -> str:
        """Lower-case name (``timed_out``)."""
        return self.name.lower()


@dataclass
class PageLog:
    """One row per page to one person (model minutes); layer indexes the escalation layers."""

    time: list[float] = field(default_factory=list)
    person: list[int] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)  # WorkKind of the work paged for
    item: list[int] = field(default_factory=list)
    layer: list[int] = field(default_factory=list)
    outcome: list[int] = field(default_factory=list)  # PageOutcome

    def add(self, time: float, person: int, kind, item: int, layer: int, outcome) -> None:
        """Record one page."""
        self.time.append(time)
        self.person.append(person)
        self.kind.append(int(kind))
        self.item.append(item)
        self.layer.append(layer)
        self.outcome.append(int(outcome))


@dataclass
class FatigueLog:
    """Alertness (TPM scale) at each acknowledged page and at the start of each night task."""

    ack_time: list[float] = field(default_factory=list)
    ack_person: list[int] = field(default_factory=list)
    ack_alertness: list[float] = field(default_factory=list)
    ack_asleep: list[bool] = field(default_factory=list)
    work_time: list[float] = field(default_factory=list)
    work_person: list[int] = field(default_factory=list)
    work_minutes: list[float] = field(default_factory=list)
    work_alertness: list[float] = field(default_factory=list)
    work_redone: list[bool] = field(default_factory=list)

    def add_ack(self, time: float, person: int, alertness: float, asleep: bool) -> None:
        """Record a page acknowledged (or due) at ``time``."""
        self.ack_time.append(time)
        self.ack_person.append(person)
        self.ack_alertness.append(alertness)
        self.ack_asleep.append(asleep)

    def add_work(
        self, time: float, person: int, minutes: float, alertness: float, redone: bool = False
    ) -> None:
        """Record a task begun off shift (``redone``: it failed and was partly done again)."""
        self.work_time.append(time)
        self.work_person.append(person)
        self.work_minutes.append(minutes)
        self.work_alertness.append(alertness)
        self.work_redone.append(redone)


@dataclass
class StreamLog:
    """One row per work-stream item, in arrival order (model minutes; nan = not yet)."""

    stream: list[int]
    arrived: list[float]
    picked_up: list[float]
    done: list[float]

    @classmethod
    def empty(cls, streams: list[int], arrived: list[float]) -> StreamLog:
        """A log for these arrivals with nothing picked up yet."""
        n = len(arrived)
        return cls(list(streams), list(arrived), [NOT_YET] * n, [NOT_YET] * n)


@dataclass
class RunRecord:
    """Everything one replication recorded."""

    replication: int
    horizon: float
    warmup: float
    people: list[PersonInfo]
    incidents: IncidentLog
    work: WorkLog
    preempted: list[tuple[float, int, float]]  # (when, person, minutes of work displaced)
    absences: list[list[tuple[float, float, int]]] = field(default_factory=list)  # per person
    activities: ActivityLog = field(default_factory=ActivityLog)
    streams: StreamLog = field(default_factory=lambda: StreamLog.empty([], []))
    pages: PageLog = field(default_factory=PageLog)
    oncall: list[tuple[float, float, int, int]] = field(default_factory=list)
    """Scheduled on-call turns: (start, end, person, layer)."""
    team_acks: list[tuple[int, str, float]] = field(default_factory=list)
    """(incident, team, when someone of the team first picked it up)."""
    fatigue: FatigueLog = field(default_factory=FatigueLog)
    sleep_lost: list[float] = field(default_factory=list)
    """Minutes of sleep each person lost to pages (empty without fatigue)."""
    leave_untaken: list[int] = field(default_factory=list)
    """Working days of each person's leave that found no room (the role limit)."""
    deployments: list[tuple[float, int, bool]] = field(default_factory=list)
    """Deployments: (when, source index, whether the change failed)."""
    surges: list[tuple[float, int]] = field(default_factory=list)
    """Surge calls the contingency line paid for: (when, person called in)."""
