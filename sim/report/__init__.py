"""Reports: charts of a run's results, and a PDF/PNG report of them.

Every chart is a function of :class:`Results` returning a matplotlib figure::

    from sim.report import load_results, response_sla
    results = load_results("results/baseline")
    response_sla(results)                       # a figure (shown by Jupyter)

In a notebook, wrap a run of this process with ``Results.of(run_experiment(...))``.
:func:`write_report` writes the whole report: every page of :data:`PAGES`.

A comparison or sweep has its own pages (:data:`COMPARISON_PAGES`,
:data:`SWEEP_PAGES`): ``differences(BatchResults.of(comparison))`` and
``across_grid(BatchResults.of(sweep))``.
"""

from __future__ import annotations

from sim.report.batch_pages import COMPARISON_PAGES, SWEEP_PAGES, across_grid, differences
from sim.report.batch_results import BatchResults, load_batch
from sim.report.comparison_chart import compare
from sim.report.cost_chart import costs
from sim.report.cover_page import appendix_pages, cover, verdict_lines
from sim.report.erlang_chart import erlang
from sim.report.oncall_charts import fatigue, oncall_burden
from sim.report.pages import PAGES, Drawn, Page, draw_pages
from sim.report.people_charts import coverage, utilization
from sim.report.results import MissingData, Results, load_results
from sim.report.service_charts import availability, incident_load, response_sla, restore_times
from sim.report.writer import REPORT_FILES, write_report

__all__ = [
    "COMPARISON_PAGES",
    "PAGES",
    "REPORT_FILES",
    "SWEEP_PAGES",
    "BatchResults",
    "Drawn",
    "MissingData",
    "Page",
    "Results",
    "across_grid",
    "appendix_pages",
    "availability",
    "compare",
    "costs",
    "cover",
    "coverage",
    "differences",
    "draw_pages",
    "erlang",
    "fatigue",
    "incident_load",
    "load_batch",
    "load_results",
    "oncall_burden",
    "response_sla",
    "restore_times",
    "utilization",
    "verdict_lines",
    "write_report",
]
