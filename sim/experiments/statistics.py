"""Statistics over replications: confidence intervals, summaries, paired differences.

Intervals are Student-t over replications (a yes/no outcome per replication gets a
Wilson score interval). A difference between two scenarios run on the same seeds
is paired: replication ``i`` of each shares its named random streams, so the
interval of the mean of the differences is narrower than that of two
independent means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis import catalogue

CONFIDENCE = 0.95


def summarise(kpis: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Mean and Student-t confidence interval of each metric over replications.

    Replications where a metric is undefined (e.g. no P0 incident, so no P0
    MTTR) are left out of that metric; ``replications`` counts those used.
    Intervals are clipped to the range of the metric's catalogued kind (an
    uncatalogued name is taken as >= 0), and yes/no metrics get a Wilson score
    interval.
    """
    rows = []
    for (metric, group), values in kpis.groupby(["metric", "group"], sort=False)["value"]:
        data = values.to_numpy(dtype=float)
        known = catalogue.METRICS.get(metric)
        kind = known.kind if known else catalogue.Kind.COUNT
        if kind is catalogue.Kind.YES_NO:
            low, mean, high, n = wilson_interval(data, confidence)
        else:
            low, mean, high, n = confidence_interval(data, confidence)
        bottom, top = kind.bounds
        rows.append((metric, group, mean, np.clip(low, bottom, top), np.clip(high, bottom, top), n))
    return pd.DataFrame(
        rows, columns=["metric", "group", "mean", "ci_low", "ci_high", "replications"]
    )


def wilson_interval(values: np.ndarray, confidence: float = CONFIDENCE):
    """``(low, share, high, n)``: Wilson score interval for a yes/no outcome per replication."""
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    share = float(values.mean())
    z = stats.norm.ppf(0.5 + confidence / 2)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, share, centre + half, n


def confidence_interval(values: np.ndarray, confidence: float = CONFIDENCE):
    """``(low, mean, high, n)`` of a Student-t interval over the finite values."""
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(values.mean())
    if n == 1:
        return np.nan, mean, np.nan, 1
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return mean - half, mean, mean + half, n


def paired_difference(
    other: np.ndarray, base: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float, int]:
    """``(low, mean, high, n)`` of ``other - base`` replication by replication.

    Only replications where both values are finite count; with one pair there is
    no interval.
    """
    other, base = np.asarray(other, dtype=float), np.asarray(base, dtype=float)
    if other.shape != base.shape:
        raise ValueError(f"paired values differ in length: {other.shape} and {base.shape}")
    both = np.isfinite(other) & np.isfinite(base)
    return confidence_interval(other[both] - base[both], confidence)


def independent_difference(
    other: np.ndarray, base: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """``(low, mean, high)`` of ``mean(other) - mean(base)``, Welch's interval (unpaired)."""
    a = np.asarray(other, dtype=float)
    b = np.asarray(base, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return np.nan, float(a.mean() - b.mean()) if len(a) and len(b) else np.nan, np.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    mean = float(a.mean() - b.mean())
    if va + vb == 0:
        return mean, mean, mean
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.5 + confidence / 2, dof) * np.sqrt(va + vb)
    return mean - half, mean, mean + half


# -- sequential rules: how many replications are enough ------------------------------------


def needed_for_halfwidth(n: int, halfwidth: float, wanted: float) -> float:
    """Replications a Student-t interval needs to shrink from ``halfwidth`` (over ``n``) to
    ``wanted``: the half-width falls as one over the square root of the count."""
    if not np.isfinite(halfwidth):
        return 2.0 * n  # one replication, or undefined: double and look again
    if halfwidth <= wanted:
        return float(n)
    if wanted <= 0:
        return np.inf
    return n * (halfwidth / wanted) ** 2


def next_count(n: int, needed: float, cap: int, step: int = 1) -> int:
    """The next batch size: towards ``needed``, at most doubling, a multiple of ``step``
    (the workers), never past ``cap``."""
    target = min(max(needed * 1.1, n + 1), 2 * n)
    target = int(np.ceil(target / step) * step)
    return int(min(max(target, n + 1), cap))
