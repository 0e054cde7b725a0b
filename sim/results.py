"""Writing an experiment's results folder, all or nothing.

Files are written to a temporary sibling folder which replaces the target only
once everything is written, so a failed run never leaves a half-written folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import yaml

from sim import __version__
from sim.experiment import ExperimentResult


def resolved_yaml(scenario) -> str:
    """The fully merged scenario as YAML: a run can be reproduced from it alone."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_results(result: ExperimentResult, out: Path, manifest: dict) -> list[Path]:
    """Write summary, replications, incidents, people, resolved scenario and manifest."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        result.summary.to_csv(tmp / "summary.csv", index=False)
        result.replications.to_csv(tmp / "replications.csv", index=False)
        if not result.incidents.empty:
            result.incidents.drop(columns=["response_origin"]).to_csv(
                tmp / "incidents.csv", index=False
            )
        result.people.to_csv(tmp / "people.csv", index=False)
        (tmp / "scenario.resolved.yaml").write_text(resolved_yaml(result.scenario))
        full = {"package": "opsim", "version": __version__, "seed": result.seed, **manifest}
        (tmp / "manifest.json").write_text(json.dumps(full, indent=2, default=str) + "\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out.iterdir())
