"""The model against queueing theory: confidence intervals must cover the analytic values.

``scenarios/validation/mmc.yaml`` reduces the model to M/M/c (one site, 24/7,
identical responders, Poisson arrivals, exponential work, no delays). Each
configuration runs independent replications; the Student-t interval of each KPI
over replications must contain the Erlang-C value. With a fixed seed the outcome
is reproducible, and a biased model (wrong queue discipline, lost or
double-counted work, a warm-up error) fails these checks.

There are ``CHECKS`` intervals in this module. At 99% each, a correct model would
miss one of them about a third of the time, so each interval is at
``1 - 0.01 / CHECKS`` (Bonferroni): the whole module fails a correct model with
probability at most 1%, whatever the seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.analysis.queueing import (
    MMc,
    nonpreemptive_priority_waits,
    preemptive_priority_response_times,
)
from sim.experiments.experiment import run_experiment
from sim.experiments.statistics import confidence_interval
from sim.scenario.loader import load_scenario

MMC = Path(__file__).parents[1] / "scenarios" / "validation" / "mmc.yaml"
SERVICE_MINUTES = 20.0
CHECKS = 7 * 5 + 3 + 3  # the FIFO configurations' five KPIs, and the two priority tests
LEVEL = 1 - 0.01 / CHECKS

pytestmark = pytest.mark.slow


def mmc_scenario(servers: int, rho: float, incidents_per_rep: float = 30_000, **extra):
    rate = rho * servers / SERVICE_MINUTES  # arrivals per minute
    days = max(20, round(incidents_per_rep / (rate * 1440)))
    overrides = {
        "roles.responder.staff.0.count": servers,
        "incidents.classes.work.rate_per_day": rate * 1440,
        "calendar.days": days,
        "calendar.warmup_days": max(2, days // 10),
        **extra,
    }
    return load_scenario(MMC, overrides), rate


def interval(result, metric, group="all"):
    frame = result.replications
    values = frame[(frame.metric == metric) & (frame.group == group)]["value"].to_numpy()
    low, _, high, n = confidence_interval(values, LEVEL)
    assert n >= 8
    return low, high


def assert_covers(result, metric, expected, group="all"):
    low, high = interval(result, metric, group)
    message = f"{metric}[{group}]: {expected:.4g} not in [{low:.4g}, {high:.4g}]"
    assert low <= expected <= high, message


@pytest.mark.parametrize(
    ("servers", "rho"),
    [(1, 0.3), (1, 0.7), (2, 0.5), (3, 0.9), (5, 0.8), (10, 0.95), (20, 0.6)],
)
def test_fifo_mmc_matches_erlang_c(servers, rho):
    # heavy traffic relaxes slowly: longer runs keep the intervals tight enough to mean something
    rate = rho * servers / SERVICE_MINUTES
    theory = MMc(rate, 1 / SERVICE_MINUTES, servers)
    # A service level near 1 makes every replication 100%, and a zero-width interval
    # cannot cover 0.99994: where waits past 15 minutes are that rare, judge 1 minute.
    sla = 15.0 if theory.service_level(15.0) < 0.999 else 1.0
    scenario, _ = mmc_scenario(
        servers,
        rho,
        # 16 shorter replications rather than 10 longer ones: the same simulated work,
        # and more degrees of freedom keep the Bonferroni intervals tight
        62_500 if rho >= 0.95 else 19_000,
        **{"priorities.P1.response_minutes": sla},
    )
    result = run_experiment(
        scenario,
        replications=16,
        seed=servers * 100 + int(rho * 100),
        workers=2,
        keep_incidents=False,
    )
    assert_covers(result, "mtta_minutes", theory.mean_wait)
    assert_covers(result, "mttr_minutes", theory.mean_response)
    assert_covers(result, "response_sla_adherence", theory.service_level(sla))
    assert_covers(result, "utilization", theory.utilization)
    assert_covers(result, "open_incidents", theory.mean_number_in_system)


def priority_scenario(preemptive: bool):
    scenario, rate = mmc_scenario(3, 0.85, incidents_per_rep=40_000)
    shares = (0.2, 0.3, 0.5)
    classes = [
        {
            "id": f"c{k}",
            "priority": f"P{k}",
            "category": "any",
            "rate_per_day": rate * 1440 * s,
            "resolution": [
                {"tier": "L1", "effort": {"dist": "exponential", "mean": SERVICE_MINUTES}}
            ],
        }
        for k, s in enumerate(shares)
    ]
    data = scenario.model_dump(by_alias=True, exclude_none=True)
    data["priorities"] = [{"id": f"P{k}", "response_minutes": 15} for k in range(3)]
    data["incidents"]["classes"] = classes
    data["work_rules"]["preemptive"] = preemptive
    return type(scenario).model_validate(data), [rate * s for s in shares]


def test_nonpreemptive_priorities_match_cobham():
    scenario, rates = priority_scenario(preemptive=False)
    waits = nonpreemptive_priority_waits(rates, 1 / SERVICE_MINUTES, 3)
    result = run_experiment(scenario, replications=10, seed=11, workers=2, keep_incidents=False)
    for k, wait in enumerate(waits):
        assert_covers(result, "mtta_minutes", wait, f"P{k}")


def test_preemptive_priorities_match_theory():
    scenario, rates = priority_scenario(preemptive=True)
    sojourns = preemptive_priority_response_times(rates, 1 / SERVICE_MINUTES, 3)
    result = run_experiment(scenario, replications=10, seed=12, workers=2, keep_incidents=False)
    for k, sojourn in enumerate(sojourns):
        assert_covers(result, "mttr_minutes", sojourn, f"P{k}")


def test_littles_law_on_each_sample_path():
    scenario, _ = mmc_scenario(4, 0.85, incidents_per_rep=20_000)
    result = run_experiment(scenario, replications=4, seed=5, workers=2)
    window = scenario.horizon_minutes - scenario.warmup_minutes
    for rep, frame in result.incidents.groupby("replication"):
        measured = frame[frame.measured]
        kpis = result.replications[result.replications.replication == rep]
        open_mean = kpis[kpis.metric == "open_incidents"]["value"].item()
        arrival_rate = len(measured) / window
        mean_time = np.nanmean(measured["restore_minutes"])
        assert open_mean == pytest.approx(arrival_rate * mean_time, rel=0.03)
