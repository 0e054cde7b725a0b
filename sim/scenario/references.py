"""Cross-references inside a scenario: every id used is defined, every needed role is staffed.

Each problem is one line, ``key.path: what is wrong``, with list items named by
their id (``roles[noc-operator].team``) so the user finds them in the file.

The reference checks read the scenario as plain data (the merged YAML mapping,
or a validated scenario dumped to one), so they run even when other values of
the file are invalid and one ``opsim validate`` shows both kinds of problem. A
value of the wrong type is skipped here: the schema reports it.
"""

from __future__ import annotations

import difflib
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sim.errors import clip
from sim.scenario.zones import is_time_zone

if TYPE_CHECKING:
    from sim.scenario.schema import IncidentClass, Scenario
    from sim.scenario.work import Attendees

SECTIONS = ("sites", "teams", "tiers", "shifts", "roles", "priorities", "services")
"""Top-level lists whose items are defined by ``id``."""
WORK = ("planned", "streams")
"""Top-level lists of non-incident work whose items are defined by ``id``."""


def reference_problems(raw: Mapping[str, Any]) -> list[str]:
    """All cross-reference problems of scenario data, one message each (empty if none)."""
    raw = _mapping(raw)
    defined = _Defined(raw)
    found: list[str] = []
    for section in SECTIONS:
        found += _duplicates(section, defined.ids[section])
    found += _duplicates("incidents.classes", _ids(_mapping(raw.get("incidents")), "classes"))
    for section in WORK:
        found += _duplicates(section, _ids(raw, section))
    found += _role_problems(raw, defined)
    found += _escalation_problems(raw, defined)
    found += _profile_problems(raw, defined)
    found += _absence_problems(raw, defined)
    for k, cls in enumerate(_items(_mapping(raw.get("incidents")), "classes")):
        found += _class_problems(defined, f"incidents.classes[{_name(cls, k)}]", cls)
    found += _planned_problems(raw, defined)
    found += _stream_problems(raw, defined)
    training = _mapping(raw.get("training"))
    found += _interrupting_problems(
        defined, "training.interrupted_by", training.get("interrupted_by")
    )
    tier = _mapping(training.get("initial")).get("max_tier")
    found += defined.unknown("training.initial.max_tier", "tier", "tiers", tier)
    for value in _listed(_mapping(raw.get("escalation")).get("parallel")):
        found += defined.unknown_or_close("escalation.parallel", "priority", "priorities", value)
    from sim.scenario.references_money import money_problems  # it reads this module's helpers

    found += money_problems(raw, defined)
    return found + _oncall_problems(_mapping(raw.get("oncall")), defined)


def _rotation_people(s: Scenario) -> list[str]:
    """Rotation members named one by one must be people of the scenario."""
    rotations = s.oncall.rotations
    if not any(rot.people for rot in rotations):
        return []
    names = s.person_names()
    known = set(names)
    return [
        f"oncall.rotations[{rot.id}].people: nobody is called {_short(name)!r}"
        + _did_you_mean(name, names)
        for rot in rotations
        for name in rot.people
        if name not in known
    ]


def _oncall_problems(oncall: Mapping[str, Any], defined: _Defined) -> list[str]:
    """Rotations name defined roles, teams and sites; priorities named are defined."""
    found = _duplicates("oncall.rotations", _ids(oncall, "rotations"))
    for k, rot in enumerate(_items(oncall, "rotations")):
        path = f"oncall.rotations[{_name(rot, k)}]"
        for key, kind in (*_ATTENDEES, ("covers", "role")):
            section = "roles" if key == "covers" else key
            for value in _listed(rot.get(key)):
                found += defined.unknown_or_close(f"{path}.{key}", kind, section, value)
        zone = _mapping(rot.get("handover")).get("timezone")
        found += _zone_problems(defined, f"{path}.handover.timezone", zone, local=False)
    for value in _listed(oncall.get("notify_executive")):
        found += defined.unknown_or_close(
            "oncall.notify_executive", "priority", "priorities", value
        )
    for value in _mapping(oncall.get("escalate_after_by_priority")):
        found += defined.unknown_or_close(
            "oncall.escalate_after_by_priority", "priority", "priorities", value
        )
    return found


def staffing_problems(s: Scenario, classes: Iterable[IncidentClass] | None = None) -> list[str]:
    """Work nobody can do: a class's triage or step whose eligible roles have no staff, a
    work stream whose roles have none, a planned operation whose attendees match nobody.

    Only meaningful once every reference resolves; ``classes`` defaults to all.
    """
    found: list[str] = []
    for cls in s.incidents.classes if classes is None else classes:
        path = f"incidents.classes[{cls.id}]"
        found += _staffing_problem(f"{path} triage", s, cls, s.triage_tier, None)
        for i, step in enumerate(cls.resolution):
            found += _staffing_problem(f"{path}.resolution[{i}]", s, cls, step.tier, step.roles)
    found += _rotation_people(s)
    if not (s.streams or s.planned):
        return found
    staffed = Headcounts(s)
    for stream in s.streams:
        if not any(staffed.of_role(r) for r in stream.roles):
            found.append(
                f"streams[{stream.id}].roles: nobody can work this stream: "
                f"{_have_no_staff(stream.roles)}"
            )
    for op in s.planned:
        if not staffed.attending(op.attendees):
            found.append(
                f"planned[{op.id}].attendees: nobody matches: {_nobody(op.attendees)}, so it "
                "would never take place"
            )
    return found


class Headcounts:
    """People of each role at each site (lines of staff with nobody left out), counted once
    for the checks and bounds that ask who may attend planned work."""

    def __init__(self, s: Scenario):
        self.team = {role.id: role.team for role in s.roles}
        self.at: dict[str, dict[str, int]] = {}
        for role in s.roles:
            sites = self.at.setdefault(role.id, {})
            for line in role.staff:
                if line.count > 0:
                    sites[line.site] = sites.get(line.site, 0) + line.count

    def of_role(self, role: str) -> int:
        """People holding ``role`` anywhere."""
        return sum(self.at.get(role, {}).values())

    def attending(self, who: Attendees) -> int:
        """People ``who`` names, on shift or not (the candidates of every occurrence)."""
        roles, teams, sites = set(who.roles), set(who.teams), set(who.sites)
        total = 0
        for role, at in self.at.items():
            named = role in roles or self.team[role] in teams
            if (roles or teams) and not named:  # everyone, or sites alone, names every role
                continue
            if not sites:
                total += sum(at.values())
            elif len(sites) < len(at):
                total += sum(at.get(site, 0) for site in sites)
            else:
                total += sum(n for site, n in at.items() if site in sites)
        return total


# -- plain-data access: anything of the wrong shape reads as absent --------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(node: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = node.get(key)
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _ids(node: Mapping[str, Any], key: str) -> list[str]:
    return [item["id"] for item in _items(node, key) if isinstance(item.get("id"), str)]


def _listed(value: Any) -> list[str]:
    """The texts of a list (a lone text is a wrong type here, which the schema reports)."""
    return _strings(value) if isinstance(value, list | tuple) else []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _name(item: Mapping[str, Any], index: int) -> str:
    ident = item.get("id")
    return str(ident) if isinstance(ident, str) else str(index)


# -- the checks ------------------------------------------------------------------------------


def _duplicates(section: str, ids: list[str]) -> list[str]:
    return [f"{section}: id {i!r} is defined {n} times" for i, n in Counter(ids).items() if n > 1]


class _Defined:
    """The ids each section defines, gathered once (a scenario may name thousands)."""

    def __init__(self, raw: Mapping[str, Any]):
        profiles = _mapping(_mapping(raw.get("incidents")).get("profiles"))
        self.ids = {section: _ids(raw, section) for section in SECTIONS}
        self.ids["profiles"] = [str(name) for name in profiles]
        self._sets = {section: set(ids) for section, ids in self.ids.items()}

    def unknown(self, path: str, kind: str, section: str, value: Any) -> list[str]:
        """The problem of ``value`` if it is not an id of ``section`` (none if not text)."""
        if not isinstance(value, str) or value in self._sets[section]:
            return []
        known = self.ids[section]
        listed = ", ".join(_short(i) for i in known[:_LISTED]) or "none"
        if len(known) > _LISTED:
            listed += f" and {len(known) - _LISTED} more"
        return [f"{path}: {kind} {_short(value)!r} is not defined (defined: {listed})"]

    def unknown_or_close(self, path: str, kind: str, section: str, value: Any) -> list[str]:
        """:meth:`unknown`, suggesting the defined id closest to ``value``."""
        return [
            problem + _did_you_mean(value, self.ids[section])
            for problem in self.unknown(path, kind, section, value)
        ]

    def priority_order(self) -> dict[str, int]:
        """Rank of each priority id, 0 for the most urgent (the first of ``priorities``)."""
        return {p: rank for rank, p in enumerate(dict.fromkeys(self.ids["priorities"]))}

    def is_site(self, value: str) -> bool:
        """Whether ``value`` is a site id."""
        return value in self._sets["sites"]


_LISTED = 12  # ids listed in a message


def _did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the candidate closest to ``value`` (in any case), or ''."""
    by_case = {}
    for candidate in candidates:
        by_case.setdefault(candidate.casefold(), candidate)
    close = difflib.get_close_matches(value.casefold(), list(by_case), n=1, cutoff=0.6)
    return f"; did you mean {_short(by_case[close[0]])!r}?" if close else ""


def _and(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (at most the first few, then how many more)."""
    shown = [_short(n) for n in names[:_LISTED]]
    if len(names) > _LISTED:
        return f"{', '.join(shown)} and {len(names) - _LISTED} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _short(text: str) -> str:
    return clip(text, 40)


def _role_problems(raw: Mapping[str, Any], defined: _Defined) -> list[str]:
    found = []
    for r, role in enumerate(_items(raw, "roles")):
        path = f"roles[{_name(role, r)}]"
        found += defined.unknown(f"{path}.team", "team", "teams", role.get("team"))
        for tier in _strings(role.get("tiers")):
            found += defined.unknown(f"{path}.tiers", "tier", "tiers", tier)
        for i, staffing in enumerate(_items(role, "staff")):
            at = f"{path}.staff[{i}]"
            found += defined.unknown(f"{at}.site", "site", "sites", staffing.get("site"))
            found += defined.unknown(f"{at}.shift", "shift", "shifts", staffing.get("shift"))
    return found


def _escalation_problems(raw: Mapping[str, Any], defined: _Defined) -> list[str]:
    escalation = _mapping(raw.get("escalation"))
    triage = escalation.get("triage_tier")
    found = defined.unknown("escalation.triage_tier", "tier", "tiers", triage)
    for priority, teams in _mapping(escalation.get("matrix")).items():
        path = f"escalation.matrix.{priority}"
        found += defined.unknown(path, "priority", "priorities", priority)
        for team in _strings(teams):
            found += defined.unknown(path, "team", "teams", team)
    return found


def _profile_problems(raw: Mapping[str, Any], defined: _Defined) -> list[str]:
    found = []
    profiles = _mapping(_mapping(raw.get("incidents")).get("profiles"))
    for name, profile in profiles.items():
        zone = _mapping(profile).get("timezone", "UTC")
        if not isinstance(zone, str) or zone in defined.ids["sites"] or zone.upper() == "UTC":
            continue
        if not is_time_zone(zone):
            found.append(
                f"incidents.profiles.{name}.timezone: {_short(zone)!r} is neither a site id nor "
                "an IANA time zone"
            )
    return found


def _absence_problems(raw: Mapping[str, Any], defined: _Defined) -> list[str]:
    found = []
    for site in _mapping(_mapping(raw.get("absence")).get("annual_leave_days")):
        path = f"absence.annual_leave_days.{_short(str(site))}"
        found += defined.unknown_or_close(path, "site", "sites", site)
    return found


_ATTENDEES = (("roles", "role"), ("teams", "team"), ("sites", "site"))


def _planned_problems(raw: Mapping[str, Any], defined: _Defined) -> list[str]:
    found = []
    for k, op in enumerate(_items(raw, "planned")):
        path = f"planned[{_name(op, k)}]"
        who = _mapping(op.get("attendees"))
        for key, kind in _ATTENDEES:
            named = _listed(who.get(key))
            for value in named:
                found += defined.unknown_or_close(f"{path}.attendees.{key}", kind, key, value)
            found += _listed_twice(f"{path}.attendees.{key}", kind, named)
        found += _zone_problems(defined, f"{path}.timezone", op.get("timezone"))
        found += _interrupting_problems(defined, f"{path}.interrupted_by", op.get("interrupted_by"))
    return found


def _zone_problems(defined: _Defined, path: str, zone: Any, local: bool = True) -> list[str]:
    """A time zone: ('local',) 'UTC', a site id or an IANA zone."""
    if not isinstance(zone, str) or defined.is_site(zone) or is_time_zone(zone):
        return []
    if local and zone == "local":
        return []
    zones = sorted(name for name in zoneinfo.available_timezones() if is_time_zone(name))
    hint = _did_you_mean(
        zone, [*(["local"] if local else []), "UTC", *defined.ids["sites"], *zones]
    )
    options = "neither 'local', 'UTC', a site id nor" if local else "neither 'UTC', a site id nor"
    return [f"{path}: {_short(zone)!r} is {options} an IANA time zone" + hint]


def _stream_problems(raw: Mapping[str, Any], defined: _Defined) -> list[str]:
    found = []
    for k, stream in enumerate(_items(raw, "streams")):
        path = f"streams[{_name(stream, k)}]"
        roles = _listed(stream.get("roles"))
        for role in roles:
            found += defined.unknown_or_close(f"{path}.roles", "role", "roles", role)
        found += _listed_twice(f"{path}.roles", "role", roles)
        profile = stream.get("profile")
        found += defined.unknown_or_close(f"{path}.profile", "profile", "profiles", profile)
        interrupting = stream.get("interrupted_by")
        if interrupting != "all":
            found += _interrupting_problems(defined, f"{path}.interrupted_by", interrupting)
    return found


def _listed_twice(path: str, kind: str, names: list[str]) -> list[str]:
    return [
        f"{path}: {kind} {_short(name)!r} is listed {n} times"
        for name, n in Counter(names).items()
        if n > 1
    ]


def _interrupting_problems(defined: _Defined, path: str, value: Any) -> list[str]:
    """Priorities that may interrupt work: defined, each once, and the most urgent ones."""
    names = _listed(value)
    found = []
    for name in names:
        found += defined.unknown_or_close(path, "priority", "priorities", name)
    found += _listed_twice(path, "priority", names)
    rank = defined.priority_order()
    if not names or any(name not in rank for name in names):
        return found
    least = max(names, key=rank.__getitem__)
    listed = set(names)
    missing = [p for p in rank if rank[p] < rank[least] and p not in listed]
    if missing:
        found.append(
            f"{path}: if {_short(least)} may interrupt it, so must {_and(missing)} (the "
            "priorities that interrupt are the most urgent ones, from the top of priorities)"
        )
    return found


def _class_problems(defined: _Defined, path: str, cls: Mapping[str, Any]) -> list[str]:
    found = defined.unknown(f"{path}.priority", "priority", "priorities", cls.get("priority"))
    found += defined.unknown(f"{path}.service", "service", "services", cls.get("service"))
    found += defined.unknown(f"{path}.profile", "profile", "profiles", cls.get("profile"))
    for team in _strings(cls.get("engage")):
        found += defined.unknown(f"{path}.engage", "team", "teams", team)
    if cls.get("outage") is True and cls.get("service") is None:
        found.append(f"{path}.outage: an outage needs a service to count against")
    return found + _step_problems(defined, path, _items(cls, "resolution"))


def _step_problems(defined: _Defined, path: str, steps: list[Mapping]) -> list[str]:
    found = []
    escalate = steps[-1].get("escalate", 0) if steps else 0
    if _is_number(escalate) and escalate > 0:
        found.append(
            f"{path}.resolution[{len(steps) - 1}].escalate: the last step has no "
            f"tier to escalate to (got {escalate}; add a step or set 0)"
        )
    for i, step in enumerate(steps):
        at = f"{path}.resolution[{i}]"
        found += defined.unknown(f"{at}.tier", "tier", "tiers", step.get("tier"))
        for role in _strings(step.get("roles")):
            found += defined.unknown(f"{at}.roles", "role", "roles", role)
    return found


def _have_no_staff(roles: Iterable[str]) -> str:
    roles = list(dict.fromkeys(roles))
    have = "has" if len(roles) == 1 else "have"
    return f"{_kinds('role', roles)} {have} no staff anywhere"


def _nobody(who: Attendees) -> str:
    """Whom ``who`` names, for the message that it names nobody on the staff."""
    named = [_kinds(kind, names) for kind, names in (("role", who.roles), ("team", who.teams))]
    people = " or of ".join(n for n in named if n)
    people = f"no staff of {people}" if people else "no staff"
    return f"{people} at {_kinds('site', who.sites)}" if who.sites else f"{people} anywhere"


def _kinds(kind: str, names: Iterable[str]) -> str:
    """``role a``, ``roles a and b``; '' for no names."""
    names = list(dict.fromkeys(names))
    if not names:
        return ""
    return f"{kind} {_short(names[0])}" if len(names) == 1 else f"{kind}s {_and(names)}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _staffing_problem(path, s: Scenario, cls: IncidentClass, tier: str, only) -> list[str]:
    roles = s.by_id("roles")
    eligible = s.eligible_roles(cls, tier, only)
    if any(s.headcount(roles[r]) > 0 for r in eligible):
        return []
    if eligible:
        who = f"roles {', '.join(eligible)} have no staff anywhere"
    else:
        limit = f" among {', '.join(only)}" if only else ""
        who = f"no role{limit} works tier {tier!r} for category {cls.category!r}"
    return [f"{path}: nobody can work tier {tier!r} for this class: {who}"]
