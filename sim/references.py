"""Cross-references inside a scenario: every id used is defined, every needed role is staffed.

Each problem is one line, ``key.path: what is wrong``, with list items named by
their id (``roles[noc-operator].team``) so the user finds them in the file.

The reference checks read the scenario as plain data (the merged YAML mapping,
or a validated scenario dumped to one), so they run even when other values of
the file are invalid and one ``opsim validate`` shows both kinds of problem. A
value of the wrong type is skipped here: the schema reports it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sim.scenario import IncidentClass, Scenario

SECTIONS = ("sites", "teams", "tiers", "shifts", "roles", "priorities", "services")
"""Top-level lists whose items are defined by ``id``."""


def reference_problems(raw: Mapping[str, Any]) -> list[str]:
    """All cross-reference problems of scenario data, one message each (empty if none)."""
    raw = _mapping(raw)
    found: list[str] = []
    for section in SECTIONS:
        found += _duplicates(section, _ids(raw, section))
    found += _duplicates("incidents.classes", _ids(_mapping(raw.get("incidents")), "classes"))
    found += _role_problems(raw)
    found += _escalation_problems(raw)
    found += _profile_problems(raw)
    for k, cls in enumerate(_items(_mapping(raw.get("incidents")), "classes")):
        found += _class_problems(raw, f"incidents.classes[{_name(cls, k)}]", cls)
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


def _unknown(path: str, kind: str, value: Any, known: Iterable[str]) -> list[str]:
    known = list(known)
    if not isinstance(value, str) or value in known:
        return []
    listed = ", ".join(known) if known else "none"
    return [f"{path}: {kind} {value!r} is not defined (defined: {listed})"]


def _role_problems(raw: Mapping[str, Any]) -> list[str]:
    found = []
    teams, tiers = _ids(raw, "teams"), _ids(raw, "tiers")
    sites, shifts = _ids(raw, "sites"), _ids(raw, "shifts")
    for r, role in enumerate(_items(raw, "roles")):
        path = f"roles[{_name(role, r)}]"
        found += _unknown(f"{path}.team", "team", role.get("team"), teams)
        for tier in _strings(role.get("tiers")):
            found += _unknown(f"{path}.tiers", "tier", tier, tiers)
        for i, staffing in enumerate(_items(role, "staff")):
            found += _unknown(f"{path}.staff[{i}].site", "site", staffing.get("site"), sites)
            found += _unknown(f"{path}.staff[{i}].shift", "shift", staffing.get("shift"), shifts)
    return found


def _escalation_problems(raw: Mapping[str, Any]) -> list[str]:
    escalation = _mapping(raw.get("escalation"))
    tiers = _ids(raw, "tiers")
    found = _unknown("escalation.triage_tier", "tier", escalation.get("triage_tier"), tiers)
    for priority, teams in _mapping(escalation.get("matrix")).items():
        path = f"escalation.matrix.{priority}"
        found += _unknown(path, "priority", priority, _ids(raw, "priorities"))
        for team in _strings(teams):
            found += _unknown(path, "team", team, _ids(raw, "teams"))
    return found


def _profile_problems(raw: Mapping[str, Any]) -> list[str]:
    found = []
    sites = _ids(raw, "sites")
    profiles = _mapping(_mapping(raw.get("incidents")).get("profiles"))
    for name, profile in profiles.items():
        zone = _mapping(profile).get("timezone", "UTC")
        if not isinstance(zone, str) or zone in sites or zone.upper() == "UTC":
            continue
        if not _is_zone(zone):
            found.append(
                f"incidents.profiles.{name}.timezone: {zone!r} is neither a site id nor an "
                "IANA time zone"
            )
    return found


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except Exception:  # zoneinfo raises several types for bad names (ValueError, OSError, ...)
        return False
    return True


def _class_problems(raw: Mapping[str, Any], path: str, cls: Mapping[str, Any]) -> list[str]:
    found = _unknown(f"{path}.priority", "priority", cls.get("priority"), _ids(raw, "priorities"))
    found += _unknown(f"{path}.service", "service", cls.get("service"), _ids(raw, "services"))
    profiles = _mapping(_mapping(raw.get("incidents")).get("profiles"))
    found += _unknown(f"{path}.profile", "profile", cls.get("profile"), profiles)
    for team in _strings(cls.get("engage")):
        found += _unknown(f"{path}.engage", "team", team, _ids(raw, "teams"))
    if cls.get("outage") is True and cls.get("service") is None:
        found.append(f"{path}.outage: an outage needs a service to count against")
    return found + _step_problems(raw, path, _items(cls, "resolution"))


def _step_problems(raw: Mapping[str, Any], path: str, steps: list[Mapping]) -> list[str]:
    found = []
    escalate = steps[-1].get("escalate", 0) if steps else 0
    if _is_number(escalate) and escalate > 0:
        found.append(
            f"{path}.resolution[{len(steps) - 1}].escalate: the last step has no "
            f"tier to escalate to (got {escalate}; add a step or set 0)"
        )
    for i, step in enumerate(steps):
        step_path = f"{path}.resolution[{i}]"
        found += _unknown(f"{step_path}.tier", "tier", step.get("tier"), _ids(raw, "tiers"))
        for role in _strings(step.get("roles")):
            found += _unknown(f"{step_path}.roles", "role", role, _ids(raw, "roles"))
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
