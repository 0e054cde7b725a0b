"""opsim: discrete-event simulation and capacity planning for 24/7 operations teams.

The public API, for notebooks and scripts::

    from sim import load_scenario, simulate, run_experiment
    scenario = load_scenario("scenarios/baseline.yaml", {"incidents.rate_multiplier": 1.3})
    result = run_experiment(scenario, replications=20, seed=7)
    result.summary      # DataFrame: metric, group, mean, ci_low, ci_high, replications

Options compared on common random numbers, with paired differences::

    from sim import compare, render_comparison
    comparison = compare([base, other], replications=20, seed=7)
    print(render_comparison(comparison)); comparison.verdicts()

``sweep`` runs a grid of points, ``run_adaptive`` adds replications until intervals
are tight enough, and a ``Store`` keeps finished replications across sessions.

Charts of a run are in :mod:`sim.report` (``Results.of(result)`` wraps a run of
this process; ``load_results(folder)`` reads one written by ``opsim run --out``;
``BatchResults.of(comparison)`` or ``load_batch(folder)`` a comparison or sweep).

The names are imported on first use: the ``opsim`` command starts, and handles a
Ctrl-C, before numpy, pandas and scipy have loaded.
"""

from __future__ import annotations

import importlib

__version__ = "0.5.0"

_HOMES = {
    "ExperimentResult": "sim.experiments.experiment",
    "Replication": "sim.experiments.experiment",
    "run_experiment": "sim.experiments.experiment",
    "simulate": "sim.experiments.experiment",
    "ScenarioError": "sim.errors",
    "load_scenario": "sim.scenario.loader",
    "Scenario": "sim.scenario.schema",
    "render": "sim.analysis.scorecard",
    "scorecard": "sim.analysis.scorecard",
    "render_time": "sim.analysis.time_card",
    "team_time": "sim.analysis.time_card",
    "role_staffing": "sim.analysis.time_card",
    "render_burden": "sim.analysis.burden_card",
    "Results": "sim.report.results",
    "load_results": "sim.report.results",
    "write_report": "sim.report.writer",
    "compare": "sim.experiments.comparison",
    "Comparison": "sim.experiments.comparison",
    "render_comparison": "sim.experiments.comparison",
    "sweep": "sim.experiments.sweep",
    "Sweep": "sim.experiments.sweep",
    "Point": "sim.experiments.sweep",
    "grid": "sim.experiments.sweep",
    "run_adaptive": "sim.experiments.adaptive",
    "Precision": "sim.experiments.adaptive",
    "Store": "sim.experiments.store",
    "BatchResults": "sim.report.batch_results",
    "load_batch": "sim.report.batch_results",
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
