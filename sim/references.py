"""Cross-references inside a scenario: every id used is defined, every needed role is staffed.

Each problem is one line, ``key.path: what is wrong``, with list items named by
their id (``roles[noc-operator].team``) so the user finds them in the file.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario import IncidentClass, Scenario


def reference_problems(s: Scenario) -> list[str]:
    """All cross-reference problems of a scenario, one message each (empty if none)."""
    found: list[str] = []
    for section in ("sites", "teams", "tiers", "shifts", "roles", "priorities", "services"):
        found += _duplicates(section, [item.id for item in getattr(s, section)])
    found += _duplicates("incidents.classes", [c.id for c in s.incidents.classes])
    found += _role_problems(s)
    found += _escalation_problems(s)
    found += _profile_problems(s)
    for cls in s.incidents.classes:
        found += _class_problems(s, cls)
    if found:  # who-can-work checks only make sense once every reference resolves
        return found
    for cls in s.incidents.classes:
        found += _staffing_problems(s, cls)
    return found


def _duplicates(section: str, ids: list[str]) -> list[str]:
    return [f"{section}: id {i!r} is defined {n} times" for i, n in Counter(ids).items() if n > 1]


def _unknown(path: str, kind: str, value: str, known) -> list[str]:
    known = list(known)
    if value in known:
        return []
    listed = ", ".join(known) if known else "none"
    return [f"{path}: {kind} {value!r} is not defined (defined: {listed})"]


def _role_problems(s: Scenario) -> list[str]:
    found = []
    teams, tiers = s.by_id("teams"), s.by_id("tiers")
    sites, shifts = s.by_id("sites"), s.by_id("shifts")
    for role in s.roles:
        path = f"roles[{role.id}]"
        found += _unknown(f"{path}.team", "team", role.team, teams)
        for tier in role.tiers:
            found += _unknown(f"{path}.tiers", "tier", tier, tiers)
        for i, staffing in enumerate(role.staff):
            found += _unknown(f"{path}.staff[{i}].site", "site", staffing.site, sites)
            found += _unknown(f"{path}.staff[{i}].shift", "shift", staffing.shift, shifts)
    return found


def _escalation_problems(s: Scenario) -> list[str]:
    found = _unknown("escalation.triage_tier", "tier", s.triage_tier, s.by_id("tiers"))
    for priority, teams in s.escalation.matrix.items():
        path = f"escalation.matrix.{priority}"
        found += _unknown(path, "priority", priority, s.by_id("priorities"))
        for team in teams:
            found += _unknown(path, "team", team, s.by_id("teams"))
    return found


def _profile_problems(s: Scenario) -> list[str]:
    found = []
    sites = s.by_id("sites")
    for name, profile in s.incidents.profiles.items():
        zone = profile.timezone
        if zone in sites or zone.upper() == "UTC":
            continue
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(zone)
        except Exception:
            found.append(
                f"incidents.profiles.{name}.timezone: {zone!r} is neither a site id nor an "
                "IANA time zone"
            )
    return found


def _class_problems(s: Scenario, cls: IncidentClass) -> list[str]:
    path = f"incidents.classes[{cls.id}]"
    found = _unknown(f"{path}.priority", "priority", cls.priority, s.by_id("priorities"))
    if cls.service is not None:
        found += _unknown(f"{path}.service", "service", cls.service, s.by_id("services"))
    if cls.profile is not None:
        found += _unknown(f"{path}.profile", "profile", cls.profile, s.incidents.profiles)
    for team in cls.engage or ():
        found += _unknown(f"{path}.engage", "team", team, s.by_id("teams"))
    if cls.outage and cls.service is None:
        found.append(f"{path}.outage: an outage needs a service to count against")
    last = cls.resolution[-1]
    if last.escalate > 0:
        found.append(
            f"{path}.resolution[{len(cls.resolution) - 1}].escalate: the last step has no "
            f"tier to escalate to (got {last.escalate}; add a step or set 0)"
        )
    for i, step in enumerate(cls.resolution):
        step_path = f"{path}.resolution[{i}]"
        found += _unknown(f"{step_path}.tier", "tier", step.tier, s.by_id("tiers"))
        for role in step.roles or ():
            found += _unknown(f"{step_path}.roles", "role", role, s.by_id("roles"))
    return found


def _staffing_problems(s: Scenario, cls: IncidentClass) -> list[str]:
    path = f"incidents.classes[{cls.id}]"
    found = _staffing_problem(f"{path} triage", s, cls, s.triage_tier, None)
    for i, step in enumerate(cls.resolution):
        found += _staffing_problem(f"{path}.resolution[{i}]", s, cls, step.tier, step.roles)
    return found


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
