"""Planned operations and training: when they fall due, who attends, how training is laid out.

Exact dates and due minutes of tiny scenarios (no incidents get in the way), the
cadence rules on their own, daylight-saving changes, and the rotation of
``one_per_team``. Training is checked by its layout (working days, inside shifts)
and by totals over long horizons, never by numbers pinned to one seed.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.metrics import activity_completion
from sim.errors import ScenarioError
from sim.model import calendar
from sim.model.activities import cadence_dates
from sim.model.ops_model import simulate_record
from sim.model.records import ActivityStatus, WorkKind
from sim.scenario.work import Cadence
from tests.scenarios import tiny, workload

SEQ = np.random.SeedSequence(0)
NOTHING = workload({"at": 10**8, "effort": [1]})  # one incident, long after any horizon
DAY = 1440.0
TRAINING, PLANNED = int(WorkKind.TRAINING), int(WorkKind.PLANNED)


def run(scenario, seed=SEQ, load=NOTHING):
    return simulate_record(scenario, seed, workload=load)


def rows(record, kind=PLANNED):
    """(person, due) of every activity row of one kind, in the log's order."""
    a = record.activities
    return [(p, d) for k, p, d in zip(a.kind, a.person, a.due, strict=True) if k == kind]


def dues(record, kind=PLANNED):
    return [d for _, d in rows(record, kind)]


def meeting(at="09:00", timezone="local", cadence=None, **more):
    op = {
        "id": "standup",
        "cadence": cadence or {"every": "day"},
        "at": at,
        "timezone": timezone,
        "duration": 15,
        "attendees": {"everyone": True},
    }
    return {**op, **more}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# -- cadence_dates ---------------------------------------------------------------------------

JAN, DEC = d("2027-01-01"), d("2027-12-31")


def test_daily_runs_every_day_by_default_and_on_the_named_days_only():
    every = cadence_dates(Cadence(every="day"), d("2027-01-04"), d("2027-01-10"), JAN)
    assert every == [d("2027-01-04") + dt.timedelta(k) for k in range(7)]
    some = cadence_dates(Cadence(every="day", days=("mon", "fri")), JAN, d("2027-01-31"), JAN)
    assert some == [d(f"2027-01-{n:02d}") for n in (1, 4, 8, 11, 15, 18, 22, 25, 29)]


def test_weekly_on_the_named_weekday():
    tuesdays = cadence_dates(Cadence(every="week", days=("tue",)), JAN, d("2027-02-28"), JAN)
    assert len(tuesdays) == 8
    assert tuesdays[0] == d("2027-01-05")
    assert all(b - a == dt.timedelta(7) for a, b in itertools.pairwise(tuesdays))
    assert all(t.weekday() == 1 for t in tuesdays)


def test_monthly_by_day_uses_the_last_day_of_short_months():
    found = cadence_dates(Cadence(every="month", day=31), JAN, d("2028-03-31"), JAN)
    assert found[:4] == [d("2027-01-31"), d("2027-02-28"), d("2027-03-31"), d("2027-04-30")]
    assert d("2028-02-29") in found  # a leap year's February ends on the 29th
    assert len(found) == 15  # once in each month, Jan 2027 .. Mar 2028
    on_30th = cadence_dates(Cadence(every="month", day=30), d("2027-02-01"), d("2027-02-28"), JAN)
    assert on_30th == [d("2027-02-28")]


def test_monthly_by_day_is_on_that_day_when_the_month_has_it():
    found = cadence_dates(Cadence(every="month", day=15), JAN, DEC, JAN)
    assert found == [dt.date(2027, m, 15) for m in range(1, 13)]


def test_monthly_nth_weekday_first_and_last():
    first_mon = cadence_dates(Cadence(every="month", weekday="mon", nth=1), JAN, DEC, JAN)
    assert first_mon[:3] == [d("2027-01-04"), d("2027-02-01"), d("2027-03-01")]
    last_fri = cadence_dates(Cadence(every="month", weekday="fri", nth=-1), JAN, DEC, JAN)
    assert last_fri[:3] == [d("2027-01-29"), d("2027-02-26"), d("2027-03-26")]
    # the last Sunday of March: Europe's daylight-saving change
    last_sun = cadence_dates(Cadence(every="month", weekday="sun", nth=-1), JAN, DEC, JAN)
    assert d("2027-03-28") in last_sun and d("2027-10-31") in last_sun


def test_monthly_fifth_weekday_only_in_months_that_have_one():
    fifth_fri = cadence_dates(Cadence(every="month", weekday="fri", nth=5), JAN, DEC, JAN)
    assert fifth_fri == [
        d("2027-01-29"),
        d("2027-04-30"),
        d("2027-07-30"),
        d("2027-10-29"),
        d("2027-12-31"),
    ]


@settings(max_examples=60, deadline=None)
@given(
    weekday=st.integers(0, 6),
    nth=st.sampled_from([1, 2, 3, 4, 5, -1]),
    year=st.integers(2025, 2035),
)
def test_monthly_nth_weekday_is_that_occurrence_in_each_month(weekday, nth, year):
    cadence = Cadence(every="month", weekday=calendar.WEEKDAYS[weekday], nth=nth)
    found = cadence_dates(cadence, dt.date(year, 1, 1), dt.date(year, 12, 31), JAN)
    for month in range(1, 13):
        length = months.monthrange(year, month)[1]
        same = [
            dt.date(year, month, n)
            for n in range(1, length + 1)
            if dt.date(year, month, n).weekday() == weekday
        ]
        expected = same[nth - 1 : nth] if nth > 0 else same[-1:]
        assert [f for f in found if f.month == month] == expected


@settings(max_examples=60, deadline=None)
@given(day=st.integers(1, 31), year=st.integers(2025, 2035))
def test_monthly_by_day_is_once_a_month_on_that_day_or_the_last(day, year):
    found = cadence_dates(
        Cadence(every="month", day=day), dt.date(year, 1, 1), dt.date(year, 12, 31), JAN
    )
    assert [f.month for f in found] == list(range(1, 13))
    for f in found:
        assert f.day == min(day, months.monthrange(year, f.month)[1])


def test_every_n_days_counts_from_the_calendar_start_by_default():
    found = cadence_dates(Cadence(every_days=3), d("2027-01-04"), d("2027-01-20"), d("2027-01-04"))
    assert found == [d(f"2027-01-{n:02d}") for n in (4, 7, 10, 13, 16, 19)]
    # the dates before the anchor's first one in the window line up with it as well
    before = cadence_dates(Cadence(every_days=3), d("2027-01-01"), d("2027-01-06"), d("2027-01-04"))
    assert before == [d("2027-01-01"), d("2027-01-04")]


def test_every_n_days_from_a_start_date_in_the_past():
    found = cadence_dates(
        Cadence(every_days=14, start=d("2026-12-01")), JAN, d("2027-01-31"), d("2027-01-04")
    )
    assert found == [d("2027-01-12"), d("2027-01-26")]


def test_every_n_days_starts_on_its_start_date_not_before():
    found = cadence_dates(
        Cadence(every_days=7, start=d("2027-01-20")), JAN, d("2027-01-31"), d("2027-01-04")
    )
    assert found == [d("2027-01-20"), d("2027-01-27")]


def test_an_every_days_cadence_from_a_later_start_date_in_the_model():
    # the same thing end to end: nothing may be due before 20 January
    start = {"every_days": 7, "start": "2027-01-20"}
    scenario = tiny(calendar={"days": 28}, planned=[meeting(at="09:00", cadence=start)])
    due = dues(run(scenario))
    assert due and min(due) >= 16 * DAY  # 2027-01-20 is day 16 of a run from 2027-01-04


# -- due times in the model: local clock time across daylight saving -----------------------

DUBLIN = {"sites": [{"id": "hq", "timezone": "Europe/Dublin"}]}


def test_a_local_clock_time_follows_the_spring_change():
    # Dublin: GMT until Sunday 28 March 2027 01:00 UTC, then IST (UTC+1)
    scenario = tiny(
        **DUBLIN, calendar={"start": "2027-03-22", "days": 14}, planned=[meeting(at="09:00")]
    )
    expected = [k * DAY + (540 if k < 6 else 480) for k in range(14)]
    assert dues(run(scenario)) == expected


def test_a_local_clock_time_follows_the_autumn_change():
    # Dublin: IST until Sunday 31 October 2027 01:00 UTC, then GMT
    scenario = tiny(
        **DUBLIN, calendar={"start": "2027-10-25", "days": 14}, planned=[meeting(at="09:00")]
    )
    expected = [k * DAY + (480 if k < 6 else 540) for k in range(14)]
    assert dues(run(scenario)) == expected


def test_a_meeting_in_the_hour_dublin_skips_is_held_an_hour_later_that_day():
    scenario = tiny(
        **DUBLIN, calendar={"start": "2027-03-27", "days": 3}, planned=[meeting(at="01:30")]
    )
    # 27 Mar 01:30 GMT; 28 Mar 01:30 does not exist (01:00 -> 02:00): 02:30 IST = 01:30 UTC
    assert dues(run(scenario)) == [90.0, DAY + 90.0, 2 * DAY + 30.0]


@pytest.mark.parametrize(
    "timezone, winter, summer",
    [
        ("UTC", 540, 540),  # fixed UTC: no change at all
        ("hq", 540, 480),  # the site's own zone, named by its id
        ("Europe/Dublin", 540, 480),
        ("Asia/Tokyo", 0, 0),  # 09:00 JST is midnight UTC, no daylight saving
    ],
)
def test_a_fixed_time_zone_is_read_the_same_for_everyone(timezone, winter, summer):
    scenario = tiny(
        sites=[{"id": "hq", "timezone": "Europe/Dublin"}, {"id": "ny", "timezone": "UTC"}],
        calendar={"start": "2027-03-22", "days": 14},
        roles=[
            {
                "id": "operator",
                "staff": [
                    {"site": "hq", "count": 1, "shift": "always"},
                    {"site": "ny", "count": 1, "shift": "always"},
                ],
            }
        ],
        planned=[meeting(at="09:00", timezone=timezone)],
    )
    record = run(scenario)
    expected = [k * DAY + (winter if k < 6 else summer) for k in range(14)]
    for person in (0, 1):  # one occasion for both sites, both attend
        assert [due for p, due in rows(record) if p == person] == expected


def test_a_new_york_clock_time_changes_on_the_second_sunday_of_march():
    scenario = tiny(
        calendar={"start": "2027-03-08", "days": 14},
        planned=[meeting(at="09:00", timezone="America/New_York")],
    )
    # EST (UTC-5) until Sunday 14 March 2027, then EDT (UTC-4)
    expected = [k * DAY + (840 if k < 6 else 780) for k in range(14)]
    assert dues(run(scenario)) == expected


def test_local_time_is_each_attendees_own_site():
    scenario = tiny(
        sites=[{"id": "hq", "timezone": "UTC"}, {"id": "dub", "timezone": "Europe/Dublin"}],
        calendar={"start": "2027-03-29", "days": 2},
        roles=[
            {
                "id": "operator",
                "staff": [
                    {"site": "hq", "count": 1, "shift": "always"},
                    {"site": "dub", "count": 1, "shift": "always"},
                ],
            }
        ],
        planned=[meeting(at="09:00")],
    )
    assert sorted(rows(run(scenario))) == [(0, 540.0), (0, 1980.0), (1, 480.0), (1, 1920.0)]


# -- during-shift ------------------------------------------------------------------------------


def test_during_shift_is_due_at_each_attendees_local_shift_start_across_dst():
    scenario = tiny(
        **DUBLIN,
        calendar={"start": "2027-03-22", "days": 14},
        shifts=[
            {"id": "early", "start": "08:00", "end": "16:00"},
            {"id": "late", "start": "16:00", "end": "23:00"},
        ],
        roles=[
            {
                "id": "operator",
                "staff": [
                    {"site": "hq", "count": 1, "shift": "early"},
                    {"site": "hq", "count": 1, "shift": "late"},
                ],
            }
        ],
        planned=[meeting(at="during-shift")],
    )
    record = run(scenario)
    shift = {0: 480, 1: 960}
    for person, start in shift.items():
        expected = [k * DAY + start - (60 if k >= 6 else 0) for k in range(14)]
        assert [due for p, due in rows(record) if p == person] == expected
    assert set(record.activities.status) == {int(ActivityStatus.DONE)}


NIGHTS_ON_MONDAY = {
    "calendar": {"days": 14},
    "shifts": [{"id": "always", "start": "22:00", "end": "06:00", "timezone": "UTC"}],
    "planned": [meeting(at="during-shift", cadence={"every": "week", "days": ["mon"]})],
}


def test_during_shift_on_a_weekday_follows_the_local_date_the_shift_starts_on():
    # 2027-01-04 and 2027-01-11 are Mondays: the night shifts starting at 22:00 on them
    due = dues(run(tiny(**NIGHTS_ON_MONDAY)))
    assert 1320.0 in due and 7 * DAY + 1320.0 in due
    assert not [x for x in due if 0 < x < 1320 or 1320 < x < 7 * DAY + 1320]


def test_the_clipped_tail_of_the_night_shift_before_the_start_is_no_shift_start():
    assert dues(run(tiny(**NIGHTS_ON_MONDAY))) == [1320.0, 7 * DAY + 1320.0]


def test_during_shift_with_round_the_clock_shifts_is_due_every_day():
    scenario = tiny(calendar={"days": 5}, planned=[meeting(at="during-shift")])
    due = dues(run(scenario))
    assert len(due) == 5
    assert sorted({int(x // DAY) for x in due}) == [0, 1, 2, 3, 4]


# -- who attends -----------------------------------------------------------------------------

DAY_AND_EVENING = {
    "shifts": [
        {"id": "always", "start": "08:00", "end": "16:00", "timezone": "UTC"},
        {"id": "evening", "start": "16:00", "end": "24:00", "timezone": "UTC"},
    ],
    "roles": [
        {
            "id": "operator",
            "staff": [
                {"site": "hq", "count": 1, "shift": "always"},
                {"site": "hq", "count": 1, "shift": "evening"},
            ],
        }
    ],
}


@pytest.mark.parametrize(
    "at, who",
    [("09:00", [0]), ("15:59", [0]), ("16:00", [1]), ("23:00", [1]), ("03:00", [])],
)
def test_only_people_on_shift_when_it_is_due_attend(at, who):
    record = run(tiny(**DAY_AND_EVENING, planned=[meeting(at=at)]))
    assert [p for p, _ in rows(record)] == who


def test_attendees_by_team_role_and_site():
    scenario = tiny(
        sites=[{"id": "hq", "timezone": "UTC"}, {"id": "dub", "timezone": "UTC"}],
        roles=[
            {
                "id": "operator",
                "team": "noc",
                "tiers": ["L1"],
                "staff": [
                    {"site": "hq", "count": 1, "shift": "always"},
                    {"site": "dub", "count": 1, "shift": "always"},
                ],
            },
            {
                "id": "sre",
                "team": "sre",
                "tiers": ["L2"],
                "staff": [{"site": "hq", "count": 1, "shift": "always"}],
            },
        ],
        planned=[
            {**meeting(), "id": "sre-only", "attendees": {"teams": ["sre"]}},
            {**meeting(), "id": "operators", "attendees": {"roles": ["operator"]}},
            {**meeting(), "id": "dublin", "attendees": {"sites": ["dub"]}},
            {**meeting(), "id": "hq-all", "attendees": {"everyone": True, "sites": ["hq"]}},
        ],
    )
    a = run(scenario).activities
    by_source = {}
    for source, person in zip(a.source, a.person, strict=True):
        by_source.setdefault(source, []).append(person)
    assert {k: sorted(v) for k, v in by_source.items()} == {
        0: [2],
        1: [0, 1],
        2: [1],
        3: [0, 2],
    }


def _team_of_three(first_days=None, second_days=None):
    """Three operators (one team) on 24-hour shifts; the second may be off some days."""
    every = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    return tiny(
        calendar={"days": 7},
        shifts=[
            {"id": "always", "start": "00:00", "end": "24:00", "timezone": "UTC"},
            {
                "id": "gappy",
                "start": "00:00",
                "end": "24:00",
                "timezone": "UTC",
                "days": second_days or every,
            },
        ],
        roles=[
            {
                "id": "operator",
                "staff": [
                    {"site": "hq", "count": 1, "shift": "always"},
                    {"site": "hq", "count": 1, "shift": "gappy"},
                    {"site": "hq", "count": 1, "shift": "always"},
                ],
            }
        ],
        planned=[
            {**meeting(), "attendees": {"roles": ["operator"], "one_per_team": True}},
        ],
    )


def test_one_per_team_takes_turns():
    assert [p for p, _ in rows(run(_team_of_three()))] == [0, 1, 2, 0, 1, 2, 0]


def test_one_per_team_skips_whoever_is_off_shift_and_goes_on_after_the_stand_in():
    # the second operator has Tuesday (day 1) off: the third stands in, then the turn goes
    # on after the stand-in (the first), and the second comes round again on Thursday
    days = ["mon", "wed", "thu", "fri", "sat", "sun"]
    assert [p for p, _ in rows(run(_team_of_three(second_days=days)))] == [0, 2, 0, 1, 2, 0, 1]


def test_one_per_team_sends_nobody_when_the_whole_team_is_off():
    scenario = tiny(
        **DAY_AND_EVENING,
        planned=[{**meeting(at="03:00"), "attendees": {"everyone": True, "one_per_team": True}}],
    )
    assert rows(run(scenario)) == []


def test_one_per_team_sends_one_of_each_team():
    scenario = tiny(
        roles=[
            {"id": "operator", "staff": [{"site": "hq", "count": 2, "shift": "always"}]},
            {
                "id": "sre",
                "team": "sre",
                "tiers": ["L2"],
                "staff": [{"site": "hq", "count": 2, "shift": "always"}],
            },
        ],
        calendar={"days": 4},
        planned=[{**meeting(), "attendees": {"everyone": True, "one_per_team": True}}],
    )
    people = [p for p, _ in rows(run(scenario))]
    assert people == [0, 2, 1, 3, 0, 2, 1, 3]


def test_one_per_team_at_local_time_sends_someone_from_that_site():
    scenario = tiny(
        sites=[{"id": "hq", "timezone": "UTC"}, {"id": "tk", "timezone": "Asia/Tokyo"}],
        roles=[
            {
                "id": "operator",
                "staff": [
                    {"site": "hq", "count": 1, "shift": "always"},
                    {"site": "tk", "count": 1, "shift": "always"},
                ],
            }
        ],
        planned=[{**meeting(), "attendees": {"everyone": True, "one_per_team": True}}],
    )
    record = run(scenario)
    # 09:00 JST is 00:00 UTC (the Tokyo meeting), 09:00 UTC is minute 540 (the hq one)
    assert [(record.people[p].site, due) for p, due in rows(record)] == [("tk", 0.0), ("hq", 540.0)]


# -- training ------------------------------------------------------------------------------

WEEKDAYS_9_TO_5 = {
    "shifts": [
        {
            "id": "always",
            "start": "09:00",
            "end": "17:00",
            "timezone": "UTC",
            "days": ["mon", "tue", "wed", "thu", "fri"],
        }
    ]
}


def test_training_sessions_fall_on_working_days_at_a_shift_start():
    scenario = tiny(
        **WEEKDAYS_9_TO_5,
        calendar={"days": 120},
        roles=[{"id": "operator", "staff": [{"site": "hq", "count": 3, "shift": "always"}]}],
        training={
            "monthly_hours": 6,
            "quarterly_certification_hours": 8,
            "conference_days": 3,
            "session_hours": 4,
        },
    )
    record = run(scenario)
    a = record.activities
    assert TRAINING in a.kind
    shifts = record.people[0].shifts
    starts = {begin for begin, _ in shifts}
    conference: dict[int, list[float]] = {}
    for kind, source, person, due, minutes in zip(
        a.kind, a.source, a.person, a.due, a.minutes, strict=True
    ):
        assert kind == TRAINING
        assert due in starts  # a shift start, so on a working day (Monday to Friday)
        assert calendar.local_datetime(due, scenario.calendar.start, "UTC").weekday() < 5
        if source == 2:
            assert minutes == 480  # a conference day is the whole shift
            conference.setdefault(person, []).append(due)
        else:
            assert 0 < minutes <= 240  # sessions are at most session_hours
    for person, days in conference.items():
        assert len(days) == 3, person
        # consecutive working days: no shift start between them
        first, last = min(days), max(days)
        assert sum(first <= s <= last for s in starts) == 3


def test_monthly_training_hours_over_a_year_match_the_rate():
    scenario = tiny(
        **WEEKDAYS_9_TO_5,
        calendar={"start": "2027-01-01", "days": 365},
        roles=[{"id": "operator", "staff": [{"site": "hq", "count": 4, "shift": "always"}]}],
        training={"monthly_hours": 6, "session_hours": 2},
    )
    record = run(scenario, seed=np.random.SeedSequence(3))
    a = record.activities
    per_person = np.bincount(a.person, weights=a.minutes, minlength=4) / 60.0
    # 12 months x 6 hours; a session drawn after a month's last working day is lost
    assert np.all(per_person <= 72 + 1e-9)
    assert np.all(per_person >= 0.85 * 72), per_person


def test_quarterly_certification_hours_over_two_years_match_the_rate():
    scenario = tiny(
        **WEEKDAYS_9_TO_5,
        calendar={"start": "2027-01-01", "days": 730},
        roles=[{"id": "operator", "staff": [{"site": "hq", "count": 3, "shift": "always"}]}],
        training={"quarterly_certification_hours": 8, "session_hours": 4},
    )
    a = run(scenario, seed=np.random.SeedSequence(5)).activities
    per_person = np.bincount(a.person, weights=a.minutes, minlength=3) / 60.0
    assert np.all(per_person <= 8 * 8 + 1e-9)
    assert np.all(per_person >= 0.85 * 64), per_person


def _training_hours_in_horizon(start, days, seeds=200, **training):
    totals = []
    for seed in range(seeds):
        scenario = tiny(
            **WEEKDAYS_9_TO_5, calendar={"start": start, "days": days}, training=training
        )
        totals.append(sum(run(scenario, seed=np.random.SeedSequence(seed)).activities.minutes))
    return np.mean(totals) / 60.0


def test_training_of_a_month_the_horizon_only_partly_covers_is_prorated():
    # 25..31 January 2027: five of the month's 21 working days (a quarter of the month)
    mean = _training_hours_in_horizon("2027-01-25", 7, monthly_hours=8, session_hours=2)
    assert mean < 4.0, mean


def test_conference_days_of_a_year_the_horizon_only_partly_covers_are_prorated():
    mean = _training_hours_in_horizon("2027-10-01", 61, seeds=100, conference_days=2)
    assert mean < 0.5 * 16, mean  # 2 days x 8 h in a year; 61 days is a sixth of it


def test_monthly_training_with_round_the_clock_shifts_is_spread_over_the_months():
    scenario = tiny(calendar={"start": "2027-01-01", "days": 120}, training={"monthly_hours": 8})
    a = run(scenario, seed=np.random.SeedSequence(1)).activities
    assert sum(a.minutes) >= 0.75 * 4 * 8 * 60  # about four months of 8 hours
    assert len({int(x // DAY) for x in a.due}) > 2


def test_a_conference_day_with_round_the_clock_shifts_lasts_at_most_a_day():
    scenario = tiny(calendar={"start": "2027-07-01", "days": 60}, training={"conference_days": 1})
    longest = 0.0
    for seed in range(10):
        a = run(scenario, seed=np.random.SeedSequence(seed)).activities
        longest = max([longest, *a.minutes])
    assert 0 < longest <= DAY


def test_training_completion_is_one_when_nobody_is_ever_busy():
    scenario = tiny(
        **WEEKDAYS_9_TO_5,
        calendar={"days": 120},
        roles=[{"id": "operator", "staff": [{"site": "hq", "count": 3, "shift": "always"}]}],
        training={"monthly_hours": 6, "session_hours": 2},
    )
    for seed in range(3):
        record = run(scenario, seed=np.random.SeedSequence(seed))
        assert len(record.activities.kind) > 0
        assert set(record.activities.status) == {int(ActivityStatus.DONE)}
        completion = activity_completion(record, scenario)
        assert ("training_completion", "team:noc", 1.0) in completion
        assert ("training_completion", "all", 1.0) in completion


def test_planned_completion_is_one_when_nobody_is_ever_busy():
    scenario = tiny(
        **DAY_AND_EVENING,
        calendar={"days": 10},
        planned=[meeting(at="10:00"), {**meeting(at="during-shift"), "id": "handover"}],
    )
    record = run(scenario)
    assert len(record.activities.kind) == 10 + 20
    completion = activity_completion(record, scenario)
    assert completion == [
        ("planned_completion", "standup", 1.0),
        ("planned_completion", "handover", 1.0),
        ("planned_completion", "all", 1.0),
    ]


# -- scenario references of the new sections --------------------------------------------------


@pytest.mark.parametrize(
    "section",
    [
        {"planned": [{**meeting(), "attendees": {"roles": ["nobody"]}}]},
        {"planned": [{**meeting(), "attendees": {"teams": ["nobody"]}}]},
        {"planned": [{**meeting(), "attendees": {"sites": ["nowhere"]}}]},
        {"planned": [meeting(timezone="Nowhere/Zone")]},
        {"planned": [meeting(interrupted_by=["P9"])]},
        {"planned": [meeting(interrupted_by=["P3"])]},  # not the most urgent priorities
        {"streams": [{"id": "s", "rate_per_day": 1, "effort": 5, "roles": ["nobody"]}]},
        {
            "streams": [
                {
                    "id": "s",
                    "rate_per_day": 1,
                    "effort": 5,
                    "roles": ["operator"],
                    "profile": "nosuch",
                }
            ]
        },
        {"training": {"monthly_hours": 1, "interrupted_by": ["P9"]}},
    ],
)
def test_unknown_references_in_the_new_sections_are_refused(section):
    # unchecked, these validated and then did nothing (attendees), crashed the run (a stream's
    # roles, a time zone) or meant something else (interrupted_by: [P3] let P0 interrupt)
    with pytest.raises(ScenarioError):
        tiny(**section)
