"""Absence: annual leave taken in blocks, and sick leave in spells.

The section's defaults mean nobody is ever absent, so a scenario without it
runs as before. Leave entitlements are per site (a country's statutory leave
differs); sickness is one rate for everyone. Days here are working days of a
person's own shift pattern, except a sick spell's length, which is calendar days.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from sim.scenario.base import MAX_COUNT, Id, Model, _frozen
from sim.scenario.distributions import Distribution, Lognormal, Number, Whole

DAYS_PER_YEAR = 366
"""Most days of absence per person per year a scenario may ask for."""

LeaveDays = Annotated[Number, Field(ge=0, le=DAYS_PER_YEAR)]


class Absence(Model):
    """Who is away when: annual leave and sickness (none unless set)."""

    annual_leave_days: Annotated[dict[Id, LeaveDays], AfterValidator(_frozen)] = Field(
        default_factory=dict,
        description="Site id -> working days of annual leave per person per year, prorated "
        "to the horizon; people at sites not listed take none.",
    )
    leave_block_days: Whole = Field(
        5,
        ge=1,
        le=DAYS_PER_YEAR,
        description="Leave is taken in blocks of this many consecutive working days (the "
        "last block of a person may be shorter).",
    )
    max_away_per_role: Whole = Field(
        1,
        ge=1,
        le=MAX_COUNT,
        description="At most this many people of one role (across sites) on annual leave "
        "at once; a block that cannot fit is not taken. Sick leave ignores it.",
    )
    sick_days_per_year: Number = Field(
        0,
        ge=0,
        le=DAYS_PER_YEAR,
        description="Working days lost to sickness per person per year (all sites); "
        "e.g. 5 to 8 in European offices.",
    )
    sick_spell_days: Distribution = Field(
        Lognormal(median=2, p95=7),
        description="Length of one sick spell in calendar days, rounded up to whole days "
        "(at least 1).",
    )
