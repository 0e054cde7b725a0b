"""Charts of the people: who is on shift when, and how their time is used.

Each function takes :class:`~sim.report.results.Results` and returns a page,
or raises :class:`~sim.report.results.MissingData`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from sim.analysis.coverage import HOURS_PER_WEEK
from sim.report import style
from sim.report.results import MissingData, Results

PEOPLE_SHOWN = 40
"""Up to this many people the utilization page shows each person; beyond, each role."""


@style.chart
def coverage(results: Results) -> Figure:
    """People on shift by role and tier per UTC hour of the week; tier gaps hatched."""
    results.require(
        "on_shift", "role:", "these results have no on_shift figures (opsim before 0.4)"
    )
    scenario = results.scenario
    roles = [r for t in scenario.teams for r in scenario.roles if r.team == t.id]
    rows = [(f"{r.id} ({r.team})", f"role:{r.id}") for r in roles]
    rows += [(f"tier {t.id}", f"tier:{t.id}") for t in scenario.tiers]
    grid = np.array(
        [
            [results.figure("on_shift", f"{g}:{h}")[0] for h in range(HOURS_PER_WEEK)]
            for _, g in rows
        ]
    )
    figure = style.page(
        "Coverage: people on shift by hour of the week (UTC)",
        "Mean people on shift (absences counted out). Hatched red: a tier with on average fewer "
        "than one person on shift, where work needing it waits or pages someone on call.",
    )
    ax = style.axes(figure)[0]
    colours = LinearSegmentedColormap.from_list("on shift", ["#ffffff", "#9ecae1", "#08306b"])
    image = ax.imshow(
        grid,
        aspect="auto",
        cmap=colours,
        interpolation="nearest",
        extent=(0, HOURS_PER_WEEK, len(rows), 0),
        vmin=0,
        vmax=max(1.0, float(np.nanmax(grid, initial=1))),
    )
    for i, (_, group) in enumerate(rows):
        if group.startswith("tier:"):
            _hatch_gaps(ax, grid[i], i)
    ax.axhline(len(roles), color="black", linewidth=1.5)
    ax.set_yticks(np.arange(len(rows)) + 0.5, [label for label, _ in rows])
    style.week_axis(ax)
    ax.grid(False)
    for day in range(0, HOURS_PER_WEEK, 24):
        ax.axvline(day, color="#37474f", linewidth=0.8)
    figure.colorbar(image, ax=ax, label="people on shift", shrink=0.8)
    ax.legend(
        handles=[
            Patch(
                facecolor="none",
                edgecolor=style.LIMIT,
                hatch="////",
                label="tier gap (< 1 on shift)",
            )
        ],
        loc="upper left",
        bbox_to_anchor=(0, -0.06),
        frameon=False,
    )
    return figure


def _hatch_gaps(ax, values: np.ndarray, row: int) -> None:
    for hour, value in enumerate(values):
        if value < 1.0 or value != value:
            ax.add_patch(
                Rectangle(
                    (hour, row), 1, 1, fill=False, hatch="////", edgecolor=style.LIMIT, linewidth=0
                )
            )


@style.chart
def utilization(results: Results) -> Figure:
    """Utilization by team and by person, split into its parts, against the target band."""
    results.require("utilization_part", "team:")
    scenario = results.scenario
    band = scenario.targets.utilization
    figure = style.page(
        "Utilization by team and person, split into its parts",
        f"Share of available time (rostered minus absence) spent on each kind of work; "
        f"shaded: the {band.low:.0%}-{band.high:.0%} target band; bars: 95% interval.",
    )
    top, bottom = style.axes(figure, 2, 1, height_ratios=[1, 2.4])
    teams = [t.id for t in scenario.teams]
    parts = _team_parts(results, teams)
    _stacked(top, teams, parts, band)
    means, lows, highs = zip(
        *(results.figure("utilization", f"team:{t}") for t in teams), strict=True
    )
    _interval(top, np.arange(len(teams)), means, lows, highs)
    top.set_title("Teams", loc="left")
    labels, person_parts, figures = _people_parts(results)
    _stacked(bottom, labels, person_parts, band)
    if figures:
        _interval(bottom, np.arange(len(labels)), *zip(*figures, strict=True))
    bottom.set_title("People" if len(labels) == len(figures) else "Roles", loc="left")
    bottom.set_xlabel("share of available time")
    top.legend(
        handles=[Patch(color=c, label=p) for p, c in style.PARTS.items()],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        title="part",
    )
    return figure


def _team_parts(results: Results, teams: list[str]) -> dict[str, np.ndarray]:
    return {
        part: np.array([results.figure("utilization_part", f"team:{t}:{part}")[0] for t in teams])
        for part in style.PARTS
    }


def _people_parts(results: Results):
    """Per person (or per role, for large organisations): labels, parts, intervals."""
    people = results.people
    if people.empty or "incident_hours" not in people:
        raise MissingData("these results have no people table")
    columns = {part: f"{part}_hours" for part in style.PARTS if part != "idle"}
    by = "person" if people["person"].nunique() <= PEOPLE_SHOWN else "role"
    keys = ["team", by] if by == "role" else ["team", "role", "person"]
    table = people.groupby(keys, sort=False)[[*columns.values(), "available_hours"]].sum()
    order = [t.id for t in results.scenario.teams]
    table = table.reset_index().sort_values("team", key=lambda s: s.map(order.index), kind="stable")
    available = table["available_hours"].to_numpy()
    parts = {p: _share(table[c].to_numpy(), available) for p, c in columns.items()}
    parts["idle"] = np.clip(1 - sum(parts.values()), 0, 1)
    labels = [f"{row[by]} ({row['team']})" for _, row in table.iterrows()]
    figures = [results.figure("utilization", f"{by}:{name}") for name in table[by]]
    return labels, parts, figures if by == "person" else []


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / whole, 0.0)


def _stacked(ax, labels: list[str], parts: dict[str, np.ndarray], band) -> None:
    y = np.arange(len(labels))
    left = np.zeros(len(labels))
    for part, colour in style.PARTS.items():
        ax.barh(y, parts[part], left=left, color=colour, height=0.7)
        left += np.nan_to_num(parts[part])
    ax.axvspan(band.low, band.high, color=style.BAND, alpha=0.18, zorder=3)
    for edge in (band.low, band.high):
        ax.axvline(edge, color="#1b5e20", linestyle="--", linewidth=1, zorder=3)
    ax.set_yticks(y, labels, fontsize=7 if len(labels) > 20 else 8)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    style.percent(ax, "x")
    ax.grid(False, axis="y")


def _interval(ax, y, means, lows, highs) -> None:
    ax.errorbar(
        means,
        y,
        xerr=style.error_bars(means, lows, highs),
        fmt="o",
        color="black",
        markersize=3,
        capsize=3,
        zorder=4,
    )
