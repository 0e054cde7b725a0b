"""The time card: parts of the day per team, people outside the band, FTE per role."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis import time_card
from sim.analysis.catalogue import MISS, OK, UNSURE
from sim.analysis.metrics import PARTS
from tests.scenarios import tiny

SCENARIO = tiny()  # teams noc and sre; one role, operator (noc)


def summary(rows):
    return pd.DataFrame(
        [(m, g, mean, lo, hi, 5) for m, g, mean, lo, hi in rows],
        columns=["metric", "group", "mean", "ci_low", "ci_high", "replications"],
    )


PARTS_NOC = {"incident": 0.3, "postmortem": 0.05, "planned": 0.1, "stream": 0.2, "training": 0.1}


def card_rows():
    rows = [
        ("utilization", "team:noc", 0.75, 0.72, 0.78),
        ("utilization", "team:sre", 0.5, 0.3, 0.9),
        ("utilization", "all", 0.9, 0.85, 0.95),
        ("utilization", "person:a", 0.9, 0.85, 0.95),
        ("utilization", "person:b", 0.5, 0.1, 0.9),
        ("utilization", "person:c", 0.2, 0.1, 0.3),
        ("fte_present", "role:operator", 1, math.nan, math.nan),
        ("fte_required", "role:operator", 1.5, 1.4, 1.6),
        ("shrinkage", "role:operator", 1 / 3, 0.3, 0.36),
    ]
    rows += [("utilization_part", f"team:noc:{p}", v, v, v) for p, v in PARTS_NOC.items()]
    rows.append(("utilization_part", "team:noc:idle", 0.25, 0.25, 0.25))
    return summary(rows)


def test_team_time_gives_each_team_its_parts_and_the_band_verdict():
    teams = {t.group: t for t in time_card.team_time(card_rows(), SCENARIO)}
    assert [teams[g].verdict for g in ("team:noc", "team:sre", "all")] == [OK, UNSURE, MISS]
    noc = teams["team:noc"]
    assert list(noc.parts) == list(PARTS)
    assert sum(f.mean for f in noc.parts.values()) == pytest.approx(1.0)
    assert math.isnan(teams["team:sre"].parts["idle"].mean)  # not measured: shown as n/a


def test_people_outside_are_those_whose_whole_interval_misses_the_band():
    outside = time_card.people_outside(card_rows(), SCENARIO)
    assert [(name, side) for name, _, side in outside] == [("a", "over"), ("c", "under")]


def test_role_staffing_and_rendering():
    (operator,) = time_card.role_staffing(card_rows(), SCENARIO)
    assert (operator.role, operator.present, operator.required.mean) == ("role:operator", 1, 1.5)
    text = time_card.render_time(card_rows(), SCENARIO)
    assert "noc" in text and "75.0%" in text and "n/a" in text
    assert "  a " in text and "over" in text and "under" in text
    assert "operator" in text and "1.50" in text and "[1.40, 1.60]" in text and "33.3%" in text
