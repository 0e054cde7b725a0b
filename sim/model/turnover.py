"""Turnover: people who leave under on-call burden, empty seats, and new hires.

At the start of every 30 days, each person present (not away, not in an empty
seat) leaves with probability ``1 - (1 - annual_rate)^(1/12)``, times the
scenario's multiplier when the past 30 days brought them at least 7 (bad) or 19
(burnout) pages outside business hours in their local time. A leaver goes at
once: their work in hand is asked for again and their seat is empty for a drawn
hiring lead time (recorded as a ``VACANT`` absence). The new hire takes the same
seat, schedule and rotations, works as a trainee of the role until the initial
training's days are over, and spends its share of each shift in that training.
Draws come from the streams ``turnover`` (per person) and ``hiring``.
"""

from __future__ import annotations

import bisect

from sim.model import hours
from sim.model.activities import TRAINING_INITIAL, Layout, Occasion
from sim.model.randomness import PerPerson, stream
from sim.model.records import AbsenceKind, PersonState, WorkKind

MONTH = 30 * 1440.0
BAD, BURNOUT = hours.BANDS["bad"], hours.BANDS["burnout"]


class Turnover:
    """Monthly leaving decisions and re-hiring for one replication (see the module docstring)."""

    def __init__(self, model, seq):
        self.model, self.rules = model, model.scenario.attrition
        people = model.staff.people
        self.draws = [stream(seq, "turnover", p.name) for p in people]
        self.hiring = PerPerson(self.rules.hiring_days, seq, [p.name for p in people], "hiring")
        self.vacant_until = [0.0] * len(people)
        self._night: list[list[float]] = [[] for _ in people]
        self.hires = [0] * len(people)  # how many times each seat has been refilled
        self._seen = 0
        self.monthly = 1 - (1 - self.rules.annual_rate) ** (1 / 12)

    def vacant(self, person: int, now: float) -> bool:
        """Whether the person's seat is empty at ``now`` (the minute of hiring included: the
        hire, not the roster, brings them in then)."""
        return now <= self.vacant_until[person] and self.vacant_until[person] > 0

    def process(self):
        """At the start of every 30 days, who leaves (so a 90-day run decides three times)."""
        env, horizon = self.model.env, self.model.scenario.horizon_minutes
        at = 0.0
        while at < horizon:
            if at > env.now:
                yield env.timeout(at - env.now)
            for person in range(len(self.draws)):
                draw = self.draws[person].random()  # drawn every month: streams stay in step
                if self._present(person) and draw < self._chance(person):
                    self._leave(person)
            at += MONTH

    def _present(self, person: int) -> bool:
        """In their seat and not away (someone on leave resigns on their return, in effect)."""
        now, state = self.model.env.now, self.model.desk.state[person]
        return not self.vacant(person, now) and state is not PersonState.ABSENT

    def _chance(self, person: int) -> float:
        """The month's chance of leaving, raised by last month's off-hours pages."""
        now = self.model.env.now
        times = self._off_hours_pages()[person]
        night = len(times) - bisect.bisect_left(times, now - MONTH)
        factor = 1.0
        if night >= BURNOUT:
            factor = self.rules.burnout_multiplier
        elif night >= BAD:
            factor = self.rules.bad_multiplier
        return min(1.0, self.monthly * factor)

    def _off_hours_pages(self) -> list[list[float]]:
        """Per person, times of their pages outside business hours so far (kept up to date)."""
        model, pages = self.model, self.model.pages
        for k in range(self._seen, len(pages.time)):
            t, p = pages.time[k], pages.person[k]
            site = model.staff.people[p].site
            if hours.bucket(model.scenario, site, t) != "business_hours":
                bisect.insort(self._night[p], t)
        self._seen = len(pages.time)
        return self._night

    def _leave(self, person: int) -> None:
        model, now = self.model, self.model.env.now
        desk = model.desk
        hired = self._hire_time(person, now + self.hiring(person) * 1440.0)
        self.vacant_until[person] = hired
        self.hires[person] += 1  # the next person in this seat
        # leave or sickness booked for the seat meanwhile is nobody's now
        kept = [(a, b, k) for a, b, k in model.absences[person] if b <= now or a >= hired]
        kept += [(a, now, k) for a, b, k in model.absences[person] if a < now < b]
        model.absences[person][:] = sorted([*kept, (now, hired, AbsenceKind.VACANT)])
        ending = [person] if desk.state[person] is PersonState.ON_SHIFT else []
        desk.change_states([], ending, going_away=[person])
        desk.settle([], ending)
        if hired < model.scenario.horizon_minutes:
            model.env.process(self._hire(person, hired))

    def _hire_time(self, person: int, at: float) -> float:
        """The hire starts once any leave or sickness booked for the seat is over."""
        for begin, end, _ in self.model.absences[person]:
            if begin <= at < end:
                at = end
        return at

    def _hire(self, person: int, at: float):
        model = self.model
        env, desk, staff = model.env, model.desk, model.staff
        yield env.timeout(at - env.now)
        trainee = staff.trainee_role.get(staff.qualified_role[person])
        learning = [(person, trainee)] if trainee is not None else []
        starting = [person] if self._in_shift(person, env.now) else []
        desk.change_states(starting, [], coming_back=[person], qualifying=learning)
        desk.settle(starting, [], coming_back=[person], qualifying=learning)
        days = model.scenario.training.initial.days
        hire = self.hires[person]
        env.process(self._qualify(person, env.now + days * 1440.0, hire))
        for occasion in self._initial_training(person, env.now, days):
            env.process(self._due(occasion, hire))

    def _in_shift(self, person: int, now: float) -> bool:
        spans = self.model.shifts[person]
        k = bisect.bisect_right(spans, (now, float("inf"))) - 1
        return k >= 0 and spans[k][0] <= now < spans[k][1]

    def _qualify(self, person: int, at: float, hire: int):
        model = self.model
        if at >= model.scenario.horizon_minutes:
            return
        yield model.env.timeout(at - model.env.now)
        if self.hires[person] != hire or self.vacant(person, at):
            return  # this hire left again before qualifying
        pair = [(person, model.staff.qualified_role[person])]
        model.desk.change_states([], [], qualifying=pair)
        model.desk.settle([], [], qualifying=pair)

    def _initial_training(self, person: int, hired: float, days: int) -> list[Occasion]:
        share = self.model.scenario.training.initial.share
        if share <= 0:
            return []
        ends = hired + days * 1440.0
        model = self.model
        layout = Layout(model.scenario, [model.staff.people[person]], [model.shifts[person]])
        return [
            Occasion(WorkKind.TRAINING, TRAINING_INITIAL, a, b, share * (b - a), (person,))
            for spans in layout.shifts_on[0].values()
            for a, b in spans
            if hired <= a < ends
        ]

    def _due(self, occasion: Occasion, hire: int):
        env, person = self.model.env, occasion.candidates[0]
        yield env.timeout(occasion.due - env.now)
        if self.hires[person] == hire and not self.vacant(person, env.now):
            self.model._fall_due(occasion)
