"""Common random numbers: an incident's draws are its own, whatever else happens."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model.arrivals import draw_workload
from sim.model.ops_model import simulate_record
from sim.model.randomness import PerItem, replication_seed, stream
from sim.scenario.distributions import Exponential
from tests.scenarios import tiny

SEQ = np.random.SeedSequence(11)


def per_item_draws(order: list[int], width: int) -> dict[int, list[float]]:
    table = stream(SEQ, "table").random((4, width))
    draw = PerItem(Exponential(mean=1), table, lambda item: stream(SEQ, "more", str(item)))
    found: dict[int, list[float]] = {}
    for item in order:
        found.setdefault(item, []).append(draw(item))
    return found


@given(st.lists(st.integers(0, 3), max_size=40), st.integers(0, 3))
def test_an_items_draws_do_not_depend_on_the_order_items_ask(order, width):
    mine = per_item_draws(order, width)
    alone = {item: per_item_draws([item] * len(draws), width)[item] for item, draws in mine.items()}
    assert mine == alone


def classes(workload, scenario, class_id):
    """The columns of one class's incidents, in arrival order."""
    k = [c.id for c in scenario.incidents.classes].index(class_id)
    rows = workload.cls == k
    delays = {name: table[rows] for name, table in workload.delays.items()}
    efforts = workload.effort[rows]
    return workload.started[rows], workload.detection[rows], efforts, delays


RANDOM_DELAYS = {
    "calendar": {"days": 30},
    "paging": {"ack_delay": {"dist": "exponential", "mean": 5}},
    "work_rules": {"ack_delay": {"dist": "exponential", "mean": 2}},
}


def with_classes(edit, **changes):
    """The tiny scenario with random delays, its incident classes edited by ``edit``."""
    data = tiny(**RANDOM_DELAYS, **changes).model_dump(mode="json", by_alias=True)
    edit(data["incidents"]["classes"])
    return tiny(**RANDOM_DELAYS, **changes, incidents={"classes": data["incidents"]["classes"]})


def more_low_and_an_urgent_l2_step(classes):
    classes[2]["rate_per_day"] = 7
    classes[0]["resolution"].insert(
        0, {"tier": "L2", "effort": {"dist": "exponential", "mean": 9}, "escalate": 1}
    )


def test_another_class_and_a_new_step_leave_a_class_draws_in_place():
    operator = tiny().roles[0].model_dump(mode="json", by_alias=True)
    engineer = {**operator, "id": "engineer", "team": "sre", "tiers": ["L2"]}
    roles = {"roles": [operator, engineer]}
    base = tiny(**RANDOM_DELAYS, **roles)
    other = with_classes(more_low_and_an_urgent_l2_step, **roles)
    a, b = draw_workload(base, SEQ), draw_workload(other, SEQ)
    for class_id in ("urgent", "normal"):
        (sa, da, _, xa), (sb, db, _, xb) = classes(a, base, class_id), classes(b, other, class_id)
        np.testing.assert_array_equal(sa, sb)
        np.testing.assert_array_equal(da, db)
        assert xa.keys() == xb.keys() == {"acknowledgement", "paging", "engagement"}
        for name in xa:
            np.testing.assert_array_equal(xa[name], xb[name])
    # "urgent" gained an L2 step before its L1 step: its L1 efforts are unchanged
    (_, _, ea, _), (_, _, eb, _) = classes(a, base, "urgent"), classes(b, other, "urgent")
    np.testing.assert_array_equal(ea[:, 0], eb[:, 1])


def test_an_incidents_acknowledgement_delay_is_its_own_in_the_simulation():
    """More incidents of another class interleave differently, but with a free
    responder every time, each urgent incident waits exactly its own draws."""
    crowd = {
        "roles": [
            {
                **tiny().roles[0].model_dump(mode="json", by_alias=True),
                "staff": [{"site": "hq", "count": 30, "shift": "always"}],
            }
        ]
    }

    def waits(scenario):
        log = simulate_record(scenario, SEQ).incidents
        urgent = np.asarray(log.cls) == 0
        return np.asarray(log.acknowledged)[urgent] - np.asarray(log.detected)[urgent]

    quiet = tiny(**RANDOM_DELAYS, **crowd)
    busy = with_classes(lambda c: c[2].update(rate_per_day=5), **crowd)
    assert len(waits(quiet)) > 10
    np.testing.assert_array_equal(waits(quiet), waits(busy))


def test_a_failure_rate_changes_which_changes_fail_not_any_incidents_draws():
    def scenario(rate):
        deploy = {"id": "web", "per_day": 20, "failure_rate": rate, "incident_class": "normal"}
        return tiny(**RANDOM_DELAYS, changes={"deployments": [deploy]})

    low, high = draw_workload(scenario(0.1), SEQ), draw_workload(scenario(0.3), SEQ)

    def by_origin(load):
        return {
            load.origin_of(i): (load.started[i], load.detection[i], load.delays["paging"][i][0])
            for i in range(len(load))
        }

    a, b = by_origin(low), by_origin(high)
    assert len(a) < len(b)
    assert sum(key[0] == "change:web" for key in a) > 10
    assert all(b[key] == value for key, value in a.items())  # every low-rate failure fails too


def test_a_replications_seed_does_not_depend_on_how_many_there_are():
    spawned = np.random.SeedSequence(9).spawn(5)
    for i, seq in enumerate(spawned):
        assert replication_seed(9, i).generate_state(4).tolist() == seq.generate_state(4).tolist()
