"""Enough replications, automatically: add replications until intervals are tight enough.

Two rules, each with a cap: ``--precision METRIC[:GROUP]=HALFWIDTH`` until each named
interval is that tight, and ``--until-decided`` until every target verdict on the
scorecard is decided (``ok`` or ``MISS``, not ``~``). After each round the runner
estimates how many replications each unmet rule needs (a half-width falls as one
over the square root of the count) and runs towards that, at most doubling per
round. Replications already run are kept (and stored), so rounds only add.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.analysis import catalogue
from sim.analysis.scorecard import scorecard
from sim.analysis.verdicts import UNSURE
from sim.errors import ScenarioError
from sim.experiments.defaults import DEFAULT_CAP, DEFAULT_REPLICATIONS
from sim.experiments.executors import executor_for
from sim.experiments.experiment import ExperimentResult, assemble
from sim.experiments.runner import Batch, run_batch
from sim.experiments.statistics import needed_for_halfwidth, next_count
from sim.scenario.bounds import run_problems
from sim.scenario.schema import Scenario
from sim.scenario.spending import effective


@dataclass(frozen=True)
class Precision:
    """``metric[:group]=halfwidth``: the interval of ``metric`` for ``group`` at most
    ``2 * halfwidth`` wide (a share's half-width as a fraction: 0.01 is one point)."""

    metric: str
    group: str
    halfwidth: float

    @classmethod
    def parse(cls, text: str) -> Precision:
        """``response_sla_adherence:P0=0.02`` (group ``all`` if omitted)."""
        name, sep, value = text.partition("=")
        metric, _, group = name.strip().partition(":")
        try:
            width = float(value)
        except ValueError:
            width = math.nan
        if not sep or not metric or not (0 < width < math.inf):
            raise ScenarioError(
                [f"--precision {text!r}: expected METRIC[:GROUP]=HALFWIDTH, a half-width > 0"]
            )
        try:
            catalogue.lookup(metric)
        except KeyError as exc:
            raise ScenarioError([f"--precision {text!r}: {exc.args[0]}"]) from None
        return cls(metric, group or catalogue.ALL, width)

    def __post_init__(self) -> None:
        if not (0 < self.halfwidth < math.inf):
            raise ValueError(f"a half-width must be above 0 and finite, got {self.halfwidth}")

    def label(self) -> str:
        return f"{self.metric}:{self.group}"


@dataclass
class Adaptive:
    """What an adaptive run did: its rounds' replication counts and what stayed unmet."""

    rounds: list[int] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    cap: int = DEFAULT_CAP

    def describe(self) -> str:
        n = self.rounds[-1]
        rounds = "1 round" if len(self.rounds) == 1 else f"{len(self.rounds)} rounds"
        text = f"{n} replications in {rounds} ({' -> '.join(map(str, self.rounds))})"
        if self.unmet:
            text += f"; at the cap of {self.cap}, still unmet: " + "; ".join(self.unmet)
        return text


def run_adaptive(
    scenario: Scenario,
    precision: list[Precision] = (),
    until_decided: bool = False,
    start: int = DEFAULT_REPLICATIONS,
    cap: int = DEFAULT_CAP,
    seed: int = 1,
    workers: int | None = None,
    keep_incidents: bool = True,
    *,
    store=None,
    cluster: str | None = None,
    progress=None,
    on_round=None,
) -> tuple[ExperimentResult, Adaptive]:
    """Run ``start`` replications, then more in rounds until every rule holds or ``cap``.

    ``on_round(n_before, n_after)`` is called before each added round (progress).
    """
    start = min(start, cap)
    executor = executor_for(workers, cap, cluster)
    run = effective(scenario)
    problems = run_problems(run, cap, keep_incidents, executor.workers)
    if problems:
        raise ScenarioError(problems)
    batch = Batch({scenario.name: run}, seed, keep_incidents)
    found: dict = {}
    done = Adaptive(cap=cap)
    n = start
    while True:
        wanted = {scenario.name: [r for r in range(n) if r not in found]}
        found.update(run_batch(batch, wanted, executor, store, progress)[scenario.name])
        done.rounds.append(n)
        result = assemble(scenario, seed, executor.workers, found)
        needed, unmet = _needs(result, precision, until_decided, n)
        if not unmet or n >= cap:
            done.unmet = unmet
            return result, done
        more = next_count(n, needed, cap, executor.workers)
        if on_round is not None:
            on_round(n, more)
        n = more


def _needs(result: ExperimentResult, precision, until_decided: bool, n: int):
    """How many replications the unmet rules need, and which are unmet."""
    needed, unmet = float(n), []
    index = {(r.metric, r.group): r for r in result.summary.itertuples(index=False)}
    for rule in precision:
        row = index.get((rule.metric, rule.group))
        if row is None:
            raise ScenarioError([f"--precision {rule.label()}: the run has no such figure"])
        half = (row.ci_high - row.ci_low) / 2
        if not half <= rule.halfwidth:
            unmet.append(f"{rule.label()} half-width {half:.3g} > {rule.halfwidth:g}")
            needed = max(needed, needed_for_halfwidth(n, half, rule.halfwidth))
    if until_decided:
        for line in scorecard(result.summary, result.scenario):
            if line.verdict == UNSURE:
                unmet.append(f"{line.label} undecided")
                gap = min(abs(line.mean - edge) for edge in _edges(line, result))
                half = (line.ci_high - line.ci_low) / 2
                needed = max(needed, needed_for_halfwidth(n, half, gap))
    return needed, unmet


def _edges(line, result) -> tuple[float, ...]:
    target = catalogue.lookup(line.metric).target_for(result.scenario, line.group)
    return target.edges or (line.mean,)
