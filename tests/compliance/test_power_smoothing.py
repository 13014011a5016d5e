"""3-s power as Garmin shows it: a trailing mean over seconds of valid readings; a dropout is no 0 W."""

from __future__ import annotations

import numpy as np
import pytest

from watchsync.compliance.score import trailing_mean


def test_a_dropout_never_drags_its_neighbours_below_target() -> None:
    power = np.array([212.0, 212.0, 212.0, np.nan] * 50)  # every 4th reading lost (a flaky ANT+ meter)
    times = np.arange(len(power), dtype=np.float64)
    smoothed = trailing_mean(times, power, 3)
    assert np.all(np.isnan(smoothed) == np.isnan(power))  # the dropout stays no reading
    assert np.nanmin(smoothed) == pytest.approx(212.0) and np.nanmax(smoothed) == pytest.approx(212.0)


def test_the_window_trails_in_seconds_not_samples() -> None:
    times = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 13.0])  # smart recording: a reading every few seconds
    power = np.array([100.0, 200.0, 300.0, 400.0, 500.0, 600.0])
    smoothed = trailing_mean(times, power, 3)
    assert smoothed.tolist() == pytest.approx([100.0, 150.0, 200.0, 300.0, 500.0, 600.0])  # never the next one
    unordered = trailing_mean(np.array([0.0, 2.0, 1.0]), np.array([100.0, 200.0, 300.0]), 3)
    assert unordered.tolist() == pytest.approx([100.0, 150.0, 200.0])  # no usable clock: a reading a second
