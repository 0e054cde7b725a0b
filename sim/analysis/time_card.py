"""Where people's time goes: utilization by part per team, people outside the band, and FTE.

Read from a summary of KPI rows (``metric, group, mean, ci_low, ci_high``), like
the scorecard. Parts are shares of available on-shift time (rostered minus
absence) and add up to 1; utilization is every part but idle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sim.analysis.catalogue import ALL, MISS, Target, lookup
from sim.analysis.metrics import PARTS
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Figure:
    """A mean with its 95% interval (nan when not measured)."""

    mean: float
    low: float
    high: float

    def share(self, decimals: int = 1) -> str:
        """As a percentage, ``n/a`` when unknown."""
        return "n/a" if math.isnan(self.mean) else f"{self.mean:.{decimals}%}"

    def share_interval(self) -> str:
        """The interval as ``[a%, b%]`` (empty for one replication)."""
        if math.isnan(self.low):
            return ""
        return f"[{self.low:.1%}, {self.high:.1%}]"


@dataclass(frozen=True)
class TeamTime:
    """One team's (or everyone's) day, split into parts."""

    group: str
    utilization: Figure
    verdict: str
    parts: dict[str, Figure]


@dataclass(frozen=True)
class RoleStaffing:
    """A role's heads against the FTE its rostered hours need after shrinkage."""

    role: str
    present: float
    required: Figure
    shrinkage: Figure


class _Summary:
    def __init__(self, summary: pd.DataFrame):
        self._rows = {(r.metric, r.group): r for r in summary.itertuples(index=False)}

    def figure(self, metric: str, group: str) -> Figure:
        row = self._rows.get((metric, group))
        if row is None:
            return Figure(math.nan, math.nan, math.nan)
        return Figure(row.mean, row.ci_low, row.ci_high)

    def groups(self, metric: str, prefix: str) -> list[str]:
        return [g for m, g in self._rows if m == metric and g.startswith(prefix)]


def team_time(summary: pd.DataFrame, scenario: Scenario) -> list[TeamTime]:
    """Utilization and its parts for every team and for all, with the band's verdict."""
    data, band = _Summary(summary), _band(scenario)
    out = []
    for group in [*(f"team:{t.id}" for t in scenario.teams), ALL]:
        use = data.figure("utilization", group)
        parts = {p: data.figure("utilization_part", f"{group}:{p}") for p in PARTS}
        out.append(TeamTime(group, use, band.verdict(use.mean, use.low, use.high), parts))
    return out


def people_outside(summary: pd.DataFrame, scenario: Scenario) -> list[tuple[str, Figure, str]]:
    """People whose whole utilization interval lies outside the band: (name, figure, side)."""
    data, band = _Summary(summary), _band(scenario)
    out = []
    for group in data.groups("utilization", "person:"):
        use = data.figure("utilization", group)
        if band.verdict(use.mean, use.low, use.high) == MISS:
            side = "over" if use.mean > scenario.targets.utilization.high else "under"
            out.append((group.split(":", 1)[1], use, side))
    return sorted(out, key=lambda item: -item[1].mean)


def role_staffing(summary: pd.DataFrame, scenario: Scenario) -> list[RoleStaffing]:
    """FTE present and required, and shrinkage, per role and for all."""
    data = _Summary(summary)
    out = []
    for group in [*(f"role:{r.id}" for r in scenario.roles), ALL]:
        present = data.figure("fte_present", group).mean
        if math.isnan(present):
            continue
        required = data.figure("fte_required", group)
        out.append(RoleStaffing(group, present, required, data.figure("shrinkage", group)))
    return out


def _band(scenario: Scenario) -> Target:
    return lookup("utilization").target_for(scenario, ALL)


def render_time(summary: pd.DataFrame, scenario: Scenario) -> str:
    """The time table, the people outside the band and the FTE table, as plain text."""
    band = scenario.targets.utilization
    head = f"{'team':<16}{'utilization':>12} {'95% CI':>17}  {'band':<8}{'verdict':<8}"
    head += "".join(f"{p:>11}" for p in PARTS)
    out = [
        "Where on-shift time goes (shares of available time: rostered minus absence)",
        head,
        "-" * len(head),
    ]
    for team in team_time(summary, scenario):
        name = team.group.split(":", 1)[-1]
        out.append(
            f"{name:<16}{team.utilization.share():>12} {team.utilization.share_interval():>17}  "
            f"{f'{band.low:.0%}-{band.high:.0%}':<8}{team.verdict:<8}"
            + "".join(f"{team.parts[p].share():>11}" for p in PARTS)
        )
    out += _outside_lines(summary, scenario)
    out += _staffing_lines(summary, scenario)
    return "\n".join(out)


def _outside_lines(summary: pd.DataFrame, scenario: Scenario) -> list[str]:
    outside = people_outside(summary, scenario)
    band = scenario.targets.utilization
    if not outside:
        return ["", f"Nobody's whole 95% CI lies outside {band.low:.0%}-{band.high:.0%}."]
    lines = ["", f"People outside {band.low:.0%}-{band.high:.0%} (whole 95% CI):"]
    for name, figure, side in outside:
        lines.append(f"  {name:<40} {figure.share():>7} {figure.share_interval():>17}  {side}")
    return lines


def _staffing_lines(summary: pd.DataFrame, scenario: Scenario) -> list[str]:
    staffing = role_staffing(summary, scenario)
    if not staffing:
        return []
    hours = scenario.work_rules.fte_hours_per_week
    head = f"{'role':<32}{'heads':>6}{'FTE required':>14} {'95% CI':>15}{'shrinkage':>11}"
    lines = ["", f"Staffing (1 FTE = {hours:g} rostered h/week)", head, "-" * len(head)]
    for s in staffing:
        name = s.role.split(":", 1)[-1]
        ci = "" if math.isnan(s.required.low) else f"[{s.required.low:.2f}, {s.required.high:.2f}]"
        required = "n/a" if math.isnan(s.required.mean) else f"{s.required.mean:.2f}"
        lines.append(f"{name:<32}{s.present:>6.1f}{required:>14} {ci:>15}{s.shrinkage.share():>11}")
    return lines
