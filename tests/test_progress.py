"""Progress: plain lines off a terminal, with what finished, elapsed and what is left."""

from __future__ import annotations

import io

from sim.experiments import progress as progress_module
from sim.experiments.progress import Progress


def test_off_a_terminal_progress_is_plain_lines(monkeypatch):
    monkeypatch.setattr(progress_module, "LOG_EVERY_SECONDS", 0.0)
    out = io.StringIO()
    with Progress(4, stream=out) as progress:
        progress.stored("a", 0)
        progress.done("a", 1)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("opsim: 1/4 replications, ")
    assert lines[1].startswith("opsim: 2/4 replications, ") and "s left" in lines[1]
    assert "\r" not in out.getvalue()
    assert progress.found == 1 and progress.finished == 2


def test_a_quick_batch_off_a_terminal_writes_nothing():
    out = io.StringIO()
    with Progress(2, stream=out) as progress:
        progress.done()
        progress.done()
    assert out.getvalue() == ""


def test_a_growing_batch_counts_towards_the_new_total():
    progress = Progress(2, stream=io.StringIO())
    progress.done()
    progress.grow(3)
    assert progress.line().startswith("1/5 replications")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_bar_is_drawn_and_removed():
    out = Terminal()
    with Progress(3, stream=out) as progress:
        for _ in range(3):
            progress.done()
    text = out.getvalue()
    assert "0/3 [" in text and "rep/s" in text  # tqdm's bar
    assert text.endswith("\r") and "opsim:" not in text  # cleared at the end, no log lines
