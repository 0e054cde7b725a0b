"""Random streams: one ``SeedSequence`` per run, an independent stream per replication and source.

Streams are addressed by name (``stream(seq, "arrivals", "p0-outage")``), not by
spawn order, so adding an incident class or a new source of randomness leaves
every other stream unchanged. That keeps scenarios comparable under common
random numbers.
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.scenario.distributions import _Spec


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """Replication ``replication``'s seed: ``SeedSequence(seed).spawn(n)[replication]`` for
    any ``n`` greater than it, so a batch can grow replication by replication."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Independent seed sequences for replications ``0..n-1`` of a run with ``seed``."""
    return [replication_seed(seed, i) for i in range(replications)]


def stream(seq: np.random.SeedSequence, *names: str) -> np.random.Generator:
    """The generator for one named source of randomness within a replication."""
    key = tuple(zlib.crc32(name.encode()) for name in names)
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, *key))
    return np.random.default_rng(child)


class Sampler:
    """Draws one value at a time from a distribution, in vectorised blocks."""

    def __init__(self, dist: _Spec, rng: np.random.Generator, block: int = 512):
        self._dist, self._rng, self._block = dist, rng, block
        self._zero = dist.is_zero
        self._values: list[float] = []

    def __call__(self) -> float:
        if self._zero:
            return 0.0
        if not self._values:
            self._values = self._dist.sample(self._rng, self._block).tolist()[::-1]
        return self._values.pop()


class _Unit:
    """Uniform draws on [0, 1), for chances (not a scenario distribution)."""

    is_zero = False

    @staticmethod
    def sample(rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.random(size)


Uniform01 = _Unit()


class PerPerson:
    """One :class:`Sampler` per person, each on its own named stream (``*names``, then the
    person's name), so one person's draws never move another's."""

    def __init__(self, dist: _Spec, seq: np.random.SeedSequence, names, *prefix: str):
        self._dist, self._seq, self._names, self._prefix = dist, seq, names, prefix
        self._samplers: dict[int, Sampler] = {}

    def __call__(self, person: int) -> float:
        sampler = self._samplers.get(person)
        if sampler is None:
            rng = stream(self._seq, *self._prefix, self._names[person])
            sampler = self._samplers[person] = Sampler(self._dist, rng)
        return sampler()


class PerItem:
    """The ``k``-th draw for item ``i``: column ``k`` of row ``i`` of a pre-drawn table.

    Draws belong to the item (an incident), not to the order events happen in, so
    two scenarios on common random numbers give the same incident the same delays.
    An item that needs more draws than the table holds gets them from its own
    stream, ``more(item)``.
    """

    def __init__(self, dist: _Spec, table: np.ndarray | None, more):
        self._dist, self._table, self._more = dist, table, more
        self._width = 0 if table is None else table.shape[1]
        self._zero = dist.is_zero
        self._used: dict[int, int] = {}
        self._extra: dict[int, Sampler] = {}

    def __call__(self, item: int) -> float:
        if self._zero:
            return 0.0
        k = self._used.get(item, 0)
        self._used[item] = k + 1
        if k < self._width:
            return float(self._table[item, k])
        sampler = self._extra.get(item)
        if sampler is None:
            sampler = self._extra[item] = Sampler(self._dist, self._more(item), block=8)
        return sampler()
