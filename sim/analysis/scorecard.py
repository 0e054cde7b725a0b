"""The scorecard: headline KPIs next to their targets, with an honest verdict.

The card is an ordered list of entries, each naming catalogued metrics and the
groups to show them for; labels, units and targets come from
:mod:`sim.analysis.catalogue`, which also holds the verdict rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.analysis.catalogue import ALL, MISS, NONE, OK, UNSURE, Kind, Metric, lookup
from sim.scenario.schema import Scenario

__all__ = ["CARD", "MISS", "NONE", "OK", "UNSURE", "Entry", "Line", "entry", "render", "scorecard"]

Selector = Callable[[Scenario], Iterable[str]]


@dataclass(frozen=True)
class Line:
    """One scorecard line."""

    label: str
    metric: str
    group: str
    mean: float
    ci_low: float
    ci_high: float
    target: str
    verdict: str
    unit: str


def priorities(scenario: Scenario) -> list[str]:
    """Each priority's group."""
    return [p.id for p in scenario.priorities]


def teams(scenario: Scenario) -> list[str]:
    """Each team's group."""
    return [f"team:{t.id}" for t in scenario.teams]


def tiers(scenario: Scenario) -> list[str]:
    """Each tier's group."""
    return [f"tier:{t.id}" for t in scenario.tiers]


def services(scenario: Scenario) -> list[str]:
    """Each service's group."""
    return [s.id for s in scenario.services]


def engaged(scenario: Scenario) -> list[str]:
    """``<priority>:<team>`` for the teams each parallel priority engages."""
    found: dict[str, None] = {}
    for cls in scenario.incidents.classes:
        if cls.priority in scenario.escalation.parallel:
            for team in scenario.engaged_teams(cls):
                found[f"{cls.priority}:{team}"] = None
    return list(found)


def streams(scenario: Scenario) -> list[str]:
    """Each work stream's group."""
    return [s.id for s in scenario.streams]


def personnel_line(scenario: Scenario) -> list[str]:
    """The budget's personnel line (its money against what the staff cost)."""
    return ["personnel"]


def overall(scenario: Scenario) -> list[str]:
    """The whole organisation."""
    return [ALL]


@dataclass(frozen=True)
class Entry:
    """Lines for ``metrics`` over the groups ``groups`` selects, metrics side by side per group.

    Raises
    ------
    KeyError
        A metric is not in the catalogue.
    """

    metrics: tuple[str, ...]
    groups: Selector = overall

    def __post_init__(self) -> None:
        for name in self.metrics:
            lookup(name)


def entry(*metrics: str, groups: Selector = overall) -> Entry:
    """A card entry: ``entry("availability", "availability_slo_met", groups=services)``."""
    return Entry(metrics, groups)


CARD: tuple[Entry, ...] = (
    entry("response_sla_adherence", groups=priorities),
    entry("response_sla_adherence"),
    entry("mtta_minutes", groups=priorities),
    entry("mttd_minutes"),
    entry("mttr_minutes", groups=priorities),
    entry("mttr_median_minutes"),
    entry("mttr_p90_minutes"),
    entry("utilization", groups=teams),
    entry("utilization"),
    entry("team_response_adherence", groups=engaged),
    entry("training_completion"),
    entry("attrition"),
    entry("planned_completion"),
    entry("stream_response_adherence", groups=streams),
    entry("stream_wait_minutes", groups=streams),
    entry("coverage_gap_hours", groups=teams),
    entry("coverage_gap_hours", groups=tiers),
    entry("availability", "availability_slo_met", groups=services),
    entry("change_success_rate"),
    entry("budget_implied", groups=personnel_line),
    entry("incidents", groups=priorities),
    entry("overtime_hours"),
    entry("callout_hours"),
    entry("backlog_at_end"),
)
"""The headline card, in reading order."""


def scorecard(
    summary: pd.DataFrame, scenario: Scenario, card: Sequence[Entry] = CARD
) -> list[Line]:
    """Headline KPIs with targets and verdicts, in the card's order.

    A (metric, group) with no row in ``summary`` is left out.
    """
    index = {(r.metric, r.group): r for r in summary.itertuples(index=False)}
    lines: list[Line] = []
    for item in card:
        metrics = [lookup(name) for name in item.metrics]
        for group in item.groups(scenario):
            for metric in metrics:
                row = index.get((metric.name, group))
                if row is not None:
                    lines.append(_line(metric, group, row, scenario))
    return lines


def _line(metric: Metric, group: str, row, scenario: Scenario) -> Line:
    target = metric.target_for(scenario, group)
    verdict = target.verdict(row.mean, row.ci_low, row.ci_high) if target else NONE
    label = metric.label_for(scenario, group)
    text = target.text if target else ""
    return Line(
        label, metric.name, group, row.mean, row.ci_low, row.ci_high, text, verdict, _unit(metric)
    )


def _unit(metric: Metric) -> str:
    """The render code of a metric's unit: ``%%`` is a share shown to three decimals,
    ``money`` whole amounts with thousands separated."""
    if metric.kind is Kind.MONEY:
        return "money"
    return "%%" if metric.symbol == "%" and metric.decimals == 3 else metric.symbol


def render(lines: list[Line], title: str = "") -> str:
    """A plain-text table of scorecard lines."""
    width = max([34, *(len(line.label) for line in lines)])
    header = f"{'KPI':<{width}} {'mean':>12} {'95% CI':>27}  {'target':<14} verdict"
    out = [title, header, "-" * len(header)] if title else [header, "-" * len(header)]
    for line in lines:
        fmt = formatter(line.unit)
        ci = f"[{fmt(line.ci_low)}, {fmt(line.ci_high)}]" if not math.isnan(line.ci_low) else ""
        out.append(
            f"{line.label:<{width}} {fmt(line.mean):>12} {ci:>27}  {line.target:<14} "
            f"{line.verdict}".rstrip()
        )
    out.append(
        "verdict: ok = the whole 95% CI meets the target, MISS = the whole CI misses it, "
        "~ = undecided (more replications)"
    )
    return "\n".join(out)


def formatter(unit: str):
    if unit == "%":
        return lambda v: "n/a" if math.isnan(v) else f"{v:.1%}"
    if unit == "%%":
        return lambda v: "n/a" if math.isnan(v) else f"{v:.3%}"
    if unit == "money":
        return lambda v: "n/a" if math.isnan(v) else f"{v:,.0f}"
    suffix = f" {unit}" if unit else ""
    return lambda v: "n/a" if math.isnan(v) else f"{v:,.1f}{suffix}"


def judged(summary: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """``summary`` with each card line's label, unit, target and verdict beside its figures
    (empty for rows that are not on the card), for tables a reader judges without opsim."""
    lines = {(line.metric, line.group): line for line in scorecard(summary, scenario)}
    keys = list(zip(summary["metric"], summary["group"], strict=True))
    found = [lines.get(key) for key in keys]
    table = summary.copy()
    table["label"] = [line.label if line else "" for line in found]
    table["unit"] = [line.unit if line else "" for line in found]
    table["target"] = [line.target if line else "" for line in found]
    table["verdict"] = [line.verdict if line else "" for line in found]
    return table
