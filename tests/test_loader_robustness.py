"""Tests for sim.scenario.loader under hostile input: extends, one-pass reports, fuzzing.

Whatever the file, loading ends in a :class:`Scenario` or in a
:class:`ScenarioError` of one-line problems; and whatever loads, a run either
runs or is refused before simulating (the "validate accepts, run runs" promise).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.analysis import feasibility
from sim.errors import ScenarioError
from sim.experiments.experiment import run_experiment
from sim.scenario import bounds
from sim.scenario.loader import MAX_EXTENDS, load_scenario, load_with_sources, set_dotted

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
CLASS = "incidents.classes[work]"


def _error(path: Path, overrides=()) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    for line in info.value.problems + info.value.notes:
        assert "\n" not in line
    return info.value


# --------------------------------------------------------------------------- extends


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a.yaml", "b.yaml"], "must be one file path (a scenario extends one parent), got list"),
        ({"file": "a.yaml"}, "must be one file path (a scenario extends one parent), got dict"),
        (3, "must be one file path (a scenario extends one parent), got int"),
        ("", "must be one file path (a scenario extends one parent), got str"),
    ],
)
def test_extends_must_be_one_path(write_scenario, value, expected):
    path = write_scenario({"extends": value, "name": "x"})
    (line,) = _error(path).problems
    assert line.startswith(f"{path}: extends: {expected}")


def test_extends_naming_a_folder_says_so(write_scenario, tmp_path):
    (tmp_path / "parents").mkdir()
    path = write_scenario({"extends": "parents", "name": "x"})
    assert _error(path).problems == [f"{path}: extends: parents is a folder, not a scenario file"]


def _chain(write_scenario, mmc_data, length: int) -> Path:
    """Files f0 (mmc) ... f<length-1>, each extending the one before; returns their folder."""
    folder = write_scenario(mmc_data, "f0.yaml").parent
    for i in range(1, length):
        write_scenario({"extends": f"f{i - 1}.yaml", "name": f"n{i}"}, f"f{i}.yaml")
    return folder


def test_a_long_extends_chain_loads_without_recursion(write_scenario, mmc_data):
    folder = _chain(write_scenario, mmc_data, MAX_EXTENDS)
    scenario, sources = load_with_sources(folder / f"f{MAX_EXTENDS - 1}.yaml")
    assert scenario.name == f"n{MAX_EXTENDS - 1}"
    assert len(sources) == MAX_EXTENDS
    assert sources[-1] == (folder / "f0.yaml").resolve()


def test_an_extends_chain_longer_than_the_bound_is_refused(write_scenario, mmc_data):
    folder = _chain(write_scenario, mmc_data, MAX_EXTENDS + 40)
    (line,) = _error(folder / f"f{MAX_EXTENDS + 39}.yaml").problems
    assert f"the chain is longer than {MAX_EXTENDS} files" in line


# --------------------------------------------------------------------------- one pass


def test_field_and_reference_problems_are_reported_together(mmc_data, write_scenario):
    mmc_data["calendar"]["days"] = -1
    mmc_data["roles"][0]["team"] = "nope"
    path = write_scenario(mmc_data)
    error = _error(path)
    assert error.problems == [
        f"{path}: calendar.days: Input should be greater than 0 (got -1)",
        f"{path}: roles[responder].team: team 'nope' is not defined (defined: ops)",
    ]
    assert error.notes == [
        "checks of who can work each tier and of the bounds on headcount and incident volume "
        "run once the problems above are fixed"
    ]


def test_field_and_staffing_problems_are_reported_together(mmc_data, write_scenario):
    mmc_data["roles"][0]["categories"] = ["network"]  # nobody works category 'any'
    mmc_data["targets"] = {"response_sla_adherence": 2}
    classes = mmc_data["incidents"]["classes"]
    classes.append({**copy.deepcopy(classes[0]), "id": "other"})
    classes[0]["detection"] = {"dist": "lognormal", "median": -1}
    path = write_scenario(mmc_data)
    error = _error(path)
    assert len(error.problems) == 4, error.problems
    assert error.problems[0].startswith(f"{path}: {CLASS}.detection")
    assert error.problems[1].startswith(f"{path}: targets.response_sla_adherence: ")
    other = "incidents.classes[other]"
    assert error.problems[2].startswith(f"{path}: {other} triage: nobody can work tier 'L1'")
    assert error.problems[3].startswith(f"{path}: {other}.resolution[0]: nobody can work")
    assert error.notes == [  # the invalid class's staffing and the volume bound wait
        "checks of who can work the tiers of the classes with problems and of the bounds on "
        "headcount and incident volume run once the problems above are fixed"
    ]


def test_bounds_are_reported_beside_field_problems(mmc_data, write_scenario):
    mmc_data["incidents"]["rate_multiplier"] = 1e9
    mmc_data["work_rules"] = {"shift_end": "never"}
    path = write_scenario(mmc_data)
    error = _error(path)
    assert error.problems[0].startswith(f"{path}: work_rules.shift_end: ")
    assert error.problems[1].startswith(f"{path}: incidents: up to about ")
    assert f"at most {bounds.MAX_INCIDENTS:,}" in error.problems[1]
    assert error.notes == []


# --------------------------------------------------------------------------- overrides


def test_an_invalid_file_value_is_reported_even_when_overridden(mmc_data, write_scenario):
    mmc_data["calendar"]["days"] = -3
    path = write_scenario(mmc_data)
    error = _error(path, ["calendar.days=10"])
    assert error.problems == [
        f"{path}: calendar.days: Input should be greater than 0 (got -3) "
        "(the file's value, overridden on the command line)"
    ]


def test_an_invalid_list_item_value_is_reported_even_when_overridden(mmc_data, write_scenario):
    mmc_data["roles"][0]["staff"][0]["count"] = -1
    path = write_scenario(mmc_data)
    (line,) = _error(path, ["roles.responder.staff.0.count=2"]).problems
    assert line.startswith(f"{path}: roles[responder].staff[0].count: ")
    assert line.endswith("(the file's value, overridden on the command line)")


def test_a_valid_file_value_may_be_overridden(mmc_path):
    assert load_scenario(mmc_path, ["calendar.days=10"]).calendar.days == 10


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("calendar..days", "expected dotted.key.path"),
        ("roles.--1.team", "no item with id '--1'"),
        ("roles.².team", "no item with id '²'"),
        (".".join(["a"] * 100), "expected dotted.key.path"),
        ("roles.99.team", "index 99 is out of range"),
    ],
)
def test_odd_override_keys_are_one_line(mmc_path, key, message):
    (line,) = _error(mmc_path, [f"{key}=x"]).problems
    assert message in line


def test_set_dotted_returns_the_index_path():
    raw = {"roles": [{"id": "a"}, {"id": "b", "staff": [{"count": 1}]}]}
    assert set_dotted(raw, "roles.b.staff.-1.count", 3) == ("roles", 1, "staff", 0, "count")
    assert raw["roles"][1]["staff"][0]["count"] == 3


def test_numbers_written_without_a_dot_are_numbers(mmc_path):
    # YAML 1.2 reads 1e3 (no dot) as a number, as it looks
    scenario = load_scenario(mmc_path, ["incidents.classes.work.detection=1e3"])
    assert scenario.incidents.classes[0].detection.mean == 1000


# --------------------------------------------------------------------------- fuzzing

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.dates(min_value=dt.date(1, 1, 1))
    | st.sampled_from(["all", "L1", "ops", "P1", "hq", "always", "00:00", "24:00", "mon"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(st.text(max_size=10), _VALUES, max_size=6))
def test_random_structures_load_or_fail_in_lines(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems and all("\n" not in p for p in exc.problems)


def _leaf_paths(node: Any, at: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [at] + [p for k, v in node.items() for p in _leaf_paths(v, (*at, k))]
    if isinstance(node, list):
        return [at] + [p for i, v in enumerate(node) for p in _leaf_paths(v, (*at, i))]
    return [at]


def _mutated(data: dict, where: tuple, value: Any, delete: bool) -> dict:
    data = copy.deepcopy(data)
    if not where:
        return data
    *parents, last = where
    node = data
    for part in parents:
        node = node[part]
    if delete and isinstance(node, dict):
        del node[last]
    else:
        node[last] = value
    return data


_BASE = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
_PLACES = _leaf_paths(_BASE)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    where=st.sampled_from(_PLACES),
    value=_VALUES,
    delete=st.booleans(),
)
def test_whatever_loads_runs_or_is_refused_before_simulating(
    tmp_path_factory, where, value, delete
):
    data = _mutated(_BASE, where, value, delete)
    path = tmp_path_factory.mktemp("mutant") / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems and all("\n" not in p for p in exc.problems)
        event("refused by validation")
        return
    feasibility.warnings(scenario)
    if bounds.run_problems(scenario, 1, True):
        event("refused before simulating")
        return
    if bounds.expected_incidents(scenario) / scenario.calendar.days * 3 > 20_000:
        return  # valid and runnable, but too slow for a unit test
    try:
        short = load_scenario(path, ["calendar.days=3", "calendar.warmup_days=0"])
    except ScenarioError:
        return  # e.g. the mutant's own calendar values do not fit a 3-day run
    result = run_experiment(short, replications=1, seed=3, workers=1)
    assert not result.summary.empty
    event("ran")


# --------------------------------------------------------------------------- paths and ids


@pytest.mark.parametrize(
    ("parent", "reason"),
    [("parent.yaml\0", "embedded null byte"), ("a" * 5000, "File name too long")],
)
def test_extends_paths_the_system_refuses_are_one_line(write_scenario, parent, reason):
    path = write_scenario({"extends": parent, "name": "x"})
    (line,) = _error(path).problems
    assert line.startswith(f"{path}: extends: ")
    assert line.endswith(f"cannot be used: {reason}")


def test_extends_through_a_link_loop_is_one_line(write_scenario, tmp_path):
    (tmp_path / "loop1.yaml").symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(tmp_path / "loop1.yaml")
    path = write_scenario({"extends": "loop1.yaml", "name": "x"})
    (line,) = _error(path).problems
    assert "extends: 'loop1.yaml' cannot be used" in line


def test_extends_cannot_be_set_on_the_command_line(mmc_path):
    (line,) = _error(mmc_path, ["extends=other.yaml"]).problems
    assert line == f"{mmc_path}: --set extends: a parent can only be named in a scenario file"


def test_an_id_that_looks_like_an_index_is_an_id_first(mmc_data, write_scenario):
    mmc_data["sites"].insert(0, {"id": "1", "timezone": "UTC"})
    path = write_scenario(mmc_data)
    scenario = load_scenario(path, ["sites.1.timezone=Europe/Dublin"])
    assert scenario.by_id("sites")["1"].timezone == "Europe/Dublin"
    assert scenario.by_id("sites")["hq"].timezone == "UTC"


def test_long_id_lists_are_shortened_in_messages(mmc_data, write_scenario):
    mmc_data["teams"] = [{"id": f"team-{i}"} for i in range(30)]
    mmc_data["roles"][0]["team"] = "nope"
    path = write_scenario(mmc_data)
    (line,) = _error(path).problems
    assert line.endswith("team-11 and 18 more)")


def test_set_on_a_class_that_shared_an_alias_changes_that_class_only(mmc_data, write_scenario):
    text = (
        "extends: base.yaml\n"
        "incidents:\n"
        "  classes:\n"
        "    - {id: work, resolution: &steps [{tier: L1, effort: 20}]}\n"
        "    - {id: other, priority: P1, category: any, rate_per_day: 1, resolution: *steps}\n"
    )
    write_scenario(mmc_data, "base.yaml")
    path = write_scenario(text, "child.yaml")
    scenario = load_scenario(path, ["incidents.classes.other.resolution.0.effort=5"])
    work, other = scenario.incidents.classes
    assert (work.resolution[0].effort.mean, other.resolution[0].effort.mean) == (20, 5)


def test_a_duplicate_id_is_reported_through_extends(mmc_data, write_scenario):
    write_scenario(mmc_data, "base.yaml")
    text = (
        "extends: base.yaml\n"
        "shifts:\n"
        "  - {id: night, start: '22:00', end: '06:00'}\n"
        "  - {id: night, start: '08:00', end: '16:00'}\n"
    )
    path = write_scenario(text, "child.yaml")
    assert f"{path}: shifts: id 'night' is defined 2 times" in _error(path).problems


def test_a_profile_that_piles_a_week_into_a_short_horizon_counts_fully(mmc_data, write_scenario):
    mmc_data["calendar"].update(days=1, warmup_days=0)
    mmc_data["incidents"]["profiles"] = {"peak": {"weekly": [1] + [0] * 167}}
    mmc_data["incidents"]["classes"][0].update(profile="peak", rate_per_day=100_000)
    path = write_scenario(mmc_data)  # 100,000 a day on average: 700,000 in Monday's first hour
    (line,) = _error(path, ["incidents.classes.work.rate_per_day=300000"]).problems
    # the bound reaches an hour either side of the local hour (daylight saving)
    assert "up to about 4,200,000 incidents expected per replication over 1 day" in line
    assert bounds.expected_incidents(load_scenario(path)) == pytest.approx(700_000)


def test_lists_longer_than_any_organisation_are_refused(mmc_data, write_scenario):
    mmc_data["teams"] = [{"id": f"t{i}"} for i in range(1001)]
    mmc_data["roles"][0]["team"] = "t0"
    path = write_scenario(mmc_data)
    (line,) = _error(path).problems
    assert line.startswith(f"{path}: teams: List should have at most 1000 items, not 1001")
