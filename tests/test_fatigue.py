"""The Three-Process Model and a sleeper's night: equations, waking, sleep lost, effects."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.model import fatigue
from sim.model.fatigue import Alertness, Sleeper, asleep_s, awake_s, circadian, inertia
from sim.model.ops_model import simulate_record
from sim.model.records import FatigueLog, PageOutcome
from sim.model.staff import build_staff
from tests.scenarios import tiny, workload

START = dt.date(2027, 1, 4)  # a Monday; the site is UTC, so local = model time


def test_the_worked_examples_of_the_three_process_model():
    # fully rested (S = 14.3) at 07:00: 16 h awake -> 9.16, 24 h -> 7.50
    assert awake_s(14.3, 16) == pytest.approx(9.16, abs=0.005)
    assert awake_s(14.3, 24) == pytest.approx(7.50, abs=0.005)
    # 8 h of sleep from 9.16: 4.9 h linear to the break level, then exponential -> 13.76
    assert asleep_s(awake_s(14.3, 16), 8) == pytest.approx(13.76, abs=0.01)
    assert asleep_s(9.16, (12.5 - 9.16) / (0.381 * 1.8)) == pytest.approx(12.5)
    # still up at 03:00 after 20 h: S 8.27, C -2.23, U +0.10 -> A 6.1, in the risk zone
    assert awake_s(14.3, 20) + circadian(3.0) == pytest.approx(6.14, abs=0.01)
    # sleep inertia: -5.72 at waking, -2.69 after half an hour, about -1.26 after an hour
    assert [round(inertia(h), 2) for h in (0, 0.5, 1)] == [-5.72, -2.69, -1.26]


def sleeper(measured_from=-math.inf):
    nights = fatigue.nights(tiny().oncall.sleep_hours, "UTC", START, 7)
    return Sleeper(nights, "UTC", START, measured_from)


def test_sleep_lost_counts_from_the_end_of_the_warm_up():
    three_am = 1440 + 180.0  # Tuesday 03:00
    s = sleeper(measured_from=three_am + 30)  # the warm-up ends half an hour into the work
    s.wake(three_am)
    s.rest(three_am + 60, fall_asleep=20)
    assert s.lost == 50.0  # only the 50 minutes after the warm-up


def test_a_sleeper_sleeps_in_the_window_and_a_page_wakes_them():
    s = sleeper()
    three_am = 1440 + 180.0  # Tuesday 03:00
    assert s.asleep(three_am - 1) and not s.asleep(1440 + 600.0)
    s.alertness(three_am)
    s.wake(three_am)
    assert not s.asleep(three_am + 60)  # kept awake by the night work
    assert s.alertness(three_am) < s.alertness(three_am + 120) < 14.3  # inertia wears off
    s.rest(three_am + 60, fall_asleep=20)
    assert s.lost == 80.0  # 60 min of work and 20 to fall asleep again, all inside the night
    assert s.asleep(three_am + 90)


def test_alertness_follows_the_equations_through_a_night():
    s = sleeper()
    # from 22:00 Monday to 06:00 Tuesday asleep, then awake: compare S by hand
    at = 1440 + 600.0  # Tuesday 10:00
    expected_s = s.s
    t = s.t
    for begin, end in s.sleep:
        if end <= t or begin >= at:
            continue
        expected_s = awake_s(expected_s, (max(begin, t) - t) / 60)
        t = max(begin, t)
        expected_s = asleep_s(expected_s, (min(end, at) - t) / 60)
        t = min(end, at)
    expected_s = awake_s(expected_s, (at - t) / 60)
    woke = 1440 + 360.0
    expected = expected_s + circadian(10.0) + inertia((at - woke) / 60)
    assert s.alertness(at) == pytest.approx(expected, abs=1e-9)


def test_a_page_to_someone_asleep_adds_the_wake_up_and_stretches_with_low_alertness():
    scenario = tiny(fatigue={"enabled": True, "ack_slope": 0.2})
    people = build_staff(scenario).people
    log = FatigueLog()
    tired = Alertness(scenario, people, [[]], lambda person: 4.0, log)
    three_am = 1440 + 180.0
    delay = tired.page_delay(0, three_am, base=5.0)
    alert = log.ack_alertness[0]
    assert log.ack_asleep == [True]
    assert delay == pytest.approx(9.0 * (1 + 0.2 * max(0.0, 7 - alert)))
    awake = Alertness(scenario, people, [[]], lambda person: 4.0, FatigueLog())
    assert awake.page_delay(0, 1440 + 600.0, base=5.0) == pytest.approx(5.0)  # 10:00, awake


def test_in_the_model_a_night_page_wakes_the_primary_who_takes_longer():
    night = {"shifts": [{"id": "always", "start": "09:00", "end": "17:00", "timezone": "UTC"}]}
    rota = {"rotations": [{"id": "primary", "roles": ["operator"]}]}
    incident = {"at": 1440 + 180, "cls": 0, "effort": [30]}  # Tuesday 03:00, nobody on shift

    def run(enabled):
        s = tiny(
            **night,
            calendar={"days": 3},
            oncall=rota,
            paging={"ack_delay": 5},
            fatigue={"enabled": enabled},
        )
        return simulate_record(s, np.random.SeedSequence(0), workload=workload(incident))

    rested, tired = run(False), run(True)
    assert rested.incidents.acknowledged[0] == 1440 + 180 + 5
    assert tired.incidents.acknowledged[0] > 1440 + 180 + 5
    assert tired.fatigue.ack_asleep == [True] and tired.fatigue.ack_alertness[0] < 7
    assert [PageOutcome(o) for o in tired.pages.outcome] == [PageOutcome.ACKNOWLEDGED]
    # the night's work took longer than its 30 minutes, and cost sleep
    work = tired.work
    assert work.end[0] - work.start[0] > 30
    assert tired.sleep_lost[0] > 30 and math.isclose(rested.work.end[0] - rested.work.start[0], 30)


@pytest.mark.slow
def test_night_pages_give_lower_alertness_and_longer_acknowledgement_than_evening_ones():
    from scipy import stats

    from sim.experiments.experiment import run_experiment

    def hours(first, last):
        return [1.0 if first <= h < last else 0.0 for h in range(24)]

    def scenario(profile):
        return tiny(
            calendar={"days": 60},
            shifts=[{"id": "always", "start": "09:00", "end": "17:00", "timezone": "UTC"}],
            oncall={"rotations": [{"id": "primary", "roles": ["operator"]}]},
            fatigue={"enabled": True},
            incidents={
                "profiles": {"when": {"daily": profile}},
                "classes": [
                    {"id": c, "profile": "when", "rate_per_day": 0.5}
                    for c in ("urgent", "normal", "low")
                ],
            },
        )

    def per_replication(scenario, metric, group):
        result = run_experiment(scenario, replications=12, seed=5, workers=1)
        kpis = result.replications
        return kpis[(kpis.metric == metric) & (kpis.group == group)].value.to_numpy()

    night, evening = scenario(hours(1, 5)), scenario(hours(18, 22))
    for metric, group, sign in (("alertness_at_ack", "all", -1), ("mtta_minutes", "P0", 1)):
        a, b = per_replication(night, metric, group), per_replication(evening, metric, group)
        diff = a.mean() - b.mean()
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        low, high = diff - stats.t.ppf(0.975, 20) * se, diff + stats.t.ppf(0.975, 20) * se
        assert (high < 0) if sign < 0 else (low > 0), (metric, diff, low, high)


def test_tired_night_work_is_slower_and_may_fail_and_be_partly_redone():
    scenario = tiny(fatigue={"enabled": True, "work_slope": 0.1, "redo_slope": 0.2})
    people = build_staff(scenario).people
    three_am = 1440 + 180.0

    def task(draw):
        log = FatigueLog()
        tired = Alertness(scenario, people, [[]], lambda person: 0.0, log, redo=lambda person: draw)
        tired.page_delay(0, three_am, base=0.0)  # woken at 03:00
        return tired.slowed(0, three_am, 60.0), log

    (failed, log), (passed, _) = task(0.0), task(0.99)
    deficit = 7 - log.work_alertness[0]
    assert deficit > 0 and log.work_redone == [True]
    assert passed == pytest.approx(60 * (1 + 0.1 * deficit))
    assert failed == pytest.approx(passed + 60 * 0.5)  # half of it done again


def test_someone_who_works_nights_sleeps_after_the_nights_work():
    nights = fatigue.nights(tiny().oncall.sleep_hours, "UTC", START, 3)
    night_shifts = [(d * 1440 - 120.0, d * 1440 + 360.0) for d in range(4)]  # 22:00-06:00
    sleep = fatigue.sleep_times(nights, night_shifts)
    # a day worker keeps the window; the night worker sleeps 07:00-15:00
    assert (1440 + 420.0, 1440 + 900.0) in sleep
    assert fatigue.sleep_times(nights, [])[1:3] == nights[1:3]
    assert all(not (a < e and s < b) for a, b in sleep for s, e in night_shifts)
