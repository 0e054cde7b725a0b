"""Scenario sections ``costs`` and ``budget``: what people cost, and what money buys.

The cost model prices the people the scenario has: each role's ``hourly_cost``
(fully loaded) times its site's cost level, for the hours an employee is paid
(a year of them, leave included) or a contractor is present, plus premiums for
overtime and call-outs and a stipend per turn on call.

The budget splits an annual total across lines. Money moved away from the
split the scenario was drawn up at (``reference``) changes what the
organisation can do, through the effect curves of :mod:`sim.scenario.effects`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sim.scenario.base import Id, Model, _frozen
from sim.scenario.distributions import Number
from sim.scenario.effects import Effects

LINES = ("personnel", "tools", "infrastructure", "training", "contingency")
"""The budget's lines, as in the seed's annual budget allocation."""
Line = Literal["personnel", "tools", "infrastructure", "training", "contingency"]
Percent = Annotated[Number, Field(ge=0, le=100)]
Level = Annotated[Number, Field(gt=0, le=100)]
SEED_SPLIT = {"personnel": 70, "tools": 15, "infrastructure": 10, "training": 3, "contingency": 2}


def _check_split(split) -> None:
    total = math.fsum(split.values())
    if abs(total - 100.0) > 1e-6:
        raise ValueError(f"the split's percentages add up to {total:g}, not 100")


class Costs(Model):
    """What an hour of each person costs, and what they are paid for."""

    site_levels: Annotated[dict[Id, Level], AfterValidator(_frozen)] = Field(
        default_factory=dict,
        description="Site id -> multiplier of each role's hourly_cost at that site (absent: 1).",
    )
    paid_hours_per_year: Number = Field(
        2080, gt=0, le=8784, description="Hours a year an employee is paid for, leave included."
    )
    overtime_premium: Number = Field(
        0.5, ge=0, le=10, description="Overtime hours cost (1 + premium) x the hourly cost."
    )
    callout_premium: Number = Field(
        0.5, ge=0, le=10, description="Call-out hours (work off shift when paged) likewise."
    )
    oncall_stipend: Number = Field(
        0, ge=0, description="Paid to a person for each turn on call (each rotation period)."
    )

    def level(self, site: str) -> float:
        """The cost level of a site (1 unless given)."""
        return self.site_levels.get(site, 1.0)


class Reference(Model):
    """The budget at which the scenario's times, rates and headcount hold as written."""

    total: Number | None = Field(None, gt=0, description="Absent: the budget's total.")
    split: Annotated[dict[Line, Percent], AfterValidator(_frozen)] = Field(
        default_factory=lambda: dict(SEED_SPLIT)
    )

    @model_validator(mode="after")
    def _whole(self):
        _check_split(self.split)
        return self


class Surge(Model):
    """What the contingency line buys: someone called in from off shift when a backlog builds.

    When an incident joins a queue that already holds ``backlog`` incidents waiting for the
    same people, and the line has money left for it, someone off shift is called in for the
    first of them (a call-out, paid at the call-out premium). The line pays for
    ``contingency money / call_cost`` calls a year.
    """

    backlog: Number = Field(3, ge=1, le=10_000, description="Incidents waiting before a call.")
    call_cost: Number = Field(
        600, gt=0, description="What one surge call costs (e.g. 4 h at $100/h, x 1.5)."
    )


class Budget(Model):
    """An annual budget split across lines, and what moving money between them does."""

    total: Number | None = Field(
        None, gt=0, description="Money a year; absent: no budget figures and no effects."
    )
    split: Annotated[dict[Line, Percent], AfterValidator(_frozen)] = Field(
        default_factory=lambda: dict(SEED_SPLIT),
        description="Percent of the total per line (they add up to 100).",
    )
    reference: Reference = Reference()
    effects: Effects = Effects()
    surge: Surge | None = Field(
        None, description="What contingency money buys; absent: the line has no effect."
    )
    hire_order: tuple[Id, ...] = Field(
        (),
        description="Roles that personnel money hires (in turn) or, when short, lets go "
        "(in reverse); empty: headcount stays as written.",
    )

    @model_validator(mode="after")
    def _whole(self):
        _check_split(self.split)
        return self

    def allocated(self, line: str) -> float:
        """Money a year for one line."""
        return (self.total or 0.0) * self.split.get(line, 0.0) / 100.0

    def surge_calls(self, years: float) -> int:
        """Surge calls the contingency line pays for over ``years`` (0 without a surge)."""
        if self.surge is None or not self.total:
            return 0
        return int(self.allocated("contingency") * years // self.surge.call_cost)

    def reference_money(self, line: str) -> float:
        """What the scenario as written implies for one line."""
        total = self.reference.total or self.total or 0.0
        return total * self.reference.split.get(line, 0.0) / 100.0

    def ratio(self, line: str) -> float:
        """Money for a line over the reference's (1 without a budget)."""
        reference = self.reference_money(line)
        if not self.total or reference == 0:
            return 1.0
        return self.allocated(line) / reference
