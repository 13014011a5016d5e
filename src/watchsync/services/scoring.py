"""Scoring one analysed activity (or one session of it) against the planned session it matched."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from watchsync.compliance.analysis import Analysis, SessionAnalysis
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.easy import EasyJudgement, judge_easy
from watchsync.compliance.match import PlannedSession
from watchsync.compliance.score import (
    IntensityScore,
    RpeComparison,
    VolumeScore,
    compare_rpe,
    score_intensity,
    volume_score,
)
from watchsync.compliance.step_flags import step_flags
from watchsync.model.athlete import Athlete
from watchsync.rules import speeds_for


class SessionScore(BaseModel):
    """How one activity did against one planned session."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    day: date
    workout: str
    activity_id: str | None = None  # the summary scored: ``<id>#<n>`` for a session of a multi-session file
    volume: VolumeScore
    intensity: IntensityScore
    rpe: RpeComparison
    easy: EasyJudgement | None = None
    #: Hard steps done easy, hard steps or sets never run (:func:`watchsync.compliance.step_flags.step_flags`).
    step_flags: tuple[str, ...] = ()


def score_session(session: PlannedSession, analysis: Analysis | SessionAnalysis, athlete: Athlete,
                  config: ComplianceConfig | None = None) -> SessionScore:
    """Volume, time in target per step and RPE of ``analysis`` (a file or one of its sessions)."""
    config = config or ComplianceConfig()
    workout = session.workout
    intensity = score_intensity(workout, analysis.activity, config, athlete)
    return SessionScore(
        session_id=session.id, day=session.date, workout=workout.name, activity_id=analysis.summary.id,
        volume=volume_score(workout, analysis.summary, config, speeds_for(athlete)),
        intensity=intensity, step_flags=tuple(step_flags(intensity)),
        rpe=compare_rpe(workout, analysis.summary.workout_rpe, config, speeds_for(athlete), athlete),
        easy=judge_easy(workout, analysis.activity, athlete, analysis.summary.workout_rpe, config))
