"""The FIT workout file and the Garmin Connect JSON compiled from one workout agree step by step.

The FIT side is decoded with fitdecode (not our reader); both sides are brought into one small
vocabulary — durations, targets in bpm / m/s / W / rpm, zones, repeat counts, texts — and compared.
"""

from __future__ import annotations

import io
from typing import Any

import fitdecode
import pytest

from watchsync.formats.connect_json import workout_to_connect
from watchsync.formats.fit_workout_write import write_fit_workout
from watchsync.model.athlete import Athlete
from watchsync.model.workout import (
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Exercise,
    HeartRateDuration,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PacePercentTarget,
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

# Garmin Connect ids (garminconnect 0.3.20 workout.py, docs/garmin.md) → the FIT words fitdecode prints.
JSON_STEP_TYPE_TO_FIT = {1: {"warmup"}, 2: {"cooldown"}, 3: {"active", "interval"}, 4: {"recovery"},
                         5: {"rest"}, 7: {"other"}}
JSON_TARGET_TO_FIT = {1: "open", 2: "power", 3: "cadence", 4: "heart_rate", 5: "speed", 6: "speed"}
JSON_CONDITION_TO_FIT = {1: "open", 2: "time", 3: "distance", 4: "calories", 10: "reps"}
FIT_DURATION_FIELD = {"time": "duration_time", "distance": "duration_distance", "calories": "duration_calories",
                      "reps": "duration_reps", "hr_less_than": "duration_hr", "hr_greater_than": "duration_hr"}
FIT_OFFSETS = {"heart_rate": 100, "power": 1000, "speed": 0, "cadence": 0}

WORKOUTS = [
    Workout(name="Mixed run", sport=Sport.TRAIL_RUNNING, description="Everything", steps=[
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=600), target=HeartRateTarget(low=120, high=140),
             name="Warm up", notes="RPE 3 – conversational"),
        Repeat(count=3, name="Main set", steps=[
            Step(intensity=Intensity.INTERVAL, duration=DistanceDuration(meters=800),
                 target=SpeedTarget(low=4.1, high=4.3)),
            Repeat(count=2, steps=[
                Step(duration=CaloriesDuration(kcal=20), target=PowerTarget(low=250, high=280)),
                Step(intensity=Intensity.RECOVERY, duration=HeartRateDuration(kind="hr_below", bpm=130),
                     target=CadenceTarget(low=160, high=170), notes="jog"),
            ]),
            Step(intensity=Intensity.REST, duration=HeartRateDuration(kind="hr_above", bpm=100),
                 target=HeartRateZoneTarget(zone=1)),
        ]),
        Step(intensity=Intensity.COOLDOWN, duration=LapButton(), target=OpenTarget(), name="Easy"),
    ]),
    Workout(name="Sweet spot", sport=Sport.INDOOR_CYCLING, steps=[
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=900), target=PowerZoneTarget(zone=2)),
        Repeat(count=4, steps=[Step(duration=TimeDuration(seconds=480), target=PowerTarget(low=200, high=215)),
                               Step(intensity=Intensity.RECOVERY, duration=TimeDuration(seconds=120))]),
        Step(intensity=Intensity.COOLDOWN, duration=TimeDuration(seconds=600), target=SpeedTarget(low=7, high=9)),
    ]),
    Workout(name="Legs", sport=Sport.STRENGTH, steps=[
        Repeat(count=3, name="Goblet squats", steps=[
            Step(duration=RepsDuration(reps=12), exercise=Exercise(category="SQUAT", name="GOBLET_SQUAT"),
                 weight_kg=16, notes="slow down"),
            Step(intensity=Intensity.REST, duration=TimeDuration(seconds=90)),
        ]),
    ]),
    resolve(Workout(name="Tempo by feel", sport=Sport.RUNNING, steps=[
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=900), target=RpeTarget(low=3, high=4)),
        Step(duration=DistanceDuration(meters=5000), target=PacePercentTarget(low=88, high=94)),
        Step(intensity=Intensity.COOLDOWN, duration=LapButton(), target=RpeTarget(low=2, high=2)),
    ]), Athlete(name="anna", lthr=171, max_hr=188, threshold_pace="4:30/km")),
]


def fit_tree(data: bytes) -> list[dict[str, Any]]:
    """FIT workout steps as a tree: each repeat step gathers the block it points back to."""
    nodes: list[tuple[int, dict[str, Any]]] = []  # (message index of the block's first step, node)
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage) or frame.name != "workout_step":
                continue
            fields = {field.name: field.value for field in frame.fields}
            index = fields["message_index"]
            if fields["duration_type"] == "repeat_until_steps_cmplt":
                first = fields["duration_step"]
                children = [node for start, node in nodes if start >= first]
                nodes = [(start, node) for start, node in nodes if start < first]
                nodes.append((first, {"repeat": fields["repeat_steps"], "name": fields.get("wkt_step_name"),
                                      "steps": children}))
            else:
                nodes.append((index, fields))
    return [node for _, node in nodes]


def compare_step(fit: dict[str, Any], raw: dict[str, Any], where: str) -> None:
    assert fit["intensity"] in JSON_STEP_TYPE_TO_FIT[raw["stepType"]["stepTypeId"]], where
    condition = raw["endCondition"]["conditionTypeId"]
    duration = fit["duration_type"]
    if condition == 6:
        assert duration == {"lt": "hr_less_than", "gt": "hr_greater_than"}[raw["endConditionCompare"]], where
        assert fit["duration_hr"] - 100 == raw["endConditionValue"], where
    else:
        assert duration == JSON_CONDITION_TO_FIT[condition], where
        if duration != "open":
            assert fit[FIT_DURATION_FIELD[duration]] == pytest.approx(raw["endConditionValue"]), where
    target = JSON_TARGET_TO_FIT[raw["targetType"]["workoutTargetTypeId"]]
    assert fit["target_type"] == target, where
    if raw.get("zoneNumber"):
        zone_field = {"heart_rate": "target_hr_zone", "power": "target_power_zone"}[target]
        assert fit[zone_field] == raw["zoneNumber"], where
    elif target != "open":
        offset = FIT_OFFSETS[target]
        low, high = (fit[f"custom_target_{target}_{end}"] - offset for end in ("low", "high"))
        assert (low, high) == (pytest.approx(raw["targetValueOne"], abs=0.5),
                               pytest.approx(raw["targetValueTwo"], abs=0.5)), where
    text, pieces = raw.get("description") or "", [fit.get("wkt_step_name"), fit.get("notes")]
    assert all(piece in text for piece in pieces if piece), where
    assert bool(text) == any(pieces), where
    if "category" in raw:
        assert fit["exercise_category"] == raw["category"].lower(), where
        assert fit["exercise_weight"] == pytest.approx(raw["weightValue"]), where  # both in kilograms


def compare_blocks(fit_nodes: list[dict[str, Any]], raw_steps: list[dict[str, Any]], where: str) -> None:
    assert len(fit_nodes) == len(raw_steps), where
    for number, (fit, raw) in enumerate(zip(fit_nodes, raw_steps, strict=True), start=1):
        place = f"{where}{number}"
        if raw["type"] == "RepeatGroupDTO":
            assert fit.get("repeat") == raw["numberOfIterations"], place
            assert fit["name"] == raw.get("description"), place
            compare_blocks(fit["steps"], raw["workoutSteps"], f"{place}.")
        else:
            assert "repeat" not in fit, place
            compare_step(fit, raw, place)


@pytest.mark.parametrize("workout", WORKOUTS, ids=[w.name for w in WORKOUTS])
def test_fit_and_connect_json_agree_step_by_step(workout: Workout) -> None:
    raw = workout_to_connect(workout)
    compare_blocks(fit_tree(write_fit_workout(workout)), raw["workoutSegments"][0]["workoutSteps"], "step ")


def test_the_comparison_notices_a_difference() -> None:
    workout = WORKOUTS[1]
    raw = workout_to_connect(workout)
    raw["workoutSegments"][0]["workoutSteps"][1]["numberOfIterations"] = 5
    with pytest.raises(AssertionError, match="step 2"):
        compare_blocks(fit_tree(write_fit_workout(workout)), raw["workoutSegments"][0]["workoutSteps"], "step ")
