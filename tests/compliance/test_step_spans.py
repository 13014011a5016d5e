"""A step laid along the timer is scored for at most its own length: a sparse record that runs on past
the step's end counts the rest in the next step (probe fit13)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "activity"))
from fitbuild import ActivitySpec, FitSport, Sample, SessionSpec, build

from watchsync.activity import decode_activity
from watchsync.compliance.score import score_intensity
from watchsync.model.workout import PowerTarget, Sport, Step, TimeDuration, Workout

T0 = 1_714_546_800.0  # 2024-05-01T07:00:00Z
WORKOUT = Workout(name="Two blocks", sport=Sport.CYCLING, steps=[
    Step(name="tempo", duration=TimeDuration(seconds=600), target=PowerTarget(low=150, high=200)),
    Step(name="threshold", duration=TimeDuration(seconds=600), target=PowerTarget(low=250, high=350)),
])


def test_a_record_running_past_a_steps_end_counts_the_rest_in_the_next_step() -> None:
    # smart recording: a record every 45 s, so the one at 585 s stands for 585-630 s, across the 600-s step end
    samples = [Sample(T0 + t, power=180 if t < 600 else 300) for t in range(0, 1171, 45)]
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.CYCLING, T0, 1171.0, 1171.0)], samples=samples,
                        end=T0 + 1171)
    tempo, threshold = score_intensity(WORKOUT, decode_activity(build(spec))).steps
    assert tempo.scored_seconds == pytest.approx(600)  # not 14 records x 45 s = 630 s
    assert tempo.inside == pytest.approx(1.0)
    assert threshold.scored_seconds == pytest.approx(571)  # 30 s of the 180-W record, then 12 x 45 s + 1 s
    assert threshold.inside == pytest.approx(541 / 571)
    assert threshold.below == pytest.approx(30 / 571)
