"""Options side by side: each target's mean and interval under each option."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.catalogue import lookup
from sim.analysis.scorecard import formatter
from sim.report import style
from sim.report.cover_page import verdict_lines
from sim.report.results import MissingData, Results

MOST_PANELS = 12


@style.chart
def compare(
    options: Mapping[str, Results], targets: Sequence[tuple[str, str]] | None = None
) -> Figure:
    """A panel per target (``(metric, group)`` pairs; default: the first option's targets
    missed or undecided under some option, then the rest, at most 12), a bar per option."""
    if not options:
        raise MissingData("no options to compare")
    names = list(options)
    chosen = list(targets) if targets is not None else _interesting(options)[:MOST_PANELS]
    if not chosen:
        raise MissingData("the options have no target in common")
    columns = min(4, len(chosen))
    rows = math.ceil(len(chosen) / columns)
    figure = style.page(
        "Options side by side",
        "Mean and 95% interval of each target under each option; dashed: the target. "
        "Independent runs: an overlap of intervals does not show a real difference.",
    )
    axes = style.axes(figure, rows, columns)
    colours = [
        style.PRIORITY_COLOURS[(i + 3) % len(style.PRIORITY_COLOURS)] for i in range(len(names))
    ]
    for ax, (metric, group) in zip(axes, chosen, strict=False):
        _panel(ax, options, names, metric, group, colours)
    for ax in axes[len(chosen) :]:
        ax.set_visible(False)
    return figure


def _panel(ax, options, names, metric, group, colours) -> None:
    first = options[names[0]]
    label = lookup(metric).label_for(first.scenario, group)
    figures = [options[name].figure(metric, group) for name in names]
    means, lows, highs = (np.array(v) for v in zip(*figures, strict=True))
    x = np.arange(len(names))
    ax.bar(x, means, color=colours, alpha=0.8, width=0.6)
    ax.errorbar(
        x, means, style.error_bars(means, lows, highs), fmt="none", color="black", capsize=4
    )
    target = lookup(metric).target_for(first.scenario, group)
    line = next((v for v in verdict_lines(first) if (v.metric, v.group) == (metric, group)), None)
    for value in target.edges if target is not None else ():
        ax.axhline(value, color=style.LIMIT, linestyle="--")
    ax.set_title(f"{label}" + (f"  ({line.target})" if line else ""), fontsize=8, loc="left")
    ax.set_xticks(x, names, fontsize=7, rotation=15)
    unit = line.unit if line else lookup(metric).symbol
    if unit in ("%", "%%"):
        style.percent(ax)
    else:
        fmt = formatter(unit)
        ax.yaxis.set_major_formatter(lambda v, _: fmt(v))


def _interesting(options: Mapping[str, Results]) -> list[tuple[str, str]]:
    """Targets of the first option, those some option misses or leaves undecided first."""
    lines = verdict_lines(next(iter(options.values())))
    verdicts = {(v.metric, v.group): set() for v in lines}
    for results in options.values():
        for v in verdict_lines(results):
            verdicts.setdefault((v.metric, v.group), set()).add(v.verdict)
    keys = [(v.metric, v.group) for v in lines]
    return sorted(keys, key=lambda k: verdicts[k] <= {"ok"})
