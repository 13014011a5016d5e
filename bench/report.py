"""Report growth: the compliance report of 100, 1,000 and 5,000 stored activities.

Run: .venv/bin/python bench/report.py [--sizes 100 1000 5000] [--rounds 3]

For each size a state store is filled (not timed) with a season of that many analysed activities
and the plan they belong to: five sessions a week from the library, about nine in ten done (some a
day early or one or two late, some as another sport), plus unplanned rides. Then, interleaved in
``--rounds`` rounds (median kept), timed in this process's CPU time (other processes on a shared
machine do not inflate it; the work is single-threaded, SQLite included), a small size repeated
so that each sample lasts about as long as one report of 1,000 activities:

(a) ours: :func:`~watchsync.services.report.store_report` over the whole store (planned
    sessions and activities read, matched, summarised week by week, report rows and days built);
(b) the floor: reading the same rows alone (:func:`planned_from_store` and
    :func:`stored_activities`: the SQL and the models), what any report has to pay.

Prints per size ours, the floor, their ratio and the peak traced memory per activity (one extra,
traced run); then the verdicts: the largest size under 3 s, the smallest-to-largest time ratio at
most 60x for 50x the data (linear), and memory per activity flat (largest within 1.5x the middle
size's).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from _timing import interleaved, medians, result

from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.load import ActivityLoad
from watchsync.formats.connect_json import content_hash
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Sport
from watchsync.resolve import resolve
from watchsync.services.report import planned_from_store, store_report, stored_activities
from watchsync.store import Store

LIBRARY = Path(__file__).resolve().parents[1] / "workouts"
ATHLETE = Athlete(name="bench", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)
WEEK = (  # (weekday, library workout) of the planned week
    (0, "runs/easy-45.txt"), (1, "runs/fartlek.txt"), (3, "runs/easy-30.txt"),
    (5, "runs/long-easy-90.txt"), (6, "cross/bike-outdoor-60.txt"))
FIRST_MONDAY = date(2010, 1, 4)
GOAL_SECONDS = 3.0
REPEAT_UP_TO = 1000  # activities per sample at least (small sizes repeated)
GOAL_GROWTH = 60.0
GOAL_MEMORY_GROWTH = 1.5


def fill(store: Store, activities: int) -> date:
    """A season of ``activities`` analysed activities and their plan; returns "today" (its end)."""
    workouts = {path: resolve(load_workout(LIBRARY / path), ATHLETE) for _, path in WEEK}
    keys = {path: path.rsplit("/", 1)[-1].removesuffix(".txt") for path in workouts}
    name, made, number, week = ATHLETE.name, 0, 0, 0
    with store.transaction():
        for path, workout in workouts.items():
            store.upsert_workout(name, keys[path], content_hash=content_hash(workout),
                                 payload=workout.model_dump(mode="json"))
            store.set_remote_id(name, keys[path], 1000 + len(keys[path]))
        while made < activities:
            monday = FIRST_MONDAY + timedelta(weeks=week)
            for weekday, path in WEEK:
                number += 1
                day = monday + timedelta(days=weekday)
                schedule, _ = store.add_schedule(name, keys[path], day)
                store.set_schedule(schedule.id, "scheduled", remote_schedule_id=number)
                if number % 11 == 0 or made >= activities:
                    continue  # skipped
                shift = (0, 0, 0, 1, -1, 0, 2)[number % 7]
                sport = workouts[path].sport if number % 13 else Sport.CYCLING
                _store_activity(store, number, day + timedelta(days=shift), sport, 2400 + 60 * (number % 40))
                made += 1
            if week % 3 == 0 and made < activities:
                number += 1
                _store_activity(store, number, monday + timedelta(days=2), Sport.CYCLING, 3600)
                made += 1
            week += 1
    return FIRST_MONDAY + timedelta(weeks=week, days=3)


def _store_activity(store: Store, number: int, day: date, sport: Sport, seconds: float) -> None:
    start = datetime.combine(day, clock(7, 0), UTC)
    distance = seconds * (3.0 if sport.family == "run" else 7.5) * (1 + (number % 17) / 40)
    summary = ActivitySummary(id=str(number), sport=sport, start=start, duration_s=seconds, distance_m=distance,
                              avg_hr=140 + number % 20)
    load = ActivityLoad(activity_id=str(number), day=day, sport_family=sport.family, duration_s=seconds,
                        distance_m=distance, srpe=None, trimp=seconds / 60 * (1 + number % 5 / 4),
                        easy_seconds=seconds * 0.7, hr_seconds=seconds)
    store.upsert_activity(ATHLETE.name, number, start, sport=sport.value, summary={
        "summary": summary.model_dump(mode="json"), "load": load.model_dump(mode="json")})


def ours(store: Store, today: date) -> Callable[[], object]:
    return lambda: store_report(store, ATHLETE, today=today)


def floor(store: Store) -> Callable[[], object]:
    return lambda: (planned_from_store(store, ATHLETE.name), stored_activities(store, ATHLETE.name))


def repeated(action: Callable[[], object], times: int) -> Callable[[], object]:
    return lambda: [action() for _ in range(times)]


def peak_bytes(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    results: dict[int, tuple[float, float, float]] = {}
    print(f"report of n stored activities, median of {args.rounds} rounds, every size and side in each round "
          f"(CPU seconds)")
    print(f"  {'n':>6} {'ours':>8} {'floor':>8} {'ratio':>7} {'peak KiB/activity':>18}")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        actions: dict[str, Callable[[], object]] = {}
        stores: dict[int, tuple[Store, date]] = {}
        for size in sizes:
            store = stack.enter_context(Store.open(Path(tmp) / f"state-{size}.sqlite3"))
            today = fill(store, size)
            stores[size] = (store, today)
            assert len(stored_activities(store, ATHLETE.name)) == size
            reps = max(1, REPEAT_UP_TO // size)
            actions[f"ours {size}"] = repeated(ours(store, today), reps)
            actions[f"floor {size}"] = repeated(floor(store), reps)
        timed = medians(interleaved(actions, args.rounds, time.process_time))
        for size in sizes:
            reps = max(1, REPEAT_UP_TO // size)
            per_activity = peak_bytes(ours(*stores[size])) / size / 1024
            results[size] = (timed[f"ours {size}"] / reps, timed[f"floor {size}"] / reps, per_activity)
            print(f"  {size:>6} {results[size][0]:8.3f} {results[size][1]:8.3f} "
                  f"{results[size][0] / results[size][1]:6.1f}x {per_activity:18.1f}")
    small, large = sizes[0], sizes[-1]
    ours_large, floor_large, _ = results[large]
    growth = ours_large / results[small][0]
    result(f"report of {large} stored activities", f"{ours_large:.3f} s", f"floor reading the rows {floor_large:.3f} s",
           f"{ours_large / floor_large:.1f}x", f"< {GOAL_SECONDS:g} s", ours_large < GOAL_SECONDS)
    result(f"report growth {small} -> {large} activities ({large / small:.0f}x the data)", f"{growth:.1f}x",
           f"floor {floor_large / results[small][1]:.1f}x", f"{growth / (large / small):.2f} of linear",
           f"<= {GOAL_GROWTH:g}x", growth <= GOAL_GROWTH)
    if len(sizes) >= 3:
        middle = sizes[-2]
        memory = results[large][2] / results[middle][2]
        result(f"report peak memory per activity {middle} -> {large}", f"{results[large][2]:.1f} KiB",
               f"at {middle}: {results[middle][2]:.1f} KiB", f"{memory:.2f}x", f"flat (<= {GOAL_MEMORY_GROWTH:g}x)",
               memory <= GOAL_MEMORY_GROWTH)

if __name__ == "__main__":
    main()
