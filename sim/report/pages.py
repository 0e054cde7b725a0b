"""The report's pages, in order: one list, so adding a page touches one place.

Each page names the function that draws it. A function raises
:class:`~sim.report.results.MissingData` when the results hold nothing for it
(a scenario without on-call rotations, results of an older opsim, a run without
its incident log): the page is then left out, and the report says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from sim.report import (
    cost_chart,
    cover_page,
    erlang_chart,
    oncall_charts,
    people_charts,
    service_charts,
)
from sim.report.results import MissingData, Results


@dataclass(frozen=True)
class Page:
    """One page (or, for the appendix, several) of the report."""

    name: str  # the stem of its PNG file
    title: str
    draw: Callable[[Results], Figure | list[Figure]]
    png: bool = True  # a chart, also written as ``<name>.png``


PAGES: tuple[Page, ...] = (
    Page("cover", "Cover: run and verdicts", cover_page.cover),
    Page("response-sla", "Response SLA adherence by priority", service_charts.response_sla),
    Page("restore-times", "Time to restore by priority", service_charts.restore_times),
    Page("coverage", "Coverage heatmap", people_charts.coverage),
    Page("utilization", "Utilization by team and person", people_charts.utilization),
    Page("availability", "Availability and error budget", service_charts.availability),
    Page("incident-load", "Incident load by hour of the week", service_charts.incident_load),
    Page("oncall-burden", "On-call burden per person", oncall_charts.oncall_burden),
    Page("fatigue", "Fatigue per person", oncall_charts.fatigue),
    Page("erlang-c", "Erlang C against the simulation", erlang_chart.erlang),
    Page("costs", "Cost a year and the budget", cost_chart.costs),
    Page("appendix", "Appendix: the resolved scenario", cover_page.appendix_pages, png=False),
)


@dataclass(frozen=True)
class Drawn:
    """A page drawn (its figures), or left out (the reason)."""

    page: Page
    figures: tuple[Figure, ...] = ()
    left_out: str = ""


def draw_pages(results: Results, pages: tuple[Page, ...] = PAGES) -> list[Drawn]:
    """Draw every page the results hold figures for."""
    drawn = []
    for page in pages:
        try:
            figures = page.draw(results)
        except MissingData as missing:
            drawn.append(Drawn(page, left_out=str(missing)))
            continue
        figures = tuple(figures) if isinstance(figures, list) else (figures,)
        drawn.append(Drawn(page, figures))
    return drawn
