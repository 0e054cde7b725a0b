"""The batch runner: the same figures wherever and in whatever order replications run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments.executors import InProcess, LocalPool, local
from sim.experiments.experiment import run_experiment
from sim.experiments.runner import Batch, run_batch
from sim.scenario.loader import load_scenario
from tests.conftest import MMC_PATH

DAYS = {"calendar.days": 3, "calendar.warmup_days": 0}


def batch() -> Batch:
    five = load_scenario(MMC_PATH, DAYS)
    six = load_scenario(MMC_PATH, {**DAYS, "roles.responder.staff.0.count": 6})
    return Batch({"five": five, "six": six}, seed=4, keep_incidents=True)


def test_a_local_pool_gives_what_one_process_gives():
    wanted = {"five": range(3), "six": range(3)}
    alone = run_batch(batch(), wanted, InProcess())
    pooled = run_batch(batch(), wanted, LocalPool(2))
    for label in wanted:
        for rep in range(3):
            for name in ("kpis", "incidents", "people"):
                pd.testing.assert_frame_equal(alone[label][rep][name], pooled[label][rep][name])


def test_scenarios_of_a_batch_share_their_incidents_replication_by_replication():
    found = run_batch(batch(), {"five": [1], "six": [1]})
    five, six = found["five"][1]["incidents"], found["six"][1]["incidents"]
    assert len(five) > 100
    np.testing.assert_array_equal(five.started.to_numpy(), six.started.to_numpy())
    assert (six.restore_minutes.mean()) < five.restore_minutes.mean()


def test_the_local_executor_never_has_more_workers_than_jobs():
    assert isinstance(local(4, 1), InProcess)
    assert local(4, 3).workers == 3


def test_a_dask_cluster_gives_the_figures_of_a_local_run():
    distributed = pytest.importorskip("distributed")
    scenario = load_scenario(MMC_PATH, DAYS)
    local_run = run_experiment(scenario, 3, seed=4, workers=1)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        clustered = run_experiment(scenario, 3, seed=4, cluster=cluster.scheduler_address)
    assert clustered.workers == 2
    for name in ("summary", "replications", "incidents", "people"):
        pd.testing.assert_frame_equal(getattr(local_run, name), getattr(clustered, name))
