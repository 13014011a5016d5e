"""Garmin Connect workout JSON (``../shared/fixtures/connect``) → ``watchsync import`` → an editable
file that compiles back with the same steps; and the JSON watchsync writes, shaped as Garmin's."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from garmin_fit_sdk import Decoder, Stream

from watchsync.cli import main
from watchsync.formats.connect_json import connect_sport_note, workout_to_connect
from watchsync.formats.connect_json_read import read_connect_file
from watchsync.formats.load import load_workout
from watchsync.formats.text import parse_text
from watchsync.model.athlete import Athlete
from watchsync.model.workout import CadenceTarget, Exercise, PowerTarget, Sport
from watchsync.resolve import resolve

REPO = Path(__file__).resolve().parents[2]
CONNECT = Path(os.environ.get("WATCHSYNC_CONNECT_FIXTURES") or REPO.parent / "shared" / "fixtures" / "connect")
DOCUMENTS = sorted(CONNECT.glob("*.json")) if CONNECT.is_dir() else []


@pytest.fixture(autouse=True)
def _embedded_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.setenv("WATCHSYNC_STATE_DIR", str(tmp_path / "state"))


def _executed(steps: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What a watch runs, from Connect steps: (kind, end condition, value, target, values, stroke)."""
    out: list[tuple[Any, ...]] = []
    for step in sorted(steps, key=lambda s: s.get("stepOrder") or 0):
        if step["type"] == "RepeatGroupDTO":
            out.append(("repeat", step.get("numberOfIterations")))
            out.extend(_executed(step["workoutSteps"]))
            out.append(("end",))
            continue
        end = step["endCondition"]["conditionTypeId"]
        target = (step.get("targetType") or {}).get("workoutTargetTypeId") or 1
        values = sorted(v for v in (step.get("targetValueOne"), step.get("targetValueTwo")) if v is not None)
        secondary = (step.get("secondaryTargetType") or {}).get("workoutTargetTypeId") or 1
        out.append(("step", end, None if end == 1 else step.get("endConditionValue"), target, values,
                    step.get("zoneNumber") or None, secondary,
                    (step.get("strokeType") or {}).get("strokeTypeId") or 0))
    return out


def _connect_steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for segment in data["workoutSegments"] for step in segment["workoutSteps"]]


def test_the_shared_documents_are_there() -> None:
    if not DOCUMENTS:
        pytest.skip(f"Connect fixtures not found at {CONNECT} (set WATCHSYNC_CONNECT_FIXTURES)")
    assert len(DOCUMENTS) >= 4


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.stem for d in DOCUMENTS])
def test_every_document_imports_and_compiles_with_the_same_steps(document: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    original = json.loads(document.read_text("utf-8"))
    assert main(["import", str(document), "--out", str(tmp_path / "edit")]) == 0
    [written] = sorted((tmp_path / "edit").iterdir())
    capsys.readouterr()
    workout = load_workout(written)  # the editable file parses back
    assert workout.name == original["workoutName"]
    assert (workout.pool_length is not None) == bool(original.get("poolLength"))
    # the same steps as Garmin's document, as the watch would run them (an imported workout's targets
    # are the watch's own: zones stay zones)
    again = workout_to_connect(workout)
    assert _executed(_connect_steps(again)) == _executed(_connect_steps(original))
    assert again["sportType"]["sportTypeId"] == original["sportType"]["sportTypeId"]
    # and it compiles to a FIT file Garmin's SDK decodes, one message per executed step or repeat
    assert main(["compile", str(written), "--out", str(tmp_path / "fit")]) == 0
    [fit] = (tmp_path / "fit").glob("*.fit")
    messages, errors = Decoder(Stream.from_file(str(fit))).read()
    assert errors == []
    assert len(messages["workout_step_mesgs"]) == sum(1 for row in _executed(_connect_steps(original))
                                                      if row[0] in ("step", "repeat"))
    assert messages["workout_mesgs"][0]["wkt_name"] == original["workoutName"]


def test_swims_keep_pool_length_strokes_and_equipment(tmp_path: Path) -> None:
    document = CONNECT / "kaiord_WorkoutSwimmingAllStrokesOutput.json"
    if not document.is_file():
        pytest.skip("Connect fixtures not found")
    [workout] = read_connect_file(document.read_text("utf-8"), str(document))
    assert (workout.sport, workout.pool_length, workout.pool_length_unit) == (Sport.POOL_SWIM, 25.0, "m")
    strokes = [s.stroke for s in workout.flat_steps()]
    assert {"fly", "back", "breast", "drill", "any"} <= set(strokes)
    assert {"kickboard", "pull_buoy", "fins", "paddles"} <= {s.equipment for s in workout.flat_steps()}
    sent = workout_to_connect(workout)
    assert sent["sportType"] == {"sportTypeId": 4, "sportTypeKey": "swimming", "displayOrder": 3}
    assert sent["poolLength"] == 25.0 and sent["poolLengthUnit"]["unitKey"] == "meter"
    assert sent["workoutSegments"][0]["poolLength"] == 25.0
    first = sent["workoutSegments"][0]["workoutSteps"][0]
    assert first["strokeType"] == {"strokeTypeId": 1, "strokeTypeKey": "any_stroke", "displayOrder": 1}
    assert first["equipmentType"] == {"equipmentTypeId": 0, "equipmentTypeKey": None, "displayOrder": 0}


def test_secondary_targets_are_read_and_sent_back() -> None:
    document = CONNECT / "kaiord_WorkoutRunningNestedRepeatsOutput.json"
    if not document.is_file():
        pytest.skip("Connect fixtures not found")
    [workout] = read_connect_file(document.read_text("utf-8"), str(document))
    paced = next(s for s in workout.flat_steps() if s.secondary is not None)
    assert paced.secondary is not None and paced.secondary.kind == "hr_bpm"
    ride = parse_text("name: r\nsport: cycling\n- 20m 60% 90-100rpm\n")
    [sent] = workout_to_connect(resolve(ride, Athlete(name="a", ftp=200)))["workoutSegments"][0]["workoutSteps"]
    assert sent["secondaryTargetType"]["workoutTargetTypeKey"] == "cadence"
    assert (sent["secondaryTargetValueOne"], sent["secondaryTargetValueTwo"]) == (90.0, 100.0)
    back = read_connect_file(json.dumps({"workoutName": "r", "sportType": {"sportTypeId": 2},
                                         "workoutSegments": [{"workoutSteps": [sent]}]}), "<sent>")
    step = back[0].flat_steps()[0]
    assert (step.target, step.secondary) == (PowerTarget(low=114, high=126), CadenceTarget(low=90, high=100))


def test_lap_button_steps_keep_a_number_and_the_planned_length() -> None:
    workout = parse_text("name: l\nsport: run\n- 9m Z2 HR press lap\n- RPE 2 jog back press lap\n")
    first, second = workout_to_connect(resolve(workout, Athlete(name="a")))["workoutSegments"][0]["workoutSteps"]
    assert (first["endCondition"]["conditionTypeKey"], first["endConditionValue"]) == ("lap.button", 540.0)
    assert second["endConditionValue"] == 0.0


def test_multisport_long_names_and_category_only_strength(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "N" * 256
    step = {"type": "ExecutableStepDTO", "stepOrder": 1, "stepType": {"stepTypeId": 3},
            "endCondition": {"conditionTypeId": 2}, "endConditionValue": 600.0,
            "targetType": {"workoutTargetTypeId": 1}}
    strength = {**step, "endCondition": {"conditionTypeId": 10}, "endConditionValue": 10.0,
                "category": "BENCH_PRESS", "exerciseName": None}
    document = {"workoutName": name, "sportType": {"sportTypeId": 10, "sportTypeKey": "multi_sport"},
                "workoutSegments": [
                    {"segmentOrder": 1, "sportType": {"sportTypeId": 2}, "workoutSteps": [copy.deepcopy(step)]},
                    {"segmentOrder": 2, "sportType": {"sportTypeId": 5}, "workoutSteps": [strength]}]}
    path = tmp_path / "brick.json"
    path.write_text(json.dumps(document), "utf-8")
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 0
    ride, gym = sorted((tmp_path / "out").iterdir())
    assert (ride.name, gym.name) == ("brick-1-cycling.txt", "brick-2-strength.txt")
    lifted = load_workout(gym)  # text written by import always parses back
    assert lifted.flat_steps()[0].exercise == Exercise(category="BENCH_PRESS", name="BENCH_PRESS")
    sent = workout_to_connect(lifted)["workoutSegments"][0]["workoutSteps"][0]
    assert (sent["category"], sent["exerciseName"]) == ("BENCH_PRESS", "BENCH_PRESS")  # the catalogue's bench press
    single = {**document, "workoutSegments": [document["workoutSegments"][0]]}
    [long] = read_connect_file(json.dumps(single), "<long>")
    assert long.name == name  # Garmin keeps 256 characters; so does the model


def test_skiing_goes_to_connect_as_cardio_and_says_so() -> None:
    workout = parse_text("name: ski\nsport: xc_ski\n- 1h Z2 HR\n")
    sent = workout_to_connect(resolve(workout, Athlete(name="a")))
    assert sent["sportType"]["sportTypeKey"] == "cardio_training"
    note = connect_sport_note(Sport.XC_SKIING)
    assert note is not None and "cardio_training" in note
    assert connect_sport_note(Sport.RUNNING) is None


def test_bad_json_is_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"workoutName": "x",\n  "sportType": }', "utf-8")
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 1
    assert f"{path}:2:16: not JSON" in capsys.readouterr().err


def test_a_payload_naming_types_only_by_key_is_read_by_its_keys() -> None:
    document = {"workoutName": "k", "sportType": {"sportTypeKey": "running"}, "workoutSegments": [{"workoutSteps": [
        {"type": "ExecutableStepDTO", "stepOrder": 1, "stepType": {"stepTypeKey": "interval"},
         "endCondition": {"conditionTypeKey": "time"}, "endConditionValue": 60,
         "targetType": {"workoutTargetTypeKey": "heart.rate.zone"}, "zoneNumber": 3}]}]}
    [workout] = read_connect_file(json.dumps(document), "<payload>")
    assert workout.sport is Sport.RUNNING
    assert workout.flat_steps()[0].target.kind == "hr_zone"


def test_a_swim_stroke_beside_two_targets_goes_to_the_fit_steps_notes() -> None:
    """FIT has two target slots: a pace and an HR target leave none for the stroke, which the watch
    then shows in the step's notes rather than losing it (Connect keeps it in strokeType)."""
    from watchsync.formats.fit_workout import write_fit_workout

    swim = parse_text("name: s\nsport: pool_swim\npool: 25m\n- 200mtr 1:40-1:50/100m Pace Z2 HR stroke=back\n"
                      "- 100mtr 1:40-1:50/100m Pace stroke=fly\n")
    athlete = Athlete(name="a", max_hr=190, resting_hr=50, lthr=170, swim_threshold_pace="1:45/100m")
    messages, errors = Decoder(Stream.from_byte_array(bytearray(write_fit_workout(resolve(swim, athlete))))).read()
    assert errors == []
    two, one = messages["workout_step_mesgs"]
    assert "back stroke" in two["notes"]
    assert (one["secondary_target_type"], one.get("notes")) == ("swim_stroke", None)
