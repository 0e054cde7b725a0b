"""Tests for the ``opsim`` command line under hostile use: the ``--out`` folder, signals, bounds.

Each test drives the real command (in-process through ``main`` where that is
enough, as a child process where signals and processes are the point).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim.experiments.experiment
from sim.cli import main
from sim.scenario import bounds

REPO = Path(__file__).resolve().parent.parent
MMC = REPO / "scenarios" / "validation" / "mmc.yaml"
QUICK = ["--days", "2", "--replications", "1", "--workers", "1", "--set", "calendar.warmup_days=0"]
# long enough to be interrupted: 40 replication-years of 105,000 incidents, about 30 s on 2 cores
LONG = ["--replications", "40", "--workers", "2", "--no-incidents"]


def _run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["run", str(MMC), *args])
    out, err = capsys.readouterr()
    return status, out, err


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- --out


def test_out_naming_the_working_directory_deletes_nothing(capsys, tmp_path, monkeypatch):
    (tmp_path / "notes.md").write_text("mine")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data.csv").write_text("1")
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    for where in (".", "", "./", str(tmp_path)):
        status, out, err = _run(capsys, *QUICK, "--out", where)
        assert status == 2, where
        assert out == ""
        assert err.startswith("error: --out"), err
        assert len(err.splitlines()) == 1
    assert _tree(tmp_path) == before


def test_out_naming_the_scenarios_folder_is_refused(capsys, tmp_path):
    scenario = tmp_path / "plans" / "mmc.yaml"
    scenario.parent.mkdir()
    scenario.write_text(MMC.read_text())
    status = main(["run", str(scenario), *QUICK, "--out", str(scenario.parent)])
    assert status == 2
    assert "holds the scenario file" in capsys.readouterr().err
    assert scenario.read_text() == MMC.read_text()


@pytest.fixture
def no_simulation(monkeypatch):
    """Make any simulation fail the test: refusals must come before simulating."""

    def simulate(*args, **kwargs):
        raise AssertionError("simulated although the run should have been refused")

    monkeypatch.setattr(sim.experiments.experiment, "run_experiment", simulate)


def test_out_holding_user_files_is_refused_before_simulating(capsys, tmp_path, no_simulation):
    out = tmp_path / "quarterly"
    out.mkdir()
    (out / "plan.xlsx").write_bytes(b"\x00\x01")
    status, _, err = _run(capsys, "--out", str(out))
    assert status == 2
    assert "is a folder opsim did not write" in err
    assert (out / "plan.xlsx").read_bytes() == b"\x00\x01"


def test_results_folder_follows_the_umask(capsys, tmp_path):
    previous = os.umask(0o022)
    try:
        status, _, _ = _run(capsys, *QUICK, "--out", str(tmp_path / "out"))
    finally:
        os.umask(previous)
    assert status == 0
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755


# --------------------------------------------------------------------------- bounds, warnings


def test_an_absurd_rate_is_refused_before_simulating(capsys, no_simulation):
    status, _, err = _run(capsys, "--set", "incidents.rate_multiplier=1e12")
    assert status == 2
    assert f"opsim simulates at most {bounds.MAX_INCIDENTS:,}" in err


def test_too_many_kept_incident_rows_suggest_no_incidents(capsys, no_simulation):
    status, _, err = _run(capsys, "--replications", "60")
    assert status == 2
    assert "add --no-incidents" in err


def test_overloaded_scenario_warns_and_runs(capsys):
    status, out, err = _run(capsys, *QUICK, "--set", "roles.responder.staff.0.count=3")
    assert status == 0
    assert err.startswith(f"warning: {MMC}: work for roles responder: 96.0 h of work offered")
    assert out.startswith("mmc: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "1.5"], "argument --days: expected a whole number, got '1.5'"),
        (["--seed", "-1"], "argument --seed: seed must be at least 0, got -1"),
        (["--replications", "0"], "argument --replications: replications must be at least 1"),
        (["--workers", "100000"], "--workers 100000: at most"),
        (["--workers", "0"], "argument --workers: workers must be at least 1, got 0"),
        (["--days", "86000"], "calendar.days: Input should be less than or equal to 3660"),
    ],
)
def test_bad_arguments_are_one_error_line(capsys, args, message):
    with pytest.raises(SystemExit) as info:
        status = main(["run", str(MMC), *args])
        raise SystemExit(status)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) in (1, 2)  # a note may follow a scenario error
    assert message in err.splitlines()[0]


def test_an_invalid_days_in_the_file_is_reported_despite_days(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MMC.read_text().replace("days: 365", "days: -5"))
    status = main(["run", str(bad), "--days", "2", "--set", "calendar.warmup_days=0"])
    assert status == 2
    assert "calendar.days: Input should be greater than 0 (got -5)" in capsys.readouterr().err


def test_help_is_plain_text(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "``" not in capsys.readouterr().out


# --------------------------------------------------------------------------- processes


def _opsim(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _descendants(pid: int) -> list[int]:
    """Live processes below ``pid`` (workers may be grandchildren, under a fork server)."""
    parent_of = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parent_of[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], {pid}
    while frontier:
        frontier = {child for child, parent in parent_of.items() if parent in frontier}
        found += sorted(frontier)
    return found


def _wait_for_workers(pid: int, count: int = 2, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = _descendants(pid)
        if len(workers) >= count:
            return workers
        time.sleep(0.05)
    raise AssertionError(f"opsim started no workers within {timeout} s")


def _gone(pids: list[int], timeout: float = 5) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if Path(f"/proc/{p}").exists() and not _zombie(p)]
        time.sleep(0.05)
    return alive


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _finished(*args: str, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    """``opsim ARGS`` run to its end as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=REPO,
        stdout=stdout,
        stderr=stderr,
        text=True,
        timeout=120,
        check=False,
    )


def _quick_run(out: Path) -> None:
    """A complete two-day run into ``out``, as its own process."""
    done = _finished("run", str(MMC), *QUICK, "--out", str(out))
    assert done.returncode == 0, done.stderr


@pytest.fixture
def previous_results(tmp_path) -> Path:
    _quick_run(tmp_path / "out")
    return tmp_path / "out"


linux_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes from /proc"
)


@linux_only
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupting_a_run_stops_workers_and_keeps_the_previous_results(
    previous_results, sig, code
):
    before = _tree(previous_results)
    run = _opsim("run", str(MMC), *LONG, "--out", str(previous_results))
    workers = _wait_for_workers(run.pid)
    run.send_signal(sig)
    _, err = run.communicate(timeout=60)
    assert run.returncode == code  # a run left to finish would exit with 0
    assert "Traceback" not in err
    assert f"no results were written; {previous_results} is unchanged" in err
    assert err.strip().endswith("rerun to resume")  # the replications that finished are kept
    assert _gone(workers) == []
    assert _tree(previous_results) == before
    assert sorted(p.name for p in previous_results.parent.iterdir()) == [".opsim-store", "out"]


@linux_only
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_leaves_no_worker_and_no_leftover_after_the_next_run(previous_results, sig):
    before = _tree(previous_results)
    run = _opsim("run", str(MMC), *LONG, "--out", str(previous_results))
    workers = _wait_for_workers(run.pid)
    run.send_signal(sig)
    run.communicate(timeout=60)
    assert _gone(workers) == []
    assert _tree(previous_results) == before
    _quick_run(previous_results)
    assert sorted(p.name for p in previous_results.parent.iterdir()) == [".opsim-store", "out"]


def test_a_second_run_on_the_same_out_is_told_not_discarded(tmp_path):
    out = tmp_path / "out"
    first = _opsim("run", str(MMC), *LONG, "--out", str(out))
    try:
        lock = tmp_path / ".out.opsim-lock"
        deadline = time.monotonic() + 60
        while not lock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        second = _opsim("run", str(MMC), *QUICK, "--out", str(out))
        _, err = second.communicate(timeout=60)
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert second.returncode == 2
    assert f"error: --out {out}: another opsim run is writing it (pid {first.pid}" in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_one_line_and_exit_1():
    with open("/dev/full", "w") as full:
        done = _finished("validate", str(MMC), stdout=full)
    assert done.returncode == 1
    assert done.stderr == "error: cannot write the output: No space left on device\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_bad_input_is_exit_2_even_when_its_message_cannot_be_written(tmp_path):
    with open("/dev/full", "w") as full:
        done = _finished("validate", str(MMC), "--set", "calendar.days=-1", stderr=full)
    assert done.returncode == 2
