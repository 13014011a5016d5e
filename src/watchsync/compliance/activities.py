"""What matching needs to know about a done activity, from a decoded FIT file or Garmin Connect JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fit_tool.profile.profile_type import Sport as FitSport
from fit_tool.profile.profile_type import SubSport as FitSubSport
from pydantic import BaseModel, ConfigDict, Field

from watchsync.activity.model import Activity
from watchsync.formats.fit_codes import sport_from_codes
from watchsync.model.workout import Sport

#: Garmin Connect ``activityType.typeKey`` → sport (unlisted keys: see :func:`_connect_sport`).
CONNECT_SPORTS: dict[str, Sport] = {
    "running": Sport.RUNNING, "street_running": Sport.RUNNING, "track_running": Sport.RUNNING,
    "trail_running": Sport.TRAIL_RUNNING, "treadmill_running": Sport.TREADMILL,
    "indoor_running": Sport.TREADMILL, "cycling": Sport.CYCLING, "road_biking": Sport.CYCLING,
    "gravel_cycling": Sport.CYCLING, "mountain_biking": Sport.CYCLING,
    "indoor_cycling": Sport.INDOOR_CYCLING, "virtual_ride": Sport.INDOOR_CYCLING,
    "lap_swimming": Sport.POOL_SWIM, "open_water_swimming": Sport.OPEN_WATER_SWIM,
    "cross_country_skiing_ws": Sport.XC_SKIING, "skate_skiing_ws": Sport.XC_SKIING,
    "backcountry_skiing": Sport.SKI_MOUNTAINEERING, "strength_training": Sport.STRENGTH,
    "yoga": Sport.YOGA, "mobility": Sport.MOBILITY, "hiit": Sport.CARDIO, "cardio": Sport.CARDIO,
}
RPE_SCALE = 10  # FIT workout_rpe and Connect directWorkoutRpe store RPE × 10


class ActivitySummary(BaseModel):
    """A done activity: when, what, how much, and Garmin's link to the workout it executed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    sport: Sport
    start: datetime = Field(description="local start time; its date is the day it counts for")
    duration_s: float = Field(ge=0)
    distance_m: float | None = Field(default=None, ge=0)
    avg_hr: float | None = None
    workout_rpe: float | None = Field(default=None, ge=0, le=10, description="reported CR-10 RPE")
    associated_workout_id: int | None = None


def summary_from_fit(activity_id: str, activity: Activity,
                     associated_workout_id: int | None = None) -> ActivitySummary:
    """Summary of a decoded FIT activity (first session; its local start time is not in FIT)."""
    session = activity.sessions[0] if activity.sessions else None
    start = session.start_time if session else None
    if session is None or start is None:
        raise ValueError(f"activity {activity_id}: no session with a start time")
    return ActivitySummary(
        id=activity_id,
        sport=sport_from_codes(_code(FitSport, session.sport), _code(FitSubSport, session.sub_sport)),
        start=start,
        duration_s=activity.total_elapsed_time,
        distance_m=sum(s.total_distance or 0.0 for s in activity.sessions),
        avg_hr=session.avg_heart_rate,
        workout_rpe=session.workout_rpe,
        associated_workout_id=associated_workout_id,
    )


def summary_from_connect(item: Mapping[str, Any]) -> ActivitySummary:
    """Summary of one Garmin Connect activity (list item or detail; nested DTOs are looked into)."""
    summary = item.get("summaryDTO") or {}
    metadata = item.get("metadataDTO") or {}
    start = item.get("startTimeLocal") or summary.get("startTimeLocal")
    if item.get("activityId") is None:
        raise ValueError("Garmin Connect activity without activityId")
    if not isinstance(start, str):
        raise ValueError(f"activity {item.get('activityId')}: no startTimeLocal")
    rpe = item.get("directWorkoutRpe", summary.get("directWorkoutRpe"))
    workout_id = item.get("associatedWorkoutId", metadata.get("associatedWorkoutId"))
    type_key = (item.get("activityType") or item.get("activityTypeDTO") or {}).get("typeKey", "")
    return ActivitySummary(
        id=str(item["activityId"]),
        sport=_connect_sport(str(type_key)),
        start=datetime.fromisoformat(start),
        duration_s=float(item.get("duration", summary.get("duration", 0.0)) or 0.0),
        distance_m=_number(item.get("distance", summary.get("distance"))),
        avg_hr=_number(item.get("averageHR", summary.get("averageHR"))),
        workout_rpe=None if rpe is None else float(rpe) / RPE_SCALE,
        associated_workout_id=None if workout_id is None else int(workout_id),
    )


def _connect_sport(type_key: str) -> Sport:
    if type_key in CONNECT_SPORTS:
        return CONNECT_SPORTS[type_key]
    for word, sport in (("run", Sport.RUNNING), ("cycl", Sport.CYCLING), ("bik", Sport.CYCLING),
                        ("swim", Sport.POOL_SWIM), ("ski", Sport.XC_SKIING)):
        if word in type_key:
            return sport
    return Sport.OTHER


def _code(enum: type[FitSport] | type[FitSubSport], name: str | None) -> int | None:
    """FIT code of an enum name as the decoder gives it (unknown names arrive as their number)."""
    if name is None:
        return None
    if name.isdigit():
        return int(name)
    member = enum.__members__.get(name.upper())
    return None if member is None else int(member.value)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
