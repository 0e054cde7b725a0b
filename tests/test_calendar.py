"""Tests for sim.model.calendar: time conversions, shifts, intervals, hour of week."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.calendar import (
    MINUTES_PER_DAY,
    MINUTES_PER_HOUR,
    MINUTES_PER_WEEK,
    WEEKDAYS,
    epoch,
    from_minutes,
    hour_of_week,
    local_datetime,
    merge_intervals,
    overlap,
    parse_clock,
    shift_intervals,
    to_minutes,
    total_length,
    uncovered,
)

ALL_DAYS = range(7)
MON_FRI = range(5)

# 2027 reference dates (verified weekdays in test_reference_dates).
MON_2027_01_04 = date(2027, 1, 4)
SAT_2027_01_02 = date(2027, 1, 2)
MON_2027_03_08 = date(2027, 3, 8)  # US DST starts Sunday 2027-03-14
MON_2027_07_05 = date(2027, 7, 5)


def test_reference_dates():
    assert MON_2027_01_04.weekday() == 0
    assert SAT_2027_01_02.weekday() == 5
    assert MON_2027_03_08.weekday() == 0
    assert MON_2027_07_05.weekday() == 0


# --------------------------------------------------------------------------
# Constants and conversions
# --------------------------------------------------------------------------


def test_constants():
    assert (MINUTES_PER_HOUR, MINUTES_PER_DAY, MINUTES_PER_WEEK) == (60, 1440, 10080)
    assert WEEKDAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_epoch_is_aware_utc_midnight():
    e = epoch(date(2027, 3, 8))
    assert e == datetime(2027, 3, 8, tzinfo=UTC)
    assert e.utcoffset() == timedelta(0)


def test_to_and_from_minutes():
    start = date(2027, 3, 8)
    assert to_minutes(datetime(2027, 3, 9, 1, 30, tzinfo=UTC), start) == 1530.0
    assert to_minutes(datetime(2027, 3, 7, 23, 0, tzinfo=UTC), start) == -60.0
    # 09:00 EST == 14:00 UTC
    ny = datetime(2027, 3, 8, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert to_minutes(ny, start) == 840.0
    # naive datetimes are taken as UTC
    assert to_minutes(datetime(2027, 3, 8, 2, 0), start) == 120.0
    back = from_minutes(1530.5, start)
    assert back == datetime(2027, 3, 9, 1, 30, 30, tzinfo=UTC)
    assert back.utcoffset() == timedelta(0)
    assert to_minutes(back, start) == 1530.5


def test_local_datetime():
    start = MON_2027_03_08
    local = local_datetime(840, start, "America/New_York")
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2027, 3, 8, 9, 0)
    assert local.utcoffset() == timedelta(hours=-5)
    kol = local_datetime(0, start, "Asia/Kolkata")
    assert (kol.hour, kol.minute) == (5, 30)
    assert local_datetime(90, start, "UTC") == datetime(2027, 3, 8, 1, 30, tzinfo=UTC)


def test_unknown_timezone():
    with pytest.raises(ValueError, match="time zone"):
        shift_intervals(MON_2027_01_04, 1, "Mars/Olympus_Mons", 0, 60, ALL_DAYS)


# --------------------------------------------------------------------------
# parse_clock
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00", 0), ("08:30", 510), ("9:05", 545), ("23:59", 1439), ("24:00", 1440)],
)
def test_parse_clock_valid(text, expected):
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text", ["24:01", "25:00", "12:60", "abc", "", "12:5", "-1:00", "12:00:00", "1200", 1320]
)
def test_parse_clock_invalid(text):
    with pytest.raises(ValueError, match="clock time"):
        parse_clock(text)


# --------------------------------------------------------------------------
# shift_intervals: UTC
# --------------------------------------------------------------------------


def test_utc_evening_shift_every_day():
    got = shift_intervals(MON_2027_01_04, 3, "UTC", 960, 1440, ALL_DAYS)
    assert got == [(960.0, 1440.0), (2400.0, 2880.0), (3840.0, 4320.0)]


def test_full_day_every_day_is_one_interval():
    assert shift_intervals(MON_2027_01_04, 10, "UTC", 0, 1440, ALL_DAYS) == [(0.0, 14400.0)]
    # begin == end is a 24-hour shift too
    assert shift_intervals(MON_2027_01_04, 10, "UTC", 0, 0, ALL_DAYS) == [(0.0, 14400.0)]
    assert shift_intervals(MON_2027_01_04, 2, "UTC", 600, 600, ALL_DAYS) == [(0.0, 2880.0)]


def test_begin_at_2400_belongs_to_the_previous_date():
    # "24:00-08:00" on Mondays is Tuesday 00:00-08:00.
    assert shift_intervals(MON_2027_01_04, 7, "UTC", 1440, 480, [0]) == [(1440.0, 1920.0)]
    assert shift_intervals(MON_2027_01_04, 3, "UTC", 1440, 0, ALL_DAYS) == [(0.0, 4320.0)]


def test_three_consecutive_shifts_merge_for_one_person():
    parts = [
        shift_intervals(MON_2027_01_04, 2, "UTC", b, e, ALL_DAYS)
        for b, e in [(0, 480), (480, 960), (960, 1440)]
    ]
    assert parts[0] == [(0.0, 480.0), (1440.0, 1920.0)]
    assert merge_intervals(iv for p in parts for iv in p) == [(0.0, 2880.0)]


def test_wrap_includes_clipped_instance_from_day_before_epoch():
    got = shift_intervals(MON_2027_01_04, 3, "UTC", 1320, 360, ALL_DAYS)
    assert got == [(0.0, 360.0), (1320.0, 1800.0), (2760.0, 3240.0), (4200.0, 4320.0)]


def test_wrap_day_before_respects_weekday_and_holiday():
    # Friday-night shift 22:00-06:00 with the epoch on Saturday.
    fri = [4]
    assert shift_intervals(SAT_2027_01_02, 7, "UTC", 1320, 360, fri) == [
        (0.0, 360.0),
        (6 * 1440 + 1320.0, 7 * 1440.0),
    ]
    # A holiday on the Friday (the start date) removes the instance.
    got = shift_intervals(SAT_2027_01_02, 2, "UTC", 1320, 360, fri, [date(2027, 1, 1)])
    assert got == []


def test_wrap_in_berlin_winter():
    got = shift_intervals(MON_2027_01_04, 3, "Europe/Berlin", 1320, 360, ALL_DAYS)
    assert got == [(0.0, 300.0), (1260.0, 1740.0), (2700.0, 3180.0), (4140.0, 4320.0)]


def test_instance_two_days_before_epoch_can_reach_it():
    # UTC-12: 23:00 local Sat 2027-01-02 .. 22:00 local Sun 2027-01-03
    # == 11:00 UTC Jan 3 .. 10:00 UTC Jan 4 (epoch Jan 4).
    got = shift_intervals(MON_2027_01_04, 1, "Etc/GMT+12", 1380, 1320, [5])
    assert got == [(0.0, 600.0)]
    got = shift_intervals(MON_2027_01_04, 1, "Etc/GMT+12", 1380, 1320, ALL_DAYS)
    assert got == [(0.0, 600.0), (660.0, 1440.0)]


def test_holiday_removes_exactly_that_day():
    got = shift_intervals(date(2027, 1, 1), 3, "UTC", 540, 1020, ALL_DAYS, [date(2027, 1, 2)])
    assert got == [(540.0, 1020.0), (3420.0, 3900.0)]
    # datetimes are accepted as holidays too
    got = shift_intervals(
        date(2027, 1, 1), 3, "UTC", 540, 1020, ALL_DAYS, [datetime(2027, 1, 2, 0, 0)]
    )
    assert got == [(540.0, 1020.0), (3420.0, 3900.0)]


def test_weekday_filter_epoch_on_saturday():
    got = shift_intervals(SAT_2027_01_02, 7, "UTC", 540, 1020, MON_FRI)
    assert got == [(k * 1440 + 540.0, k * 1440 + 1020.0) for k in range(2, 7)]
    assert got[0] == (3420.0, 3900.0)


def test_zero_days_and_bad_arguments():
    assert shift_intervals(MON_2027_01_04, 0, "UTC", 0, 1440, ALL_DAYS) == []
    assert shift_intervals(MON_2027_01_04, 5, "UTC", 0, 1440, []) == []
    with pytest.raises(ValueError, match="weekdays"):
        shift_intervals(MON_2027_01_04, 1, "UTC", 0, 60, [7])
    with pytest.raises(ValueError, match="begin"):
        shift_intervals(MON_2027_01_04, 1, "UTC", -1, 60, ALL_DAYS)
    with pytest.raises(ValueError, match="end"):
        shift_intervals(MON_2027_01_04, 1, "UTC", 0, 1441, ALL_DAYS)
    with pytest.raises(ValueError, match="days"):
        shift_intervals(MON_2027_01_04, -1, "UTC", 0, 60, ALL_DAYS)


# --------------------------------------------------------------------------
# shift_intervals: time zones and DST
# --------------------------------------------------------------------------


def test_new_york_office_hours_across_dst_start():
    got = shift_intervals(MON_2027_03_08, 14, "America/New_York", 540, 1020, MON_FRI)
    est = [(k * 1440 + 14 * 60.0, k * 1440 + 22 * 60.0) for k in range(5)]  # 14-22 UTC
    edt = [(k * 1440 + 13 * 60.0, k * 1440 + 21 * 60.0) for k in range(7, 12)]  # 13-21 UTC
    assert got == est + edt
    assert got[0] == (840.0, 1320.0)
    assert got[5] == (10860.0, 11340.0)  # Monday 2027-03-15, 13:00-21:00 UTC


def test_london_summer_and_winter():
    summer = shift_intervals(MON_2027_07_05, 2, "Europe/London", 540, 1020, ALL_DAYS)
    assert summer == [(480.0, 960.0), (1920.0, 2400.0)]  # BST: 08:00-16:00 UTC
    winter = shift_intervals(MON_2027_01_04, 1, "Europe/London", 540, 1020, ALL_DAYS)
    assert winter == [(540.0, 1020.0)]


def test_kolkata_half_hour_offset():
    got = shift_intervals(MON_2027_01_04, 1, "Asia/Kolkata", 540, 1020, ALL_DAYS)
    assert got == [(210.0, 690.0)]  # 03:30-11:30 UTC


def test_wall_time_in_dst_gap_moves_forward():
    # 2027-03-14 02:30 does not exist in New York; fold=0 gives 03:30 EDT (07:30 UTC).
    got = shift_intervals(date(2027, 3, 14), 1, "America/New_York", 150, 240, [6])
    assert got == [(450.0, 480.0)]
    # A shift entirely inside the gap (02:00-02:45 -> 03:00-03:45 EDT) keeps 45 minutes.
    got = shift_intervals(date(2027, 3, 14), 1, "America/New_York", 120, 165, [6])
    assert got == [(420.0, 465.0)]


def test_ambiguous_wall_time_uses_first_occurrence():
    # 2027-11-07 01:30 happens twice in New York; fold=0 is EDT (05:30 UTC).
    got = shift_intervals(date(2027, 11, 7), 1, "America/New_York", 90, 180, [6])
    assert got == [(330.0, 480.0)]  # until 03:00 EST == 08:00 UTC


def test_full_day_local_shift_across_fall_back_is_25_hours():
    got = shift_intervals(date(2027, 11, 7), 2, "America/New_York", 0, 1440, [6])
    # local Sunday 00:00 EDT (04:00 UTC) .. Monday 00:00 EST (05:00 UTC)
    assert got == [(240.0, 1740.0)]
    assert total_length(got) == 25 * 60


# --------------------------------------------------------------------------
# Interval arithmetic
# --------------------------------------------------------------------------


def test_merge_intervals():
    assert merge_intervals([(20, 30), (0, 10), (10, 15), (25, 40), (50, 50)]) == [
        (0.0, 15.0),
        (20.0, 40.0),
    ]
    assert merge_intervals([]) == []
    assert merge_intervals([(0, 10), (2, 3)]) == [(0.0, 10.0)]
    with pytest.raises(ValueError, match="precedes"):
        merge_intervals([(5, 1)])


def test_total_length():
    assert total_length([(0, 10), (20, 25)]) == 15.0
    assert total_length([(0, 10), (5, 15)]) == 15.0  # union, overlap counted once
    assert total_length([]) == 0.0


def test_uncovered():
    members = [[(0, 10), (20, 30)], [(5, 15)]]
    assert uncovered(members, 0, 40) == [(15.0, 20.0), (30.0, 40.0)]
    assert uncovered(members, 2, 25) == [(15.0, 20.0)]
    assert uncovered(members, -5, 12) == [(-5.0, 0.0)]
    assert uncovered(members, 0, 30) == [(15.0, 20.0)]
    assert uncovered([], 3, 7) == [(3.0, 7.0)]
    assert uncovered([[], []], 3, 7) == [(3.0, 7.0)]
    assert uncovered([[(0, 100)]], 10, 20) == []
    assert uncovered(members, 12, 12) == []


def test_uncovered_role_with_nobody_on_night_shift():
    day = shift_intervals(MON_2027_01_04, 2, "UTC", 480, 1200, ALL_DAYS)
    evening = shift_intervals(MON_2027_01_04, 2, "UTC", 960, 1380, ALL_DAYS)
    assert uncovered([day, evening], 0, 2880) == [(0.0, 480.0), (1380.0, 1920.0), (2820.0, 2880.0)]


def test_overlap():
    ivs = [(0.0, 10.0), (20.0, 30.0), (40.0, 50.0)]
    assert overlap(ivs, 5, 45) == 20.0
    assert overlap(ivs, 10, 20) == 0.0
    assert overlap(ivs, -5, 100) == 30.0
    assert overlap(ivs, 25, 25) == 0.0
    assert overlap(ivs, 30, 5) == 0.0
    assert overlap(ivs, 22, 28) == 6.0
    assert overlap(ivs, 50, 60) == 0.0
    assert overlap([], 0, 10) == 0.0


# --------------------------------------------------------------------------
# hour_of_week
# --------------------------------------------------------------------------


def test_hour_of_week_utc_from_monday():
    got = hour_of_week(MON_2027_01_04, 14, "UTC")
    assert got.dtype == np.int16
    np.testing.assert_array_equal(got, np.arange(336) % 168)


def test_hour_of_week_utc_from_wednesday():
    got = hour_of_week(date(2027, 1, 6), 1, "UTC")
    np.testing.assert_array_equal(got, np.arange(48, 72))


def test_hour_of_week_los_angeles_winter_and_summer():
    h = np.arange(168)
    np.testing.assert_array_equal(
        hour_of_week(MON_2027_01_04, 7, "America/Los_Angeles"), (h - 8) % 168
    )
    np.testing.assert_array_equal(
        hour_of_week(MON_2027_07_05, 7, "America/Los_Angeles"), (h - 7) % 168
    )


def test_hour_of_week_los_angeles_across_dst_start():
    # DST starts 2027-03-14 02:00 PST == 10:00 UTC == UTC hour 6*24+10 = 154.
    got = hour_of_week(MON_2027_03_08, 14, "America/Los_Angeles")
    h = np.arange(336)
    expected = np.where(h < 154, (h - 8) % 168, (h - 7) % 168)
    np.testing.assert_array_equal(got, expected)
    assert got[153] == 145 and got[154] == 147  # 01:30 PST, then 03:30 PDT


def test_hour_of_week_kolkata():
    got = hour_of_week(MON_2027_01_04, 7, "Asia/Kolkata")
    # middle of UTC hour h is local (h + 6):00 exactly (+05:30 + 30 min)
    np.testing.assert_array_equal(got, (np.arange(168) + 6) % 168)
    assert got[0] == 6 and got[162] == 0


def test_hour_of_week_empty():
    assert hour_of_week(MON_2027_01_04, 0, "UTC").shape == (0,)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

FIXED_ZONES = ["UTC", "Asia/Kolkata", "Asia/Kathmandu", "Etc/GMT+12", "Pacific/Kiritimati"]
DST_ZONES = [
    "America/New_York",
    "Europe/London",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Los_Angeles",
]


def _shift_length(begin, end):
    return (end - begin) % MINUTES_PER_DAY or MINUTES_PER_DAY


shift_args = st.fixed_dictionaries(
    {
        "start": st.dates(date(2020, 1, 1), date(2035, 12, 31)),
        "days": st.integers(0, 60),
        "begin": st.integers(0, MINUTES_PER_DAY),
        "end": st.integers(0, MINUTES_PER_DAY),
        "weekdays": st.sets(st.integers(0, 6)),
        "holiday_offsets": st.sets(st.integers(-2, 60), max_size=10),
    }
)


def _run(args, zone):
    holidays = [args["start"] + timedelta(days=k) for k in args["holiday_offsets"]]
    return shift_intervals(
        args["start"], args["days"], zone, args["begin"], args["end"], args["weekdays"], holidays
    )


def _check_well_formed(ivs, horizon):
    for lo, hi in ivs:
        assert 0.0 <= lo < hi <= horizon
    for (_, hi), (lo, _) in pairwise(ivs):
        assert hi < lo  # sorted, disjoint, non-touching


@settings(max_examples=150, deadline=None)
@given(args=shift_args, zone=st.sampled_from(FIXED_ZONES))
def test_shift_intervals_properties_fixed_offset(args, zone):
    ivs = _run(args, zone)
    _check_well_formed(ivs, args["days"] * MINUTES_PER_DAY)
    length = _shift_length(args["begin"], args["end"])
    assert total_length(ivs) <= args["days"] * length + length


@settings(max_examples=150, deadline=None)
@given(args=shift_args, zone=st.sampled_from(DST_ZONES))
def test_shift_intervals_properties_dst(args, zone):
    ivs = _run(args, zone)
    _check_well_formed(ivs, args["days"] * MINUTES_PER_DAY)
    length = _shift_length(args["begin"], args["end"])
    # each DST change can lengthen one instance by up to an hour
    assert total_length(ivs) <= args["days"] * length + length + 2 * 60


@settings(max_examples=100, deadline=None)
@given(args=shift_args)
def test_all_weekdays_no_holidays_utc_exact_length(args):
    begin, end, days = args["begin"], args["end"], args["days"]
    ivs = shift_intervals(args["start"], days, "UTC", begin, end, ALL_DAYS)
    horizon = days * MINUTES_PER_DAY
    # brute force per minute of the horizon: is local minute-of-day on shift?
    length = _shift_length(begin, end)
    minute = np.arange(horizon)
    on = (minute - begin) % MINUTES_PER_DAY < length
    assert total_length(ivs) == on.sum()


sorted_points = st.lists(st.integers(-1000, 1000), unique=True, max_size=20).map(sorted)
# minutes to 1/1000: model times are never so close that float rounding merges them
window = st.floats(-1100, 1100, allow_nan=False).map(lambda x: round(x, 3))


@given(points=sorted_points, a=window, b=window)
def test_overlap_matches_brute_force(points, a, b):
    ivs = [(float(points[i]), float(points[i + 1])) for i in range(0, len(points) - 1, 2)]
    brute = sum(max(0.0, min(b, hi) - max(a, lo)) for lo, hi in ivs)
    assert overlap(ivs, a, b) == pytest.approx(brute, abs=1e-9)


raw_intervals = st.lists(
    st.tuples(st.integers(-100, 100), st.integers(0, 50)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=8,
)


@given(members=st.lists(raw_intervals, max_size=4), a=window, b=window)
def test_uncovered_plus_covered_is_window(members, a, b):
    gaps = uncovered(members, a, b)
    covered = merge_intervals(iv for m in members for iv in m)
    _check_well_formed([(lo - a, hi - a) for lo, hi in gaps], max(b - a, 0.0))
    expected = max(b - a, 0.0)
    assert total_length(gaps) + overlap(covered, a, b) == pytest.approx(expected, abs=1e-9)
    for lo, hi in gaps:
        assert overlap(covered, lo, hi) == 0.0
