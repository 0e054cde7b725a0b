"""Reading YAML as plain data, where every failure is one line naming the file and the place.

Whatever the bytes (not UTF-8, NUL characters, a billion-laughs document, a
folder, a device, an impossible date such as ``2027-02-30``, nesting thousands
deep), reading ends in data or in a :class:`~sim.errors.ScenarioError`,
never in a traceback. Scenario files are small; the bounds below are far above
any real organisation and keep a wrong file from exhausting memory.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError, clip

MAX_BYTES = 2 * 2**20
"""Largest scenario file read: the baseline is 30 KB, and reading YAML takes about 4 s a MB."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (a scenario needs fewer than ten levels)."""
MAX_VALUES = 250_000
"""Most values (numbers, texts, lists, mappings) in one file; the baseline has about 4,000."""


def read_yaml(path: Path) -> Any:
    """The data in a YAML file; raises :class:`ScenarioError` with one line otherwise."""
    return parse_yaml(_read_text(path), str(path))


def parse_yaml(text: str, source: str) -> Any:
    """The data in YAML ``text``; ``source`` names it in messages (a file, or ``--set key``)."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)
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
    return _unshared(data, source)


def _unshared(data: Any, source: str) -> Any:
    """A copy in which no list or mapping appears twice: an alias becomes a copy, so that a
    ``--set`` on one class does not change every class that shared the aliased value.

    Text holding a lone surrogate (``"\\ud800"``) is refused on the way: it cannot be
    printed or saved. (Aliases count towards the value bound, so the copy stays small.)
    """
    if isinstance(data, dict):
        return {_text(key, source): _unshared(value, source) for key, value in data.items()}
    if isinstance(data, list):
        return [_unshared(value, source) for value in data]
    return _text(data, source) if isinstance(data, str) else data


def _text(text: str, source: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "backslashreplace").decode()[:60]
        problem = f"text {shown!r} holds an escape (\\ud800-\\udfff) that is no character"
        raise ScenarioError([f"{source}: {problem}"]) from None
    return text


def _read_text(path: Path) -> str:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError([f"{path}: file not found"]) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise ScenarioError(
            [f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}"]
        ) from None
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
    if len(data) > MAX_BYTES:  # it grew since stat, or the system reports no size
        raise ScenarioError(
            [f"{path}: longer than {MAX_BYTES // 2**20} MiB; scenario files are limited to that"]
        )
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
    return clip(" ".join(str(exc).split()), 200)


def _marked(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = exc.problem or exc.context or "unreadable YAML"
    if problem.startswith("could not determine a constructor for the tag"):
        tag = problem.rsplit(" ", 1)[-1].strip("'")
        return f"{where}unsupported YAML tag {tag} ({_PLAIN})"
    if isinstance(exc, _BadValue):
        return f"{where}{problem}"
    return f"YAML syntax error at {where}{problem}"


_PLAIN = "scenario files hold mappings, lists, numbers, text, dates and true/false"
_MERGE = "tag:yaml.org,2002:merge"
_INT, _FLOAT, _BOOL = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool")


class _BadValue(yaml.constructor.ConstructorError):
    """Well-formed YAML that opsim cannot take (not a syntax error)."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with bounds: no duplicate or non-text keys, bounded nesting and size (an
    alias counts as the values it repeats), no recursive aliases, real dates, no tags beyond
    plain data, and no base-60 numbers (``7:00`` stays the text it looks like)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = self._values = 0
        self._open_anchors: set[str] = set()
        self._sizes: dict[str, int] = {}

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                problem = f"alias *{event.anchor} refers to a value that contains it"
                raise _BadValue(None, None, problem, event.start_mark)
            self._count(self._sizes.get(event.anchor, 1), event)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            problem = f"nested more than {MAX_DEPTH} levels deep"
            raise _BadValue(None, None, problem, event.start_mark)
        before = self._values
        self._count(1, event)
        if event.anchor is not None:
            self._open_anchors.add(event.anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open_anchors.discard(event.anchor)
        if event.anchor is not None:
            self._sizes[event.anchor] = self._values - before
        return node

    def _count(self, values: int, event) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            problem = f"more than {MAX_VALUES:,} values (aliases count as what they repeat)"
            raise _BadValue(None, None, problem, event.start_mark)

    def construct_object(self, node, deep=False):
        # PyYAML's constructors raise bare ValueError, KeyError... for values such as
        # `!!int x` or `!!bool maybe`: give them the node's place
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            value = node.value if isinstance(node, yaml.ScalarNode) else "this value"
            problem = f"{value!r} cannot be read as {node.tag.rsplit(':', 1)[-1]}"[:200]
            raise _BadValue(None, None, problem, node.start_mark) from None


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    if not isinstance(node, yaml.MappingNode):
        raise _BadValue(None, None, f"{node.tag} needs a mapping", node.start_mark)
    keys = set()
    for key_node, _ in node.value:
        key = _MERGE if key_node.tag == _MERGE else _key(loader, key_node, deep)
        if key in keys:
            mark = key_node.start_mark
            shown = "<<" if key == _MERGE else repr(key)
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {shown}", mark)
        keys.add(key)
    _merge(node)
    return loader.construct_mapping(node, deep)


def _key(loader: yaml.SafeLoader, key_node: yaml.Node, deep: bool) -> str:
    if not isinstance(key_node, yaml.ScalarNode):
        problem = "a key must be text, not a list or mapping"
        raise _BadValue(None, None, problem, key_node.start_mark)
    key = loader.construct_object(key_node, deep=deep)
    if not isinstance(key, str):
        problem = f"key {_short(key)} is not text (put it in quotes)"
        raise _BadValue(None, None, problem, key_node.start_mark)
    return key


def _merge(node: yaml.MappingNode) -> None:
    """Merge keys as YAML defines them: the mapping's own keys win, then earlier merged
    mappings over later ones (PyYAML 6.0.4 lets later ones win)."""
    own, merged = [], []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            own.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                problem = "'<<' merges a mapping or a list of mappings"
                raise _BadValue(None, None, problem, source.start_mark)
            _merge(source)
        for source in reversed(sources):  # the last pair of a key wins when constructed
            merged.extend(source.value)
    node.value = merged + own


def _short(value: Any) -> str:
    return clip(repr(value), 40)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    # YAML reads 2027-02-30 as a date and the standard constructor raises a bare ValueError
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError, AttributeError) as exc:
        raise _BadValue(
            None, None, f"{node.value!r} is not a real date or time ({exc})", node.start_mark
        ) from None


def _unsupported(loader: yaml.SafeLoader, node: yaml.Node):
    raise _BadValue(None, None, f"unsupported YAML tag {node.tag} ({_PLAIN})", node.start_mark)


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT, _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# YAML 1.2 core schema: 010 is ten (not octal eight), 7:00 is text (not base 60), 1e3 is
# a number, and yes/no/on/off are text (only true and false are booleans)
_StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_StrictLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)  # int() reads "010" as ten and takes a sign


def _float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    return float(
        loader.construct_scalar(node).lower().replace(".inf", "inf").replace(".nan", "nan")
    )


_StrictLoader.add_constructor(_INT, _int)
_StrictLoader.add_constructor(_FLOAT, _float)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
for _tag in ("binary", "set", "omap", "pairs"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _unsupported)
