"""A site's public holidays: its country's (from the ``holidays`` package) and its own.

A site that names a ``country`` (and optionally a ``subdivision``) takes that
country's public holidays for every year of the horizon from the ``holidays``
package; the dates a site lists under ``holidays`` are added to them. Shifts do
not run on any of them (:func:`sim.model.staff.shift_schedule`).

Only the package's *public* category counts (not bank, government, optional or
half-day holidays), with its observed days (a holiday falling on a Sunday and
observed on the Monday gives both dates). The package covers years up to about
2100; later years have only the site's own dates.

The package is imported on first use, never at ``import sim``: it is not needed
for ``opsim --help``, nor for a scenario whose sites name no country.
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

__all__ = ["country_holidays", "holiday_years", "site_holidays"]


class _Site(Protocol):
    country: str | None
    subdivision: str | None
    holidays: tuple[date, ...]


def site_holidays(site: _Site, start: date, days: int) -> tuple[date, ...]:
    """Local dates with no shifts at ``site`` over a horizon of ``days`` from ``start``.

    Parameters
    ----------
    site
        A :class:`sim.scenario.schema.Site` (anything with ``country``,
        ``subdivision`` and ``holidays``).
    start : date
        Calendar start (the model epoch's date).
    days : int
        Horizon length in days.

    Returns
    -------
    tuple of date
        Sorted, without repeats: the country's public holidays in every year of
        :func:`holiday_years`, and the site's own ``holidays`` (all of them,
        inside the horizon or not).
    """
    found = set(site.holidays)
    if site.country is not None:
        years = holiday_years(start, days)
        found.update(country_holidays(site.country, site.subdivision, years))
    return tuple(sorted(found))


def holiday_years(start: date, days: int) -> tuple[int, ...]:
    """The years whose holidays can matter for a horizon: those it touches, and one either side.

    A local date may be a day before or after the UTC date of the same instant,
    and an overnight shift starting on the last day ends the day after; the
    neighbouring years cost little and cover both.
    """
    if days < 0:
        raise ValueError(f"days must be non-negative, got {days!r}")
    last = start + timedelta(days=days)
    return tuple(range(start.year - 1, last.year + 2))


@lru_cache(maxsize=256)
def country_holidays(
    country: str, subdivision: str | None, years: tuple[int, ...]
) -> tuple[date, ...]:
    """Sorted public holidays of a country (and subdivision) in ``years``; cached.

    ``country`` and ``subdivision`` are codes as the scenario schema stores them
    (checked against the package there). Looking holidays up computes them
    year by year, which is slow next to laying out shifts; every person of a
    site on every shift, and every replication, reads the cached tuple.
    """
    import holidays  # only when a site names a country

    years = tuple(y for y in years if date.min.year <= y <= date.max.year)
    with warnings.catch_warnings():  # years it does not cover: see uncovered_years
        warnings.simplefilter("ignore", UserWarning)
        table = holidays.country_holidays(
            country, subdiv=subdivision, years=years, categories=(holidays.PUBLIC,)
        )
    return tuple(sorted(table))


def uncovered_years(site: _Site, start: date, days: int) -> list[int]:
    """Years of the horizon for which the package gives the site's country no holiday.

    The package covers each country for a span of years (most up to 2100); outside
    it a year would silently run with no public holidays at all.
    """
    if site.country is None:
        return []
    last = start + timedelta(days=days - 1)
    years = tuple(range(start.year, last.year + 1))
    found = {d.year for d in country_holidays(site.country, site.subdivision, years)}
    return [y for y in years if y not in found]
