"""Experiments: replications in parallel worker processes, KPIs with confidence intervals.

Replication ``i`` of a run with seed ``s`` always uses the ``i``-th child of
``SeedSequence(s)``, and results are ordered by replication, so the output does
not depend on the number of workers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from sim.analysis import metrics
from sim.errors import ScenarioError
from sim.experiments.defaults import DEFAULT_REPLICATIONS, DEFAULT_SEED
from sim.experiments.statistics import summarise
from sim.experiments.workers import map_in_workers
from sim.model.ops_model import simulate_record
from sim.model.randomness import replication_seeds
from sim.model.records import RunRecord
from sim.model.staff import build_staff
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
    seq = replication_seeds(seed, replication + 1)[replication]
    scenario = effective(scenario)  # what the budget's split does to it
    return _replicate(scenario, seq, replication, build_staff(scenario), keep_incidents=True)


def run_experiment(
    scenario: Scenario,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    keep_incidents: bool = True,
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
    workers = min(workers or os.cpu_count() or 1, replications)
    run = effective(scenario)  # what the budget's split does to it; results keep the original
    problems = run_problems(run, replications, keep_incidents, workers)
    if problems:
        raise ScenarioError(problems)
    seqs = replication_seeds(seed, replications)
    staff = build_staff(run)
    jobs = [(run, seq, i, staff, keep_incidents) for i, seq in enumerate(seqs)]
    if workers == 1:
        done = [_replicate_tables(*job) for job in jobs]
    else:
        done = map_in_workers(_replicate_tables, jobs, workers)
    kpis = pd.concat([d[0] for d in done], ignore_index=True)
    return ExperimentResult(
        scenario=scenario,
        seed=seed,
        workers=workers,
        summary=summarise(kpis),
        replications=kpis,
        incidents=pd.concat([d[1] for d in done], ignore_index=True),
        people=pd.concat([d[2] for d in done], ignore_index=True),
    )


def _replicate(scenario, seq, replication, staff, keep_incidents) -> Replication:
    record = simulate_record(scenario, seq, replication, staff)
    incidents = metrics.incident_table(record, scenario)
    people = metrics.people_table(record, scenario)
    rows = metrics.kpis_from_tables(record, scenario, incidents, people)
    kpis = pd.DataFrame(rows, columns=["metric", "group", "value"])
    kpis.insert(0, "replication", replication)
    return Replication(record, kpis, incidents if keep_incidents else incidents.iloc[:0], people)


def _replicate_tables(scenario, seq, replication, staff, keep_incidents):
    """Worker entry point: return only the tables (records stay in the worker)."""
    rep = _replicate(scenario, seq, replication, staff, keep_incidents)
    return rep.kpis, rep.incidents, rep.people
