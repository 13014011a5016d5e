"""Garmin Connect workout JSON reader and the read-back comparison.

The reader trusts the numeric ids (Garmin does) and ignores the keys; :func:`check_keys` lists the
places where a key disagrees with its id, and :func:`compare_connect` reports them together with
every difference between what was sent and what Garmin stored. Steps are named by their
``stepOrder`` ("step 3: ...").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from watchsync.errors import InputError
from watchsync.formats.connect_ids import (
    END_CONDITIONS,
    REPEAT_DTO,
    SPORT_TYPES,
    STEP_DTO,
    STEP_TYPES,
    TARGET_TYPES,
    key_for,
)
from watchsync.formats.connect_json import (
    GARMIN_SPORT,
    GRAMS_PER_KG,
    MARKER_RE,
    NAME_NOTES_SEPARATOR,
    SPORT_FROM_GARMIN,
    SPORT_TOKEN_RE,
    TOKEN_LINE_RE,
)
from watchsync.model.workout import (
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Duration,
    Exercise,
    HeartRateDuration,
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
    Target,
    TimeDuration,
    Workout,
)


class ConnectFormatError(InputError):
    """Garmin workout JSON that does not describe a workout we can represent."""


INTENSITY_OF: dict[str, Intensity] = {
    "warmup": Intensity.WARMUP,
    "cooldown": Intensity.COOLDOWN,
    "interval": Intensity.ACTIVE,
    "main": Intensity.ACTIVE,
    "recovery": Intensity.RECOVERY,
    "rest": Intensity.REST,
    "other": Intensity.OTHER,
}

RPE_CUE_RE = re.compile(r"\bRPE (\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))? – ")

#: Step fields compared by value (``None`` and missing are equal); ids are compared separately.
COMPARED_STEP_FIELDS = ("type", "childStepId", "endConditionCompare", "zoneNumber", "description",
                        "category", "exerciseName", "numberOfIterations")
COMPARED_NUMBERS = ("endConditionValue", "targetValueOne", "targetValueTwo", "weightValue")
COMPARED_FLAGS = ("smartRepeat", "skipLastRestStep")
#: (field, id field, key field, table) of the typed sub-objects.
TYPED_FIELDS: tuple[tuple[str, str, str, dict[str, int]], ...] = (
    ("stepType", "stepTypeId", "stepTypeKey", STEP_TYPES),
    ("endCondition", "conditionTypeId", "conditionTypeKey", END_CONDITIONS),
    ("targetType", "workoutTargetTypeId", "workoutTargetTypeKey", TARGET_TYPES),
    ("secondaryTargetType", "workoutTargetTypeId", "workoutTargetTypeKey", TARGET_TYPES),
)
VALUE_TOLERANCE = 1e-3


# --- reading -------------------------------------------------------------------------------------


def workout_from_connect(data: dict[str, Any]) -> Workout:
    """The workout a Garmin workout JSON (``GET /workout-service/workout/{id}``) describes."""
    if not isinstance(data, dict):
        raise ConnectFormatError("workout JSON is not an object")
    name = data.get("workoutName")
    if not isinstance(name, str) or not name:
        raise ConnectFormatError("workout: workoutName is missing")
    garmin_sport = _typed_key(data, "sportType", "sportTypeId", SPORT_TYPES, "workout")
    description, sport_token = _split_description(data.get("description"))
    sport = _sport(garmin_sport, sport_token)
    steps = [_block(raw) for raw in _segment_steps(data)]
    try:
        return Workout(name=name, sport=sport, description=description, steps=steps)
    except ValidationError as error:
        raise ConnectFormatError(f"workout: {_first_error(error)}") from None


def _segment_steps(data: dict[str, Any]) -> list[Any]:
    segments = data.get("workoutSegments")
    if not isinstance(segments, list) or not segments:
        raise ConnectFormatError("workout: workoutSegments is missing or empty")
    if len(segments) > 1:
        raise ConnectFormatError(f"workout: {len(segments)} segments (multi-sport is not supported)")
    steps = segments[0].get("workoutSteps") if isinstance(segments[0], dict) else None
    if not isinstance(steps, list) or not steps:
        raise ConnectFormatError("workout: the segment has no workoutSteps")
    return steps


def _split_description(text: Any) -> tuple[str | None, str | None]:
    """(description without our token line, the ``ws-sport`` token's sport or None)."""
    if not isinstance(text, str) or not text:
        return None, None
    first, _, rest = text.partition("\n")
    if MARKER_RE.fullmatch(first):  # a sync marker first (garmin.sync_ops.marker_first): not description
        text = rest
        if not text:
            return None, None
    head, _, last = text.rpartition("\n")
    if not TOKEN_LINE_RE.match(last):
        return text, None
    token = SPORT_TOKEN_RE.search(last)
    return head or None, token.group(1) if token else None


def _sport(garmin_sport: str, token: str | None) -> Sport:
    default = SPORT_FROM_GARMIN[garmin_sport]
    if token is None:
        return default
    try:
        sport = Sport(token)
    except ValueError:
        raise ConnectFormatError(f"workout: unknown sport {token!r} in the [ws-sport:] token") from None
    return sport if GARMIN_SPORT[sport] == garmin_sport else default


def _block(raw: Any) -> Step | Repeat:
    if not isinstance(raw, dict):
        raise ConnectFormatError("workout: a step is not an object")
    where = f"step {raw.get('stepOrder', '?')}"
    try:
        if raw.get("type") == REPEAT_DTO:
            return _repeat(raw, where)
        if raw.get("type") == STEP_DTO:
            return _step(raw, where)
    except ValidationError as error:
        raise ConnectFormatError(f"{where}: {_first_error(error)}") from None
    raise ConnectFormatError(f"{where}: unknown step type {raw.get('type')!r}")


def _repeat(raw: dict[str, Any], where: str) -> Repeat:
    inner = raw.get("workoutSteps")
    if not isinstance(inner, list) or not inner:
        raise ConnectFormatError(f"{where}: repeat group without workoutSteps")
    count = raw.get("numberOfIterations")
    if not isinstance(count, int | float):
        raise ConnectFormatError(f"{where}: numberOfIterations is missing")
    return Repeat(count=int(count), steps=[_block(step) for step in inner],
                  name=raw.get("description") or None, skip_last_rest=bool(raw.get("skipLastRestStep")))


def _step(raw: dict[str, Any], where: str) -> Step:
    step_type = _typed_key(raw, "stepType", "stepTypeId", STEP_TYPES, where)
    if step_type not in INTENSITY_OF:
        raise ConnectFormatError(f"{where}: step type {step_type!r} on an executable step")
    if _nested(raw, "secondaryTargetType", "workoutTargetTypeId") not in (None, TARGET_TYPES["no.target"]):
        raise ConnectFormatError(f"{where}: secondary targets are not supported")
    name, notes = _name_and_notes(raw.get("description"))
    exercise, weight = _exercise(raw)
    return Step(intensity=INTENSITY_OF[step_type], duration=_duration(raw, where), target=_target(raw, where),
                name=name, notes=notes, rpe=_rpe(name, notes), exercise=exercise, weight_kg=weight)


def _name_and_notes(text: Any) -> tuple[str | None, str | None]:
    if not isinstance(text, str) or not text:
        return None, None
    name, separator, notes = text.partition(NAME_NOTES_SEPARATOR)
    if separator and name and notes:
        return name, notes
    return None, text


def _rpe(name: str | None, notes: str | None) -> RpeTarget | None:
    match = RPE_CUE_RE.search(notes or "") or RPE_CUE_RE.search(name or "")
    if match is None:
        return None
    low = float(match.group(1))
    return RpeTarget(low=low, high=float(match.group(2) or low))


def _exercise(raw: dict[str, Any]) -> tuple[Exercise | None, float | None]:
    category, exercise_name = raw.get("category"), raw.get("exerciseName")
    if not category:
        return None, None
    weight = raw.get("weightValue")
    return (Exercise(category=category, name=exercise_name or ""),
            weight / GRAMS_PER_KG if isinstance(weight, int | float) else None)


def _duration(raw: dict[str, Any], where: str) -> Duration:
    condition = _typed_key(raw, "endCondition", "conditionTypeId", END_CONDITIONS, where)
    if condition == "lap.button":
        return LapButton()
    value = raw.get("endConditionValue")
    if not isinstance(value, int | float):
        raise ConnectFormatError(f"{where}: endConditionValue is missing for a {condition!r} end condition")
    match condition:
        case "time":
            return TimeDuration(seconds=value)
        case "distance":
            return DistanceDuration(meters=value)
        case "reps":
            return RepsDuration(reps=round(value))
        case "calories":
            return CaloriesDuration(kcal=round(value))
        case "heart.rate":
            compare = raw.get("endConditionCompare")
            if compare not in ("lt", "gt"):
                raise ConnectFormatError(f"{where}: a heart-rate end needs endConditionCompare lt or gt")
            return HeartRateDuration(kind="hr_below" if compare == "lt" else "hr_above", bpm=round(value))
    raise ConnectFormatError(f"{where}: end condition {condition!r} is not supported")


def _target(raw: dict[str, Any], where: str) -> Target:
    if raw.get("targetType") is None:
        return OpenTarget()
    key = _typed_key(raw, "targetType", "workoutTargetTypeId", TARGET_TYPES, where)
    zone = raw.get("zoneNumber")
    if key == "no.target":
        return OpenTarget()
    if zone and key in ("heart.rate.zone", "power.zone"):
        return HeartRateZoneTarget(zone=zone) if key == "heart.rate.zone" else PowerZoneTarget(zone=zone)
    low, high = raw.get("targetValueOne"), raw.get("targetValueTwo")
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        raise ConnectFormatError(f"{where}: a {key} target needs targetValueOne/Two or a zoneNumber")
    match key:
        case "heart.rate.zone":
            return HeartRateTarget(low=low, high=high)
        case "pace.zone" | "speed.zone":
            return SpeedTarget(low=low, high=high)
        case "power.zone":
            return PowerTarget(low=low, high=high)
        case "cadence":
            return CadenceTarget(low=low, high=high)
    raise ConnectFormatError(f"{where}: target {key!r} is not supported")


def _typed_key(raw: dict[str, Any], field: str, id_field: str, table: dict[str, int], where: str) -> str:
    """The key of the numeric id ``raw[field][id_field]`` (the id decides; the key is not read)."""
    type_id = _nested(raw, field, id_field)
    if not isinstance(type_id, int):
        raise ConnectFormatError(f"{where}: {field}.{id_field} is missing")
    try:
        return key_for(table, type_id)
    except KeyError:
        raise ConnectFormatError(f"{where}: unknown {field} id {type_id}") from None


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"{location}: {first['msg']}" if location else str(first["msg"])


# --- comparing -----------------------------------------------------------------------------------


def check_keys(data: dict[str, Any]) -> list[str]:
    """Places where a type key disagrees with its numeric id (Garmin goes by the id)."""
    problems = _key_problems(data, "sportType", "sportTypeId", "sportTypeKey", SPORT_TYPES, "workout")
    for step in _walk(_steps_or_empty(data)):
        where = f"step {step.get('stepOrder', '?')}"
        for field, id_field, key_field, table in TYPED_FIELDS:
            problems += _key_problems(step, field, id_field, key_field, table, where)
    return problems


def compare_connect(sent: dict[str, Any], received: dict[str, Any]) -> list[str]:
    """Human-readable differences between the JSON sent and the JSON Garmin stored (none = same).

    Compares ids and values that carry meaning; server-added fields (workoutId, ownerId, stepId,
    dates, display orders, stroke/equipment types) and Garmin's own estimates are ignored.
    """
    differences: list[str] = []
    for field in ("workoutName", "description"):
        if (sent.get(field) or None) != (received.get(field) or None):
            differences.append(f"workout: {field} {sent.get(field)!r} sent, {received.get(field)!r} stored")
    differences += _id_differences(sent, received, "sportType", "sportTypeId", "workout")
    sent_steps, received_steps = list(_walk(_steps_or_empty(sent))), list(_walk(_steps_or_empty(received)))
    if len(sent_steps) != len(received_steps):
        differences.append(f"workout: {len(sent_steps)} steps sent, {len(received_steps)} stored")
    for ours, theirs in zip(sent_steps, received_steps, strict=False):
        differences += _step_differences(ours, theirs)
    return differences + check_keys(received)


def _step_differences(sent: dict[str, Any], received: dict[str, Any]) -> list[str]:
    where = f"step {sent.get('stepOrder', '?')}"
    if sent.get("stepOrder") != received.get("stepOrder"):
        return [f"{where}: stored as stepOrder {received.get('stepOrder')!r}"]
    differences: list[str] = []
    for field, id_field, _key_field, _table in TYPED_FIELDS:
        differences += _id_differences(sent, received, field, id_field, where)
    for field in COMPARED_STEP_FIELDS:
        if (sent.get(field) or None) != (received.get(field) or None):
            differences.append(f"{where}: {field} {sent.get(field)!r} sent, {received.get(field)!r} stored")
    for field in COMPARED_NUMBERS:
        if field == "endConditionValue" and _condition_key(sent) == "lap.button":
            continue
        ours, theirs = sent.get(field), received.get(field)
        if not _same_number(ours, theirs):
            differences.append(f"{where}: {field} {ours!r} sent, {theirs!r} stored")
    for field in COMPARED_FLAGS:
        if bool(sent.get(field)) != bool(received.get(field)):
            differences.append(f"{where}: {field} {sent.get(field)!r} sent, {received.get(field)!r} stored")
    return differences


def _id_differences(sent: dict[str, Any], received: dict[str, Any], field: str, id_field: str,
                    where: str) -> list[str]:
    ours, theirs = _nested(sent, field, id_field), _nested(received, field, id_field)
    if field == "secondaryTargetType":  # absent and "no target" mean the same
        ours, theirs = (None if v == TARGET_TYPES["no.target"] else v for v in (ours, theirs))
    if ours == theirs:
        return []
    return [f"{where}: {field} id {ours} sent, {theirs} stored"]


def _key_problems(obj: dict[str, Any], field: str, id_field: str, key_field: str, table: dict[str, int],
                  where: str) -> list[str]:
    value = obj.get(field)
    if not isinstance(value, dict) or key_field not in value or value.get(id_field) not in table.values():
        return []
    expected = key_for(table, value[id_field])
    if value[key_field] == expected:
        return []
    return [f"{where}: {field} key {value[key_field]!r} does not match id {value[id_field]} ({expected})"]


def _condition_key(step: dict[str, Any]) -> str | None:
    type_id = _nested(step, "endCondition", "conditionTypeId")
    return key_for(END_CONDITIONS, type_id) if type_id in END_CONDITIONS.values() else None


def _nested(obj: dict[str, Any], field: str, id_field: str) -> Any:
    value = obj.get(field)
    return value.get(id_field) if isinstance(value, dict) else None


def _same_number(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=VALUE_TOLERANCE)
    return ours is None and theirs is None


def _steps_or_empty(data: dict[str, Any]) -> list[Any]:
    segments = data.get("workoutSegments") or []
    steps: list[Any] = []
    for segment in segments:
        if isinstance(segment, dict):
            steps += segment.get("workoutSteps") or []
    return steps


def _walk(steps: list[Any]) -> Iterator[dict[str, Any]]:
    """Every step dict depth-first (a repeat group before its children)."""
    for step in steps:
        if isinstance(step, dict):
            yield step
            yield from _walk(step.get("workoutSteps") or [])
