"""``opsim validate`` and ``opsim schema``: check a scenario file; print the JSON Schema."""

from __future__ import annotations

import json

from sim.cli.common import as_funded, load, plural, scenario_arguments, warn
from sim.scenario import bounds

VALIDATE_MODULES = ("sim.scenario.loader", "sim.scenario.spending", "sim.analysis.feasibility")

SCHEMA_MODULES = ("sim.scenario.loader",)


def add_parsers(commands) -> None:
    """Register ``validate`` and ``schema``."""
    parser = commands.add_parser("validate", help="check a scenario file, report every problem")
    scenario_arguments(parser)
    parser.set_defaults(handler=_validate, modules=VALIDATE_MODULES)
    schema = commands.add_parser("schema", help="print the scenario JSON Schema")
    schema.set_defaults(handler=_schema, modules=SCHEMA_MODULES)


def _validate(args) -> int:
    scenario, _ = load(args)
    funded = as_funded(scenario, args.scenario)
    warn(funded, args.scenario)
    people = sum(scenario.headcount(r) for r in scenario.roles)
    paid = sum(funded.headcount(r) for r in funded.roles)
    people_text = plural(people, "person", "people")
    if paid != people:
        people_text += f" ({paid} with the budget's split)"
    per_day = bounds.expected_incidents(funded) / scenario.calendar.days
    print(
        f"{args.scenario}: ok — {scenario.name}: {people_text} in "
        f"{plural(len(scenario.roles), 'role')}, {plural(len(scenario.sites), 'site')}, "
        f"{plural(len(scenario.incidents.classes), 'incident class', 'incident classes')}, "
        f"{per_day:.2f} incidents/day expected"
    )
    return 0


def _schema(args) -> int:
    from sim.scenario.loader import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return 0
