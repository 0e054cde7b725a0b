"""Experiments: a scenario's replications and its KPIs with confidence intervals.

The replications run through :mod:`sim.experiments.runner` (local processes or a
Dask cluster, optionally into a results store); results are ordered by replication,
so they do not depend on where or in what order replications ran.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from sim.analysis import metrics
from sim.errors import ScenarioError
from sim.experiments.defaults import DEFAULT_REPLICATIONS, DEFAULT_SEED
from sim.experiments.executors import executor_for
from sim.experiments.runner import Batch, Tables, run_batch, tables_of
from sim.experiments.statistics import summarise
from sim.experiments.store import Store
from sim.model.ops_model import simulate_record
from sim.model.randomness import replication_seed
from sim.model.records import RunRecord
from sim.scenario.bounds import run_problems
from sim.scenario.schema import Scenario
from sim.scenario.spending import effective


@dataclass
class Replication:
    """One replication's records and tables."""

    record: RunRecord
    kpis: pd.DataFrame  # metric, group, value
    incidents: pd.DataFrame
    people: pd.DataFrame


@dataclass
class ExperimentResult:
    """All replications of one scenario, and their summary with confidence intervals."""

    scenario: Scenario
    seed: int
    workers: int
    summary: pd.DataFrame  # metric, group, mean, ci_low, ci_high, replications
    replications: pd.DataFrame  # replication, metric, group, value
    incidents: pd.DataFrame
    people: pd.DataFrame

    def kpi(self, metric: str, group: str = metrics.ALL) -> pd.Series:
        """One summary row, e.g. ``result.kpi('mttr_minutes', 'P1')``."""
        rows = self.summary[(self.summary.metric == metric) & (self.summary.group == group)]
        if rows.empty:
            raise KeyError(f"no KPI {metric!r} for group {group!r}")
        return rows.iloc[0]


def simulate(scenario: Scenario, seed: int = DEFAULT_SEED, replication: int = 0) -> Replication:
    """Run one replication and compute its KPIs and tables.

    Replication ``r`` with ``seed`` is the same run as in :func:`run_experiment`.
    """
    scenario = effective(scenario)  # what the budget's split does to it
    record = simulate_record(scenario, replication_seed(seed, replication), replication)
    tables = tables_of(record, scenario, keep_incidents=True)
    return Replication(record, tables["kpis"], tables["incidents"], tables["people"])


def run_experiment(
    scenario: Scenario,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    keep_incidents: bool = True,
    *,
    store: Store | str | os.PathLike | None = None,
    cluster: str | None = None,
    progress=None,
) -> ExperimentResult:
    """Run independent replications (in parallel processes) and summarise their KPIs.

    Parameters
    ----------
    scenario
        A validated scenario (see :func:`sim.load_scenario`).
    replications
        Number of independent replications.
    seed
        Root seed; the same seed gives identical results for any ``workers``.
    workers
        Worker processes; defaults to the number of CPUs, 1 runs in-process.
    keep_incidents
        Keep the per-incident log (large for long, busy scenarios).
    store
        A results store (or its folder): replications found there are not rerun,
        and each one run is added as it finishes (see :mod:`sim.experiments.store`).
    cluster
        A Dask scheduler address to run on instead of local processes.
    progress
        Told about each replication as it finishes (see :mod:`sim.experiments.progress`).

    Raises
    ------
    ScenarioError
        Before simulating, when the run would exceed a bound of
        :mod:`sim.scenario.bounds` (incident volume, kept incident rows, ...).
    sim.experiments.workers.WorkerDied
        A worker process was killed (e.g. out of memory).
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    executor = executor_for(workers, replications, cluster)
    run = effective(scenario)  # what the budget's split does to it; results keep the original
    problems = run_problems(run, replications, keep_incidents, executor.workers)
    if problems:
        raise ScenarioError(problems)
    batch = Batch({scenario.name: run}, seed, keep_incidents)
    store = Store(store) if store is not None and not isinstance(store, Store) else store
    found = run_batch(batch, {scenario.name: range(replications)}, executor, store, progress)
    return assemble(scenario, seed, executor.workers, found[scenario.name])


def run_many(
    scenarios: dict[str, Scenario],
    replications: int,
    seed: int,
    workers: int | None,
    *,
    store: Store | None = None,
    cluster: str | None = None,
    progress=None,
    names: dict[str, str] | None = None,
    load: tuple[str, ...] = ("kpis", "people", "incidents"),
) -> dict[str, ExperimentResult]:
    """Every scenario's replications on one seed (common random numbers), sharing the
    workers, without incident logs: what a comparison or a sweep runs.

    Raises
    ------
    ScenarioError
        Before simulating, for a scenario beyond opsim's bounds, named by ``names[label]``
        (or its label).
    """
    executor = executor_for(workers, replications * len(scenarios), cluster)
    runs = {label: effective(s) for label, s in scenarios.items()}
    names = names or {}
    problems = [
        f"{names.get(label, label)}: {problem}"
        for label, run in runs.items()
        for problem in run_problems(run, replications, False, executor.workers)
    ]
    if problems:
        raise ScenarioError(problems)
    wanted = {label: range(replications) for label in scenarios}
    batch = Batch(runs, seed, keep_incidents=False)
    found = run_batch(batch, wanted, executor, store, progress, load=load)
    return {
        label: assemble(s, seed, executor.workers, found[label]) for label, s in scenarios.items()
    }


def assemble(scenario: Scenario, seed: int, workers: int, found: dict[int, Tables]):
    """An :class:`ExperimentResult` from replications' tables, in replication order."""
    done = [found[rep] for rep in sorted(found)]
    kpis = pd.concat([d["kpis"] for d in done], ignore_index=True)
    return ExperimentResult(
        scenario=scenario,
        seed=seed,
        workers=workers,
        summary=summarise(kpis),
        replications=kpis,
        incidents=pd.concat([d["incidents"] for d in done], ignore_index=True),
        people=pd.concat([d["people"] for d in done], ignore_index=True),
    )


def few_incidents(results: dict[str, ExperimentResult], below: int = 30) -> list[str]:
    """Priorities whose verdicts rest on few incidents, per scenario: rare events (P0s come
    about once a month) need many replications before an adherence figure means much."""
    notes = []
    for label, result in results.items():
        counts = result.replications[result.replications.metric == "incidents"]
        totals = counts.groupby("group")["value"].sum()
        for group, total in totals.items():
            if group != metrics.ALL and total < below:
                notes.append(
                    f"{label}: {group} figures rest on {total:.0f} incidents over "
                    f"{result.replications.replication.nunique()} replications"
                )
    return notes
