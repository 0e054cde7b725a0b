"""Paired and independent differences between scenarios, against theory and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiments.statistics import (
    confidence_interval,
    independent_difference,
    paired_difference,
    summarise,
)


def test_a_paired_difference_is_the_interval_of_the_differences():
    base = np.array([10.0, 12.0, 9.0, 11.0])
    other = base + np.array([1.0, 2.0, 1.5, 0.5])
    low, mean, high, n = paired_difference(other, base)
    half = stats.t.ppf(0.975, 3) * np.std([1, 2, 1.5, 0.5], ddof=1) / 2
    assert (mean, n) == (1.25, 4)
    assert (low, high) == pytest.approx((1.25 - half, 1.25 + half))


def test_pairs_with_a_missing_value_are_left_out():
    _, mean, _, n = paired_difference([1.0, np.nan, 3.0], [0.0, 1.0, 1.0])
    assert (mean, n) == (1.5, 2)
    with pytest.raises(ValueError, match="differ in length"):
        paired_difference([1.0], [1.0, 2.0])


def test_welch_matches_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(3, 1, 12), rng.normal(2, 2, 9)
    low, mean, high = independent_difference(a, b)
    test = stats.ttest_ind(a, b, equal_var=False)
    ci = test.confidence_interval(0.95)
    assert (low, mean, high) == pytest.approx((ci.low, a.mean() - b.mean(), ci.high))


@pytest.mark.slow
def test_pairing_narrows_the_interval_when_both_share_their_noise_and_covers_the_truth():
    rng = np.random.default_rng(7)
    covered, narrower = 0, 0
    for _ in range(400):
        shared = rng.normal(0, 3, 10)  # common random numbers: the same noise in both
        base, other = 5 + shared + rng.normal(0, 0.5, 10), 6 + shared + rng.normal(0, 0.5, 10)
        low, _, high, _ = paired_difference(other, base)
        ilow, _, ihigh = independent_difference(other, base)
        covered += low <= 1.0 <= high
        narrower += (high - low) < (ihigh - ilow)
    assert narrower == 400
    assert 0.92 <= covered / 400 <= 0.98  # a 95% interval covers the true difference


def test_the_vectorised_summary_is_the_student_t_interval_of_each_metric():
    """``summarise`` computes every group's interval at once; each must be the one
    ``confidence_interval`` gives, with missing values left out and one value undecided."""
    rng = np.random.default_rng(4)
    frames = []
    for metric, n in (("mttr_minutes", 7), ("mtta_minutes", 3), ("incidents", 1)):
        values = rng.gamma(2.0, 30.0, n)
        if n == 7:
            values[2] = np.nan
        frames.append(pd.DataFrame({"replication": range(n), "metric": metric, "value": values}))
    kpis = pd.concat(frames, ignore_index=True).assign(group="all")
    summary = summarise(kpis).set_index("metric")
    for metric, values in kpis.groupby("metric")["value"]:
        low, mean, high, n = confidence_interval(values.to_numpy())
        row = summary.loc[metric]
        assert (row["mean"], row["replications"]) == (pytest.approx(mean), n)
        assert row.ci_low == pytest.approx(max(low, 0.0), nan_ok=True)
        assert row.ci_high == pytest.approx(high, nan_ok=True)
