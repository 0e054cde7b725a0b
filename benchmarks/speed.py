"""Speed benchmark: prints wall time, work items per second and peak memory.

A work item is an incident, a stream item or one attendee's planned operation or
training session: each is one SimPy process and one log row.

Cases (each in a fresh child process so peak memory is its own):

1. the baseline scenario over 365 days, one replication;
2. a 10x organisation: 10x every headcount, incident rate and stream rate;
3. opsim on ``scenarios/validation/mmc.yaml`` against Ciw on the same M/M/c
   (same rates, servers and horizon), incidents per second for both.

4. validating a scenario of 500 and of 1,000 roles (the most a scenario may have)
   whose 10 or 20 steps each name every role (4x the data), which once took
   quadratic time.

5. start-up: ``opsim --help``, ``opsim schema`` and ``opsim validate`` on the
   baseline, the whole command from start to exit (median of 5, after one run to warm
   the file cache). ``tests/test_startup.py`` checks that they import no pandas, scipy
   or matplotlib.

Targets (2-core machine): opsim at least as fast as Ciw on M/M/c; a baseline
year in at most 2 s per replication (it was 1 s while the baseline had only its
~1,600 incidents a year; since it accounts for every hour it also simulates
~45,000 stream items and ~10,500 attendances); the 10x case at most 12x the baseline;
validation time no worse than linear in the size of the scenario; ``--help`` and
``schema`` under 0.3 s and validating the baseline under 0.5 s (they took 0.9 s and
1.2 s while every command imported the whole model).

Usage: ``make bench`` or ``.venv/bin/python benchmarks/speed.py [--repeat N]``;
``--startup`` times the start-up alone (a few seconds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MMC = ROOT / "scenarios" / "validation" / "mmc.yaml"
STARTUP = {
    "opsim --help": (("--help",), 0.3),
    "opsim schema": (("schema",), 0.3),
    "opsim validate baseline": (("validate", str(BASELINE)), 0.5),
}
"""Commands that simulate nothing: their arguments and target wall time in seconds."""


def _opsim_case(path: str, scale: int, days: int) -> dict:
    import numpy as np

    from sim.model.ops_model import simulate_record
    from sim.model.staff import build_staff
    from sim.scenario.loader import load_scenario

    scenario = load_scenario(path, {"calendar.days": days})
    if scale != 1:
        scenario = scale_organisation(scenario, scale)
    staff = build_staff(scenario)
    began = time.perf_counter()
    record = simulate_record(scenario, np.random.SeedSequence(1), staff=staff)
    wall = time.perf_counter() - began
    items = len(record.incidents.started) + len(record.streams.arrived)
    items += len(record.activities.kind)
    return {
        "wall_s": wall,
        "incidents": len(record.incidents.started),
        "items": items,
        "people": len(staff.people),
    }


def scale_organisation(scenario, factor: int):
    """The same organisation with ``factor`` times the people and the incident rate."""
    data = scenario.model_dump(by_alias=True, exclude_none=True)
    for role in data["roles"]:
        for staffing in role["staff"]:
            staffing["count"] *= factor
    data["incidents"]["rate_multiplier"] *= factor
    for stream in data.get("streams", []):
        stream["rate_per_day"] *= factor
    return type(scenario).model_validate(data)


def _ciw_case(path: str, days: int) -> dict:
    import ciw

    from sim.scenario.loader import load_scenario

    s = load_scenario(path, {"calendar.days": days})
    cls = s.incidents.classes[0]
    arrival_rate = cls.rate_per_day * s.incidents.rate_multiplier / 1440.0
    service_rate = 1.0 / cls.resolution[0].effort.mean
    servers = sum(st.count for st in s.roles[0].staff)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(arrival_rate)],
        service_distributions=[ciw.dists.Exponential(service_rate)],
        number_of_servers=[servers],
    )
    ciw.seed(1)
    sim = ciw.Simulation(network)
    began = time.perf_counter()
    sim.simulate_until_max_time(s.horizon_minutes)
    wall = time.perf_counter() - began
    return {"wall_s": wall, "incidents": len(sim.get_all_records())}


def _validation_case(roles: int, steps: int) -> dict:
    """Load a scenario of ``roles`` one-person roles and a class whose ``steps`` steps each
    name every role: the data grows as roles x steps, and so may the time, no faster."""
    import tempfile

    import yaml

    from sim.scenario.loader import load_scenario

    data = yaml.safe_load(MMC.read_text())
    data["roles"] = [
        {
            "id": f"r{i}",
            "team": "ops",
            "tiers": ["L1"],
            "staff": [{"site": "hq", "count": 1, "shift": "always"}],
        }
        for i in range(roles)
    ]
    names = [f"r{i}" for i in range(roles)]
    step = {"tier": "L1", "effort": 1, "escalate": 0.5, "roles": names}
    data["incidents"]["classes"][0]["resolution"] = [dict(step) for _ in range(steps - 1)] + [
        {"tier": "L1", "effort": 1, "roles": names}
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump(data, handle)
    began = time.perf_counter()
    load_scenario(handle.name)
    wall = time.perf_counter() - began
    Path(handle.name).unlink()
    return {"wall_s": wall, "incidents": roles * steps}


def _opsim_command() -> list[str]:
    """The ``opsim`` entry point of this environment (``python -m sim`` when not installed)."""
    script = Path(sys.executable).with_name("opsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim"]


def startup_times(repeat: int = 5) -> dict[str, float]:
    """Median wall time in seconds of each command of :data:`STARTUP` over ``repeat`` runs.

    The whole process is timed, interpreter start included: that is what a user waits
    for. One untimed run first, so every timed run finds the files in the OS cache.
    """
    times = {}
    for name, (args, _) in STARTUP.items():
        command = [*_opsim_command(), *args]
        walls = []
        for _ in range(repeat + 1):
            began = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            walls.append(time.perf_counter() - began)
        times[name] = statistics.median(walls[1:])
    return times


def _print_startup() -> None:
    for name, wall in startup_times().items():
        target = STARTUP[name][1]
        print(f"{name + ':':<25} {wall:.3f} s   (target < {target} s)")


def _child(case: str, *args: str) -> dict:
    here = str(Path(__file__).parent)
    code = (
        f"import json, resource, sys; sys.path.insert(0, {here!r}); import speed; "
        f"out = getattr(speed, {case!r})(*{tuple(_convert(a) for a in args)!r}); "
        "out['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "print(json.dumps(out))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _convert(arg: str):
    return int(arg) if arg.isdigit() else arg


def _best(case: str, args: tuple, repeat: int) -> dict:
    runs = [_child(case, *args) for _ in range(repeat)]
    return min(runs, key=lambda r: r["wall_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best counts")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--startup", action="store_true", help="only the start-up times")
    args = parser.parse_args()
    if args.startup:
        print(f"opsim start-up (median of 5); python {sys.version.split()[0]}")
        _print_startup()
        return
    print(
        f"opsim speed benchmark ({args.days} days, best of {args.repeat}); "
        f"python {sys.version.split()[0]}"
    )
    base = _best("_opsim_case", (str(BASELINE), "1", str(args.days)), args.repeat)
    big = _best("_opsim_case", (str(BASELINE), "10", str(args.days)), args.repeat)
    mmc = _best("_opsim_case", (str(MMC), "1", str(args.days)), args.repeat)
    ciw = _best("_ciw_case", (str(MMC), str(args.days)), args.repeat)
    rows = [("baseline", base), ("baseline x10", big), ("M/M/c opsim", mmc), ("M/M/c Ciw", ciw)]
    print(
        f"{'case':<14} {'people':>7} {'incidents':>10} {'work items':>11} {'wall s':>8} "
        f"{'items/s':>9} {'peak MiB':>9}"
    )
    for name, r in rows:
        items = r.get("items", r["incidents"])
        print(
            f"{name:<14} {r.get('people', ''):>7} {r['incidents']:>10,} {items:>11,} "
            f"{r['wall_s']:>8.3f} {items / r['wall_s']:>9,.0f} {r['peak_mib']:>9.0f}"
        )
    ratio = (mmc["incidents"] / mmc["wall_s"]) / (ciw["incidents"] / ciw["wall_s"])
    print(f"\nopsim / Ciw throughput on M/M/c: {ratio:.2f}x   (target >= 1)")
    print(f"baseline year: {base['wall_s']:.3f} s per replication   (target <= 2 s)")
    print(f"10x / baseline wall time: {big['wall_s'] / base['wall_s']:.1f}x   (target <= 12x)")
    small = _best("_validation_case", ("500", "10"), args.repeat)
    large = _best("_validation_case", ("1000", "20"), args.repeat)
    print(
        f"validating 500 roles x 10 steps naming them all: {small['wall_s']:.2f} s; "
        f"1,000 x 20 (4x the data): {large['wall_s']:.2f} s = "
        f"{large['wall_s'] / small['wall_s']:.1f}x   (target <= 6x: no worse than linear)"
    )
    print("\nstart-up of commands that simulate nothing (median of 5):")
    _print_startup()


if __name__ == "__main__":
    main()
