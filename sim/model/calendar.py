"""Model-time calendar: minutes since the epoch, shift windows, time zones.

Model time is a float number of **minutes** since the *epoch*, which is the
scenario's ``calendar.start`` date at 00:00 UTC.  Shifts are recurring working
windows defined in a site's local wall-clock time; :func:`shift_intervals`
turns them into sorted, merged ``(start, end)`` intervals of model minutes,
taking daylight-saving changes, midnight wrap and public holidays into account.

Intervals are half-open ``[start, end)`` pairs of floats throughout.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from sim.scenario.zones import is_time_zone

__all__ = [
    "MINUTES_PER_DAY",
    "MINUTES_PER_HOUR",
    "MINUTES_PER_WEEK",
    "WEEKDAYS",
    "epoch",
    "from_minutes",
    "hour_of_week",
    "local_datetime",
    "merge_intervals",
    "overlap",
    "parse_clock",
    "shift_intervals",
    "to_minutes",
    "total_length",
    "uncovered",
]

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 10080

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Interval = tuple[float, float]

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")

# Local dates before ``start`` whose shift instances may still reach the
# epoch: an instance ends at most two local days after its start date, and
# UTC offsets are at least -12 h.
_DAYS_BEFORE = 2


# --------------------------------------------------------------------------
# Time zones and conversions
# --------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _zone(name: str) -> tzinfo:
    """Return the tzinfo for an IANA name ("UTC" needs no tz database)."""
    if name == "UTC":
        return UTC
    if not is_time_zone(name):
        raise ValueError(f"unknown time zone {name!r}")
    return ZoneInfo(name)


def zone(name: str) -> tzinfo:
    """The tzinfo of an IANA time-zone name or ``"UTC"``."""
    return _zone(name)


def epoch(start: date) -> datetime:
    """Return the model epoch: ``start`` at 00:00 UTC (timezone-aware).

    Parameters
    ----------
    start : date
        Calendar start date (a ``datetime`` is truncated to its date).

    Returns
    -------
    datetime
        Aware UTC datetime at midnight of ``start``.
    """
    return datetime(start.year, start.month, start.day, tzinfo=UTC)


def to_minutes(moment: datetime, start: date) -> float:
    """Convert a datetime to model minutes since the epoch.

    Parameters
    ----------
    moment : datetime
        Instant to convert.  A naive datetime is taken to be UTC.
    start : date
        Calendar start date defining the epoch.

    Returns
    -------
    float
        Minutes since ``epoch(start)`` (negative before the epoch).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - epoch(start)).total_seconds() / MINUTES_PER_HOUR


def from_minutes(minutes: float, start: date) -> datetime:
    """Convert model minutes to an aware UTC datetime.

    Parameters
    ----------
    minutes : float
        Minutes since the epoch.
    start : date
        Calendar start date defining the epoch.

    Returns
    -------
    datetime
        Aware datetime in UTC.
    """
    return epoch(start) + timedelta(minutes=float(minutes))


def local_datetime(minutes: float, start: date, timezone: str) -> datetime:
    """Return the local wall-clock datetime of a model time at a site.

    Parameters
    ----------
    minutes : float
        Minutes since the epoch.
    start : date
        Calendar start date defining the epoch.
    timezone : str
        IANA time-zone name (e.g. ``"Europe/London"``) or ``"UTC"``.

    Returns
    -------
    datetime
        Aware datetime in ``timezone``.
    """
    return from_minutes(minutes, start).astimezone(_zone(timezone))


def parse_clock(text: str) -> int:
    """Parse an ``"HH:MM"`` wall-clock time into minutes after midnight.

    Parameters
    ----------
    text : str
        Time between ``"00:00"`` and ``"24:00"`` inclusive (a one-digit
        hour such as ``"9:30"`` is accepted).

    Returns
    -------
    int
        Minutes after midnight, ``0 <= value <= 1440``.

    Raises
    ------
    ValueError
        If ``text`` is not a string of that form or is out of range.
    """
    if not isinstance(text, str):
        raise ValueError(
            f"clock time must be a string 'HH:MM', got {text!r} "
            "(quote times in YAML: '22:00' unquoted is read as a number)"
        )
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"clock time must look like 'HH:MM', got {text!r}")
    hours, mins = int(match.group(1)), int(match.group(2))
    value = hours * MINUTES_PER_HOUR + mins
    if mins >= MINUTES_PER_HOUR or value > MINUTES_PER_DAY:
        raise ValueError(f"clock time must be between 00:00 and 24:00, got {text!r}")
    return value


# --------------------------------------------------------------------------
# Shifts
# --------------------------------------------------------------------------


def _wall_to_minutes(day: date, minute: int, zone: tzinfo, origin: datetime) -> float:
    """Model minutes of local wall time ``day`` + ``minute`` (fold=0)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    instant = naive.replace(tzinfo=zone).astimezone(UTC)
    return (instant - origin).total_seconds() / MINUTES_PER_HOUR


def _check_clock_minutes(value: int, name: str) -> None:
    if not 0 <= value <= MINUTES_PER_DAY:
        raise ValueError(f"{name} must be within 0..{MINUTES_PER_DAY} minutes, got {value!r}")


def _shift_length(begin: int, end: int) -> int:
    """Shift length in minutes, in ``(0, 1440]``; ``end <= begin`` wraps."""
    return (end - begin) % MINUTES_PER_DAY or MINUTES_PER_DAY


def _weekday_set(weekdays: Iterable[int]) -> frozenset[int]:
    days = frozenset(weekdays)
    bad = sorted(d for d in days if not (isinstance(d, int) and 0 <= d <= 6))
    if bad:
        raise ValueError(f"weekdays must be integers 0 (Monday) .. 6 (Sunday), got {bad}")
    return days


def _holiday_set(holidays: Iterable[date]) -> frozenset[date]:
    return frozenset(h.date() if isinstance(h, datetime) else h for h in holidays)


def shift_intervals(
    start: date,
    days: int,
    timezone: str,
    begin: int,
    end: int,
    weekdays: Iterable[int],
    holidays: Iterable[date] = (),
) -> list[Interval]:
    """Expand a recurring local-time shift into merged model-time intervals.

    Parameters
    ----------
    start : date
        Calendar start date (epoch = ``start`` 00:00 UTC).
    days : int
        Horizon length in days; output is clipped to ``[0, days * 1440]``.
    timezone : str
        IANA time-zone name of the site, or ``"UTC"``.
    begin, end : int
        Local wall-clock minutes after midnight (``0..1440``, see
        :func:`parse_clock`).  ``end <= begin`` wraps into the next day, so
        ``begin == end`` (or ``0, 1440``) is a 24-hour shift.  Every instance
        lasts ``(end - begin) mod 1440`` wall-clock minutes, 0 meaning 1440.
    weekdays : iterable of int
        Local weekdays (0 = Monday) on which an instance *starts*.
    holidays : iterable of date, optional
        Local start dates on which there is no instance.

    Returns
    -------
    list of (float, float)
        Sorted intervals; touching or overlapping instances are merged.

    Notes
    -----
    Wall times are resolved with ``fold=0``: an ambiguous time takes its
    first occurrence, and a time inside a spring-forward gap is shifted
    forward by the gap length (02:30 becomes 03:30 for a one-hour gap).
    Instances made empty by a gap are dropped.
    """
    if days < 0:
        raise ValueError(f"days must be non-negative, got {days!r}")
    _check_clock_minutes(begin, "begin")
    _check_clock_minutes(end, "end")
    on_days, off_days = _weekday_set(weekdays), _holiday_set(holidays)
    zone, origin = _zone(timezone), epoch(start)
    horizon = float(days * MINUTES_PER_DAY)
    stop = begin + _shift_length(begin, end)
    pieces = []
    for offset in range(-_DAYS_BEFORE, days + 1):
        day = start + timedelta(days=offset)
        if day.weekday() not in on_days or day in off_days:
            continue
        lo = max(_wall_to_minutes(day, begin, zone, origin), 0.0)
        hi = min(_wall_to_minutes(day, stop, zone, origin), horizon)
        if hi > lo:
            pieces.append((lo, hi))
    return merge_intervals(pieces)


# --------------------------------------------------------------------------
# Interval arithmetic
# --------------------------------------------------------------------------


def merge_intervals(intervals: Iterable[tuple[float, float]]) -> list[Interval]:
    """Sort intervals and merge those that overlap or touch.

    Parameters
    ----------
    intervals : iterable of (float, float)
        ``(start, end)`` pairs in any order.  Empty ones are dropped.

    Returns
    -------
    list of (float, float)
        Sorted, disjoint, non-touching intervals.

    Raises
    ------
    ValueError
        If an interval has ``end < start``.
    """
    merged: list[Interval] = []
    for lo, hi in sorted((float(a), float(b)) for a, b in intervals):
        if hi < lo:
            raise ValueError(f"interval end precedes its start: ({lo}, {hi})")
        if hi == lo:
            continue
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def total_length(intervals: Iterable[tuple[float, float]]) -> float:
    """Return the length of the union of ``intervals``.

    Parameters
    ----------
    intervals : iterable of (float, float)
        Intervals in any order; overlaps are counted once.

    Returns
    -------
    float
        Total covered length.
    """
    return float(sum(hi - lo for lo, hi in merge_intervals(intervals)))


def uncovered(
    intervals_by_member: Sequence[Sequence[tuple[float, float]]],
    start: float,
    end: float,
) -> list[Interval]:
    """Return the parts of ``[start, end]`` covered by nobody.

    Parameters
    ----------
    intervals_by_member : sequence of sequences of (float, float)
        Each member's on-shift intervals (any order, may overlap).
    start, end : float
        Window of interest.

    Returns
    -------
    list of (float, float)
        Sorted, non-empty gaps within the window (empty if ``end <= start``).
    """
    covered = merge_intervals(iv for member in intervals_by_member for iv in member)
    gaps: list[Interval] = []
    cursor, end = float(start), float(end)
    for lo, hi in covered:
        if cursor >= end or lo >= end:
            break
        if hi <= cursor:
            continue
        if lo > cursor:
            gaps.append((cursor, lo))
        cursor = hi
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def _interval_end(interval: tuple[float, float]) -> float:
    return interval[1]


def overlap(intervals: Sequence[tuple[float, float]], start: float, end: float) -> float:
    """Return the length of ``[start, end]`` covered by ``intervals``.

    Parameters
    ----------
    intervals : sequence of (float, float)
        Sorted, disjoint intervals (e.g. from :func:`merge_intervals`).
    start, end : float
        Query window; ``end <= start`` gives 0.

    Returns
    -------
    float
        Covered length.

    Notes
    -----
    The first relevant interval is found by bisection, so the cost is
    O(log n + k) for k intervals meeting the window.
    """
    if end <= start:
        return 0.0
    i = bisect_right(intervals, start, key=_interval_end)
    total = 0.0
    while i < len(intervals) and intervals[i][0] < end:
        lo, hi = intervals[i]
        total += min(hi, end) - max(lo, start)
        i += 1
    return float(total)


# --------------------------------------------------------------------------
# Hour-of-week profiles
# --------------------------------------------------------------------------


def hour_of_week(start: date, days: int, timezone: str) -> np.ndarray:
    """Local hour of week for each UTC hour of the horizon.

    Parameters
    ----------
    start : date
        Calendar start date (epoch = ``start`` 00:00 UTC).
    days : int
        Horizon length in days.
    timezone : str
        IANA time-zone name of the site, or ``"UTC"``.

    Returns
    -------
    numpy.ndarray
        ``int16`` array of length ``days * 24``; entry ``h`` is the local hour
        of week (0 = Monday 00:00-01:00 ... 167 = Sunday 23:00-24:00) at the
        middle of UTC hour ``h``, so half-hour offsets and DST are respected.
    """
    if days < 0:
        raise ValueError(f"days must be non-negative, got {days!r}")
    zone, origin = _zone(timezone), epoch(start)
    out = np.empty(days * 24, dtype=np.int16)
    for h in range(days * 24):
        local = (origin + timedelta(minutes=h * MINUTES_PER_HOUR + 30)).astimezone(zone)
        out[h] = local.weekday() * 24 + local.hour
    return out
