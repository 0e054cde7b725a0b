"""Targets and verdicts: a target as shown, and the rule that judges an interval against it.

A verdict uses the confidence interval, not just the mean: ``ok`` when the whole
interval meets the target, ``MISS`` when the whole interval misses it, ``~`` when
it straddles it (more replications would tell), and nothing when the mean is
undefined. With one replication there is no interval and the mean decides.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

OK, MISS, UNSURE, NONE = "ok", "MISS", "~", ""
_SLACK = 1e-9  # rounding slack of a verdict: 0.9999999999999998 of minutes done meets 100%

Check = Callable[[float, float, float], str]


@dataclass(frozen=True)
class Target:
    """A target as shown (``">= 95%"``) and the check that gives the verdict."""

    text: str
    check: Check
    edges: tuple[float, ...] = ()  # the goal, or the band's two ends: where charts draw it

    def verdict(self, mean: float, low: float, high: float) -> str:
        """``OK``, ``MISS``, ``UNSURE``, or ``NONE`` when the mean is undefined."""
        return self.check(mean, low, high)


TargetRule = Callable[["Scenario", str], Target | None]
Label = Callable[["Scenario", str], str]


def at_least(goal: float, fmt: str = "g") -> Target:
    """Target ``>= goal``, shown with format spec ``fmt``."""
    return Target(f">= {goal:{fmt}}", _at_least(goal), (goal,))


def at_most(goal: float, fmt: str = "g") -> Target:
    """Target ``<= goal``, shown with format spec ``fmt``."""
    return Target(f"<= {goal:{fmt}}", _at_most(goal), (goal,))


def within(low: float, high: float, fmt: str = ".0%") -> Target:
    """Target band ``low..high`` (edges inside), shown with format spec ``fmt``."""
    return Target(f"{low:{fmt}}-{high:{fmt}}", _within(low, high), (low, high))


def no_target(scenario: Scenario, group: str) -> None:
    """Target rule of a metric that is reported without a target."""
    return None


def _bounds(mean, low, high):
    if math.isnan(low):  # one replication: no interval, so no verdict either way
        return -math.inf, math.inf
    return low, high


def _at_least(target: float) -> Check:
    def check(mean, low, high):
        if math.isnan(mean):
            return NONE
        lo, hi = _bounds(mean, low, high)
        return OK if lo >= target - _SLACK else MISS if hi < target - _SLACK else UNSURE

    return check


def _at_most(target: float) -> Check:
    def check(mean, low, high):
        if math.isnan(mean):
            return NONE
        lo, hi = _bounds(mean, low, high)
        return OK if hi <= target + _SLACK else MISS if lo > target + _SLACK else UNSURE

    return check


def _within(low_target: float, high_target: float) -> Check:
    def check(mean, low, high):
        if math.isnan(mean):
            return NONE
        lo, hi = _bounds(mean, low, high)
        if lo >= low_target and hi <= high_target:
            return OK
        return MISS if hi < low_target or lo > high_target else UNSURE

    return check
