"""The report of a comparison or a sweep: its verdicts, paired differences, and each target
across the grid.

A comparison's pages show each option's paired difference to the base with its
95% interval (common random numbers: the interval of the difference, not two
overlapping intervals). A sweep's pages show each target's mean at every grid
point, coloured by its verdict there, so a planner sees where the targets are met.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.scorecard import formatter
from sim.report import style
from sim.report.batch_results import BatchResults
from sim.report.pages import Page
from sim.report.results import MissingData

MOST_PANELS = 12
"""Targets on one page of differences, or of a sweep's grid (4 x 3 panels)."""
OUTCOME_COLOURS = {
    "better": "#2e7d32",
    "worse": "#c62828",
    "different": "#1565c0",
    "no different": "#9e9e9e",
}
LINES_PER_PAGE = 40
SHARE_UNITS = ("%", "%%")


# -- comparison -------------------------------------------------------------------------


@style.chart
def comparison_cover(batch: BatchResults) -> Figure:
    """Which scenarios, how many replications, and the verdict lines."""
    m = batch.manifest
    figure = style.text_page(textwrap.shorten(f"opsim comparison: {batch.name}", 95))
    facts = [
        f"scenarios     {', '.join(map(str, m.get('labels', [])))} (the first is the base)",
        f"replications  {m.get('replications', '?')} each, on common random numbers, "
        f"seed {m.get('seed', '?')}; opsim {m.get('version', '?')}",
        f"overrides     {', '.join(m.get('overrides') or []) or 'none'}",
    ]
    text = "\n".join(
        textwrap.fill(line, 130, subsequent_indent=" " * 14, max_lines=2, placeholder=" ...")
        for line in facts
    )
    figure.text(0.01, 0.935, text, fontsize=9, va="top", family="monospace")
    wrapped = [
        textwrap.fill(v, 150, subsequent_indent="    ", max_lines=4, placeholder=" ...")
        for v in batch.verdicts
    ]
    body = "\n".join(wrapped[:LINES_PER_PAGE])
    figure.text(0.01, 0.82, "Verdicts", fontsize=12, fontweight="bold")
    figure.text(0.01, 0.79, body, fontsize=8, va="top")
    figure.text(
        0.01,
        0.01,
        "Better or worse: the 95% interval of the paired difference excludes zero, in the "
        "metric's better direction (for a band, nearer to it); no different: it includes zero.",
        fontsize=8,
        color="#444444",
    )
    return figure


@style.chart
def differences(batch: BatchResults) -> list[Figure]:
    """A panel per target: each option's paired difference to the base, with its interval."""
    rows = batch.targets()
    others = rows[rows["pairs"].fillna(0) > 0] if "pairs" in rows else rows.iloc[:0]
    if others.empty:
        raise MissingData("no paired differences on a target")
    keys = _ordered_targets(others)
    return [_difference_page(others, chunk) for chunk in style.chunks(keys, MOST_PANELS)]


def _ordered_targets(rows) -> list[tuple[str, str]]:
    """Targets some option differs on first, then the rest, each in card order."""
    keys = list(dict.fromkeys(zip(rows["metric"], rows["group"], strict=True)))
    differ = rows[rows["significant"]]
    moved = set(zip(differ["metric"], differ["group"], strict=True))
    return [k for k in keys if k in moved] + [k for k in keys if k not in moved]


def _difference_page(rows, keys) -> Figure:
    figure = style.page(
        "Paired differences to the base",
        "Each option minus the base, replication by replication on common random numbers: "
        "the mean difference and its 95% interval. Green better, red worse, blue different "
        "(no better direction), grey no different (the interval includes zero).",
    )
    columns = min(3, len(keys))
    axes = style.axes(figure, math.ceil(len(keys) / columns), columns)
    for ax, (metric, group) in zip(axes, keys, strict=False):
        _difference_panel(ax, rows[(rows.metric == metric) & (rows.group == group)])
    for ax in axes[len(keys) :]:
        ax.set_visible(False)
    return figure


def _difference_panel(ax, rows) -> None:
    unit = rows["unit"].iloc[0]
    scale = 100.0 if unit in SHARE_UNITS else 1.0
    y = np.arange(len(rows))
    means = rows["difference"].to_numpy(dtype=float) * scale
    lows = rows["diff_low"].to_numpy(dtype=float) * scale
    highs = rows["diff_high"].to_numpy(dtype=float) * scale
    colours = [OUTCOME_COLOURS.get(o, "#555555") for o in rows["outcome"]]
    ax.errorbar(means, y, xerr=style.error_bars(means, lows, highs), fmt="none", ecolor=colours)
    ax.scatter(means, y, c=colours, zorder=3, s=18)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(y, [textwrap.shorten(s, 18) for s in rows["scenario"]])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_title(textwrap.shorten(rows["label"].iloc[0], 34), loc="left")
    ax.set_xlabel("points" if scale == 100.0 else _unit_label(unit))


def _unit_label(unit: str) -> str:
    return {"money": "money", "": ""}.get(unit, unit)


# -- sweep ------------------------------------------------------------------------------


@style.chart
def sweep_cover(batch: BatchResults) -> Figure:
    """The grid, and the best point under each target with its verdict there."""
    m = batch.manifest
    figure = style.text_page(textwrap.shorten(f"opsim sweep: {batch.name}", 95))
    grid = "; ".join(f"{k} = {', '.join(map(str, v))}" for k, v in m.get("grid") or [])
    facts = [
        f"scenarios     {', '.join(map(str, m.get('scenarios', [])))}",
        f"grid          {grid or 'the scenario files'}",
        f"replications  {m.get('replications', '?')} per point, on common random numbers, "
        f"seed {m.get('seed', '?')}; opsim {m.get('version', '?')}",
    ]
    text = "\n".join(
        textwrap.fill(line, 130, subsequent_indent=" " * 14, max_lines=3, placeholder=" ...")
        for line in facts
    )
    figure.text(0.01, 0.935, text, fontsize=9, va="top", family="monospace")
    figure.text(0.01, 0.8, "Best point under each target", fontsize=12, fontweight="bold")
    figure.text(0.01, 0.77, _best_lines(batch), fontsize=7.5, va="top", family="monospace")
    return figure


def _best_lines(batch: BatchResults) -> str:
    units = dict(zip(batch.table["label"], batch.table["unit"], strict=False))
    lines = []
    for row in batch.best.head(LINES_PER_PAGE).to_dict("records"):
        fmt = formatter(units.get(row["target"], ""))
        where = ", ".join(f"{f}={row.get(f, '')}" for f in batch.factors) or row["point"]
        text = f"{row['target'][:44]:<44} {fmt(row['mean']):>12} {row['verdict']:<4} {where}"
        lines.append(text if len(text) <= 150 else text[:149] + "…")  # keep the columns
    return "\n".join(lines) or "(no targets)"


@style.chart
def across_grid(batch: BatchResults) -> list[Figure]:
    """Each target's mean at every point: a line over one factor, a heatmap over two."""
    rows = batch.targets()
    factors = batch.factors
    if rows.empty or not factors:
        raise MissingData("no targets across the grid")
    keys = list(dict.fromkeys(zip(rows["metric"], rows["group"], strict=True)))
    return [_grid_page(rows, factors, chunk) for chunk in style.chunks(keys, MOST_PANELS)]


def _grid_page(rows, factors, keys) -> Figure:
    figure = style.page(
        "Targets across the grid",
        "Each target's mean at each grid point, coloured by its verdict there (green met, "
        "red missed, orange undecided)"
        + (f"; rows: {factors[0]}, columns: {factors[1]}" if len(factors) > 1 else "")
        + (f"; other factors at their first value ({', '.join(factors[2:])})" * (len(factors) > 2)),
    )
    columns = min(4 if len(factors) > 1 else 3, len(keys))
    axes = style.axes(figure, math.ceil(len(keys) / columns), columns)
    for ax, (metric, group) in zip(axes, keys, strict=False):
        mine = rows[(rows.metric == metric) & (rows.group == group)]
        for extra in factors[2:]:
            mine = mine[mine[extra] == mine[extra].iloc[0]]
        if len(factors) == 1:
            _line_panel(ax, mine, factors[0])
        else:
            _heat_panel(ax, mine, factors[0], factors[1])
    for ax in axes[len(keys) :]:
        ax.set_visible(False)
    return figure


def _line_panel(ax, rows, factor: str) -> None:
    unit = rows["unit"].iloc[0]
    x = np.arange(len(rows))
    means = rows["mean"].to_numpy(dtype=float)
    errors = style.error_bars(means, rows["ci_low"], rows["ci_high"])
    colours = [style.VERDICT_COLOURS.get(v, "#555555") for v in rows["verdict"]]
    ax.errorbar(x, means, yerr=errors, fmt="none", ecolor="#888888")
    ax.scatter(x, means, c=colours, zorder=3, s=18)
    ax.set_xticks(x, [textwrap.shorten(str(v), 12) for v in rows[factor]], rotation=30)
    ax.set_xlabel(textwrap.shorten(factor, 40))
    if unit in SHARE_UNITS:
        style.percent(ax)
    ax.set_title(textwrap.shorten(rows["label"].iloc[0], 40), loc="left")


def _heat_panel(ax, rows, down: str, across: str) -> None:
    unit = rows["unit"].iloc[0]
    fmt = formatter(unit)
    ys = list(dict.fromkeys(rows[down]))
    xs = list(dict.fromkeys(rows[across]))
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(len(ys) - 0.5, -0.5)
    ax.grid(False)
    size = 6 if len(xs) > 6 else 7
    for row in rows.to_dict("records"):  # factor names are dotted keys, not identifiers
        i, j = ys.index(row[down]), xs.index(row[across])
        ax.add_patch(_cell(j, i, style.VERDICT_COLOURS.get(row["verdict"], "#555555")))
        ax.text(j, i, fmt(row["mean"]), ha="center", va="center", fontsize=size, color="white")
    ax.set_xticks(range(len(xs)), [textwrap.shorten(str(v), 8) for v in xs], fontsize=7)
    ax.set_yticks(range(len(ys)), [textwrap.shorten(str(v), 8) for v in ys], fontsize=7)
    ax.set_xlabel(textwrap.shorten(across, 34), fontsize=7)
    ax.set_ylabel(textwrap.shorten(down, 34), fontsize=7)
    ax.set_title(textwrap.shorten(rows["label"].iloc[0], 34), loc="left")


def _cell(x: float, y: float, colour: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.48, y - 0.48), 0.96, 0.96, color=colour, alpha=0.85, linewidth=0)


COMPARISON_PAGES: tuple[Page, ...] = (
    Page("comparison-cover", "Cover: scenarios and verdicts", comparison_cover),
    Page("differences", "Paired differences to the base", differences),
)
SWEEP_PAGES: tuple[Page, ...] = (
    Page("sweep-cover", "Cover: grid and best points", sweep_cover),
    Page("across-grid", "Targets across the grid", across_grid),
)
