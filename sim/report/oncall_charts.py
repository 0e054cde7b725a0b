"""Charts of on-call burden and fatigue, per person, against the published limits.

Google SRE: at most 25% of time on call and 2 incidents per 12-hour shift on
call. PagerDuty: interruptions a month outside business hours, 2 healthy, 7 bad,
19 burnout. Three-Process Model alertness below 7 is the sleepy, risky zone.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.analysis.burden import BANDS, LIMITS, RISK
from sim.analysis.burden_card import Burden, burdens
from sim.report import style
from sim.report.people_charts import PEOPLE_SHOWN
from sim.report.results import MissingData, Results

BUCKET_LABELS = {
    "sleep_hours": "sleep hours",
    "off_hours": "off hours",
    "business_hours": "business",
}


def _people(results: Results) -> list[Burden]:
    """Everyone in a rotation, most woken first (the first :data:`PEOPLE_SHOWN` of them)."""
    if not results.scenario.oncall.rotations:
        raise MissingData("the scenario has no on-call rotation")
    results.require("oncall_time_share", "person:", "these results have no on-call figures")
    found = burdens(results.summary, results.scenario)
    if not found:
        raise MissingData("the scenario has no on-call rotation")
    return found[:PEOPLE_SHOWN]


def _who(results: Results, shown: list[Burden]) -> str:
    everyone = len(burdens(results.summary, results.scenario))
    if everyone > len(shown):
        return f"The {len(shown)} most woken of {everyone} people in a rotation."
    return "Everyone in a rotation, most woken first."


@style.chart
def oncall_burden(results: Results) -> Figure:
    """Pages by local hour bucket, time on call and incidents per shift, per person."""
    people = _people(results)
    figure = style.page(
        "On-call burden per person",
        f"{_who(results, people)} Pages a month by the person's local time "
        "against PagerDuty's off-hours bands; time on call and incidents per 12 h on call "
        "against the Google SRE limits (mean and 95% interval).",
    )
    pages, share, per_shift = style.axes(figure, 1, 3, sharey=True, width_ratios=[2, 1, 1])
    y = np.arange(len(people))
    left = np.zeros(len(people))
    for bucket in ("sleep_hours", "off_hours", "business_hours"):
        values = np.array([b.pages_per_month[bucket] for b in people])
        pages.barh(
            y,
            values,
            left=left,
            color=style.BUCKET_COLOURS[bucket],
            height=0.7,
            label=BUCKET_LABELS[bucket],
        )
        left += np.nan_to_num(values)
    for band, value in BANDS.items():
        pages.axvline(value, color=style.LIMIT, linestyle=":", linewidth=1)
        pages.text(value, -0.8, f"{band} {value:g}", color=style.LIMIT, fontsize=7, ha="center")
    pages.set_xlabel("pages a month (off-hours bands: sleep + off hours)")
    pages.set_yticks(y, [b.person for b in people], fontsize=7 if len(people) > 20 else 8)
    pages.set_ylim(len(people) - 0.5, -1.2)
    pages.legend(loc="lower right")
    _limited(share, y, [b.oncall_share for b in people], LIMITS["oncall_time_share"])
    style.percent(share, "x")
    share.set_xlabel("time on call")
    _limited(per_shift, y, [b.per_shift for b in people], LIMITS["incidents_per_oncall_shift"])
    per_shift.set_xlabel("incidents per 12 h on call")
    return figure


def _limited(ax, y, figures, limit: float) -> None:
    means, lows, highs = (np.array(v, dtype=float) for v in zip(*figures, strict=True))
    over = np.nan_to_num(lows, nan=-np.inf) > limit
    colours = [style.VERDICT_COLOURS["MISS" if o else "ok"] for o in over]
    ax.barh(y, means, color=colours, alpha=0.7, height=0.7)
    ax.errorbar(
        means, y, xerr=style.error_bars(means, lows, highs), fmt="none", color="black", capsize=2
    )
    ax.axvline(limit, color=style.LIMIT, linestyle="--", label=f"limit {limit:g}")
    ax.grid(False, axis="y")


@style.chart
def fatigue(results: Results) -> Figure:
    """Sleep lost to pages and alertness when answering them, per person."""
    people = _people(results)
    results.require("sleep_lost_hours", "person:", "fatigue is off in this scenario")
    months = results.measured_hours / 24.0 / 30.0
    figure = style.page(
        "Fatigue: sleep lost to pages and alertness when answering",
        f"{_who(results, people)} Three-Process Model. Sleep lost a month (mean over "
        f"replications); alertness on its scale at acknowledgement (below {RISK:g}: sleepy, "
        "error-prone). "
        f"{_woken(results)}",
    )
    lost_ax, alert_ax = style.axes(figure, 1, 2, sharey=True)
    y = np.arange(len(people))
    lost = np.array([b.sleep_lost for b in people]) / months
    lost_ax.barh(y, lost, color=style.BUCKET_COLOURS["sleep_hours"], height=0.7)
    lost_ax.set_xlabel("sleep lost to pages (hours a month)")
    lost_ax.set_yticks(y, [b.person for b in people], fontsize=7 if len(people) > 20 else 8)
    lost_ax.set_ylim(len(people) - 0.5, -0.5)
    figures = [results.figure("alertness_at_ack", f"person:{b.person}") for b in people]
    means, lows, highs = (np.array(v) for v in zip(*figures, strict=True))
    risky = np.nan_to_num(means, nan=np.inf) < RISK
    alert_ax.errorbar(
        means, y, xerr=style.error_bars(means, lows, highs), fmt="none", color="black", capsize=2
    )
    alert_ax.scatter(means, y, c=[style.LIMIT if r else style.BAND for r in risky], zorder=3)
    alert_ax.axvline(RISK, color=style.LIMIT, linestyle="--")
    shown = means[np.isfinite(means)]  # intervals from few replications can run off the scale
    alert_ax.set_xlim(min([RISK, *shown]) - 2, max([RISK, *shown]) + 2)
    alert_ax.set_xlabel("alertness at acknowledgement (TPM scale; no dot: never paged)")
    alert_ax.legend(
        handles=[
            Patch(color=style.LIMIT, label=f"below {RISK:g}"),
            Patch(color=style.BAND, label=f"{RISK:g} or more"),
        ],
        loc="lower right",
    )
    return figure


def _woken(results: Results) -> str:
    share = results.figure("asleep_at_page_share", "all")[0]
    return f"{share:.0%} of answered pages woke someone." if share == share else ""
