"""Tests for sim.experiments.workers: ordered results, prompt stops, no worker left behind.

Job functions are module-level so that workers can import them under any
start method (fork, forkserver, spawn); the subprocess tests import them too.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import sim.experiments.workers
from sim.experiments.workers import WorkerDied, map_in_workers

REPO = Path(__file__).resolve().parents[1]
LONG = 60.0  # a job that would outlast any test; the tests must stop it
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc and uses prctl"
)


# ------------------------------------------------------------------ jobs (run in workers)


def square_after(i: int, delay: float) -> int:
    time.sleep(delay)
    return i * i


def record_pid_and_sleep(directory: str, seconds: float, pdeathsig: bool = True) -> int:
    """Write this worker's pid to ``directory``, then sleep; ``pdeathsig=False`` undoes
    the kernel fast path so that only the parent watcher can end an orphaned worker."""
    if not pdeathsig:
        ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)  # PR_SET_PDEATHSIG, no signal
    pid = os.getpid()
    tmp = Path(directory, f"{pid}.tmp")
    tmp.write_text(str(pid))
    tmp.rename(Path(directory, str(pid)))  # atomic: readers never see a partial pid
    time.sleep(seconds)
    return pid


def fail_or_sleep(directory: str, i: int) -> int:
    if i == 1:
        wait_for_pids(directory, 1)  # fail while the other job is running
        raise ValueError("job 1 failed")
    return record_pid_and_sleep(directory, LONG)


def raise_memory_error() -> None:
    raise MemoryError("job ran out of memory")


# ------------------------------------------------------------------ helpers


def wait_for_pids(directory: str | Path, n: int, child=None, timeout: float = 30.0) -> list[int]:
    """The pids written by ``record_pid_and_sleep`` once there are ``n`` of them.

    ``child``: the process running the workers, whose early exit is an error.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [int(p.name) for p in Path(directory).iterdir() if p.name.isdigit()]
        if len(pids) >= n:
            return pids
        if child is not None and child.poll() is not None:
            raise AssertionError(f"child exited early:\n{child.communicate()[1]}")
        time.sleep(0.02)
    raise TimeoutError(f"fewer than {n} workers started")


def exists(pid: int) -> bool:
    """Whether ``pid`` exists, zombie or not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (an orphan zombie is reaped by init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_gone(pids: list[int], timeout: float = 15.0) -> list[int]:
    """The pids still running after ``timeout`` seconds (empty if all are gone)."""
    deadline = time.monotonic() + timeout
    while any(running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if running(p)]


def assert_no_worker_left(pids: list[int]) -> None:
    assert multiprocessing.active_children() == []
    assert [p for p in pids if exists(p)] == []  # not even a zombie: all were joined


def at_start(directory: Path, n: int, action) -> threading.Timer:
    """A started timer that runs ``action()`` once ``n`` workers have written their pid."""
    timer = threading.Timer(0.0, lambda: (wait_for_pids(directory, n), action()))
    timer.start()
    return timer


CHILD = """
import multiprocessing, signal, sys
from sim.experiments.workers import map_in_workers
from tests.test_workers import record_pid_and_sleep
method, directory, pdeathsig, on_sigterm = sys.argv[1:]
if method != "default":
    multiprocessing.set_start_method(method)
if on_sigterm == "exit":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
try:
    map_in_workers(record_pid_and_sleep, [(directory, 60.0, pdeathsig == "1")] * 2, 2)
except KeyboardInterrupt:
    print("interrupted")
"""


def start_child(directory: Path, method="default", pdeathsig=True, on_sigterm="default"):
    """A Python process running two long jobs in ``map_in_workers``, in its own session."""
    args = [method, str(directory), "1" if pdeathsig else "0", on_sigterm]
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so killpg() plays a terminal's Ctrl-C
    )


@contextlib.contextmanager
def reaped(child: subprocess.Popen):
    """Kill ``child``'s whole process group on the way out, whatever happened."""
    try:
        yield child
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        with child:  # closes the pipes and waits
            pass


# ------------------------------------------------------------------ results


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_in_job_order(workers):
    # later jobs finish first, so completion order differs from job order
    jobs = [(i, 0.02 * (6 - i)) for i in range(6)]
    assert map_in_workers(square_after, jobs, workers) == [i * i for i in range(6)]
    assert multiprocessing.active_children() == []


def test_no_jobs_and_bad_worker_count():
    assert map_in_workers(square_after, [], 2) == []
    with pytest.raises(ValueError, match="at least 1"):
        map_in_workers(square_after, [(1, 0)], 0)


# ------------------------------------------------------------------ stopping in the parent


def test_job_exception_propagates_and_stops_workers(tmp_path):
    start = time.monotonic()
    with pytest.raises(ValueError, match="job 1 failed"):
        map_in_workers(fail_or_sleep, [(str(tmp_path), 0), (str(tmp_path), 1)], 2)
    assert time.monotonic() - start < LONG / 2  # did not wait for the long job
    assert_no_worker_left(wait_for_pids(tmp_path, 1))


def test_memory_error_in_job_propagates_as_memory_error():
    with pytest.raises(MemoryError, match="out of memory"):
        map_in_workers(raise_memory_error, [(), ()], 2)
    assert multiprocessing.active_children() == []


def test_keyboard_interrupt_stops_long_jobs_promptly(tmp_path):
    timer = at_start(tmp_path, 2, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            map_in_workers(record_pid_and_sleep, [(str(tmp_path), LONG)] * 2, 2)
        elapsed = time.monotonic() - start
    finally:
        timer.cancel()
        timer.join()
    assert elapsed < LONG / 2  # did not wait for the long jobs
    assert_no_worker_left(wait_for_pids(tmp_path, 2))


def test_terminate_workers_is_used_when_available(tmp_path, monkeypatch):
    calls = []

    class Executor(sim.experiments.workers.ProcessPoolExecutor):
        def terminate_workers(self):  # as in Python 3.14
            calls.append(True)
            processes = list(self._processes.values())
            self.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()

    monkeypatch.setattr(sim.experiments.workers, "ProcessPoolExecutor", Executor)
    with pytest.raises(ValueError, match="job 1 failed"):
        map_in_workers(fail_or_sleep, [(str(tmp_path), 0), (str(tmp_path), 1)], 2)
    assert calls == [True]
    assert_no_worker_left(wait_for_pids(tmp_path, 1))


def test_killed_worker_raises_worker_died(tmp_path):
    timer = at_start(tmp_path, 2, lambda: os.kill(wait_for_pids(tmp_path, 2)[0], signal.SIGKILL))
    start = time.monotonic()
    try:
        with pytest.raises(WorkerDied, match="died unexpectedly") as info:
            map_in_workers(record_pid_and_sleep, [(str(tmp_path), LONG)] * 3, 2)
    finally:
        timer.cancel()
        timer.join()
    assert time.monotonic() - start < LONG / 2
    assert "\n" not in str(info.value)
    assert_no_worker_left(wait_for_pids(tmp_path, 2))


# ------------------------------------------------------------------ the parent dies


@linux_only
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_killed_parent_leaves_no_worker(tmp_path, signum):
    with reaped(start_child(tmp_path)) as child:
        pids = wait_for_pids(tmp_path, 2, child)
        os.kill(child.pid, signum)  # default SIGTERM: no Python cleanup in the parent
        assert child.wait(LONG / 2) == -signum
        assert wait_until_gone(pids) == []


@linux_only
def test_orphaned_worker_exits_without_pdeathsig(tmp_path):
    # the portable guarantee alone: the worker notices it was re-parented
    with reaped(start_child(tmp_path, pdeathsig=False)) as child:
        pids = wait_for_pids(tmp_path, 2, child)
        os.kill(child.pid, signal.SIGKILL)
        assert wait_until_gone(pids) == []


@linux_only
@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_killed_parent_leaves_no_worker_under_other_start_methods(tmp_path, method):
    with reaped(start_child(tmp_path, method, pdeathsig=False)) as child:
        pids = wait_for_pids(tmp_path, 2, child)
        os.kill(child.pid, signal.SIGKILL)
        assert wait_until_gone(pids) == []


@linux_only
def test_terminal_ctrl_c_stops_run_cleanly(tmp_path):
    # a terminal sends SIGINT to the whole process group, workers included
    with reaped(start_child(tmp_path)) as child:
        pids = wait_for_pids(tmp_path, 2, child)
        os.killpg(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=LONG / 2)  # exits without waiting or hanging
    assert (child.returncode, out, err) == (0, "interrupted\n", "")  # no worker traceback
    assert wait_until_gone(pids, timeout=0) == []


@linux_only
def test_sigterm_handler_in_parent_stops_workers(tmp_path):
    with reaped(start_child(tmp_path, on_sigterm="exit")) as child:
        pids = wait_for_pids(tmp_path, 2, child)
        os.kill(child.pid, signal.SIGTERM)
        assert child.wait(LONG / 2) == 143  # did not wait for the long jobs
    assert wait_until_gone(pids, timeout=0) == []
