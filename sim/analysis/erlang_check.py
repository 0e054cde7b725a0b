"""What Erlang C would prescribe for the simulated workload, next to what was simulated.

A spreadsheet planner sizes an operation with Erlang C: incidents arrive at a
constant rate, any responder on shift takes any incident at once, work times
are exponential, and nothing else competes for people's time. This module
feeds Erlang C the run's own measured figures (arrival rate, person-hours of
incident work per incident, response SLAs and target) and sets its answers
beside the simulated ones, so that a planner sees where the formula misleads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sim.analysis.catalogue import ALL
from sim.analysis.queueing import MMc, servers_for_service_level
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Workload:
    """The incident workload, as Erlang C sees it."""

    arrivals_per_hour: float
    hours_per_incident: float  # person-hours of incident work per incident, all tiers

    @property
    def erlangs(self) -> float:
        """Offered load: people busy with incidents on average."""
        return self.arrivals_per_hour * self.hours_per_incident


@dataclass(frozen=True)
class ErlangCheck:
    """One priority's response SLA: Erlang C's staffing and adherence against the simulation."""

    priority: str
    answer_minutes: float  # the response SLA
    target: float  # share of incidents to answer within it
    staff_needed: int  # people on shift Erlang C prescribes, at every hour
    staff_mean: float  # people on shift in the simulation, mean over the week
    staff_fewest: float  # ... in the week's thinnest hour (mean over weeks)
    erlang_adherence: float  # Erlang C's adherence with ``staff_mean`` (rounded down)
    simulated: tuple[float, float, float]  # adherence: mean, low, high


def workload(summary: pd.DataFrame, people: pd.DataFrame, scenario: Scenario) -> Workload | None:
    """The measured arrival rate and work per incident; ``None`` without incidents or work."""
    hours = (scenario.calendar.days - scenario.calendar.warmup_days) * 24.0
    count = _mean(summary, "incidents", ALL)
    columns = [f"busy_{p.id}_hours" for p in scenario.priorities]
    if not count or math.isnan(count) or any(c not in people for c in columns):
        return None
    replications = people["replication"].nunique()
    work = people[columns].to_numpy().sum() / replications
    if work <= 0:
        return None
    return Workload(count / hours, work / count)


def erlang_checks(
    summary: pd.DataFrame, people: pd.DataFrame, scenario: Scenario
) -> list[ErlangCheck]:
    """One check per priority with a response SLA (empty when the run lacks the figures)."""
    load = workload(summary, people, scenario)
    staff = summary[summary["metric"].eq("on_shift") & summary["group"].str.startswith("all:")]
    target = scenario.targets.response_sla_adherence
    if load is None or staff.empty or not 0 < target < 1:
        return []
    mean, fewest = float(staff["mean"].mean()), float(staff["mean"].min())
    checks = []
    for priority in scenario.priorities:
        row = summary[
            summary["metric"].eq("response_sla_adherence") & summary["group"].eq(priority.id)
        ]
        if row.empty:
            continue
        answer = priority.response_minutes
        needed = servers_for_service_level(
            load.arrivals_per_hour, 1.0 / load.hours_per_incident, answer / 60.0, target
        )
        simulated = tuple(float(row.iloc[0][c]) for c in ("mean", "ci_low", "ci_high"))
        adherence = erlang_adherence(load, math.floor(mean), answer)
        checks.append(
            ErlangCheck(priority.id, answer, target, needed, mean, fewest, adherence, simulated)
        )
    return checks


def erlang_adherence(load: Workload, staff: int, answer_minutes: float) -> float:
    """Erlang C's share answered within ``answer_minutes`` by ``staff`` people (0 if overloaded)."""
    if staff < 1 or load.erlangs >= staff:
        return 0.0
    queue = MMc(load.arrivals_per_hour, 1.0 / load.hours_per_incident, staff)
    return queue.service_level(answer_minutes / 60.0)


def _mean(summary: pd.DataFrame, metric: str, group: str) -> float:
    row = summary[summary["metric"].eq(metric) & summary["group"].eq(group)]
    return float(row.iloc[0]["mean"]) if not row.empty else math.nan
