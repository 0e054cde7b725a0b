"""`opsim schema` describes scenario files as editors see them."""

from __future__ import annotations

import datetime
from pathlib import Path

import jsonschema
import pytest
import yaml

from sim.scenario.loader import scenario_json_schema

ROOT = Path(__file__).parents[1]
FILES = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "validation" / "mmc.yaml"]


def as_editor_sees_it(value):
    """YAML dates as the strings an editor's language server checks."""
    if isinstance(value, dict):
        return {k: as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees_it(v) for v in value]
    return value.isoformat() if isinstance(value, datetime.date) else value


@pytest.fixture(scope="module")
def validator():
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_schema_accepts_the_shipped_scenarios(validator, path):
    data = as_editor_sees_it(yaml.safe_load(path.read_text()))
    assert [e.message for e in validator.iter_errors(data)] == []


def test_schema_accepts_extends_and_bare_number_delays(validator):
    data = as_editor_sees_it(yaml.safe_load(FILES[1].read_text()))
    data["extends"] = "baseline.yaml"
    data["work_rules"] = {"handoff_delay": 15, "ack_delay": 0}
    assert [e.message for e in validator.iter_errors(data)] == []


def test_schema_rejects_unknown_keys_and_negative_delays(validator):
    data = as_editor_sees_it(yaml.safe_load(FILES[1].read_text()))
    data["incidents"]["classes"][0]["rate_per_dya"] = 3
    data["work_rules"] = {"handoff_delay": -1}
    assert len(list(validator.iter_errors(data))) == 2
