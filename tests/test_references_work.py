"""Cross-references of the sections of non-incident work: planned, streams and training.

Each problem is one line with its key path (``planned[standup].attendees.roles: ...``);
whatever these checks accept, the model runs.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.model.ops_model import simulate_record
from sim.scenario.loader import deep_merge, load_scenario, validate
from sim.scenario.references import reference_problems
from tests.scenarios import TINY

PRIORITIES = "P0, P1, P3"
MOST_URGENT = "the priorities that interrupt are the most urgent ones, from the top of priorities"


def op(id="standup", **changes) -> dict:
    """A planned operation everyone attends daily at 09:00 (changes merged in)."""
    base = {
        "id": id,
        "cadence": {"every": "day"},
        "at": "09:00",
        "duration": 15,
        "attendees": {"everyone": True},
    }
    return {**base, **changes}


def stream(id="tickets", **changes) -> dict:
    """A work stream the operator works (changes merged in)."""
    return {"id": id, "rate_per_day": 10, "effort": 5, "roles": ["operator"], **changes}


def data(**changes) -> dict:
    return deep_merge(copy.deepcopy(TINY), changes)


def problems(**changes) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        validate(data(**changes))
    for line in info.value.problems:
        assert "\n" not in line
    return info.value.problems


def only(**changes) -> str:
    """The one problem of the tiny scenario with ``changes``, without the source prefix."""
    found = problems(**changes)
    assert len(found) == 1, found
    return found[0].removeprefix("<scenario>: ")


def with_idle_role(**changes) -> dict:
    """``changes`` plus a role 'dba' of team sre with nobody on its staff, and a site 'eu'
    where nobody works."""
    roles = [
        copy.deepcopy(TINY["roles"][0]),
        {
            "id": "dba",
            "team": "sre",
            "tiers": ["L2"],
            "staff": [{"site": "hq", "count": 0, "shift": "always"}],
        },
    ]
    sites = [{"id": "hq", "timezone": "UTC"}, {"id": "eu", "timezone": "Europe/Dublin"}]
    return {"roles": roles, "sites": sites, **changes}


# ------------------------------------------------------------------------------ planned


def test_planned_ids_are_unique():
    assert only(planned=[op(), op()]) == "planned: id 'standup' is defined 2 times"


def test_planned_ids_may_repeat_ids_of_other_sections():
    s = validate(data(planned=[op("operator"), op("hq")], streams=[stream("operator")]))
    assert [o.id for o in s.planned] == ["operator", "hq"]


def test_planned_attendee_role_must_be_defined():
    line = only(planned=[op(attendees={"roles": ["operatr"]})])
    assert line == (
        "planned[standup].attendees.roles: role 'operatr' is not defined (defined: operator); "
        "did you mean 'operator'?"
    )


def test_planned_attendee_team_must_be_defined():
    line = only(planned=[op(attendees={"teams": ["nocc"]})])
    assert line == (
        "planned[standup].attendees.teams: team 'nocc' is not defined (defined: noc, sre); "
        "did you mean 'noc'?"
    )


def test_planned_attendee_site_must_be_defined():
    line = only(planned=[op(attendees={"everyone": True, "sites": ["mars"]})])
    assert line == "planned[standup].attendees.sites: site 'mars' is not defined (defined: hq)"


def test_planned_timezone_must_be_a_zone_or_a_site():
    line = only(planned=[op(timezone="Europe/Dubln")])
    assert line == (
        "planned[standup].timezone: 'Europe/Dubln' is neither 'local', 'UTC', a site id nor an "
        "IANA time zone; did you mean 'Europe/Dublin'?"
    )


def test_planned_timezone_utc_is_spelt_in_capitals():
    line = only(planned=[op(timezone="utc")])
    assert line == (
        "planned[standup].timezone: 'utc' is neither 'local', 'UTC', a site id nor an IANA "
        "time zone; did you mean 'UTC'?"
    )


@pytest.mark.parametrize("zone", ["local", "UTC", "hq", "America/New_York"])
def test_planned_timezones_that_are_accepted_run(zone):
    s = validate(data(planned=[op(timezone=zone)]))
    record = simulate_record(s, np.random.SeedSequence(1))
    assert len(record.activities.kind) == 1  # the one operator attends once


def test_planned_interrupting_priority_must_be_defined():
    line = only(planned=[op(interrupted_by=["P0", "P2"])])
    assert line == (
        f"planned[standup].interrupted_by: priority 'P2' is not defined (defined: {PRIORITIES})"
    )


def test_planned_interrupting_priority_listed_twice():
    line = only(planned=[op(interrupted_by=["P0", "P0"])])
    assert line == "planned[standup].interrupted_by: priority 'P0' is listed 2 times"


def test_planned_interrupting_priorities_must_be_the_most_urgent():
    line = only(planned=[op(interrupted_by=["P1"])])
    assert line == (
        f"planned[standup].interrupted_by: if P1 may interrupt it, so must P0 ({MOST_URGENT})"
    )


def test_every_more_urgent_priority_missing_is_named():
    line = only(planned=[op(interrupted_by=["P3"])])
    assert line == (
        f"planned[standup].interrupted_by: if P3 may interrupt it, so must P0 and P1 "
        f"({MOST_URGENT})"
    )


@pytest.mark.parametrize(
    "interrupting", [[], ["P0"], ["P0", "P1"], ["P1", "P0"], ["P0", "P1", "P3"]]
)
def test_the_most_urgent_priorities_in_any_order_are_accepted(interrupting):
    s = validate(data(planned=[op(interrupted_by=interrupting)]))
    assert set(s.planned[0].interrupted_by) == set(interrupting)


def test_planned_attendees_of_a_role_without_staff():
    line = only(**with_idle_role(planned=[op(attendees={"roles": ["dba"]})]))
    assert line == (
        "planned[standup].attendees: nobody matches: no staff of role dba anywhere, so it "
        "would never take place"
    )


def test_planned_attendees_of_a_team_without_staff():
    line = only(planned=[op(attendees={"teams": ["sre"]})])
    assert line == (
        "planned[standup].attendees: nobody matches: no staff of team sre anywhere, so it "
        "would never take place"
    )


def test_planned_attendees_at_a_site_where_they_do_not_work():
    line = only(**with_idle_role(planned=[op(attendees={"roles": ["operator"], "sites": ["eu"]})]))
    assert line == (
        "planned[standup].attendees: nobody matches: no staff of role operator at site eu, so "
        "it would never take place"
    )


def test_planned_for_everyone_at_a_site_without_staff():
    line = only(**with_idle_role(planned=[op(attendees={"everyone": True, "sites": ["eu"]})]))
    assert line == (
        "planned[standup].attendees: nobody matches: no staff at site eu, so it would never "
        "take place"
    )


def test_planned_attendees_of_several_roles_and_teams_without_staff():
    who = {"roles": ["dba"], "teams": ["sre"], "sites": ["hq", "eu"]}
    line = only(**with_idle_role(planned=[op(attendees=who)]))
    assert line == (
        "planned[standup].attendees: nobody matches: no staff of role dba or of team sre at "
        "sites hq and eu, so it would never take place"
    )


def test_planned_attendees_any_of_whom_is_staffed_are_accepted():
    who = {"roles": ["dba", "operator"], "sites": ["eu", "hq"]}
    s = validate(data(**with_idle_role(planned=[op(attendees=who)])))
    assert s.planned[0].attendees.roles == ("dba", "operator")


# ------------------------------------------------------------------------------ streams


def test_stream_ids_are_unique():
    assert only(streams=[stream(), stream()]) == "streams: id 'tickets' is defined 2 times"


def test_stream_role_must_be_defined():
    line = only(streams=[stream(roles=["operator", "operater"])])
    assert line == (
        "streams[tickets].roles: role 'operater' is not defined (defined: operator); "
        "did you mean 'operator'?"
    )


def test_stream_role_listed_twice():
    line = only(streams=[stream(roles=["operator", "operator"])])
    assert line == "streams[tickets].roles: role 'operator' is listed 2 times"


def test_stream_profile_must_be_defined():
    line = only(
        streams=[stream(profile="ofice")],
        incidents={"profiles": {"office": {"daily": [1] * 24}}},
    )
    assert line == (
        "streams[tickets].profile: profile 'ofice' is not defined (defined: office); "
        "did you mean 'office'?"
    )


def test_stream_with_a_defined_profile_runs():
    s = validate(data(streams=[stream(profile="office")], incidents={"profiles": {"office": {}}}))
    assert simulate_record(s, np.random.SeedSequence(2)).streams.arrived


def test_stream_interrupting_priorities_must_be_the_most_urgent():
    line = only(streams=[stream(interrupted_by=["P0", "P3"])])
    assert line == (
        f"streams[tickets].interrupted_by: if P3 may interrupt it, so must P1 ({MOST_URGENT})"
    )


def test_stream_interrupting_priority_must_be_defined():
    line = only(streams=[stream(interrupted_by=["P00"])])
    assert line == (
        f"streams[tickets].interrupted_by: priority 'P00' is not defined (defined: {PRIORITIES})"
        "; did you mean 'P0'?"
    )


def test_stream_interrupting_priority_listed_twice():
    line = only(streams=[stream(interrupted_by=["P0", "P1", "P1"])])
    assert line == "streams[tickets].interrupted_by: priority 'P1' is listed 2 times"


@pytest.mark.parametrize("interrupting", ["all", [], ["P0"]])
def test_stream_interrupted_by_all_or_the_most_urgent_is_accepted(interrupting):
    s = validate(data(streams=[stream(interrupted_by=interrupting)]))
    assert simulate_record(s, np.random.SeedSequence(3)).streams.arrived


def test_stream_whose_role_has_no_staff():
    line = only(**with_idle_role(streams=[stream(roles=["dba"])]))
    assert (
        line
        == "streams[tickets].roles: nobody can work this stream: role dba has no staff anywhere"
    )


def test_stream_whose_roles_have_no_staff():
    roles = with_idle_role()["roles"]
    roles.append({**roles[1], "id": "dbo"})
    line = only(**with_idle_role(roles=roles, streams=[stream(roles=["dba", "dbo"])]))
    assert line == (
        "streams[tickets].roles: nobody can work this stream: roles dba and dbo have no staff "
        "anywhere"
    )


def test_stream_with_one_staffed_role_is_accepted():
    s = validate(data(**with_idle_role(streams=[stream(roles=["dba", "operator"])])))
    assert s.streams[0].roles == ("dba", "operator")


# ------------------------------------------------------------------------------ training


def test_training_interrupting_priorities_must_be_the_most_urgent():
    line = only(training={"interrupted_by": ["P1"]})
    assert line == f"training.interrupted_by: if P1 may interrupt it, so must P0 ({MOST_URGENT})"


def test_training_interrupting_priority_must_be_defined():
    line = only(training={"interrupted_by": ["P9"]})
    assert line == f"training.interrupted_by: priority 'P9' is not defined (defined: {PRIORITIES})"


def test_training_interrupting_priority_listed_twice():
    line = only(training={"interrupted_by": ["P0", "P0"]})
    assert line == "training.interrupted_by: priority 'P0' is listed 2 times"


# ------------------------------------------------------------------------------ together


def test_problems_of_every_section_are_reported_at_once():
    found = problems(
        planned=[op(attendees={"roles": ["nobody"]}, interrupted_by=["P1"])],
        streams=[stream(roles=["nobody"])],
        training={"interrupted_by": ["P3"]},
    )
    keys = [line.removeprefix("<scenario>: ").split(": ")[0] for line in found]
    assert keys == [
        "planned[standup].attendees.roles",
        "planned[standup].interrupted_by",
        "streams[tickets].roles",
        "training.interrupted_by",
    ]


def test_file_problems_name_the_file_and_key(write_scenario):
    path = write_scenario(data(planned=[op(interrupted_by=["P1"])]))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems == [
        f"{path}: planned[standup].interrupted_by: if P1 may interrupt it, so must P0 "
        f"({MOST_URGENT})"
    ]


def test_references_are_reported_beside_field_errors():
    found = problems(planned=[op(duration="long", attendees={"teams": ["night"]})])
    assert "<scenario>: planned[standup].attendees.teams: team 'night' is not defined " in (
        " ".join(found)
    )
    assert any(line.startswith("<scenario>: planned[standup].duration") for line in found)


def test_wrong_types_are_left_to_the_schema():
    raw = data(
        planned=[op(interrupted_by="P1", timezone=3, attendees={"roles": "x"})],
        streams=[stream(roles="x", interrupted_by="some", profile=7)],
        training={"interrupted_by": {"P1": 1}},
    )
    assert reference_problems(raw) == []


def test_an_attendee_role_named_twice_is_refused():
    found = problems(planned=[op(attendees={"roles": ["operator", "operator"]})])
    assert found == [
        "<scenario>: planned[standup].attendees.roles: role 'operator' is listed 2 times"
    ]


def test_rotations_name_defined_roles_teams_sites_and_priorities():
    found = problems(
        oncall={
            "notify_executive": ["P9"],
            "escalate_after_by_priority": {"Px": 3},
            "rotations": [
                {"id": "p", "roles": ["operatr"], "handover": {"timezone": "local"}},
                {"id": "p", "teams": ["noc"], "covers": ["nobody"]},
            ],
        }
    )
    assert found == [
        "<scenario>: oncall.rotations: id 'p' is defined 2 times",
        "<scenario>: oncall.rotations[p].roles: role 'operatr' is not defined (defined: "
        "operator); did you mean 'operator'?",
        "<scenario>: oncall.rotations[p].handover.timezone: 'local' is neither 'UTC', a site id "
        "nor an IANA time zone",
        "<scenario>: oncall.rotations[p].covers: role 'nobody' is not defined (defined: operator)",
        "<scenario>: oncall.notify_executive: priority 'P9' is not defined (defined: P0, P1, P3)",
        "<scenario>: oncall.escalate_after_by_priority: priority 'Px' is not defined (defined: "
        "P0, P1, P3)",
    ]
