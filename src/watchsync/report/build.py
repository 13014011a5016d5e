"""Assemble a :class:`ComplianceReport` from matched sessions, their scores and the activity loads.

Session colour is the volume colour (TrainingPeaks' convention); intensity, RPE and timing show as
flags. Two display thresholds are the report's own: a reported RPE two or more CR-10 points away
from the prescription (one band of the default RPE scale), and hard steps with more than half of
their scored time below the target band.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

from watchsync.compliance.activities import ActivitySummary, combine
from watchsync.compliance.acwr_series import AcwrSeries
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.easy import EasyJudgement
from watchsync.compliance.load import ActivityLoad
from watchsync.compliance.match import Match, MatchResult, PlannedSession
from watchsync.compliance.score import DEFAULT_EASY_SPEED, IntensityScore, RpeComparison, compare_rpe, volume_score
from watchsync.compliance.step_flags import step_flags
from watchsync.compliance.summary import PlanSummary, summarize
from watchsync.describe import format_seconds
from watchsync.model.athlete import Athlete
from watchsync.model.units import Units
from watchsync.report.model import STATUS_SEVERITY, ComplianceReport, DayPoint, DayStatus, SessionRow, StepRow
from watchsync.rules import SpeedLike, planned_seconds

RPE_FLAG_POINTS = 2.0


def build_report(planned: list[PlannedSession], matched: MatchResult, loads: list[ActivityLoad],
                 intensities: Mapping[str, IntensityScore], *, athlete: str, today: date,
                 config: ComplianceConfig | None = None,
                 easy_speed: SpeedLike = DEFAULT_EASY_SPEED,
                 easy: Mapping[str, EasyJudgement] | None = None, units: Units = Units.METRIC,
                 profile: Athlete | None = None, copies: Mapping[str, Sequence[ActivitySummary]] | None = None,
                 history: Sequence[ActivityLoad] | None = None) -> ComplianceReport:
    """The report of one athlete's plan; ``intensities`` (and ``easy``, the easy-run judgements) map
    matched activity ids to their scores; ``profile`` (the athlete) reads the prescribed RPE of steps
    resolved to bpm, m/s or watts. ``copies``: the other recordings of an activity, by its id
    (:mod:`watchsync.compliance.duplicates`; already left out of ``matched`` and ``loads``), said on its row.
    ``history``: the loads of the athlete's whole history, which the ACWR of every day is computed over
    (``loads`` without it)."""
    config = config or ComplianceConfig()
    easy = easy or {}
    copies = copies or {}
    ratios = AcwrSeries(loads if history is None else history, config.load_metric, config.acwr_acute_days,
                        config.acwr_chronic_days)
    summary = summarize(planned, matched, loads, config, easy_speed, today=today, ratios=ratios, history=history)
    rows = [_recorded_twice(_done_row(m, intensities.get(m.activity.id), config, easy_speed, easy.get(m.activity.id),
                                      profile), [m.activity, *m.also], copies)
            for m in matched.matches]
    rows += [_open_row(s, "red", config, easy_speed, profile, _on_foot_instead(s, matched.unplanned))
             for s in matched.missed]
    rows += [_open_row(s, "pending", config, easy_speed, profile) for s in matched.pending]
    rows += [_recorded_twice(_unplanned_row(a), [a], copies) for a in matched.unplanned]
    rows = _one_run_for_two(rows, config)
    rows.sort(key=lambda r: (r.day, STATUS_SEVERITY.index(r.status), r.name))
    return ComplianceReport(athlete=athlete, today=today, load_metric=config.load_metric,
                            acwr_flag=config.acwr_flag, acwr_min_history_days=config.acwr_min_history_days,
                            easy_share_target=config.easy_share_target,
                            summary=summary, sessions=rows, days=_days(summary, rows, loads, ratios, config),
                            units=units, acwr_from=ratios.first_day)


def _done_row(match: Match, intensity: IntensityScore | None, config: ComplianceConfig,
              easy_speed: SpeedLike, easy: EasyJudgement | None = None, profile: Athlete | None = None) -> SessionRow:
    workout, activity = match.session.workout, match.activity
    whole = combine(f"{activity.id}+", [activity, *match.also]) if match.also else activity
    volume = volume_score(workout, whole, config, easy_speed)
    rpe = compare_rpe(workout, activity.workout_rpe, config, easy_speed, profile)
    flags = []
    if volume.colour != "green" and volume.ratio is not None:
        flags.append(f"volume {volume.ratio:.0%} of plan")
    if easy is not None:
        if easy.too_hard:
            flags.append(easy.message)
    elif intensity is not None and intensity.too_hard and intensity.easy_above is not None:
        flags.append(f"easy run done too hard: {intensity.easy_above:.0%} of easy time above the ceiling")
    if intensity is not None:
        flags += step_flags(intensity)
    if rpe_off(rpe):
        flags.append(f"reported RPE {rpe.reported:g} vs {rpe.prescribed:.1f} prescribed"
                     + (f" (hardest step {rpe.hardest:g})" if rpe.hardest and rpe.difference
                        and rpe.difference > 0 else ""))
    if match.substitute:
        flags.append(f"{activity.sport.value} instead of the planned run (cross-training substitution)")
    if match.also:
        pieces = ", ".join(f"{a.duration_s / 60:.0f} min at {a.start:%H:%M}" for a in match.also)
        flags.append(f"done in {len(match.also) + 1} pieces: also {pieces}")
    flags += _doubts(activity, *match.also)
    if match.days_late:
        word = "late" if match.days_late > 0 else "early"
        flags.append(f"done {abs(match.days_late)} day{'s' if abs(match.days_late) > 1 else ''} {word}")
    return SessionRow(
        day=match.session.date, session_id=match.session.id, activity_id=activity.id, activity_title=activity.title,
        ascent_m=activity.ascent_m,
        done_on=activity.start.date(), name=workout.name,
        sport=workout.sport.value, status=volume.colour, metric=volume.metric, planned=volume.planned,
        done=volume.done, ratio=volume.ratio, in_target=intensity.inside if intensity else None,
        easy_above=_easy_above(easy, intensity), rpe_prescribed=rpe.prescribed,
        rpe_reported=rpe.reported, days_late=match.days_late, flags=flags,
        steps=_steps(intensity) if intensity is not None else [],
        easy_basis=list(easy.bases) if easy is not None else [], substitute=match.substitute)


_UNITS = {"heart_rate": "bpm", "speed": "m/s", "power": "W", "cadence": "rpm"}


def _recorded_twice(row: SessionRow, activities: Sequence[ActivitySummary],
                    copies: Mapping[str, Sequence[ActivitySummary]]) -> SessionRow:
    """The row, saying which of its activities was recorded by another device too, and counted once."""
    said = [f"recorded {'twice' if len(copies[a.id]) == 1 else f'{len(copies[a.id]) + 1} times'} "
            f"(also {', '.join(_recording(c) for c in copies[a.id])}): counted once"
            for a in activities if copies.get(a.id)]
    return row.model_copy(update={"flags": [*row.flags, *said]}) if said else row


def _recording(activity: ActivitySummary) -> str:
    """A recording as the coach finds it in Connect: its name (else sport), start and timer minutes."""
    name = f'"{activity.title}"' if activity.title else activity.sport.value
    return f"{name} at {activity.start:%H:%M}, {activity.duration_s / 60:.0f} min"


def _doubts(*activities: ActivitySummary) -> list[str]:
    """``check the data: ...`` for what an activity's numbers contradict (a run faster than any runner: a
    ride recorded as a run?), so that no verdict on it is read without that doubt."""
    return [f"check the data: {doubt}" for activity in activities for doubt in activity.doubts]


def _easy_above(easy: EasyJudgement | None, intensity: IntensityScore | None) -> float | None:
    """The share of easy time above the ceiling that the "too hard" flag is raised on: the easy judgement's
    (against the athlete's ceiling), else, without one, the intensity score's (above the steps' own bands)."""
    if easy is not None:
        return easy.above
    return intensity.easy_above if intensity is not None else None


def _steps(intensity: IntensityScore) -> list[StepRow]:
    return [StepRow(index=s.index, name=s.name, executions=s.executions, planned_executions=s.planned_executions,
                    runs_known=intensity.alignment != "time", seconds=s.seconds, inside=s.inside,
                    above=s.above, below=s.below,
                    target="open" if s.channel is None or s.low is None or s.high is None
                    else f"{s.low:.4g}-{s.high:.4g} {_UNITS[s.channel]}") for s in intensity.steps]




#: Activities on foot that are no run (FIT sports watchsync reads as other).
ON_FOOT = frozenset({"hiking", "walking", "mountaineering"})
#: ... at least this share of the run's planned time.
ON_FOOT_MIN_SHARE = 0.5


def _on_foot_instead(session: PlannedSession, unplanned: list[ActivitySummary]) -> str | None:
    """A flag for a missed run when the athlete was out on foot that day instead (a trail runner's long
    day as a hike): it stays missed, a hike is no run, but the coach sees why (probe coach12)."""
    if session.workout.sport.family != "run":
        return None
    hikes = [a for a in unplanned if a.start.date() == session.date and a.fit_sport in ON_FOOT]
    seconds = sum(a.duration_s for a in hikes)
    if not hikes or seconds < ON_FOOT_MIN_SHARE * planned_seconds(session.workout):
        return None  # a 12-minute dog walk is no long day on foot (probe review18)
    return f"{hikes[0].fit_sport} instead that day ({format_seconds(seconds)} on foot): not counted as the run"


def _one_run_for_two(rows: list[SessionRow], config: ComplianceConfig) -> list[SessionRow]:
    """Two sessions of a day run as one run of their summed length (an AM and a PM easy run done in one go):
    the run's row says it holds the other session, and the other's "missed" says where it went (they read
    "volume 167 %" and "missed"; probe coach13). The counts stay as matched: one done, one missed."""
    done = {row.session_id: row for row in rows if row.session_id and row.activity_id and row.metric == "duration"
            and row.planned and row.done and row.ratio is not None and row.ratio > config.green_high}
    by_day: dict[tuple[date, str], list[SessionRow]] = defaultdict(list)  # each missed row looks at its day's only
    for row in done.values():
        by_day[(row.day, row.sport)].append(row)
    told: dict[str | None, SessionRow] = {}
    for missed in rows:
        if missed.status != "red" or missed.metric != "duration" or not missed.planned:
            continue
        for row in by_day.get((missed.day, missed.sport), []):
            both = (row.planned or 0.0) + missed.planned
            if row.session_id not in told and config.green_low <= (row.done or 0.0) / both <= config.green_high:
                told[row.session_id] = row.model_copy(update={"flags": [
                    *(flag for flag in row.flags if not flag.startswith("volume ")),
                    f"holds {missed.name} too: {format_seconds(row.done or 0.0)} for the "
                    f"{format_seconds(both)} planned that day"]})
                told[missed.session_id] = missed.model_copy(update={"flags": [
                    *missed.flags, f"run within {row.name} ({format_seconds(row.done or 0.0)} in one run)"]})
                break
    return [told.get(row.session_id, row) if row.session_id else row for row in rows]


def rpe_off(rpe: RpeComparison) -> bool:
    """Whether a reported RPE is ``RPE_FLAG_POINTS`` or more outside what the session asks: below its
    time-weighted mean, or above its hardest step (a threshold session rated 7 after 24 minutes at 7.5
    is as planned, though its warm-up makes the mean 4.6; probe coach13)."""
    if rpe.difference is None or rpe.prescribed is None or rpe.reported is None:
        return False
    top = max(rpe.prescribed, rpe.hardest or rpe.prescribed)
    return rpe.reported >= top + RPE_FLAG_POINTS or rpe.reported <= rpe.prescribed - RPE_FLAG_POINTS


def _open_row(session: PlannedSession, status: Literal["red", "pending"], config: ComplianceConfig,
              easy_speed: SpeedLike, profile: Athlete | None = None, instead: str | None = None) -> SessionRow:
    volume = volume_score(session.workout, None, config, easy_speed)
    return SessionRow(
        day=session.date, session_id=session.id, activity_id=None, done_on=None, name=session.workout.name,
        sport=session.workout.sport.value, status=status, metric=volume.metric, planned=volume.planned,
        done=None, ratio=None, in_target=None, easy_above=None,
        rpe_prescribed=compare_rpe(session.workout, None, config, easy_speed, profile).prescribed, rpe_reported=None,
        days_late=None, flags=(["missed"] + ([instead] if instead else [])) if status == "red" else [])


def _unplanned_row(activity: ActivitySummary) -> SessionRow:
    return SessionRow(
        day=activity.start.date(), session_id=None, activity_id=activity.id, done_on=activity.start.date(),
        activity_title=activity.title, ascent_m=activity.ascent_m,
        name=f"{activity.title} (unplanned {activity.sport.value})" if activity.title
        else f"unplanned {activity.sport.value}",
        sport=activity.sport.value, status="unplanned", metric="duration", planned=None, done=activity.duration_s,
        ratio=None, in_target=None, easy_above=None, rpe_prescribed=None, rpe_reported=activity.workout_rpe,
        days_late=None, flags=["not in the plan", *_doubts(activity)])


def _days(summary: PlanSummary, rows: list[SessionRow], loads: list[ActivityLoad], ratios: AcwrSeries,
          config: ComplianceConfig) -> list[DayPoint]:
    """Every day of the summary's weeks, with the ratio of the athlete's history the summary takes too."""
    if not summary.weeks:
        return []
    first = summary.weeks[0].week_start
    calendar = [first + timedelta(days=i) for i in range(7 * len(summary.weeks))]
    per_day: dict[date, float] = defaultdict(float)
    for load in loads:
        per_day[load.day] += load.load(config.load_metric)
    daily = [per_day[day] for day in calendar]
    statuses: dict[date, list[str]] = defaultdict(list)
    for row in rows:
        statuses[row.day].append(row.status)
    return [DayPoint(day=day, status=_worst(statuses[day]), load=load, acwr=ratios.ratio(day))
            for day, load in zip(calendar, daily, strict=True)]


def _worst(statuses: list[str]) -> DayStatus:
    for status in STATUS_SEVERITY:
        if status in statuses:
            return status
    return "rest"
