"""Garmin Connect workout JSON reader and the read-back comparison.

The reader trusts the numeric ids (Garmin does) and ignores the keys; :func:`check_keys` lists the
places where a key disagrees with its id, and :func:`compare_connect` reports them together with
every difference between what was sent and what Garmin stored. Steps are named by their
``stepOrder`` ("step 3: ...").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from watchsync.errors import InputError
from watchsync.formats import exercises
from watchsync.formats.connect_ids import (
    END_CONDITIONS,
    EQUIPMENT_TYPES,
    REPEAT_DTO,
    SPORT_TYPES,
    STEP_DTO,
    STEP_TYPES,
    STROKE_TYPES,
    TARGET_TYPES,
    key_for,
)
from watchsync.formats.connect_json import (
    GARMIN_SPORT,
    GRAMS_PER_KG,
    MARKER_RE,
    NAME_NOTES_SEPARATOR,
    NATIVE_UNTIL,
    SPORT_FROM_GARMIN,
    SPORT_TOKEN_RE,
    TOKEN_LINE_RE,
)
from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.fit_workout_read import CONDITIONAL_REPEAT_MAX_COUNT, PACE_ZONE_FAMILIES
from watchsync.model.units import KG_PER_POUND
from watchsync.model.workout import (
    MAX_REPEAT_COUNT,
    MAX_WORKOUT_NAME,
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Duration,
    Equipment,
    Exercise,
    HeartRateDuration,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PaceZoneTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RepeatUntil,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    Stroke,
    Target,
    TimeDuration,
    WeightUnit,
    Workout,
    rounds_until,
    target_family,
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

MAX_STEP_NAME = 200
MAX_STEP_NOTES = 1000
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
#: A swim step's stroke and equipment: a key that disagrees with its id is said too (a pusher's ``"drill"`` on
#: id 5, fly: the watch says butterfly; probe connect14).
SWIM_TYPED_FIELDS: tuple[tuple[str, str, str, dict[str, int]], ...] = (
    ("strokeType", "strokeTypeId", "strokeTypeKey", STROKE_TYPES),
    ("equipmentType", "equipmentTypeId", "equipmentTypeKey", EQUIPMENT_TYPES),
)
VALUE_TOLERANCE = 1e-3


# --- reading -------------------------------------------------------------------------------------

#: Connect ``strokeTypeKey`` → our stroke.
STROKE_OF: dict[str, Stroke] = {"any_stroke": "any", "free": "free", "backstroke": "back",
                                "breaststroke": "breast", "fly": "fly", "individual_medley": "im",
                                "drill": "drill", "mixed": "mixed"}
#: Target types Garmin writes that the model has no target for: imported as open, said in the notes.
UNHELD_TARGETS = ("grade", "resistance", "power.curve", "swim.css.offset", "swim.instruction", "swim.stroke",
                  "instruction")
#: Targets Garmin averages (over a lap or a few seconds); read as the plain target, the averaging said.
AVERAGED_TARGETS = {"heart.rate.lap": "the lap", "power.lap": "the lap", "speed.lap": "the lap",
                    "power.3s": "3 s", "power.10s": "10 s", "power.30s": "30 s"}
#: ``swim.instruction`` values: the effort Garmin's swim editor asks for.
SWIM_INSTRUCTIONS = {1: "recovery", 2: "very easy", 3: "easy", 4: "moderate", 5: "hard", 6: "very hard",
                     7: "all out", 8: "fast", 9: "ascending", 10: "descending"}
#: Strokes the model has no own value for, read as the nearest one (and said in the notes).
NEAREST_STROKE: dict[str, Stroke] = {"individual_medley_by_round": "im", "reverse_individual_medley_by_round": "im"}
#: ``drillType`` of a swim drill step (kick, pull, drill): kept in the notes.
DRILL_TYPES = {1: "kick", 2: "pull", 3: "drill"}
#: The heaviest weight a step holds (the model's bound); a heavier one stays in the step's notes.
MAX_WEIGHT_KG = 500.0
#: A ``weightValue`` at least this large is in grams (as garminconnect writes it); a smaller one is in
#: its ``weightUnit`` (as Garmin's own editor and other clients store it): 60 is 60 kg, never 60 g.
GRAMS_FROM = 1000.0
#: A kilogram value from this up (and below :data:`GRAMS_FROM`) may be garminconnect's grams of a weight
#: under 1 kg (0.5 kg: 500.0): read as kilograms, with a remark.
AMBIGUOUS_KG_FROM = 100.0
POUND_GRAMS = 453.59237
#: The largest condition of a conditional repeat.
MAX_UNTIL_VALUE = 1_000_000
#: ``preferredEndConditionUnit`` keys of a distance (``endConditionValue`` is then in metres).
DISTANCE_UNITS = frozenset({"meter", "kilometer", "mile", "yard"})
#: Steps whose lap-button number has no sure unit in a swim (Garmin's swim editor keeps one on a rest).
UNCLEAR_LAP_VALUE = frozenset({Intensity.REST, Intensity.RECOVERY})
#: The fields of a ``power.curve`` target (Connect's cycling editor), kept in the step's notes.
POWER_CURVE_FIELDS = ("powerCurveDuration", "powerCurveScale", "powerCurveRange")


def read_connect_file(text: str, path: str, messages: list[str] | None = None) -> list[Workout]:
    """The workouts of a Garmin Connect workout JSON file (one per segment of a multi-sport workout).

    Reads what Garmin's workout service returns and what clients send it (request payloads). What
    the model cannot hold is kept in the step notes and listed in ``messages``. Raises
    :class:`WorkoutFormatError` naming the file.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise WorkoutFormatError(path, error.lineno, error.colno, f"not JSON: {error.msg}",
                                 "Garmin Connect workout JSON") from None
    notes: list[str] = []
    try:
        workouts = workouts_from_connect(data, notes)
    except ConnectFormatError as error:
        raise WorkoutFormatError(path, 1, 1, str(error), "Garmin Connect workout JSON") from None
    if messages is not None:
        messages.extend(f"{path}: {note}" for note in notes)
    return workouts


def workout_from_connect(data: dict[str, Any], notes: list[str] | None = None) -> Workout:
    """The workout a Garmin workout JSON (``GET /workout-service/workout/{id}``) describes."""
    workouts = workouts_from_connect(data, notes)
    if len(workouts) > 1:
        raise ConnectFormatError(f"workout: {len(workouts)} segments (a multi-sport workout)")
    return workouts[0]


def workouts_from_connect(data: Any, notes: list[str] | None = None) -> list[Workout]:
    """One workout per segment (a multi-sport workout is named ``<name> (2/3 cycling)`` ...)."""
    if not isinstance(data, dict):
        raise ConnectFormatError("workout JSON is not an object")
    if "workoutName" not in data and isinstance(data.get("workout"), dict):
        data = data["workout"]  # a scheduled workout (GET /workout-service/schedule/{id}) wraps its workout
    name = data.get("workoutName")
    if not isinstance(name, str) or not name:
        raise ConnectFormatError("workout: workoutName is missing")
    said = notes if notes is not None else []
    segments = _segments(data)
    garmin_sport = _garmin_sport(_with_sport(data, segments), "workout", said)
    description, sport_token = _split_description(data.get("description"))
    said.extend(f"{problem}: read by the id, as Garmin does" for problem in check_keys(data))
    workouts = []
    for number, segment in enumerate(segments, start=1):
        segment_sport = garmin_sport
        if isinstance(segment.get("sportType"), dict) and len(segments) > 1:
            segment_sport = _garmin_sport(segment, f"segment {number}", said)
        sport = _sport(segment_sport, sport_token if len(segments) == 1 else None)
        if segment_sport not in ("multi_sport", "other") and GARMIN_SPORT[sport] != segment_sport:
            where = "workout" if len(segments) == 1 else f"segment {number}"
            said.append(f"{where}: Garmin sport {segment_sport} is read as {sport.value} (watchsync has no "
                        f"{segment_sport}; a push sends it as {GARMIN_SPORT[sport]})")
        title = name if len(segments) == 1 else f"{name} ({number}/{len(segments)} {sport.value})"
        steps = [_block(raw, said, sport.family == "swim") for raw in _segment_steps(segment, number)]
        if sport.family not in PACE_ZONE_FAMILIES:
            steps = [_open_pace_zone(block, sport.value, said) for block in steps]
        pool = _pool(segment) or _pool(data)
        if pool and sport is not Sport.POOL_SWIM:
            pool = {}
        try:
            workouts.append(Workout(name=title[:MAX_WORKOUT_NAME], sport=sport, description=description,
                                    steps=steps, **pool))
        except ValidationError as error:
            raise ConnectFormatError(f"workout: {_first_error(error)}") from None
    return workouts


def _garmin_sport(data: dict[str, Any], where: str, notes: list[str]) -> str:
    """Garmin's sport key; a sport id this reader does not know (walking, rucking ... on newer
    accounts) is read as ``other`` and said in ``notes``."""
    key, unknown = _key_or_unknown(data, "sportType", "sportTypeId", SPORT_TYPES, where)
    if unknown is not None:
        notes.append(f"{where}: sport id {unknown} imported as other")
        return "other"
    return key


def _key_or_unknown(raw: dict[str, Any], field: str, id_field: str, table: dict[str, int],
                    where: str) -> tuple[str, str | None]:
    """(the key of a known id, None), or ("", ``N (key)``) for a numeric id outside ``table``, which the
    caller reads leniently; no id at all raises as :func:`_typed_key` does."""
    try:
        return _typed_key(raw, field, id_field, table, where), None
    except ConnectFormatError:
        type_id = _nested(raw, field, id_field)
        if not isinstance(type_id, int):
            raise
        key = _nested(raw, field, id_field.removesuffix("Id") + "Key")
        return "", f"{type_id} ({key})" if isinstance(key, str) and key else str(type_id)


def _with_sport(data: dict[str, Any], segments: list[dict[str, Any]]) -> dict[str, Any]:
    """``data``, or its first segment when only the segments carry ``sportType`` (some clients send
    the workout's sport under another key, ``"sport"``, which Garmin does not read)."""
    if "sportType" not in data and isinstance(segments[0].get("sportType"), dict):
        return segments[0]
    return data


def _segments(data: dict[str, Any]) -> list[dict[str, Any]]:
    segments = data.get("workoutSegments")
    if segments is None and "workoutId" in data and ("estimatedDurationInSecs" in data or "updateDate" in data):
        raise ConnectFormatError("workout: this is an entry of Garmin's workout list, which has no steps; "
                                 "fetch the workout itself (GET /workout-service/workout/{id})")
    if not isinstance(segments, list) or not segments or not all(isinstance(s, dict) for s in segments):
        raise ConnectFormatError("workout: workoutSegments is missing or empty")
    return sorted(segments, key=lambda segment: segment.get("segmentOrder") or 0)


def _segment_steps(segment: dict[str, Any], number: int) -> list[Any]:
    steps = segment.get("workoutSteps")
    if not isinstance(steps, list) or not steps:
        raise ConnectFormatError(f"workout: segment {number} has no workoutSteps")
    return sorted(steps, key=lambda step: step.get("stepOrder") or 0 if isinstance(step, dict) else 0)


def _pool(obj: dict[str, Any]) -> dict[str, Any]:
    length = obj.get("poolLength")
    if not isinstance(length, int | float) or length <= 0:
        return {}
    unit = obj.get("poolLengthUnit")
    key = unit.get("unitKey") if isinstance(unit, dict) else None
    return {"pool_length": float(length), "pool_length_unit": "yd" if key == "yard" else "m"}


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


_UNTYPED_NOTE = 'steps without "type" read by their content (a repeat group is one with workoutSteps)'


def _open_pace_zone(block: Step | Repeat, where: str, notes: list[str]) -> Step | Repeat:
    """``block`` with a pace or speed zone target made open, said in ``notes`` and the step's notes: the
    device's speed zone of a ride or row, which watchsync does not hold (probe fitwkt7 #2, as FIT's)."""
    if isinstance(block, Repeat):
        return block.replaced(steps=[_open_pace_zone(inner, where, notes) for inner in block.steps])
    if not isinstance(block.target, PaceZoneTarget):
        return block
    remark = (f"target the device's speed zone {block.target.zone} (imported as open: watchsync has pace zones "
              "for runs and swims only)")
    notes.append(f"{f'step {block.name!r}' if block.name else 'a step'} of a {where} workout: {remark}")
    return block.replaced(target=OpenTarget(), notes="; ".join(filter(None, [block.notes, remark])))


def _block(raw: Any, notes: list[str], swim: bool) -> Step | Repeat:
    if not isinstance(raw, dict):
        raise ConnectFormatError("workout: a step is not an object")
    where = f"step {raw.get('stepOrder', '?')}"
    kind = raw.get("type")
    if kind is None:  # clients that build steps by hand leave it out; Garmin's answers always have it
        kind = REPEAT_DTO if isinstance(raw.get("workoutSteps"), list) else STEP_DTO
        if _UNTYPED_NOTE not in notes:
            notes.append(_UNTYPED_NOTE)
    try:
        if kind == REPEAT_DTO:
            return _repeat(raw, where, notes, swim)
        if kind == STEP_DTO:
            return _step(raw, where, notes, swim)
    except ValidationError as error:
        raise ConnectFormatError(f"{where}: {_first_error(error)}{_target_said(raw, error)}") from None
    raise ConnectFormatError(f"{where}: unknown step type {kind!r} (expected {STEP_DTO} or {REPEAT_DTO})")


def _repeat(raw: dict[str, Any], where: str, notes: list[str], swim: bool) -> Repeat:
    """A repeat group: ``numberOfIterations`` times, or a conditional repeat for a group ending on time
    (Garmin's "Repeat Until Time Is", ``numberOfIterations`` null), distance, calories or heart rate.
    ``endConditionValue`` is the count only of a group ending on its iterations."""
    inner = raw.get("workoutSteps")
    if not isinstance(inner, list) or not inner:
        raise ConnectFormatError(f"{where}: repeat group without workoutSteps")
    ordered = sorted(inner, key=lambda step: step.get("stepOrder") or 0 if isinstance(step, dict) else 0)
    ends_on = _condition_key(raw)
    count: Any = _number(raw.get("numberOfIterations"))  # "3", as some builders send it
    until = _repeat_until(raw, ends_on) if ends_on not in (None, "iterations") else None
    said_at = len(notes)  # the group's own note goes before its steps' (which its rounds need read first)
    steps = [_block(step, notes, swim) for step in ordered]
    if until is not None:
        bounded = isinstance(count, int | float) and not isinstance(count, bool) and 1 <= count <= MAX_REPEAT_COUNT
        count = int(count) if bounded else rounds_until(steps, until, CONDITIONAL_REPEAT_MAX_COUNT)
        said = (f"{where}: a repeat group until {until.describe()} imported as a conditional repeat "
                f"(estimates count {count} rounds)")
        native = (until.kind, until.unit) in NATIVE_UNTIL
        notes.insert(said_at, said if native else f"{said}; a push to Garmin Connect sends {count} rounds")
    elif ends_on in (None, "iterations"):
        if not isinstance(count, int | float):
            count = raw.get("endConditionValue")
        if not isinstance(count, int | float):
            raise ConnectFormatError(f"{where}: numberOfIterations is missing")
    elif not isinstance(count, int | float):
        raise ConnectFormatError(f"{where}: a repeat group ending on {ends_on} without numberOfIterations "
                                 f"(watchsync has no such repeat)")
    else:  # a watch repeats a group a number of times (Garmin: iterations)
        value = _number(raw.get("endConditionValue"))
        condition = f"{ends_on} {value:g}" if isinstance(value, int | float) and value != count else ends_on
        notes.insert(said_at, f"{where}: a repeat group ending on {condition} imported as {int(count)} times")
    return Repeat(count=int(count), steps=steps,
                  name=raw.get("description") or None, skip_last_rest=bool(raw.get("skipLastRestStep")), until=until)


def _repeat_until(raw: dict[str, Any], ends_on: str | None) -> RepeatUntil | None:
    """The conditional repeat of a group ending on time, distance, calories or heart rate (None otherwise)."""
    value = _number(raw.get("endConditionValue"))
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= MAX_UNTIL_VALUE:
        return None
    compare = raw.get("endConditionCompare")
    match ends_on:
        case "time":
            return RepeatUntil(kind="time", value=value, unit="s")
        case "distance":
            return RepeatUntil(kind="distance", value=value, unit="m")
        case "calories":
            return RepeatUntil(kind="calories", value=value, unit="kcal")
        case "heart.rate" if compare in ("lt", "gt"):
            return RepeatUntil(kind="hr_below" if compare == "lt" else "hr_above", value=value, unit="bpm")
    return None


def _step(raw: dict[str, Any], where: str, notes: list[str], swim: bool) -> Step:
    step_type = _typed_key(raw, "stepType", "stepTypeId", STEP_TYPES, where)
    if step_type not in INTENSITY_OF:
        raise ConnectFormatError(f"{where}: step type {step_type!r} on an executable step")
    remarks: list[str] = []
    name, text = _name_and_notes(raw.get("description"))
    checks: list[str] = []
    exercise, (weight, weight_unit) = _exercise(raw, remarks, checks)
    notes.extend(f"{where}: {check}" for check in checks)
    target = _target(raw, where, "", remarks)
    secondary = _target(raw, where, "secondary", remarks)
    if isinstance(target, OpenTarget):  # Garmin's swim editor puts a swim's target in the secondary slot
        target, secondary = secondary, OpenTarget()
    elif target_family(secondary) == target_family(target):
        secondary = OpenTarget()
    duration = _duration(raw, where, remarks, notes)
    unread: list[str] = []  # said on import, never the step's text (the watch would show it)
    planned = _planned(raw, swim and INTENSITY_OF[step_type] in UNCLEAR_LAP_VALUE, unread) \
        if isinstance(duration, LapButton) and _end_condition(raw, where) == "lap.button" else None
    stroke = _stroke(raw, remarks)
    text = "; ".join(filter(None, [text, *remarks])) or None
    notes.extend(f"{where}: {remark}" for remark in [*remarks, *unread])
    return Step(intensity=INTENSITY_OF[step_type], duration=duration,
                target=target, secondary=None if isinstance(secondary, OpenTarget) else secondary,
                name=name, notes=text, rpe=_rpe(name, text), exercise=exercise, weight_kg=weight,
                weight_unit=weight_unit if weight is not None else None, stroke=stroke,
                equipment=_equipment(raw), planned=planned)


def _planned(raw: dict[str, Any], unclear: bool, remarks: list[str]) -> TimeDuration | DistanceDuration | None:
    """A lap-button step's planned length: the number Garmin keeps in ``endConditionValue`` (as watchsync
    writes ``- 20m press lap``): seconds, or metres when ``preferredEndConditionUnit`` is a distance.
    A tool that sends the lap id with the key ``distance`` or ``time`` names the number's unit. Where the unit is
    ``unclear`` (a swim rest: Garmin's swim editor leaves a number without a unit) or the length is more than a
    step holds, the number is said on import (not kept in the step's text, which the watch shows)."""
    value = _number(raw.get("endConditionValue"))
    if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
        return None
    unit = raw.get("preferredEndConditionUnit")
    key = unit.get("unitKey") if isinstance(unit, dict) else None
    said = _nested(raw, "endCondition", "conditionTypeKey")
    if key is None and said in ("distance", "time"):  # the lap id with the key of the author's unit (probe connect14)
        key, unclear = ("meter" if said == "distance" else None), False
    try:
        if key in DISTANCE_UNITS:
            return DistanceDuration(meters=value)
        if key is None and not unclear:
            return TimeDuration(seconds=value)
    except ValidationError:  # longer than a step holds
        pass
    why = "seconds or metres: Garmin does not say" if key is None and unclear else "not read as a length"
    remarks.append(f"press lap, planned {value:g}{' ' + str(key) if key else ''} ({why})")
    return None


def _stroke(raw: dict[str, Any], remarks: list[str]) -> Stroke | None:
    drill = raw.get("drillType")
    drill_id = drill.get("drillTypeId") if isinstance(drill, dict) else None
    if isinstance(drill_id, int) and drill_id in DRILL_TYPES:
        remarks.append(f"{DRILL_TYPES[drill_id]} drill")
    stroke = raw.get("strokeType")
    type_id = stroke.get("strokeTypeId") if isinstance(stroke, dict) else None
    if not isinstance(type_id, int) or type_id not in STROKE_TYPES.values():
        return None
    key = key_for(STROKE_TYPES, type_id)
    if key in NEAREST_STROKE:
        remarks.append(f"stroke {key.replace('_', ' ')} (imported as {NEAREST_STROKE[key]})")
        return NEAREST_STROKE[key]
    return STROKE_OF[key]


def _equipment(raw: dict[str, Any]) -> Equipment | None:
    equipment = raw.get("equipmentType")
    type_id = equipment.get("equipmentTypeId") if isinstance(equipment, dict) else None
    if not isinstance(type_id, int) or type_id not in EQUIPMENT_TYPES.values():
        return None
    key = key_for(EQUIPMENT_TYPES, type_id)
    assert key in ("fins", "kickboard", "paddles", "pull_buoy", "snorkel")
    return key  # type: ignore[return-value]


def _name_and_notes(text: Any) -> tuple[str | None, str | None]:
    if not isinstance(text, str) or not text:
        return None, None
    name, separator, notes = text.partition(NAME_NOTES_SEPARATOR)
    if separator and name and notes and len(name) <= MAX_STEP_NAME:
        return name, notes[:MAX_STEP_NOTES]
    return None, text[:MAX_STEP_NOTES]


def _rpe(name: str | None, notes: str | None) -> RpeTarget | None:
    match = RPE_CUE_RE.search(notes or "") or RPE_CUE_RE.search(name or "")
    if match is None:
        return None
    low = float(match.group(1))
    return RpeTarget(low=low, high=float(match.group(2) or low))


def _exercise(raw: dict[str, Any], remarks: list[str],
              checks: list[str] | None = None) -> tuple[Exercise | None, tuple[float | None, WeightUnit | None]]:
    category, exercise_name = raw.get("category"), raw.get("exerciseName")
    if not category:
        if not isinstance(exercise_name, str) or not exercise_name.strip():
            return None, (None, None)
        found = exercises.find_exercise(exercise_name)  # "Goblet Squat" as a builder sends it (garmin_mcp #196)
        if found is None:
            kilograms, unit = _weight(raw, remarks, checks)
            weight = "" if kilograms is None else (f" {kilograms / KG_PER_POUND:.1f} lb" if unit == "lb"
                                                   else f" {kilograms:g} kg")
            remarks.append(f"exercise {exercise_name.strip()!r}{weight} without a category (kept as text)")
            return None, (None, None)
        if checks is not None:
            checks.append(f"exercise {exercise_name.strip()!r} without a category read as "
                          f"{found.category}/{found.name}")
        return found, _weight(raw, remarks, checks)
    # a step naming only a category is the category's generic exercise (category repeated as name)
    exercise = Exercise(category=category, name=exercise_name or category)
    if not exercises.is_known(exercise):  # Connect's list runs ahead of the FIT profile's
        generic = Exercise(category=category, name=category)
        if exercises.is_known(generic):
            remarks.append(f"exercise {category}/{exercise.name} is not in Garmin's FIT catalogue "
                           f"(imported as any {category})")
            return generic, _weight(raw, remarks, checks)
        remarks.append(f"exercise {category}/{exercise.name} is not in Garmin's FIT catalogue (left out)")
        return None, (None, None)
    return exercise, _weight(raw, remarks, checks)


def _weight(raw: dict[str, Any], remarks: list[str],
            checks: list[str] | None = None) -> tuple[float | None, WeightUnit | None]:
    """``weightValue`` in kilograms, and ``"lb"`` for a weight in pounds (shown so again): in ``weightUnit``
    (its ``factor`` is grams per unit: 1000 for kilograms, 453.59237 for pounds), except a kilogram value
    from :data:`GRAMS_FROM` up, which is grams (garminconnect's workout builder writes grams)."""
    weight = _number(raw.get("weightValue"))  # "60", as some builders send it
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
        return None, None
    unit = raw.get("weightUnit")
    factor = unit.get("factor") if isinstance(unit, dict) else None
    key = unit.get("unitKey") if isinstance(unit, dict) else None
    shown: WeightUnit | None = None
    if not isinstance(factor, int | float) or factor <= 0:
        factor = POUND_GRAMS if key == "pound" else GRAMS_PER_KG
    if key == "pound" or abs(factor - POUND_GRAMS) < 0.01:  # pounds are never grams
        kilograms = weight * KG_PER_POUND
        shown = "lb"
    elif weight == 0 or (weight >= GRAMS_FROM and factor == GRAMS_PER_KG):
        kilograms = weight / GRAMS_PER_KG
    elif factor == GRAMS_PER_KG:
        kilograms = float(weight)
        if kilograms >= AMBIGUOUS_KG_FROM and checks is not None:  # said, not written into the step's notes
            checks.append(f"weight {weight:g} kg read as kilograms; if a tool that writes grams (garminconnect's "
                           f"workout builder) wrote it, it is {weight / GRAMS_PER_KG:g} kg: check the weight")
    else:
        kilograms = round(weight * factor / GRAMS_PER_KG, 3)
        remarks.append(f"weight {weight:g} {key or 'units'} ({kilograms:.1f} kg)")
    if kilograms > MAX_WEIGHT_KG:  # more than the model holds: kept in words, the step and the file kept
        remarks.append(f"weight {kilograms:g} kg is more than {MAX_WEIGHT_KG:g} kg (kept as text)")
        return None, None
    if kilograms == MAX_WEIGHT_KG and shown is None:  # garminconnect's grams of 0.5 kg, as 750.0 is of 0.75 kg
        remarks.append(f"weight {weight:g} kg, or 0.5 kg from a tool that writes grams (kept as text)")
        return None, None
    return kilograms, shown


def _duration(raw: dict[str, Any], where: str, remarks: list[str], notes: list[str]) -> Duration:
    condition = _end_condition(raw, where)
    if condition == "lap.button":
        return LapButton()
    value = _number(raw.get("endConditionValue"))
    zone = raw.get("endConditionZone")
    if condition == "heart.rate" and not isinstance(value, int | float) and isinstance(zone, int) and zone > 0:
        remarks.append(f"until heart rate zone {zone} (imported as lap button)")  # Garmin kept the zone only
        return LapButton()
    if condition == "iterations":
        raise ConnectFormatError(f"{where}: end condition 'iterations' on a step: it ends only a repeat group")
    if not isinstance(value, int | float):
        if condition not in END_CONDITIONS:
            remarks.append(f"until {condition} (imported as lap button)")
            return LapButton()
        raise ConnectFormatError(f"{where}: endConditionValue is missing for a {condition!r} end condition")
    match condition:
        case "time" | "fixed.rest":
            if condition != "time":
                notes.append(f"{where}: {condition} end condition imported as a time")
            return TimeDuration(seconds=value)
        case "fixed.repetition":  # a send-off: the next repeat starts this long after this one did
            every = Step.prompt_clock(round(value))
            remarks.append(f"send-off every {every} (imported as a {every} rest)")
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
    remarks.append(f"until {condition} {value:g} (imported as lap button)")
    return LapButton()


def _end_condition(raw: dict[str, Any], where: str) -> str:
    """The end condition's key; one Garmin has but this reader does not know becomes ``id N (key)``,
    read as the lap button with a note, as every condition the model cannot hold."""
    key, unknown = _key_or_unknown(raw, "endCondition", "conditionTypeId", END_CONDITIONS, where)
    return key if unknown is None else f"end condition {unknown}"


def _target(raw: dict[str, Any], where: str, prefix: str, remarks: list[str]) -> Target:
    """The (``prefix`` = "secondary") target of a step; what the model cannot hold goes to ``remarks``."""
    field = f"{prefix}TargetType" if prefix else "targetType"
    if not isinstance(raw.get(field), dict) or (raw[field].get("workoutTargetTypeId") is None
                                                and raw[field].get("workoutTargetTypeKey") is None):
        return OpenTarget()
    one, two = (f"{prefix}TargetValueOne", f"{prefix}TargetValueTwo") if prefix else ("targetValueOne",
                                                                                         "targetValueTwo")
    zone = _whole(raw.get(f"{prefix}ZoneNumber" if prefix else "zoneNumber"))  # "3" and 3.0 are zone 3
    low, high = _number(raw.get(one)), _number(raw.get(two))  # Connect's editor may send "142"
    key, unknown = _key_or_unknown(raw, field, "workoutTargetTypeId", TARGET_TYPES, where)
    if unknown is not None:
        remarks.append(" ".join(filter(None, [prefix, "target", unknown, _values(low, high), "(imported as open)"])))
        return OpenTarget()
    if key == "no.target":
        return OpenTarget()
    if key in AVERAGED_TARGETS:  # the watch holds the instantaneous value: the averaging is said
        remarks.append(f"{prefix + ' ' if prefix else ''}target averaged over {AVERAGED_TARGETS[key]}")
    if key == "swim.instruction" and isinstance(low, int | float) and round(low) in SWIM_INSTRUCTIONS:
        remarks.append(f"effort: {SWIM_INSTRUCTIONS[round(low)]}")
        return OpenTarget()
    if key in UNHELD_TARGETS:
        values = _values(low, high) or ", ".join(f"{field} {raw[field]:g}" for field in POWER_CURVE_FIELDS
                                                 if isinstance(raw.get(field), int | float))
        remarks.append(" ".join(filter(None, [prefix, "target", key, values, "(imported as open)"])))
        return OpenTarget()
    if isinstance(zone, int) and zone > 0 and key in ("heart.rate.zone", "power.zone", "pace.zone", "speed.zone"):
        if key == "heart.rate.zone":
            return HeartRateZoneTarget(zone=zone)
        return PowerZoneTarget(zone=zone) if key == "power.zone" else PaceZoneTarget(zone=zone)
    if isinstance(low, int | float) and low > 0 and (high is None or high == 0):
        high = low  # one value: Garmin's editor stores an exact pace or power with value two 0
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        raise ConnectFormatError(f"{where}: a {key} {prefix} target needs values or a zone number".replace("  ", " "))
    low, high = min(low, high), max(low, high)
    match key:
        case "heart.rate.zone" | "heart.rate.lap":
            return HeartRateTarget(low=low, high=high)
        case "pace.zone" | "speed.zone" | "speed.lap":
            return SpeedTarget(low=low, high=high)
        case "power.zone" | "power.lap" | "power.3s" | "power.10s" | "power.30s":
            return PowerTarget(low=low, high=high)
        case "cadence":
            return CadenceTarget(low=low, high=high)
    raise ConnectFormatError(f"{where}: target {key!r} is not supported")


def _number(value: Any) -> Any:
    """A number written as a string (``"142"``) as the number; anything else as it is."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _whole(value: Any) -> Any:
    """A whole number written as a string or a float (``"3"``, ``3.0``: a builder's ``str(zone)``) as an int;
    anything else as it is."""
    number = _number(value)
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _values(low: Any, high: Any) -> str:
    """``low-high``, or the one value there is (a second value of 0 is none, as in a single value)."""
    if not isinstance(low, int | float):
        return ""
    return f"{low:g}" if not isinstance(high, int | float) or high in (0, low) else f"{low:g}-{high:g}"


def _typed_key(raw: dict[str, Any], field: str, id_field: str, table: dict[str, int], where: str) -> str:
    """The key of the numeric id ``raw[field][id_field]`` (the id decides, as at Garmin); a payload that
    gives only the key (``{"workoutTargetTypeKey": "heart.rate.zone"}``) is read by its key."""
    type_id = _nested(raw, field, id_field)
    if not isinstance(type_id, int):
        key = _nested(raw, field, id_field.removesuffix("Id") + "Key")
        if isinstance(key, str) and key in table:
            return key
        raise ConnectFormatError(f"{where}: {field}.{id_field} is missing")
    try:
        return key_for(table, type_id)
    except KeyError:
        raise ConnectFormatError(f"{where}: unknown {field} id {type_id}") from None


def _target_said(raw: dict[str, Any], error: ValidationError) -> str:
    """Which target a step's bad ``low``/``high`` belongs to, and a type key that disagrees with its id
    (a tool's ``cadence.zone`` key on pace id 6: Garmin reads a pace of 170 m/s; probe connect13)."""
    first = error.errors()[0]["loc"]
    target = raw.get("targetType")
    type_id = target.get("workoutTargetTypeId") if isinstance(target, dict) else None
    if not first or first[-1] not in ("low", "high") or not isinstance(type_id, int) \
            or type_id not in TARGET_TYPES.values():
        return ""
    kind = key_for(TARGET_TYPES, type_id)
    values = "-".join(f"{v:g}" for v in (raw.get("targetValueOne"), raw.get("targetValueTwo"))
                      if isinstance(v, int | float))
    sent = target.get("workoutTargetTypeKey") if isinstance(target, dict) else None
    clash = f"; its key says {sent!r}, Garmin goes by the id" if sent not in (None, kind) else ""
    return f" (the {kind} target, targetType id {type_id}, of {values}{clash})"


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
        for field, id_field, key_field, table in (*TYPED_FIELDS, *SWIM_TYPED_FIELDS):
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
        if field == "weightValue":  # Garmin's -1 on a step without a weight is no weight, as read
            ours, theirs = (None if isinstance(v, int | float) and v < 0 else v for v in (ours, theirs))
        if not _same_number(ours, theirs):
            differences.append(f"{where}: {field} {ours!r} sent, {theirs!r} stored")
    for field in COMPARED_FLAGS:
        if bool(sent.get(field)) != bool(received.get(field)):
            differences.append(f"{where}: {field} {sent.get(field)!r} sent, {received.get(field)!r} stored")
    return differences


def _id_differences(sent: dict[str, Any], received: dict[str, Any], field: str, id_field: str,
                    where: str) -> list[str]:
    ours, theirs = _nested(sent, field, id_field), _nested(received, field, id_field)
    if field in ("targetType", "secondaryTargetType"):  # absent, null and "no target" mean the same
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
