"""The cost page: what the people cost a year by team and site, the budget split against
what the scenario needs, and what the split does to the scenario's figures."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.catalogue import ALL
from sim.report import style
from sim.report.results import Results
from sim.scenario.effects import EFFECT_LINE
from sim.scenario.money import LINES
from sim.scenario.spending import effect_factors, effective


@style.chart
def costs(results: Results) -> Figure:
    """Annual cost by team and site; the budget split against what the scenario needs."""
    results.require(
        "personnel_cost", "team:", "these results have no cost figures (opsim before 0.4)"
    )
    scenario = results.scenario
    total = results.figure("personnel_cost", ALL)
    figure = style.page(
        "Cost a year and the budget",
        f"Personnel cost from the cost model: {total[0]:,.0f} a year (95% interval "
        f"{total[1]:,.0f} to {total[2]:,.0f}); by team and by site with intervals. "
        + _budget_note(results),
    )
    teams_ax, sites_ax, budget_ax, effects_ax = style.axes(figure, 2, 2)
    _bars(teams_ax, results, "team", [t.id for t in scenario.teams], "By team")
    _bars(sites_ax, results, "site", [s.id for s in scenario.sites], "By site")
    if scenario.budget.total:
        _budget(budget_ax, results)
        _effects(effects_ax, results)
    else:
        for ax in (budget_ax, effects_ax):
            ax.set_axis_off()
        budget_ax.text(
            0,
            0.5,
            "No budget: give budget.total (and budget.split)\nto set the cost against it.",
            fontsize=10,
        )
    return figure


def _budget_note(results: Results) -> str:
    budget = results.scenario.budget
    if not budget.total:
        return ""
    split = "/".join(f"{budget.split.get(line, 0):g}" for line in LINES)
    scenario = results.scenario
    written = sum(scenario.headcount(r) for r in scenario.roles)
    funded = sum(scenario.headcount(r) for r in effective(scenario).roles)
    people = f" It funds {funded} people ({written} as written)." if funded != written else ""
    return f"Budget {budget.total:,.0f} a year split {split} ({', '.join(LINES)}).{people}"


def _bars(ax, results: Results, level: str, ids: list[str], title: str) -> None:
    figures = [results.figure("personnel_cost", f"{level}:{i}") for i in ids]
    means, lows, highs = (np.array(v) for v in zip(*figures, strict=True))
    y = np.arange(len(ids))
    ax.barh(y, means, color="#5c6bc0", height=0.6)
    ax.errorbar(
        means, y, xerr=style.error_bars(means, lows, highs), fmt="none", color="black", capsize=3
    )
    ax.set_yticks(y, ids)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_money)
    ax.set_title(title, loc="left")
    ax.set_xlabel("cost a year")


def _budget(ax, results: Results) -> None:
    budget = results.scenario.budget
    allocated = [budget.allocated(line) for line in LINES]
    x = np.arange(len(LINES))
    ax.bar(x - 0.2, allocated, width=0.4, color="#90a4ae", label="allocated (the split)")
    mean, low, high = results.figure("budget_implied", "personnel")
    means, lows, highs = np.array([mean]), np.array([low]), np.array([high])
    x_staff = np.array([0.2])
    ax.bar(x_staff, means, width=0.4, color="#5c6bc0", label="the staff's cost (simulated)")
    ax.errorbar(
        x_staff, means, style.error_bars(means, lows, highs), fmt="none", color="black", capsize=3
    )
    ax.set_xticks(x, LINES)
    ax.yaxis.set_major_formatter(_money)
    ax.set_title("Budget lines, and what the staff cost", loc="left")
    ax.legend(loc="upper right")


def _effects(ax, results: Results) -> None:
    budget = results.scenario.budget
    effects = budget.effects
    unused = {
        "alert_noise": not effects.alert_noise.streams,  # they act on what they name
        "self_resolving": not effects.self_resolving.priorities,
    }
    every = effect_factors(budget)
    names = [n for n in every if not unused.get(n)]
    factors = [every[n] for n in names]
    y = np.arange(len(names))
    colours = [
        style.VERDICT_COLOURS["ok"]
        if f < 1
        else style.VERDICT_COLOURS["MISS"]
        if f > 1
        else "#9e9e9e"
        for f in factors
    ]
    ax.barh(y, np.array(factors) - 1.0, left=1.0, color=colours, height=0.6)
    ax.axvline(1.0, color="black", linewidth=1)
    labels = [f"{n} ({EFFECT_LINE[n]})" for n in names]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    for yi, f in zip(y, factors, strict=True):
        ax.text(max(f, 1.0) + 0.01, yi, f"x {f:.2f}", va="center", fontsize=8)
    low, high = min([*factors, 0.9]), max([*factors, 1.1])
    ax.set_xlim(low - 0.05, high + 0.25 * (high - low + 0.2))
    ax.set_title("What the split does (x as written; green: better)", loc="left")


def _money(value, _position) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"
