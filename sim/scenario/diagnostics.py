"""Readable validation errors: one line per problem, with its key path and a did-you-mean.

Pydantic locates an error by a tuple of field names and list indices; users know
their file by its keys and the ids of list items. This module turns the one
into the other (``incidents.classes[core-platform-outage].rate_per_dya``), and
suggests the key a misspelt one most likely meant.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import clip
from sim.scenario.distributions import DISTRIBUTION_KINDS
from sim.scenario.schema import Scenario

MAX_SHOWN = 40
"""Problems listed before the rest are only counted (a wrong list can give thousands)."""


def describe(exc: ValidationError, raw: Mapping[str, Any]) -> list[str]:
    """One line per problem of a failed scenario validation."""
    lines = _describe(exc, raw)
    if len(lines) > MAX_SHOWN:
        lines = [*lines[:MAX_SHOWN], f"... and {len(lines) - MAX_SHOWN} more problems"]
    return lines


def field_locations(exc: ValidationError) -> list[tuple]:
    """Key paths of the field-level errors (the whole-scenario checks have an empty path)."""
    return [tuple(e["loc"]) for e in exc.errors(include_url=False) if e["loc"]]


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
        path = readable_path(loc, raw)
        if error["type"] == "extra_forbidden":
            lines.append(f"{path}: unknown key{_suggestion(loc)}")
        else:
            lines.append(f"{path}: {_message(error)}")
    return lines


def _inside_another(loc: tuple, errors: list[dict]) -> bool:
    n = len(loc)
    return any(len(e["loc"]) > n and tuple(e["loc"][:n]) == loc for e in errors)


def _message(error: dict) -> str:
    msg = _in_yaml_words(error["msg"].removeprefix("Value error, "))
    if error["type"] == "missing":
        return "required key is missing"
    if "input" in error and not isinstance(error["input"], dict | list) and "got " not in msg:
        return f"{msg} (got {_short(error['input'])})"
    return msg


_YAML_WORDS = (
    (re.compile(r"valid dictionary or instance of \w+"), "mapping (key: value)"),
    (re.compile(r"valid dictionary( or object to extract fields from)?"), "mapping (key: value)"),
    (re.compile(r"\bTuple\b"), "List"),
    (re.compile(r"\btuple\b"), "list"),
    (re.compile(r" after validation"), ""),
)


def _in_yaml_words(message: str) -> str:
    """Pydantic's wording in the words of a YAML file (a list, not a tuple)."""
    for pattern, words in _YAML_WORDS:
        message = pattern.sub(words, message)
    return message


def _short(value: Any) -> str:
    shown = value.isoformat() if isinstance(value, dt.date) else repr(value)
    return clip(shown) if len(shown) <= 200 else f"{clip(shown, 50)} ({len(shown):,} characters)"


def readable_path(loc: tuple, raw: Any) -> str:
    """``("roles", 0, "team")`` as the user's file names it: ``roles[noc-operator].team``."""
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


_DIST_TAGS = frozenset(DISTRIBUTION_KINDS)
