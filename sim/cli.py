"""The ``opsim`` command line: ``run``, ``validate``, ``schema``.

Bad input (a missing file, a YAML error, an invalid or inconsistent scenario)
prints one line per problem to stderr and exits with status 2, writing nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sim import __version__
from sim.experiment import DEFAULT_REPLICATIONS, DEFAULT_SEED, run_experiment
from sim.loader import ScenarioError, load_scenario, scenario_json_schema
from sim.scenario import Scenario
from sim.scorecard import render, scorecard

BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    try:
        return args.handler(args)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return BAD_INPUT
    except BrokenPipeError:  # e.g. `opsim run ... | head`: the reader left; that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsim", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"opsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="simulate a scenario and report its KPIs")
    _scenario_arguments(run)
    run.add_argument("--days", type=_positive_int, help="override calendar.days")
    run.add_argument(
        "--replications",
        type=_positive_int,
        default=DEFAULT_REPLICATIONS,
        help=f"independent replications (default {DEFAULT_REPLICATIONS})",
    )
    run.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"root random seed (default {DEFAULT_SEED})"
    )
    run.add_argument(
        "--workers", type=_positive_int, help="worker processes (default: number of CPUs)"
    )
    run.add_argument("--out", type=Path, help="write results to this folder")
    run.add_argument(
        "--no-incidents",
        action="store_true",
        help="do not keep the per-incident log (incidents.csv)",
    )
    run.set_defaults(handler=_run)

    validate = commands.add_parser("validate", help="check a scenario file, report every problem")
    _scenario_arguments(validate)
    validate.set_defaults(handler=_validate)

    schema = commands.add_parser("schema", help="print the scenario JSON Schema")
    schema.set_defaults(handler=_schema)
    return parser


def _scenario_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value, e.g. incidents.rate_multiplier=1.3 "
        "(repeatable; list items by id or index)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def _load(args) -> Scenario:
    overrides = list(args.overrides)
    if getattr(args, "days", None):
        overrides.append(f"calendar.days={args.days}")
    return load_scenario(args.scenario, overrides)


def _run(args) -> int:
    scenario = _load(args)
    if args.out is not None:
        _check_writable(args.out)
    began = time.perf_counter()
    result = run_experiment(
        scenario, args.replications, args.seed, args.workers, keep_incidents=not args.no_incidents
    )
    wall = time.perf_counter() - began
    if args.out is not None:  # results first: a closed stdout must not lose them
        from sim.results import write_results

        manifest = {
            "scenario": str(args.scenario),
            "replications": args.replications,
            "days": scenario.calendar.days,
            "overrides": list(args.overrides),
            "command_line": ["opsim", *args.argv],
            "wall_time_seconds": round(wall, 3),
            "workers": result.workers,
        }
        try:
            write_results(result, args.out, manifest)
        except OSError as exc:
            raise ScenarioError([f"--out {args.out}: writing failed: {exc}"]) from None
    title = (
        f"{scenario.name}: {_plural(args.replications, 'replication')} x "
        f"{_plural(scenario.calendar.days, 'day')}, seed {args.seed}, {wall:.1f} s"
    )
    print(render(scorecard(result.summary, scenario), title))
    if args.out is not None:
        print(f"\nresults written to {args.out}/")
    return 0


def _check_writable(out: Path) -> None:
    """Refuse an unusable --out before simulating, not after."""
    if out.exists() and not out.is_dir():
        raise ScenarioError([f"--out {out}: exists and is not a folder"])
    parent = out.resolve().parent
    while not parent.exists():
        parent = parent.parent
    try:  # a real probe: permissions alone do not tell (read-only mounts, /proc, ...)
        os.rmdir(tempfile.mkdtemp(prefix=".opsim-probe-", dir=parent))
    except OSError as exc:
        raise ScenarioError([f"--out {out}: cannot write in {parent}: {exc.strerror}"]) from None


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def _validate(args) -> int:
    scenario = _load(args)
    people = sum(scenario.headcount(r) for r in scenario.roles)
    per_day = sum(c.rate_per_day for c in scenario.incidents.classes)
    per_day *= scenario.incidents.rate_multiplier
    print(
        f"{args.scenario}: ok — {scenario.name}: {_plural(people, 'person', 'people')} in "
        f"{_plural(len(scenario.roles), 'role')}, {_plural(len(scenario.sites), 'site')}, "
        f"{_plural(len(scenario.incidents.classes), 'incident class', 'incident classes')}, "
        f"{per_day:.2f} incidents/day expected"
    )
    return 0


def _schema(args) -> int:
    print(json.dumps(scenario_json_schema(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
