"""Running a batch: replications of one or more scenarios, on an executor, into a store.

Replication ``i`` of any scenario run with seed ``s`` draws from the ``i``-th child
of ``SeedSequence(s)``, whatever else is in the batch, however many replications
there are and wherever it runs. So the scenarios of one batch share common random
numbers (see :mod:`sim.model.randomness`), a batch can grow replication by
replication, and a local, resumed or clustered run gives identical figures.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from sim.analysis import metrics
from sim.experiments.executors import Executor, InProcess
from sim.experiments.store import Damaged, Store, StoreNote, run_key
from sim.model.ops_model import simulate_record
from sim.model.randomness import replication_seed
from sim.model.records import RunRecord
from sim.model.staff import build_staff
from sim.scenario.schema import Scenario


class Watcher(Protocol):
    """Told about each replication of a batch (e.g. :class:`sim.experiments.progress.Progress`)."""

    def done(self, label: str, replication: int) -> None: ...

    def stored(self, label: str, replication: int) -> None: ...


Tables = dict[str, pd.DataFrame]
"""One replication's tables: ``kpis`` (replication, metric, group, value), ``incidents``
(empty unless kept) and ``people``."""


@dataclass
class Batch:
    """Scenarios (as they run: after their budget's effects) to replicate with one seed.

    This is what each worker receives once; staff rosters are built in the worker
    and kept there for the batch's later replications. Workers that share this
    machine's files write each replication into the store themselves (``store_root``),
    in parallel, and send back only the tables the caller reads (``load``).
    """

    scenarios: dict[str, Scenario]
    seed: int
    keep_incidents: bool
    store_root: str | None = None
    load: tuple[str, ...] = ("kpis", "people", "incidents")
    _staff: dict = field(default_factory=dict, repr=False)
    _keys: dict = field(default_factory=dict, repr=False)

    def staff(self, label: str):
        staff = self._staff.get(label)
        if staff is None:
            staff = self._staff[label] = build_staff(self.scenarios[label])
        return staff

    def key(self, label: str) -> str:
        """The store's key for this scenario's replications."""
        key = self._keys.get(label)
        if key is None:
            scenario_json = self.scenarios[label].model_dump_json()
            key = self._keys[label] = run_key(scenario_json, self.seed, self.keep_incidents)
        return key


def run_batch(
    batch: Batch,
    wanted: Mapping[str, Iterable[int]],
    executor: Executor | None = None,
    store: Store | None = None,
    progress: Watcher | None = None,
    load: tuple[str, ...] = ("kpis", "people", "incidents"),
) -> dict[str, dict[int, Tables]]:
    """Run the ``wanted`` replications of each scenario not already in ``store``.

    Each replication is added to the store as soon as it finishes, so an interrupted
    batch keeps what finished. ``progress.done(label, replication)`` is called for
    each one run, ``progress.stored(...)`` for each one found in the store instead.
    ``load``: the tables returned (the others are stored, and returned empty; a sweep
    needs only the KPIs).

    Returns
    -------
    dict
        ``label -> {replication: tables}`` for every wanted replication.
    """
    wanted = {label: sorted(set(reps)) for label, reps in wanted.items()}
    keys = {label: batch.key(label) for label in wanted} if store is not None else {}
    found = {label: {} for label in wanted}
    jobs = []
    for label, reps in wanted.items():
        stored = store.finished(keys[label]) if store is not None else set()
        for rep in reps:
            if rep in stored and _stored(store, keys[label], label, rep, load, found):
                if progress is not None:
                    progress.stored(label, rep)
            else:
                jobs.append((label, rep))
    if store is not None:
        for label in wanted:
            store.describe(keys[label], batch.scenarios[label].model_dump_json(indent=1))
    executor = executor or InProcess()
    in_workers = store is not None and getattr(executor, "shares_files", False)
    batch.store_root = str(store.root) if in_workers else None
    batch.load = load
    for index, tables in executor.run(replicate, batch, jobs):
        label, rep = jobs[index]
        if store is not None and not in_workers:  # a cluster's workers cannot reach it
            store.put(keys[label], rep, tables)
        # keep only what the caller reads: a large sweep's people tables would fill memory
        found[label][rep] = _only(tables, load)
        if progress is not None:
            progress.done(label, rep)
    return found


def _stored(store: Store, key: str, label: str, rep: int, load, found) -> bool:
    """Read a stored replication into ``found``; a damaged one is said, and run again."""
    try:
        found[label][rep] = store.get(key, rep, load)
    except Damaged as damaged:
        note = f"{damaged}; replication {rep} of {label} runs again and replaces it"
        warnings.warn(note, StoreNote, stacklevel=3)
        return False
    return True


def replicate(batch: Batch, label: str, replication: int) -> Tables:
    """Worker entry point: one replication's tables (its raw records stay in the worker),
    stored here when the batch says so, and only those the caller reads sent back."""
    scenario = batch.scenarios[label]
    record = simulate_record(
        scenario, replication_seed(batch.seed, replication), replication, batch.staff(label)
    )
    tables = tables_of(record, scenario, batch.keep_incidents)
    if batch.store_root is None:
        return tables
    Store(batch.store_root).put(batch.key(label), replication, tables)
    return _only(tables, batch.load)


def _only(tables: Tables, names: tuple[str, ...]) -> Tables:
    return {name: t if name in names else t.iloc[:0] for name, t in tables.items()}


def tables_of(record: RunRecord, scenario: Scenario, keep_incidents: bool) -> Tables:
    """A replication's KPI, incident and people tables from its raw records."""
    incidents = metrics.incident_table(record, scenario)
    people = metrics.people_table(record, scenario)
    rows = metrics.kpis_from_tables(record, scenario, incidents, people)
    kpis = pd.DataFrame(rows, columns=["metric", "group", "value"])
    kpis.insert(0, "replication", record.replication)
    return {
        "kpis": kpis,
        "incidents": incidents if keep_incidents else incidents.iloc[:0],
        "people": people,
    }
