"""The FIT profile enums the workout-step decoder needs, as plain ``IntEnum`` copies.

Importing fit-tool's profile costs more than ``analyze`` may spend, so the decoder of workout steps
(:mod:`watchsync.formats.fit_workout_read`, also used on activities' embedded workouts) reads these;
a test checks every member against fit-tool's profile (Garmin FIT profile 21.x).
"""

from __future__ import annotations

from enum import IntEnum


class WorkoutStepDuration(IntEnum):
    """FIT ``workout_step_duration``."""

    TIME = 0
    DISTANCE = 1
    HR_LESS_THAN = 2
    HR_GREATER_THAN = 3
    CALORIES = 4
    OPEN = 5
    REPEAT_UNTIL_STEPS_CMPLT = 6
    REPEAT_UNTIL_TIME = 7
    REPEAT_UNTIL_DISTANCE = 8
    REPEAT_UNTIL_CALORIES = 9
    REPEAT_UNTIL_HR_LESS_THAN = 10
    REPEAT_UNTIL_HR_GREATER_THAN = 11
    REPEAT_UNTIL_POWER_LESS_THAN = 12
    REPEAT_UNTIL_POWER_GREATER_THAN = 13
    POWER_LESS_THAN = 14
    POWER_GREATER_THAN = 15
    TRAINING_PEAKS_TSS = 16
    REPEAT_UNTIL_POWER_LAST_LAP_LESS_THAN = 17
    REPEAT_UNTIL_MAX_POWER_LAST_LAP_LESS_THAN = 18
    POWER_3S_LESS_THAN = 19
    POWER_10S_LESS_THAN = 20
    POWER_30S_LESS_THAN = 21
    POWER_3S_GREATER_THAN = 22
    POWER_10S_GREATER_THAN = 23
    POWER_30S_GREATER_THAN = 24
    POWER_LAP_LESS_THAN = 25
    POWER_LAP_GREATER_THAN = 26
    REPEAT_UNTIL_TRAINING_PEAKS_TSS = 27
    REPETITION_TIME = 28
    REPS = 29
    TIME_ONLY = 31


class WorkoutStepTarget(IntEnum):
    """FIT ``workout_step_target``."""

    SPEED = 0
    HEART_RATE = 1
    OPEN = 2
    CADENCE = 3
    POWER = 4
    GRADE = 5
    RESISTANCE = 6
    POWER_3S = 7
    POWER_10S = 8
    POWER_30S = 9
    POWER_LAP = 10
    SWIM_STROKE = 11
    SPEED_LAP = 12
    HEART_RATE_LAP = 13


class Intensity(IntEnum):
    """FIT ``intensity``."""

    ACTIVE = 0
    REST = 1
    WARMUP = 2
    COOLDOWN = 3
    RECOVERY = 4
    INTERVAL = 5
    OTHER = 6


class SwimStroke(IntEnum):
    """FIT ``swim_stroke``."""

    FREESTYLE = 0
    BACKSTROKE = 1
    BREASTSTROKE = 2
    BUTTERFLY = 3
    DRILL = 4
    MIXED = 5
    IM = 6
    IM_BY_ROUND = 7
    RIMO = 8


class WorkoutEquipment(IntEnum):
    """FIT ``workout_equipment``."""

    NONE = 0
    SWIM_FINS = 1
    SWIM_KICKBOARD = 2
    SWIM_PADDLES = 3
    SWIM_PULL_BUOY = 4
    SWIM_SNORKEL = 5


class DisplayMeasure(IntEnum):
    """FIT ``display_measure``."""

    METRIC = 0
    STATUTE = 1
    NAUTICAL = 2


#: FIT ``file`` type of a workout file.
FILE_TYPE_WORKOUT = 5
