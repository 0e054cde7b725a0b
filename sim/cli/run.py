"""``opsim run``: simulate one scenario, print its cards, write its results folder."""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sim.cli.common import (
    FAILED,
    Stopped,
    add_store_and_cluster,
    as_funded,
    check_store,
    failure,
    interrupted,
    kept,
    load,
    plural,
    replication_options,
    scenario_arguments,
    store,
    store_notes,
    tell,
    tell_stored,
    warn,
    whole,
    write,
)
from sim.errors import ScenarioError, printable
from sim.experiments.defaults import DEFAULT_CAP, DEFAULT_REPLICATIONS
from sim.scenario import bounds

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

# What run imports before it starts (its parser's ``modules``; see sim.cli._import).
MODULES = (
    "sim.experiments.experiment",
    "sim.scenario.loader",
    "sim.experiments.results",
    "sim.analysis.scorecard",
    "sim.experiments.owned_folder",  # multiprocessing, ctypes, subprocess: only run needs them
    "sim.experiments.workers",
)


def add_parser(commands) -> None:
    """Register ``run``."""
    parser = commands.add_parser("run", help="simulate a scenario and report its KPIs")
    scenario_arguments(parser)
    parser.add_argument("--days", type=whole(1, "days"), help="override calendar.days")
    replication_options(parser, DEFAULT_REPLICATIONS, "independent replications")
    parser.add_argument("--out", help="write results to this folder (see README: Results)")
    parser.add_argument(
        "--no-incidents",
        action="store_true",
        help="do not keep the per-incident log (incidents.csv)",
    )
    add_store_and_cluster(parser)
    add_adaptive_options(parser)
    parser.set_defaults(handler=_run, modules=MODULES)


def _run(args) -> int:
    _check_adaptive(args)
    check_store(args)
    scenario, sources = load(args)
    keep = not args.no_incidents
    workers = args.workers or os.cpu_count() or 1
    funded = as_funded(scenario, args.scenario)
    most = args.max_replications if _adaptive(args) else args.replications
    problems = bounds.run_problems(funded, most, keep, workers)
    if problems:
        raise ScenarioError([f"{args.scenario}: {p}" for p in problems])
    warn(funded, args.scenario)
    from sim.experiments.owned_folder import claim
    from sim.experiments.results import RESULT_FILES
    from sim.experiments.workers import WorkerDied

    out = claim(args.out, sources, RESULT_FILES) if args.out is not None else None
    with out or contextlib.nullcontext() as folder:
        try:
            result, wall = _simulate_and_write(args, scenario, folder)
        except (KeyboardInterrupt, Stopped) as exc:
            return interrupted(exc, folder, store(args))
        except (WorkerDied, MemoryError, OSError) as exc:  # the machine failed, not the input
            tell(f"error: {failure(exc, folder)}{kept(folder)}")
            return FAILED
    try:
        _print_scorecard(args, scenario, result, wall)
    except (KeyboardInterrupt, Stopped) as exc:  # the results may be written already: say so
        return interrupted(exc, folder)
    return 0


def _print_scorecard(args, scenario: Scenario, result, wall: float) -> None:
    from sim.analysis.burden_card import render_burden
    from sim.analysis.cost_card import render_costs
    from sim.analysis.scorecard import render, scorecard
    from sim.analysis.time_card import render_time

    replications = int(result.replications.replication.nunique())
    title = (
        f"{scenario.name}: {plural(replications, 'replication')} x "
        f"{plural(scenario.calendar.days, 'day')}, seed {args.seed}, {wall:.1f} s"
    )
    print(render(scorecard(result.summary, scenario), title))
    print("\n" + render_time(result.summary, scenario))
    burden = render_burden(result.summary, scenario)
    if burden:
        print("\n" + burden)
    costs = render_costs(result.summary, scenario)
    if costs:
        print("\n" + costs)
    print_run_notes(args, result)
    if args.out is not None:
        print("\n" + printable(f"results written to {args.out.rstrip('/')}/"))


def _simulate_and_write(args, scenario: Scenario, folder):
    from sim.experiments.results import write_files

    began = time.perf_counter()
    result, adaptive = simulate_run(args, scenario)
    wall = time.perf_counter() - began
    args.done = adaptive  # for the scorecard's title and the manifest
    if folder is not None:  # results first: a closed stdout must not lose them
        manifest = _manifest(args, scenario, wall, result.workers)
        write(folder, lambda new: write_files(result, new, manifest))
    return result, wall


def _adaptive(args) -> bool:
    return bool(args.precision) or args.until_decided


def _manifest(args, scenario: Scenario, wall: float, workers: int) -> dict:
    return {
        "scenario": str(args.scenario),
        "replications": int(args.done.rounds[-1]) if args.done else args.replications,
        "adaptive": args.done.describe() if args.done else None,
        "days": scenario.calendar.days,
        "overrides": list(args.overrides),
        "command_line": ["opsim", *args.argv],
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_time_seconds": round(wall, 3),
        "workers": workers,
    }


def add_adaptive_options(parser: argparse.ArgumentParser) -> None:
    """``--precision``, ``--until-decided`` and their cap."""
    parser.add_argument(
        "--precision",
        action="append",
        default=[],
        metavar="METRIC[:GROUP]=HALFWIDTH",
        help="add replications until this interval is at most this wide either side "
        "(shares as fractions: 0.01 is one point; repeatable)",
    )
    parser.add_argument(
        "--until-decided",
        action="store_true",
        help="add replications until every target verdict is ok or MISS (not ~)",
    )
    parser.add_argument(
        "--max-replications",
        type=whole(1, "max-replications"),
        help=f"the cap of --precision and --until-decided (default {DEFAULT_CAP})",
    )


def _check_adaptive(args) -> None:
    """The rules are well formed; the cap goes with a rule and is not below the replications
    run first."""
    from sim.experiments.adaptive import Precision

    args.rules = [Precision.parse(text) for text in args.precision]
    if args.max_replications is not None and not _adaptive(args):
        raise ScenarioError(["--max-replications: needs --precision or --until-decided"])
    args.max_replications = args.max_replications or max(DEFAULT_CAP, args.replications)
    if _adaptive(args) and args.replications > args.max_replications:
        raise ScenarioError(
            [
                f"--replications {args.replications}: more than --max-replications "
                f"{args.max_replications}, the most an adaptive run may reach"
            ]
        )


def simulate_run(args, scenario):
    """``opsim run``'s replications: fixed, or adaptive; with progress and the store.

    Returns the result and, for an adaptive run, what it did (else None).
    """
    from sim.experiments.adaptive import run_adaptive
    from sim.experiments.experiment import run_experiment
    from sim.experiments.progress import Progress

    rules = args.rules
    keep = not args.no_incidents
    options = {"store": store(args), "cluster": args.cluster}
    with Progress(args.replications) as progress, store_notes():
        if not (rules or args.until_decided):
            result = run_experiment(
                scenario,
                args.replications,
                args.seed,
                args.workers,
                keep,
                progress=progress,
                **options,
            )
            done = None
        else:
            result, done = run_adaptive(
                scenario,
                rules,
                args.until_decided,
                args.replications,
                args.max_replications,
                args.seed,
                args.workers,
                keep,
                progress=progress,
                on_round=lambda _, more: progress.grow(more - progress.total),
                **options,
            )
    tell_stored(progress)
    return result, done


def print_run_notes(args, result) -> None:
    """How many replications an adaptive run took, and figures resting on few incidents."""
    from sim.experiments.experiment import few_incidents

    done = getattr(args, "done", None)
    if done is not None:
        print(f"\nreplications: {done.describe()}")
    for note in few_incidents({result.scenario.name: result}):
        print(f"note: {note}")
