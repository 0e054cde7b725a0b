"""Scenario section ``attrition``: people who leave under on-call burden, and empty seats.

Off by default. When on, each person's chance of leaving in a month is the base
turnover's monthly share, raised when the month brought them as many off-hours
pages as PagerDuty's "bad" or "burnout" bands. A leaver's seat stays empty for a
hiring lead time; the new hire then goes through the initial training
(``training.initial``).
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.base import Flag, Model
from sim.scenario.distributions import Distribution, Lognormal, Number


class Attrition(Model):
    """Who leaves, and how long their seat stays empty."""

    enabled: Flag = Field(False, description="Model people leaving and seats refilled.")
    annual_rate: Number = Field(
        0.13, ge=0, le=1, description="Base turnover a year (software, LinkedIn 2017: 13.2%)."
    )
    bad_multiplier: Number = Field(
        1.5, ge=1, le=20, description="x the monthly chance after >= 7 off-hours pages a month."
    )
    burnout_multiplier: Number = Field(
        2.5, ge=1, le=20, description="x the monthly chance after >= 19 off-hours pages a month."
    )
    hiring_days: Distribution = Field(
        Lognormal(median=60, p95=150),
        description="Days a seat stays empty (SOURCES.md §4.5: a hiring lag of 2-7 months).",
    )
    target: Number = Field(0.05, gt=0, le=1, description="Turnover a year to stay under.")
