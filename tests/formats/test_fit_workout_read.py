"""FIT workout reader: real fixtures, files crafted with Garmin's own encoder, and bad input."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from garmin_fit_sdk import Decoder, Encoder, Stream

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.fit_workout import read_fit_workout, write_fit_workout
from watchsync.formats.fit_workout_read import CONDITIONAL_REPEAT_MAX_COUNT, read_fit_workouts
from watchsync.model.athlete import Athlete
from watchsync.model.workout import (
    MAX_REPEAT_DEPTH,
    CadenceTarget,
    DistanceDuration,
    Exercise,
    HeartRateDuration,
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RepeatUntil,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
    repeat_depth,
)
from watchsync.resolve import resolve

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO_ROOT.parent / "shared" / "fixtures" / "fit")
MISSING = f"FIT fixtures not found at {FIXTURES} (clone shared/ beside the repo or set WATCHSYNC_FIXTURES)"
WORKOUT_FIXTURES = ["WorkoutIndividualSteps.fit", "WorkoutRepeatSteps.fit",
                    "WorkoutRepeatGreaterThanStep.fit", "trainerroad_744490.fit"]
#: Averaged target variants the model holds as the plain target.
PLAIN_TARGET = {"power_3s": "power", "power_10s": "power", "power_30s": "power", "power_lap": "power",
                "heart_rate_lap": "heart_rate", "speed_lap": "speed"}


def fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(MISSING)
    return path


def garmin_steps(data: bytes) -> list[dict[str, Any]]:
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read(convert_types_to_strings=True)
    assert errors == []
    return list(messages["workout_step_mesgs"])


def meaning(step: dict[str, Any]) -> dict[str, Any]:
    """What a decoded step message says, without encoding details."""
    common = {key: step.get(key) for key in ("message_index", "wkt_step_name", "duration_type", "duration_value")}
    if step["duration_type"].startswith("repeat_until"):
        return common | {"target_value": step["target_value"]}
    target_type = PLAIN_TARGET.get(step["target_type"], step["target_type"])
    return common | {
        "intensity": step.get("intensity", "active"),
        "notes": step.get("notes"),
        "target_type": target_type,
        "target_value": step.get("target_value") or 0,
        "custom_low": step.get("custom_target_value_low") if target_type != "open" else None,
        "custom_high": step.get("custom_target_value_high") if target_type != "open" else None,
    }


def encode(steps: list[dict[str, Any]], *, file_type: str = "workout", after: list[dict[str, Any]] | None = None,
           **workout: Any) -> bytes:
    """A FIT file written by Garmin's encoder, independent of our writer (``after``: more messages)."""
    encoder = Encoder()
    encoder.write_mesg({"mesg_num": 0, "type": file_type, "manufacturer": "development", "product": 1,
                        "time_created": datetime(2024, 5, 1, tzinfo=UTC)})
    encoder.write_mesg({"mesg_num": 26, "num_valid_steps": len(steps)} | workout)
    for index, step in enumerate(steps):
        encoder.write_mesg({"mesg_num": 27, "message_index": index} | step)
    for message in after or []:
        encoder.write_mesg(message)
    data: bytes = encoder.close()
    return data


def timed(seconds: int, **fields: Any) -> dict[str, Any]:
    return {"duration_type": "time", "duration_value": seconds * 1000, "target_type": "open"} | fields


# --- fixtures ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", WORKOUT_FIXTURES)
def test_fixture_imports_and_compiles_back_to_the_same_steps(name: str) -> None:
    original = fixture(name).read_bytes()
    compiled = write_fit_workout(read_fit_workout(fixture(name)))
    expected = [meaning(step) for step in garmin_steps(original)]
    # "repeat until HR > 80 % max" is kept as a conditional repeat (Repeat.until) and written back as it was
    assert [meaning(step) for step in garmin_steps(compiled)] == expected


def test_trainerroad_power_ranges_lose_the_1000_offset() -> None:
    path = fixture("trainerroad_744490.fit")
    workout = read_fit_workout(path)
    decoded = garmin_steps(path.read_bytes())
    assert (workout.name, workout.sport) == ("Beech", Sport.CYCLING)
    assert len(workout.steps) == len(decoded)
    for step, raw in zip(workout.steps, decoded, strict=True):
        assert isinstance(step, Step)
        assert step.target == PowerTarget(low=raw["custom_target_value_low"] - 1000,
                                          high=raw["custom_target_value_high"] - 1000)
        assert step.notes == raw["notes"]
        assert step.intensity.value == raw["intensity"]
    assert workout.steps[1].duration == LapButton()  # type: ignore[union-attr]


def test_sdk_repeat_example_becomes_a_repeat_block() -> None:
    workout = read_fit_workout(fixture("WorkoutRepeatSteps.fit"))
    warmup, repeat, cooldown = workout.steps
    assert isinstance(warmup, Step) and warmup.target == HeartRateZoneTarget(zone=2)
    assert isinstance(repeat, Repeat) and repeat.count == 3
    assert [s.name for s in repeat.steps] == ["B1_", "B2_"]
    assert [s.target for s in repeat.steps] == [PowerZoneTarget(zone=5), PowerZoneTarget(zone=3)]
    assert isinstance(cooldown, Step) and cooldown.duration == HeartRateDuration(kind="hr_below", bpm=125)
    assert workout.sport is Sport.OTHER  # the SDK examples name no sport


def test_activity_file_is_refused_with_its_file_type() -> None:
    path = fixture("Activity.fit")
    with pytest.raises(WorkoutFormatError, match=r"Activity\.fit:1:1: a FIT activity file \(not a workout\)") as caught:
        read_fit_workout(path)
    assert "`watchsync analyze` reads an activity" in str(caught.value)  # where to take it (probe fit11)


# --- crafted files -------------------------------------------------------------------------------


def test_targets_lose_their_offsets_and_small_values_are_percentages() -> None:
    data = encode([
        timed(60, target_type="heart_rate", target_value=0, custom_target_value_low=70, custom_target_value_high=80),
        timed(60, target_type="heart_rate", target_value=0, custom_target_value_low=245, custom_target_value_high=255),
        timed(60, target_type="power", target_value=0, custom_target_value_low=90, custom_target_value_high=105),
        timed(60, target_type="power_3s", target_value=0, custom_target_value_low=1200, custom_target_value_high=1250),
        timed(60, target_type="speed", target_value=0, custom_target_value_low=3000, custom_target_value_high=3500),
        timed(60, target_type="speed", target_value=3),
        timed(60, target_type="cadence", target_value=0, custom_target_value_low=170, custom_target_value_high=180),
        timed(60, target_type="heart_rate_lap", target_value=4),
    ], wkt_name="Targets", sport="running")
    targets = [step.target for step in read_fit_workout(data).flat_steps()]
    assert targets == [
        HeartRatePercentMaxTarget(low=70, high=80), HeartRateTarget(low=145, high=155),
        PowerPercentFtpTarget(low=90, high=105), PowerTarget(low=200, high=250),
        SpeedTarget(low=3.0, high=3.5), PaceZoneTarget(zone=3), CadenceTarget(low=170, high=180),
        HeartRateZoneTarget(zone=4),
    ]


def test_nested_repeats_fold_into_nested_blocks() -> None:
    data = encode([
        timed(600, wkt_step_name="warm", intensity="warmup"),
        timed(60, wkt_step_name="A", intensity="interval"),
        timed(30, wkt_step_name="B", intensity="rest"),
        {"duration_type": "repeat_until_steps_cmplt", "duration_value": 2, "target_type": "open", "target_value": 3},
        {"duration_type": "repeat_until_steps_cmplt", "duration_value": 1, "target_type": "open", "target_value": 2,
         "wkt_step_name": "Outer"},
        {"duration_type": "distance", "duration_value": 150000, "target_type": "open", "intensity": "cooldown"},
    ], wkt_name="Nested", sport="running", sub_sport="trail")
    workout = read_fit_workout(data)
    assert workout.sport is Sport.TRAIL_RUNNING
    warm, outer, cool = workout.steps
    assert isinstance(warm, Step) and warm.intensity is Intensity.WARMUP
    assert isinstance(outer, Repeat) and (outer.count, outer.name) == (2, "Outer")
    first, inner = outer.steps
    assert isinstance(first, Step) and first.name == "A" and first.intensity is Intensity.INTERVAL
    assert isinstance(inner, Repeat) and inner.count == 3
    assert [s.name for s in inner.steps] == ["B"]  # type: ignore[union-attr]
    assert isinstance(cool, Step) and cool.duration == DistanceDuration(meters=1500)
    assert [s.name for s in workout.flat_steps()].count("B") == 6


def test_conditions_without_a_model_equivalent_are_kept_as_text() -> None:
    data = encode([
        {"duration_type": "power_greater_than", "duration_value": 1250, "target_type": "open", "notes": "Go"},
        {"duration_type": "hr_less_than", "duration_value": 70, "target_type": "grade", "target_value": 5},
        timed(60, wkt_step_name="Hard"),
        {"duration_type": "repeat_until_time", "duration_value": 2, "target_type": "open",
         "target_value": 1_200_000},
    ])
    workout = read_fit_workout(data)
    power_step, hr_step, repeat = workout.steps
    assert isinstance(power_step, Step) and power_step.duration == LapButton()
    assert power_step.notes == "Go; until power > 250 W (imported as lap button)"
    assert isinstance(hr_step, Step) and hr_step.target == OpenTarget()
    assert "until HR < 70% max" in (hr_step.notes or "") and "target grade 5" in (hr_step.notes or "")
    assert isinstance(repeat, Repeat)
    assert (repeat.count, repeat.name) == (20, None)  # the 60-s rounds that fill its 1200 s
    assert repeat.until == RepeatUntil(kind="time", value=1200, unit="s")
    assert repeat.until.describe() == "1200 s"


def test_exercises_map_back_to_connect_keys() -> None:
    data = encode([
        {"duration_type": "reps", "duration_value": 12, "target_type": "open", "exercise_category": "squat",
         "exercise_name": 37, "exercise_weight": 20.0, "weight_display_unit": "kilogram"},
        {"duration_type": "reps", "duration_value": 8, "target_type": "open", "exercise_category": "bench_press"},
        {"duration_type": "reps", "duration_value": 5, "target_type": "open", "exercise_category": 60000},
    ], sport="training", sub_sport="strength_training")
    workout = read_fit_workout(data)
    goblet, bench, unknown = workout.flat_steps()
    assert workout.sport is Sport.STRENGTH
    assert (goblet.exercise, goblet.weight_kg) == (Exercise(category="SQUAT", name="GOBLET_SQUAT"), 20.0)
    assert bench.exercise == Exercise(category="BENCH_PRESS", name="BENCH_PRESS")
    assert unknown.exercise is None and "exercise category 60000" in (unknown.notes or "")


def test_a_weight_without_an_exercise_the_model_knows_goes_to_the_notes() -> None:
    data = encode([
        {"duration_type": "reps", "duration_value": 8, "target_type": "open", "exercise_category": 65534,
         "exercise_weight": 40.0, "weight_display_unit": "kilogram"},  # 65534: Connect's custom exercise
        {"duration_type": "reps", "duration_value": 8, "target_type": "open", "exercise_weight": 22.5},
    ], sport="training", sub_sport="strength_training")
    said: list[str] = []
    custom, bare = read_fit_workout(data, said).flat_steps()
    assert (custom.exercise, custom.weight_kg, custom.notes) == (None, None, "weight 40 kg")
    assert bare.notes == "weight 22.5 kg"
    assert "<bytes>: step 0: weight 40 kg" in said


def test_rpe_cue_in_the_notes_becomes_the_step_rpe() -> None:
    data = encode([timed(60, notes="RPE 3-4 – conversational. Flat route"), timed(60, notes="RPE-ish effort")])
    first, second = read_fit_workout(data).flat_steps()
    assert first.rpe == RpeTarget(low=3, high=4)
    assert second.rpe is None


def test_an_imported_rpe_cue_does_not_grow_when_compiled_again_and_again() -> None:
    data = encode([timed(60, notes="RPE 3 conversational"), timed(60, wkt_step_name="Strides")])
    athlete = Athlete(name="a", max_hr=190, lthr=170)
    for _ in range(3):
        workout = read_fit_workout(data)
        data = write_fit_workout(resolve(workout, athlete), time_created=datetime(2026, 1, 1, tzinfo=UTC))
    first, second = read_fit_workout(data).flat_steps()
    assert (first.name, first.notes, first.rpe) == ("RPE 3 – conversational", "RPE 3 conversational",
                                                    RpeTarget(low=3, high=3))
    assert (second.name, second.notes, second.rpe) == ("Strides", None, None)


def test_a_send_off_is_read_as_its_rest_and_said() -> None:
    messages: list[str] = []
    data = encode([timed(60, intensity="active"), timed(75, duration_type="repetition_time", intensity="rest")])
    _swim, send_off = read_fit_workout(data, messages).flat_steps()
    assert send_off.duration == TimeDuration(seconds=75)
    assert "send-off every 1:15 (imported as a 1:15 rest)" in (send_off.notes or "")
    assert messages == ["<bytes>: step 1: send-off every 1:15 (imported as a 1:15 rest)"]


def test_a_multisport_workout_is_one_workout_per_leg_with_its_sport_and_pool() -> None:
    encoder = Encoder()
    encoder.write_mesg({"mesg_num": 0, "type": "workout", "manufacturer": "development", "product": 1,
                        "time_created": datetime(2024, 5, 1, tzinfo=UTC)})
    encoder.write_mesg({"mesg_num": 26, "sport": "multisport", "num_valid_steps": 4, "wkt_name": "Brick"})
    legs = [("swimming", "lap_swimming", 0, {"pool_length": 25.0, "pool_length_unit": "metric"}),
            ("cycling", "generic", 1, {}), ("running", "generic", 3, {})]
    for index, (sport, sub_sport, first, pool) in enumerate(legs):
        encoder.write_mesg({"mesg_num": 158, "message_index": index, "sport": sport, "sub_sport": sub_sport,
                            "first_step_index": first} | pool)
    steps = [{"duration_type": "distance", "duration_value": 75000, "target_type": "open"},
             timed(600, target_type="open"),
             {"duration_type": "repeat_until_steps_cmplt", "duration_value": 1, "target_type": "open",
              "target_value": 3},
             {"duration_type": "distance", "duration_value": 500000, "target_type": "open"}]
    for index, step in enumerate(steps):
        encoder.write_mesg({"mesg_num": 27, "message_index": index} | step)
    data: bytes = encoder.close()
    messages: list[str] = []
    swim, ride, run = read_fit_workouts(data, messages)
    assert [(w.name, w.sport) for w in (swim, ride, run)] == [
        ("Brick (1/3 pool_swim)", Sport.POOL_SWIM), ("Brick (2/3 cycling)", Sport.CYCLING),
        ("Brick (3/3 running)", Sport.RUNNING)]
    assert swim.pool_length == 25 and swim.flat_steps()[0].duration == DistanceDuration(meters=750)
    [repeat] = ride.steps
    assert isinstance(repeat, Repeat) and repeat.count == 3
    assert run.flat_steps()[0].duration == DistanceDuration(meters=5000)
    assert messages == []
    with pytest.raises(WorkoutFormatError, match="a multi-sport workout of 3 legs"):
        read_fit_workout(data)


def test_names_fall_back_to_the_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "tempo-ride.fit"
    path.write_bytes(encode([timed(60)]))
    assert read_fit_workout(path).name == "tempo-ride"
    assert read_fit_workout(path.read_bytes()).name == "FIT workout"
    assert isinstance(read_fit_workout(path).steps[0].duration, TimeDuration)  # type: ignore[union-attr]


def test_long_names_are_cut_to_the_model_limit_and_selected_flags_ignored() -> None:
    encoder_steps = [timed(60, wkt_step_name="s" * 240), timed(30, wkt_step_name="second")]
    data = encode(encoder_steps, wkt_name="w" * 240)
    workout = read_fit_workout(data)
    assert (workout.name, workout.flat_steps()[0].name) == ("w" * 240, "s" * 200)  # workout names hold 256
    flagged = encode([timed(60, wkt_step_name="A"), timed(30, wkt_step_name="B", message_index=0x8001),
                      {"duration_type": "repeat_until_steps_cmplt", "duration_value": 1, "target_type": "open",
                       "target_value": 2}])
    assert [step.name for step in read_fit_workout(flagged).flat_steps()] == ["A", "B", "B"]


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "problem"), [
    (b"", "file is empty"),
    (b"hello, this is not a FIT file at all", "not a readable FIT file"),
    (encode([timed(60)], file_type="activity"), r"a FIT activity file \(not a workout\)"),
    (encode([timed(60)], file_type=8), r"a FIT file of type 8 \(not a workout\)"),  # Garmin's locations files
    (encode([]), "FIT workout has no workout_step messages"),
    (encode([timed(60), {"duration_type": "repeat_until_steps_cmplt", "duration_value": 5, "target_type": "open",
                         "target_value": 2}]), "workout_step 1: repeat points at step 5"),
    (encode([timed(60, target_type="heart_rate", target_value=0, custom_target_value_low=90,
                   custom_target_value_high=160)]), "workout_step 0: heart rate range 90-160 mixes"),
    (encode([timed(60, target_type="heart_rate", target_value=9)]), "workout_step 0: .*zone"),
])
def test_bad_input_gives_one_clear_line(data: bytes, problem: str) -> None:
    with pytest.raises(WorkoutFormatError, match=f"^<bytes>:1:1: {problem}") as caught:
        read_fit_workout(data)
    assert "\n" not in str(caught.value)


def test_truncated_workout_is_refused() -> None:
    data = write_fit_workout(read_fit_workout(encode([timed(60), timed(120)])))
    with pytest.raises(WorkoutFormatError, match="not a readable FIT file"):
        read_fit_workout(data[:-20])


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.fit"
    with pytest.raises(WorkoutFormatError, match=f"^{missing}:1:1: cannot read file"):
        read_fit_workout(missing)


def test_the_light_profile_copies_match_fit_tools_profile() -> None:
    import fit_tool.profile.profile_type as profile

    from watchsync.formats import fit_profile

    for name in ("WorkoutStepDuration", "WorkoutStepTarget", "Intensity", "SwimStroke", "WorkoutEquipment",
                 "DisplayMeasure"):
        ours, theirs = getattr(fit_profile, name), getattr(profile, name)
        assert {m.name: m.value for m in ours} == {m.name: m.value for m in theirs}, name
    assert profile.FileType.WORKOUT.value == fit_profile.FILE_TYPE_WORKOUT


@pytest.mark.parametrize(("until", "raw"), [
    (RepeatUntil(kind="time", value=1800, unit="s"), 1_800_000),  # ms
    (RepeatUntil(kind="time", value=3 * 3600, unit="s"), 10_800_000),  # over 71.6 min: once crashed the encoder
    (RepeatUntil(kind="distance", value=5000.5, unit="m"), 500_050),  # cm
])
def test_a_conditional_repeat_of_time_or_distance_is_written_in_fit_units_and_reads_back(
        until: RepeatUntil, raw: int) -> None:
    workout = Workout(name="r", sport=Sport.RUNNING,
                      steps=[Repeat(count=3, until=until, steps=[Step(duration=TimeDuration(seconds=60))])])
    data = write_fit_workout(workout)
    [_, repeat] = garmin_steps(data)
    assert (repeat["duration_type"], repeat["target_value"]) == (f"repeat_until_{until.kind}", raw)
    [back] = read_fit_workout(data).steps
    assert isinstance(back, Repeat) and back.until == until


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0, 250, HeartRateTarget(low=30, high=150)),  # at most 150 bpm: no lower bound (FIT's HR offset is 100)
    (240, 0, HeartRateTarget(low=140, high=250)),
])
def test_a_one_sided_heart_rate_range_is_read_with_the_open_side_at_the_models_bound(
        low: int, high: int, expected: HeartRateTarget) -> None:
    data = encode([timed(600, target_type="heart_rate", target_value=0, custom_target_value_low=low,
                         custom_target_value_high=high)])
    [step] = read_fit_workout(data).flat_steps()
    assert step.target == expected


@pytest.mark.parametrize("low", [0, 1000])  # 1000 is 0 W beside a watt bound (the % / W boundary value)
def test_a_one_sided_power_range_is_read_from_zero_watts(low: int) -> None:
    data = encode([timed(600, target_type="power", target_value=0, custom_target_value_low=low,
                         custom_target_value_high=1150)])
    [step] = read_fit_workout(data).flat_steps()
    assert step.target == PowerTarget(low=0, high=150)


@pytest.mark.parametrize(("kind", "low", "high", "expected"), [
    ("power", 350, 400, PowerPercentFtpTarget(low=350, high=400)),  # a sprint: FIT holds % of FTP up to 1000
    ("power", 90, 0, PowerPercentFtpTarget(low=90, high=1000)),  # at least 90 % of FTP
    ("heart_rate", 80, 0, HeartRatePercentMaxTarget(low=80, high=110)),  # at least 80 % of max HR
    ("speed", 3000, 0, SpeedTarget(low=3, high=40)),  # at least 3 m/s (mm/s in FIT), not "at most"
    ("cadence", 90, 0, CadenceTarget(low=90, high=300)),  # at least 90 rpm
])
def test_percentage_ranges_above_300_and_ranges_open_at_the_top_are_read(kind: str, low: int, high: int,
                                                                 expected: object) -> None:
    data = encode([timed(600, target_type=kind, target_value=0, custom_target_value_low=low,
                         custom_target_value_high=high)])
    [step] = read_fit_workout(data).flat_steps()
    assert step.target == expected


def test_a_file_of_several_workouts_is_refused_never_merged() -> None:
    run = encode([timed(600, target_type="heart_rate", target_value=2)], wkt_name="first", sport="running")
    ride = encode([timed(300, target_type="power", target_value=3)], wkt_name="second", sport="cycling")
    with pytest.raises(WorkoutFormatError, match=r"the file holds 2 workouts \('first', 'second'\)"):
        read_fit_workout(run + ride)  # a chained FIT file: two complete files one after the other
    encoder = Encoder()
    encoder.write_mesg({"mesg_num": 0, "type": "workout", "manufacturer": "development", "product": 1})
    for name in ("w1", "w2"):
        encoder.write_mesg({"mesg_num": 26, "wkt_name": name, "sport": "running", "num_valid_steps": 1})
        encoder.write_mesg({"mesg_num": 27, "message_index": 0} | timed(60))
    with pytest.raises(WorkoutFormatError, match="the file holds 2 workouts"):
        read_fit_workout(encoder.close())


def test_a_zero_watt_floor_is_written_as_no_lower_bound_and_read_back() -> None:
    workout = Workout(name="floor", sport=Sport.CYCLING,
                      steps=[Step(duration=TimeDuration(seconds=600), target=PowerTarget(low=0, high=150))])
    data = write_fit_workout(workout)
    [step] = garmin_steps(data)
    assert (step["custom_target_power_low"], step["custom_target_power_high"]) == (0, 1150)
    assert read_fit_workout(data).flat_steps()[0].target == PowerTarget(low=0, high=150)


@pytest.mark.parametrize(("sport", "sub_sport", "expected", "said"), [
    ("walking", "generic", Sport.OTHER, ["<bytes>: sport walking/generic imported as other"]),
    ("cycling", "mountain", Sport.CYCLING, ["<bytes>: sport cycling/mountain imported as cycling"]),
    ("running", "trail", Sport.TRAIL_RUNNING, []),
])
def test_a_sport_the_model_has_no_own_value_for_is_said(sport: str, sub_sport: str, expected: Sport,
                                                         said: list[str]) -> None:
    messages: list[str] = []
    workout = read_fit_workout(encode([timed(600)], sport=sport, sub_sport=sub_sport), messages)
    assert workout.sport is expected and messages == said


def _nested(levels: int) -> bytes:
    """One timed step wrapped in ``levels`` repeats, each going back to step 0."""
    repeats = [{"duration_type": "repeat_until_steps_cmplt", "duration_value": 0, "target_type": "open",
                "target_value": 2} for _ in range(levels)]
    return encode([timed(60), *repeats], wkt_name="Deep", sport="running")


def test_repeats_nest_as_deep_in_every_format_or_are_refused_alike() -> None:
    from watchsync.formats.toml_workout import format_toml, parse_toml

    workout = read_fit_workout(_nested(MAX_REPEAT_DEPTH))
    assert repeat_depth(workout.steps) == MAX_REPEAT_DEPTH
    assert parse_toml(format_toml(workout), "w.toml") == workout  # what import writes validates again
    with pytest.raises(WorkoutFormatError, match=f"repeats nest {MAX_REPEAT_DEPTH + 1} levels deep"):
        read_fit_workout(_nested(MAX_REPEAT_DEPTH + 1))


def test_a_crc_that_does_not_match_is_said_and_the_file_read_all_the_same() -> None:
    data = write_fit_workout(Workout(name="crc", sport=Sport.RUNNING, steps=[Step(duration=TimeDuration(seconds=60))]))
    damaged = data[:-2] + bytes([data[-2] ^ 0xFF, data[-1]])
    said: list[str] = []
    assert read_fit_workout(damaged, said) == read_fit_workout(data)
    assert said == ["<bytes>: the file's CRC does not match its contents (damaged on the way?); read as it is: "
                    "check the steps"]
    clean: list[str] = []
    read_fit_workout(data, clean)
    assert clean == []


@pytest.mark.parametrize("missing", [2, 1])
def test_a_workout_that_ends_before_its_crc_is_read_without_checking_it_and_said(missing: int) -> None:
    data = fixture("WorkoutIndividualSteps.fit").read_bytes()
    said: list[str] = []
    assert read_fit_workout(data[:-missing], said) == read_fit_workout(data)
    assert said == ["<bytes>: the file ends before its CRC (cut short?): read without checking it"]


def test_a_workout_cut_inside_its_messages_is_still_refused() -> None:
    data = fixture("WorkoutIndividualSteps.fit").read_bytes()
    with pytest.raises(WorkoutFormatError, match="not a readable FIT file"):
        read_fit_workout(data[:-3])


def test_what_the_model_cannot_hold_is_said_not_dropped_silently() -> None:
    data = encode([
        timed(600, target_type="heart_rate_lap", target_value=0, custom_target_value_low=240,
              custom_target_value_high=250),
        timed(600, target_type="power", target_value=0, custom_target_value_low=1200, custom_target_value_high=1250,
              secondary_target_type="power", secondary_target_value=0, secondary_custom_target_value_low=1210,
              secondary_custom_target_value_high=1240),
        {"duration_type": "repeat_until_steps_cmplt", "duration_value": 1, "target_type": "open", "target_value": 0},
    ])
    said: list[str] = []
    first, repeat = read_fit_workout(data, said).steps
    assert isinstance(first, Step) and first.target == HeartRateTarget(low=140, high=150)
    assert isinstance(repeat, Repeat) and repeat.count == 1
    assert said == ["<bytes>: step 1: secondary target 210-240 left out: of the target's own kind",
                    "<bytes>: step 2: repeat count 0 (imported as 1)",
                    "<bytes>: target averaged over the lap on 1 step(s) (imported as the plain target)"]
    assert first.notes is None  # said on import, not written into what the watch shows


def test_a_value_no_watch_can_run_is_refused_naming_the_target_and_its_value(tmp_path: Path) -> None:
    """pace2fit writes speeds in mm/s where FIT has them in mm/s x 1000 (2,740 m/s): refused in words."""
    path = tmp_path / "threshold.fit"
    path.write_bytes(encode([timed(600, target_type="speed", target_value=0, custom_target_value_low=2740000,
                                   custom_target_value_high=3000000)], wkt_name="Threshold", sport="running"))
    with pytest.raises(WorkoutFormatError) as caught:
        read_fit_workouts(path)
    message = str(caught.value)
    assert "workout_step 0: speed target low 2740.0 is not accepted: input should be less than or equal to" in message
    assert "(expected values a watch can run)" in message


# probe fitwkt6: a third-party builder's strength files (sport training, no sub-sport; names in exercise_title)
def test_a_plain_training_workout_of_exercises_is_strength_and_its_exercise_titles_name_the_steps() -> None:
    squat = {"duration_type": "reps", "duration_value": 10, "target_type": "open", "exercise_category": "squat",
             "exercise_name": 37}  # goblet squat
    bench = {"duration_type": "reps", "duration_value": 8, "target_type": "open", "exercise_category": "bench_press",
             "exercise_name": 1, "wkt_step_name": "Bench"}
    titles = [{"mesg_num": 264, "message_index": 0, "exercise_category": "squat", "exercise_name": 37,
               "wkt_step_name": "KB goblet squat (heavy)"},
              {"mesg_num": 264, "message_index": 1, "exercise_category": "bench_press", "exercise_name": 1,
               "wkt_step_name": "Bench - competition grip"}]
    notes: list[str] = []
    workout = read_fit_workout(encode([squat, bench], after=titles, sport="training"), notes)
    assert workout.sport is Sport.STRENGTH
    assert [step.name for step in workout.flat_steps()] == ["KB goblet squat (heavy)", "Bench"]  # its own name wins
    assert "<bytes>: sport training (no sub-sport) imported as strength: its steps are strength exercises" in notes
    cardio = read_fit_workout(encode([timed(60)], sport="training"), notes)
    assert cardio.sport is Sport.CARDIO and notes[-1] == "<bytes>: sport training (no sub-sport) imported as cardio"


def test_an_unknown_exercise_name_and_a_repeat_until_tss_are_said() -> None:
    notes: list[str] = []
    workout = read_fit_workout(encode([
        {"duration_type": "reps", "duration_value": 10, "target_type": "open", "exercise_category": "squat",
         "exercise_name": 999},
        timed(60),
        {"duration_type": "repeat_until_training_peaks_tss", "duration_value": 1, "target_type": "open",
         "target_value": 600},
    ], sport="training", sub_sport="strength_training"), notes)
    squat, repeat = workout.steps
    assert isinstance(squat, Step) and squat.exercise == Exercise(category="SQUAT", name="SQUAT")
    assert "<bytes>: step 0: exercise SQUAT name 999 is unknown to watchsync (imported as any SQUAT)" in notes
    assert isinstance(repeat, Repeat) and repeat.count == CONDITIONAL_REPEAT_MAX_COUNT
    assert any(note.startswith("<bytes>: step 2: a repeat until TSS") and "imported as 10 rounds" in note
               for note in notes)
