"""How report pages look: page size, fonts, colours, and the frame every chart sits in.

Figures are made with :class:`matplotlib.figure.Figure`, not pyplot: building a
report touches no global state and needs no display, and a notebook shows the
returned figure once.
"""

from __future__ import annotations

import contextlib
import functools
import textwrap
import warnings
from collections.abc import Callable, Iterator

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.analysis.coverage import HOURS_PER_WEEK

PAGE = (11.69, 8.27)
"""A4 landscape, inches."""

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SUBTITLE_WIDTH = 165  # characters of a page's explanation per line

RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.hashsalt": "opsim",
    "pdf.fonttype": 42,
    "text.parse_math": False,  # a "$" in a name is a dollar, not the start of a formula
}

VERDICT_COLOURS = {"ok": "#2e7d32", "MISS": "#c62828", "~": "#ef8f00", "": "#555555"}
"""Met, missed, undecided (the interval straddles the target), no target."""
BAND = "#66bb6a"  # a target band or limit that is healthy
LIMIT = "#c62828"  # a limit or target line
PRIORITY_COLOURS = ("#b71c1c", "#e65100", "#f9a825", "#1565c0", "#6a1b9a", "#00838f")
PARTS = {
    "incident": "#c62828",
    "postmortem": "#ef6c00",
    "planned": "#1565c0",
    "stream": "#6a1b9a",
    "training": "#00897b",
    "idle": "#cfd8dc",
}
"""Utilization's parts and their colours, in stacking order (they add up to 1)."""
BUCKET_COLOURS = {
    "business_hours": "#90caf9",
    "off_hours": "#ffb74d",
    "sleep_hours": "#5d4037",
}


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """Matplotlib's own defaults plus the report's style, whatever the user's matplotlibrc
    says: the same results give the same pages on any machine."""
    with mpl.rc_context():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mpl.MatplotlibDeprecationWarning)
            mpl.rcParams.update({k: v for k, v in mpl.rcParamsDefault.items() if k not in _KEEP})
        mpl.rcParams.update(RC)
        yield


_KEEP = ("backend", "backend_fallback", "interactive", "webagg.port", "timezone")
"""Settings that are the session's, not the page's."""


def chart(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Decorate a chart function: everything it draws gets the report's style."""

    @functools.wraps(draw)
    def styled_draw(*args, **kwargs) -> Figure:
        with styled():
            return draw(*args, **kwargs)

    return styled_draw


def page(title: str, subtitle: str = "", size: tuple[float, float] = PAGE) -> Figure:
    """A blank page with a title and an optional one-line explanation under it."""
    figure = Figure(figsize=size, layout="constrained")
    figure.text(0.01, 0.985, title, fontsize=14, fontweight="bold", ha="left", va="top")
    lines = textwrap.wrap(subtitle, SUBTITLE_WIDTH)
    if lines:
        figure.text(0.01, 0.945, "\n".join(lines), fontsize=9, color="#444444", va="top")
    top = 0.94 - 0.025 * len(lines)
    figure.get_layout_engine().set(rect=(0, 0, 1, top))
    return figure


def text_page(title: str, subtitle: str = "") -> Figure:
    """A page of text only: no axes to lay out, so none of the layout engine's cost."""
    figure = page(title, subtitle)
    figure.set_layout_engine("none")
    # Jupyter draws a figure only if it has axes: give it an invisible one
    figure.add_axes((0, 0, 1, 1)).set_axis_off()
    return figure


def axes(figure: Figure, rows: int = 1, columns: int = 1, **kw) -> np.ndarray:
    """A grid of axes, as a flat array."""
    return figure.subplots(rows, columns, squeeze=False, **kw).ravel()


def priority_colours(priorities: list[str]) -> dict[str, str]:
    """A colour per priority, most urgent first."""
    return {p: PRIORITY_COLOURS[i % len(PRIORITY_COLOURS)] for i, p in enumerate(priorities)}


def percent(ax: Axes, axis: str = "y") -> None:
    """Show shares (0-1) on an axis as percentages."""
    formatter = mpl.ticker.PercentFormatter(1.0, decimals=0)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def error_bars(means, lows, highs) -> np.ndarray:
    """Matplotlib's ``yerr``/``xerr`` from means and interval ends (nan -> 0)."""
    means, lows, highs = (np.asarray(v, dtype=float) for v in (means, lows, highs))
    below = np.nan_to_num(means - lows, nan=0.0).clip(0)
    above = np.nan_to_num(highs - means, nan=0.0).clip(0)
    return np.vstack([below, above])


def duration(minutes: float) -> str:
    """A duration for people: ``15 min``, ``4 h``, ``1 d``, ``2.5 d``."""
    if minutes >= 1440 and minutes % 1440 == 0:
        return f"{minutes / 1440:g} d"
    if minutes >= 2880:
        return f"{minutes / 1440:.3g} d"
    if minutes >= 60:
        return f"{minutes / 60:.3g} h"
    return f"{minutes:.3g} min"


def chunks(items: list, size: int) -> Iterator[list]:
    """``items`` in consecutive lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def week_axis(ax) -> None:
    """An x axis of the 168 hours of a week, a tick and a grid line at each day."""
    ax.set_xlim(0, HOURS_PER_WEEK)
    ax.set_xticks(range(0, HOURS_PER_WEEK + 1, 24), [*DAY_NAMES, ""], ha="left")
    ax.set_xticks(range(0, HOURS_PER_WEEK, 6), minor=True)
    ax.grid(True, axis="x", which="major", alpha=0.6)
