"""Analysing one FIT activity, optionally scored against the workout it was meant to be."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from watchsync.compliance.embedded import embedded_workout
from watchsync.compliance.match import PlannedSession
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.prepare import PreparedWorkout, prepare
from watchsync.services.activities import Analysis, SessionScore, analyse, score_session


@dataclass(frozen=True)
class ScoredActivity:
    """An analysed activity and, when a workout was given or the watch ran one, its score."""

    analysis: Analysis
    score: SessionScore | None


def analyze_activity(data: bytes | Path, athlete: Athlete, workout: Workout | PreparedWorkout | None = None, *,
                     activity_id: str | None = None) -> ScoredActivity:
    """Decode and summarise a FIT activity for ``athlete`` and score it against ``workout``.

    ``workout`` is resolved for the athlete first; without one, the workout the watch ran (embedded
    in the file) is used when there is one; a multi-session file is scored on the session of the
    workout's sport (see `Analysis.scored_for`). Raises ``FitDecodeError`` for data that is not FIT.
    """
    name = activity_id or (data.stem if isinstance(data, Path) else "activity")
    analysis = analyse(name, data, athlete)
    planned = prepare(workout, athlete).resolved if workout is not None else _embedded(analysis, athlete)
    if planned is None:
        return ScoredActivity(analysis, None)
    session = PlannedSession(id=planned.name, date=analysis.summary.start.date(), workout=planned)
    return ScoredActivity(analysis, score_session(session, analysis.scored_for(planned.sport), athlete))


def _embedded(analysis: Analysis, athlete: Athlete) -> Workout | None:
    if analysis.activity.workout is None or not analysis.activity.workout.steps:
        return None
    try:
        return embedded_workout(analysis.activity, max_hr=athlete.max_hr, ftp=athlete.ftp)
    except ValueError:
        return None
