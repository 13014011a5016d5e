"""The plan as the store (or a plan file) sees it, and the compliance report built from the store.

Planned sessions come from the store's schedules joined with its workouts (the resolved workout and
Garmin's workout id); a session's id is ``<workout key>@<date>``, the ``session_key`` of its
compliance row. Done activities come from the rows :mod:`watchsync.services.activities` records:
each row's ``summary`` JSON is an :class:`~watchsync.compliance.record.ActivityRecord`. Intensity
scores are reused from the compliance rows when the session was matched with the same activity at
fetch time, else computed again from the stored FIT.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from watchsync.activity import Activity, FitDecodeError, decode_activity
from watchsync.activity.sessions import session_parts
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.duplicates import copy_ids, duplicate_recordings
from watchsync.compliance.easy import EasyJudgement, judge_easy
from watchsync.compliance.load import ActivityLoad
from watchsync.compliance.match import MatchResult, PlannedSession, match_sessions
from watchsync.compliance.record import ActivityRecord
from watchsync.compliance.score import IntensityScore, score_intensity
from watchsync.compliance.substitution import substitute_cross_training
from watchsync.compliance.summary import Totals
from watchsync.errors import WatchsyncError
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.plan.model import Plan
from watchsync.report.build import build_report
from watchsync.report.model import ComplianceReport
from watchsync.resolve import resolve
from watchsync.rules import speeds_for
from watchsync.store import ActivityRow, ScheduleState, Store, WorkoutRow

#: Schedule states that still mean "planned" (removed or being removed ones do not).
PLANNED_STATES: tuple[ScheduleState, ...] = ("pending", "scheduled")
DAYS_PER_WEEK = 7


class PlanViewError(WatchsyncError):
    """A stored workout or a plan cannot be turned into planned sessions."""


@dataclass(frozen=True)
class StoredActivity:
    """A fetched activity as the report needs it: summary, load and where its FIT file is."""

    summary: ActivitySummary
    load: ActivityLoad
    fit_path: Path | None


def session_key(workout_key: str, day: date) -> str:
    """The id of a stored session: ``<workout key>@<YYYY-MM-DD>``."""
    return f"{workout_key}@{day.isoformat()}"


def workout_from_payload(payload: Mapping[str, Any], where: str) -> Workout:
    """The resolved workout a store row holds (its model JSON); ``PlanViewError`` otherwise."""
    try:
        return Workout.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "workout"
        raise PlanViewError(f"{where}: stored workout is not a workout ({field}: {first['msg']})") from None


def planned_from_store(store: Store, athlete: str, *, start: date | None = None,
                       end: date | None = None) -> list[PlannedSession]:
    """The athlete's scheduled sessions dated ``start``..``end`` (inclusive), by date."""
    sessions = []
    workouts: dict[str, tuple[WorkoutRow, Workout] | None] = {}  # each stored workout read and validated once
    for schedule in store.list_schedules(athlete, states=PLANNED_STATES, start=start, end=end):
        if schedule.workout_key not in workouts:
            found = store.get_workout(athlete, schedule.workout_key)
            workouts[schedule.workout_key] = None if found is None or found.deleted else (found, workout_from_payload(
                found.payload, f"workout {found.key!r} of athlete {athlete!r}"))
        known = workouts[schedule.workout_key]
        if known is None:
            continue
        row, workout = known
        sessions.append(PlannedSession(id=session_key(row.key, schedule.date), date=schedule.date,
                                       workout=workout, remote_workout_id=row.remote_id))
    return sessions


def planned_from_plan(plan: Plan, athlete: Athlete) -> list[PlannedSession]:
    """A plan file's sessions resolved for ``athlete``; ids are ``plan:w<week>-<day>-<n>``."""
    sessions = []
    counts: dict[tuple[int, int], int] = {}
    for scheduled in plan.sessions():
        slot = (scheduled.week, scheduled.day)
        counts[slot] = counts.get(slot, 0) + 1
        sessions.append(PlannedSession(id=f"plan:w{scheduled.week}-{scheduled.day}-{counts[slot]}",
                                       date=scheduled.date, workout=resolve(scheduled.workout, athlete)))
    return sessions


def stored_activities(store: Store, athlete: str, *, start: date | None = None,
                      end: date | None = None) -> list[StoredActivity]:
    """Analysed activities whose local day is ``start``..``end`` (inclusive), by start time."""
    # rows are kept by UTC start: a day of slack covers every UTC offset of the local day
    since = datetime.combine(start - timedelta(days=1), time.min, UTC) if start else None
    found = []
    for row in store.list_activities(athlete, since=since):
        for stored in _stored(row):
            day = stored.summary.start.date()
            if (start is None or day >= start) and (end is None or day <= end):
                found.append(stored)
    return sorted(found, key=lambda a: (a.summary.start, a.summary.id))


def counted_activities(store: Store, athlete: str, *, start: date | None = None, end: date | None = None,
                       ) -> tuple[list[StoredActivity], dict[str, list[ActivitySummary]]]:
    """:func:`stored_activities` with each workout recorded twice counted once
    (:mod:`watchsync.compliance.duplicates`), and the copies left out by the id of the one kept."""
    activities = stored_activities(store, athlete, start=start, end=end)
    copies = duplicate_recordings(a.summary for a in activities)
    dropped = copy_ids(copies)
    return [a for a in activities if a.summary.id not in dropped], copies


def store_report(store: Store, athlete: Athlete, *, today: date, planned: list[PlannedSession] | None = None,
                 week: date | None = None, config: ComplianceConfig | None = None) -> ComplianceReport:
    """The compliance report of the store's plan (or ``planned``), optionally of one week only.

    With ``week`` the report covers the Monday-to-Sunday week holding that day. Every day's ACWR is
    computed over the athlete's whole stored history, so it is the same in every view; a workout
    recorded by two devices counts once (:func:`counted_activities`).
    """
    with cyclic_gc_paused():
        return _store_report(store, athlete, today=today, planned=planned, week=week, config=config)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a report builds a season's models (tens of
    thousands of acyclic objects, each full collection walking all of them: a fifth of a 5,000-activity
    report); reference counting still frees what dies, and the collector runs again afterwards."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _store_report(store: Store, athlete: Athlete, *, today: date, planned: list[PlannedSession] | None,
                  week: date | None, config: ComplianceConfig | None) -> ComplianceReport:
    from watchsync.compliance.analysis import athlete_config

    config = athlete_config(athlete, config)  # the athlete's load metric (sRPE for a runner without a strap)
    first_day = last_day = planned_end = None
    if week is not None:  # the week, the weeks before it, and the days around it a session is matched in:
        monday = week - timedelta(days=week.weekday())  # a Sunday run done on Tuesday is done, not missed,
        reach = 2 * (config.early_days + config.late_days)  # and next week's sessions claim their own runs first
        first_day = monday - timedelta(days=config.acwr_chronic_days)
        planned_end = monday + timedelta(days=6 + reach)
        last_day = planned_end + timedelta(days=config.late_days)
    if planned is None:
        planned = planned_from_store(store, athlete.name, start=first_day, end=planned_end)
    elif planned:
        first_day = min(s.date for s in planned) - timedelta(days=config.early_days)
        last_day = max(s.date for s in planned) + timedelta(days=config.late_days)
    history, copies = counted_activities(store, athlete.name, end=last_day)
    activities = [a for a in history if first_day is None or a.summary.start.date() >= first_day]
    matched = substitute_cross_training(
        match_sessions(planned, [a.summary for a in activities], today=today, config=config), config, today,
        athlete)
    intensities, easy = _intensities(store, athlete, matched, activities, config)
    report = build_report(planned, matched, [a.load for a in activities], intensities, athlete=athlete.name,
                          today=today, config=config, easy_speed=speeds_for(athlete), easy=easy, units=athlete.units,
                          profile=athlete, copies=copies, history=[a.load for a in history])
    return report if week is None else only_week(report, week)


#: The totals of a week with nothing planned and nothing done (between blocks, a holiday).
NOTHING = Totals(planned_sessions=0, done=0, missed=0, pending=0, unplanned=0, completion=None, planned_seconds=0,
                 planned_meters=0, done_seconds=0, done_meters=0, easy_share=None)


def only_week(report: ComplianceReport, day: date) -> ComplianceReport:
    """The part of ``report`` in the week holding ``day`` (its totals become that week's)."""
    monday = day - timedelta(days=day.weekday())
    weeks = [w for w in report.summary.weeks if w.week_start == monday]
    summary = report.summary.model_copy(update={
        "weeks": weeks, "totals": weeks[0].totals if weeks else NOTHING,  # a week with nothing in it
        "flags": [f"week of {w.week_start}: {flag}" for w in weeks for flag in w.flags]})
    return report.model_copy(update={
        "summary": summary, "sessions": report.sessions_in_week(monday),
        "days": [d for d in report.days if 0 <= (d.day - monday).days < DAYS_PER_WEEK]})


def _stored(row: ActivityRow) -> list[StoredActivity]:
    """The row's activity, or each session of a multi-session file as its own."""
    fit_path = Path(row.fit_path) if row.fit_path else None
    return [StoredActivity(summary, load, fit_path)
            for summary, load in ActivityRecord.model_validate(row.summary).activities()]


def _intensities(store: Store, athlete: Athlete, matched: MatchResult, activities: Iterable[StoredActivity],
                 config: ComplianceConfig) -> tuple[dict[str, IntensityScore], dict[str, EasyJudgement]]:
    """Intensity scores and easy-run judgements by activity id: from the compliance rows of the same
    match, else computed again from the stored FIT."""
    rows = {row.session_key: row for row in store.list_compliance(athlete.name)}
    files = {a.summary.id: a.fit_path for a in activities}
    scores: dict[str, IntensityScore] = {}
    judged: dict[str, EasyJudgement] = {}
    for match in matched.matches:
        if match.substitute:
            continue  # a ride is not scored against the run's steps
        activity_id = match.activity.id
        row = rows.get(match.session.id)
        scored_id = str(row.scores.get("activity_id") or row.activity_id) if row is not None else None
        if row is not None and scored_id == activity_id and "intensity" in row.scores:
            scores[activity_id] = IntensityScore.model_validate(row.scores["intensity"])
            if row.scores.get("easy") is not None:
                judged[activity_id] = EasyJudgement.model_validate(row.scores["easy"])
            if "easy" in row.scores:
                continue
        fit_path = files.get(activity_id)
        if fit_path is None:
            continue
        try:
            activity = session_activity(decode_activity(fit_path), match.activity.session, config)
        except FitDecodeError:
            continue
        if activity_id not in scores:
            scores[activity_id] = score_intensity(match.session.workout, activity, config, athlete)
        judgement = judge_easy(match.session.workout, activity, athlete, match.activity.workout_rpe, config)
        if judgement is not None:
            judged[activity_id] = judgement
    return scores, judged


def session_activity(activity: Activity, number: int | None, config: ComplianceConfig) -> Activity:
    """Session ``number`` (1-based) of a multi-session file as its own activity; ``None``: the whole file."""
    if number is None:
        return activity
    parts = session_parts(activity, config.max_sample_gap_seconds)
    return parts[number - 1].activity if 0 < number <= len(parts) else activity
