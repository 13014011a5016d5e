"""Scoring an activity against the workout embedded in it (the copy a watch stores when it runs one).

The activity decoder hands over the raw ``workout`` / ``workout_step`` values; the one FIT
workout-step decoder, :func:`watchsync.formats.fit_workout_read.workout_from_messages`, turns them
into the workout model (raw conventions in that module). For scoring, a zone target reads as the
bounds the watch wrote beside it (``bounds=True``: Garmin writes both, the zone and its bounds),
% of max HR becomes bpm with ``max_hr`` and % of FTP watts with ``ftp`` (else open), and a zone the
watch wrote no bounds for is open: the watch's zones are not in the file.
"""

from __future__ import annotations

from watchsync.activity.model import Activity
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.score import IntensityScore, score_intensity
from watchsync.formats.fit_workout_read import workout_from_messages
from watchsync.model.workout import (
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    OpenTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    Sport,
    Step,
    Target,
    Workout,
)


def score_against_embedded(activity: Activity, *, max_hr: float | None = None, ftp: float | None = None,
                           config: ComplianceConfig | None = None) -> IntensityScore:
    """Time in target per step of the workout the activity carries; ``ValueError`` if it has none."""
    return score_intensity(embedded_workout(activity, max_hr=max_hr, ftp=ftp), activity, config)


def embedded_workout(activity: Activity, *, max_hr: float | None = None, ftp: float | None = None) -> Workout:
    """The embedded workout as a model workout with concrete targets (see the module docstring)."""
    if activity.workout is None or not activity.workout.steps:
        raise ValueError("the activity carries no workout steps")
    workout = workout_from_messages(activity.workout.workout, activity.workout.steps,
                                    fallback_name="embedded workout", bounds=True, sport=Sport.OTHER)
    return workout.model_copy(update={"steps": [_concrete_block(b, max_hr, ftp) for b in workout.steps]})


def _concrete_block(block: Step | Repeat, max_hr: float | None, ftp: float | None) -> Step | Repeat:
    if isinstance(block, Repeat):
        return block.model_copy(update={"steps": [_concrete_block(b, max_hr, ftp) for b in block.steps]})
    secondary = _concrete(block.secondary, max_hr, ftp) if block.secondary is not None else None
    return block.model_copy(update={"target": _concrete(block.target, max_hr, ftp),
                                    "secondary": None if isinstance(secondary, OpenTarget) else secondary})


def _concrete(target: Target, max_hr: float | None, ftp: float | None) -> Target:
    match target:
        case HeartRatePercentMaxTarget(low=low, high=high):
            return HeartRateTarget(low=low * max_hr / 100, high=high * max_hr / 100) if max_hr else OpenTarget()
        case PowerPercentFtpTarget(low=low, high=high):
            return PowerTarget(low=low * ftp / 100, high=high * ftp / 100) if ftp else OpenTarget()
        case HeartRateZoneTarget() | PowerZoneTarget() | PaceZoneTarget():
            return OpenTarget()
    return target
