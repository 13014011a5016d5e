"""FIT workout codes shared by the writer and the reader: sports, intensities, offsets, exercises.

Exercise numbers come from ``data/fit_exercises.json`` (generated from Garmin's FIT profile by
``scripts/gen_fit_exercises.py``), keyed by Garmin Connect's category / exercise names.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import NamedTuple

from fit_tool.profile.profile_type import Intensity as FitIntensity
from fit_tool.profile.profile_type import Sport as FitSport
from fit_tool.profile.profile_type import SubSport as FitSubSport

from watchsync.formats.fit_units import CM_PER_METER as CM_PER_METER
from watchsync.formats.fit_units import EXERCISE_WEIGHT_SCALE as EXERCISE_WEIGHT_SCALE
from watchsync.formats.fit_units import HR_OFFSET as HR_OFFSET
from watchsync.formats.fit_units import MM_PER_METER as MM_PER_METER
from watchsync.formats.fit_units import MS_PER_SECOND as MS_PER_SECOND
from watchsync.formats.fit_units import POWER_OFFSET as POWER_OFFSET
from watchsync.model.workout import Exercise, Intensity, Sport

SPORT_CODES: dict[Sport, tuple[FitSport, FitSubSport]] = {
    Sport.RUNNING: (FitSport.RUNNING, FitSubSport.GENERIC),
    Sport.TRAIL_RUNNING: (FitSport.RUNNING, FitSubSport.TRAIL),
    Sport.TREADMILL: (FitSport.RUNNING, FitSubSport.TREADMILL),
    Sport.CYCLING: (FitSport.CYCLING, FitSubSport.ROAD),
    Sport.INDOOR_CYCLING: (FitSport.CYCLING, FitSubSport.INDOOR_CYCLING),
    Sport.POOL_SWIM: (FitSport.SWIMMING, FitSubSport.LAP_SWIMMING),
    Sport.OPEN_WATER_SWIM: (FitSport.SWIMMING, FitSubSport.OPEN_WATER),
    Sport.XC_SKIING: (FitSport.CROSS_COUNTRY_SKIING, FitSubSport.GENERIC),
    # FIT has no ski-mountaineering sport; Garmin records ski touring as backcountry alpine skiing.
    Sport.SKI_MOUNTAINEERING: (FitSport.ALPINE_SKIING, FitSubSport.BACKCOUNTRY),
    Sport.STRENGTH: (FitSport.TRAINING, FitSubSport.STRENGTH_TRAINING),
    Sport.YOGA: (FitSport.TRAINING, FitSubSport.YOGA),
    Sport.MOBILITY: (FitSport.TRAINING, FitSubSport.FLEXIBILITY_TRAINING),
    Sport.CARDIO: (FitSport.TRAINING, FitSubSport.CARDIO_TRAINING),
    Sport.OTHER: (FitSport.GENERIC, FitSubSport.GENERIC),
}

#: Reading: exact (sport, sub_sport) pairs first, then the sport alone.
SPORT_BY_PAIR: dict[tuple[int, int], Sport] = {
    (fit.value, sub.value): sport for sport, (fit, sub) in SPORT_CODES.items()
} | {
    (FitSport.RUNNING.value, FitSubSport.INDOOR_RUNNING.value): Sport.TREADMILL,
    (FitSport.CYCLING.value, FitSubSport.SPIN.value): Sport.INDOOR_CYCLING,
    (FitSport.CYCLING.value, FitSubSport.VIRTUAL_ACTIVITY.value): Sport.INDOOR_CYCLING,
    (FitSport.FITNESS_EQUIPMENT.value, FitSubSport.TREADMILL.value): Sport.TREADMILL,
    (FitSport.FITNESS_EQUIPMENT.value, FitSubSport.INDOOR_CYCLING.value): Sport.INDOOR_CYCLING,
    (FitSport.FITNESS_EQUIPMENT.value, FitSubSport.ELLIPTICAL.value): Sport.CARDIO,
    (FitSport.FITNESS_EQUIPMENT.value, FitSubSport.STAIR_CLIMBING.value): Sport.CARDIO,
    (FitSport.FITNESS_EQUIPMENT.value, FitSubSport.INDOOR_ROWING.value): Sport.CARDIO,
}
SPORT_BY_FIT_SPORT: dict[int, Sport] = {
    FitSport.RUNNING.value: Sport.RUNNING,
    FitSport.CYCLING.value: Sport.CYCLING,
    FitSport.E_BIKING.value: Sport.CYCLING,  # as Garmin Connect's e_bike_* activity types
    FitSport.SWIMMING.value: Sport.POOL_SWIM,
    FitSport.CROSS_COUNTRY_SKIING.value: Sport.XC_SKIING,
    FitSport.TRAINING.value: Sport.CARDIO,
    FitSport.HIIT.value: Sport.CARDIO,
    FitSport.MOBILITY.value: Sport.MOBILITY,
    FitSport.ROWING.value: Sport.CARDIO,  # as the workout alias "rowing" reads
}

INTENSITY_CODES: dict[Intensity, FitIntensity] = {
    Intensity.ACTIVE: FitIntensity.ACTIVE,
    Intensity.REST: FitIntensity.REST,
    Intensity.WARMUP: FitIntensity.WARMUP,
    Intensity.COOLDOWN: FitIntensity.COOLDOWN,
    Intensity.RECOVERY: FitIntensity.RECOVERY,
    Intensity.INTERVAL: FitIntensity.INTERVAL,
    Intensity.OTHER: FitIntensity.OTHER,
}
INTENSITY_BY_CODE: dict[int, Intensity] = {code.value: ours for ours, code in INTENSITY_CODES.items()}


def sport_from_codes(sport: int | None, sub_sport: int | None) -> Sport:
    """Model sport for a FIT sport / sub_sport pair (unknown or missing → other)."""
    if sport is None:
        return Sport.OTHER
    pair = SPORT_BY_PAIR.get((sport, sub_sport if sub_sport is not None else FitSubSport.GENERIC.value))
    return pair or SPORT_BY_FIT_SPORT.get(sport, Sport.OTHER)


class ExerciseCategory(NamedTuple):
    """One FIT exercise category: its number and its exercise names (Connect key → number)."""

    id: int
    names: dict[str, int]


@cache
def _categories() -> dict[str, ExerciseCategory]:
    text = files("watchsync").joinpath("data", "fit_exercises.json").read_text(encoding="utf-8")
    raw = json.loads(text)["categories"]
    return {key: ExerciseCategory(value["id"], value["names"]) for key, value in raw.items()}


@cache
def _categories_by_id() -> dict[int, tuple[str, dict[int, str]]]:
    return {
        category.id: (key, {number: name for name, number in category.names.items()})
        for key, category in _categories().items()
    }


def category_key(value: str) -> str | None:
    """A FIT exercise_category as the model names it (``"28"`` or ``"squat"`` → ``"SQUAT"``); None if unknown."""
    if value.isdigit():
        found = _categories_by_id().get(int(value))
        return found[0] if found else None
    key = value.upper()
    return key if key in _categories() else None


def exercise_codes(exercise: Exercise) -> tuple[int, int | None]:
    """FIT (exercise_category, exercise_name) for a Connect exercise.

    Connect's generic entries repeat the category as the name (``BENCH_PRESS``/``BENCH_PRESS``);
    when FIT has no such name the step carries the category alone (name ``None``).
    Raises ``KeyError`` naming what is unknown.
    """
    category = _categories().get(exercise.category)
    if category is None:
        raise KeyError(f"unknown exercise category {exercise.category!r}")
    name_id = category.names.get(exercise.name)
    if name_id is None and exercise.name != exercise.category:
        raise KeyError(f"unknown exercise {exercise.name!r} in category {exercise.category!r}")
    return category.id, name_id


def exercise_from_codes(category_id: int, name_id: int | None) -> Exercise | None:
    """Connect exercise for FIT numbers; ``None`` when the category is unknown.

    A missing or unknown name gives the category's generic exercise (category repeated as name).
    """
    found = _categories_by_id().get(category_id)
    if found is None:
        return None
    category_key, names = found
    name = names.get(name_id, category_key) if name_id is not None else category_key
    return Exercise(category=category_key, name=name)


def exercise_name_known(category_id: int, name_id: int) -> bool:
    """Whether the FIT profile watchsync carries names exercise ``name_id`` of category ``category_id``."""
    found = _categories_by_id().get(category_id)
    return found is not None and name_id in found[1]
