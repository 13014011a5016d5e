"""The plain enumerations of the workout model: sport (with its family and aliases) and step intensity.

They need no pydantic, so code that only names a sport (summarising a done activity, the training
rules) imports them from here without loading the workout model; :mod:`watchsync.model.workout`
re-exports them.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Sport(StrEnum):
    """Sports a workout can be written for."""

    RUNNING = "running"
    TRAIL_RUNNING = "trail_running"
    TREADMILL = "treadmill"
    CYCLING = "cycling"
    INDOOR_CYCLING = "indoor_cycling"
    POOL_SWIM = "pool_swim"
    OPEN_WATER_SWIM = "open_water_swim"
    XC_SKIING = "xc_skiing"
    SKI_MOUNTAINEERING = "ski_mountaineering"
    STRENGTH = "strength"
    YOGA = "yoga"
    MOBILITY = "mobility"
    CARDIO = "cardio"
    OTHER = "other"

    @property
    def family(self) -> str:
        """Coarse family used to match activities with planned sessions."""
        return SPORT_FAMILY[self]


SPORT_FAMILY: dict[Sport, str] = {
    Sport.RUNNING: "run",
    Sport.TRAIL_RUNNING: "run",
    Sport.TREADMILL: "run",
    Sport.CYCLING: "bike",
    Sport.INDOOR_CYCLING: "bike",
    Sport.POOL_SWIM: "swim",
    Sport.OPEN_WATER_SWIM: "swim",
    Sport.XC_SKIING: "ski",
    Sport.SKI_MOUNTAINEERING: "ski",
    Sport.STRENGTH: "strength",
    Sport.YOGA: "mobility",
    Sport.MOBILITY: "mobility",
    Sport.CARDIO: "other",
    Sport.OTHER: "other",
}

SPORT_ALIASES: dict[str, Sport] = {
    "run": Sport.RUNNING,
    "trail": Sport.TRAIL_RUNNING,
    "trail_run": Sport.TRAIL_RUNNING,
    "bike": Sport.CYCLING,
    "ride": Sport.CYCLING,
    "road_cycling": Sport.CYCLING,
    "indoor_bike": Sport.INDOOR_CYCLING,
    "trainer": Sport.INDOOR_CYCLING,
    "swim": Sport.POOL_SWIM,
    "swimming": Sport.POOL_SWIM,
    "lap_swimming": Sport.POOL_SWIM,
    "open_water": Sport.OPEN_WATER_SWIM,
    "xc_ski": Sport.XC_SKIING,
    "cross_country_skiing": Sport.XC_SKIING,
    "nordic_ski": Sport.XC_SKIING,
    "ski": Sport.XC_SKIING,  # a ski/ folder: a runner's cross-training on skis is cross-country
    "skimo": Sport.SKI_MOUNTAINEERING,
    "ski_touring": Sport.SKI_MOUNTAINEERING,
    "strength_training": Sport.STRENGTH,
    "gym": Sport.STRENGTH,
    "core": Sport.STRENGTH,
    "hiit": Sport.CARDIO,
    "cardio_training": Sport.CARDIO,
    # intervals.icu's activity types (``NordicSki``, ``VirtualRide`` … read as nordic_ski, virtual_ride)
    "virtual_ride": Sport.INDOOR_CYCLING,
    "gravel_ride": Sport.CYCLING,
    "mountain_bike_ride": Sport.CYCLING,
    "track_ride": Sport.CYCLING,
    "ebike_ride": Sport.CYCLING,
    "virtual_run": Sport.TREADMILL,
    "roller_ski": Sport.XC_SKIING,
    "virtual_ski": Sport.XC_SKIING,
    "backcountry_ski": Sport.SKI_MOUNTAINEERING,
    "weight_training": Sport.STRENGTH,
    "high_intensity_interval_training": Sport.CARDIO,
    "crossfit": Sport.CARDIO,
    "elliptical": Sport.CARDIO,
    "stair_stepper": Sport.CARDIO,
    "rowing": Sport.CARDIO,
    "row": Sport.CARDIO,  # a coach's row/ folder (probe icu21): 2:20/500m was a running pace
    "indoor_rowing": Sport.CARDIO,
    "virtual_row": Sport.CARDIO,
    "pilates": Sport.MOBILITY,
    "workout": Sport.OTHER,
    "walk": Sport.OTHER,
    "walking": Sport.OTHER,
    "hike": Sport.OTHER,
    "hiking": Sport.OTHER,
    "snowshoe": Sport.OTHER,
}


_SPORT_BY_VALUE: dict[str, Sport] = {sport.value: sport for sport in Sport}


def find_sport(text: str) -> Sport | None:
    """Sport from its name or a common alias (case- and dash-insensitive); None if ``text`` names none."""
    key = _sport_key(text)
    return SPORT_ALIASES.get(key) or _SPORT_BY_VALUE.get(key)


def parse_sport(text: str) -> Sport:
    """Sport from its name or a common alias (case- and dash-insensitive); ValueError if none."""
    return find_sport(text) or Sport(_sport_key(text))


def _sport_key(text: str) -> str:
    """``Nordic ski``, ``nordic-ski`` and ``NordicSki`` (intervals.icu's type names) → ``nordic_ski``."""
    return _WORD_START.sub("_", text.strip()).lower().replace("-", "_").replace(" ", "_")


_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z])")


class Intensity(StrEnum):
    """What a step is for; maps to FIT intensity and Garmin step types."""

    WARMUP = "warmup"
    ACTIVE = "active"
    INTERVAL = "interval"
    RECOVERY = "recovery"
    REST = "rest"
    COOLDOWN = "cooldown"
    OTHER = "other"
