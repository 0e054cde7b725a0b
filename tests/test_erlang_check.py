"""Erlang C fed a run's own figures: the workload, the staffing it prescribes, its adherence."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis import erlang_check
from sim.analysis.queueing import MMc, servers_for_service_level
from tests.scenarios import tiny


def _summary(incidents=48.0, adherence=(0.9, 0.8, 1.0), staff=(2.0, 1.0)):
    rows = [("incidents", "all", incidents, incidents, incidents)]
    rows += [("response_sla_adherence", "P0", *adherence)]
    rows += [("on_shift", f"all:{h}", staff[h % 2], staff[h % 2], staff[h % 2]) for h in range(168)]
    return pd.DataFrame(rows, columns=["metric", "group", "mean", "ci_low", "ci_high"])


def _people(hours_per_replication=24.0, replications=2):
    rows = [
        {
            "replication": r,
            "busy_P0_hours": hours_per_replication / 2,
            "busy_P1_hours": 0.0,
            "busy_P3_hours": hours_per_replication / 2,
        }
        for r in range(replications)
    ]
    return pd.DataFrame(rows)


def test_the_workload_is_the_runs_arrival_rate_and_person_hours_per_incident():
    scenario = tiny(calendar={"days": 2})
    load = erlang_check.workload(_summary(incidents=48.0), _people(24.0), scenario)
    assert load.arrivals_per_hour == 1.0  # 48 incidents in 48 hours
    assert load.hours_per_incident == 0.5  # 24 person-hours a replication over 48 incidents
    assert load.erlangs == 0.5


def test_checks_prescribe_erlang_c_staffing_and_set_it_beside_the_simulation():
    scenario = tiny(calendar={"days": 2}, targets={"response_sla_adherence": 0.9})
    checks = erlang_check.erlang_checks(_summary(), _people(), scenario)
    assert [c.priority for c in checks] == ["P0"]  # the only priority with a simulated figure
    check = checks[0]
    assert check.staff_needed == servers_for_service_level(1.0, 2.0, 15 / 60, 0.9)
    assert (check.staff_mean, check.staff_fewest) == (1.5, 1.0)
    assert check.erlang_adherence == pytest.approx(MMc(1.0, 2.0, 1).service_level(0.25))
    assert check.simulated == (0.9, 0.8, 1.0)


def test_erlang_c_answers_nothing_in_time_when_overloaded():
    load = erlang_check.Workload(arrivals_per_hour=3.0, hours_per_incident=1.0)
    assert erlang_check.erlang_adherence(load, 3, 15) == 0.0
    assert erlang_check.erlang_adherence(load, 0, 15) == 0.0
    assert 0 < erlang_check.erlang_adherence(load, 4, 15) < 1


@pytest.mark.parametrize(
    "summary, people, target",
    [
        (_summary(incidents=0.0), _people(), 0.9),  # no incidents
        (_summary(), _people(0.0), 0.9),  # no incident work
        (_summary(), _people(), 1.0),  # Erlang C cannot promise 100%
        (_summary().query("metric != 'on_shift'"), _people(), 0.9),  # an older run
    ],
)
def test_no_check_without_the_figures_it_needs(summary, people, target):
    scenario = tiny(calendar={"days": 2}, targets={"response_sla_adherence": target})
    assert erlang_check.erlang_checks(summary, people, scenario) == []
