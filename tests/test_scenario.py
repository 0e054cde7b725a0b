"""The scenario object: immutable, picklable, and its routing rules."""

from __future__ import annotations

import pickle

import pytest
from pydantic import ValidationError

from tests.scenarios import tiny

TWO_TIERS = {
    "teams": [{"id": "noc"}, {"id": "sre"}, {"id": "eng"}],
    "roles": [
        {
            "id": "operator",
            "team": "noc",
            "tiers": ["L1"],
            "hourly_cost": 40,
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
        {
            "id": "lead",
            "team": "noc",
            "tiers": ["L1", "L2"],
            "hourly_cost": 30,
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
        {
            "id": "sre",
            "team": "sre",
            "tiers": ["L2"],
            "hourly_cost": 90,
            "categories": ["ops"],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
        {
            "id": "dev",
            "team": "eng",
            "tiers": ["L2"],
            "hourly_cost": 10,
            "categories": ["db"],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        },
    ],
    "escalation": {"matrix": {"P0": ["noc", "sre"], "P1": ["noc"]}},
}


def test_scenario_and_its_mappings_are_immutable():
    s = tiny(**TWO_TIERS)
    with pytest.raises(ValidationError):
        s.name = "other"
    with pytest.raises(TypeError):
        s.escalation.matrix["P3"] = ("sre",)
    with pytest.raises(TypeError):
        s.incidents.profiles.update({})


def test_scenario_survives_pickling_for_worker_processes():
    s = tiny(**TWO_TIERS)
    assert pickle.loads(pickle.dumps(s)) == s


def test_eligible_roles_most_junior_then_cheapest_within_engaged_teams():
    s = tiny(**TWO_TIERS)
    urgent = s.incidents.classes[0]  # P0, category ops
    # L1: operator (top tier L1) before lead (top tier L2) although lead is cheaper
    assert s.eligible_roles(urgent, "L1") == ("operator", "lead")
    # L2 in the engaged teams noc+sre; dev (eng, db only) is not eligible
    assert s.eligible_roles(urgent, "L2") == ("lead", "sre")


def test_escalation_beyond_the_matrix_when_no_engaged_team_holds_the_tier():
    s = tiny(**{**TWO_TIERS, "roles": [*TWO_TIERS["roles"][:1], *TWO_TIERS["roles"][2:]]})
    normal = s.incidents.classes[1]  # P1 engages noc only; noc holds no L2
    assert s.eligible_roles(normal, "L2") == ("sre",)
    assert s.eligible_roles(normal, "L2", only=["sre"]) == ("sre",)


def test_engaged_teams_class_setting_over_matrix_over_all():
    s = tiny(**TWO_TIERS)
    urgent, normal, low = s.incidents.classes[:3]
    assert s.engaged_teams(urgent) == ("noc", "sre")
    assert s.engaged_teams(normal) == ("noc",)
    assert s.engaged_teams(low) == ("noc", "sre", "eng")  # not in the matrix: every team
