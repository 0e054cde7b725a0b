"""Who is on shift, and when: coverage gaps and people on shift by hour of the week.

Pure functions over a :class:`~sim.model.records.RunRecord`. A person is on
shift during a rostered shift they are not absent from (leave, sickness, not yet
joined, or an empty seat); the window is the measured one, ``[warmup, horizon)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.model import calendar
from sim.model.records import RunRecord
from sim.scenario.schema import Scenario

Row = tuple[str, str, float]

HOURS_PER_WEEK = 168
"""Hour-of-week groups run from 0 (Monday 00:00-01:00 UTC) to 167."""


def coverage_gap_hours(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Hours per week when nobody is on shift: per role, per team and per tier.

    Shifts are the rostered ones; absence is not counted as a gap here.
    """
    rows = [("coverage_gap_hours", role.id, _gap(record, {role.id})) for role in scenario.roles]
    for team in scenario.teams:
        members = {r.id for r in scenario.roles if r.team == team.id}
        rows.append(("coverage_gap_hours", f"team:{team.id}", _gap(record, members)))
    for tier in scenario.tiers:
        holders = _holders(scenario, tier.id)
        rows.append(("coverage_gap_hours", f"tier:{tier.id}", _gap(record, holders)))
    return rows


def _holders(scenario: Scenario, tier: str) -> set[str]:
    return {r.id for r in scenario.roles if tier in r.tiers}


def _gap(record: RunRecord, roles: set[str]) -> float:
    weeks = (record.horizon - record.warmup) / calendar.MINUTES_PER_WEEK
    shifts = [p.shifts for p in record.people if p.role in roles]
    gaps = calendar.uncovered(shifts, record.warmup, record.horizon)
    return calendar.total_length(gaps) / 60.0 / weeks


def on_shift_rows(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Mean people on shift per UTC hour of the week.

    Groups ``role:<id>:<h>``, ``tier:<id>:<h>`` (people holding the tier) and
    ``all:<h>`` (everyone). Absent people are not
    on shift, so leave, sickness and empty seats show.
    """
    hours, length = _hourly_on_shift(record), _bin_minutes(record)
    first = record.warmup // 60
    offset = scenario.calendar.start.weekday() * 24 + int(first)
    weekly = {}
    for role in scenario.roles:
        members = [p for p, person in enumerate(record.people) if person.role == role.id]
        weekly[f"role:{role.id}"] = _fold(hours[members].sum(axis=0), length, offset)
    for tier in scenario.tiers:
        holders = _holders(scenario, tier.id)
        members = [p for p, person in enumerate(record.people) if person.role in holders]
        weekly[f"tier:{tier.id}"] = _fold(hours[members].sum(axis=0), length, offset)
    weekly["all"] = _fold(hours.sum(axis=0), length, offset)
    return [
        ("on_shift", f"{group}:{h}", float(value))
        for group, values in weekly.items()
        for h, value in enumerate(values)
        if not np.isnan(value)
    ]


def _edges(record: RunRecord) -> np.ndarray:
    """Hour boundaries covering the window, clipped to it."""
    first, last = np.floor(record.warmup / 60), np.ceil(record.horizon / 60)
    edges = np.arange(first, last + 1) * 60.0
    return np.clip(edges, record.warmup, record.horizon)


def _bin_minutes(record: RunRecord) -> np.ndarray:
    return np.diff(_edges(record))


def _hourly_on_shift(record: RunRecord) -> np.ndarray:
    """Minutes on shift per person (rows) and clock hour of the window (columns)."""
    edges = _edges(record)
    out = np.zeros((len(record.people), len(edges) - 1))
    for p, person in enumerate(record.people):
        absent = record.absences[p] if record.absences else ()
        present = _minus(person.shifts, [(a, b) for a, b, _ in absent])
        out[p] = np.diff(_covered_until(present, edges))
    return out


def _minus(
    spans: Sequence[tuple[float, float]], holes: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The parts of ``spans`` outside ``holes`` (both in any order)."""
    gone = calendar.merge_intervals(holes)
    kept = []
    for lo, hi in calendar.merge_intervals(spans):
        kept.extend(calendar.uncovered([gone], lo, hi))
    return kept


def _covered_until(spans: list[tuple[float, float]], edges: np.ndarray) -> np.ndarray:
    """Minutes of the sorted disjoint ``spans`` before each edge."""
    if not spans:
        return np.zeros(len(edges))
    starts, ends = np.array(spans).T
    done = np.concatenate([[0.0], np.cumsum(ends - starts)])
    k = np.searchsorted(starts, edges, side="right")  # spans begun by each edge
    unfinished = np.where(k > 0, np.maximum(ends[np.maximum(k - 1, 0)] - edges, 0.0), 0.0)
    return done[k] - unfinished


def _fold(minutes: np.ndarray, length: np.ndarray, offset: int) -> np.ndarray:
    """Average minutes per hour over each hour of the week (nan where the window has none)."""
    slot = (offset + np.arange(len(minutes))) % HOURS_PER_WEEK
    covered = np.bincount(slot, weights=minutes, minlength=HOURS_PER_WEEK)
    span = np.bincount(slot, weights=length, minlength=HOURS_PER_WEEK)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(span > 0, covered / span, np.nan)
