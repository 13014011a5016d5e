"""Property tests of the text syntax: it never fails but with WorkoutFormatError, and it round-trips."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.exercises import find_exercise
from watchsync.formats.text import format_text, parse_text
from watchsync.model.workout import (
    MAX_EXECUTED_STEPS,
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
    Target,
    TimeDuration,
    Workout,
    executed_step_count,
)

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = ["easy", "strong", "uphill", "relaxed", "smooth", "jog", "back", "down", "rest", "controlled",
         "fast", "steady", "float", "walk", "recovery", "stride", "surge", "tempo", "hard", "tall",
         "posture,", "quick", "feet", "A-skips:", "5k", "2nd", "(flat)", "Warmup", "cooldown"]
EXERCISES = [Exercise(category="SQUAT", name="SQUAT"), Exercise(category="PLANK", name="SIDE_PLANK"),
             Exercise(category="LUNGE", name="LUNGE"), Exercise(category="SQUAT", name="STEP_UP"),
             Exercise(category="PUSH_UP", name="PUSH_UP_PLUS")]
EXERCISE_NAMES = {Exercise(category="SQUAT", name="SQUAT"): "Squat",
                  Exercise(category="PLANK", name="SIDE_PLANK"): "Side plank",
                  Exercise(category="LUNGE", name="LUNGE"): "Lunges"}


def _names_no_exercise(words: list[str]) -> bool:
    return all(find_exercise(" ".join(words[:n])) is None for n in range(1, len(words) + 1))


cue_words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).filter(_names_no_exercise)
names = st.none() | cue_words.map(" ".join)
notes = st.none() | st.lists(st.sampled_from([*WORDS, "|", "10m", "RPE", "3"]), min_size=1, max_size=6).map(
    " ".join)


def span(low: int, high: int, scale: float = 1.0) -> st.SearchStrategy[tuple[float, float]]:
    values = st.integers(low, high).map(lambda v: v * scale)
    return st.tuples(values, values).map(lambda pair: (min(pair), max(pair)))


def ranged(model: type[Target], low: int, high: int, scale: float = 1.0) -> st.SearchStrategy[Target]:
    return span(low, high, scale).map(lambda pair: model(low=pair[0], high=pair[1]))  # type: ignore[call-arg]


concrete_targets: st.SearchStrategy[Target] = st.one_of(
    st.integers(1, 5).map(lambda z: HeartRateZoneTarget(zone=z)),
    st.integers(1, 5).map(lambda z: PaceZoneTarget(zone=z)),
    st.integers(1, 7).map(lambda z: PowerZoneTarget(zone=z)),
    ranged(HeartRateTarget, 30, 250),
    ranged(HeartRatePercentMaxTarget, 1, 110),
    ranged(HeartRatePercentLthrTarget, 1, 130),
    ranged(PacePercentTarget, 1, 200),
    ranged(PowerPercentFtpTarget, 1, 300),
    ranged(PowerTarget, 1, 3000),
    ranged(CadenceTarget, 1, 300),
    ranged(SpeedTarget, 1, 400, 0.1),
    span(61, 3600).map(lambda pair: PaceTarget(fast=pair[0], slow=pair[1])),
)
rpe_targets = ranged(RpeTarget, 2, 20, 0.5)
durations = st.one_of(
    st.just(LapButton()),
    st.integers(1, 86_400).map(lambda s: TimeDuration(seconds=s)),
    st.integers(1, 1_000_000).map(lambda m: DistanceDuration(meters=m)),
    st.integers(1, 1000).map(lambda km: DistanceDuration(meters=km * 1000)),
    st.builds(HeartRateDuration, kind=st.sampled_from(["hr_below", "hr_above"]), bpm=st.integers(30, 250)),
    st.integers(1, 10_000).map(lambda k: CaloriesDuration(kcal=k)),
)


@st.composite
def plain_steps(draw: st.DrawFn) -> Step:
    target = draw(st.one_of(st.just(OpenTarget()), rpe_targets, concrete_targets))
    with_rpe = not isinstance(target, OpenTarget | RpeTarget) and draw(st.booleans())
    return Step(intensity=draw(st.sampled_from(Intensity)), duration=draw(durations), target=target,
                rpe=draw(rpe_targets) if with_rpe else None, name=draw(names), notes=draw(notes))


@st.composite
def exercise_steps(draw: st.DrawFn, reps: bool) -> Step:
    exercise = draw(st.sampled_from(EXERCISES))
    name = draw(st.sampled_from([None, EXERCISE_NAMES.get(exercise), "controlled"]))
    if name == "controlled" and exercise in EXERCISE_NAMES:
        name = f"{EXERCISE_NAMES[exercise]} controlled"
    duration = RepsDuration(reps=draw(st.integers(1, 1000))) if reps else draw(durations)
    weight = draw(st.none() | st.integers(0, 1000).map(lambda w: w / 2))
    return Step(intensity=draw(st.sampled_from(Intensity)), duration=duration, name=name, exercise=exercise,
                weight_kg=weight)


@st.composite
def strength_sets(draw: st.DrawFn) -> Repeat:
    rest = draw(st.none() | st.integers(1, 600).map(lambda s: Step(intensity=Intensity.REST,
                                                                  duration=TimeDuration(seconds=s))))
    steps: list[Step | Repeat] = [draw(exercise_steps(reps=True))]
    if rest is not None:
        steps.append(rest)
    return Repeat(count=draw(st.integers(1, 50)), steps=steps, skip_last_rest=rest is not None)


steps_and_sets = st.one_of(plain_steps(), exercise_steps(reps=False), strength_sets())
repeat_names = st.sampled_from([None, "Main set", "Strides", "Hills", "Warmup", "Cool down", "Rest", "Drills"])
repeats = st.builds(Repeat, count=st.integers(1, 50), name=repeat_names,
                    steps=st.lists(steps_and_sets, min_size=1, max_size=4))


@st.composite
def workouts(draw: st.DrawFn) -> Workout:
    sport = draw(st.sampled_from(Sport))
    blocks = draw(st.lists(st.one_of(steps_and_sets, repeats), min_size=1, max_size=6))
    if sport in (Sport.STRENGTH, Sport.CARDIO):
        blocks = [block for block in blocks if not _named_without_exercise(block)] or [Step()]
    if sport.family not in ("run", "swim") and sport is not Sport.OTHER:  # refused where written (no threshold)
        assume(not any(isinstance(target, PacePercentTarget | PaceZoneTarget)
                       for step in _steps(blocks) for target in (step.target, step.secondary)))
    assume(executed_step_count(blocks) <= MAX_EXECUTED_STEPS)
    return Workout(name=draw(cue_words.map(" ".join)), sport=sport, description=draw(notes.filter(
        lambda n: n is None or "|" not in n)), tags=draw(st.lists(st.sampled_from(WORDS[:8]), max_size=3)),
        steps=blocks)


def _steps(blocks: list[Step | Repeat]) -> list[Step]:
    return [step for block in blocks for step in (_steps(block.steps) if isinstance(block, Repeat) else [block])]


def _named_without_exercise(block: Step | Repeat) -> bool:
    if isinstance(block, Repeat):
        return any(_named_without_exercise(inner) for inner in block.steps)
    return block.exercise is None and block.name is not None


@SETTINGS
@given(workouts())
def test_format_then_parse_gives_the_same_workout(workout: Workout) -> None:
    text = format_text(workout)
    assert parse_text(text, "roundtrip.txt") == workout, text


def test_miles_and_pounds_round_trip_closely() -> None:
    workout = parse_text("name: m\nsport: strength\n- 1mi 8:00/mi Pace\n- 3x5 Squat 45lb\n")
    again = parse_text(format_text(workout))
    first, second = workout.flat_steps(), again.flat_steps()
    assert isinstance(first[0].target, PaceTarget) and isinstance(second[0].target, PaceTarget)
    assert math.isclose(first[0].target.fast, second[0].target.fast, abs_tol=1e-3)
    assert first[0].duration == second[0].duration
    assert first[1].weight_kg == second[1].weight_kg
    assert second[1].weight_unit == "lb" and "45lb" in format_text(workout)


def test_library_files_are_stable_under_parse_format_parse() -> None:
    files = sorted(p for p in LIBRARY.rglob("*.txt") if "plans" not in p.relative_to(LIBRARY).parts)
    assert files, f"no workout library under {LIBRARY}"
    for path in files:
        workout = parse_text(path.read_text(encoding="utf-8"), str(path))
        text = format_text(workout)
        assert parse_text(text) == workout, path
        assert format_text(parse_text(text)) == text, path


STEP_TOKENS = ["-", "- ", "10m", "30s", "1h2m30s", "2km", "400mtr", "1mi", "RPE", "3", "3-4", "RPE 3",
               "Z2", "HR", "Pace", "70%", "5:00/km", "5:75/km", "140-150bpm", "220w", "90rpm", "press",
               "lap", "until", "HR <", "130", "3x12", "Squat", "12", "reps", "20kg", "rest", "@recovery",
               "@x", "|", "#", "name:", "sport:", "running", "6x", "0x", "Main set", "Warmup", "\n", "\n\n",
               "-10m", "10q", "0m", "ramp", "5k", "×", "\t", "ü", "999999999999m", "1:99", "/100m", "Z2-Z3"]


@SETTINGS
@given(st.text())
def test_arbitrary_text_fails_only_with_workout_format_errors(text: str) -> None:
    try:
        parse_text(text, "fuzz.txt")
    except WorkoutFormatError as error:
        assert all(e.line >= 1 and e.col >= 1 for e in error.errors)


@SETTINGS
@given(st.lists(st.sampled_from(STEP_TOKENS), max_size=40).map(" ".join))
def test_syntax_shaped_noise_fails_only_with_workout_format_errors(body: str) -> None:
    try:
        parse_text(f"name: fuzz\nsport: running\n{body}", "fuzz.txt")
    except WorkoutFormatError as error:
        assert all(e.line >= 1 and e.col >= 1 for e in error.errors)
        assert all("\n" not in e.problem for e in error.errors)
