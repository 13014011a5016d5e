"""Session totals from what real files hold when the usual source is missing: pool swims written one
record per length, a session without its timer (the laps'), distance only in the laps, a transition
without records of its own, an open-water swim named only "swimming", and a start across a DST change."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fitbuild import ActivitySpec, FitSport, FitSubSport, Sample, SessionSpec, build

from watchsync.activity import Activity, decode_activity
from watchsync.activity.model import Lap, Length
from watchsync.activity.sessions import session_parts
from watchsync.compliance.activities import local_start, summaries_from_fit, summary_from_fit
from watchsync.model.enums import Sport

T0 = 1_714_546_800.0  # 2024-05-01T07:00:00Z


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, UTC)


def _swim(record_times: list[float], timer: float) -> Activity:
    """A pool swim whose watch wrote one record at the end of each length or rest."""
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.SWIMMING, T0, timer, timer, FitSubSport.LAP_SWIMMING)],
                        samples=[Sample(T0 + t, heart_rate=120) for t in record_times], end=T0 + timer)
    activity = decode_activity(build(spec))
    lengths = tuple(Length(_at(t), 45.0, 45.0, "active", "freestyle", 20) for t in record_times)
    return replace(activity, lengths=lengths)


def test_a_pool_swims_records_stand_for_its_whole_timer_however_far_apart() -> None:
    # 50 m lengths of 45-95 s, rests of 150 s, the first record at the end of the first length (45 s)
    times = [45.0, 140.0, 290.0, 380.0, 530.0, 590.0]
    [part] = session_parts(_swim(times, 620.0))
    assert part.timer_s == 620
    assert part.hr_seconds + part.no_hr_seconds == pytest.approx(620)  # not 60 s per gap


def test_a_session_without_its_timer_takes_the_laps_timer_times() -> None:
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.RUNNING, T0, 3600.0, 3600.0)],
                        samples=[Sample(T0 + t, heart_rate=140, distance=3.0 * t)
                                 for t in [*range(0, 1200), *range(1800, 3600)]], end=T0 + 3600)
    activity = decode_activity(build(spec))
    [session] = activity.sessions
    laps = (Lap(_at(0), 1200.0, 1200.0, 3600.0, 140, 150, None, "active"),
            Lap(_at(1200), 1200.0, 600.0, 1800.0, 140, 150, None, "active"),  # paused 600 s, no timer events
            Lap(_at(2400), 1200.0, 1200.0, 3600.0, 140, 150, None, "active"))
    without_timer = replace(session, total_timer_time=None, first_lap_index=0, num_laps=3)
    [part] = session_parts(replace(activity, sessions=(without_timer,), laps=laps, timer_events=()))
    assert part.timer_s == 3000
    assert any("taken from the laps' timer times" in w for w in part.warnings)


def test_distance_only_in_the_laps_is_the_sessions_distance() -> None:
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.RUNNING, T0, 600.0, 600.0, FitSubSport.TREADMILL)],
                        samples=[Sample(T0 + t, heart_rate=140) for t in range(600)], end=T0 + 600)
    activity = decode_activity(build(spec))
    [session] = activity.sessions
    laps = (Lap(_at(0), 300.0, 300.0, 950.5, 140, 150, None, "active"),
            Lap(_at(300), 300.0, 300.0, 1001.25, 140, 150, None, "active"))
    without_distance = replace(session, total_distance=None, first_lap_index=0, num_laps=2)
    summary = summary_from_fit("t", replace(activity, sessions=(without_distance,), laps=laps))
    assert summary.distance_m == pytest.approx(1951.75)


def test_a_transition_of_zero_metres_keeps_them_when_only_a_boundary_record_falls_in_it() -> None:
    swim = SessionSpec(FitSport.SWIMMING, T0, 600.0, 600.0, FitSubSport.OPEN_WATER, distance=500.0)
    transition = SessionSpec(FitSport.TRANSITION, T0 + 600, 120.0, 120.0, distance=0.0)
    bike = SessionSpec(FitSport.CYCLING, T0 + 720, 600.0, 600.0, distance=5000.0)
    samples = [Sample(T0 + t, heart_rate=130, distance=t * 500 / 600) for t in range(0, 601)]  # 600: on T1's start
    samples += [Sample(T0 + t, heart_rate=140, distance=500 + (t - 720) * 5000 / 600) for t in range(720, 1320)]
    activity = decode_activity(build(ActivitySpec(sessions=[swim, transition, bike], samples=samples,
                                                  end=T0 + 1320)))
    _swim_part, t1, _bike_part = session_parts(activity)
    assert t1.distance_m == 0
    assert not any("records' distance is used" in w for w in t1.warnings)


def test_swimming_with_a_gps_track_and_no_pool_is_open_water() -> None:
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.SWIMMING, T0, 600.0, 600.0, FitSubSport.GENERIC)],
                        samples=[Sample(T0 + t, heart_rate=130) for t in range(600)], end=T0 + 600)
    activity = decode_activity(build(spec))
    records = replace(activity.records, position_lat=np.full(600, 59.9), position_long=np.full(600, 10.7))
    assert summary_from_fit("ow", replace(activity, records=records)).sport is Sport.OPEN_WATER_SWIM
    assert summary_from_fit("pool", activity).sport is Sport.POOL_SWIM  # no track: a pool


def test_a_start_before_a_dst_change_takes_the_zones_offset_at_the_start() -> None:
    # Santiago moves its clocks at 00:00 local: a run from 23:30 (UTC-4) ends after the change (UTC-3)
    start = datetime(2025, 9, 7, 3, 30, tzinfo=UTC)
    end = start + timedelta(seconds=5400)
    local = local_start(start, "utc", -3 * 3600.0, "America/Santiago", end)
    assert local.isoformat() == "2025-09-06T23:30:00-04:00"
    # a zone whose offset at the end is not the file's is not used: the file's offset stands
    assert local_start(start, "utc", -3 * 3600.0, "Europe/Oslo", end).isoformat() == "2025-09-07T00:30:00-03:00"


def test_a_session_that_says_0_w_where_the_records_show_power_takes_the_records() -> None:
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.CYCLING, T0, 600.0, 600.0, avg_power=0)],
                        samples=[Sample(T0 + t, heart_rate=130, distance=8.0 * t, power=200 + t % 30)
                                 for t in range(600)], end=T0 + 600)
    [part] = session_parts(decode_activity(build(spec)))
    assert part.avg_power == pytest.approx(214.5, abs=0.5) and part.max_power == 229


@pytest.mark.parametrize("session_power", [None, 0])
def test_power_that_is_zero_in_every_record_is_no_power(session_power: int | None) -> None:
    """A Connect IQ power field on a treadmill writes 0 W throughout (probe score6 #3): nothing measured it,
    so the run has no power, never "avg power 0 W" (a dropout is never a 0 W either)."""
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.RUNNING, T0, 600.0, 600.0, avg_power=session_power)],
                        samples=[Sample(T0 + t, heart_rate=130, distance=3.0 * t, power=0) for t in range(600)],
                        end=T0 + 600)
    [part] = session_parts(decode_activity(build(spec)))
    assert (part.avg_power, part.max_power) == (None, None)


def test_each_sessions_ascent_is_the_devices_and_a_file_sums_them(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A trail run's climb is read from the session (65535: none), summed over a file's sessions,
    and printed by ``analyze`` and the CSV report row's ``ascent_m``."""
    from watchsync.cli import main

    run = SessionSpec(FitSport.RUNNING, T0, 1800.0, 1800.0, FitSubSport.TRAIL, distance=5000.0, ascent=412)
    ride = SessionSpec(FitSport.CYCLING, T0 + 1800, 1800.0, 1800.0, distance=15000.0, ascent=65535)
    hike = SessionSpec(FitSport.HIKING, T0 + 3600, 1800.0, 1800.0, distance=3000.0, ascent=88)
    samples = [Sample(T0 + t, heart_rate=130, distance=float(t)) for t in range(0, 5400, 5)]
    fit = build(ActivitySpec(sessions=[run, ride, hike], samples=samples, end=T0 + 5400))

    assert [part.ascent_m for part in session_parts(decode_activity(fit))] == [412.0, None, 88.0]
    assert summary_from_fit("1", decode_activity(fit)).ascent_m == 500.0
    path = tmp_path / "trail.fit"
    path.write_bytes(fit)
    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ascent 500 m" in out.splitlines()[0] and "session 1: trail_running" in out and "ascent 412 m" in out


@pytest.mark.parametrize(("declared", "expected"), [
    ((FitSport.RUNNING, FitSubSport.TRAIL), Sport.TRAIL_RUNNING),
    ((FitSport.CYCLING, FitSubSport.GENERIC), Sport.CYCLING),
    (None, Sport.OTHER),
])
def test_a_file_cut_before_its_session_keeps_the_sport_it_was_started_as(declared: tuple[FitSport, FitSubSport] | None,
                                                                         expected: Sport) -> None:
    """A watch that died mid-run wrote its `sport` message at the start and never its laps or session:
    the run is still a run (a planned run done, not an unplanned "other")."""
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.RUNNING, T0, 3600.0, 3600.0, distance=10000.0)],
                        samples=[Sample(T0 + t, heart_rate=140, distance=2.8 * t) for t in range(3600)],
                        end=T0 + 3600, declared_sport=declared)
    whole = build(spec)
    cut = decode_activity(whole[: len(whole) * 6 // 10])
    assert cut.salvaged and not cut.sessions and not cut.laps
    summary = summary_from_fit("1", cut)
    assert summary.sport is expected
    assert summary.duration_s == pytest.approx(len(cut.records.timestamp), abs=2)


def test_a_multisport_file_cut_mid_leg_gives_that_leg_its_own_part() -> None:
    """A watch that died in a duathlon's run wrote the ride's lap and session, then only records: the
    run is its own part, a run with its own time and load, not 50 minutes more of the ride."""
    ride = SessionSpec(FitSport.CYCLING, T0, 1800.0, 1800.0, distance=15000.0, avg_hr=130)
    run = SessionSpec(FitSport.RUNNING, T0 + 1800, 3600.0, 3600.0, distance=10000.0, avg_hr=150)
    samples = [Sample(T0 + t, heart_rate=130 if t < 1800 else 150, distance=8.0 * min(t, 1800) + 2.8 * max(0, t - 1800))
               for t in range(0, 5400)]
    whole = build(ActivitySpec(sessions=[ride, run], samples=samples, end=T0 + 5400, legs=True))
    assert [p.session.sport if p.session else None for p in session_parts(decode_activity(whole))] == [
        "cycling", "running"]

    cut = decode_activity(whole[: len(whole) * 80 // 100])  # in the run: ~52 min of it written
    assert cut.salvaged and len(cut.sessions) == 1
    parts = session_parts(cut)
    assert len(parts) == 2 and parts[1].session is None
    assert parts[0].timer_s == pytest.approx(1800, abs=2) and parts[0].hr_seconds <= 1801
    legs = summaries_from_fit("1", cut, zone="UTC")
    assert [leg.sport for leg in legs] == [Sport.CYCLING, Sport.RUNNING]
    assert legs[1].duration_s == pytest.approx(parts[1].timer_s) and legs[1].duration_s > 2400
    whole_file = summary_from_fit("1", cut, zone="UTC")
    assert whole_file.duration_s == pytest.approx(parts[0].timer_s + parts[1].timer_s)
    assert any("cut short" in warning for warning in parts[1].warnings)


def test_records_and_sessions_a_week_from_the_rest_are_left_out_and_said() -> None:
    later = T0 + 10 * 86400
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.RUNNING, T0, 600.0, 600.0, distance=1800.0),
                                  SessionSpec(FitSport.CYCLING, later, 120.0, 120.0, distance=800.0)],
                        samples=[*(Sample(T0 + t, heart_rate=140) for t in range(600)),
                                 *(Sample(later + t, heart_rate=120) for t in range(120))], end=later + 120)
    [part] = session_parts(decode_activity(build(spec)))
    assert part.timer_s == pytest.approx(600, abs=1)
    assert part.warnings[0].startswith("120 records and 1 session more than a week from the rest of the file left "
                                       "out")
    steady = ActivitySpec(sessions=[SessionSpec(FitSport.RUNNING, T0, 600.0, 600.0)],
                          samples=[Sample(T0 + t // 2, heart_rate=140) for t in range(1200)], end=T0 + 600)
    assert not any("left out" in w for w in session_parts(decode_activity(build(steady)))[0].warnings)  # 2 a second


def test_a_session_without_its_timer_says_it_has_none_not_that_it_is_implausible() -> None:
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.CYCLING, T0, None, 349.0)],
                        samples=[Sample(T0 + t, heart_rate=120) for t in range(349)], end=T0 + 349)
    [part] = session_parts(decode_activity(build(spec)))
    assert part.timer_s == pytest.approx(349, abs=1) and part.timer_s <= part.elapsed_s
    assert any(w.startswith("the session has no total timer time; 349s taken") for w in part.warnings), part.warnings


def test_a_files_offset_a_few_minutes_off_a_zone_is_that_zone_and_an_offset_of_0_is_none(tmp_path: Path) -> None:
    # a real FR645 wrote +2:02 (its clock 2 min off): the offset was dropped and a Los Angeles athlete's hike at
    # 06:50 in the Alps fell on the day before; COROS writes the UTC time as local time (probe fit12)
    from watchsync.activity.model import ActivityInfo

    end = datetime(2020, 8, 7, 17, 32, 23, tzinfo=UTC)

    swim = _swim([45.0, 90.0], 100.0)

    def with_offset(seconds: float) -> Activity:
        return replace(swim, info=ActivityInfo(timestamp=end, local_timestamp=end + timedelta(seconds=seconds),
                                               total_timer_time=None, num_sessions=1))

    assert with_offset(7320).utc_offset == 7200.0 and with_offset(7214).utc_offset == 7200.0
    assert with_offset(7200 + 8 * 60).utc_offset is None  # nearer no quarter hour than 5 minutes
    start = datetime(2020, 2, 15, 10, 16, 30, tzinfo=UTC)
    assert local_start(start, "utc", 0.0, "Europe/Prague").isoformat() == "2020-02-15T11:16:30+01:00"
    assert local_start(start, "utc", 0.0, "Europe/London").isoformat() == "2020-02-15T10:16:30+00:00"
    assert local_start(start, "utc", 0.0, None).utcoffset() == timedelta(0)  # no zone: the file's 0 stands
    # a Garmin's 0 is a zone: a Berlin runner's late run in London stays on its day (probe review18)
    late = datetime(2026, 1, 10, 23, 20, tzinfo=UTC)
    assert local_start(late, "utc", 0.0, "Europe/Berlin", zero_is_a_zone=True).date() == late.date()


@pytest.mark.parametrize(("fit_sport", "said"), [(FitSport.WALKING, "walking"), (FitSport.HIKING, "hiking")])
def test_a_walk_or_hike_is_other_with_its_fit_sport_kept(fit_sport: FitSport, said: str) -> None:
    # a 12-hour mountain hike read "other/generic", nothing to tell it from a yoga class (probe fit12)
    spec = ActivitySpec(sessions=[SessionSpec(fit_sport, T0, 3600.0, 3600.0)],
                        samples=[Sample(T0 + t, heart_rate=110) for t in range(0, 3600, 10)], end=T0 + 3600)
    [summary] = summaries_from_fit("h", decode_activity(build(spec)))
    assert (summary.sport, summary.sub_sport, summary.fit_sport) == (Sport.OTHER, "generic", said)
