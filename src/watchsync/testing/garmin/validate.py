"""Check workout JSON the way Garmin Connect does, and store it the way Garmin does.

Each rule's source is in docs/garmin.md. Strict where Garmin is strict (unknown ids, a sport type
Garmin has no workouts for, repeat groups without an end condition or ending on neither iterations
nor time, heart-rate end conditions without ``lt``/``gt``, invalid strength exercises, empty repeats
→ ``WorkoutRejected``, HTTP 400), lenient where Garmin is lenient (a known id with another type's key
is stored as the type of the id; duplicate or restarting ``stepOrder``, renumbered as Garmin does
(``state``); ranges from 0; the target and end-condition ids Garmin itself writes), and normalising
as Garmin does: every object keeps exactly Garmin's fields (unknown ones dropped, missing ones null,
a null or missing ``targetType`` too; a repeat group keeps no ``description``), typed objects get
Garmin's ``displayOrder``, numbers are stored as floats, the name is cut at 256 UTF-16 code units
(253 and "...") and the description at 2,000.
"""

from __future__ import annotations

import copy
import math
from functools import cache
from typing import Any

from watchsync.formats import connect_ids

#: A strength step's weight when there is none, as clients checked against Garmin send it.
NO_WEIGHT = -1.0
STEP_DTO = "ExecutableStepDTO"
REPEAT_DTO = "RepeatGroupDTO"

#: Garmin's workout vocabulary (garminconnect 0.3.20 ``workout.py``: SportType, StepType,
#: ConditionType, TargetType; strokes and equipment from Garmin's own swim document).
SPORT_TYPES: dict[str, int] = {"running": 1, "cycling": 2, "other": 3, "swimming": 4, "strength_training": 5,
                               "cardio_training": 6, "yoga": 7, "pilates": 8, "hiit": 9, "multi_sport": 10,
                               "mobility": 11}
#: Sport types garminconnect knows but Garmin stores no workouts for (``upload_walking_workout`` raises).
NO_WORKOUTS: dict[int, str] = {17: "walking", 18: "hiking"}
#: ``displayOrder`` where Garmin's documents show one that is not the id (swimming is 3).
SPORT_DISPLAY_ORDER: dict[str, int] = {"swimming": 3, "multi_sport": 4, "other": 11}
#: A distance step's ``preferredEndConditionUnit`` as Garmin stores it, from the key a client sent.
END_CONDITION_UNITS: dict[str, dict[str, Any]] = {"meter": {"unitId": 1, "unitKey": "meter", "factor": 100.0},
                                                  "kilometer": {"unitId": 2, "unitKey": "kilometer",
                                                                "factor": 100000.0}}
STEP_TYPES: dict[str, int] = {"warmup": 1, "cooldown": 2, "interval": 3, "recovery": 4, "rest": 5, "repeat": 6,
                              "other": 7, "main": 8}
END_CONDITIONS: dict[str, int] = {"lap.button": 1, "time": 2, "distance": 3, "calories": 4, "power": 5,
                                  "heart.rate": 6, "iterations": 7, "fixed.rest": 8, "fixed.repetition": 9,
                                  "reps": 10}
#: Every target and stroke id of Garmin's ``GET /workout-service/workout/types`` (transcribed by
#: garminconnect-js; strokes 9 and 10 confirmed live): the reader's own tables, so the two never disagree.
TARGET_TYPES: dict[str, int] = dict(connect_ids.TARGET_TYPES)
STROKE_TYPES: dict[str | None, int] = {None: 0}
STROKE_TYPES.update(connect_ids.STROKE_TYPES)
EQUIPMENT_TYPES: dict[str | None, int] = {None: 0, "fins": 1, "kickboard": 2, "paddles": 3, "pull_buoy": 4,
                                          "snorkel": 5}
POOL_UNITS: dict[str, dict[str, Any]] = {"meter": {"unitId": 1, "unitKey": "meter", "factor": 100.0},
                                         "yard": {"unitId": 230, "unitKey": "yard", "factor": 91.44}}

ITERATIONS = "iterations"
#: Repeat groups that end on something else than their iterations: Garmin's HIIT editor's "Repeat Until
#: Time Is" (``time``, the seconds in ``endConditionValue``, ``numberOfIterations`` null; docs/garmin.md).
TIMED_REPEATS = frozenset({"time"})
VALUED_CONDITIONS = frozenset({"time", "distance", "calories", "power", "heart.rate", "reps", "fixed.rest",
                               "fixed.repetition"})
COMPARED_CONDITIONS = frozenset({"heart.rate"})
#: Targets whose value is a choice or a curve of their own, not a low/high range.
UNVALUED_TARGETS = frozenset({"swim.stroke", "swim.instruction", "instruction", "power.curve"})
SIGNED_TARGETS = frozenset({"swim.css.offset"})  # an offset from CSS: negative is faster
NAME_LIMIT = 256  # UTF-16 code units, cut silently (garmin_mcp PR #352) ...
NAME_CUT_MARK = "..."  # ... to 253 units and "..." (a Garmin GET answer: kaiord WorkoutEdgeCasesOutput.gcn)
DESCRIPTION_LIMIT = 2000  # UTF-16 code units, cut silently (issue 12; the marker goes first)

#: The fields Garmin keeps per object, in the order of its GET answers (anything else is dropped).
WORKOUT_FIELDS = ("workoutId", "ownerId", "workoutName", "description", "updatedDate", "createdDate", "sportType",
                  "subSportType", "trainingPlanId", "author", "sharedWithUsers", "estimatedDurationInSecs",
                  "estimatedDistanceInMeters", "workoutSegments", "poolLength", "poolLengthUnit", "locale",
                  "workoutProvider", "workoutSourceId", "uploadTimestamp", "atpPlanId", "consumer", "consumerName",
                  "consumerImageURL", "consumerWebsiteURL", "workoutNameI18nKey", "descriptionI18nKey",
                  "avgTrainingSpeed", "estimateType", "estimatedDistanceUnit", "workoutThumbnailUrl",
                  "isSessionTransitionEnabled", "shared")
SEGMENT_FIELDS = ("segmentOrder", "sportType", "poolLengthUnit", "poolLength", "avgTrainingSpeed",
                  "estimatedDurationInSecs", "estimatedDistanceInMeters", "estimatedDistanceUnit", "estimateType",
                  "description", "workoutSteps")
STEP_FIELDS = ("type", "stepId", "stepOrder", "stepType", "childStepId", "description", "endCondition",
               "endConditionValue", "preferredEndConditionUnit", "endConditionCompare", "targetType",
               "targetValueOne", "targetValueTwo", "targetValueUnit", "zoneNumber", "secondaryTargetType",
               "secondaryTargetValueOne", "secondaryTargetValueTwo", "secondaryTargetValueUnit",
               "secondaryZoneNumber", "endConditionZone", "strokeType", "equipmentType", "category",
               "exerciseName", "workoutProvider", "providerExerciseSourceId", "weightValue", "weightUnit")
#: Whole-number fields: a number sent as text or as a float (``"3"``, ``3.0``: a builder's ``str(zone)``) is
#: stored as the number (as ``FLOAT_FIELDS``); anything else, or one below 1, is refused.
INT_FIELDS = ("zoneNumber", "secondaryZoneNumber")
REPEAT_FIELDS = ("type", "stepId", "stepOrder", "stepType", "childStepId", "numberOfIterations", "workoutSteps",
                 "endConditionValue", "preferredEndConditionUnit", "endConditionCompare", "endCondition",
                 "skipLastRestStep", "smartRepeat")
FLOAT_FIELDS = ("endConditionValue", "targetValueOne", "targetValueTwo", "secondaryTargetValueOne",
                "secondaryTargetValueTwo", "weightValue")


class WorkoutRejected(ValueError):
    """Garmin would answer 400 with this message."""


@cache
def exercise_catalogue() -> frozenset[tuple[str, str]]:
    """Valid ``(category, exerciseName)`` pairs: garminconnect's catalogue and the FIT profile's (the
    yoga, pilates and mobility catalogues of Garmin's editor: maximecharriere/GarminExercises, probe
    connect12), as :mod:`watchsync.formats.exercises` holds them."""
    from watchsync.formats.exercises import known_pairs

    return known_pairs()


@cache
def exercise_categories() -> frozenset[str]:
    return frozenset(category for category, _exercise in exercise_catalogue())


def cut_utf16(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 code units (never inside a surrogate pair)."""
    if len(text.encode("utf-16-le")) <= 2 * limit:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def normalized_workout(payload: Any) -> dict[str, Any]:
    """The workout as Garmin stores it (server fields left to the caller); raises ``WorkoutRejected``."""
    if not isinstance(payload, dict):
        raise WorkoutRejected("workout must be a JSON object")
    name = payload.get("workoutName")
    if not isinstance(name, str) or not name.strip():
        raise WorkoutRejected("workoutName is required")
    description = payload.get("description")
    if description is not None and not isinstance(description, str):
        raise WorkoutRejected("description must be a string")
    workout = _keep(payload, WORKOUT_FIELDS)
    if cut_utf16(name, NAME_LIMIT) != name:
        name = cut_utf16(name, NAME_LIMIT - len(NAME_CUT_MARK)) + NAME_CUT_MARK
    workout["workoutName"] = name
    workout["description"] = cut_utf16(description, DESCRIPTION_LIMIT) if description else None
    workout["sportType"] = _sport(payload.get("sportType"), "workout")
    _pool(workout, payload)
    segments = payload.get("workoutSegments")
    if not isinstance(segments, list) or not segments:
        raise WorkoutRejected("workoutSegments must be a non-empty list")
    segments = _submission_orders(segments)
    stored = []
    multi_sport = workout["sportType"]["sportTypeKey"] == "multi_sport"
    for index, segment in enumerate(segments, start=1):
        where = f"segment {index}"
        if not isinstance(segment, dict):
            raise WorkoutRejected(f"{where} must be an object")
        kept = _keep(segment, SEGMENT_FIELDS)
        kept["sportType"] = _sport(segment.get("sportType"), where)
        if multi_sport and kept["sportType"]["sportTypeKey"] == "swimming":
            _pool(kept, segment)  # a multi-sport workout's swim segment keeps its pool
        else:
            kept["poolLength"] = kept["poolLengthUnit"] = None  # else Garmin keeps it on the workout only
        kept["workoutSteps"] = _steps(segment.get("workoutSteps"), where)
        stored.append(kept)
    workout["workoutSegments"] = stored
    return workout


#: Garmin's 400 for a payload where some steps have a ``stepOrder`` and others none (docs/garmin.md).
UNSET_ORDERS = ("The workout steps need to have unique step orders, or all be unset and rely on submission "
                "structure order.")


def _submission_orders(segments: list[Any]) -> list[Any]:
    """Segments whose steps all come without a ``stepOrder`` numbered in submission order, depth first, as
    Garmin's 400 says it accepts them ("or all be unset"); some set and some unset is that 400."""
    steps: list[dict[str, Any]] = []

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                steps.append(item)
                walk(item.get("workoutSteps"))
    for segment in segments:
        walk(segment.get("workoutSteps") if isinstance(segment, dict) else None)
    unset = [step for step in steps if step.get("stepOrder") is None]
    if not unset:
        return segments
    if len(unset) != len(steps):
        raise WorkoutRejected(UNSET_ORDERS)
    numbered = copy.deepcopy(segments)
    counter = iter(range(1, len(steps) + 1))

    def number(items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                item["stepOrder"] = next(counter)
                number(item.get("workoutSteps"))
    for segment in numbered:
        number(segment.get("workoutSteps") if isinstance(segment, dict) else None)
    return numbered


def _keep(source: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: source.get(field) for field in fields}


def _sport(value: Any, where: str) -> dict[str, Any]:
    type_id = value.get("sportTypeId") if isinstance(value, dict) else None
    if type_id in NO_WORKOUTS:
        raise WorkoutRejected(f"{where}: Garmin has no {NO_WORKOUTS[type_id]} workouts (sportTypeId {type_id})")
    key = _typed(value, "sportType", SPORT_TYPES, where)
    return {"sportTypeId": SPORT_TYPES[key], "sportTypeKey": key,
            "displayOrder": SPORT_DISPLAY_ORDER.get(key, SPORT_TYPES[key])}


def _pool(workout: dict[str, Any], payload: dict[str, Any]) -> None:
    length, unit = payload.get("poolLength"), payload.get("poolLengthUnit")
    if length is None or (length == 0 and _no_unit(unit)):  # Garmin's own "no pool" (its list items send it)
        workout["poolLength"] = workout["poolLengthUnit"] = None
        return
    if not _number(length) or length <= 0:
        raise WorkoutRejected(f"poolLength must be a positive number, got {length!r}")
    key = unit.get("unitKey") if isinstance(unit, dict) else None
    if key not in POOL_UNITS:
        raise WorkoutRejected(f"poolLengthUnit must be meter or yard, got {unit!r}")
    workout["poolLength"], workout["poolLengthUnit"] = float(length), dict(POOL_UNITS[key])


def _no_unit(unit: Any) -> bool:
    """No pool unit: null, or Garmin's all-null ``{"unitId": null, "unitKey": null, "factor": null}``."""
    return unit is None or (isinstance(unit, dict) and all(value is None for value in unit.values()))


def _steps(steps: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(steps, list) or not steps:
        raise WorkoutRejected(f"{where}: workoutSteps must be a non-empty list")
    stored = []
    for step in steps:
        if not isinstance(step, dict):
            raise WorkoutRejected(f"{where}: every step must be an object")
        order = step.get("stepOrder")
        if not isinstance(order, int) or isinstance(order, bool) or order < 1:
            raise WorkoutRejected(f"{where}: stepOrder must be a positive integer, got {order!r}")
        label = f"step {order}"
        kind = step.get("type")
        step_type = _typed(step.get("stepType"), "stepType", STEP_TYPES, label)
        if kind == REPEAT_DTO:
            stored.append(_repeat(step, step_type, label))
        elif kind == STEP_DTO:
            stored.append(_executable(step, step_type, label))
        else:
            raise WorkoutRejected(f"{label}: type must be {STEP_DTO} or {REPEAT_DTO}, got {kind!r}")
    return stored


def _repeat(step: dict[str, Any], step_type: str, label: str) -> dict[str, Any]:
    if step_type != "repeat":
        raise WorkoutRejected(f"{label}: a {REPEAT_DTO} needs stepType repeat")
    if step.get("endCondition") is None:
        raise WorkoutRejected(f"{label}: a repeat group needs an endCondition (iterations)")
    condition = _typed(step["endCondition"], "conditionType", END_CONDITIONS, label)
    iterations = step.get("numberOfIterations")
    if iterations is not None and condition == ITERATIONS:
        iterations = _whole_number(iterations, "numberOfIterations", label)  # "3" and 3.0 are 3
        step = {**step, "numberOfIterations": iterations}
    if condition == ITERATIONS:
        if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 1:
            raise WorkoutRejected(f"{label}: numberOfIterations must be an integer >= 1, got {iterations!r}")
        value = float(iterations)
    elif condition in TIMED_REPEATS:  # "Repeat Until Time Is": the seconds, no count
        if iterations is not None:
            raise WorkoutRejected(f"{label}: a repeat group ending on {condition} has numberOfIterations null, "
                                  f"got {iterations!r}")
        sent = step.get("endConditionValue")
        if not (isinstance(sent, int | float) and not isinstance(sent, bool) and sent > 0):
            raise WorkoutRejected(f"{label}: a repeat group ending on {condition} needs a positive "
                                  f"endConditionValue, got {sent!r}")
        value = float(sent)
    else:
        raise WorkoutRejected(f"{label}: a repeat group ends after its numberOfIterations (endCondition "
                              f"{ITERATIONS}) or on a time, got {condition}")
    kept = _keep(step, REPEAT_FIELDS)  # no description: Garmin keeps none on a repeat group
    kept["stepType"] = _type_dict("stepType", STEP_TYPES, step_type)
    kept["endCondition"] = _condition_dict(condition)
    kept["endConditionValue"] = value
    kept["smartRepeat"] = bool(step.get("smartRepeat", False))
    kept["workoutSteps"] = _steps(step.get("workoutSteps"), label)
    return kept


def _executable(step: dict[str, Any], step_type: str, label: str) -> dict[str, Any]:
    if step_type == "repeat":
        raise WorkoutRejected(f"{label}: stepType repeat needs a {REPEAT_DTO}")
    step = {**step, **{field: float(step[field]) for field in FLOAT_FIELDS if _numeric_text(step.get(field))}}
    step = {**step, **{field: _whole_number(step[field], field, label) for field in INT_FIELDS
                       if step.get(field) is not None}}
    kept = _keep(step, STEP_FIELDS)
    kept["stepType"] = _type_dict("stepType", STEP_TYPES, step_type)
    condition = _typed(step.get("endCondition"), "conditionType", END_CONDITIONS, label)
    if condition == ITERATIONS:
        raise WorkoutRejected(f"{label}: endCondition {ITERATIONS} ends only a {REPEAT_DTO}")
    kept["endCondition"] = _condition_dict(condition)
    if condition in VALUED_CONDITIONS and not (_number(step.get("endConditionValue"))
                                               and step["endConditionValue"] > 0):
        raise WorkoutRejected(f"{label}: endCondition {condition} needs a positive endConditionValue")
    if condition in COMPARED_CONDITIONS and step.get("endConditionCompare") not in ("lt", "gt"):
        raise WorkoutRejected(f"{label}: endCondition {condition} needs endConditionCompare lt or gt")
    for prefix, zone in (("", "zoneNumber"), ("secondary", "secondaryZoneNumber")):
        field = f"{prefix}TargetType" if prefix else "targetType"
        if step.get(field) is None:  # stored null, not as no.target (Garmin's answer "Core Workout 7")
            continue
        target = _typed(step.get(field), "workoutTargetType", TARGET_TYPES, label)
        kept[field] = _type_dict("workoutTargetType", TARGET_TYPES, target)
        _check_values(step, target, prefix, zone, label)
    kept["strokeType"] = _swim_dict(step.get("strokeType"), "strokeType", STROKE_TYPES, label)
    kept["equipmentType"] = _swim_dict(step.get("equipmentType"), "equipmentType", EQUIPMENT_TYPES, label)
    kept["exerciseName"] = _checked_exercise(step, label)
    unit = step.get("preferredEndConditionUnit")
    if isinstance(unit, dict) and unit.get("unitKey") in END_CONDITION_UNITS:
        kept["preferredEndConditionUnit"] = dict(END_CONDITION_UNITS[unit["unitKey"]])
    for field in FLOAT_FIELDS:
        if _number(kept.get(field)):
            kept[field] = float(kept[field])
    return kept


def _check_values(step: dict[str, Any], target: str, prefix: str, zone: str, label: str) -> None:
    one, two = (f"{prefix}TargetValueOne", f"{prefix}TargetValueTwo") if prefix else ("targetValueOne",
                                                                                      "targetValueTwo")
    if target == "no.target" or target in UNVALUED_TARGETS or step.get(zone) is not None:
        return
    low, high = step.get(one), step.get(two)
    if target in SIGNED_TARGETS:
        if not _number(low):
            raise WorkoutRejected(f"{label}: target {target} needs {one}")
        return
    exact = isinstance(low, int | float) and low > 0 and high in (0, None)  # one value: the editor's exact pace
    if not exact and not (isinstance(low, int | float) and isinstance(high, int | float) and low >= 0 and high > 0):
        raise WorkoutRejected(f"{label}: target {target} needs {zone} or {one}/{two} (from 0)")


def _checked_exercise(step: dict[str, Any], label: str) -> Any:
    """The ``exerciseName`` Garmin stores: an unknown name in a known category is dropped silently
    (the category kept), as is a name without a category (Garmin's editor then shows "Choose an
    Exercise"); an unknown category is refused. ``weightValue`` -1 is "no weight"."""
    category, exercise = step.get("category"), step.get("exerciseName")
    if category is None:
        return None
    if category not in exercise_categories():
        raise WorkoutRejected(f"{label}: unknown exercise category {category!r}")
    weight = step.get("weightValue")
    if weight is not None and not (_number(weight) and (weight >= 0 or weight == NO_WEIGHT)):
        raise WorkoutRejected(f"{label}: weightValue must be a number >= 0 (or {NO_WEIGHT:g}, no weight)")
    return exercise if not exercise or (category, exercise) in exercise_catalogue() else None


def _typed(value: Any, prefix: str, table: dict[str, int], label: str) -> str:
    """The key of ``value`` = ``{<prefix>Id, <prefix>Key}``: a known id wins over its key."""
    id_field, key_field = f"{prefix}Id", f"{prefix}Key"
    field = prefix if prefix != "conditionType" else "endCondition"
    if not isinstance(value, dict):
        raise WorkoutRejected(f"{label}: {field} is required")
    type_id, key = value.get(id_field), value.get(key_field)
    if type_id not in table.values() or isinstance(type_id, bool):
        raise WorkoutRejected(f"{label}: unknown {id_field} {type_id!r}")
    # the key is not read, even one Garmin does not know ("power.between" with id 6 is stored as
    # pace.zone, docs/garmin.md)
    del key
    return next(name for name, number in table.items() if number == type_id)


def _type_dict(prefix: str, table: dict[str, int], key: str) -> dict[str, Any]:
    return {f"{prefix}Id": table[key], f"{prefix}Key": key, "displayOrder": table[key]}


def _condition_dict(key: str) -> dict[str, Any]:
    return {"conditionTypeId": END_CONDITIONS[key], "conditionTypeKey": key, "displayOrder": END_CONDITIONS[key],
            "displayable": key != "iterations"}


def _swim_dict(value: Any, prefix: str, table: dict[str | None, int], label: str) -> dict[str, Any]:
    """A stroke or equipment type as Garmin stores it (id 0 and a null key when there is none, a null
    id included: Garmin's answer to kaiord's triathlon payload)."""
    type_id = value.get(f"{prefix}Id") if isinstance(value, dict) else None
    if type_id is None:
        type_id = 0
    if value is not None and not isinstance(value, dict):
        raise WorkoutRejected(f"{label}: {prefix} must be an object")
    if type_id not in table.values() or isinstance(type_id, bool):
        raise WorkoutRejected(f"{label}: unknown {prefix}Id {type_id!r}")
    key = next(name for name, number in table.items() if number == type_id)
    return {f"{prefix}Id": type_id, f"{prefix}Key": key, "displayOrder": type_id}


def _whole_number(value: Any, field: str, label: str) -> int:
    """``value`` as the whole number >= 1 it stands for (``3``, ``3.0``, ``"3"``), else a 400."""
    number = float(value) if _numeric_text(value) else value
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise WorkoutRejected(f"{label}: {field} must be a whole number >= 1, got {value!r}")
    return number


def _numeric_text(value: Any) -> bool:
    """A number sent as text (``"142"``): Connect's own web editor sends these, and Garmin stores the
    number (kaiord's live API findings: "accepts strings OR numbers, returns only numbers")."""
    if not isinstance(value, str):
        return False
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
