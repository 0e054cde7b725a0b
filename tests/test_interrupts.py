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


class Stop(BaseException):
    """Stands for the CLI's SIGTERM exception."""


SIGNALS = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: Stop}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_watched_signal_turned_into_another_error_comes_out_as_itself(signum):
    from sim.experiments.interrupts import watched

    with pytest.raises(SIGNALS[signum]), watched(SIGNALS):
        try:
            os.kill(os.getpid(), signum)
        except BaseException as exc:  # a compiled library reports it as its own error
            raise ValueError("Invalid bounding box") from exc


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_watched_signal_swallowed_in_a_destructor_is_raised_at_the_check(signum, capsys):
    from sim.experiments.interrupts import watched

    class Swallower:
        def __del__(self):
            os.kill(os.getpid(), signum)  # Python can only print what __del__ raises

    checked = []
    with pytest.raises(SIGNALS[signum]), watched(SIGNALS) as watch:
        Swallower()
        checked.append("block went on")
        watch.check()
    assert checked == ["block went on"]
    assert "Exception ignored" not in capsys.readouterr().err


def test_after_a_watched_block_the_handlers_are_back():
    from sim.experiments.interrupts import watched

    before = signal.getsignal(signal.SIGTERM)
    with watched(SIGNALS):
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
