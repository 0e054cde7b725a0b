"""The staff: named people with their schedules, and the pools of roles that can work each task.

People are individuals (``sre-platform-eu-1``), each with a role, site and the
intervals when they are on shift. A *pool* is the ordered tuple of roles that
may work one kind of task (a class's triage, or one of its resolution tiers);
pools are computed once so that finding a responder never scans people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sim.model import calendar
from sim.model.holidays import site_holidays
from sim.model.precedence import Precedence
from sim.model.records import PersonInfo
from sim.scenario.schema import IncidentClass, Scenario, Shift


@dataclass(frozen=True)
class ClassPlan:
    """Per incident class: priority rank and the pool index of each task."""

    rank: int
    triage_pool: int
    step_pools: tuple[int, ...]
    pages: bool
    engage_pools: tuple[int, ...] = ()  # one per team that joins at once (parallel priorities)


@dataclass(frozen=True)
class Staff:
    """Everyone in the organisation and the task pools built from the scenario.

    People who join during the horizon start in a *trainee* variant of their role
    (index ``len(scenario.roles) + j``) that works no tier above the initial
    training's ``max_tier``, and move to their role at ``qualifies_at``.
    """

    people: tuple[PersonInfo, ...]
    person_role: tuple[int, ...]  # role index per person (a trainee variant at first)
    role_ids: tuple[str, ...]  # the scenario's roles, then trainee variants
    pools: tuple[tuple[int, ...], ...]  # role indices per pool, preferred first
    classes: tuple[ClassPlan, ...]
    precedence: Precedence
    streams: tuple[tuple[int, int], ...] = ()  # (pool, rank) per work stream
    planned_ranks: tuple[int, ...] = ()  # rank per planned operation
    training_rank: int = 0
    qualified_role: tuple[int, ...] = ()  # the person's own role index
    qualifies_at: tuple[float, ...] = ()  # when a trainee takes their own role (inf: never)
    trainee_role: dict[int, int] = field(default_factory=dict)  # role index -> trainee variant


def build_staff(scenario: Scenario) -> Staff:
    """Name every person, lay out their shifts, and index the task pools."""
    people, roles = _people(scenario)
    pools = _Pools(scenario, people, roles)
    ladder = precedence(scenario)
    plans = tuple(_class_plan(scenario, cls, pools, ladder) for cls in scenario.incidents.classes)
    streams = tuple(
        (pools.index(s.roles), ladder.stream(k))
        for s, k in zip(scenario.streams, _stream_levels(scenario), strict=True)
    )
    planned = tuple(ladder.personal(len(op.interrupted_by)) for op in scenario.planned)
    training = ladder.personal(len(scenario.training.interrupted_by))
    start_role = tuple(
        pools.trainee.get(r, r) if pools.learning(p) else r
        for p, r in zip(people, roles, strict=True)
    )
    qualifies = tuple(pools.qualifies_at(p) for p in people)
    return Staff(
        tuple(people),
        start_role,
        pools.role_ids,
        pools.ordered(),
        plans,
        ladder,
        streams,
        planned,
        training,
        tuple(roles),
        qualifies,
        dict(pools.trainee),
    )


def _people(scenario: Scenario) -> tuple[list[PersonInfo], list[int]]:
    people, person_role = [], []
    sites, shifts = scenario.by_id("sites"), scenario.by_id("shifts")
    schedules: dict[tuple[str, str], list[tuple[float, float]]] = {}
    names = iter(scenario.person_names())
    for r, role in enumerate(scenario.roles):
        for staffing in role.staff:
            key = (staffing.shift, staffing.site)
            if key not in schedules:  # everyone on one shift at one site shares (reads) one
                schedules[key] = shift_schedule(scenario, shifts[key[0]], sites[key[1]])
            joins = _join_minute(scenario, sites[staffing.site], staffing.joins)
            for _ in range(staffing.count):
                people.append(_person(role, staffing, next(names), schedules[key], joins))
                person_role.append(r)
    return people, person_role


def _join_minute(scenario: Scenario, site, joins) -> float:
    """Model minute of local midnight at the site on the join date (0: from the start)."""
    if joins is None:
        return 0.0
    midnight = dt.datetime.combine(joins, dt.time()).replace(tzinfo=calendar.zone(site.timezone))
    return max(0.0, calendar.to_minutes(midnight, scenario.calendar.start))


class _Pools:
    """Task pools (ordered role tuples), with trainee variants where they may work."""

    def __init__(self, scenario: Scenario, people: list[PersonInfo], roles: list[int]):
        self.scenario = scenario
        self.index_of = {role.id: r for r, role in enumerate(scenario.roles)}
        self.initial = scenario.training.initial
        tiers = [t.id for t in scenario.tiers]
        top = self.initial.max_tier
        self.allowed = set(tiers[: tiers.index(top) + 1]) if top in tiers else set(tiers)
        learners = sorted({r for p, r in zip(people, roles, strict=True) if self.learning(p)})
        if scenario.attrition.enabled and top is not None:  # anyone may be replaced by a hire
            learners = sorted(set(roles))
        self.trainee = {r: len(scenario.roles) + j for j, r in enumerate(learners)}
        ids = [role.id for role in scenario.roles]
        self.role_ids = tuple(ids + [f"{ids[r]}~trainee" for r in learners])
        self._pools: dict[tuple[int, ...], int] = {}

    def learning(self, person: PersonInfo) -> bool:
        """Whether the person joins during the horizon (and so starts as a trainee)."""
        return 0 < person.joins < self.scenario.horizon_minutes

    def qualifies_at(self, person: PersonInfo) -> float:
        if not self.learning(person):
            return float("inf")
        return person.joins + self.initial.days * calendar.MINUTES_PER_DAY

    def index(self, role_ids, tier: str | None = None) -> int:
        """The pool of these roles (in order), trainees included where ``tier`` allows."""
        members = []
        for role_id in role_ids:
            r = self.index_of[role_id]
            members.append(r)
            if r in self.trainee and (tier is None or tier in self.allowed):
                members.append(self.trainee[r])
        return self._pools.setdefault(tuple(members), len(self._pools))

    def ordered(self) -> tuple[tuple[int, ...], ...]:
        return tuple(sorted(self._pools, key=self._pools.__getitem__))


def precedence(scenario: Scenario) -> Precedence:
    """The precedence ladder of every kind of work the scenario defines."""
    personal = [len(op.interrupted_by) for op in scenario.planned]
    personal.append(len(scenario.training.interrupted_by))  # unused ranks cost nothing
    return Precedence(len(scenario.priorities), personal, _stream_levels(scenario))


def _stream_levels(scenario: Scenario) -> list[int]:
    """How many of the most urgent priorities interrupt each stream."""
    every = len(scenario.priorities)
    return [every if s.interrupted_by == "all" else len(s.interrupted_by) for s in scenario.streams]


def _person(role, staffing, name: str, shifts: list[tuple[float, float]], joins) -> PersonInfo:
    return PersonInfo(
        name=name,
        role=role.id,
        team=role.team,
        site=staffing.site,
        employment=role.employment,
        hourly_cost=role.hourly_cost,
        shifts=shifts,
        shift=staffing.shift,
        joins=joins,
    )


def shift_schedule(scenario: Scenario, shift: Shift, site) -> list[tuple[float, float]]:
    """On-shift intervals (model minutes) of one shift pattern worked at one site."""
    zone = site.timezone if shift.timezone == "local" else shift.timezone
    holidays = site_holidays(site, scenario.calendar.start, scenario.calendar.days)
    return calendar.shift_intervals(
        scenario.calendar.start,
        scenario.calendar.days,
        zone,
        calendar.parse_clock(shift.start),
        calendar.parse_clock(shift.end),
        [calendar.WEEKDAYS.index(d) for d in shift.days],
        holidays,
    )


def _class_plan(scenario: Scenario, cls: IncidentClass, pools: _Pools, ladder) -> ClassPlan:
    def pool_of(tier: str, only) -> int:
        return pools.index(scenario.eligible_roles(cls, tier, only), tier)

    priority = scenario.by_id("priorities")[cls.priority]
    triage = scenario.eligible_roles(cls, scenario.triage_tier)
    return ClassPlan(
        rank=ladder.incident(scenario.priority_rank(cls.priority)),
        triage_pool=pool_of(scenario.triage_tier, None),
        step_pools=tuple(pool_of(step.tier, step.roles) for step in cls.resolution),
        pages=priority.pages_off_shift,
        engage_pools=_engage_pools(scenario, cls, pools, set(triage)),
    )


def _engage_pools(scenario: Scenario, cls: IncidentClass, pools: _Pools, triage) -> tuple:
    """For a parallel priority: a pool per engaged team other than the triaging one, of the
    team's roles that work the class's category."""
    if cls.priority not in scenario.escalation.parallel:
        return ()
    found = []
    for team in scenario.engaged_teams(cls):
        roles = [r.id for r in scenario.roles if r.team == team and r.works(cls.category)]
        if roles and not triage & set(roles):
            found.append(pools.index(roles))
    return tuple(found)
