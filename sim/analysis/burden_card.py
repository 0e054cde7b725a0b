"""The on-call burden card: per person on call, time on call, pages, and nights broken,
against the Google SRE limits and PagerDuty's bands.

Read from a summary of KPI rows, like the scorecard. A person is flagged when
the whole 95% interval of their on-call share or incidents per on-call shift is
over Google's limit, or when their mean off-hours interruptions a month (off
hours and sleep hours together) reach PagerDuty's "bad" or "burnout" band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sim.analysis.burden import BANDS, BUCKETS, LIMITS
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Burden:
    """One person's on-call burden (means over replications, with the share's interval)."""

    person: str
    oncall_share: tuple[float, float, float]  # mean, low, high
    pages_per_month: dict[str, float]  # by bucket
    per_shift: tuple[float, float, float]
    flags: tuple[str, ...]
    sleep_lost: float = math.nan  # hours, with fatigue

    @property
    def off_hours(self) -> float:
        """Interruptions a month outside business hours (off hours and sleep hours)."""
        return self.pages_per_month["off_hours"] + self.pages_per_month["sleep_hours"]


def burdens(summary: pd.DataFrame, scenario: Scenario) -> list[Burden]:
    """Everyone in a rotation, most interrupted at night first."""
    rows = {(r.metric, r.group): r for r in summary.itertuples(index=False)}

    def figure(metric, group):
        row = rows.get((metric, group))
        return (math.nan,) * 3 if row is None else (row.mean, row.ci_low, row.ci_high)

    found = []
    for (metric, group), _ in rows.items():
        if metric != "oncall_time_share" or not group.startswith("person:"):
            continue
        name = group.split(":", 1)[1]
        pages = {b: figure("interruptions_per_month", f"{group}:{b}")[0] for b in BUCKETS}
        share, per_shift = figure(metric, group), figure("incidents_per_oncall_shift", group)
        lost = figure("sleep_lost_hours", group)[0]
        found.append(Burden(name, share, pages, per_shift, (), lost))
    found = [_flagged(b) for b in found]
    return sorted(found, key=lambda b: (-b.pages_per_month["sleep_hours"], b.person))


def _low(figure: tuple[float, float, float]) -> float:
    """The interval's low end; the mean itself with one replication (no interval)."""
    return figure[0] if math.isnan(figure[1]) else figure[1]


def _flagged(b: Burden) -> Burden:
    flags = []
    if _low(b.oncall_share) > LIMITS["oncall_time_share"]:
        flags.append("on call > 25%")
    if _low(b.per_shift) > LIMITS["incidents_per_oncall_shift"]:
        flags.append("> 2 incidents/shift")
    if b.off_hours >= BANDS["burnout"]:
        flags.append("burnout band")
    elif b.off_hours >= BANDS["bad"]:
        flags.append("bad band")
    return Burden(
        b.person, b.oncall_share, b.pages_per_month, b.per_shift, tuple(flags), b.sleep_lost
    )


def render_burden(summary: pd.DataFrame, scenario: Scenario) -> str:
    """The burden table as plain text ("" without rotations)."""
    people = burdens(summary, scenario)
    if not people:
        return ""
    months = (scenario.calendar.days - scenario.calendar.warmup_days) / 30.0
    head = (
        f"{'person':<40}{'on call':>8} {'95% CI':>15}{'pages/mo':>9}{'off-hours':>10}"
        f"{'asleep':>8}{'inc/12h':>8}{'sleep/mo':>11}  flags"
    )
    out = [
        "On-call burden (per person in a rotation; pages a month by local time; Google SRE "
        "limits 25% on call and 2 incidents per 12 h on call; PagerDuty off-hours bands "
        "2 healthy, 7 bad, 19 burnout; sleep lost to pages a month)",
        head,
        "-" * len(head),
    ]
    for b in people:
        mean, low, high = b.oncall_share
        ci = "" if math.isnan(low) else f"[{low:.0%}, {high:.0%}]"
        total = sum(b.pages_per_month.values())
        out.append(
            f"{b.person:<40}{mean:>8.0%} {ci:>15}{total:>9.1f}{b.off_hours:>10.1f}"
            f"{b.pages_per_month['sleep_hours']:>8.1f}{b.per_shift[0]:>8.2f}"
            f"{_hours(b.sleep_lost / months):>11}  " + ", ".join(b.flags)
        )
    return "\n".join(out)


def _hours(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.1f} h"
