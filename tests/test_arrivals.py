"""Tests for sim.model.arrivals: Poisson arrival times, profiles, workload draws, named streams."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import stats

from sim.model.arrivals import draw_workload, hourly_rates, poisson_times
from sim.model.randomness import replication_seeds, stream
from sim.scenario.schema import Scenario

Z = float(stats.norm.ppf(1 - 0.001 / 2))  # two-sided 99.9 %

NINE_TO_FIVE = [1.0 if 9 <= h < 17 else 0.0 for h in range(24)]


def base(**calendar) -> dict:
    """A minimal valid scenario: one site, three tiers, one 24/7 role, one flat class."""
    return {
        "name": "t",
        "calendar": {"start": "2027-01-04", "days": 14, **calendar},
        "sites": [
            {"id": "hq", "timezone": "UTC"},
            {"id": "ny", "timezone": "America/New_York"},
        ],
        "teams": [{"id": "ops"}],
        "tiers": [{"id": "L1"}, {"id": "L2"}, {"id": "L3"}],
        "shifts": [{"id": "always", "start": "00:00", "end": "24:00"}],
        "roles": [
            {
                "id": "r",
                "team": "ops",
                "tiers": ["L1", "L2", "L3"],
                "staff": [{"site": "hq", "count": 1, "shift": "always"}],
            },
        ],
        "priorities": [{"id": "P1", "response_minutes": 15}],
        "incidents": {
            "classes": [
                {
                    "id": "a",
                    "priority": "P1",
                    "category": "x",
                    "rate_per_day": 20,
                    "detection": {"dist": "exponential", "mean": 5},
                    "triage": {"dist": "exponential", "mean": 3},
                    "resolution": [{"tier": "L1", "effort": {"dist": "exponential", "mean": 30}}],
                },
            ],
        },
    }


def scenario(raw: dict) -> Scenario:
    return Scenario.model_validate(raw)


def seq(seed: int = 11, replication: int = 0) -> np.random.SeedSequence:
    return replication_seeds(seed, replication + 1)[replication]


def count_within(observed: float, expected: float, sd: float) -> bool:
    return abs(observed - expected) <= Z * sd


# ---------------------------------------------------------------------- poisson_times


def test_poisson_constant_rate_count_and_uniform_times():
    rates = np.full(48, 0.75)  # Λ = 36 over 48 h
    total = rates.sum()
    seeds = 3000
    counts, times = [], []
    for s in range(seeds):
        t = poisson_times(rates, np.random.default_rng(s))
        counts.append(len(t))
        times.append(t)
    times = np.concatenate(times)
    assert count_within(np.mean(counts), total, math.sqrt(total / seeds))
    # Poisson: variance equals the mean (chi-square interval for the sample variance).
    var = np.var(counts, ddof=1)
    lo, hi = stats.chi2.ppf([0.0005, 0.9995], seeds - 1) * total / (seeds - 1)
    assert lo <= var <= hi
    assert times.min() >= 0 and times.max() <= 48 * 60
    assert stats.kstest(times, stats.uniform(0, 48 * 60).cdf).pvalue > 0.001


def test_poisson_times_sorted_and_in_horizon():
    rates = np.random.default_rng(0).uniform(0, 3, 100)
    t = poisson_times(rates, np.random.default_rng(1))
    assert len(t) > 0
    assert np.all(np.diff(t) >= 0)
    assert t.min() >= 0 and t.max() <= 100 * 60


def test_poisson_piecewise_rates_follow_intensity():
    # Hours with rates 0, 2, 0, 6: times follow the piecewise-linear cumulative intensity.
    rates = np.array([0.0, 2.0, 0.0, 6.0])
    cum = np.concatenate(([0.0], np.cumsum(rates)))
    times = np.concatenate([poisson_times(rates, np.random.default_rng(s)) for s in range(2000)])
    hours = np.floor(times / 60).astype(int)
    assert set(np.unique(hours)) <= {1, 3}
    share = float((hours == 3).mean())
    assert abs(share - 0.75) <= Z * math.sqrt(0.75 * 0.25 / len(times))

    def cdf(x):
        return np.interp(np.asarray(x) / 60.0, np.arange(5), cum) / cum[-1]

    assert stats.kstest(times, cdf).pvalue > 0.001


def test_poisson_zero_rates_give_nothing():
    assert len(poisson_times(np.zeros(24), np.random.default_rng(0))) == 0


# ---------------------------------------------------------------------- hourly rates


def test_flat_rates_and_multiplier_scale_expected_count():
    raw = base()
    flat = hourly_rates(scenario(raw), scenario(raw).incidents.classes[0])
    assert flat.shape == (14 * 24,)
    assert np.allclose(flat, 20 / 24)
    raw["incidents"]["rate_multiplier"] = 2.5
    s = scenario(raw)
    scaled = hourly_rates(s, s.incidents.classes[0])
    assert np.allclose(scaled, 2.5 * flat)
    assert scaled.sum() == pytest.approx(20 * 14 * 2.5)


def test_rate_multiplier_scales_drawn_count():
    raw = base(days=7)
    raw["incidents"]["rate_multiplier"] = 3.0
    s = scenario(raw)
    reps = 300
    counts = [len(draw_workload(s, q)) for q in replication_seeds(5, reps)]
    expected = 20 * 7 * 3.0
    assert count_within(np.mean(counts), expected, math.sqrt(expected / reps))
    # and clearly not the unscaled rate
    assert not count_within(np.mean(counts), 20 * 7, math.sqrt(20 * 7 / reps))


def test_profile_weights_normalised_over_a_week():
    raw = base(days=7)
    raw["incidents"]["profiles"] = {"office": {"daily": NINE_TO_FIVE}}
    raw["incidents"]["classes"][0]["profile"] = "office"
    s = scenario(raw)
    r = hourly_rates(s, s.incidents.classes[0])
    assert r.sum() == pytest.approx(20 * 7)
    hod = np.arange(7 * 24) % 24
    assert np.all(r[(hod < 9) | (hod >= 17)] == 0)
    assert np.allclose(r[(hod >= 9) & (hod < 17)], 20 / 24 * 3)


def _local_hours(started_minutes, start: dt.date, zone: str) -> np.ndarray:
    origin = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)
    return np.array(
        [
            (origin + dt.timedelta(minutes=float(m))).astimezone(ZoneInfo(zone)).hour
            for m in started_minutes
        ]
    )


@pytest.mark.parametrize("zone", ["UTC", "ny", "America/New_York", "Europe/Berlin"])
def test_profile_confines_arrivals_to_local_hours_across_dst(zone):
    # 2027-03-08 .. 2027-04-05 spans US DST (Mar 14) and EU DST (Mar 28).
    start = dt.date(2027, 3, 8)
    raw = base(start=str(start), days=28)
    raw["incidents"]["profiles"] = {"office": {"daily": NINE_TO_FIVE, "timezone": zone}}
    raw["incidents"]["classes"][0]["profile"] = "office"
    raw["incidents"]["classes"][0]["rate_per_day"] = 50
    s = scenario(raw)
    iana = {"ny": "America/New_York"}.get(zone, zone)
    w = draw_workload(s, seq(3))
    assert len(w) > 500
    local = _local_hours(w.started, start, iana)
    assert np.all((local >= 9) & (local < 17))
    # arrivals on both sides of both DST changes, and in every office hour
    days = w.started / 1440
    assert (days < 6).any() and ((days > 7) & (days < 20)).any() and (days > 21).any()
    assert set(local.tolist()) == set(range(9, 17))


def test_profile_timezone_utc_any_case():
    raw = base(days=7)
    raw["incidents"]["profiles"] = {"office": {"daily": NINE_TO_FIVE, "timezone": "utc"}}
    raw["incidents"]["classes"][0]["profile"] = "office"
    s = scenario(raw)
    r = hourly_rates(s, s.incidents.classes[0])
    assert r.sum() == pytest.approx(20 * 7)


# ---------------------------------------------------------------------- draw_workload


def _escalating(raw: dict, probs=(0.5, 0.5), rate=400.0) -> dict:
    steps = [
        {
            "tier": f"L{i + 1}",
            "effort": {"dist": "exponential", "mean": 10 * (i + 1)},
            "escalate": p,
        }
        for i, p in enumerate(probs)
    ]
    steps.append({"tier": f"L{len(probs) + 1}", "effort": 7})
    raw["incidents"]["classes"].append(
        {"id": "deep", "priority": "P1", "category": "x", "rate_per_day": rate, "resolution": steps}
    )
    return raw


def test_workload_sorted_and_consistent():
    s = scenario(_escalating(base()))
    w = draw_workload(s, seq())
    n = len(w)
    assert n > 0
    assert np.all(np.diff(w.started) >= 0)
    for column in (w.cls, w.detection, w.triage, w.steps, w.postmortem):
        assert column.shape == (n,)
    assert w.effort.shape == (n, 3)
    assert set(np.unique(w.cls)) == {0, 1}
    assert np.all(w.detection[w.cls == 1] == 0) and np.all(w.triage[w.cls == 1] == 0)
    assert np.all(w.detection[w.cls == 0] > 0)
    assert np.all(w.postmortem == 0)  # no post-mortem configured
    assert np.all(w.steps[w.cls == 0] == 1)


def test_sorting_keeps_each_incident_row_together():
    # the 1-step class has constant effort 99, the other class's last step is constant 7
    raw = _escalating(base())
    raw["incidents"]["classes"][0]["resolution"][0]["effort"] = 99
    w = draw_workload(scenario(raw), seq())
    assert np.all(w.effort[w.cls == 0, 0] == 99)
    assert np.all(w.effort[w.cls == 1, 2] == 7)
    assert np.all(w.effort[w.cls == 1, 0] != 99)


def test_escalation_probabilities_give_steps_distribution():
    s = scenario(_escalating(base(days=30)))
    w = draw_workload(s, seq(4))
    steps = w.steps[w.cls == 1]
    n = len(steps)
    assert n > 5000
    assert set(np.unique(steps)) == {1, 2, 3}
    for k, p in ((1, 0.5), (2, 0.25), (3, 0.25)):
        share = float((steps == k).mean())
        assert abs(share - p) <= Z * math.sqrt(p * (1 - p) / n), (k, share)


def test_escalation_certain_and_never():
    w = draw_workload(scenario(_escalating(base(), probs=(1.0, 0.0))), seq())
    assert np.all(w.steps[w.cls == 1] == 2)
    w = draw_workload(scenario(_escalating(base(), probs=(0.0, 1.0))), seq())
    assert np.all(w.steps[w.cls == 1] == 1)


def test_effort_nan_beyond_the_steps_of_the_class():
    s = scenario(_escalating(base()))
    w = draw_workload(s, seq())
    one, deep = w.cls == 0, w.cls == 1
    assert np.all(np.isfinite(w.effort[one, 0]))
    assert np.all(np.isnan(w.effort[one, 1:]))
    assert np.all(np.isfinite(w.effort[deep]))
    assert np.all(w.effort[deep] >= 0)


def test_postmortem_drawn_from_priority_or_class():
    raw = _escalating(base())
    raw["priorities"][0]["postmortem"] = 45
    raw["incidents"]["classes"][1]["postmortem"] = {"dist": "exponential", "mean": 60}
    w = draw_workload(scenario(raw), seq())
    assert np.all(w.postmortem[w.cls == 0] == 45)
    pm = w.postmortem[w.cls == 1]
    assert np.all(pm > 0) and len(np.unique(pm)) == len(pm)


# ---------------------------------------------------------------------- named streams


def _class_draws(w, k):
    m = w.cls == k
    return w.started[m], w.detection[m], w.triage[m], w.effort[m, 0]


def test_adding_a_class_keeps_other_classes_draws():
    one = scenario(base())
    raw = base()
    raw["incidents"]["classes"].insert(
        0,
        {
            "id": "b",
            "priority": "P1",
            "category": "y",
            "rate_per_day": 50,
            "detection": {"dist": "exponential", "mean": 5},
            "resolution": [{"tier": "L1", "effort": {"dist": "exponential", "mean": 30}}],
        },
    )
    two = scenario(raw)
    w1, w2 = draw_workload(one, seq(8)), draw_workload(two, seq(8))
    assert len(w2) > len(w1)
    for x, y in zip(_class_draws(w1, 0), _class_draws(w2, 1), strict=True):
        assert np.array_equal(x, y)


def test_same_seed_same_workload_other_replication_differs():
    s = scenario(_escalating(base()))
    a = draw_workload(s, replication_seeds(42, 3)[1])
    b = draw_workload(s, replication_seeds(42, 3)[1])
    c = draw_workload(s, replication_seeds(42, 3)[2])
    d = draw_workload(s, replication_seeds(43, 3)[1])
    for field in ("started", "cls", "detection", "triage", "steps", "effort", "postmortem"):
        assert np.array_equal(getattr(a, field), getattr(b, field), equal_nan=True)
    assert not np.array_equal(a.started[:5], c.started[:5])
    assert not np.array_equal(a.started[:5], d.started[:5])


def test_replication_seeds_prefix_stable():
    # replication r does not depend on how many replications are run
    short, long = replication_seeds(9, 2), replication_seeds(9, 5)
    for x, y in zip(short, long[:2], strict=True):
        assert np.array_equal(x.generate_state(4), y.generate_state(4))
    assert not np.array_equal(long[0].generate_state(4), long[1].generate_state(4))


def test_streams_are_addressed_by_name():
    q = seq()
    assert stream(q, "arrivals", "a").uniform() == stream(q, "arrivals", "a").uniform()
    assert stream(q, "arrivals", "a").uniform() != stream(q, "arrivals", "b").uniform()
    assert stream(q, "arrivals", "a").uniform() != stream(q, "detection", "a").uniform()
