"""What the people cost, a year, and the budget against it: pure functions over a run.

Costs are annualised from the measured window. An employee is paid
``costs.paid_hours_per_year`` at the role's hourly cost times the site's cost
level, pro rata for the part of the window they were employed (not before they
joined, not while their seat stood empty), and rostered hours beyond those at
the overtime rate; a contractor is paid for the hours present. Overtime and
call-out hours add their premiums, and each turn on call its stipend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.catalogue import ALL
from sim.model import calendar
from sim.model.records import RunRecord
from sim.scenario.money import LINES
from sim.scenario.schema import Scenario

Row = tuple[str, str, float]


def cost_rows(record: RunRecord, scenario: Scenario, people: pd.DataFrame) -> list[Row]:
    """Personnel cost a year per person, role, team, site and all; cost per incident; budget."""
    cost = personnel_cost(record, scenario, people)
    rows = [
        ("personnel_cost", f"person:{p}", float(c))
        for p, c in zip(people["person"], cost, strict=True)
    ]
    for level in ("role", "team", "site"):
        for key, total in cost.groupby(people[level].to_numpy(), sort=False).sum().items():
            rows.append(("personnel_cost", f"{level}:{key}", float(total)))
    rows.append(("personnel_cost", ALL, float(cost.sum())))
    rows += incident_cost_rows(record, scenario, people)
    return rows + budget_rows(scenario, float(cost.sum()))


def personnel_cost(record: RunRecord, scenario: Scenario, people: pd.DataFrame) -> pd.Series:
    """Each person's cost a year (index as ``people``)."""
    costs = scenario.costs
    year = _years(record)
    rate = people["hourly_cost"] * people["site"].map(costs.level)
    scheduled = people["scheduled_hours"].replace(0, np.nan)
    employed = (1 - (people["joining_hours"] + people["vacant_hours"]) / scheduled).fillna(1.0)
    # an employee rostered beyond full time (a 24/7 rota of few people) is paid those hours too,
    # at the overtime rate
    rostered = (people["scheduled_hours"] - people["joining_hours"] - people["vacant_hours"]) / year
    beyond = (rostered - costs.paid_hours_per_year * employed).clip(lower=0)
    base = np.where(
        people["employment"] == "contractor",
        rate * people["available_hours"] / year,
        rate * (costs.paid_hours_per_year * employed + beyond * (1 + costs.overtime_premium)),
    )
    premiums = (
        (
            people["overtime_hours"] * (1 + costs.overtime_premium)
            + people["callout_hours"] * (1 + costs.callout_premium)
        )
        * rate
        / year
    )
    turns = _turns(record) * costs.oncall_stipend / year
    return pd.Series(base, index=people.index) + premiums + turns


def _years(record: RunRecord) -> float:
    """The measured window in years."""
    return (record.horizon - record.warmup) / calendar.MINUTES_PER_DAY / 365.0


def _turns(record: RunRecord) -> np.ndarray:
    """Turns on call each person began in the window."""
    counts = np.zeros(len(record.people))
    for start, _end, person, _layer in record.oncall:
        if record.warmup <= start < record.horizon:
            counts[person] += 1
    return counts


def incident_cost_rows(record: RunRecord, scenario: Scenario, people: pd.DataFrame) -> list[Row]:
    """Cost of the hands-on incident work per incident, by priority and all."""
    rate = people["hourly_cost"] * people["site"].map(scenario.costs.level)
    started = record.incidents.started
    measured = (started >= record.warmup) & (started < record.horizon)
    classes = scenario.incidents.classes
    priority = np.array([classes[k].priority for k in record.incidents.cls], dtype=object)
    rows, spent, count = [], 0.0, 0
    for p in scenario.priorities:
        column = f"busy_{p.id}_hours"
        cost = float((people[column] * rate).sum()) if column in people else 0.0
        n = int((measured & (priority == p.id)).sum()) if len(priority) else 0
        rows.append(("cost_per_incident", p.id, cost / n if n else np.nan))
        spent, count = spent + cost, count + n
    return [*rows, ("cost_per_incident", ALL, spent / count if count else np.nan)]


def budget_rows(scenario: Scenario, personnel: float) -> list[Row]:
    """Each line's money a year, and what the scenario implies it needs."""
    budget = scenario.budget
    if not budget.total:
        return []
    rows = [("budget_allocated", line, budget.allocated(line)) for line in LINES]
    return [*rows, ("budget_implied", "personnel", personnel)]  # the one line a run prices


def surge_rows(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Surge calls the contingency line paid for in the window."""
    if scenario.budget.surge is None or not scenario.budget.total:
        return []
    calls = sum(1 for when, _ in record.surges if record.warmup <= when < record.horizon)
    return [("surge_calls", ALL, float(calls))]
