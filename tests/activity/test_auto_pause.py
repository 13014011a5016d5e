"""A file that keeps recording through stops its device auto-paused, but kept only its `start` and
`stop_all` timer events (a converter's, probe fit13): the standing stretches are no training, as the
session's timer says; through ``watchsync analyze --json``."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fitbuild import ActivitySpec, EventType, FitSport, Sample, SessionSpec, anna_config, build

from watchsync.cli import main

T0 = 1_714_546_800.0  # 2024-05-01T07:00:00Z
MAX_HR, REST_HR = 190, 50


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return anna_config(tmp_path, monkeypatch)


def analyze(data: bytes, tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str],
            *options: str) -> dict[str, Any]:
    path = tmp_path / "activity.fit"
    path.write_bytes(data)
    capsys.readouterr()
    assert main(["--config", str(config), "analyze", str(path), "--json", *options]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def trimp_minutes(minutes: float, hr: float) -> float:
    reserve = (hr - REST_HR) / (MAX_HR - REST_HR)
    return minutes * reserve * 0.64 * math.exp(1.92 * reserve)


def ride_with_a_stop(timer: float, *, distance: bool = True) -> bytes:
    """15 min riding at HR 150, 15 min standing (HR 100, the distance still), 15 min riding: 1 Hz records
    throughout, only the start and stop_all timer events, the session's timer ``timer``."""
    samples = [Sample(T0 + t, 150, 8.0 * t if distance else None) for t in range(900)]
    samples += [Sample(T0 + t, 100, 7200.0 if distance else None) for t in range(900, 1800)]
    samples += [Sample(T0 + t, 150, 7200.0 + 8.0 * (t - 1800) if distance else None) for t in range(1800, 2700)]
    session = SessionSpec(FitSport.CYCLING, T0, timer, 2700.0, distance=14400.0 if distance else None)
    return build(ActivitySpec([session], samples, [(T0, EventType.START), (T0 + 2700, EventType.STOP_ALL)]))


def test_standing_the_session_timer_leaves_out_is_no_training(tmp_path: Path, config: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    result = analyze(ride_with_a_stop(1800.0), tmp_path, config, capsys)
    load = result["load"]
    assert result["summary"]["duration_s"] == 1800.0
    assert load["hr_seconds"] == pytest.approx(1800, abs=2)  # not the 2700 s the records span
    assert load["trimp"] == pytest.approx(trimp_minutes(30, 150), rel=0.01)
    assert result["warnings"] == []
    agreed = analyze(ride_with_a_stop(2700.0), tmp_path, config, capsys)  # auto-pause off: the stop is timed
    assert agreed["load"]["hr_seconds"] == pytest.approx(2700, abs=2)
    assert agreed["warnings"] == []


def test_the_steps_run_on_the_session_timer_not_through_the_stop(tmp_path: Path, config: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    workout = tmp_path / "ride.txt"
    workout.write_text("name: Two blocks\nsport: cycling\n\n- 15m 140-160bpm\n- 15m 140-160bpm\n", encoding="utf-8")
    result = analyze(ride_with_a_stop(1800.0), tmp_path, config, capsys, "--workout", str(workout))
    first, second = result["compliance"]["intensity"]["steps"]
    assert first["inside"] == pytest.approx(1.0)
    assert second["inside"] == pytest.approx(1.0)  # the second block, not the stop at HR 100


def test_an_excess_no_standing_still_explains_is_said(tmp_path: Path, config: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    result = analyze(ride_with_a_stop(1800.0, distance=False), tmp_path, config, capsys)
    assert result["load"]["hr_seconds"] == pytest.approx(2700, abs=2)  # nothing tells where the timer stopped
    [warning] = result["warnings"]
    assert "the session's timer for 1800s" in warning and "records stand for 2700s" in warning
