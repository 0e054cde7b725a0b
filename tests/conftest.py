"""Shared pytest fixtures."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
MMC_PATH = REPO / "scenarios" / "validation" / "mmc.yaml"


@pytest.fixture
def mmc_path() -> Path:
    """Path of the M/M/c validation scenario, scenarios/validation/mmc.yaml."""
    return MMC_PATH


@pytest.fixture
def mmc_text() -> str:
    """The text of mmc.yaml, to corrupt line by line."""
    return MMC_PATH.read_text(encoding="utf-8")


@pytest.fixture
def mmc_data() -> dict[str, Any]:
    """A fresh, mutable dict of mmc.yaml (each test gets its own copy)."""
    return copy.deepcopy(yaml.safe_load(MMC_PATH.read_text(encoding="utf-8")))


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[..., Path]:
    """``write_scenario(data_or_text, name="scenario.yaml")`` -> path of the file in tmp_path.

    A dict is dumped as YAML; a string is written as is (for syntax errors).
    """

    def write(content: dict[str, Any] | str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


BASELINE = REPO / "scenarios" / "baseline.yaml"


def run_into(folder: Path, scenario: Path, *options: str) -> Path:
    """``opsim run SCENARIO --out FOLDER OPTIONS`` in this process; the folder."""
    from sim.cli import main

    argv = ["run", str(scenario), "--out", str(folder), "--workers", "1", *options]
    assert main(argv) == 0
    return folder


@pytest.fixture(scope="session")
def small_results(tmp_path_factory) -> Path:
    """A results folder of the baseline (everything on) over 14 days, 2 replications."""
    folder = tmp_path_factory.mktemp("results") / "small"
    return run_into(folder, BASELINE, "--days", "14", "--replications", "2", "--seed", "3")


@pytest.fixture(scope="session")
def mmc_results(tmp_path_factory) -> Path:
    """A results folder of the M/M/c scenario: no rotations, no planned work, no fatigue."""
    folder = tmp_path_factory.mktemp("results") / "mmc"
    return run_into(folder, MMC_PATH, "--days", "12", "--replications", "2")
