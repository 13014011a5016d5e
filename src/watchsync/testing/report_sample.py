"""A three-week sample report from simulated activities, for tests and the demo.

Library workouts are planned over three weeks and "done" by the activity simulator with the usual
deviations (followed, too hard, cut short, intervals skipped, a day late, a ride instead of a run,
an extra ride, a session skipped), then decoded, matched and scored like real activities.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple

from watchsync.activity import Activity, decode_activity
from watchsync.compliance import (
    ActivityLoad,
    ActivitySummary,
    ComplianceConfig,
    PlannedSession,
    activity_load,
    match_sessions,
    score_intensity,
    summary_from_fit,
)
from watchsync.compliance.easy import judge_easy
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.report.build import build_report
from watchsync.report.model import ComplianceReport
from watchsync.resolve import resolve
from watchsync.rules import speeds_for
from watchsync.testing.simulate import Behaviour, simulate_activity

START_OF_DAY = time(7, 0)


class SampleDay(NamedTuple):
    """One planned (or unplanned) session: day offset from the first Monday, workout, what happened."""

    offset: int
    workout: str  # path inside the library
    behaviour: Behaviour | None  # None: not done
    planned: bool = True
    days_late: int = 0
    completed_share: float = 0.6


SAMPLE_PLAN: tuple[SampleDay, ...] = (
    SampleDay(1, "runs/easy-45.txt", "follows"),
    SampleDay(3, "runs/fartlek.txt", "follows"),
    SampleDay(5, "runs/long-easy-90.txt", "follows"),
    SampleDay(6, "cross/bike-outdoor-60.txt", "follows", planned=False),
    SampleDay(8, "runs/easy-45.txt", "too_hard"),
    SampleDay(9, "runs/recovery-25.txt", None),
    SampleDay(10, "runs/steady-blocks.txt", "skips_intervals"),
    SampleDay(12, "runs/long-easy-90.txt", "late", days_late=1),
    SampleDay(15, "runs/strides-40.txt", "cut_short", completed_share=0.4),
    SampleDay(17, "runs/easy-45.txt", "swapped_bike"),
    SampleDay(18, "runs/fartlek.txt", "cut_short", completed_share=0.7),
    SampleDay(19, "runs/long-easy-90.txt", "follows"),
    SampleDay(20, "runs/recovery-25.txt", None),
)
#: "Today" three days after the last Sunday: Thursday's window has closed, Sunday's is still open.
TODAY_OFFSET = 23


def sample_report(library: Path, athlete: Athlete, first_monday: date,
                  config: ComplianceConfig | None = None, *, judged: bool = False) -> ComplianceReport:
    """Simulate :data:`SAMPLE_PLAN` for ``athlete`` from ``first_monday`` and build its report (``judged``:
    with each easy run's judgement, as the store's report has it)."""
    config = config or ComplianceConfig()
    workouts = {day.workout: resolve(load_workout(library / day.workout), athlete) for day in SAMPLE_PLAN}
    planned: list[PlannedSession] = []
    summaries: list[ActivitySummary] = []
    loads: list[ActivityLoad] = []
    decoded: dict[str, Activity] = {}
    for number, day in enumerate(SAMPLE_PLAN, start=1):
        planned_on = first_monday + timedelta(days=day.offset)
        if day.planned:
            planned.append(PlannedSession(id=f"s{number}", date=planned_on, workout=workouts[day.workout]))
        if day.behaviour is None:
            continue
        start = datetime.combine(planned_on + timedelta(days=day.days_late), START_OF_DAY, UTC)
        simulated = simulate_activity(workouts[day.workout], athlete, start=start, behaviour=day.behaviour,
                                      seed=number, completed_share=day.completed_share)
        activity = decode_activity(simulated.fit)
        summary = summary_from_fit(f"a{number}", activity)
        decoded[summary.id] = activity
        summaries.append(summary)
        loads.append(activity_load(summary, activity.records, athlete, config))
    today = first_monday + timedelta(days=TODAY_OFFSET)
    matched = match_sessions(planned, summaries, today=today, config=config)
    intensities = {m.activity.id: score_intensity(m.session.workout, decoded[m.activity.id], config, athlete)
                   for m in matched.matches}
    easy = {m.activity.id: judgement for m in matched.matches if judged and (judgement := judge_easy(
        m.session.workout, decoded[m.activity.id], athlete, m.activity.workout_rpe, config)) is not None}
    return build_report(planned, matched, loads, intensities, athlete=athlete.name, today=today,
                        config=config, easy_speed=speeds_for(athlete), easy=easy, profile=athlete)

