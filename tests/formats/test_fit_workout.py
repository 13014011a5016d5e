"""FIT workout writer, checked field by field with Garmin's own decoder (garmin-fit-sdk, test-only)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fit_tool.utils.crc import crc16
from garmin_fit_sdk import Decoder, Encoder, Profile, Stream

from watchsync.formats.fit_workout import write_fit_workout
from watchsync.model.athlete import Athlete
from watchsync.model.workout import (
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Exercise,
    HeartRateDuration,
    HeartRatePercentLthrTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
)
from watchsync.resolve import resolve

REPO_ROOT = Path(__file__).resolve().parents[2]
LIBRARY = REPO_ROOT / "workouts"
ATHLETE = Athlete(name="tester", max_hr=190, resting_hr=50, lthr=170, threshold_pace="4:30/km", ftp=250)

#: The FIT (sport, sub_sport) each model sport must be written as (FIT profile names).
FIT_SPORTS = {
    Sport.RUNNING: ("running", "generic"),
    Sport.TRAIL_RUNNING: ("running", "trail"),
    Sport.TREADMILL: ("running", "treadmill"),
    Sport.CYCLING: ("cycling", "road"),
    Sport.INDOOR_CYCLING: ("cycling", "indoor_cycling"),
    Sport.POOL_SWIM: ("swimming", "lap_swimming"),
    Sport.OPEN_WATER_SWIM: ("swimming", "open_water"),
    Sport.XC_SKIING: ("cross_country_skiing", "generic"),
    Sport.SKI_MOUNTAINEERING: ("alpine_skiing", "backcountry"),
    Sport.STRENGTH: ("training", "strength_training"),
    Sport.YOGA: ("training", "yoga"),
    Sport.MOBILITY: ("training", "flexibility_training"),
    Sport.CARDIO: ("training", "cardio_training"),
    Sport.OTHER: ("generic", "generic"),
}


def garmin_decode(data: bytes) -> dict[str, Any]:
    """Decode with Garmin's SDK; the file must be intact and decode without errors."""
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read(
        convert_types_to_strings=True, expand_sub_fields=True, expand_components=True)
    assert errors == []
    return dict(messages)


def fit_exercise_name_id(exercise: Exercise) -> int | None:
    """The FIT profile's number for a Connect exercise key (None for a category-only step)."""
    names = Profile["types"].get(f"{exercise.category.lower()}_exercise_name", {})
    wanted = exercise.name.lower().removeprefix("_")
    return next((number for number, name in names.items() if name == wanted), None)


def expected_step(step: Step, index: int) -> dict[str, Any]:
    """What the FIT spec says a step becomes, in Garmin-decoded field names and raw units."""
    expected: dict[str, Any] = {
        "message_index": index,
        "intensity": step.intensity.value,
        "wkt_step_name": step.name,
        "notes": step.notes,
    }
    match step.duration:
        case TimeDuration(seconds=seconds):
            expected |= {"duration_type": "time", "duration_value": round(seconds * 1000)}
        case DistanceDuration(meters=meters):
            expected |= {"duration_type": "distance", "duration_value": round(meters * 100)}
        case LapButton():
            expected |= {"duration_type": "open", "duration_value": None}
        case RepsDuration(reps=reps):
            expected |= {"duration_type": "reps", "duration_value": reps}
        case HeartRateDuration(kind="hr_below", bpm=bpm):
            expected |= {"duration_type": "hr_less_than", "duration_value": bpm + 100}
        case HeartRateDuration(kind="hr_above", bpm=bpm):
            expected |= {"duration_type": "hr_greater_than", "duration_value": bpm + 100}
        case CaloriesDuration(kcal=kcal):
            expected |= {"duration_type": "calories", "duration_value": kcal}
    no_range = {"custom_target_value_low": None, "custom_target_value_high": None}
    match step.target:
        case OpenTarget():
            expected |= {"target_type": "open", "target_value": 0} | no_range
        case HeartRateZoneTarget(zone=zone):
            expected |= {"target_type": "heart_rate", "target_value": zone} | no_range
        case PowerZoneTarget(zone=zone):
            expected |= {"target_type": "power", "target_value": zone} | no_range
        case HeartRateTarget(low=low, high=high):
            expected |= {"target_type": "heart_rate", "target_value": 0,
                         "custom_target_value_low": round(low) + 100,
                         "custom_target_value_high": round(high) + 100}
        case SpeedTarget(low=low, high=high):
            expected |= {"target_type": "speed", "target_value": 0,
                         "custom_target_value_low": round(low * 1000),
                         "custom_target_value_high": round(high * 1000)}
        case PowerTarget(low=low, high=high):
            expected |= {"target_type": "power", "target_value": 0,
                         "custom_target_value_low": round(low) + 1000,
                         "custom_target_value_high": round(high) + 1000}
        case CadenceTarget(low=low, high=high):
            expected |= {"target_type": "cadence", "target_value": 0,
                         "custom_target_value_low": round(low), "custom_target_value_high": round(high)}
    exercise = step.exercise
    expected |= {
        "exercise_category": exercise.category.lower() if exercise else None,
        "exercise_name": fit_exercise_name_id(exercise) if exercise else None,
        "exercise_weight": None if step.weight_kg is None else round(step.weight_kg, 2),  # FIT holds 0.01 kg
        "weight_display_unit": None if step.weight_kg is None else "pound" if step.weight_unit == "lb" else "kilogram",
    }
    return expected


def expected_steps(workout: Workout) -> list[dict[str, Any]]:
    """Depth-first step messages; each repeat step follows its block and points at its first step."""
    out: list[dict[str, Any]] = []

    def add(blocks: list[Step | Repeat]) -> None:
        for block in blocks:
            if isinstance(block, Step):
                out.append(expected_step(block, len(out)))
                continue
            first = len(out)
            add(block.steps)
            out.append({"message_index": len(out), "duration_type": "repeat_until_steps_cmplt",
                        "duration_value": first, "target_value": block.count,
                        "wkt_step_name": block.name})

    add(workout.steps)
    return out


def assert_fit_matches(workout: Workout, data: bytes) -> None:
    messages = garmin_decode(data)
    (file_id,) = messages["file_id_mesgs"]
    assert file_id["type"] == "workout"
    assert isinstance(file_id["time_created"], datetime)
    (wkt,) = messages["workout_mesgs"]
    steps = messages["workout_step_mesgs"]
    sport, sub_sport = FIT_SPORTS[workout.sport]
    assert (wkt["wkt_name"], wkt["sport"], wkt["sub_sport"]) == (workout.name, sport, sub_sport)
    assert wkt.get("wkt_description") == workout.description
    assert wkt["num_valid_steps"] == len(steps)
    expected = expected_steps(workout)
    assert len(steps) == len(expected)
    for decoded, wanted in zip(steps, expected, strict=True):
        assert {key: decoded.get(key) for key in wanted} == wanted


HILLS = Workout(
    name="Hill repeats", sport=Sport.TRAIL_RUNNING, description="Base phase hills",
    steps=[
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=900),
             target=HeartRateTarget(low=128, high=145), name="Warm up", notes="RPE 3 – conversational"),
        Repeat(count=6, name="Main set", steps=[
            Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=60),
                 target=SpeedTarget(low=3.125, high=3.571)),
            Step(intensity=Intensity.RECOVERY, duration=LapButton(), name="Jog down"),
        ]),
        Step(intensity=Intensity.COOLDOWN, duration=DistanceDuration(meters=1609.34),
             target=HeartRateZoneTarget(zone=2)),
    ],
)
NESTED = Workout(
    name="Nested sets", sport=Sport.INDOOR_CYCLING,
    steps=[
        Step(intensity=Intensity.WARMUP, duration=CaloriesDuration(kcal=80), target=PowerZoneTarget(zone=2)),
        Repeat(count=3, steps=[
            Repeat(count=4, name="Inner", steps=[
                Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=30.5),
                     target=PowerTarget(low=280, high=310)),
                Step(intensity=Intensity.REST, duration=TimeDuration(seconds=15),
                     target=CadenceTarget(low=85, high=95)),
            ]),
            Step(intensity=Intensity.RECOVERY, duration=HeartRateDuration(kind="hr_below", bpm=120)),
        ]),
        Step(intensity=Intensity.OTHER, duration=HeartRateDuration(kind="hr_above", bpm=150)),
    ],
)
STRENGTH = Workout(
    name="Strength A", sport=Sport.STRENGTH,
    steps=[
        Repeat(count=3, steps=[
            Step(duration=RepsDuration(reps=12), exercise=Exercise(category="SQUAT", name="GOBLET_SQUAT"),
                 weight_kg=16.5),
            Step(duration=TimeDuration(seconds=45), exercise=Exercise(category="PLANK", name="PLANK")),
            Step(duration=RepsDuration(reps=10), exercise=Exercise(category="CALF_RAISE", name="_3_WAY_CALF_RAISE")),
            Step(duration=RepsDuration(reps=8), exercise=Exercise(category="BENCH_PRESS", name="BENCH_PRESS")),
            Step(duration=RepsDuration(reps=8), exercise=Exercise(category="DEADLIFT", name="DEADLIFT"),
                 weight_kg=135 * 0.45359237, weight_unit="lb"),  # shown in pounds on the watch
            Step(intensity=Intensity.REST, duration=TimeDuration(seconds=90)),
        ]),
    ],
)


@pytest.mark.parametrize("workout", [HILLS, NESTED, STRENGTH], ids=lambda w: w.name)
def test_written_steps_match_the_model_field_by_field(workout: Workout) -> None:
    assert_fit_matches(workout, write_fit_workout(workout))


@pytest.mark.parametrize("sport", list(Sport))
def test_every_sport_has_its_fit_sport_and_sub_sport(sport: Sport) -> None:
    workout = Workout(name=f"{sport.value} session", sport=sport, steps=[Step(duration=TimeDuration(seconds=600))])
    assert_fit_matches(workout, write_fit_workout(workout))


def test_skip_last_rest_keeps_the_connect_step_numbering() -> None:
    sets = Repeat(count=3, steps=[
        Step(duration=RepsDuration(reps=12), exercise=Exercise(category="LUNGE", name="LUNGE")),
        Step(intensity=Intensity.REST, duration=TimeDuration(seconds=60)),
    ])
    plain = Workout(name="Sets", sport=Sport.STRENGTH, steps=[sets])
    skipping = Workout(name="Sets", sport=Sport.STRENGTH, steps=[sets.model_copy(update={"skip_last_rest": True})])
    steps = [garmin_decode(write_fit_workout(w))["workout_step_mesgs"] for w in (plain, skipping)]
    assert steps[0] == steps[1]
    assert_fit_matches(skipping, write_fit_workout(skipping))


def test_resolved_rpe_workout_keeps_the_cue_and_gets_bpm() -> None:
    prescribed = Workout(name="Easy", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=1800), target=RpeTarget(low=3, high=4)),
        Step(duration=TimeDuration(seconds=600), target=HeartRatePercentLthrTarget(low=90, high=94), name="Steady"),
    ])
    resolved = resolve(prescribed, ATHLETE)
    messages = garmin_decode(write_fit_workout(resolved))
    first, second = messages["workout_step_mesgs"]
    assert first["wkt_step_name"].startswith("RPE 3-4")
    assert first["target_type"] == "heart_rate" and first["custom_target_value_low"] > 100
    # 90-94 % of LTHR 170 = 153-160 bpm, written with the +100 offset
    assert (second["custom_target_value_low"], second["custom_target_value_high"]) == (253, 260)
    assert_fit_matches(resolved, write_fit_workout(resolved))


def test_same_workout_gives_the_same_bytes_and_different_workouts_differ() -> None:
    assert write_fit_workout(HILLS) == write_fit_workout(HILLS)
    created = [garmin_decode(write_fit_workout(w))["file_id_mesgs"][0]["time_created"] for w in (HILLS, NESTED)]
    assert created[0] != created[1]
    renamed = HILLS.model_copy(update={"name": "Hill repeats 2"})
    assert write_fit_workout(renamed) != write_fit_workout(HILLS)


def test_the_header_is_garmins_14_bytes_of_protocol_2_0_with_its_crc() -> None:
    # probe fitwkt6: fit-tool 0.9.16 wrote protocol byte 0x23 ("2.3", no FIT protocol) in a 12-byte header;
    # Garmin's encoder (garmin_fit_sdk encoder.py: "Protocol version (2.0 => 0x20)") writes 0x20 in 14 bytes
    data = write_fit_workout(HILLS)
    assert (data[0], data[1], data[8:12]) == (14, 0x20, b".FIT")
    assert int.from_bytes(data[12:14], "little") == crc16(data[:12]) != 0
    reference = Encoder()
    reference.write_mesg({"mesg_num": 0, "type": "workout", "manufacturer": "development", "product": 0})
    assert reference.close()[:2] == data[:2]  # the header Garmin's own encoder writes


def test_given_time_created_and_serial_number_are_written() -> None:
    when = datetime(2025, 3, 14, 6, 30, tzinfo=UTC)
    (file_id,) = garmin_decode(write_fit_workout(HILLS, time_created=when, serial_number=4242))["file_id_mesgs"]
    assert (file_id["time_created"], file_id["serial_number"]) == (when, 4242)


def test_unresolved_target_is_refused_naming_the_step() -> None:
    workout = Workout(name="Raw", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=60)),
        Repeat(count=2, steps=[Step(), Step(target=RpeTarget(low=7, high=8))]),
    ])
    with pytest.raises(ValueError, match=r"step 2\.2: target 'rpe' is not resolved"):
        write_fit_workout(workout)


def test_unknown_exercise_is_refused_naming_the_step() -> None:
    workout = Workout(name="Bad", sport=Sport.STRENGTH, steps=[
        Step(duration=RepsDuration(reps=5), exercise=Exercise(category="SQUAT", name="MOON_SQUAT")),
    ])
    with pytest.raises(ValueError, match="step 1: unknown exercise 'MOON_SQUAT'"):
        write_fit_workout(workout)


def test_long_multibyte_strings_are_cut_to_fit_limits_on_a_character_boundary() -> None:
    workout = Workout(name="é" * 200, sport=Sport.RUNNING, steps=[Step(notes="ü" * 1000, name="x" * 200)])
    messages = garmin_decode(write_fit_workout(workout))
    name = messages["workout_mesgs"][0]["wkt_name"]
    notes = messages["workout_step_mesgs"][0]["notes"]
    assert name == "é" * 127 and notes == "ü" * 127
    assert messages["workout_step_mesgs"][0]["wkt_step_name"] == "x" * 200


def _library_files() -> list[Path]:
    return sorted(p for p in LIBRARY.rglob("*") if p.suffix in {".txt", ".toml"} and "plans" not in p.parts)


@pytest.mark.parametrize("path", _library_files(), ids=lambda p: str(p.relative_to(LIBRARY)))
def test_every_library_workout_compiles_to_a_valid_fit(path: Path) -> None:
    load = pytest.importorskip("watchsync.formats.load", reason="workout loader not available yet")
    workout = resolve(load.load_workout(path), ATHLETE)
    assert_fit_matches(workout, write_fit_workout(workout))
