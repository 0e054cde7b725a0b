"""On-call rotations and the pager: who is on duty, who is paged, in which order."""

from __future__ import annotations

import numpy as np

from sim.model.ops_model import simulate_record
from sim.model.pager import Pager, Rota
from sim.model.records import PageLog, PageOutcome, WorkKind
from sim.model.staff import build_staff
from tests.scenarios import tiny, workload

ACK, OUT, TOLD = PageOutcome.ACKNOWLEDGED, PageOutcome.TIMED_OUT, PageOutcome.NOTIFIED
WEEK = 10080
P0, P1 = (build_staff(tiny()).precedence.incident(i) for i in (0, 1))


def team(**more):
    """Three operators on a 09-17 UTC weekday shift, a primary and a secondary rotation."""
    rotations = [
        {"id": "primary", "roles": ["operator"], "period": "weekly"},
        {"id": "secondary", "layer": "secondary", "roles": ["operator"], "first": 1},
    ]
    return tiny(
        calendar={"days": 28},
        shifts=[
            {
                "id": "always",
                "start": "09:00",
                "end": "17:00",
                "timezone": "UTC",
                "days": ["mon", "tue", "wed", "thu", "fri"],
            }
        ],
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1"],
                "staff": [{"site": "hq", "count": 3, "shift": "always"}],
            },
            {
                "id": "vp",
                "team": "sre",
                "tiers": ["L1"],
                "categories": ["none"],
                "staff": [{"site": "hq", "count": 1, "shift": "always"}],
            },
        ],
        oncall={"rotations": rotations, "escalate_after": 10, **more},
    )


def pager(scenario, delays, absent=(), busy=()):
    staff = build_staff(scenario)
    log = PageLog()
    rota = Rota(scenario, staff.people)
    ranks = {staff.precedence.incident(i): p.id for i, p in enumerate(scenario.priorities)}
    it = iter(delays)
    return (
        Pager(
            rota,
            ranks,
            lambda item, person, at: next(it),
            log,
            pageable=lambda p, rank: p not in busy and p not in absent,
            absent=lambda p: p in absent,
            role_of=lambda p: staff.person_role[p],
        ),
        log,
        staff,
    )


def rows(log):
    return list(zip(log.time, log.person, log.layer, map(PageOutcome, log.outcome), strict=True))


def test_turns_hand_over_weekly_at_the_local_time_in_member_order():
    rota = Rota(team(), build_staff(team()).people)
    # the calendar starts Monday 2027-01-04 00:00 UTC; hand-overs Mondays 09:00 UTC
    assert rota.turns[0][:3] == [
        (0.0, 540.0, 0),
        (540.0, 540.0 + WEEK, 1),
        (540.0 + WEEK, 540.0 + 2 * WEEK, 2),
    ]
    assert rota.on_duty(1, 0.0) == 1  # the secondary starts with the second member


def test_hand_over_follows_daylight_saving_in_the_rotation_time_zone():
    handover = {"at": "09:00", "timezone": "hq"}
    s = tiny(
        calendar={"start": "2027-03-22", "days": 14},
        sites=[{"id": "hq", "timezone": "Europe/Dublin"}],
        oncall={"rotations": [{"id": "primary", "roles": ["operator"], "handover": handover}]},
    )
    rota = Rota(s, build_staff(s).people)
    # Monday 22 March 09:00 is GMT (09:00 UTC); Monday 29 March 09:00 is IST (08:00 UTC)
    assert [t[0] for t in rota.turns[0]] == [0.0, 540.0, 7 * 1440 + 480.0]


def _dump(s):
    return s.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_the_primary_on_duty_is_paged_and_acknowledges_after_the_delay():
    page, log, _ = pager(team(), [4.0])
    assert page.page((0,), rank=P1, item=7, kind=WorkKind.INCIDENT, now=100.0) == (0, 4.0)
    assert rows(log) == [(100.0, 0, 0, ACK)]


def test_no_acknowledgement_within_the_timeout_pages_the_secondary_who_is_faster():
    page, log, _ = pager(team(), [30.0, 3.0])
    assert page.page((0,), rank=P1, item=7, kind=WorkKind.INCIDENT, now=100.0) == (1, 13.0)
    assert rows(log) == [(100.0, 0, 0, OUT), (110.0, 1, 1, ACK)]


def test_an_absent_primary_is_covered_by_the_next_member_and_a_busy_one_passed_over():
    page, log, _ = pager(team(), [4.0], absent={0})
    assert page.page((0,), rank=P1, item=7, kind=WorkKind.INCIDENT, now=100.0) == (1, 4.0)
    page, log, _ = pager(team(), [4.0], busy={0})
    # the secondary (member 1) is paged at once, without waiting for a timeout
    assert page.page((0,), rank=P1, item=7, kind=WorkKind.INCIDENT, now=100.0) == (1, 4.0)
    assert rows(log) == [(100.0, 1, 1, ACK)]


def test_priorities_that_notify_the_executive_page_them_at_once():
    s = team(notify_executive=["P0"])
    s = tiny(
        **{
            **_dump(s),
            "oncall": {
                **_dump(s)["oncall"],
                "rotations": [
                    *_dump(s)["oncall"]["rotations"],
                    {"id": "exec", "layer": "executive", "roles": ["vp"], "covers": ["operator"]},
                ],
            },
        }
    )
    page, log, _ = pager(s, [4.0])
    assert page.page((0,), rank=P0, item=7, kind=WorkKind.INCIDENT, now=100.0) == (0, 4.0)
    assert rows(log) == [(100.0, 3, 3, TOLD), (100.0, 0, 0, ACK)]
    page, log, _ = pager(s, [4.0])
    page.page((0,), rank=P1, item=7, kind=WorkKind.INCIDENT, now=100.0)  # P1: no executive
    assert rows(log) == [(100.0, 0, 0, ACK)]


def test_in_the_model_only_the_on_call_member_is_woken():
    # Saturday 2027-01-09 03:00 UTC: nobody on shift; the primary of the first week is member 1
    s = team()
    record = simulate_record(
        s,
        np.random.SeedSequence(0),
        workload=workload({"at": 5 * 1440 + 180, "cls": 0, "effort": [30]}),
    )
    pages = record.pages
    assert [record.people[p].name for p in pages.person] == ["operator-hq-2"]
    assert [PageOutcome(o) for o in pages.outcome] == [ACK]
    assert record.incidents.pages[0] == 1


def test_a_member_who_cannot_do_the_work_is_skipped_for_the_next_who_can():
    # pool (1,) is the vp role only; an executive rotation of vp and operators covering both
    s = team()
    d = _dump(s)
    d["oncall"]["rotations"] = [
        {"id": "mixed", "roles": ["operator", "vp"], "covers": ["operator", "vp"], "first": 0}
    ]
    page, log, staff = pager(tiny(**d), [4.0])
    vp = staff.person_role.index(1)
    assert page.page((1,), rank=P1, item=7, kind=WorkKind.INCIDENT, now=100.0) == (vp, 4.0)
    assert rows(log) == [(100.0, vp, 0, ACK)]


def test_every_rotation_of_a_layer_covering_the_work_is_tried_before_escalating():
    s = team()
    d = _dump(s)
    d["oncall"]["rotations"] = [
        {"id": "ops", "roles": ["operator"]},
        {"id": "leaders", "roles": ["vp"], "covers": ["operator"]},
        {"id": "backup", "layer": "secondary", "roles": ["operator"], "first": 1},
    ]
    # the operator on duty (0) is busy: the other primary rotation's member (the vp) can do
    # work of a pool that holds both roles, and is paged before the secondary layer
    page, log, staff = pager(tiny(**d), [4.0], busy={0})
    vp = staff.person_role.index(1)
    assert page.page((0, 1), rank=P1, item=7, kind=WorkKind.INCIDENT, now=100.0) == (vp, 4.0)
    assert rows(log) == [(100.0, vp, 0, ACK)]


def test_follow_the_sun_pages_the_member_whose_local_day_it_is():
    sites = [{"id": "hq", "timezone": "UTC"}, {"id": "sg", "timezone": "Asia/Singapore"}]
    fts = {"id": "fts", "roles": ["operator"], "active_hours": {"start": "08:00", "end": "20:00"}}
    s = tiny(
        calendar={"days": 7},
        sites=sites,
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1"],
                "staff": [
                    {"site": "hq", "count": 1, "shift": "always"},
                    {"site": "sg", "count": 1, "shift": "always"},
                ],
            }
        ],
        oncall={"rotations": [fts]},
    )
    page, _, _ = pager(s, [1.0, 1.0])
    # from Monday 09:00 it is the Singapore member's turn, but 15:00 UTC is 23:00 there: the
    # UTC member, in their day, covers; at 02:00 UTC (the UTC member's turn) Singapore's 10:00
    assert page.page((0,), rank=P1, item=1, kind=WorkKind.INCIDENT, now=900.0)[0] == 0
    assert page.page((0,), rank=P1, item=2, kind=WorkKind.INCIDENT, now=120.0)[0] == 1
    duty = page.rota.duty(0)
    assert {p for a, b, p in duty if 0 <= a < 1440} == {0, 1}


def test_members_can_be_named_one_by_one():
    s = team()
    d = _dump(s)
    d["oncall"]["rotations"] = [{"id": "named", "people": ["operator-hq-3", "vp-hq-1"]}]
    rota = Rota(tiny(**d), build_staff(tiny(**d)).people)
    assert rota.members[0] == (2, 3)


def test_someone_on_a_less_urgent_call_out_is_paged_for_a_more_urgent_one():
    s = tiny(
        calendar={"days": 2},
        shifts=[{"id": "always", "start": "09:00", "end": "17:00", "timezone": "UTC"}],
        oncall={"rotations": [{"id": "primary", "roles": ["operator"]}]},
        paging={"ack_delay": 5},
    )
    p1 = {"at": 120, "cls": 1, "effort": [300]}  # 02:00, nobody on shift: paged
    p0 = {"at": 180, "cls": 0, "effort": [30]}  # 03:00: the same person, busy with the P1
    record = simulate_record(s, np.random.SeedSequence(0), workload=workload(p1, p0))
    assert record.incidents.acknowledged[1] == 185  # taken from the P1 at once
    assert record.incidents.preemptions[0] == 1
    assert record.incidents.restored[1] == 215
