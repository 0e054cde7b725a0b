"""Reading scenario files: YAML, ``extends`` inheritance, ``--set`` overrides, clear errors.

Whatever the source (file, parent files, command-line overrides), the merged
mapping is validated once by the pydantic schema, and every problem becomes a
one-line message naming the file and the key path.
"""

from __future__ import annotations

import copy
import difflib
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario import Scenario


class ScenarioError(Exception):
    """A scenario that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


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
    path = Path(path)
    raw = read_merged(path)
    items = overrides.items() if isinstance(overrides, Mapping) else map(_split, overrides)
    problems: list[str] = []
    for key, value in items:
        try:
            set_dotted(raw, key, value)
        except (KeyError, IndexError, TypeError) as exc:
            problems.append(f"{path}: --set {key}: {exc.args[0]}")
    if problems:
        raise ScenarioError(problems)
    return validate(raw, source=str(path))


def validate(raw: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping, turning pydantic errors into readable lines."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError([f"{source}: {line}" for line in _describe(exc, raw)]) from None


def read_merged(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Load a YAML file and, recursively, the file it ``extends``."""
    raw = _read_yaml(path)
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    parent_path = (path.parent / str(parent)).resolve()
    if parent_path in seen or parent_path == path.resolve():
        raise ScenarioError([f"{path}: extends: {parent} forms a cycle"])
    if not parent_path.is_file():
        raise ScenarioError(
            [
                f"{path}: extends: {parent} not found (looked for {parent_path}; the path is "
                "relative to the extending file)"
            ]
        )
    return deep_merge(read_merged(parent_path, (*seen, path.resolve())), raw)


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
        merged = {item["id"]: item for item in base}
        for item in override:
            merged[item["id"]] = deep_merge(merged.get(item["id"], {}), item)
        return list(merged.values())
    return copy.deepcopy(override)


def set_dotted(raw: dict[str, Any], key: str, value: Any) -> None:
    """Set ``a.b.c`` in nested data; list items are addressed by index or by id."""
    *parents, last = key.split(".")
    node: Any = raw
    for part in parents:
        node = _child(node, part, create=True)
    if isinstance(node, list):
        node[_list_index(node, last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise TypeError(f"{last!r} is inside a value that is not a mapping or list")


def _child(node: Any, part: str, create: bool) -> Any:
    if isinstance(node, list):
        return node[_list_index(node, part)]
    if not isinstance(node, dict):
        raise TypeError(f"{part!r} is inside a value that is not a mapping or list")
    if part not in node and create:
        node[part] = {}
    return node[part]


def _list_index(items: list, part: str) -> int:
    if part.lstrip("-").isdigit():
        index = int(part)
        if not -len(items) <= index < len(items):
            raise IndexError(f"index {index} is out of range (the list has {len(items)} items)")
        return index
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    ids = [str(item.get("id")) for item in items if isinstance(item, dict)]
    raise KeyError(f"no item with id {part!r} (have: {', '.join(ids)})")


def _split(assignment: str) -> tuple[str, Any]:
    key, sep, text = assignment.partition("=")
    if not sep or not key:
        raise ScenarioError([f"--set {assignment!r}: expected dotted.key=value"])
    try:
        return key.strip(), yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([f"--set {key}: value is not valid YAML: {problem}"]) from None


def _is_id_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) and "id" in i for i in value)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of silently keeping the last."""


def _no_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
        keys.add(key)
    return loader.construct_mapping(node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{path}: file not found"]) from None
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read: {exc.strerror}"]) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ScenarioError([f"{path}: YAML syntax error at {where}{exc.problem}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError([f"{path}: expected a mapping of scenario sections at the top"])
    return data


def _describe(exc: ValidationError, raw: Mapping[str, Any]) -> list[str]:
    errors = exc.errors(include_url=False)
    misspelt = {_misspelling_of(tuple(e["loc"])) for e in errors if e["type"] == "extra_forbidden"}
    lines = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "too_short" and _inside_another(loc, errors):
            continue  # a consequence of an invalid item, not a problem of its own
        if error["type"] == "missing" and loc in misspelt:
            continue  # reported once, as the misspelt key with its did-you-mean
        if not loc and error["type"] == "value_error":
            lines += str(error["ctx"]["error"]).splitlines()
            continue
        path = _readable_path(loc, raw)
        if error["type"] == "extra_forbidden":
            lines.append(f"{path}: unknown key{_suggestion(loc)}")
        else:
            lines.append(f"{path}: {_message(error)}")
    return lines


def _inside_another(loc: tuple, errors: list[dict]) -> bool:
    n = len(loc)
    return any(len(e["loc"]) > n and tuple(e["loc"][:n]) == loc for e in errors)


def _message(error: dict) -> str:
    msg = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return "required key is missing"
    if "input" in error and not isinstance(error["input"], dict | list):
        return f"{msg} (got {error['input']!r})"
    return msg


def _readable_path(loc: tuple, raw: Any) -> str:
    text, node = "", raw
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            text += f"[{ident}]" if ident is not None else f"[{part}]"
            node = item
        elif isinstance(node, dict) and part in node:
            text += f".{part}" if text else part
            node = node[part]
        elif isinstance(node, dict) or node is None:  # a missing key, or past the data
            if "[" in part or part in _DIST_TAGS:
                continue  # a union tag pydantic adds to the location
            text += f".{part}" if text else part
            node = None
    return text or "(top level)"


def _closest_key(loc: tuple) -> str | None:
    close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(loc[:-1]), n=1, cutoff=0.5)
    return close[0] if close else None


def _misspelling_of(loc: tuple) -> tuple | None:
    """The location of the key that an unknown key most likely meant."""
    key = _closest_key(loc)
    return (*loc[:-1], key) if key else None


def _suggestion(loc: tuple) -> str:
    allowed = _allowed_keys(loc[:-1])
    close = _closest_key(loc)
    hint = f"; did you mean {close!r}?" if close else ""
    listed = f" (allowed: {', '.join(sorted(allowed))})" if allowed and len(allowed) <= 12 else ""
    return hint + listed


def _allowed_keys(loc: tuple) -> list[str]:
    tp: Any = Scenario
    for part in loc:
        tp = _descend(tp, part)
        if tp is None:
            return []
    model = _as_model(tp)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _as_model(tp: Any, part: Any = None) -> type[BaseModel] | None:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    members = [m for m in typing.get_args(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    for member in members:
        if "dist" in member.model_fields and member.model_fields["dist"].default == part:
            return member
    return members[0] if len(members) == 1 else None


def _descend(tp: Any, part: Any) -> Any:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (tuple, list) and isinstance(part, int):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (typing.Union, types.UnionType):
        seq = [a for a in typing.get_args(tp) if typing.get_origin(a) in (tuple, list, dict)]
        if isinstance(part, int) and seq:
            return _descend(seq[0], part)
        tagged = _as_model(tp, part)
        if tagged is not None and part in _DIST_TAGS:
            return tagged
    model = _as_model(tp)
    if model is None:
        return None
    for name, field in model.model_fields.items():
        if part in (name, field.alias):
            return field.annotation
    return None


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


_DIST_TAGS = {"constant", "exponential", "lognormal", "gamma", "triangular", "empirical"}
