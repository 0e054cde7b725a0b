"""Warnings about a valid scenario whose results deserve suspicion.

More offered work than on-shift hours (queues grow all run long), work nobody
on shift can ever pick up, incidents that need more work than the horizon, or
a shift that starts and ends at the same clock time: the run goes ahead, and
the user is told. Hard limits are in :mod:`sim.scenario.bounds`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.model import activities, calendar, hours
from sim.model.holidays import uncovered_years
from sim.model.pager import members_of
from sim.model.randomness import stream
from sim.model.staff import Staff, build_staff
from sim.scenario.schema import IncidentClass, Scenario


def warnings(s: Scenario, staff: Staff | None = None) -> list[str]:
    """Signs that a valid scenario will not behave as its author expects, one line each."""
    found = _shift_warnings(s)
    for cls in s.incidents.classes:
        found += _horizon_warnings(s, cls)
    staff = staff or build_staff(s)
    found += _holiday_warnings(s) + _oncall_warnings(s, staff)
    return found + _load_warnings(s, staff) + _planned_warnings(s, staff)


def _oncall_warnings(s: Scenario, staff: Staff) -> list[str]:
    """Rotations and windows that silently do nothing, or everything."""
    found = []
    oncall = s.oncall
    for rot in oncall.rotations:
        path = f"oncall.rotations[{rot.id}]"
        members = members_of(rot, staff.people)
        roles = {staff.people[p].role for p in members}
        if not members:
            found.append(f"{path}: nobody is a member (no staff in the roles or teams named)")
        elif rot.covers is not None and not set(rot.covers) & roles:
            found.append(f"{path}.covers: no member holds any of these roles: never paged")
        if rot.active_hours is not None and _degenerate(rot.active_hours):
            found.append(f"{path}.active_hours: {_degenerate(rot.active_hours)}")
    if oncall.notify_executive and not any(r.layer == "executive" for r in oncall.rotations):
        found.append("oncall.notify_executive: there is no executive rotation to notify")
    if s.fatigue.enabled and _degenerate(oncall.sleep_hours):
        found.append(f"oncall.sleep_hours: {_degenerate(oncall.sleep_hours)}")
    return found


def _degenerate(window) -> str:
    """What is odd about a daily window: it covers no time, or the whole day by accident."""
    covered = sum(hours.inside(minute, window) for minute in range(0, 1440, 15))
    if covered == 0:
        return f"{window.start}-{window.end} covers no time at all"
    if covered == 96 and (window.start, window.end) != ("00:00", "24:00"):
        return f"{window.start}-{window.end} covers the whole day (write 00:00-24:00 to say so)"
    return ""


def _holiday_warnings(s: Scenario) -> list[str]:
    found = []
    for site in s.sites:
        missing = uncovered_years(site, s.calendar.start, s.calendar.days)
        if missing:
            found.append(
                f"sites[{site.id}].country: the holidays package has no {site.country} public "
                f"holidays for {_years(missing)}: those years have none unless listed under "
                "holidays"
            )
    return found


def _years(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]} ({len(years)} years)"


def _shift_warnings(s: Scenario) -> list[str]:
    found = []
    for shift in s.shifts:
        if shift.start == shift.end:
            hint = " (write start '00:00', end '24:00' to say so)" if shift.start == "00:00" else ""
            found.append(
                f"shifts[{shift.id}]: start and end are both {shift.start}: it runs as a "
                f"24-hour shift{hint}"
            )
    return found


def _horizon_warnings(s: Scenario, cls: IncidentClass) -> list[str]:
    path = f"incidents.classes[{cls.id}]"
    horizon = s.horizon_minutes
    found = []
    if cls.detection.mean > horizon:
        found.append(
            f"{path}.detection: mean {_duration(cls.detection.mean)} is longer than the "
            f"{s.calendar.days}-day horizon: most of these incidents are never detected"
        )
    work = work_per_incident(cls)
    if work > horizon:
        found.append(
            f"{path}: an incident needs {_duration(work)} of work on average, longer than the "
            f"{s.calendar.days}-day horizon: few of them can be restored"
        )
    return found


def work_per_incident(cls: IncidentClass) -> float:
    """Mean hands-on minutes of one incident: triage plus each step it reaches."""
    return cls.triage.mean + sum(
        reach * step.effort.mean for reach, step in zip(_reach(cls), cls.resolution, strict=True)
    )


def _reach(cls: IncidentClass) -> list[float]:
    """Probability that an incident of ``cls`` reaches each resolution step."""
    reach, chance = [], 1.0
    for step in cls.resolution:
        reach.append(chance)
        chance *= step.escalate
    return reach


@dataclass
class _Pool:
    offered: float = 0.0  # minutes of work per day
    pages: bool = False


def _load_warnings(s: Scenario, staff: Staff) -> list[str]:
    pools = _offered_work(s, staff)
    on_shift = _on_shift_minutes_per_day(s, staff)
    found = []
    for index, pool in sorted(pools.items()):
        # a trainee variant is its role's people in their first days: name the role once
        roles = list(dict.fromkeys(staff.role_ids[r].split("~")[0] for r in staff.pools[index]))
        capacity = sum(on_shift[r] for r in staff.pools[index])
        who = f"work for roles {', '.join(roles)}"
        if capacity == 0 and not pool.pages:
            found.append(
                f"{who}: nobody in these roles is ever on shift and the priorities that "
                "need them do not page: that work never gets a responder"
            )
        elif 0 < capacity < pool.offered:
            offered = f"{pool.offered / 60:,.1f} h" if pool.offered < 1e12 else "unbounded hours"
            found.append(
                f"{who}: {offered} of work offered a day, more than the "
                f"{capacity / 60:,.1f} h they are on shift: queues grow all run long unless "
                "call-outs absorb it"
            )
    return found


def _offered_work(s: Scenario, staff: Staff) -> dict[int, _Pool]:
    pools: dict[int, _Pool] = defaultdict(_Pool)
    multiplier = s.incidents.rate_multiplier
    for cls, plan in zip(s.incidents.classes, staff.classes, strict=True):
        rate = cls.rate_per_day * multiplier
        _offer(pools[plan.triage_pool], rate * cls.triage.mean, plan.pages)
        reach = _reach(cls)
        postmortem = s.postmortem_effort(cls)
        for j, (step, pool) in enumerate(zip(cls.resolution, plan.step_pools, strict=True)):
            _offer(pools[pool], rate * reach[j] * step.effort.mean, plan.pages)
            if postmortem is not None:  # the post-mortem goes to the last step reached
                ends_here = reach[j] * (1 - step.escalate if j + 1 < len(reach) else 1)
                _offer(pools[pool], rate * ends_here * postmortem.mean, False)
    for work, (pool, _) in zip(s.streams, staff.streams, strict=True):
        _offer(pools[pool], work.rate_per_day * work.effort.mean, False)
    return pools


def _planned_warnings(s: Scenario, staff: Staff) -> list[str]:
    """Planned operations that fall due only when none of their attendees is on shift."""
    if not s.planned:
        return []
    layout = activities.Layout(s, staff.people, [p.shifts for p in staff.people])
    found = []
    for k, op in enumerate(s.planned):
        # only the dates and attendees are read: any durations will do
        rng = stream(np.random.SeedSequence(0), "feasibility", op.id)
        occasions = activities.planned_occasions(layout, op, k, rng)
        if occasions and not any(_anyone_on(staff, o) for o in occasions):
            found.append(
                f"planned[{op.id}]: none of its attendees is ever on shift when it falls due "
                f"(at {op.at}, {op.timezone} time): it never takes place"
            )
    return found


def _anyone_on(staff: Staff, occasion) -> bool:
    return any(
        calendar.overlap(staff.people[p].shifts, occasion.due, occasion.due + 1e-6) > 0
        for p in occasion.candidates
    )


def _offer(pool: _Pool, minutes: float, pages: bool) -> None:
    pool.offered += minutes
    pool.pages = pool.pages or (pages and minutes > 0)


def _on_shift_minutes_per_day(s: Scenario, staff: Staff) -> list[float]:
    """Per role, on-shift person-minutes per simulated day."""
    minutes = [0.0] * len(staff.role_ids)
    for person, role in zip(staff.people, staff.person_role, strict=True):
        minutes[role] += calendar.total_length(person.shifts)
    return [m / s.calendar.days for m in minutes]


def _duration(minutes: float) -> str:
    if not math.isfinite(minutes) or minutes > 1000 * 525_960:
        return "over 1,000 years"
    if minutes >= 2 * 1440:
        return f"{minutes / 1440:,.1f} days"
    return f"{minutes / 60:,.1f} h"
