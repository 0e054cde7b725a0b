"""Who is away when: annual leave placed in blocks, and sick spells, drawn before a run.

:func:`draw_absences` turns a scenario's ``absence`` section into, for each
person, sorted non-overlapping intervals of model minutes, each covering whole
local days of the person's site (local midnight to local midnight, so a day is
23 or 25 hours long across a daylight-saving change) and each of one
:class:`~sim.model.records.AbsenceKind`. It is a pure function of the scenario,
the people and a seed sequence; the model decides what an absence does.

Working days
    A person's working days are the local dates (at their site) on which one
    of their shift intervals starts; a merged run of back-to-back 24-hour
    shifts counts a working day for every day it spans. Holidays have no
    shifts, so they are never working days.

Annual leave
    A person at a site with ``annual_leave_days`` gets that many working days a
    year, prorated to the horizon (the fraction of a day is one more day with
    that probability). They take it in blocks of ``leave_block_days`` working
    days (the last may be shorter), each starting on a uniformly random working
    day and spanning that many consecutive working days; the absence covers the
    calendar days from the first to the last, so a weekend inside a block is
    leave too. A person's blocks never overlap, and at no moment are more than
    ``max_away_per_role`` people of one role (at any site) on leave. Blocks are
    placed round by round (everyone's first block in the order of ``people``,
    then everyone's second...), so the days dropped fall evenly; a block that
    cannot be placed in :data:`MAX_TRIES` random starts is not taken and its
    days are counted in :attr:`Absences.leave_days_untaken`.

Sick leave
    Spells start as a Poisson process per person, at local midnight of
    uniformly random calendar days, and last a draw of ``sick_spell_days``
    rounded up to whole calendar days (at least one). The rate is set so that
    the *working* days lost match ``sick_days_per_year`` in expectation: each
    day must lie in some spell with probability ``q = sick_days_per_year /
    (365 x share of the person's calendar days that are working days)``, and
    as spells may overlap (overlaps count once) that takes ``-ln(1 - q) /
    mean whole-day spell length`` spells a day, about ``q / mean length`` for
    small ``q``. Spells begun before the horizon are drawn too, so the first
    days are as likely sick as any. Where a spell overlaps leave, the leave
    stands and the spell keeps only the parts outside it (so sick days during
    leave are not lost twice).

Randomness
    Each person draws from their own named streams, ``stream(seq, "leave",
    name)`` and ``stream(seq, "sick", name)`` (a name given twice gets a
    repeat number), and every leave block draws all its candidate starts at
    once, so adding a person leaves everybody else's draws unchanged. Only the
    role limit couples people: colleagues of one role compete for the same
    slots, so adding, removing or reordering people of a role (or changing its
    limit) can move or drop others' leave in that role (and so change which
    of their sick days fall inside leave). Other roles are never affected.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from sim.model import calendar
from sim.model.randomness import stream
from sim.model.records import AbsenceKind, PersonInfo
from sim.scenario.distributions import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Triangular,
    _Spec,
)
from sim.scenario.schema import Scenario

__all__ = ["MAX_TRIES", "Absences", "draw_absences", "mean_spell_days", "working_days"]

MAX_TRIES = 50
"""Random starts tried for one leave block before it is dropped."""
DAYS_PER_YEAR = 365
"""Days of a year for proration and rates (leap days make no difference that matters)."""
MAX_SICK_SHARE = 0.999
"""Largest share of days a person is sick (more sick days than working days asks for all)."""

Interval = tuple[float, float, AbsenceKind]


class Absences(NamedTuple):
    """Per person (in the order given): absence intervals, and leave days not taken."""

    intervals: list[list[Interval]]
    """Sorted, non-overlapping ``(start, end, kind)`` in model minutes within the horizon;
    touching intervals of one kind are merged."""
    leave_days_untaken: list[int]
    """Working days of prorated leave entitlement that found no room (the role limit, or
    too few working days for a block)."""


def draw_absences(
    scenario: Scenario, people: Sequence[PersonInfo], seq: np.random.SeedSequence
) -> Absences:
    """Draw every person's annual leave and sick spells over the scenario's horizon.

    Parameters
    ----------
    scenario
        The scenario; its ``absence`` section, sites, calendar and role ids are read.
    people
        Everyone, with their shift intervals (model minutes), e.g.
        ``build_staff(scenario).people``. The order fixes who places leave first.
    seq
        The replication's seed sequence; the same one gives the same absences.

    Returns
    -------
    Absences
        ``(intervals, leave_days_untaken)``, both with one entry per person.
        Unpack it (``intervals, untaken = draw_absences(...)``) or read the fields.
    """
    start, horizon = scenario.calendar.start, scenario.horizon_minutes
    zones = {site.id: site.timezone for site in scenario.sites}
    clocks: dict[str, _LocalDays] = {}
    seen: dict[tuple[int, str], list[int]] = {}
    days_of, work = [], []
    for person in people:
        zone = zones[person.site]
        if zone not in clocks:
            clocks[zone] = _LocalDays(start, horizon, zone)
        key = (id(person.shifts), zone, person.joins)  # one shift and site share a schedule
        if key not in seen:
            employed = [s for s in person.shifts if s[0] >= person.joins]
            seen[key] = working_days(employed, start, zone)
        days_of.append(clocks[zone])
        work.append(seen[key])
    names = _stream_names(people)
    leave, untaken = _annual_leave(scenario, people, work, days_of, names, seq)
    intervals = []
    for i in range(len(people)):
        rng = stream(seq, "sick", *names[i])
        sick = _sick_spells(scenario, work[i], days_of[i], rng)
        intervals.append(_combine(leave[i], sick, horizon))
    return Absences(intervals, untaken)


def working_days(shifts: Sequence[tuple[float, float]], start: date, zone: str) -> list[int]:
    """Sorted ordinals of the local dates in ``zone`` on which a shift interval starts.

    An interval of back-to-back shifts (24-hour shifts merge) adds a working day
    for each further day it spans: the dates of its start's wall time one, two...
    days later, while that moment is still inside it.
    """
    found: set[int] = set()
    for lo, hi in shifts:
        local = calendar.local_datetime(lo, start, zone)
        found.add(local.date().toordinal())
        wall, zone_info, k = local.replace(tzinfo=None), local.tzinfo, 1
        while hi - lo > calendar.MINUTES_PER_DAY - 60:  # only long intervals span days
            later = (wall + timedelta(days=k)).replace(tzinfo=zone_info)
            if calendar.to_minutes(later, start) >= hi:
                break
            found.add(later.date().toordinal())
            k += 1
    return sorted(found)


class _LocalDays:
    """The local calendar of one zone over the horizon: its dates and their midnights."""

    def __init__(self, start: date, horizon: float, zone: str):
        self.start = start
        first = calendar.local_datetime(0.0, start, zone)
        self.zone: tzinfo = first.tzinfo
        self.first = first.date().toordinal()
        self.last = calendar.local_datetime(max(horizon - 1e-3, 0.0), start, zone).date()
        self.last = self.last.toordinal()
        self._midnights: dict[int, float] = {}

    def midnight(self, day: int) -> float:
        """Model minutes at the start of local date ``day`` (an ordinal).

        A midnight skipped by a daylight-saving change resolves forward to the
        day's first instant, as :func:`sim.model.calendar.shift_intervals` does.
        """
        if day not in self._midnights:
            moment = datetime.combine(date.fromordinal(day), time(), tzinfo=self.zone)
            self._midnights[day] = calendar.to_minutes(moment, self.start)
        return self._midnights[day]

    def span(self, first: int, last: int) -> tuple[float, float]:
        """Local midnight of ``first`` to local midnight after ``last`` (ordinals)."""
        return self.midnight(first), self.midnight(last + 1)


def _stream_names(people: Sequence[PersonInfo]) -> list[tuple[str, ...]]:
    """Stream address per person: the name, and a repeat number if a name repeats."""
    count: dict[str, int] = {}
    names = []
    for person in people:
        count[person.name] = count.get(person.name, 0) + 1
        repeat = count[person.name]
        names.append((person.name,) if repeat == 1 else (person.name, f"#{repeat}"))
    return names


# -- annual leave ----------------------------------------------------------------------------


def _annual_leave(scenario, people, work, days_of, names, seq):
    rules = scenario.absence
    block, limit = rules.leave_block_days, rules.max_away_per_role
    horizon = scenario.horizon_minutes
    rngs, sizes = [], []
    for i, person in enumerate(people):
        rng = stream(seq, "leave", *names[i])
        per_year = rules.annual_leave_days.get(person.site, 0.0)
        employed = max(0.0, 1.0 - person.joins / horizon)  # someone who joins later takes less
        days = _whole(per_year * scenario.calendar.days / DAYS_PER_YEAR * employed, rng)
        rngs.append(rng)
        sizes.append([block] * (days // block) + ([days % block] if days % block else []))
    placed: list[list[tuple[float, float]]] = [[] for _ in people]
    untaken = [0] * len(people)
    loads: dict[str, _Load] = {}
    for round_ in range(max(map(len, sizes), default=0)):
        for i, person in enumerate(people):
            if round_ >= len(sizes[i]):
                continue
            load = loads.setdefault(person.role, _Load())
            size, days = sizes[i][round_], work[i]
            span = min(size, len(days))
            where = _place(span, days, days_of[i], placed[i], load, limit, horizon, rngs[i])
            if where is None:
                untaken[i] += size
                continue
            untaken[i] += size - span
            placed[i].append(where)
            load.add(*where)
    return placed, untaken


def _whole(days: float, rng: np.random.Generator) -> int:
    """``days`` as a whole number: the fraction is one more day with that probability."""
    whole = math.floor(days)
    return whole + int(rng.random() < days - whole)


def _place(span, days, local, mine, load, limit, horizon, rng):
    """A free ``(start, end)`` for a block of ``span`` working days, or None.

    The :data:`MAX_TRIES` starts are drawn at once, so a block uses the same
    draws whether or not the first start fits.
    """
    if span == 0:
        return None
    for j in rng.integers(len(days) - span + 1, size=MAX_TRIES).tolist():
        lo, hi = local.span(days[j], days[j + span - 1])
        lo, hi = max(lo, 0.0), min(hi, horizon)
        if any(lo < b and a < hi for a, b in mine):
            continue
        if load.fits(lo, hi, limit):
            return lo, hi
    return None


class _Load:
    """How many intervals cover each moment: a step function over sorted breakpoints."""

    def __init__(self):
        self.times: list[float] = []  # count[k] holds on [times[k], times[k + 1])
        self.counts: list[int] = []  # zero before the first breakpoint and after the last

    def fits(self, lo: float, hi: float, limit: int) -> bool:
        """Whether fewer than ``limit`` intervals cover every moment of ``[lo, hi)``."""
        times, counts = self.times, self.counts
        k = bisect_right(times, lo) - 1
        if k >= 0 and counts[k] >= limit:
            return False
        k += 1
        while k < len(times) and times[k] < hi:
            if counts[k] >= limit:
                return False
            k += 1
        return True

    def add(self, lo: float, hi: float) -> None:
        """Count ``[lo, hi)`` in."""
        self._split(lo)
        self._split(hi)
        for k in range(bisect_left(self.times, lo), bisect_left(self.times, hi)):
            self.counts[k] += 1

    def _split(self, moment: float) -> None:
        k = bisect_left(self.times, moment)
        if k < len(self.times) and self.times[k] == moment:
            return
        self.times.insert(k, moment)
        self.counts.insert(k, self.counts[k - 1] if k > 0 else 0)


# -- sick leave ------------------------------------------------------------------------------


def _sick_spells(scenario, days: list[int], local: _LocalDays, rng) -> list[tuple[float, float]]:
    rules = scenario.absence
    if rules.sick_days_per_year <= 0 or not days:
        return []
    calendar_days = local.last - local.first + 1
    cap = calendar_days + 1  # no spell need outlast the horizon
    mean = mean_spell_days(rules.sick_spell_days, cap)
    share = len(days) / scenario.calendar.days  # of calendar days, working days
    sick = min(rules.sick_days_per_year / DAYS_PER_YEAR / share, MAX_SICK_SHARE)
    per_day = -math.log1p(-sick) / mean  # spells overlap: P(a day is in none) = 1 - sick
    lookback = cap - 1  # spells begun before the horizon reach into it: stationary from day 0
    count = int(rng.poisson(per_day * (calendar_days + lookback)))
    if count == 0:
        return []
    firsts = rng.integers(local.first - lookback, local.last + 1, count)
    lengths = _whole_days(rules.sick_spell_days.sample(rng, count), cap)
    horizon = scenario.horizon_minutes
    spells = []
    for first, length in zip(firsts.tolist(), lengths.tolist(), strict=True):
        if first + length > local.first:
            lo, hi = local.span(first, first + length - 1)
            spells.append((max(lo, 0.0), min(hi, horizon)))
    return calendar.merge_intervals(spells)


def _whole_days(values: np.ndarray, cap: int) -> np.ndarray:
    """Draws rounded up to whole days, at least 1 and at most ``cap``."""
    return np.clip(np.ceil(np.minimum(values, cap)), 1, cap).astype(np.int64)


@lru_cache(maxsize=64)
def mean_spell_days(dist: _Spec, cap: int) -> float:
    """Mean of ``min(max(1, ceil(X)), cap)`` for ``X`` from ``dist``: a spell's whole days.

    Computed from the distribution's tail, ``1 + sum of P(X > k) for k = 1..cap-1``,
    exactly, with no sampling; cached (every person of a run asks).
    """
    k = np.arange(1, max(cap, 1), dtype=float)
    if isinstance(dist, Constant):
        tail = (dist.value > k).astype(float)
    elif isinstance(dist, Empirical):
        ordered = np.sort(np.asarray(dist.observations, dtype=float))
        tail = 1.0 - np.searchsorted(ordered, k, side="right") / len(ordered)
    else:
        tail = _scipy_dist(dist).sf(k)
    return float(min(1.0 + tail.sum(), cap))


def _scipy_dist(dist: _Spec):
    """The scipy distribution of a continuous spec (for its tail)."""
    from scipy import stats  # slow to import; only sick leave needs it

    if isinstance(dist, Lognormal):
        mu, sigma = dist.log_params
        return stats.lognorm(s=sigma, scale=math.exp(mu))
    if isinstance(dist, Exponential):
        return stats.expon(scale=dist.mean)
    if isinstance(dist, Gamma):
        return stats.gamma(a=dist.shape, scale=dist.theta)
    if isinstance(dist, Triangular):
        width = dist.high - dist.low
        return stats.triang(c=(dist.mode - dist.low) / width, loc=dist.low, scale=width)
    raise TypeError(f"no tail for a {type(dist).__name__} spell length")


# -- both ------------------------------------------------------------------------------------


def _combine(leave, sick, horizon: float) -> list[Interval]:
    """Leave and the parts of sick spells outside it, sorted; touching ones of a kind merged."""
    leave = calendar.merge_intervals((max(a, 0.0), min(b, horizon)) for a, b in leave)
    pieces = [(a, b, AbsenceKind.LEAVE) for a, b in leave]
    for lo, hi in sick:
        for a, b in calendar.uncovered([leave], lo, hi):
            if b > a:
                pieces.append((a, b, AbsenceKind.SICK))
    pieces.sort()
    merged: list[Interval] = []
    for a, b, kind in pieces:
        if merged and merged[-1][2] == kind and merged[-1][1] >= a:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]), kind)
        else:
            merged.append((a, b, kind))
    return merged
