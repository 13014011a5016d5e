"""A FIT activity analysed: decoded, split into its sessions, each summarised and loaded.

Every session of a multi-session file (multisport, triathlon, a Garmin "bike + strength" file) is
its own analysed session, with its own sport, start, times, distance, heart rate and load, and can
match its own planned session; transitions are kept but never matched. The file as a whole
(``Analysis.summary``/``load``) is its one session, or its sessions combined.

Start times: Garmin Connect's local start when given (the later sessions keep their offsets from the
first), else the FIT start on the file's local clock (``activity.local_timestamp``), else in the
athlete's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from watchsync.activity.fit import decode_activity
from watchsync.activity.model import Activity, Lap, Length, StrengthSet
from watchsync.activity.sessions import SessionPart, session_parts
from watchsync.compliance.activities import (
    ActivitySummary,
    NotAnActivity,
    combine,
    connect_type_sport,
    summaries_from_fit,
    summary_from_connect,
)
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.load import ActivityLoad, activity_load, combine_loads
from watchsync.model.athlete import Athlete
from watchsync.model.enums import Sport


@dataclass(frozen=True)
class SessionAnalysis:
    """One session of the file: its one-session view of the activity, summary and load."""

    part: SessionPart
    summary: ActivitySummary
    load: ActivityLoad

    @property
    def activity(self) -> Activity:
        return self.part.activity


@dataclass(frozen=True)
class Analysis:
    """One decoded activity file with its summary and training load, and each of its sessions."""

    activity: Activity
    summary: ActivitySummary
    load: ActivityLoad
    sessions: tuple[SessionAnalysis, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        return (*self.activity.warnings, *(w for s in self.sessions for w in s.part.warnings))

    def scored_for(self, sport: Sport) -> Analysis | SessionAnalysis:
        """What a workout of ``sport`` is scored against: the file, or in a multi-session file the
        longest session of the workout's sport family (else the longest that is no transition)."""
        if len(self.sessions) <= 1:
            return self
        legs = [s for s in self.sessions if not s.summary.transition] or list(self.sessions)
        fitting = [s for s in legs if s.summary.sport.family == sport.family]
        return max(fitting or legs, key=lambda s: s.summary.duration_s)


def athlete_config(athlete: Athlete, config: ComplianceConfig | None = None) -> ComplianceConfig:
    """``config`` with the athlete's TRIMP constants (their sex when the profile gives it) and load metric."""
    config = config or ComplianceConfig()
    update: dict[str, str] = {}
    if athlete.sex:
        update["trimp_sex"] = athlete.sex
    if athlete.load_metric:
        update["load_metric"] = athlete.load_metric
    return config.model_copy(update=update) if update else config


def analyse_decoded(activity_id: str, activity: Activity, athlete: Athlete, *,
                    connect: Mapping[str, Any] | None = None, config: ComplianceConfig | None = None) -> Analysis:
    """Summarise each session of a decoded FIT activity (with Connect's facts when given), compute loads.

    :class:`NotAnActivity` when it is no activity or has nothing with a (real) time.
    """
    config = athlete_config(athlete, config)
    kind = activity.file_id.type if activity.file_id else None
    if kind not in (None, "activity"):
        hint = ": `watchsync import` reads it" if kind == "workout" else ""
        what = f"a FIT file of type {kind}" if str(kind).isdigit() else f"a FIT {kind} file"  # type 8: locations
        raise NotAnActivity(f"not an activity ({what}{hint})")
    parts = session_parts(activity, config.max_sample_gap_seconds)
    from_connect = summary_from_connect(connect) if connect is not None else None
    if from_connect is not None and not any(s.start_time for s in activity.sessions):
        # no session (a truncated file): Connect's summary, the load from whatever records there are
        summary = from_connect.model_copy(update={"id": activity_id})
        records, weights = (parts[0].activity.records, parts[0].weights) if parts else (None, None)
        return Analysis(activity, summary, activity_load(summary, records, athlete, config, weights=weights))
    if not parts:
        raise NotAnActivity("no session and no records with a time")
    summaries = _summaries(activity_id, activity, parts, from_connect, athlete.timezone)
    typed = connect_type_sport(connect) if connect is not None and len(summaries) == 1 else None
    if typed is not None and typed.family != summaries[0].sport.family:
        # the athlete corrected the type in Connect (a walk recorded on the run profile): Garmin keeps the
        # file as it was, so Connect's type is the one that is right (probe server11)
        summaries = [summaries[0].model_copy(update={"sport": typed})]
    sessions = tuple(SessionAnalysis(part, summary, activity_load(summary, part.activity.records, athlete, config,
                                                                  weights=part.weights))
                     for part, summary in zip(parts, summaries, strict=True))
    if len(sessions) == 1:
        return Analysis(activity, sessions[0].summary, sessions[0].load, sessions)
    summary = combine(activity_id, summaries, [part.hr_seconds for part in parts])
    load = combine_loads(activity_id, [s.load for s in sessions])
    return Analysis(activity, summary, load, sessions)


def _summaries(activity_id: str, activity: Activity, parts: tuple[SessionPart, ...],
               connect: ActivitySummary | None, zone: str | None) -> list[ActivitySummary]:
    """FIT summaries; with Connect: its local start (later sessions keep their offsets), link and RPE."""
    if connect is None:
        return summaries_from_fit(activity_id, activity, parts, zone=zone)
    if activity.clock == "device":  # no real time in the file: Connect's start is the only one
        fit = summaries_from_fit(activity_id, _on_utc(activity), parts,
                                 associated_workout_id=connect.associated_workout_id, zone="UTC")
    else:
        fit = summaries_from_fit(activity_id, activity, parts, associated_workout_id=connect.associated_workout_id,
                                 zone=zone)
    first = parts[0].begin
    out = []
    for part, summary in zip(parts, fit, strict=True):
        rpe = connect.workout_rpe if connect.workout_rpe is not None else summary.workout_rpe
        start = connect.start + (part.start - parts[0].start) if part.begin != first else connect.start
        out.append(summary.model_copy(update={"start": start, "workout_rpe": rpe, "title": connect.title}))
    return out


def _on_utc(activity: Activity) -> Activity:
    return replace(activity, clock="utc")


def analysis_document(analysis: Analysis) -> dict[str, Any]:
    """``summary``, ``load``, ``sessions``, ``laps``, ``lengths`` and ``pool_length_m`` as JSON values.

    The schema is documented in docs/activity-json.md. Lap and length starts are local times (the
    offset of their session's start).
    """
    sessions = analysis.sessions
    many = len(sessions) > 1
    laps: list[dict[str, Any]] = []
    lengths: list[dict[str, Any]] = []
    sets: list[dict[str, Any]] = []
    for session in sessions:
        number = session.part.number + 1 if many else None
        laps += [_lap_json(lap, number, session) for lap in session.activity.laps]
        lengths += [_length_json(length, number, session) for length in session.activity.lengths]
        sets += [_set_json(done, number, session) for done in session.activity.sets]
    pools = [s.summary.pool_length_m for s in sessions if s.summary.pool_length_m is not None]
    return {
        "summary": analysis.summary.model_dump(mode="json"),
        "load": analysis.load.model_dump(mode="json"),
        "sessions": [{**s.summary.model_dump(mode="json"), "load": s.load.model_dump(mode="json")} for s in sessions],
        "laps": laps,
        "lengths": lengths,
        "sets": sets,
        "pool_length_m": pools[0] if pools else None,
    }


def _local(moment: datetime | None, session: SessionAnalysis) -> str | None:
    if moment is None:
        return None
    return (session.summary.start + (moment - session.part.start)).isoformat()


def _lap_json(lap: Lap, number: int | None, session: SessionAnalysis) -> dict[str, Any]:
    return {
        "session": number,
        "start": _local(lap.start_time, session),
        "timer_s": lap.total_timer_time,
        "elapsed_s": lap.total_elapsed_time,
        "distance_m": lap.total_distance,
        "avg_hr": _reading(lap.avg_heart_rate, 255),
        "max_hr": _reading(lap.max_heart_rate, 255),
        "avg_power": _reading(lap.avg_power, 65535, zero_ok=True),
        "max_power": _reading(lap.max_power, 65535, zero_ok=True),
        "wkt_step_index": lap.wkt_step_index,
        "intensity": lap.intensity,
    }


def _length_json(length: Length, number: int | None, session: SessionAnalysis) -> dict[str, Any]:
    return {
        "session": number,
        "start": _local(length.start_time, session),
        "timer_s": length.total_timer_time,
        "elapsed_s": length.total_elapsed_time,
        "type": length.length_type,
        "stroke": length.swim_stroke,
        "strokes": length.total_strokes,
    }


def _set_json(done: StrengthSet, number: int | None, session: SessionAnalysis) -> dict[str, Any]:
    return {
        "session": number,
        "start": _local(done.start_time, session),
        "duration_s": done.duration,
        "type": done.set_type,
        "reps": done.repetitions,
        "weight_kg": done.weight,
        "category": _category_name(done.category),
        "wkt_step_index": done.wkt_step_index,
    }


def _category_name(category: str | None) -> str | None:
    """A set's category by its FIT name (``squat``), whichever decoder read it: fitfast gives an array's
    enums as numbers (``"28"``); one the profile has no name for stays its number."""
    if category is None or not category.isdigit():
        return category
    from watchsync.formats.fit_codes import category_key  # deferred: the exercise table, for sets only

    key = category_key(category)
    return key.lower() if key is not None else category


def _reading(value: int | None, invalid: int, zero_ok: bool = False) -> int | None:
    """A lap's sensor total, None when it is no reading (HR 0, invalid markers)."""
    if value is None or value >= invalid or value < 0 or (value == 0 and not zero_ok):
        return None
    return value


def analyse(activity_id: str, data: bytes | Path, athlete: Athlete, *, connect: Mapping[str, Any] | None = None,
            config: ComplianceConfig | None = None) -> Analysis:
    """Decode a FIT activity, summarise each of its sessions (with Connect's facts when given), load them.

    Raises ``FitDecodeError`` when the data is not FIT, :class:`NotAnActivity` when it is no activity or
    has nothing with a (real) time.
    """
    return analyse_decoded(activity_id, decode_activity(data), athlete, connect=connect, config=config)
