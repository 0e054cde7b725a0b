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
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sim.errors import clip
from sim.scenario.zones import is_time_zone

if TYPE_CHECKING:
    from sim.scenario.schema import IncidentClass, Scenario

SECTIONS = ("sites", "teams", "tiers", "shifts", "roles", "priorities", "services")
"""Top-level lists whose items are defined by ``id``."""


def reference_problems(raw: Mapping[str, Any]) -> list[str]:
    """All cross-reference problems of scenario data, one message each (empty if none)."""
    raw = _mapping(raw)
    defined = _Defined(raw)
    found: list[str] = []
    for section in SECTIONS:
        found += _duplicates(section, defined.ids[section])
    found += _duplicates("incidents.classes", _ids(_mapping(raw.get("incidents")), "classes"))
    found += _role_problems(raw, defined)
    found += _escalation_problems(raw, defined)
    found += _profile_problems(raw, defined)
    found += _absence_problems(raw, defined)
    for k, cls in enumerate(_items(_mapping(raw.get("incidents")), "classes")):
        found += _class_problems(defined, f"incidents.classes[{_name(cls, k)}]", cls)
    return found


def staffing_problems(s: Scenario, classes: Iterable[IncidentClass] | None = None) -> list[str]:
    """Tasks nobody can work: a class's triage or step whose eligible roles have no staff.

    Only meaningful once every reference resolves; ``classes`` defaults to all.
    """
    found: list[str] = []
    for cls in s.incidents.classes if classes is None else classes:
        path = f"incidents.classes[{cls.id}]"
        found += _staffing_problem(f"{path} triage", s, cls, s.triage_tier, None)
        for i, step in enumerate(cls.resolution):
            found += _staffing_problem(f"{path}.resolution[{i}]", s, cls, step.tier, step.roles)
    return found


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


_LISTED = 12  # ids listed in a message


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
        for problem in defined.unknown(path, "site", "sites", site):
            close = difflib.get_close_matches(site, defined.ids["sites"], n=1, cutoff=0.6)
            found.append(problem + (f"; did you mean {_short(close[0])!r}?" if close else ""))
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
