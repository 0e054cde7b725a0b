"""opsim: discrete-event simulation and capacity planning for 24/7 operations teams.

The public API, for notebooks and scripts::

    from sim import load_scenario, simulate, run_experiment
    scenario = load_scenario("scenarios/baseline.yaml", {"incidents.rate_multiplier": 1.3})
    result = run_experiment(scenario, replications=20, seed=7)
    result.summary      # DataFrame: metric, group, mean, ci_low, ci_high, replications

The names are imported on first use: the ``opsim`` command starts, and handles a
Ctrl-C, before numpy, pandas and scipy have loaded.
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.2.0"

_HOMES = {
    "ExperimentResult": "sim.experiment",
    "Replication": "sim.experiment",
    "run_experiment": "sim.experiment",
    "simulate": "sim.experiment",
    "ScenarioError": "sim.errors",
    "load_scenario": "sim.loader",
    "Scenario": "sim.scenario",
    "render": "sim.scorecard",
    "scorecard": "sim.scorecard",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


class _Package(types.ModuleType):
    """The package, whose API names win over submodules of the same name.

    Importing ``sim.scorecard`` would otherwise replace the function
    ``sim.scorecard`` by its module. As before imports were lazy, ``sim.scorecard``
    is the function; the module is ``sys.modules["sim.scorecard"]``, and
    ``from sim.scorecard import render`` works as usual.
    """

    def __setattr__(self, name: str, value) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
