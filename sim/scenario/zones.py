"""The time zones a scenario may name: "UTC" and the IANA zones of places.

The tz database also holds names that are no place and differ from machine to
machine (``localtime``, ``Factory``); folders and paths can look like names
too (``America``, ``../x``). Only zones the system lists are taken, so a
scenario means the same on every machine that has the same tz database.
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
"""Names in the tz database that are not a place: they differ from machine to machine."""


def is_time_zone(name: object) -> bool:
    """Whether ``name`` is "UTC" or an IANA time zone of a place (e.g. "Europe/Dublin")."""
    if not isinstance(name, str) or name in _NOT_PLACES:
        return False
    known = _zone_names()
    return name == "UTC" or name in known or (not known and _loads(name))


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _loads(name: str) -> bool:
    # no list of zones on this system (e.g. no tz database files): try the name itself
    try:
        ZoneInfo(name)
    except Exception:  # a folder, a path, a long name: ZoneInfo raises many kinds
        return False
    return True
