"""opsim: discrete-event simulation and capacity planning for 24/7 operations teams.

The public API, for notebooks and scripts::

    from sim import load_scenario, simulate, run_experiment
    scenario = load_scenario("scenarios/baseline.yaml", {"incidents.rate_multiplier": 1.3})
    result = run_experiment(scenario, replications=20, seed=7)
    result.summary      # DataFrame: metric, group, mean, ci_low, ci_high, replications
"""

__version__ = "0.1.0"

from sim.errors import ScenarioError
from sim.experiment import ExperimentResult, Replication, run_experiment, simulate
from sim.loader import load_scenario
from sim.scenario import Scenario
from sim.scorecard import render, scorecard

__all__ = [
    "ExperimentResult",
    "Replication",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "render",
    "run_experiment",
    "scorecard",
    "simulate",
]
