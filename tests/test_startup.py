"""Commands that simulate nothing start without the heavy libraries.

``opsim --help``, ``opsim schema`` and ``opsim validate`` once imported scipy.stats,
pandas and matplotlib (most of a second) before doing anything. Each case runs
the command in a fresh interpreter, as the ``opsim`` entry point does, and checks
``sys.modules`` afterwards: what was imported, not how long it took.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import sim

REPO = Path(__file__).resolve().parent.parent
BASELINE = "scenarios/baseline.yaml"  # the subprocess runs in REPO

HEAVY = ("pandas", "scipy", "matplotlib", "simpy")
"""Needed by run and report only."""
ARRAYS = ("numpy",)
"""Needed to validate (the warnings work out planned operations), not to print the schema."""


def _imported_after(*argv: str) -> dict:
    """Run ``opsim ARGV`` through ``python -m sim`` in a fresh interpreter; its exit status
    and which of the heavy top-level packages it imported."""
    code = (
        "import json, runpy, sys\n"
        f"sys.argv = ['opsim', *{list(argv)!r}]\n"
        "try:\n"
        "    runpy.run_module('sim', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        f"loaded = sorted(name for name in {HEAVY + ARRAYS!r} if name in sys.modules)\n"
        "print(json.dumps({'status': status, 'loaded': loaded}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        pytest.param(["--help"], (), id="help"),
        pytest.param(["--version"], (), id="version"),
        pytest.param(["run", "--help"], (), id="run-help"),
        pytest.param(["schema"], (), id="schema"),
        pytest.param(["validate", BASELINE], ARRAYS, id="validate"),
        pytest.param(
            ["validate", BASELINE, "--budget-split", "personnel=100"], ARRAYS, id="validate-split"
        ),
    ],
)
def test_commands_that_simulate_nothing_import_no_heavy_library(argv, allowed):
    done = _imported_after(*argv)
    assert done["status"] == 0
    assert [name for name in done["loaded"] if name not in allowed] == []


def test_run_still_imports_the_model_before_it_starts():
    # the probe above sees imports at all (else it would pass whatever was imported), and
    # run imports its model before reading the file, as it always did
    done = _imported_after("run", "scenarios/no-such-scenario.yaml")
    assert done["status"] == 2
    assert done["loaded"] == sorted(("numpy", "pandas", "scipy", "simpy"))


def test_import_sim_loads_the_public_names_on_first_use():
    code = (
        "import sys, sim\n"
        f"print(sorted(name for name in {HEAVY + ARRAYS!r} if name in sys.modules))\n"
        "print(callable(sim.run_experiment), sim.Results.__name__)\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["[]", "True Results", "True"]


def test_the_public_names_are_listed_before_their_import():
    assert set(sim.__all__) <= set(dir(sim))
    assert {"load_scenario", "run_experiment", "write_report"} <= set(sim.__all__)
