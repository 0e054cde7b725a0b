"""Options side by side: each target's mean and interval under each option."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from sim.analysis.catalogue import lookup
from sim.analysis.scorecard import formatter
from sim.report import style
from sim.report.cover_page import verdict_lines
from sim.report.results import MissingData, Results

MOST_PANELS = 12
MOST_OPTIONS = 20


@style.chart
def compare(
    options: Mapping[str, Results], targets: Sequence[tuple[str, str]] | None = None
) -> Figure:
    """A panel per target, a bar per option (mean and 95% interval) with each option's goal.

    ``targets``: ``(metric, group)`` pairs; by default the first option's targets,
    those some option misses or leaves undecided first, at most 12.
    """
    names = _names(options)
    chosen = _targets(targets) if targets is not None else _interesting(options)[:MOST_PANELS]
    if not chosen:
        raise MissingData("the options have no target in common")
    columns = min(4, len(chosen))
    figure = style.page(
        "Options side by side",
        "Mean and 95% interval of each target under each option; red ticks: each option's "
        "goal. Independent runs: overlapping intervals do not show a real difference.",
    )
    axes = style.axes(figure, math.ceil(len(chosen) / columns), columns)
    palette = colormaps["tab10" if len(names) <= 10 else "tab20"]
    colours = [palette(i) for i in range(len(names))]
    for ax, (metric, group) in zip(axes, chosen, strict=False):
        _panel(ax, options, names, metric, group, colours)
    for ax in axes[len(chosen) :]:
        ax.set_visible(False)
    return figure


def _names(options) -> list[str]:
    if not isinstance(options, Mapping) or not all(
        isinstance(r, Results) for r in options.values()
    ):
        raise TypeError("options must map each option's name to its Results")
    if not options:
        raise MissingData("no options to compare")
    if len(options) > MOST_OPTIONS:
        raise ValueError(f"at most {MOST_OPTIONS} options fit side by side, got {len(options)}")
    return [str(name) for name in options]


def _targets(targets) -> list[tuple[str, str]]:
    pairs = list(targets) if not isinstance(targets, str) else [targets]
    if not all(isinstance(p, tuple | list) and len(p) == 2 for p in pairs):
        raise TypeError("targets must be (metric, group) pairs, e.g. ('mtta_minutes', 'P1')")
    for metric, _ in pairs:
        lookup(metric)  # an unknown metric names its close matches
    return [tuple(p) for p in pairs]


def _panel(ax, options, names, metric, group, colours) -> None:
    results = [options[name] for name in names]
    means, lows, highs = (
        np.array(v) for v in zip(*(r.figure(metric, group) for r in results), strict=True)
    )
    x = np.arange(len(names))
    ax.bar(x, means, color=colours, alpha=0.85, width=0.6)
    ax.errorbar(
        x, means, style.error_bars(means, lows, highs), fmt="none", color="black", capsize=3
    )
    for xi, option in zip(x, results, strict=True):
        target = lookup(metric).target_for(option.scenario, group)
        for edge in target.edges if target is not None else ():
            ax.hlines(edge, xi - 0.4, xi + 0.4, color=style.LIMIT, linewidth=2)
    for xi in x[np.isnan(means)]:
        ax.text(xi, 0, "n/a", ha="center", va="bottom", fontsize=7, color="#555555")
    first = results[0]
    line = next((v for v in verdict_lines(first) if (v.metric, v.group) == (metric, group)), None)
    label = lookup(metric).label_for(first.scenario, group)
    ax.set_title(label + (f"  ({line.target})" if line else ""), fontsize=8, loc="left")
    many = len(names) > 4
    ax.set_xticks(
        x,
        names,
        fontsize=6 if len(names) > 8 else 7,
        rotation=60 if many else 0,
        ha="right" if many else "center",
    )
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
