"""Charts of the service the organisation gives: response SLAs, restore times, availability, load.

Each function takes :class:`~sim.report.results.Results` and returns a page
(a matplotlib figure), or raises :class:`~sim.report.results.MissingData`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from sim.analysis.catalogue import ALL
from sim.analysis.coverage import HOURS_PER_WEEK
from sim.report import style
from sim.report.results import MissingData, Results

TICKS = (1, 5, 15, 30, 60, 120, 240, 480, 1440, 2880, 10080, 43200)
"""Durations marked on a log axis, in minutes (1 min to 30 days)."""


@style.chart
def response_sla(results: Results) -> Figure:
    """Response-SLA adherence by priority with 95% intervals, against the target."""
    results.require("response_sla_adherence")
    scenario = results.scenario
    target = scenario.targets.response_sla_adherence
    groups = [p.id for p in scenario.priorities] + [ALL]
    sla = {p.id: style.duration(p.response_minutes) for p in scenario.priorities} | {ALL: "all"}
    figure = style.page(
        "Response SLA adherence by priority",
        f"Share of incidents acknowledged within their response SLA, mean and 95% interval over "
        f"{results.replications} replications; target {target:.0%}.",
    )
    ax = style.axes(figure)[0]
    means, lows, highs = zip(
        *(results.figure("response_sla_adherence", g) for g in groups), strict=True
    )
    colours = style.priority_colours(groups[:-1]) | {ALL: "#607d8b"}
    x = np.arange(len(groups))
    ax.bar(x, means, color=[colours[g] for g in groups], alpha=0.85, width=0.6)
    ax.errorbar(
        x, means, style.error_bars(means, lows, highs), fmt="none", color="black", capsize=6
    )
    ax.axhline(target, color=style.LIMIT, linestyle="--", label=f"target {target:.0%}")
    for xi, mean in zip(x, means, strict=True):
        if mean == mean:
            ax.text(
                xi,
                0.03,
                f"{mean:.1%}",
                ha="center",
                va="bottom",
                color="white",
                fontweight="bold",
            )
    ax.set_xticks(x, [f"{g}\n(≤ {sla[g]})" if g != ALL else "all" for g in groups])
    ax.set_ylim(0, 1.02)
    style.percent(ax)
    ax.set_ylabel("acknowledged within SLA")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


@style.chart
def restore_times(results: Results) -> Figure:
    """Time-to-restore distributions by priority on a log scale, mean, median and p90 marked."""
    measured = _measured_incidents(results)
    restored = measured["restore_minutes"].dropna()
    restored = restored[restored > 0]
    done = set(measured.loc[restored.index, "priority"])
    priorities = [p for p in results.scenario.priorities if p.id in done]
    if not priorities:
        raise MissingData("no incident was restored in the measured period")
    figure = style.page(
        "Time to restore by priority",
        "Distribution of incident durations (start to restore; log scale: durations are "
        "heavy-tailed). Lines: mean, median and p90 over replications; red: the MTTR target.",
    )
    axes = style.axes(figure, len(priorities), 1, sharex=True)
    bins = np.geomspace(max(restored.min(), 0.1), max(restored.max(), 1.0) * 1.01, 60)
    colours = style.priority_colours([p.id for p in results.scenario.priorities])
    for ax, priority in zip(axes, priorities, strict=True):
        rows = measured[measured["priority"] == priority.id]
        times = rows["restore_minutes"].dropna()
        ax.hist(times, bins=bins, color=colours[priority.id], alpha=0.75)
        _mark_restore(ax, results, priority)
        open_ = len(rows) - len(times)
        note = f"{len(times):,} restored" + (f", {open_:,} still open at the end" if open_ else "")
        ax.set_title(f"{priority.id}: {note}", loc="left", fontsize=9)
        ax.set_ylabel("incidents")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[-1].set_xscale("log")
    axes[-1].xaxis.set_major_locator(FixedLocator(TICKS))
    axes[-1].xaxis.set_major_formatter(_duration_formatter())
    axes[-1].xaxis.set_minor_locator(NullLocator())
    axes[-1].set_xlabel("time to restore (log scale)")
    return figure


def _mark_restore(ax, results: Results, priority) -> None:
    marks = (
        ("mttr_minutes", "-", "mean"),
        ("mttr_median_minutes", "--", "median"),
        ("mttr_p90_minutes", ":", "p90"),
    )
    for metric, line, name in marks:
        mean = results.figure(metric, priority.id)[0]
        if mean == mean and mean > 0:
            ax.axvline(mean, color="black", linestyle=line, label=f"{name} {style.duration(mean)}")
    if priority.mttr_minutes:
        ax.axvline(
            priority.mttr_minutes,
            color=style.LIMIT,
            linewidth=2,
            label=f"target {style.duration(priority.mttr_minutes)}",
        )


@style.chart
def availability(results: Results) -> Figure:
    """Error budget used per service: how much of the downtime its SLO allows was spent."""
    results.require("availability")
    services = [s for s in results.scenario.services if s.slo is not None and s.slo < 1]
    if not services:
        raise MissingData("no service has an availability SLO below 100%")
    figure = style.page(
        "Availability against SLO: error budget used",
        "Downtime as a share of the downtime each service's SLO allows over the measured period "
        "(100% = budget spent), mean and 95% interval; availability itself beside each name.",
    )
    ax = style.axes(figure)[0]
    used, lows, highs, labels = [], [], [], []
    for service in services:
        mean, low, high = results.figure("availability", service.id)
        allowed = 1.0 - service.slo
        used.append((1 - mean) / allowed)
        lows.append((1 - high) / allowed)
        highs.append((1 - low) / allowed)
        met = results.figure("availability_slo_met", service.id)[0]
        labels.append(f"{service.id}\n{mean:.3%} (SLO {service.slo:.2%}), met in {met:.0%} of runs")
    y = np.arange(len(services))
    colours = [style.VERDICT_COLOURS["MISS" if u > 1 else "ok"] for u in used]
    ax.barh(y, used, color=colours, alpha=0.8, height=0.6)
    ax.errorbar(
        used, y, xerr=style.error_bars(used, lows, highs), fmt="none", color="black", capsize=6
    )
    ax.axvline(1.0, color=style.LIMIT, linestyle="--", label="budget spent (100%)")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    style.percent(ax, "x")
    ax.set_xlabel("error budget used")
    ax.legend(loc="lower right")
    return figure


@style.chart
def incident_load(results: Results) -> Figure:
    """Incidents per hour of the week by priority (UTC), with the people on shift."""
    measured = _measured_incidents(results)
    scenario = results.scenario
    slot = _hour_of_week(measured["started"].to_numpy(), scenario)
    weeks = _occurrences(results) * results.replications
    figure = style.page(
        "Incident load by hour of the week (UTC)",
        "Incidents starting in each hour of the week, per week, by priority (stacked); "
        "line: people on shift in that hour (right axis).",
    )
    ax = style.axes(figure)[0]
    bottom = np.zeros(HOURS_PER_WEEK)
    colours = style.priority_colours([p.id for p in scenario.priorities])
    for priority in scenario.priorities:
        mask = (measured["priority"] == priority.id).to_numpy()
        counts = np.bincount(slot[mask], minlength=HOURS_PER_WEEK) / np.maximum(weeks, 1)
        ax.bar(
            np.arange(HOURS_PER_WEEK),
            counts,
            bottom=bottom,
            width=1.0,
            align="edge",
            color=colours[priority.id],
            label=priority.id,
        )
        bottom += counts
    ax.set_ylabel("incidents per week in this hour")
    style.week_axis(ax)
    if results.has("on_shift", "all:"):
        twin = ax.twinx()
        staff = [results.figure("on_shift", f"all:{h}")[0] for h in range(HOURS_PER_WEEK)]
        twin.step(
            np.arange(HOURS_PER_WEEK + 1),
            [*staff, staff[-1]],
            where="post",
            color="black",
            linewidth=1.2,
            label="people on shift",
        )
        twin.set_ylabel("people on shift")
        twin.set_ylim(0, max(staff) * 1.15 if max(staff) > 0 else 1)
        twin.grid(False)
        twin.legend(loc="upper right")
    ax.legend(loc="upper left", ncols=len(scenario.priorities))
    return figure


# ------------------------------------------------------------------------------ helpers


def _measured_incidents(results: Results) -> pd.DataFrame:
    incidents = results.incidents
    if incidents.empty or "restore_minutes" not in incidents:
        if results.figure("incidents", ALL)[0] == 0:
            raise MissingData("no incident occurred in the measured period")
        raise MissingData("these results have no incident log (the run used --no-incidents)")
    if "measured" in incidents:
        incidents = incidents[incidents["measured"].astype(str).str.lower().eq("true")]
    measured = incidents
    if measured.empty:
        raise MissingData("no incident occurred in the measured period")
    return measured


def _hour_of_week(minutes: np.ndarray, scenario) -> np.ndarray:
    first = scenario.calendar.start.weekday() * 24
    return ((first + np.floor(minutes / 60.0)).astype(int)) % HOURS_PER_WEEK


def _occurrences(results: Results) -> np.ndarray:
    """How many times each hour of the week begins in the measured window (per replication)."""
    calendar = results.scenario.calendar
    starts = np.arange(np.ceil(calendar.warmup_days * 24), calendar.days * 24) * 60.0
    return np.bincount(_hour_of_week(starts, results.scenario), minlength=HOURS_PER_WEEK)


def _duration_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: style.duration(value))
