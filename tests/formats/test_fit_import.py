"""Third-party FIT workouts: ``import`` + ``compile`` give the same steps, targets, names and notes
under Garmin's own decoder; developer fields never shift the standard ones."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fit_tool.base_type import BaseType
from fit_tool.developer_field import DeveloperField
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.developer_data_id_message import DeveloperDataIdMessage
from fit_tool.profile.messages.field_description_message import FieldDescriptionMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import FileType, Intensity, Sport, WorkoutStepDuration, WorkoutStepTarget
from garmin_fit_sdk import Decoder, Stream

from watchsync.cli import main
from watchsync.formats.fit_workout import read_fit_workout
from watchsync.model.workout import HeartRateZoneTarget, PaceZoneTarget, PowerTarget, RpeTarget

REPO = Path(__file__).resolve().parents[2]
FIT = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO.parent / "shared" / "fixtures" / "fit")
WORKOUT_FILES = [FIT / name for name in ("trainerroad_744490.fit", "WorkoutRepeatSteps.fit",
                                         "WorkoutIndividualSteps.fit", "WorkoutRepeatGreaterThanStep.fit")]
#: What a watch executes of a step, as garmin-fit-sdk decodes it.
COMPARED = ("wkt_step_name", "duration_type", "duration_value", "target_value", "custom_target_value_low",
            "custom_target_value_high", "notes", "intensity")


@pytest.fixture(autouse=True)
def _embedded_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.setenv("WATCHSYNC_STATE_DIR", str(tmp_path / "state"))


def _decode(path: Path) -> dict[str, Any]:
    messages, errors = Decoder(Stream.from_file(str(path))).read()
    assert errors == []
    return messages


def _executed(step: dict[str, Any]) -> dict[str, Any]:
    """A step as the watch runs it: averaged power kinds are power (W + 1000 either way)."""
    kept = {key: step.get(key) for key in COMPARED}
    kind = step.get("target_type")
    kept["target_type"] = "power" if kind in ("power_3s", "power_10s", "power_30s", "power_lap") else kind
    if str(step.get("duration_type", "")).startswith("repeat"):
        kept.pop("intensity")  # a repeat step runs no intensity of its own (the model keeps none)
    return kept


def _round_trip(source: Path, tmp_path: Path) -> Path:
    assert main(["import", str(source), "--out", str(tmp_path / "edit")]) == 0
    [edited] = (tmp_path / "edit").iterdir()
    assert main(["compile", str(edited), "--out", str(tmp_path / "fit")]) == 0
    [compiled] = (tmp_path / "fit").glob("*.fit")
    return compiled


@pytest.mark.parametrize("source", WORKOUT_FILES, ids=[p.stem for p in WORKOUT_FILES])
def test_fit_workouts_round_trip_through_import_and_compile(source: Path, tmp_path: Path) -> None:
    if not source.is_file():
        pytest.skip(f"FIT fixtures not found at {FIT} (set WATCHSYNC_FIXTURES)")
    original, compiled = _decode(source), _decode(_round_trip(source, tmp_path))
    assert compiled["workout_mesgs"][0]["wkt_name"] == original["workout_mesgs"][0]["wkt_name"]
    assert compiled["workout_mesgs"][0].get("sport") == original["workout_mesgs"][0].get("sport", "generic")
    before = [_executed(step) for step in original["workout_step_mesgs"]]
    after = [_executed(step) for step in compiled["workout_step_mesgs"]]
    assert after == before


def _stages_like_workout() -> bytes:
    """A third-party workout with developer fields whose numbers collide with standard fields (3 =
    target_type, 10 = exercise_category), an RPE and a description as developer fields, power_3s and
    a custom range written high to low, and an HR-zone target."""
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = 255
    builder.add(file_id)
    developer = DeveloperDataIdMessage()
    developer.application_id = b"stages-link-test"
    developer.developer_data_index = 0
    builder.add(developer)
    for number, name, base in ((3, "rpe", BaseType.UINT8), (10, "interval_kind", BaseType.UINT8),
                               (17, "description", BaseType.STRING)):
        description = FieldDescriptionMessage()
        description.developer_data_index = 0
        description.field_definition_number = number
        description.fit_base_type_id = base
        description.field_name = name
        builder.add(description)
    text = DeveloperField(developer_data_index=0, field_id=17, size=64, base_type=BaseType.STRING)
    text.set_value(0, "Sweet spot, stay seated")
    workout = WorkoutMessage(developer_fields=[text])
    workout.workout_name = "Stages SST"
    workout.sport = Sport.CYCLING
    workout.num_valid_steps = 3
    builder.add(workout)
    for index, (kind, zone, low, high, rpe) in enumerate((
            (WorkoutStepTarget.POWER_3S, 0, 1200, 1250, 7),     # 200-250 W
            (WorkoutStepTarget.POWER_LAP, 0, 1180, 1150, 4),    # high to low: 150-180 W
            (WorkoutStepTarget.HEART_RATE, 2, 0, 0, 3))):       # the watch's HR zone 2
        rpe_field = DeveloperField(developer_data_index=0, field_id=3, size=1, base_type=BaseType.UINT8)
        rpe_field.set_value(0, rpe)
        kind_field = DeveloperField(developer_data_index=0, field_id=10, size=1, base_type=BaseType.UINT8)
        kind_field.set_value(0, 1)
        step = WorkoutStepMessage(developer_fields=[rpe_field, kind_field])
        step.message_index = index
        step.intensity = Intensity.ACTIVE
        step.duration_type = WorkoutStepDuration.TIME
        step.duration_time = 300.0
        step.target_type = kind
        step.target_value = zone
        if low:
            step.custom_target_value_low = low
            step.custom_target_value_high = high
        builder.add(step)
    data: bytes = builder.build().to_bytes()
    return data


def test_developer_fields_never_shift_standard_fields_and_their_rpe_and_description_are_kept() -> None:
    data = _stages_like_workout()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == [] and len(messages["workout_step_mesgs"]) == 3  # a valid file, by Garmin's decoder
    notes: list[str] = []
    workout = read_fit_workout(data, notes)
    first, second, third = workout.flat_steps()
    assert first.target == PowerTarget(low=200, high=250)  # power_3s stays power, never heart rate
    assert second.target == PowerTarget(low=150, high=180)  # normalised, with a note
    assert any("written high to low" in note for note in notes) and "high to low" in (second.notes or "")
    assert third.target == HeartRateZoneTarget(zone=2)  # the watch's zone, not a bpm band of ours
    assert [s.exercise for s in workout.flat_steps()] == [None, None, None]  # no bench presses
    assert [s.rpe for s in workout.flat_steps()] == [RpeTarget(low=r, high=r) for r in (7, 4, 3)]
    assert workout.description == "Sweet spot, stay seated"


def test_developer_field_workout_round_trips_under_garmins_decoder(tmp_path: Path) -> None:
    source = tmp_path / "stages.fit"
    source.write_bytes(_stages_like_workout())
    compiled = _decode(_round_trip(source, tmp_path))
    steps = compiled["workout_step_mesgs"]
    assert [s["target_type"] for s in steps] == ["power", "power", "heart_rate"]
    assert [(s.get("custom_target_value_low"), s.get("custom_target_value_high")) for s in steps[:2]] == [
        (1200, 1250), (1150, 1180)]
    assert steps[2]["target_value"] == 2
    assert compiled["workout_mesgs"][0]["wkt_description"] == "Sweet spot, stay seated"


def _workout_file(name: str, sport: Sport, steps: int, manufacturer: int = 255) -> FitFileBuilder:
    """A workout file's start: its file id and workout message, for ``steps`` steps to follow."""
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = manufacturer
    file_id.product = 1
    file_id.serial_number = 7
    builder.add(file_id)
    workout = WorkoutMessage()
    workout.workout_name = name
    workout.sport = sport
    workout.num_valid_steps = steps
    builder.add(workout)
    return builder


def _speed_zone_workout(sport: Sport, zone: int) -> bytes:
    """A workout whose first step targets the device's speed zone ``zone`` (gja/workout-mcp writes such rides)."""
    builder = _workout_file("Speed zone", sport, 2)
    for index, (kind, value) in enumerate(((WorkoutStepTarget.SPEED, zone), (WorkoutStepTarget.OPEN, 0))):
        step = WorkoutStepMessage()
        step.message_index = index
        step.intensity = Intensity.ACTIVE
        step.duration_type = WorkoutStepDuration.TIME
        step.duration_time = 600.0
        step.target_type = kind
        step.target_value = value
        builder.add(step)
    data: bytes = builder.build().to_bytes()
    return data


@pytest.mark.parametrize("sport", [Sport.CYCLING, Sport.ROWING])
def test_a_speed_zone_in_a_ride_or_row_imports_open_and_said_so_the_workout_compiles(
        sport: Sport, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # probe fitwkt7 #2: imported as "Z2 Pace", validated, then show and compile refused it
    source = tmp_path / "zone.fit"
    source.write_bytes(_speed_zone_workout(sport, 2))
    assert main(["validate", str(source)]) == 0
    assert main(["show", str(source)]) == 0
    compiled = _decode(_round_trip(source, tmp_path))
    said = capsys.readouterr().err
    assert (f"{source}: step 0: target the device's speed zone 2 (imported as open: watchsync has pace zones "
            "for runs and swims only)") in said
    assert [s["target_type"] for s in compiled["workout_step_mesgs"]] == ["open", "open"]
    [edited] = (tmp_path / "edit").iterdir()
    assert "speed zone 2" in edited.read_text(encoding="utf-8")  # the rider's zone stays in the step's notes


def test_a_speed_zone_in_a_run_stays_a_pace_zone() -> None:
    [step, _] = read_fit_workout(_speed_zone_workout(Sport.RUNNING, 3)).flat_steps()
    assert step.target == PaceZoneTarget(zone=3)


def _bryton_workout() -> bytes:
    """Bryton's encoding (intervalssync 0.9.4 ``bryton/fit_encode.py``): target types 245 (% FTP), 248 (% LTHR) and
    249 (% max HR), values + 100,000; and a re-encoder's time step that lost its time."""
    builder = _workout_file("Bryton", Sport.CYCLING, 4, manufacturer=267)  # bryton
    for index, (kind, low, high, seconds) in enumerate(((245, 100_040, 100_050, 1200.0), (248, 100_070, 100_080, 600.0),
                                                        (249, 100_060, 100_065, 300.0), (245, 100_050, 100_060, None))):
        step = WorkoutStepMessage()
        step.message_index = index
        step.intensity = Intensity.ACTIVE
        step.duration_type = WorkoutStepDuration.TIME
        if seconds is not None:
            step.duration_time = seconds
        step.target_type = kind
        step.custom_target_value_low = low
        step.custom_target_value_high = high
        builder.add(step)
    data: bytes = builder.build().to_bytes()
    return data


def test_brytons_percent_targets_are_read_and_a_time_step_without_its_time_is_said() -> None:
    # probe fit13: every target of a Bryton Active export was "target 245 100040-100050 (imported as open)"
    from watchsync.model.workout import HeartRatePercentLthrTarget, HeartRatePercentMaxTarget, PowerPercentFtpTarget

    said: list[str] = []
    steps = read_fit_workout(_bryton_workout(), messages=said).flat_steps()
    assert [step.target for step in steps] == [PowerPercentFtpTarget(low=40, high=50),
                                               HeartRatePercentLthrTarget(low=70, high=80),
                                               HeartRatePercentMaxTarget(low=60, high=65),
                                               PowerPercentFtpTarget(low=50, high=60)]
    assert said == ["<bytes>: step 3: time step without its time (imported as lap button)"]
