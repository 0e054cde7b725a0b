"""The metric catalogue: every KPI the simulator reports, declared once.

Each :class:`Metric` says which groups it is reported for, its unit, its kind
(which fixes its range and how its confidence interval is built), which
direction is better, its human label and its target rule. The metrics module
emits rows named here, :func:`sim.experiments.statistics.summarise` reads the
kind, and the scorecard reads the label, unit and target.

Adding a metric is one entry in ``_DECLARED`` plus the code that computes its
rows in :mod:`sim.analysis.metrics` (and a scorecard entry if it belongs on the
card). For example, a training metric with a fixed 100% target::

    Metric("training_completion", "team: and all", "share", Kind.SHARE, Better.HIGHER,
           "Training completed", lambda scenario, group: at_least(1.0, ".0%"))

A verdict uses the confidence interval, not just the mean: ``ok`` when the
whole interval meets the target, ``MISS`` when the whole interval misses it,
``~`` when the interval straddles it (more replications would tell).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from sim.analysis.metric import (  # noqa: F401  (re-exported: the catalogue's vocabulary)
    ALL,
    UNITS,
    Better,
    Kind,
    Metric,
    bare,
)
from sim.analysis.verdicts import (  # noqa: F401  (re-exported)
    MISS,
    NONE,
    OK,
    UNSURE,
    Check,
    Label,
    Target,
    TargetRule,
    at_least,
    at_most,
    no_target,
    within,
)

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

_TOLERANCE = 1e-9  # rounding slack when checking a value against its kind's range

# ------------------------------------------------------------------ labels and target rules


def _minutes(value: float) -> str:
    return f"{value / 60:g} h" if value >= 60 else f"{value:g} min"


def _response_label(scenario: Scenario, group: str) -> str:
    minutes = {p.id: p.response_minutes for p in scenario.priorities}
    if group == ALL:
        return "Response SLA, all"
    sla = f" (<= {_minutes(minutes[group])})" if group in minutes else ""
    return f"Response SLA {group}{sla}"


def _overall(stem: str) -> Label:
    """Label that is just ``stem`` for the whole and ``stem group`` otherwise."""
    return lambda scenario, group: stem if group == ALL else f"{stem} {bare(group)}"


def _response_target(scenario: Scenario, group: str) -> Target:
    return at_least(scenario.targets.response_sla_adherence, ".0%")


def _mttd_target(scenario: Scenario, group: str) -> Target | None:
    goal = scenario.targets.mttd_minutes
    return at_most(goal) if goal and group == ALL else None


def _mttr_target(scenario: Scenario, group: str) -> Target | None:
    goal = next((p.mttr_minutes for p in scenario.priorities if p.id == group), None)
    return at_most(goal) if goal else None


def _utilization_target(scenario: Scenario, group: str) -> Target | None:
    band = scenario.targets.utilization
    if group == ALL or group.startswith("team:"):
        return within(band.low, band.high)
    return None


def _availability_target(scenario: Scenario, group: str) -> Target | None:
    slo = next((s.slo for s in scenario.services if s.id == group), None)
    return at_least(slo, ".3%") if slo is not None else None


def _training_target(scenario: Scenario, group: str) -> Target | None:
    goal = scenario.targets.training_completion
    return at_least(goal, ".0%") if group == ALL else None


def _team_response_label(scenario: Scenario, group: str) -> str:
    priority, _, team = group.partition(":")
    return f"{team or 'Each team'} on {priority} in time"


def _oncall_share_target(scenario: Scenario, group: str) -> Target:
    return at_most(0.25, ".0%")  # Google SRE: at most 25% of time on call


def _attrition_target(scenario: Scenario, group: str) -> Target:
    return at_most(scenario.attrition.target, ".0%")  # seed: Year-1 turnover < 5%


def _incidents_per_shift_target(scenario: Scenario, group: str) -> Target:
    return at_most(2.0)  # Google SRE: at most 2 incidents per 12-hour on-call shift


def _personnel_budget_target(scenario: Scenario, group: str) -> Target | None:
    if group != "personnel" or not scenario.budget.total:
        return None
    return at_most(scenario.budget.allocated("personnel"), ",.0f")  # the staff must be paid for


def _change_success_target(scenario: Scenario, group: str) -> Target:
    return at_least(scenario.targets.change_success_rate, ".0%")  # seed: > 95%


def _stream_response_label(scenario: Scenario, group: str) -> str:
    minutes = {s.id: s.response_minutes for s in scenario.streams}
    sla = f" (<= {_minutes(minutes[group])})" if minutes.get(group) else ""
    return f"Stream response {group}{sla}"


def _stream_response_target(scenario: Scenario, group: str) -> Target | None:
    return at_least(scenario.targets.response_sla_adherence, ".0%")


# ------------------------------------------------------------------------------ the catalogue

_PRIORITY = "priority id and all"
_PEOPLE = "role:/team:/site: and all"

_DECLARED = (
    Metric("incidents", _PRIORITY, "count", Kind.COUNT, Better.NONE, "Incidents"),
    Metric(
        "response_sla_adherence",
        _PRIORITY,
        "share",
        Kind.SHARE,
        Better.HIGHER,
        _response_label,
        _response_target,
    ),
    Metric("mtta_minutes", _PRIORITY, "minutes", Kind.DURATION, Better.LOWER, "MTTA"),
    Metric(
        "mttd_minutes",
        _PRIORITY,
        "minutes",
        Kind.DURATION,
        Better.LOWER,
        _overall("MTTD"),
        _mttd_target,
    ),
    Metric("mttr_minutes", _PRIORITY, "minutes", Kind.DURATION, Better.LOWER, "MTTR", _mttr_target),
    Metric("mttr_median_minutes", _PRIORITY, "minutes", Kind.DURATION, Better.LOWER, "MTTR median"),
    Metric("mttr_p90_minutes", _PRIORITY, "minutes", Kind.DURATION, Better.LOWER, "MTTR p90"),
    Metric(
        "utilization",
        "person:/role:/team:/site: and all",
        "share",
        Kind.SHARE,
        Better.BAND,
        "Utilization",
        _utilization_target,
    ),
    Metric("overtime_hours", _PEOPLE, "hours", Kind.HOURS, Better.LOWER, "Overtime hours"),
    Metric("callout_hours", _PEOPLE, "hours", Kind.HOURS, Better.LOWER, "Call-out hours"),
    Metric(
        "availability",
        "service id",
        "share",
        Kind.SHARE,
        Better.HIGHER,
        "Availability",
        _availability_target,
        decimals=3,
    ),
    Metric("availability_slo_met", "service id", "share", Kind.YES_NO, Better.HIGHER, "P(SLO met)"),
    Metric(
        "coverage_gap_hours",
        "role id, team: and tier:",
        "hours/week",
        Kind.HOURS,
        Better.LOWER,
        "Nobody on shift for",
    ),
    Metric(
        "on_shift",
        "role:<id>:<h>, tier:<id>:<h> and all:<h> (everyone), h the UTC hour "
        "of the week (0 = Monday 00:00); absent people are not on shift",
        "count",
        Kind.COUNT,
        Better.NONE,
        "People on shift",
    ),
    Metric(
        "personnel_cost",
        "person:/role:/team:/site: and all: a year, from the cost model",
        "money",
        Kind.MONEY,
        Better.LOWER,
        "Personnel cost a year",
    ),
    Metric(
        "cost_per_incident",
        "priority id and all: hands-on incident work at hourly cost, per incident",
        "money",
        Kind.MONEY,
        Better.LOWER,
        "Cost per incident",
    ),
    Metric(
        "budget_allocated",
        "budget line (with budget.total): the split's money a year",
        "money",
        Kind.MONEY,
        Better.NONE,
        "Budget allocated",
    ),
    Metric(
        "budget_implied",
        "personnel (with budget.total): what the staff cost as simulated, against the line",
        "money",
        Kind.MONEY,
        Better.NONE,
        lambda scenario, group: f"Staff cost against the {group} line",
        _personnel_budget_target,
    ),
    Metric(
        "surge_calls",
        "all (with budget.surge): people called in from off shift when a backlog built, "
        "paid by the contingency line",
        "count",
        Kind.COUNT,
        Better.NONE,
        "Surge calls",
    ),
    Metric(
        "deployments",
        "deployment source id and all (with changes): deployments in the window",
        "count",
        Kind.COUNT,
        Better.NONE,
        "Deployments",
    ),
    Metric(
        "change_success_rate",
        "deployment source id and all (with changes): share of deployments that did not fail",
        "share",
        Kind.SHARE,
        Better.HIGHER,
        "Change success rate",
        _change_success_target,
    ),
    Metric(
        "open_incidents", ALL, "count", Kind.COUNT, Better.LOWER, _overall("Open incidents (mean)")
    ),
    Metric("backlog_at_end", ALL, "count", Kind.COUNT, Better.LOWER, _overall("Backlog at end")),
    Metric(
        "utilization_part",
        "team:<id>:<part> and all:<part>; parts incident, postmortem, planned, stream, "
        "training, idle (they add up to 1)",
        "share",
        Kind.SHARE,
        Better.NONE,
        "Share of available time",
    ),
    Metric(
        "shrinkage",
        "role: and all: share of rostered time lost to absence, training and planned work",
        "share",
        Kind.SHARE,
        Better.LOWER,
        "Shrinkage",
    ),
    Metric("fte_present", "role: and all", "count", Kind.COUNT, Better.NONE, "FTE present"),
    Metric(
        "fte_required",
        "role: and all: heads that keep the role's rostered hours worked after shrinkage",
        "count",
        Kind.COUNT,
        Better.NONE,
        "FTE required",
    ),
    Metric(
        "training_completion",
        "team: and all: share of due training minutes done",
        "share",
        Kind.SHARE,
        Better.HIGHER,
        "Training completed",
        _training_target,
    ),
    Metric(
        "planned_completion",
        "planned operation id and all: share of attendees' planned minutes done",
        "share",
        Kind.SHARE,
        Better.HIGHER,
        "Planned work done",
    ),
    Metric("stream_items", "stream id and all", "count", Kind.COUNT, Better.NONE, "Stream items"),
    Metric(
        "stream_wait_minutes",
        "stream id and all: arrival to pick-up",
        "minutes",
        Kind.DURATION,
        Better.LOWER,
        "Stream wait",
    ),
    Metric(
        "stream_response_adherence",
        "stream id (streams with a response target)",
        "share",
        Kind.SHARE,
        Better.HIGHER,
        _stream_response_label,
        _stream_response_target,
    ),
    Metric(
        "team_response_adherence",
        "<priority>:<team> for each team a priority's classes engage",
        "share",
        Kind.SHARE,
        Better.HIGHER,
        _team_response_label,
        _response_target,
    ),
    Metric("pages", "person:/role:/team: and all", "count", Kind.COUNT, Better.LOWER, "Pages"),
    Metric(
        "page_share_max",
        "all: the largest share of all pages that one person took",
        "share",
        Kind.SHARE,
        Better.LOWER,
        "Largest share of pages, one person",
    ),
    Metric(
        "interruptions_per_month",
        "person:<name>:<bucket> and all:<bucket>; buckets business_hours, off_hours, "
        "sleep_hours (local time)",
        "count",
        Kind.COUNT,
        Better.LOWER,
        "Pages per month",
    ),
    Metric(
        "oncall_time_share",
        "person: (people in a rotation) and all (their mean)",
        "share",
        Kind.SHARE,
        Better.LOWER,
        "On call, share of time",
        _oncall_share_target,
    ),
    Metric(
        "incidents_per_oncall_shift",
        "person: and all: pages acknowledged per 12 hours on call",
        "count",
        Kind.COUNT,
        Better.LOWER,
        "Incidents per 12 h on call",
        _incidents_per_shift_target,
    ),
    Metric(
        "sleep_lost_hours",
        "person: and all (with fatigue): sleep lost to pages",
        "hours",
        Kind.HOURS,
        Better.LOWER,
        "Sleep lost to pages",
    ),
    Metric(
        "alertness_at_ack",
        "all (mean), p10 (10th percentile) and person: (mean, for who acknowledged a page), "
        "TPM scale; below 7 is sleepy and risky",
        "count",
        Kind.COUNT,
        Better.HIGHER,
        "Alertness at acknowledgement",
    ),
    Metric(
        "asleep_at_page_share",
        "all: share of acknowledged pages that woke the person",
        "share",
        Kind.SHARE,
        Better.LOWER,
        "Pages that woke someone",
    ),
    Metric(
        "fatigued_work_share",
        "all: share of work done off shift begun with alertness below 7",
        "share",
        Kind.SHARE,
        Better.LOWER,
        "Night work done tired",
    ),
    Metric(
        "redone_night_work",
        "all: tasks done off shift that failed from fatigue and were partly done again",
        "count",
        Kind.COUNT,
        Better.LOWER,
        "Night work redone",
    ),
    Metric(
        "leave_days_untaken",
        "all (with annual leave): leave days that found no room under max_away_per_role",
        "count",
        Kind.COUNT,
        Better.LOWER,
        "Leave days not taken",
    ),
    Metric("leavers", "role: and all (attrition on)", "count", Kind.COUNT, Better.LOWER, "Leavers"),
    Metric(
        "attrition",
        "all: leavers per head per year (over the months decided in the window)",
        "share",
        Kind.COUNT,  # a rate a year: it can exceed 100%
        Better.LOWER,
        "Turnover a year",
        _attrition_target,
    ),
    Metric(
        "vacancy_days",
        "all: days seats stood empty after someone left",
        "count",
        Kind.COUNT,
        Better.LOWER,
        "Days of empty seats",
    ),
    Metric(
        "escalation_timeouts",
        "priority id and all: pages not acknowledged within the escalation timeout",
        "count",
        Kind.COUNT,
        Better.LOWER,
        "Escalation timeouts",
    ),
    Metric(
        "stream_backlog_at_end",
        "stream id and all",
        "count",
        Kind.COUNT,
        Better.LOWER,
        "Stream backlog at end",
    ),
)


def _index(declared: Iterable[Metric]) -> Mapping[str, Metric]:
    index: dict[str, Metric] = {}
    for metric in declared:
        if metric.name in index:
            raise ValueError(f"metric {metric.name!r} is declared twice")
        index[metric.name] = metric
    return MappingProxyType(index)


METRICS: Mapping[str, Metric] = _index(_DECLARED)
"""Every metric by name, in declaration order."""


def lookup(name: str) -> Metric:
    """The metric called ``name``.

    Raises
    ------
    KeyError
        ``name`` is not catalogued; the message suggests close names.
    """
    try:
        return METRICS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(METRICS), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"unknown metric {name!r}{hint}") from None


def check_rows(rows: Iterable[tuple[str, str, float]], ranges: bool = True) -> None:
    """Check KPI rows ``(metric, group, value)`` against the catalogue.

    Raises
    ------
    KeyError
        A row names an uncatalogued metric.
    ValueError
        With ``ranges``, a finite value lies outside its kind's range.
    """
    for name, group, value in rows:
        low, high = lookup(name).kind.bounds
        if ranges and (value < low - _TOLERANCE or value > high + _TOLERANCE):  # nan passes
            raise ValueError(f"{name} for {group!r} is {value}, outside [{low}, {high}]")
