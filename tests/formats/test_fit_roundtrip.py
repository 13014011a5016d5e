"""Property: any resolved workout survives model → FIT → model with its meaning intact."""

from __future__ import annotations

from garmin_fit_sdk import Decoder, Stream
from garminconnect.exercises import EXERCISES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchsync.formats.fit_workout import read_fit_workout, write_fit_workout
from watchsync.model.workout import (
    MAX_EXECUTED_STEPS,
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Exercise,
    HeartRateDuration,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
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
    executed_step_count,
)
from watchsync.resolve import rpe_cue

# Values on FIT's grids (ms, cm, mm/s, whole bpm/W/rpm), so the round trip is exact.
durations = st.one_of(
    st.builds(TimeDuration, seconds=st.integers(1, 86_400_000).map(lambda ms: ms / 1000)),
    st.builds(DistanceDuration, meters=st.integers(1, 100_000_000).map(lambda cm: cm / 100)),
    st.just(LapButton()),
    st.builds(RepsDuration, reps=st.integers(1, 1000)),
    st.builds(HeartRateDuration, kind=st.sampled_from(["hr_below", "hr_above"]), bpm=st.integers(30, 250)),
    st.builds(CaloriesDuration, kcal=st.integers(1, 10_000)),
)


def ranges(low: int, high: int, scale: int = 1) -> st.SearchStrategy[tuple[float, float]]:
    return st.lists(st.integers(low, high), min_size=2, max_size=2).map(
        lambda pair: (min(pair) / scale, max(pair) / scale))


targets = st.one_of(
    st.just(OpenTarget()),
    ranges(30, 250).map(lambda r: HeartRateTarget(low=r[0], high=r[1])),
    st.builds(HeartRateZoneTarget, zone=st.integers(1, 5)),
    ranges(1, 40_000, 1000).map(lambda r: SpeedTarget(low=r[0], high=r[1])),
    ranges(1, 3000).map(lambda r: PowerTarget(low=r[0], high=r[1])),
    st.builds(PowerZoneTarget, zone=st.integers(1, 7)),
    ranges(1, 300).map(lambda r: CadenceTarget(low=r[0], high=r[1])),
)
# Up to 60 characters of up to 4 bytes stay within FIT's 254-byte strings; no outer spaces (FIT pads).
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda text: text == text.strip() and not text.startswith("RPE"))
exercises = st.sampled_from([Exercise(category=e["category"], name=e["exercise"] or e["category"])
                             for e in EXERCISES])
rpes = ranges(2, 20, 2).filter(lambda r: r[0] >= 1).map(lambda r: RpeTarget(low=r[0], high=r[1]))


@st.composite
def steps(draw: st.DrawFn) -> Step:
    exercise = draw(st.none() | exercises)
    weight = draw(st.none() | st.integers(0, 50_000).map(lambda g: g / 100)) if exercise else None
    rpe = draw(st.none() | rpes)
    notes = draw(st.none() | texts.filter(lambda t: len(t) <= 40))
    if rpe is not None:  # as resolve() writes it: the cue leads the notes
        notes = f"{rpe_cue(rpe)}. {notes}" if notes else rpe_cue(rpe)
    return Step(intensity=draw(st.sampled_from(Intensity)), duration=draw(durations), target=draw(targets),
                name=draw(st.none() | texts), notes=notes, rpe=rpe, exercise=exercise, weight_kg=weight)


blocks = st.recursive(
    steps(),
    lambda children: st.builds(Repeat, count=st.integers(1, 200), steps=st.lists(children, min_size=1, max_size=3),
                               name=st.none() | texts),
    max_leaves=8,
)
workouts = st.builds(Workout, name=texts, sport=st.sampled_from(Sport), description=st.none() | texts,
                     steps=st.lists(blocks, min_size=1, max_size=4).filter(
                         lambda b: executed_step_count(b) <= MAX_EXECUTED_STEPS))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workouts)
def test_model_to_fit_to_model_keeps_the_meaning(workout: Workout) -> None:
    data = write_fit_workout(workout)
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    assert read_fit_workout(data) == workout
