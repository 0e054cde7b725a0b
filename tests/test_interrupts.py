"""Tests for sim.experiments.interrupts: Ctrl-C and SIGTERM wait for the end of a held step."""

from __future__ import annotations

import contextlib
import os
import signal

import pytest

from sim.experiments.interrupts import held


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signals_wait_for_the_end_of_the_block(signum):
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda n, f: seen.append(("handled", n)))
    expected = (
        pytest.raises(KeyboardInterrupt) if signum == signal.SIGINT else contextlib.nullcontext()
    )
    try:
        with expected, held():
            os.kill(os.getpid(), signum)
            seen.append("block finished")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen[0] == "block finished"
    if signum == signal.SIGTERM:
        assert seen[1:] == [("handled", signal.SIGTERM)]
