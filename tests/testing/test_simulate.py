"""Simulated activity FIT files: valid for Garmin's decoder and ours, realistic, fast."""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest
from garmin_fit_sdk import Decoder, Stream

from watchsync.activity import decode_activity
from watchsync.compliance.steps import execution_order
from watchsync.model.athlete import Athlete
from watchsync.model.workout import (
    DistanceDuration,
    Intensity,
    LapButton,
    Repeat,
    RpeTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
)
from watchsync.resolve import resolve
from watchsync.testing.simulate import HR_TIME_CONSTANT_S, late_start, simulate_activity

ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
START = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)


def _intervals() -> Workout:
    return resolve(Workout(name="Intervals", sport=Sport.RUNNING, steps=[
        Step(intensity=Intensity.WARMUP, duration=TimeDuration(seconds=600), target=RpeTarget(low=3, high=3)),
        Repeat(count=4, steps=[
            Step(intensity=Intensity.INTERVAL, duration=TimeDuration(seconds=120), target=RpeTarget(low=8, high=8)),
            Step(intensity=Intensity.RECOVERY, duration=LapButton(), target=RpeTarget(low=2, high=2)),
        ]),
        Step(intensity=Intensity.COOLDOWN, duration=DistanceDuration(meters=1500), target=RpeTarget(low=2, high=3)),
    ]), ATHLETE)


def _easy_hour() -> Workout:
    return resolve(Workout(name="Easy hour", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=3600), target=RpeTarget(low=3, high=4)),
    ]), ATHLETE)


def _sdk(data: bytes) -> dict[str, Any]:
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return messages


def test_garmin_decoder_reads_the_file_as_an_activity_with_one_lap_per_executed_step() -> None:
    workout = _intervals()
    simulated = simulate_activity(workout, ATHLETE, start=START)
    messages = _sdk(simulated.fit)
    assert messages["file_id_mesgs"][0]["type"] == "activity"
    laps = messages["lap_mesgs"]
    assert [lap["wkt_step_index"] for lap in laps] == [p.index for p in execution_order(workout)]
    records = messages["record_mesgs"]
    seconds = [(r["timestamp"] - records[0]["timestamp"]).total_seconds() for r in records]
    assert seconds == list(range(len(records)))
    session = messages["session_mesgs"][0]
    assert session["sport"] == "running"
    assert session["total_elapsed_time"] == len(records)
    assert session["workout_rpe"] == simulated.summary["workout_rpe"] * 10
    assert session["num_laps"] == len(laps)
    assert len(messages["workout_step_mesgs"]) == 5  # warmup, interval, recovery, repeat, cooldown
    assert messages["workout_mesgs"][0]["wkt_name"] == "Intervals"


def test_our_decoder_agrees_with_garmins_on_every_record() -> None:
    simulated = simulate_activity(_intervals(), ATHLETE, start=START, seed=3)
    activity = decode_activity(simulated.fit)
    assert activity.decoder == "fitfast" and not activity.warnings
    records = _sdk(simulated.fit)["record_mesgs"]
    np.testing.assert_array_equal(activity.records.heart_rate, [r["heart_rate"] for r in records])
    np.testing.assert_allclose(activity.records.speed, [r["speed"] for r in records], atol=1e-3)
    np.testing.assert_allclose(activity.records.distance, [r["distance"] for r in records], atol=1e-2)
    np.testing.assert_array_equal(activity.records.cadence, [r["cadence"] for r in records])
    assert simulated.summary["avg_hr"] == round(float(np.mean([r["heart_rate"] for r in records])))
    assert simulated.summary["distance_m"] == pytest.approx(activity.sessions[0].total_distance, abs=0.01)


def test_heart_rate_lags_effort_like_a_first_order_response() -> None:
    workout = resolve(Workout(name="Step test", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=600), target=RpeTarget(low=2, high=2)),
        Step(duration=TimeDuration(seconds=600), target=RpeTarget(low=8, high=8)),
    ]), ATHLETE)
    activity = decode_activity(simulate_activity(workout, ATHLETE, start=START).fit)
    hr = activity.records.heart_rate
    before, after = float(np.mean(hr[560:600])), float(np.mean(hr[1150:1200]))
    one_tau = float(np.mean(hr[600 + round(HR_TIME_CONSTANT_S) - 2: 600 + round(HR_TIME_CONSTANT_S) + 3]))
    expected = before + (after - before) * (1 - math.exp(-1))
    assert after - before > 20
    assert one_tau == pytest.approx(expected, abs=3)
    assert float(np.mean(hr[600:605])) < before + 5  # no jump at the step change


def test_lap_button_steps_last_about_the_minute_the_plan_counts() -> None:
    activity = decode_activity(simulate_activity(_intervals(), ATHLETE, start=START, seed=11).fit)
    recoveries = [lap.total_elapsed_time for lap in activity.laps if lap.wkt_step_index == 2]
    assert len(recoveries) == 4
    assert all(45 <= (seconds or 0) <= 75 for seconds in recoveries)


def test_same_seed_same_bytes_other_seed_other_noise() -> None:
    workout = _intervals()
    first = simulate_activity(workout, ATHLETE, start=START, seed=5).fit
    assert simulate_activity(workout, ATHLETE, start=START, seed=5).fit == first
    assert simulate_activity(workout, ATHLETE, start=START, seed=6).fit != first


def test_cut_short_stops_at_the_completed_share_of_planned_time() -> None:
    workout = _easy_hour()
    simulated = simulate_activity(workout, ATHLETE, start=START, behaviour="cut_short", completed_share=0.6)
    assert simulated.summary["duration_s"] == pytest.approx(0.6 * 3600, abs=1)


def test_swapped_bike_is_a_ride_of_similar_length_without_workout_steps() -> None:
    simulated = simulate_activity(_easy_hour(), ATHLETE, start=START, behaviour="swapped_bike")
    messages = _sdk(simulated.fit)
    assert messages["session_mesgs"][0]["sport"] == "cycling"
    assert simulated.summary["duration_s"] == 3600
    assert "workout_step_mesgs" not in messages
    assert all("wkt_step_index" not in lap for lap in messages["lap_mesgs"])


def test_late_start_shifts_the_planned_date() -> None:
    assert late_start(date(2025, 3, 3), 4) == datetime(2025, 3, 7, 7, 0, tzinfo=UTC)


def test_an_hour_simulates_in_a_fraction_of_a_second() -> None:
    workout = _easy_hour()
    simulate_activity(workout, ATHLETE, start=START)  # warm caches
    began = time.perf_counter()
    simulated = simulate_activity(workout, ATHLETE, start=START, seed=1)
    elapsed = time.perf_counter() - began
    assert simulated.summary["duration_s"] == 3600
    assert elapsed < 0.5, f"one hour took {elapsed:.3f} s"


def test_a_strength_session_records_no_speed_distance_or_cadence() -> None:
    from watchsync.compliance.activities import summary_from_fit

    core = Workout(name="Core", sport=Sport.STRENGTH, steps=[Step(duration=TimeDuration(seconds=300))])
    activity = decode_activity(simulate_activity(core, ATHLETE, start=START).fit)
    assert np.isnan(activity.records.distance).all() and np.isnan(activity.records.cadence).all()
    assert summary_from_fit("s", activity).distance_m is None


def test_a_followed_drills_session_lasts_about_what_its_plan_counts() -> None:
    from watchsync.compliance.activities import summary_from_fit
    from watchsync.compliance.score import volume_score

    drills = Workout(name="Drills", sport=Sport.RUNNING, steps=[
        Repeat(count=8, steps=[Step(duration=LapButton()), Step(intensity=Intensity.RECOVERY,
                                                                duration=TimeDuration(seconds=30))])])
    activity = decode_activity(simulate_activity(drills, ATHLETE, start=START, seed=3).fit)
    assert volume_score(drills, summary_from_fit("d", activity)).colour == "green"


def test_a_followed_pool_swim_is_swum_at_swimming_speed() -> None:
    from pathlib import Path

    from watchsync.compliance.activities import summary_from_fit
    from watchsync.compliance.score import volume_score
    from watchsync.formats.load import load_workout

    swim = resolve(load_workout(Path(__file__).resolve().parents[2] / "workouts" / "cross" / "swim-30.txt"), ATHLETE)
    activity = decode_activity(simulate_activity(swim, ATHLETE, start=START, seed=2).fit)
    summary = summary_from_fit("s", activity)
    assert summary.distance_m is not None and summary.duration_s > summary.distance_m  # under 1 m/s
    assert volume_score(swim, summary).colour == "green"  # not "33 %, orange" from a swim at running speed
