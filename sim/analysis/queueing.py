"""Analytic queueing formulas (Erlang B/C, M/M/c, priority M/M/c).

These closed forms are used to validate the discrete-event simulator. All
rates are "per unit time" in whatever unit the caller uses consistently;
waiting and response times come back in the same unit.

Erlang probabilities are computed with the Erlang B recursion
``B(0) = 1, B(k) = A·B(k-1) / (k + A·B(k-1))`` and
``C = c·B / (c - A·(1 - B))``, which is numerically stable for thousands of
servers (no factorials or powers are formed).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "MMc",
    "erlang_b",
    "erlang_c",
    "nonpreemptive_priority_waits",
    "preemptive_priority_response_times",
    "servers_for_mean_wait",
    "servers_for_service_level",
]


# --------------------------------------------------------------------------- validation


def _check_servers(servers: int) -> int:
    """Return ``servers`` as an ``int``, raising if it is not an integer >= 1."""
    if isinstance(servers, bool):
        raise TypeError("servers must be an integer, not bool")
    c = operator.index(servers)
    if c < 1:
        raise ValueError(f"servers must be >= 1, got {c}")
    return c


def _check_positive(name: str, value: float) -> float:
    """Return ``value`` as a float, raising unless it is finite and > 0."""
    x = float(value)
    if not (math.isfinite(x) and x > 0.0):
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")
    return x


def _check_load(offered_load: float) -> float:
    """Return ``offered_load`` as a float, raising unless it is finite and >= 0."""
    a = float(offered_load)
    if not (math.isfinite(a) and a >= 0.0):
        raise ValueError(f"offered_load must be finite and >= 0, got {offered_load!r}")
    return a


def _check_stable(servers: int, offered_load: float) -> None:
    """Raise if an M/M/c queue with this load has no steady state."""
    if offered_load >= servers:
        raise ValueError(
            f"unstable system: offered load {offered_load:g} >= servers {servers} "
            "(utilization must be < 1)"
        )


def _is_stable(arrival_rate: float, service_rate: float, servers: int) -> bool:
    """True if ``λ < cμ`` holds both as ``λ/μ < c`` and ``cμ - λ > 0`` in floating point."""
    return arrival_rate / service_rate < servers and servers * service_rate - arrival_rate > 0.0


def _check_mmc_stable(arrival_rate: float, service_rate: float, servers: int) -> None:
    """Raise if M/M/c with rates ``λ``, ``μ`` and ``c`` servers has no steady state."""
    if not _is_stable(arrival_rate, service_rate, servers):
        _check_stable(servers, arrival_rate / service_rate)
        raise ValueError(  # λ/μ rounded just below c, but cμ - λ <= 0
            f"unstable system: arrival rate {arrival_rate:g} >= servers*service_rate "
            f"{servers * service_rate:g} (utilization must be < 1)"
        )


def _check_class_rates(arrival_rates: Sequence[float]) -> list[float]:
    """Validate per-class arrival rates: non-empty, finite, >= 0, positive total."""
    rates = [float(r) for r in arrival_rates]
    if not rates:
        raise ValueError("arrival_rates must contain at least one class")
    if any(not (math.isfinite(r) and r >= 0.0) for r in rates):
        raise ValueError(f"arrival rates must be finite and >= 0, got {rates}")
    if sum(rates) <= 0.0:
        raise ValueError("total arrival rate must be positive")
    return rates


# --------------------------------------------------------------------------- Erlang


def _erlang_b_values(offered_load: float) -> Iterator[tuple[int, float]]:
    """Yield ``(k, B(k, A))`` for k = 1, 2, ... via the stable recursion."""
    b, k = 1.0, 0
    while True:
        k += 1
        b = offered_load * b / (k + offered_load * b)
        yield k, b


def _c_from_b(servers: int, offered_load: float, b: float) -> float:
    """Convert Erlang B to Erlang C for a stable system (A < c)."""
    return servers * b / (servers - offered_load * (1.0 - b))


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of an M/M/c/c loss system (Erlang B).

    Parameters
    ----------
    servers : int
        Number of servers ``c >= 1``.
    offered_load : float
        Offered load ``A = λ/μ`` in Erlangs (``>= 0``; may exceed ``c``).

    Returns
    -------
    float
        Probability that an arrival finds all ``c`` servers busy.
    """
    c, a = _check_servers(servers), _check_load(offered_load)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival has to wait in an M/M/c queue (Erlang C).

    Parameters
    ----------
    servers : int
        Number of servers ``c >= 1``.
    offered_load : float
        Offered load ``A = λ/μ`` in Erlangs, ``0 <= A < c``.

    Returns
    -------
    float
        ``P(Wq > 0)``.

    Raises
    ------
    ValueError
        If ``A >= c`` (no steady state) or the inputs are invalid.
    """
    c, a = _check_servers(servers), _check_load(offered_load)
    _check_stable(c, a)
    return _c_from_b(c, a, erlang_b(c, a))


# --------------------------------------------------------------------------- M/M/c


@dataclass(frozen=True)
class MMc:
    """Steady-state M/M/c FIFO queue.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``λ > 0``.
    service_rate : float
        Exponential service rate per server ``μ > 0``.
    servers : int
        Number of servers ``c >= 1``; requires ``λ < cμ``.
    """

    arrival_rate: float
    service_rate: float
    servers: int

    def __post_init__(self) -> None:
        _check_positive("arrival_rate", self.arrival_rate)
        _check_positive("service_rate", self.service_rate)
        _check_mmc_stable(self.arrival_rate, self.service_rate, _check_servers(self.servers))

    @property
    def offered_load(self) -> float:
        """Offered load ``A = λ/μ`` (Erlangs)."""
        return self.arrival_rate / self.service_rate

    @property
    def utilization(self) -> float:
        """Server occupancy ``ρ = λ/(cμ)``."""
        return self.offered_load / self.servers

    @property
    def p_wait(self) -> float:
        """Probability an arrival waits (Erlang C)."""
        return erlang_c(self.servers, self.offered_load)

    @property
    def mean_wait(self) -> float:
        """Mean time in queue ``Wq = C / (cμ - λ)``."""
        return self.p_wait / (self.servers * self.service_rate - self.arrival_rate)

    @property
    def mean_response(self) -> float:
        """Mean sojourn time ``W = Wq + 1/μ``."""
        return self.mean_wait + 1.0 / self.service_rate

    @property
    def mean_queue_length(self) -> float:
        """Mean number waiting ``Lq = λ·Wq``."""
        return self.arrival_rate * self.mean_wait

    @property
    def mean_number_in_system(self) -> float:
        """Mean number in system ``L = λ·W = Lq + A``."""
        return self.mean_queue_length + self.offered_load

    def service_level(self, t: float) -> float:
        """Probability of waiting at most ``t``: ``1 - C·exp(-(cμ - λ)t)``.

        Parameters
        ----------
        t : float
            Target waiting time, ``t >= 0``.

        Returns
        -------
        float
            ``P(Wq <= t)``.
        """
        if not t >= 0.0:
            raise ValueError(f"t must be >= 0, got {t!r}")
        decay = self.servers * self.service_rate - self.arrival_rate
        return 1.0 - self.p_wait * math.exp(-decay * t)


def _mmc_number_in_system(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean number in an M/M/c system, allowing ``arrival_rate == 0`` (gives 0)."""
    if arrival_rate == 0.0:
        return 0.0
    return MMc(arrival_rate, service_rate, servers).mean_number_in_system


# --------------------------------------------------------------------------- priority


def nonpreemptive_priority_waits(
    arrival_rates: Sequence[float], service_rate: float, servers: int
) -> list[float]:
    """Mean queueing delay per class, M/M/c with non-preemptive priority (Cobham).

    All classes share the exponential service rate ``μ``. Class 0 has the
    highest priority. ``W_k = W0 / ((1 - σ_{k-1})(1 - σ_k))`` with
    ``σ_k = Σ_{i<=k} λ_i/(cμ)`` and ``W0 = C(c, Λ/μ)/(cμ)``.

    Parameters
    ----------
    arrival_rates : sequence of float
        Per-class Poisson arrival rates ``λ_k >= 0`` (positive total).
    service_rate : float
        Exponential service rate per server ``μ > 0``.
    servers : int
        Number of servers ``c >= 1``; requires ``Σλ < cμ``.

    Returns
    -------
    list of float
        Mean waiting time in queue for each class, in input order.
    """
    rates = _check_class_rates(arrival_rates)
    mu, c = _check_positive("service_rate", service_rate), _check_servers(servers)
    capacity = c * mu
    p_wait = MMc(sum(rates), mu, c).p_wait
    waits, cum_prev = [], 0.0
    for lam in rates:
        cum = cum_prev + lam
        # W0 / ((1 - σ_{k-1})(1 - σ_k)) with W0 = C/(cμ), written without 1 - σ cancellation
        waits.append(p_wait * capacity / ((capacity - cum_prev) * (capacity - cum)))
        cum_prev = cum
    return waits


def preemptive_priority_response_times(
    arrival_rates: Sequence[float], service_rate: float, servers: int
) -> list[float]:
    """Mean sojourn time per class, M/M/c with preemptive-resume priority.

    With a common exponential service rate, classes ``0..k`` together behave
    as an M/M/c FIFO queue, so ``L_k = L(Σ_{i<=k} λ_i) - L(Σ_{i<k} λ_i)`` and
    ``T_k = L_k / λ_k`` (Little's law).

    Parameters
    ----------
    arrival_rates : sequence of float
        Per-class Poisson arrival rates ``λ_k >= 0`` (positive total);
        class 0 has the highest priority.
    service_rate : float
        Exponential service rate per server ``μ > 0``.
    servers : int
        Number of servers ``c >= 1``; requires ``Σλ < cμ``.

    Returns
    -------
    list of float
        Mean time in system per class; ``nan`` for classes with ``λ_k = 0``.
    """
    rates = _check_class_rates(arrival_rates)
    mu, c = _check_positive("service_rate", service_rate), _check_servers(servers)
    _check_mmc_stable(sum(rates), mu, c)
    times, cum_rate, cum_l = [], 0.0, 0.0
    for lam in rates:
        cum_rate += lam
        l_upto = _mmc_number_in_system(cum_rate, mu, c)
        times.append((l_upto - cum_l) / lam if lam > 0.0 else math.nan)
        cum_l = l_upto
    return times


# --------------------------------------------------------------------------- staffing


def _min_servers(
    arrival_rate: float, service_rate: float, meets: Callable[[int, float], bool]
) -> int:
    """Smallest stable ``c`` with ``meets(c, erlang_c(c, A))``, stepping B incrementally."""
    lam = _check_positive("arrival_rate", arrival_rate)
    mu = _check_positive("service_rate", service_rate)
    a = lam / mu
    for c, b in _erlang_b_values(a):
        if _is_stable(lam, mu, c) and meets(c, _c_from_b(c, a, b)):
            return c
    raise AssertionError("unreachable")  # pragma: no cover


def servers_for_service_level(
    arrival_rate: float, service_rate: float, target_wait: float, service_level: float
) -> int:
    """Smallest number of servers with ``P(Wq <= target_wait) >= service_level``.

    Parameters
    ----------
    arrival_rate, service_rate : float
        ``λ > 0`` and per-server ``μ > 0``.
    target_wait : float
        Answer-time target ``t >= 0`` (same time unit as the rates).
    service_level : float
        Required fraction of arrivals waiting at most ``t``, ``0 < level < 1``.

    Returns
    -------
    int
        Minimal ``c`` (always ``> λ/μ``).
    """
    if not (math.isfinite(target_wait) and target_wait >= 0.0):
        raise ValueError(f"target_wait must be finite and >= 0, got {target_wait!r}")
    if not 0.0 < service_level < 1.0:
        raise ValueError(f"service_level must be in (0, 1), got {service_level!r}")

    def meets(c: int, p_wait: float) -> bool:
        decay = c * service_rate - arrival_rate
        return 1.0 - p_wait * math.exp(-decay * target_wait) >= service_level

    return _min_servers(arrival_rate, service_rate, meets)


def servers_for_mean_wait(arrival_rate: float, service_rate: float, max_mean_wait: float) -> int:
    """Smallest number of servers with mean queueing delay ``Wq <= max_mean_wait``.

    Parameters
    ----------
    arrival_rate, service_rate : float
        ``λ > 0`` and per-server ``μ > 0``.
    max_mean_wait : float
        Upper bound on ``Wq`` (``> 0``, same time unit as the rates).

    Returns
    -------
    int
        Minimal ``c`` (always ``> λ/μ``).
    """
    _check_positive("max_mean_wait", max_mean_wait)

    def meets(c: int, p_wait: float) -> bool:
        return p_wait / (c * service_rate - arrival_rate) <= max_mean_wait

    return _min_servers(arrival_rate, service_rate, meets)
