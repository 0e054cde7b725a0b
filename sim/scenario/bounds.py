"""What a scenario and a run may ask for: hard bounds, checked before anything is simulated.

Without them a rate of ``1e12`` a day would allocate terabytes before failing.
Each message states its bound. The bounds sit far above any real organisation;
the memory figures behind them were measured on this project (see
``BYTES_PER_INCIDENT`` and ``BYTES_PER_KEPT_ROW``).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

MAX_INCIDENTS = 2_000_000
"""Expected incidents in one replication (2 to 5 GB of memory in its worker process)."""
MAX_PEOPLE = 10_000
"""People in the organisation."""
MAX_PERSON_DAYS = 2_000_000
"""People x days of shift calendar laid out per run (5,000 people for a year)."""
MAX_KEPT_INCIDENTS = 5_000_000
"""Rows of the incident table kept over all replications (about 3 GB in memory)."""
MAX_REPLICATIONS = 10_000
"""Replications in one run."""
WORKERS_PER_CPU = 4
"""Worker processes per CPU: more only adds memory (each holds a replication)."""
BYTES_PER_INCIDENT = 2_500
"""Peak memory per incident while a replication runs, at worst (a queue that never drains,
so every incident is a live process); about 1,100 when the queue drains. Measured here."""
BYTES_PER_STEP = 40
"""Memory per incident for each resolution step of the longest class: every incident
holds a row of that width of efforts, as numbers and again as Python floats."""
BYTES_PER_KEPT_ROW = 550
"""Memory per row of the incident table kept in the parent process."""


def bound_problems(s: Scenario) -> list[str]:
    """What one replication of ``s`` would exceed, one message per bound (empty if none)."""
    found = []
    people = sum(s.headcount(role) for role in s.roles)
    if people > MAX_PEOPLE:
        found.append(f"roles: {people:,} people; opsim simulates at most {MAX_PEOPLE:,}")
    elif people * s.calendar.days > MAX_PERSON_DAYS:
        found.append(
            f"roles: {people:,} people over {_days(s.calendar.days)} is "
            f"{people * s.calendar.days:,} person-days of shifts; the bound is "
            f"{MAX_PERSON_DAYS:,} (shorten calendar.days or split the organisation)"
        )
    expected = expected_incidents(s, ceiling=True)
    if expected > MAX_INCIDENTS:
        found.append(
            f"incidents: up to about {expected:,.0f} incidents expected per replication over "
            f"{_days(s.calendar.days)}; opsim simulates at most {MAX_INCIDENTS:,} "
            "(lower rate_per_day or rate_multiplier, or shorten calendar.days)"
        )
    return found


def run_problems(
    s: Scenario,
    replications: int,
    keep_incidents: bool,
    workers: int = 1,
    memory: int | None = None,
) -> list[str]:
    """What a run would exceed (the scenario's own bounds included).

    ``workers`` replications run at once, each in its own process; ``memory``
    is the machine's (default: its physical memory, where the system tells).
    """
    found = bound_problems(s)
    most = WORKERS_PER_CPU * (os.cpu_count() or 1)
    if workers > most:
        found.append(f"--workers {workers}: at most {most} ({WORKERS_PER_CPU} per CPU here)")
    need = _peak_memory(s, replications, keep_incidents, workers)
    memory = physical_memory() if memory is None else memory
    if memory and need > 0.9 * memory:
        at_once = min(workers, replications)
        found.append(
            f"this run may need about {need / 2**30:,.1f} GiB of memory ({at_once} "
            f"replications at once of up to about {expected_incidents(s, ceiling=True):,.0f} "
            "incidents each), more "
            f"than this machine's {memory / 2**30:,.1f} GiB: use fewer --workers, fewer "
            "replications or a shorter horizon"
        )
    if replications > MAX_REPLICATIONS:
        found.append(f"--replications {replications:,}: at most {MAX_REPLICATIONS:,}")
    kept = expected_incidents(s, ceiling=True) * replications
    if keep_incidents and kept > MAX_KEPT_INCIDENTS:
        found.append(
            f"the incident table would hold about {kept:,.0f} rows ({replications:,} "
            f"replications); at most {MAX_KEPT_INCIDENTS:,} are kept: add --no-incidents "
            "(every KPI is still computed) or run fewer replications"
        )
    return found


def _days(days: int) -> str:
    return f"{days:,} day" if days == 1 else f"{days:,} days"


def physical_memory() -> int | None:
    """Bytes of memory in this machine, or None where the system does not tell."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _peak_memory(s: Scenario, replications: int, keep_incidents: bool, workers: int) -> float:
    steps = max(len(cls.resolution) for cls in s.incidents.classes)
    per_incident = BYTES_PER_INCIDENT + BYTES_PER_STEP * steps
    incidents = expected_incidents(s, ceiling=True)
    at_once = min(workers, replications) * incidents * per_incident
    kept = incidents * replications * BYTES_PER_KEPT_ROW if keep_incidents else 0
    return at_once + kept


def expected_incidents(s: Scenario, ceiling: bool = False) -> float:
    """Mean number of incidents in one replication (or, with ``ceiling``, a bound on it).

    A profile's weights average 1 over a week, but a horizon that is not whole weeks
    can catch its busy hours only: the part week is summed hour by hour, counted
    from the profile's local hour at the start. Daylight saving (and half-hour
    zones) can move the true local hour one either way; ``ceiling`` takes the
    largest weight within that hour's reach, so no profile slips past a bound.
    """
    weeks, rest = divmod(s.calendar.days * 24, 168)
    total = 0.0
    for cls in s.incidents.classes:
        per_hour = cls.rate_per_day * s.incidents.rate_multiplier / 24
        if cls.profile is None:
            total += per_hour * (weeks * 168 + rest)
            continue
        profile = s.incidents.profiles[cls.profile]
        weights = profile.hour_of_week_weights()
        if ceiling:
            weights = [max(weights[j - 1], weights[j], weights[(j + 1) % 168]) for j in range(168)]
        first = _first_hour_of_week(s, profile)
        part = sum(weights[(first + k) % 168] for k in range(rest))
        total += per_hour * (weeks * sum(weights) + part)
    return total


def _first_hour_of_week(s: Scenario, profile) -> int:
    """The profile's local hour of week in the first hour, read at its middle as the model
    reads every hour (so half-hour zones fall the same way)."""
    zone = s.profile_zone(profile)
    middle = dt.datetime.combine(s.calendar.start, dt.time(0, 30), dt.UTC)
    local = middle.astimezone(dt.UTC if zone == "UTC" else ZoneInfo(zone))
    return local.weekday() * 24 + local.hour
