"""Progress of a batch: a bar on a terminal, plain lines in logs.

On a terminal the bar (tqdm) shows replications done, elapsed and remaining time.
Elsewhere (CI, ``nohup``, a pipe) a bar's carriage returns make a mess of logs, so
one plain line is written every ``LOG_EVERY_SECONDS`` and at the end.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

LOG_EVERY_SECONDS = 10.0


class Progress:
    """Counts finished replications out of ``total`` (``found`` of them in the store)."""

    def __init__(self, total: int, what: str = "replications", stream: TextIO | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.total, self.what, self.finished, self.found = total, what, 0, 0
        self._began = self._logged = time.monotonic()
        self._bar = None
        if _is_terminal(self.stream):
            from tqdm import tqdm  # only on a terminal: keeps imports light elsewhere

            self._bar = tqdm(total=total, unit="rep", file=self.stream, leave=False)

    def stored(self, label: str = "", replication: int = 0) -> None:
        """A replication was found in the results store: it counts as done, at no cost."""
        self.found += 1
        self.done(label, replication)

    def done(self, label: str = "", replication: int = 0) -> None:
        """A replication finished."""
        self.finished += 1
        if self._bar is not None:
            self._bar.update(1)
        elif time.monotonic() - self._logged >= LOG_EVERY_SECONDS:
            self._log()

    def grow(self, more: int) -> None:
        """More replications were added (an adaptive run decided it needs them)."""
        self.total += more
        if self._bar is not None:
            self._bar.total = self.total
            self._bar.refresh()

    def close(self) -> None:
        """Remove the bar, or write the last line if a line was written before."""
        if self._bar is not None:
            self._bar.close()
        elif self._logged != self._began:
            self._log()

    def line(self) -> str:
        """``12/40 replications, 8.1 s elapsed, about 19 s left``."""
        elapsed = time.monotonic() - self._began
        text = f"{self.finished}/{self.total} {self.what}, {elapsed:.1f} s elapsed"
        ran = self.finished - self.found  # stored ones cost nothing: they say nothing of speed
        if ran > 0 and self.finished < self.total:
            text += f", about {elapsed / ran * (self.total - self.finished):.0f} s left"
        return text

    def _log(self) -> None:
        self._logged = time.monotonic()
        print(f"opsim: {self.line()}", file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False
