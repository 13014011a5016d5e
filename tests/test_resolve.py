"""Resolution: RPE, zones and percentages become one athlete's concrete ranges."""

import pytest

from watchsync.model.athlete import Athlete, Band
from watchsync.model.workout import (
    CadenceTarget,
    HeartRatePercentLthrTarget,
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    OpenTarget,
    PacePercentTarget,
    PaceTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    Repeat,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    Target,
    TimeDuration,
    Workout,
)
from watchsync.resolve import ResolveError, is_resolved, resolve, rpe_cue

ANNA = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)


def _one(target: Target, athlete: Athlete = ANNA, **step: object) -> Step:
    workout = Workout(name="w", sport=Sport.RUNNING,
                      steps=[Step(duration=TimeDuration(seconds=60), target=target, **step)])  # type: ignore[arg-type]
    resolved = resolve(workout, athlete).steps[0]
    assert isinstance(resolved, Step)
    return resolved


def test_rpe_3_is_the_easy_band_of_lthr_with_the_cue_kept() -> None:
    step = _one(RpeTarget(low=3, high=3))
    assert step.target == HeartRateTarget(low=round(0.85 * 171), high=round(0.89 * 171))
    assert step.rpe == RpeTarget(low=3, high=3)
    assert step.name == "RPE 3 – conversational"
    assert step.notes is not None and "RPE 3 – conversational" in step.notes


def test_rpe_range_spans_both_bands_and_keeps_existing_name() -> None:
    step = _one(RpeTarget(low=3, high=6), name="steady climb", notes="walk if needed")
    assert step.target == HeartRateTarget(low=round(0.85 * 171), high=round(0.94 * 171))
    assert step.name == "steady climb"
    assert step.notes == "RPE 3-6 – conversational. walk if needed"


@pytest.mark.parametrize("notes", ["RPE 3 conversational", "rpe 3. hold back", "RPE 3"])
def test_notes_that_already_open_with_the_rpe_do_not_gain_the_cue_again(notes: str) -> None:
    # an imported FIT or Connect step keeps its cue in the notes: compiling it again must not grow them
    step = _one(RpeTarget(low=3, high=3), notes=notes)
    assert step.notes == notes
    assert step.name == "RPE 3 – conversational"
    assert _one(RpeTarget(low=3, high=3), notes="RPE 4 feel").notes == "RPE 3 – conversational. RPE 4 feel"
    assert _one(RpeTarget(low=3, high=3), notes="RPE 3-4").notes == "RPE 3 – conversational. RPE 3-4"


def test_same_workout_differs_per_athlete() -> None:
    other = Athlete(name="bob", max_hr=200, lthr=180)
    assert _one(RpeTarget(low=4, high=4)).target != _one(RpeTarget(low=4, high=4), other).target


def test_rpe_9_has_no_hr_alert_but_keeps_the_cue() -> None:
    step = _one(RpeTarget(low=9, high=9))
    assert step.target == OpenTarget()
    assert step.name == "RPE 9 – very hard"


def test_pace_preference_compiles_rpe_to_speed() -> None:
    runner = ANNA.model_copy(update={"targets": "pace"})
    step = _one(RpeTarget(low=3, high=4), runner)
    threshold_speed = 1000 / 270
    expected = SpeedTarget(low=round(threshold_speed * 0.78, 3), high=round(threshold_speed * 0.87, 3))
    assert step.target == expected


@pytest.mark.parametrize("sport", [Sport.CYCLING, Sport.INDOOR_CYCLING, Sport.XC_SKIING, Sport.SKI_MOUNTAINEERING])
def test_pace_preference_gives_heart_rate_where_a_running_pace_means_nothing(sport: Sport) -> None:
    # a runner who trains by pace got 5.2-7.0 mph on an indoor ride and a running pace on a ski tour (probe coach11)
    runner = ANNA.model_copy(update={"targets": "pace", "rpe": {3: Band(low=70, high=80)}})
    workout = Workout(name="x", sport=sport, steps=[Step(duration=TimeDuration(seconds=600),
                                                         target=RpeTarget(low=3, high=4))])
    [step] = resolve(workout, runner).steps
    assert isinstance(step, Step)
    hr = resolve(workout.replaced(sport=Sport.RUNNING), runner.model_copy(update={"targets": "hr", "rpe": {}})).steps[0]
    assert isinstance(hr, Step) and isinstance(hr.target, HeartRateTarget)
    assert step.target == hr.target  # the default heart-rate band, not the pace table's shares


def test_rpe_only_preference_gives_open_target() -> None:
    assert _one(RpeTarget(low=3, high=3), ANNA.model_copy(update={"targets": "rpe"})).target == OpenTarget()


def test_athlete_rpe_override_is_used() -> None:
    coached = ANNA.model_copy(update={"rpe": {3: Band(low=80, high=86)}})
    expected = HeartRateTarget(low=round(0.80 * 171), high=round(0.86 * 171))
    assert _one(RpeTarget(low=3, high=3), coached).target == expected


@pytest.mark.parametrize(("target", "expected"), [
    (HeartRatePercentMaxTarget(low=70, high=75), HeartRateTarget(low=round(0.70 * 188), high=round(0.75 * 188))),
    (HeartRatePercentLthrTarget(low=95, high=95), HeartRateTarget(low=162 - 3, high=162 + 3)),
    (HeartRateZoneTarget(zone=2), HeartRateZoneTarget(zone=2)),  # the watch's own zone 2
    (HeartRateZoneTarget(zone=1, zone_high=2), HeartRateTarget(low=round(0.70 * 171), high=round(0.89 * 171))),
    (HeartRateZoneTarget(zone=6), HeartRateTarget(low=round(1.03 * 171), high=round(1.06 * 171))),
    (PaceTarget(fast=300, slow=330), SpeedTarget(low=round(1000 / 330, 3), high=round(1000 / 300, 3))),
    (PacePercentTarget(low=78, high=82),
     SpeedTarget(low=round(1000 / 270 * 0.78, 3), high=round(1000 / 270 * 0.82, 3))),
    (PowerPercentFtpTarget(low=75, high=75), PowerTarget(low=round(172.5 * 0.95), high=round(172.5 * 1.05))),
    (CadenceTarget(low=90, high=90), CadenceTarget(low=88, high=92)),
    (HeartRateTarget(low=150, high=150), HeartRateTarget(low=147, high=153)),
])
def test_targets_become_concrete_ranges(target: Target, expected: Target) -> None:
    assert _one(target).target == expected


def test_explicit_zones_win_over_defaults() -> None:
    bands = ((100, 130), (131, 145), (146, 160), (161, 170), (171, 188))
    zoned = ANNA.model_copy(update={"hr_zones": [Band(low=lo, high=hi) for lo, hi in bands]})
    assert _one(HeartRateZoneTarget(zone=2), zoned).target == HeartRateTarget(low=131, high=145)


def test_missing_threshold_names_the_step() -> None:
    runner = Athlete(name="nopace", max_hr=190)
    workout = Workout(name="w", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=60)),
        Repeat(count=2, steps=[Step(duration=TimeDuration(seconds=60), target=PacePercentTarget(low=90, high=95))]),
    ])
    with pytest.raises(ResolveError, match=r"step 2\.1: .*threshold_pace"):
        resolve(workout, runner)


def test_resolved_workouts_are_concrete_and_structure_is_kept() -> None:
    workout = Workout(name="w", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=600), target=RpeTarget(low=3, high=3)),
        Repeat(count=6, steps=[Step(duration=TimeDuration(seconds=60), target=RpeTarget(low=8, high=8)),
                               Step(target=RpeTarget(low=2, high=2))]),
    ])
    assert not is_resolved(workout)
    resolved = resolve(workout, ANNA)
    assert is_resolved(resolved)
    assert len(resolved.flat_steps()) == len(workout.flat_steps()) == 13
    assert resolve(resolved, ANNA) == resolved  # idempotent


def test_rpe_cue_format() -> None:
    assert rpe_cue(RpeTarget(low=2, high=3)) == "RPE 2-3 – easy recovery"


def test_a_ramp_resolves_to_the_whole_range_it_sweeps() -> None:
    from watchsync.formats.text import parse_text

    workout = parse_text("name: r\nsport: cycling\n- 10m ramp 55-40% 85rpm\n")
    [step] = resolve(workout, ANNA).flat_steps()
    assert (step.ramp, step.target) == ("down", PowerTarget(low=92, high=126))  # 40-55 % of 230 W
    assert step.secondary == CadenceTarget(low=83, high=87)


@pytest.mark.parametrize("sport", [Sport.STRENGTH, Sport.YOGA, Sport.MOBILITY])
def test_rpe_in_strength_yoga_and_mobility_stays_a_cue(sport: Sport) -> None:
    workout = Workout(name="core", sport=sport, steps=[
        Step(duration=TimeDuration(seconds=300), target=RpeTarget(low=5, high=5)),
        Step(duration=TimeDuration(seconds=60), target=HeartRateTarget(low=100, high=120))])
    rpe_step, hr_step = resolve(workout, ANNA).flat_steps()
    assert rpe_step.target == OpenTarget() and rpe_step.name == "RPE 5 – steady"
    assert hr_step.target == HeartRateTarget(low=100, high=120)  # what the coach wrote is kept
    running = resolve(workout.model_copy(update={"sport": Sport.RUNNING}), ANNA).flat_steps()[0]
    assert isinstance(running.target, HeartRateTarget)


def test_a_cadence_beside_an_rpe_left_open_becomes_the_steps_target() -> None:
    """``target = "RPE 9"`` with a cadence secondary (TOML): an RPE that resolves to no band (here
    the athlete's ``targets = "rpe"``) leaves the cadence as the target, as the text syntax reads it."""
    workout = Workout(name="spin-ups", sport=Sport.CYCLING, steps=[
        Step(duration=TimeDuration(seconds=300), target=RpeTarget(low=9, high=9),
             secondary=CadenceTarget(low=95, high=105))])
    [step] = resolve(workout, ANNA.model_copy(update={"targets": "rpe"})).flat_steps()
    assert (step.target, step.secondary) == (CadenceTarget(low=95, high=105), None)
    assert step.rpe == RpeTarget(low=9, high=9)


@pytest.mark.parametrize("sport", [Sport.POOL_SWIM, Sport.OPEN_WATER_SWIM])
def test_a_swims_rpe_is_a_css_pace_band_else_a_cue_never_a_running_hr_band(sport: Sport) -> None:
    workout = Workout(name="s", sport=sport, steps=[Step(duration=TimeDuration(seconds=300),
                                                         target=RpeTarget(low=5, high=5))])
    swimmer = ANNA.model_copy(update={"swim_threshold_pace": 115.0, "rpe": {5: Band(low=80, high=85)}})
    [step] = resolve(workout, swimmer).steps
    assert isinstance(step, Step) and isinstance(step.target, SpeedTarget)
    css_speed = 100 / 115.0
    run = _one(RpeTarget(low=5, high=5), ANNA.model_copy(update={"targets": "pace"}))
    assert isinstance(run.target, SpeedTarget)  # the same shares of the threshold speed, the running table's
    threshold = 1000 / 270.0
    assert step.target.low / css_speed == pytest.approx(run.target.low / threshold, rel=2e-3)
    assert step.target.high / css_speed == pytest.approx(run.target.high / threshold, rel=2e-3)
    [cue] = resolve(workout, ANNA).steps  # no CSS: the cue alone (the rpe table above is HR's, never used)
    assert isinstance(cue, Step) and isinstance(cue.target, OpenTarget) and "RPE 5" in (cue.notes or "")


@pytest.mark.parametrize("sport", [Sport.XC_SKIING, Sport.CYCLING, Sport.CARDIO])
@pytest.mark.parametrize("line", ["- 30m Z2 Pace", "- 10m 85% Pace", "- 10m 150W + 85% Pace"])
def test_a_share_of_pace_outside_running_and_swimming_is_refused_not_a_runners_band(sport: Sport,
                                                                                  line: str) -> None:
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.text import parse_text

    athlete = Athlete(name="a", max_hr=188, lthr=171, threshold_pace="4:30/km", ftp=230)
    text = f"name: t\nsport: {sport.value}\nMain 2x\n- 5m Z1 HR\n{line}\n"
    with pytest.raises(WorkoutFormatError, match=rf"<text>:5:\d+: a .* in a {sport.value} workout: watchsync knows"):
        parse_text(text)  # said where it is written, so that `validate` says it (probe icu15)
    workout = parse_text(text.replace(sport.value, "running")).replaced(sport=sport)  # as TOML or Connect give it
    with pytest.raises(ResolveError, match=rf"step 1\.2: a .* in a {sport.value} workout: watchsync knows a running"):
        resolve(workout, athlete)
    for runs in (Sport.TRAIL_RUNNING, Sport.POOL_SWIM):  # a run's threshold pace, a swim's CSS
        resolve(parse_text(f"name: t\nsport: {runs.value}\n- 10m 85% Pace\n"),
                athlete.model_copy(update={"swim_threshold_pace": 110.0}))


def test_a_heart_rate_band_above_max_hr_is_noted_with_its_step() -> None:
    from watchsync.model.workout import Repeat
    from watchsync.resolve import band_notes

    workout = Workout(name="w", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=600), target=HeartRateTarget(low=140, high=150)),
        Repeat(count=3, steps=[Step(duration=TimeDuration(seconds=60), target=HeartRateTarget(low=182, high=198))]),
        Step(duration=TimeDuration(seconds=60), target=HeartRateTarget(low=195, high=205)),
        Step(duration=TimeDuration(seconds=60), target=HeartRateTarget(low=188, high=188)),  # max: widened 185-191
        Step(duration=TimeDuration(seconds=60), target=HeartRateTarget(low=189, high=191)),  # wholly above (review17)
    ])
    assert band_notes(resolve(workout, ANNA), ANNA) == [
        "step 2.1: 182-198 bpm reaches above anna's max HR 188: its top 10 bpm cannot be reached",
        "step 3: 195-205 bpm is above anna's max HR 188: the watch alerts all through the step",
        "step 5: 189-191 bpm is above anna's max HR 188: the watch alerts all through the step"]


def test_a_short_hard_rep_ended_by_the_lap_button_gets_the_pace_band_by_its_planned_length() -> None:
    # "- 1m RPE 8 hard press lap" kept its 162-173 bpm band (the watch alerting through every rep) while the same
    # rep without "press lap" got the pace band (probe fit12)
    from watchsync.formats.text import parse_text

    workout = parse_text("name: Reps\nsport: running\n4x\n- 1m RPE 8 hard press lap\n- 1m RPE 2 jog press lap\n")
    rep, jog = resolve(workout, ANNA).flat_steps()[:2]
    assert isinstance(rep.target, SpeedTarget) and rep.planned is not None
    assert isinstance(jog.target, HeartRateTarget)  # an easy jog keeps its heart-rate band
