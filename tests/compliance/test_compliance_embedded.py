"""A real Edge 530 ride scored against the workout embedded in it (hrv-activity.fit)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from garmin_fit_sdk import Decoder, Stream

from watchsync.activity import decode_activity
from watchsync.compliance.embedded import embedded_workout, score_against_embedded
from watchsync.compliance.score import MIN_EXECUTION_SECONDS, score_intensity
from watchsync.model.athlete import Athlete
from watchsync.model.workout import PowerTarget, Repeat, RpeTarget, Sport, Step, TimeDuration, Workout
from watchsync.resolve import resolve
from watchsync.testing.simulate import simulate_activity

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO_ROOT.parent / "shared" / "fixtures" / "fit")
RIDE = FIXTURES / "hrv-activity.fit"
START = datetime(2025, 3, 3, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def ride() -> Path:
    if not RIDE.is_file():
        pytest.skip(f"FIT fixtures not found at {FIXTURES} (set WATCHSYNC_FIXTURES)")
    return RIDE


@pytest.fixture(scope="module")
def oracle(ride: Path) -> dict[str, Any]:
    messages, errors = Decoder(Stream.from_file(str(ride))).read()
    assert errors == []
    return messages


def test_embedded_workout_has_the_files_steps_and_two_repeats_of_ten(ride: Path, oracle: dict[str, Any]) -> None:
    workout = embedded_workout(decode_activity(ride))
    repeats = [b for b in workout.steps if isinstance(b, Repeat)]
    assert [r.count for r in repeats] == [10, 10]
    raw = {m["message_index"]: m for m in oracle["workout_step_mesgs"]}
    first = workout.steps[0]
    assert isinstance(first, Step) and isinstance(first.target, PowerTarget)
    assert (first.target.low, first.target.high) == (raw[0]["custom_target_value_low"],
                                                      raw[0]["custom_target_value_high"])
    assert first.duration == TimeDuration(seconds=raw[0]["duration_time"])


def _inside_share(oracle: dict[str, Any], lap: dict[str, Any], low: float, high: float) -> float:
    """Share of the lap's 1 Hz samples whose trailing 3-s mean power (Garmin's 3-s power) is in [low, high]."""
    records = oracle["record_mesgs"]
    power = np.array([r.get("power", np.nan) for r in records], dtype=float)
    smooth = np.array([np.nanmean(power[max(0, i - 2):i + 1]) for i in range(len(power))])
    times = np.array([r["timestamp"].timestamp() for r in records])
    begin = lap["start_time"].timestamp()
    in_lap = (times >= begin) & (times < begin + lap["total_elapsed_time"])
    values = smooth[in_lap]
    return float(np.mean((values >= low) & (values <= high)))


def test_each_step_is_scored_from_its_laps_on_3s_power(ride: Path, oracle: dict[str, Any]) -> None:
    score = score_against_embedded(decode_activity(ride))
    assert score.alignment == "laps"
    steps = {s.index: s for s in score.steps}
    laps = [lap for lap in oracle["lap_mesgs"] if lap.get("wkt_step_index") is not None]
    ran = {lap["wkt_step_index"] for lap in laps}
    assert ran <= set(steps)  # every planned step has a row: the ones never reached with no run
    assert all(s.executions == 0 and s.seconds == 0 and s.planned_executions > 0
               for i, s in steps.items() if i not in ran)
    # a lap of a second or two is a step skipped with the lap button (this ride skips steps 1 and 5 so)
    executed = {i: sum(1 for lap in laps if lap["wkt_step_index"] == i
                       and lap["total_timer_time"] >= MIN_EXECUTION_SECONDS) for i in steps}
    assert {i: s.executions for i, s in steps.items()} == executed
    assert executed[1] == 0 and executed[5] == 4
    # a skipped step is neither timed nor scored: its few seconds belong to no step (probe score6 #3)
    assert (steps[1].seconds, steps[1].scored_seconds, steps[1].inside) == (0.0, 0.0, None)
    assert steps[5].seconds == pytest.approx(sum(lap["total_timer_time"] for lap in laps if lap["wkt_step_index"] == 5
                                                 and lap["total_timer_time"] >= MIN_EXECUTION_SECONDS))
    raw = {m["message_index"]: m for m in oracle["workout_step_mesgs"]}
    for index in (0, 4):  # one lap each, long enough for a meaningful share
        lap = next(lap for lap in laps if lap["wkt_step_index"] == index)
        low, high = raw[index]["custom_target_value_low"], raw[index]["custom_target_value_high"]
        assert steps[index].channel == "power"
        assert steps[index].inside == pytest.approx(_inside_share(oracle, lap, low, high), abs=0.02)


def test_simulated_activity_scores_the_same_against_its_embedded_copy() -> None:
    athlete = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171)
    workout = resolve(Workout(name="Easy", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=1200), target=RpeTarget(low=3, high=3)),
        Step(duration=TimeDuration(seconds=600), target=RpeTarget(low=5, high=6)),
    ]), athlete)
    activity = decode_activity(simulate_activity(workout, athlete, start=START).fit)
    planned = score_intensity(workout, activity)
    embedded = score_against_embedded(activity)
    assert [s.inside for s in embedded.steps] == pytest.approx([s.inside for s in planned.steps])


def test_an_activity_without_a_workout_is_refused(ride: Path) -> None:
    activity = decode_activity(FIXTURES / "garmin-fenix-5-run.fit")
    with pytest.raises(ValueError, match="no workout steps"):
        score_against_embedded(activity)

