"""Holding Ctrl-C and SIGTERM while a step must not be cut short, then delivering them.

Some steps end in a state the user must be told about exactly (the instant a
results folder is swapped), and some swallow an interrupt that lands inside
them: Python only prints an exception raised in a fork hook while worker
processes start, and a compiled module being imported turns one into an
``ImportError``. Around such steps the signals are held, then delivered.

Python runs signal handlers in the main thread between two bytecodes, so
blocking a signal in one thread is not enough (numpy's threads would take it):
the handlers themselves are replaced for the duration instead.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done, then deliver them (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {signum: signal.signal(signum, _note(pending)) for signum in HELD}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)


def _note(pending: list[int]):
    def note(signum: int, _frame) -> None:
        pending.append(signum)

    return note


class Watch:
    """What :func:`watched` saw: :meth:`check` raises for a signal that arrived."""

    def __init__(self, exceptions: dict[int, type[BaseException]]):
        self.exceptions = exceptions
        self.arrived: list[int] = []

    def check(self) -> None:
        """Raise the exception of the first signal that arrived, if any did."""
        if self.arrived:
            raise self.exceptions[self.arrived[0]]()


@contextlib.contextmanager
def watched(exceptions: dict[int, type[BaseException]]) -> Iterator[Watch]:
    """Deliver Ctrl-C and SIGTERM at once as ``exceptions[signum]``, and make sure they stay
    delivered: code that turns one into another error (a compiled library) or swallows it
    (a ``__del__``) cannot hide it, since :meth:`Watch.check` and the end of the block raise
    it again (main thread only)."""
    watch = Watch(exceptions)
    if threading.current_thread() is not threading.main_thread():
        yield watch
        return

    def deliver(signum: int, _frame) -> None:
        watch.arrived.append(signum)
        raise exceptions[signum]()

    def unraisable(info) -> None:  # a signal's exception swallowed in a __del__: already noted
        if not isinstance(info.exc_value, tuple(exceptions.values())):
            hook(info)

    previous = {signum: signal.signal(signum, deliver) for signum in exceptions}
    hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield watch
    except BaseException:
        watch.check()  # the signal, not what a library made of it
        raise
    finally:
        sys.unraisablehook = hook
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
    watch.check()
