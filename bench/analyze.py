"""Analysis throughput (decode + score), a season backfill, and peak memory of a 10-hour activity.

Run: .venv/bin/python bench/analyze.py [--backfill N]   (fixtures: ../shared/fixtures/fit or $WATCHSYNC_FIXTURES)

1. Every fixture with records is analysed as `watchsync activities sync` does it: decoded, summarised,
   loaded (TRIMP, easy time) and scored against a planned session (the workout the watch ran when
   the file embeds one, else an easy run as long as the activity). The peer, measured in the same
   run, is plain fitdecode iterating the frames (decoding only); helpers come from
   bench/analyze_decode.py. A file without a session (nick.fit) is summarised from its records.
2. Backfill: N (default 300) simulated one-hour runs, one a day, each planned in the store; first
   analysed in memory, then fetched end to end with `sync_activities` from the local Garmin server
   (HTTP list/details/download, FIT written to disk, SQLite transactions with synchronous=FULL).
3. Peak memory: a simulated 10-hour run analysed and scored in a fresh child process (VmHWM).

Timings are medians of interleaved runs (at least 3; the backfill: ``--rounds``, in memory and end
to end taking turns); each goal ends in a RESULT line with MET or MISSED. Without the fixtures,
part 1 says so and is skipped.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _timing import result
from analyze_decode import FIXTURES, REPO_ROOT, fitdecode_all_frames, paired_times

from watchsync.activity import Activity, decode_activity
from watchsync.compliance.embedded import embedded_workout
from watchsync.compliance.match import PlannedSession
from watchsync.garmin.client import GarminClient
from watchsync.model.athlete import Athlete
from watchsync.model.workout import RpeTarget, Sport, Step, TimeDuration, Workout
from watchsync.resolve import resolve
from watchsync.services.activities import analyse, score_session, sync_activities
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.simulate import Behaviour, simulate_activity

ATHLETE = Athlete(name="bench", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=248)
BEHAVIOURS: tuple[Behaviour, ...] = ("follows", "follows", "too_hard", "cut_short", "follows", "skips_intervals")
FIRST_DAY = date(2024, 1, 1)
BACKFILL_GOAL_S = 15.0
MEMORY_GOAL_MIB = 200.0
RATIO_GOAL = 30.0

CHILD = """
import sys
from datetime import date
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from analyze import ATHLETE, hour_run
from watchsync.services.activities import analyse, score_session
from watchsync.compliance.match import PlannedSession

def peak_kib():
    status = Path("/proc/self/status").read_text()
    return int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM:")))

session = PlannedSession(id="long", date=date(2024, 1, 1), workout=hour_run(10))
data = Path(sys.argv[1]).read_bytes()
before = peak_kib()
analysis = analyse("long", data, ATHLETE)
score = score_session(session, analysis, ATHLETE)
print(before, peak_kib(), len(analysis.activity.records))
"""


def hour_run(hours: float, name: str = "Easy run") -> Workout:
    """A resolved run: warm-up, steady middle block with strides of effort, cool-down."""
    minutes = hours * 60
    steps = [Step(duration=TimeDuration(seconds=10 * 60), target=RpeTarget(low=2, high=3)),
             Step(duration=TimeDuration(seconds=(minutes - 20) * 60), target=RpeTarget(low=3, high=4)),
             Step(duration=TimeDuration(seconds=10 * 60), target=RpeTarget(low=2, high=3))]
    return resolve(Workout(name=name, sport=Sport.RUNNING, steps=steps), ATHLETE)


# --- 1. fixtures ----------------------------------------------------------------------------------


def planned_for(activity: Activity, duration_s: float) -> Workout:
    """The workout the watch ran, else an easy run as long as the activity."""
    try:
        return embedded_workout(activity, max_hr=ATHLETE.max_hr, ftp=ATHLETE.ftp)
    except ValueError:
        return hour_run(max(duration_s, 1800) / 3600)


def analyse_and_score(name: str, data: bytes, workout: Workout) -> None:
    analysis = analyse(name, data, ATHLETE)
    score_session(PlannedSession(id=name, date=analysis.summary.start.date(), workout=workout), analysis, ATHLETE)


def fixture_table() -> float:
    """Per-file rates; returns the ratio over the files fitfast decodes.

    ``decode share``: the part of our analysis time spent in ``decode_activity`` alone.
    """
    print(f"{'file':38} {'records':>8} {'ours rec/s':>12} {'fitdecode rec/s':>16} {'ratio':>7} "
          f"{'decode share':>13}  path")
    totals: dict[str, list[float]] = {"fitfast": [0, 0.0, 0.0, 0.0], "fitdecode": [0, 0.0, 0.0, 0.0]}
    for path in sorted(FIXTURES.glob("*.fit")):
        data = path.read_bytes()
        activity = decode_activity(data)
        records = len(activity.records)
        if records == 0:
            continue
        workout = planned_for(activity, analyse(path.stem, data, ATHLETE).summary.duration_s)
        ours, peer, decode = paired_times(lambda: analyse_and_score(path.stem, data, workout),  # noqa: B023
                                          lambda: fitdecode_all_frames(data),  # noqa: B023
                                          lambda: decode_activity(data))  # noqa: B023
        for i, value in enumerate((records, ours, peer, decode)):
            totals[activity.decoder][i] += value
        how = activity.decoder + (" (salvaged)" if activity.salvaged else "")
        print(f"{path.name:38} {records:8d} {records / ours:12,.0f} {records / peer:16,.0f} "
              f"{peer / ours:6.1f}x {min(1.0, decode / ours):12.0%}  {how}, "
              f"scored vs {'embedded' if activity.workout else 'easy run'}")
    for decoder, (count, t_ours, t_peer, t_decode) in totals.items():
        label = f"ALL decoded by {decoder}"
        print(f"{label:38} {count:8.0f} {count / t_ours:12,.0f} {count / t_peer:16,.0f} {t_peer / t_ours:6.1f}x "
              f"{min(1.0, t_decode / t_ours):12.0%}")
    return totals["fitfast"][2] / totals["fitfast"][1]


# --- 2. backfill ----------------------------------------------------------------------------------


def season(count: int) -> list[tuple[date, Workout, bytes]]:
    """``count`` one-hour runs on consecutive days, with the usual deviations from the plan."""
    workouts = [hour_run(1, f"Easy run {i}") for i in range(7)]
    runs = []
    for i in range(count):
        day = FIRST_DAY + timedelta(days=i)
        workout = workouts[i % len(workouts)]
        start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=7)
        fit = simulate_activity(workout, ATHLETE, start=start, behaviour=BEHAVIOURS[i % len(BEHAVIOURS)], seed=i).fit
        runs.append((day, workout, fit))
    return runs


def backfill_in_memory(runs: list[tuple[date, Workout, bytes]]) -> float:
    began = time.perf_counter()
    for number, (day, workout, fit) in enumerate(runs):
        analysis = analyse(str(number), fit, ATHLETE)
        score_session(PlannedSession(id=str(number), date=day, workout=workout), analysis, ATHLETE)
    return time.perf_counter() - began


def backfill_sync(runs: list[tuple[date, Workout, bytes]], folder: Path) -> tuple[float, int, int]:
    """Seconds for `sync_activities` to fetch the whole season; (seconds, fetched, scored)."""
    with running_server() as server, Store.open(folder / "state.sqlite3") as store:
        for number, (day, workout, fit) in enumerate(runs):
            key = f"run-{number}"
            store.upsert_workout(ATHLETE.name, key, content_hash=key, payload=workout.model_dump(mode="json"))
            store.add_schedule(ATHLETE.name, key, day)
            server.add_activity(fit, start_time=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=7))
        client = GarminClient(fake_token_dir(folder / "tokens", server.url), server.url)
        client.login_from_tokens()
        began = time.perf_counter()
        result = sync_activities(store, client, ATHLETE, fit_dir=folder / "fit", since=FIRST_DAY,
                                 today=runs[-1][0])
        elapsed = time.perf_counter() - began
        return elapsed, len(result.fetched), len(store.list_compliance(ATHLETE.name))


# --- 3. memory ------------------------------------------------------------------------------------


def long_run_memory(folder: Path) -> tuple[float, float, int]:
    """(peak RSS MiB, increase over the post-import peak MiB, records) for a 10-hour run."""
    path = folder / "ten-hours.fit"
    start = datetime.combine(FIRST_DAY, datetime.min.time(), UTC) + timedelta(hours=6)
    path.write_bytes(simulate_activity(hour_run(10), ATHLETE, start=start).fit)
    env_path = str(REPO_ROOT / "src")
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(Path(__file__).parent)], check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": env_path, "PATH": ""})
    before, after, records = (int(v) for v in out.stdout.split())
    return after / 1024, (after - before) / 1024, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backfill", type=int, default=300, metavar="N", help="activities in the season")
    parser.add_argument("--rounds", type=int, default=3, help="backfill rounds (median; default 3)")
    args = parser.parse_args()
    ratio = None
    if FIXTURES.is_dir():
        ratio = fixture_table()
        print(f"\nanalysis (decode + summary + load + score) vs fitdecode decode only, fitfast-readable files: "
              f"{ratio:.1f}x (goal >= {RATIO_GOAL:g}x)")
    else:
        print(f"SKIPPED part 1: FIT fixtures not found at {FIXTURES} (set WATCHSYNC_FIXTURES)")

    runs = season(args.backfill)
    records = sum(len(decode_activity(fit).records) for _, _, fit in runs[:10]) * len(runs) / min(10, len(runs))
    memory_times: list[float] = []
    sync_times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for number in range(max(1, args.rounds)):
            first_in_memory = number % 2 == 0
            if first_in_memory:
                memory_times.append(backfill_in_memory(runs))
            synced, fetched, scored = backfill_sync(runs, Path(folder) / f"round-{number}")
            sync_times.append(synced)
            if not first_in_memory:
                memory_times.append(backfill_in_memory(runs))
        peak, increase, long_records = long_run_memory(Path(folder))
    in_memory, synced = statistics.median(memory_times), statistics.median(sync_times)
    print(f"\nbackfill of {len(runs)} one-hour runs (~{records:,.0f} records):")
    print(f"  analyse + score in memory : {in_memory:6.2f} s  ({len(runs) / in_memory:6.1f} activities/s, "
          f"{records / in_memory:,.0f} records/s)")
    print(f"  sync_activities end to end: {synced:6.2f} s  ({fetched} fetched, {scored} scored against their "
          f"session; goal < {BACKFILL_GOAL_S:g} s)")
    print(f"\npeak memory analysing a 10-hour run ({long_records:,} records): {peak:.1f} MiB RSS "
          f"(+{increase:.1f} MiB over the imports; goal < {MEMORY_GOAL_MIB:g} MB)")
    if ratio is not None:
        result("analysis vs fitdecode (fitfast-read files)", "decode + summary + load + score",
               "peer fitdecode decode only", f"{ratio:.1f}x faster", f">= {RATIO_GOAL:g}x", ratio >= RATIO_GOAL)
    result(f"backfill of {len(runs)} runs, sync_activities end to end", f"{synced:.2f} s",
           f"floor analyse + score in memory {in_memory:.2f} s", f"{synced / in_memory:.2f}x",
           f"< {BACKFILL_GOAL_S:g} s", synced < BACKFILL_GOAL_S)
    result("peak memory, 10-hour run", f"{peak:.1f} MiB", f"floor after imports {peak - increase:.1f} MiB",
           f"+{increase:.1f} MiB", f"< {MEMORY_GOAL_MIB:g} MiB", peak < MEMORY_GOAL_MIB)


if __name__ == "__main__":
    main()
