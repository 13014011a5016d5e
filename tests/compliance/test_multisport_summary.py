"""A multi-session file as one: its one RPE (the watch asks once, at the end, and stores it in the
last session) rates every session, as Garmin Connect's activity RPE does for each leg; power of
different sports is no one figure."""

from __future__ import annotations

import os
from pathlib import Path

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
