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

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sim.model import calendar
from sim.model.randomness import stream
from sim.scenario.schema import IncidentClass, Scenario

SLOTS = {"acknowledgement": 4, "paging": 2, "handoff": 2, "engagement": 2}
"""Draws of each recurring delay pre-drawn per incident (most incidents need fewer);
an incident needing more draws them from a stream of its own (see :meth:`Workload.origin_of`)."""


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
    delays: dict[str, np.ndarray] = field(default_factory=dict)
    """Per incident, the first ``SLOTS[name]`` draws of each recurring delay that is not zero."""
    origins: tuple[str, ...] = ()  # where incidents come from: a class id or change:<source>
    origin: np.ndarray | None = None  # per incident, index into origins
    row: np.ndarray | None = None  # per incident, its row among its origin's draws

    def __len__(self) -> int:
        return len(self.started)

    def origin_of(self, i: int) -> tuple[str, str]:
        """Incident ``i``'s identity: where it came from and its row there, whatever the
        other classes drew (a given workload's incidents are known by their index)."""
        if self.origin is None:
            return ("given", str(i))
        return (self.origins[self.origin[i]], str(self.row[i]))


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
    """Draw all incidents of one replication, failed changes among them.

    Each incident's variates come from streams named after where it comes from:
    its class's own arrivals (``cls.id``) or one deployment source's failed changes
    (``change:<source>``), row by row. So changing one class, a failure rate or a
    step of another class leaves an incident's own draws where they were.
    """
    deployments = draw_deployments(scenario, seq)
    parts = []
    for k, cls in enumerate(scenario.incidents.classes):
        own = poisson_times(hourly_rates(scenario, cls), stream(seq, "arrivals", cls.id))
        parts.append(_variates(scenario, k, cls, own, seq, cls.id))
        for j, source in enumerate(scenario.changes.deployments):
            if source.incident_class == cls.id:
                mine = [(t, failed) for t, s, failed in deployments if s == j]
                times = np.array([t for t, _ in mine], dtype=float)
                keep = np.array([failed for _, failed in mine], dtype=bool)
                parts.append(_variates(scenario, k, cls, times, seq, f"change:{source.id}", keep))
    return _merged(scenario, parts, deployments)


def _merged(scenario: Scenario, parts: list[dict], deployments) -> Workload:
    """The parts' incidents in arrival order (ties keep the parts' order)."""
    width = max(len(c.resolution) for c in scenario.incidents.classes)
    started = np.concatenate([p["started"] for p in parts])
    order = np.argsort(started, kind="stable")
    effort = np.full((len(started), width), np.nan)
    row = 0
    for p in parts:
        n, m = p["effort"].shape
        effort[row : row + n, :m] = p["effort"]
        row += n
    columns = {
        name: np.concatenate([p[name] for p in parts])[order]
        for name in ("started", "cls", "detection", "triage", "steps", "postmortem", "row")
    }
    delays = {
        name: np.concatenate([p["delays"][name] for p in parts])[order]
        for name in parts[0]["delays"]
    }
    origin = np.concatenate([np.full(len(p["started"]), k, np.int32) for k, p in enumerate(parts)])
    return Workload(
        **columns,
        effort=effort[order],
        deployments=deployments,
        delays=delays,
        origins=tuple(p["key"] for p in parts),
        origin=origin[order],
    )


def _variates(
    scenario: Scenario, k: int, cls: IncidentClass, started, seq, key: str, keep=None
) -> dict:
    """Everything the incidents arriving at ``started`` will need, from the ``key`` streams.

    ``keep`` selects rows after drawing, so a row's draws do not depend on which
    other rows are kept (a failure rate changes which deployments fail, not their draws).
    """
    n = len(started)
    steps = _step_keys(cls)
    effort = np.column_stack(
        [
            s.effort.sample(stream(seq, "effort", key, name), n)
            for s, name in zip(cls.resolution, steps, strict=True)
        ]
    ).reshape(n, len(cls.resolution))
    pm = scenario.postmortem_effort(cls)
    drawn = {
        "started": np.asarray(started, dtype=float),
        "cls": np.full(n, k, dtype=np.int32),
        "detection": cls.detection.sample(stream(seq, "detection", key), n),
        "triage": cls.triage.sample(stream(seq, "triage", key), n),
        "steps": _steps_needed(cls, steps, seq, key, n),
        "effort": effort,
        "postmortem": np.zeros(n) if pm is None else pm.sample(stream(seq, "postmortem", key), n),
        "row": np.arange(n),
        "delays": {
            name: dist.sample(stream(seq, name, key), n * SLOTS[name]).reshape(n, SLOTS[name])
            for name, dist in recurring_delays(scenario).items()
            if not dist.is_zero
        },
    }
    if keep is not None:
        drawn["delays"] = {name: table[keep] for name, table in drawn["delays"].items()}
        drawn = {name: v if name == "delays" else v[keep] for name, v in drawn.items()}
    return {**drawn, "key": key}


def recurring_delays(scenario: Scenario) -> dict:
    """The delays an incident may need several of, by stream name (zero ones too)."""
    rules = scenario.work_rules
    found = {
        "acknowledgement": rules.ack_delay,
        "paging": scenario.paging.ack_delay,
        "handoff": rules.handoff_delay,
        "engagement": scenario.escalation.engagement_effort,
    }
    return found


def _step_keys(cls: IncidentClass) -> list[str]:
    """A name per resolution step: its tier (``tier#2`` for a tier's second step)."""
    seen: dict[str, int] = {}
    names = []
    for s in cls.resolution:
        seen[s.tier] = seen.get(s.tier, 0) + 1
        names.append(s.tier if seen[s.tier] == 1 else f"{s.tier}#{seen[s.tier]}")
    return names


def _steps_needed(cls: IncidentClass, names: list[str], seq, key: str, n: int) -> np.ndarray:
    """1 + the number of successive escalations, each with its step's probability.

    Each step draws from its own stream, so adding a step leaves the others' draws.
    """
    go_on = np.column_stack(
        [
            stream(seq, "escalation", key, name).random(n) < s.escalate
            for s, name in zip(cls.resolution, names, strict=True)
        ]
    ).reshape(n, len(cls.resolution))
    stopped = ~go_on
    stopped[:, -1] = True
    return (np.argmax(stopped, axis=1) + 1).astype(np.int32)
