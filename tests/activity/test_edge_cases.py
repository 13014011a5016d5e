"""Edge cases real files show, built with fit-tool, through ``watchsync analyze --json``.

A pause (timer stopped, records still written), a 2 Hz stream (two records a second), a multisport
file and a chained one, a ride without heart-rate strap (HR 0), device-relative timestamps, missing
and absurd session totals, and cut files.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fitbuild import FIT_EPOCH, ActivitySpec, EventType, FitSport, FitSubSport, Sample, SessionSpec, anna_config, build

from watchsync.cli import main

T0 = 1_714_546_800.0  # 2024-05-01T07:00:00Z
ZONE = "Europe/Oslo"
MAX_HR, REST_HR = 190, 50


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return anna_config(tmp_path, monkeypatch)


def analyze(data: bytes, tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    path = tmp_path / "activity.fit"
    path.write_bytes(data)
    capsys.readouterr()
    assert main(["--config", str(config), "analyze", str(path), "--json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def trimp_minutes(minutes: float, hr: float) -> float:
    reserve = (hr - REST_HR) / (MAX_HR - REST_HR)
    return minutes * reserve * 0.64 * math.exp(1.92 * reserve)


def steady(start: float, seconds: int, hr: int | None = 150, speed: float = 3.0, offset_m: float = 0.0,
           power: int | None = None) -> list[Sample]:
    return [Sample(start + i, hr, offset_m + i * speed, power) for i in range(seconds)]


def test_a_pause_counts_neither_in_volume_nor_in_load(tmp_path: Path, config: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # 5 min running, 20 min stopped at a cafe (the watch still logs HR 100 every 10 s), 5 min running
    samples = steady(T0, 300) + [Sample(T0 + t, 100, 900.0) for t in range(300, 1500, 10)]
    samples += steady(T0 + 1500, 300, offset_m=900.0)
    timer = [(T0, EventType.START), (T0 + 300, EventType.STOP_ALL), (T0 + 1500, EventType.START),
             (T0 + 1800, EventType.STOP_ALL)]
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 600.0, 1800.0, distance=1800.0, avg_hr=150)],
                        samples, timer)
    result = analyze(build(spec), tmp_path, config, capsys)
    summary, load = result["summary"], result["load"]
    assert (summary["duration_s"], summary["elapsed_s"]) == (600.0, 1800.0)
    assert load["duration_s"] == 600.0
    assert load["hr_seconds"] == pytest.approx(600, abs=1)  # the café's HR 100 is not training
    assert load["trimp"] == pytest.approx(trimp_minutes(10, 150), rel=0.01)


def test_an_absurd_timer_and_elapsed_time_are_replaced_from_events_and_records(
        tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = steady(T0, 300) + steady(T0 + 1500, 300, offset_m=900.0)
    timer = [(T0, EventType.START), (T0 + 300, EventType.STOP_ALL), (T0 + 1500, EventType.START),
             (T0 + 1800, EventType.STOP_ALL)]
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 0.0, 2_412_000.0, distance=1800.0)], samples, timer)
    result = analyze(build(spec), tmp_path, config, capsys)
    assert result["summary"]["duration_s"] == pytest.approx(600, abs=1)  # "0s" for a 10-minute run: no
    assert result["summary"]["elapsed_s"] == pytest.approx(1800, abs=1)  # "670h00m": no
    assert any("implausible" in warning for warning in result["warnings"])


def test_a_timer_above_an_elapsed_time_that_covers_the_records_is_replaced_from_the_timer_events(
        tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # an hour of records with a 10-minute pause in it: 3000 s running, 3600 s elapsed; the file says 4200 s timer
    samples = steady(T0, 1800) + steady(T0 + 2400, 1200, offset_m=5400.0)
    timer = [(T0, EventType.START), (T0 + 1800, EventType.STOP_ALL), (T0 + 2400, EventType.START),
             (T0 + 3600, EventType.STOP_ALL)]
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 4200.0, 3600.0, distance=9000.0, avg_hr=150)],
                        samples, timer)
    result = analyze(build(spec), tmp_path, config, capsys)
    assert result["summary"]["duration_s"] == pytest.approx(3000, abs=1)
    assert result["summary"]["elapsed_s"] == pytest.approx(3600, abs=1)
    assert result["load"]["duration_s"] == pytest.approx(3000, abs=1)
    assert [w for w in result["warnings"] if "exceeds elapsed" in w] == [
        "timer time 4200s exceeds elapsed time 3600s; the timer time is taken from the timer events and records"]


def test_a_file_with_laps_and_no_session_keeps_its_laps_and_their_sport(
        tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    laps = [SessionSpec(FitSport.RUNNING, T0 + 600 * i, 600.0, 600.0, distance=1800.0) for i in range(3)]
    samples = steady(T0, 1800)
    spec = ActivitySpec(laps, samples, [(T0, EventType.START), (T0 + 1800, EventType.STOP_ALL)], laps_only=True)
    result = analyze(build(spec), tmp_path, config, capsys)
    assert (result["summary"]["sport"], result["summary"]["sub_sport"]) == ("running", "generic")
    assert [lap["distance_m"] for lap in result["laps"]] == [1800.0, 1800.0, 1800.0]
    assert result["summary"]["duration_s"] == pytest.approx(1800, abs=1)


def test_heart_rate_from_hr_messages_listing_whole_event_times(tmp_path: Path, config: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    # a swim strap's beats stored as whole event_timestamp values (field 9), 8 to a message, at 150 bpm
    samples = [Sample(T0 + i, None, i * 1.0) for i in range(0, 600, 10)]
    beat_times = [0.4 * k for k in range(1, 1500)]
    hr = [(T0, [0.0], [150])] + [(T0 + beat_times[i], beat_times[i:i + 8], [150] * len(beat_times[i:i + 8]))
                                 for i in range(0, len(beat_times), 8)]
    spec = ActivitySpec([SessionSpec(FitSport.SWIMMING, T0, 600.0, 600.0, FitSubSport.LAP_SWIMMING, distance=600.0)],
                        samples, [(T0, EventType.START), (T0 + 600, EventType.STOP_ALL)], hr_messages=hr)
    result = analyze(build(spec), tmp_path, config, capsys)
    assert result["load"]["hr_seconds"] == pytest.approx(600, abs=15)
    assert result["summary"]["avg_hr"] == pytest.approx(150)


def test_corrupt_values_of_a_damaged_file_are_not_believed(tmp_path: Path, config: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    # a 20-minute strength session (distance 0) whose records hold one corrupt distance and one
    # timestamp decades away; and a second session message whose start lies in 2075 (flipped bytes)
    samples = [Sample(T0 + i, 120, 0.0 if i != 300 else 20_299_369.0) for i in range(1200)]
    samples.append(Sample(T0 + 40 * 365 * 86400.0, 120, 0.0))
    sessions = [SessionSpec(FitSport.TRAINING, T0, 1200.0, 1200.0, FitSubSport.STRENGTH_TRAINING, distance=0.0),
                SessionSpec(FitSport.RUNNING, T0 + 51 * 365 * 86400.0, 5.0, 5.0, distance=26_222_425.0)]
    spec = ActivitySpec(sessions, samples, [(T0, EventType.START), (T0 + 1200, EventType.STOP_ALL)],
                        end=T0 + 1200)
    result = analyze(build(spec), tmp_path, config, capsys)
    summary = result["summary"]
    assert (summary["sport"], summary["distance_m"]) == ("strength", 0.0)
    assert summary["duration_s"] == pytest.approx(1200, abs=1) and summary["elapsed_s"] == pytest.approx(1200, abs=2)
    assert len(result["sessions"]) == 1 and any("implausible" in warning for warning in result["warnings"])


def test_two_records_a_second_count_each_second_once(tmp_path: Path, config: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # every second: one record with HR (an HR stream at 2 Hz, then one without HR (a position fix)
    samples = [s for i in range(600) for s in (Sample(T0 + i, 140, i * 3.0), Sample(T0 + i, None, i * 3.0))]
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 600.0, 600.0, distance=1800.0)], samples,
                        [(T0, EventType.START), (T0 + 600, EventType.STOP_ALL)])
    result = analyze(build(spec), tmp_path, config, capsys)
    load = result["load"]
    assert load["hr_seconds"] == pytest.approx(600, abs=1) and load["no_hr_seconds"] == pytest.approx(0, abs=1)
    assert result["summary"]["avg_hr"] == pytest.approx(140)  # from the records: the session has none
    assert load["trimp"] == pytest.approx(trimp_minutes(10, 140), rel=0.01)


def test_a_ride_without_heart_rate_strap_is_never_easy(tmp_path: Path, config: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    spec = ActivitySpec([SessionSpec(FitSport.CYCLING, T0, 900.0, 900.0, FitSubSport.VIRTUAL_ACTIVITY,
                                     distance=7200.0, avg_hr=0, max_hr=0, avg_power=180)],
                        steady(T0, 900, hr=0, speed=8.0, power=180),
                        [(T0, EventType.START), (T0 + 900, EventType.STOP_ALL)])
    result = analyze(build(spec), tmp_path, config, capsys)
    summary, load = result["summary"], result["load"]
    assert (summary["avg_hr"], summary["max_hr"]) == (None, None)  # HR 0 is no reading
    assert (load["trimp"], load["easy_seconds"], load["hr_seconds"]) == (None, None, None)
    assert load["no_hr_seconds"] == pytest.approx(900, abs=1)
    assert (summary["avg_power"], summary["sub_sport"]) == (180, "virtual_activity")


def _multisport(start: float) -> ActivitySpec:
    samples = steady(start, 1200, hr=140, speed=8.0, power=200)
    samples += steady(start + 1200, 120, hr=130, speed=1.0, offset_m=9600.0)
    samples += steady(start + 1320, 1200, hr=155, speed=3.0, offset_m=9720.0)
    sessions = [SessionSpec(FitSport.CYCLING, start, 1200.0, 1200.0, distance=9600.0, avg_hr=140, avg_power=200),
                SessionSpec(FitSport.TRANSITION, start + 1200, 120.0, 120.0, distance=120.0, avg_hr=130),
                SessionSpec(FitSport.RUNNING, start + 1320, 1200.0, 1200.0, distance=3600.0, avg_hr=155)]
    return ActivitySpec(sessions, samples, [(start, EventType.START), (start + 2520, EventType.STOP_ALL)])


def test_each_session_of_a_multisport_file_is_its_own(tmp_path: Path, config: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    result = analyze(build(_multisport(T0)), tmp_path, config, capsys)
    sessions = result["sessions"]
    assert [(s["sport"], s["transition"], s["session"]) for s in sessions] == [
        ("cycling", False, 1), ("other", True, 2), ("running", False, 3)]
    assert [s["duration_s"] for s in sessions] == [1200.0, 120.0, 1200.0]
    assert [s["distance_m"] for s in sessions] == [9600.0, 120.0, 3600.0]
    assert [s["avg_hr"] for s in sessions] == [140, 130, 155]
    assert [s["id"] for s in sessions] == ["activity#1", "activity#2", "activity#3"]
    run_start = datetime.fromisoformat(sessions[2]["start"])
    assert run_start == datetime.fromtimestamp(T0 + 1320, UTC)
    assert sessions[2]["load"]["trimp"] == pytest.approx(trimp_minutes(20, 155), rel=0.01)  # its own load
    whole = result["summary"]
    assert (whole["sport"], whole["duration_s"], whole["distance_m"]) == ("other", 2520.0, 13320.0)
    assert [lap["session"] for lap in result["laps"]] == [1, 2, 3]


def test_a_chained_file_is_read_session_by_session(tmp_path: Path, config: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ride = ActivitySpec([SessionSpec(FitSport.CYCLING, T0, 600.0, 600.0, distance=4800.0)],
                        steady(T0, 600, speed=8.0), [(T0, EventType.START), (T0 + 600, EventType.STOP_ALL)])
    later = T0 + 900
    run = ActivitySpec([SessionSpec(FitSport.RUNNING, later, 600.0, 600.0, distance=1800.0)],
                       steady(later, 600), [(later, EventType.START), (later + 600, EventType.STOP_ALL)])
    result = analyze(build(ride) + build(run), tmp_path, config, capsys)
    assert [(s["sport"], s["duration_s"], s["distance_m"]) for s in result["sessions"]] == [
        ("cycling", 600.0, 4800.0), ("running", 600.0, 1800.0)]
    assert result["summary"]["duration_s"] == 1200.0 and result["summary"]["elapsed_s"] == 1500.0


def test_device_relative_times_take_the_local_clock_of_the_file(tmp_path: Path, config: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    boot = FIT_EPOCH + 5_000.0  # 5000 s after the watch powered on
    local_end = datetime(2024, 5, 1, 23, 30, tzinfo=UTC).timestamp()  # local wall clock, as FIT stores it
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, boot, 1800.0, 1800.0, distance=5400.0)],
                        steady(boot, 1800), [(boot, EventType.START), (boot + 1800, EventType.STOP_ALL)],
                        time_created=boot, local_timestamp=local_end, end=boot + 1800)
    result = analyze(build(spec), tmp_path, config, capsys)
    start = datetime.fromisoformat(result["summary"]["start"])
    assert start.replace(tzinfo=None) == datetime(2024, 5, 1, 23, 0)  # not 1990
    assert start.utcoffset() == timedelta(hours=2)  # the athlete's zone (Oslo, summer)
    assert result["load"]["day"] == "2024-05-01"
    assert any("device-relative" in warning for warning in result["warnings"])


def test_device_relative_times_without_any_real_time_are_refused_in_one_line(
        tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    boot = FIT_EPOCH + 5_000.0
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, boot, 600.0, 600.0)], steady(boot, 600), time_created=boot)
    path = tmp_path / "old.fit"
    path.write_bytes(build(spec))
    assert main(["--config", str(config), "analyze", str(path)]) == 1
    error = capsys.readouterr().err.strip()
    assert "device-relative" in error and len(error.splitlines()) == 1


def test_the_local_day_is_the_files_local_day(tmp_path: Path, config: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # 22:49 UTC is 06:49 the next day at UTC+8 (the file says so; the athlete's zone is not asked)
    start = datetime(2024, 5, 1, 22, 49, tzinfo=UTC).timestamp()
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, start, 600.0, 600.0)], steady(start, 600),
                        local_timestamp=start + 600 + 8 * 3600, end=start + 600)
    result = analyze(build(spec), tmp_path, config, capsys)
    assert result["summary"]["start"] == "2024-05-02T06:49:00+08:00"
    assert result["load"]["day"] == "2024-05-02"


def test_without_a_local_time_the_athletes_zone_gives_the_day(tmp_path: Path, config: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    start = datetime(2024, 5, 1, 22, 30, tzinfo=UTC).timestamp()  # 00:30 on 2 May in Oslo
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, start, 600.0, 600.0)], steady(start, 600))
    result = analyze(build(spec), tmp_path, config, capsys)
    start_local = datetime.fromisoformat(result["summary"]["start"])
    assert start_local.tzinfo is not None and start_local.utcoffset() == datetime.fromtimestamp(
        start, ZoneInfo(ZONE)).utcoffset()
    assert result["load"]["day"] == "2024-05-02"


def test_totals_missing_from_the_session_come_from_the_records(tmp_path: Path, config: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 900.0, 900.0)], steady(T0, 900, hr=150, speed=4.0))
    result = analyze(build(spec), tmp_path, config, capsys)
    summary = result["summary"]
    assert summary["distance_m"] == pytest.approx(899 * 4.0)
    assert (summary["avg_hr"], summary["max_hr"]) == (150, 150)


def test_a_cut_file_is_salvaged_or_refused_in_one_line(tmp_path: Path, config: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = build(_multisport(T0))
    path = tmp_path / "cut.fit"
    for cut in (20, 100, len(data) // 3, len(data) // 2, len(data) - 200, len(data) - 3):
        path.write_bytes(data[:cut])
        code = main(["--config", str(config), "analyze", str(path), "--json"])
        out, err = capsys.readouterr()
        assert code in (0, 1)
        if code == 0:
            assert json.loads(out)["salvaged"] is True
        else:
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_workout_is_scored_against_the_session_of_its_sport(tmp_path: Path, config: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "brick.fit"
    path.write_bytes(build(_multisport(T0)))
    workout = tmp_path / "run.txt"
    workout.write_text("name: Brick run\nsport: running\n\n- 20m RPE 5\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--config", str(config), "analyze", str(path), "--workout", str(workout), "--json"]) == 0
    volume = json.loads(capsys.readouterr().out)["compliance"]["volume"]
    assert (volume["done"], volume["planned"]) == (1200.0, 1200.0)  # the run leg, not the 42 min file


def test_session_totals_are_cross_checked_against_the_records(tmp_path: Path, config: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 600.0, 600.0, distance=9000.0, avg_hr=120)],
                        steady(T0, 600, hr=160, speed=3.0))
    result = analyze(build(spec), tmp_path, config, capsys)
    assert (result["summary"]["distance_m"], result["summary"]["avg_hr"]) == (9000.0, 120)  # Garmin's reading
    warnings = " ".join(result["warnings"])
    assert "distance 9000 m and records' 1797 m disagree" in warnings
    assert "average heart rate 120 and records' 160 disagree" in warnings


def test_a_session_with_sparse_records_keeps_its_timer_time(tmp_path: Path, config: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    # a strength session recorded only at its first 5 minutes; the session itself says 45 minutes
    spec = ActivitySpec([SessionSpec(FitSport.TRAINING, T0, 2700.0, 2700.0, FitSubSport.STRENGTH_TRAINING)],
                        steady(T0, 300, hr=110, speed=0.0), end=T0 + 2700)
    result = analyze(build(spec), tmp_path, config, capsys)
    assert (result["summary"]["duration_s"], result["summary"]["elapsed_s"]) == (2700.0, 2700.0)
    assert not result["warnings"]


@pytest.mark.parametrize("tail", [b"\x00" * 1000, bytes(range(100))])
def test_bytes_after_the_end_of_the_file_are_ignored_on_the_fast_path(tail: bytes) -> None:
    from watchsync.activity import decode_activity

    data = build(ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 600.0, 600.0, distance=1800.0)], steady(T0, 600),
                              [(T0, EventType.START), (T0 + 600, EventType.STOP_ALL)]))
    whole, padded = decode_activity(data), decode_activity(data + tail)
    assert (padded.decoder, padded.salvaged) == ("fitfast", True)
    assert list(padded.warnings) == [f"{len(tail)} bytes after the end of the FIT file were ignored"]
    assert padded.sessions == whole.sessions and len(padded.records) == len(whole.records) == 600


def test_an_expedition_of_nine_days_in_one_session_keeps_its_timer(tmp_path: Path, config: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # Garmin's Expedition activity: one track point an hour, no timer events from a third-party writer
    days = 9 * 86400.0
    samples = [Sample(T0 + hour * 3600, 110, hour * 3600 * 0.8) for hour in range(217)]
    spec = ActivitySpec([SessionSpec(FitSport.HIKING, T0, days, days, distance=days * 0.8)], samples)
    result = analyze(build(spec), tmp_path, config, capsys)
    assert (result["summary"]["duration_s"], result["summary"]["elapsed_s"]) == (days, days)  # not 217 x 60 s
    assert not result["warnings"]


def test_a_summary_first_files_creation_time_is_not_the_sessions_end(tmp_path: Path, config: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # the summary's timestamp is when the file was written, three days later; its totals are missing
    pause = [(T0, EventType.START), (T0 + 1500, EventType.STOP_ALL), (T0 + 2100, EventType.START)]
    samples = steady(T0, 1500) + steady(T0 + 2100, 1500, offset_m=4500.0)
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, T0, None, None, stamp=T0 + 3 * 86400)], samples, pause)
    result = analyze(build(spec), tmp_path, config, capsys)
    assert result["summary"]["duration_s"] == pytest.approx(3000, abs=2)  # not 71.8 h to the creation time
    assert result["summary"]["elapsed_s"] == pytest.approx(3600, abs=2)


def test_a_header_without_its_crc_is_read_fast_and_its_file_crc_still_checked() -> None:
    """Older devices leave a 14-byte header's CRC 0x0000; the file CRC (over header and data) is right.
    fitfast checks such a file without its header: watchsync reads it fast with no warning, and a
    wrong file CRC still goes to the tolerant decoder."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from fitbuild import ActivitySpec, FitSport, Sample, SessionSpec, build

    from watchsync.activity import decode_activity
    from watchsync.activity.fitcrc import fit_crc

    start = 1_714_546_800.0
    built = build(ActivitySpec(sessions=[SessionSpec(FitSport.RUNNING, start, 600.0, 600.0, distance=1800.0)],
                               samples=[Sample(start + t, heart_rate=140, distance=3.0 * t) for t in range(600)],
                               end=start + 600))
    assert built[0] == 12  # fit-tool's header: made a 14-byte one with no CRC
    body = bytes([14]) + built[1:12] + b"\0\0" + built[12:-2]
    no_header_crc = body + fit_crc(body).to_bytes(2, "little")

    activity = decode_activity(no_header_crc)
    assert (activity.decoder, activity.warnings, activity.salvaged) == ("fitfast", (), False)
    assert len(activity.records.timestamp) == 600
    broken = no_header_crc[:-2] + bytes([no_header_crc[-2] ^ 0xFF, no_header_crc[-1]])
    assert decode_activity(broken).decoder == "fitdecode"


def test_a_step_measured_over_a_little_of_its_time_says_so(tmp_path: Path, config: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The strap lost after 5 minutes of a 20-minute tempo step (probe score6 #5): "100 %" in target over
    what is left after the heart rate's lag, a tenth of the step, is marked in `analyze` and on the
    dashboard's activity page."""
    samples = steady(T0, 300, hr=150) + steady(T0 + 300, 900, hr=None, offset_m=900.0)
    spec = ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 1200.0, 1200.0, distance=3600.0)], samples,
                        end=T0 + 1200)
    fit, workout = tmp_path / "tempo.fit", tmp_path / "tempo.txt"
    fit.write_bytes(build(spec))
    workout.write_text("name: Tempo\nsport: running\n- 20m 140-160bpm\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--config", str(config), "analyze", str(fit), "--workout", str(workout)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("1 "))
    assert "140-160 bpm" in row and "100%*" in row
    assert "* readings over less than half of the step's time" in out

    from watchsync.activity import decode_activity
    from watchsync.compliance.score import score_intensity
    from watchsync.formats.load import load_workout
    from watchsync.web.views import _steps

    score = score_intensity(load_workout(workout), decode_activity(fit))
    [line] = _steps(score, "run")
    assert line.target == "140-160 bpm" and line.measured_seconds is not None and line.measured_seconds <= 300


def test_press_lap_steps_follow_the_laps_when_the_device_numbers_none(tmp_path: Path) -> None:
    """A device that records no step numbers (IpBike) but one lap per step of a workout with lap-button
    recoveries (probe score6 #4): the laps say where each step ended; 60 s per press would lay the
    cool-down over the last rep."""
    from watchsync.activity import decode_activity
    from watchsync.compliance.score import score_intensity
    from watchsync.formats.text import parse_text
    from watchsync.model.athlete import Athlete
    from watchsync.resolve import resolve

    plan = [(300, 130), (180, 170), (120, 125), (180, 170), (120, 125), (300, 125)]  # (seconds, bpm) per lap
    laps, samples, at = [], [], T0
    for seconds, bpm in plan:
        laps.append(SessionSpec(FitSport.RUNNING, at, float(seconds), float(seconds)))
        samples += steady(at, seconds, hr=bpm)
        at += seconds
    activity = decode_activity(build(ActivitySpec(laps, samples, laps_only=True, end=at)))
    workout = resolve(parse_text("name: Reps\nsport: running\nWarmup\n- 5m RPE 3\nMain set 2x\n- 3m RPE 8\n"
                                 "- RPE 2 jog press lap\nCooldown\n- 5m RPE 2\n"), Athlete(name="a", lthr=171))
    score = score_intensity(workout, activity)
    assert score.alignment == "lap order"
    jog, cool = score.steps[2], score.steps[3]
    assert (jog.label, jog.seconds, jog.executions) == ("2.2", 240.0, 2)
    assert cool.label == "3" and cool.seconds == 300.0 and cool.inside == pytest.approx(1.0)
    one_lap_short = ActivitySpec(laps[:-1], samples, laps_only=True, end=at)
    assert score_intensity(workout, decode_activity(build(one_lap_short))).alignment == "time"


def test_an_invalid_compressed_distance_leaves_the_records_own_distance() -> None:
    # a Zwift file's records carry distance and an invalid compressed_speed_distance, which fitdecode expands to
    # a second distance of None: the salvage decoder wiped every record's distance (probe fit12)
    import os
    from pathlib import Path

    fixtures = Path(os.environ.get("WATCHSYNC_FIXTURES") or Path(__file__).resolve().parents[3] / "shared"
                    / "fixtures" / "fit").parent / "fit2"
    path = fixtures / "fitparse_null_compressed_speed_dist.fit"
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    import numpy as np

    from watchsync.activity.tolerant import decode as tolerant_decode

    distance = tolerant_decode(path.read_bytes()).raw.columns["distance"]
    assert len(distance) > 1000 and not np.isnan(distance).any()
    assert np.all(np.diff(distance) >= 0) and distance[-1] > 1000


def test_a_file_whose_header_says_it_holds_no_data_is_read_to_its_end() -> None:
    # a Zwift ride never finalized: its header still said 0 bytes of data, and the file was refused as "no FIT
    # messages could be decoded" though 2,319 records were there (probe fit12)
    from watchsync.activity import decode_activity

    data = build(ActivitySpec([SessionSpec(FitSport.RUNNING, T0, 600.0, 600.0, distance=1800.0)], steady(T0, 600)))
    whole = decode_activity(data)
    # with its file CRC, and without one (the writer never came back to close it): its last message is kept,
    # and no CRC warning of watchsync's own making (probe review18)
    for unfinished in (data[:4] + bytes(4) + data[8:], data[:4] + bytes(4) + data[8:-2]):
        activity = decode_activity(unfinished)
        assert activity.salvaged and len(activity.records.timestamp) == len(whole.records.timestamp)
        assert activity.sessions == whole.sessions and activity.info == whole.info
        assert any("the header says 0 bytes of data" in warning for warning in activity.warnings)
        assert not any("header CRC" in warning for warning in activity.warnings)
