"""Incident arrivals: a non-homogeneous Poisson process per class, drawn up front.

Each class's intensity is piecewise constant by hour of week (in the profile's
time zone, so DST is respected). Arrival times are drawn exactly, by the
order-statistics property of Poisson processes: the count over the horizon is
Poisson with mean equal to the integrated intensity, and given the count the
times are independent draws from the normalised intensity (inverted from its
cumulative sum). Everything an incident will need later (detection delay,
triage and tier efforts, whether it escalates) is drawn here too, per class
and per source, so that a change to one class leaves the others' draws intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim.model import calendar
from sim.model.randomness import stream
from sim.scenario.schema import IncidentClass, Scenario


@dataclass(frozen=True)
class Workload:
    """Every incident of one replication, in arrival order, with its pre-drawn variates."""

    started: np.ndarray  # minutes
    cls: np.ndarray  # class index
    detection: np.ndarray
    triage: np.ndarray
    steps: np.ndarray  # resolution steps needed (1 + escalations)
    effort: np.ndarray  # shape (n, max steps); nan past the steps the class defines
    postmortem: np.ndarray
    deployments: tuple[tuple[float, int, bool], ...] = ()  # (when, source, failed), in time order

    def __len__(self) -> int:
        return len(self.started)


@dataclass(frozen=True)
class StreamItems:
    """Every work-stream item of one replication, in arrival order."""

    started: np.ndarray  # minutes
    stream: np.ndarray  # stream index
    effort: np.ndarray  # minutes

    def __len__(self) -> int:
        return len(self.started)


def hourly_rates(scenario: Scenario, cls: IncidentClass) -> np.ndarray:
    """Expected arrivals in each hour of the horizon for one class."""
    rate = cls.rate_per_day * scenario.incidents.rate_multiplier
    return _hourly(scenario, rate, cls.profile)


def _hourly(scenario: Scenario, rate_per_day: float, profile_id: str | None) -> np.ndarray:
    weights = np.ones(168)
    zone = "UTC"
    if profile_id is not None:
        profile = scenario.incidents.profiles[profile_id]
        weights = np.asarray(profile.hour_of_week_weights())
        zone = scenario.profile_zone(profile)
    how = _hour_of_week(scenario.calendar.start, scenario.calendar.days, zone)
    return rate_per_day / 24.0 * weights[how]


def draw_stream_items(scenario: Scenario, seq: np.random.SeedSequence) -> StreamItems:
    """Draw every item of every work stream (independent of the incident draws)."""
    started, index, effort = [np.empty(0)], [np.empty(0, dtype=np.int32)], [np.empty(0)]
    for k, s in enumerate(scenario.streams):
        times = poisson_times(
            _hourly(scenario, s.rate_per_day, s.profile), stream(seq, "stream", s.id)
        )
        started.append(times)
        index.append(np.full(len(times), k, dtype=np.int32))
        effort.append(s.effort.sample(stream(seq, "stream-effort", s.id), len(times)))
    all_started = np.concatenate(started)
    order = np.argsort(all_started, kind="stable")
    return StreamItems(
        all_started[order], np.concatenate(index)[order], np.concatenate(effort)[order]
    )


@lru_cache(maxsize=64)
def _hour_of_week(start, days: int, zone: str) -> np.ndarray:
    # the same few zones recur across classes and replications; the lookup is the slow part
    how = calendar.hour_of_week(start, days, zone)
    how.flags.writeable = False
    return how


def poisson_times(rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times (minutes) of a Poisson process with per-hour expected counts."""
    cumulative = np.concatenate(([0.0], np.cumsum(rates)))
    total = cumulative[-1]
    points = np.sort(rng.uniform(0.0, total, rng.poisson(total)))
    hour = np.clip(np.searchsorted(cumulative, points, side="right") - 1, 0, len(rates) - 1)
    within = (points - cumulative[hour]) / rates[hour]
    return (hour + within) * 60.0


def draw_deployments(scenario: Scenario, seq: np.random.SeedSequence):
    """Every deployment of one replication: ``(when, source, failed)`` in time order."""
    found = []
    for k, source in enumerate(scenario.changes.deployments):
        times = poisson_times(
            _hourly(scenario, source.per_day, source.profile), stream(seq, "deployments", source.id)
        )
        failed = stream(seq, "change-failures", source.id).random(len(times)) < source.failure_rate
        found += [(float(t), k, bool(f)) for t, f in zip(times, failed, strict=True)]
    return tuple(sorted(found))


def draw_workload(scenario: Scenario, seq: np.random.SeedSequence) -> Workload:
    """Draw all incidents of one replication, failed changes among them."""
    deployments = draw_deployments(scenario, seq)
    sources = scenario.changes.deployments
    parts = [
        _draw_class(scenario, k, cls, seq, _failed_at(deployments, sources, cls.id))
        for k, cls in enumerate(scenario.incidents.classes)
    ]
    width = max(len(c.resolution) for c in scenario.incidents.classes)
    started = np.concatenate([p["started"] for p in parts])
    order = np.argsort(started, kind="stable")
    effort = np.full((len(started), width), np.nan)
    row = 0
    for p in parts:
        n, m = p["effort"].shape
        effort[row : row + n, :m] = p["effort"]
        row += n
    return Workload(
        started=started[order],
        cls=np.concatenate([p["cls"] for p in parts])[order],
        detection=np.concatenate([p["detection"] for p in parts])[order],
        triage=np.concatenate([p["triage"] for p in parts])[order],
        steps=np.concatenate([p["steps"] for p in parts])[order],
        effort=effort[order],
        postmortem=np.concatenate([p["postmortem"] for p in parts])[order],
        deployments=deployments,
    )


def _failed_at(deployments, sources, class_id: str) -> np.ndarray:
    """When changes failed that become incidents of ``class_id``."""
    return np.array(
        [t for t, k, failed in deployments if failed and sources[k].incident_class == class_id]
    )


def _draw_class(
    scenario: Scenario, k: int, cls: IncidentClass, seq, failed: np.ndarray
) -> dict[str, np.ndarray]:
    started = poisson_times(hourly_rates(scenario, cls), stream(seq, "arrivals", cls.id))
    if len(failed):  # failed changes join the class's own arrivals, drawn like them
        started = np.sort(np.concatenate([started, failed]))
    n = len(started)
    effort = np.column_stack(
        [
            s.effort.sample(stream(seq, "effort", cls.id, str(j)), n)
            for j, s in enumerate(cls.resolution)
        ]
    ).reshape(n, len(cls.resolution))
    pm = scenario.postmortem_effort(cls)
    return {
        "started": started,
        "cls": np.full(n, k, dtype=np.int32),
        "detection": cls.detection.sample(stream(seq, "detection", cls.id), n),
        "triage": cls.triage.sample(stream(seq, "triage", cls.id), n),
        "steps": _steps_needed(cls, stream(seq, "escalation", cls.id), n),
        "effort": effort,
        "postmortem": (
            np.zeros(n) if pm is None else pm.sample(stream(seq, "postmortem", cls.id), n)
        ),
    }


def _steps_needed(cls: IncidentClass, rng: np.random.Generator, n: int) -> np.ndarray:
    """1 + the number of successive escalations, each with its step's probability."""
    u = rng.uniform(size=(n, len(cls.resolution)))
    go_on = u < np.array([s.escalate for s in cls.resolution])
    stopped = ~go_on
    stopped[:, -1] = True
    return (np.argmax(stopped, axis=1) + 1).astype(np.int32)
