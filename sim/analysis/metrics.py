"""KPIs of one replication, as pure functions over its raw records.

Every function takes a :class:`~sim.model.records.RunRecord` (and the scenario for
names and targets) and returns rows ``(metric, group, value)``. Only incidents
that occur inside the measured window ``[warmup, horizon)`` count; time-based
figures (utilisation, availability, coverage) are clipped to that window.
Metrics never touch SimPy.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd

from sim.analysis import burden, catalogue, costs, coverage, deployments, engagement
from sim.analysis.catalogue import ALL
from sim.model import calendar
from sim.model.records import AbsenceKind, RunRecord, WorkKind, WorkMode
from sim.scenario.schema import Scenario

Row = tuple[str, str, float]


def kpi_rows(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Every KPI of one replication."""
    return kpis_from_tables(
        record, scenario, incident_table(record, scenario), people_table(record, scenario)
    )


def kpis_from_tables(
    record: RunRecord, scenario: Scenario, incidents: pd.DataFrame, people: pd.DataFrame
) -> list[Row]:
    """Every KPI of one replication, from its already-built incident and people tables.

    Every row names a metric of :mod:`sim.analysis.catalogue` (checked here).
    """
    measured = incidents[incidents["measured"]]
    rows = [
        *incident_counts(measured, scenario),
        *response_adherence(measured, scenario, record.horizon),
        *mean_by_priority(measured, "mtta_minutes", "ack_minutes", scenario),
        *mean_by_priority(measured, "mttd_minutes", "detect_minutes", scenario),
        *mean_by_priority(measured, "mttr_minutes", "restore_minutes", scenario),
        *quantile_by_priority(measured, "mttr_median_minutes", 0.5, scenario),
        *quantile_by_priority(measured, "mttr_p90_minutes", 0.9, scenario),
        *utilization(people),
        *utilization_parts(people),
        *fte(people, record, scenario),
        *activity_completion(record, scenario),
        *stream_metrics(record, scenario),
        *burden.burden_rows(record, scenario),
        *engagement.team_response_rows(record, scenario),
        *hours_by_group(people, "overtime_hours"),
        *(
            [("leave_days_untaken", ALL, float(people["leave_days_untaken"].sum()))]
            if scenario.absence.annual_leave_days
            else []
        ),
        *hours_by_group(people, "callout_hours"),
        *availability(record, scenario),
        *coverage.coverage_gap_hours(record, scenario),
        *coverage.on_shift_rows(record, scenario),
        *costs.cost_rows(record, scenario, people),
        *costs.surge_rows(record, scenario),
        *deployments.change_rows(record, scenario),
        ("open_incidents", ALL, open_incidents(record)),
        ("backlog_at_end", ALL, float(np.isnan(record.incidents.restored).sum())),
    ]
    catalogue.check_rows(rows, ranges=False)
    return rows


def open_incidents(record: RunRecord) -> float:
    """Time-average number of incidents occurred but not yet restored, in the window.

    With the mean time to restore and the arrival rate this obeys Little's law.
    """
    log = record.incidents
    ends = np.where(np.isnan(log.restored), record.horizon, log.restored)
    start = np.clip(log.started, record.warmup, record.horizon)
    end = np.clip(ends, record.warmup, record.horizon)
    return float(np.maximum(end - start, 0).sum() / (record.horizon - record.warmup))


def incident_table(record: RunRecord, scenario: Scenario) -> pd.DataFrame:
    """One row per incident with its derived durations (minutes)."""
    log = record.incidents
    classes = scenario.incidents.classes
    cls = np.asarray(log.cls, dtype=int)
    names = [p.name for p in record.people]
    origin = log.started if scenario.work_rules.response_clock == "started" else log.detected
    first = [r[0] if r else -1 for r in log.responders]
    return pd.DataFrame(
        {
            "replication": record.replication,
            "incident": np.arange(len(cls)),
            "class": [classes[k].id for k in cls],
            "priority": [classes[k].priority for k in cls],
            "category": [classes[k].category for k in cls],
            "service": [classes[k].service or "" for k in cls],
            "outage": [classes[k].outage for k in cls],
            "started_utc": pd.Timestamp(scenario.calendar.start, tz="UTC")
            + pd.to_timedelta(log.started, unit="m"),
            "started": log.started,
            "detected": log.detected,
            "acknowledged": log.acknowledged,
            "restored": log.restored,
            "postmortem_done": log.postmortem_done,
            "detect_minutes": log.detected - log.started,
            "ack_minutes": log.acknowledged - log.detected,
            "response_minutes": log.acknowledged - origin,
            "restore_minutes": log.restored - log.started,
            "tiers_reached": log.tiers_reached,
            "preemptions": log.preemptions,
            "handoffs": log.handoffs,
            "pages": log.pages,
            "site": [record.people[p].site if p >= 0 else "" for p in first],
            "responders": [";".join(names[p] for p in r) for r in log.responders],
            "measured": log.started >= record.warmup,
            "response_origin": origin,
        }
    )


def incident_counts(measured: pd.DataFrame, scenario: Scenario) -> list[Row]:
    """Incidents occurring in the window, per priority and in all."""
    counts = measured["priority"].value_counts()
    rows = [("incidents", p.id, float(counts.get(p.id, 0))) for p in scenario.priorities]
    return [*rows, ("incidents", ALL, float(len(measured)))]


def response_adherence(measured: pd.DataFrame, scenario: Scenario, horizon: float) -> list[Row]:
    """Share of incidents acknowledged within their priority's response SLA.

    An incident not yet acknowledged at the horizon counts as a miss once its
    target has passed, and is left out while it could still make it.
    """
    target = measured["priority"].map({p.id: p.response_minutes for p in scenario.priorities})
    response = measured["response_minutes"]
    waited = horizon - measured["response_origin"]
    met = response <= target
    missed = (response > target) | (response.isna() & (waited > target))
    return list(_share_by_priority("response_sla_adherence", measured, met, met | missed, scenario))


def _share_by_priority(metric, frame, hits, counted, scenario) -> Iterator[Row]:
    for group, mask in _priority_masks(frame, scenario):
        n = int((counted & mask).sum())
        yield (metric, group, (hits & mask).sum() / n if n else np.nan)


def _priority_masks(frame: pd.DataFrame, scenario: Scenario):
    for p in scenario.priorities:
        yield p.id, frame["priority"] == p.id
    yield ALL, pd.Series(True, index=frame.index)


def mean_by_priority(measured, metric: str, column: str, scenario: Scenario) -> list[Row]:
    """Mean of a duration column over incidents where it is known."""
    return [
        (metric, g, float(measured.loc[m, column].mean()) if m.any() else np.nan)
        for g, m in _priority_masks(measured, scenario)
    ]


def quantile_by_priority(measured, metric: str, q: float, scenario: Scenario) -> list[Row]:
    """Quantile of time to restore over restored incidents."""
    return [
        (metric, g, float(measured.loc[m, "restore_minutes"].quantile(q)) if m.any() else np.nan)
        for g, m in _priority_masks(measured, scenario)
    ]


PARTS = (*(k.label for k in WorkKind), "idle")
"""The parts of on-shift time, in order: one per kind of work, then idle."""


def people_table(record: RunRecord, scenario: Scenario) -> pd.DataFrame:
    """Per-person time accounting in the window (hours).

    ``scheduled`` is the rostered shift time; ``available`` is that minus absence;
    on-shift time splits into one ``<kind>_hours`` column per kind of work plus
    ``idle_hours``, which add up to ``available_hours``. Work past a shift's end
    or on a call-out is counted apart (``overtime_hours``, ``callout_hours``).
    """
    n = len(record.people)
    lo, hi = record.warmup, record.horizon
    work = record.work
    person = np.asarray(work.person, dtype=int)
    start = np.clip(np.asarray(work.start, dtype=float), lo, hi)
    end = np.clip(np.asarray(work.end, dtype=float), lo, hi)
    length = np.maximum(end - start, 0.0) / 60.0
    mode, kind = np.asarray(work.mode, dtype=int), np.asarray(work.kind, dtype=int)
    on_shift = mode == WorkMode.SHIFT

    def hours(mask) -> np.ndarray:
        return np.bincount(person[mask], weights=length[mask], minlength=n)

    frame = pd.DataFrame(
        {
            "replication": record.replication,
            "person": [p.name for p in record.people],
            "role": [p.role for p in record.people],
            "team": [p.team for p in record.people],
            "site": [p.site for p in record.people],
            "employment": [p.employment for p in record.people],
            "hourly_cost": [p.hourly_cost for p in record.people],
            "scheduled_hours": [calendar.overlap(p.shifts, lo, hi) / 60.0 for p in record.people],
        }
    )
    for absence in AbsenceKind:
        frame[f"{absence.label}_hours"] = _absent_hours(record, absence)
    frame["available_hours"] = frame["scheduled_hours"] - sum(
        frame[f"{a.label}_hours"] for a in AbsenceKind
    )
    for part in WorkKind:
        frame[f"{part.label}_hours"] = hours(on_shift & (kind == part))
    frame["busy_hours"] = hours(on_shift)
    frame["idle_hours"] = frame["available_hours"] - frame["busy_hours"]
    frame["overtime_hours"] = hours(mode == WorkMode.OVERTIME)
    frame["callout_hours"] = hours(mode == WorkMode.CALLOUT)
    priority = _incident_priority(record, scenario, kind)
    for r, p in enumerate(scenario.priorities):
        frame[f"busy_{p.id}_hours"] = hours((kind == WorkKind.INCIDENT) & (priority == r))
    frame["busy_postmortem_hours"] = hours(kind == WorkKind.POSTMORTEM)
    frame["leave_days_untaken"] = record.leave_untaken or [0] * n
    frame["preempted_work_hours"] = _preempted_hours(record, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["utilization"] = frame["busy_hours"] / frame["available_hours"]
    return frame


def _incident_priority(record: RunRecord, scenario: Scenario, kind: np.ndarray) -> np.ndarray:
    """Per work segment: its incident's priority index (-1 for other kinds of work)."""
    by_class = np.array([scenario.priority_rank(c.priority) for c in scenario.incidents.classes])
    item = np.asarray(record.work.item, dtype=int)
    on_incident = (kind == WorkKind.INCIDENT) | (kind == WorkKind.POSTMORTEM)
    out = np.full(len(item), -1)
    cls = np.asarray(record.incidents.cls, dtype=int)
    out[on_incident] = by_class[cls[item[on_incident]]]
    return out


def _absent_hours(record: RunRecord, which: AbsenceKind) -> list[float]:
    """Per person: scheduled hours in the window lost to absences of one kind."""
    lo, hi = record.warmup, record.horizon
    out = []
    for p, person in enumerate(record.people):
        spans = record.absences[p] if record.absences else ()
        lost = sum(
            calendar.overlap(person.shifts, max(a, lo), min(b, hi))
            for a, b, k in spans
            if k == which and b > lo and a < hi
        )
        out.append(lost / 60.0)
    return out


def _preempted_hours(record: RunRecord, n: int) -> np.ndarray:
    """Per person: hours of work displaced by pre-emption inside the window."""
    events = [(p, m) for t, p, m in record.preempted if record.warmup <= t < record.horizon]
    people = np.array([p for p, _ in events], dtype=int)
    minutes = np.array([m for _, m in events], dtype=float)
    return np.bincount(people, weights=minutes, minlength=n) / 60.0


_LEVELS = (("person", "person"), ("role", "role"), ("team", "team"), ("site", "site"))


def utilization(people: pd.DataFrame) -> list[Row]:
    """On-shift work of any kind over available time, per person, role, team, site and all."""
    rows = []
    for level, column in _LEVELS:
        sums = people.groupby(column, sort=False)[["busy_hours", "available_hours"]].sum()
        for name, s in sums.iterrows():
            rows.append(("utilization", f"{level}:{name}", _ratio(s.busy_hours, s.available_hours)))
    total = people["available_hours"].sum()
    rows.append(("utilization", ALL, _ratio(people["busy_hours"].sum(), total)))
    return rows


def _ratio(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else np.nan


def utilization_parts(people: pd.DataFrame) -> list[Row]:
    """Each part of available time (kinds of work, idle) per team and all; parts add to 1."""
    columns = [f"{part}_hours" for part in PARTS]
    rows = []
    teams = people.groupby("team", sort=False)[[*columns, "available_hours"]].sum()
    for team, sums in [*teams.iterrows(), (None, people[[*columns, "available_hours"]].sum())]:
        prefix = "all" if team is None else f"team:{team}"
        for part, column in zip(PARTS, columns, strict=True):
            share = _ratio(sums[column], sums["available_hours"])
            rows.append(("utilization_part", f"{prefix}:{part}", share))
    return rows


_SHRINKING = ("leave_hours", "sick_hours", "training_hours", "planned_hours")
"""Rostered time not available for incident and stream work."""


def fte(people: pd.DataFrame, record: RunRecord, scenario: Scenario) -> list[Row]:
    """Shrinkage, FTE present (heads) and FTE required per role and all.

    FTE required is the heads whose rostered hours, after the measured shrinkage,
    cover the role's rostered hours: ``rostered per week / (full-time hours per
    week x (1 - shrinkage))``. Rostered hours are those from the day people join;
    someone who joins during the window counts as the share of it they are there.
    """
    weeks = (record.horizon - record.warmup) / calendar.MINUTES_PER_WEEK
    full_time = scenario.work_rules.fte_hours_per_week
    rostered = people["scheduled_hours"] - people["joining_hours"] - people["vacant_hours"]
    with np.errstate(invalid="ignore", divide="ignore"):
        there = np.where(people["scheduled_hours"] > 0, rostered / people["scheduled_hours"], 1)
    frame = people.assign(rostered=rostered, lost=people[list(_SHRINKING)].sum(axis=1), heads=there)
    sums = frame.groupby("role", sort=False)[["rostered", "lost", "heads"]].sum()
    groups = [*((f"role:{r}", s) for r, s in sums.iterrows()), (ALL, sums.sum())]
    rows = []
    for group, s in groups:
        shrinkage = _ratio(s.lost, s.rostered)
        needed = s.rostered / weeks / (full_time * (1 - shrinkage)) if shrinkage < 1 else np.nan
        rows.append(("shrinkage", group, shrinkage))
        rows.append(("fte_present", group, float(s.heads)))
        rows.append(("fte_required", group, float(needed)))
    return rows


def activity_completion(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Share of due planned and training minutes done, for activities due in the window."""
    log = record.activities
    due = np.asarray(log.due, dtype=float)
    kind = np.asarray(log.kind, dtype=int)
    source = np.asarray(log.source, dtype=int)
    minutes = np.asarray(log.minutes, dtype=float)
    done = np.minimum(_activity_minutes_done(record, len(due)), minutes)
    counted = (due >= record.warmup) & (due < record.horizon)
    team = np.array([record.people[p].team for p in log.person], dtype=object)
    training = counted & (kind == WorkKind.TRAINING)
    planned = counted & (kind == WorkKind.PLANNED)
    rows = []
    if _trains(record, scenario):
        for t in scenario.teams:
            mask = training & (team == t.id)
            rows.append(("training_completion", f"team:{t.id}", _share(done, minutes, mask)))
        rows.append(("training_completion", ALL, _share(done, minutes, training)))
    if not scenario.planned:
        return rows
    for k, op in enumerate(scenario.planned):
        rows.append(("planned_completion", op.id, _share(done, minutes, planned & (source == k))))
    rows.append(("planned_completion", ALL, _share(done, minutes, planned)))
    return rows


def _trains(record: RunRecord, scenario: Scenario) -> bool:
    """Whether the scenario has any training: ongoing, or initial for people who join."""
    joiners = any(0 < p.joins < record.horizon for p in record.people)
    return scenario.training.scheduled or joiners


def _share(done: np.ndarray, minutes: np.ndarray, mask: np.ndarray) -> float:
    total = minutes[mask].sum()
    return float(done[mask].sum() / total) if total > 0 else np.nan


def _activity_minutes_done(record: RunRecord, n: int) -> np.ndarray:
    """Per activity row: minutes worked on it (any time, any mode)."""
    work = record.work
    kind = np.asarray(work.kind, dtype=int)
    mask = (kind == WorkKind.PLANNED) | (kind == WorkKind.TRAINING)
    item = np.asarray(work.item, dtype=int)[mask]
    length = (np.asarray(work.end, dtype=float) - np.asarray(work.start, dtype=float))[mask]
    return np.bincount(item, weights=length, minlength=n)


def stream_metrics(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Items, mean wait to pick-up, response adherence and backlog per work stream."""
    log = record.streams
    arrived = np.asarray(log.arrived, dtype=float)
    picked = np.asarray(log.picked_up, dtype=float)
    which = np.asarray(log.stream, dtype=int)
    measured = (arrived >= record.warmup) & (arrived < record.horizon)
    waited = record.horizon - arrived
    rows = []
    groups = [(s.id, which == k, s.response_minutes) for k, s in enumerate(scenario.streams)]
    for group, mask, target in [*groups, (ALL, np.ones(len(which), bool), None)]:
        if group == ALL and not scenario.streams:
            break
        m = mask & measured
        wait = picked[m] - arrived[m]
        rows.append(("stream_items", group, float(m.sum())))
        rows.append(
            (
                "stream_wait_minutes",
                group,
                float(np.nanmean(wait)) if np.isfinite(wait).any() else np.nan,
            )
        )
        rows.append(
            ("stream_backlog_at_end", group, float(np.isnan(np.asarray(log.done))[mask].sum()))
        )
        if target:
            met = wait <= target
            missed = (wait > target) | (np.isnan(wait) & (waited[m] > target))
            n = int((met | missed).sum())
            rows.append(("stream_response_adherence", group, met.sum() / n if n else np.nan))
    return rows


def hours_by_group(people: pd.DataFrame, column: str) -> list[Row]:
    """Total hours of one kind (overtime, call-out) per role, team, site and overall."""
    rows = []
    for level, key in _LEVELS[1:]:
        for name, value in people.groupby(key, sort=False)[column].sum().items():
            rows.append((column, f"{level}:{name}", float(value)))
    return [*rows, (column, ALL, float(people[column].sum()))]


def outage_minutes(record: RunRecord, scenario: Scenario, service: str) -> float:
    """Impact-weighted minutes of ``service`` outage in the window.

    While outages overlap, the largest impact counts (two simultaneous full
    outages are one full outage, not two).
    """
    log = record.incidents
    impact = {
        k: c.impact
        for k, c in enumerate(scenario.incidents.classes)
        if c.outage and c.service == service
    }
    mask = np.isin(log.cls, list(impact))
    ends = np.where(np.isnan(log.restored), record.horizon, log.restored)
    spans = zip(
        log.started[mask].tolist(),
        ends[mask].tolist(),
        [impact[k] for k in log.cls[mask].tolist()],
        strict=True,
    )
    return weighted_span(list(spans), record.warmup, record.horizon)


def weighted_span(spans: list[tuple[float, float, float]], lo: float, hi: float) -> float:
    """Integral over ``[lo, hi]`` of the largest weight among the spans covering each moment."""
    edges = sorted({lo, hi, *(min(max(t, lo), hi) for s in spans for t in s[:2])})
    events = sorted([(s, 1, w) for s, _, w in spans] + [(e, -1, w) for _, e, w in spans])
    active: dict[float, int] = {}
    total, i = 0.0, 0
    for left, right in itertools.pairwise(edges):
        while i < len(events) and events[i][0] <= left:
            _, step, weight = events[i]
            active[weight] = active.get(weight, 0) + step
            if not active[weight]:
                del active[weight]
            i += 1
        if active:
            total += max(active) * (right - left)
    return total


def availability(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Availability per service and whether it met its SLO in this replication."""
    window = record.horizon - record.warmup
    rows = []
    for service in scenario.services:
        value = 1.0 - outage_minutes(record, scenario, service.id) / window
        rows.append(("availability", service.id, value))
        rows.append(("availability_slo_met", service.id, float(value >= service.slo)))
    return rows
