"""What matching needs to know about a done activity, from a decoded FIT file or Garmin Connect JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from watchsync.activity.model import Activity
from watchsync.model.workout import Sport

if TYPE_CHECKING:
    from fit_tool.profile.profile_type import Sport as FitSport
    from fit_tool.profile.profile_type import SubSport as FitSubSport

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

#: :data:`watchsync.formats.fit_codes.SPORT_BY_PAIR` and ``SPORT_BY_FIT_SPORT`` by the names the
#: decoders give, so that summarising a decoded file needs no FIT profile (``fit_tool``'s enums cost
#: more to import than ``analyze`` has). A test checks every FIT sport and sub-sport name against
#: :func:`~watchsync.formats.fit_codes.sport_from_codes`.
SPORT_BY_NAMES: dict[tuple[str, str], Sport] = {
    ("running", "generic"): Sport.RUNNING, ("running", "trail"): Sport.TRAIL_RUNNING,
    ("running", "treadmill"): Sport.TREADMILL, ("running", "indoor_running"): Sport.TREADMILL,
    ("cycling", "road"): Sport.CYCLING, ("cycling", "indoor_cycling"): Sport.INDOOR_CYCLING,
    ("cycling", "spin"): Sport.INDOOR_CYCLING, ("cycling", "virtual_activity"): Sport.INDOOR_CYCLING,
    ("swimming", "lap_swimming"): Sport.POOL_SWIM, ("swimming", "open_water"): Sport.OPEN_WATER_SWIM,
    ("cross_country_skiing", "generic"): Sport.XC_SKIING, ("alpine_skiing", "backcountry"): Sport.SKI_MOUNTAINEERING,
    ("training", "strength_training"): Sport.STRENGTH, ("training", "yoga"): Sport.YOGA,
    ("training", "flexibility_training"): Sport.MOBILITY, ("training", "cardio_training"): Sport.CARDIO,
    ("generic", "generic"): Sport.OTHER, ("fitness_equipment", "treadmill"): Sport.TREADMILL,
    ("fitness_equipment", "indoor_cycling"): Sport.INDOOR_CYCLING,
}
SPORT_BY_NAME: dict[str, Sport] = {
    "running": Sport.RUNNING, "cycling": Sport.CYCLING, "swimming": Sport.POOL_SWIM,
    "cross_country_skiing": Sport.XC_SKIING, "training": Sport.CARDIO, "hiit": Sport.CARDIO,
    "mobility": Sport.MOBILITY,
}


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
        sport=sport_from_names(session.sport, session.sub_sport),
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


def sport_from_names(sport: str | None, sub_sport: str | None) -> Sport:
    """Model sport of a FIT sport / sub-sport as the decoders name them (unknown numbers arrive as
    their digits; unknown or missing → other)."""
    if sport is None:
        return Sport.OTHER
    if sport.isdigit() or (sub_sport is not None and sub_sport.isdigit()):
        return _sport_from_numbers(sport, sub_sport)
    sport, sub = sport.lower(), (sub_sport or "generic").lower()
    return SPORT_BY_NAMES.get((sport, sub)) or SPORT_BY_NAME.get(sport, Sport.OTHER)


def _sport_from_numbers(sport: str, sub_sport: str | None) -> Sport:
    from fit_tool.profile.profile_type import Sport as FitSport
    from fit_tool.profile.profile_type import SubSport as FitSubSport

    from watchsync.formats.fit_codes import sport_from_codes

    return sport_from_codes(_code(FitSport, sport), _code(FitSubSport, sub_sport))


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
