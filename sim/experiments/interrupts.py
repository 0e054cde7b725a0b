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
