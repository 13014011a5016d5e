"""Plan generation time: an 8-week plan (library load included) vs a peer measured in the same run.

Run: .venv/bin/python bench/plan_generate.py [--rounds 20]

(a) ours: :func:`~watchsync.plan.generate.generate_plan` for 8 weeks, 5 runs a week, two
    cross-training sports, from a cold start (a new ``Library`` each round: every workout file read
    and parsed again) — what ``watchsync plan generate`` does once;
(b) the peer: loading the same library files with :func:`~watchsync.formats.load.load_workout`
    alone, the floor any generator reading the library has to pay.
Both run interleaved, timed in process CPU time. Prints the median times, the (a)/(b) ratio and
the worst (a) round (the first one, before inline workouts are cached), and a RESULT line: the
median against the target of under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from _timing import result

from watchsync.formats.load import load_workout
from watchsync.plan.generate import GenerateOptions, generate_plan
from watchsync.plan.library import Library

LIBRARY = Path(__file__).resolve().parents[1] / "workouts"
OPTIONS = GenerateOptions(library=LIBRARY, weeks=8, runs_per_week=5, hours=6.5, long_run_minutes=80,
                          cross_training=("bike", "swim"))


def timed(action: Callable[[], object]) -> float:
    started = time.process_time()
    action()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    files = [LIBRARY / ref for ref, _ in Library(LIBRARY).workouts()]
    ours: list[float] = []
    peer: list[float] = []
    wall = time.perf_counter()
    for index in range(rounds):
        runs: list[Callable[[], object]] = [lambda: generate_plan(OPTIONS),
                                            lambda: [load_workout(path) for path in files]]
        if index % 2:
            runs.reverse()
        first, second = (timed(run) for run in runs)
        (ours if index % 2 == 0 else peer).append(first)
        (peer if index % 2 == 0 else ours).append(second)
    ours_median, peer_median = statistics.median(ours), statistics.median(peer)
    print(f"8-week plan generate: median {1000 * ours_median:.1f} ms, worst {1000 * max(ours):.1f} ms "
          f"(target < 1000 ms)")
    print(f"library load alone ({len(files)} files): median {1000 * peer_median:.1f} ms")
    print(f"ratio generate / library load: {ours_median / peer_median:.2f}x; "
          f"wall {time.perf_counter() - wall:.1f} s for {rounds} rounds")
    result("8-week plan generate", f"{1000 * ours_median:.1f} ms", f"peer library load {1000 * peer_median:.1f} ms",
           f"{ours_median / peer_median:.2f}x", "< 1000 ms", ours_median < 1.0)


if __name__ == "__main__":
    main()
