"""Real activities synced from the local Garmin server and read back by ``watchsync report``.

A triathlon's swim, bike and run each do their own planned session (transitions are never matched
nor unplanned); a ride with long stops counts its timer time; a Zwift ride without heart rate is
never easy and its time shows as time without heart rate.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from watchsync.cli import main
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.resolve import resolve
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer

REPO = Path(__file__).resolve().parents[2]
FIT2 = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO.parent / "shared" / "fixtures" / "fit").parent / "fit2"
ATHLETE = Athlete(name="anna", max_hr=190, resting_hr=50, lthr=170)
TRIATHLON = "muktihari_triathlon_summary_last.fit"  # 2023-09-02, UTC-5: swim, T1, bike, T2, run
STOPS = "tormoder_0160487007.fit"  # 2021-03-03, UTC+8: 55 min timer in 2h26 elapsed
ZWIFT = "fitparse_null_compressed_speed_dist.fit"  # 2017-10-05: HR 0 on every record
OLD_WATCH = "fitparse_compressed-speed-distance.fit"  # device-relative times; local start 2012-02-13 11:16


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server() as started:
        yield started


def fixture(name: str) -> bytes:
    path = FIT2 / name
    if not path.is_file():
        pytest.skip(f"fixture {path} not found")
    return path.read_bytes()


def plan(tmp_path: Path, key: str, sport: str, minutes: int, day: date) -> None:
    text = tmp_path / f"{key}.txt"
    text.write_text(f"name: {key}\nsport: {sport}\n\n- {minutes}m RPE 5\n", encoding="utf-8")
    workout = resolve(load_workout(text), ATHLETE)
    with Store.open(tmp_path / "state" / "watchsync.sqlite3") as store:
        store.upsert_workout("anna", key, content_hash=key, payload=workout.model_dump(mode="json"))
        store.add_schedule("anna", key, day)


@pytest.fixture
def report(tmp_path: Path, server: LocalGarminServer, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    for name in ("WATCHSYNC_CONFIG", "WATCHSYNC_ENDPOINT", "WATCHSYNC_STATE_DIR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "{server.url}"\nmax_retries = 0\n\n'
                      '[athletes.anna]\nmax_hr = 190\nresting_hr = 50\nlthr = 170\n', encoding="utf-8")
    fake_token_dir(tmp_path / "state" / "tokens" / "anna", server.url)
    options = ["--config", str(config), "--state-dir", str(tmp_path / "state")]
    server.add_activity(fixture(TRIATHLON), start_time=datetime.fromisoformat("2023-09-02T08:15:24-05:00"),
                        activity_type="other", duration_s=4043)
    server.add_activity(fixture(STOPS), start_time=datetime.fromisoformat("2021-03-03T19:11:50+08:00"),
                        activity_type="cycling", duration_s=3331)
    server.add_activity(fixture(ZWIFT), start_time=datetime.fromisoformat("2017-10-05T00:04:06+00:00"),
                        activity_type="indoor_cycling", duration_s=1808)
    server.add_activity(fixture(OLD_WATCH), start_time=datetime.fromisoformat("2012-02-13T11:16:16+01:00"),
                        activity_type="running", duration_s=3773)
    for key, sport, minutes in (("swim", "open_water_swim", 12), ("bike", "cycling", 26), ("run", "running", 26)):
        plan(tmp_path, key, sport, minutes, date(2023, 9, 2))
    plan(tmp_path, "ride", "cycling", 55, date(2021, 3, 3))
    assert main([*options, "activities", "sync", "--since", "2012-02-01"]) == 0
    capsys.readouterr()
    assert main([*options, "report", "--json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)["report"]
    main([*options, "report", "--week", "2017-10-05"])
    document["terminal_week_2017"] = capsys.readouterr().out
    return document


def rows(report: dict[str, Any], day: str) -> list[dict[str, Any]]:
    return [row for row in report["sessions"] if row["day"] == day]


def test_each_triathlon_leg_does_its_own_planned_session(report: dict[str, Any]) -> None:
    legs = {row["name"]: row for row in rows(report, "2023-09-02")}
    assert set(legs) == {"swim", "bike", "run"}  # no transition, matched or unplanned
    assert all(row["status"] != "red" and row["activity_id"] is not None for row in legs.values())
    assert [legs[name]["activity_id"].split("#")[1] for name in ("swim", "bike", "run")] == ["1", "3", "5"]
    assert legs["swim"]["done"] == pytest.approx(675.701, rel=0.005)
    assert legs["bike"]["done"] == pytest.approx(1566.657, rel=0.005)
    assert legs["run"]["done"] == pytest.approx(1573.613, rel=0.005)


def test_a_ride_with_long_stops_counts_its_timer_time(report: dict[str, Any]) -> None:
    (ride,) = rows(report, "2021-03-03")
    assert ride["done"] == pytest.approx(3331.074, rel=0.005)  # not the 8775 s elapsed
    assert ride["status"] == "green"


def test_a_ride_without_heart_rate_is_never_easy(report: dict[str, Any]) -> None:
    (week,) = [w for w in report["summary"]["weeks"] if w["week_start"] == "2017-10-02"]
    totals = week["totals"]
    assert totals["easy_share"] is None and totals["hr_seconds"] == 0
    assert totals["no_hr_seconds"] == 0  # the easy share and its basis are of running
    assert totals["done_seconds"] == pytest.approx(1808, abs=1)
    assert "easy – (target 80%)" in report["terminal_week_2017"]  # no share, and none made up


def test_device_relative_times_land_on_connects_day_not_in_1990(report: dict[str, Any]) -> None:
    (run,) = rows(report, "2012-02-13")
    assert run["status"] == "unplanned" and run["done"] == pytest.approx(3772.75, rel=0.005)
    assert not [row for row in report["sessions"] if row["day"] < "2000-01-01"]


def test_a_legs_drill_down_scores_and_charts_the_leg_alone(report: dict[str, Any], tmp_path: Path) -> None:
    from watchsync.web import views

    run_leg = next(row for row in rows(report, "2023-09-02") if row["name"] == "run")
    with Store.open(tmp_path / "state" / "watchsync.sqlite3") as store:
        view = views.activity(store, ATHLETE, run_leg["activity_id"])
        decoded = views._decoded(views._stored(store, ATHLETE, view.row))
    assert view.intensity is not None and decoded is not None
    assert sum(step.seconds for step in view.intensity.steps) == pytest.approx(run_leg["done"], rel=0.02)
    span = decoded.records.timestamp[-1] - decoded.records.timestamp[0]
    assert span < 0.5 * 4043  # the run leg's records, not the whole file's (its HR chart too)


def test_the_dashboard_shows_no_running_easy_share_for_a_ride_without_heart_rate(report: dict[str, Any],
                                                                                  tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from watchsync.config import load_config
    from watchsync.web.app import create_app

    config = load_config(tmp_path / "config.toml", state_dir=tmp_path / "state")
    with Store.open(config.store_path) as store:
        client = TestClient(create_app(config, store, lambda: {"alive": False, "athletes": []}))
        week = client.get("/athletes/anna/week/2017-10-05").text
        season = client.get("/athletes/anna/season").text
    assert "easy running (target 80%)" in week and "with HR" not in week  # a ride's week: no running share at all
    assert "no HR)" not in season
    shown = re.findall(r'<tr data-week="([^"]+)"', season)
    assert shown == sorted(shown, reverse=True)  # the latest week first, as the report lists them
    assert "2012-02-13 to 2023-09-03 · " in season  # the last week's Sunday, not its Monday
