"""Where replications run: in this process, in a local process pool, or on a Dask cluster.

An executor calls ``fn(shared, *job)`` for every job and yields ``(index, result)``
as each finishes, in any order. ``shared`` (the batch's scenarios) is sent to each
worker once, not with every job. The runner (:mod:`sim.experiments.runner`) stores
each result as it arrives, so what finished survives an interrupted batch; results
do not depend on the executor, since every replication draws from its own seed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from sim.experiments.workers import imap_in_workers

CLUSTER_ENV = "OPSIM_CLUSTER"
"""Environment variable with a Dask scheduler address, used when ``--cluster`` is not given."""


class Executor(Protocol):
    """Runs a batch's jobs; see the module docstring."""

    workers: int
    where: str  # for the manifest and progress lines
    shares_files: bool  # whether jobs see this machine's files (and can write the store)

    def run(
        self, fn: Callable[..., Any], shared: Any, jobs: Sequence[tuple]
    ) -> Iterator[tuple[int, Any]]: ...


class InProcess:
    """Jobs one after another in this process (one worker: no start-up or pickling cost)."""

    workers = 1
    where = "this process"
    shares_files = True  # jobs can write the results store themselves

    def run(self, fn, shared, jobs):
        for i, job in enumerate(jobs):
            yield i, fn(shared, *job)


class LocalPool:
    """Jobs in a pool of worker processes that never outlive the run
    (see :mod:`sim.experiments.workers`)."""

    shares_files = True  # jobs can write the results store themselves

    def __init__(self, workers: int):
        self.workers = workers
        self.where = f"{workers} local worker processes"

    def run(self, fn, shared, jobs):
        return imap_in_workers(fn, jobs, self.workers, shared)


def local(workers: int | None, jobs: int) -> Executor:
    """The local executor for ``jobs`` jobs: ``workers`` processes (default: one per CPU),
    never more than there are jobs; in-process for one."""
    workers = min(workers or os.cpu_count() or 1, max(jobs, 1))
    return InProcess() if workers <= 1 else LocalPool(workers)


def executor_for(workers: int | None, jobs: int, cluster: str | None = None) -> Executor:
    """A Dask cluster's executor if an address is given (or set in ``OPSIM_CLUSTER``),
    else the local one."""
    address = cluster or os.environ.get(CLUSTER_ENV) or None
    if address is None:
        return local(workers, jobs)
    from sim.experiments.dask_cluster import DaskCluster  # dask is optional

    return DaskCluster(address)
