"""Cross-references of the money and change sections: sites priced, roles hired, streams
and priorities named by effects, and what deployments name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.scenario.references import (
    _Defined,
    _did_you_mean,
    _duplicates,
    _ids,
    _items,
    _listed,
    _listed_twice,
    _mapping,
    _name,
    _short,
)


def money_problems(raw: Mapping[str, Any], defined: _Defined) -> list[str]:
    """Sites priced, roles hired, and the classes and profiles deployments name."""
    found = []
    for site in _mapping(_mapping(raw.get("costs")).get("site_levels")):
        found += defined.unknown_or_close("costs.site_levels", "site", "sites", site)
    budget = _mapping(raw.get("budget"))
    hire = _listed(budget.get("hire_order"))
    for role in hire:
        found += defined.unknown_or_close("budget.hire_order", "role", "roles", role)
    found += _listed_twice("budget.hire_order", "role", hire)
    effects = _mapping(budget.get("effects"))
    streams = _ids(raw, "streams")
    for stream in _listed(_mapping(effects.get("alert_noise")).get("streams")):
        if isinstance(stream, str) and stream not in streams:
            found.append(
                f"budget.effects.alert_noise.streams: stream {_short(stream)!r} is not defined"
                + _did_you_mean(stream, streams)
            )
    for priority in _listed(_mapping(effects.get("self_resolving")).get("priorities")):
        found += defined.unknown_or_close(
            "budget.effects.self_resolving.priorities", "priority", "priorities", priority
        )
    classes = _ids(_mapping(raw.get("incidents")), "classes")
    sources = _items(_mapping(raw.get("changes")), "deployments")
    found += _duplicates("changes.deployments", _ids(_mapping(raw.get("changes")), "deployments"))
    fed = {source.get("incident_class") for source in sources}
    for k, cls in enumerate(_items(_mapping(raw.get("incidents")), "classes")):
        if cls.get("rate_per_day") == 0 and cls.get("id") not in fed:
            found.append(
                f"incidents.classes[{_name(cls, k)}].rate_per_day: is 0 and no deployment source "
                "names the class (changes.deployments[].incident_class): it would never occur"
            )
    for k, source in enumerate(sources):
        path = f"changes.deployments[{_name(source, k)}]"
        found += defined.unknown_or_close(
            f"{path}.profile", "profile", "profiles", source.get("profile")
        )
        found += defined.unknown_or_close(
            f"{path}.service", "service", "services", source.get("service")
        )
        name = source.get("incident_class")
        if isinstance(name, str) and name not in classes:
            found.append(
                f"{path}.incident_class: class {_short(name)!r} is not defined"
                + _did_you_mean(name, classes)
            )
    return found
