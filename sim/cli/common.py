"""What every command shares: exit statuses, one-line messages, loading a scenario as it will
run, and the folder and store options.

Only light modules are imported here: a command imports what it needs when it runs
(see :mod:`sim.cli`), so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import FolderRefused, ScenarioError, printable
from sim.scenario import bounds

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

BAD_INPUT = 2

FAILED = 1

INTERRUPTED = 128 + signal.SIGINT

STOPPED = 128 + signal.SIGTERM


class Stopped(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C (a BaseException, so nothing swallows it)."""


def tell(line: str) -> None:
    """Print a line on stderr; if stderr itself is gone, the exit status still tells."""
    with contextlib.suppress(OSError):
        print(printable(line), file=sys.stderr)


def print_problems(exc: Exception) -> None:
    problems = exc.problems if isinstance(exc, ScenarioError) else [str(exc)]
    for problem in problems:
        tell(f"error: {problem}")
    for note in getattr(exc, "notes", ()):
        tell(f"note: {note}")


def whole(low: int, what: str):
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


def split(text: str) -> str:
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


def scenario_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "--budget-split",
        type=split,
        metavar="LINE=PERCENT,...",
        help="the budget's split, e.g. personnel=60,tools=25,infrastructure=10,training=3,"
        "contingency=2 (needs budget.total)",
    )

    set_option(
        parser,
        "override a scenario value, e.g. incidents.rate_multiplier=1.3 "
        "(repeatable; list items by id or index)",
    )


def set_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--set KEY=VALUE`` (repeatable), into ``args.overrides``."""
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help
    )


def replication_options(parser: argparse.ArgumentParser, default: int, what: str) -> None:
    """``--replications --seed --workers``, shared by every command that simulates."""
    from sim.experiments.defaults import DEFAULT_SEED

    parser.add_argument(
        "--replications",
        type=whole(1, "replications"),
        default=default,
        help=f"{what} (default {default})",
    )
    parser.add_argument(
        "--seed",
        type=whole(0, "seed"),
        default=DEFAULT_SEED,
        help=f"root random seed, a whole number >= 0 (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--workers", type=whole(1, "workers"), help="worker processes (default: number of CPUs)"
    )


def load(args) -> tuple[Scenario, tuple[Path, ...]]:
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


def as_funded(scenario: Scenario, source: Path | str, quiet: bool = False) -> Scenario:
    """The scenario as its budget leaves it (what will run), checked against the bounds;
    unless ``quiet``, a warning when the budget hires or lets people go."""
    from sim.scenario.spending import effective

    try:
        funded = effective(scenario)
    except ScenarioError as exc:
        raise ScenarioError([f"{source}: {p}" for p in exc.problems]) from None
    problems = bounds.bound_problems(funded) if funded is not scenario else []
    if problems:
        raise ScenarioError([f"{source}: with the budget's split, {p}" for p in problems])
    if not quiet:
        tell_headcount(scenario, funded, source)
    return funded


def tell_headcount(scenario: Scenario, funded: Scenario, source: Path | str) -> None:
    """Say so when the budget hires or lets people go: the run is not the staff as written."""
    from sim.scenario.spending import headcount_changes

    changes = headcount_changes(scenario, funded) if funded is not scenario else []
    if changes:
        tell(
            f"warning: {source}: the budget's personnel line changes the staff as written "
            f"({', '.join(changes)}; see budget.hire_order)"
        )


def warn(scenario: Scenario, source: Path) -> None:
    """Warnings about the scenario as it will run (pass the funded one)."""
    from sim.analysis import feasibility

    for warning in feasibility.warnings(scenario):
        tell(f"warning: {source}: {warning}")


def interrupted(exc: BaseException, folder, kept_in=None) -> int:
    """Say what an interrupt left: the results folder, and the store of finished
    replications (``kept_in``) a rerun resumes from."""
    if isinstance(exc, Stopped):
        what, code = "stopped (SIGTERM)", STOPPED
    else:
        what, code = "interrupted (Ctrl-C)", INTERRUPTED
    if folder is not None and folder.replaced:
        message = f"error: {what}; the new results were already written to {folder.path}"
    else:
        message = f"error: {what}; no results were written{kept(folder)}"
    tell(message)
    if kept_in is not None and not (folder is not None and folder.replaced):
        tell(f"note: finished replications are kept in {kept_in.root}; rerun to resume")
    return code


def kept(folder) -> str:
    if folder is None or not folder.path.exists():
        return ""
    return f"; {folder.path} is unchanged"


def failure(exc: BaseException, folder) -> str:
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


def write(folder, write) -> None:
    try:
        folder.replace(write)
    finally:
        for note in folder.notes:
            tell(f"note: {note}")


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


STORE_HELP = (
    "results store of finished replications: a rerun resumes and never recomputes them "
    "(default: .opsim-store beside --out; none without --out)"
)


def add_store_and_cluster(parser: argparse.ArgumentParser) -> None:
    """``--store`` and ``--cluster``."""
    parser.add_argument("--store", type=Path, help=STORE_HELP)
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on this Dask scheduler (e.g. tcp://scheduler:8786; default $OPSIM_CLUSTER)",
    )


def store(args):
    """The command's results store: ``--store``, else ``.opsim-store`` beside ``--out``."""
    from sim.experiments.store import DEFAULT_NAME, Store

    if args.store is not None:
        return Store(args.store)
    if args.out is None:
        return None
    return Store(Path(args.out).resolve().parent / DEFAULT_NAME)


def check_store(args) -> None:
    """Refuse, before simulating, a ``--store`` the ``--out`` folder would hold or be: opsim
    replaces ``--out`` whole, and may only replace what it wrote there."""
    if args.store is None or args.out is None:
        return
    kept, out = Path(args.store).resolve(), Path(args.out).resolve()
    if kept == out or out in kept.parents or kept in out.parents:
        raise FolderRefused(
            f"--store {args.store}: is --out {args.out}, or inside it or around it; "
            "give the store a folder of its own"
        )


def tell_stored(progress) -> None:
    if progress.found:
        tell(
            f"note: {progress.found} of {progress.total} replications were found in the results "
            "store and not rerun"
        )


@contextlib.contextmanager
def store_notes():
    """Tell the store's notes (a damaged replication run again) as ``note:`` lines."""
    from sim.experiments.store import StoreNote

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StoreNote)
        try:
            yield
        finally:
            for note in caught:
                if issubclass(note.category, StoreNote):
                    tell(f"note: {note.message}")
                else:  # not ours: as Python would have shown it
                    warnings.showwarning(note.message, note.category, note.filename, note.lineno)
