"""What a budget split does to a scenario: the scenario as the money leaves it.

:func:`effective` applies each line's effect curves (:mod:`sim.scenario.effects`)
and the personnel line's headcount to a scenario written at its budget's
reference split. It is a pure function, applied once before simulating, so a
results folder keeps the scenario as written (re-running it applies the same
effects again, never twice). Without ``budget.total`` nothing changes.
"""

from __future__ import annotations

from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.bounds import MAX_PEOPLE
from sim.scenario.effects import EFFECT_LINE
from sim.scenario.money import Budget
from sim.scenario.schema import IncidentClass, Role, Scenario


def effective(scenario: Scenario) -> Scenario:
    """The scenario with its budget's effects applied (itself when it has no budget)."""
    budget = scenario.budget
    if not budget.total:
        return scenario
    effects, factors = budget.effects, effect_factors(budget)
    resolved = 1.0 - factors["self_resolving"]
    classes = tuple(
        _class(c, factors, resolved if c.priority in effects.self_resolving.priorities else 0)
        for c in scenario.incidents.classes
    )
    streams = tuple(
        s.model_copy(update={"rate_per_day": s.rate_per_day * factors["alert_noise"]})
        if s.id in effects.alert_noise.streams
        else s
        for s in scenario.streams
    )
    deployments = tuple(
        d.model_copy(update={"failure_rate": min(1.0, d.failure_rate * factors["change_failure"])})
        for d in scenario.changes.deployments
    )
    changed = scenario.model_copy(
        update={
            "incidents": scenario.incidents.model_copy(update={"classes": classes}),
            "streams": streams,
            "changes": scenario.changes.model_copy(update={"deployments": deployments}),
        }
    )
    return _staffed(changed)


def effect_factors(budget: Budget) -> dict[str, float]:
    """What each effect multiplies its figure by at this split (self_resolving: the share of
    its priorities' incidents left to people)."""
    effects = budget.effects
    factors = {
        name: getattr(effects, name).factor(budget.ratio(line))
        for name, line in EFFECT_LINE.items()
        if name != "self_resolving"
    }
    factors["self_resolving"] = 1.0 - effects.self_resolving.share(
        budget.ratio(EFFECT_LINE["self_resolving"])
    )
    return factors


def _class(cls: IncidentClass, factors: dict[str, float], resolved: float) -> IncidentClass:
    steps = tuple(
        s.model_copy(
            update={
                "effort": s.effort.scaled(factors["resolution"]),
                "escalate": min(1.0, s.escalate * factors["escalation"]),
            }
        )
        for s in cls.resolution
    )
    return cls.model_copy(
        update={
            "rate_per_day": cls.rate_per_day * factors["incident_rate"] * (1.0 - resolved),
            "detection": cls.detection.scaled(factors["detection"]),
            "triage": cls.triage.scaled(factors["triage"]),
            "resolution": steps,
        }
    )


def annual_cost(scenario: Scenario, role: Role, site: str) -> float:
    """What one more person in ``role`` at ``site`` costs a year (before premiums)."""
    rate = role.hourly_cost * scenario.costs.level(site)
    if role.employment == "contractor":  # paid for the hours present
        return rate * scenario.work_rules.fte_hours_per_week * 52
    return rate * scenario.costs.paid_hours_per_year


def staff_cost(scenario: Scenario) -> float:
    """What the staff as written cost a year at the cost model's rates (before premiums)."""
    return sum(
        line.count * annual_cost(scenario, role, line.site)
        for role in scenario.roles
        for line in role.staff
    )


def _staffed(scenario: Scenario) -> Scenario:
    """Headcount the personnel line buys: money above its reference hires (whole people, in
    the hire order); a line that cannot pay the staff as written lets people go."""
    budget = scenario.budget
    if not budget.hire_order:
        return scenario
    counts = {r.id: [s.count for s in r.staff] for r in scenario.roles}
    extra = budget.allocated("personnel") - budget.reference_money("personnel")
    short = staff_cost(scenario) - budget.allocated("personnel")
    if short > 0:
        _let_go(scenario, counts, short)
    elif extra > 0:
        _hire(scenario, counts, extra)
    else:
        return scenario
    return _with_counts(scenario, counts)


def _hire(scenario: Scenario, counts: dict[str, list[int]], money: float) -> None:
    """One person per role of the hire order in turn, at its first staffing line, while the
    money pays a whole person (and the organisation stays within opsim's bound)."""
    roles = [r for r in scenario.roles if r.id in scenario.budget.hire_order]
    costs = {r.id: annual_cost(scenario, r, r.staff[0].site) for r in roles}
    order = [r for r in scenario.budget.hire_order if costs[r] > 0]
    people = sum(sum(n) for n in counts.values())
    rounds = int(money // sum(costs[r] for r in order)) if order else 0
    if people + rounds * len(order) > MAX_PEOPLE:
        raise ScenarioError(
            [
                "budget: the personnel line's money above its reference would hire more people "
                f"than opsim simulates (at most {MAX_PEOPLE:,} in all)"
            ]
        )
    for role_id in order:  # whole rounds at once, then one by one
        counts[role_id][0] += rounds
    money -= rounds * sum(costs[r] for r in order)
    for role_id in order:
        if costs[role_id] <= money:
            counts[role_id][0] += 1
            money -= costs[role_id]


def _let_go(scenario: Scenario, counts: dict[str, list[int]], short: float) -> None:
    """One person per role of the hire order in reverse turn, from its last staffing line,
    until the line pays the staff (or nobody of those roles is left to let go)."""
    roles = scenario.by_id("roles")
    while short > 0:
        gone = False
        for role_id in reversed(scenario.budget.hire_order):
            lines, role = counts[role_id], roles[role_id]
            if short <= 0 or not any(lines):
                continue
            last = max(k for k, n in enumerate(lines) if n)
            cost = annual_cost(scenario, role, role.staff[last].site)
            if cost <= 0:
                continue  # letting go of someone who costs nothing pays for nothing
            lines[last] -= 1
            short -= cost
            gone = True
        if not gone:
            return


def _with_counts(scenario: Scenario, counts: dict[str, list[int]]) -> Scenario:
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for role in data["roles"]:
        for line, count in zip(role["staff"], counts[role["id"]], strict=True):
            line["count"] = count
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
        lines = [line for problem in problems for line in problem.splitlines()]
        raise ScenarioError(
            [f"budget: with the staff the personnel line pays, {line}" for line in lines]
        ) from None


def headcount_changes(scenario: Scenario, funded: Scenario) -> list[str]:
    """``noc-operator 1 -> 3``: each role whose headcount the budget changed."""
    before = {r.id: scenario.headcount(r) for r in scenario.roles}
    return [
        f"{r.id} {before[r.id]} -> {funded.headcount(r)}"
        for r in funded.roles
        if funded.headcount(r) != before.get(r.id)
    ]
