"""Scoring an activity against the workout embedded in it (the copy a watch stores when it runs one).

The decoder hands over the raw ``workout_step`` values; this module turns the ones scoring needs
(end condition, target band, intensity, repeats) into the workout model. Custom target ranges win
over zone numbers (Garmin writes both: the zone and its bounds). Raw value conventions:

- heart rate: above 100 is bpm + 100; at most 100 is % of max HR (needs ``max_hr``, else open);
- power: above 1000 is W + 1000; at most 1000 is % of FTP for ``power`` targets (needs ``ftp``,
  else open) but plain watts for the averaged kinds (``power_3s``, ``power_10s``, ``power_30s``,
  ``power_lap``): that is what Garmin devices write (the Edge 530 fixture ``hrv-activity.fit`` has
  ``power_3s`` 136–186 for zone 2 of a 248 W FTP);
- speed in mm/s, time in ms, distance in cm.

A power band starting at 0 W starts at 1 W instead: the model's power target must be positive.
"""

from __future__ import annotations

from typing import Any

from watchsync.activity.model import Activity
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.score import IntensityScore, score_intensity
from watchsync.formats.fit_units import CM_PER_METER, HR_OFFSET, MM_PER_METER, MS_PER_SECOND, POWER_OFFSET
from watchsync.model.workout import (
    CadenceTarget,
    DistanceDuration,
    Duration,
    HeartRateTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PowerTarget,
    Repeat,
    SpeedTarget,
    Sport,
    Step,
    Target,
    TimeDuration,
    Workout,
)

HR_KINDS = frozenset({"heart_rate", "heart_rate_lap"})
SPEED_KINDS = frozenset({"speed", "speed_lap"})
PERCENT_POWER_KINDS = frozenset({"power"})
WATT_POWER_KINDS = frozenset({"power_3s", "power_10s", "power_30s", "power_lap"})
REPEAT_KIND = "repeat_until_steps_cmplt"
MIN_POWER_W = 1.0


def score_against_embedded(activity: Activity, *, max_hr: float | None = None, ftp: float | None = None,
                           config: ComplianceConfig | None = None) -> IntensityScore:
    """Time in target per step of the workout the activity carries; ``ValueError`` if it has none."""
    return score_intensity(embedded_workout(activity, max_hr=max_hr, ftp=ftp), activity, config)


def embedded_workout(activity: Activity, *, max_hr: float | None = None, ftp: float | None = None) -> Workout:
    """The embedded workout as a model workout with concrete targets (see the module docstring)."""
    if activity.workout is None or not activity.workout.steps:
        raise ValueError("the activity carries no workout steps")
    raw_steps = sorted(activity.workout.steps, key=lambda s: int(s.get("message_index", 0)))
    entries: list[tuple[int, Step | Repeat]] = []
    for position, raw in enumerate(raw_steps):
        index = int(raw.get("message_index", position))
        if raw.get("duration_type") == REPEAT_KIND:
            first = int(raw.get("duration_value", 0))
            block = [b for i, b in entries if i >= first]
            if not block:
                raise ValueError(f"workout_step {index}: repeat of steps from {first} has no steps")
            entries = [(i, b) for i, b in entries if i < first]
            entries.append((first, Repeat(count=max(1, int(raw.get("target_value", 1))), steps=block)))
        else:
            entries.append((index, _step(raw, max_hr, ftp)))
    name = str(activity.workout.workout.get("wkt_name") or "embedded workout")
    return Workout(name=name, sport=Sport.OTHER, steps=[block for _, block in entries])


def _step(raw: dict[str, Any], max_hr: float | None, ftp: float | None) -> Step:
    return Step(
        intensity=_intensity(raw.get("intensity")),
        duration=_duration(raw),
        target=_target(raw, max_hr, ftp),
        name=raw.get("wkt_step_name"),
    )


def _intensity(value: object) -> Intensity:
    try:
        return Intensity(str(value))
    except ValueError:
        return Intensity.ACTIVE


def _duration(raw: dict[str, Any]) -> Duration:
    value = raw.get("duration_value")
    if not isinstance(value, int | float) or value <= 0:
        return LapButton()
    if raw.get("duration_type") == "time":
        return TimeDuration(seconds=value / MS_PER_SECOND)
    if raw.get("duration_type") == "distance":
        return DistanceDuration(meters=value / CM_PER_METER)
    return LapButton()


def _target(raw: dict[str, Any], max_hr: float | None, ftp: float | None) -> Target:
    kind = raw.get("target_type")
    low, high = raw.get("custom_target_value_low"), raw.get("custom_target_value_high")
    if not isinstance(low, int | float) or not isinstance(high, int | float) or high <= 0:
        return OpenTarget()
    if kind in HR_KINDS:
        if low > HR_OFFSET:
            return HeartRateTarget(low=low - HR_OFFSET, high=high - HR_OFFSET)
        return HeartRateTarget(low=low * max_hr / 100, high=high * max_hr / 100) if max_hr else OpenTarget()
    if kind in SPEED_KINDS:
        return SpeedTarget(low=max(low, 1) / MM_PER_METER, high=high / MM_PER_METER)
    if kind in PERCENT_POWER_KINDS | WATT_POWER_KINDS:
        if high > POWER_OFFSET:
            return _power(low - POWER_OFFSET, high - POWER_OFFSET)
        if kind in WATT_POWER_KINDS:
            return _power(low, high)
        return _power(low * ftp / 100, high * ftp / 100) if ftp else OpenTarget()
    if kind == "cadence":
        return CadenceTarget(low=max(low, 1), high=high)
    return OpenTarget()


def _power(low: float, high: float) -> PowerTarget:
    return PowerTarget(low=max(low, MIN_POWER_W), high=high)
