"""Scenario section ``fatigue``: what sleep loss does to people who are paged at night.

Off by default, so a scenario without it runs as before. When on, everyone sleeps
in their local ``oncall.sleep_hours`` when not at work, pages wake them, and their
alertness follows the Three-Process Model (:mod:`sim.model.fatigue`). The effect
curves below are linear in how far alertness is below the TPM's risk line (7):
``x (1 + slope x max(0, 7 - A))``.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.base import Flag, Model
from sim.scenario.distributions import Distribution, Lognormal, Number


class Fatigue(Model):
    """Sleep, alertness and their effect on acknowledging pages and on working."""

    enabled: Flag = Field(False, description="Model sleep and alertness.")
    wake_delay: Distribution = Field(
        Lognormal(median=3, p95=8),
        description="Extra minutes to acknowledge a page when asleep (SOURCES.md §1.6: 2-6).",
    )
    fall_asleep_minutes: Number = Field(
        20, ge=0, le=240, description="After night work, minutes before sleep comes back."
    )
    ack_slope: Number = Field(
        0.15, ge=0, le=10, description="Acknowledgement delay x (1 + slope x (7 - A))."
    )
    work_slope: Number = Field(
        0.15, ge=0, le=10, description="Work paged for at night x (1 + slope x (7 - A))."
    )
    redo_slope: Number = Field(
        0.05,
        ge=0,
        le=1,
        description="Chance that tired night work fails and is partly redone: slope x (7 - A), "
        "at most one half.",
    )
    redo_share: Number = Field(
        0.5, ge=0, le=1, description="Share of a failed task's work done again."
    )
