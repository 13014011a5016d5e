"""Analysing one FIT activity, optionally scored against the workout it was meant to be."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from watchsync.compliance.activities import NotAnActivity
from watchsync.compliance.analysis import Analysis, analyse

# Scoring (the workout model, compliance scores) is imported only for an activity with a workout to
# score against: ``analyze`` of a plain run loads none of it.
if TYPE_CHECKING:
    from watchsync.model.athlete import Athlete
    from watchsync.model.workout import Workout
    from watchsync.prepare import PreparedWorkout
    from watchsync.services.scoring import SessionScore


@dataclass(frozen=True)
class ScoredActivity:
    """An analysed activity and, when a workout was given or the watch ran one, its score."""

    analysis: Analysis
    score: SessionScore | None
    workout: Workout | None = None  # the resolved workout scored against (given, or the watch's own)

    @property
    def sport_mismatch(self) -> str | None:
        """``an activity of sport strength scored against a running workout`` when the part scored
        (the file, or its session of the workout's sport) is of another sport family, else None."""
        if self.workout is None:
            return None
        scored = self.analysis.scored_for(self.workout.sport).summary.sport
        if scored.family == self.workout.sport.family:
            return None
        return f"an activity of sport {scored.value} scored against a {self.workout.sport.value} workout"


def analyze_activity(data: bytes | Path, athlete: Athlete, workout: Workout | PreparedWorkout | None = None, *,
                     activity_id: str | None = None) -> ScoredActivity:
    """Decode and summarise a FIT activity for ``athlete`` and score it against ``workout``.

    ``workout`` is resolved for the athlete first; without one, the workout the watch ran (embedded
    in the file) is used when there is one; a multi-session file is scored on the session of the
    workout's sport (see `Analysis.scored_for`). Raises ``FitDecodeError`` for data that is not FIT.
    """
    name = activity_id or (data.stem if isinstance(data, Path) else "activity")
    try:
        analysis = analyse(name, data, athlete)
    except NotAnActivity as error:  # the file named, as every input error names its file
        if isinstance(data, Path):
            raise NotAnActivity(f"{data}: {error}") from None
        raise
    if workout is not None:
        from watchsync.prepare import prepare  # only with a workout: `analyze` alone stays light

        planned: Workout | None = prepare(workout, athlete).resolved
    else:
        planned = _embedded(analysis, athlete)
    if planned is None:
        return ScoredActivity(analysis, None)
    from watchsync.compliance.match import PlannedSession
    from watchsync.services.scoring import score_session

    session = PlannedSession(id=planned.name, date=analysis.summary.start.date(), workout=planned)
    return ScoredActivity(analysis, score_session(session, analysis.scored_for(planned.sport), athlete), planned)


def _embedded(analysis: Analysis, athlete: Athlete) -> Workout | None:
    if analysis.activity.workout is None or not analysis.activity.workout.steps:
        return None
    from watchsync.compliance.embedded import embedded_workout

    try:
        return embedded_workout(analysis.activity, max_hr=athlete.max_hr, ftp=athlete.ftp)
    except ValueError:
        return None
