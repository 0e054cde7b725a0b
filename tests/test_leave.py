"""Absences: annual leave in blocks under a role limit, sick spells, whole local days."""

from __future__ import annotations

import copy
import itertools
import math
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest

from sim.model import calendar
from sim.model.leave import Absences, draw_absences, mean_spell_days, working_days
from sim.model.records import AbsenceKind, PersonInfo
from sim.model.staff import shift_schedule
from sim.scenario.distributions import Constant, Empirical, Gamma, Lognormal, Triangular
from sim.scenario.loader import ScenarioError, validate
from sim.scenario.schema import Scenario
from tests.scenarios import TINY, tiny

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
LEAVE, SICK = AbsenceKind.LEAVE, AbsenceKind.SICK


def org(
    days: int = 365,
    start: str = "2027-01-04",
    absence: dict | None = None,
    staff: dict[str, list[tuple[str, int]]] | None = None,
    shift_days: list[str] = WEEKDAYS,
) -> Scenario:
    """A scenario with day shifts; ``staff`` is role -> [(site, count)]."""
    staff = staff or {"operator": [("dub", 3)]}
    roles = [
        {
            "id": role,
            "team": "noc",
            "tiers": ["L1"],
            "staff": [{"site": site, "count": n, "shift": "day"} for site, n in where],
        }
        for role, where in staff.items()
    ]
    data = copy.deepcopy(TINY)
    data.update(
        calendar={"start": start, "days": days},
        sites=[
            {"id": "dub", "timezone": "Europe/Dublin"},
            {"id": "nyc", "timezone": "America/New_York"},
            {"id": "sin", "timezone": "Asia/Singapore"},
        ],
        shifts=[{"id": "day", "start": "09:00", "end": "17:00", "days": shift_days}],
        roles=roles,
        absence=absence or {},
    )
    return validate(data)


def people_of(s: Scenario) -> list[PersonInfo]:
    """The people of ``s`` as the staff module names them."""
    sites, shifts = s.by_id("sites"), s.by_id("shifts")
    people = []
    for role in s.roles:
        for staffing in role.staff:
            schedule = shift_schedule(s, shifts[staffing.shift], sites[staffing.site])
            for n in range(1, staffing.count + 1):
                name = f"{role.id}-{staffing.site}-{n}"
                people.append(
                    PersonInfo(name, role.id, role.team, staffing.site, "employee", 0, schedule)
                )
    return people


def draw(s: Scenario, seed: int = 0, people=None) -> tuple[list[PersonInfo], Absences]:
    people = people_of(s) if people is None else people
    return people, draw_absences(s, people, np.random.SeedSequence(seed))


def zone_of(s: Scenario, person: PersonInfo) -> str:
    return s.by_id("sites")[person.site].timezone


def days_in(s: Scenario, person: PersonInfo, intervals, kind=None) -> int:
    """Working days of ``person`` whose local midnight lies inside ``intervals`` of ``kind``."""
    zone, start = zone_of(s, person), s.calendar.start
    tz = calendar.local_datetime(0, start, zone).tzinfo
    count = 0
    for day in working_days(person.shifts, start, zone):
        noon = datetime.combine(date.fromordinal(day), time(12), tzinfo=tz)
        at = calendar.to_minutes(noon, start)
        count += any(a <= at < b for a, b, k in intervals if kind in (None, k))
    return count


def check_shape(s: Scenario, result: Absences) -> None:
    horizon = s.horizon_minutes
    for intervals in result.intervals:
        for a, b, kind in intervals:
            assert 0 <= a < b <= horizon
            assert kind in (LEAVE, SICK)
        for (_, b, kind), (a, _, then) in itertools.pairwise(intervals):
            assert b <= a, "intervals overlap or are unsorted"
            assert b < a or kind != then, "touching intervals of one kind"


# --------------------------------------------------------------------------- no absence


def test_defaults_mean_nobody_is_away():
    s = org()
    assert s.absence.annual_leave_days == {}
    assert s.absence.sick_days_per_year == 0
    people, result = draw(s)
    assert result.intervals == [[] for _ in people]
    assert result.leave_days_untaken == [0] * len(people)
    assert tiny().absence == s.absence


def test_sites_not_listed_take_no_leave():
    s = org(absence={"annual_leave_days": {"nyc": 20}}, staff={"a": [("dub", 2), ("nyc", 2)]})
    people, result = draw(s)
    for person, intervals in zip(people, result.intervals, strict=True):
        assert (intervals == []) == (person.site == "dub")


def test_annual_leave_days_must_name_sites_with_a_suggestion():
    with pytest.raises(ScenarioError) as info:
        org(absence={"annual_leave_days": {"dbu": 20}})
    (line,) = info.value.problems
    assert line.endswith(
        "absence.annual_leave_days.dbu: site 'dbu' is not defined (defined: dub, nyc, sin); "
        "did you mean 'dub'?"
    )


@pytest.mark.parametrize(
    "absence",
    [
        {"annual_leave_days": {"dub": -1}},
        {"annual_leave_days": {"dub": 400}},
        {"leave_block_days": 0},
        {"max_away_per_role": 0},
        {"sick_days_per_year": -1},
        {"holiday": 3},
    ],
)
def test_bad_values_are_refused(absence):
    with pytest.raises(ScenarioError):
        org(absence=absence)


# --------------------------------------------------------------------------- annual leave


@pytest.mark.parametrize(("per_year", "days"), [(20, 365), (25, 730), (10, 73)])
def test_entitlement_is_exact_when_the_prorated_days_are_whole(per_year, days):
    s = org(days, absence={"annual_leave_days": {"dub": per_year}, "max_away_per_role": 10})
    people, result = draw(s, seed=3)
    expected = per_year * days // 365
    for person, intervals in zip(people, result.intervals, strict=True):
        assert days_in(s, person, intervals, LEAVE) == expected
    assert result.leave_days_untaken == [0] * len(people)


def test_fractional_entitlement_is_right_on_average():
    s = org(100, absence={"annual_leave_days": {"dub": 20}, "max_away_per_role": 10})
    expected = 20 * 100 / 365  # 5.479: 5 days, or 6 with probability 0.479
    taken = []
    for seed in range(80):
        people, result = draw(s, seed)
        taken += [days_in(s, p, iv, LEAVE) for p, iv in zip(people, result.intervals, strict=True)]
    assert set(taken) == {5, 6}
    sd = math.sqrt(0.479 * 0.521 / len(taken))
    assert abs(np.mean(taken) - expected) < 4 * sd


def test_a_block_spans_consecutive_working_days_and_the_weekend_inside():
    s = org(365, absence={"annual_leave_days": {"dub": 5}, "max_away_per_role": 10})
    spans = set()
    for seed in range(10):
        people, result = draw(s, seed)
        for person, intervals in zip(people, result.intervals, strict=True):
            ((a, b, kind),) = intervals  # one block of five days
            assert kind is LEAVE and days_in(s, person, intervals) == 5
            first = calendar.local_datetime(a, s.calendar.start, "Europe/Dublin")
            after = calendar.local_datetime(b, s.calendar.start, "Europe/Dublin")
            assert first.time() == after.time() == time(0)
            assert first.strftime("%a") in ("Mon", "Tue", "Wed", "Thu", "Fri")
            assert (after - timedelta(days=1)).strftime("%a") in ("Mon", "Tue", "Wed", "Thu", "Fri")
            spans.add((after.date() - first.date()).days)
    assert spans == {5, 7}  # Monday to Friday, or across a weekend


def test_the_last_block_is_shorter():
    s = org(365, absence={"annual_leave_days": {"dub": 12}, "max_away_per_role": 10})
    for seed in range(10):
        people, result = draw(s, seed)
        for person, intervals in zip(people, result.intervals, strict=True):
            assert days_in(s, person, intervals) == 12
            # touching blocks merge, so an interval holds one or more whole blocks of 5, 5, 2
            for interval in intervals:
                assert days_in(s, person, [interval]) in {2, 5, 7, 10, 12}


def on_leave_peak(intervals_by_person) -> int:
    """Most people on leave at any moment."""
    events = sorted(
        (t, step)
        for intervals in intervals_by_person
        for a, b, kind in intervals
        if kind is LEAVE
        for t, step in ((a, 1), (b, -1))
    )
    peak = level = 0
    for _, step in events:  # ends sort before starts at the same moment
        level += step
        peak = max(peak, level)
    return peak


@pytest.mark.parametrize("limit", [1, 2])
def test_never_more_than_the_limit_of_a_role_on_leave(limit):
    staff = {"a": [("dub", 3), ("nyc", 2), ("sin", 2)], "b": [("dub", 4)]}
    absence = {
        "annual_leave_days": {"dub": 30, "nyc": 25, "sin": 20},
        "max_away_per_role": limit,
        "sick_days_per_year": 10,
    }
    s = org(200, absence=absence, staff=staff)
    for seed in range(12):
        people, result = draw(s, seed)
        check_shape(s, result)
        for role in ("a", "b"):
            mine = [iv for p, iv in zip(people, result.intervals, strict=True) if p.role == role]
            assert on_leave_peak(mine) <= limit
        both = on_leave_peak(result.intervals)
        assert both <= 2 * limit


def test_leave_that_cannot_fit_is_counted_as_untaken():
    s = org(
        365,
        absence={"annual_leave_days": {"dub": 60}, "leave_block_days": 10},
        staff={"a": [("dub", 8)]},
    )
    people, result = draw(s, seed=1)
    assert on_leave_peak(result.intervals) == 1
    assert sum(result.leave_days_untaken) > 0
    for person, intervals, untaken in zip(
        people, result.intervals, result.leave_days_untaken, strict=True
    ):
        assert days_in(s, person, intervals, LEAVE) + untaken == 60


def test_draws_are_deterministic_and_named_by_person():
    absence = {"annual_leave_days": {"dub": 20}, "sick_days_per_year": 8, "max_away_per_role": 1}
    s = org(365, absence=absence, staff={"a": [("dub", 3)], "b": [("dub", 1)]})
    _, first = draw(s, seed=5)
    assert draw(s, seed=5)[1] == first
    assert draw(s, seed=6)[1] != first
    # another person of another role changes nobody's draws
    more = org(365, absence=absence, staff={"a": [("dub", 3)], "b": [("dub", 2)]})
    _, second = draw(more, seed=5)
    assert second.intervals[:4] == first.intervals


@pytest.mark.parametrize("leave", [{}, {"annual_leave_days": {"dub": 20}}])
def test_without_a_binding_role_limit_a_new_colleague_changes_nobodys_draws(leave):
    absence = {**leave, "sick_days_per_year": 8, "max_away_per_role": 10}
    s = org(365, absence=absence, staff={"a": [("dub", 3)], "b": [("dub", 1)]})
    people, first = draw(s, seed=5)
    crowd = org(365, absence=absence, staff={"a": [("dub", 4)], "b": [("dub", 1)]})
    crowd_people, second = draw(crowd, seed=5)
    by_name = dict(zip([p.name for p in crowd_people], second.intervals, strict=True))
    assert {p.name: iv for p, iv in zip(people, first.intervals, strict=True)} == {
        p.name: by_name[p.name] for p in people
    }
    assert any(first.intervals)


def test_repeated_names_draw_apart():
    s = org(365, absence={"sick_days_per_year": 20})
    person = people_of(s)[0]
    _, result = draw(s, seed=1, people=[person, person])
    assert result.intervals[0] and result.intervals[0] != result.intervals[1]


# --------------------------------------------------------------------------- daylight saving


def test_absences_are_whole_local_days_across_a_dst_change():
    # Europe/Dublin springs forward on Sunday 28 March 2027: that day is 23 hours long
    absence = {
        "annual_leave_days": {"dub": 365, "nyc": 365},
        "leave_block_days": 7,
        "max_away_per_role": 10,
        "sick_days_per_year": 60,
    }
    s = org(
        21,
        "2027-03-22",
        absence,
        {"a": [("dub", 3), ("nyc", 3)]},
        shift_days=[*WEEKDAYS, "sat", "sun"],
    )
    short_days = 0
    for seed in range(10):
        people, result = draw(s, seed)
        check_shape(s, result)
        for person, intervals in zip(people, result.intervals, strict=True):
            zone = zone_of(s, person)
            for a, b, _ in intervals:
                lo = calendar.local_datetime(a, s.calendar.start, zone)
                hi = calendar.local_datetime(b, s.calendar.start, zone)
                assert a == 0 or lo.time() == time(0)
                assert b == s.horizon_minutes or hi.time() == time(0)
                if zone == "Europe/Dublin" and lo.date() <= date(2027, 3, 28) < hi.date():
                    assert (b - a) % 1440 == 1380
                    short_days += 1
    assert short_days > 0


# --------------------------------------------------------------------------- sick leave


def test_sick_days_per_year_match_the_rate_over_a_long_horizon():
    per_year = 8
    s = org(3650, absence={"sick_days_per_year": per_year}, staff={"a": [("dub", 12)]})
    years = s.calendar.days / 365
    rates = []
    for seed in range(2):
        people, result = draw(s, seed)
        check_shape(s, result)
        for person, intervals in zip(people, result.intervals, strict=True):
            assert all(kind is SICK for *_, kind in intervals)
            rates.append(days_in(s, person, intervals) / years)
    mean, se = np.mean(rates), np.std(rates, ddof=1) / math.sqrt(len(rates))
    assert 0 < se < 1
    assert abs(mean - per_year) < 4 * se, (mean, se)


def test_sick_spells_are_whole_days_of_the_drawn_length():
    s = org(
        365,
        absence={"sick_days_per_year": 10, "sick_spell_days": 3},
        staff={"a": [("sin", 5)]},
        shift_days=[*WEEKDAYS, "sat", "sun"],
    )
    _, result = draw(s, 2)
    lengths = [
        (b - a) / 1440
        for iv in result.intervals
        for a, b, _ in iv
        if a > 0 and b < s.horizon_minutes
    ]
    assert lengths and all(n % 3 == 0 for n in lengths)  # overlapping spells merge


def test_sick_time_during_leave_is_leave():
    absence = {"annual_leave_days": {"dub": 25}, "max_away_per_role": 5}
    s = org(365, absence=absence)
    people, leave_only = draw(s, seed=9)
    sick = org(365, absence={**absence, "sick_days_per_year": 40})
    _, both = draw(sick, seed=9, people=people)
    check_shape(sick, both)
    for alone, together in zip(leave_only.intervals, both.intervals, strict=True):
        assert [iv for iv in together if iv[2] is LEAVE] == alone
    assert any(iv[2] is SICK for ivs in both.intervals for iv in ivs)


@pytest.mark.parametrize(
    "dist",
    [
        Constant(value=2.5),
        Constant(value=0),
        Empirical(observations=(0.5, 1, 2, 7.2)),
        Lognormal(median=2, p95=7),
        Gamma(shape=2, mean=3),
        Triangular(low=1, mode=2, high=9),
    ],
    ids=lambda d: d.dist,
)
def test_mean_spell_days_matches_sampling(dist):
    values = dist.sample(np.random.default_rng(0), 200_000)
    whole = np.clip(np.ceil(np.minimum(values, 400)), 1, 400)
    assert mean_spell_days(dist, 400) == pytest.approx(whole.mean(), rel=0.01)


def test_someone_who_joins_takes_leave_after_joining_and_prorated_to_their_time():
    import dataclasses

    s = org(365, absence={"annual_leave_days": {"dub": 20}, "max_away_per_role": 10})
    people = people_of(s)
    half = s.horizon_minutes / 2  # joins half way: 10 days of leave, after joining
    joiner = dataclasses.replace(people[0], joins=half)
    result = draw_absences(s, [joiner, *people[1:]], np.random.SeedSequence(5))
    assert all(a >= half for a, _, _ in result.intervals[0])
    assert days_in(s, joiner, result.intervals[0], LEAVE) == 10
