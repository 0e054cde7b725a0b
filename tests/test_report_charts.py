"""Every chart of the report, drawn from a small results folder: its figures, and no overlaps."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from sim.analysis.catalogue import ALL
from sim.report import (
    PAGES,
    MissingData,
    Results,
    availability,
    coverage,
    erlang,
    incident_load,
    load_results,
    response_sla,
    restore_times,
    style,
)
from sim.report.cover_page import verdict_lines

CHARTS = [page for page in PAGES if page.png]


@pytest.fixture(scope="module")
def results(small_results) -> Results:
    return load_results(small_results)


def _texts(figure: Figure):
    """Every text drawn on the page, with its box in pixels (tick labels only where drawn)."""
    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    found = list(figure.texts)
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        found += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        found += ax.texts
        legend = ax.get_legend()
        if legend is not None:
            found += [*legend.get_texts(), legend.get_title()]
        for axis in (a for a in (ax.xaxis, ax.yaxis) if a.get_visible() and ax.axison):
            found += [t.label1 for t in axis._update_ticks()] + [
                t.label2 for t in axis._update_ticks()
            ]
    for text in found:
        if text.get_visible() and text.get_text().strip():
            yield text, text.get_window_extent(renderer)


@pytest.mark.parametrize("page", CHARTS, ids=lambda p: p.name)
def test_each_chart_draws_a_titled_page_inside_its_bounds_with_no_text_overlapping(page, results):
    figure = page.draw(results)
    assert isinstance(figure, Figure)
    assert figure.axes or page.name == "cover"
    assert_legible(figure, page.name)


def assert_legible(figure: Figure, name: str) -> None:
    """No text of the page is cut off at its edge, and no two texts overlap."""
    texts = list(_texts(figure))
    width, height = figure.bbox.width, figure.bbox.height
    for text, box in texts:
        inside = box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1
        assert inside, f"{name}: {text.get_text()[:40]!r} is cut off at the page edge"
    for (a, box_a), (b, box_b) in itertools.combinations(texts, 2):
        shrunk_a, shrunk_b = box_a.expanded(0.98, 0.9), box_b.expanded(0.98, 0.9)
        assert not shrunk_a.overlaps(shrunk_b), (
            f"{name}: {a.get_text()[:40]!r} overlaps {b.get_text()[:40]!r}"
        )


def test_the_response_chart_draws_each_priority_mean_against_the_target(results):
    figure = response_sla(results)
    ax = figure.axes[0]
    groups = [p.id for p in results.scenario.priorities] + [ALL]
    heights = [bar.get_height() for bar in ax.patches]
    expected = [results.figure("response_sla_adherence", g)[0] for g in groups]
    assert heights == pytest.approx(expected, nan_ok=True)
    target = results.scenario.targets.response_sla_adherence
    assert any(list(line.get_ydata()) == [target, target] for line in ax.lines)


def test_the_coverage_heatmap_is_the_on_shift_figures_by_role_then_tier(results):
    image = coverage(results).axes[0].images[0].get_array()
    scenario = results.scenario
    roles = [r for t in scenario.teams for r in scenario.roles if r.team == t.id]
    assert image.shape == (len(roles) + len(scenario.tiers), 168)
    first = roles[0].id
    assert image[0, 10] == results.figure("on_shift", f"role:{first}:10")[0]
    last_tier = scenario.tiers[-1].id
    assert image[-1, 100] == results.figure("on_shift", f"tier:{last_tier}:100")[0]


def test_availability_shows_the_error_budget_each_service_used(results):
    ax = availability(results).axes[0]
    services = [s for s in results.scenario.services if s.slo < 1]
    used = [bar.get_width() for bar in ax.patches]
    expected = [(1 - results.figure("availability", s.id)[0]) / (1 - s.slo) for s in services]
    assert used == pytest.approx(expected)


def test_the_load_chart_counts_every_measured_incident_once(results):
    ax = incident_load(results).axes[0]
    weeks = results.measured_hours / 168 * results.replications  # 14 days: each hour twice
    total = sum(bar.get_height() for bar in ax.patches) * weeks
    measured = results.incidents["measured"].astype(bool).sum()
    assert total == pytest.approx(measured)


def test_restore_times_mark_mean_median_and_p90_of_each_priority(results):
    figure = restore_times(results)
    for ax, priority in zip(figure.axes, results.scenario.priorities, strict=False):
        marks = {line.get_xdata()[0] for line in ax.lines}
        for metric in ("mttr_minutes", "mttr_median_minutes", "mttr_p90_minutes"):
            mean = results.figure(metric, priority.id)[0]
            assert mean != mean or mean in marks


def test_the_erlang_panel_compares_the_prescribed_staff_with_the_week_on_shift(results):
    staff_ax, _ = erlang(results).axes
    on_shift = [results.figure("on_shift", f"all:{h}")[0] for h in range(168)]
    lines = {line.get_ydata()[0] for line in staff_ax.lines}
    assert np.mean(on_shift) in lines
    assert min(on_shift) in lines


def test_the_cover_lists_every_target_once(results):
    lines = verdict_lines(results)
    shown = {t.get_text() for t in results and _cover_texts(results)}
    assert {line.label for line in lines} <= shown
    assert all(line.target for line in lines)


def _cover_texts(results):
    from sim.report import cover

    return cover(results).texts


def test_a_chart_without_its_figures_says_what_is_missing(results):
    older = Results(results.scenario, results.summary.query("metric != 'on_shift'"))
    with pytest.raises(MissingData, match="on_shift"):
        coverage(older)
    with pytest.raises(MissingData, match="incident log"):
        restore_times(older)


def test_compare_draws_a_bar_per_option_and_each_options_own_goal(results):
    from sim.report import compare

    stricter = results.scenario.targets.model_copy(update={"response_sla_adherence": 0.99})
    other = Results(results.scenario.model_copy(update={"targets": stricter}), results.summary)
    figure = compare({"a": results, "b": other}, targets=[("response_sla_adherence", "P2")])
    ax = figure.axes[0]
    assert len(ax.patches) == 2
    red = to_rgba(style.LIMIT)
    goals = sorted(
        segment[0][1]
        for c in ax.collections
        if tuple(c.get_color()[0]) == red
        for segment in c.get_segments()
    )
    assert goals == pytest.approx([0.95, 0.99])


@pytest.mark.parametrize(
    "options, targets, error",
    [
        ([], None, TypeError),
        ({}, None, MissingData),
        ({"a": "not results"}, None, TypeError),
        ("{results}", "utilization", TypeError),
        ("{results}", [("utilisation", "all")], KeyError),
    ],
)
def test_compare_says_what_is_wrong_with_its_arguments(results, options, targets, error):
    from sim.report import compare

    options = {"a": results} if options == "{results}" else options
    with pytest.raises(error):
        compare(options, targets)


def test_the_cost_page_sets_each_lines_allocation_beside_what_is_needed(results):
    from sim.report import costs
    from sim.scenario.money import LINES

    budget_ax = costs(results).axes[2]
    bars = [bar.get_height() for bar in budget_ax.patches]
    budget = results.scenario.budget
    assert bars[: len(LINES)] == pytest.approx([budget.allocated(line) for line in LINES])
    personnel = results.figure("budget_implied", "personnel")[0]
    assert bars[len(LINES)] == pytest.approx(personnel)  # the one line a run prices
