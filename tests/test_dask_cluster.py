"""Tests for sim.experiments.dask_cluster on in-process Dask clusters: local results,
shared data sent once per worker, failures raised, early stops cancelling the rest,
and user errors for a cluster that cannot be used.

Job functions are module-level so that worker processes can import them.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from importlib.metadata import version

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402  (installed with distributed)

import sim  # noqa: E402
from sim.errors import ScenarioError  # noqa: E402
from sim.experiments import dask_cluster  # noqa: E402
from sim.experiments.dask_cluster import DaskCluster  # noqa: E402
from sim.experiments.workers import WorkerDied  # noqa: E402
from tests.scenarios import tiny  # noqa: E402

WAIT = 10.0  # generous: the tests end as soon as what they wait for happens


# ------------------------------------------------------------------ jobs (run in workers)


def kpis(scenario, replication: int) -> pd.DataFrame:
    return sim.simulate(scenario, seed=7, replication=replication).kpis


class Counted:
    """Shared data that appends the unpickling process's pid to ``log``."""

    def __init__(self, log: str, payload: str):
        self.log, self.payload = log, payload

    def __reduce__(self):
        return _unpickle_counted, (self.log, self.payload)


def _unpickle_counted(log: str, payload: str) -> Counted:
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    return Counted(log, payload)


def payload_length(shared: Counted, i: int) -> tuple[int, int]:
    return i, len(shared.payload)


def fail_on_three(shared, i: int) -> int:
    if i == 3:
        raise ValueError("job 3 failed")
    return i


STARTED: list[int] = []
RELEASE = threading.Event()


def first_then_block(shared, i: int) -> int:
    """The first job to start returns at once; the others wait for RELEASE (thread workers)."""
    first = not STARTED
    STARTED.append(i)
    if not first:
        RELEASE.wait(WAIT)
    return i


def sleep_briefly(shared, i: int) -> int:
    time.sleep(0.1)
    return i


def exit_worker(shared, i: int) -> None:
    os._exit(1)


# ------------------------------------------------------------------ clusters and helpers


def local_cluster(workers: int, processes: bool) -> distributed.LocalCluster:
    # Single-threaded workers, as the README starts them; the dashboard on any free port,
    # since two clusters at once would both want 8787.
    return distributed.LocalCluster(
        n_workers=workers, processes=processes, threads_per_worker=1, dashboard_address=":0"
    )


@pytest.fixture(scope="module")
def processes() -> Iterator[distributed.LocalCluster]:
    """Two worker processes: what is sent to them is really pickled."""
    with local_cluster(2, processes=True) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def threads() -> Iterator[distributed.LocalCluster]:
    """Two workers in this process, whose state the tests can read."""
    with local_cluster(2, processes=False) as cluster:
        yield cluster


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def forgotten(cluster) -> bool:
    """The scheduler holds no task and no worker holds one (finished, cancelled or not)."""
    return not cluster.scheduler.tasks and all(not w.state.tasks for w in cluster.workers.values())


def stopped(cluster) -> bool:
    """The scheduler holds no task, and the workers were told: nothing left to start."""
    states = {ts.state for w in cluster.workers.values() for ts in w.state.tasks.values()}
    return not cluster.scheduler.tasks and states <= {"cancelled", "released"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ results


def test_results_equal_a_local_run(processes):
    scenario = tiny()
    executor = DaskCluster(processes.scheduler_address)
    assert executor.workers == 2
    assert executor.where == f"Dask cluster {processes.scheduler_address} (2 workers, 2 threads)"
    jobs = [(r,) for r in range(4)]
    found = dict(executor.run(kpis, scenario, jobs))
    assert sorted(found) == [0, 1, 2, 3]
    for i, job in enumerate(jobs):
        pd.testing.assert_frame_equal(found[i], kpis(scenario, *job))
    assert list(executor.run(kpis, scenario, [])) == []


def test_shared_is_sent_to_each_worker_once(processes, tmp_path):
    log = tmp_path / "unpickled"
    log.touch()
    shared = Counted(str(log), "x" * 1000)
    jobs = [(i,) for i in range(8)]
    found = sorted(DaskCluster(processes.scheduler_address).run(payload_length, shared, jobs))
    assert found == [(i, (i, 1000)) for i in range(8)]
    with distributed.Client(processes, set_as_default=False) as client:
        workers = {str(pid) for pid in client.run(os.getpid).values()}
    pids = log.read_text().split()
    assert set(pids) <= workers and len(set(pids)) == len(pids), (pids, workers)


# ------------------------------------------------------------------ failures and stops


def test_a_failing_job_raises_its_exception_and_cancels_the_rest(threads):
    with pytest.raises(ValueError, match="job 3 failed"):
        list(
            DaskCluster(threads.scheduler_address).run(
                fail_on_three, None, [(i,) for i in range(8)]
            )
        )
    wait_until(lambda: forgotten(threads))


@pytest.mark.parametrize("borrowed", [False, True], ids=["address", "client"])
@pytest.mark.parametrize("stop", ["close", "KeyboardInterrupt"])
def test_stopping_early_cancels_the_jobs_not_started(threads, borrowed, stop):
    STARTED.clear()
    RELEASE.clear()
    client = distributed.Client(threads, set_as_default=False) if borrowed else None
    try:
        run = DaskCluster(client or threads.scheduler_address).run(
            first_then_block, None, [(i,) for i in range(10)]
        )
        next(run)
        if stop == "close":
            run.close()
        else:
            with pytest.raises(KeyboardInterrupt):
                run.throw(KeyboardInterrupt())
        wait_until(lambda: stopped(threads))
        RELEASE.set()
        wait_until(lambda: forgotten(threads))
        assert len(STARTED) <= 3, STARTED  # the first, then one running per worker
        assert client is None or client.status == "running"  # a borrowed client stays open
    finally:
        RELEASE.set()
        if client is not None:
            client.close()


def test_workers_that_keep_dying_raise_worker_died():
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),  # die once, not 4 times
        local_cluster(1, processes=True) as cluster,
        pytest.raises(WorkerDied, match="kept dying"),
    ):
        list(DaskCluster(cluster.scheduler_address).run(exit_worker, None, [(0,)]))


def test_a_lost_cluster_raises_worker_died():
    with local_cluster(1, processes=False) as cluster:
        run = DaskCluster(cluster.scheduler_address).run(
            sleep_briefly, None, [(i,) for i in range(5)]
        )
        next(run)
    with pytest.raises(WorkerDied, match="dropped the run's jobs"):
        next(run)


# ------------------------------------------------------------------ user errors


def test_an_unreachable_scheduler_is_a_user_error(monkeypatch):
    monkeypatch.setattr(dask_cluster, "CONNECT_TIMEOUT", 0.5)
    address = f"tcp://127.0.0.1:{free_port()}"
    start = time.monotonic()
    with pytest.raises(ScenarioError, match=f"cannot reach the Dask scheduler at {address}"):
        DaskCluster(address)
    assert time.monotonic() - start < 5


def test_a_scheduler_without_workers_is_a_user_error(monkeypatch):
    monkeypatch.setattr(dask_cluster, "CONNECT_TIMEOUT", 0.2)
    with (
        local_cluster(0, processes=False) as cluster,
        pytest.raises(ScenarioError, match="has no workers"),
    ):
        DaskCluster(cluster.scheduler_address)


def test_another_opsim_version_on_the_cluster_is_a_user_error(threads, monkeypatch):
    monkeypatch.setattr(dask_cluster, "_installed_version", lambda: "0.0.1")
    theirs = version("opsim")
    with pytest.raises(ScenarioError) as caught:
        DaskCluster(threads.scheduler_address)
    [problem] = caught.value.problems
    assert problem.startswith(
        f"the Dask cluster at {threads.scheduler_address} needs opsim 0.0.1 everywhere: "
        f"the scheduler has {theirs}; "
    )
    assert problem.count(f"has {theirs}") == 3  # the scheduler and both workers


@pytest.mark.parametrize("address", ["127.0.0.1", "tcp://host:port", "udp://host:8786"])
def test_a_malformed_address_is_a_user_error(address):
    with pytest.raises(ScenarioError, match="is not a Dask scheduler address"):
        DaskCluster(address)


def test_without_dask_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(ScenarioError) as caught:
        DaskCluster("tcp://127.0.0.1:8786")
    assert caught.value.problems == ["--cluster needs Dask: pip install 'opsim[cluster]'"]
