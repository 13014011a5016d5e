"""Tests for watchsync.activity: PROVENANCE.md numbers, garmin-fit-sdk oracle, robustness."""

from __future__ import annotations

import functools
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from garmin_fit_sdk import Decoder, Stream
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchsync.activity import Activity, FitDecodeError, decode_activity
from watchsync.activity import tolerant as tolerant_decoder
from watchsync.activity.messages import build_activity

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO_ROOT.parent / "shared" / "fixtures" / "fit")
PROVENANCE = FIXTURES / "PROVENANCE.md"
MISSING = f"FIT fixtures not found at {FIXTURES} (clone shared/ beside the repo or set WATCHSYNC_FIXTURES)"
SEMICIRCLE_DEG = 180.0 / 2**31


def fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(MISSING)
    return path


def _provenance_rows() -> list[dict[str, str]]:
    if not PROVENANCE.is_file():
        return []
    lines = [ln for ln in PROVENANCE.read_text().splitlines() if ln.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in ln.strip("|").split("|")), strict=True)) for ln in lines[1:]]


ROWS = _provenance_rows()


def rows_where(predicate: Any) -> list[Any]:
    """Parametrize over PROVENANCE rows, or one skipped case if the fixtures are missing."""
    chosen = [pytest.param(row, id=row["file"]) for row in ROWS if predicate(row)]
    return chosen or [pytest.param(None, marks=pytest.mark.skip(reason=MISSING))]


def is_corrupt(row: dict[str, str]) -> bool:
    return "CORRUPT" in row["notes"]


def seconds(hms: str) -> float:
    h, m, s = (int(part) for part in hms.split(":"))
    return h * 3600.0 + m * 60 + s


@functools.cache
def oracle(name: str) -> dict[str, list[dict[str, Any]]]:
    """garmin-fit-sdk's reading of a fixture (test-time oracle only)."""
    messages, _errors = Decoder(Stream.from_file(str(fixture(name)))).read(expand_sub_fields=False)
    return messages


# --- acceptance against PROVENANCE.md -------------------------------------------------------


@pytest.mark.parametrize("row", rows_where(lambda r: True))
def test_totals_match_provenance(row: dict[str, str]) -> None:
    activity = decode_activity(fixture(row["file"]))
    assert activity.file_id is not None and activity.file_id.type == row["type"]
    assert len(activity.records) == int(row["rec"])
    assert activity.records.has_heart_rate == (row["HR"] == "yes")
    assert activity.records.has_position == (row["GPS"] == "yes")
    assert len(activity.laps) == int(row["laps"])
    if row["dur"] == "-":
        assert activity.sessions == ()
    else:
        expected = seconds(row["dur"])
        assert abs(activity.total_elapsed_time - expected) <= max(0.005 * expected, 1.0)


@pytest.mark.parametrize("row", rows_where(lambda r: r["sport(s)"] != "-"))
def test_sports_match_provenance(row: dict[str, str]) -> None:
    activity = decode_activity(fixture(row["file"]))
    expected = {s.strip() for s in row["sport(s)"].split(",")}
    assert {f"{s.sport}/{s.sub_sport}" for s in activity.sessions} == expected


@pytest.mark.parametrize("row", rows_where(is_corrupt))
def test_corrupt_files_are_salvaged_with_a_warning(row: dict[str, str]) -> None:
    activity = decode_activity(fixture(row["file"]))
    assert activity.salvaged
    assert activity.decoder == "fitdecode"
    assert len(activity.warnings) >= 2  # why the fast path failed + what the salvage hit
    assert len(activity.records) == int(row["rec"])


@pytest.mark.parametrize("row", rows_where(lambda r: not is_corrupt(r)))
def test_sound_files_are_not_flagged_as_salvaged(row: dict[str, str]) -> None:
    assert not decode_activity(fixture(row["file"])).salvaged


def test_header_crc_zero_is_decoded_fast_without_warning() -> None:
    activity = decode_activity(fixture("2013-02-06-12-11-14.fit"))
    assert (activity.decoder, activity.salvaged, activity.warnings) == ("fitfast", False, ())


def test_valid_file_uses_the_fast_path() -> None:
    activity = decode_activity(fixture("activity-small-fenix2-run.fit"))
    assert activity.decoder == "fitfast"
    assert activity.warnings == ()


def test_bytes_and_path_inputs_agree() -> None:
    path = fixture("garmin-fenix-5-run.fit")
    from_path, from_bytes = decode_activity(path), decode_activity(path.read_bytes())
    assert from_path.sessions == from_bytes.sessions
    np.testing.assert_array_equal(from_path.records.timestamp, from_bytes.records.timestamp)


# --- against the garmin-fit-sdk oracle -------------------------------------------------------

ORACLE_FILES = rows_where(lambda r: not is_corrupt(r) and r["type"] == "activity")


def _oracle_column(records: list[dict[str, Any]], *names: str) -> np.ndarray:
    def value(rec: dict[str, Any]) -> float:
        for name in names:
            if isinstance(rec.get(name), int | float):
                return float(rec[name])
        return np.nan

    return np.array([value(rec) for rec in records], dtype=np.float64)


@pytest.mark.parametrize("row", ORACLE_FILES)
def test_record_columns_match_oracle(row: dict[str, str]) -> None:
    name = row["file"]
    records = decode_activity(fixture(name)).records
    sdk = oracle(name)["record_mesgs"]
    sdk_time = np.array([r["timestamp"].timestamp() for r in sdk])
    np.testing.assert_array_equal(records.timestamp, sdk_time)
    for ours, fields, atol in [
        (records.distance, ("distance",), 1e-9),
        (records.speed, ("enhanced_speed", "speed"), 1e-9),
        (records.altitude, ("enhanced_altitude", "altitude"), 1e-9),
        (records.cadence, ("cadence",), 0.0),
        (records.power, ("power",), 0.0),
        (records.position_lat, ("position_lat",), 1e-9),
        (records.position_long, ("position_long",), 1e-9),
    ]:
        expected = _oracle_column(sdk, *fields)
        if fields[0].startswith("position"):
            expected *= SEMICIRCLE_DEG
        np.testing.assert_allclose(ours, expected, atol=atol, rtol=0, equal_nan=True, err_msg=fields[0])


@pytest.mark.parametrize("row", ORACLE_FILES)
def test_heart_rate_matches_oracle(row: dict[str, str]) -> None:
    name = row["file"]
    ours = decode_activity(fixture(name)).records.heart_rate
    expected = _oracle_column(oracle(name)["record_mesgs"], "heart_rate")
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(expected))
    if oracle(name).get("hr_mesgs"):  # merged from hr messages: SDK weights gaps differently
        diff = np.abs(ours - expected)[~np.isnan(expected)]
        assert np.median(diff) == 0 and diff.max() <= 5
    else:
        np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("row", ORACLE_FILES)
def test_sessions_and_laps_match_oracle(row: dict[str, str]) -> None:
    name = row["file"]
    activity = decode_activity(fixture(name))
    sdk = oracle(name)
    for ours, theirs in zip(activity.sessions, sdk.get("session_mesgs", []), strict=True):
        assert ours.start_time == theirs.get("start_time")
        assert (ours.sport, ours.sub_sport) == (theirs.get("sport"), theirs.get("sub_sport"))
        assert ours.total_elapsed_time == pytest.approx(theirs.get("total_elapsed_time"))
        assert ours.total_distance == pytest.approx(theirs.get("total_distance"))
        assert (ours.avg_heart_rate, ours.max_heart_rate) == (
            theirs.get("avg_heart_rate"),
            theirs.get("max_heart_rate"),
        )
        assert ours.workout_rpe_raw == theirs.get("workout_rpe")
        assert ours.workout_feel == theirs.get("workout_feel")
    for lap, theirs in zip(activity.laps, sdk.get("lap_mesgs", []), strict=True):
        assert lap.start_time == theirs.get("start_time")
        assert lap.total_timer_time == pytest.approx(theirs.get("total_timer_time"))
        assert lap.wkt_step_index == theirs.get("wkt_step_index")
        assert lap.intensity == theirs.get("intensity")


@pytest.mark.parametrize("row", rows_where(lambda r: not is_corrupt(r)))
def test_file_ids_match_oracle(row: dict[str, str]) -> None:
    name = row["file"]
    ours = decode_activity(fixture(name)).file_ids
    theirs = oracle(name)["file_id_mesgs"]
    assert [(f.type, f.manufacturer, f.product) for f in ours] == [
        (t.get("type"), t.get("manufacturer"), t.get("product")) for t in theirs
    ]
    assert ours[0].time_created == theirs[0].get("time_created")


def test_workout_rpe_is_raw_over_ten() -> None:
    sessions = decode_activity(fixture("20555050352_ACTIVITY.fit")).sessions
    raw = [s.get("workout_rpe") for s in oracle("20555050352_ACTIVITY.fit")["session_mesgs"]]
    assert any(r is not None for r in raw)
    assert [s.workout_rpe for s in sessions] == [None if r is None else r / 10 for r in raw]


# --- workouts --------------------------------------------------------------------------------


def _assert_steps_match_oracle(name: str, activity: Activity) -> None:
    assert activity.workout is not None
    theirs = oracle(name)["workout_step_mesgs"]
    assert len(activity.workout.steps) == len(theirs)
    for step, expected in zip(activity.workout.steps, theirs, strict=True):
        assert step, "empty step dict"
        for key, value in step.items():
            assert value == expected.get(key), (key, step)


@pytest.mark.parametrize("row", rows_where(lambda r: r["type"] == "workout"))
def test_workout_files_decode_with_their_steps(row: dict[str, str]) -> None:
    activity = decode_activity(fixture(row["file"]))
    assert len(activity.records) == 0
    _assert_steps_match_oracle(row["file"], activity)
    assert activity.workout is not None
    wkt = oracle(row["file"])["workout_mesgs"][0]
    assert activity.workout.workout["num_valid_steps"] == wkt["num_valid_steps"]


def test_executed_workout_links_laps_to_steps() -> None:
    activity = decode_activity(fixture("hrv-activity.fit"))
    indices = [lap.wkt_step_index for lap in activity.laps]
    assert indices == [lap.get("wkt_step_index") for lap in oracle("hrv-activity.fit")["lap_mesgs"]]
    assert sum(i is not None for i in indices) >= 14  # the last lap ran past the workout's end
    assert activity.workout is not None and len(activity.workout.steps) == 14
    _assert_steps_match_oracle("hrv-activity.fit", activity)
    sdk_name = oracle("hrv-activity.fit")["workout_mesgs"][0]["wkt_name"]
    assert activity.workout.workout["wkt_name"] == (sdk_name[0] if isinstance(sdk_name, list) else sdk_name)


# --- the tolerant decoder agrees with the fast one on sound files ----------------------------


@pytest.mark.parametrize("row", rows_where(lambda r: not is_corrupt(r)))
def test_fallback_matches_fast_path(row: dict[str, str]) -> None:
    data = fixture(row["file"]).read_bytes()
    main = decode_activity(data)
    result = tolerant_decoder.decode(data)
    assert result.problems == []
    fallback = build_activity(result.raw, "fitdecode", salvaged=False, warnings=[])
    assert (fallback.file_ids, fallback.sessions, fallback.laps) == (main.file_ids, main.sessions, main.laps)
    assert fallback.workout == main.workout
    for column in ("timestamp", "heart_rate", "speed", "distance", "altitude", "cadence", "power"):
        np.testing.assert_allclose(
            getattr(fallback.records, column), getattr(main.records, column), equal_nan=True, err_msg=column
        )
    for column in ("position_lat", "position_long"):
        np.testing.assert_allclose(
            getattr(fallback.records, column), getattr(main.records, column), atol=1e-9, equal_nan=True
        )


# --- not FIT / robustness ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"hello, this is a text file\n", b"\x0e\x10" + b"\x00" * 30])
def test_not_fit_bytes_raise_fit_decode_error(data: bytes) -> None:
    with pytest.raises(FitDecodeError, match=r"^<bytes>: not a FIT file \("):
        decode_activity(data)


def test_text_file_error_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "notes.fit"
    path.write_text("just some notes, certainly not FIT\n")
    with pytest.raises(FitDecodeError) as info:
        decode_activity(path)
    assert str(info.value) == f"{path}: not a FIT file (expected '.FIT' signature at byte 8)"
    assert info.value.path == str(path)


def test_missing_file_raises_fit_decode_error(tmp_path: Path) -> None:
    with pytest.raises(FitDecodeError, match="cannot read file"):
        decode_activity(tmp_path / "absent.fit")


def test_header_with_garbage_body_raises_fit_decode_error() -> None:
    header = fixture("Activity.fit").read_bytes()[:12]
    with pytest.raises(FitDecodeError, match="no FIT messages could be decoded"):
        decode_activity(header + b"\xff" * 40)


def decode_or_error(data: bytes) -> Activity | None:
    """The robustness contract: an Activity, or FitDecodeError and nothing else."""
    try:
        return decode_activity(data)
    except FitDecodeError:
        return None


def test_every_truncation_of_a_small_activity_is_handled() -> None:
    data = fixture("Activity.fit").read_bytes()
    counts = []
    for end in range(len(data) + 1):
        activity = decode_or_error(data[:end])
        counts.append(0 if activity is None else len(activity.records))
        if activity is not None and end < len(data):
            assert activity.salvaged and activity.decoder == "fitdecode"
    assert counts == sorted(counts), "more bytes never salvage fewer records"
    assert counts[-1] == 14


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_escape(data: bytes) -> None:
    decode_or_error(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_fit_header_with_random_body_never_escapes(body: bytes) -> None:
    decode_or_error(b"\x0e\x10\x00\x00" + len(body).to_bytes(4, "little") + b".FIT\x00\x00" + body)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=771 * 8 - 1), min_size=1, max_size=8))
def test_bit_flips_never_escape(bits: list[int]) -> None:
    data = bytearray(fixture("Activity.fit").read_bytes())
    for bit in bits:
        data[bit // 8] ^= 1 << (bit % 8)
    activity = decode_or_error(bytes(data))
    if activity is not None:
        assert all(isinstance(s.start_time, datetime | None) for s in activity.sessions)
