"""Personal activities: planned operations and training, laid out over the horizon.

Both are work for named people at known times, so they are expanded up front
(per replication, since absence and random session days differ) into
*occasions*: when an activity is due, by when it must have started, how long
it lasts, and who may attend. Who actually attends is decided when it is due
(only people then on shift take part; see :meth:`Occasion.attendees`).

Local dates are read in the activity's time zone: each attendee's own site for
``timezone: local`` and for everything scheduled during the shift.
"""

from __future__ import annotations

import bisect
import calendar as months
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.model import calendar
from sim.model.randomness import stream
from sim.model.records import PersonInfo, WorkKind
from sim.scenario.work import DURING_SHIFT, Attendees, Cadence, PlannedOperation

TRAINING_MONTHLY, TRAINING_QUARTERLY, TRAINING_CONFERENCE, TRAINING_INITIAL = 0, 1, 2, 3
"""Sources of training sessions (``Occasion.source`` for training; for planned work it is
the operation's index)."""


@dataclass
class Occasion:
    """One due activity: planned operation ``source`` or training of kind ``source``."""

    kind: WorkKind
    source: int
    due: float
    latest: float  # last moment it may start
    minutes: float
    candidates: tuple[int, ...]  # people who attend if on shift when it is due
    per_team: tuple[tuple[int, ...], ...] = ()  # one_per_team: each team's people in turn
    turn: list[int] = field(default_factory=list)  # rotation pointer per team (shared)

    def attendees(self, on_shift) -> list[int]:
        """People attending: candidates on shift, or the next one on shift of each team.

        ``per_team`` holds the candidates by team, and ``turn`` is shared by the
        occasions of the same candidates, so each team's people take turns.
        """
        if not self.per_team:
            return [p for p in self.candidates if on_shift(p)]
        chosen = []
        for t, team in enumerate(self.per_team):
            for step in range(len(team)):
                person = team[(self.turn[t] + step) % len(team)]
                if on_shift(person):
                    chosen.append(person)
                    self.turn[t] = (self.turn[t] + step + 1) % len(team)
                    break
        return chosen


def cadence_dates(cadence: Cadence, first: dt.date, last: dt.date, anchor: dt.date) -> list:
    """Dates from ``first`` to ``last`` inclusive on which ``cadence`` falls."""
    days = [first + dt.timedelta(d) for d in range((last - first).days + 1)]
    if cadence.every_days is not None:
        origin = cadence.start or anchor
        first = cadence.start or first  # an explicit start is the first date; else any in step
        return [d for d in days if d >= first and (d - origin).days % cadence.every_days == 0]
    if cadence.every in ("day", "week"):
        wanted = {calendar.WEEKDAYS.index(w) for w in cadence.weekdays}
        return [d for d in days if d.weekday() in wanted]
    return [d for d in days if _monthly(cadence, d)]


def _monthly(cadence: Cadence, day: dt.date) -> bool:
    length = months.monthrange(day.year, day.month)[1]
    if cadence.day is not None:
        return day.day == min(cadence.day, length)
    if day.weekday() != calendar.WEEKDAYS.index(cadence.weekday):
        return False
    if cadence.nth == -1:
        return day.day + 7 > length
    return (day.day - 1) // 7 + 1 == cadence.nth


class Layout:
    """Everyone's shift starts by local date, for placing activities (one replication).

    A shift counts on a day when its scheduled start falls inside the person's
    effective shifts (they are there when it begins): the tail of a shift cut by
    an absence or by the start of the horizon is no shift start, and a run of
    back-to-back 24-hour shifts has one start a day.
    """

    def __init__(self, scenario, people: Sequence[PersonInfo], shifts: Sequence[list]):
        self.scenario, self.people = scenario, people
        self.start = scenario.calendar.start
        self.zones = {s.id: s.timezone for s in scenario.sites}
        self.patterns = scenario.by_id("shifts")
        self._scheduled: dict[tuple, list] = {}  # people of one shift and site share starts
        self.shifts_on = [self._by_local_date(p, s) for p, s in zip(people, shifts, strict=True)]

    def _by_local_date(self, person: PersonInfo, shifts) -> dict[dt.date, list]:
        """Local date -> ``[(shift start, end of the person's time there)]``."""
        days: dict[dt.date, list] = {}
        begins = [begin for begin, _ in shifts]
        for start, finish, local in self._scheduled_starts(person):
            k = bisect.bisect_right(begins, start) - 1
            if k >= 0 and start < shifts[k][1]:  # there when it begins
                days.setdefault(local, []).append((start, min(finish, shifts[k][1])))
        return days

    def _scheduled_starts(self, person: PersonInfo) -> list[tuple]:
        """``(start, end, local date)`` of every scheduled shift of the person's pattern."""
        key = (id(person.shifts), person.shift, person.site)
        if key not in self._scheduled:
            zone = self.zones[person.site]
            self._scheduled[key] = [
                (start, finish, calendar.local_datetime(start, self.start, zone).date())
                for begin, end in person.shifts
                for start, finish in self._starts_in(person, begin, end)
            ]
        return self._scheduled[key]

    def _starts_in(self, person: PersonInfo, begin: float, end: float) -> list[tuple]:
        """Scheduled shift starts within ``[begin, end)``, each with when that shift ends."""
        pattern = self.patterns.get(person.shift)
        if pattern is None:  # people built by hand: each interval is one shift
            return [(begin, end)]
        zone = self.zones[person.site] if pattern.timezone == "local" else pattern.timezone
        clock = calendar.parse_clock(pattern.start)
        length = _length(clock, calendar.parse_clock(pattern.end))
        first = calendar.local_datetime(begin, self.start, zone).date() - dt.timedelta(1)
        last = calendar.local_datetime(end, self.start, zone).date()
        found = []
        for offset in range((last - first).days + 1):
            at = self._at(first + dt.timedelta(offset), clock, zone)
            if begin <= at < end:
                found.append((at, min(end, at + length)))
        return found

    def _at(self, day: dt.date, minute: int, zone: str) -> float:
        moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
        return calendar.to_minutes(moment.replace(tzinfo=calendar.zone(zone)), self.start)

    def span(self) -> tuple[dt.date, dt.date]:
        """Local dates that can fall inside the horizon anywhere (one day's margin)."""
        last = self.start + dt.timedelta(self.scenario.calendar.days)
        return self.start - dt.timedelta(1), last

    def instant(self, day: dt.date, clock: str, zone: str) -> float:
        """Model minutes of local ``clock`` on ``day`` in ``zone``."""
        return self._at(day, calendar.parse_clock(clock), zone)


def _length(begin: int, end: int) -> int:
    """A shift's length in minutes from its clock times (end <= begin wraps past midnight)."""
    return end - begin if end > begin else end + calendar.MINUTES_PER_DAY - begin


def planned_occasions(layout: Layout, op: PlannedOperation, k: int, rng) -> list[Occasion]:
    """Every occasion of planned operation ``op`` (index ``k``) in the horizon."""
    people = _candidates(layout, op.attendees)
    first, last = layout.span()
    dates = cadence_dates(op.cadence, first, last, layout.start)
    in_turn = op.attendees.one_per_team
    if op.at == DURING_SHIFT:
        pick = _in_turn if in_turn else _everyone
        found = pick(layout, people, sorted(set(dates)))
    else:
        found = _at_clock(layout, op, people, dates)
    horizon = layout.scenario.horizon_minutes
    found = sorted((o for o in found if 0 <= o[0] < horizon), key=lambda o: (o[0], o[2]))
    minutes = op.duration.sample(rng, len(found))
    rotations: dict[tuple, tuple] = {}  # per group of candidates (a site, for local time)
    occasions = []
    for (due, latest, who), m in zip(found, minutes.tolist(), strict=True):
        if in_turn and op.at != DURING_SHIFT and who not in rotations:
            teams = _teams(layout, who)
            rotations[who] = (teams, [0] * len(teams))
        teams, turn = rotations.get(who, ((), []))
        # at a clock time, someone still busy may join late while the activity lasts
        finish = due + m if latest is None else latest
        occasions.append(Occasion(WorkKind.PLANNED, k, due, finish, m, who, teams, turn))
    return occasions


def _candidates(layout: Layout, who: Attendees) -> tuple[int, ...]:
    roles, teams, sites = set(who.roles), set(who.teams), set(who.sites)
    chosen = []
    for p, person in enumerate(layout.people):
        named = who.everyone or person.role in roles or person.team in teams
        if not (roles or teams or who.everyone):
            named = True  # sites alone: everyone at those sites
        if named and (not sites or person.site in sites):
            chosen.append(p)
    return tuple(chosen)


def _teams(layout: Layout, people) -> tuple[tuple[int, ...], ...]:
    teams: dict[str, list[int]] = {}
    for p in people:
        teams.setdefault(layout.people[p].team, []).append(p)
    return tuple(tuple(members) for members in teams.values())


def _at_clock(layout: Layout, op: PlannedOperation, people, dates) -> list[tuple]:
    """Occasions at a clock time: one per date, or one per site and date for local time."""
    if op.timezone != "local":
        zone = layout.zones.get(op.timezone, op.timezone)
        groups = [(zone, people)]
    else:
        by_site: dict[str, list[int]] = {}
        for p in people:
            by_site.setdefault(layout.people[p].site, []).append(p)
        groups = [(layout.zones[site], tuple(ps)) for site, ps in by_site.items()]
    found = []
    for zone, who in groups:
        for day in dates:
            due = layout.instant(day, op.at, zone)
            found.append((due, None, tuple(who)))
    return found


def _everyone(layout: Layout, people, dates: list) -> list[tuple]:
    """Occasions per person: due when their shift starts on a cadence date, until it ends."""
    found = []
    wanted = set(dates)
    for p in people:
        for day, spans in layout.shifts_on[p].items():
            if day in wanted:
                found.extend((begin, end, (p,)) for begin, end in spans)
    return found


def _in_turn(layout: Layout, people, dates: list) -> list[tuple]:
    """As :func:`_everyone`, but on each date one person per team, taking turns among
    those with a shift starting that day."""
    found = []
    teams = _teams(layout, people)
    turn = [0] * len(teams)
    for day in dates:
        for t, team in enumerate(teams):
            for step in range(len(team)):
                person = team[(turn[t] + step) % len(team)]
                spans = layout.shifts_on[person].get(day)
                if spans:
                    found.extend((begin, end, (person,)) for begin, end in spans)
                    turn[t] = (turn[t] + step + 1) % len(team)
                    break
    return found


def training_occasions(layout: Layout, training, seq: np.random.SeedSequence) -> list[Occasion]:
    """Every training session of every person in the horizon (see the module docstring)."""
    found = []
    for p, person in enumerate(layout.people):
        rng = stream(seq, "training", person.name)
        found += _sessions(layout, p, training, rng)
    horizon = layout.scenario.horizon_minutes
    return sorted((o for o in found if 0 <= o.due < horizon), key=lambda o: o.due)


def initial_training_occasions(layout: Layout, initial) -> list[Occasion]:
    """Joiners' initial training: ``share`` of each shift that starts in their first days."""
    horizon = layout.scenario.horizon_minutes
    found = []
    for p, person in enumerate(layout.people):
        if not 0 < person.joins < horizon or initial.share <= 0:
            continue
        ends = person.joins + initial.days * calendar.MINUTES_PER_DAY
        for spans in layout.shifts_on[p].values():
            for begin, finish in spans:
                if person.joins <= begin < min(ends, horizon):
                    minutes = initial.share * (finish - begin)
                    found.append(
                        Occasion(WorkKind.TRAINING, TRAINING_INITIAL, begin, finish, minutes, (p,))
                    )
    return sorted(found, key=lambda o: o.due)


def _sessions(layout: Layout, p: int, training, rng) -> list[Occasion]:
    first, last = layout.span()
    found = []
    for period_start, period_end in _periods(first, last, months=1):
        hours = training.monthly_hours
        found += _hours_in(layout, p, period_start, period_end, hours, TRAINING_MONTHLY, rng)
    for period_start, period_end in _periods(first, last, months=3):
        hours = training.quarterly_certification_hours
        found += _hours_in(layout, p, period_start, period_end, hours, TRAINING_QUARTERLY, rng)
    for period_start, period_end in _periods(first, last, months=12):
        found += _conference(layout, p, period_start, period_end, training.conference_days, rng)
    return found


def _periods(first: dt.date, last: dt.date, months: int):
    """Calendar months, quarters or years overlapping ``first..last``."""
    year, month = first.year, (first.month - 1) // months * months + 1
    while dt.date(year, month, 1) <= last:
        end_month = month + months
        end = dt.date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
        yield dt.date(year, month, 1), end - dt.timedelta(1)
        year, month = end.year, end.month


def _hours_in(layout, p, start, end, hours, source, rng) -> list[Occasion]:
    """Sessions of at most ``session_hours`` on random working days of one period."""
    longest = layout.scenario.training.session_hours * 60.0
    left, found = hours * 60.0, []
    while left > 1e-9:
        minutes = min(left, longest)
        left -= minutes
        day = _working_day_near(layout, p, _random_day(start, end, rng), start, end)
        if day is not None:
            begin, finish = layout.shifts_on[p][day][0]
            found.append(Occasion(WorkKind.TRAINING, source, begin, finish, minutes, (p,)))
    return found


def _conference(layout, p, start, end, days, rng) -> list[Occasion]:
    """``days`` consecutive working days of whole-shift training, once in the year."""
    found = []
    day = _working_day_near(layout, p, _random_day(start, end, rng), start, end) if days else None
    while day is not None and len(found) < days:
        begin, finish = layout.shifts_on[p][day][0]
        occasion = Occasion(WorkKind.TRAINING, TRAINING_CONFERENCE, begin, finish, 0.0, (p,))
        occasion.minutes = finish - begin
        found.append(occasion)
        day = _working_day_from(layout, p, day + dt.timedelta(1), end)
    return found


def _random_day(start: dt.date, end: dt.date, rng) -> dt.date:
    return start + dt.timedelta(int(rng.integers(0, (end - start).days + 1)))


def _working_day_near(layout, p, day: dt.date, start: dt.date, end: dt.date) -> dt.date | None:
    """The person's working day on or after ``day`` in its period (``start..end``), else the
    last one before it; None for a day outside the horizon (so partial periods prorate)."""
    last = layout.start + dt.timedelta(layout.scenario.calendar.days - 1)
    if not layout.start <= day <= last:
        return None
    found = _working_day_from(layout, p, day, end)
    if found is not None:
        return found
    shifts_on, day = layout.shifts_on[p], day - dt.timedelta(1)
    while day >= max(start, layout.start):
        if day in shifts_on:
            return day
        day -= dt.timedelta(1)
    return None


def _working_day_from(layout, p, day: dt.date, end: dt.date) -> dt.date | None:
    """The person's first working day on or after ``day`` up to ``end`` (None if none).

    A day before the calendar start is None: the horizon holds only the part of a
    period after its start, so a session drawn earlier falls outside it.
    """
    if day < layout.start:
        return None
    shifts_on = layout.shifts_on[p]
    while day <= end:
        if day in shifts_on:
            return day
        day += dt.timedelta(1)
    return None
