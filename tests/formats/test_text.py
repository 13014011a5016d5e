"""The text step syntax: lengths, targets, sections, repeats, intensities, strength lines."""

from __future__ import annotations

import re

import pytest

from watchsync.formats.errors import WorkoutErrors, WorkoutFormatError
from watchsync.formats.text import (
    TextSyntaxLimit,
    format_duration,
    format_target,
    format_text,
    parse_duration,
    parse_target,
    parse_text,
)
from watchsync.model.athlete import METERS_PER_MILE
from watchsync.model.workout import (
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Exercise,
    HeartRateDuration,
    HeartRatePercentLthrTarget,
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PacePercentTarget,
    PaceTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
)

HILLS = """\
name: Hill repeats (base phase)
sport: trail_running
Warmup
- 15m RPE 3 easy, conversational
Main set 6x
- 60s RPE 8 uphill, strong but controlled
- RPE 2 jog back down press lap
Cooldown
- 10m RPE 2-3
"""


def one_step(line: str, sport: str = "running") -> Step | Repeat:
    workout = parse_text(f"name: t\nsport: {sport}\n{line}\n")
    assert len(workout.steps) == 1
    return workout.steps[0]


def test_design_example_parses_into_sections_and_a_repeat() -> None:
    workout = parse_text(HILLS, "hills.txt")
    assert workout.name == "Hill repeats (base phase)"
    assert workout.sport is Sport.TRAIL_RUNNING
    warmup, main, cooldown = workout.steps
    assert warmup == Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=900),
                          target=RpeTarget(low=3, high=3), name="easy, conversational")
    assert isinstance(main, Repeat)
    assert (main.count, main.name) == (6, "Main set")
    hard, back = main.steps
    assert hard == Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=60),
                        target=RpeTarget(low=8, high=8), name="uphill, strong but controlled")
    assert back == Step(intensity=Intensity.RECOVERY, duration=LapButton(), target=RpeTarget(low=2, high=2),
                        name="jog back down")
    assert cooldown == Step(intensity=Intensity.COOLDOWN, duration=TimeDuration(seconds=600),
                            target=RpeTarget(low=2, high=3))


@pytest.mark.parametrize(("text", "expected"), [
    ("10m", TimeDuration(seconds=600)),
    ("30s", TimeDuration(seconds=30)),
    ("90s", TimeDuration(seconds=90)),
    ("1h2m30s", TimeDuration(seconds=3750)),
    ("1.5h", TimeDuration(seconds=5400)),
    ("1m30", TimeDuration(seconds=90)),
    ("5'", TimeDuration(seconds=300)),
    ('30"', TimeDuration(seconds=30)),
    ("1'30\"", TimeDuration(seconds=90)),
    ("2km", DistanceDuration(meters=2000)),
    ("0.4km", DistanceDuration(meters=400)),
    ("400mtr", DistanceDuration(meters=400)),
    ("1mi", DistanceDuration(meters=METERS_PER_MILE)),
    ("100yd", DistanceDuration(meters=91.44)),
    ("press lap", LapButton()),
    ("until HR < 130", HeartRateDuration(kind="hr_below", bpm=130)),
    ("until HR>150", HeartRateDuration(kind="hr_above", bpm=150)),
    ("12 reps", RepsDuration(reps=12)),
    ("200kcal", CaloriesDuration(kcal=200)),
])
def test_lengths(text: str, expected: object) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(("text", "sport", "expected"), [
    ("RPE 3", Sport.RUNNING, RpeTarget(low=3, high=3)),
    ("RPE 3-4", Sport.RUNNING, RpeTarget(low=3, high=4)),
    ("rpe9", Sport.RUNNING, RpeTarget(low=9, high=9)),
    ("Z2 HR", Sport.CYCLING, HeartRateZoneTarget(zone=2)),
    ("Z2", Sport.RUNNING, PowerZoneTarget(zone=2)),  # a bare zone is power in every sport (intervals.icu)
    ("Z2", Sport.CYCLING, PowerZoneTarget(zone=2)),
    ("Z3 Pace", Sport.RUNNING, PaceZoneTarget(zone=3)),
    ("70% HR", Sport.RUNNING, HeartRatePercentMaxTarget(low=70, high=70)),
    ("70-80% HR", Sport.RUNNING, HeartRatePercentMaxTarget(low=70, high=80)),
    ("95% LTHR", Sport.RUNNING, HeartRatePercentLthrTarget(low=95, high=95)),
    ("78-82% Pace", Sport.RUNNING, PacePercentTarget(low=78, high=82)),
    ("75% FTP", Sport.RUNNING, PowerPercentFtpTarget(low=75, high=75)),
    ("75%", Sport.INDOOR_CYCLING, PowerPercentFtpTarget(low=75, high=75)),
    ("50%-75%", Sport.CYCLING, PowerPercentFtpTarget(low=50, high=75)),
    ("5:00/km Pace", Sport.RUNNING, PaceTarget(fast=300, slow=300)),
    ("4:50-5:10/km Pace", Sport.RUNNING, PaceTarget(fast=290, slow=310)),
    ("7:15-7:00/km", Sport.RUNNING, PaceTarget(fast=420, slow=435)),
    ("8:00/mi Pace", Sport.RUNNING, PaceTarget(fast=480 / 1.609344, slow=480 / 1.609344, per="mi")),
    ("1:40/100m Pace", Sport.POOL_SWIM, PaceTarget(fast=1000, slow=1000, per="100m")),
    ("140-150bpm", Sport.RUNNING, HeartRateTarget(low=140, high=150)),
    ("150 bpm", Sport.RUNNING, HeartRateTarget(low=150, high=150)),
    ("220w", Sport.CYCLING, PowerTarget(low=220, high=220)),
    ("315w - 330w", Sport.RUNNING, PowerTarget(low=315, high=330)),
    ("90rpm", Sport.CYCLING, CadenceTarget(low=90, high=90)),
    ("85-95rpm", Sport.CYCLING, CadenceTarget(low=85, high=95)),
    ("3.2-3.5m/s", Sport.RUNNING, SpeedTarget(low=3.2, high=3.5)),
])
def test_targets(text: str, sport: Sport, expected: object) -> None:
    target, rpe = parse_target(text, sport=sport)
    assert rpe is None
    assert target == expected


def test_rpe_beside_a_concrete_target_goes_to_step_rpe() -> None:
    step = one_step("- 10m RPE 3 Z2 HR easy")
    assert isinstance(step, Step)
    assert step.target == HeartRateZoneTarget(zone=2)
    assert step.rpe == RpeTarget(low=3, high=3)
    assert step.name == "easy"


def test_cue_text_may_surround_the_length_and_target() -> None:
    step = one_step("- Recovery spin 30s 50% easy", sport="cycling")
    assert step == Step(duration=TimeDuration(seconds=30), target=PowerPercentFtpTarget(low=50, high=50),
                        name="Recovery spin easy")


def test_5k_is_cue_text_not_a_length() -> None:
    step = one_step("- 3m 5k pace effort")
    assert isinstance(step, Step)
    assert step.duration == TimeDuration(seconds=180)
    assert step.name == "5k pace effort"


def test_notes_follow_a_bar_and_long_cues_become_notes() -> None:
    step = one_step("- 60s RPE 8 uphill | drive the arms, short steps")
    assert isinstance(step, Step)
    assert (step.name, step.notes) == ("uphill", "drive the arms, short steps")
    long_cue = " ".join(["relax"] * 50)
    step = one_step(f"- 10m {long_cue}")
    assert isinstance(step, Step)
    assert (step.name, step.notes) == (None, long_cue)


def test_length_with_press_lap_ends_on_the_lap_button_and_keeps_the_length_as_planned() -> None:
    step = one_step("- 9m Z2 press lap")
    assert isinstance(step, Step)
    assert step.duration == LapButton()
    assert step.planned == TimeDuration(seconds=540)
    assert step.notes is None
    assert one_step("- Press lap 2km").planned == DistanceDuration(meters=2000)


def test_steps_outside_sections_are_active_and_headers_set_intensity() -> None:
    workout = parse_text("name: t\nsport: running\n- 5m\nWarm up\n- 5m\n\n- 5m\nRecovery\n- 5m\nRest\n- 1m\n")
    assert [s.intensity for s in workout.flat_steps()] == [
        Intensity.ACTIVE, Intensity.WARMUP, Intensity.ACTIVE, Intensity.RECOVERY, Intensity.REST]


@pytest.mark.parametrize(("line", "expected"), [
    ("- 2m RPE 7 hard", Intensity.INTERVAL),
    ("- 2m easy float", Intensity.RECOVERY),
    ("- 90s walk", Intensity.RECOVERY),
    ("- 1m RPE 2", Intensity.RECOVERY),
    ("- 1m rest", Intensity.REST),
    ("- 1m RPE 2 @interval", Intensity.INTERVAL),
    ("- 2m RPE 7 @other", Intensity.OTHER),
])
def test_intensity_inside_a_repeat(line: str, expected: Intensity) -> None:
    workout = parse_text(f"name: t\nsport: running\n4x\n- 1m RPE 6 first\n{line}\n")
    repeat = workout.steps[0]
    assert isinstance(repeat, Repeat)
    assert repeat.steps[1].intensity is expected  # type: ignore[union-attr]


def test_low_rpe_first_step_of_a_repeat_stays_an_interval() -> None:
    repeat = parse_text("name: t\nsport: running\n3x\n- 1m RPE 2\n- 1m RPE 6\n").steps[0]
    assert isinstance(repeat, Repeat)
    assert [s.intensity for s in repeat.steps] == [Intensity.INTERVAL, Intensity.INTERVAL]  # type: ignore[union-attr]


def test_blank_line_ends_a_repeat_block() -> None:
    workout = parse_text("name: t\nsport: running\n2x\n- 1m\n\n- 5m\n")
    assert isinstance(workout.steps[0], Repeat)
    assert workout.steps[1] == Step(duration=TimeDuration(seconds=300))


def test_strength_sets_with_weight_and_rest_between_sets() -> None:
    block = one_step("- 3x12 Squat 20kg rest 60s", sport="strength")
    assert block == Repeat(count=3, skip_last_rest=True, steps=[
        Step(duration=RepsDuration(reps=12), name="Squat", exercise=Exercise(category="SQUAT", name="SQUAT"),
             weight_kg=20),
        Step(intensity=Intensity.REST, duration=TimeDuration(seconds=60)),
    ])


def test_strength_lines_in_pounds_and_without_rest() -> None:
    block = one_step("- 2x8 Goblet squat 45lb slow lowering")
    assert isinstance(block, Repeat)
    assert block.skip_last_rest is False
    squat = block.steps[0]
    assert isinstance(squat, Step)
    assert squat.exercise == Exercise(category="SQUAT", name="GOBLET_SQUAT")
    assert squat.weight_kg == pytest.approx(45 * 0.45359237)
    assert squat.weight_unit == "lb" and squat.weight_shown() == (45.0, "lb")
    assert squat.name == "Goblet squat slow lowering"


def test_timed_hold_in_a_strength_workout_names_its_exercise() -> None:
    step = one_step("- 45s Plank", sport="strength")
    assert step == Step(duration=TimeDuration(seconds=45), name="Plank",
                        exercise=Exercise(category="PLANK", name="PLANK"))


def test_timed_step_of_a_run_is_not_looked_up() -> None:
    step = one_step("- 45s Plank")
    assert isinstance(step, Step)
    assert step.exercise is None


def test_explicit_exercise_key() -> None:
    step = one_step("- 10 reps PUSH_UP/PUSH_UP_PLUS wide hands", sport="strength")
    assert isinstance(step, Step)
    assert step.exercise == Exercise(category="PUSH_UP", name="PUSH_UP_PLUS")
    assert step.name == "wide hands"


def test_header_lines_description_tags_and_comments() -> None:
    workout = parse_text("# a comment\nname: Easy\nsport: run\ndescription: nice and easy\ntags: a, b ,\n"
                         "# another\n- 30m RPE 3\n")
    assert (workout.sport, workout.description, workout.tags) == (Sport.RUNNING, "nice and easy", ["a", "b"])


def test_embedded_text_uses_defaults_and_offsets_lines() -> None:
    workout = parse_text("- 10m RPE 3\n", header_required=False, name="Embedded", sport=Sport.CYCLING)
    assert (workout.name, workout.sport) == ("Embedded", Sport.CYCLING)
    with pytest.raises(WorkoutFormatError) as caught:
        parse_text("- 10m\n- 10q\n", "w.toml", line_offset=7, header_required=False, name="x",
                   sport=Sport.RUNNING)
    assert (caught.value.line, caught.value.col) == (9, 3)


def test_several_bad_lines_are_all_reported() -> None:
    with pytest.raises(WorkoutErrors) as caught:
        parse_text("name: t\nsport: running\n- 10q\n- 5m\n- 5m RPE 12\n", "many.txt")
    assert [(e.line, e.col) for e in caught.value.errors] == [(3, 3), (5, 6)]
    assert str(caught.value).splitlines()[1].startswith("many.txt:5:6: RPE 12")


def test_unknown_exercise_suggests_close_names() -> None:
    with pytest.raises(WorkoutFormatError) as caught:
        one_step("- 3x10 Goblet sqat", sport="strength")
    assert "Goblet Squat" in caught.value.problem
    assert caught.value.col == 8


@pytest.mark.parametrize(("duration", "text"), [
    (TimeDuration(seconds=600), "10m"),
    (TimeDuration(seconds=3750), "1h2m30s"),
    (TimeDuration(seconds=12.5), "12.5s"),
    (DistanceDuration(meters=2000), "2km"),
    (DistanceDuration(meters=400), "400mtr"),
    (LapButton(), "press lap"),
    (HeartRateDuration(kind="hr_below", bpm=130), "until HR < 130"),
])
def test_format_duration(duration: TimeDuration, text: str) -> None:
    assert format_duration(duration) == text


@pytest.mark.parametrize(("target", "text"), [
    (RpeTarget(low=3, high=4), "RPE 3-4"),
    (HeartRateZoneTarget(zone=2), "Z2 HR"),
    (PaceTarget(fast=290, slow=310), "4:50-5:10/km Pace"),
    (PaceTarget(fast=305.5, slow=305.5), "5:05.5/km Pace"),
    (PaceTarget(fast=480 / 1.609344, slow=480 / 1.609344, per="mi"), "8:00/mi Pace"),
    (PaceTarget(fast=1000 / 0.9144, slow=1000 / 0.9144, per="100y"), "1:40/100y Pace"),
    (HeartRateTarget(low=140, high=150), "140-150bpm"),
    (OpenTarget(), ""),
])
def test_format_target(target: RpeTarget, text: str) -> None:
    assert format_target(target) == text


def test_format_text_refuses_what_only_toml_expresses() -> None:
    inner = Repeat(count=2, steps=[Step(duration=TimeDuration(seconds=60)), Step(duration=TimeDuration(seconds=30))])
    nested = Workout(name="n", sport=Sport.RUNNING, steps=[Repeat(count=3, steps=[inner])])
    with pytest.raises(TextSyntaxLimit):
        format_text(nested)
    squat = Step(name="10m hard", duration=RepsDuration(reps=10),
                 exercise=Exercise(category="SQUAT", name="GOBLET_SQUAT"))
    with pytest.raises(TextSyntaxLimit):
        format_text(Workout(name="n", sport=Sport.STRENGTH, steps=[squat]))  # the name is read for the exercise
    circuit = Repeat(count=3, skip_last_rest=True, steps=[
        Step(duration=RepsDuration(reps=10), exercise=Exercise(category="SQUAT", name="GOBLET_SQUAT")),
        Step(duration=RepsDuration(reps=10), exercise=Exercise(category="PUSH_UP", name="PUSH_UP")),
        Step(intensity=Intensity.REST, duration=TimeDuration(seconds=60))])
    with pytest.raises(TextSyntaxLimit, match=r"only on one exercise's set line .* several steps needs TOML"):
        format_text(Workout(name="n", sport=Sport.STRENGTH, steps=[circuit]))  # a strength circuit: TOML


def test_a_one_step_repeat_inside_a_block_is_written_as_its_own_count() -> None:
    for name in (None, "sprint 10s"):
        inner = Repeat(count=6, steps=[Step(name=name, intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=30),
                                            target=PowerPercentFtpTarget(low=130, high=130))])
        workout = Workout(name="n", sport=Sport.CYCLING, steps=[Repeat(count=3, steps=[
            inner, Step(intensity=Intensity.RECOVERY, duration=TimeDuration(seconds=120))])])
        text = format_text(workout)
        assert "6x 30s 130% FTP" in text and parse_text(text) == workout


def test_a_name_that_reads_as_a_length_is_written_before_the_prompt_end_and_reads_back() -> None:
    for name in ("10m hard", "First prompt at 0s", "power=3s"):
        workout = Workout(name="n", sport=Sport.RUNNING, steps=[Step(name=name, duration=TimeDuration(seconds=600))])
        text = format_text(workout)
        assert text.splitlines()[-1] == f"- {name} <!> 10m" and parse_text(text) == workout
    remark = Workout(name="n", sport=Sport.RUNNING, steps=[Step(name="focus (aim for 600m+)",
                                                                duration=TimeDuration(seconds=600))])
    assert format_text(remark).splitlines()[-1] == "- 10m focus (aim for 600m+)"  # a bracketed remark is text
    assert parse_text(format_text(remark)) == remark


def test_a_description_of_several_lines_is_written_as_free_text_lines() -> None:
    workout = Workout(name="n", sport=Sport.RUNNING, description="Intro\nRest well after\nthird line",
                      steps=[Step(duration=TimeDuration(seconds=600))])
    assert "\nIntro\nRest well after\nthird line\n\n- 10m" in format_text(workout)
    assert parse_text(format_text(workout)) == workout
    for line in ("Main set 4x", "- no", "sport: x", "Warmup", ""):
        with pytest.raises(TextSyntaxLimit):
            format_text(workout.model_copy(update={"description": f"Intro\n{line}"}))


def test_format_text_writes_intensity_tags_only_where_inference_differs() -> None:
    workout = Workout(name="n", sport=Sport.RUNNING, steps=[Repeat(count=2, steps=[
        Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=60), name="hard"),
        Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=60), name="easy looking"),
    ])])
    text = format_text(workout)
    assert "@interval" in text.splitlines()[-1]
    assert "@" not in text.splitlines()[-2]
    assert parse_text(text) == workout


def test_intervals_icu_cycling_and_power_run_lines() -> None:
    ride = parse_text("name: r\nsport: cycling\n- 10m ramp 50%-75% 90rpm\n")
    assert ride.steps[0] == Step(duration=TimeDuration(seconds=600), target=PowerPercentFtpTarget(low=50, high=75),
                                 ramp="up", secondary=CadenceTarget(low=90, high=90))
    run = parse_text("name: p\nsport: running\nMain set 6x\n- RPE9 - not quite all out 2m 315w - 330w press lap\n")
    repeat = run.steps[0]
    assert isinstance(repeat, Repeat)
    assert repeat.steps[0] == Step(intensity=Intensity.INTERVAL, duration=LapButton(),
                                   target=PowerTarget(low=315, high=330), rpe=RpeTarget(low=9, high=9),
                                   name="not quite all out", planned=TimeDuration(seconds=120))


def test_no_token_rule_matches_at_a_plain_word_but_the_rule_words() -> None:
    """The scanner reads a word of letters alone (``easy``, ``Plank,``) as cue text without trying the
    rules; that holds only if no rule can match there, whatever follows the word."""
    import itertools
    import re as regex
    from pathlib import Path
    from string import ascii_lowercase

    from watchsync.formats.text.scan import RULE_WORDS
    from watchsync.formats.text.tokens import NUMBER_RULES, WORD_RULES

    repo = Path(__file__).resolve().parents[2]
    corpus = {w for path in [*repo.glob("workouts/**/*.txt"), repo / "docs" / "syntax.md"]
              for w in regex.findall(r"[^\W\d_]+", path.read_text("utf-8"))}
    short = {"".join(letters) for n in (1, 2, 3) for letters in itertools.product(ascii_lowercase, repeat=n)}
    rules = [*WORD_RULES.every, *NUMBER_RULES.every]
    tails = [" 3", " = back", " lap", " hr < 130", " 3-4", " /PLANK", ", 3", ". 10m", "! x", ""]  # the word a token
    for word in sorted(corpus | short | {w.upper() for w in short if len(w) < 3}):
        if word.lower() in RULE_WORDS:
            continue
        for tail in tails:
            for rule in rules:
                found = rule.pattern.match(word + tail)
                assert found is None or found.end() == 0, (word, tail, rule.kind, rule.source)


NOTES_AFTER_COOLDOWN = """Warmup
- 10m ramp 50-75% 85rpm

Main set
- 60m 75%

Cooldown
- 10m ramp 75-50% 85rpm

Plan B
- Si pluie: indoor 45min Z2

Fueling
- 1 gel every 45 min
- Eat 200kcal per hour
"""


def test_bullets_of_notes_after_the_cool_down_are_the_description_not_steps() -> None:
    # a French generator's notes sections (probe icu20): "45min" after words is text in intervals.icu
    warnings: list[WorkoutFormatError] = []
    workout = parse_text(NOTES_AFTER_COOLDOWN, "notes.txt", name="Sweet spot", sport="cycling", warnings=warnings)
    assert [step.duration for step in workout.steps if isinstance(step, Step)] == [
        TimeDuration(seconds=600), TimeDuration(seconds=3600), TimeDuration(seconds=600)]
    assert workout.description is not None
    assert "Plan B: Si pluie: indoor 45min Z2" in workout.description
    assert "Eat 200kcal per hour" in workout.description
    said = [(w.line, w.problem) for w in warnings if "read as a note" in w.problem]
    assert [line for line, _ in said] == [11, 14, 15]
    assert "under 'Plan B' is read as a note (the description), not a step of '45min'" in said[0][1]


def test_a_notes_header_holds_notes_before_the_cool_down_too_and_steps_after_it_stay_steps() -> None:
    text = "- 60m 75%\nNotes\n- Garder cadence 90rpm sur 30min\nCooldown\n- 10min ramp 75-50%\nStrides\n- 20s 120%\n"
    workout = parse_text(text, "notes.txt", name="Ride", sport="cycling")
    assert [step.duration for step in workout.steps if isinstance(step, Step)] == [
        TimeDuration(seconds=3600), TimeDuration(seconds=600), TimeDuration(seconds=20)]
    # a finisher after the cool-down under its own header stays steps, words first or not (probe review19)
    core = parse_text("- 30m Z2 HR\nCooldown\n- 10m Z1 HR\nCore\n- 30 sec Plank\n- Plank 60 sec\n"
                      "Walk\n- Walk 10 minutes\nFinisher\n- Easy spin 200kcal\n", "core.txt", name="Run",
                      sport="running")
    assert [step.duration for step in core.steps if isinstance(step, Step)][2:] == [
        TimeDuration(seconds=30), TimeDuration(seconds=60), TimeDuration(seconds=600), CaloriesDuration(kcal=200)]


@pytest.mark.parametrize(("line", "said"), [
    ("- 10 Pass-throughs con PVC", "unknown exercise 'Pass-throughs con PVC' (for 10 reps)"),
    ("- 10 Pushupps", "unknown exercise 'Pushupps' (for 10 reps); did you mean"),
])
def test_a_count_before_an_unknown_exercise_names_the_exercise(line: str, said: str) -> None:
    # it read "'10 Pass-throughs' is not a length" (probe icu21); "- 10 reps Pushupps" already named it
    with pytest.raises(WorkoutFormatError, match=re.escape(said)):
        parse_text(f"name: s\nsport: strength\n{line}\n")
    with pytest.raises(WorkoutFormatError, match="is not a length"):  # a run has no exercises: still a length slip
        parse_text("name: r\nsport: running\n- 10 easy\n")


def test_css_alone_in_a_swim_step_is_said_to_be_no_target() -> None:
    # "- 200mtr CSS" (an AI generator's line, probe icu21) was an open step without a word
    warnings: list[WorkoutFormatError] = []
    parse_text("name: s\nsport: pool_swim\n- 200mtr CSS\n- 100mtr 100% Pace CSS\n", warnings=warnings)
    assert [(w.line, w.problem) for w in warnings] == [(3, "'CSS' is text: the step has no target")]
