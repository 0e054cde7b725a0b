"""Local hours: whether a moment falls in a person's business hours, off hours or sleep.

The windows are the scenario's ``oncall.business_hours`` (weekdays) and
``oncall.sleep_hours``, read in the local time of the person's site; PagerDuty
splits interruptions the same way.
"""

from __future__ import annotations

from sim.model import calendar

BUCKETS = ("business_hours", "off_hours", "sleep_hours")
BANDS = {"healthy": 2.0, "bad": 7.0, "burnout": 19.0}
"""PagerDuty: interruptions a month outside business hours (2 healthy, 7 bad, 19 burnout)."""


def bucket(scenario, site: str, minute: float) -> str:
    """The local bucket of a moment at a site: business, off or sleep hours."""
    zone = {s.id: s.timezone for s in scenario.sites}[site]
    local = calendar.local_datetime(minute, scenario.calendar.start, zone)
    clock = local.hour * 60 + local.minute
    windows = scenario.oncall
    if inside(clock, windows.sleep_hours):
        return "sleep_hours"
    if local.weekday() < 5 and inside(clock, windows.business_hours):
        return "business_hours"
    return "off_hours"


def inside(clock: int, window) -> bool:
    """Whether a local clock minute is in a daily window (which may wrap past midnight)."""
    start, end = calendar.parse_clock(window.start), calendar.parse_clock(window.end)
    return start <= clock < end if start < end else clock >= start or clock < end
