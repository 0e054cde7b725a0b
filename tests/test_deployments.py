"""Deployments and the incidents failed changes cause: draws, metrics, rates."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analysis.deployments import change_rows
from sim.model.arrivals import draw_workload
from sim.model.randomness import replication_seeds
from tests.scenarios import tiny
from tests.test_metrics import make_record

CHANGES = {
    "deployments": [
        {"id": "app", "per_day": 4, "failure_rate": 0.1, "incident_class": "normal"},
        {"id": "db", "per_day": 1, "failure_rate": 0.5, "incident_class": "low"},
    ]
}


def _scenario(days=30, **changes):
    return tiny(calendar={"days": days}, changes={**CHANGES, **changes})


def test_every_failed_change_is_an_incident_of_its_class():
    scenario = _scenario()
    load = draw_workload(scenario, replication_seeds(5, 1)[0])
    failed = [(t, k) for t, k, f in load.deployments if f]
    assert failed and len(failed) < len(load.deployments)
    classes = [c.id for c in scenario.incidents.classes]
    for t, k in failed:
        wanted = classes.index(CHANGES["deployments"][k]["incident_class"])
        assert np.any((load.started == t) & (load.cls == wanted))
    assert list(load.started) == sorted(load.started)


def test_a_class_fed_only_by_changes_occurs_once_per_failed_change():
    scenario = _scenario(
        deployments=[{"id": "app", "per_day": 6, "failure_rate": 1, "incident_class": "low"}]
    )
    low = next(c for c in scenario.incidents.classes if c.id == "low")
    scenario = scenario.model_copy(
        update={
            "incidents": scenario.incidents.model_copy(
                update={
                    "classes": tuple(
                        c.model_copy(update={"rate_per_day": 0}) if c is low else c
                        for c in scenario.incidents.classes
                    )
                }
            )
        }
    )
    load = draw_workload(scenario, replication_seeds(2, 1)[0])
    k = [c.id for c in scenario.incidents.classes].index("low")
    assert int((load.cls == k).sum()) == len(load.deployments)


def test_change_rows_count_deployments_and_success_in_the_window():
    record = make_record(horizon=10 * 1440.0, warmup=1440.0)
    record.deployments = [
        (100.0, 0, True),
        (2000.0, 0, False),
        (3000.0, 0, True),
        (4000.0, 1, False),
        (5000.0, 1, False),
    ]
    rows = {(m, g): v for m, g, v in change_rows(record, _scenario())}
    assert rows[("deployments", "app")] == 2  # the first is in the warm-up
    assert rows[("change_success_rate", "app")] == 0.5
    assert rows[("change_success_rate", "db")] == 1.0
    assert rows[("deployments", "all")] == 4
    assert rows[("change_success_rate", "all")] == 0.75


@pytest.mark.slow
def test_change_induced_incidents_arrive_at_deployments_times_failure_rate():
    scenario = _scenario(days=365)
    counts = []
    for seq in replication_seeds(11, 200):
        load = draw_workload(scenario, seq)
        counts.append(sum(1 for _, k, failed in load.deployments if failed and k == 0))
    low, high = stats.t.interval(0.99, len(counts) - 1, np.mean(counts), stats.sem(counts))
    assert low <= 4 * 0.1 * 365 <= high
