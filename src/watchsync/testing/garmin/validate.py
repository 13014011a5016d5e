"""Check workout JSON the way Garmin Connect does, and store it the way Garmin does.

Strict where Garmin is strict (unknown ids, duplicate or out-of-order step orders, invalid strength
exercises, empty repeats → ``WorkoutRejected``), lenient where Garmin is lenient: a known id with
another type's key is stored as the type of the id, with HTTP 200.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib.resources import files
from typing import Any

from watchsync.formats.connect_ids import END_CONDITIONS, REPEAT_DTO, SPORT_TYPES, STEP_DTO, STEP_TYPES, TARGET_TYPES

RANGE_TARGETS = frozenset({"power.zone", "cadence", "heart.rate.zone", "speed.zone", "pace.zone"})
VALUED_CONDITIONS = frozenset({"time", "distance", "calories", "power", "heart.rate", "reps"})


class WorkoutRejected(ValueError):
    """Garmin would answer 400 with this message."""


@cache
def exercise_catalogue() -> frozenset[tuple[str, str]]:
    """Valid ``(category, exerciseName)`` pairs: garminconnect's catalogue, copied into our data."""
    source = files("watchsync").joinpath("data", "exercises.json").read_text(encoding="utf-8")
    rows: list[list[str]] = json.loads(source)["exercises"]
    return frozenset((category, exercise) for _display, category, exercise in rows)


@cache
def exercise_categories() -> frozenset[str]:
    return frozenset(category for category, _exercise in exercise_catalogue())


def normalized_workout(payload: Any) -> dict[str, Any]:
    """A checked copy of ``payload`` with the lenient id quirk applied; raises ``WorkoutRejected``."""
    if not isinstance(payload, dict):
        raise WorkoutRejected("workout must be a JSON object")
    workout = copy.deepcopy(payload)
    name = workout.get("workoutName")
    if not isinstance(name, str) or not name.strip():
        raise WorkoutRejected("workoutName is required")
    _check_type(workout, "sportType", "sportType", SPORT_TYPES, "workout")
    segments = workout.get("workoutSegments")
    if not isinstance(segments, list) or not segments:
        raise WorkoutRejected("workoutSegments must be a non-empty list")
    orders: list[int] = []
    for index, segment in enumerate(segments, start=1):
        where = f"segment {index}"
        if not isinstance(segment, dict):
            raise WorkoutRejected(f"{where} must be an object")
        _check_type(segment, "sportType", "sportType", SPORT_TYPES, where)
        _check_steps(segment.get("workoutSteps"), where, orders, workout["sportType"]["sportTypeKey"])
    return workout


def _check_steps(steps: Any, where: str, orders: list[int], sport: str) -> None:
    if not isinstance(steps, list) or not steps:
        raise WorkoutRejected(f"{where}: workoutSteps must be a non-empty list")
    for step in steps:
        if not isinstance(step, dict):
            raise WorkoutRejected(f"{where}: every step must be an object")
        order = step.get("stepOrder")
        if not isinstance(order, int) or isinstance(order, bool) or order < 1:
            raise WorkoutRejected(f"{where}: stepOrder must be a positive integer, got {order!r}")
        if order in orders:
            raise WorkoutRejected(f"duplicate stepOrder {order}")
        if orders and order < orders[-1]:
            raise WorkoutRejected(f"stepOrder {order} is out of depth-first order (after {orders[-1]})")
        orders.append(order)
        label = f"step {order}"
        _check_type(step, "stepType", "stepType", STEP_TYPES, label)
        kind = step.get("type")
        if kind == REPEAT_DTO:
            _check_repeat(step, label, orders, sport)
        elif kind == STEP_DTO:
            _check_executable(step, label)
        else:
            raise WorkoutRejected(f"{label}: type must be {STEP_DTO} or {REPEAT_DTO}, got {kind!r}")


def _check_repeat(step: dict[str, Any], label: str, orders: list[int], sport: str) -> None:
    if step["stepType"]["stepTypeKey"] != "repeat":
        raise WorkoutRejected(f"{label}: a {REPEAT_DTO} needs stepType repeat")
    iterations = step.get("numberOfIterations")
    if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 1:
        raise WorkoutRejected(f"{label}: numberOfIterations must be an integer >= 1, got {iterations!r}")
    if step.get("endCondition") is not None:
        _check_type(step, "endCondition", "conditionType", END_CONDITIONS, label)
    _check_steps(step.get("workoutSteps"), label, orders, sport)


def _check_executable(step: dict[str, Any], label: str) -> None:
    if step["stepType"]["stepTypeKey"] == "repeat":
        raise WorkoutRejected(f"{label}: stepType repeat needs a {REPEAT_DTO}")
    _check_type(step, "endCondition", "conditionType", END_CONDITIONS, label)
    condition = step["endCondition"]["conditionTypeKey"]
    if condition in VALUED_CONDITIONS and not _positive_number(step.get("endConditionValue")):
        raise WorkoutRejected(f"{label}: endCondition {condition} needs a positive endConditionValue")
    if step.get("targetType") is not None:
        _check_type(step, "targetType", "workoutTargetType", TARGET_TYPES, label)
        _check_target_values(step, label)
    _check_exercise(step, label)


def _check_target_values(step: dict[str, Any], label: str) -> None:
    target = step["targetType"]["workoutTargetTypeKey"]
    if target not in RANGE_TARGETS or step.get("zoneNumber") is not None:
        return
    low, high = step.get("targetValueOne"), step.get("targetValueTwo")
    if not (_positive_number(low) and _positive_number(high)):
        raise WorkoutRejected(f"{label}: target {target} needs zoneNumber or targetValueOne/targetValueTwo")


def _check_exercise(step: dict[str, Any], label: str) -> None:
    category, exercise = step.get("category"), step.get("exerciseName")
    if category is None and not exercise:
        return
    if category not in exercise_categories():
        raise WorkoutRejected(f"{label}: unknown exercise category {category!r}")
    if exercise and (category, exercise) not in exercise_catalogue():
        raise WorkoutRejected(f"{label}: unknown exercise {exercise!r} in category {category}")
    weight = step.get("weightValue")
    if weight is not None and not (_positive_number(weight) or weight == 0):
        raise WorkoutRejected(f"{label}: weightValue must be a number of grams >= 0")


def _check_type(owner: dict[str, Any], field: str, prefix: str, table: dict[str, int], label: str) -> None:
    """Validate ``owner[field]`` = ``{<prefix>Id, <prefix>Key}``; a known id wins over its key."""
    value = owner.get(field)
    id_field, key_field = f"{prefix}Id", f"{prefix}Key"
    if not isinstance(value, dict):
        raise WorkoutRejected(f"{label}: {field} is required")
    type_id, key = value.get(id_field), value.get(key_field)
    if type_id not in table.values() or isinstance(type_id, bool):
        raise WorkoutRejected(f"{label}: unknown {id_field} {type_id!r}")
    if key is not None and key not in table:
        raise WorkoutRejected(f"{label}: unknown {key_field} {key!r}")
    value[key_field] = next(name for name, number in table.items() if number == type_id)


def _positive_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
