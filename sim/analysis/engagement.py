"""Team response: was each team the escalation matrix engages on the incident in time?

For every incident occurring in the measured window, each team its class engages
(``engage``, else the matrix) is *on it* from the moment someone of the team
first picked up any of its work. It met the priority's response target if that
came within ``response_minutes`` of the response clock's origin; a team not on
it by the horizon counts as a miss once the target has passed.
"""

from __future__ import annotations

import numpy as np

from sim.model.records import RunRecord
from sim.scenario.schema import Scenario

Row = tuple[str, str, float]


def team_response_rows(record: RunRecord, scenario: Scenario) -> list[Row]:
    """``team_response_adherence`` per ``<priority>:<team>`` for every team engaged."""
    log = record.incidents
    first = {(i, team): t for i, team, t in record.team_acks}
    clock = log.started if scenario.work_rules.response_clock == "started" else log.detected
    targets = {p.id: p.response_minutes for p in scenario.priorities}
    met: dict[str, int] = {}
    counted: dict[str, int] = {}
    for i, k in enumerate(np.asarray(log.cls, dtype=int)):
        cls = scenario.incidents.classes[k]
        origin = clock[i]
        if not record.warmup <= log.started[i] < record.horizon or np.isnan(origin):
            continue
        target = targets[cls.priority]
        for team in _able(scenario, cls):
            group = f"{cls.priority}:{team}"
            on = first.get((i, team))
            if on is not None and on - origin <= target:
                met[group] = met.get(group, 0) + 1
            elif on is None and record.horizon - origin <= target:
                continue  # could still make it
            counted[group] = counted.get(group, 0) + 1
    return [
        ("team_response_adherence", group, met.get(group, 0) / n) for group, n in counted.items()
    ]


def _able(scenario: Scenario, cls) -> list[str]:
    """The engaged teams with a role that works the class's category (the others cannot come)."""
    roles = scenario.roles
    return [
        team
        for team in scenario.engaged_teams(cls)
        if any(r.team == team and r.works(cls.category) for r in roles)
    ]
