"""Compile throughput: parse + resolve + FIT encode of the workout library vs fit-tool's bare encode.

Run: .venv/bin/python bench/compile.py [--rounds 100]

Every workout of the library (``workouts/**/*.txt|toml``; ``plans/`` holds plans, not workouts) is
compiled ``--rounds`` times in one process:

(a) ours: :func:`~watchsync.formats.load.load_workout` (read + parse), :func:`~watchsync.resolve.resolve`,
    :func:`~watchsync.formats.fit_workout.write_fit_workout`, each timed per call;
(b) the peer, fit-tool's bare encode: the same resolved steps turned directly into ``FileIdMessage``,
    ``WorkoutMessage`` and ``WorkoutStepMessage`` through ``FitFileBuilder`` with fit-tool's defaults
    and nothing else (fixed ``time_created`` and serial number, no string cutting, no checks).

Before timing, the peer's bytes are compared with ours for the same ``time_created`` and serial
number, so both encode exactly the same file. Each round runs the two in the same process, one
after the other (taking turns at going first), so machine noise and garbage collection hit them
alike. Ours runs as :func:`~watchsync.compile.compile_paths` does: every file of the library is
parsed first (``load_workouts`` returns the whole list), then each workout is resolved and encoded;
the peer encodes each workout. Each call is timed in process CPU time (``time.process_time``),
which other processes on a shared machine do not inflate; the whole run's wall time is printed
too. Each figure is the median over the rounds of that round's library total.

A second, shorter run puts each parse right after an encode instead (parse, resolve, encode, bare
encode, then the next file): a parse then starts on caches the encoders have just filled with
their own code and data, and costs about 1.5x as much. ``compile`` never runs in that order, so
that figure is printed for information, beside the goal's.
Results: workouts per second for (a) and (b), the (a)/(b) time ratio, the cost on top of the bare
encode, the per-stage breakdown, and RESULT lines with MET or MISSED.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from _timing import result
from fit_tool.fit_file import FitFile
from fit_tool.fit_file_builder import FitFileBuilder, calc_records_size
from fit_tool.fit_file_header import FitFileHeader, ProtocolVersion
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    DisplayMeasure,
    FileType,
    FitBaseUnit,
    Manufacturer,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

from watchsync.formats.fit_codes import HR_OFFSET, INTENSITY_CODES, POWER_OFFSET, SPORT_CODES, exercise_codes
from watchsync.formats.fit_workout import write_fit_workout
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.model.workout import (
    CadenceTarget,
    DistanceDuration,
    HeartRateDuration,
    HeartRateTarget,
    HeartRateZoneTarget,
    LapButton,
    OpenTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RepsDuration,
    SpeedTarget,
    Step,
    TimeDuration,
    Workout,
)
from watchsync.resolve import resolve

LIBRARY = Path(__file__).resolve().parents[1] / "workouts"
ATHLETE = Athlete(name="bench", max_hr=190, resting_hr=50, lthr=170, threshold_pace="4:30/km", ftp=250)
CREATED = datetime(2015, 6, 1, tzinfo=UTC)
SERIAL = 4242
GOAL_PERCENT = 25.0
STAGES = ("parse", "resolve", "encode", "bare")


def library_files() -> list[Path]:
    """Workout files of the library, plans excluded."""
    return sorted(p for p in LIBRARY.rglob("*")
                  if p.suffix in {".txt", ".toml"} and "plans" not in p.relative_to(LIBRARY).parts)


def bare_encode(workout: Workout) -> bytes:
    """The peer: the minimal fit-tool code that encodes a resolved workout's steps."""
    steps: list[WorkoutStepMessage] = []
    _bare_blocks(workout.steps, steps)
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = SERIAL
    file_id.time_created = round(CREATED.timestamp()) * 1000
    header = WorkoutMessage()
    header.workout_name = workout.name
    header.sport, header.sub_sport = SPORT_CODES[workout.sport]
    header.num_valid_steps = len(steps)
    if workout.description:
        header.workout_description = workout.description
    if workout.pool_length is not None:  # a pool swim's pool (metres; a yard pool says so)
        yards = workout.pool_length_unit == "yd"
        header.pool_length = workout.pool_length * (0.9144 if yards else 1.0)
        header.pool_length_unit = DisplayMeasure.STATUTE if yards else DisplayMeasure.METRIC
    builder = FitFileBuilder(auto_define=True)
    builder.add(file_id)
    builder.add(header)
    builder.add_all(steps)
    # fit-tool's one-pass serialisation, with the header Garmin's encoder writes (14 bytes, protocol 2.0)
    file_header = FitFileHeader(records_size=calc_records_size(builder.records),
                                protocol_version=ProtocolVersion(2, 0), gen_crc=True)
    data: bytes = FitFile(file_header, builder.records).to_bytes()
    return data


def _bare_blocks(blocks: list[Step | Repeat], out: list[WorkoutStepMessage]) -> None:
    for block in blocks:
        if isinstance(block, Repeat):
            first = len(out)
            _bare_blocks(block.steps, out)
            repeat = WorkoutStepMessage()
            repeat.message_index = len(out)
            if block.name:
                repeat.workout_step_name = block.name
            repeat.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            repeat.target_type = WorkoutStepTarget.OPEN
            repeat.duration_step = first
            repeat.target_repeat_steps = block.count
            out.append(repeat)
            continue
        out.append(_bare_step(block, len(out)))


def _bare_step(step: Step, index: int) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    if step.name:
        message.workout_step_name = step.name
    if step.notes:
        message.notes = step.notes
    message.intensity = INTENSITY_CODES[step.intensity]
    match step.duration:
        case TimeDuration(seconds=seconds):
            message.duration_type = WorkoutStepDuration.TIME
            message.duration_time = seconds
        case DistanceDuration(meters=meters):
            message.duration_type = WorkoutStepDuration.DISTANCE
            message.duration_distance = meters
        case LapButton():
            message.duration_type = WorkoutStepDuration.OPEN
        case RepsDuration(reps=reps):
            message.duration_type = WorkoutStepDuration.REPS
            message.duration_reps = reps
        case HeartRateDuration(kind=kind, bpm=bpm):
            message.duration_type = (WorkoutStepDuration.HR_LESS_THAN if kind == "hr_below"
                                     else WorkoutStepDuration.HR_GREATER_THAN)
            message.duration_hr = bpm + HR_OFFSET
        case _:
            raise NotImplementedError(f"the peer does not encode {step.duration.kind} durations")
    match step.target:
        case HeartRateTarget(low=low, high=high):
            message.target_type = WorkoutStepTarget.HEART_RATE
            message.target_value = 0
            message.custom_target_heart_rate_low = round(low) + HR_OFFSET
            message.custom_target_heart_rate_high = round(high) + HR_OFFSET
        case SpeedTarget(low=low, high=high):
            message.target_type = WorkoutStepTarget.SPEED
            message.target_value = 0
            message.custom_target_speed_low = low
            message.custom_target_speed_high = high
        case PowerTarget(low=low, high=high):
            message.target_type = WorkoutStepTarget.POWER
            message.target_value = 0
            message.custom_target_power_low = round(low) + POWER_OFFSET
            message.custom_target_power_high = round(high) + POWER_OFFSET
        case CadenceTarget(low=low, high=high):
            message.target_type = WorkoutStepTarget.CADENCE
            message.target_value = 0
            message.custom_target_cadence_low = round(low)
            message.custom_target_cadence_high = round(high)
        case HeartRateZoneTarget(zone=zone):
            message.target_type = WorkoutStepTarget.HEART_RATE
            message.target_hr_zone = zone
        case PowerZoneTarget(zone=zone):
            message.target_type = WorkoutStepTarget.POWER
            message.target_power_zone = zone
        case OpenTarget():
            message.target_type = WorkoutStepTarget.OPEN
            message.target_value = 0
        case _:
            raise NotImplementedError(f"the peer does not encode {step.target.kind} targets")
    if step.exercise is not None:
        category, name = exercise_codes(step.exercise)
        message.exercise_category = category
        if name is not None:
            message.exercise_name = name
    if step.weight_kg is not None:
        message.exercise_weight = step.weight_kg
        message.weight_display_unit = FitBaseUnit.KILOGRAM.value
    return message


def check_same_bytes(paths: list[Path]) -> None:
    """The peer must encode exactly our file, or the comparison means nothing."""
    for path in paths:
        resolved = resolve(load_workout(path), ATHLETE)
        ours = write_fit_workout(resolved, time_created=CREATED, serial_number=SERIAL)
        if ours != bare_encode(resolved):
            raise SystemExit(f"{path}: the peer's bytes differ from ours; fix bare_encode first")


def run(paths: list[Path], rounds: int, *, per_file: bool = False) -> dict[str, float]:
    """CPU seconds per stage of one pass of the library: the median over ``rounds`` passes, times
    ``rounds`` (so the figures read as totals). ``per_file``: each parse right after an encode."""
    resolved = [resolve(load_workout(path), ATHLETE) for path in paths]  # the peer's input, made untimed
    one_round = one_round_per_file if per_file else one_round_as_compile
    per_round: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for round_number in range(rounds):
        for stage, seconds in one_round(paths, resolved, round_number).items():
            per_round[stage].append(seconds)
    return {stage: statistics.median(values) * rounds for stage, values in per_round.items()}


def one_round_as_compile(paths: list[Path], resolved: list[Workout], round_number: int) -> dict[str, float]:
    """CPU seconds per stage of one pass over the library, ours in ``compile_paths``'s order (parse
    every file, then resolve and encode each workout), the peer's encodes as a pass of their own."""
    totals = dict.fromkeys(STAGES, 0.0)
    clock = time.process_time

    def ours() -> None:
        loaded = []
        for path in paths:
            t0 = clock()
            loaded.append(load_workout(path))
            totals["parse"] += clock() - t0
        for workout in loaded:
            t0 = clock()
            ready = resolve(workout, ATHLETE)
            t1 = clock()
            write_fit_workout(ready)
            totals["resolve"] += t1 - t0
            totals["encode"] += clock() - t1

    def peer() -> None:
        for workout in resolved:
            t0 = clock()
            bare_encode(workout)
            totals["bare"] += clock() - t0

    for turn in (ours, peer) if round_number % 2 == 0 else (peer, ours):  # no position bias
        turn()
    return totals


def one_round_per_file(paths: list[Path], resolved: list[Workout], round_number: int) -> dict[str, float]:
    """CPU seconds per stage of one pass over the library, file by file: parse, resolve, then both
    encoders (taking turns at going first), so each parse follows an encode."""
    del resolved  # each file's own resolve is the peer's input here
    totals = dict.fromkeys(STAGES, 0.0)
    clock = time.process_time
    encoders = {"encode": write_fit_workout, "bare": bare_encode}
    order = ("encode", "bare") if round_number % 2 == 0 else ("bare", "encode")
    for path in paths:
        t0 = clock()
        workout = load_workout(path)
        t1 = clock()
        ready = resolve(workout, ATHLETE)
        t2 = clock()
        totals["parse"] += t1 - t0
        totals["resolve"] += t2 - t1
        for stage in order:
            t0 = clock()
            encoders[stage](ready)
            totals[stage] += clock() - t0
    return totals


def _verdict(percent: float) -> str:
    return "meets" if percent < GOAL_PERCENT else "misses"


def report(totals: dict[str, float], files: int, rounds: int) -> None:
    """Print throughput, ratios and the per-stage breakdown."""
    count = files * rounds
    ours = totals["parse"] + totals["resolve"] + totals["encode"]
    bare = totals["bare"]
    print(f"{count} compiles ({files} workouts x {rounds} rounds)")
    print(f"(a) parse + resolve + encode: {count / ours:8.1f} workouts/s  ({ours / count * 1e3:.3f} ms each)")
    print(f"(b) fit-tool bare encode:     {count / bare:8.1f} workouts/s  ({bare / count * 1e3:.3f} ms each)")
    print(f"(a)/(b) time ratio: {ours / bare:.2f}")
    front = (totals["parse"] + totals["resolve"]) / bare * 100
    overhead = (ours - bare) / bare * 100
    print(f"parse + resolve cost {front:.1f} % on top of the bare encode ({_verdict(front)} the issue's "
          f"< {GOAL_PERCENT:g} % goal)")
    print(f"whole pipeline over the bare encode, our encoder's identity hash included: {overhead:.1f} % "
          f"({'within' if overhead < GOAL_PERCENT else 'over'} {GOAL_PERCENT:g} %)")
    print("breakdown, ms per workout:")
    for stage in STAGES:
        print(f"  {stage:8} {totals[stage] / count * 1e3:7.3f}  ({totals[stage] / ours * 100:5.1f} % of (a))")
    print(f"our encode / bare encode: {totals['encode'] / bare:.2f}")
    front_ms = (totals["parse"] + totals["resolve"]) / count * 1e3
    result("compile: parse + resolve over the bare encode", f"{front_ms:.3f} ms",
           f"peer fit-tool bare encode {bare / count * 1e3:.3f} ms", f"+{front:.1f} %", f"< {GOAL_PERCENT:g} %",
           front < GOAL_PERCENT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=100, help="passes over the library (default 100)")
    args = parser.parse_args()
    paths = library_files()
    check_same_bytes(paths)
    run(paths, 1)  # warm-up: imports, caches
    gc.collect()
    started = time.perf_counter()
    totals = run(paths, args.rounds)
    wall = time.perf_counter() - started
    report(totals, len(paths), args.rounds)
    print(f"wall time of the timed run: {wall:.1f} s (CPU: {sum(totals.values()):.1f} s)")
    rounds = max(1, args.rounds // 3)
    cold = run(paths, rounds, per_file=True)
    front = (cold["parse"] + cold["resolve"]) / cold["bare"] * 100
    print(f"for information, each parse right after an encode ({rounds} rounds): parse + resolve "
          f"{(cold['parse'] + cold['resolve']) / (len(paths) * rounds) * 1e3:.3f} ms, +{front:.1f} % on top of "
          "the bare encode (compile parses the whole list first)")


if __name__ == "__main__":
    main()
