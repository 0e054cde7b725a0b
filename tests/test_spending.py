"""What a budget split does to a scenario: each effect curve, headcount, and nothing else."""

from __future__ import annotations

import pytest

from sim.scenario.effects import Effect, Effects
from sim.scenario.spending import annual_cost, effective
from tests.scenarios import tiny

EVERY_EFFECT_OFF = {name: {"enabled": False} for name in Effects.model_fields}
SPLIT = {"personnel": 70, "tools": 15, "infrastructure": 10, "training": 3, "contingency": 2}


def _scenario(split=SPLIT, **budget):
    return tiny(
        incidents={
            "classes": [
                {
                    "id": "urgent",
                    "priority": "P0",
                    "category": "ops",
                    "rate_per_day": 1,
                    "detection": 10,
                    "triage": 4,
                    "resolution": [
                        {"tier": "L1", "effort": 60, "escalate": 0.5},
                        {"tier": "L1", "effort": 30},
                    ],
                },
                {
                    "id": "low",
                    "priority": "P3",
                    "category": "ops",
                    "rate_per_day": 2,
                    "resolution": [{"tier": "L1", "effort": 10}],
                },
            ]
        },
        streams=[{"id": "alerts", "rate_per_day": 40, "effort": 2, "roles": ["operator"]}],
        changes={
            "deployments": [
                {"id": "app", "per_day": 5, "failure_rate": 0.1, "incident_class": "urgent"}
            ]
        },
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1"],
                "hourly_cost": 50,
                "staff": [{"site": "hq", "count": 2, "shift": "always"}],
            }
        ],
        budget={
            "total": 1_000_000,
            "split": split,
            "effects": {
                "alert_noise": {"streams": ["alerts"]},
                "self_resolving": {"priorities": ["P3"]},
            },
            **budget,
        },
    )


def _classes(scenario):
    by_id = {c.id: c for c in scenario.incidents.classes}
    return by_id["urgent"], by_id["low"]


def test_without_a_total_or_at_the_reference_nothing_changes():
    assert effective(tiny()) is tiny() or effective(tiny()) == tiny()
    at_reference = _scenario()
    assert effective(at_reference) == at_reference


def test_tools_shorten_detection_and_triage_cut_noise_and_close_low_incidents():
    split = {**SPLIT, "tools": 30, "personnel": 55}  # tools money doubled
    changed = effective(_scenario(split))
    urgent, low = _classes(changed)
    assert urgent.detection.value == pytest.approx(10 * 2**-0.3)
    assert urgent.triage.value == pytest.approx(4 * 2**-0.2)
    assert changed.streams[0].rate_per_day == pytest.approx(40 * 2**-0.3)
    assert low.rate_per_day == pytest.approx(2 * (1 - 0.3 * (1 - 2**-1.0)))
    assert urgent.rate_per_day == 1  # self-resolving is for P3 only
    assert changed.changes.deployments[0].failure_rate == pytest.approx(0.1 * 2**-0.3)


def test_infrastructure_lowers_incident_rates_and_training_work_and_escalation():
    changed = effective(_scenario({**SPLIT, "infrastructure": 20, "training": 6, "personnel": 57}))
    urgent, low = _classes(changed)
    assert urgent.rate_per_day == pytest.approx(2**-0.2)
    assert low.rate_per_day == pytest.approx(2 * 2**-0.2)
    assert urgent.resolution[0].effort.value == pytest.approx(60 * 2**-0.15)
    assert urgent.resolution[0].escalate == pytest.approx(0.5 * 2**-0.2)


def test_less_money_than_the_reference_makes_things_worse_within_the_floor():
    changed = effective(_scenario({**SPLIT, "tools": 0.1, "personnel": 84.9}))
    assert _classes(changed)[0].detection.value == pytest.approx(10 / 0.25)  # the floor
    assert Effect(elasticity=0.3).factor(0.5) == pytest.approx(2**0.3)


def test_with_every_effect_off_a_split_changes_nothing_but_money():
    scenario = _scenario({**SPLIT, "tools": 40, "personnel": 45}, effects=EVERY_EFFECT_OFF)
    changed = effective(scenario)
    assert changed.incidents == scenario.incidents
    assert changed.streams == scenario.streams
    assert changed.changes == scenario.changes
    assert changed.roles == scenario.roles  # no hire order: headcount stays


def test_personnel_money_hires_in_turn_and_a_cut_lets_go_in_reverse():
    one = annual_cost(_scenario(), _scenario().roles[0], "hq")
    assert one == 50 * 2080
    more = effective(
        _scenario({**SPLIT, "personnel": 85, "contingency": 2, "tools": 0}, hire_order=["operator"])
    )
    assert more.roles[0].staff[0].count == 2 + int(150_000 // one)
    # the staff cost 208,000: a line of 699,999 still pays them, one of 150,000 does not
    same = effective(
        _scenario({**SPLIT, "personnel": 69.9999, "tools": 15.0001}, hire_order=["operator"])
    )
    assert same.roles[0].staff[0].count == 2
    fewer = effective(
        _scenario({**SPLIT, "personnel": 15, "contingency": 57}, hire_order=["operator"])
    )
    assert fewer.roles[0].staff[0].count == 1  # 58,000 short: one person (104,000) goes


def test_every_effect_names_the_budget_line_that_drives_it():
    from sim.scenario.effects import EFFECT_LINE
    from sim.scenario.money import LINES

    assert set(EFFECT_LINE) == set(Effects.model_fields)
    assert set(EFFECT_LINE.values()) <= set(LINES)
