"""With every feature added since 0.2.0 switched off, runs stay the same.

The fingerprints are a hash of every incident timestamp and every work segment's
person, start, end and mode, for replication 0 of seed 7.
``tests/data/baseline-0.2.0.yaml`` is the baseline as 0.2.0 shipped it: no planned
work, streams, training or absence, and hand-typed public holidays.

History of the recordings:

* opsim 0.2.0 (commit e0e4f03): ``85340195a9a7d2bb`` and ``4127bcc8cec5b412``; they held
  through 0.4.0.
* opsim 0.5.0 (issue 10, common random numbers), re-recorded on purpose: every delay an
  incident can need several times (acknowledgement, page, hand-off, engaged team) is now
  drawn from the incident's own row instead of in event order, and resolution efforts
  and escalations are drawn per tier rather than per step position. The distributions
  are unchanged; the statistical tests against queueing theory guard them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from sim.model.ops_model import simulate_record
from sim.scenario.loader import load_scenario

HERE = Path(__file__).resolve().parent
RECORDED = [
    (HERE.parent / "scenarios" / "validation" / "mmc.yaml", 7, "ec77b04c81a10d7d", 2042),
    (HERE / "data" / "baseline-0.2.0.yaml", None, "c2ba0529c04f8e36", 382),
]


def fingerprint(path: Path, days: int | None) -> tuple[str, int]:
    scenario = load_scenario(path, {"calendar.days": days} if days else {})
    record = simulate_record(scenario, np.random.SeedSequence(7).spawn(1)[0])
    digest = hashlib.sha256()
    log, work = record.incidents, record.work
    for column in (log.started, log.detected, log.acknowledged, log.restored, log.postmortem_done):
        digest.update(np.asarray(column, dtype=float).tobytes())
    for column in (work.person, work.start, work.end, work.mode):
        digest.update(np.asarray(column, dtype=float).tobytes())
    return digest.hexdigest()[:16], len(log.started)


@pytest.mark.parametrize(("path", "days", "digest", "incidents"), RECORDED)
def test_runs_without_the_new_features_are_as_recorded(path, days, digest, incidents):
    assert fingerprint(path, days) == (digest, incidents)
