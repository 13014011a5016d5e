"""Garmin Connect workout vocabulary: the numeric ids of garminconnect 0.3.20.

Garmin trusts the numeric ids only (a wrong id is stored as another type with HTTP 200), so the
writer, the reader and the local server all take their ids from these tables.
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
    "reps": 10,
}

TARGET_TYPES: dict[str, int] = {
    "no.target": 1,
    "power.zone": 2,
    "cadence": 3,
    "heart.rate.zone": 4,
    "speed.zone": 5,
    "pace.zone": 6,
}

STEP_DTO = "ExecutableStepDTO"
REPEAT_DTO = "RepeatGroupDTO"


def key_for(table: dict[str, int], type_id: int) -> str:
    """The key whose id is ``type_id``; ``KeyError`` names the id when there is none."""
    for key, value in table.items():
        if value == type_id:
            return key
    raise KeyError(f"unknown id {type_id}")
