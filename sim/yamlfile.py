"""Reading YAML as plain data, where every failure is one line naming the file and the place.

Whatever the bytes (not UTF-8, NUL characters, a billion-laughs document, a
folder, a device, an impossible date such as ``2027-02-30``, nesting thousands
deep), reading ends in data or in a :class:`~sim.scenario.ScenarioError`,
never in a traceback. Scenario files are small; the bounds below are far above
any real organisation and keep a wrong file from exhausting memory.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError

MAX_BYTES = 20 * 2**20
"""Largest scenario file read (an export of a million observations is about 10 MB)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (a scenario needs fewer than ten levels)."""


def read_yaml(path: Path) -> Any:
    """The data in a YAML file; raises :class:`ScenarioError` with one line otherwise."""
    return parse_yaml(_read_text(path), str(path))


def parse_yaml(text: str, source: str) -> Any:
    """The data in YAML ``text``; ``source`` names it in messages (a file, or ``--set key``)."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([f"{source}: {_marked(exc)}"]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        what = f"character #x{exc.character:04x}" if isinstance(exc.character, int) else "input"
        raise ScenarioError(
            [f"{source}: line {line}, column {column}: unacceptable {what} in YAML text"]
        ) from None
    except yaml.YAMLError as exc:  # any other reader failure: still one line
        raise ScenarioError([f"{source}: not readable as YAML: {_one_line(exc)}"]) from None


def _read_text(path: Path) -> str:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError([f"{path}: file not found"]) from None
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError([f"{path}: is a folder, not a scenario file"])
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError([f"{path}: is not a regular file (a device, pipe or socket)"])
    if info.st_size > MAX_BYTES:
        raise ScenarioError(
            [
                f"{path}: {info.st_size:,} bytes; scenario files are limited to "
                f"{MAX_BYTES // 2**20} MiB"
            ]
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    return _decode(data, path)


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioError(
            [
                f"{path}: line {line}, column {column}: byte 0x{data[exc.start]:02x} is not "
                "UTF-8 text (save the file as UTF-8)"
            ]
        ) from None


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


def _marked(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = exc.problem or exc.context or "unreadable YAML"
    if isinstance(exc, _BadValue):
        return f"{where}{problem}"
    return f"YAML syntax error at {where}{problem}"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with no duplicate keys, bounded nesting, no recursive aliases, real dates."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._open_anchors: set[str] = set()

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            if anchor in self._open_anchors:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"alias *{anchor} refers to a value that contains it", mark
                )
            return super().compose_node(parent, index)
        self._depth += 1
        event = self.peek_event()
        if self._depth > MAX_DEPTH:
            raise _BadValue(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open_anchors.discard(anchor)


def _no_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in keys
        except TypeError:  # an unhashable key (a list or mapping used as a key)
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a key must be a plain value, not a list or mapping",
                key_node.start_mark,
            ) from None
        if duplicate:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
        keys.add(key)
    return loader.construct_mapping(node, deep)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    # YAML reads 2027-02-30 as a date and the standard constructor raises a bare ValueError
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise _BadValue(
            None, None, f"{node.value!r} is not a real date or time ({exc})", node.start_mark
        ) from None


class _BadValue(yaml.constructor.ConstructorError):
    """Well-formed YAML that opsim cannot take (not a syntax error)."""


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
