"""Reading scenario files: YAML, ``extends`` inheritance, ``--set`` overrides, clear errors.

Whatever the source (file, parent files, command-line overrides), the merged
mapping is validated once by the pydantic schema, and every problem becomes a
one-line message naming the file and the key path. One validation reports
every problem it can: field errors, and alongside them the cross-references
(which read plain data) and, where the sections they need are valid, the
staffing checks and bounds; a check that must wait says so in a note.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from sim.errors import ScenarioError
from sim.scenario.bounds import bound_problems
from sim.scenario.diagnostics import describe, field_locations, readable_path
from sim.scenario.references import reference_problems, staffing_problems
from sim.scenario.schema import IncidentClass, Scenario
from sim.scenario.yamlfile import MAX_DEPTH, parse_yaml, read_yaml

__all__ = ["ScenarioError", "load_scenario", "load_variants", "load_with_sources", "validate"]

MAX_EXTENDS = 32
"""Longest ``extends`` chain (a scenario, its parent, the parent's parent, ...)."""
_STAFFING_NEEDS = frozenset({"roles", "tiers", "teams", "escalation", "streams", "planned"})
_BOUNDS_NEED = frozenset(
    {"calendar", "roles", "incidents", "sites", "streams", "planned", "training"}
)


def load_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    """Read, merge and validate a scenario file.

    Parameters
    ----------
    path
        YAML scenario file; ``extends:`` names a parent file relative to it.
    overrides
        ``"dotted.key=value"`` strings (values parsed as YAML) or a mapping of
        dotted keys to values, applied after inheritance.

    Raises
    ------
    ScenarioError
        With one message per problem.
    """
    return load_with_sources(path, overrides)[0]


def load_with_sources(
    path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()
) -> tuple[Scenario, tuple[Path, ...]]:
    """:func:`load_scenario`, and the files it read (the scenario, then its parents)."""
    path = Path(path)
    raw, sources = read_merged(path)
    return _overridden(path, raw, overrides), sources


def load_variants(
    path: str | Path, variants: Iterable[Iterable[str] | Mapping[str, Any]]
) -> tuple[list[Scenario | ScenarioError], tuple[Path, ...]]:
    """One scenario per set of overrides, reading the file (and its parents) once.

    A variant that does not validate gives its :class:`ScenarioError` in its place.
    """
    path = Path(path)
    raw, sources = read_merged(path)
    found: list[Scenario | ScenarioError] = []
    for overrides in variants:
        try:
            found.append(_overridden(path, copy.deepcopy(raw), overrides))
        except ScenarioError as exc:
            found.append(exc)
    return found, sources


def _overridden(path: Path, raw: dict[str, Any], overrides) -> Scenario:
    """``raw`` (a file's merged mapping) with ``overrides`` applied, validated."""
    original = copy.deepcopy(raw)
    items = overrides.items() if isinstance(overrides, Mapping) else map(_split, overrides)
    problems: list[str] = []
    replaced: list[tuple] = []
    for key, value in items:
        if key.split(".")[0] == "extends":
            problems.append(f"{path}: --set {key}: a parent can only be named in a scenario file")
            continue
        try:
            at = set_dotted(raw, key, value)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            problems.append(f"{path}: --set {key}: {exc.args[0]}")
            continue
        if _has(original, at):
            replaced.append(at)
    if problems:
        raise ScenarioError(problems)
    hidden = _overridden_problems(original, replaced, str(path))
    try:
        scenario = validate(raw, source=str(path))
    except ScenarioError as exc:
        raise ScenarioError(hidden + exc.problems, exc.notes) from None
    if hidden:
        raise ScenarioError(hidden)
    return scenario


def validate(raw: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping, turning pydantic errors into readable lines."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        lines, notes = describe(exc, raw), []
        if field_locations(exc):  # the whole-scenario checks did not run: run what can
            more, notes = _checks_beside_field_errors(raw, exc)
            lines += more
        raise ScenarioError([f"{source}: {line}" for line in lines], notes) from None
    except RecursionError:  # bounded nesting makes this unlikely; never a traceback
        raise ScenarioError([f"{source}: nested too deeply to validate"]) from None


def read_merged(path: Path) -> tuple[dict[str, Any], tuple[Path, ...]]:
    """Load a YAML file and the chain of files it ``extends``, merged; and the files read."""
    chain: list[dict[str, Any]] = []
    files: list[Path] = []
    current: Path | None = path
    while current is not None:
        raw = read_yaml(current)
        if not isinstance(raw, dict):
            empty = " (the file is empty)" if raw is None else ""
            raise ScenarioError(
                [f"{current}: expected a mapping of scenario sections at the top{empty}"]
            )
        chain.append(raw)
        files.append(current)
        current = _parent_of(current, raw.pop("extends", None), files)
    merged = chain.pop()
    while chain:
        merged = deep_merge(merged, chain.pop())
    return merged, tuple(files)


def _parent_of(path: Path, parent: Any, seen: list[Path]) -> Path | None:
    if parent is None:
        return None
    if not isinstance(parent, str) or not parent.strip():
        got = f"got {type(parent).__name__} {parent!r}"[:80]
        raise ScenarioError(
            [f"{path}: extends: must be one file path (a scenario extends one parent), {got}"]
        )
    try:
        parent_path = (path.parent / parent).resolve()
        cycle = parent_path in {p.resolve() for p in seen}
        folder, exists = parent_path.is_dir(), parent_path.exists()
    except (OSError, ValueError, RuntimeError) as exc:  # NUL byte, name too long, link loop
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError(
            [f"{path}: extends: {parent[:80]!r} cannot be used: {reason}"]
        ) from None
    if cycle:
        raise ScenarioError([f"{path}: extends: {parent} forms a cycle"])
    if folder:
        raise ScenarioError([f"{path}: extends: {parent} is a folder, not a scenario file"])
    if not exists:
        raise ScenarioError(
            [
                f"{path}: extends: {parent} not found (looked for {parent_path}; the path is "
                "relative to the extending file)"
            ]
        )
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(
            [f"{path}: extends: the chain is longer than {MAX_EXTENDS} files (from {seen[0]})"]
        )
    return parent_path


def _checks_beside_field_errors(raw: Mapping[str, Any], exc: ValidationError):
    """Cross-references always; staffing and bounds where the sections they read are valid."""
    references = reference_problems(raw)
    found = list(references)
    bad = {loc[0] for loc in field_locations(exc)}
    waiting = []
    if references or bad & _STAFFING_NEEDS:
        waiting.append("who can work each tier")
    else:
        classes, invalid = _valid_classes(raw)
        found += staffing_problems(_partial(raw, _STAFFING_NEEDS), classes)
        if invalid:
            waiting.append("who can work the tiers of the classes with problems")
    if references or bad & _BOUNDS_NEED:
        waiting.append("the bounds on headcount and incident volume")
    else:
        found += bound_problems(_partial(raw, _BOUNDS_NEED))
    notes = [f"checks of {' and of '.join(waiting)} run once the problems above are fixed"]
    return found, notes if waiting else []


def _partial(raw: Mapping[str, Any], sections: Iterable[str]) -> Scenario:
    """A scenario of only ``sections`` (each valid on its own), for the checks that read them."""
    values = {name: _section(name).validate_python(raw[name]) for name in sections if name in raw}
    return Scenario.model_construct(**values)


@cache
def _section(name: str) -> TypeAdapter:
    field = Scenario.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, field])


def _valid_classes(raw: Mapping[str, Any]) -> tuple[list[IncidentClass], int]:
    """The incident classes that are valid on their own, and how many are not."""
    incidents = raw.get("incidents")
    items = incidents.get("classes") if isinstance(incidents, Mapping) else None
    valid, invalid = [], 0
    for item in items if isinstance(items, list) else []:
        try:
            valid.append(IncidentClass.model_validate(item))
        except ValidationError:
            invalid += 1
    return valid, invalid


def _overridden_problems(original: dict[str, Any], replaced: list[tuple], source: str):
    """Problems of the file's own values at keys an override replaced: the file must be valid."""
    if not replaced:
        return []
    try:
        Scenario.model_validate(original)
    except ValidationError as exc:
        at = [readable_path(loc, original) for loc in replaced]
        lines = [line for line in describe(exc, original) if _under(line, at)]
        return [
            f"{source}: {line} (the file's value, overridden on the command line)" for line in lines
        ]
    return []


def _under(line: str, paths: list[str]) -> bool:
    return any(line.startswith(p) and line[len(p) : len(p) + 1] in (":", ".", "[") for p in paths)


def _has(raw: Any, at: tuple) -> bool:
    node = raw
    for part in at:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            return False
        node = node[part]
    return True


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario *file* (the model's schema plus the file-only ``extends``)."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Parent scenario file, relative to this file; this file's keys override it.",
    }
    return schema


def deep_merge(base: Any, override: Any) -> Any:
    """Merge ``override`` into ``base``: mappings recursively, id'd lists by id, else replace."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    if override and _is_id_list(base) and _is_id_list(override):
        return _merge_by_id(base, override)
    return copy.deepcopy(override)


def _merge_by_id(base: list[dict], override: list[dict]) -> list[dict]:
    """Items of ``override`` change the ``base`` item of their id or are added. An id given
    twice in either list stays twice, for validation to report."""
    merged = list(base)
    first = {}
    for position, item in enumerate(merged):
        first.setdefault(item["id"], position)
    changed = set()
    for item in override:
        position = first.get(item["id"])
        if position is None or item["id"] in changed:
            merged.append(item)
        else:
            merged[position] = deep_merge(merged[position], item)
            changed.add(item["id"])
    return merged


def set_dotted(raw: dict[str, Any], key: str, value: Any) -> tuple[str | int, ...]:
    """Set ``a.b.c`` in nested data; list items are addressed by index or by id.

    Returns the path set, with list items as indices (``("roles", 0, "team")``).
    """
    parts = key.split(".")
    if "" in parts or len(parts) > MAX_DEPTH:
        raise ValueError(f"expected dotted.key.path (at most {MAX_DEPTH} parts, none empty)")
    *parents, last = parts
    node: Any = raw
    at: list[str | int] = []
    for part in parents:
        node, step = _child(node, part)
        at.append(step)
    if isinstance(node, list):
        index = _list_index(node, last)
        node[index] = value
        at.append(index if index >= 0 else index + len(node))
    elif isinstance(node, dict):
        node[last] = value
        at.append(last)
    else:
        raise TypeError(f"{last!r} is inside a value that is not a mapping or list")
    return tuple(at)


def _child(node: Any, part: str) -> tuple[Any, str | int]:
    if isinstance(node, list):
        index = _list_index(node, part)
        return node[index], index if index >= 0 else index + len(node)
    if not isinstance(node, dict):
        raise TypeError(f"{part!r} is inside a value that is not a mapping or list")
    if part not in node:
        node[part] = {}
    return node[part], part


def _list_index(items: list, part: str) -> int:
    """The item with id ``part``, else the item at index ``part`` (an id "0" wins over index 0)."""
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    if re.fullmatch(r"-?[0-9]+", part):
        index = int(part)
        if not -len(items) <= index < len(items):
            size = f"{len(items)} item{'s' if len(items) != 1 else ''}"
            raise IndexError(f"index {index} is out of range (the list has {size})")
        return index
    ids = [str(item.get("id"))[:40] for item in items if isinstance(item, dict)][:12]
    raise KeyError(f"no item with id {part[:40]!r} (have: {', '.join(ids) or 'none'})")


def _split(assignment: str) -> tuple[str, Any]:
    key, sep, text = assignment.partition("=")
    if not sep or not key:
        raise ScenarioError([f"--set {assignment!r}: expected dotted.key=value"])
    key = key.strip()
    try:
        return key, parse_yaml(text, f"--set {key}") if text.strip() else ""
    except ScenarioError as exc:
        problem = exc.problems[0].removeprefix(f"--set {key}: ")
        raise ScenarioError([f"--set {key}: value is not valid YAML: {problem}"]) from None


def _is_id_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(i, dict) and isinstance(i.get("id"), str) for i in value
    )
