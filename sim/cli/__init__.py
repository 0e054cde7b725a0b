"""The opsim command line: run, compare, sweep, validate, report, schema.

Bad input (a missing file, a YAML error, an invalid or inconsistent scenario,
an ``--out`` folder opsim may not replace) prints one ``error:`` line per
problem to stderr and exits with status 2, having written nothing. Ctrl-C
exits with 130 and SIGTERM with 143, stopping the worker processes and
leaving the previous results in place.

One module per command (:mod:`sim.cli.run`, :mod:`sim.cli.batch`,
:mod:`sim.cli.validate`, :mod:`sim.cli.report`); each says which modules it needs,
and :func:`main` imports only those, after parsing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys

# Light modules only: a command imports what it needs inside main() (see _import),
# so --help, validate and schema answer without loading pandas, scipy or matplotlib,
# and a Ctrl-C during an import is handled like any other.
from sim import __version__
from sim.cli import batch, report, run, validate
from sim.cli.common import (
    BAD_INPUT,
    FAILED,
    INTERRUPTED,
    STOPPED,
    Stopped,
    print_problems,
    tell,
)
from sim.errors import FolderRefused, ScenarioError
from sim.experiments import interrupts

__all__ = ["console", "main"]


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
        _import(getattr(args, "modules", run.MODULES))
        return args.handler(args)
    except (ScenarioError, FolderRefused) as exc:
        print_problems(exc)
        return BAD_INPUT
    except KeyboardInterrupt:
        tell("error: interrupted (Ctrl-C)")
        return INTERRUPTED
    except Stopped:
        tell("error: stopped (SIGTERM)")
        return STOPPED
    except BrokenPipeError:  # e.g. `opsim run ... | head`: the reader left; that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the output could not be written (a full disk, /dev/full)
        tell(f"error: cannot write the output: {exc.strerror or exc}")
        return FAILED
    finally:
        _on_sigterm(previous)


def _stop(signum, frame):
    raise Stopped


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
    run.add_parser(commands)
    batch.add_parsers(commands)
    validate.add_parsers(commands)
    report.add_parser(commands)
    return parser
