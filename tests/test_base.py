"""The schema's building blocks: flags are true or false, dates are dates."""

from __future__ import annotations

import pytest

from sim.scenario.loader import ScenarioError, validate
from tests.scenarios import TINY, tiny


def problems(**overrides) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        tiny(**overrides)
    return caught.value.problems


@pytest.mark.parametrize("value", ["yes", "on", "off", 1, 0.0, "true"])
def test_a_flag_is_true_or_false_and_nothing_else(value):
    (line,) = problems(work_rules={"preemptive": value})
    assert line.startswith("<scenario>: work_rules.preemptive: ")
    assert "expected true or false" in line


@pytest.mark.parametrize("value", [0, 1799971200, 20270115, 2027.5])
def test_a_date_is_never_a_number(value):
    (line,) = problems(calendar={"start": value})
    assert line.startswith("<scenario>: calendar.start: ")
    assert "expected a date YYYY-MM-DD" in line


def test_flags_and_dates_read_from_yaml_still_work():
    s = tiny(calendar={"start": "2027-02-01"}, work_rules={"preemptive": False})
    assert str(s.calendar.start) == "2027-02-01" and s.work_rules.preemptive is False
    assert validate(dict(TINY)).work_rules.preemptive is True
