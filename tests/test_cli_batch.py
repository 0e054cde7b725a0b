"""The batch commands from the command line: compare, sweep, adaptive runs, the store."""

from __future__ import annotations

import json

import pandas as pd

from sim.cli import main
from tests.conftest import MMC_PATH

SHORT = ["--days", "5", "--set", "calendar.warmup_days=1", "--workers", "1"]
SIX = "roles.responder.staff.0.count=6"


def test_compare_prints_the_differences_and_writes_its_folder(capsys, tmp_path, write_scenario):
    other = write_scenario(
        MMC_PATH.read_text().replace("name: mmc", "name: six").replace("count: 5", "count: 6"),
        "six.yaml",
    )
    out = tmp_path / "cmp"
    argv = ["compare", str(MMC_PATH), str(other), *SHORT, "--replications", "4"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "vs six" in printed and "six is better on Response SLA P1" in printed
    assert sorted(p.name for p in out.iterdir()) == [
        ".opsim-results",
        "comparison.csv",
        "manifest.json",
        "replications.parquet",
        "scenarios.resolved.yaml",
        "verdicts.txt",
    ]
    table = pd.read_csv(out / "comparison.csv")
    assert set(table.scenario) == {"mmc", "six"}
    rows = pd.read_parquet(out / "replications.parquet")
    assert list(rows.columns) == ["scenario", "replication", "metric", "group", "value"]
    assert json.loads((out / "manifest.json").read_text())["kind"] == "comparison"
    assert (tmp_path / ".opsim-store").is_dir()  # beside --out


def test_compare_needs_two_scenarios(capsys):
    assert main(["compare", str(MMC_PATH)]) == 2
    assert capsys.readouterr().err.startswith("error: compare: give a base")


def test_a_rerun_sweep_resumes_from_the_store(capsys, tmp_path):
    out = tmp_path / "grid"
    argv = ["sweep", str(MMC_PATH), *SHORT, "--replications", "2", "--out", str(out)]
    argv += ["--grid", "roles.responder.staff.0.count=5,6"]
    argv += ["--grid", "incidents.rate_multiplier=0.9,1.0"]
    assert main(argv) == 0
    first = capsys.readouterr()
    assert "4 grid points x 2 replications" in first.out
    assert "found in the results store" not in first.err
    wide = pd.read_csv(out / "sweep.csv")
    assert list(wide.columns[:3]) == [
        "point",
        "roles.responder.staff.0.count",
        "incidents.rate_multiplier",
    ]
    assert len(wide) == 4 and "utilization[all]" in wide.columns
    assert set(pd.read_csv(out / "best.csv").columns) >= {"target", "point", "verdict"}
    assert main(argv) == 0
    assert "8 of 8 replications were found in the results store" in capsys.readouterr().err
    pd.testing.assert_frame_equal(wide, pd.read_csv(out / "sweep.csv"))


def test_a_bad_grid_value_is_named_once_by_its_factor(capsys, tmp_path):
    argv = ["sweep", str(MMC_PATH), *SHORT, "--grid", "roles.responder.staff.0.count=5,-1"]
    argv += ["--grid", "incidents.rate_multiplier=0.9,1.0", "--out", str(tmp_path / "g")]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: --grid roles.responder.staff.0.count=-1: ")
    assert not (tmp_path / "g").exists()


def test_a_sweep_without_factors_is_refused(capsys):
    assert main(["sweep", str(MMC_PATH)]) == 2
    assert "at least one --grid" in capsys.readouterr().err


def test_run_until_decided_says_how_many_replications_it_took(capsys, tmp_path):
    argv = ["run", str(MMC_PATH), *SHORT, "--set", SIX, "--replications", "2"]
    argv += ["--until-decided", "--max-replications", "40", "--out", str(tmp_path / "r")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "replications: " in out and "rounds (2 -> 4" in out
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["adaptive"].startswith(f"{manifest['replications']} replications")


def test_a_malformed_precision_is_bad_input(capsys):
    assert main(["run", str(MMC_PATH), *SHORT, "--precision", "mttr_minutes"]) == 2
    assert "METRIC[:GROUP]=HALFWIDTH" in capsys.readouterr().err


def test_a_budget_that_lets_people_go_is_warned_about(capsys):
    from tests.conftest import BASELINE

    argv = ["validate", str(BASELINE), "--set", "roles.noc-operator.staff.0.count=4"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "the budget's personnel line changes the staff as written" in err
    assert "support-engineer 2 -> 1" in err


def test_a_sweep_names_the_point_whose_staff_the_budget_changes(capsys):
    from tests.conftest import BASELINE

    argv = ["sweep", str(BASELINE), "--days", "2", "--replications", "1", "--workers", "1"]
    assert main([*argv, "--grid", "roles.noc-operator.staff.0.count=1,4"]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "changes the staff" in line]
    assert len(warned) == 1 and "at roles.noc-operator.staff.0.count=4:" in warned[0]


def test_a_grid_key_given_twice_or_with_set_is_refused(capsys):
    twice = ["sweep", str(MMC_PATH), "--grid", "incidents.rate_multiplier=1,2"]
    assert main([*twice, "--grid", "incidents.rate_multiplier=3"]) == 2
    assert "given twice" in capsys.readouterr().err
    assert main([*twice, "--set", "incidents.rate_multiplier=3"]) == 2
    assert "also given with --set" in capsys.readouterr().err


def test_a_grid_too_large_is_refused_before_anything_runs(capsys):
    values = ",".join(str(v) for v in range(1, 201))
    argv = ["sweep", str(MMC_PATH), "--grid", f"incidents.rate_multiplier={values}"]
    assert main([*argv, "--grid", f"roles.responder.staff.0.count={values}"]) == 2
    assert "40,000 points x 10 replications" in capsys.readouterr().err


def test_a_store_inside_the_out_folder_is_refused_before_simulating(capsys, tmp_path):
    argv = ["run", str(MMC_PATH), *SHORT, "--out", str(tmp_path / "r")]
    assert main([*argv, "--store", str(tmp_path / "r" / "store")]) == 2
    assert "give the store a folder of its own" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_the_cap_goes_with_an_adaptive_rule(capsys):
    assert main(["run", str(MMC_PATH), *SHORT, "--max-replications", "5"]) == 2
    assert "needs --precision or --until-decided" in capsys.readouterr().err
    argv = ["run", str(MMC_PATH), *SHORT, "--until-decided", "--replications", "9"]
    assert main([*argv, "--max-replications", "5"]) == 2
    assert "more than --max-replications 5" in capsys.readouterr().err
