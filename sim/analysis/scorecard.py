"""The scorecard: headline KPIs next to their targets, with an honest verdict.

A verdict uses the confidence interval, not just the mean: ``ok`` when the
whole interval meets the target, ``MISS`` when the whole interval misses it,
``~`` when the interval straddles it (more replications would tell).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sim.scenario.schema import Scenario

OK, MISS, UNSURE, NONE = "ok", "MISS", "~", ""


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


def scorecard(summary: pd.DataFrame, scenario: Scenario) -> list[Line]:
    """Headline KPIs with targets and verdicts, in reading order."""
    index = {(r.metric, r.group): r for r in summary.itertuples(index=False)}
    lines: list[Line] = []

    def add(label, metric, group, unit="", target="", check=None):
        row = index.get((metric, group))
        if row is None:
            return
        verdict = check(row.mean, row.ci_low, row.ci_high) if check else NONE
        lines.append(
            Line(label, metric, group, row.mean, row.ci_low, row.ci_high, target, verdict, unit)
        )

    goal = scenario.targets.response_sla_adherence
    for p in scenario.priorities:
        add(
            f"Response SLA {p.id} (<= {_minutes(p.response_minutes)})",
            "response_sla_adherence",
            p.id,
            "%",
            f">= {goal:.0%}",
            _at_least(goal),
        )
    add(
        "Response SLA, all", "response_sla_adherence", "all", "%", f">= {goal:.0%}", _at_least(goal)
    )
    for p in scenario.priorities:
        add(f"MTTA {p.id}", "mtta_minutes", p.id, "min")
    mttd = scenario.targets.mttd_minutes
    add(
        "MTTD",
        "mttd_minutes",
        "all",
        "min",
        f"<= {mttd:g}" if mttd else "",
        _at_most(mttd) if mttd else None,
    )
    for p in scenario.priorities:
        target = p.mttr_minutes
        add(
            f"MTTR {p.id}",
            "mttr_minutes",
            p.id,
            "min",
            f"<= {target:g}" if target else "",
            _at_most(target) if target else None,
        )
    add("MTTR median, all", "mttr_median_minutes", "all", "min")
    add("MTTR p90, all", "mttr_p90_minutes", "all", "min")
    band = scenario.targets.utilization
    for team in scenario.teams:
        add(
            f"Utilization {team.id}",
            "utilization",
            f"team:{team.id}",
            "%",
            f"{band.low:.0%}-{band.high:.0%}",
            _within(band.low, band.high),
        )
    add(
        "Utilization, all",
        "utilization",
        "all",
        "%",
        f"{band.low:.0%}-{band.high:.0%}",
        _within(band.low, band.high),
    )
    for tier in scenario.tiers:
        add(f"Nobody on shift for {tier.id}", "coverage_gap_hours", f"tier:{tier.id}", "h/wk")
    for s in scenario.services:
        add(f"Availability {s.id}", "availability", s.id, "%%", f">= {s.slo:.3%}", _at_least(s.slo))
        add(f"P(SLO met) {s.id}", "availability_slo_met", s.id, "%")
    for p in scenario.priorities:
        add(f"Incidents {p.id}", "incidents", p.id)
    add("Overtime hours, all", "overtime_hours", "all", "h")
    add("Call-out hours, all", "callout_hours", "all", "h")
    add("Backlog at end", "backlog_at_end", "all")
    return lines


def render(lines: list[Line], title: str = "") -> str:
    """A plain-text table of scorecard lines."""
    width = max([34, *(len(line.label) for line in lines)])
    header = f"{'KPI':<{width}} {'mean':>12} {'95% CI':>27}  {'target':<14} verdict"
    out = [title, header, "-" * len(header)] if title else [header, "-" * len(header)]
    for line in lines:
        fmt = _formatter(line.unit)
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


def _formatter(unit: str):
    if unit == "%":
        return lambda v: "n/a" if math.isnan(v) else f"{v:.1%}"
    if unit == "%%":
        return lambda v: "n/a" if math.isnan(v) else f"{v:.3%}"
    suffix = f" {unit}" if unit else ""
    return lambda v: "n/a" if math.isnan(v) else f"{v:,.1f}{suffix}"


def _minutes(value: float) -> str:
    return f"{value / 60:g} h" if value >= 60 else f"{value:g} min"


def _bounds(mean, low, high):
    if math.isnan(low):
        return mean, mean
    return low, high


def _at_least(target):
    def check(mean, low, high):
        if math.isnan(mean):
            return NONE
        lo, hi = _bounds(mean, low, high)
        return OK if lo >= target else MISS if hi < target else UNSURE

    return check


def _at_most(target):
    def check(mean, low, high):
        if math.isnan(mean):
            return NONE
        lo, hi = _bounds(mean, low, high)
        return OK if hi <= target else MISS if lo > target else UNSURE

    return check


def _within(low_target, high_target):
    def check(mean, low, high):
        if math.isnan(mean):
            return NONE
        lo, hi = _bounds(mean, low, high)
        if lo >= low_target and hi <= high_target:
            return OK
        return MISS if hi < low_target or lo > high_target else UNSURE

    return check
