"""What a metric is: its kind, which direction is better, its unit and label.

The declarations themselves are in :mod:`sim.analysis.catalogue`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING

from sim.analysis.verdicts import Label, Target, TargetRule, no_target

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

ALL = "all"

UNITS = MappingProxyType(
    {
        "share": "%",
        "minutes": "min",
        "hours": "h",
        "hours/week": "h/wk",
        "count": "",
        "money": "",
    }
)
"""Known units and the short symbol shown next to a value."""


class Kind(Enum):
    """What sort of number a metric is: fixes its range and its interval."""

    SHARE = "share"
    YES_NO = "yes/no"
    COUNT = "count"
    DURATION = "duration"
    HOURS = "hours"
    MONEY = "money"

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``: shares and yes/no outcomes lie in [0, 1], the rest are >= 0."""
        return (0.0, 1.0) if self in (Kind.SHARE, Kind.YES_NO) else (0.0, math.inf)


class Better(Enum):
    """Which direction of a metric is better."""

    HIGHER = "higher"
    LOWER = "lower"
    BAND = "band"
    NONE = "none"


@dataclass(frozen=True)
class Metric:
    """One metric's declaration.

    Attributes
    ----------
    name
        Name in the ``metric`` column of KPI rows.
    groups
        Which groups it is reported for (description).
    unit
        One of :data:`UNITS`.
    kind, better
        See :class:`Kind` and :class:`Better`.
    label
        A stem (``"MTTR"`` gives ``"MTTR P1"``, ``"MTTR sre"`` for ``team:sre``
        and ``"MTTR, all"``), or a function ``(scenario, group) -> str``.
    target
        ``(scenario, group) -> Target | None``.
    decimals
        Decimals shown for a share (availability needs three).
    """

    name: str
    groups: str
    unit: str
    kind: Kind
    better: Better
    label: str | Label
    target: TargetRule = no_target
    decimals: int = 1

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"metric {self.name!r}: unknown unit {self.unit!r}")

    @property
    def symbol(self) -> str:
        """The unit's short symbol (``"%"``, ``"min"``, ...)."""
        return UNITS[self.unit]

    def label_for(self, scenario: Scenario, group: str) -> str:
        """The human label of this metric for one group."""
        if callable(self.label):
            return self.label(scenario, group)
        return f"{self.label}, all" if group == ALL else f"{self.label} {bare(group)}"

    def target_for(self, scenario: Scenario, group: str) -> Target | None:
        """The target this metric has for one group, if any."""
        return self.target(scenario, group)


def bare(group: str) -> str:
    """A group without its level: ``team:sre`` -> ``sre``; ``P1`` stays ``P1``."""
    return group.split(":", 1)[-1]
