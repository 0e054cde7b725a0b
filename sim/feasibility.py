"""What a scenario asks of the machine and of its people: hard bounds, and warnings.

Bounds make ``opsim run`` refuse, before simulating, what it could not finish
(a rate of ``1e12`` a day would allocate terabytes): each message states the
bound. They sit far above any real organisation; the memory figures behind them
were measured on this project (about 1 KB per incident while simulating, 0.5 KB
per kept row of the incident table).

Warnings flag a scenario that runs but whose results deserve suspicion: more
offered work than on-shift hours (queues grow all run long), work nobody on
shift can ever pick up, incidents that need more work than the horizon, or a
shift that starts and ends at the same clock time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from sim import calendar
from sim.scenario import IncidentClass, Scenario
from sim.staff import Staff, build_staff

MAX_INCIDENTS = 2_000_000
"""Expected incidents in one replication (about 2 GB of memory per worker process)."""
MAX_PEOPLE = 10_000
"""People in the organisation."""
MAX_PERSON_DAYS = 2_000_000
"""People x days of shift calendar laid out per run (5,000 people for a year)."""
MAX_KEPT_INCIDENTS = 5_000_000
"""Rows of the incident table kept over all replications (about 3 GB in memory)."""
MAX_REPLICATIONS = 10_000
"""Replications in one run."""


def bound_problems(s: Scenario) -> list[str]:
    """What one replication of ``s`` would exceed, one message per bound (empty if none)."""
    found = []
    people = sum(s.headcount(role) for role in s.roles)
    if people > MAX_PEOPLE:
        found.append(f"roles: {people:,} people; opsim simulates at most {MAX_PEOPLE:,}")
    elif people * s.calendar.days > MAX_PERSON_DAYS:
        found.append(
            f"roles: {people:,} people over {s.calendar.days:,} days is "
            f"{people * s.calendar.days:,} person-days of shifts; the bound is "
            f"{MAX_PERSON_DAYS:,} (shorten calendar.days or split the organisation)"
        )
    expected = expected_incidents(s)
    if expected > MAX_INCIDENTS:
        found.append(
            f"incidents: about {expected:,.0f} incidents expected per replication over "
            f"{s.calendar.days:,} days; opsim simulates at most {MAX_INCIDENTS:,} "
            "(lower rate_per_day or rate_multiplier, or shorten calendar.days)"
        )
    return found


def run_problems(s: Scenario, replications: int, keep_incidents: bool) -> list[str]:
    """What a run of ``replications`` would exceed (the scenario's own bounds included)."""
    found = bound_problems(s)
    if replications > MAX_REPLICATIONS:
        found.append(f"--replications {replications:,}: at most {MAX_REPLICATIONS:,}")
    kept = expected_incidents(s) * replications
    if keep_incidents and kept > MAX_KEPT_INCIDENTS:
        found.append(
            f"the incident table would hold about {kept:,.0f} rows ({replications:,} "
            f"replications); at most {MAX_KEPT_INCIDENTS:,} are kept: add --no-incidents "
            "(every KPI is still computed) or run fewer replications"
        )
    return found


def expected_incidents(s: Scenario) -> float:
    """Mean number of incidents in one replication (profiles have a weekly mean of 1)."""
    per_day = sum(cls.rate_per_day for cls in s.incidents.classes)
    return per_day * s.incidents.rate_multiplier * s.calendar.days


def warnings(s: Scenario, staff: Staff | None = None) -> list[str]:
    """Signs that a valid scenario will not behave as its author expects, one line each."""
    found = _shift_warnings(s)
    for cls in s.incidents.classes:
        found += _horizon_warnings(s, cls)
    return found + _load_warnings(s, staff or build_staff(s))


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
        roles = [staff.role_ids[r] for r in staff.pools[index]]
        capacity = sum(on_shift[r] for r in staff.pools[index])
        who = f"work for roles {', '.join(roles)}"
        if capacity == 0 and not pool.pages:
            found.append(
                f"{who}: nobody in these roles is ever on shift and the priorities that "
                "need them do not page: that work never gets a responder"
            )
        elif 0 < capacity < pool.offered:
            found.append(
                f"{who}: {pool.offered / 60:,.1f} h of work offered a day, more than the "
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
    return pools


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
    if not math.isfinite(minutes):
        return "an unbounded time"
    if minutes >= 2 * 1440:
        return f"{minutes / 1440:,.1f} days"
    return f"{minutes / 60:,.1f} h"
