"""Start-up time of the ``watchsync`` command: ``--help``, ``validate`` of a workout, ``analyze`` of a 1-hour run.

Run: .venv/bin/python bench/startup.py [--runs 10] [--top 8] [--no-bytecode-cache]

Each command runs as a subprocess through the ``watchsync`` script installed beside this
interpreter, interleaved with the bare interpreter (``python -c pass``, the floor) and the other
commands, ``--runs`` rounds after one warm-up; the median wall time and the median CPU time (user +
sys of the child) are printed with the ratio to the floor and the verdict against the goal
(--help and validate < 0.25 s, analyze < 0.35 s, median wall). The 1-hour run is simulated into a
temporary FIT file twice: run from a workout (the file carries it, as a watch records it, and
``analyze`` scores the run against it) and as a plain run without one (summary and load only). The
children get a bytecode cache in a temporary folder (``PYTHONPYCACHEPREFIX``, filled by the
warm-up) even where ``PYTHONDONTWRITEBYTECODE`` is set, as an installed package has one;
``--no-bytecode-cache`` measures the compile-every-time case. Then ``python -X importtime``
lists each command's top import offenders.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from _timing import result

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
SCRIPT = PYTHON.parent / "watchsync"
WORKOUT = "workouts/runs/easy-30.txt"
FLOOR = "python -c pass (floor)"


@dataclass(frozen=True)
class Command:
    label: str
    argv: list[str]
    goal: float | None


@dataclass(frozen=True)
class Timing:
    """Median wall and CPU seconds over several runs."""

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


def one_hour_fit(directory: Path, *, embedded: bool = True) -> Path:
    """A simulated one-hour easy run written as an activity FIT file, with the workout it followed
    (``embedded``) or without one."""
    from watchsync.model.athlete import Athlete
    from watchsync.model.workout import RpeTarget, Sport, Step, TimeDuration, Workout
    from watchsync.resolve import resolve
    from watchsync.testing.simulate import simulate_activity

    athlete = Athlete(name="bench", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
    workout = resolve(Workout(name="Easy run", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=3600), target=RpeTarget(low=3, high=4))]), athlete)
    path = directory / ("one-hour-run.fit" if embedded else "one-hour-plain-run.fit")
    path.write_bytes(simulate_activity(workout, athlete, start=datetime(2025, 3, 3, 7, tzinfo=UTC),
                                       embedded=embedded).fit)
    return path


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and child CPU seconds of one run of ``argv``; it must exit 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=REPO_ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def measure(commands: list[Command], runs: int, env: dict[str, str]) -> dict[str, Timing]:
    """Median wall and CPU time of each command, the commands run in turn ``runs`` times (order
    rotating each round) after one warm-up each."""
    for command in commands:
        subprocess.run(command.argv, cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    samples: dict[str, list[tuple[float, float]]] = {command.label: [] for command in commands}
    for round_number in range(runs):
        shift = round_number % len(commands)
        for command in commands[shift:] + commands[:shift]:
            samples[command.label].append(run_once(command.argv, env))
    return {label: Timing(statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
            for label, values in samples.items()}


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="interleaved rounds (the median is kept; default 10)")
    parser.add_argument("--top", type=int, default=8, help="import offenders to list (default 8; 0: none)")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile every module on every run")
    args = parser.parse_args()
    if not SCRIPT.exists():
        print(f"{SCRIPT} not found: run this with the interpreter of the environment watchsync is in; skipped")
        return
    with tempfile.TemporaryDirectory(prefix="watchsync-startup-") as tmp:
        fit, plain = one_hour_fit(Path(tmp)), one_hour_fit(Path(tmp), embedded=False)
        commands = [Command(FLOOR, [str(PYTHON), "-c", "pass"], None),
                    Command("watchsync --help", [str(SCRIPT), "--help"], 0.25),
                    Command(f"watchsync validate {WORKOUT}", [str(SCRIPT), "validate", WORKOUT], 0.25),
                    Command("watchsync analyze <1-hour run>.fit", [str(SCRIPT), "analyze", str(fit)], 0.35),
                    Command("watchsync analyze <1-hour plain run>.fit", [str(SCRIPT), "analyze", str(plain)], 0.35)]
        cache = None if args.no_bytecode_cache else str(Path(tmp) / "pycache")
        env = child_env(cache)
        timings = measure(commands, args.runs, env)
        kind = "no bytecode cache" if cache is None else "bytecode cache"
        floor = timings[FLOOR]
        print(f"median of {args.runs} interleaved rounds, {kind}: wall / CPU seconds")
        print(f"  {FLOOR:44} {floor.wall:6.3f} / {floor.cpu:6.3f}")
        for command in commands[1:]:
            timing = timings[command.label]
            assert command.goal is not None
            print(f"  {command.label:44} {timing.wall:6.3f} / {timing.cpu:6.3f}  {timing.wall / floor.wall:5.1f}x "
                  f"the floor")
        for command in commands[1:]:
            timing = timings[command.label]
            assert command.goal is not None
            result(f"start-up {command.label} (median wall)", f"{timing.wall:.3f} s",
                   f"floor python -c pass {floor.wall:.3f} s", f"{timing.wall / floor.wall:.1f}x",
                   f"< {command.goal:g} s", timing.wall < command.goal)
        if args.top:
            for command in commands[1:]:
                print(f"python -X importtime {command.label}:")
                print_offenders(import_times(command.argv[1:], env), args.top)


if __name__ == "__main__":
    main()
