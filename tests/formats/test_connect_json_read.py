"""The Connect reader on documents Garmin's own editors write that watchsync's writer never sends:
swim targets in the secondary slot, swim instructions, send-offs, drills, weights in a unit, end
conditions and sports it has no own value for. Shapes from public captures of Garmin's answers
(sources beside each test); whatever the model cannot hold is kept in the step's notes and said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from watchsync.formats.connect_json import workout_to_connect
from watchsync.formats.connect_json_read import ConnectFormatError, workouts_from_connect
from watchsync.formats.fit_workout_read import CONDITIONAL_REPEAT_MAX_COUNT
from watchsync.formats.text import parse_text
from watchsync.model.workout import (
    DistanceDuration,
    Exercise,
    HeartRateTarget,
    HeartRateZoneTarget,
    LapButton,
    OpenTarget,
    PowerTarget,
    Repeat,
    RepeatUntil,
    SpeedTarget,
    Sport,
    Step,
    TimeDuration,
)


def _document(*steps: dict[str, Any], sport: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"workoutName": "w", "sportType": sport or {"sportTypeId": 4, "sportTypeKey": "swimming"},
            "workoutSegments": [{"segmentOrder": 1, "workoutSteps": list(steps)}]}


def _step(order: int = 1, **fields: Any) -> dict[str, Any]:
    step = {"type": "ExecutableStepDTO", "stepOrder": order, "stepType": {"stepTypeId": 3},
            "endCondition": {"conditionTypeId": 3}, "endConditionValue": 100.0}
    return step | fields


def _read(document: dict[str, Any]) -> tuple[list[Step], list[str]]:
    notes: list[str] = []
    [workout] = workouts_from_connect(document, notes)
    return [step for step in workout.flat_steps()], notes


# Taxuspt/garmin_mcp issue #89: the swim editor's pace target sits in the secondary slot, no primary.
def test_a_swim_pace_in_the_secondary_slot_is_the_steps_target() -> None:
    [step], _ = _read(_document(_step(targetType=None, secondaryTargetType={"workoutTargetTypeId": 6},
                                      secondaryTargetValueOne=0.45, secondaryTargetValueTwo=0.6917)))
    assert step.target == SpeedTarget(low=0.45, high=0.6917) and step.secondary is None


def test_a_single_pace_with_value_two_zero_is_that_pace() -> None:
    [step], _ = _read(_document(_step(targetType={"workoutTargetTypeId": 1},
                                      secondaryTargetType={"workoutTargetTypeId": 6},
                                      secondaryTargetValueOne=1.1111, secondaryTargetValueTwo=0.0)))
    assert step.target == SpeedTarget(low=1.1111, high=1.1111)


def test_a_swim_instruction_is_an_effort_in_the_notes() -> None:
    [step], notes = _read(_document(_step(targetType={"workoutTargetTypeId": 1},
                                          secondaryTargetType={"workoutTargetTypeId": 18},
                                          secondaryTargetValueOne=3.0)))
    assert step.notes == "effort: easy" and notes == ["step 1: effort: easy"]


def test_a_send_off_is_read_as_its_time_and_said_to_be_a_send_off() -> None:
    [step], notes = _read(_document(_step(stepType={"stepTypeId": 5}, endCondition={"conditionTypeId": 9},
                                          endConditionValue=105.0)))
    assert step.duration == TimeDuration(seconds=105)
    assert notes == ["step 1: send-off every 1:45 (imported as a 1:45 rest)"] and "send-off" in (step.notes or "")


def test_a_drill_and_an_im_by_round_stroke_are_kept() -> None:
    steps, notes = _read(_document(_step(1, strokeType={"strokeTypeId": 9}),
                                   _step(2, strokeType={"strokeTypeId": 6}, drillType={"drillTypeId": 1})))
    assert [step.stroke for step in steps] == ["im", "free"]
    assert notes == ["step 1: stroke individual medley by round (imported as im)", "step 2: kick drill"]


def test_an_end_condition_the_model_lacks_keeps_its_note_on_the_step() -> None:
    [power], _ = _read(_document(_step(endCondition={"conditionTypeId": 5}, endConditionValue=200.0,
                                       endConditionCompare="lt")))
    [tss], notes = _read(_document(_step(endCondition={"conditionTypeId": 11,
                                                       "conditionTypeKey": "training.peaks.tss"},
                                         endConditionValue=50.0)))
    assert power.duration == LapButton() and power.notes == "until power 200 (imported as lap button)"
    assert tss.duration == LapButton() and notes == [
        "step 1: until end condition 11 (training.peaks.tss) 50 (imported as lap button)"]


# garmin_mcp PR #291: Garmin keeps the zone of a heart-rate end and drops its value.
def test_a_heart_rate_end_given_as_a_zone_is_a_lap_button_with_the_zone_in_the_notes() -> None:
    [step], _ = _read(_document(_step(endCondition={"conditionTypeId": 6}, endConditionValue=None,
                                      endConditionZone=2), sport={"sportTypeId": 1}))
    assert step.duration == LapButton() and step.notes == "until heart rate zone 2 (imported as lap button)"


@pytest.mark.parametrize(("value", "unit", "kg", "shown"), [
    (60000.0, {"unitId": 8, "unitKey": "kilogram", "factor": 1000.0}, 60.0, None),  # grams, as garminconnect writes
    (24.0, {"unitId": 8, "unitKey": "kilogram", "factor": 1000.0}, 24.0, None),  # kilograms, as Garmin's editor
    (135.0, {"unitId": 9, "unitKey": "pound", "factor": 453.59237}, 61.235, "lb"),  # pounds, shown in pounds
    (135.0, {"unitKey": "pound"}, 61.235, "lb"),
    (1000.0, {"unitId": 9, "unitKey": "pound", "factor": 453.59237}, 453.592, "lb"),  # pounds are never grams
    (20.0, None, 20.0, None),
    (0.0, None, 0.0, None),
])
def test_a_weight_is_in_its_unit_except_kilograms_from_1000_which_are_grams(
        value: float, unit: Any, kg: float, shown: str | None) -> None:
    strength = _step(endCondition={"conditionTypeId": 10}, endConditionValue=10.0, category="SQUAT",
                     exerciseName="GOBLET_SQUAT", weightValue=value, weightUnit=unit)
    [step], _ = _read(_document(strength, sport={"sportTypeId": 5}))
    assert step.weight_kg == pytest.approx(kg, abs=1e-3)
    assert step.weight_unit == shown
    if shown == "lb":  # the pounds come back whole, and the notes say nothing of a conversion
        assert step.weight_shown() == (value, "lb") and "pound" not in (step.notes or "")


def test_a_weight_heavier_than_a_step_holds_stays_as_text_and_the_document_is_read() -> None:
    heavy = _step(endCondition={"conditionTypeId": 10}, endConditionValue=5.0, category="SQUAT",
                  exerciseName="GOBLET_SQUAT", weightValue=1200.0, weightUnit={"unitKey": "pound"})
    [step], notes = _read(_document(heavy, sport={"sportTypeId": 5}))
    assert step.weight_kg is None and step.exercise is not None
    assert "weight 544.311 kg is more than 500 kg (kept as text)" in (step.notes or "")
    assert any("more than 500 kg" in note for note in notes)


def test_a_kilogram_weight_that_may_be_garminconnects_grams_is_kept_and_said() -> None:
    """garminconnect's builder writes 0.5 kg as 500.0 with the kilogram unit; Garmin's editor would
    hold 500 kg as 500.0: kept as kilograms, said in a message (not in the step's notes)."""
    def read(value: float) -> tuple[Step, list[str]]:
        strength = _step(endCondition={"conditionTypeId": 10}, endConditionValue=12.0, category="CURL",
                         exerciseName="DUMBBELL_BICEPS_CURL", weightValue=value,
                         weightUnit={"unitId": 8, "unitKey": "kilogram", "factor": 1000.0})
        [step], notes = _read(_document(strength, sport={"sportTypeId": 5}))
        return step, notes

    step, notes = read(250.0)
    assert step.weight_kg == 250.0 and "check" not in (step.notes or "")
    assert any("weight 250 kg read as kilograms" in note and "it is 0.25 kg" in note for note in notes)
    # probe connect10: 500.0 (0.5 kg, the commonest light dumbbell) passed the 500 kg ceiling that 750.0 did not
    step, notes = read(500.0)
    assert step.weight_kg is None and step.exercise is not None
    assert "weight 500 kg, or 0.5 kg from a tool that writes grams (kept as text)" in (step.notes or "")
    step, notes = read(40.0)
    assert step.weight_kg == 40.0 and not any("weight" in note for note in notes)


def test_an_exercise_the_catalogue_lacks_is_its_categorys_generic_one_or_left_out() -> None:
    newer = _step(endCondition={"conditionTypeId": 2}, endConditionValue=60.0, category="WARM_UP",
                  exerciseName="CAT_COW")  # Connect's list runs ahead of the FIT profile's
    unknown = _step(endCondition={"conditionTypeId": 2}, endConditionValue=60.0, category="FLYING_YOGA",
                    exerciseName="ANY")
    (warm, other), notes = _read(_document(newer, unknown, sport={"sportTypeId": 5}))
    assert warm.exercise == Exercise(category="WARM_UP", name="WARM_UP")
    assert "WARM_UP/CAT_COW is not in Garmin's FIT catalogue (imported as any WARM_UP)" in (warm.notes or "")
    assert other.exercise is None and "FLYING_YOGA/ANY" in (other.notes or "")
    assert len(notes) == 2


def test_a_free_text_exercise_without_a_category_is_found_in_the_catalogue_or_kept_as_text() -> None:
    """probe connect10: garmin_mcp's builder sent only ``exerciseName`` ("Goblet Squat", issue #196), which
    Garmin accepts; the importer dropped it without a word."""
    known = _step(endCondition={"conditionTypeId": 10}, endConditionValue=12.0, exerciseName="Goblet Squat",
                  weightValue=16.0, weightUnit={"unitKey": "kilogram", "factor": 1000.0})
    unknown = _step(2, endCondition={"conditionTypeId": 10}, endConditionValue=8.0, exerciseName="Moonwalk lunge",
                    weightValue=10.0, weightUnit={"unitKey": "kilogram", "factor": 1000.0})
    (goblet, moon), notes = _read(_document(known, unknown, sport={"sportTypeId": 5}))
    assert goblet.exercise == Exercise(category="SQUAT", name="GOBLET_SQUAT") and goblet.weight_kg == 16.0
    assert "exercise 'Goblet Squat' without a category read as SQUAT/GOBLET_SQUAT" in " ".join(notes)
    assert moon.exercise is None and moon.weight_kg is None
    assert "exercise 'Moonwalk lunge' 10 kg without a category (kept as text)" in (moon.notes or "")


def test_an_unknown_sport_is_other_and_a_schedule_answer_is_unwrapped() -> None:
    walk = _document(_step(endCondition={"conditionTypeId": 2}, endConditionValue=1800.0),
                     sport={"sportTypeId": 12, "sportTypeKey": "walking"})
    notes: list[str] = []
    [workout] = workouts_from_connect({"workoutScheduleId": 1, "calendarDate": "2030-01-01", "workout": walk}, notes)
    assert workout.sport is Sport.OTHER and notes == ["workout: sport id 12 (walking) imported as other"]


# garminconnect-js's transcription of Garmin's workout type list: 10-12 power averaged over 3/10/30 s,
# 13 lap speed, 14 swim stroke, 19 instruction; ids beyond the list are read as open targets, said
@pytest.mark.parametrize(("target", "expected", "note"), [
    ({"workoutTargetTypeId": 10, "workoutTargetTypeKey": "power.3s"}, PowerTarget(low=200, high=240),
     "target averaged over 3 s"),
    ({"workoutTargetTypeId": 9}, PowerTarget(low=200, high=240), "target averaged over the lap"),
    ({"workoutTargetTypeId": 19, "workoutTargetTypeKey": "instruction"}, OpenTarget(),
     "target instruction 200-240 (imported as open)"),
    ({"workoutTargetTypeId": 23, "workoutTargetTypeKey": "velocity.zone"}, OpenTarget(),
     "target 23 (velocity.zone) 200-240 (imported as open)"),
])
def test_targets_garmin_has_and_the_model_lacks_are_read_with_a_note(target: dict[str, Any], expected: object,
                                                                     note: str) -> None:
    [step], notes = _read(_document(_step(targetType=target, targetValueOne=200.0, targetValueTwo=240.0),
                                     sport={"sportTypeId": 2}))
    assert step.target == expected and notes == [f"step 1: {note}"]


def test_numbers_sent_as_strings_by_connects_editor() -> None:  # garmin_mcp #71: "targetValueTwo": "142"
    [step], _ = _read(_document(_step(endCondition={"conditionTypeId": 2}, endConditionValue="1200",
                                      targetType={"workoutTargetTypeId": 4}, targetValueOne=120,
                                      targetValueTwo="142"), sport={"sportTypeId": 1}))
    assert (step.duration, step.target) == (TimeDuration(seconds=1200), HeartRateTarget(low=120, high=142))


# probe-connect4: clients that build steps by hand (a Runna-to-Garmin tool, parser tests) leave out "type"
def test_steps_without_type_are_read_by_their_content() -> None:
    untyped = {key: value for key, value in _step(1).items() if key != "type"}
    inner = {key: value for key, value in _step(3, endCondition={"conditionTypeId": 2}, endConditionValue=30.0).items()
             if key != "type"}
    repeat = {"stepOrder": 2, "numberOfIterations": 4, "workoutSteps": [inner]}
    notes: list[str] = []
    [workout] = workouts_from_connect(_document(untyped, repeat), notes)
    first, block = workout.steps
    assert isinstance(first, Step) and first.duration == DistanceDuration(meters=100.0)
    assert isinstance(block, Repeat) and block.count == 4 and block.steps[0].duration == TimeDuration(seconds=30)
    assert notes == ['steps without "type" read by their content (a repeat group is one with workoutSteps)']


def test_a_workout_whose_sport_only_its_segment_names_takes_the_segments() -> None:
    document = _document(_step(endCondition={"conditionTypeId": 2}, endConditionValue=600.0))
    del document["sportType"]
    document["sport"] = {"sportId": 1, "sportName": "running"}  # a client's own key; Garmin reads sportType
    document["workoutSegments"][0]["sportType"] = {"sportTypeId": 1, "sportTypeKey": "running"}
    [workout] = workouts_from_connect(document)
    assert workout.sport is Sport.RUNNING


def test_a_key_that_disagrees_with_its_id_is_read_by_the_id_and_said() -> None:
    step = _step(endCondition={"conditionTypeId": 1, "conditionTypeKey": "time"}, endConditionValue=90.0)
    steps, notes = _read(_document(step))
    assert steps[0].duration == LapButton()
    assert notes == ["step 1: endCondition key 'time' does not match id 1 (lap.button): read by the id, as Garmin does"]


def test_an_entry_of_the_workout_list_is_refused_with_what_to_fetch_instead() -> None:
    entry = {"workoutId": 1354016242, "workoutName": "Radfahrtraining", "sportType": {"sportTypeId": 2},
             "estimatedDurationInSecs": 1920, "updateDate": "2025-10-12T18:05:37.0"}
    with pytest.raises(ConnectFormatError, match=r"an entry of Garmin's workout list, which has no steps; "
                                                 r"fetch the workout itself \(GET /workout-service/workout/\{id\}\)"):
        workouts_from_connect(entry)


def _repeat(condition: dict[str, Any], value: float, count: int = 3) -> dict[str, Any]:
    return {"type": "RepeatGroupDTO", "stepOrder": 1, "stepType": {"stepTypeId": 6}, "numberOfIterations": count,
            "endCondition": condition, "endConditionValue": value, "workoutSteps": [_step(2)]}


@pytest.mark.parametrize(("condition", "value", "said"), [
    ({"conditionTypeId": 5, "conditionTypeKey": "power"}, 200.0, "ending on power 200 imported as 3 times"),
    ({"conditionTypeId": 1, "conditionTypeKey": "lap.button"}, 3.0, "ending on lap.button imported as 3 times"),
])
def test_a_repeat_group_that_ends_on_another_condition_is_counted_and_said(condition: dict[str, Any], value: float,
                                                                            said: str) -> None:
    notes: list[str] = []
    [workout] = workouts_from_connect(_document(_repeat(condition, value)), notes)
    assert isinstance(workout.steps[0], Repeat) and workout.steps[0].count == 3
    assert any(said in note for note in notes), notes


def test_a_repeat_group_of_iterations_says_nothing() -> None:
    notes: list[str] = []
    workouts_from_connect(_document(_repeat({"conditionTypeId": 7, "conditionTypeKey": "iterations"}, 3.0)), notes)
    assert notes == []


def test_iterations_on_a_step_is_refused_as_garmin_refuses_it() -> None:
    with pytest.raises(ConnectFormatError, match="step 1: end condition 'iterations' on a step"):
        _read(_document(_step(endCondition={"conditionTypeId": 7, "conditionTypeKey": "lap.button"})))


@pytest.mark.parametrize(("garmin", "ours", "pushed"), [(("hiit", 9), "cardio", "cardio_training"),
                                                        (("pilates", 8), "mobility", "mobility")])
def test_a_garmin_sport_watchsync_lacks_is_read_as_its_nearest_and_said(garmin: tuple[str, int], ours: str,
                                                                       pushed: str) -> None:
    timed = _step(endCondition={"conditionTypeId": 2}, endConditionValue=60.0)
    notes: list[str] = []
    [workout] = workouts_from_connect(_document(timed, sport={"sportTypeId": garmin[1], "sportTypeKey": garmin[0]}),
                                      notes)
    assert workout.sport.value == ours
    assert f"workout: Garmin sport {garmin[0]} is read as {ours} (watchsync has no {garmin[0]}; a push sends it as "\
           f"{pushed})" in notes


# A TypeScript client's payload for Garmin's HIIT editor "Repeat Until Time Is" (probe connect8, finding 1):
# "stores endCondition: time, the seconds in endConditionValue, and numberOfIterations: null. Confirmed
# live"; its smoke script checks the stored copy for exactly that. Its inner step given an interval type.
def _hiit_until(seconds: float) -> dict[str, Any]:
    push_up = {"type": "ExecutableStepDTO", "stepOrder": 2, "category": "PUSH_UP", "exerciseName": "WEIGHTED_PUSH_UP",
               "endCondition": {"conditionTypeId": 10, "conditionTypeKey": "reps", "displayOrder": 10},
               "endConditionValue": 10, "weightValue": 9.0718474,
               "weightUnit": {"unitId": 8, "unitKey": "kilogram", "factor": 1000},
               "stepType": {"stepTypeId": 3, "stepTypeKey": "interval", "displayOrder": 3}}
    hiit = {"sportTypeId": 9, "sportTypeKey": "hiit", "displayOrder": 7}
    group = {"type": "RepeatGroupDTO", "stepOrder": 1,
             "stepType": {"stepTypeId": 6, "stepTypeKey": "repeat", "displayOrder": 6}, "numberOfIterations": None,
             "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time", "displayOrder": 2},
             "endConditionValue": seconds, "workoutSteps": [push_up]}
    return {"workoutName": "AMRAP", "sportType": hiit, "estimatedDurationInSecs": 900,
            "workoutSegments": [{"segmentOrder": 1, "sportType": dict(hiit), "workoutSteps": [group]}]}


@pytest.mark.parametrize(("seconds", "rounds"), [(120, 4), (600, 20)])
def test_a_repeat_until_time_is_a_conditional_repeat_of_the_rounds_its_time_holds(seconds: int, rounds: int) -> None:
    notes: list[str] = []
    [workout] = workouts_from_connect(_hiit_until(seconds), notes)
    [repeat] = workout.steps
    assert isinstance(repeat, Repeat)
    assert repeat.until == RepeatUntil(kind="time", value=seconds, unit="s")
    assert repeat.count == rounds  # the rounds of 10 reps (3 s each, as estimates count reps) its time holds
    assert f"step 1: a repeat group until {seconds} s imported as a conditional repeat (estimates count {rounds} " \
           "rounds)" in notes
    assert not any(f"{seconds} times" in note for note in notes)


def test_a_tabata_until_ten_minutes_is_planned_as_ten_minutes_not_ten_rounds() -> None:
    """probe connect10: garminconnect's tabata (20 s work, 10 s rest) turned into "Repeat Until Time Is"
    600 s was estimated as 10 rounds of 30 s, and pushed with estimatedDurationInSecs 600 for a 15-minute
    workout; a round's length is known, so the rounds that fill the time are 20."""
    def timed(order: int, seconds: float, step_type: int) -> dict[str, Any]:
        return _step(order, endCondition={"conditionTypeId": 2, "conditionTypeKey": "time"},
                     endConditionValue=seconds, stepType={"stepTypeId": step_type})
    group = {"type": "RepeatGroupDTO", "stepOrder": 2, "stepType": {"stepTypeId": 6}, "numberOfIterations": None,
             "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"}, "endConditionValue": 600.0,
             "workoutSteps": [timed(3, 20, 3), timed(4, 10, 5)]}
    [workout] = workouts_from_connect(_document(timed(1, 180, 1), group, timed(5, 120, 2)))
    repeat = workout.steps[1]
    assert isinstance(repeat, Repeat) and repeat.count == 20
    assert workout.estimated_seconds() == 900.0
    assert workout_to_connect(workout)["estimatedDurationInSecs"] == 900
    press_lap = _step(4, endCondition={"conditionTypeId": 1}, endConditionValue=None)
    lap_rest = group | {"workoutSteps": [timed(3, 20, 3), press_lap]}
    [open_ended] = workouts_from_connect(_document(lap_rest))
    assert isinstance(open_ended.steps[0], Repeat)
    assert open_ended.steps[0].count == CONDITIONAL_REPEAT_MAX_COUNT  # a round of unknown length: the old guess


def test_a_repeat_until_time_is_pushed_back_as_garmin_stores_it_and_reads_back_the_same() -> None:
    [workout] = workouts_from_connect(_hiit_until(600))
    sent = workout_to_connect(workout)
    [group] = sent["workoutSegments"][0]["workoutSteps"]
    assert group["numberOfIterations"] is None
    assert (group["endCondition"]["conditionTypeId"], group["endConditionValue"]) == (2, 600.0)
    assert "description" not in group  # the condition is the group's own, not words
    [back] = workouts_from_connect(sent)
    assert back.steps == workout.steps


def test_a_repeat_until_a_distance_is_read_and_said_to_go_to_garmin_as_rounds() -> None:
    notes: list[str] = []
    group = _repeat({"conditionTypeId": 3, "conditionTypeKey": "distance"}, 2000.0) | {"numberOfIterations": None}
    [workout] = workouts_from_connect(_document(group), notes)
    repeat = workout.steps[0]
    assert isinstance(repeat, Repeat) and repeat.until == RepeatUntil(kind="distance", value=2000, unit="m")
    assert notes == ["step 1: a repeat group until 2000 m imported as a conditional repeat (estimates count 20 "
                     "rounds); a push to Garmin Connect sends 20 rounds"]  # of its 100-m step
    [group_sent] = workout_to_connect(workout)["workoutSegments"][0]["workoutSteps"]
    assert (group_sent["numberOfIterations"], group_sent["endCondition"]["conditionTypeKey"]) == (20, "iterations")


def test_the_end_value_is_a_count_only_for_a_group_ending_on_its_iterations() -> None:
    counted = _repeat({"conditionTypeId": 7, "conditionTypeKey": "iterations"}, 4.0) | {"numberOfIterations": None}
    [workout] = workouts_from_connect(_document(counted))
    assert isinstance(workout.steps[0], Repeat) and workout.steps[0].count == 4
    lap = _repeat({"conditionTypeId": 1, "conditionTypeKey": "lap.button"}, 4.0) | {"numberOfIterations": None}
    with pytest.raises(ConnectFormatError, match=r"step 1: a repeat group ending on lap\.button without "
                                                 r"numberOfIterations"):
        workouts_from_connect(_document(lap))


# Lap-button steps keep a number at Garmin (probe connect8, finding 2): paufregi's cycling GET answer has
# warmup and cooldown "lap.button" with 1200.0; eiriklid's swim answer rests "lap.button" with 200.0.
def _lap(order: int = 1, value: float = 1200.0, step_type: int = 1, **fields: Any) -> dict[str, Any]:
    return _step(order, stepType={"stepTypeId": step_type}, endCondition={"conditionTypeId": 1, "conditionTypeKey":
                                                                          "lap.button"},
                 endConditionValue=value, preferredEndConditionUnit=None, **fields)


def test_a_lap_button_number_is_the_steps_planned_time() -> None:
    steps, notes = _read(_document(_lap(1), _lap(2, 0.0, 2), sport={"sportTypeId": 2, "sportTypeKey": "cycling"}))
    assert [(step.duration, step.planned) for step in steps] == [(LapButton(), TimeDuration(seconds=1200)),
                                                                 (LapButton(), None)]
    assert notes == [] and steps[0].notes is None


def test_planned_lengths_of_press_lap_steps_round_trip_through_connect_json() -> None:
    # watchsync writes "- 20m press lap" as lap.button 1200.0 (probe connect8 lapval.txt), a distance with its unit
    sent = workout_to_connect(parse_text("name: l\nsport: cycling\n- 20m press lap\n- 1m 300-350W\n- 2km press lap\n"))
    warmup, _, ride = sent["workoutSegments"][0]["workoutSteps"]
    assert (warmup["endConditionValue"], warmup.get("preferredEndConditionUnit")) == (1200.0, None)
    assert (ride["endConditionValue"], ride["preferredEndConditionUnit"]["unitKey"]) == (2000.0, "meter")
    [back] = workouts_from_connect(sent)
    assert [step.planned for step in back.flat_steps()] == [TimeDuration(seconds=1200), None,
                                                            DistanceDuration(meters=2000)]


def test_a_swim_rests_lap_button_number_without_a_unit_is_said_on_import_not_shown_on_the_watch() -> None:
    # the remark was the step's text, pushed as its description and written as the FIT step's notes (probe connect14)
    steps, notes = _read(_document(_lap(1, 200.0, 5), _lap(2, 400.0, 1)))
    rest, warmup = steps
    assert rest.planned is None and rest.notes is None
    assert notes == ["step 1: press lap, planned 200 (seconds or metres: Garmin does not say)"]
    assert warmup.planned == TimeDuration(seconds=400)  # not a rest: seconds, as watchsync writes it


@pytest.mark.parametrize(("key", "planned"), [("distance", DistanceDuration(meters=400)),
                                              ("time", TimeDuration(seconds=400))])
def test_the_lap_id_with_the_key_of_a_unit_plans_the_number_in_that_unit(key: str, planned: Any) -> None:
    # two builders send {"conditionTypeId": 1, "conditionTypeKey": "distance"} for 400 m reps (probe connect14): the
    # watch runs a lap button (Garmin trusts ids), planned 400 m, not 6m40s; a swim recovery's number too
    rep = _step(1, stepType={"stepTypeId": 3}, endCondition={"conditionTypeId": 1, "conditionTypeKey": key},
                endConditionValue=400.0)
    swim_rest = _step(2, stepType={"stepTypeId": 5}, endCondition={"conditionTypeId": 1, "conditionTypeKey": key},
                      endConditionValue=400.0)
    steps, notes = _read(_document(rep, swim_rest))
    assert [(step.duration, step.planned) for step in steps] == [(LapButton(), planned)] * 2
    assert notes == [f"step {n}: endCondition key {key!r} does not match id 1 (lap.button): read by the id, as "
                     "Garmin does" for n in (1, 2)]


def test_a_lap_button_number_a_step_cannot_hold_is_kept_in_the_notes() -> None:
    [step], notes = _read(_document(_lap(1, 100_000.0), sport={"sportTypeId": 1, "sportTypeKey": "running"}))
    assert step.planned is None and notes == ["step 1: press lap, planned 100000 (not read as a length)"]


@pytest.mark.parametrize("zone", [3, 3.0, "3"])
def test_a_zone_number_sent_as_text_or_a_float_is_the_zone(zone: Any) -> None:
    """A builder's ``str(zone_number)`` was refused: "a heart.rate.zone target needs values or a zone number"
    (probe connect9 #1)."""
    hr = _step(targetType={"workoutTargetTypeId": 4, "workoutTargetTypeKey": "heart.rate.zone"}, zoneNumber=zone)
    [step], _ = _read(_document(hr, sport={"sportTypeId": 1}))
    assert step.target == HeartRateZoneTarget(zone=3)


def test_a_weight_sent_as_text_is_the_weight() -> None:
    """``"weightValue": "60"`` was dropped without a note (probe connect9 #2)."""
    strength = _step(endCondition={"conditionTypeId": 10}, endConditionValue=10.0, category="SQUAT",
                     exerciseName="GOBLET_SQUAT", weightValue="60",
                     weightUnit={"unitId": 8, "unitKey": "kilogram", "factor": 1000.0})
    [step], _ = _read(_document(strength, sport={"sportTypeId": 5}))
    assert step.weight_kg == 60.0


def test_a_weight_from_float_arithmetic_is_written_to_the_gram() -> None:
    # a Connect answer's 122.49999999999999 kg was written into the text as such (probe connect11)
    strength = _step(endCondition={"conditionTypeId": 10}, endConditionValue=10.0, category="SQUAT",
                     exerciseName="GOBLET_SQUAT", weightValue=122.49999999999999,
                     weightUnit={"unitId": 8, "unitKey": "kilogram", "factor": 1000.0})
    [step], _ = _read(_document(strength, sport={"sportTypeId": 5}))
    assert step.weight_kg == pytest.approx(122.5)
    from watchsync.formats.text import format_text
    from watchsync.model.workout import Sport, Workout

    text = format_text(Workout(name="w", sport=Sport.STRENGTH, steps=[step]))
    assert "122.5kg" in text and "122.49" not in text


@pytest.mark.parametrize(("category", "name"), [("POSE", "WARRIOR_ONE"), ("MOVE", "SAW"), ("CORE", "THE_HUNDRED")])
def test_a_yoga_or_pilates_exercise_of_the_fit_profile_is_kept(category: str, name: str) -> None:
    # they were "not in Garmin's FIT catalogue (left out)", which the FIT profile contradicts (probe connect12)
    pose = _step(endCondition={"conditionTypeId": 2}, endConditionValue=60.0, category=category, exerciseName=name)
    [step], notes = _read(_document(pose, sport={"sportTypeId": 7}))
    assert step.exercise == Exercise(category=category, name=name) and notes == []


def test_a_target_out_of_range_names_its_type_and_a_key_its_id_overrules() -> None:
    # a tool's cadence.zone key on pace id 6, 170-180: "step 2: low: Input should be less than or equal to 40"
    # named neither the pace target nor the clash (probe connect13)
    run = {"sportTypeId": 1, "sportTypeKey": "running"}
    clash = _step(targetType={"workoutTargetTypeId": 6, "workoutTargetTypeKey": "cadence.zone"},
                  targetValueOne=170.0, targetValueTwo=180.0)
    with pytest.raises(ConnectFormatError, match=r"step 1: low: .* \(the pace\.zone target, targetType id 6, of "
                       r"170-180; its key says 'cadence\.zone', Garmin goes by the id\)"):
        _read(_document(clash, sport=run))


def test_a_stroke_or_equipment_key_that_disagrees_with_its_id_is_said() -> None:
    # a Connect-CN pusher sends {"strokeTypeId": 5, "strokeTypeKey": "drill"}: id 5 is fly, the watch says
    # butterfly (probe connect14); read by the id as Garmin does, and said as a target's clash is
    drill = _step(stepType={"stepTypeId": 3}, strokeType={"strokeTypeId": 5, "strokeTypeKey": "drill"},
                  equipmentType={"equipmentTypeId": 2, "equipmentTypeKey": "pull_buoy"})
    [step], notes = _read(_document(drill))
    assert step.stroke == "fly"
    assert notes == ["step 1: strokeType key 'drill' does not match id 5 (fly): read by the id, as Garmin does",
                     f"step 1: equipmentType key 'pull_buoy' does not match id 2 ({step.equipment}): read by the id, "
                     "as Garmin does"]


@pytest.mark.parametrize("key", [(5, "speed.zone"), (6, "pace.zone")])
def test_a_speed_zone_of_a_ride_imports_open_in_its_notes_so_the_ride_resolves(key: tuple[int, str],
                                                                              tmp_path: Path) -> None:
    """A ride's zone target was read as a pace zone that resolve then refused (probe fitwkt7 #2, as FIT's)."""
    from watchsync.formats.load import load_workout
    from watchsync.model.athlete import Athlete
    from watchsync.resolve import resolve

    ride = _step(targetType={"workoutTargetTypeId": key[0], "workoutTargetTypeKey": key[1]}, zoneNumber=2,
                 description="Tempo")
    path = tmp_path / "ride.json"
    path.write_text(json.dumps(_document(ride, sport={"sportTypeId": 2, "sportTypeKey": "cycling"})))
    said: list[str] = []
    workout = load_workout(path, messages=said)
    [step] = resolve(workout, Athlete(name="a", max_hr=190, lthr=170)).flat_steps()
    assert step.target == OpenTarget() and "speed zone 2" in (step.notes or "")
    assert any("of a cycling workout: target the device's speed zone 2 (imported as open" in s for s in said)
