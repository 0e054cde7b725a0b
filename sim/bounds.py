"""What a scenario and a run may ask for: hard bounds, checked before anything is simulated.

Without them a rate of ``1e12`` a day would allocate terabytes before failing.
Each message states its bound. The bounds sit far above any real organisation;
the memory figures behind them were measured on this project (about 1 KB per
incident while simulating, 0.5 KB per kept row of the incident table).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario import Scenario

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
