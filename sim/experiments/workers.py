"""Worker processes that never outlive the run.

:func:`map_in_workers` runs jobs in a :class:`~concurrent.futures.ProcessPoolExecutor`
with two guarantees a bare pool does not give:

* Workers die with the parent. Killing ``opsim run`` (``kill -9``, SIGTERM)
  would otherwise leave workers blocked forever on a queue lock or pipe. Each
  worker watches its parent and exits when it is re-parented; on Linux the
  kernel also kills it at once (``PR_SET_PDEATHSIG``).
* Stopping is prompt. On Ctrl-C, a SIGTERM handler's exception or a failed
  job, the parent kills the workers instead of waiting for running jobs, and
  workers ignore SIGINT: a terminal Ctrl-C reaches the whole process group, and
  the parent alone decides what it means.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from sim.experiments import interrupts

PARENT_POLL_SECONDS = 0.25
"""How often a worker checks that its parent is still alive."""
GRACE_SECONDS = 1.0
"""How long terminated workers get to exit before they are killed."""
REAP_SECONDS = 0.5
"""How long to wait for killed workers and the pool's manager thread to be reaped."""
ORPHAN_EXIT_CODE = 70
"""Exit status of a worker that found itself orphaned (``EX_SOFTWARE``)."""
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class WorkerDied(RuntimeError):
    """A worker process died abruptly (e.g. killed by the out-of-memory killer)."""


def map_in_workers(
    fn: Callable[..., Any], jobs: Iterable[Sequence[Any]], workers: int
) -> list[Any]:
    """Call ``fn(*job)`` for each job in worker processes; return results in job order.

    Parameters
    ----------
    fn
        A picklable, module-level function.
    jobs
        Argument tuples, one per call.
    workers
        Number of worker processes (at least 1).

    Returns
    -------
    list
        ``fn(*job)`` for each job, in job order.

    Raises
    ------
    WorkerDied
        A worker process died abruptly; no results are kept.
    BaseException
        Whatever a job raised, or what interrupted the wait (KeyboardInterrupt,
        SystemExit...), after every worker has been stopped.
    """
    jobs = list(jobs)
    found = dict(imap_in_workers(_apply, [(fn, *job) for job in jobs], workers))
    return [found[i] for i in range(len(jobs))]


def _apply(shared, fn, *args):
    return fn(*args)


def imap_in_workers(
    fn: Callable[..., Any],
    jobs: Iterable[Sequence[Any]],
    workers: int,
    shared: Any = None,
) -> Iterator[tuple[int, Any]]:
    """Call ``fn(shared, *job)`` for each job in worker processes; yield ``(index, result)``
    as each finishes.

    ``shared`` (e.g. the scenarios of a batch) is sent to each worker once, when it
    starts, rather than with every job. Results already yielded are the caller's to
    keep if a later job fails or the run is interrupted; closing the generator early
    stops the workers.

    Raises
    ------
    WorkerDied
        A worker process died abruptly.
    BaseException
        Whatever a job raised, or what interrupted the wait (KeyboardInterrupt,
        SystemExit...), after every worker has been stopped.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    jobs = list(jobs)
    if not jobs:
        return
    executor = ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(os.getpid(), shared)
    )
    futures: dict[Future, int] = {}
    try:
        # workers start during submit(): a signal handled inside Python's fork hooks
        # would only be printed, and the run would go on
        with interrupts.held():
            for i, job in enumerate(jobs):
                futures[executor.submit(_call, fn, *job)] = i
        for future in as_completed(futures):
            yield futures[future], future.result()
        executor.shutdown()
    except BrokenProcessPool:
        _stop(executor, list(futures))
        raise WorkerDied(
            "a worker process died unexpectedly (killed by the system, perhaps out of memory)"
        ) from None
    except BaseException:  # GeneratorExit too: the caller stopped listening
        _stop(executor, list(futures))
        raise


_SHARED: Any = None
"""What the batch shares, set once in each worker by :func:`_init_worker`."""


def _call(fn: Callable[..., Any], *job: Any) -> Any:
    return fn(_SHARED, *job)


def _stop(executor: ProcessPoolExecutor, futures: list[Future]) -> None:
    """Cancel pending jobs, kill every worker and shut the executor down without waiting."""
    for future in futures:
        future.cancel()
    # Private, but the only handle on the workers before Python 3.14; copied
    # because shutdown() drops it.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    manager = getattr(executor, "_executor_manager_thread", None)
    try:
        if hasattr(executor, "terminate_workers"):  # Python 3.14+
            executor.terminate_workers()
        else:
            _signal_all(processes, kill=False)
            executor.shutdown(wait=False, cancel_futures=True)
        _join_all(processes, GRACE_SECONDS)
    finally:
        # Also runs if a second Ctrl-C cut the grace short.
        _signal_all(processes, kill=True)
        _join_all(processes, REAP_SECONDS)
        # The pool's manager thread reaps workers too: until it is done, one it
        # reaped under our feet can still be listed by active_children().
        # Joining it here also keeps the pool's atexit join from waiting.
        if manager is not None:
            manager.join(REAP_SECONDS)


def _signal_all(processes: list, kill: bool) -> None:
    """SIGTERM (or SIGKILL) every process still alive."""
    for process in processes:
        # ValueError: already closed; ProcessLookupError: exited meanwhile.
        with contextlib.suppress(ValueError, ProcessLookupError):
            if not process.is_alive():
                continue
            if kill:
                process.kill()
            else:
                process.terminate()


def _join_all(processes: list, timeout: float) -> None:
    """Join the processes, spending at most ``timeout`` seconds on all of them."""
    deadline = time.monotonic() + timeout
    for process in processes:
        with contextlib.suppress(ValueError):
            process.join(max(0.0, deadline - time.monotonic()))


def _init_worker(run_pid: int, shared: Any = None) -> None:
    """Worker initializer: keep the batch's shared data, leave Ctrl-C to the parent and die
    with it."""
    global _SHARED
    _SHARED = shared
    # A terminal Ctrl-C reaches the whole process group; the parent alone acts on it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the parent's Python SIGTERM handler, if any: the
    # pool would catch its exception as a job failure and the worker would
    # survive terminate().
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _kill_me_with_parent()
    threading.Thread(
        target=_watch_parent, args=(run_pid,), name="opsim-parent-watch", daemon=True
    ).start()


def _kill_me_with_parent() -> None:
    """Best effort: have Linux SIGKILL this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    # Only a fast path (the watcher thread is the guarantee), so any failure is
    # ignored. The kernel's "parent" is the thread that started the worker: the
    # one calling map_in_workers (or the fork server), which outlives the pool.
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch_parent(run_pid: int) -> None:
    """Exit the worker as soon as its parent is gone (portable; runs in a daemon thread)."""
    # An orphan is re-parented (to init or a subreaper), so its parent pid
    # changes. Under forkserver the parent is the fork server, which outlives
    # the run while any worker holds its "alive" pipe, hence the run_pid
    # check; that check also covers a run that died before this thread started.
    parent = os.getppid()
    while os.getppid() == parent and running(run_pid):
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(ORPHAN_EXIT_CODE)


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and, where ``/proc`` tells, is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed run stays a zombie until its own parent (e.g. a busy shell) reaps it.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
