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
    finite = kpis[np.isfinite(kpis["value"].to_numpy(dtype=float))]
    keys = kpis[["metric", "group"]].drop_duplicates()  # every pair, in order of appearance
    stats_ = finite.groupby(["metric", "group"], sort=False)["value"].agg(["mean", "std", "count"])
    table = keys.merge(stats_.reset_index(), on=["metric", "group"], how="left")
    n = table["count"].fillna(0).to_numpy(dtype=int)
    mean = table["mean"].to_numpy(dtype=float, copy=True)
    half = (
        _t_quantiles(n, confidence) * table["std"].to_numpy(dtype=float) / np.sqrt(np.maximum(n, 1))
    )
    low, high = mean - half, mean + half
    kinds = [_kind(m) for m in table["metric"]]
    for i in [i for i, kind in enumerate(kinds) if kind is catalogue.Kind.YES_NO]:
        data = _values_of(finite, table.metric.iat[i], table.group.iat[i])
        low[i], mean[i], high[i], _ = wilson_interval(data, confidence)
    bottom = np.array([k.bounds[0] for k in kinds], dtype=float)
    top = np.array([k.bounds[1] for k in kinds], dtype=float)
    return pd.DataFrame(
        {
            "metric": table["metric"].to_numpy(),
            "group": table["group"].to_numpy(),
            "mean": mean,
            "ci_low": np.clip(low, bottom, top),
            "ci_high": np.clip(high, bottom, top),
            "replications": n,
        }
    )


def _kind(metric: str) -> catalogue.Kind:
    known = catalogue.METRICS.get(metric)
    return known.kind if known else catalogue.Kind.COUNT


def _t_quantiles(n: np.ndarray, confidence: float) -> np.ndarray:
    """Student-t quantiles for each count (nan below two), one scipy call per distinct count."""
    found = np.full(len(n), np.nan)
    for count in np.unique(n[n >= 2]):
        found[n == count] = stats.t.ppf(0.5 + confidence / 2, count - 1)
    return found


def _values_of(kpis: pd.DataFrame, metric: str, group: str) -> np.ndarray:
    rows = kpis[(kpis.metric == metric) & (kpis.group == group)]
    return rows["value"].to_numpy(dtype=float)


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
