"""The Erlang C panel: the staffing a spreadsheet would prescribe, next to the simulation."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.erlang_check import erlang_checks, workload
from sim.report import style
from sim.report.results import MissingData, Results


@style.chart
def erlang(results: Results) -> Figure:
    """Erlang C's prescribed staff and predicted adherence per priority against the simulation."""
    results.require("on_shift", "all:", "these results have no on_shift figures (opsim before 0.4)")
    if results.people.empty:
        raise MissingData("these results have no people table")
    checks = erlang_checks(results.summary, results.people, results.scenario)
    load = workload(results.summary, results.people, results.scenario)
    if not checks or load is None:
        raise MissingData("no incident work to size, or a response target of 100%")
    figure = style.page(
        "Erlang C against the simulation",
        f"Erlang C fed this run's own figures: {load.arrivals_per_hour:.2f} incidents an hour, "
        f"{load.hours_per_incident:.2f} person-hours of work each ({load.erlangs:.2f} Erlangs), "
        f"target {checks[0].target:.0%} answered within each priority's response SLA. " + _why(),
    )
    staff_ax, adherence_ax = style.axes(figure, 1, 2)
    x = np.arange(len(checks))
    names = [f"{c.priority}\n(≤ {style.duration(c.answer_minutes)})" for c in checks]
    staff_ax.bar(
        x,
        [c.staff_needed for c in checks],
        color="#90a4ae",
        width=0.6,
        label="Erlang C: people needed on shift, every hour",
    )
    mean, fewest = checks[0].staff_mean, checks[0].staff_fewest
    staff_ax.axhline(mean, color="black", label=f"simulated: on shift, week mean ({mean:.1f})")
    staff_ax.axhline(
        fewest,
        color="black",
        linestyle=":",
        linewidth=2,
        label=f"simulated: on shift, thinnest hour ({fewest:.1f})",
    )
    staff_ax.set_xticks(x, names)
    staff_ax.set_ylabel("people on shift")
    staff_ax.set_title("Staffing", loc="left")
    staff_ax.set_ylim(-0.3, max(mean, *(c.staff_needed for c in checks)) * 1.5 + 0.5)
    staff_ax.legend(loc="upper left", ncols=1)
    means, lows, highs = zip(*(c.simulated for c in checks), strict=True)
    adherence_ax.errorbar(
        x + 0.1,
        means,
        style.error_bars(means, lows, highs),
        fmt="o",
        color="black",
        capsize=4,
        label="simulated (95% interval)",
    )
    adherence_ax.scatter(
        x - 0.1,
        [c.erlang_adherence for c in checks],
        marker="D",
        color="#546e7a",
        zorder=3,
        label=f"Erlang C with {int(checks[0].staff_mean)} on shift",
    )
    adherence_ax.axhline(checks[0].target, color=style.LIMIT, linestyle="--", label="target")
    adherence_ax.set_xticks(x, names)
    adherence_ax.set_ylim(0, 1.05)
    style.percent(adherence_ax)
    adherence_ax.set_ylabel("answered within the response SLA")
    adherence_ax.set_title("Response SLA adherence", loc="left")
    adherence_ax.legend(loc="lower left")
    return figure


def _why() -> str:
    return (
        "Erlang C assumes a constant arrival rate, that anyone on shift takes any incident at "
        "once, and that people do nothing else. The simulation has hourly arrival profiles, "
        "skills and escalation tiers, planned work, work streams, training, absence, and "
        "people paged from home at night: where the two disagree, the formula misleads."
    )
