"""Raw records of one simulated run: what happened and when, nothing derived.

The model appends to these plain containers; metric functions read them. They
hold only numbers and ids (no pandas, no SimPy) so a run can be shipped between
processes and stored cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NOT_YET = float("nan")
"""Timestamp of a lifecycle event that had not happened by the horizon."""

SHIFT, OVERTIME, CALLOUT = 0, 1, 2
"""Work-segment modes: during a scheduled shift, past its end, or paged while off shift."""

MODE_NAMES = ("shift", "overtime", "callout")


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
    """Work segments: one person working one incident without interruption."""

    person: list[int] = field(default_factory=list)
    incident: list[int] = field(default_factory=list)
    start: list[float] = field(default_factory=list)
    end: list[float] = field(default_factory=list)
    rank: list[int] = field(default_factory=list)  # priority rank; len(priorities) = post-mortem
    mode: list[int] = field(default_factory=list)  # SHIFT, OVERTIME or CALLOUT

    def add(self, person: int, incident: int, start: float, end: float, rank: int, mode: int):
        """Record a finished segment (zero-length segments are dropped)."""
        if end > start:
            self.person.append(person)
            self.incident.append(incident)
            self.start.append(start)
            self.end.append(end)
            self.rank.append(rank)
            self.mode.append(mode)


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
