"""The opsim command line: run, validate, schema.

Bad input (a missing file, a YAML error, an invalid or inconsistent scenario,
an ``--out`` folder opsim may not replace) prints one ``error:`` line per
problem to stderr and exits with status 2, having written nothing. Ctrl-C
exits with 130 and SIGTERM with 143, stopping the worker processes and
leaving the previous results in place.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import signal
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

# Light modules only: a command imports what it needs inside main() (see _import),
# so --help, validate and schema answer without loading pandas, scipy or matplotlib,
# and a Ctrl-C during an import is handled like any other.
from sim import __version__
from sim.errors import FolderRefused, ScenarioError, printable
from sim.experiments import interrupts
from sim.experiments.defaults import DEFAULT_REPLICATIONS, DEFAULT_SEED
from sim.scenario import bounds

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

BAD_INPUT = 2
FAILED = 1
INTERRUPTED = 128 + signal.SIGINT
STOPPED = 128 + signal.SIGTERM


class Stopped(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C (a BaseException, so nothing swallows it)."""


def console() -> None:
    """The ``opsim`` command: run :func:`main` and exit with its status."""
    status = main()
    for signum in interrupts.HELD:  # done: a late signal must not make a finished run look killed
        signal.signal(signum, signal.SIG_IGN)
    if status in (INTERRUPTED, STOPPED):
        # A worker killed while it sent a result can leave the pool's reader thread
        # waiting forever, and Python waits for that thread at exit: leave at once.
        # Everything that matters (workers, results folder, lock) is already done.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv``; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    previous = _on_sigterm(_stop)
    try:
        args = _parser().parse_args(argv)
        args.argv = argv
        _import(getattr(args, "modules", _RUN_MODULES))
        return args.handler(args)
    except (ScenarioError, FolderRefused) as exc:
        _print_problems(exc)
        return BAD_INPUT
    except KeyboardInterrupt:
        _tell("error: interrupted (Ctrl-C)")
        return INTERRUPTED
    except Stopped:
        _tell("error: stopped (SIGTERM)")
        return STOPPED
    except BrokenPipeError:  # e.g. `opsim run ... | head`: the reader left; that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the output could not be written (a full disk, /dev/full)
        _tell(f"error: cannot write the output: {exc.strerror or exc}")
        return FAILED
    finally:
        _on_sigterm(previous)


def _tell(line: str) -> None:
    """Print a line on stderr; if stderr itself is gone, the exit status still tells."""
    with contextlib.suppress(OSError):
        print(printable(line), file=sys.stderr)


def _stop(signum, frame):
    raise Stopped


# The modules each command imports before it starts (its parser's ``modules`` default).
# Only run and report need pandas, scipy, simpy or matplotlib: importing them for every
# command made --help take a second. A command that names none gets run's, as all once did.
_RUN_MODULES = (
    "sim.experiments.experiment",
    "sim.scenario.loader",
    "sim.experiments.results",
    "sim.analysis.scorecard",
    "sim.experiments.owned_folder",  # multiprocessing, ctypes, subprocess: only run needs them
    "sim.experiments.workers",
)
_VALIDATE_MODULES = ("sim.scenario.loader", "sim.scenario.spending", "sim.analysis.feasibility")
_REPORT_MODULES = ("sim.report.results", "sim.report.writer")
_SCHEMA_MODULES = ("sim.scenario.loader",)


def _import(modules: tuple[str, ...]) -> None:
    """Import a command's modules (numpy, pandas, scipy, ...) with Ctrl-C held: inside a
    compiled module's import an interrupt turns into an ImportError with a traceback."""
    with interrupts.held():
        for module in modules:
            importlib.import_module(module)


def _on_sigterm(handler):
    """Install ``handler`` for SIGTERM (main thread only); returns the previous one."""
    with contextlib.suppress(ValueError, TypeError):  # not the main thread, or no handler
        return signal.signal(signal.SIGTERM, handler)
    return None


def _print_problems(exc: Exception) -> None:
    problems = exc.problems if isinstance(exc, ScenarioError) else [str(exc)]
    for problem in problems:
        _tell(f"error: {problem}")
    for note in getattr(exc, "notes", ()):
        _tell(f"note: {note}")


class _Parser(argparse.ArgumentParser):
    """Argument errors as one ``error:`` line (and exit 2), like every other bad input."""

    def error(self, message: str):
        self.exit(BAD_INPUT, f"error: {message} (see: {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="opsim",
        description="Discrete-event simulation and capacity planning for 24/7 operations teams.",
    )
    parser.add_argument("--version", action="version", version=f"opsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="simulate a scenario and report its KPIs")
    _scenario_arguments(run)
    run.add_argument("--days", type=_whole(1, "days"), help="override calendar.days")
    run.add_argument(
        "--replications",
        type=_whole(1, "replications"),
        default=DEFAULT_REPLICATIONS,
        help=f"independent replications (default {DEFAULT_REPLICATIONS})",
    )
    run.add_argument(
        "--seed",
        type=_whole(0, "seed"),
        default=DEFAULT_SEED,
        help=f"root random seed, a whole number >= 0 (default {DEFAULT_SEED})",
    )
    run.add_argument(
        "--workers",
        type=_whole(1, "workers"),
        help="worker processes (default: number of CPUs)",
    )
    run.add_argument("--out", help="write results to this folder (see README: Results)")
    run.add_argument(
        "--no-incidents",
        action="store_true",
        help="do not keep the per-incident log (incidents.csv)",
    )
    run.set_defaults(handler=_run, modules=_RUN_MODULES)

    validate = commands.add_parser("validate", help="check a scenario file, report every problem")
    _scenario_arguments(validate)
    validate.set_defaults(handler=_validate, modules=_VALIDATE_MODULES)

    report = commands.add_parser("report", help="draw a PDF/PNG report of a results folder")
    report.add_argument("results", type=Path, help="a results folder written by opsim run --out")
    report.add_argument(
        "--format",
        type=_formats,
        default=("pdf", "png"),
        metavar="FORMATS",
        help="pdf, png or pdf,png (default): one PDF of every page, a PNG per chart",
    )
    report.add_argument(
        "--out", help="the report folder (default reports/NAME, NAME the results folder's name)"
    )
    report.set_defaults(handler=_report, modules=_REPORT_MODULES)

    schema = commands.add_parser("schema", help="print the scenario JSON Schema")
    schema.set_defaults(handler=_schema, modules=_SCHEMA_MODULES)
    return parser


def _scenario_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "--budget-split",
        type=_split,
        metavar="LINE=PERCENT,...",
        help="the budget's split, e.g. personnel=60,tools=25,infrastructure=10,training=3,"
        "contingency=2 (needs budget.total)",
    )

    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value, e.g. incidents.rate_multiplier=1.3 "
        "(repeatable; list items by id or index)",
    )


def _whole(low: int, what: str):
    """An argparse type: a whole number of at least ``low``, with a message that says so."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{what} must be at least {low}, got {value}")
        return value

    parse.__name__ = what
    return parse


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",")))
    unknown = [f for f in chosen if f not in ("pdf", "png")]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"expected pdf, png or pdf,png, got {text!r}")
    return chosen


def _split(text: str) -> str:
    """``line=percent,...`` as the YAML mapping ``{line: percent, ...}`` (checked on load)."""
    parts = [part.partition("=") for part in text.split(",") if part.strip()]
    if not parts or any(not sep or not key.strip() for key, sep, _ in parts):
        raise argparse.ArgumentTypeError(f"expected LINE=PERCENT,..., got {text!r}")
    keys = [key.strip() for key, _, _ in parts]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise argparse.ArgumentTypeError(f"{twice[0]!r} is given twice")
    for key, _, value in parts:
        try:
            float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{key.strip()}: expected a percentage, got {value.strip()!r}"
            ) from None
    return "{" + ", ".join(f"{key.strip()}: {value.strip()}" for key, _, value in parts) + "}"


def _load(args) -> tuple[Scenario, tuple[Path, ...]]:
    from sim.scenario.loader import load_with_sources

    overrides = list(args.overrides)
    if getattr(args, "days", None):
        overrides.append(f"calendar.days={args.days}")
    if args.budget_split:
        overrides.append(f"budget.split={args.budget_split}")
    scenario, sources = load_with_sources(args.scenario, overrides)
    if args.budget_split and not scenario.budget.total:
        raise ScenarioError(
            [
                f"{args.scenario}: --budget-split: the scenario has no budget.total to split "
                "(give one in the file or with --set budget.total=...)"
            ]
        )
    return scenario, sources


def _funded(scenario: Scenario, source: Path) -> Scenario:
    """The scenario as its budget leaves it (what will run), checked against the bounds."""
    from sim.scenario.spending import effective

    try:
        funded = effective(scenario)
    except ScenarioError as exc:
        raise ScenarioError([f"{source}: {p}" for p in exc.problems]) from None
    problems = bounds.bound_problems(funded) if funded is not scenario else []
    if problems:
        raise ScenarioError([f"{source}: with the budget's split, {p}" for p in problems])
    return funded


def _warn(scenario: Scenario, source: Path) -> None:
    """Warnings about the scenario as it will run (pass the funded one)."""
    from sim.analysis import feasibility

    for warning in feasibility.warnings(scenario):
        _tell(f"warning: {source}: {warning}")


def _run(args) -> int:
    scenario, sources = _load(args)
    keep = not args.no_incidents
    workers = args.workers or os.cpu_count() or 1
    funded = _funded(scenario, args.scenario)
    problems = bounds.run_problems(funded, args.replications, keep, workers)
    if problems:
        raise ScenarioError([f"{args.scenario}: {p}" for p in problems])
    _warn(funded, args.scenario)
    from sim.experiments.owned_folder import claim
    from sim.experiments.results import RESULT_FILES
    from sim.experiments.workers import WorkerDied

    out = claim(args.out, sources, RESULT_FILES) if args.out is not None else None
    with out or contextlib.nullcontext() as folder:
        try:
            result, wall = _simulate_and_write(args, scenario, folder)
        except (KeyboardInterrupt, Stopped) as exc:
            return _interrupted(exc, folder)
        except (WorkerDied, MemoryError, OSError) as exc:  # the machine failed, not the input
            _tell(f"error: {_failure(exc, folder)}{_kept(folder)}")
            return FAILED
    try:
        _print_scorecard(args, scenario, result, wall)
    except (KeyboardInterrupt, Stopped) as exc:  # the results may be written already: say so
        return _interrupted(exc, folder)
    return 0


def _print_scorecard(args, scenario: Scenario, result, wall: float) -> None:
    from sim.analysis.burden_card import render_burden
    from sim.analysis.cost_card import render_costs
    from sim.analysis.scorecard import render, scorecard
    from sim.analysis.time_card import render_time

    title = (
        f"{scenario.name}: {_plural(args.replications, 'replication')} x "
        f"{_plural(scenario.calendar.days, 'day')}, seed {args.seed}, {wall:.1f} s"
    )
    print(render(scorecard(result.summary, scenario), title))
    print("\n" + render_time(result.summary, scenario))
    burden = render_burden(result.summary, scenario)
    if burden:
        print("\n" + burden)
    costs = render_costs(result.summary, scenario)
    if costs:
        print("\n" + costs)
    if args.out is not None:
        print("\n" + printable(f"results written to {args.out.rstrip('/')}/"))


def _simulate_and_write(args, scenario: Scenario, folder):
    from sim.experiments.experiment import run_experiment
    from sim.experiments.results import write_files

    began = time.perf_counter()
    keep = not args.no_incidents
    result = run_experiment(scenario, args.replications, args.seed, args.workers, keep)
    wall = time.perf_counter() - began
    if folder is not None:  # results first: a closed stdout must not lose them
        manifest = _manifest(args, scenario, wall, result.workers)
        _write(folder, lambda new: write_files(result, new, manifest))
    return result, wall


def _interrupted(exc: BaseException, folder) -> int:
    if isinstance(exc, Stopped):
        what, code = "stopped (SIGTERM)", STOPPED
    else:
        what, code = "interrupted (Ctrl-C)", INTERRUPTED
    if folder is not None and folder.replaced:
        message = f"error: {what}; the new results were already written to {folder.path}"
    else:
        message = f"error: {what}; no results were written{_kept(folder)}"
    _tell(message)
    return code


def _kept(folder) -> str:
    if folder is None or not folder.path.exists():
        return ""
    return f"; {folder.path} is unchanged"


def _failure(exc: BaseException, folder) -> str:
    if isinstance(exc, OSError):
        name = str(exc.filename or "")
        writing = folder is not None and name.startswith(str(folder.path.parent))
        where = f"--out {folder.path}: writing failed: " if writing else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, MemoryError):
        return (
            "out of memory: try fewer --replications or --workers, --no-incidents, "
            "or a shorter horizon"
        )
    return str(exc)


def _write(folder, write) -> None:
    try:
        folder.replace(write)
    finally:
        for note in folder.notes:
            _tell(f"note: {note}")


def _manifest(args, scenario: Scenario, wall: float, workers: int) -> dict:
    return {
        "scenario": str(args.scenario),
        "replications": args.replications,
        "days": scenario.calendar.days,
        "overrides": list(args.overrides),
        "command_line": ["opsim", *args.argv],
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_time_seconds": round(wall, 3),
        "workers": workers,
    }


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def _validate(args) -> int:
    scenario, _ = _load(args)
    funded = _funded(scenario, args.scenario)
    _warn(funded, args.scenario)
    people = sum(scenario.headcount(r) for r in scenario.roles)
    paid = sum(funded.headcount(r) for r in funded.roles)
    people_text = _plural(people, "person", "people")
    if paid != people:
        people_text += f" ({paid} with the budget's split)"
    per_day = bounds.expected_incidents(funded) / scenario.calendar.days
    print(
        f"{args.scenario}: ok — {scenario.name}: {people_text} in "
        f"{_plural(len(scenario.roles), 'role')}, {_plural(len(scenario.sites), 'site')}, "
        f"{_plural(len(scenario.incidents.classes), 'incident class', 'incident classes')}, "
        f"{per_day:.2f} incidents/day expected"
    )
    return 0


def _report(args) -> int:
    from sim.report.results import NEEDED, OPTIONAL, load_results  # main() imported it, held
    from sim.report.writer import FolderNote, write_report

    out = args.out
    if out is None:
        out = str(Path("reports") / Path(os.path.realpath(args.results)).name)
    _check_apart(args.results, out)
    results = load_results(args.results)
    inputs = [args.results / name for name in (*NEEDED, *OPTIONAL)]
    signals = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: Stopped}
    with warnings.catch_warnings(record=True) as notes, interrupts.watched(signals) as watch:
        warnings.simplefilter("always")
        drawn = write_report(results, out, args.format, inputs, watch)
    for note in notes:
        if issubclass(note.category, FolderNote):  # numpy's and matplotlib's are not the user's
            _tell(f"note: {note.message}")
    for page in drawn:
        if page.left_out:
            print(printable(f"left out: {page.page.title}: {page.left_out}"))
    folder = out.rstrip("/")
    if "png" in args.format:
        charts = sum(1 for page in drawn if page.page.png and page.figures)
        print(printable(f"{_plural(charts, 'chart')} written to {folder}/ as PNG"))
    if "pdf" in args.format:
        pages = sum(len(page.figures) for page in drawn)
        print(printable(f"report ({_plural(pages, 'page')}): {folder}/report.pdf"))
    return 0


def _check_apart(results: Path, out: str) -> None:
    """Refuse a report folder inside the results folder it reads: a later run could not
    replace those results (they would hold a folder opsim did not write there)."""
    inside, folder = Path(os.path.realpath(out)), Path(os.path.realpath(results))
    if out and folder in inside.parents:
        raise FolderRefused(
            f"--out {out}: is inside the results folder {results}; write the report elsewhere, "
            "e.g. reports/NAME"
        )


def _schema(args) -> int:
    from sim.scenario.loader import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return 0


if __name__ == "__main__":
    console()
