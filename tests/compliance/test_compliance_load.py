"""Load formulas against numbers worked out by hand (formula written out in each test)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from watchsync.activity.model import Records
from watchsync.activity.sensors import clean_records
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.load import (
    Run,
    activity_load,
    acwr,
    ewma,
    long_run_spikes,
    monotony,
    srpe,
    strain,
    trimp,
)
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Sport


def _records(timestamps: list[float], heart_rate: list[float]) -> Records:
    nan = np.full(len(timestamps), np.nan)
    return Records(timestamp=np.array(timestamps, dtype=float), heart_rate=np.array(heart_rate, dtype=float),
                   speed=nan, distance=nan, altitude=nan, cadence=nan, power=nan, position_lat=nan,
                   position_long=nan)


def test_srpe_is_rpe_times_minutes() -> None:
    assert srpe(6, 45) == pytest.approx(6 * 45, abs=1e-6)
    athlete = Athlete(name="a", max_hr=190, resting_hr=50)
    summary = ActivitySummary(id="x", sport=Sport.RUNNING, start=datetime(2025, 3, 3, tzinfo=UTC),
                              duration_s=2700, workout_rpe=6)
    assert activity_load(summary, None, athlete).srpe == pytest.approx(6 * 2700 / 60, abs=1e-6)


def test_trimp_banister_by_hand() -> None:
    # HR 120, 150, 180 at 0, 60, 120 s; rest 50, max 190: HRr = 70/140, 100/140 for the two minutes
    # (the last sample ends the record). Male: Σ min × HRr × 0.64 × e^(1.92 × HRr).
    first, second = 70 / 140, 100 / 140
    male = 1 * first * 0.64 * math.exp(1.92 * first) + 1 * second * 0.64 * math.exp(1.92 * second)
    female = 1 * first * 0.86 * math.exp(1.67 * first) + 1 * second * 0.86 * math.exp(1.67 * second)
    times, hr = np.array([0.0, 60.0, 120.0]), np.array([120.0, 150.0, 180.0])
    assert trimp(times, hr, 50, 190, "male", max_gap_s=60) == pytest.approx(male, abs=1e-6)
    assert trimp(times, hr, 50, 190, "female", max_gap_s=60) == pytest.approx(female, abs=1e-6)


def test_trimp_caps_gaps_and_clips_reserve() -> None:
    # With a 60 s cap: the 10-minute gap counts 60 s at HR 40 < rest (HRr 0, nothing); the next
    # minute at HR 200 > max counts as HRr = 1.
    times, hr = np.array([0.0, 600.0, 660.0]), np.array([40.0, 200.0, 150.0])
    expected = (60 / 60) * 1.0 * 0.64 * math.exp(1.92)
    assert trimp(times, hr, 50, 190, max_gap_s=60) == pytest.approx(expected, abs=1e-6)


def test_activity_load_trimp_and_easy_time_from_records() -> None:
    athlete = Athlete(name="a", max_hr=190, resting_hr=50, lthr=170)  # easy ceiling 89 % × 170 = 151.3
    records = _records([0, 1, 2, 3], [140, 150, 160, 140])
    summary = ActivitySummary(id="x", sport=Sport.RUNNING, start=datetime(2025, 3, 3, tzinfo=UTC),
                              duration_s=4)
    load = activity_load(summary, records, athlete, ComplianceConfig())
    reserve = [(140 - 50) / 140, (150 - 50) / 140, (160 - 50) / 140, (140 - 50) / 140]
    expected = sum(1 / 60 * r * 0.64 * math.exp(1.92 * r) for r in reserve)
    assert load.trimp == pytest.approx(expected, abs=1e-6)
    assert load.easy_seconds == pytest.approx(3.0)  # 140, 150 and the last 140 count one second each
    assert load.hr_seconds == pytest.approx(4.0)
    assert load.no_hr_seconds == pytest.approx(0.0)


def test_activity_load_counts_given_weights_and_time_without_heart_rate() -> None:
    athlete = Athlete(name="a", max_hr=190, resting_hr=50, lthr=170)
    records = _records([0, 10, 20, 30], [140, float("nan"), 0, 160])
    summary = ActivitySummary(id="x", sport=Sport.RUNNING, start=datetime(2025, 3, 3, tzinfo=UTC),
                              duration_s=31)
    weights = np.array([10.0, 10.0, 10.0, 1.0])  # what a timeline gives for a 31 s unpaused stretch
    load = activity_load(summary, clean_records(records), athlete, ComplianceConfig(), weights=weights)
    reserve = [(140 - 50) / 140, (160 - 50) / 140]
    expected = sum(m * r * 0.64 * math.exp(1.92 * r) for m, r in zip([10 / 60, 1 / 60], reserve, strict=True))
    assert load.trimp == pytest.approx(expected, abs=1e-6)
    assert (load.hr_seconds, load.no_hr_seconds, load.easy_seconds) == (11.0, 20.0, 10.0)  # HR 0 is no reading


def test_activity_load_without_heart_rate_is_never_easy() -> None:
    athlete = Athlete(name="a", max_hr=190, resting_hr=50, lthr=170)
    records = clean_records(_records([0, 1, 2], [0, 0, 0]))
    summary = ActivitySummary(id="x", sport=Sport.CYCLING, start=datetime(2025, 3, 3, tzinfo=UTC), duration_s=3)
    load = activity_load(summary, records, athlete, ComplianceConfig())
    assert (load.trimp, load.easy_seconds, load.hr_seconds, load.no_hr_seconds) == (None, None, None, 3.0)


def test_without_heart_rate_the_whole_timer_is_time_without_it_sparse_records_or_none() -> None:
    """A pool swim without a strap writes a record a length (gaps longer than the sample cap) or none:
    either way all of its 600 s are without heart rate, not the records' capped share or nothing."""
    athlete = Athlete(name="a", max_hr=190, resting_hr=50, lthr=170)
    summary = ActivitySummary(id="x", sport=Sport.POOL_SWIM, start=datetime(2025, 3, 3, tzinfo=UTC), duration_s=600)
    sparse = clean_records(_records([0, 45, 200, 300, 590], [0, 0, 0, 0, 0]))
    for records in (sparse, None):
        load = activity_load(summary, records, athlete, ComplianceConfig())
        assert (load.hr_seconds, load.no_hr_seconds) == (None, 600.0)


def test_ewma_acwr_williams_by_hand() -> None:
    # λ = 2 / (N + 1): acute 2/8 = 0.25, chronic 2/29; seeded with the first day's load.
    loads = [100.0, 0.0, 50.0]
    la, lc = 2 / 8, 2 / 29
    acute = [100.0, (1 - la) * 100, la * 50 + (1 - la) * (1 - la) * 100]
    chronic = [100.0, (1 - lc) * 100, lc * 50 + (1 - lc) * (1 - lc) * 100]
    assert ewma(loads, 7) == pytest.approx(acute, abs=1e-6)
    assert ewma(loads, 28) == pytest.approx(chronic, abs=1e-6)
    ratios = acwr(loads)
    assert ratios == pytest.approx([a / c for a, c in zip(acute, chronic, strict=True)], abs=1e-6)
    assert acwr([0.0, 0.0]) == [None, None]


def test_monotony_and_strain_by_hand() -> None:
    # mean 40; deviations ±30, ±20, ±10, 0 → variance 2800 / 7 = 400 → SD 20 → monotony 2; strain 280 × 2.
    week = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0]
    assert monotony(week) == pytest.approx(40 / 20, abs=1e-6)
    assert strain(week) == pytest.approx(280 * 2, abs=1e-6)
    assert monotony([30.0] * 7) is None


def test_long_run_spike_frandsen() -> None:
    runs = [
        Run("a", date(2025, 1, 1), 100),
        Run("b", date(2025, 1, 10), 105),  # 105 % of 100 min: fine
        Run("c", date(2025, 1, 20), 116),  # > 110 % of 105 min: spike
        Run("d", date(2025, 1, 25), 127.6),  # exactly 110 % of 116 min: not above
        Run("e", date(2025, 4, 1), 200),  # no run in the 30 days before: no baseline
    ]
    spikes = long_run_spikes(runs, ratio=1.10, lookback_days=30)
    assert [s.activity_id for s in spikes] == ["c"]
    assert spikes[0].previous_longest_minutes == 105
    assert spikes[0].ratio == pytest.approx(116 / 105, abs=1e-6)


def test_long_run_window_is_the_previous_30_days() -> None:
    # The 150-min run 31 days earlier is out of the window; the 120-min one 30 days earlier is in.
    runs = [Run("old", date(2025, 1, 1), 150), Run("in", date(2025, 1, 2), 120),
            Run("now", date(2025, 2, 1), 135)]
    spikes = long_run_spikes(runs)
    assert [s.activity_id for s in spikes] == ["now"]
    assert spikes[0].previous_longest_minutes == 120


def test_long_run_spike_within_the_first_window_is_marked_short_history() -> None:
    from watchsync.compliance.load import Run

    start = date(2026, 1, 1)
    runs = [Run(id="a", day=start, minutes=100), Run(id="b", day=start + timedelta(days=7), minutes=120),
            Run(id="c", day=start + timedelta(days=31), minutes=140)]
    spikes = long_run_spikes(runs)
    assert [(s.activity_id, s.short_history) for s in spikes] == [("b", True), ("c", False)]
