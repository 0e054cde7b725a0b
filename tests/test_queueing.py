"""Tests for sim.analysis.queueing analytic formulas."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sim.analysis.queueing import (
    MMc,
    erlang_b,
    erlang_c,
    nonpreemptive_priority_waits,
    preemptive_priority_response_times,
    servers_for_mean_wait,
    servers_for_service_level,
)

# --------------------------------------------------------------------------- references


def factorial_erlang_b(c: int, a: float) -> float:
    """Textbook Erlang B: (A^c/c!) / Σ_{k<=c} A^k/k!."""
    return (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))


def factorial_erlang_c(c: int, a: float) -> float:
    """Textbook Erlang C with factorials."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def log_space_erlang_c(c: int, a: float) -> float:
    """Erlang C via lgamma and log-sum-exp; independent check for large c."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    log_top = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    m = max([*logs, log_top])
    denom = sum(math.exp(x - m) for x in logs) + math.exp(log_top - m)
    return math.exp(log_top - m) / denom


def is_stable(lam: float, mu: float, c: int) -> bool:
    return lam / mu < c and c * mu > lam


# --------------------------------------------------------------------------- strategies

servers_st = st.integers(min_value=1, max_value=60)
util_st = st.floats(min_value=0.01, max_value=0.97)
mu_st = st.floats(min_value=0.05, max_value=20.0)


@st.composite
def mmc_st(draw):
    c, rho, mu = draw(servers_st), draw(util_st), draw(mu_st)
    return MMc(rho * c * mu, mu, c)


@st.composite
def priority_st(draw, allow_zero: bool = False):
    """(arrival_rates, mu, c) with total utilization < 1."""
    c, rho, mu = draw(servers_st), draw(util_st), draw(mu_st)
    weight = st.floats(min_value=0.05, max_value=1.0)
    if allow_zero:  # exact zeros, never subnormal weights that round a rate to zero
        weight = st.one_of(st.just(0.0), weight)
    weights = draw(st.lists(weight, min_size=1, max_size=6))
    assume(sum(weights) > 0)
    total = rho * c * mu
    return [total * w / sum(weights) for w in weights], mu, c


# --------------------------------------------------------------------------- test vector


def test_published_call_centre_vector():
    # 100 contacts per 30 min, AHT 180 s, 14 agents; time unit = seconds.
    q = MMc(arrival_rate=100 / 1800, service_rate=1 / 180, servers=14)
    assert q.offered_load == pytest.approx(10.0)
    assert q.p_wait == pytest.approx(0.1741, abs=5e-4)
    assert q.service_level(20) == pytest.approx(0.8884, rel=1e-3)
    assert q.mean_wait == pytest.approx(7.84, rel=1e-3)
    assert q.utilization == pytest.approx(0.714, rel=1e-3)


def test_staffing_for_published_vector():
    lam, mu = 100 / 1800, 1 / 180
    # SL(20 s): 13 agents -> 0.7956, 14 -> 0.8884, 15 -> 0.9415 (classic 80/20 answer: 14).
    assert servers_for_service_level(lam, mu, 20, 0.80) == 14
    assert servers_for_service_level(lam, mu, 20, 0.79) == 13
    assert servers_for_service_level(lam, mu, 20, 0.95) == 16
    # Wq: 13 agents -> 17.1 s, 14 -> 7.84 s.
    assert servers_for_mean_wait(lam, mu, 10.0) == 14


# --------------------------------------------------------------------------- closed forms


@given(rho=st.floats(min_value=0.001, max_value=0.99), mu=mu_st)
def test_mm1_closed_forms(rho, mu):
    lam = rho * mu
    q = MMc(lam, mu, 1)
    assert erlang_c(1, rho) == pytest.approx(rho, rel=1e-12)
    assert q.mean_wait == pytest.approx(rho / (mu - lam), rel=1e-9)
    assert q.mean_number_in_system == pytest.approx(rho / (1 - rho), rel=1e-9)
    assert q.mean_response == pytest.approx(1 / (mu - lam), rel=1e-9)


@pytest.mark.parametrize("c", [1, 2, 3, 5, 8, 13, 20])
@pytest.mark.parametrize("frac", [0.05, 0.3, 0.7, 0.95, 0.999])
def test_erlang_c_matches_factorial_formula(c, frac):
    a = frac * c
    assert erlang_c(c, a) == pytest.approx(factorial_erlang_c(c, a), rel=1e-10)
    assert erlang_b(c, a) == pytest.approx(factorial_erlang_b(c, a), rel=1e-10)


@pytest.mark.parametrize(("c", "a"), [(5, 7.5), (10, 10.0), (3, 30.0)])
def test_erlang_b_overloaded_matches_factorial(c, a):
    assert erlang_b(c, a) == pytest.approx(factorial_erlang_b(c, a), rel=1e-10)


def test_erlang_b_known_value():
    assert erlang_b(10, 10.0) == pytest.approx(0.21458, abs=1e-5)


def test_zero_load():
    assert erlang_b(3, 0.0) == 0.0
    assert erlang_c(3, 0.0) == 0.0


# --------------------------------------------------------------------------- properties


@given(mmc_st())
def test_p_wait_is_probability(q):
    assert 0.0 <= q.p_wait <= 1.0
    assert 0.0 <= erlang_b(q.servers, q.offered_load) <= q.p_wait


@given(mmc_st())
def test_adding_a_server_reduces_wait(q):
    more = MMc(q.arrival_rate, q.service_rate, q.servers + 1)
    assert more.p_wait < q.p_wait
    assert more.mean_wait < q.mean_wait


@given(mmc_st())
def test_littles_law(q):
    assert q.mean_number_in_system == pytest.approx(q.arrival_rate * q.mean_response, rel=1e-9)
    assert q.mean_queue_length == pytest.approx(q.arrival_rate * q.mean_wait, rel=1e-9)


@given(mmc_st(), st.floats(min_value=0.0, max_value=100.0))
def test_service_level_bounds(q, t):
    sl = q.service_level(t)
    assert 1.0 - q.p_wait - 1e-12 <= sl <= 1.0
    assert q.service_level(0.0) == pytest.approx(1.0 - q.p_wait)


@given(priority_st())
def test_nonpreemptive_conservation_law(args):
    rates, mu, c = args
    waits = nonpreemptive_priority_waits(rates, mu, c)
    fifo = MMc(sum(rates), mu, c).mean_wait
    weighted = sum(lam * w for lam, w in zip(rates, waits, strict=True)) / sum(rates)
    assert weighted == pytest.approx(fifo, rel=1e-9)


@given(priority_st())
def test_nonpreemptive_waits_nondecreasing(args):
    waits = nonpreemptive_priority_waits(*args)
    assert all(a <= b * (1 + 1e-12) for a, b in itertools.pairwise(waits))


@given(mmc_st())
def test_single_class_priority_equals_fifo(q):
    lam, mu, c = q.arrival_rate, q.service_rate, q.servers
    [w] = nonpreemptive_priority_waits([lam], mu, c)
    [t] = preemptive_priority_response_times([lam], mu, c)
    assert w == pytest.approx(q.mean_wait, rel=1e-12)
    assert t == pytest.approx(q.mean_response, rel=1e-9)


@given(priority_st())
def test_preemptive_top_class_sees_empty_system(args):
    rates, mu, c = args
    times = preemptive_priority_response_times(rates, mu, c)
    assert times[0] == pytest.approx(MMc(rates[0], mu, c).mean_response, rel=1e-9)


@given(priority_st(allow_zero=True))
def test_preemptive_conservation_law(args):
    rates, mu, c = args
    times = preemptive_priority_response_times(rates, mu, c)
    fifo = MMc(sum(rates), mu, c).mean_response
    weighted = sum(lam * t for lam, t in zip(rates, times, strict=True) if lam > 0)
    assert weighted / sum(rates) == pytest.approx(fifo, rel=1e-7)
    assert all(math.isnan(t) == (lam == 0) for lam, t in zip(rates, times, strict=True))


@given(priority_st())
def test_preemptive_times_nondecreasing_and_at_least_service(args):
    rates, mu, c = args
    times = preemptive_priority_response_times(rates, mu, c)
    assert all(t >= (1 / mu) * (1 - 1e-9) for t in times)
    assert all(a <= b * (1 + 1e-7) for a, b in itertools.pairwise(times))


def test_preemptive_zero_rate_class_is_nan():
    times = preemptive_priority_response_times([0.0, 1.0, 0.0, 2.0], 1.0, 5)
    assert math.isnan(times[0]) and math.isnan(times[2])
    assert times[1] == pytest.approx(MMc(1.0, 1.0, 5).mean_response)


# --------------------------------------------------------------------------- large c / errors


def test_large_server_count_is_finite_and_sensible():
    q = MMc(arrival_rate=480.0, service_rate=1.0, servers=500)
    assert 0.0 < q.p_wait < 1.0
    assert q.p_wait == pytest.approx(log_space_erlang_c(500, 480.0), rel=1e-9)
    assert 0.0 < q.mean_wait < 1.0
    assert math.isfinite(q.mean_number_in_system)
    assert q.mean_number_in_system == pytest.approx(480.0 + q.mean_queue_length)
    big = erlang_c(5000, 4990.0)
    assert 0.0 < big < 1.0
    assert big == pytest.approx(log_space_erlang_c(5000, 4990.0), rel=1e-8)


@pytest.mark.parametrize(("lam", "mu", "c"), [(10.0, 1.0, 10), (11.0, 1.0, 10), (2.0, 1.0, 1)])
def test_unstable_raises(lam, mu, c):
    with pytest.raises(ValueError, match="unstable"):
        MMc(lam, mu, c)
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(c, lam / mu)
    with pytest.raises(ValueError, match="unstable"):
        nonpreemptive_priority_waits([lam / 2, lam / 2], mu, c)
    with pytest.raises(ValueError, match="unstable"):
        preemptive_priority_response_times([lam / 2, lam / 2], mu, c)


@pytest.mark.parametrize(
    ("lam", "mu", "c"),
    [(0.0, 1.0, 2), (-1.0, 1.0, 2), (1.0, 0.0, 2), (1.0, -2.0, 2), (1.0, 1.0, 0), (math.nan, 1, 2)],
)
def test_invalid_parameters_raise(lam, mu, c):
    with pytest.raises(ValueError):
        MMc(lam, mu, c)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError):
        erlang_b(0, 1.0)
    with pytest.raises(ValueError):
        erlang_c(2, -1.0)
    with pytest.raises(ValueError):
        nonpreemptive_priority_waits([], 1.0, 2)
    with pytest.raises(ValueError):
        nonpreemptive_priority_waits([1.0, -0.5], 1.0, 2)
    with pytest.raises(ValueError):
        preemptive_priority_response_times([0.0, 0.0], 1.0, 2)
    with pytest.raises(ValueError):
        MMc(1.0, 1.0, 3).service_level(-1.0)
    with pytest.raises(ValueError):
        servers_for_service_level(1.0, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        servers_for_mean_wait(1.0, 1.0, 0.0)
    with pytest.raises(ValueError):
        servers_for_mean_wait(0.0, 1.0, 1.0)


# --------------------------------------------------------------------------- staffing


@settings(max_examples=60)
@given(
    a=st.floats(min_value=0.05, max_value=200.0),
    mu=mu_st,
    t_in_aht=st.floats(min_value=0.0, max_value=2.0),
    level=st.floats(min_value=0.05, max_value=0.99),
)
def test_servers_for_service_level_is_minimal(a, mu, t_in_aht, level):
    lam, t = a * mu, t_in_aht / mu
    c = servers_for_service_level(lam, mu, t, level)
    assert MMc(lam, mu, c).service_level(t) >= level
    if is_stable(lam, mu, c - 1):
        assert MMc(lam, mu, c - 1).service_level(t) < level


@settings(max_examples=60)
@given(
    a=st.floats(min_value=0.05, max_value=200.0),
    mu=mu_st,
    max_wait_in_aht=st.floats(min_value=0.001, max_value=5.0),
)
def test_servers_for_mean_wait_is_minimal(a, mu, max_wait_in_aht):
    lam, w = a * mu, max_wait_in_aht / mu
    c = servers_for_mean_wait(lam, mu, w)
    assert MMc(lam, mu, c).mean_wait <= w
    if is_stable(lam, mu, c - 1):
        assert MMc(lam, mu, c - 1).mean_wait > w


def test_integer_load_with_rounding_is_handled():
    # 3 * mu / mu rounds to 2.9999999999999996 while 3 * mu - lam == 0: c = 3 is unstable.
    mu = 10.923064659861662
    lam = 3.0 * mu
    assert lam / mu < 3 and 3 * mu - lam == 0.0
    with pytest.raises(ValueError, match="unstable"):
        MMc(lam, mu, 3)
    assert servers_for_mean_wait(lam, mu, 1.0 / mu) == 4
    assert servers_for_service_level(lam, mu, 0.0, 0.5) >= 4


def test_servers_for_large_load():
    c = servers_for_service_level(2000.0, 1.0, 0.1, 0.9)
    assert 2000 < c < 2200
    assert MMc(2000.0, 1.0, c).service_level(0.1) >= 0.9
    assert MMc(2000.0, 1.0, c - 1).service_level(0.1) < 0.9


@given(mmc_st(), st.floats(min_value=0.0, max_value=2.0))
def test_staffing_targets_met_exactly_return_that_c(q, t_in_aht):
    # Targets set exactly at the value achieved by q.servers: that c is both feasible and
    # minimal (c - 1 is strictly worse), so the search must return it.
    lam, mu, c = q.arrival_rate, q.service_rate, q.servers
    t = t_in_aht / mu
    level = q.service_level(t)
    assume(0.0 < level < 1.0)
    if is_stable(lam, mu, c - 1):
        assume(MMc(lam, mu, c - 1).service_level(t) < level)
    assert servers_for_service_level(lam, mu, t, level) == c
    assert servers_for_mean_wait(lam, mu, q.mean_wait) == c
