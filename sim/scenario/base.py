"""Building blocks shared by every scenario section: the strict base model, ids, clock times."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

from sim.scenario.zones import is_time_zone

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


_CLOCK = r"^([01]?\d|2[0-3]):[0-5]\d$|^24:00$"


def _clock_text(value):
    if not isinstance(value, str) or not re.fullmatch(_CLOCK, value.strip()):
        shown = repr(value[:20]) if isinstance(value, str) else str(value)
        raise ValueError(f"expected a clock time 'HH:MM' from 00:00 to 24:00, got {shown}")
    return value.strip().zfill(5)  # 7:00 -> 07:00


Clock = Annotated[str, StringConstraints(pattern=_CLOCK), BeforeValidator(_clock_text)]
ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 3660
"""Longest horizon: ten years (shift calendars and time arithmetic stay exact and small)."""
FIRST_START, LAST_START = dt.date(1970, 1, 1), dt.date(2200, 12, 31)
"""Calendar starts for which time-zone rules and timestamps are well defined."""
MAX_COUNT = 10_000
"""Largest headcount of one role at one site and shift."""
MAX_ITEMS = 1_000
"""Most items in any list of the scenario (roles, classes, sites...): checks that pair
classes with roles stay quick, and no real organisation comes near it."""
MAX_STEPS = 20
"""Most resolution steps of one incident class (escalation tiers rarely exceed five)."""
MAX_HOLIDAYS = 5_000
"""Most holidays of one site."""


class FrozenDict(dict):
    """A dict that refuses changes, so a validated scenario stays as validated."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("scenario mappings are immutable; build a new scenario instead")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __reduce__(self):
        return FrozenDict, (dict(self),)


def _frozen(value: dict) -> FrozenDict:
    return FrozenDict(value)


class Model(BaseModel):
    """Base for every scenario section: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        validate_default=True,
        allow_inf_nan=False,
    )


def _check_zone(name: str) -> str:
    if name.upper() == "UTC":
        return "UTC"
    if not is_time_zone(name):
        raise ValueError("unknown IANA time zone (e.g. 'Europe/Berlin')")
    return name


def _a_flag(value):
    # pydantic would read 'yes', 'on', 1 and 0.0 as booleans; a scenario says true or false
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_shown(value)}")
    return value


def _a_date(value):
    # pydantic would read a number as seconds since 1970
    if isinstance(value, bool | int | float):
        raise ValueError(f"expected a date YYYY-MM-DD, got {_shown(value)}")
    return value


def _shown(value) -> str:
    return repr(value[:20]) if isinstance(value, str) else str(value)[:20]


Flag = Annotated[bool, BeforeValidator(_a_flag)]
"""true or false, nothing else."""
Date = Annotated[dt.date, BeforeValidator(_a_date)]
"""A calendar date (YYYY-MM-DD); numbers are refused."""
