"""Tests for sim.analysis.catalogue: every reported metric is declared, and its rules hold."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis import catalogue
from sim.analysis.catalogue import (
    ALL,
    METRICS,
    MISS,
    NONE,
    OK,
    UNSURE,
    Better,
    Kind,
    Metric,
    at_least,
    at_most,
    check_rows,
    lookup,
    within,
)
from sim.analysis.scorecard import CARD, Entry, entry, scorecard
from tests.scenarios import tiny

NAN = float("nan")


@pytest.fixture(scope="module")
def scenario():
    return tiny(
        services=[{"id": "svc", "slo": 0.999}],
        priorities=[{"id": "P0", "response_minutes": 15, "mttr_minutes": 30}],
        targets={"mttd_minutes": 10},
    )


# ------------------------------------------------------------------ declared once, used everywhere


def test_every_metric_of_a_small_run_is_catalogued():
    from sim.analysis import metrics
    from sim.experiments.experiment import simulate

    scenario = tiny(
        services=[{"id": "svc", "slo": 0.999}],
        priorities=[{"id": "P0", "response_minutes": 15, "mttr_minutes": 30}],
        targets={"mttd_minutes": 10},
        streams=[
            {
                "id": "tickets",
                "rate_per_day": 20,
                "effort": 10,
                "roles": ["operator"],
                "response_minutes": 60,
            }
        ],
        planned=[
            {
                "id": "standup",
                "cadence": {"every": "day"},
                "at": "09:00",
                "duration": 15,
                "attendees": {"everyone": True},
            }
        ],
        training={"monthly_hours": 4},
        calendar={"days": 31},
        oncall={"rotations": [{"id": "primary", "roles": ["operator"]}]},
        fatigue={"enabled": True},
        attrition={"enabled": True},
        absence={"annual_leave_days": {"hq": 20}},
        budget={"total": 500000, "surge": {"backlog": 1, "call_cost": 100}},
        changes={
            "deployments": [
                {"id": "app", "per_day": 4, "failure_rate": 0.1, "incident_class": "normal"}
            ]
        },
    )
    rep = simulate(scenario, seed=3)
    rows = metrics.kpi_rows(rep.record, scenario)
    check_rows(rows)  # names catalogued, values inside their kind's range
    assert {name for name, _, _ in rows} == set(METRICS)  # and nothing declared is never reported


def test_every_card_metric_is_catalogued():
    names = [name for item in CARD for name in item.metrics]
    assert names and all(lookup(name).name == name for name in names)


def test_metrics_are_ordered_and_well_formed(scenario):
    assert list(METRICS)[:2] == ["incidents", "response_sla_adherence"]
    for name, metric in METRICS.items():
        assert metric.name == name
        assert isinstance(metric.kind, Kind) and isinstance(metric.better, Better)
        assert metric.label_for(scenario, ALL)
        if metric.kind in (Kind.SHARE, Kind.YES_NO):
            assert metric.unit == "share"


def test_a_metric_with_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="furlongs"):
        Metric("x", ALL, "furlongs", Kind.COUNT, Better.NONE, "X")


# ------------------------------------------------------------------------------ unknown names


def test_unknown_metric_raises_with_suggestion():
    with pytest.raises(KeyError, match=r"unknown metric 'mttr_minute'.*'mttr_minutes'"):
        lookup("mttr_minute")
    with pytest.raises(KeyError, match="utilization"):
        lookup("utilisation")
    with pytest.raises(KeyError) as raised:
        lookup("zzz")
    assert "did you mean" not in str(raised.value)


def test_card_entry_naming_an_unknown_metric_raises(scenario):
    with pytest.raises(KeyError, match="availability"):
        entry("availabilty", groups=lambda s: [ALL])
    # bypassing the check at construction still fails when the card is drawn
    broken = object.__new__(Entry)
    object.__setattr__(broken, "metrics", ("nope",))
    object.__setattr__(broken, "groups", lambda s: [ALL])
    summary = pd.DataFrame(columns=["metric", "group", "mean", "ci_low", "ci_high", "replications"])
    with pytest.raises(KeyError, match="nope"):
        scorecard(summary, scenario, card=[broken])


def test_check_rows_names_and_ranges():
    check_rows([("utilization", ALL, 1.0), ("utilization", "team:x", NAN), ("incidents", ALL, 9)])
    with pytest.raises(KeyError, match="incident"):
        check_rows([("incident", ALL, 1.0)])
    with pytest.raises(ValueError, match="utilization"):
        check_rows([("utilization", ALL, 1.2)])
    with pytest.raises(ValueError, match="mttr_minutes"):
        check_rows([("mttr_minutes", "P0", -1.0)])
    check_rows([("utilization", ALL, 1.2)], ranges=False)


# ------------------------------------------------------------------------------ verdict rules


@pytest.mark.parametrize(
    ("mean", "low", "high", "expected"),
    [
        (0.95, 0.92, 0.98, OK),
        (0.95, 0.90, 0.99, OK),  # lower bound on the target
        (0.82, 0.80, 0.85, MISS),
        (0.90, 0.85, 0.95, UNSURE),
        (0.90, NAN, NAN, UNSURE),
        (0.80, NAN, NAN, UNSURE),
        (NAN, NAN, NAN, NONE),
    ],
)
def test_at_least(mean, low, high, expected):
    assert at_least(0.9, ".0%").verdict(mean, low, high) == expected


@pytest.mark.parametrize(
    ("mean", "low", "high", "expected"),
    [
        (25, 20, 28, OK),
        (28, 25, 30, OK),  # upper bound on the target
        (40, 35, 45, MISS),
        (30, 25, 35, UNSURE),
        (30, NAN, NAN, UNSURE),
        (31, NAN, NAN, UNSURE),
        (NAN, NAN, NAN, NONE),
    ],
)
def test_at_most(mean, low, high, expected):
    assert at_most(30).verdict(mean, low, high) == expected


@pytest.mark.parametrize(
    ("mean", "low", "high", "expected"),
    [
        (0.75, 0.70, 0.80, OK),  # the band's edges count as inside
        (0.55, 0.50, 0.60, MISS),
        (0.88, 0.85, 0.90, MISS),
        (0.70, 0.65, 0.75, UNSURE),
        (0.75, 0.60, 0.90, UNSURE),
        (0.75, NAN, NAN, UNSURE),
        (0.60, NAN, NAN, UNSURE),
        (NAN, NAN, NAN, NONE),
    ],
)
def test_within(mean, low, high, expected):
    assert within(0.7, 0.8).verdict(mean, low, high) == expected


def test_target_texts():
    assert at_least(0.95, ".0%").text == ">= 95%"
    assert at_least(0.999, ".3%").text == ">= 99.900%"
    assert at_most(30).text == "<= 30"
    assert within(0.7, 0.8).text == "70%-80%"


def test_target_rules_per_group(scenario):
    def text(name, group):
        target = lookup(name).target_for(scenario, group)
        return target.text if target else None

    assert text("response_sla_adherence", "P0") == text("response_sla_adherence", ALL) == ">= 95%"
    assert (text("mttd_minutes", ALL), text("mttd_minutes", "P0")) == ("<= 10", None)
    assert (text("mttr_minutes", "P0"), text("mttr_minutes", "P1")) == ("<= 30", None)
    assert text("utilization", "team:noc") == text("utilization", ALL) == "70%-80%"
    assert text("utilization", "person:x") is None
    assert (text("availability", "svc"), text("availability", "other")) == (">= 99.900%", None)
    assert text("incidents", ALL) is None


def test_labels(scenario):
    def label(name, group):
        return lookup(name).label_for(scenario, group)

    assert label("response_sla_adherence", "P0") == "Response SLA P0 (<= 15 min)"
    assert label("response_sla_adherence", ALL) == "Response SLA, all"
    assert label("utilization", "team:noc") == "Utilization noc"
    assert label("coverage_gap_hours", "tier:L1") == "Nobody on shift for L1"
    assert (label("mttd_minutes", ALL), label("backlog_at_end", ALL)) == ("MTTD", "Backlog at end")
    assert label("overtime_hours", ALL) == "Overtime hours, all"


# ------------------------------------------------------------------------ summarise uses the kind


@pytest.mark.parametrize("name", list(METRICS))
def test_summarise_clips_by_kind(name):
    from sim.experiments.statistics import summarise, wilson_interval

    values = [0.0, 0.0, 1.0, 1.0, 1.0]  # a Student-t interval reaches below 0 and above 1
    kpis = pd.DataFrame({"replication": range(5), "metric": name, "group": ALL, "value": values})
    row = summarise(kpis).iloc[0]
    kind = METRICS[name].kind
    if kind is Kind.YES_NO:
        low, _, high, _ = wilson_interval(pd.Series(values).to_numpy())
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high))
        assert row.ci_low > 0 and row.ci_high < 1
    elif kind is Kind.SHARE:
        assert (row.ci_low, row.ci_high) == (0.0, 1.0)
    else:
        assert row.ci_low == 0.0 and row.ci_high > 1.0
    assert math.isclose(row["mean"], 0.6)


def test_kind_bounds():
    assert Kind.SHARE.bounds == Kind.YES_NO.bounds == (0.0, 1.0)
    assert all(k.bounds == (0.0, math.inf) for k in Kind if k not in (Kind.SHARE, Kind.YES_NO))
    assert catalogue.UNITS["share"] == "%"


def test_the_readme_documents_every_metric():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert [name for name in METRICS if f"`{name}`" not in readme] == []
