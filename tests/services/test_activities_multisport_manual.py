"""Multisport legs and activities entered by hand, as Garmin lists and serves them, through the sync
(against the local Garmin server over HTTP; probe server12)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from watchsync.garmin.client import GarminClient
from watchsync.model.athlete import Athlete
from watchsync.services.activities import sync_activities
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import LocalGarminServer

FIT2 = Path(os.environ.get("WATCHSYNC_FIXTURES") or Path(__file__).resolve().parents[3] / "shared" / "fixtures"
            / "fit").parent / "fit2"
TRIATHLON = FIT2 / "muktihari_triathlon_summary_last.fit"  # swim, T1, bike, T2, run
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", timezone="UTC")
TODAY = date(2025, 6, 30)
DOWNLOAD_ROUTE = ("GET", "/download-service/files/activity/{id}")


@pytest.fixture(params=[False, True], ids=["parent-listed-alone", "legs-listed-too"])
def server(request: pytest.FixtureRequest) -> Iterator[LocalGarminServer]:
    started = LocalGarminServer(list_legs=request.param)
    started.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def client(server: LocalGarminServer, tmp_path: Path) -> GarminClient:
    return GarminClient(fake_token_dir(tmp_path / "tokens", server.url), server.url, sleep=lambda _s: None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state.sqlite3") as opened:
        yield opened


def test_a_triathlon_counts_once_whether_or_not_its_legs_are_listed(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    if not TRIATHLON.is_file():
        pytest.skip(f"fixture {TRIATHLON} not found")
    data = TRIATHLON.read_bytes()
    parent = server.add_activity(data, start_time=datetime.combine(TODAY, time(8, 0), UTC), duration_s=9000)
    details = client.get_activity(parent)
    assert details["activityTypeDTO"]["typeKey"] == "multi_sport" and details["isMultiSportParent"] is True
    legs = details["metadataDTO"]["childIds"]
    assert len(legs) == 5
    leg = client.get_activity(legs[2])
    assert (leg["parentId"], leg["activityTypeDTO"]["typeKey"]) == (parent, "cycling")
    assert client.download_activity_fit(legs[2]) == data  # each leg's download is the whole race's file

    result = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=TODAY, today=TODAY)

    assert [fetched.activity_id for fetched in result.fetched] == [parent] and not result.errors
    assert result.legs == (5 if server._list_legs else 0)
    assert server.stats.count(*DOWNLOAD_ROUTE) == 2  # the one above, and the parent's: no leg fetched
    [row] = store.list_activities(ATHLETE.name)
    assert len(row.summary["sessions"]) == 5  # each leg from the parent's file, once


def test_an_activity_entered_by_hand_is_recorded_from_connect_without_an_error(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    manual = server.add_activity(b"", start_time=datetime.combine(TODAY, time(18, 0), UTC), manual=True,
                                 activity_type="treadmill_running", duration_s=2700, distance_m=8000,
                                 name="Treadmill (watch died)")
    assert client.get_activity(manual)["metadataDTO"]["manualActivity"] is True

    result = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=TODAY, today=TODAY)

    [fetched] = result.fetched
    assert (fetched.activity_id, fetched.error, fetched.fit_path) == (manual, None, None)
    assert any("entered by hand" in warning for warning in fetched.warnings)
    [row] = store.list_activities(ATHLETE.name)
    summary = row.summary["summary"]
    assert (summary["duration_s"], summary["distance_m"], row.summary["error"]) == (2700, 8000, None)
    assert summary["manual"] is True  # the activity page says so (probe coach12)


def test_a_file_garmin_cannot_find_is_an_error_that_says_so(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    lost = server.add_activity(b"", start_time=datetime.combine(TODAY, time(18, 0), UTC), manual=True,
                               activity_type="running", duration_s=1800)
    server._state.activities[lost]["manualActivity"] = False  # details say a file should be there

    [fetched] = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=TODAY, today=TODAY).fetched

    assert fetched.error is not None and fetched.error.startswith(f"activity {lost}: ")
    assert "404" in fetched.error  # not an empty message (probe server12)


def test_a_leg_listed_without_its_parent_waits_for_the_parent(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    # a race started at 23:30: its later legs fall on the next day, its parent on the day before; a sync of
    # the next day alone stored the legs, each the whole race, and a later one the parent too (probe review14)
    if not TRIATHLON.is_file():
        pytest.skip(f"fixture {TRIATHLON} not found")
    eve = datetime.combine(TODAY, time(23, 30), UTC)
    parent = server.add_activity(TRIATHLON.read_bytes(), start_time=eve, duration_s=9000)
    tomorrow = TODAY + timedelta(days=1)

    first = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=tomorrow, today=tomorrow)
    assert first.fetched == [] and first.legs == first.listed and (first.listed > 0) == server._list_legs
    both = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=TODAY, today=tomorrow)
    assert [fetched.activity_id for fetched in both.fetched] == [parent]
    assert [row.activity_id for row in store.list_activities(ATHLETE.name)] == [parent]


def test_a_multisport_parent_is_listed_as_one_and_a_leg_deleted_alone_leaves_it(
        server: LocalGarminServer, client: GarminClient) -> None:
    if not TRIATHLON.is_file():
        pytest.skip(f"fixture {TRIATHLON} not found")
    parent = server.add_activity(TRIATHLON.read_bytes(), start_time=datetime.combine(TODAY, time(8, 0), UTC))
    listed = {item["activityId"]: item for item in client.iter_activities(TODAY, TODAY)}
    assert (listed[parent]["parent"], listed[parent]["parentId"]) == (True, None)  # activity_multisport_overview
    legs = client.get_activity(parent)["metadataDTO"]["childIds"]
    server.delete_activity(legs[1])  # a transition
    assert client.get_activity(parent)["metadataDTO"]["childIds"] == [legs[0], *legs[2:]]
