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
