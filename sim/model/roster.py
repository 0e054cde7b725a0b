"""The roster: when each person comes on and goes off shift, and goes away and comes back.

A person's *effective* shifts are their scheduled shifts minus their absences:
an absence removes the part of every shift it covers. The roster turns
effective shifts and absences into batches of changes, one per minute at which
anything changes, in the order the dispatcher applies them (see
:meth:`~sim.model.dispatch.Dispatcher.roster_change`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Interval = tuple[float, float]


def effective_shifts(shifts: Sequence[Interval], absences: Sequence[tuple]) -> list[Interval]:
    """``shifts`` (sorted, disjoint) minus the ``(start, end, ...)`` absence intervals."""
    if not absences:
        return list(shifts)
    out: list[Interval] = []
    cuts = sorted((a[0], a[1]) for a in absences)
    k = 0  # both lists are sorted: one pass over each
    for begin, end in shifts:
        while k < len(cuts) and cuts[k][1] <= begin:
            k += 1
        j = k
        while j < len(cuts) and cuts[j][0] < end:
            if cuts[j][0] > begin:
                out.append((begin, cuts[j][0]))
            begin = max(begin, cuts[j][1])
            j += 1
        if begin < end:
            out.append((begin, end))
    return out


@dataclass
class Change:
    """Everything that changes at one minute."""

    starting: list[int] = field(default_factory=list)
    ending: list[int] = field(default_factory=list)
    going_away: list[int] = field(default_factory=list)
    coming_back: list[int] = field(default_factory=list)
    qualifying: list[int] = field(default_factory=list)  # trainees taking their own role


def roster_changes(
    shifts: Sequence[Sequence[Interval]],
    absences: Sequence[Sequence[tuple]],
    horizon: float,
    qualifies_at: Sequence[float] = (),
) -> list[tuple[float, Change]]:
    """``(minute, change)`` for every minute in ``[0, horizon)`` at which someone's state changes.

    ``shifts`` are effective shifts per person; ``absences`` per person too;
    ``qualifies_at`` when each trainee takes their own role (inf: never).
    """
    changes: dict[float, Change] = {}

    def at(t: float) -> Change:
        return changes.setdefault(t, Change())

    for person, spans in enumerate(shifts):
        for begin, end in spans:
            at(begin).starting.append(person)
            if end < horizon:
                at(end).ending.append(person)
    for person, spans in enumerate(absences):
        for begin, end, *_ in spans:
            at(begin).going_away.append(person)
            if end < horizon:
                at(end).coming_back.append(person)
    for person, at_minute in enumerate(qualifies_at):
        if at_minute < horizon:
            at(at_minute).qualifying.append(person)
    return [(t, changes[t]) for t in sorted(changes)]
