"""Start-up time of the ``watchsync`` command: ``--help`` and ``validate`` of one workout.

Run: .venv/bin/python bench/startup.py [--runs 10] [--top 12]

Each command runs as a subprocess ``--runs`` times through the ``watchsync`` script installed beside
this interpreter; the best wall time and the best CPU time (user + sys of the child) are printed,
with the bare interpreter (``python -c pass``) measured in the same run as the floor. CPU time is
the steadier figure on a shared machine. The children get a bytecode cache in a temporary folder
(``PYTHONPYCACHEPREFIX``, filled by a warm-up run) even where ``PYTHONDONTWRITEBYTECODE`` is set, as
an installed package has one; ``--no-bytecode-cache`` measures the compile-every-time case.
Then ``python -X importtime`` lists each command's top import offenders (self time, and cumulative
time of the top-level imports).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
SCRIPT = PYTHON.parent / "watchsync"
WORKOUT = "workouts/runs/easy-30.txt"
GOAL_SECONDS = 0.3
COMMANDS: dict[str, list[str]] = {
    "watchsync --help": ["--help"],
    f"watchsync validate {WORKOUT}": ["validate", WORKOUT],
}


@dataclass(frozen=True)
class Timing:
    """Best wall and CPU seconds over several runs."""

    wall: float
    cpu: float


@dataclass(frozen=True)
class ImportTime:
    """One line of ``-X importtime``: microseconds spent in the module itself and with its imports."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int


def child_env(cache_dir: str | None) -> dict[str, str]:
    """The environment of the measured commands: with a bytecode cache in ``cache_dir``, or none."""
    env = dict(os.environ)
    if cache_dir is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def measure(argv: list[str], runs: int, env: dict[str, str]) -> Timing:
    """Best wall and child CPU time of ``argv`` over ``runs`` runs after one warm-up; must exit 0."""
    walls: list[float] = []
    cpus: list[float] = []
    subprocess.run(argv, cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, cwd=REPO_ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Timing(min(walls), min(cpus))


def import_times(args: list[str], env: dict[str, str]) -> list[ImportTime]:
    """``-X importtime`` of the ``watchsync`` script with ``args``."""
    done = subprocess.run([str(PYTHON), "-X", "importtime", str(SCRIPT), *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=True)
    rows: list[ImportTime] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        stripped = name.lstrip()
        rows.append(ImportTime(stripped, int(self_us), int(cumulative_us), (len(name) - len(stripped) - 1) // 2))
    return rows


def print_offenders(rows: list[ImportTime], top: int) -> None:
    total = sum(row.self_us for row in rows)
    print(f"  {len(rows)} modules imported, {total / 1e3:.0f} ms in total")
    print("  top-level imports by cumulative time: " + ", ".join(
        f"{row.module} {row.cumulative_us / 1e3:.0f} ms"
        for row in sorted((r for r in rows if r.depth == 0), key=lambda r: -r.cumulative_us)[:top]))
    print("  modules by self time: " + ", ".join(
        f"{row.module} {row.self_us / 1e3:.1f} ms" for row in sorted(rows, key=lambda r: -r.self_us)[:top]))


def main() -> None:
    parser = argparse.ArgumentParser(description="Start-up time of the watchsync command.")
    parser.add_argument("--runs", type=int, default=10, help="runs per command (best is kept; default 10)")
    parser.add_argument("--top", type=int, default=8, help="import offenders to list (default 8)")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile every module on every run")
    args = parser.parse_args()
    if not SCRIPT.exists():
        raise SystemExit(f"{SCRIPT} not found: run this with the interpreter of the environment watchsync is in")
    with tempfile.TemporaryDirectory(prefix="watchsync-pycache-") as cache_dir:
        run_all(args, child_env(None if args.no_bytecode_cache else cache_dir))


def run_all(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Time the floor and each command, then list the import offenders."""
    floor = measure([str(PYTHON), "-c", "pass"], args.runs, env)
    cache = "no bytecode cache" if "PYTHONDONTWRITEBYTECODE" in env else "bytecode cache"
    print(f"best of {args.runs}, {cache}: wall / CPU seconds (goal < {GOAL_SECONDS:g} s wall)")
    print(f"  {'python -c pass (floor)':44} {floor.wall:6.3f} / {floor.cpu:6.3f}")
    for label, argv in COMMANDS.items():
        timing = measure([str(SCRIPT), *argv], args.runs, env)
        verdict = "meets" if timing.wall < GOAL_SECONDS else "misses"
        print(f"  {label:44} {timing.wall:6.3f} / {timing.cpu:6.3f}  "
              f"({timing.wall / floor.wall:.1f}x the floor; {verdict} the goal)")
    for label, argv in COMMANDS.items():
        print(f"python -X importtime {label}:")
        print_offenders(import_times(argv, env), args.top)


if __name__ == "__main__":
    main()
