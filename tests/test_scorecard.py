"""Tests for sim.analysis.scorecard: verdicts from confidence intervals, and the rendered table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis.scorecard import MISS, NONE, OK, UNSURE, Line, render, scorecard
from sim.scenario.schema import Scenario

NAN = float("nan")
COLUMNS = ["metric", "group", "mean", "ci_low", "ci_high", "replications"]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.model_validate(
        {
            "name": "card",
            "sites": [{"id": "hq", "timezone": "UTC"}],
            "teams": [{"id": "ops"}, {"id": "eng"}],
            "tiers": [{"id": "L1"}],
            "shifts": [{"id": "always", "start": "00:00", "end": "24:00"}],
            "roles": [
                {
                    "id": "r",
                    "team": "ops",
                    "tiers": ["L1"],
                    "staff": [{"site": "hq", "count": 1, "shift": "always"}],
                }
            ],
            "priorities": [
                {"id": "P1", "response_minutes": 15, "mttr_minutes": 60},
                {"id": "P2", "response_minutes": 240},
            ],
            "services": [{"id": "svc", "slo": 0.999}],
            "incidents": {
                "classes": [
                    {
                        "id": "c",
                        "priority": "P1",
                        "category": "x",
                        "service": "svc",
                        "outage": True,
                        "rate_per_day": 1,
                        "resolution": [{"tier": "L1", "effort": 10}],
                    },
                ]
            },
            "targets": {
                "mttd_minutes": 10,
                "response_sla_adherence": 0.9,
                "utilization": {"low": 0.7, "high": 0.8},
            },
        }
    )


def _with_mttd(scenario: Scenario, minutes) -> Scenario:
    targets = scenario.targets.model_copy(update={"mttd_minutes": minutes})
    return scenario.model_copy(update={"targets": targets})


def summary(*rows) -> pd.DataFrame:
    return pd.DataFrame([(*r, 5 if not math.isnan(r[3]) else 1) for r in rows], columns=COLUMNS)


def verdict(scenario, metric, group, mean, low, high) -> str:
    lines = scorecard(summary((metric, group, mean, low, high)), scenario)
    assert len(lines) == 1
    return lines[0].verdict


AT_LEAST = [  # response adherence target >= 0.9
    (0.95, 0.92, 0.98, OK),
    (0.95, 0.90, 0.99, OK),  # lower bound on the target
    (0.82, 0.80, 0.85, MISS),
    (0.90, 0.85, 0.95, UNSURE),
    (0.95, NAN, NAN, UNSURE),  # n = 1: no interval, no verdict
    (0.90, NAN, NAN, UNSURE),
    (0.80, NAN, NAN, UNSURE),
    (NAN, NAN, NAN, NONE),
]


@pytest.mark.parametrize(("mean", "low", "high", "expected"), AT_LEAST)
@pytest.mark.parametrize("group", ["P1", "P2", "all"])
def test_at_least(scenario, group, mean, low, high, expected):
    assert verdict(scenario, "response_sla_adherence", group, mean, low, high) == expected


@pytest.mark.parametrize(
    ("mean", "low", "high", "expected"),
    [
        (0.9995, 0.9991, 0.9999, OK),
        (0.995, 0.99, 0.998, MISS),
        (0.999, 0.998, 0.9995, UNSURE),
        (0.9995, NAN, NAN, UNSURE),
        (0.99, NAN, NAN, UNSURE),
    ],
)
def test_availability_at_least_slo(scenario, mean, low, high, expected):
    assert verdict(scenario, "availability", "svc", mean, low, high) == expected


AT_MOST = [  # MTTR P1 <= 60 (and MTTD with a 60-minute target)
    (45, 40, 50, OK),
    (55, 50, 60, OK),  # upper bound on the target
    (75, 70, 80, MISS),
    (60, 50, 70, UNSURE),
    (50, NAN, NAN, UNSURE),
    (70, NAN, NAN, UNSURE),
    (NAN, NAN, NAN, NONE),
]


@pytest.mark.parametrize(("mean", "low", "high", "expected"), AT_MOST)
def test_at_most_mttr(scenario, mean, low, high, expected):
    assert verdict(scenario, "mttr_minutes", "P1", mean, low, high) == expected


@pytest.mark.parametrize(("mean", "low", "high", "expected"), AT_MOST)
def test_at_most_mttd(scenario, mean, low, high, expected):
    at_60 = _with_mttd(scenario, 60)
    assert verdict(at_60, "mttd_minutes", "all", mean, low, high) == expected


WITHIN = [  # utilisation band 0.7-0.8
    (0.75, 0.72, 0.78, OK),
    (0.75, 0.70, 0.80, OK),  # the band's edges count as inside
    (0.55, 0.50, 0.60, MISS),
    (0.88, 0.85, 0.90, MISS),
    (0.70, 0.65, 0.75, UNSURE),
    (0.80, 0.75, 0.85, UNSURE),
    (0.75, 0.60, 0.90, UNSURE),
    (0.66, 0.62, 0.70, UNSURE),
    (0.75, NAN, NAN, UNSURE),
    (0.90, NAN, NAN, UNSURE),
    (0.60, NAN, NAN, UNSURE),
    (NAN, NAN, NAN, NONE),
]


@pytest.mark.parametrize(("mean", "low", "high", "expected"), WITHIN)
@pytest.mark.parametrize("group", ["team:ops", "team:eng", "all"])
def test_within(scenario, group, mean, low, high, expected):
    assert verdict(scenario, "utilization", group, mean, low, high) == expected


@pytest.mark.parametrize(
    ("metric", "group"),
    [
        ("mtta_minutes", "P1"),
        ("mttr_minutes", "P2"),
        ("mttr_p90_minutes", "all"),
        ("availability_slo_met", "svc"),
        ("incidents", "P1"),
        ("overtime_hours", "all"),
        ("backlog_at_end", "all"),
    ],
)
def test_lines_without_target_have_no_verdict(scenario, metric, group):
    lines = scorecard(summary((metric, group, 1e9, 1e9, 1e9)), scenario)
    assert [(line.verdict, line.target) for line in lines] == [(NONE, "")]


def test_unknown_rows_are_ignored_and_missing_rows_skipped(scenario):
    lines = scorecard(
        summary(
            ("utilization", "team:nobody", 0.75, 0.7, 0.8),
            ("utilization", "person:x", 0.75, 0.7, 0.8),
            ("mttr_minutes", "P3", 10, 9, 11),
        ),
        scenario,
    )
    assert lines == []


def test_no_mttd_target_means_no_verdict(scenario):
    plain = _with_mttd(scenario, None)
    lines = scorecard(summary(("mttd_minutes", "all", 1e6, 1e6, 1e6)), plain)
    assert [(line.verdict, line.target) for line in lines] == [(NONE, "")]


FULL = [
    ("response_sla_adherence", "P1", 0.95, 0.92, 0.98),
    ("response_sla_adherence", "P2", 0.5, 0.4, 0.6),
    ("response_sla_adherence", "all", 0.9, 0.85, 0.95),
    ("mtta_minutes", "P1", 5.0, 4.0, 6.0),
    ("mttd_minutes", "all", 3.0, NAN, NAN),
    ("mttr_minutes", "P1", 45.0, 40.0, 50.0),
    ("utilization", "team:ops", 0.75, 0.72, 0.78),
    ("utilization", "all", 0.6, 0.55, 0.65),
    ("availability", "svc", 0.9995, 0.9991, 0.9999),
    ("availability_slo_met", "svc", 0.8, 0.6, 1.0),
    ("incidents", "P1", 123.0, 110.0, 136.0),
    ("backlog_at_end", "all", NAN, NAN, NAN),
]


def test_scorecard_order_and_fields(scenario):
    lines = scorecard(summary(*reversed(FULL)), scenario)
    assert [(line.metric, line.group) for line in lines] == [(m, g) for m, g, *_ in FULL]
    assert [line.verdict for line in lines] == [
        OK,
        MISS,
        UNSURE,
        NONE,
        UNSURE,  # one replication: no interval
        OK,
        OK,
        MISS,
        OK,
        NONE,
        NONE,
        NONE,
    ]
    first = lines[0]
    assert isinstance(first, Line)
    assert (first.mean, first.ci_low, first.ci_high) == (0.95, 0.92, 0.98)
    assert first.label == "Response SLA P1 (<= 15 min)"
    assert first.target == ">= 90%"
    assert lines[1].label == "Response SLA P2 (<= 4 h)"
    assert lines[5].target == "<= 60"
    assert lines[6].target == "70%-80%"
    assert lines[8].target == ">= 99.900%"


def test_render_contains_labels_and_verdicts(scenario):
    lines = scorecard(summary(*FULL), scenario)
    text = render(lines, title="My scenario")
    rows = text.splitlines()
    assert rows[0] == "My scenario"
    assert "KPI" in rows[1] and "verdict" in rows[1] and "95% CI" in rows[1]
    assert set(rows[2]) == {"-"}
    body, legend = rows[3:-1], rows[-1]
    assert legend.startswith("verdict: ok = ")
    assert len(body) == len(lines)
    for row, line in zip(body, lines, strict=True):
        assert row.startswith(line.label)
        assert row.rstrip().endswith(line.verdict)
    assert "95.0%" in body[0] and "[92.0%, 98.0%]" in body[0]
    assert body[0].rstrip().endswith(OK)
    assert body[1].rstrip().endswith(MISS)
    assert body[2].rstrip().endswith(UNSURE)
    assert "5.0 min" in body[3]
    assert "[" not in body[4]  # n = 1: no interval shown
    assert "99.950%" in body[8]
    assert "n/a" in body[-1]


def test_render_without_title(scenario):
    text = render(scorecard(summary(*FULL[:1]), scenario))
    assert text.splitlines()[0].startswith("KPI")
    assert len(text.splitlines()) == 4  # header, rule, one KPI, legend
