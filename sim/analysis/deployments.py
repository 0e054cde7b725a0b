"""Deployments and change success: pure functions over a run's recorded deployments."""

from __future__ import annotations

import numpy as np

from sim.analysis.catalogue import ALL
from sim.model.records import RunRecord
from sim.scenario.schema import Scenario

Row = tuple[str, str, float]


def change_rows(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Deployments in the window and the share that did not fail, per source and all."""
    sources = scenario.changes.deployments
    if not sources:
        return []
    inside = [
        (k, failed) for t, k, failed in record.deployments if record.warmup <= t < record.horizon
    ]
    rows = []
    for group, mine in [(s.id, [f for k, f in inside if k == i]) for i, s in enumerate(sources)] + [
        (ALL, [f for _, f in inside])
    ]:
        rows.append(("deployments", group, float(len(mine))))
        rows.append(("change_success_rate", group, 1 - sum(mine) / len(mine) if mine else np.nan))
    return rows
