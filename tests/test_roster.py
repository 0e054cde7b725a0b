"""The roster: effective shifts (shifts minus absences) and the ordered batches of changes.

Edge cases by hand, then the same properties against a minute-by-minute reference
with hypothesis, and the batches replayed through a real dispatcher, which refuses
any change of state that is not a named transition.
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.dispatch import Dispatcher
from sim.model.records import TRANSITIONS, AbsenceKind, PersonState, WorkLog
from sim.model.roster import effective_shifts, roster_changes

LEAVE, SICK = AbsenceKind.LEAVE, AbsenceKind.SICK
ON, OFF, ABSENT = PersonState.ON_SHIFT, PersonState.OFF, PersonState.ABSENT


# -- effective_shifts: hand-made edge cases --------------------------------------------------


def test_no_absence_leaves_the_shifts_alone():
    shifts = [(0.0, 480.0), (1440.0, 1920.0)]
    assert effective_shifts(shifts, []) == shifts


def test_an_absence_covering_a_whole_shift_removes_it():
    shifts = [(0.0, 480.0), (1440.0, 1920.0), (2880.0, 3360.0)]
    assert effective_shifts(shifts, [(1000.0, 2000.0, LEAVE)]) == [(0.0, 480.0), (2880.0, 3360.0)]
    # exactly the shift
    assert effective_shifts(shifts, [(1440.0, 1920.0, SICK)]) == [(0.0, 480.0), (2880.0, 3360.0)]


def test_partial_overlaps_at_either_end_trim_the_shift():
    shifts = [(100.0, 500.0)]
    assert effective_shifts(shifts, [(0.0, 200.0, SICK)]) == [(200.0, 500.0)]
    assert effective_shifts(shifts, [(400.0, 600.0, SICK)]) == [(100.0, 400.0)]
    assert effective_shifts(shifts, [(0.0, 200.0, SICK), (400.0, 600.0, LEAVE)]) == [(200.0, 400.0)]


def test_an_absence_inside_a_shift_splits_it():
    assert effective_shifts([(0.0, 1000.0)], [(300.0, 400.0, LEAVE)]) == [
        (0.0, 300.0),
        (400.0, 1000.0),
    ]


def test_touching_intervals_do_not_cut():
    shifts = [(100.0, 200.0)]
    assert effective_shifts(shifts, [(0.0, 100.0, LEAVE)]) == shifts
    assert effective_shifts(shifts, [(200.0, 300.0, LEAVE)]) == shifts
    assert effective_shifts(shifts, [(0.0, 100.0, LEAVE), (200.0, 300.0, SICK)]) == shifts


def test_touching_absences_of_both_kinds_cut_like_one():
    got = effective_shifts([(0.0, 1000.0)], [(200.0, 500.0, LEAVE), (500.0, 700.0, SICK)])
    assert got == [(0.0, 200.0), (700.0, 1000.0)]


def test_one_absence_spanning_several_shifts_and_gaps():
    shifts = [(0.0, 100.0), (200.0, 300.0), (400.0, 500.0), (600.0, 700.0)]
    got = effective_shifts(shifts, [(50.0, 450.0, LEAVE)])
    assert got == [(0.0, 50.0), (450.0, 500.0), (600.0, 700.0)]


def test_unsorted_and_overlapping_absences():
    shifts = [(0.0, 1000.0)]
    got = effective_shifts(
        shifts, [(600.0, 800.0, SICK), (100.0, 300.0, LEAVE), (250.0, 350.0, SICK)]
    )
    assert got == [(0.0, 100.0), (350.0, 600.0), (800.0, 1000.0)]
    nested = effective_shifts(shifts, [(100.0, 900.0, LEAVE), (200.0, 300.0, SICK)])
    assert nested == [(0.0, 100.0), (900.0, 1000.0)]


# -- effective_shifts against a minute-by-minute reference -----------------------------------


@st.composite
def disjoint(draw, lo=0, hi=400, max_size=6, touching=False):
    """Sorted disjoint integer intervals (touching allowed if asked)."""
    cuts = sorted(draw(st.sets(st.integers(lo, hi), max_size=2 * max_size)))
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    if not touching:
        return pairs
    out = []
    for a, b in pairs:  # optionally glue an interval onto the previous one
        if out and draw(st.booleans()):
            a = out[-1][1]
        if b > a:
            out.append((a, b))
    return out


def _minutes(intervals) -> set[int]:
    return {m for a, b, *_ in intervals for m in range(int(a), int(b))}


@settings(max_examples=300, deadline=None)
@given(
    shifts=disjoint(),
    absences=disjoint(touching=True),
    kinds=st.lists(st.sampled_from([LEAVE, SICK]), min_size=6, max_size=6),
)
def test_effective_shifts_are_the_scheduled_minutes_not_absent(shifts, absences, kinds):
    # merged shifts never touch; absences may (leave followed by sickness)
    shifts = [s for k, s in enumerate(shifts) if k == 0 or s[0] > shifts[k - 1][1]]
    spans = [(float(a), float(b), kind) for (a, b), kind in zip(absences, kinds, strict=False)]
    got = effective_shifts([(float(a), float(b)) for a, b in shifts], spans)
    # sorted, non-empty, disjoint, and each piece inside one scheduled shift
    assert all(b > a for a, b in got)
    assert all(got[k][1] <= got[k + 1][0] for k in range(len(got) - 1))
    for a, b in got:
        assert any(s <= a and b <= e for s, e in shifts)
    assert _minutes(got) == _minutes(shifts) - _minutes(spans)


# -- roster_changes ----------------------------------------------------------------------------


def _flat(changes):
    return [
        (t, sorted(c.starting), sorted(c.ending), sorted(c.going_away), sorted(c.coming_back))
        for t, c in changes
    ]


def test_changes_are_in_time_order_one_batch_per_minute():
    shifts = [[(480.0, 960.0), (1920.0, 2400.0)], [(0.0, 480.0), (960.0, 1440.0)]]
    absences = [[(1440.0, 2880.0, LEAVE)], []]
    # person 0's second shift is inside their leave: the effective shifts drop it
    effective = [effective_shifts(s, a) for s, a in zip(shifts, absences, strict=True)]
    got = _flat(roster_changes(effective, absences, horizon=2880.0))
    assert got == [
        (0.0, [1], [], [], []),
        (480.0, [0], [1], [], []),
        (960.0, [1], [0], [], []),
        (1440.0, [], [1], [0], []),  # the leave ends at the horizon: no coming back
    ]


def test_nothing_ends_at_the_horizon_and_batches_hold_several_people():
    shifts = [[(0.0, 100.0)], [(0.0, 100.0)], [(50.0, 100.0)]]
    got = _flat(roster_changes(shifts, [[], [], []], horizon=100.0))
    assert got == [(0.0, [0, 1], [], [], []), (50.0, [2], [], [], [])]


def test_an_absence_in_the_middle_of_a_shift_goes_off_then_away_and_back_then_on():
    shifts, absences = [(0.0, 1000.0)], [(300.0, 400.0, SICK)]
    got = _flat(roster_changes([effective_shifts(shifts, absences)], [absences], 1000.0))
    assert got == [
        (0.0, [0], [], [], []),
        (300.0, [], [0], [0], []),
        (400.0, [0], [], [], [0]),
    ]


def test_back_to_back_absences_come_back_and_go_away_in_one_batch():
    absences = [(100.0, 200.0, LEAVE), (200.0, 300.0, SICK)]
    got = _flat(roster_changes([[]], [absences], 1000.0))
    assert got == [(100.0, [], [], [0], []), (200.0, [], [], [0], [0]), (300.0, [], [], [], [0])]


# -- replayed through the dispatcher ---------------------------------------------------------


def _desk(n: int) -> Dispatcher:
    return Dispatcher(
        simpy.Environment(),
        tuple([0] * n),
        ((0,),),
        1,
        2,
        preemptive=True,
        handoff=False,
        ack_delay=lambda item: 0.0,
        page_delay=lambda item, person, at: 0.0,
        work=WorkLog(),
    )


def _expected_state(shifts, absences, t: float) -> PersonState:
    if any(a <= t < b for a, b, *_ in absences):
        return ABSENT
    return ON if any(a <= t < b for a, b in shifts) else OFF


@settings(max_examples=200, deadline=None)
@given(
    people=st.lists(
        st.tuples(disjoint(hi=300), disjoint(hi=300, max_size=4, touching=True)),
        min_size=1,
        max_size=4,
    ),
    horizon=st.sampled_from([150.0, 300.0]),
)
def test_replaying_the_roster_moves_everyone_by_named_transitions_only(people, horizon):
    shifts, absences = [], []
    for person_shifts, person_absences in people:
        merged = [
            s for k, s in enumerate(person_shifts) if k == 0 or s[0] > person_shifts[k - 1][1]
        ]
        clipped = [(float(a), min(float(b), horizon)) for a, b in merged if a < horizon]
        shifts.append(clipped)
        away = [(float(a), min(float(b), horizon), SICK) for a, b in person_absences if a < horizon]
        absences.append(away)
    effective = [effective_shifts(s, a) for s, a in zip(shifts, absences, strict=True)]
    desk = _desk(len(people))
    changes = roster_changes(effective, absences, horizon)
    times = [t for t, _ in changes]
    assert times == sorted(set(times))
    assert all(0 <= t < horizon for t in times)
    for t, c in changes:
        desk.roster_change(c.starting, c.ending, c.going_away, c.coming_back)  # raises if not
        for p in range(len(people)):
            assert desk.state[p] is _expected_state(effective[p], absences[p], t), (t, p)
    # every state seen is reachable by the named transitions
    assert {after for _, after in TRANSITIONS.values()} >= {ON, OFF, ABSENT}


@pytest.mark.parametrize(
    "absence",
    [(0.0, 480.0, LEAVE), (0.0, 100.0, SICK), (400.0, 480.0, SICK), (480.0, 1440.0, LEAVE)],
)
def test_absences_at_the_edges_of_a_shift_replay_cleanly(absence):
    shifts = [(0.0, 480.0), (1440.0, 1920.0)]
    effective = effective_shifts(shifts, [absence])
    desk = _desk(1)
    for t, c in roster_changes([effective], [[absence]], 2880.0):
        desk.roster_change(c.starting, c.ending, c.going_away, c.coming_back)
        assert desk.state[0] is _expected_state(effective, [absence], t)
    assert np.isclose(
        sum(b - a for a, b in effective),
        960.0 - max(0.0, min(absence[1], 480.0) - absence[0]),
    )
