"""Every real FIT activity read through ``watchsync analyze --json`` as Garmin's own decoder reads it.

fit2/ files are checked against ``reference.json`` (what garmin-fit-sdk reads, recorded beside the
files); fit/ files against garmin-fit-sdk run here as the oracle. Per session: sport, start, local
day, timer and elapsed time, distance, heart rate (0.5 %), laps, lengths, pool length, power.
"""

from __future__ import annotations

import functools
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from garmin_fit_sdk import Decoder, Stream

from watchsync.cli import main

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO.parent / "shared" / "fixtures" / "fit").parent
FIT, FIT2 = SHARED / "fit", SHARED / "fit2"
REFERENCE = FIT2 / "reference.json"
TOLERANCE = 0.005
RUNNING_TOLERANCE = 0.03  # records cover the running timer but for the first length of a pool swim (20 s of 840)
ZONE = "Asia/Tokyo"  # the athlete's zone: used only when the file gives no local time
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
RELATIVE_LIMIT = FIT_EPOCH + timedelta(seconds=0x10000000)


def _files(folder: Path) -> list[Any]:
    names = sorted(p.name for p in folder.glob("*.fit")) if folder.is_dir() else []
    return [pytest.param(name, id=name) for name in names] or [
        pytest.param(None, marks=pytest.mark.skip(reason=f"no fixtures at {folder}"))]


@functools.cache
def reference() -> dict[str, Any]:
    files: dict[str, Any] = json.loads(REFERENCE.read_text())["files"]
    return files


@functools.cache
def garmin(path: Path) -> dict[str, Any]:
    messages, _errors = Decoder(Stream.from_file(str(path))).read()
    return messages


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("WATCHSYNC_CONFIG", "WATCHSYNC_ENDPOINT", "WATCHSYNC_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config.toml"
    path.write_text(f'[athletes.anna]\nmax_hr = 190\nresting_hr = 50\nlthr = 170\ntimezone = "{ZONE}"\n',
                    encoding="utf-8")
    return path


def analyze(path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["--config", str(config), "analyze", str(path), "--json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def close(ours: float | None, theirs: float | None) -> bool:
    if theirs is None:
        return ours is None
    return ours is not None and abs(ours - theirs) <= TOLERANCE * abs(theirs) + 1e-6


def expected_hr(session: dict[str, Any], key: str, record_key: str) -> float | None:
    """The session's own value when it is a reading, else what its records hold (None without HR)."""
    value = session.get(key)
    if value is not None and 0 < value < 255:
        return float(value)
    from_records = session.get(record_key)
    return None if from_records is None else float(from_records)


def check_session(ours: dict[str, Any], theirs: dict[str, Any], record_distance: float | None) -> None:
    assert ours["sub_sport"] == theirs.get("sub_sport")
    assert ours["transition"] == (theirs["sport"] == "transition")
    assert close(ours["duration_s"], theirs["total_timer_time"]), "timer time"
    assert close(ours["elapsed_s"], theirs["total_elapsed_time"]), "elapsed time"
    distance = theirs.get("total_distance", record_distance)
    assert close(ours["distance_m"], distance), "distance"
    assert close(ours["avg_hr"], expected_hr(theirs, "avg_heart_rate", "record_mean_hr")), "avg HR"
    assert close(ours["max_hr"], expected_hr(theirs, "max_heart_rate", "record_max_hr")), "max HR"
    if theirs.get("avg_power") is not None:
        assert close(ours["avg_power"], theirs["avg_power"]), "avg power"
    # load integrates the records over the running timer: with and without HR, they add up to the timer time
    load = ours["load"]
    integrated = (load["hr_seconds"] or 0) + (load["no_hr_seconds"] or 0)
    assert abs(integrated - theirs["total_timer_time"]) <= max(RUNNING_TOLERANCE * theirs["total_timer_time"], 2)


def check_start(ours: dict[str, Any], start_utc: datetime, offset_s: float | None) -> None:
    start = datetime.fromisoformat(ours["start"])
    assert start == start_utc
    offset = timedelta(seconds=offset_s) if offset_s is not None else start_utc.astimezone(
        __import__("zoneinfo").ZoneInfo(ZONE)).utcoffset()
    assert start.utcoffset() == offset
    assert start.date() == (start_utc + offset).date()  # the local day


@pytest.mark.parametrize("name", _files(FIT2))
def test_fit2_file_reads_as_garmins_decoder(name: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = reference()[name]
    result = analyze(FIT2 / name, config, capsys)
    sessions, totals = expected["sessions"], expected["totals"]
    assert len(result["sessions"]) == len(sessions)
    record_distance = totals.get("record_max_distance") if len(sessions) == 1 else None
    for number, (ours, theirs) in enumerate(zip(result["sessions"], sessions, strict=True), start=1):
        check_session(ours, theirs, record_distance)
        assert len([lap for lap in result["laps"] if lap["session"] in (None, number)]) == theirs["lap_count"]
        assert ours["pool_length_m"] == theirs.get("pool_length")
        assert len(result["lengths"]) == sum(s.get("length_messages", 0) for s in sessions)
        start = datetime.fromisoformat(theirs["start_time"].replace("Z", "+00:00"))
        if start >= RELATIVE_LIMIT:
            check_start(ours, start, expected.get("utc_offset_s"))
    whole = result["summary"]
    assert close(whole["duration_s"], sum(s["total_timer_time"] for s in sessions))
    if all(s.get("avg_heart_rate") in (0, None) and s.get("record_mean_hr") is None for s in sessions):
        assert whole["avg_hr"] is None and result["load"]["easy_seconds"] is None  # no HR is never "easy"
        assert result["load"]["trimp"] is None and result["load"]["no_hr_seconds"] > 0


def test_device_relative_times_start_on_the_files_local_clock(config: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    relative = [n for n, f in (reference().items() if REFERENCE.is_file() else [])
                if datetime.fromisoformat(f["sessions"][0]["start_time"].replace("Z", "+00:00")) < RELATIVE_LIMIT]
    if not relative:
        pytest.skip("no device-relative fixture")
    for name in relative:
        messages = garmin(FIT2 / name)
        activity, session = messages["activity_mesgs"][0], messages["session_mesgs"][0]
        # garmin-fit-sdk leaves relative times as raw seconds; local_timestamp is seconds since the FIT epoch
        local_end = FIT_EPOCH.replace(tzinfo=None) + timedelta(seconds=activity["local_timestamp"])
        local_start = local_end - (activity["timestamp"] - session["start_time"])
        start = datetime.fromisoformat(analyze(FIT2 / name, config, capsys)["summary"]["start"])
        assert start.replace(tzinfo=None) == local_start and start.year > 2000
        assert start.tzinfo is not None and start.utcoffset() == start.astimezone(
            __import__("zoneinfo").ZoneInfo(ZONE)).utcoffset()


def _garmin_sessions(path: Path) -> list[dict[str, Any]]:
    """Distinct sessions as garmin-fit-sdk reads them (a chained copy of the same session counts once)."""
    seen, out = set(), []
    for session in garmin(path).get("session_mesgs", []):
        key = repr(sorted((str(k), str(v)) for k, v in session.items()))
        if key not in seen:
            seen.add(key)
            out.append(session)
    out.sort(key=lambda s: s["start_time"])
    if not out:
        return out
    records = [r for r in garmin(path).get("record_mesgs", []) if isinstance(r.get("timestamp"), datetime)]
    bounds = [s["start_time"] for s in out[1:]] + [datetime.max.replace(tzinfo=UTC)]
    lower = datetime.min.replace(tzinfo=UTC)
    for session, bound in zip(out, bounds, strict=True):  # what the session's records hold (as reference.json)
        rates = [r["heart_rate"] for r in records if lower <= r["timestamp"] < bound
                 and r.get("heart_rate") is not None and 0 < r["heart_rate"] < 255]
        if rates:
            session["record_mean_hr"], session["record_max_hr"] = sum(rates) / len(rates), max(rates)
        lower = bound
    return out


def _record_distance(path: Path) -> float | None:
    distances = [r["distance"] for r in garmin(path).get("record_mesgs", []) if r.get("distance") is not None]
    return max(distances) if distances else None


def _utc_offset(path: Path) -> float | None:
    for activity in garmin(path).get("activity_mesgs", []):
        stamp, local = activity.get("timestamp"), activity.get("local_timestamp")
        if isinstance(stamp, datetime) and isinstance(local, int):
            offset = (FIT_EPOCH + timedelta(seconds=local) - stamp).total_seconds()
            return offset if offset % 900 == 0 and abs(offset) <= 14 * 3600 else None
    return None


@pytest.mark.parametrize("name", _files(FIT))
def test_fit_file_reads_as_garmins_decoder(name: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = FIT / name
    file_ids = garmin(path).get("file_id_mesgs", [])
    if file_ids and file_ids[0].get("type") != "activity":
        capsys.readouterr()
        assert main(["--config", str(config), "analyze", str(path)]) == 1
        error = capsys.readouterr().err.strip()
        assert "not an activity" in error and len(error.splitlines()) == 1
        return
    result = analyze(path, config, capsys)
    sessions = _garmin_sessions(path)
    if not sessions:  # a file without session (truncated): summarised from its records
        assert len(result["sessions"]) == 1 and result["summary"]["duration_s"] > 0
        return
    assert len(result["sessions"]) == len(sessions)
    record_distance = _record_distance(path) if len(sessions) == 1 else None
    laps = garmin(path).get("lap_mesgs", [])
    for ours, theirs in zip(result["sessions"], sessions, strict=True):
        theirs = {**theirs, "sport": str(theirs.get("sport"))}
        if theirs.get("sub_sport") is not None:
            theirs["sub_sport"] = str(theirs["sub_sport"])
        check_session(ours, theirs, record_distance)
        check_start(ours, theirs["start_time"], _utc_offset(path))
    if len(sessions) == 1 and len({json.dumps(s, default=str) for s in garmin(path)["session_mesgs"]}) == 1:
        assert len(result["laps"]) == len({json.dumps(lap, default=str) for lap in laps})
