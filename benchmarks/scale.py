"""Experiments at scale: prints replications per second, parallel efficiency and sweep time.

Cases (each a real ``opsim`` command in a child process, so start-up counts):

1. the baseline year, 20 replications, on 1 and on 2 workers: the whole command's
   wall time, the simulation's own (as the command reports it), replications per
   second, and the parallel efficiency ``t1 / (2 * t2)``;
2. where a local run's time goes besides simulating: interpreter and import time
   (``opsim --version``), the scenario's pickled size (sent once per worker), and
   one replication's returned tables with and without the incident log;
3. a 100-point sweep (10 x 10 grid) x 10 replications x 90 days on 2 workers,
   into a fresh results store; then the same command again, which finds every
   replication in the store.

Targets (2-core machine): parallel efficiency of at least 85% for the whole
command; the 100-point sweep in under 2 minutes.

Usage: ``make bench`` or ``.venv/bin/python benchmarks/scale.py [--quick]``.
"""

from __future__ import annotations

import argparse
import pickle
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
OPSIM = [sys.executable, "-m", "sim"]


def timed(argv: list[str]) -> tuple[float, str]:
    """Wall seconds of a command, and its standard output."""
    began = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - began, done.stdout


def replications_per_second(replications: int, days: int) -> None:
    print(f"Baseline, {replications} replications x {days} days (whole command):")
    walls = {}
    for workers in (1, 2):
        argv = [*OPSIM, "run", str(BASELINE), "--days", str(days), "--no-incidents"]
        argv += ["--replications", str(replications), "--workers", str(workers)]
        wall, out = timed(argv)
        simulated = float(re.search(r"seed \d+, ([\d.]+) s", out).group(1))
        walls[workers] = wall
        print(
            f"  {workers} worker(s): {wall:5.2f} s command, {simulated:5.2f} s simulating, "
            f"{replications / wall:5.2f} replications/s"
        )
    print(f"  parallel efficiency (command): {walls[1] / (2 * walls[2]):.0%}")


def overheads(days: int) -> None:
    from sim.experiments.runner import Batch, replicate
    from sim.scenario.loader import load_scenario
    from sim.scenario.spending import effective

    start, _ = timed([*OPSIM, "--version"])
    scenario = effective(load_scenario(BASELINE, {"calendar.days": days}))
    batch = Batch({"baseline": scenario}, seed=1, keep_incidents=False)
    kept = Batch({"baseline": scenario}, seed=1, keep_incidents=True)
    lean, full = replicate(batch, "baseline", 0), replicate(kept, "baseline", 0)
    print("Where the rest goes:")
    print(f"  interpreter start-up and imports (opsim --version): {start:.2f} s")
    print(f"  scenario pickled once per worker: {len(pickle.dumps(batch)) / 1e3:.0f} kB")
    print(
        f"  one replication's tables returned: {len(pickle.dumps(lean)) / 1e3:.0f} kB, "
        f"{len(pickle.dumps(full)) / 1e3:.0f} kB with the incident log"
    )


def sweep(points_per_factor: int, replications: int, days: int) -> None:
    counts = ",".join(str(c) for c in range(1, points_per_factor + 1))
    growth = ",".join(f"{1 + 0.1 * k:.1f}" for k in range(points_per_factor))
    points = points_per_factor**2
    with tempfile.TemporaryDirectory() as scratch:
        argv = [*OPSIM, "sweep", str(BASELINE), "--days", str(days)]
        argv += ["--grid", f"roles.noc-operator.staff.0.count={counts}"]
        argv += ["--grid", f"incidents.rate_multiplier={growth}"]
        argv += ["--replications", str(replications), "--workers", "2"]
        argv += ["--out", str(Path(scratch) / "sweep")]
        first, _ = timed(argv)
        again, _ = timed(argv)
    print(f"Sweep, {points} points x {replications} replications x {days} days, 2 workers:")
    print(f"  {first:.1f} s ({points * replications / first:.1f} replications/s)")
    print(f"  rerun, every replication found in the store: {again:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases (a smoke test)")
    args = parser.parse_args()
    if args.quick:
        replications_per_second(4, 30)
        overheads(30)
        sweep(3, 2, 14)
    else:
        replications_per_second(20, 365)
        overheads(365)
        sweep(10, 10, 90)


if __name__ == "__main__":
    main()
