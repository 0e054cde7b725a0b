"""On-call burden metrics on hand-made page logs: buckets, rates, duty, timeouts, flags."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis import burden, burden_card
from sim.model import hours
from sim.model.records import PageOutcome, WorkKind
from tests.scenarios import tiny
from tests.test_metrics import make_record, person

DAY, MONTH = 1440.0, 30 * 1440.0
ROTA = {"rotations": [{"id": "primary", "roles": ["operator"]}]}


def scenario(**more):
    # the tiny organisation at a site in Singapore (UTC+8), calendar from Monday 2027-01-04
    return tiny(
        sites=[{"id": "hq", "timezone": "Asia/Singapore"}],
        calendar={"days": 30},
        oncall={**ROTA, **more},
    )


def test_a_page_is_bucketed_in_the_persons_local_time():
    s = scenario()
    # 01:00 UTC Monday = 09:00 Singapore: business; 12:00 UTC = 20:00: off; 16:00 UTC = 00:00: sleep
    assert hours.bucket(s, "hq", 60.0) == "business_hours"
    assert hours.bucket(s, "hq", 720.0) == "off_hours"
    assert hours.bucket(s, "hq", 960.0) == "sleep_hours"
    # Saturday 09:00 local is off hours
    assert hours.bucket(s, "hq", 5 * DAY + 60.0) == "off_hours"


def record_with_pages():
    record = make_record(people=[person("a", site="hq"), person("b", site="hq")], horizon=MONTH)
    record.incidents = make_record(
        incidents=[(0, 0.0, 0.0, 0.0, 10.0), (1, 0.0, 0.0, 0.0, 10.0)]
    ).incidents
    for t, p, item, outcome in [
        (60.0, 0, 0, PageOutcome.ACKNOWLEDGED),
        (960.0, 0, 1, PageOutcome.TIMED_OUT),
        (965.0, 1, 1, PageOutcome.ACKNOWLEDGED),
    ]:
        record.pages.add(t, p, WorkKind.INCIDENT, item, 0, outcome)
    record.oncall = [(0.0, MONTH / 2, 0, 0), (MONTH / 2, MONTH, 1, 0), (0.0, 720.0, 1, 1)]
    return record


def rows_of(record, s):
    return {(m, g): v for m, g, v in burden.burden_rows(record, s)}


def test_pages_interruptions_duty_and_timeouts_from_a_page_log():
    s = scenario()
    got = rows_of(record_with_pages(), s)
    assert got["pages", "person:a"] == 2 and got["pages", "person:b"] == 1
    assert got["pages", "all"] == 3 and got["page_share_max", "all"] == pytest.approx(2 / 3)
    assert got["interruptions_per_month", "person:a:business_hours"] == 1.0
    assert got["interruptions_per_month", "person:a:sleep_hours"] == 1.0
    assert got["interruptions_per_month", "all:sleep_hours"] == 2.0
    assert got["oncall_time_share", "person:a"] == 0.5
    assert got["oncall_time_share", "person:b"] == pytest.approx(0.5 + 720 / MONTH)
    # a took one page in 360 h on call: 1 / (360 / 12) per 12 h
    assert got["incidents_per_oncall_shift", "person:a"] == pytest.approx(1 / 30)
    # incident 1 is class 1 (P1 in the tiny scenario)
    assert got["escalation_timeouts", "P1"] == 1 and got["escalation_timeouts", "all"] == 1


def test_nothing_is_reported_without_rotations():
    assert burden.burden_rows(record_with_pages(), tiny()) == []


def test_the_card_flags_people_over_the_google_limits_and_in_pagerdutys_bands():
    rows = [
        ("oncall_time_share", "person:a", 0.5, 0.4, 0.6),
        ("oncall_time_share", "person:b", 0.2, 0.1, 0.3),
        ("incidents_per_oncall_shift", "person:a", 0.5, 0.4, 0.6),
        ("incidents_per_oncall_shift", "person:b", 3.0, 2.5, 3.5),
        ("interruptions_per_month", "person:a:off_hours", 5.0, 4, 6),
        ("interruptions_per_month", "person:a:sleep_hours", 3.0, 2, 4),
        ("interruptions_per_month", "person:b:off_hours", 0.0, 0, 0),
        ("interruptions_per_month", "person:b:sleep_hours", 20.0, 18, 22),
    ]
    summary = pd.DataFrame(rows, columns=["metric", "group", "mean", "ci_low", "ci_high"])
    found = {b.person: b.flags for b in burden_card.burdens(summary, scenario())}
    assert found == {
        "a": ("on call > 25%", "bad band"),
        "b": ("> 2 incidents/shift", "burnout band"),
    }
    lines = burden_card.render_burden(summary, scenario()).splitlines()[3:]
    assert [line.split()[0] for line in lines] == ["b", "a"]  # most woken at night first
    assert lines[0].endswith("> 2 incidents/shift, burnout band")
    assert burden_card.render_burden(summary.iloc[:0], scenario()) == ""


def test_alertness_at_acknowledgement_is_averaged_per_person_in_the_window():
    s = tiny(calendar={"days": 30}, fatigue={"enabled": True})
    record = make_record(people=[person("a"), person("b"), person("c")], horizon=MONTH, warmup=DAY)
    record.sleep_lost = [0.0, 0.0, 0.0]
    for when, who, alert in ((2 * DAY, 0, 10.0), (3 * DAY, 0, 6.0), (2 * DAY, 1, 12.0)):
        record.fatigue.add_ack(when, who, alert, asleep=False)
    record.fatigue.add_ack(DAY / 2, 1, 2.0, asleep=True)  # in the warm-up: not counted
    rows = {(m, g): v for m, g, v in burden.fatigue_rows(record, s)}
    assert rows[("alertness_at_ack", "person:a")] == 8.0
    assert rows[("alertness_at_ack", "person:b")] == 12.0
    assert ("alertness_at_ack", "person:c") not in rows  # never acknowledged a page
    assert rows[("alertness_at_ack", "all")] == pytest.approx(28.0 / 3)
