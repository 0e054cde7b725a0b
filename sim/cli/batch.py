"""The batch commands, ``opsim compare`` and ``opsim sweep``, and the options batches share.

Both run many scenarios' replications on common random numbers, with a progress
bar, into a results store (so rerunning an interrupted command resumes), locally
or on a Dask cluster; both write their folder all or nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import time
from datetime import UTC, datetime
from pathlib import Path

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
    set_option,
    store,
    store_notes,
    tell,
    tell_headcount,
    tell_stored,
    warn,
    whole,
    write,
)
from sim.errors import ScenarioError, printable
from sim.experiments.defaults import DEFAULT_REPLICATIONS, DEFAULT_SWEEP_REPLICATIONS


def add_batch_options(parser: argparse.ArgumentParser, replications: int) -> None:
    """``--replications --seed --workers --store --cluster``."""
    replication_options(parser, replications, "replications of each scenario")
    add_store_and_cluster(parser)


def add_parsers(commands) -> None:
    """Register ``compare`` and ``sweep``."""
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
    parser.add_argument("--days", type=whole(1, "days"), help="override calendar.days")
    set_option(parser, "override a value in every scenario (repeatable)")


def _factor(text: str) -> tuple[str, tuple[str, ...]]:
    """``KEY=V1,V2,...``; a value may be a YAML list or mapping (``[mon,tue],[wed]``)."""
    key, sep, values = text.partition("=")
    found = _values(values)
    if not sep or not key.strip() or not found:
        raise argparse.ArgumentTypeError(f"expected KEY=V1,V2,..., got {text!r}")
    if any(not v for v in found):
        raise argparse.ArgumentTypeError(f"{key.strip()}: an empty value in {values!r}")
    twice = sorted({v for v in found if found.count(v) > 1})
    if twice:
        raise argparse.ArgumentTypeError(f"{key.strip()}: the value {twice[0]!r} is given twice")
    return key.strip(), tuple(found)


def _values(text: str) -> list[str]:
    """Split on the commas outside brackets and braces."""
    found, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            found.append(text[start:i].strip())
            start = i + 1
    found.append(text[start:].strip())
    return found if any(found) else []


def run_compare(args) -> int:
    """``opsim compare BASE OTHER...``: print the comparison and its verdicts; write ``--out``."""
    from sim.experiments.comparison import compare, unique_labels
    from sim.experiments.results import COMPARISON_FILES, write_comparison_files

    if len(args.scenarios) < 2:
        raise ScenarioError(["compare: give a base scenario and at least one other"])
    loaded = [_load_scenario(args, path) for path in args.scenarios]
    scenarios = [s for s, _ in loaded]
    sources = tuple(p for _, read in loaded for p in read)
    labels = unique_labels([s.name for s in scenarios])

    def work(progress):
        return compare(scenarios, **_batch_arguments(args, progress), labels=labels)

    def files(result, new, wall):
        return write_comparison_files(result, new, _batch_manifest(args, wall, labels, result))

    return _batch(args, sources, len(scenarios), work, COMPARISON_FILES, files, _print_comparison)


def _print_comparison(args, comparison, wall: float) -> None:
    from sim.experiments.comparison import render_comparison
    from sim.experiments.experiment import few_incidents

    print(
        f"{len(comparison.results)} scenarios x {plural(args.replications, 'replication')} "
        f"on common random numbers, seed {args.seed}, {wall:.1f} s"
    )
    print(render_comparison(comparison))
    print()
    for line in comparison.verdicts():
        print(line)
    for note in few_incidents(comparison.results):
        print(f"note: {note}")


def run_sweep(args) -> int:
    """``opsim sweep FILE... --grid KEY=V1,V2``: every combination, one table; write ``--out``."""
    from sim.experiments.results import SWEEP_FILES, write_sweep_files
    from sim.experiments.sweep import grid, sweep

    factors = list(args.grid)
    keys = [key for key, _ in factors]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ScenarioError([f"--grid {twice[0]}: given twice (give all its values in one)"])
    clash = sorted(set(keys) & {o.partition("=")[0].strip() for o in args.overrides})
    if clash:
        raise ScenarioError([f"--grid {clash[0]}: also given with --set; give it once"])
    if len(args.scenarios) > 1:
        factors.insert(0, ("scenario", tuple(str(p) for p in args.scenarios)))
    if not factors:
        raise ScenarioError(["sweep: give at least one --grid KEY=V1,V2,... or two scenarios"])
    _check_size(factors, args.replications)
    points, sources = _points(args, grid(factors))
    labels = [p.label for p in points]

    def work(progress):
        return sweep(points, **_batch_arguments(args, progress))

    def files(result, new, wall):
        return write_sweep_files(result, new, _batch_manifest(args, wall, labels, result))

    return _batch(args, sources, len(points), work, SWEEP_FILES, files, _print_sweep)


def _check_size(factors, replications: int) -> None:
    """Refuse, before reading any point, a grid that asks for more replications than a run
    may (its points would fill memory long before they ran)."""
    from sim.scenario.bounds import MAX_REPLICATIONS

    points = math.prod(len(values) for _, values in factors)
    if points * replications > MAX_REPLICATIONS:
        raise ScenarioError(
            [
                f"--grid: {points:,} points x {replications:,} replications = "
                f"{points * replications:,} replications; a batch may run at most "
                f"{MAX_REPLICATIONS:,} (fewer values, or fewer --replications)"
            ]
        )


def _points(args, combos: list[dict[str, str]]):
    """Each combination's scenario (each file read once), checked as funded; every
    problem of every point at once, named by the point's factors."""
    from sim.experiments.sweep import Point
    from sim.scenario.loader import load_variants

    by_path: dict[Path, list[int]] = {}
    for k, combo in enumerate(combos):
        by_path.setdefault(Path(combo.get("scenario", args.scenarios[0])), []).append(k)
    points: list = [None] * len(combos)
    sources, problems, warned = [], {}, set()
    for path, members in by_path.items():
        variants = [_overrides(args, combos[k]) for k in members]
        loaded, read = load_variants(path, variants)
        sources += read
        for k, found in zip(members, loaded, strict=True):
            try:
                if isinstance(found, ScenarioError):
                    raise found
                funded = as_funded(found, path, quiet=True)
                named = ", ".join(f"{key}={value}" for key, value in combos[k].items())
                tell_headcount(found, funded, f"{path} at {named}")
                _warn_once(funded, path, warned)
            except ScenarioError as exc:
                for problem in exc.problems:
                    problems.setdefault(_as_grid(problem, combos[k]), set()).add(k)
                continue
            points[k] = Point(f"p{k + 1:03d}", dict(combos[k]), found)
    if problems:
        raise ScenarioError([_where(combos, at) + p for p, at in problems.items()])
    return points, tuple(dict.fromkeys(sources))


def _where(combos: list[dict[str, str]], at: set[int]) -> str:
    """Which points a problem belongs to, said as briefly as is true: every point, the
    points of one factor's value (``--grid KEY=VALUE``), or each point."""
    if len(at) == len(combos):
        return ""
    for key in combos[0]:
        for value in {combos[k][key] for k in at}:
            if {k for k, c in enumerate(combos) if c[key] == value} == at:
                return f"--grid {key}={value}: "
    named = [", ".join(f"{k}={v}" for k, v in combos[i].items()) for i in sorted(at)]
    return "grid point " + "; ".join(named) + ": "


def _as_grid(problem: str, combo: dict[str, str]) -> str:
    """A loader's ``--set KEY`` is a grid factor's ``--grid KEY`` when the factor set it."""
    for key in combo:
        problem = problem.replace(f"--set {key}:", f"--grid {key}:")
    return problem


def _overrides(args, combo: dict[str, str]) -> list[str]:
    grid = [f"{key}={value}" for key, value in combo.items() if key != "scenario"]
    days = [f"calendar.days={args.days}"] if args.days else []
    return [*args.overrides, *days, *grid]


def _warn_once(scenario, path: Path, warned: set) -> None:
    """Feasibility warnings, each line once however many points share it."""
    from sim.analysis import feasibility

    for warning in feasibility.warnings(scenario):
        if (path, warning) not in warned:
            warned.add((path, warning))
            tell(f"warning: {path}: {warning}")


def _print_sweep(args, result, wall: float) -> None:
    from sim.analysis.scorecard import formatter, scorecard

    print(
        f"{len(result.points)} grid points x {plural(args.replications, 'replication')} "
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


def _load_scenario(args, path: Path, more: list[str] = ()):
    """A scenario with the command's overrides (and ``more``), as funded, with warnings."""
    namespace = argparse.Namespace(
        scenario=path, overrides=[*args.overrides, *more], days=args.days, budget_split=None
    )
    scenario, sources = load(namespace)
    warn(as_funded(scenario, path), path)
    return scenario, sources


def _batch_arguments(args, progress) -> dict:
    """What ``compare`` and ``sweep`` take from the command line."""
    return {
        "replications": args.replications,
        "seed": args.seed,
        "workers": args.workers,
        "store": store(args),
        "cluster": args.cluster,
        "progress": progress,
    }


def _batch_manifest(args, wall: float, labels: list[str], result) -> dict:
    first = next(iter(result.results.values()))
    return {
        "scenarios": [str(p) for p in args.scenarios],
        "labels": labels,
        "replications": args.replications,
        "overrides": list(args.overrides),
        "grid": [[key, list(values)] for key, values in getattr(args, "grid", [])],
        "command_line": ["opsim", *args.argv],
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_time_seconds": round(wall, 3),
        "workers": first.workers,
    }


def _batch(args, sources, scenarios: int, work, expected, files, show) -> int:
    """Claim ``--out``, run ``work(progress)`` with a progress bar, write the folder with
    ``files(result, folder, wall)``, then print with ``show``."""
    from sim.experiments.owned_folder import claim
    from sim.experiments.progress import Progress
    from sim.experiments.workers import WorkerDied

    check_store(args)
    out = claim(args.out, sources, expected) if args.out is not None else None
    with out or contextlib.nullcontext() as folder:
        began = time.perf_counter()
        try:
            with Progress(scenarios * args.replications) as progress, store_notes():
                result = work(progress)
            wall = time.perf_counter() - began
            if folder is not None:
                write(folder, lambda new: files(result, new, wall))
        except (KeyboardInterrupt, Stopped) as exc:
            return interrupted(exc, folder, store(args))
        except (WorkerDied, MemoryError, OSError) as exc:
            tell(f"error: {failure(exc, folder)}{kept(folder)}")
            return FAILED
    tell_stored(progress)
    show(args, result, wall)
    if args.out is not None:
        print()
        print(printable(f"results written to {args.out.rstrip('/')}/"))
    return 0
