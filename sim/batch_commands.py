"""The batch commands, ``opsim compare`` and ``opsim sweep``, and the options every batch shares.

Both run many scenarios' replications on common random numbers, with a progress
bar, into a results store (so rerunning an interrupted command resumes), locally
or on a Dask cluster; both write their folder all or nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

from sim import cli
from sim.errors import ScenarioError, printable
from sim.experiments.owned_folder import claim

STORE_HELP = (
    "results store of finished replications: a rerun resumes and never recomputes them "
    "(default: .opsim-store beside --out; none without --out)"
)


def add_batch_options(parser: argparse.ArgumentParser, replications: int) -> None:
    """``--replications --seed --workers --store --cluster``."""
    from sim.experiments.experiment import DEFAULT_SEED

    parser.add_argument(
        "--replications",
        type=cli._whole(1, "replications"),
        default=replications,
        help=f"replications of each scenario (default {replications})",
    )
    parser.add_argument(
        "--seed",
        type=cli._whole(0, "seed"),
        default=DEFAULT_SEED,
        help=f"root random seed, a whole number >= 0 (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--workers", type=cli._whole(1, "workers"), help="worker processes (default: CPUs)"
    )
    parser.add_argument("--store", type=Path, help=STORE_HELP)
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on this Dask scheduler (e.g. tcp://scheduler:8786; default $OPSIM_CLUSTER)",
    )


def add_commands(commands) -> None:
    """Register ``compare`` and ``sweep``."""
    from sim.experiments.experiment import DEFAULT_REPLICATIONS
    from sim.experiments.sweep import DEFAULT_SWEEP_REPLICATIONS

    compare = commands.add_parser(
        "compare", help="compare scenarios with a base on common random numbers"
    )
    compare.add_argument("scenarios", type=Path, nargs="+", help="BASE OTHER [OTHER...]")
    _shared_scenario_options(compare)
    add_batch_options(compare, DEFAULT_REPLICATIONS)
    compare.add_argument("--out", help="write the comparison to this folder")
    compare.set_defaults(handler=run_compare)

    sweep = commands.add_parser("sweep", help="run a full factorial grid of scenario variants")
    sweep.add_argument("scenarios", type=Path, nargs="+", help="scenario file(s): a factor too")
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        type=_factor,
        metavar="KEY=V1,V2,...",
        help="a factor: any --set key and its values (repeatable)",
    )
    _shared_scenario_options(sweep)
    add_batch_options(sweep, DEFAULT_SWEEP_REPLICATIONS)
    sweep.add_argument("--out", help="write the sweep's tables to this folder")
    sweep.set_defaults(handler=run_sweep)


def _shared_scenario_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=cli._whole(1, "days"), help="override calendar.days")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value in every scenario (repeatable)",
    )


def _factor(text: str) -> tuple[str, tuple[str, ...]]:
    key, sep, values = text.partition("=")
    found = tuple(v.strip() for v in values.split(",") if v.strip())
    if not sep or not key.strip() or not found:
        raise argparse.ArgumentTypeError(f"expected KEY=V1,V2,..., got {text!r}")
    return key.strip(), tuple(dict.fromkeys(found))


# -- compare -----------------------------------------------------------------------------


def run_compare(args) -> int:
    """``opsim compare BASE OTHER...``: print the comparison and its verdicts; write ``--out``."""
    from sim.experiments.comparison import compare, unique_labels
    from sim.experiments.results import COMPARISON_FILES, write_comparison_files

    if len(args.scenarios) < 2:
        raise ScenarioError(["compare: give a base scenario and at least one other"])
    loaded = [_load(args, path) for path in args.scenarios]
    scenarios = [s for s, _ in loaded]
    labels = unique_labels([s.name for s in scenarios])

    def work(progress):
        return compare(
            scenarios,
            args.replications,
            args.seed,
            args.workers,
            store=_store(args),
            cluster=args.cluster,
            progress=progress,
            labels=labels,
        )

    def write(result, new, wall):
        return write_comparison_files(result, new, _manifest(args, wall, labels))

    return _batch(args, loaded, len(scenarios), work, COMPARISON_FILES, write, _print_comparison)


def _print_comparison(args, comparison, wall: float) -> None:
    from sim.experiments.comparison import few_incidents, render_comparison

    print(
        f"{len(comparison.results)} scenarios x {cli._plural(args.replications, 'replication')} "
        f"on common random numbers, seed {args.seed}, {wall:.1f} s"
    )
    print(render_comparison(comparison))
    print()
    for line in comparison.verdicts():
        print(line)
    for note in few_incidents(comparison.results):
        print(f"note: {note}")


# -- sweep -------------------------------------------------------------------------------


def run_sweep(args) -> int:
    """``opsim sweep FILE... --grid KEY=V1,V2``: every combination, one table; write ``--out``."""
    from sim.experiments.results import SWEEP_FILES, write_sweep_files
    from sim.experiments.sweep import Point, grid, sweep

    factors = list(args.grid)
    if len(args.scenarios) > 1:
        factors.insert(0, ("scenario", tuple(str(p) for p in args.scenarios)))
    if not factors:
        raise ScenarioError(["sweep: give at least one --grid KEY=V1,V2,... or two scenarios"])
    combos = grid(factors)
    points, sources, problems = [], [], []
    for k, combo in enumerate(combos):
        try:
            scenario, read = _load_point(args, combo)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        sources += read
        points.append(Point(f"p{k + 1:03d}", dict(combo), scenario))
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))

    def work(progress):
        return sweep(
            points,
            args.replications,
            args.seed,
            args.workers,
            store=_store(args),
            cluster=args.cluster,
            progress=progress,
        )

    def write(result, new, wall):
        return write_sweep_files(result, new, _manifest(args, wall, [p.label for p in points]))

    pairs = [(p.scenario, tuple(sources)) for p in points[:1]]
    return _batch(args, pairs, len(points), work, SWEEP_FILES, write, _print_sweep)


def _load_point(args, combo: dict[str, str]):
    path = Path(combo.get("scenario", args.scenarios[0]))
    grid = [f"{key}={value}" for key, value in combo.items() if key != "scenario"]
    try:
        return _load(args, path, grid)
    except ScenarioError as exc:
        named = ", ".join(f"{k}={v}" for k, v in combo.items())
        raise ScenarioError([f"grid point {named}: {p}" for p in exc.problems]) from None


def _print_sweep(args, result, wall: float) -> None:
    from sim.analysis.scorecard import formatter, scorecard

    print(
        f"{len(result.points)} grid points x {cli._plural(args.replications, 'replication')} "
        f"on common random numbers, seed {args.seed}, {wall:.1f} s"
    )
    best = result.best()
    if best.empty:
        return
    first = result.results[result.points[0].label]
    units = {
        (line.metric, line.group): line.unit for line in scorecard(first.summary, first.scenario)
    }
    by_label = {p.label: p for p in result.points}
    print("best point per target (verdict there):")
    for row in best.itertuples(index=False):
        fmt = formatter(units.get((row.metric, row.group), ""))
        factors = ", ".join(f"{k}={v}" for k, v in by_label[row.point].factors.items())
        also = f", and {row.equal_points} more" if row.equal_points else ""
        print(f"  {row.target}: {fmt(row.mean)} {row.verdict} at {row.point} ({factors}){also}")


# -- shared ------------------------------------------------------------------------------


def _load(args, path: Path, more: list[str] = ()):
    """A scenario with the command's overrides (and ``more``), as funded, with warnings."""
    namespace = argparse.Namespace(
        scenario=path, overrides=[*args.overrides, *more], days=args.days, budget_split=None
    )
    scenario, sources = cli._load(namespace)
    cli._warn(cli._funded(scenario, path), path)
    return scenario, sources


def _store(args):
    from sim.experiments.store import DEFAULT_NAME, Store

    if args.store is not None:
        return Store(args.store)
    if args.out is None:
        return None
    return Store(Path(args.out).resolve().parent / DEFAULT_NAME)


def _manifest(args, wall: float, labels: list[str]) -> dict:
    return {
        "scenarios": [str(p) for p in args.scenarios],
        "labels": labels,
        "replications": args.replications,
        "overrides": list(args.overrides),
        "grid": [[key, list(values)] for key, values in getattr(args, "grid", [])],
        "command_line": ["opsim", *args.argv],
        "wall_time_seconds": round(wall, 3),
    }


def _batch(args, loaded, scenarios: int, work, expected, write, show) -> int:
    """Claim ``--out``, run ``work(progress)`` with a progress bar, write, then print."""
    from sim.experiments.progress import Progress
    from sim.experiments.workers import WorkerDied

    sources = tuple(p for _, read in loaded for p in read)
    out = claim(args.out, sources, expected) if args.out is not None else None
    with out or contextlib.nullcontext() as folder:
        began = time.perf_counter()
        try:
            with Progress(scenarios * args.replications) as progress:
                result = work(progress)
            wall = time.perf_counter() - began
            if folder is not None:
                cli._write(folder, lambda new: write(result, new, wall))
        except (KeyboardInterrupt, cli.Stopped) as exc:
            return _interrupted(exc, folder, _store(args))
        except (WorkerDied, MemoryError, OSError) as exc:
            cli._tell(f"error: {cli._failure(exc, folder)}{cli._kept(folder)}")
            return cli.FAILED
    _tell_stored(progress)
    show(args, result, wall)
    if args.out is not None:
        print()
        print(printable(f"results written to {args.out.rstrip('/')}/"))
    return 0


def _interrupted(exc: BaseException, folder, store) -> int:
    code = cli._interrupted(exc, folder)
    if store is not None:
        cli._tell(f"note: finished replications are kept in {store.root}; rerun to resume")
    return code


def _tell_stored(progress) -> None:
    if progress.found:
        cli._tell(
            f"note: {progress.found} of {progress.total} replications were found in the results "
            "store and not rerun"
        )
