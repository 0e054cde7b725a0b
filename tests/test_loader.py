"""Tests for sim.scenario.loader: reading, inheriting, overriding and validating scenario files.

Every bad input must become a :class:`ScenarioError` whose ``problems`` are one
line each, ``<file>: <key path>: <message>``, with list items named by id.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pydantic
import pytest
import yaml

from sim.experiments.results import resolved_yaml
from sim.scenario.loader import ScenarioError, deep_merge, load_scenario, set_dotted, validate
from sim.scenario.schema import Scenario

CLASS = "incidents.classes[work]"


def problems_of(path: Path, overrides=()) -> list[str]:
    """The problems of a scenario that must not load."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    problems = info.value.problems
    assert problems, "a ScenarioError must carry at least one problem"
    assert str(info.value) == "\n".join(problems)
    for line in problems:
        assert "\n" not in line
        assert "Traceback" not in line
    return problems


def only_problem(path: Path, overrides=()) -> str:
    problems = problems_of(path, overrides)
    assert len(problems) == 1, problems
    return problems[0]


def problem_at(problems: list[str], path: Path, key: str) -> str:
    """The one problem line about ``key`` in file ``path``."""
    prefix = f"{path}: {key}: "
    hits = [p for p in problems if p.startswith(prefix)]
    assert len(hits) == 1, f"no single problem starting {prefix!r} in {problems}"
    return hits[0]


# --------------------------------------------------------------------------- good input


def test_mmc_loads_with_its_values(mmc_path):
    s = load_scenario(mmc_path)
    assert isinstance(s, Scenario)
    assert s.name == "mmc"
    assert s.calendar.days == 365
    assert s.calendar.warmup_days == 5
    assert [r.id for r in s.roles] == ["responder"]
    assert s.headcount(s.roles[0]) == 5
    (cls,) = s.incidents.classes
    assert cls.rate_per_day == 288
    assert cls.resolution[0].effort.mean == 20
    assert cls.detection.is_zero


def test_path_may_be_a_string(mmc_path):
    assert load_scenario(str(mmc_path)) == load_scenario(mmc_path)


# --------------------------------------------------------------------------- files and YAML


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    line = only_problem(path)
    assert line == f"{path}: file not found"


def test_yaml_syntax_error_reports_line_and_column(mmc_text, write_scenario):
    lines = mmc_text.splitlines()
    n = lines.index("  days: 365")
    lines[n] = "  days: 365: 1"  # a second ':' on this line
    path = write_scenario("\n".join(lines) + "\n")
    line = only_problem(path)
    assert line.startswith(f"{path}: YAML syntax error at line {n + 1}, column 12: ")
    assert "mapping values are not allowed" in line


def test_yaml_tab_indent_reports_its_line(write_scenario):
    path = write_scenario("name: x\ncalendar:\n  days: 3\n\twarmup_days: 1\n")
    line = only_problem(path)
    assert line.startswith(f"{path}: YAML syntax error at line 4, column 1: ")


@pytest.mark.parametrize(
    ("text", "key", "lineno"),
    [
        ("name: a\nname: b\n", "name", 2),
        ("name: a\ncalendar:\n  days: 3\n  warmup_days: 0\n  days: 4\n", "days", 5),
        ("name: a\nroles:\n  - {id: r, team: t, team: u}\n", "team", 3),
    ],
)
def test_duplicate_keys_are_rejected(write_scenario, text, key, lineno):
    path = write_scenario(text)
    line = only_problem(path)
    assert line.startswith(f"{path}: YAML syntax error at line {lineno}, ")
    assert line.endswith(f"duplicate key {key!r}")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just a string\n", "42\n"])
def test_top_level_must_be_a_mapping(write_scenario, text):
    path = write_scenario(text)
    empty = " (the file is empty)" if not text else ""
    assert only_problem(path) == (
        f"{path}: expected a mapping of scenario sections at the top{empty}"
    )


# --------------------------------------------------------------------------- field validation


def test_wrong_type(mmc_data, write_scenario):
    mmc_data["calendar"]["days"] = "many"
    path = write_scenario(mmc_data)
    line = only_problem(path)
    assert line.startswith(f"{path}: calendar.days: ")
    assert "valid integer" in line
    assert "(got 'many')" in line


@pytest.mark.parametrize("rate", [-1, -0.5])
def test_negative_rate(mmc_data, write_scenario, rate):
    mmc_data["incidents"]["classes"][0]["rate_per_day"] = rate
    path = write_scenario(mmc_data)
    line = problem_at(problems_of(path), path, f"{CLASS}.rate_per_day")
    assert "greater than or equal to 0" in line
    assert f"(got {rate!r})" in line


def test_a_zero_rate_needs_a_deployment_source(mmc_data, write_scenario):
    mmc_data["incidents"]["classes"][0]["rate_per_day"] = 0
    path = write_scenario(mmc_data)
    line = problem_at(problems_of(path), path, f"{CLASS}.rate_per_day")
    assert "is 0 and no deployment source names the class" in line


def test_negative_rate_multiplier(mmc_data, write_scenario):
    mmc_data["incidents"]["rate_multiplier"] = -2
    path = write_scenario(mmc_data)
    line = only_problem(path)
    assert line == f"{path}: incidents.rate_multiplier: Input should be greater than 0 (got -2)"


def test_unknown_key_suggests_the_close_one(mmc_data, write_scenario):
    cls = mmc_data["incidents"]["classes"][0]
    cls["rate_per_dya"] = cls.pop("rate_per_day")
    path = write_scenario(mmc_data)
    problems = problems_of(path)
    line = problem_at(problems, path, f"{CLASS}.rate_per_dya")
    assert "unknown key; did you mean 'rate_per_day'?" in line


def test_unknown_top_level_key_suggests_incidents(mmc_data, write_scenario):
    mmc_data["incident"] = mmc_data.pop("incidents")
    path = write_scenario(mmc_data)
    problems = problems_of(path)
    line = problem_at(problems, path, "incident")
    assert "unknown key; did you mean 'incidents'?" in line
    # one problem, one line: the misspelt key explains why `incidents` is missing
    assert len(problems) == 1


def test_unknown_key_inside_a_distribution(mmc_data, write_scenario):
    step = mmc_data["incidents"]["classes"][0]["resolution"][0]
    step["effort"] = {"dist": "lognormal", "medain": 5, "p95": 9}
    path = write_scenario(mmc_data)
    line = problem_at(problems_of(path), path, f"{CLASS}.resolution[0].effort.medain")
    assert "unknown key; did you mean 'median'?" in line
    # the union tag pydantic puts in the location is not shown
    assert "lognormal.medain" not in line


def test_unknown_distribution_lists_the_known_ones(mmc_data, write_scenario):
    step = mmc_data["incidents"]["classes"][0]["resolution"][0]
    step["effort"] = {"dist": "weibull", "shape": 2}
    path = write_scenario(mmc_data)
    line = problem_at(problems_of(path), path, f"{CLASS}.resolution[0].effort")
    assert "'weibull'" in line
    assert "'lognormal'" in line


def test_unknown_key_without_a_close_match_lists_allowed_keys(mmc_data, write_scenario):
    mmc_data["calendar"]["zzz"] = 1
    path = write_scenario(mmc_data)
    line = only_problem(path)
    assert line == f"{path}: calendar.zzz: unknown key (allowed: days, start, warmup_days)"


def test_missing_required_key(mmc_data, write_scenario):
    del mmc_data["roles"][0]["team"]
    path = write_scenario(mmc_data)
    line = problem_at(problems_of(path), path, "roles[responder].team")
    assert line.endswith("required key is missing")


def test_several_problems_give_one_line_each(mmc_data, write_scenario):
    mmc_data["calendar"]["days"] = 0
    mmc_data["work_rules"] = {"shift_end": "sometimes"}
    mmc_data["targets"] = {"response_sla_adherence": 1.5}
    path = write_scenario(mmc_data)
    problems = problems_of(path)
    assert len(problems) == 3, problems
    assert "greater than 0" in problem_at(problems, path, "calendar.days")
    assert "'overtime' or 'handoff'" in problem_at(problems, path, "work_rules.shift_end")
    assert "less than or equal to 1" in problem_at(problems, path, "targets.response_sla_adherence")


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d["incidents"]["classes"][0].update(rate_per_day=-1), f"{CLASS}.rate_per_day"),
        (lambda d: d["roles"][0].update(hourly_cost=-3), "roles[responder].hourly_cost"),
        (
            lambda d: d["incidents"]["classes"][0]["resolution"][0].update(
                effort={"dist": "lognormal", "medain": 5, "p95": 9}
            ),
            f"{CLASS}.resolution[0].effort.medain",
        ),
    ],
    ids=["rate", "cost", "distribution"],
)
def test_one_bad_list_item_is_one_problem(mmc_data, write_scenario, mutate, key):
    mutate(mmc_data)
    path = write_scenario(mmc_data)
    assert only_problem(path).startswith(f"{path}: {key}: ")


# --------------------------------------------------------------------------- cross-references


def test_undefined_team(mmc_data, write_scenario):
    mmc_data["roles"][0]["team"] = "nope"
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: roles[responder].team: team 'nope' is not defined (defined: ops)"
    )


def test_undefined_tier_on_a_role(mmc_data, write_scenario):
    mmc_data["roles"][0]["tiers"] = ["L1", "L9"]
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: roles[responder].tiers: tier 'L9' is not defined (defined: L1)"
    )


def test_undefined_tier_on_a_step(mmc_data, write_scenario):
    mmc_data["incidents"]["classes"][0]["resolution"][0]["tier"] = "L9"
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: {CLASS}.resolution[0].tier: tier 'L9' is not defined (defined: L1)"
    )


def test_undefined_site(mmc_data, write_scenario):
    mmc_data["roles"][0]["staff"][0]["site"] = "mars"
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: roles[responder].staff[0].site: site 'mars' is not defined (defined: hq)"
    )


def test_undefined_shift(mmc_data, write_scenario):
    mmc_data["roles"][0]["staff"][0]["shift"] = "night"
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: roles[responder].staff[0].shift: shift 'night' is not defined (defined: always)"
    )


def test_undefined_priority_on_a_class(mmc_data, write_scenario):
    mmc_data["incidents"]["classes"][0]["priority"] = "P7"
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: {CLASS}.priority: priority 'P7' is not defined (defined: P1)"
    )


def test_undefined_team_in_escalation_matrix(mmc_data, write_scenario):
    mmc_data["escalation"] = {"matrix": {"P1": ["ghosts"]}}
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: escalation.matrix.P1: team 'ghosts' is not defined (defined: ops)"
    )


def test_step_restricted_to_an_undefined_role(mmc_data, write_scenario):
    mmc_data["incidents"]["classes"][0]["resolution"][0]["roles"] = ["wizard"]
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: {CLASS}.resolution[0].roles: role 'wizard' is not defined (defined: responder)"
    )


def test_tier_whose_only_role_has_no_staff(mmc_data, write_scenario):
    mmc_data["tiers"].append({"id": "L2"})
    mmc_data["roles"].append(
        {
            "id": "expert",
            "team": "ops",
            "tiers": ["L2"],
            "staff": [{"site": "hq", "count": 0, "shift": "always"}],
        }
    )
    mmc_data["incidents"]["classes"][0]["resolution"] = [
        {"tier": "L1", "effort": 5, "escalate": 0.5},
        {"tier": "L2", "effort": 5},
    ]
    path = write_scenario(mmc_data)
    line = only_problem(path)
    assert line.startswith(f"{path}: {CLASS}.resolution[1]: nobody can work tier 'L2'")
    assert "expert" in line
    assert "no staff anywhere" in line


def test_no_staff_anywhere_names_triage_and_step(mmc_data, write_scenario):
    mmc_data["roles"][0]["staff"][0]["count"] = 0
    path = write_scenario(mmc_data)
    problems = problems_of(path)
    assert len(problems) == 2, problems
    assert problems[0].startswith(f"{path}: {CLASS} triage: nobody can work tier 'L1'")
    assert problems[1].startswith(f"{path}: {CLASS}.resolution[0]: nobody can work tier 'L1'")
    assert all("roles responder have no staff anywhere" in p for p in problems)


def test_a_role_of_another_category_does_not_staff_the_class(mmc_data, write_scenario):
    mmc_data["roles"][0]["categories"] = ["network"]
    path = write_scenario(mmc_data)
    problems = problems_of(path)
    assert len(problems) == 2, problems
    assert all("no role works tier 'L1' for category 'any'" in p for p in problems)


def test_several_reference_problems_give_one_line_each(mmc_data, write_scenario):
    staffing = mmc_data["roles"][0]["staff"][0]
    mmc_data["roles"][0]["team"] = "nope"
    staffing["site"], staffing["shift"] = "mars", "night"
    path = write_scenario(mmc_data)
    problems = problems_of(path)
    assert len(problems) == 3, problems
    problem_at(problems, path, "roles[responder].team")
    problem_at(problems, path, "roles[responder].staff[0].site")
    problem_at(problems, path, "roles[responder].staff[0].shift")


def test_duplicate_ids(mmc_data, write_scenario):
    mmc_data["roles"].append(copy.deepcopy(mmc_data["roles"][0]))
    path = write_scenario(mmc_data)
    assert f"{path}: roles: id 'responder' is defined 2 times" in problems_of(path)


def test_last_step_cannot_escalate(mmc_data, write_scenario):
    mmc_data["incidents"]["classes"][0]["resolution"][0]["escalate"] = 0.3
    path = write_scenario(mmc_data)
    line = only_problem(path)
    assert line.startswith(f"{path}: {CLASS}.resolution[0].escalate: ")
    assert "0.3" in line


# --------------------------------------------------------------------------- extends


@pytest.fixture
def family(tmp_path, mmc_data, write_scenario):
    """Parent mmc.yaml in base/, a child in child/ extending it by a relative path."""
    write_scenario(mmc_data, "base/parent.yaml")
    child = {
        "extends": "../base/parent.yaml",
        "name": "child",
        "calendar": {"days": 7},
        "roles": [
            {"id": "responder", "hourly_cost": 80},
            {
                "id": "lead",
                "team": "ops",
                "tiers": ["L1"],
                "staff": [{"site": "hq", "count": 1, "shift": "always"}],
            },
        ],
        "incidents": {"classes": [{"id": "work", "rate_per_day": 100}]},
    }
    return write_scenario(child, "child/child.yaml")


def test_extends_merges_child_over_parent(family, tmp_path, monkeypatch, mmc_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the parent is found relative to the child, not the cwd
    s = load_scenario(family)
    parent = load_scenario(mmc_path)
    assert s.name == "child"
    # scalars: overridden, and siblings in the same mapping inherited
    assert s.calendar.days == 7
    assert s.calendar.warmup_days == parent.calendar.warmup_days
    assert s.calendar.start == parent.calendar.start
    assert s.description == parent.description
    # roles merge by id; new ids are appended
    assert [r.id for r in s.roles] == ["responder", "lead"]
    responder, lead = s.roles
    assert responder.hourly_cost == 80
    assert responder.team == "ops"
    assert responder.staff == parent.roles[0].staff
    assert s.headcount(lead) == 1
    # a class merged by id keeps what the child does not mention
    (cls,) = s.incidents.classes
    assert cls.rate_per_day == 100
    assert cls.resolution == parent.incidents.classes[0].resolution
    assert s.sites == parent.sites


def test_extends_chain_resolves_each_parent_relative_to_its_file(write_scenario, mmc_data):
    write_scenario(mmc_data, "a/grand.yaml")
    write_scenario({"extends": "../a/grand.yaml", "calendar": {"days": 30}}, "b/parent.yaml")
    child = write_scenario({"extends": "../b/parent.yaml", "name": "kid"}, "c/d/child.yaml")
    child.write_text(child.read_text().replace("../b/", "../../b/"))
    s = load_scenario(child)
    assert (s.name, s.calendar.days, s.calendar.warmup_days) == ("kid", 30, 5)


def test_extends_then_set(family):
    s = load_scenario(family, ["roles.lead.hourly_cost=9", "calendar.days=20"])
    assert s.by_id("roles")["lead"].hourly_cost == 9
    assert s.calendar.days == 20


def test_extends_result_is_validated(family):
    family.write_text(family.read_text().replace("rate_per_day: 100", "rate_per_day: -4"))
    problems = problems_of(family)
    assert "greater than or equal to 0" in problem_at(problems, family, f"{CLASS}.rate_per_day")


def test_extends_cycle_is_an_error(write_scenario, mmc_data):
    a = write_scenario({**mmc_data, "extends": "b.yaml"}, "a.yaml")
    write_scenario({"extends": "a.yaml", "name": "b"}, "b.yaml")
    line = only_problem(a)
    assert "cycle" in line
    assert "a.yaml" in line


def test_extends_itself_is_a_cycle(write_scenario, mmc_data):
    a = write_scenario({**mmc_data, "extends": "a.yaml"}, "a.yaml")
    line = only_problem(a)
    assert line.startswith(f"{a}: extends: a.yaml")
    assert "cycle" in line


def test_missing_parent_names_the_parent_file(write_scenario):
    child = write_scenario({"extends": "ghost.yaml", "name": "x"}, "child.yaml")
    line = only_problem(child)
    assert line == (
        f"{child}: extends: ghost.yaml not found (looked for {child.parent / 'ghost.yaml'}; "
        "the path is relative to the extending file)"
    )


def test_syntax_error_in_parent_names_the_parent_file(write_scenario):
    parent = write_scenario("name: x\nname: y\n", "parent.yaml")
    child = write_scenario({"extends": "parent.yaml"}, "child.yaml")
    line = only_problem(child)
    assert line.startswith(f"{parent}: YAML syntax error at line 2, ")


def test_deep_merge_rules():
    base = {
        "a": 1,
        "m": {"x": 1, "y": 2},
        "items": [{"id": "p", "v": 1, "w": 1}, {"id": "q", "v": 2}],
        "plain": [1, 2, 3],
    }
    override = {
        "a": 2,
        "m": {"y": 3},
        "items": [{"id": "q", "v": 20}, {"id": "r", "v": 3}],
        "plain": [9],
    }
    before = copy.deepcopy(base)
    merged = deep_merge(base, override)
    assert merged == {
        "a": 2,
        "m": {"x": 1, "y": 3},
        "items": [{"id": "p", "v": 1, "w": 1}, {"id": "q", "v": 20}, {"id": "r", "v": 3}],
        "plain": [9],
    }
    assert base == before  # inputs untouched


# --------------------------------------------------------------------------- --set


def test_set_float(mmc_path):
    s = load_scenario(mmc_path, ["incidents.rate_multiplier=1.3"])
    assert s.incidents.rate_multiplier == 1.3
    assert isinstance(s.incidents.rate_multiplier, float)


def test_set_list_item_by_id(mmc_path):
    s = load_scenario(mmc_path, ["roles.responder.hourly_cost=50"])
    assert s.roles[0].hourly_cost == 50


def test_set_list_item_by_index(mmc_path):
    s = load_scenario(mmc_path, ["incidents.classes.0.rate_per_day=10"])
    assert s.incidents.classes[0].rate_per_day == 10
    s = load_scenario(mmc_path, ["roles.responder.staff.0.count=7"])
    assert s.headcount(s.roles[0]) == 7


def test_set_values_are_parsed_as_yaml(mmc_path):
    s = load_scenario(
        mmc_path,
        [
            "incidents.classes.work.engage=[ops]",
            "work_rules.preemptive=false",
            "incidents.classes.work.resolution.0.effort={dist: constant, value: 4}",
        ],
    )
    assert s.incidents.classes[0].engage == ("ops",)
    assert s.work_rules.preemptive is False
    assert s.incidents.classes[0].resolution[0].effort.mean == 4


def test_set_mapping_form(mmc_path):
    s = load_scenario(mmc_path, {"incidents.rate_multiplier": 2, "calendar.days": 30})
    assert (s.incidents.rate_multiplier, s.calendar.days) == (2, 30)


def test_set_later_override_wins(mmc_path):
    s = load_scenario(mmc_path, ["calendar.days=30", "calendar.days=40"])
    assert s.calendar.days == 40


def test_set_does_not_touch_the_file(mmc_path, mmc_text):
    load_scenario(mmc_path, ["calendar.days=30"])
    assert mmc_path.read_text(encoding="utf-8") == mmc_text


def test_set_invalid_value_names_the_key(mmc_path):
    line = only_problem(mmc_path, ["calendar.days=-1"])
    assert line == f"{mmc_path}: calendar.days: Input should be greater than 0 (got -1)"


def test_set_misspelled_key_is_an_unknown_key(mmc_path):
    line = only_problem(mmc_path, ["calender.days=3"])
    assert line.startswith(f"{mmc_path}: calender: unknown key; did you mean 'calendar'?")


def test_set_unknown_id(mmc_path):
    line = only_problem(mmc_path, ["roles.ghost.hourly_cost=50"])
    assert line == (
        f"{mmc_path}: --set roles.ghost.hourly_cost: no item with id 'ghost' (have: responder)"
    )


def test_set_index_out_of_range(mmc_path):
    line = only_problem(mmc_path, ["incidents.classes.5.rate_per_day=10"])
    assert line.startswith(f"{mmc_path}: --set incidents.classes.5.rate_per_day: ")


def test_set_inside_a_scalar(mmc_path):
    line = only_problem(mmc_path, ["name.first=x"])
    assert line.startswith(f"{mmc_path}: --set name.first: ")
    assert "not a mapping or list" in line


@pytest.mark.parametrize("assignment", ["calendar.days", "=3"])
def test_set_without_key_or_equals(mmc_path, assignment):
    line = only_problem(mmc_path, [assignment])
    assert f"--set {assignment!r}: expected dotted.key=value" in line


@pytest.mark.parametrize("assignment", ["name=[", "roles.responder.tiers={a: 1"])
def test_set_value_with_yaml_syntax_error(mmc_path, assignment):
    key = assignment.partition("=")[0]
    line = only_problem(mmc_path, [assignment])
    assert f"--set {key}" in line


def test_set_dotted_directly():
    raw = {"roles": [{"id": "a", "x": 1}, {"id": "b", "x": 2}], "top": {}}
    set_dotted(raw, "roles.b.x", 5)
    set_dotted(raw, "roles.0.x", 6)
    set_dotted(raw, "top.new.deep", 7)  # missing mappings are created
    set_dotted(raw, "roles.-1.y", 8)
    assert raw == {
        "roles": [{"id": "a", "x": 6}, {"id": "b", "x": 5, "y": 8}],
        "top": {"new": {"deep": 7}},
    }
    with pytest.raises(KeyError, match="no item with id 'c'"):
        set_dotted(raw, "roles.c.x", 1)


# --------------------------------------------------------------------------- calendar sanity


def test_warmup_must_be_shorter_than_the_horizon(mmc_path):
    line = only_problem(mmc_path, ["calendar.days=3"])
    assert "warmup_days" in line
    assert line.startswith(f"{mmc_path}: calendar")


# --------------------------------------------------------------------------- the Scenario object


def test_scenario_is_immutable(mmc_path):
    s = load_scenario(mmc_path)
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        s.name = "other"
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        s.calendar.days = 1
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        s.roles[0].hourly_cost = 1
    with pytest.raises(AttributeError):
        s.roles.append(s.roles[0])  # lists are tuples
    assert s.name == "mmc"


def _rich(mmc_data) -> dict:
    """mmc plus most optional features, to round-trip more than defaults."""
    d = mmc_data
    d["sites"].append(
        {"id": "ny", "timezone": "America/New_York", "holidays": ["2027-01-18", "2027-05-31"]}
    )
    d["teams"].append({"id": "net", "name": "Network"})
    d["tiers"].append({"id": "L2"})
    d["shifts"].append(
        {"id": "day", "start": "08:00", "end": "16:30", "days": ["mon", "tue", "wed", "thu", "fri"]}
    )
    d["roles"].append(
        {
            "id": "neteng",
            "team": "net",
            "tiers": ["L2"],
            "categories": ["network"],
            "employment": "contractor",
            "hourly_cost": 95.5,
            "staff": [{"site": "ny", "count": 2, "shift": "day"}],
        }
    )
    d["priorities"].insert(
        0,
        {
            "id": "P0",
            "response_minutes": 5,
            "mttr_minutes": 60,
            "postmortem": {"dist": "triangular", "low": 30, "mode": 60, "high": 120},
        },
    )
    d["services"] = [{"id": "api", "slo": 0.999}]
    d["incidents"]["rate_multiplier"] = 1.25
    d["incidents"]["profiles"] = {
        "business": {"timezone": "ny", "daily": [1] * 8 + [3] * 10 + [1] * 6}
    }
    d["incidents"]["classes"].append(
        {
            "id": "outage",
            "priority": "P0",
            "category": "network",
            "service": "api",
            "outage": True,
            "rate_per_day": 0.5,
            "profile": "business",
            "detection": {"dist": "lognormal", "median": 3, "p95": 12},
            "triage": {"dist": "gamma", "shape": 2, "mean": 10},
            "resolution": [
                {
                    "tier": "L1",
                    "effort": {"dist": "empirical", "observations": [5, 10, 20]},
                    "escalate": 0.4,
                },
                {
                    "tier": "L2",
                    "effort": {"dist": "lognormal", "mu": 3, "sigma": 0.5},
                    "roles": ["neteng"],
                },
            ],
        }
    )
    d["escalation"] = {"matrix": {"P0": ["ops", "net"]}, "triage_tier": "L1"}
    d["work_rules"] = {"shift_end": "handoff", "handoff_delay": 5, "preemptive": False}
    d["targets"] = {"mttd_minutes": 4, "utilization": {"low": 0.6, "high": 0.85}}
    return d


@pytest.mark.parametrize("rich", [False, True], ids=["mmc", "rich"])
def test_resolved_yaml_round_trips(mmc_data, rich):
    original = validate(_rich(mmc_data) if rich else mmc_data)
    text = resolved_yaml(original)
    assert "extends" not in yaml.safe_load(text)
    again = validate(yaml.safe_load(text))
    assert again == original
    assert resolved_yaml(again) == text


def test_misspelt_required_key_is_one_problem_not_two(mmc_data, write_scenario):
    cls = mmc_data["incidents"]["classes"][0]
    cls["rate_per_dya"] = cls.pop("rate_per_day")
    path = write_scenario(mmc_data)
    assert only_problem(path) == (
        f"{path}: incidents.classes[work].rate_per_dya: unknown key; did you mean 'rate_per_day'?"
    )


def test_unquoted_clock_times_are_read_as_times(mmc_path, write_scenario, mmc_text):
    path = write_scenario(
        mmc_text.replace('start: "00:00", end: "24:00"', "start: 16:00, end: 8:00")
    )
    shift = load_scenario(path).shifts[0]
    assert (shift.start, shift.end) == ("16:00", "08:00")


def test_profile_takes_weekly_or_daily_not_both(mmc_data, write_scenario):
    mmc_data["incidents"]["profiles"] = {"p": {"weekly": [1.0] * 168, "daily": [1.0] * 24}}
    path = write_scenario(mmc_data)
    assert "not both" in only_problem(path)
