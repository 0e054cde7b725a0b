"""Tests for sim.experiments.experiment: intervals, summaries, reproducible replications."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.experiments.experiment import ExperimentResult, run_experiment, simulate
from sim.experiments.statistics import confidence_interval, summarise
from sim.scenario.loader import ScenarioError, load_scenario

MMC = Path(__file__).resolve().parents[1] / "scenarios" / "validation" / "mmc.yaml"
SUMMARY_COLUMNS = ["metric", "group", "mean", "ci_low", "ci_high", "replications"]


@pytest.fixture(scope="module")
def mmc():
    # a short horizon needs a warm-up shorter than it (the file's is 5 days)
    return load_scenario(MMC, ["calendar.days=2", "calendar.warmup_days=0.25"])


@pytest.fixture(scope="module")
def in_process(mmc) -> ExperimentResult:
    return run_experiment(mmc, replications=3, seed=7, workers=1)


# ---------------------------------------------------------------------- confidence_interval


@pytest.mark.parametrize("confidence", [0.95, 0.99, 0.5])
def test_confidence_interval_matches_scipy(confidence):
    x = np.array([3.0, 5.5, 4.0, 8.25, 6.0, 2.5])
    low, mean, high, n = confidence_interval(x, confidence)
    ref = stats.t.interval(confidence, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert n == 6
    assert mean == pytest.approx(x.mean())
    assert (low, high) == pytest.approx(ref, rel=1e-12)


def test_confidence_interval_default_is_95():
    x = np.array([1.0, 2.0, 4.0])
    low, _, high, _ = confidence_interval(x)
    assert (low, high) == pytest.approx(stats.t.interval(0.95, 2, loc=7 / 3, scale=stats.sem(x)))


def test_confidence_interval_single_value():
    low, mean, high, n = confidence_interval(np.array([4.2]))
    assert math.isnan(low) and math.isnan(high)
    assert (mean, n) == (4.2, 1)


def test_confidence_interval_empty_and_all_nan():
    for values in (np.array([]), np.array([np.nan, np.nan])):
        low, mean, high, n = confidence_interval(values)
        assert math.isnan(low) and math.isnan(mean) and math.isnan(high)
        assert n == 0


def test_confidence_interval_drops_nan_and_inf():
    assert confidence_interval(np.array([1.0, np.nan, 2.0, 3.0, np.inf])) == pytest.approx(
        confidence_interval(np.array([1.0, 2.0, 3.0]))
    )
    low, mean, high, n = confidence_interval(np.array([np.nan, 5.0]))
    assert (mean, n) == (5.0, 1) and math.isnan(low) and math.isnan(high)


def test_confidence_interval_constant_values_has_zero_width():
    assert confidence_interval(np.full(4, 2.5)) == (2.5, 2.5, 2.5, 4)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30))
def test_confidence_interval_contains_mean(values):
    low, mean, high, n = confidence_interval(np.array(values))
    assert n == len(values)
    tol = 1e-9 * (1 + abs(mean))
    assert low <= mean + tol and mean <= high + tol
    assert (mean - low) == pytest.approx(high - mean, abs=1e-6 * (1 + abs(mean)))


def test_confidence_interval_coverage():
    # 99.9 % of t-intervals at 95 % over 2000 normal samples cover the true mean
    # between the binomial 99.9 % bounds.
    rng = np.random.default_rng(123)
    trials = 2000
    hits = sum(
        low <= 10.0 <= high
        for low, _, high, _ in (confidence_interval(rng.normal(10, 3, 5)) for _ in range(trials))
    )
    lo, hi = stats.binom.ppf([0.0005, 0.9995], trials, 0.95)
    assert lo <= hits <= hi


# ---------------------------------------------------------------------- summarise


def test_summarise_columns_and_values():
    kpis = pd.DataFrame(
        {
            "replication": [0, 1, 2, 0, 1, 2, 0, 1, 2],
            "metric": ["a"] * 3 + ["b"] * 3 + ["a"] * 3,
            "group": ["all"] * 6 + ["P1"] * 3,
            "value": [1.0, 2.0, 3.0, 5.0, np.nan, np.nan, 4.0, 4.0, 4.0],
        }
    )
    s = summarise(kpis)
    assert list(s.columns) == SUMMARY_COLUMNS
    assert list(zip(s.metric, s.group, strict=True)) == [("a", "all"), ("b", "all"), ("a", "P1")]
    a = s.iloc[0]
    ref = stats.t.interval(0.95, 2, loc=2.0, scale=stats.sem([1.0, 2.0, 3.0]))
    assert (a["mean"], a.replications) == (2.0, 3)
    # a metric that cannot be negative has its interval clipped at zero
    assert (a.ci_low, a.ci_high) == pytest.approx((max(ref[0], 0.0), ref[1]))
    b = s.iloc[1]
    assert (b["mean"], b.replications) == (5.0, 1)
    assert math.isnan(b.ci_low) and math.isnan(b.ci_high)
    assert tuple(s.iloc[2][["mean", "ci_low", "ci_high", "replications"]]) == (4.0, 4.0, 4.0, 3)
    wide = summarise(kpis, confidence=0.99).iloc[0]
    assert wide.ci_low <= a.ci_low and wide.ci_high > a.ci_high


def test_share_metrics_are_clipped_to_one_and_yes_no_metrics_use_wilson():
    kpis = pd.DataFrame(
        {
            "replication": list(range(6)) * 2,
            "metric": ["response_sla_adherence"] * 6 + ["availability_slo_met"] * 6,
            "group": ["all"] * 12,
            "value": [1.0, 1.0, 1.0, 1.0, 1.0, 0.9] + [1.0] * 5 + [0.0],
        }
    )
    sla, met = summarise(kpis).itertuples(index=False)
    assert sla.ci_high == 1.0 and sla.ci_low < sla.mean
    # Wilson score interval for 5 of 6, z = 1.96: (0.4365, 0.9699)
    assert (met.ci_low, met.mean, met.ci_high) == pytest.approx((0.4365, 5 / 6, 0.9699), abs=1e-4)


# ---------------------------------------------------------------------- run_experiment


def test_result_tables(in_process, mmc):
    r = in_process
    assert r.seed == 7 and r.scenario is mmc
    assert list(r.summary.columns) == SUMMARY_COLUMNS
    assert list(r.replications.columns) == ["replication", "metric", "group", "value"]
    assert sorted(r.replications.replication.unique()) == [0, 1, 2]
    assert sorted(r.people.replication.unique()) == [0, 1, 2]
    assert sorted(r.incidents.replication.unique()) == [0, 1, 2]
    assert len(r.people) == 3 * 5  # five responders per replication
    # the summary is exactly summarise() of the replications
    pd.testing.assert_frame_equal(r.summary, summarise(r.replications))
    n = r.kpi("incidents")
    assert n.replications == 3
    # about 288/day over 1.75 measured days
    assert 0.8 * 504 < n["mean"] < 1.2 * 504


def test_workers_do_not_change_results(in_process, mmc):
    parallel = run_experiment(mmc, replications=3, seed=7, workers=2)
    pd.testing.assert_frame_equal(in_process.replications, parallel.replications)
    pd.testing.assert_frame_equal(in_process.summary, parallel.summary)
    pd.testing.assert_frame_equal(in_process.incidents, parallel.incidents)
    pd.testing.assert_frame_equal(in_process.people, parallel.people)


def test_other_seed_gives_other_results(in_process, mmc):
    other = run_experiment(mmc, replications=3, seed=8, workers=1)
    a = in_process.replications.value.to_numpy()
    b = other.replications.value.to_numpy()
    assert not np.allclose(a, b, equal_nan=True)


@pytest.mark.parametrize("r", [0, 2])
def test_simulate_equals_replication_of_experiment(in_process, mmc, r):
    rep = simulate(mmc, seed=7, replication=r)
    expected = in_process.replications[in_process.replications.replication == r]
    pd.testing.assert_frame_equal(rep.kpis, expected.reset_index(drop=True))
    got_incidents = rep.incidents
    want_incidents = in_process.incidents[in_process.incidents.replication == r]
    pd.testing.assert_frame_equal(got_incidents, want_incidents.reset_index(drop=True))
    assert rep.record.replication == r
    assert len(rep.record.incidents) == len(got_incidents)


def test_replications_are_different(in_process):
    counts = in_process.replications.query("metric == 'incidents' and group == 'all'").value
    assert counts.nunique() > 1


def test_keep_incidents_false(mmc):
    r = run_experiment(mmc, replications=2, seed=7, workers=1, keep_incidents=False)
    assert r.incidents.empty
    assert not r.replications.empty


def test_kpi_lookup(in_process):
    u = in_process.kpi("utilization")
    assert (u.metric, u.group) == ("utilization", "all")
    assert 0 < u["mean"] < 1
    p1 = in_process.kpi("mttr_minutes", "P1")
    assert p1.group == "P1"
    with pytest.raises(KeyError):
        in_process.kpi("no_such_kpi")
    with pytest.raises(KeyError):
        in_process.kpi("utilization", "team:nobody")


def test_replications_must_be_positive(mmc):
    with pytest.raises(ValueError):
        run_experiment(mmc, replications=0, workers=1)


@pytest.mark.parametrize("warmup", [2, 5])
def test_warmup_must_end_before_horizon(warmup):
    with pytest.raises(ScenarioError):
        load_scenario(MMC, {"calendar.days": 2, "calendar.warmup_days": warmup})
