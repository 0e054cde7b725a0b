"""Parallel engagement: every team a priority engages sends someone at once; team response."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.engagement import team_response_rows
from sim.model.ops_model import simulate_record
from sim.model.records import WorkKind
from tests.scenarios import tiny, workload

ENGINEER = {
    "id": "engineer",
    "team": "sre",
    "tiers": ["L2"],
    "staff": [{"site": "hq", "count": 1, "shift": "always"}],
}


def two_teams(parallel):
    urgent = {
        "id": "urgent",
        "engage": ["noc", "sre"],
        "resolution": [{"tier": "L1", "effort": 10}],
    }
    return tiny(
        roles=[ENGINEER],  # added to the operator (lists of items with ids merge by id)
        incidents={"classes": [urgent]},
        escalation={"parallel": parallel, "engagement_effort": 20},
    )


def run(scenario, *incidents):
    return simulate_record(scenario, np.random.SeedSequence(0), workload=workload(*incidents))


def test_a_parallel_priority_brings_every_engaged_team_on_at_once():
    record = run(two_teams(["P0"]), {"at": 100, "cls": 0, "detection": 5, "effort": [10]})
    assert sorted(record.team_acks) == [(0, "noc", 105.0), (0, "sre", 105.0)]
    w = record.work
    segments = sorted(zip(w.person, w.kind, w.start, w.end, strict=True))
    assert segments == [(0, WorkKind.INCIDENT, 105.0, 115.0), (1, WorkKind.INCIDENT, 105.0, 125.0)]


def test_without_it_engaged_teams_are_only_routing_preferences():
    record = run(two_teams([]), {"at": 100, "cls": 0, "detection": 5, "effort": [10]})
    assert record.team_acks == [(0, "noc", 105.0)]


def test_team_response_adherence_asks_whether_each_engaged_team_came_in_time():
    s = two_teams([])
    record = run(
        s,
        {"at": 100, "cls": 0, "detection": 5, "effort": [10]},
        {"at": 300, "cls": 0, "detection": 5, "effort": [10]},
    )
    record.team_acks.append((1, "sre", 305.0 + 14))  # sre on the second one within 15 min
    got = {g: v for _, g, v in team_response_rows(record, s)}
    assert got == {"P0:noc": 1.0, "P0:sre": pytest.approx(0.5)}
