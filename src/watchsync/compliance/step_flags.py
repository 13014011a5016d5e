"""What a session's step scores say beyond its in-target share: hard steps done easy or too hard, hard
steps (or sets) never run. The report flags them per session and ``watchsync analyze`` prints them."""

from __future__ import annotations

from watchsync.compliance.score import IntensityScore
from watchsync.rules import HR_MIN_STEP_SECONDS

#: Hard steps whose scored time is more than this share below their band (or hard runs without a band
#: that never left the easy heart rate) are flagged as done easy.
HARD_BELOW_SHARE = 0.5
#: ... and more than this share above it, as done too hard (a threshold set run at 175 bpm for 160-168).
HARD_ABOVE_SHARE = 0.75


def step_flags(intensity: IntensityScore) -> list[str]:
    """``hard steps done easy: ...`` and ``hard steps not run: 6 of 6`` (``sets not done`` in strength)."""
    return _hard_steps_flag(intensity) + _steps_not_run_flag(intensity)


#: Heart rate needs minutes to rise to a hard step's band: shorter hard steps are not judged by HR.
HARD_STEP_MIN_SECONDS = HR_MIN_STEP_SECONDS


def _hard_steps_flag(intensity: IntensityScore) -> list[str]:
    hard = [s for s in intensity.steps if not s.easy and s.scored_seconds > 0 and s.below is not None
            and s.seconds / max(1, s.executions) >= HARD_STEP_MIN_SECONDS]
    scored = sum(s.scored_seconds for s in hard)
    # steps above easy but none hard (a swim's RPE 5 set) are "moderate steps", and no key session (coach14)
    word = "moderate" if hard and all(s.hard is False for s in hard) else "hard"
    if scored > 0:
        below = sum((s.below or 0.0) * s.scored_seconds for s in hard) / scored
        if below > HARD_BELOW_SHARE:
            return [f"{word} steps done easy: {below:.0%} of their time below target"]
        above = sum((s.above or 0.0) * s.scored_seconds for s in hard) / scored
        if above > HARD_ABOVE_SHARE:  # the main set far off its band: the session's mean hid it (coach13)
            return [f"{word} steps done too hard: {above:.0%} of their time above target"]
    judged = sum(s.hr_judged for s in intensity.steps)  # hard runs without a band (hill reps), by heart rate
    stayed = sum(s.hr_easy for s in intensity.steps)
    ceiling = max((s.easy_ceiling for s in intensity.steps if s.easy_ceiling is not None), default=None)
    if judged and ceiling is not None and stayed / judged >= HARD_BELOW_SHARE:
        return [f"hard steps done easy: {stayed} of {judged} hard runs without a target never rose above the "
                f"easy heart rate ({ceiling:.0f} bpm)"]
    return []


def _steps_not_run_flag(intensity: IntensityScore) -> list[str]:
    """Hard steps the watch's laps show were never run (a workout stopped early, a rep skipped with the
    lap button), or sets of a strength workout never done; laid along the timer (no laps), a step's
    runs are not known."""
    if intensity.alignment == "time":
        return []
    sets = intensity.alignment == "sets"  # a strength workout: its exercises' sets
    counted = [s for s in intensity.steps if s.planned_executions and (s.exercise is not None if sets else not s.easy)]
    planned = sum(s.planned_executions for s in counted)
    missing = sum(max(0, s.planned_executions - s.executions) for s in counted)
    return [f"{'sets not done' if sets else 'hard steps not run'}: {missing} of {planned}"] if missing else []
