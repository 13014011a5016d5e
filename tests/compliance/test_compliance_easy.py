"""The easy-run judgement for every athlete: HR against a ceiling from what is known, pace, reported RPE."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time

import numpy as np
import pytest

from watchsync import rules
from watchsync.activity import Activity, decode_activity
from watchsync.compliance.easy import judge_easy
from watchsync.model.athlete import Athlete, Units
from watchsync.model.workout import Intensity, PowerTarget, Repeat, RpeTarget, Sport, Step, TimeDuration, Workout
from watchsync.resolve import resolve
from watchsync.testing.simulate import Behaviour, simulate_activity

HR_ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
BY_FEEL = Athlete(name="ben", max_hr=188, resting_hr=48, targets="rpe")
LONG_RUN = Workout(name="Long run", sport=Sport.TRAIL_RUNNING, steps=[
    Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=600), target=RpeTarget(low=2, high=3)),
    Step(duration=TimeDuration(seconds=3600), target=RpeTarget(low=3, high=3)),
])
DAY = date(2025, 3, 3)


def _done(behaviour: Behaviour) -> Activity:
    """The run as the HR athlete's body does it (the same heart, whatever the profile says)."""
    resolved = resolve(LONG_RUN, HR_ATHLETE)
    fit = simulate_activity(resolved, HR_ATHLETE, start=datetime.combine(DAY, time(7), UTC), behaviour=behaviour).fit
    return decode_activity(fit)  # type: ignore[arg-type]


def test_the_ceiling_comes_from_lthr_else_heart_rate_reserve_else_max_hr() -> None:
    assert rules.easy_hr_ceiling(HR_ATHLETE) == rules.EasyCeiling("heart_rate", 0.89 * 171, "89% of LTHR 171")
    by_reserve = rules.easy_hr_ceiling(BY_FEEL)
    assert by_reserve is not None and by_reserve.value == pytest.approx(48 + 0.74 * 140)
    only_max = rules.easy_hr_ceiling(Athlete(name="c", max_hr=200))
    assert only_max is not None and only_max.value == pytest.approx(158) and "max HR" in only_max.source
    assert rules.easy_hr_ceiling(Athlete(name="d")) is None  # nothing known: no made-up ceiling


def test_a_by_feel_runners_too_hard_long_run_is_flagged_by_heart_rate() -> None:
    resolved = resolve(LONG_RUN, BY_FEEL)
    assert all(step.target.kind == "open" for step in resolved.flat_steps())  # the watch showed no band
    judgement = judge_easy(resolved, _done("too_hard"), BY_FEEL, reported_rpe=None)
    assert judgement is not None and judgement.too_hard
    assert judgement.bases == ["heart_rate"]
    assert "heart-rate reserve" in judgement.message and judgement.above is not None and judgement.above > 0.15
    # the ceiling 48 + 0.74 x 140 = 151.6: a beat of 152 is above it, so the message says 151 (probe fit12)
    assert "above 151 bpm" in judgement.message


def test_a_by_feel_runners_truly_easy_run_is_not_flagged() -> None:
    judgement = judge_easy(resolve(LONG_RUN, BY_FEEL), _done("follows"), BY_FEEL, reported_rpe=3)
    assert judgement is not None and not judgement.too_hard
    assert judgement.bases == ["heart_rate", "rpe"]


def test_the_same_run_is_easy_for_an_athlete_with_a_higher_ceiling() -> None:
    activity = _done("too_hard")
    highest = float(np.nanmax(activity.records.heart_rate))
    fitter = Athlete(name="eva", resting_hr=48, max_hr=min(240, round(48 + (highest + 5 - 48) / 0.74) + 1),
                     targets="rpe")
    judgement = judge_easy(resolve(LONG_RUN, fitter), activity, fitter, reported_rpe=None)
    assert judgement is not None and judgement.ceiling is not None and judgement.ceiling > highest
    assert not judgement.too_hard and judgement.above == 0


def test_without_heart_rate_a_run_is_judged_by_pace() -> None:
    activity = _done("too_hard")
    no_hr = dataclasses.replace(activity, records=dataclasses.replace(
        activity.records, heart_rate=np.full(len(activity.records.heart_rate), np.nan)))
    athlete = BY_FEEL.model_copy(update={"threshold_pace": 270.0})
    judgement = judge_easy(resolve(LONG_RUN, athlete), no_hr, athlete, reported_rpe=None)
    assert judgement is not None and judgement.bases == ["pace"]
    easy = judge_easy(resolve(LONG_RUN, athlete), dataclasses.replace(_done("follows"), records=dataclasses.replace(
        no_hr.records, speed=np.full(len(no_hr.records.speed), 2.5))), athlete, reported_rpe=None)
    assert easy is not None and not easy.too_hard  # 2.5 m/s is below 87 % of 3.7 m/s
    assert judgement.too_hard and "pace" in judgement.message and "/km," in judgement.message
    imperial = athlete.model_copy(update={"units": Units.IMPERIAL})  # an imperial runner reads the ceiling per mile
    per_mile = judge_easy(resolve(LONG_RUN, imperial), no_hr, imperial, reported_rpe=None)
    assert per_mile is not None and "/mi," in per_mile.message and "/km" not in per_mile.message


@pytest.mark.parametrize(("reported", "flagged"), [(6.0, True), (5.0, True), (4.0, False), (3.0, False)])
def test_the_reported_rpe_is_judged_against_the_prescription(reported: float, flagged: bool) -> None:
    athlete = Athlete(name="f", targets="rpe")  # no heart-rate figures at all: RPE is the only basis
    judgement = judge_easy(resolve(LONG_RUN, athlete), _done("follows"), athlete, reported_rpe=reported)
    assert judgement is not None and judgement.bases == ["rpe"]
    assert judgement.too_hard is flagged


def test_hard_sessions_without_easy_steps_outside_repeats_are_not_judged() -> None:
    intervals = Workout(name="Intervals", sport=Sport.RUNNING, steps=[Repeat(count=3, steps=[
        Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=120), target=RpeTarget(low=8, high=8)),
        Step(intensity=Intensity.RECOVERY, duration=TimeDuration(seconds=60), target=RpeTarget(low=2, high=2))])])
    assert judge_easy(resolve(intervals, BY_FEEL), _done("follows"), BY_FEEL, reported_rpe=8) is None


def test_the_reported_rpe_of_a_session_with_hard_reps_is_not_held_against_its_warm_up() -> None:
    hills = Workout(name="Hills", sport=Sport.TRAIL_RUNNING, steps=[
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=900), target=RpeTarget(low=3, high=3)),
        Repeat(count=6, steps=[
            Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=90), target=RpeTarget(low=8, high=8)),
            Step(intensity=Intensity.RECOVERY, duration=TimeDuration(seconds=90), target=RpeTarget(low=2, high=2))]),
        Step(intensity=Intensity.COOLDOWN, duration=TimeDuration(seconds=600), target=RpeTarget(low=2, high=3))])
    athlete = Athlete(name="f", targets="rpe")
    judgement = judge_easy(resolve(hills, athlete), _done("follows"), athlete, reported_rpe=6)
    assert judgement is not None and "rpe" not in judgement.bases and not judgement.too_hard
    assert judgement.message.startswith("easy steps not judged")


def test_a_warm_up_held_to_a_hard_band_is_not_easy_time() -> None:
    """An Edge's workout puts a warm-up step at 113-130 % of FTP (hrv-activity.fit, probe score6 #6): a band
    above the athlete's easy limit makes the step no easy step, whatever its intensity."""
    ride = Workout(name="Openers", sport=Sport.INDOOR_CYCLING, steps=[
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=600), target=RpeTarget(low=2, high=3)),
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=600), target=PowerTarget(low=260, high=298)),
    ])
    rider = HR_ATHLETE.model_copy(update={"ftp": 230})
    resolved = resolve(ride, rider)
    activity = decode_activity(simulate_activity(resolved, rider, start=datetime.combine(DAY, time(7), UTC)).fit)
    with_ftp = judge_easy(resolved, activity, rider, reported_rpe=None)
    without = judge_easy(resolved, activity, HR_ATHLETE, reported_rpe=None)  # no FTP: no power limit known
    assert with_ftp is not None and without is not None
    assert without.easy_seconds - with_ftp.easy_seconds > 500  # the hard warm-up (600 s less its grace) left out


RUN_WALK = Workout(name="Run/walk", sport=Sport.RUNNING, steps=[
    Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=300), target=RpeTarget(low=2, high=2)),
    Repeat(count=8, steps=[Step(duration=TimeDuration(seconds=240), target=RpeTarget(low=3, high=4)),
                           Step(intensity=Intensity.RECOVERY, duration=TimeDuration(seconds=60),
                                target=RpeTarget(low=1, high=2))]),
])


@pytest.mark.parametrize(("behaviour", "flagged"), [("too_hard", True), ("follows", False)])
def test_a_run_walks_runs_are_judged_though_they_sit_in_a_repeat(behaviour: Behaviour, flagged: bool) -> None:
    # a run/walk is easy throughout: its run steps are its easy running, not the recoveries of reps;
    # 28 of 40 minutes too fast read "done easy" (probe coach11)
    resolved = resolve(RUN_WALK, HR_ATHLETE)
    fit = simulate_activity(resolved, HR_ATHLETE, start=datetime.combine(DAY, time(7), UTC), behaviour=behaviour).fit
    judgement = judge_easy(resolved, decode_activity(fit), HR_ATHLETE, reported_rpe=None)
    assert judgement is not None and judgement.too_hard is flagged
    assert judgement.easy_seconds > 8 * 240 * 0.8  # the runs counted, not the 5-minute warm-up alone


def test_hill_sprints_without_a_target_keep_their_walk_backs_out_of_the_easy_judgement() -> None:
    # "8x / 15s hill sprint / 2m RPE 2 walk back": the sprint has no RPE nor target, easy only by
    # default; its walk-backs run on its heart rate and are no run/walk (probe review15)
    from watchsync.compliance.steps import execution_order

    sprints = Workout(name="Hill sprints", sport=Sport.RUNNING, steps=[
        Repeat(count=8, steps=[Step(duration=TimeDuration(seconds=15), name="hill sprint"),
                               Step(intensity=Intensity.RECOVERY, duration=TimeDuration(seconds=120),
                                    target=RpeTarget(low=2, high=2))])])
    assert all(planned.in_repeat for planned in execution_order(sprints))
    assert not any(planned.in_repeat for planned in execution_order(RUN_WALK))


@pytest.mark.parametrize(("behaviour", "flagged"), [("too_hard", True), ("follows", False)])
def test_a_zone_two_run_is_judged_as_an_easy_run(behaviour: Behaviour, flagged: bool) -> None:
    # a masters runner's "- 40m Z2 HR" done in zone 3 read "done easy" (only the warm-up was judged), and
    # run slowly it read "hard steps done easy" (probe coach12)
    from watchsync.formats.text import parse_text

    zone_two = resolve(parse_text("name: Easy Z2\nsport: running\n- 10m Z1 HR warm up\n- 40m Z2 HR\n"), HR_ATHLETE)
    assert all(rules.is_easy(step) for step in zone_two.flat_steps())
    fit = simulate_activity(zone_two, HR_ATHLETE, start=datetime.combine(DAY, time(7), UTC), behaviour=behaviour).fit
    judgement = judge_easy(zone_two, decode_activity(fit), HR_ATHLETE, reported_rpe=None)
    assert judgement is not None and judgement.too_hard is flagged
    assert judgement.easy_seconds > 40 * 60 * 0.8 and judgement.easy_session


@pytest.mark.parametrize("line", ["- 47m 70-85% LTHR", "- 47m 65-75% HR", "- 47m 5:30-6:00/km Pace",
                                  "8x\n- 5m Z2 HR\n- 1m Z1 HR", "8x\n- 5m RPE 3 run\n- 1m RPE 2 walk"])
def test_an_easy_run_written_in_shares_paces_or_as_a_run_walk_is_judged(line: str) -> None:
    # probe review17: resolved to bpm or m/s these were no easy steps, and a run/walk with no step outside its
    # repeat had no judgement: the same run written "RPE 3" was flagged, these never
    from watchsync.formats.text import parse_text

    easy = resolve(parse_text(f"name: Easy\nsport: running\n{line}\n"), HR_ATHLETE)
    start = datetime.combine(DAY, time(7), UTC)
    hard = decode_activity(simulate_activity(resolve(LONG_RUN, HR_ATHLETE), HR_ATHLETE, start=start,
                                             behaviour="too_hard").fit)
    judgement = judge_easy(easy, hard, HR_ATHLETE, reported_rpe=6)
    assert judgement is not None and judgement.too_hard and judgement.easy_session
    assert "reported RPE 6 above 4" in judgement.message


def test_sixteen_fast_reps_are_a_session_not_strides_in_an_easy_run() -> None:
    # 16 x 30 s at RPE 8 is hard in plans; its reported RPE 7 read "easy run done too hard ... above 4, the top of
    # the easy prescription" (probe review17)
    from watchsync.formats.text import parse_text

    reps = resolve(parse_text("name: Reps\nsport: running\n- 15m RPE 3\n16x\n- 30s RPE 8\n- 30s RPE 2\n\n"
                              "- 15m RPE 2\n"), HR_ATHLETE)
    strides = resolve(parse_text("name: Strides\nsport: running\n- 30m RPE 3\n6x\n- 20s RPE 8\n- 40s RPE 2\n"),
                      HR_ATHLETE)
    done = _done("follows")
    many = judge_easy(reps, done, HR_ATHLETE, reported_rpe=7)
    assert many is not None and not many.easy_session and "rpe" not in many.bases
    few = judge_easy(strides, done, HR_ATHLETE, reported_rpe=7)
    assert few is not None and few.easy_session and few.too_hard  # strides inside an easy run: RPE 7 is too hard


@pytest.mark.parametrize("line", ["- 40m 80-89% LTHR", "- 40m Z1-Z2 HR", "8x\n- 4m 70-85% LTHR\n- 1m walk @recovery"])
def test_an_easy_band_whose_whole_bpm_top_is_half_a_beat_above_the_ceiling_is_judged(line: str) -> None:
    # LTHR 168: 89 % is 149.5, the resolved band's top 150 bpm, and the run at 157 bpm read nothing (probe
    # coach13); a run/walk written in shares of LTHR was no run/walk at all (probe review18)
    from watchsync.formats.text import parse_text

    athlete = HR_ATHLETE.model_copy(update={"lthr": 168})
    easy = resolve(parse_text(f"name: Easy\nsport: running\n{line}\n"), athlete)
    hard = decode_activity(simulate_activity(resolve(LONG_RUN, HR_ATHLETE), HR_ATHLETE,
                                             start=datetime.combine(DAY, time(7), UTC), behaviour="too_hard").fit)
    judgement = judge_easy(easy, hard, athlete, reported_rpe=None)
    assert judgement is not None and judgement.too_hard and judgement.bases == ["heart_rate"]


def test_a_watch_zone_run_gets_a_time_in_target_from_the_athletes_zone() -> None:
    # "- 40m Z2 HR" showed "–" in target on every run: the watch's zone had no band to score (probe coach13)
    from watchsync.compliance.score import score_intensity
    from watchsync.formats.text import parse_text

    zone_two = resolve(parse_text("name: Z2\nsport: running\n- 40m Z2 HR\n"), HR_ATHLETE)
    done = decode_activity(simulate_activity(zone_two, HR_ATHLETE, start=datetime.combine(DAY, time(7), UTC),
                                             behaviour="follows").fit)
    assert score_intensity(zone_two, done).steps[0].inside is None  # without the athlete: the watch's zone
    [step] = score_intensity(zone_two, done, athlete=HR_ATHLETE).steps
    assert (step.channel, step.low, step.high) == ("heart_rate", round(0.85 * 171), round(0.89 * 171))
    assert step.inside is not None and step.easy
