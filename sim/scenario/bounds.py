"""What a scenario and a run may ask for: hard bounds, checked before anything is simulated.

Without them a rate of ``1e12`` a day would allocate terabytes before failing.
Each message states its bound. The bounds sit far above any real organisation;
the memory figures behind them were measured on this project (see
``BYTES_PER_INCIDENT`` and ``BYTES_PER_KEPT_ROW``).

Work-stream items are simulated as incidents are (a process and a log row each),
so they share the incidents' bound: incidents and stream items *together* at most
``MAX_INCIDENTS``. Planned operations and training are laid out up front as
occasions, one attendance per candidate attendee per occurrence; together they
are bounded by ``MAX_ATTENDANCES``. Both count towards a run's memory estimate.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sim.scenario.references import Headcounts

if TYPE_CHECKING:
    from sim.scenario.schema import Profile, Scenario
    from sim.scenario.work import Cadence

MAX_INCIDENTS = 2_000_000
"""Expected incidents plus work-stream items in one replication (2 to 5 GB of memory in its
worker process)."""
MAX_ATTENDANCES = 2_000_000
"""Attendances of planned operations (occurrences x people who may attend) plus training
sessions laid out in one replication: as many as ``MAX_PERSON_DAYS``, one a person-day."""
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
BYTES_PER_STREAM_ITEM = 2_100
"""Peak memory per work-stream item while a replication runs, at worst (a queue that never
drains, so every item is a live process); about 1,850 measured here."""
BYTES_PER_ATTENDANCE = 2_200
"""Peak memory per attendance of planned work or training session, at worst (attendees
kept busy, so every later attendance waits as a live process); about 1,950 measured here
for planned work, 570 for training sessions on ordinary days."""


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
    items = expected_stream_items(s, ceiling=True)
    if items > MAX_INCIDENTS or (expected <= MAX_INCIDENTS < expected + items):
        found.append(
            f"streams: {_up_to(items)} stream items expected per replication over "
            f"{_days(s.calendar.days)}, besides about {expected:,.0f} incidents; opsim "
            f"simulates at most {MAX_INCIDENTS:,} incidents and stream items together (lower "
            "the streams' rate_per_day, or shorten calendar.days)"
        )
    deployments = sum(
        expected_arrivals(s, d.per_day, d.profile, ceiling=True) for d in s.changes.deployments
    )
    if deployments > MAX_INCIDENTS:
        found.append(
            f"changes: {_up_to(deployments)} deployments expected per replication over "
            f"{_days(s.calendar.days)}; opsim simulates at most {MAX_INCIDENTS:,} (lower per_day, "
            "or shorten calendar.days)"
        )
    if people <= MAX_PEOPLE:  # else laying out activities is refused already
        found += _attendance_problems(s)
    return found


def _attendance_problems(s: Scenario) -> list[str]:
    planned, training = planned_attendances(s), training_sessions(s)
    days = _days(s.calendar.days)
    if planned > MAX_ATTENDANCES or training > MAX_ATTENDANCES:
        found = []
        if planned > MAX_ATTENDANCES:
            found.append(
                f"planned: {_up_to(planned)} attendances per replication over {days} "
                "(occurrences x people who may attend, summed over the operations); opsim "
                f"lays out at most {MAX_ATTENDANCES:,} (meet less often, invite fewer "
                "attendees, or shorten calendar.days)"
            )
        if training > MAX_ATTENDANCES:
            found.append(
                f"training: {_up_to(training)} training sessions per replication "
                f"over {days} (everyone's hours in sessions of at most "
                f"{_hours(s.training.session_hours)}); opsim lays out at most "
                f"{MAX_ATTENDANCES:,} (raise session_hours, lower the hours, or shorten "
                "calendar.days)"
            )
        return found
    if planned + training > MAX_ATTENDANCES:
        return [
            f"planned: up to about {planned:,.0f} attendances of planned operations besides "
            f"{training:,.0f} training sessions per replication over {days}; opsim lays out "
            f"at most {MAX_ATTENDANCES:,} of both together (meet less often, invite fewer "
            "attendees, train in longer sessions, or shorten calendar.days)"
        ]
    return []


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
    if memory and math.isfinite(need) and need > 0.9 * memory:  # countless: refused above
        at_once = min(workers, replications)
        found.append(
            f"this run may need about {need / 2**30:,.1f} GiB of memory ({at_once} "
            f"replications at once of up to about {_workload(s)} each), more "
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


def _hours(hours: float) -> str:
    return "1 hour" if hours == 1 else f"{hours:g} hours"


def _up_to(n: float) -> str:
    """``up to about 1,234,567`` (see :func:`_number`)."""
    return _number(n) if math.isinf(n) else f"up to about {_number(n)}"


def _number(n: float) -> str:
    """``1,234,567``; vast counts (from vanishing sessions, say) as ``1.6e+300``."""
    if math.isinf(n):
        return "countless"
    return f"{n:,.0f}" if n < 1e15 else f"{n:.1e}"


def physical_memory() -> int | None:
    """Bytes of memory in this machine, or None where the system does not tell."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _workload(s: Scenario) -> str:
    """What one replication holds, for the memory message."""
    parts = [f"{expected_incidents(s, ceiling=True):,.0f} incidents"]
    if s.streams:
        parts.append(f"{_number(expected_stream_items(s, ceiling=True))} stream items")
    if s.planned or s.training.scheduled:
        parts.append(f"{_number(planned_attendances(s) + training_sessions(s))} attendances")
    return " and ".join(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]} and {parts[2]}"


def _peak_memory(s: Scenario, replications: int, keep_incidents: bool, workers: int) -> float:
    steps = max(len(cls.resolution) for cls in s.incidents.classes)
    per_incident = BYTES_PER_INCIDENT + BYTES_PER_STEP * steps
    incidents = expected_incidents(s, ceiling=True)
    per_replication = (
        incidents * per_incident
        + expected_stream_items(s, ceiling=True) * BYTES_PER_STREAM_ITEM
        + (planned_attendances(s) + training_sessions(s)) * BYTES_PER_ATTENDANCE
    )
    at_once = min(workers, replications) * per_replication
    kept = incidents * replications * BYTES_PER_KEPT_ROW if keep_incidents else 0
    return at_once + kept


def expected_incidents(s: Scenario, ceiling: bool = False) -> float:
    """Mean number of incidents in one replication (or, with ``ceiling``, a bound on it).

    See :func:`expected_arrivals`.
    """
    multiplier = s.incidents.rate_multiplier
    failed = sum(
        expected_arrivals(s, d.per_day * d.failure_rate, d.profile, ceiling)
        for d in s.changes.deployments
    )
    return failed + sum(
        expected_arrivals(s, cls.rate_per_day * multiplier, cls.profile, ceiling)
        for cls in s.incidents.classes
    )


def expected_stream_items(s: Scenario, ceiling: bool = False) -> float:
    """Mean number of work-stream items in one replication (or, with ``ceiling``, a bound
    on it); streams are not scaled by the incidents' rate multiplier."""
    return sum(
        expected_arrivals(s, stream.rate_per_day, stream.profile, ceiling) for stream in s.streams
    )


def expected_arrivals(
    s: Scenario, rate_per_day: float, profile_id: str | None, ceiling: bool = False
) -> float:
    """Mean arrivals over the horizon at ``rate_per_day`` shaped by a profile of
    ``incidents.profiles`` (flat if None); with ``ceiling``, a bound on it.

    A profile's weights average 1 over a week, but a horizon that is not whole weeks
    can catch its busy hours only: the part week is summed hour by hour, counted
    from the profile's local hour at the start. Daylight saving (and half-hour
    zones) can move the true local hour one either way; ``ceiling`` takes the
    largest weight within that hour's reach, so no profile slips past a bound.
    """
    weeks, rest = divmod(s.calendar.days * 24, 168)
    per_hour = rate_per_day / 24
    if profile_id is None:
        return per_hour * (weeks * 168 + rest)
    profile = s.incidents.profiles[profile_id]
    weights = profile.hour_of_week_weights()
    if ceiling:
        weights = [max(weights[j - 1], weights[j], weights[(j + 1) % 168]) for j in range(168)]
    first = _first_hour_of_week(s, profile)
    part = sum(weights[(first + k) % 168] for k in range(rest))
    return per_hour * (weeks * sum(weights) + part)


def planned_attendances(s: Scenario) -> int:
    """A bound on the attendances of planned operations in one replication: for each
    operation, the dates its cadence falls on (in the local dates the model lays out, a
    day either side of the horizon) times the people it names, on shift or not."""
    if not s.planned:
        return 0
    first, last = _span(s)
    staffed = Headcounts(s)
    return sum(
        _occurrences(op.cadence, first, last) * staffed.attending(op.attendees) for op in s.planned
    )


def training_sessions(s: Scenario) -> float:
    """A bound on the training sessions of one replication: every person's monthly and
    quarterly hours split into sessions, and conference days, in every period the model
    lays out (a float: tiny sessions can make it vast)."""
    training = s.training
    if not training.scheduled:
        return 0
    first, last = _span(s)
    hours = training.session_hours
    per_person = (
        _periods(first, last, 1) * _ceil(training.monthly_hours / hours)
        + _periods(first, last, 3) * _ceil(training.quarterly_certification_hours / hours)
        + _periods(first, last, 12) * training.conference_days
    )
    return per_person * sum(s.headcount(role) for role in s.roles)


def _span(s: Scenario) -> tuple[dt.date, dt.date]:
    """Local dates activities are laid out on: the horizon and a day either side."""
    start = s.calendar.start
    return start - dt.timedelta(1), start + dt.timedelta(s.calendar.days)


def _occurrences(cadence: Cadence, first: dt.date, last: dt.date) -> int:
    """At least the number of dates from ``first`` to ``last`` a cadence falls on."""
    n = (last - first).days + 1
    if cadence.every_days is not None:
        return -(-n // cadence.every_days)
    if cadence.every in ("day", "week"):
        weekdays = len(set(cadence.weekdays))
        return n // 7 * weekdays + min(n % 7, weekdays)
    return _periods(first, last, 1)  # monthly: once a month at most


def _periods(first: dt.date, last: dt.date, months: int) -> int:
    """Calendar periods of ``months`` months (month, quarter, year) overlapping the dates."""

    def index(day: dt.date) -> int:
        return (day.year * 12 + day.month - 1) // months

    return index(last) - index(first) + 1


def _ceil(x: float) -> float:
    return math.ceil(x) if math.isfinite(x) else x


def _first_hour_of_week(s: Scenario, profile: Profile) -> int:
    """The profile's local hour of week in the first hour, read at its middle as the model
    reads every hour (so half-hour zones fall the same way)."""
    zone = s.profile_zone(profile)
    middle = dt.datetime.combine(s.calendar.start, dt.time(0, 30), dt.UTC)
    local = middle.astimezone(dt.UTC if zone == "UTC" else ZoneInfo(zone))
    return local.weekday() * 24 + local.hour
