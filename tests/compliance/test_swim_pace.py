"""A pool swim's pace target is scored per active length (pool length over the length's time),
never from the few records that carry a speed, and rests are not scored as swimming."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from watchsync.activity import decode_activity
from watchsync.compliance.score import score_intensity
from watchsync.model.workout import SpeedTarget, Sport, Step, TimeDuration, Workout

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO.parent / "shared" / "fixtures" / "fit").parent
LOW, HIGH = 0.606, 0.952  # 1:45-2:45/100m, in m/s


@pytest.mark.parametrize(("name", "share_inside"), [
    ("fit/activity_poolswim_with_hr.fit", 0.66),  # fenix 3, 1 Hz records: speed only at each length's end
    ("fit2/muktihari_activity_poolswim.fit", 0.60),  # one record per length or rest
])
def test_a_swim_pace_target_is_scored_over_the_active_lengths(name: str, share_inside: float) -> None:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    activity = decode_activity(path.read_bytes())
    pool = next(s.pool_length for s in activity.sessions if s.pool_length)
    swim = Workout(name="CSS set", sport=Sport.POOL_SWIM, steps=[
        Step(duration=TimeDuration(seconds=7200), target=SpeedTarget(low=LOW, high=HIGH))])
    [step] = score_intensity(swim, activity).steps
    active = [length for length in activity.lengths if length.length_type == "active"]
    swum = sum(length.total_timer_time or 0.0 for length in active)
    assert step.scored_seconds == pytest.approx(swum)  # every length as swum, no rest
    assert step.inside == pytest.approx(share_inside, abs=0.01)  # fitdecode's lengths: pool / timer time
    assert step.inside == pytest.approx(sum(length.total_timer_time or 0.0 for length in active
                                            if LOW <= pool / (length.total_timer_time or 1.0) <= HIGH) / swum)


def _swim_30() -> Workout:
    """The library's easy swim with explicit pace bands: 200 m, 8 x (50 m, 20 s rest), 200 m."""
    from watchsync.model.workout import DistanceDuration, Intensity, Repeat

    easy, smooth = SpeedTarget(low=0.565, high=0.757), SpeedTarget(low=0.765, high=0.817)
    return Workout(name="Easy swim", sport=Sport.POOL_SWIM, steps=[
        Step(duration=DistanceDuration(meters=200), target=easy),
        Repeat(count=8, steps=[Step(duration=DistanceDuration(meters=50), target=smooth),
                               Step(intensity=Intensity.REST, duration=TimeDuration(seconds=20))]),
        Step(duration=DistanceDuration(meters=200), target=SpeedTarget(low=0.565, high=0.67))])


def _lengths_truth(path: Path, workout: Workout) -> dict[int, tuple[float, float | None]]:
    """Step number -> (timer seconds, share in target), the steps laid along Garmin's SDK's length
    messages: each length's metres grow over its timer time, rests hold them."""
    from garmin_fit_sdk import Decoder, Stream

    from watchsync.compliance.score import target_band
    from watchsync.compliance.steps import execution_order

    messages, _ = Decoder(Stream.from_file(str(path))).read()
    pool = messages["session_mesgs"][0]["pool_length"]
    segments, clock, metres = [], 0.0, 0.0
    for length in messages["length_mesgs"]:
        seconds, swum = length["total_timer_time"], pool if length["length_type"] == "active" else 0.0
        segments.append((clock, clock + seconds, metres, metres + swum))
        clock, metres = clock + seconds, metres + swum
    total = clock

    def time_at(target: float) -> float:
        return next((a + (target - d0) / (d1 - d0) * (b - a) for a, b, d0, d1 in segments
                     if d1 > d0 and d0 <= target <= d1), total)

    def metres_at(moment: float) -> float:
        return next((d0 + (moment - a) / (b - a) * (d1 - d0) if b > a else d0 for a, b, d0, d1 in segments
                     if a <= moment <= b), metres)

    seconds: dict[int, float] = {}
    scored: dict[int, list[float]] = {}
    cursor = 0.0
    for planned in execution_order(workout):
        if cursor >= total:
            break
        duration = planned.step.duration
        end = cursor + duration.seconds if isinstance(duration, TimeDuration) else \
            time_at(metres_at(cursor) + duration.meters)  # type: ignore[union-attr]
        seconds[planned.index] = seconds.get(planned.index, 0.0) + min(end, total) - cursor
        band = target_band(planned.step.target)
        for a, b, d0, d1 in segments:
            if band is not None and d1 > d0 and cursor <= a < end:
                inside = band[1] <= pool / (b - a) <= band[2]
                scored.setdefault(planned.index, [0.0, 0.0])[0] += b - a
                scored[planned.index][1] += (b - a) if inside else 0.0
        cursor = end
    return {i: (s, scored[i][1] / scored[i][0] if i in scored and scored[i][0] else None) for i, s in seconds.items()}


@pytest.mark.parametrize("name", ["fit/activity_poolswim_with_hr.fit", "fit2/muktihari_activity_poolswim.fit"])
def test_a_swim_not_run_from_the_watch_lays_its_distance_steps_along_the_lengths(name: str) -> None:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    workout = _swim_30()
    score = score_intensity(workout, decode_activity(path.read_bytes()))
    assert score.alignment == "time"
    truth = _lengths_truth(path, workout)  # a record written at a length's end no longer puts a step a length late
    assert {s.index: s.seconds for s in score.steps if s.seconds} == pytest.approx(
        {i: t[0] for i, t in truth.items() if t[0]}, abs=1.0)
    for step in score.steps:
        if step.index in truth and truth[step.index][1] is not None:
            assert step.inside == pytest.approx(truth[step.index][1], abs=0.01), step.index


@pytest.mark.parametrize("name", ["fit/activity_poolswim_with_hr.fit", "fit2/muktihari_activity_poolswim.fit"])
def test_a_swim_whose_session_lacks_its_pool_takes_it_from_its_distance_and_lengths(name: str) -> None:
    from dataclasses import replace

    from watchsync.compliance.activities import summary_from_fit

    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    whole = decode_activity(path.read_bytes())
    pool = next(s.pool_length for s in whole.sessions if s.pool_length)
    stripped = replace(whole, sessions=tuple(replace(s, pool_length=None) for s in whole.sessions))
    assert stripped.pool_length == pytest.approx(pool, abs=0.05)  # an export that left the field out
    assert summary_from_fit("s", stripped).pool_length_m == pytest.approx(pool, abs=0.05)
    workout = _swim_30()
    assert [s.inside for s in score_intensity(workout, stripped).steps] == \
        [s.inside for s in score_intensity(workout, whole).steps]  # per-length pace, not the records'


def test_a_swim_with_a_lap_per_set_and_rest_follows_its_laps_in_a_yard_pool() -> None:
    """probe coach10: in a 25-yd pool a "100 m" set is 4 lengths (91.44 m); steps cut by planned metres put
    the cool-down into the main set. A swim that recorded one lap per step follows its laps."""
    from watchsync.model.workout import DistanceDuration, Intensity, Repeat

    path = SHARED / "fit2" / "muktihari_activity_poolswim.fit"  # 25 yd: 4 x (4 lengths, 60 s rest), 4 lengths
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    activity = decode_activity(path.read_bytes())
    band = SpeedTarget(low=0.5, high=1.0)
    workout = Workout(name="Sets", sport=Sport.POOL_SWIM, steps=[
        Repeat(count=4, steps=[Step(duration=DistanceDuration(meters=100), target=band),
                               Step(intensity=Intensity.REST, duration=TimeDuration(seconds=60))]),
        Step(duration=DistanceDuration(meters=100), target=band)])
    score = score_intensity(workout, activity)
    assert score.alignment == "lap order"
    laps = [lap.total_timer_time or 0.0 for lap in activity.laps]
    swim, rest, last = score.steps
    assert swim.seconds == pytest.approx(sum(laps[0:8:2]), abs=1.0) and swim.executions == 4
    assert rest.seconds == pytest.approx(sum(laps[1:8:2]), abs=1.0)
    assert last.seconds == pytest.approx(laps[8], abs=1.0)
