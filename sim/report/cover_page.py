"""The report's first and last pages: the cover with every target's verdict, and the
resolved scenario as an appendix, so that the report alone can reproduce the run."""

from __future__ import annotations

import math
import textwrap

from matplotlib.figure import Figure

from sim.analysis.scorecard import Line, formatter, scorecard
from sim.report import style
from sim.report.results import Results

VERDICT_WORDS = {"ok": "met", "MISS": "missed", "~": "undecided"}
ROWS_PER_COLUMN = 34
FACT_LINE = 0.019  # height of a line of the run's facts (9 pt on an A4 page)
FACT_WIDTH = 130  # characters
FACT_LINES = {"scenario": 3, "overrides": 2}  # at most, so the table keeps its room
APPENDIX_LINES = 74  # lines of YAML per column, two columns a page
APPENDIX_WIDTH = 100  # characters per line before wrapping


def verdict_lines(results: Results) -> list[Line]:
    """The scorecard lines that have a target."""
    return [line for line in scorecard(results.summary, results.scenario) if line.target]


@style.chart
def cover(results: Results) -> Figure:
    """Scenario, run facts, and a one-screen table of every target: met, missed or undecided."""
    lines = verdict_lines(results)
    figure = style.text_page(textwrap.shorten(f"opsim report: {results.scenario.name}", 95))
    facts = _facts(results)
    figure.text(0.01, 0.935, facts, fontsize=9, va="top", family="monospace")
    headline = 0.935 - FACT_LINE * (facts.count("\n") + 1) - 0.045
    counts = {v: sum(1 for line in lines if line.verdict == v) for v in VERDICT_WORDS}
    summary = ", ".join(f"{n} {VERDICT_WORDS[v]}" for v, n in counts.items())
    figure.text(0.01, headline, f"{len(lines)} targets: {summary}", fontsize=12, fontweight="bold")
    columns = list(style.chunks(lines, ROWS_PER_COLUMN)) or [[]]
    width = 0.98 / len(columns)
    size = 8 if len(columns) == 1 else 6.5
    for k, column in enumerate(columns):
        _table(figure, column, 0.01 + k * width, headline - 0.04, size)
    figure.text(
        0.01,
        0.01,
        "Verdict: met = the whole 95% interval meets the target; missed = the whole interval "
        "misses it; undecided = the interval straddles the target (more replications would tell).",
        fontsize=8,
        color="#444444",
    )
    return figure


def _facts(results: Results) -> str:
    m, scenario = results.manifest, results.scenario
    calendar = scenario.calendar
    rows = [
        ("scenario", f"{m.get('scenario', '(in memory)')}: {scenario.description}".strip()),
        ("run", f"{m.get('finished_utc', 'date not recorded')}, opsim {m.get('version', '?')}"),
        (
            "replications",
            f"{results.replications} x {calendar.days} days from {calendar.start}"
            f" (warm-up {calendar.warmup_days:g} days), seed {m.get('seed', '?')}",
        ),
        ("overrides", ", ".join(m.get("overrides") or []) or "none"),
    ]
    return "\n".join(
        "\n".join(
            textwrap.wrap(
                str(v),
                FACT_WIDTH,
                initial_indent=f"{k:<13} ",
                subsequent_indent=" " * 14,
                max_lines=FACT_LINES.get(k),
                placeholder=" ...",
            )
        )
        for k, v in rows
    )


def _table(figure: Figure, lines: list[Line], x: float, top: float, size: float) -> None:
    step = min(0.0195, (top - 0.05) / ROWS_PER_COLUMN)
    wide = size >= 8
    offsets = (0, 0.30, 0.40, 0.57, 0.68) if wide else (0, 0.19, 0.245, 0.335, 0.40)
    heads = ("target", "mean", "95% interval", "goal", "verdict")
    for dx, head in zip(offsets, heads, strict=True):
        figure.text(x + dx, top, head, fontsize=size, fontweight="bold")
    for i, line in enumerate(lines, start=1):
        y = top - i * step
        fmt = formatter(line.unit)
        ci = "" if math.isnan(line.ci_low) else f"{fmt(line.ci_low)} to {fmt(line.ci_high)}"
        plain = "%" in line.target or line.unit in ("", "money")
        goal = line.target if plain else f"{line.target} {line.unit}"
        cells = (textwrap.shorten(line.label, 48 if wide else 34), fmt(line.mean), ci, goal)
        for dx, cell in zip(offsets, cells, strict=False):
            figure.text(x + dx, y, cell, fontsize=size)
        figure.text(
            x + offsets[-1],
            y,
            VERDICT_WORDS.get(line.verdict, line.verdict),
            fontsize=size,
            fontweight="bold",
            color=style.VERDICT_COLOURS[line.verdict],
        )


def appendix_pages(results: Results) -> list[Figure]:
    """The resolved scenario, as pages of YAML in two columns."""
    text = results.scenario_text
    lines = [part for line in text.splitlines() for part in _wrapped(line)]
    pages = list(style.chunks(lines, 2 * APPENDIX_LINES))
    return [_appendix_page(chunk, k + 1, len(pages)) for k, chunk in enumerate(pages)]


@style.chart
def _appendix_page(lines: list[str], number: int, total: int) -> Figure:
    figure = style.text_page(
        f"Appendix: the resolved scenario ({number}/{total})",
        "Every value the run used, defaults included: save it as a .yaml file and run "
        "`opsim run FILE --seed S --replications N` to reproduce the run.",
    )
    for k, column in enumerate(style.chunks(lines, APPENDIX_LINES)):
        figure.text(
            0.01 + 0.5 * k,
            0.90,
            "\n".join(column),
            family="monospace",
            fontsize=6,
            va="top",
            linespacing=1.18,
        )
    return figure


def _wrapped(line: str) -> list[str]:
    if len(line) <= APPENDIX_WIDTH:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 2)
    return textwrap.wrap(
        line,
        APPENDIX_WIDTH,
        subsequent_indent=indent,
        drop_whitespace=False,
        break_on_hyphens=False,
    ) or [line]
