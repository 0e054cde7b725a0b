"""Tiny hand-made scenarios and workloads for exact-timeline and invariant tests."""

from __future__ import annotations

import copy

import numpy as np

from sim.model.arrivals import Workload
from sim.scenario.loader import deep_merge, validate

TINY = {
    "name": "tiny",
    "calendar": {"start": "2027-01-04", "days": 1},
    "sites": [{"id": "hq", "timezone": "UTC"}],
    "teams": [{"id": "noc"}, {"id": "sre"}],
    "tiers": [{"id": "L1"}, {"id": "L2"}],
    "shifts": [{"id": "always", "start": "00:00", "end": "24:00", "timezone": "UTC"}],
    "roles": [
        {
            "id": "operator",
            "team": "noc",
            "tiers": ["L1"],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
    ],
    "priorities": [
        {"id": "P0", "response_minutes": 15},
        {"id": "P1", "response_minutes": 60},
        {"id": "P3", "response_minutes": 1440, "pages_off_shift": False},
    ],
    "incidents": {
        "classes": [
            {
                "id": "urgent",
                "priority": "P0",
                "category": "ops",
                "rate_per_day": 1,
                "resolution": [{"tier": "L1", "effort": 1}],
            },
            {
                "id": "normal",
                "priority": "P1",
                "category": "ops",
                "rate_per_day": 1,
                "resolution": [{"tier": "L1", "effort": 1}],
            },
            {
                "id": "low",
                "priority": "P3",
                "category": "ops",
                "rate_per_day": 1,
                "resolution": [{"tier": "L1", "effort": 1}],
            },
        ]
    },
    "paging": {"ack_delay": 7},
}


def tiny(**changes):
    """The tiny scenario with sections deep-merged from ``changes``."""
    return validate(deep_merge(copy.deepcopy(TINY), changes))


def workload(*incidents: dict) -> Workload:
    """Incidents given as dicts: at, cls, detection, triage, effort (list), postmortem."""
    width = max(len(i["effort"]) for i in incidents)
    effort = np.full((len(incidents), width), np.nan)
    for row, inc in enumerate(incidents):
        effort[row, : len(inc["effort"])] = inc["effort"]
    return Workload(
        started=np.array([float(i["at"]) for i in incidents]),
        cls=np.array([i.get("cls", 1) for i in incidents], dtype=np.int32),
        detection=np.array([float(i.get("detection", 0)) for i in incidents]),
        triage=np.array([float(i.get("triage", 0)) for i in incidents]),
        steps=np.array([len(i["effort"]) for i in incidents], dtype=np.int32),
        effort=effort,
        postmortem=np.array([float(i.get("postmortem", 0)) for i in incidents]),
    )
