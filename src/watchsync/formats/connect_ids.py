"""Garmin Connect workout vocabulary: the numeric ids of garminconnect 0.3.20 and Garmin's documents.

Garmin trusts the numeric ids only (a wrong id is stored as another type with HTTP 200), so the
writer, the reader and the local server all take their ids from these tables. ``displayOrder``
equals the id except where :data:`SPORT_DISPLAY_ORDER` says otherwise (swimming: id 4, order 3, as
in Garmin's own answers and garminconnect's ``SwimmingWorkout``). Stroke ids 1-6 and equipment ids
1-4 are as in Garmin's answers (``fixtures/connect``); individual medley (7), mixed (8), snorkel (5)
and the yard pool unit follow the same tables as other public clients, unconfirmed by a Garmin answer.
"""

from __future__ import annotations

SPORT_TYPES: dict[str, int] = {
    "running": 1,
    "cycling": 2,
    "other": 3,
    "swimming": 4,
    "strength_training": 5,
    "cardio_training": 6,
    "yoga": 7,
    "pilates": 8,
    "hiit": 9,
    "multi_sport": 10,
    "mobility": 11,
}

#: ``displayOrder`` of a sport type where it differs from the id.
SPORT_DISPLAY_ORDER: dict[str, int] = {"swimming": 3, "other": 11}

STEP_TYPES: dict[str, int] = {
    "warmup": 1,
    "cooldown": 2,
    "interval": 3,
    "recovery": 4,
    "rest": 5,
    "repeat": 6,
    "other": 7,
    "main": 8,
}

END_CONDITIONS: dict[str, int] = {
    "lap.button": 1,
    "time": 2,
    "distance": 3,
    "calories": 4,
    "power": 5,
    "heart.rate": 6,
    "iterations": 7,
    "fixed.rest": 8,
    "fixed.repetition": 9,
    "reps": 10,
}

TARGET_TYPES: dict[str, int] = {
    "no.target": 1,
    "power.zone": 2,
    "cadence": 3,
    "heart.rate.zone": 4,
    "speed.zone": 5,
    "pace.zone": 6,
    "grade": 7,
    "heart.rate.lap": 8,
    "power.lap": 9,
    "power.3s": 10,
    "power.10s": 11,
    "power.30s": 12,
    "speed.lap": 13,
    "swim.stroke": 14,
    "resistance": 15,
    "power.curve": 16,
    "swim.css.offset": 17,
    "swim.instruction": 18,
    "instruction": 19,
}

#: Swim strokes (``strokeType``); 0 with a null key = no stroke (every non-swim step carries that).
STROKE_TYPES: dict[str, int] = {
    "any_stroke": 1,
    "backstroke": 2,
    "breaststroke": 3,
    "drill": 4,
    "fly": 5,
    "free": 6,
    "individual_medley": 7,
    "mixed": 8,
    "individual_medley_by_round": 9,
    "reverse_individual_medley_by_round": 10,
}

#: Swim equipment (``equipmentType``); 0 with a null key = none.
EQUIPMENT_TYPES: dict[str, int] = {
    "fins": 1,
    "kickboard": 2,
    "paddles": 3,
    "pull_buoy": 4,
    "snorkel": 5,
}

#: ``poolLengthUnit`` objects (``factor``: centimetres per unit).
POOL_LENGTH_UNITS: dict[str, dict[str, object]] = {
    "m": {"unitId": 1, "unitKey": "meter", "factor": 100.0},
    "yd": {"unitId": 230, "unitKey": "yard", "factor": 91.44},
}

STEP_DTO = "ExecutableStepDTO"
REPEAT_DTO = "RepeatGroupDTO"


def key_for(table: dict[str, int], type_id: int) -> str:
    """The key whose id is ``type_id``; ``KeyError`` names the id when there is none."""
    for key, value in table.items():
        if value == type_id:
            return key
    raise KeyError(f"unknown id {type_id}")
