"""The cost card: what the people cost a year by team and site, and the budget against it."""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.catalogue import ALL
from sim.scenario.money import LINES
from sim.scenario.schema import Scenario


def render_costs(summary: pd.DataFrame, scenario: Scenario) -> str:
    """Annual personnel cost by team and site, cost per incident, and the budget split."""
    rows = {(r.metric, r.group): r for r in summary.itertuples(index=False)}
    if ("personnel_cost", ALL) not in rows:
        return ""
    if not any(role.hourly_cost for role in scenario.roles):
        return "Cost: no role has an hourly_cost, so the people cannot be priced"
    out = ["Cost a year (personnel, from the cost model; mean and 95% CI)"]
    for level, items in (("team", scenario.teams), ("site", scenario.sites)):
        for item in items:
            out.append(
                _line(f"{level} {item.id}", rows.get(("personnel_cost", f"{level}:{item.id}")))
            )
    out.append(_line("all", rows[("personnel_cost", ALL)]))
    out.append(_line("per incident (hands-on work)", rows.get(("cost_per_incident", ALL))))
    return "\n".join(out + _budget_lines(rows, scenario))


def _line(label: str, row) -> str:
    if row is None or math.isnan(row.mean):
        return f"  {label:<34}{'n/a':>14}"
    ci = "" if math.isnan(row.ci_low) else f"[{row.ci_low:,.0f}, {row.ci_high:,.0f}]"
    return f"  {label:<34}{row.mean:>14,.0f}  {ci}"


def _budget_lines(rows, scenario: Scenario) -> list[str]:
    budget = scenario.budget
    if not budget.total:
        return ["  no budget: give budget.total (and budget.split) to set the cost against it"]
    head = f"  {'line':<16}{'split':>7}{'reference':>11}{'allocated':>14}{'staff cost':>14}  note"
    out = [f"Budget: {budget.total:,.0f} a year", head, "  " + "-" * (len(head) - 2)]
    for line in LINES:
        allocated = budget.allocated(line)
        needed = rows.get(("budget_implied", line))
        value = f"{needed.mean:>14,.0f}" if needed is not None else " " * 14
        note = _note(line, allocated, needed)
        share, reference = budget.split.get(line, 0), budget.reference.split.get(line, 0)
        out.append(f"  {line:<16}{share:>6g}%{reference:>10g}%{allocated:>14,.0f}{value}  {note}")
    if budget.surge is not None:
        used = rows.get(("surge_calls", ALL))
        days = scenario.calendar.days
        made = "" if used is None else f"; {used.mean:.1f} made after the warm-up"
        out.append(
            f"  contingency pays {budget.surge_calls(1.0):,} surge calls a year at "
            f"{budget.surge.call_cost:,.0f} each ({budget.surge_calls(days / 365.0):,} over the "
            f"run's {days} days, warm-up included){made}"
        )
    return out


def _note(line: str, allocated: float, needed) -> str:
    if line != "personnel" or needed is None:
        return ""
    if needed.ci_low > allocated:
        return "the staff cost more than the line pays"
    if needed.ci_high > allocated:
        return "the staff may cost more than the line pays"
    return ""
