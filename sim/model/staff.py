"""The staff: named people with their schedules, and the pools of roles that can work each task.

People are individuals (``sre-platform-eu-1``), each with a role, site and the
intervals when they are on shift. A *pool* is the ordered tuple of roles that
may work one kind of task (a class's triage, or one of its resolution tiers);
pools are computed once so that finding a responder never scans people.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Staff:
    """Everyone in the organisation and the task pools built from the scenario."""

    people: tuple[PersonInfo, ...]
    person_role: tuple[int, ...]  # role index per person
    role_ids: tuple[str, ...]
    pools: tuple[tuple[int, ...], ...]  # role indices per pool, preferred first
    classes: tuple[ClassPlan, ...]
    precedence: Precedence
    streams: tuple[tuple[int, int], ...] = ()  # (pool, rank) per work stream
    planned_ranks: tuple[int, ...] = ()  # rank per planned operation
    training_rank: int = 0


def build_staff(scenario: Scenario) -> Staff:
    """Name every person, lay out their shifts, and index the task pools."""
    people, person_role = [], []
    role_ids = tuple(r.id for r in scenario.roles)
    sites, shifts = scenario.by_id("sites"), scenario.by_id("shifts")
    schedules: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r, role in enumerate(scenario.roles):
        numbered: dict[str, int] = {}  # names run on across a role's lines at one site
        for staffing in role.staff:
            key = (staffing.shift, staffing.site)
            if key not in schedules:  # everyone on one shift at one site shares (reads) one
                schedules[key] = shift_schedule(scenario, shifts[key[0]], sites[key[1]])
            for _ in range(staffing.count):
                n = numbered[staffing.site] = numbered.get(staffing.site, 0) + 1
                people.append(_person(role, staffing, n, schedules[key]))
                person_role.append(r)
    pools: dict[tuple[int, ...], int] = {}
    role_index = {role: r for r, role in enumerate(role_ids)}
    ladder = precedence(scenario)
    plans = tuple(
        _class_plan(scenario, cls, role_index, pools, ladder) for cls in scenario.incidents.classes
    )
    streams = tuple(
        (pools.setdefault(tuple(role_index[r] for r in s.roles), len(pools)), ladder.stream(k))
        for s, k in zip(scenario.streams, _stream_levels(scenario), strict=True)
    )
    ordered = tuple(sorted(pools, key=pools.__getitem__))
    planned = tuple(ladder.personal(len(op.interrupted_by)) for op in scenario.planned)
    training = ladder.personal(len(scenario.training.interrupted_by))
    return Staff(
        tuple(people),
        tuple(person_role),
        role_ids,
        ordered,
        plans,
        ladder,
        streams,
        planned,
        training,
    )


def precedence(scenario: Scenario) -> Precedence:
    """The precedence ladder of every kind of work the scenario defines."""
    personal = [len(op.interrupted_by) for op in scenario.planned]
    personal.append(len(scenario.training.interrupted_by))  # unused ranks cost nothing
    return Precedence(len(scenario.priorities), personal, _stream_levels(scenario))


def _stream_levels(scenario: Scenario) -> list[int]:
    """How many of the most urgent priorities interrupt each stream."""
    every = len(scenario.priorities)
    return [every if s.interrupted_by == "all" else len(s.interrupted_by) for s in scenario.streams]


def _person(role, staffing, n: int, shifts: list[tuple[float, float]]) -> PersonInfo:
    return PersonInfo(
        name=f"{role.id}-{staffing.site}-{n}",
        role=role.id,
        team=role.team,
        site=staffing.site,
        employment=role.employment,
        hourly_cost=role.hourly_cost,
        shifts=shifts,
        shift=staffing.shift,
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


def _class_plan(
    scenario: Scenario, cls: IncidentClass, role_index, pools: dict, ladder: Precedence
) -> ClassPlan:
    def pool_of(tier: str, only) -> int:
        roles = tuple(role_index[r] for r in scenario.eligible_roles(cls, tier, only))
        return pools.setdefault(roles, len(pools))

    priority = scenario.by_id("priorities")[cls.priority]
    return ClassPlan(
        rank=ladder.incident(scenario.priority_rank(cls.priority)),
        triage_pool=pool_of(scenario.triage_tier, None),
        step_pools=tuple(pool_of(step.tier, step.roles) for step in cls.resolution),
        pages=priority.pages_off_shift,
    )
