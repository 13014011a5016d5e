"""A file cut off mid-lap keeps the time after its last finished lap; a lap without a start is kept; a run
faster than any runner and a swim with no pool, lengths nor distance are said (their numbers kept)."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import fitdecode
import pytest
from garmin_fit_sdk import Decoder, Stream

sys.path.insert(0, str(Path(__file__).parent))
from fitbuild import ActivitySpec, FitSport, Sample, SessionSpec, build

from watchsync.activity import decode_activity
from watchsync.activity.sessions import SessionPart, session_parts
from watchsync.compliance.activities import summary_from_fit
from watchsync.model.enums import Sport

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO_ROOT.parent / "shared" / "fixtures" / "fit")
T0 = 1_714_546_800.0  # 2024-05-01T07:00:00Z


def _fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"FIT fixtures not found at {FIXTURES}")
    return path


def _timer_from_events(data: bytes) -> tuple[float, float]:
    """(seconds the timer ran, closed at the last record; the finished laps' timer sum), read with
    fitdecode alone, errors ignored: what a cut file says, independent of watchsync."""
    running_since: float | None = None
    ran, last_record, laps = 0.0, 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.DISABLED,
                                     error_handling=fitdecode.ErrorHandling.IGNORE)
        try:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                stamp = frame.get_value("timestamp", fallback=None)
                if frame.name == "record" and stamp is not None:
                    last_record = stamp.timestamp()
                elif frame.name == "lap":
                    laps += frame.get_value("total_timer_time")
                elif frame.name == "event" and frame.get_value("event") == "timer":
                    if frame.get_value("event_type") == "start" and running_since is None:
                        running_since = stamp.timestamp()
                    elif frame.get_value("event_type") != "start" and running_since is not None:
                        ran, running_since = ran + stamp.timestamp() - running_since, None
        except fitdecode.FitError:
            pass  # the cut
    return ran + (last_record - running_since if running_since is not None else 0.0), laps


@pytest.mark.parametrize(("name", "share"), [("garmin-edge-500-activity.fit", 0.5),
                                             ("garmin-edge-500-activity.fit", 0.97), ("hrv-activity.fit", 0.5)])
def test_a_file_cut_mid_lap_counts_the_time_after_its_last_finished_lap(name: str, share: float) -> None:
    whole = _fixture(name).read_bytes()
    cut = whole[:int(len(whole) * share)]
    ran, finished_laps = _timer_from_events(cut)

    activity = decode_activity(cut)
    [part] = session_parts(activity)

    assert activity.salvaged and not activity.sessions and activity.laps
    assert ran - finished_laps > 200  # the lap it was cut in is long: the bug was to lose it
    assert part.timer_s == pytest.approx(ran, abs=2)
    assert part.timer_s <= part.elapsed_s


@pytest.mark.parametrize("name", ["garmin-edge-500-activity.fit", "hrv-activity.fit"])
def test_the_whole_file_keeps_its_sessions_timer(name: str) -> None:
    data = _fixture(name).read_bytes()
    messages, _ = Decoder(Stream.from_byte_array(bytearray(data))).read()
    [part] = session_parts(decode_activity(data))
    assert part.timer_s == pytest.approx(messages["session_mesgs"][0]["total_timer_time"])


def test_a_lap_without_a_start_time_starts_at_its_end_less_its_elapsed_time() -> None:
    # an Oregon 700: its one lap has no start_time and its session no first_lap_index/num_laps
    spec = ActivitySpec(sessions=[SessionSpec(FitSport.HIKING, T0, 4000.0, 4100.0, distance=8000.0)],
                        samples=[Sample(T0 + t, distance=2.0 * t) for t in range(0, 4100, 5)], end=T0 + 4100,
                        bare_laps=True)
    data = build(spec)
    messages, _ = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert "start_time" not in messages["lap_mesgs"][0]
    assert "first_lap_index" not in messages["session_mesgs"][0]

    [part] = session_parts(decode_activity(data))

    [lap] = part.activity.laps
    assert lap.start_time is not None and lap.start_time.timestamp() == T0
    assert (lap.total_timer_time, lap.total_distance) == (4000.0, 8000.0)


def _file(sport: FitSport, distance: float | None, seconds: float) -> bytes:
    """One session of ``sport`` covering ``distance`` in ``seconds``, a record every 10 s (HR only)."""
    spec = ActivitySpec(sessions=[SessionSpec(sport, T0, seconds, seconds, distance=distance)],
                        samples=[Sample(T0 + t, heart_rate=140) for t in range(0, int(seconds), 10)],
                        end=T0 + seconds)
    return build(spec)


def _one(sport: FitSport, distance: float | None, seconds: float) -> SessionPart:
    [part] = session_parts(decode_activity(_file(sport, distance, seconds)))
    return part


FASTER_THAN_ANY_RUNNER = "average 2:27/km over 25 min is faster than any runner: a ride recorded as a run?"


def test_a_run_faster_than_any_runner_is_said_and_its_numbers_kept() -> None:
    part = _one(FitSport.RUNNING, 10207.73, 1499.4)  # the Forerunner 10 file: 24.5 km/h
    assert FASTER_THAN_ANY_RUNNER in part.warnings
    assert (part.distance_m, part.timer_s) == (pytest.approx(10207.73), pytest.approx(1499.4))


def test_the_report_flags_a_doubted_run_beside_its_verdicts() -> None:
    """The daemon's report told the coach only that the "easy run" was too hard (probe coach9 #4): the doubt
    reaches the summary, the report row's flags and the too-hard notice's body."""
    from datetime import timedelta

    from watchsync.compliance.load import ActivityLoad
    from watchsync.compliance.match import PlannedSession, match_sessions
    from watchsync.model.workout import Step, TimeDuration, Workout
    from watchsync.report.build import build_report

    summary = summary_from_fit("fr10", decode_activity(_file(FitSport.RUNNING, 10207.73, 1499.4)))
    assert summary.doubts == [FASTER_THAN_ANY_RUNNER]
    day = summary.start.date()
    easy = PlannedSession(id="s1", date=day, workout=Workout(name="Easy 25", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=1500))]))
    matched = match_sessions([easy], [summary], today=day + timedelta(days=3))
    load = ActivityLoad(activity_id="fr10", day=day, sport_family="run", duration_s=1499.4, distance_m=10207.73,
                        srpe=None, trimp=None, easy_seconds=None, hr_seconds=None)
    [row] = build_report([easy], matched, [load], {}, athlete="anna", today=day + timedelta(days=3)).sessions
    assert f"check the data: {FASTER_THAN_ANY_RUNNER}" in row.flags


@pytest.mark.parametrize(("sport", "distance", "seconds"), [
    (FitSport.RUNNING, 10_000.0, 1620.0),  # 10 km in 27:00: a world-class runner, no more
    (FitSport.RUNNING, 400.0, 50.0),  # a 400 m sprint: too short to judge
    (FitSport.CYCLING, 10207.73, 1499.4),  # the same speed on a bike
])
def test_fast_but_human_runs_and_rides_are_not_doubted(sport: FitSport, distance: float, seconds: float) -> None:
    assert not any("faster than any runner" in w for w in _one(sport, distance, seconds).warnings)


def test_a_swim_with_no_pool_lengths_nor_distance_is_said_and_stays_a_pool_swim() -> None:
    # the FR935 freediving file: swimming/generic, no pool length, no lengths, distance 0, 2 h in the water
    activity = decode_activity(_file(FitSport.SWIMMING, 0.0, 7553.0))
    [part] = session_parts(activity)
    assert any(w.startswith("a swim of 126 min with no pool length, no lengths and no distance") for w in part.warnings)
    summary = summary_from_fit("dive", activity)
    assert (summary.sport, summary.duration_s) == (Sport.POOL_SWIM, pytest.approx(7553.0))


def test_a_swim_with_a_distance_is_not_doubted() -> None:
    assert not any("a swim of" in w for w in _one(FitSport.SWIMMING, 1500.0, 1800.0).warnings)
