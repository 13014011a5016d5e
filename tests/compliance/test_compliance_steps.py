"""FIT step numbering of planned workouts agrees with the FIT workout writer."""

from __future__ import annotations

import pytest
from garmin_fit_sdk import Decoder, Stream

from watchsync.compliance.steps import execution_order, step_labels, steps_by_index
from watchsync.formats.fit_workout import write_fit_workout
from watchsync.model.workout import (
    HeartRateTarget,
    Intensity,
    Repeat,
    RpeTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
)
from watchsync.rules import is_easy


def _step(name: str, intensity: Intensity = Intensity.ACTIVE) -> Step:
    return Step(name=name, intensity=intensity, duration=TimeDuration(seconds=60),
                target=HeartRateTarget(low=120, high=130))


WORKOUT = Workout(name="Nested", sport=Sport.RUNNING, steps=[
    _step("warm", Intensity.WARMUP),
    Repeat(count=2, steps=[
        _step("a"),
        Repeat(count=3, steps=[_step("b"), _step("c", Intensity.RECOVERY)]),
    ]),
    Repeat(count=3, skip_last_rest=True, steps=[_step("d"), _step("rest", Intensity.REST)]),
    _step("cool", Intensity.COOLDOWN),
])


def _written_step_names() -> dict[int, str]:
    messages, errors = Decoder(Stream.from_byte_array(bytearray(write_fit_workout(WORKOUT)))).read()
    assert errors == []
    return {m["message_index"]: m["wkt_step_name"] for m in messages["workout_step_mesgs"]
            if m.get("duration_type") != "repeat_until_steps_cmplt"}


def test_step_numbers_are_the_message_indexes_the_fit_writer_gives() -> None:
    assert {index: step.name for index, step in steps_by_index(WORKOUT).items()} == _written_step_names()


def test_execution_order_expands_repeats_in_full_as_a_watch_runs_them() -> None:
    names = [p.step.name for p in execution_order(WORKOUT)]
    inner = ["b", "c"] * 3
    assert names == ["warm", *(["a", *inner] * 2), "d", "rest", "d", "rest", "d", "rest", "cool"]
    flags = [p.in_repeat for p in execution_order(WORKOUT)]
    assert flags[0] is False and flags[-1] is False
    assert all(flags[1:-1])


def test_easy_means_low_rpe_else_an_easy_intensity_or_no_target() -> None:
    assert is_easy(Step(rpe=RpeTarget(low=3, high=4)), 4)
    assert not is_easy(Step(rpe=RpeTarget(low=4, high=5)), 4)
    assert is_easy(Step(intensity=Intensity.COOLDOWN), 4)
    # one rule with plans: an untargeted step (a drill, walking back) is easy, a targeted interval is not
    assert is_easy(Step(intensity=Intensity.INTERVAL), 4)
    assert not is_easy(Step(intensity=Intensity.INTERVAL, target=HeartRateTarget(low=160, high=170)), 4)
    assert not is_easy(Step(intensity=Intensity.WARMUP, rpe=RpeTarget(low=6, high=6)), 4)


def test_each_step_carries_the_label_show_gives_it() -> None:
    """``analyze`` and the dashboard number steps as ``watchsync show`` does (2.1.2), not by FIT number."""
    from watchsync.describe import step_rows

    shown = [row.label for row in step_rows(WORKOUT) if row.intensity != "repeat"]
    labels = step_labels(WORKOUT)

    assert [labels[index] for index in sorted(labels)] == shown
    assert shown == ["1", "2.1", "2.2.1", "2.2.2", "3.1", "3.2", "4"]
    assert {planned.label for planned in execution_order(WORKOUT)} == set(shown)


@pytest.mark.parametrize(("above", "said"), [(0.97, ["hard steps done too hard: 97% of their time above target"]),
                                             (0.40, [])])
def test_a_main_set_far_above_its_band_is_flagged(above: float, said: list[str]) -> None:
    # a threshold set run at 175 bpm for 160-168 read green with "40 % in target", the easy warm-up's time
    # hiding the main set (probe coach13)
    from watchsync.compliance.score import IntensityScore, StepScore
    from watchsync.compliance.step_flags import step_flags

    def step(index: int, easy: bool, seconds: float, inside: float, over: float) -> StepScore:
        return StepScore(index=index, name=None, easy=easy, in_repeat=False, channel="heart_rate", low=160, high=168,
                         executions=1, seconds=seconds, scored_seconds=seconds, inside=inside, above=over,
                         below=1 - inside - over, planned_executions=1)

    score = IntensityScore(alignment="laps", inside=0.4, easy_above=0.0, too_hard=False,
                           steps=[step(0, True, 900, 1.0, 0.0), step(1, False, 1200, 1 - above, above)])
    assert step_flags(score) == said


def test_steps_above_easy_but_none_hard_are_moderate_steps_and_an_easy_band_is_no_hard_step() -> None:
    # a swim's "6x 100yd RPE 5" set read "hard steps done too hard" (probe coach14); a "- 90m 130-150bpm" run
    # for an LTHR-170 runner (ceiling 151) was "easy run done too hard" and "hard steps done too hard" (fit13)
    from watchsync.compliance.config import ComplianceConfig
    from watchsync.compliance.score import IntensityScore, StepScore, easy_limits, easy_step
    from watchsync.compliance.step_flags import step_flags
    from watchsync.model.athlete import Athlete

    def step(index: int, hard: bool | None) -> StepScore:
        return StepScore(index=index, name=None, easy=False, in_repeat=True, channel="speed", low=0.78, high=0.81,
                         executions=6, seconds=1200, scored_seconds=1200, inside=0.1, above=0.85, below=0.05,
                         planned_executions=6, hard=hard)

    def flags(*steps: StepScore) -> list[str]:
        return step_flags(IntensityScore(alignment="laps", inside=0.1, easy_above=0.0, too_hard=False,
                                         steps=list(steps)))

    assert flags(step(0, False)) == ["moderate steps done too hard: 85% of their time above target"]
    assert flags(step(0, False), step(1, True)) == ["hard steps done too hard: 85% of their time above target"]
    assert flags(step(0, None)) == ["hard steps done too hard: 85% of their time above target"]  # an older score
    athlete = Athlete(name="a", max_hr=190, resting_hr=50, lthr=170)
    limits = easy_limits(athlete, ComplianceConfig().easy_rpe_max)
    steady = Step(duration=TimeDuration(seconds=5400), target=HeartRateTarget(low=130, high=150))
    assert easy_step(steady, ComplianceConfig().easy_rpe_max, limits)
    assert not easy_step(steady.model_copy(update={"target": HeartRateTarget(low=150, high=160)}),
                         ComplianceConfig().easy_rpe_max, limits)
