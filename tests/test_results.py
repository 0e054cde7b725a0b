"""Tests for sim.experiments.results: the results folder a notebook or the CLI writes."""

from __future__ import annotations

import json

import pytest

from sim.errors import FolderRefused
from sim.experiments.experiment import run_experiment
from sim.experiments.owned_folder import MARKER
from sim.experiments.results import RESULT_FILES, write_results
from sim.scenario.loader import load_scenario
from tests.conftest import MMC_PATH


@pytest.fixture(scope="module")
def result():
    scenario = load_scenario(MMC_PATH, {"calendar.days": 2, "calendar.warmup_days": 0})
    return run_experiment(scenario, replications=2, seed=3, workers=1)


def test_write_results_writes_every_file_with_opsims_marker(tmp_path, result):
    written = write_results(result, tmp_path / "out", {"note": "from a notebook"})
    assert sorted(p.name for p in written) == sorted([*RESULT_FILES, MARKER])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (manifest["package"], manifest["seed"], manifest["note"]) == (
        "opsim",
        3,
        "from a notebook",
    )
    marker = json.loads((tmp_path / "out" / MARKER).read_text())
    assert sorted(marker["files"]) == sorted(RESULT_FILES)


def test_write_results_replaces_its_own_results_and_refuses_other_folders(tmp_path, result):
    write_results(result, tmp_path / "out", {})
    write_results(result, tmp_path / "out", {"again": True})
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["again"] is True
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "plan.md").write_text("keep")
    with pytest.raises(FolderRefused, match="is a folder opsim did not write"):
        write_results(result, tmp_path / "mine", {})
    assert (tmp_path / "mine" / "plan.md").read_text() == "keep"
