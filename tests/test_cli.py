"""Tests for the ``opsim`` command line (sim.cli): validate, run, schema, --version."""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.scenario.loader import ScenarioError, load_scenario

REPO = Path(__file__).resolve().parent.parent
MMC_PATH = REPO / "scenarios" / "validation" / "mmc.yaml"

# mmc.yaml warms up for 5 days; a short run must warm up for less to measure anything.
SHORT = ["--set", "calendar.warmup_days=0.5"]
TWO_DAYS = ["--days", "2", "--set", "calendar.warmup_days=0"]  # mmc has a 5-day warm-up
REQUIRED_METRICS = {
    "response_sla_adherence",
    "mtta_minutes",
    "mttd_minutes",
    "mttr_minutes",
    "utilization",
    "incidents",
    "coverage_gap_hours",
    "backlog_at_end",
}


def _bad_scenario(mmc_data, write_scenario) -> Path:
    """mmc with three cross-reference problems (team, site, shift)."""
    mmc_data["roles"][0]["team"] = "nope"
    mmc_data["roles"][0]["staff"][0].update(site="mars", shift="night")
    return write_scenario(mmc_data, "bad.yaml")


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def _opsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


# --------------------------------------------------------------------------- validate


def test_validate_ok(capsys):
    assert main(["validate", str(MMC_PATH)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"{MMC_PATH}: ok — mmc: 5 people in 1 role, 1 site, 1 incident class, "
        "288.00 incidents/day expected"
    ]


def test_validate_applies_set(capsys):
    argv = [
        "validate",
        str(MMC_PATH),
        "--set",
        "incidents.rate_multiplier=1.5",
        "--set",
        "roles.responder.staff.0.count=7",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "7 people in 1 role" in out
    assert "432.00 incidents/day expected" in out


def test_validate_bad_prints_one_error_line_per_problem(capsys, mmc_data, write_scenario):
    path = _bad_scenario(mmc_data, write_scenario)
    problems = _problems(path)
    assert len(problems) == 3
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [f"error: {p}" for p in problems]
    assert "roles[responder].team" in err
    assert "Traceback" not in err


def test_validate_missing_file(capsys, tmp_path):
    path = tmp_path / "absent.yaml"
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}: file not found\n"


def test_validate_bad_set(capsys):
    assert main(["validate", str(MMC_PATH), "--set", "calendar.days=-1"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"error: {MMC_PATH}: calendar.days: Input should be greater than 0 (got -1)",
        "note: checks of the bounds on headcount and incident volume run once the problems "
        "above are fixed",
    ]


def test_validate_set_with_yaml_error_is_bad_input(capsys):
    assert main(["validate", str(MMC_PATH), "--set", "name=["]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_bad_arguments_exit_2():
    with pytest.raises(SystemExit) as info:
        main(["run", str(MMC_PATH), "--days", "0"])
    assert info.value.code == 2


# --------------------------------------------------------------------------- run, bad input


def test_run_bad_input_writes_nothing(capsys, tmp_path, mmc_data, write_scenario):
    path = _bad_scenario(mmc_data, write_scenario)
    out = tmp_path / "runs" / "out"
    assert (
        main(
            [
                "run",
                str(path),
                *TWO_DAYS,
                "--workers",
                "1",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    stdout, err = capsys.readouterr()
    assert stdout == ""
    assert err.splitlines() == [f"error: {p}" for p in _problems(path)]
    assert not out.exists()
    assert not out.parent.exists()


def test_run_bad_input_leaves_existing_out_untouched(capsys, tmp_path, mmc_data, write_scenario):
    path = _bad_scenario(mmc_data, write_scenario)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("old results\n")
    before = sorted(tmp_path.iterdir())
    assert (
        main(
            [
                "run",
                str(path),
                *TWO_DAYS,
                "--workers",
                "1",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert sorted(tmp_path.iterdir()) == before
    assert [p.name for p in out.iterdir()] == ["summary.csv"]
    assert (out / "summary.csv").read_text() == "old results\n"


def test_run_out_is_a_file(capsys, tmp_path):
    out = tmp_path / "out"
    out.write_text("not a folder")
    argv = [
        "run",
        str(MMC_PATH),
        *TWO_DAYS,
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"error: --out {out}: exists and is not a folder\n"
    assert out.read_text() == "not a folder"


def test_subprocess_bad_input_exit_2_without_traceback(tmp_path, mmc_data, write_scenario):
    path = _bad_scenario(mmc_data, write_scenario)
    out = tmp_path / "out"
    done = _opsim(
        "run",
        str(path),
        *TWO_DAYS,
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"error: {p}" for p in _problems(path)]
    assert not out.exists()


def test_subprocess_version():
    done = _opsim("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"opsim {sim.__version__}"


# --------------------------------------------------------------------------- run, results folder


@pytest.fixture(scope="module")
def mmc_run(tmp_path_factory):
    """One small run of mmc.yaml written to a results folder (shared by the tests below)."""
    parent = tmp_path_factory.mktemp("runs")
    out = parent / "result"
    argv = [
        "run",
        str(MMC_PATH),
        "--days",
        "3",
        "--replications",
        "2",
        "--workers",
        "1",
        "--seed",
        "7",
        *SHORT,
        "--out",
        str(out),
    ]
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = main(argv)
    assert status == 0
    return {"out": out, "argv": argv, "stdout": stdout.getvalue()}


def test_run_prints_scorecard(mmc_run):
    text = mmc_run["stdout"]
    assert text.startswith("mmc: 2 replications x 3 days, seed 7, ")
    assert f"results written to {mmc_run['out']}/" in text


def test_run_writes_exactly_the_result_files(mmc_run):
    out = mmc_run["out"]
    assert sorted(p.name for p in out.iterdir()) == [
        ".opsim-results",
        "incidents.csv",
        "manifest.json",
        "people.csv",
        "replications.csv",
        "scenario.resolved.yaml",
        "summary.csv",
    ]
    # the temporary folder was renamed into place: nothing else next to it but the store
    assert sorted(p.name for p in out.parent.iterdir()) == [".opsim-store", out.name]


def test_run_summary(mmc_run):
    summary = pd.read_csv(mmc_run["out"] / "summary.csv", keep_default_na=False, na_values=[""])
    assert list(summary.columns) == ["metric", "group", "mean", "ci_low", "ci_high", "replications"]
    assert REQUIRED_METRICS.issubset(summary.metric), REQUIRED_METRICS - set(summary.metric)
    assert not summary.duplicated(["metric", "group"]).any()
    rows = summary.set_index(["metric", "group"])
    for metric in (
        "incidents",
        "response_sla_adherence",
        "mtta_minutes",
        "mttr_minutes",
        "utilization",
    ):
        row = rows.loc[(metric, "all")]
        assert row["replications"] == 2, metric
        assert math.isfinite(row["mean"]), metric
        assert row["ci_low"] <= row["mean"] <= row["ci_high"], metric
    assert rows.loc[("incidents", "P1"), "mean"] == rows.loc[("incidents", "all"), "mean"]
    # 288/day over 2.5 measured days: several hundred incidents per replication
    assert 400 < rows.loc[("incidents", "all"), "mean"] < 1100
    assert 0 <= rows.loc[("response_sla_adherence", "P1"), "mean"] <= 1
    assert rows.loc[("mttd_minutes", "all"), "mean"] == 0  # detection is switched off
    assert 0 < rows.loc[("utilization", "all"), "mean"] <= 1
    assert rows.loc[("coverage_gap_hours", "responder"), "mean"] == 0  # staffed 24/7
    assert rows.loc[("backlog_at_end", "all"), "mean"] >= 0


def test_run_replications_match_summary(mmc_run):
    out = mmc_run["out"]
    reps = pd.read_csv(out / "replications.csv", keep_default_na=False, na_values=[""])
    assert list(reps.columns) == ["replication", "metric", "group", "value"]
    assert sorted(reps.replication.unique()) == [0, 1]
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False, na_values=[""])
    means = reps.groupby(["metric", "group"])["value"].mean()
    for row in summary.itertuples():
        expected = means.loc[(row.metric, row.group)]
        if math.isnan(expected):
            assert math.isnan(row.mean) and row.replications == 0
        else:
            assert row.mean == pytest.approx(expected), (row.metric, row.group)


def test_run_incidents_and_people(mmc_run):
    out = mmc_run["out"]
    incidents = pd.read_csv(out / "incidents.csv")
    assert {
        "replication",
        "incident",
        "class",
        "priority",
        "started",
        "detected",
        "acknowledged",
        "restored",
        "measured",
    } <= set(incidents.columns)
    assert "response_origin" not in incidents.columns
    assert set(incidents["class"]) == {"work"}
    assert sorted(incidents.replication.unique()) == [0, 1]
    reps = pd.read_csv(out / "replications.csv", keep_default_na=False, na_values=[""])
    counted = reps[(reps.metric == "incidents") & (reps.group == "all")].set_index("replication")[
        "value"
    ]
    measured = incidents[incidents.measured].groupby("replication").size()
    assert measured.to_dict() == counted.astype(int).to_dict()

    people = pd.read_csv(out / "people.csv")
    assert {"replication", "person", "role", "team", "site", "utilization"} <= set(people.columns)
    assert len(people) == 2 * 5  # five responders in each of two replications
    assert set(people.role) == {"responder"}


def test_run_resolved_scenario_reloads_equal(mmc_run):
    expected = load_scenario(MMC_PATH, ["calendar.warmup_days=0.5", "calendar.days=3"])
    again = load_scenario(mmc_run["out"] / "scenario.resolved.yaml")
    assert again == expected
    assert again.calendar.days == 3


def test_run_manifest(mmc_run):
    manifest = json.loads((mmc_run["out"] / "manifest.json").read_text())
    assert manifest["version"] == sim.__version__
    assert manifest["seed"] == 7
    assert manifest["replications"] == 2
    assert manifest["days"] == 3
    assert manifest["overrides"] == ["calendar.warmup_days=0.5"]
    assert isinstance(manifest["command_line"], list)
    assert all(isinstance(a, str) for a in manifest["command_line"])
    assert manifest["command_line"][0] == "opsim"
    assert isinstance(manifest["wall_time_seconds"], int | float)
    assert manifest["wall_time_seconds"] >= 0
    assert manifest["finished_utc"].endswith("+00:00")


def test_run_manifest_records_the_given_command_line(mmc_run):
    manifest = json.loads((mmc_run["out"] / "manifest.json").read_text())
    assert manifest["command_line"] == ["opsim", *mmc_run["argv"]]


def test_run_no_incidents(capsys, tmp_path):
    out = tmp_path / "out"
    argv = [
        "run",
        str(MMC_PATH),
        "--days",
        "2",
        "--replications",
        "1",
        "--workers",
        "1",
        *SHORT,
        "--no-incidents",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert not (out / "incidents.csv").exists()
    assert (out / "summary.csv").exists()


def test_run_replaces_its_own_previous_results(capsys, tmp_path):
    out = tmp_path / "out"
    argv = [
        "run",
        str(MMC_PATH),
        "--days",
        "2",
        "--replications",
        "1",
        "--workers",
        "1",
        *SHORT,
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    first = json.loads((out / "manifest.json").read_text())
    assert main([*argv, "--seed", "5"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 5 != first["seed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".opsim-store", "out"]


# --------------------------------------------------------------------------- determinism


def _replications_csv(tmp_path: Path, workers: int, seed: int) -> bytes:
    out = tmp_path / f"w{workers}-s{seed}"
    argv = [
        "run",
        str(MMC_PATH),
        "--days",
        "2",
        "--replications",
        "3",
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        *SHORT,
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    return (out / "replications.csv").read_bytes()


def test_same_seed_same_results_for_any_worker_count(capsys, tmp_path):
    one = _replications_csv(tmp_path, workers=1, seed=11)
    two = _replications_csv(tmp_path, workers=2, seed=11)
    assert one == two
    assert _replications_csv(tmp_path, workers=1, seed=12) != one  # the seed matters


# --------------------------------------------------------------------------- schema


def test_schema_prints_json_schema(capsys):
    assert main(["schema"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    schema = json.loads(out)
    assert "incidents" in schema["properties"]
    assert {"name", "incidents", "roles"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert "rate_per_day" in schema["$defs"]["IncidentClass"]["properties"]


def test_results_are_written_even_when_stdout_closes_early(tmp_path):
    out = tmp_path / "out"
    script = (
        f"{sys.executable} -m sim run {MMC_PATH} --days 2 --set calendar.warmup_days=0 "
        f"--replications 1 --workers 1 --out {out} | head -1; exit ${{PIPESTATUS[0]}}"
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (out / "summary.csv").is_file()


def test_unwritable_out_is_refused_before_simulating(capsys):
    assert (
        main(
            [
                "run",
                str(MMC_PATH),
                *TWO_DAYS,
                "--out",
                "/proc/no-such-dir/out",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("error: --out /proc/no-such-dir/out: cannot create /proc/no-such-dir")
