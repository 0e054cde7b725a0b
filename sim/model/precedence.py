"""Precedence: the one ladder that orders every kind of work, most urgent first.

Incident priorities keep their order. Work that is not incident response sits
on the ladder by the incident priorities allowed to interrupt it: planned work
and training that P0 and P1 may interrupt rank just after P1, ahead of P2; a
stream item that every priority may interrupt ranks after the last priority.
At one position, personal work (planned, training) comes before stream items;
post-mortems come last of all. Ranks are compact integers over the positions a
scenario uses, so the dispatcher indexes them directly.
"""

from __future__ import annotations

_PERSONAL, _STREAM, _POSTMORTEM, _INCIDENT = (0, 0), (0, 1), (0, 2), (1, 0)


class Precedence:
    """Integer ranks of every kind of work of one scenario (0 is the most urgent).

    Parameters
    ----------
    priorities
        Number of incident priorities.
    personal
        For each kind of personal work (planned operation, training): how many of
        the most urgent priorities may interrupt it.
    streams
        The same, for each work stream.
    """

    def __init__(self, priorities: int, personal=(), streams=()):
        self.priorities = priorities
        keys = {(i, *_INCIDENT) for i in range(priorities)}
        keys.add((priorities, *_POSTMORTEM))
        keys.update((self._check(k), *_PERSONAL) for k in personal)
        keys.update((self._check(k), *_STREAM) for k in streams)
        self._rank = {key: r for r, key in enumerate(sorted(keys))}

    def __len__(self) -> int:
        return len(self._rank)

    def incident(self, priority: int) -> int:
        """Rank of incident response at priority index ``priority`` (0 = most urgent)."""
        return self._rank[(priority, *_INCIDENT)]

    def postmortem(self) -> int:
        """Rank of post-mortem work: below everything else."""
        return self._rank[(self.priorities, *_POSTMORTEM)]

    def personal(self, interrupted_by: int) -> int:
        """Rank of planned work or training the first ``interrupted_by`` priorities interrupt."""
        return self._rank[(interrupted_by, *_PERSONAL)]

    def stream(self, interrupted_by: int) -> int:
        """Rank of a stream item that the first ``interrupted_by`` priorities interrupt."""
        return self._rank[(interrupted_by, *_STREAM)]

    def _check(self, k: int) -> int:
        if not 0 <= k <= self.priorities:
            raise ValueError(f"interrupting priorities must be 0..{self.priorities}, got {k}")
        return k
