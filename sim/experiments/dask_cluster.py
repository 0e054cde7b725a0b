"""Replications on an existing Dask cluster: the executor behind ``--cluster`` and
``OPSIM_CLUSTER``.

The cluster belongs to the user: a scheduler (``dask scheduler``) and workers
(``dask worker tcp://host:8786``) on machines with the same opsim installed.
opsim only connects as a client for one batch, sends the batch's shared data to
every worker once, submits one task per job and disconnects, so the scheduler
and its workers outlive the run. Results equal a local run's, since every job
draws from its own seed.

Dask is optional (``pip install 'opsim[cluster]'``); it is imported only when a
cluster is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from sim.errors import ScenarioError, printable
from sim.experiments import interrupts
from sim.experiments.workers import WorkerDied

if TYPE_CHECKING:
    from distributed import Client
    from distributed.deploy import Cluster

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for the scheduler to answer, then for at least one worker to join it."""
INSTALL_HINT = "--cluster needs Dask: pip install 'opsim[cluster]'"


class DaskCluster:
    """Runs a batch's jobs on a Dask cluster (see :mod:`sim.experiments.executors`).

    Connecting checks that the scheduler answers, has workers and the same opsim
    version everywhere, and counts the workers; each :meth:`run` then connects
    again and disconnects when it ends, so nothing is left open between runs or
    after one fails.

    Parameters
    ----------
    address
        The scheduler's address (``tcp://host:8786``; ``host:8786`` means TCP), a
        cluster object such as :class:`distributed.LocalCluster`, or a connected
        :class:`distributed.Client`, which is borrowed: used, never closed.

    Attributes
    ----------
    workers : int
        Worker threads on the cluster when it was connected: how many jobs run at once.
    where : str
        The scheduler and its workers, for the manifest and progress lines.

    Raises
    ------
    ScenarioError
        Dask is not installed, the address is malformed, the scheduler did not
        answer or had no workers within :data:`CONNECT_TIMEOUT` seconds, or the
        scheduler or a worker has another opsim version than this machine (or none).
    """

    shares_files = False  # workers may be other machines: this one writes the results store

    def __init__(self, address: str | Cluster | Client):
        self._address = address
        client, owned = self._connect()
        try:
            _check_opsim(client, self._name())
            threads = client.nthreads()
            self.workers = sum(threads.values())
            self.where = (
                f"Dask cluster {client.scheduler.address} "
                f"({len(threads)} workers, {self.workers} threads)"
            )
        finally:
            if owned:
                client.close()

    def run(
        self, fn: Callable[..., Any], shared: Any, jobs: Sequence[tuple]
    ) -> Iterator[tuple[int, Any]]:
        """Call ``fn(shared, *job)`` for each job on the cluster; yield ``(index, result)``
        as each finishes.

        Parameters
        ----------
        fn
            A module-level function that the workers can import (opsim's, installed there).
        shared
            Picklable data every job needs (the batch's scenarios), sent to each worker once.
        jobs
            One tuple of further arguments per job.

        Yields
        ------
        tuple[int, Any]
            The job's index in ``jobs`` and what ``fn`` returned, in the order jobs finish.

        Raises
        ------
        WorkerDied
            The workers running a job kept dying (Dask's ``KilledWorker``), or the
            cluster dropped the jobs (the scheduler went away, every worker holding
            ``shared`` died).
        BaseException
            Whatever a job raised, or what interrupted the wait, after the jobs not
            yet finished have been cancelled. Closing the generator cancels them too.
        """
        jobs = list(jobs)
        if not jobs:
            return
        distributed = _import_distributed()
        client, owned = self._connect()
        futures: dict[Any, int] = {}
        try:
            _submit(client, fn, shared, jobs, futures)
            for future in distributed.as_completed(list(futures), loop=client.loop):
                # dropping the future frees the result's copy in the worker's memory
                yield futures.pop(future), future.result()
        except (distributed.KilledWorker, CancelledError) as exc:
            _cancel(client, futures)
            raise WorkerDied(_lost(exc, self._name())) from None
        except BaseException:  # GeneratorExit too: the caller stopped listening
            _cancel(client, futures)
            raise
        finally:
            if owned:
                client.close()

    def _connect(self) -> tuple[Client, bool]:
        """A client of the scheduler with at least one worker, and whether it is ours to close."""
        distributed = _import_distributed()
        if isinstance(self._address, distributed.Client):
            client, owned = self._address, False
        else:
            client, owned = self._open(distributed), True
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            if owned:
                client.close()
            problem = f"the Dask scheduler at {self._name()} has no workers"
            raise ScenarioError([f"{problem} (waited {CONNECT_TIMEOUT:g} s)"]) from None
        return client, owned

    def _open(self, distributed) -> Client:
        """A new client of the scheduler at the address given."""
        _check_address(self._address)
        try:
            return distributed.Client(self._address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except OSError:
            raise ScenarioError(
                [f"cannot reach the Dask scheduler at {self._name()} within {CONNECT_TIMEOUT:g} s"]
            ) from None

    def _name(self) -> str:
        """The scheduler's address as given, for messages."""
        address = getattr(self._address, "scheduler_address", self._address)  # a cluster
        if not isinstance(address, str):  # a client
            address = getattr(address.scheduler, "address", address)
        return printable(str(address))


def _import_distributed():
    """The ``distributed`` module, or the user error saying how to install it."""
    try:
        # Ctrl-C inside a compiled module's import would surface as an ImportError,
        # and be reported as Dask missing
        with interrupts.held():
            import distributed
    except ImportError:
        raise ScenarioError([INSTALL_HINT]) from None
    return distributed


def _check_address(address: Any) -> None:
    """Refuse a malformed scheduler address before a client is built on it: a client
    that fails that way hangs for seconds when it is garbage-collected, then prints a
    traceback."""
    if not isinstance(address, str):
        return  # a cluster object: it knows its address
    from distributed.comm.addressing import get_address_host_port, parse_address

    try:
        if parse_address(address)[0] != "inproc":  # in-process addresses have no port
            get_address_host_port(address)
    except ValueError as exc:
        raise ScenarioError(
            [f"{printable(address)} is not a Dask scheduler address like tcp://host:8786 ({exc})"]
        ) from None


def _installed_version() -> str | None:
    """This machine's opsim version; None when run from a checkout that is not installed."""
    try:
        return version("opsim")
    except PackageNotFoundError:
        return None


def _check_opsim(client: Client, name: str) -> None:
    """Refuse a cluster where the scheduler or a worker has another opsim version, or none.

    The scheduler unpickles the tasks and the workers run them: without opsim they fail
    with a traceback, and with another version they could silently give other results.
    """
    mine = _installed_version()
    if mine is None:
        return  # nothing to compare with
    wrong = [f"{where} has {v or 'none'}" for where, v in _versions(client).items() if v != mine]
    if wrong:
        listed = "; ".join(wrong[:3]) + ("; ..." if len(wrong) > 3 else "")
        raise ScenarioError([f"the Dask cluster at {name} needs opsim {mine} everywhere: {listed}"])


def _versions(client: Client) -> dict[str, str | None]:
    """opsim's version on the scheduler and on each worker (by address), None if missing."""
    # importlib's own function: the check itself must not need opsim over there
    try:
        found = {"the scheduler": client.run_on_scheduler(version, "opsim")}
    except PackageNotFoundError:
        found = {"the scheduler": None}
    for worker, v in client.run(version, "opsim", on_error="return").items():
        found[worker] = v if isinstance(v, str) else None
    return found


def _lost(exc: Exception, name: str) -> str:
    """Why the cluster failed a job it did not run to the end, in one line."""
    if isinstance(exc, CancelledError):  # nobody here cancelled: the cluster let go
        reason = getattr(exc, "reason", None) or "no reason given"
        return f"the Dask cluster at {name} dropped the run's jobs (lost: {reason})"
    return (
        f"Dask workers at {name} kept dying while running a job (killed by the system, "
        "perhaps out of memory): see the workers' logs"
    )


def _submit(client: Client, fn, shared: Any, jobs: list[tuple], futures: dict[Any, int]) -> None:
    """Send ``shared`` to every worker, then one task per job into ``futures`` (future to
    index), filled as they go so that an interrupted submission can be cancelled."""
    # One copy per worker, read by reference by every task; a worker that joins later
    # copies it from a peer, still once. Once no task needs it, the scheduler drops it.
    [on_workers] = client.scatter([shared], broadcast=True, hash=False)
    for i, job in enumerate(jobs):
        # pure=False: two identical jobs are still two tasks
        futures[client.submit(fn, on_workers, *job, pure=False)] = i


def _cancel(client: Client, futures: dict[Any, int]) -> None:
    """Cancel what has not finished: queued jobs never start, and the scheduler forgets
    them even when the client is borrowed and stays connected."""
    if futures and client.status == "running":
        client.cancel(list(futures))
