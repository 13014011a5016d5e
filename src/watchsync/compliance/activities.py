"""What matching needs to know about a done activity, from a decoded FIT file or Garmin Connect JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from watchsync.activity.model import Activity, Clock
from watchsync.activity.sessions import SessionPart, session_parts
from watchsync.errors import InputError
from watchsync.model.enums import Sport

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
    "yoga": Sport.YOGA, "mobility": Sport.MOBILITY, "pilates": Sport.MOBILITY, "hiit": Sport.CARDIO,
    "indoor_cardio": Sport.CARDIO, "cardio": Sport.CARDIO, "indoor_rowing": Sport.CARDIO, "rowing": Sport.CARDIO,
    "rowing_v2": Sport.CARDIO, "elliptical": Sport.CARDIO, "stair_climbing": Sport.CARDIO,
    "backcountry_skiing_snowboarding_ws": Sport.SKI_MOUNTAINEERING,
    # what a run recorded by mistake is corrected to in Connect: never a run (Garmin keeps the FIT as it was)
    "walking": Sport.OTHER, "casual_walking": Sport.OTHER, "speed_walking": Sport.OTHER, "hiking": Sport.OTHER,
}
#: Connect type keys holding a sport's word that are not that sport (``resort_skiing``: lift-served, as
#: FIT's alpine skiing; ``bike_to_run_transition``: a triathlon transition), read before the words below.
NOT_THE_SPORT_NAMED = ("resort", "snowboard", "transition")
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
    # gym machines: cardio, as Connect's workout sports and the workout aliases (rowing, elliptical) read
    ("fitness_equipment", "elliptical"): Sport.CARDIO, ("fitness_equipment", "stair_climbing"): Sport.CARDIO,
    ("fitness_equipment", "indoor_rowing"): Sport.CARDIO,
}
SPORT_BY_NAME: dict[str, Sport] = {
    "running": Sport.RUNNING, "cycling": Sport.CYCLING, "e_biking": Sport.CYCLING, "swimming": Sport.POOL_SWIM,
    "cross_country_skiing": Sport.XC_SKIING, "training": Sport.CARDIO, "hiit": Sport.CARDIO,
    "mobility": Sport.MOBILITY, "rowing": Sport.CARDIO,
}



class NotAnActivity(InputError):
    """A FIT file that is not an activity, or holds nothing with a (real) time."""

class ActivitySummary(BaseModel):
    """A done activity (or one session of a multi-session file): when, what, how much, and Garmin's link.

    ``duration_s`` is the timer (moving) time, what volume, load and compliance use; ``elapsed_s``
    the wall-clock time from start to end, pauses included.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    sport: Sport
    start: datetime = Field(description="local start time; its date is the day it counts for")
    duration_s: float = Field(ge=0, description="timer (moving) time")
    distance_m: float | None = Field(default=None, ge=0)
    avg_hr: float | None = None
    workout_rpe: float | None = Field(default=None, ge=0, le=10, description="reported CR-10 RPE")
    associated_workout_id: int | None = None
    title: str | None = Field(default=None, description="the activity's name at Garmin Connect")
    elapsed_s: float | None = Field(default=None, ge=0, description="elapsed time, pauses included")
    max_hr: float | None = None
    sub_sport: str | None = Field(default=None, description="the FIT sub_sport name")
    fit_sport: str | None = Field(default=None, description="the FIT sport name when watchsync reads it as other "
                                  "(walking, hiking)")
    avg_power: float | None = None
    max_power: float | None = None
    pool_length_m: float | None = Field(default=None, gt=0)
    session: int | None = Field(default=None, ge=1, description="its number in a multi-session file")
    transition: bool = Field(default=False, description="a triathlon transition: never matched")
    ascent_m: float | None = Field(default=None, ge=0, description="total ascent, as the device or Garmin measured it")
    doubts: list[str] = Field(default_factory=list, description="what the file's numbers contradict: a run faster "
                              "than any runner, a swim with no pool, lengths or distance")
    manual: bool = Field(default=False, description="entered by hand in Garmin Connect: no file, no heart rate "
                         "or steps")


def local_start(start: datetime, clock: Clock, file_offset: float | None, zone: str | None,
                offset_at: datetime | None = None, *, zero_is_a_zone: bool = False) -> datetime:
    """The local start of a FIT time: the file's own UTC offset, else the athlete's zone (else the host's).
    An offset of 0 where the athlete's zone has another is no zone: writers that copy the UTC time into
    ``local_timestamp`` (COROS, some apps) say nothing of the local time; a Garmin's 0 is a zone
    (``zero_is_a_zone``: a Berlin runner's run in London; probe review18).

    The file's offset is the one at ``offset_at`` (the activity's end): when the athlete's zone has
    that offset then, the zone's offset at the start is used, so that an activity across a daylight
    saving change starts at the right local time (and on the right day). On the ``"local"`` clock
    ``start`` already is the local wall-clock time (carried as UTC).
    """
    if clock == "local":
        naive = start.replace(tzinfo=None)
        return naive.replace(tzinfo=ZoneInfo(zone)) if zone else naive.astimezone()
    if file_offset == 0.0 and not zero_is_a_zone and zone and _offset_s(ZoneInfo(zone), offset_at or start) != 0.0:
        file_offset = None  # local time written as UTC (COROS, some apps): no zone said, the athlete's is (fit12)
    if file_offset is not None:
        if zone and offset_at is not None and _offset_s(ZoneInfo(zone), offset_at) == file_offset:
            return start.astimezone(ZoneInfo(zone))
        return start.astimezone(timezone(timedelta(seconds=file_offset)))
    return start.astimezone(ZoneInfo(zone)) if zone else start.astimezone()


def _offset_s(zone: ZoneInfo, moment: datetime) -> float | None:
    offset = moment.astimezone(zone).utcoffset()
    return None if offset is None else offset.total_seconds()


def summaries_from_fit(activity_id: str, activity: Activity, parts: Sequence[SessionPart] | None = None, *,
                       associated_workout_id: int | None = None, zone: str | None = None) -> list[ActivitySummary]:
    """One summary per session (``<id>#<n>`` when there are several), local start times.

    :class:`NotAnActivity` when the file has no session nor record with a time, or only
    device-relative times (its start is unknown).
    """
    parts = session_parts(activity) if parts is None else parts
    if not parts:
        raise NotAnActivity(f"activity {activity_id}: no session and no records with a time")
    if activity.clock == "device":
        raise NotAnActivity(f"activity {activity_id}: timestamps are device-relative and the file gives no real "
                         "time (its start is unknown)")
    many = len(parts) > 1
    summaries = [_summary(f"{activity_id}#{part.number + 1}" if many else activity_id, activity, part,
                          associated_workout_id, zone, many) for part in parts]
    rated = {s.workout_rpe for s in summaries if s.workout_rpe is not None}
    if many and len(rated) == 1:  # the watch asks once, at the end, and stores it in the last session:
        rpe = rated.pop()        # the athlete's rating of the whole activity, as Connect's is for each leg
        summaries = [s if s.workout_rpe is not None else s.model_copy(update={"workout_rpe": rpe})
                     for s in summaries]
    return summaries


def summary_from_fit(activity_id: str, activity: Activity, associated_workout_id: int | None = None,
                     zone: str | None = None) -> ActivitySummary:
    """The whole file as one summary: its one session, or its sessions combined (see `combine`)."""
    parts = session_parts(activity)
    sessions = summaries_from_fit(activity_id, activity, parts, associated_workout_id=associated_workout_id, zone=zone)
    return sessions[0] if len(sessions) == 1 else combine(activity_id, sessions, [part.hr_seconds for part in parts])


def combine(activity_id: str, sessions: Sequence[ActivitySummary],
            hr_seconds: Sequence[float] | None = None) -> ActivitySummary:
    """A multi-session file as one: times, distance summed; power weighted by timer time, HR by each
    session's seconds with a heart rate (``hr_seconds``, from its records; its timer time where it has
    none): a swim leg with one reading in eleven minutes does not pull a triathlon's average down.

    Sport and sub-sport are the sessions' own when all (transitions aside) share them, else
    ``other`` and ``"multisport"``; power only when they share a sport.
    """
    first = min(sessions, key=lambda s: s.start)
    sports = {s.sport for s in sessions if not s.transition} or {s.sport for s in sessions}
    sub_sports = {s.sub_sport for s in sessions if not s.transition}
    ends = [s.start + timedelta(seconds=s.elapsed_s or s.duration_s) for s in sessions]
    duration = sum(s.duration_s for s in sessions)
    # never less than the timer: the first session owns the records before its start (a watch that
    # recorded before the session began), which its timer counts
    elapsed = max((max(ends) - first.start).total_seconds(), duration)
    one_sport = len(sports) == 1
    return ActivitySummary(
        id=activity_id,
        sport=sports.pop() if len(sports) == 1 else Sport.OTHER,
        start=first.start,
        duration_s=duration,
        distance_m=_total([s.distance_m for s in sessions]),
        avg_hr=_whole(_weighted([(s.avg_hr, seconds or s.duration_s) for s, seconds
                                 in zip(sessions, hr_seconds or [0.0] * len(sessions), strict=True)])),
        workout_rpe=next((s.workout_rpe for s in sessions if s.workout_rpe is not None), None),
        associated_workout_id=first.associated_workout_id,
        title=first.title,
        elapsed_s=elapsed,
        max_hr=max((s.max_hr for s in sessions if s.max_hr is not None), default=None),
        sub_sport=sub_sports.pop() if len(sub_sports) == 1 and len(sports) <= 1 else "multisport",
        # power of different sports is not one figure (a triathlon's run power is no "403 W" triathlon)
        avg_power=_whole(_weighted([(s.avg_power, s.duration_s) for s in sessions])) if one_sport else None,
        max_power=max((s.max_power for s in sessions if s.max_power is not None), default=None) if one_sport
        else None,
        pool_length_m=next((s.pool_length_m for s in sessions if s.pool_length_m is not None), None),
        ascent_m=_total([s.ascent_m for s in sessions]),
        doubts=[doubt for s in sessions for doubt in s.doubts],
    )


def _summary(summary_id: str, activity: Activity, part: SessionPart, associated_workout_id: int | None,
             zone: str | None, many: bool) -> ActivitySummary:
    session = part.session
    pool = part.activity.pool_length if part.activity.lengths or (session is not None and session.pool_length) \
        else None
    sport_name, sub_sport = (session.sport, session.sub_sport) if session is not None else _declared_sport(part)
    sport = sport_from_names(sport_name, sub_sport)
    if sport is Sport.POOL_SWIM and pool is None and _open_water(part, sub_sport):
        sport = Sport.OPEN_WATER_SWIM
    return ActivitySummary(
        id=summary_id,
        sport=sport,
        start=local_start(part.start, activity.clock, activity.utc_offset, zone,
                          activity.info.timestamp if activity.info is not None else None,
                          zero_is_a_zone=any(f.manufacturer == "garmin" for f in activity.file_ids)),
        duration_s=part.timer_s,
        distance_m=part.distance_m,
        avg_hr=_whole(part.avg_hr),
        workout_rpe=session.workout_rpe if session is not None else None,
        associated_workout_id=associated_workout_id,
        elapsed_s=part.elapsed_s,
        max_hr=part.max_hr,
        sub_sport=sub_sport,
        # a FIT sport watchsync has none of (walking, hiking): "other" alone tells it from nothing (fit12)
        fit_sport=sport_name if sport is Sport.OTHER and sport_name not in (None, "generic") else None,
        avg_power=_whole(part.avg_power),
        max_power=part.max_power,
        pool_length_m=pool,
        session=part.number + 1 if many else None,
        transition=part.is_transition,
        ascent_m=part.ascent_m,
        doubts=list(part.doubts),
    )


def _open_water(part: SessionPart, sub_sport: str | None) -> bool:
    """A swim named only ``swimming`` (third-party exporters) that has a GPS track and neither a pool
    length nor lengths: an open-water swim."""
    if sub_sport not in (None, "generic") or part.activity.lengths:
        return False
    return bool((~np.isnan(part.activity.records.position_lat)).any())


def _declared_sport(part: SessionPart) -> tuple[str | None, str | None]:
    """A file without a session (a watch that died mid-run): the sport and sub-sport its laps share,
    else its `sport` messages, else the workout it ran, if they name one."""
    for pairs in ({(lap.sport, lap.sub_sport) for lap in part.activity.laps if lap.sport is not None},
                  {pair for pair in part.activity.sports if pair[0] is not None}):
        if pairs:
            return pairs.pop() if len(pairs) == 1 else (None, None)
    ran = part.activity.workout.workout if part.activity.workout is not None else {}
    sport = ran.get("sport")
    return (_sport_name(sport), _sport_name(ran.get("sub_sport"))) if sport is not None else (None, None)


def _sport_name(value: object) -> str | None:
    return None if value is None else str(value)


def _total(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _whole(value: float | None) -> float | None:
    """A mean heart rate or power in whole units, as Garmin states them (bpm, W)."""
    return None if value is None else float(round(value))


def _weighted(pairs: Sequence[tuple[float | None, float]]) -> float | None:
    known = [(v, w) for v, w in pairs if v is not None and w > 0]
    total = sum(w for _, w in known)
    return sum(v * w for v, w in known) / total if total > 0 else None


def summary_from_connect(item: Mapping[str, Any]) -> ActivitySummary:
    """Summary of one Garmin Connect activity (list item or detail; nested DTOs are looked into)."""
    summary = item.get("summaryDTO") or {}
    metadata = item.get("metadataDTO") or {}
    start = item.get("startTimeLocal") or summary.get("startTimeLocal")
    if item.get("activityId") is None:
        raise ValueError("Garmin Connect activity without activityId")
    if not isinstance(start, str):
        raise ValueError(f"activity {item.get('activityId')}: no startTimeLocal")
    rpe = _given(item.get("directWorkoutRpe"), summary.get("directWorkoutRpe"))
    workout_id = _given(item.get("associatedWorkoutId"), metadata.get("associatedWorkoutId"))
    type_key = (item.get("activityType") or item.get("activityTypeDTO") or {}).get("typeKey", "")
    return ActivitySummary(
        id=str(item["activityId"]),
        sport=_connect_sport(str(type_key)),
        start=datetime.fromisoformat(start),
        duration_s=float(item.get("duration", summary.get("duration", 0.0)) or 0.0),
        elapsed_s=_number(item.get("elapsedDuration", summary.get("elapsedDuration"))),
        distance_m=_number(item.get("distance", summary.get("distance"))),
        avg_hr=_number(item.get("averageHR", summary.get("averageHR"))),
        max_hr=_number(item.get("maxHR", summary.get("maxHR"))),
        workout_rpe=None if rpe is None else float(rpe) / RPE_SCALE,
        associated_workout_id=None if workout_id is None else int(workout_id),
        title=_title(item.get("activityName")),
        ascent_m=_ascent(_number(item.get("elevationGain", summary.get("elevationGain")))),
        manual=manual_activity(item),
    )


def manual_activity(connect: Mapping[str, Any]) -> bool:
    """Whether Connect says the activity was entered by hand (``metadataDTO.manualActivity``)."""
    metadata = connect.get("metadataDTO")
    flag = metadata.get("manualActivity") if isinstance(metadata, Mapping) else None
    return (flag if flag is not None else connect.get("manualActivity")) is True


def _title(name: Any) -> str | None:
    """Garmin's activity name, stripped; None when there is none."""
    return name.strip() or None if isinstance(name, str) else None


def _given(*values: Any) -> Any:
    """The first value that is not None: a list item's ``null`` hides nothing the details say."""
    return next((value for value in values if value is not None), None)


def connect_type_sport(connect: Mapping[str, Any]) -> Sport | None:
    """The sport of Connect's activity type when Connect names it exactly (None for a key it does not list)."""
    type_key = (connect.get("activityType") or connect.get("activityTypeDTO") or {}).get("typeKey")
    return CONNECT_SPORTS.get(type_key) if isinstance(type_key, str) else None


def _connect_sport(type_key: str) -> Sport:
    if type_key in CONNECT_SPORTS:
        return CONNECT_SPORTS[type_key]
    if any(word in type_key.lower() for word in NOT_THE_SPORT_NAMED):  # lift-served skiing, transitions
        return Sport.OTHER
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


def _ascent(metres: float | None) -> float | None:
    return metres if metres is not None and metres >= 0 else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
