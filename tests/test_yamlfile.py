"""Tests for sim.scenario.yamlfile: any bytes end in data or in one ``ScenarioError`` line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.scenario.yamlfile import MAX_BYTES, MAX_DEPTH, MAX_VALUES, parse_yaml, read_yaml


def _problem(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        read_yaml(path)
    (line,) = info.value.problems
    assert "\n" not in line
    return line


def _write(tmp_path: Path, data: bytes, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_reads_a_mapping(tmp_path):
    assert read_yaml(_write(tmp_path, b"name: x\nlist: [1, 2]\n")) == {"name": "x", "list": [1, 2]}


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    assert read_yaml(_write(tmp_path, "\ufeffname: é\n".encode())) == {"name": "é"}


def test_bytes_that_are_not_utf8_name_their_line_and_column(tmp_path):
    path = _write(tmp_path, b"name: x\ndescription: caf\xe9\n")
    assert _problem(path) == (
        f"{path}: line 2, column 17: byte 0xe9 is not UTF-8 text (save the file as UTF-8)"
    )


def test_nul_character_is_one_line(tmp_path):
    path = _write(tmp_path, b"name: x\nte\x00am: y\n")
    assert _problem(path) == f"{path}: line 2, column 3: unacceptable character #x0000 in YAML text"


@pytest.mark.parametrize(
    ("text", "column"),
    [("start: 2027-02-30\n", 8), ("start: 2027-13-01\n", 8), ("x: [2027-04-31]\n", 5)],
)
def test_impossible_dates_are_one_line_with_their_place(tmp_path, text, column):
    path = _write(tmp_path, text.encode())
    line = _problem(path)
    assert line.startswith(f"{path}: line 1, column {column}: ")
    assert "is not a real date" in line


@pytest.mark.parametrize("shape", ["[", "{a: "])
def test_nesting_deeper_than_the_bound_is_refused(tmp_path, shape):
    close = "]" if shape == "[" else "}"
    path = _write(tmp_path, (shape * 5000 + "1" + close * 5000).encode())
    assert f"nested more than {MAX_DEPTH} levels deep" in _problem(path)


def test_nesting_up_to_the_bound_is_read(tmp_path):
    depth = MAX_DEPTH - 1
    data = read_yaml(_write(tmp_path, ("a: " + "[" * depth + "]" * depth).encode()))
    for _ in range(depth):
        data = data["a"] if isinstance(data, dict) else data[0] if data else None
    assert data is None or data == []


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path):
    path = _write(tmp_path, b"a: &x [1, *x]\n")
    assert "refers to a value that contains it" in _problem(path)


def _laughs(levels: int) -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines).encode()


def test_billion_laughs_is_refused_by_the_value_bound(tmp_path):
    line = _problem(_write(tmp_path, _laughs(30)))  # 9**30 values once aliases repeat
    assert f"more than {MAX_VALUES:,} values (aliases count as what they repeat)" in line


def test_aliases_below_the_bound_become_copies(tmp_path):
    data = read_yaml(_write(tmp_path, _laughs(3)))  # 9 + 81 + 729 values and lists
    assert data["a2"][0] == data["a1"] and data["a2"][0] is not data["a2"][1]


def test_merge_keys_let_earlier_mappings_win_and_own_keys_win_over_all(tmp_path):
    text = b"a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc: {<<: [*a, *b], z: 3}\n"
    assert read_yaml(_write(tmp_path, text))["c"] == {"x": 1, "y": 1, "z": 3}


def test_two_merge_keys_in_one_mapping_are_a_duplicate(tmp_path):
    path = _write(tmp_path, b"a: &a {x: 1}\nc: {<<: *a, <<: *a}\n")
    assert _problem(path).endswith("duplicate key <<")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7:00", "7:00"),
        ("190:20:30", "190:20:30"),
        ("010", 10),
        ("08", 8),
        ("0o17", 15),
        ("0x1F", 31),
        ("-12", -12),
        ("1e3", 1000.0),
        ("-2.5E-3", -0.0025),
        (".5", 0.5),
        ("-.inf", float("-inf")),
        ("1_000", "1_000"),
        ("0b11", "0b11"),
        ("yes", "yes"),
        ("off", "off"),
        ("true", True),
        ("False", False),
    ],
)
def test_numbers_as_yaml_1_2_reads_them(tmp_path, text, value):
    assert read_yaml(_write(tmp_path, f"v: {text}\n".encode()))["v"] == value


@pytest.mark.parametrize(
    ("text", "key"),
    [("1: x\n", "1"), ("true: x\n", "True"), ("~: x\n", "None"), ("2027-01-04: x\n", "datetime")],
)
def test_keys_must_be_text(tmp_path, text, key):
    path = _write(tmp_path, text.encode())
    line = _problem(path)
    assert line.startswith(f"{path}: line 1, column 1: key {key}")
    assert line.endswith("is not text (put it in quotes)")


def test_a_list_as_a_key_is_refused(tmp_path):
    path = _write(tmp_path, b"? [a, b]\n: 1\n")
    assert _problem(path).endswith("a key must be text, not a list or mapping")


def test_merge_keys_are_plain_yaml(tmp_path):
    text = b"base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\n"
    assert read_yaml(_write(tmp_path, text))["child"] == {"a": 1, "b": 3}


@pytest.mark.parametrize(
    "value",
    [
        '!!int "x"',
        '!!int ""',
        '!!float "abc"',
        '!!bool "maybe"',
        "!!map [1]",
        "!!map x",
        '!!timestamp "x"',
        '!!int "1:"',
    ],
)
def test_explicit_tags_with_impossible_values_are_one_line(tmp_path, value):
    path = _write(tmp_path, f"name: x\ndescription: {value}\n".encode())
    assert _problem(path).startswith(f"{path}: line 2, column 14: ")


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!binary", "!!set", "!!omap"])
def test_tags_beyond_plain_data_are_unsupported(tmp_path, tag):
    path = _write(tmp_path, f"name: {tag} aGVsbG8=\n".encode())
    line = _problem(path)
    assert "unsupported YAML tag" in line and "syntax" not in line


def test_text_with_a_lone_surrogate_is_refused(tmp_path):
    path = _write(tmp_path, b'name: "ops \\ud800"\n')
    assert "holds an escape" in _problem(path)


def test_more_values_than_the_bound_are_refused_early(tmp_path):
    path = _write(tmp_path, b"z: [" + b"0," * (MAX_VALUES + 10) + b"0]\n")
    assert f"more than {MAX_VALUES:,} values" in _problem(path)


def test_a_folder_is_not_a_scenario_file(tmp_path):
    assert _problem(tmp_path) == f"{tmp_path}: is a folder, not a scenario file"


def test_a_device_is_not_read(tmp_path):
    devnull = Path(os.devnull)
    assert _problem(devnull) == f"{devnull}: is not a regular file (a device, pipe or socket)"


def test_a_pipe_is_not_read(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert "is not a regular file" in _problem(fifo)  # reading it would block forever


def test_a_file_above_the_size_bound_is_refused_unread(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no disk used
    assert _problem(path) == (
        f"{path}: {MAX_BYTES + 1:,} bytes; scenario files are limited to 2 MiB"
    )


def test_unreadable_file(tmp_path):
    path = _write(tmp_path, b"name: x\n")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything
        pytest.skip("running as a user that can read any file")
    assert _problem(path).startswith(f"{path}: cannot read: ")


def test_parse_names_its_source():
    with pytest.raises(ScenarioError) as info:
        parse_yaml("[1, 2", "--set x")
    assert info.value.problems[0].startswith("--set x: YAML syntax error at line 1")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_raise_anything_but_one_line(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    path.write_bytes(data)
    try:
        read_yaml(path)
    except ScenarioError as exc:
        assert len(exc.problems) == 1 and "\n" not in exc.problems[0]


_YAMLISH = st.text(alphabet="ab:-[]{}&*!|>'\"#%@`,?\n\t 019.e+_~\x00\x85\ufeff", max_size=80)


@settings(max_examples=400, deadline=None)
@given(_YAMLISH)
def test_random_yaml_punctuation_never_raises_anything_but_one_line(text):
    try:
        parse_yaml(text, "fuzz")
    except ScenarioError as exc:
        assert len(exc.problems) == 1 and "\n" not in exc.problems[0]
