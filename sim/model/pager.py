"""The pager: who is on call in each rotation, and who gets paged, in which order.

A rotation hands its duty from member to member at a local hand-over time, daily
or weekly. When work that pages has nobody qualified on shift, the pager walks
the escalation layers in order (primary, secondary, escalation, executive), and
in each layer the rotations that cover one of the work's roles, in order:

- the member on call is paged when they can do the work; if they are absent, or
  their role cannot do this work, the next member in the rotation's order covers
  (a team rotation thus finds its specialist), and so does anyone outside the
  rotation's active hours; if that person is on shift, or off shift on equally or
  more urgent work, the next rotation or layer is tried;
- each paged person acknowledges after a drawn delay; without an
  acknowledgement within the priority's escalation timeout the next layer is
  paged too, and the first to acknowledge takes the work;
- priorities in ``notify_executive`` also notify the executive layer's member on
  duty at once (they are told, not asked to do the work).

Everything is decided when the page goes out (the delays are drawn then), so
a page costs one walk down at most four layers, with no extra events. Every
page is recorded with its outcome.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Callable, Sequence

from sim.model import calendar, hours
from sim.model.records import PageLog, PageOutcome, PersonInfo
from sim.scenario.oncall import LAYERS, Rotation

EXECUTIVE = LAYERS.index("executive")


class Rota:
    """Every rotation's turns over the horizon: ``(start, end, member)`` in time order."""

    def __init__(self, scenario, people: Sequence[PersonInfo]):
        self.scenario = scenario
        roles = {r.id: k for k, r in enumerate(scenario.roles)}
        self.rotations = scenario.oncall.rotations
        self.members = [members_of(rot, people) for rot in self.rotations]
        self.covers = [
            {roles[r] for r in (rot.covers or {people[p].role for p in team})}
            for rot, team in zip(self.rotations, self.members, strict=True)
        ]
        self.layer = [LAYERS.index(rot.layer) for rot in self.rotations]
        sites = {s.id: s.timezone for s in scenario.sites}
        self._zones = [sites[p.site] for p in people]
        self.turns = [
            self._turns(rot, team) for rot, team in zip(self.rotations, self.members, strict=True)
        ]
        self._starts = [[t[0] for t in turns] for turns in self.turns]

    def duty(self, r: int) -> list[tuple[float, float, int]]:
        """Who is on call when, ``(start, end, person)``: the turns, or with active hours the
        member in hours from the one whose turn it is, between the windows' edges."""
        team = self.members[r]
        if self.rotations[r].active_hours is None:
            return [(a, b, team[m]) for a, b, m in self.turns[r]]
        edges = sorted(self._edges(r, "start") | self._edges(r, "end"))
        found = []
        for a, b, m in self.turns[r]:
            inside = edges[bisect.bisect_right(edges, a) : bisect.bisect_left(edges, b)]
            cuts = [a, *inside, b]
            for begin, end in itertools.pairwise(cuts):
                middle = (begin + end) / 2  # nothing changes between two edges
                person = next((p for p in _from(team, m) if self.in_hours(r, p, middle)), None)
                if person is not None:
                    found.append((begin, end, person))
        return found

    def openings(self) -> set[float]:
        """Moments active hours open for some member (work waiting may find someone then)."""
        horizon = self.scenario.horizon_minutes
        found = set().union(
            *(self._edges(r, "start") for r, rot in enumerate(self.rotations) if rot.active_hours)
        )
        return {t for t in found if 0 < t < horizon}

    def _edges(self, r: int, which: str) -> set[float]:
        """Model minutes at which a rotation's active hours start (or end) at its members' sites."""
        window = self.rotations[r].active_hours
        clock = calendar.parse_clock(getattr(window, which))
        start, days = self.scenario.calendar.start, self.scenario.calendar.days
        found: set[float] = set()
        for zone in {self._zones[p] for p in self.members[r]}:
            tz = calendar.zone(zone)
            for offset in range(-1, days + 2):
                day = start + dt.timedelta(offset)
                moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=clock)
                found.add(calendar.to_minutes(moment.replace(tzinfo=tz), start))
        return found

    def in_hours(self, r: int, person: int, now: float) -> bool:
        """Whether ``now`` is inside the rotation's active hours at the person's site."""
        window = self.rotations[r].active_hours
        if window is None:
            return True
        local = calendar.local_datetime(now, self.scenario.calendar.start, self._zones[person])
        return hours.inside(local.hour * 60 + local.minute, window)

    def on_duty(self, r: int, now: float) -> int:
        """Index in ``members[r]`` of the member whose turn it is at ``now``."""
        k = bisect.bisect_right(self._starts[r], now) - 1
        return self.turns[r][max(k, 0)][2]

    def _turns(self, rot: Rotation, team: tuple[int, ...]) -> list[tuple[float, float, int]]:
        if not team:
            return []
        horizon = self.scenario.horizon_minutes
        instants = self._handovers(rot)
        before = sum(1 for t in instants if t <= 0) - 1  # turns begun before the start
        turns = []
        for i, (a, b) in enumerate(zip(instants, [*instants[1:], float("inf")], strict=True)):
            if b > 0 and a < horizon:
                member = (rot.first + i - max(before, 0)) % len(team)
                turns.append((max(a, 0.0), min(b, horizon), member))
        return turns or [(0.0, horizon, rot.first % len(team))]

    def _handovers(self, rot: Rotation) -> list[float]:
        """Model minutes of every hand-over from before the start to the horizon's end."""
        sites = {s.id: s.timezone for s in self.scenario.sites}
        zone = calendar.zone(sites.get(rot.handover.timezone, rot.handover.timezone))
        start = self.scenario.calendar.start
        clock = calendar.parse_clock(rot.handover.at)
        weekday = calendar.WEEKDAYS.index(rot.handover.weekday)
        found = []
        for offset in range(-8, self.scenario.calendar.days + 2):
            day = start + dt.timedelta(offset)
            if rot.period == "weekly" and day.weekday() != weekday:
                continue
            moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=clock)
            found.append(calendar.to_minutes(moment.replace(tzinfo=zone), start))
        return found


def _from(team: tuple[int, ...], first: int):
    """A rotation's members in order, from the one at index ``first``."""
    return (team[(first + k) % len(team)] for k in range(len(team)))


def members_of(rot: Rotation, people: Sequence[PersonInfo]) -> tuple[int, ...]:
    """People (indices) a rotation names: by role or team (at its sites), or by name."""
    roles, teams, sites, named = set(rot.roles), set(rot.teams), set(rot.sites), set(rot.people)
    return tuple(
        p
        for p, person in enumerate(people)
        if person.name in named
        or ((person.role in roles or person.team in teams) and (not sites or person.site in sites))
    )


class Pager:
    """Pages the on-call chain for work nobody on shift can take (see the module docstring).

    ``ack_delay(incident, person, at)`` draws how long a page takes to acknowledge;
    ``pageable(person, rank)`` is True for someone off shift and present who is free
    or busy with less urgent work; ``absent`` for someone away; ``role_of`` gives a
    person's current role index.
    """

    def __init__(
        self,
        rota: Rota,
        rank_priority: dict[int, str],
        ack_delay: Callable[[int, int, float], float],
        log: PageLog,
        *,
        pageable: Callable[[int, int], bool],
        absent: Callable[[int], bool],
        role_of: Callable[[int], int],
    ):
        self.rota, self.rank_priority, self.ack_delay, self.log = (
            rota,
            rank_priority,
            ack_delay,
            log,
        )
        self.pageable, self.absent, self.role_of = pageable, absent, role_of
        self.oncall = rota.scenario.oncall
        self.after_page = None  # called (person, when) for paged people who did not take it
        self._told: set[tuple] = set()  # work the executive has been told about

    def covers(self, pool: tuple[int, ...]) -> bool:
        """Whether some rotation is paged for work of ``pool``'s roles."""
        return any(self._rotations_for(layer, pool) for layer in range(len(LAYERS)))

    def page(self, pool: tuple[int, ...], rank: int, item: int, kind, now: float):
        """Page for one piece of work: ``(person, minutes to acknowledge)``, or None."""
        priority = self.rank_priority.get(rank)
        timeout = (
            self.oncall.timeout(priority) if priority is not None else self.oncall.escalate_after
        )
        paged = []  # (when, person, layer, acknowledges at)
        at, best = now, None
        for layer in range(len(LAYERS)):
            if best is not None and best[3] <= at:
                break  # someone acknowledged before this layer would be paged
            person = self._on_call(layer, pool, rank, now, {e[1] for e in paged})
            if person is None:
                continue
            entry = (at, person, layer, at + self.ack_delay(item, person, at))
            paged.append(entry)
            if best is None or entry[3] < best[3]:
                best = entry
            at += timeout
        self._notify_executive(priority, pool, now, paged, item, kind)
        self._record(paged, best, item, kind)
        if self.after_page is not None:
            for _, person, _, acknowledged in paged:
                if best is None or person != best[1]:
                    self.after_page(person, acknowledged)  # answered, not needed: back to bed
        return None if best is None else (best[1], best[3] - now)

    def _on_call(self, layer: int, pool, rank: int, now: float, paged: set) -> int | None:
        """Who this layer pages: in each rotation of the layer covering the work, in order,
        the member on duty or the next one present who can do it; the first of them who
        can come (off shift, free or on less urgent work) and was not paged already."""
        for r in self._rotations_for(layer, pool):
            person = self._covering(r, pool, now)
            if person is not None and person not in paged and self.pageable(person, rank):
                return person
        return None

    def _covering(self, r: int, pool, now: float) -> int | None:
        team = self.rota.members[r]
        first = self.rota.on_duty(r, now)
        for step in range(len(team)):
            person = team[(first + step) % len(team)]
            if self.absent(person) or self.role_of(person) not in pool:
                continue
            if self.rota.in_hours(r, person, now):
                return person
        return None

    def _rotations_for(self, layer: int, pool) -> list[int]:
        roles = set(pool)
        return [
            r
            for r, rot_layer in enumerate(self.rota.layer)
            if rot_layer == layer and self.rota.members[r] and self.rota.covers[r] & roles
        ]

    def _notify_executive(self, priority, pool, now, paged, item, kind) -> None:
        """Tell the executive on duty (or the next one present), once per piece of work."""
        if priority not in self.oncall.notify_executive or (kind, item) in self._told:
            return
        if any(layer == EXECUTIVE for _, _, layer, _ in paged):
            return
        for r, layer in enumerate(self.rota.layer):
            team = self.rota.members[r]
            if layer != EXECUTIVE or not team:
                continue
            first = self.rota.on_duty(r, now)
            for step in range(len(team)):
                person = team[(first + step) % len(team)]
                if not self.absent(person):
                    self._told.add((kind, item))
                    self.log.add(now, person, kind, item, EXECUTIVE, PageOutcome.NOTIFIED)
                    return

    def _record(self, paged, best, item, kind) -> None:
        for at, person, layer, _ in paged:
            outcome = PageOutcome.ACKNOWLEDGED if person == best[1] else PageOutcome.TIMED_OUT
            self.log.add(at, person, kind, item, layer, outcome)
