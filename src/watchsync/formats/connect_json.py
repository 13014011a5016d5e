"""Garmin Connect workout JSON writer, the ``[ws:<hash>]`` marker and the content hash.

The JSON has the shape ``garminconnect``'s ``upload_workout`` sends (one segment of
``ExecutableStepDTO`` / ``RepeatGroupDTO`` steps); Garmin trusts only the numeric ids, which come from
:mod:`watchsync.formats.connect_ids`. What Garmin cannot hold travels in text:

* a step's name and notes share Garmin's one step ``description`` as ``"name — notes"`` (just the
  notes when they already contain the name); a ramp ("ramp up"/"ramp down": the watch holds the
  range) and timed prompts ("at 0:33: Relax") are appended to the notes;
* a repeat's name is the ``RepeatGroupDTO`` description;
* the workout description ends with a token line: ``[ws:<hash>]`` (the sync marker, when given) and
  ``[ws-sport:<sport>]`` when Garmin's sport would not give ours back (trail, treadmill, indoor
  cycling, open water, skiing). Tags are local and not sent.

Lossy by Garmin's design: ``active`` and ``interval`` steps are both Garmin ``interval`` steps.

Shapes as in Garmin's own documents (the local server accepts exactly these):

* ``sportType`` ``{"sportTypeId", "sportTypeKey", "displayOrder"}``; swimming is id 4, order 3;
* pool swims carry ``poolLength`` and ``poolLengthUnit`` (``{"unitId": 1, "unitKey": "meter",
  "factor": 100.0}``) on the workout and its segment, and every step of a swim a ``strokeType``
  (``{"strokeTypeId": 0, "strokeTypeKey": None, "displayOrder": 0}`` for none) and an
  ``equipmentType`` of the same shape (ids in :mod:`watchsync.formats.connect_ids`);
* lap-button steps keep a number in ``endConditionValue``: the planned length when the text gave
  one (seconds, or metres with ``preferredEndConditionUnit`` meter), else 0.0;
* a repeat until a time (``Repeat.until``, FIT ``repeat_until_time``) ends on ``time`` with the seconds
  and ``numberOfIterations`` null, as Garmin's HIIT editor stores it; other conditional repeats go as
  their count with the condition in the (dropped) repeat description;
* a secondary target (a cadence beside power, HR beside pace) is ``secondaryTargetType`` with
  ``secondaryTargetValueOne``/``Two`` or ``secondaryZoneNumber``, as the primary one;
* a strength step sends ``category`` and ``exerciseName``, the catalogue's generic exercise of a category
  too (``PLANK``/``PLANK``: Garmin's catalogue has no category without one); only a category the catalogue
  has no such exercise for sends ``exerciseName`` null.

Garmin has no cross-country-skiing or ski-mountaineering workout sport: those go as
``cardio_training`` and :func:`connect_sport_note` says so (the push shows it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from watchsync.formats import exercises
from watchsync.formats.connect_ids import (
    END_CONDITIONS,
    EQUIPMENT_TYPES,
    POOL_LENGTH_UNITS,
    REPEAT_DTO,
    SPORT_DISPLAY_ORDER,
    SPORT_TYPES,
    STEP_DTO,
    STEP_TYPES,
    STROKE_TYPES,
    TARGET_TYPES,
)
from watchsync.model.workout import (
    CONCRETE_TARGETS,
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
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
    SpeedTarget,
    Sport,
    Step,
    Target,
    TimeDuration,
    Workout,
)
from watchsync.rules import SpeedLike, planned_seconds

#: Our sport → Garmin workout sport key.
GARMIN_SPORT: dict[Sport, str] = {
    Sport.RUNNING: "running",
    Sport.TRAIL_RUNNING: "running",
    Sport.TREADMILL: "running",
    Sport.CYCLING: "cycling",
    Sport.INDOOR_CYCLING: "cycling",
    Sport.POOL_SWIM: "swimming",
    Sport.OPEN_WATER_SWIM: "swimming",
    Sport.XC_SKIING: "cardio_training",  # Garmin has no ski workout sport: see CONNECT_SPORT_NOTES
    Sport.SKI_MOUNTAINEERING: "cardio_training",
    Sport.STRENGTH: "strength_training",
    Sport.YOGA: "yoga",
    Sport.MOBILITY: "mobility",
    Sport.CARDIO: "cardio_training",
    Sport.OTHER: "other",
}

#: Sports Garmin Connect has no workout sport for: what is sent instead, in words the push can show.
CONNECT_SPORT_NOTES: dict[Sport, str] = {
    Sport.XC_SKIING: "Garmin Connect has no cross-country-skiing workout sport: sent as cardio_training "
                     "(the FIT file keeps cross_country_skiing)",
    Sport.SKI_MOUNTAINEERING: "Garmin Connect has no ski-mountaineering workout sport: sent as cardio_training "
                              "(the FIT file keeps alpine_skiing/backcountry)",
}

#: Our stroke → Connect ``strokeTypeKey``.
STROKE_KEY: dict[str, str] = {"any": "any_stroke", "free": "free", "back": "backstroke", "breast": "breaststroke",
                              "fly": "fly", "im": "individual_medley", "drill": "drill", "mixed": "mixed"}

#: Garmin workout sport key → our sport when no ``[ws-sport:...]`` token says otherwise.
SPORT_FROM_GARMIN: dict[str, Sport] = {
    "running": Sport.RUNNING,
    "cycling": Sport.CYCLING,
    "swimming": Sport.POOL_SWIM,
    "strength_training": Sport.STRENGTH,
    "cardio_training": Sport.CARDIO,
    "yoga": Sport.YOGA,
    "mobility": Sport.MOBILITY,
    "pilates": Sport.MOBILITY,
    "hiit": Sport.CARDIO,
    "multi_sport": Sport.OTHER,
    "other": Sport.OTHER,
}

STEP_TYPE_OF: dict[Intensity, str] = {
    Intensity.WARMUP: "warmup",
    Intensity.COOLDOWN: "cooldown",
    Intensity.ACTIVE: "interval",
    Intensity.INTERVAL: "interval",
    Intensity.RECOVERY: "recovery",
    Intensity.REST: "rest",
    Intensity.OTHER: "other",
}

#: Conditional repeats (``Repeat.until`` kind and unit) Garmin stores as such: "Repeat Until Time Is" of its HIIT
#: editor, a ``RepeatGroupDTO`` ending on ``time`` with the seconds in ``endConditionValue`` and
#: ``numberOfIterations`` null (docs/garmin.md). Others are sent as their ``count``, the condition in words.
NATIVE_UNTIL = frozenset({("time", "s")})
#: ``preferredEndConditionUnit`` of a distance in metres, as Garmin stores it on distance steps.
METER_UNIT: dict[str, Any] = {"unitId": 1, "unitKey": "meter", "factor": 100.0}

#: ``endConditionCompare`` of heart-rate end conditions.
HR_COMPARE: dict[str, str] = {"hr_below": "lt", "hr_above": "gt"}

#: Garmin's weight unit for strength steps. ``weightValue`` is in this unit (kilograms; ``factor`` is
#: grams per unit, metadata): Garmin's GET answers of workouts built in its own editor hold ``6.0``
#: for a 6 kg kettlebell (docs/garmin.md). garminconnect's workout builder sends grams instead.
WEIGHT_UNIT_KILOGRAM: dict[str, Any] = {"unitId": 8, "unitKey": "kilogram", "factor": 1000.0}
#: Garmin's pound, as its editor stores a weight in pounds (``weightValue`` is then in pounds; docs/garmin.md).
WEIGHT_UNIT_POUND: dict[str, Any] = {"unitId": 9, "unitKey": "pound", "factor": 453.59237}
GRAMS_PER_KG = 1000.0

#: Separator between a step's name and notes inside Garmin's step description.
NAME_NOTES_SEPARATOR = " — "

MARKER_RE = re.compile(r"\[ws:([0-9a-f]{12})\]")
SPORT_TOKEN_RE = re.compile(r"\[ws-sport:([a-z_]+)\]")
TOKEN_LINE_RE = re.compile(r"^(?:\[ws(?::[0-9a-f]{12}|-sport:[a-z_]+)\] ?)+$")
HASH_LENGTH = 12


def content_hash(workout: Workout) -> str:
    """Short stable hash (12 hex digits) of the canonical JSON of ``workout`` (pass it resolved)."""
    canonical = json.dumps(workout.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:HASH_LENGTH]


def connect_sport_note(sport: Sport) -> str | None:
    """What a push of a ``sport`` workout should tell the user about Garmin's sport, if anything."""
    return CONNECT_SPORT_NOTES.get(sport)


def find_marker(description: str | None) -> str | None:
    """The hash of the ``[ws:<hash>]`` marker in a Garmin workout description, if any."""
    match = MARKER_RE.search(description or "")
    return match.group(1) if match else None


def workout_to_connect(workout: Workout, *, marker: str | None = None,
                       speeds: SpeedLike | None = None) -> dict[str, Any]:
    """Garmin Connect workout JSON for a resolved ``workout``; ``marker`` is a :func:`content_hash`;
    ``speeds`` the athlete's planning speeds (:func:`watchsync.rules.speeds_for`), so that the
    estimated duration is the one ``show`` gives.

    Raises ``ValueError`` naming the step when a target is not concrete.
    """
    if marker is not None and not re.fullmatch(r"[0-9a-f]{12}", marker):
        raise ValueError(f"marker {marker!r} is not {HASH_LENGTH} lowercase hex digits")
    garmin_sport = GARMIN_SPORT[workout.sport]
    sport = _id_dict("sportType", SPORT_TYPES, garmin_sport, SPORT_DISPLAY_ORDER.get(garmin_sport))
    orders = _Counter()
    steps = [_block(block, workout.sport, str(i + 1), orders, None) for i, block in enumerate(workout.steps)]
    segment: dict[str, Any] = {"segmentOrder": 1, "sportType": dict(sport), "workoutSteps": steps}
    data: dict[str, Any] = {
        "workoutName": workout.name,
        "sportType": sport,
        # distance and lap-button steps too, as `show` counts them (a 10 km run was estimated at 0 s)
        "estimatedDurationInSecs": round(planned_seconds(workout, speeds)),
        "workoutSegments": [segment],
    }
    if workout.pool_length is not None:
        pool = {"poolLength": float(workout.pool_length),
                "poolLengthUnit": dict(POOL_LENGTH_UNITS[workout.pool_length_unit])}
        data.update(pool)
        segment.update(pool)
    distance = round(_estimate(workout.steps, _step_meters))
    if distance:
        data["estimatedDistanceInMeters"] = distance
    description = _workout_description(workout, marker)
    if description:
        data["description"] = description
    return data


def step_notes(step: Step) -> str | None:
    """The step's notes with what a watch cannot execute spelt out: a ramp, timed prompts."""
    extra = []
    if step.ramp is not None:
        extra.append(f"ramp {step.ramp}")
    extra += [f"at {step.prompt_clock(prompt.at_seconds)}: {prompt.text}" for prompt in step.prompts]
    return "; ".join(filter(None, [step.notes, *extra])) or None


def step_description(name: str | None, notes: str | None) -> str | None:
    """Garmin's one step text from our name and notes (see the module docstring)."""
    if name and notes and name not in notes:
        return f"{name}{NAME_NOTES_SEPARATOR}{notes}"
    return notes or name or None


class _Counter:
    """Hands out step orders (depth-first) and repeat-group child ids, both from 1."""

    def __init__(self) -> None:
        self.order = 0
        self.group = 0

    def next_order(self) -> int:
        self.order += 1
        return self.order

    def next_group(self) -> int:
        self.group += 1
        return self.group


def _estimate(blocks: list[Step | Repeat], per_step: Callable[[Step], float]) -> float:
    """Sum of ``per_step`` over the workout, repeats multiplied rather than expanded."""
    return sum(per_step(block) if isinstance(block, Step) else block.count * _estimate(block.steps, per_step)
               for block in blocks)


def _step_meters(step: Step) -> float:
    return step.duration.meters if isinstance(step.duration, DistanceDuration) else 0.0


def _workout_description(workout: Workout, marker: str | None) -> str | None:
    tokens = []
    if marker is not None:
        tokens.append(f"[ws:{marker}]")
    if SPORT_FROM_GARMIN[GARMIN_SPORT[workout.sport]] is not workout.sport:
        tokens.append(f"[ws-sport:{workout.sport.value}]")
    token_line = " ".join(tokens)
    if workout.description and token_line:
        return f"{workout.description}\n{token_line}"
    return workout.description or token_line or None


def _id_dict(kind: str, table: dict[str, int], key: str | None, order: int | None = None) -> dict[str, Any]:
    """``{"<kind>Id": 1, "<kind>Key": "running", "displayOrder": 1}`` for a table entry (id 0 for None)."""
    type_id = table[key] if key is not None else 0
    return {f"{kind}Id": type_id, f"{kind}Key": key, "displayOrder": order if order is not None else type_id}


def _condition(key: str) -> dict[str, Any]:
    return {
        "conditionTypeId": END_CONDITIONS[key],
        "conditionTypeKey": key,
        "displayOrder": END_CONDITIONS[key],
        "displayable": key != "iterations",
    }


def _target_type(key: str) -> dict[str, Any]:
    return {"workoutTargetTypeId": TARGET_TYPES[key], "workoutTargetTypeKey": key,
            "displayOrder": TARGET_TYPES[key]}


def _block(block: Step | Repeat, sport: Sport, where: str, orders: _Counter,
           group: int | None) -> dict[str, Any]:
    if isinstance(block, Step):
        return _step(block, sport, where, orders.next_order(), group)
    order, child_id = orders.next_order(), orders.next_group()
    native = block.until is not None and (block.until.kind, block.until.unit) in NATIVE_UNTIL
    data: dict[str, Any] = {
        "type": REPEAT_DTO,
        "stepOrder": order,
        "stepType": _id_dict("stepType", STEP_TYPES, "repeat"),
        "childStepId": child_id,
        "numberOfIterations": None if native else block.count,
        "smartRepeat": False,
        "skipLastRestStep": block.skip_last_rest,
        "endCondition": _condition("time" if native else "iterations"),
        "endConditionValue": float(block.until.value if native and block.until else block.count),
        "workoutSteps": [_block(inner, sport, f"{where}.{i + 1}", orders, child_id)
                         for i, inner in enumerate(block.steps)],
    }
    name = (block.name if block.until is None or native
            else f"{block.name or 'Repeat'} – until {block.until.describe()}")
    if name:
        data["description"] = name  # cosmetic: Garmin keeps no repeat description (nor a conditional repeat)
    return data


def _step(step: Step, sport: Sport, where: str, order: int, group: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": STEP_DTO,
        "stepOrder": order,
        "stepType": _id_dict("stepType", STEP_TYPES, STEP_TYPE_OF[step.intensity]),
    }
    if group is not None:
        data["childStepId"] = group
    data.update(_end_condition(step))
    data.update(_target(step.target, sport, where))
    if step.secondary is not None:
        data.update({f"secondary{key[0].upper()}{key[1:]}": value
                     for key, value in _target(step.secondary, sport, where).items()})
    description = step_description(step.name, step_notes(step))
    if description:
        data["description"] = description
    if sport.family == "swim":
        data["strokeType"] = _id_dict("strokeType", STROKE_TYPES, STROKE_KEY[step.stroke] if step.stroke else None)
        data["equipmentType"] = _id_dict("equipmentType", EQUIPMENT_TYPES, step.equipment)
    if step.exercise is not None:
        data["category"] = step.exercise.category
        generic_only = step.exercise.name == step.exercise.category and not exercises.is_known(step.exercise)
        data["exerciseName"] = None if generic_only else step.exercise.name  # PLANK/PLANK is Garmin's plank
        shown = step.weight_shown()
        if shown is not None:
            data["weightValue"] = shown[0]
            data["weightUnit"] = dict(WEIGHT_UNIT_POUND if shown[1] == "lb" else WEIGHT_UNIT_KILOGRAM)
    return data


def _end_condition(step: Step) -> dict[str, Any]:
    match step.duration:
        case TimeDuration(seconds=seconds):
            return {"endCondition": _condition("time"), "endConditionValue": float(seconds)}
        case DistanceDuration(meters=meters):
            return {"endCondition": _condition("distance"), "endConditionValue": float(meters)}
        case RepsDuration(reps=reps):
            return {"endCondition": _condition("reps"), "endConditionValue": float(reps)}
        case CaloriesDuration(kcal=kcal):
            return {"endCondition": _condition("calories"), "endConditionValue": float(kcal)}
        case HeartRateDuration(kind=kind, bpm=bpm):
            return {"endCondition": _condition("heart.rate"), "endConditionValue": float(bpm),
                    "endConditionCompare": HR_COMPARE[kind]}
        case LapButton():
            planned = step.planned
            if isinstance(planned, DistanceDuration):  # the unit tells the reader it is metres, not seconds
                return {"endCondition": _condition("lap.button"), "endConditionValue": float(planned.meters),
                        "preferredEndConditionUnit": dict(METER_UNIT)}
            value = planned.seconds if isinstance(planned, TimeDuration) else 0.0
            return {"endCondition": _condition("lap.button"), "endConditionValue": float(value)}


#: Sport families whose speed targets Garmin holds as a pace (``pace.zone``, shown per km or per 100 m):
#: a run's, and a swim's (Garmin's own stored swim, Taxuspt/garmin_mcp #89, and garminconnect-built swims
#: hold id 6); a ride's or a ski's stays a speed (``speed.zone``).
PACE_FAMILIES = frozenset({"run", "swim"})


def _target(target: Target, sport: Sport, where: str) -> dict[str, Any]:
    if not isinstance(target, CONCRETE_TARGETS):
        raise ValueError(f"step {where}: target {target.kind!r} is not concrete (resolve the workout first)")
    match target:
        case OpenTarget():
            return {"targetType": _target_type("no.target")}
        case HeartRateTarget(low=low, high=high):
            return _range("heart.rate.zone", low, high)
        case HeartRateZoneTarget(zone=zone):
            return {"targetType": _target_type("heart.rate.zone"), "zoneNumber": zone}
        case SpeedTarget(low=low, high=high):
            return _range("pace.zone" if sport.family in PACE_FAMILIES else "speed.zone", low, high)
        case PowerTarget(low=low, high=high):
            return _range("power.zone", low, high)
        case PowerZoneTarget(zone=zone):
            return {"targetType": _target_type("power.zone"), "zoneNumber": zone}
        case CadenceTarget(low=low, high=high):
            return _range("cadence", low, high)


def _range(key: str, low: float, high: float) -> dict[str, Any]:
    return {"targetType": _target_type(key), "targetValueOne": float(low), "targetValueTwo": float(high)}
