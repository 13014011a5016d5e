"""Each simulated behaviour gets the scores and flags it implies (simulator → FIT → decoder → compliance)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import numpy as np
import pytest

from watchsync.activity import Activity, decode_activity
from watchsync.activity.model import TimerEvent
from watchsync.compliance.activities import summary_from_fit
from watchsync.compliance.match import PlannedSession, match_sessions
from watchsync.compliance.score import compare_rpe, score_intensity, volume_score
from watchsync.model.athlete import Athlete
from watchsync.model.workout import (
    CadenceTarget,
    DistanceDuration,
    Intensity,
    LapButton,
    Repeat,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
)
from watchsync.resolve import resolve
from watchsync.testing.simulate import Behaviour, late_start, simulate_activity

ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
PLANNED_ON = date(2025, 3, 3)
EASY_RUN = resolve(Workout(name="Easy run", sport=Sport.RUNNING, steps=[
    Step(duration=TimeDuration(seconds=3000), target=RpeTarget(low=3, high=3)),
]), ATHLETE)
INTERVALS = resolve(Workout(name="Hill repeats", sport=Sport.TRAIL_RUNNING, steps=[
    Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=900), target=RpeTarget(low=3, high=3)),
    Repeat(count=6, steps=[
        Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=180), target=RpeTarget(low=7, high=8)),
        Step(intensity=Intensity.RECOVERY, duration=LapButton(), target=RpeTarget(low=2, high=2)),
    ]),
    Step(intensity=Intensity.COOLDOWN, duration=TimeDuration(seconds=600), target=RpeTarget(low=2, high=3)),
]), ATHLETE)
INTERVAL_STEP = 1


def _run(workout: Workout, behaviour: Behaviour = "follows", start: datetime | None = None,
         **options: float | bool) -> Activity:
    start = start or datetime.combine(PLANNED_ON, time(7), UTC)
    return decode_activity(simulate_activity(workout, ATHLETE, start=start, behaviour=behaviour,
                                             **options).fit)  # type: ignore[arg-type]


def _session(workout: Workout) -> PlannedSession:
    return PlannedSession(id="s1", date=PLANNED_ON, workout=workout)


def test_follows_is_green_in_band_and_not_too_hard() -> None:
    activity = _run(EASY_RUN)
    intensity = score_intensity(EASY_RUN, activity)
    assert intensity.alignment == "laps"
    assert intensity.inside is not None and intensity.inside > 0.9
    assert intensity.too_hard is False
    assert volume_score(EASY_RUN, summary_from_fit("a1", activity)).colour == "green"


@pytest.mark.parametrize(("share", "flagged"), [(0.25, True), (0.10, False)])
def test_too_hard_is_flagged_at_a_quarter_of_easy_time_above_the_ceiling_not_at_a_tenth(
        share: float, flagged: bool) -> None:
    intensity = score_intensity(EASY_RUN, _run(EASY_RUN, "too_hard", above_ceiling_share=share))
    assert intensity.easy_above == pytest.approx(share, abs=0.04)
    assert intensity.too_hard is flagged


def test_too_hard_reports_a_higher_rpe_than_prescribed() -> None:
    activity = _run(EASY_RUN, "too_hard")
    comparison = compare_rpe(EASY_RUN, activity.sessions[0].workout_rpe)
    assert comparison.prescribed == 3
    assert comparison.difference is not None and comparison.difference > 0


@pytest.mark.parametrize(("done", "colour"), [(0.6, "yellow"), (0.4, "orange")])
def test_cut_short_lowers_the_volume_colour(done: float, colour: str) -> None:
    activity = _run(EASY_RUN, "cut_short", completed_share=done)
    score = volume_score(EASY_RUN, summary_from_fit("a1", activity))
    assert score.ratio == pytest.approx(done, abs=0.01)
    assert score.colour == colour


def test_skipping_intervals_scores_the_interval_step_low_and_the_warmup_high() -> None:
    followed = {s.index: s for s in score_intensity(INTERVALS, _run(INTERVALS)).steps}
    skipped = {s.index: s for s in score_intensity(INTERVALS, _run(INTERVALS, "skips_intervals")).steps}
    assert followed[INTERVAL_STEP].inside is not None and followed[INTERVAL_STEP].inside > 0.6
    assert skipped[INTERVAL_STEP].inside is not None and skipped[INTERVAL_STEP].inside < 0.1
    assert skipped[INTERVAL_STEP].below is not None and skipped[INTERVAL_STEP].below > 0.9
    assert skipped[0].inside is not None and skipped[0].inside > 0.9
    assert skipped[INTERVAL_STEP].executions == 6


def test_follows_intervals_are_not_flagged_too_hard_despite_slow_recovery_hr() -> None:
    assert score_intensity(INTERVALS, _run(INTERVALS)).too_hard is False


@pytest.mark.parametrize(("days_late", "matched"), [(3, True), (5, True), (6, False)])
def test_late_is_matched_within_five_days_and_missed_beyond(days_late: int, matched: bool) -> None:
    activity = _run(EASY_RUN, "late", start=late_start(PLANNED_ON, days_late))
    result = match_sessions([_session(EASY_RUN)], [summary_from_fit("a1", activity)],
                            today=PLANNED_ON.replace(day=20))
    if matched:
        assert [m.days_late for m in result.matches] == [days_late]
        assert result.missed == [] and result.unplanned == []
    else:
        assert result.matches == []
        assert [s.id for s in result.missed] == ["s1"]
        assert [a.id for a in result.unplanned] == ["a1"]


def test_swapped_bike_is_not_matched_to_the_run_and_counts_as_unplanned() -> None:
    activity = _run(EASY_RUN, "swapped_bike")
    summary = summary_from_fit("ride", activity)
    assert summary.sport is Sport.CYCLING
    result = match_sessions([_session(EASY_RUN)], [summary], today=PLANNED_ON.replace(day=20))
    assert result.matches == []
    assert [a.id for a in result.unplanned] == ["ride"]
    assert [s.id for s in result.missed] == ["s1"]


def test_without_laps_steps_are_aligned_by_time() -> None:
    activity = _run(INTERVALS, "skips_intervals")
    stripped = Activity(file_ids=activity.file_ids, sessions=activity.sessions, laps=(),
                        records=activity.records, workout=None, decoder=activity.decoder,
                        salvaged=False, warnings=())
    by_time = {s.index: s for s in score_intensity(INTERVALS, stripped).steps}
    assert score_intensity(INTERVALS, stripped).alignment == "time"
    assert by_time[0].inside is not None and by_time[0].inside > 0.9
    assert by_time[INTERVAL_STEP].inside is not None and by_time[INTERVAL_STEP].inside < 0.2


TIMED_INTERVALS = resolve(Workout(name="6x3min", sport=Sport.RUNNING, steps=[
    Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=900), target=RpeTarget(low=3, high=3)),
    Repeat(count=6, steps=[
        Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=180), target=RpeTarget(low=7, high=8)),
        Step(intensity=Intensity.RECOVERY, duration=TimeDuration(seconds=120), target=RpeTarget(low=2, high=2)),
    ]),
    Step(intensity=Intensity.COOLDOWN, duration=TimeDuration(seconds=600), target=RpeTarget(low=2, high=3)),
]), ATHLETE)


def _without_laps(activity: Activity) -> Activity:
    """The run as a watch records it when the runner just pressed Start (no workout, no step laps)."""
    return replace(activity, laps=(), workout=None)


def _paused(activity: Activity, after_s: float, pause_s: float) -> Activity:
    """The same run with the timer stopped for ``pause_s`` seconds ``after_s`` seconds in (a café)."""
    timestamps = activity.records.timestamp
    at = float(timestamps[0]) + after_s
    records = replace(activity.records, timestamp=np.where(timestamps >= at, timestamps + pause_s, timestamps))
    sessions = tuple(replace(s, total_elapsed_time=(s.total_elapsed_time or 0.0) + pause_s)
                     for s in activity.sessions)
    events = tuple(sorted([*(replace(e, time=e.time + pause_s) if e.time >= at else e for e in activity.timer_events),
                           TimerEvent(at, False), TimerEvent(at + pause_s, True)], key=lambda e: e.time))
    return replace(activity, records=records, sessions=sessions, timer_events=events)


def test_a_pause_does_not_shift_the_steps_laid_along_the_time_the_timer_ran() -> None:
    plain = _without_laps(_run(TIMED_INTERVALS, embedded=False))
    # a 2-minute traffic light 10 minutes into the warm-up, then a 10-minute cafe stop in the third rep
    paused = _paused(_paused(plain, 600, 120), 900 + 120 + 2 * 300 + 60, 600)
    before, after = score_intensity(TIMED_INTERVALS, plain), score_intensity(TIMED_INTERVALS, paused)
    assert after.alignment == "time"
    assert before.inside is not None and after.inside is not None and before.inside > 0.75
    assert after.inside == pytest.approx(before.inside, abs=0.03)
    hard, unpaused = ({s.index: s for s in score.steps}[INTERVAL_STEP] for score in (after, before))
    assert hard.seconds == pytest.approx(6 * 180) and hard.executions == 6
    assert hard.below is not None and unpaused.below is not None
    assert hard.below == pytest.approx(unpaused.below, abs=0.05)  # not scored on the warm-up or the jogs


def test_an_easy_run_with_a_hard_finish_after_a_cafe_stop_is_too_hard() -> None:
    plain = _without_laps(_run(EASY_RUN, "too_hard", above_ceiling_share=0.35, embedded=False))
    paused = _paused(plain, 1200, 600)
    score = score_intensity(EASY_RUN, paused)
    assert score.too_hard and score.easy_above is not None and score.easy_above > 0.25
    assert sum(s.seconds for s in score.steps) == pytest.approx(3000)  # timer time, not 3600 s of wall time


def test_laps_of_another_workout_are_not_taken_for_this_workouts_steps() -> None:
    intervals = _run(INTERVALS)  # the watch ran the interval session (its copy is in the file) ...
    score = score_intensity(EASY_RUN, intervals)  # ... and it is scored against an easy run
    assert score.alignment == "time"
    assert score.too_hard and score.easy_above is not None and score.easy_above > 0.25
    assert score_intensity(INTERVALS, intervals).alignment == "laps"


def test_a_run_cut_short_counts_only_the_time_it_lasted() -> None:
    short = _without_laps(_run(EASY_RUN, "cut_short", completed_share=0.44, embedded=False))
    [step] = score_intensity(EASY_RUN, short).steps
    assert step.seconds == pytest.approx(0.44 * 3000, abs=2)


@pytest.mark.parametrize(("low", "high"), [(150, 200), (70, 100)])
def test_a_running_cadence_target_counts_steps_or_strides_as_written(low: float, high: float) -> None:
    """FIT records running cadence in strides a minute; ``150-200spm`` is steps a minute (twice the
    records' figure), ``70-100rpm`` strides: the simulated runner (about 88 strides, 176 steps) is in both."""
    cadence_run = Workout(name="Cadence run", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=1800), target=CadenceTarget(low=low, high=high))])
    activity = _run(cadence_run)
    strides = activity.records.cadence[~np.isnan(activity.records.cadence)]
    assert 70 < float(np.median(strides)) < 100  # what the records hold
    score = score_intensity(cadence_run, activity)
    assert score.steps[0].channel == "cadence" and score.steps[0].inside is not None
    assert score.steps[0].inside > 0.9


def test_a_ride_cadence_target_is_the_records_rpm_as_they_are() -> None:
    ride = Workout(name="Cadence ride", sport=Sport.CYCLING, steps=[
        Step(duration=TimeDuration(seconds=1800), target=CadenceTarget(low=150, high=200))])
    score = score_intensity(ride, _run(ride))
    assert score.steps[0].inside is not None and score.steps[0].inside < 0.05  # 90 rpm is not 180


@pytest.mark.parametrize("speed", [0.0, np.nan])
def test_a_treadmill_run_without_record_speed_is_scored_from_its_distance(speed: float) -> None:
    """A footpod treadmill run: the records' speed is 0 (or absent) while their distance grows."""
    paced = Workout(name="Steady", sport=Sport.TREADMILL, steps=[
        Step(duration=TimeDuration(seconds=1800), target=SpeedTarget(low=2.5, high=3.6))])
    activity = _run(paced)
    with_speed = score_intensity(paced, activity).steps[0]
    treadmill = replace(activity, records=replace(activity.records,
                                                  speed=np.full(len(activity.records.speed), speed)))
    from_distance = score_intensity(paced, treadmill).steps[0]
    assert with_speed.inside is not None and with_speed.inside > 0.8
    assert from_distance.inside == pytest.approx(with_speed.inside, abs=0.05)
    assert from_distance.scored_seconds == pytest.approx(with_speed.scored_seconds, rel=0.02)


def test_distance_steps_without_recorded_distance_are_laid_along_the_speed() -> None:
    """A device that records speed but no distance: each distance step still lasts its metres."""
    reps = resolve(Workout(name="Km repeats", sport=Sport.RUNNING, steps=[
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=600), target=RpeTarget(low=3, high=3)),
        Repeat(count=3, steps=[
            Step(intensity=Intensity.INTERVAL, duration=DistanceDuration(meters=1000), target=RpeTarget(low=7, high=7)),
            Step(intensity=Intensity.RECOVERY, duration=TimeDuration(seconds=120), target=RpeTarget(low=2, high=2)),
        ])]), ATHLETE)
    activity = _without_laps(_run(reps))
    no_distance = replace(activity, records=replace(activity.records,
                                                    distance=np.full(len(activity.records.distance), np.nan)))
    with_distance = {s.index: s.seconds for s in score_intensity(reps, activity).steps}
    from_speed = {s.index: s.seconds for s in score_intensity(reps, no_distance).steps}
    assert from_speed.keys() == with_distance.keys()
    for index, seconds in with_distance.items():
        assert from_speed[index] == pytest.approx(seconds, rel=0.03), index


def test_steps_never_run_are_listed_with_their_planned_runs_and_flagged() -> None:
    from watchsync.report import build_report
    from watchsync.report.values import runs

    followed = score_intensity(INTERVALS, _run(INTERVALS))
    assert all(s.executions == s.planned_executions for s in followed.steps)
    stopped = _run(INTERVALS, "cut_short", completed_share=0.4)
    intensity = score_intensity(INTERVALS, stopped)
    assert intensity.alignment == "laps"
    by_index = {s.index: s for s in intensity.steps}
    assert sorted(by_index) == [0, 1, 2, 4]  # the cool-down never reached is still a row (3: the repeat)
    interval, cooldown = by_index[INTERVAL_STEP], by_index[4]
    assert interval.planned_executions == 6 and 0 < interval.executions < 6
    assert (cooldown.executions, cooldown.planned_executions, cooldown.inside) == (0, 1, None)
    assert runs(interval.executions, 6) == f"{interval.executions}/6" and runs(6, 6) == "6"

    summary = summary_from_fit("a1", stopped)
    matched = match_sessions([_session(INTERVALS)], [summary], today=PLANNED_ON)
    report = build_report([_session(INTERVALS)], matched, [], {"a1": intensity}, athlete="anna", today=PLANNED_ON)
    [row] = report.sessions
    assert f"hard steps not run: {6 - interval.executions} of 6" in row.flags, row.flags
    full = build_report([_session(INTERVALS)], match_sessions([_session(INTERVALS)], [summary], today=PLANNED_ON),
                        [], {"a1": followed}, athlete="anna", today=PLANNED_ON)
    assert not any("not run" in flag for flag in full.sessions[0].flags)


def test_steps_laid_along_the_timer_say_their_runs_are_not_known() -> None:
    from watchsync.report import build_report
    from watchsync.report.values import runs

    plain = _without_laps(_run(INTERVALS, embedded=False))
    intensity = score_intensity(INTERVALS, plain)
    assert intensity.alignment == "time"
    summary = summary_from_fit("a1", plain)
    matched = match_sessions([_session(INTERVALS)], [summary], today=PLANNED_ON)
    [row] = build_report([_session(INTERVALS)], matched, [], {"a1": intensity}, athlete="anna",
                         today=PLANNED_ON).sessions
    assert row.steps and not any(step.runs_known for step in row.steps)
    assert {runs(s.executions, s.planned_executions, known=s.runs_known) for s in row.steps} == {"–"}
    assert not any("not run" in flag for flag in row.flags)


def test_a_swim_of_yards_and_wall_rests_is_judged_by_its_yards_and_shown_in_yards() -> None:
    # 1859 yd swum for 1500 yd planned (124 %) read "58m05s / 34m49s (167 %) orange": the timer held the wall
    # rests (probe coach14)
    from datetime import datetime

    from watchsync.compliance.activities import ActivitySummary
    from watchsync.formats.text import parse_text
    from watchsync.model.units import METERS_PER_YARD, Units
    from watchsync.model.workout import Sport
    from watchsync.report import values

    swim = parse_text("name: Swim\nsport: pool_swim\npool: 25yd\n- 300yd RPE 3\nMain set 6x\n- 100yd RPE 5\n"
                      "- 20s rest\nCooldown\n- 600yd RPE 3\n")
    done = ActivitySummary(id="s", sport=Sport.POOL_SWIM, start=datetime(2030, 3, 5, 7), duration_s=3485,
                           distance_m=1859 * METERS_PER_YARD)
    score = volume_score(swim, done)
    assert score.metric == "distance" and score.ratio == pytest.approx(1859 / 1500) and score.colour == "yellow"
    with values.display_units(Units.IMPERIAL):
        assert values.step_band("speed", 0.78, 0.81, "swim") == "1:53/100yd-1:57/100yd"
    timed = parse_text("name: Swim\nsport: pool_swim\n- 300mtr RPE 3\n- 10m RPE 4\n")  # a timed swim: its time
    assert volume_score(timed, done).metric == "duration"
    # entered by hand in Connect, no distance: judged by its time, not "0 m, 0 %" (probe review19)
    by_hand = done.model_copy(update={"distance_m": None, "manual": True, "duration_s": 1800})
    assert volume_score(swim, by_hand).metric == "duration" and volume_score(swim, by_hand).colour != "orange"
