"""What each dashboard page shows, taken from the library calls ``watchsync report`` and ``status`` use.

Nothing here computes a number of its own: completion, easy share, flags and volumes come from
:func:`~watchsync.services.report.store_report`; time in target per step from the compliance row
the fetch stored (or :func:`~watchsync.compliance.score.score_intensity`, as the report does);
auth and queue health from the daemon's status. This module only picks and arranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from watchsync.activity import FitDecodeError, decode_activity
from watchsync.activity.model import Activity
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.match import PlannedSession
from watchsync.compliance.score import IntensityScore, score_intensity
from watchsync.describe import utc_minutes
from watchsync.model.athlete import Athlete
from watchsync.model.enums import find_sport
from watchsync.report import charts, values
from watchsync.report.model import ComplianceReport, SessionRow
from watchsync.resolve import zones_as_bands
from watchsync.services.plan_apply import plan_weeks
from watchsync.services.report import (
    StoredActivity,
    planned_from_store,
    session_activity,
    store_report,
    stored_activities,
)
from watchsync.store import Store
from watchsync.web.hr_chart import has_bands, hr_chart

DAYS_PER_WEEK = 7


def session_colour(row: SessionRow) -> str:
    """The colour of a session, the one the report's calendar and session list give it."""
    return charts.STATUS_COLOURS[row.status]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def all_flags(report: ComplianceReport) -> list[str]:
    """The report's flags as its HTML page lists them: plan flags, then each session's."""
    return report.summary.flags + [f"{s.day:%a %m-%d} {s.name}: {flag}" for s in report.sessions
                                   for flag in s.flags]


@dataclass(frozen=True)
class AthleteCard:
    """One athlete on the coach overview: this week's report and the daemon's status of the athlete."""

    athlete: Athlete
    week: ComplianceReport
    status: dict[str, Any]
    flags: list[str]
    week_label: str = ""  # what the plan says of this week ("deload week: ...", "rest week: travel")
    planned: bool = True  # anything on the athlete's calendar at all (else the card says there is no plan)


def overview(store: Store, athletes: list[Athlete], status: dict[str, Any]) -> list[AthleteCard]:
    """Every configured athlete: this week's completion, easy share and flags, auth and queue health."""
    by_name = {entry["name"]: entry for entry in status.get("athletes", [])}
    cards = []
    for athlete in athletes:
        today = athlete.today()
        week = store_report(store, athlete, today=today, week=today)
        # the card shows its first flags: the most important first (a too-hard run before a late one)
        label = week_labels(store, athlete).get(monday_of(today), "")
        planned = bool(store.list_schedules(athlete.name, states=("pending", "scheduled")))
        cards.append(AthleteCard(athlete, week, by_name.get(athlete.name, {}), values.ranked(all_flags(week)), label,
                                 planned))
    return cards


def week_labels(store: Store, athlete: Athlete) -> dict[date, str]:
    """What the athlete's plans say of each week, by Monday (deload and rest weeks, a week's note)."""
    labels = {monday: values.week_label(week.focus, week.note, week.sessions)
              for monday, week in plan_weeks(store, athlete.name).items()}
    return {monday: label for monday, label in labels.items() if label}


@dataclass(frozen=True)
class GarminHealth:
    """Whether the athlete's last call to Garmin worked: ``text`` says when, or what failed since."""

    ok: bool
    text: str


def garmin_health(entry: dict[str, Any]) -> GarminHealth:
    """From an athlete's status: the last successful contact (push or activity sync) and the last
    error when it came after it (an outage shows here, not only in /status)."""
    contacts = [text for text in (entry.get("last_push"), entry.get("last_activity_sync"),
                                          entry.get("last_contact")) if isinstance(text, str)]
    last = max(contacts, key=_instant, default=None)
    error = entry.get("last_error")
    when, _, message = error.partition(" ") if isinstance(error, str) else ("", "", "")
    since = f"last contact {_clock(last)}" if last else "no contact yet"
    if message and (last is None or _instant(when) > _instant(last)):
        return GarminHealth(False, f"{message} ({since})")
    return GarminHealth(True, f"ok ({since})" if last else "no contact yet")


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _clock(text: str) -> str:
    """``2026-12-04T03:40:12+00:00`` → ``2026-12-04 03:40 UTC`` (the store's times are UTC)."""
    return utc_minutes(_instant(text))


@dataclass(frozen=True)
class CalendarDay:
    day: date
    sessions: list[SessionRow]
    today: bool


@dataclass(frozen=True)
class CalendarView:
    """Past and planned sessions, a row per week (Monday first)."""

    report: ComplianceReport
    weeks: list[list[CalendarDay]]


def calendar(store: Store, athlete: Athlete) -> CalendarView:
    today = athlete.today()
    report = store_report(store, athlete, today=today)
    days = [row.day for row in report.sessions] + [today]
    first, last = monday_of(min(days)), monday_of(max(days))
    by_day: dict[date, list[SessionRow]] = {}
    for row in report.sessions:
        by_day.setdefault(row.day, []).append(row)
    weeks = []
    monday = first
    while monday <= last:
        weeks.append([CalendarDay(d, by_day.get(d, []), d == today)
                      for d in (monday + timedelta(days=i) for i in range(DAYS_PER_WEEK))])
        monday += timedelta(days=DAYS_PER_WEEK)
    return CalendarView(report, weeks)


@dataclass(frozen=True)
class ChartsView:
    """A report with its charts (the report page's SVG), for the week and the season pages."""

    report: ComplianceReport
    charts: dict[str, str]
    flags: list[str]
    monday: date | None = None
    future: bool = False  # a week after the athlete's today: only what is planned is shown
    week_labels: dict[date, str] = field(default_factory=dict)  # the plans' word on each week, by Monday


#: How far before a week its report reads (the load's chronic window, with room).
REPORT_REACH_DAYS = 366


def week(store: Store, athlete: Athlete, day: date) -> ChartsView:
    today = athlete.today()
    report = store_report(store, athlete, today=today, week=day)
    monday = monday_of(day)
    return ChartsView(report, _charts(report), all_flags(report), monday, future=monday > today,
                      week_labels=week_labels(store, athlete))


def season(store: Store, athlete: Athlete) -> ChartsView:
    report = store_report(store, athlete, today=athlete.today())
    return ChartsView(report, _charts(report), all_flags(report), week_labels=week_labels(store, athlete))


def _charts(report: ComplianceReport) -> dict[str, str]:
    weeks = report.summary.weeks
    return {"volume": charts.volume_chart(weeks),
            "intensity": charts.intensity_chart(weeks, report.easy_share_target, report.today),
            "calendar": charts.calendar_chart(report),
            "load": charts.load_chart(report)}


@dataclass(frozen=True)
class StepLine:
    """One step of the drill-down, with its score from the report's intensity scoring."""

    index: int
    number: str  # as `watchsync show` numbers it (2.1)
    name: str
    target: str
    seconds: float
    inside: float | None
    above: float | None
    below: float | None
    easy: bool
    runs: str = ""  # "2/4": run twice of the four times planned
    measured_seconds: float | None = None  # set when the band was measured over less than half the step
    reps: str = ""  # "16/20": repetitions the watch counted of those planned (strength, scored by sets)


@dataclass(frozen=True)
class ActivityView:
    row: SessionRow
    session: PlannedSession | None
    intensity: IntensityScore | None
    steps: list[StepLine] = field(default_factory=list)
    chart: str = ""
    banded: bool = False  # the chart has a target band (laps of the workout's steps)
    elapsed_s: float | None = None  # pauses included, when they add a minute or more to the timer time
    done_sport: str | None = None  # the activity's own sport (a hike done for a planned trail run)
    start_clock: str | None = None  # its local start time (a run at 23:30 shows why it counts for its day)
    heart_rate: bool = True  # the file holds heart rate (a runner without a strap: no line to caption)
    manual: bool = False  # entered by hand in Garmin Connect: no file, no heart rate, laps or steps


class NotFound(LookupError):
    """No such athlete, week or activity."""


def activity(store: Store, athlete: Athlete, activity_id: str) -> ActivityView:
    """An activity's session row, its step-by-step time in target and its HR-vs-target chart."""
    report = store_report(store, athlete, today=athlete.today())
    row = next((r for r in report.sessions if r.activity_id == activity_id), None)
    if row is None:
        raise NotFound(f"no activity {activity_id} for {athlete.name}")
    session = None
    if row.session_id is not None:
        session = next((s for s in planned_from_store(store, athlete.name, start=row.day, end=row.day)
                        if s.id == row.session_id), None)
    stored = _stored(store, athlete, row)
    decoded = _decoded(stored)
    intensity = _intensity(store, athlete, row, session, decoded)
    done_sport = stored.summary.sport if stored is not None else find_sport(row.sport)
    steps = _steps(intensity, done_sport.family if done_sport is not None else "run")
    # a watch's heart-rate zone charted as the athlete's band of it, as it is scored (probe coach13)
    workout = zones_as_bands(session.workout, athlete) if session else None
    chart = hr_chart(decoded, workout) if decoded is not None else ""
    summary = stored.summary if stored is not None else None
    elapsed = summary.elapsed_s if summary is not None and summary.elapsed_s is not None \
        and summary.elapsed_s - summary.duration_s >= PAUSE_SHOWN_SECONDS else None
    banded = decoded is not None and has_bands(decoded, workout)
    return ActivityView(row, session, intensity, steps, chart, banded=banded, elapsed_s=elapsed,
                        done_sport=done_sport.value if done_sport is not None else None,
                        start_clock=f"{summary.start:%H:%M}" if summary is not None else None,
                        heart_rate=decoded is None or bool(np.any(~np.isnan(decoded.records.heart_rate))),
                        manual=summary is not None and summary.manual)


#: Pauses shorter than this are not worth a line on the activity page.
PAUSE_SHOWN_SECONDS = 60.0


def _stored(store: Store, athlete: Athlete, row: SessionRow) -> StoredActivity | None:
    day = row.done_on or row.day
    return next((a for a in stored_activities(store, athlete.name, start=day, end=day)
                 if a.summary.id == row.activity_id), None)


def _decoded(stored: StoredActivity | None) -> Activity | None:
    if stored is None or stored.fit_path is None:
        return None
    try:  # a leg of a multisport file is that leg alone, as the report scores it
        return session_activity(decode_activity(stored.fit_path), stored.summary.session, ComplianceConfig())
    except (FitDecodeError, OSError):
        return None


def _intensity(store: Store, athlete: Athlete, row: SessionRow, session: PlannedSession | None,
               decoded: Activity | None) -> IntensityScore | None:
    """The stored score of the match (what the report reuses), else scored as the report scores it."""
    if session is None or row.substitute:  # cross-training for the run: never scored against its steps
        return None
    for stored in store.list_compliance(athlete.name, start=session.date, end=session.date):
        scored_id = str(stored.scores.get("activity_id") or stored.activity_id)  # a leg's id: "123#2"
        if stored.session_key == session.id and scored_id == row.activity_id and "intensity" in stored.scores:
            return IntensityScore.model_validate(stored.scores["intensity"])
    return score_intensity(session.workout, decoded, athlete=athlete) if decoded is not None else None


def _steps(intensity: IntensityScore | None, family: str) -> list[StepLine]:
    """The drill-down's rows, each band as ``watchsync analyze`` gives it for the activity's sport."""
    if intensity is None:
        return []
    lines = []
    known = intensity.alignment != "time"  # laid along the timer: how often each step ran is not known
    for step in intensity.steps:
        thin = values.thinly_measured(step.channel, step.scored_seconds, step.measurable_seconds) \
            and step.inside is not None
        lines.append(StepLine(step.index, step.number, step.name or f"step {step.number}",
                              values.step_band(step.channel, step.low, step.high, family), step.seconds,
                              step.inside, step.above, step.below, step.easy,
                              values.runs(step.executions, step.planned_executions, known=known),
                              measured_seconds=step.scored_seconds if thin else None,
                              reps=f"{step.reps_done or 0}/{step.reps_planned}" if step.reps_planned else ""))
    return lines


