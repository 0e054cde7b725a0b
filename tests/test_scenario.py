"""The scenario object: immutable, picklable, and its routing rules."""

from __future__ import annotations

import pickle

import pytest
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.distributions import Lognormal
from sim.scenario.loader import validate
from sim.scenario.schema import Profile
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


# --------------------------------------------------------------------------- hostile values


def _problems(mmc_data) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        validate(mmc_data)
    return info.value.problems


@pytest.mark.parametrize(
    "zone", ["America", "__pycache__", "localtime", "Factory", "x" * 300, "../../etc/passwd", ""]
)
def test_time_zones_that_are_no_place_are_one_line(mmc_data, zone):
    mmc_data["sites"][0]["timezone"] = zone
    (line,) = _problems(mmc_data)
    assert line.startswith("<scenario>: sites[hq].timezone: unknown IANA time zone")


@pytest.mark.parametrize(
    ("key", "where"),
    [
        ("count", ("roles", 0, "staff", 0)),
        ("rate_per_day", ("incidents", "classes", 0)),
        ("days", ("calendar",)),
    ],
)
def test_true_and_false_are_not_numbers(mmc_data, key, where):
    node = mmc_data
    for part in where:
        node = node[part]
    node[key] = True
    assert any("expected a number, got true" in line for line in _problems(mmc_data))


def test_a_target_band_must_not_be_upside_down(mmc_data):
    mmc_data["targets"] = {"utilization": {"low": 1, "high": 0}}
    (line,) = _problems(mmc_data)
    assert line.endswith("targets.utilization: low (1.0) must not exceed high (0.0)")


@pytest.mark.parametrize(
    ("given", "read"), [("7:00", "07:00"), ("16:00", "16:00"), ("24:00", "24:00")]
)
def test_clock_times(mmc_data, given, read):
    mmc_data["shifts"][0]["start"] = given
    assert validate(mmc_data).shifts[0].start == read


@pytest.mark.parametrize("given", ["25:00", 8, 420, "7", "07:60", "1:00:00", "-1:00"])
def test_impossible_clock_times_say_what_is_expected(mmc_data, given):
    mmc_data["shifts"][0]["start"] = given
    (line,) = _problems(mmc_data)
    assert "expected a clock time 'HH:MM' from 00:00 to 24:00" in line


@pytest.mark.parametrize("weights", [[5e-324] + [0] * 23, [1.7e308, 1.7e308] + [0] * 22])
def test_profile_weights_at_the_edges_of_floats_keep_a_mean_of_one(weights):
    assert sum(Profile(daily=weights).hour_of_week_weights()) == pytest.approx(168)


def test_a_lognormal_mean_beyond_floats_is_infinite_not_an_error():
    assert Lognormal(mu=1, sigma=50).mean == float("inf")
