"""The workout model: validation, expansion, estimates."""

import pytest
from pydantic import ValidationError

from watchsync.model.workout import (
    DistanceDuration,
    Exercise,
    HeartRateTarget,
    Intensity,
    LapButton,
    Repeat,
    RepeatUntil,
    RepsDuration,
    RpeTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
    parse_sport,
    rounds_until,
)


def _workout(*steps: Step | Repeat, sport: Sport = Sport.RUNNING) -> Workout:
    return Workout(name="w", sport=sport, steps=list(steps))


def test_flat_steps_expand_nested_repeats_in_order() -> None:
    a, b, c = (Step(name=n, duration=TimeDuration(seconds=60)) for n in "abc")
    workout = _workout(a, Repeat(count=2, steps=[b, Repeat(count=3, steps=[c])]))
    assert [s.name for s in workout.flat_steps()] == ["a", "b", "c", "c", "c", "b", "c", "c", "c"]


def test_estimates_count_time_distance_and_open_steps() -> None:
    workout = _workout(
        Step(duration=TimeDuration(seconds=600)),
        Repeat(count=4, steps=[Step(duration=DistanceDuration(meters=400)), Step(duration=LapButton())]),
        Step(duration=RepsDuration(reps=10), exercise=Exercise(category="SQUAT", name="SQUAT")),
    )
    seconds = workout.estimated_seconds(default_step_seconds=60, seconds_per_meter=0.25)
    assert seconds == pytest.approx(600 + 4 * (400 * 0.25 + 60) + 10 * 3)
    assert workout.estimated_meters(meters_per_second=3.0) == pytest.approx(600 * 3.0 + 1600)


def test_a_timed_rest_covers_no_distance() -> None:
    # probe icu15: "Main Set 10x / - 100mtr Z2 Pace / - Rest 15s" was planned at 1.4 km for 1,300 m written
    swim = _workout(Step(duration=DistanceDuration(meters=200)), Repeat(count=10, steps=[
        Step(duration=DistanceDuration(meters=100)),
        Step(duration=TimeDuration(seconds=15), intensity=Intensity.REST)]), sport=Sport.POOL_SWIM)
    assert swim.estimated_meters(meters_per_second=0.7) == pytest.approx(1200)
    jog = _workout(Step(duration=TimeDuration(seconds=60), intensity=Intensity.RECOVERY))
    assert jog.estimated_meters(meters_per_second=3.0) == pytest.approx(180)  # a recovery jog moves


@pytest.mark.parametrize(("until", "steps", "rounds"), [
    (RepeatUntil(kind="time", value=600, unit="s"), [20, 10], 20),  # a tabata until 10 minutes
    (RepeatUntil(kind="time", value=610, unit="s"), [20, 10], 21),  # the round it is in when time is up
    (RepeatUntil(kind="time", value=600, unit="s"), [20, None], 10),  # a lap-button rest: not known
    (RepeatUntil(kind="distance", value=2000, unit="m"), [400.0, 60], 5),  # 400 m and a timed rest
    (RepeatUntil(kind="hr_below", value=120, unit="bpm"), [60], 10),
    (RepeatUntil(kind="time", value=1200, unit="s"), [3, 3], 100),  # room left for a 10x around it (review13)
])
def test_a_conditional_repeat_counts_the_rounds_its_time_or_distance_holds(
        until: RepeatUntil, steps: list[float | None], rounds: int) -> None:
    def step(length: float | None) -> Step:
        if length is None:
            return Step(duration=LapButton(), intensity=Intensity.REST)
        if isinstance(length, float):
            return Step(duration=DistanceDuration(meters=length))
        return Step(duration=TimeDuration(seconds=length), intensity=Intensity.REST if length == 60 else "active")
    assert rounds_until([step(length) for length in steps], until, otherwise=10) == rounds


@pytest.mark.parametrize("bad", [
    lambda: RpeTarget(low=0, high=3),
    lambda: RpeTarget(low=3, high=11),
    lambda: RpeTarget(low=5, high=3),
    lambda: HeartRateTarget(low=160, high=150),
    lambda: TimeDuration(seconds=-5),
    lambda: Repeat(count=0, steps=[Step()]),
    lambda: Repeat(count=2, steps=[]),
    lambda: Step(weight_kg=20),
    lambda: Workout(name="", sport=Sport.RUNNING, steps=[Step()]),
    lambda: Workout(name="x", sport=Sport.RUNNING, steps=[]),
])
def test_invalid_values_are_rejected(bad: object) -> None:
    with pytest.raises(ValidationError):
        bad()  # type: ignore[operator]


def test_json_round_trip_keeps_the_discriminated_unions() -> None:
    workout = _workout(
        Step(duration=TimeDuration(seconds=60), target=RpeTarget(low=3, high=4)),
        Repeat(count=3, steps=[Step(duration=DistanceDuration(meters=200), target=HeartRateTarget(low=150, high=160))]),
    )
    assert Workout.model_validate_json(workout.model_dump_json()) == workout


@pytest.mark.parametrize(("text", "sport"), [
    ("run", Sport.RUNNING), ("Trail-Running", Sport.TRAIL_RUNNING), ("xc_ski", Sport.XC_SKIING),
    ("skimo", Sport.SKI_MOUNTAINEERING), ("strength", Sport.STRENGTH), ("swim", Sport.POOL_SWIM),
    # intervals.icu's activity type names
    ("NordicSki", Sport.XC_SKIING), ("VirtualRide", Sport.INDOOR_CYCLING), ("TrailRun", Sport.TRAIL_RUNNING),
    ("VirtualRun", Sport.TREADMILL), ("OpenWaterSwim", Sport.OPEN_WATER_SWIM), ("WeightTraining", Sport.STRENGTH),
    ("Ride", Sport.CYCLING), ("Run", Sport.RUNNING), ("Swim", Sport.POOL_SWIM), ("Workout", Sport.OTHER),
    ("BackcountrySki", Sport.SKI_MOUNTAINEERING), ("EBikeRide", Sport.CYCLING),
    # folder names a coach gives (probe icu21): a row/ folder's workouts were runs
    ("row", Sport.CARDIO), ("Row", Sport.CARDIO), ("indoor_rowing", Sport.CARDIO), ("ski", Sport.XC_SKIING),
])
def test_parse_sport_accepts_names_and_aliases(text: str, sport: Sport) -> None:
    assert parse_sport(text) is sport


def test_parse_sport_rejects_unknown() -> None:
    with pytest.raises(ValueError):
        parse_sport("curling")


def test_sport_families_group_for_matching() -> None:
    assert Sport.TRAIL_RUNNING.family == Sport.TREADMILL.family == "run"
    assert Sport.INDOOR_CYCLING.family == "bike" != Sport.RUNNING.family


def test_runaway_nested_repeats_are_rejected_without_expanding() -> None:
    inner = Repeat(count=200, steps=[Step(duration=TimeDuration(seconds=1))])
    with pytest.raises(ValidationError, match="expands to 8000000 executed steps"):
        _workout(Repeat(count=200, steps=[Repeat(count=200, steps=[inner])]))


def test_estimates_multiply_nested_repeats() -> None:
    workout = _workout(Repeat(count=10, steps=[Repeat(count=5, steps=[Step(duration=TimeDuration(seconds=30))])]))
    assert workout.estimated_seconds() == 10 * 5 * 30
    assert len(workout.flat_steps()) == 50


def test_new_step_fields_keep_their_invariants() -> None:
    import pytest as _pytest
    from pydantic import ValidationError

    from watchsync.model.workout import (
        CadenceTarget,
        DistanceDuration,
        Exercise,
        HeartRateTarget,
        HeartRateZoneTarget,
        LapButton,
        OpenTarget,
        PowerTarget,
        Repeat,
        RepeatUntil,
        Sport,
        Step,
        TimeDuration,
        Workout,
    )

    assert Exercise(category="BENCH_PRESS", name="") == Exercise(category="BENCH_PRESS", name="BENCH_PRESS")
    Step(target=PowerTarget(low=100, high=150), secondary=CadenceTarget(low=85, high=95), ramp="up")
    with _pytest.raises(ValidationError, match="secondary target needs a primary target of another kind"):
        Step(target=HeartRateZoneTarget(zone=2), secondary=HeartRateTarget(low=140, high=150))
    with _pytest.raises(ValidationError, match="ramp needs a target range"):
        Step(target=OpenTarget(), ramp="down")
    with _pytest.raises(ValidationError, match="planned length belongs to a lap-button step"):
        Step(duration=TimeDuration(seconds=60), planned=DistanceDuration(meters=400))
    Step(duration=LapButton(), planned=DistanceDuration(meters=400))
    with _pytest.raises(ValidationError, match="zone range Z3-Z2 is reversed"):
        HeartRateZoneTarget(zone=3, zone_high=2)
    with _pytest.raises(ValidationError, match="pool length belongs to a pool swim"):
        Workout(name="w", sport=Sport.RUNNING, pool_length=25, steps=[Step()])
    until = RepeatUntil(kind="hr_above", value=80, unit="pct_max")
    assert Repeat(count=10, steps=[Step()], until=until).until == until
    assert until.describe() == "HR > 80% max"
    assert Workout(name="n" * 256, sport=Sport.RUNNING, steps=[Step()]).name == "n" * 256


def test_replaced_is_model_copy_with_an_update() -> None:
    step = Step(duration=TimeDuration(seconds=60), target=RpeTarget(low=3, high=4), name="easy")
    cases: list[tuple[Step | Repeat | Workout, dict[str, object]]] = [
        (step, {"target": HeartRateTarget(low=130, high=140), "notes": "RPE 3-4"}),
        (Repeat(count=2, steps=[step]), {"steps": [step, step]}),
        (Workout(name="w", sport=Sport.RUNNING, steps=[step]), {"name": "v"}),
    ]
    for model, changes in cases:
        copied, expected = model.replaced(**changes), model.model_copy(update=changes)
        assert copied == expected and type(copied) is type(model) and copied != model
        assert copied.model_fields_set == expected.model_fields_set
        assert copied.model_dump() == expected.model_dump()
