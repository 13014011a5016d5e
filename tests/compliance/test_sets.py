"""A strength workout scored by the watch's `set` messages (simulator → FIT → decoder → score)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import fitdecode
import pytest

from watchsync.activity import Activity, decode_activity
from watchsync.compliance.activities import summary_from_fit
from watchsync.compliance.easy import judge_easy
from watchsync.compliance.match import PlannedSession, match_sessions
from watchsync.compliance.score import score_intensity
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.report import build_report
from watchsync.resolve import resolve
from watchsync.testing.simulate import Behaviour, simulate_activity

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "fit"
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
STRENGTH = resolve(load_workout(ROOT / "workouts" / "strength" / "strength-5min.txt"), ATHLETE)  # 4 x 2 sets
DAY = date(2025, 3, 3)


def _done(workout: Workout, behaviour: Behaviour = "follows", *, embedded: bool = True) -> Activity:
    start = datetime(2025, 3, 3, 7, tzinfo=UTC)
    return decode_activity(simulate_activity(workout, ATHLETE, start=start, behaviour=behaviour,
                                             embedded=embedded).fit)


def test_a_followed_strength_workout_is_scored_set_by_set() -> None:
    score = score_intensity(STRENGTH, _done(STRENGTH))
    assert score.alignment == "sets" and score.inside is None
    exercises = [s for s in score.steps if s.exercise is not None]
    assert [s.exercise for s in exercises] == ["SQUAT/GOBLET_SQUAT", "LUNGE/LUNGE", "CALF_RAISE/CALF_RAISE",
                                               "HIP_RAISE/HIP_RAISE"]
    assert all((s.executions, s.planned_executions) == (2, 2) and s.reps_done == s.reps_planned for s in exercises)
    assert [s.reps_planned for s in exercises] == [20, 16, 24, 20]


def test_sets_never_done_are_counted_and_flagged() -> None:
    done = _done(STRENGTH, "cut_short")
    score = score_intensity(STRENGTH, done)
    exercises = [s for s in score.steps if s.exercise is not None]
    missing = sum(s.planned_executions - s.executions for s in exercises)
    assert 0 < missing < 8 and exercises[-1].executions == 0 and exercises[-1].reps_done == 0
    session = PlannedSession(id="s", date=DAY, workout=STRENGTH)
    matched = match_sessions([session], [summary_from_fit("a1", done)], today=DAY)
    [row] = build_report([session], matched, [], {"a1": score}, athlete="anna", today=DAY).sessions
    assert f"sets not done: {missing} of 8" in row.flags, row.flags


def test_without_the_workout_on_the_watch_sets_go_to_the_steps_of_their_exercise() -> None:
    done = _done(STRENGTH, embedded=False)
    assert done.sets and all(s.wkt_step_index is None for s in done.sets)
    score = score_intensity(STRENGTH, done)
    assert score.alignment == "sets"
    assert all(s.executions == 2 for s in score.steps if s.exercise is not None)
    rests = [s for s in score.steps if s.exercise is None]  # probe coach10: "0/2" beside the rests recorded
    recorded = sum(1 for s in done.sets if s.set_type == "rest")
    assert rests and recorded and sum(s.executions for s in rests) == min(recorded, sum(s.planned_executions
                                                                                       for s in rests))


def test_a_run_is_never_scored_by_sets_and_strength_gets_no_easy_run_judgement() -> None:
    run = resolve(load_workout(ROOT / "workouts" / "runs" / "easy-30.txt"), ATHLETE)
    assert score_intensity(run, _done(run)).alignment == "laps" and not _done(run).sets
    assert judge_easy(STRENGTH, _done(STRENGTH), ATHLETE, reported_rpe=None) is None


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared fixtures not found")
def test_a_garmin_strength_file_decodes_every_set_as_fitdecode_reads_it() -> None:
    path = FIXTURES / "20474406937_ACTIVITY.fit"
    with fitdecode.FitReader(str(path)) as reader:
        frames = [f for f in reader if isinstance(f, fitdecode.FitDataMessage) and f.name == "set"]
    sets = decode_activity(path).sets
    assert len(sets) == len(frames) == 76
    assert [s.set_type for s in sets] == [str(f.get_value("set_type")) for f in frames]
    assert [s.repetitions for s in sets] == [f.get_value("repetitions") for f in frames]
    assert sum(1 for s in sets if s.set_type == "active") == 38  # probe fit7's oracle (Garmin's SDK)
