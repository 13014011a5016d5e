"""A multi-session file as one: its one RPE (the watch asks once, at the end, and stores it in the
last session) rates every session, as Garmin Connect's activity RPE does for each leg; power of
different sports is no one figure."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from watchsync.activity import decode_activity
from watchsync.compliance.activities import summaries_from_fit, summary_from_fit

REPO = Path(__file__).resolve().parents[2]
FIT = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO.parent / "shared" / "fixtures" / "fit")
FIT2 = FIT.parent / "fit2"
TRIATHLON = "muktihari_triathlon_summary_last.fit"  # swim, T1, bike (no power), T2, run (running power)
BRICK = "20555050352_ACTIVITY.fit"  # Forerunner 965: strength, run, strength; RPE 2 on the last session only


def test_the_files_one_rpe_rates_every_session() -> None:
    path = FIT / BRICK
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    activity = decode_activity(path.read_bytes())
    assert [s.workout_rpe for s in activity.sessions] == [None, None, 2.0]  # as the file has it
    summaries = summaries_from_fit("a", activity, zone="UTC")
    assert [s.workout_rpe for s in summaries] == [2.0, 2.0, 2.0]
    assert summary_from_fit("a", activity, zone="UTC").workout_rpe == 2.0


def test_a_triathlon_has_no_one_power_figure_but_each_leg_keeps_its_own() -> None:
    path = FIT2 / TRIATHLON
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    activity = decode_activity(path.read_bytes())
    legs = summaries_from_fit("t", activity, zone="UTC")
    assert [leg.avg_power is not None for leg in legs if not leg.transition] == [False, False, True]
    whole = summary_from_fit("t", activity, zone="UTC")
    assert (whole.avg_power, whole.max_power) == (None, None)


def test_a_triathlons_heart_rate_is_weighted_by_the_seconds_each_leg_has_one() -> None:
    # the swim leg holds one reading (95 bpm) in 11 minutes: weighted by its timer time it pulled the
    # race's average down to 152 bpm; the readings themselves average 163 (probe fit11)
    path = FIT2 / TRIATHLON
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    activity = decode_activity(path.read_bytes())
    hr = activity.records.heart_rate
    valid = hr[~np.isnan(hr)]
    whole = summary_from_fit("t", activity, zone="UTC")
    assert whole.avg_hr is not None and abs(whole.avg_hr - float(valid.mean())) <= 2
    legs = summaries_from_fit("t", activity, zone="UTC")
    by_timer = sum(leg.avg_hr * leg.duration_s for leg in legs if leg.avg_hr) / sum(
        leg.duration_s for leg in legs if leg.avg_hr)
    assert by_timer < whole.avg_hr - 5  # what the timer weighting said
