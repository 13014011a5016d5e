"""What the athlete removes in Garmin Connect (a workout, a calendar entry) and what watchsync does next
(probe server13): a workout created again gets its coming entries back, a recorded entry is looked for on
the calendar before "already there" is said, watchsync's own re-create is no edit, and "today" is the
athlete's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from watchsync.formats.load import load_workout
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.store import Store
from watchsync.testing.garmin.server import LocalGarminServer

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ANNA = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)
NOW = datetime(2030, 3, 4, 6, 0, tzinfo=UTC)
TODAY = NOW.date()
PAST, DAY, NEXT, LATER = TODAY - timedelta(days=5), date(2030, 3, 12), date(2030, 4, 2), date(2030, 4, 9)
MONTH = "/calendar-service/year/{year}/month/{month}"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "watchsync.sqlite3") as opened:
        yield opened


def service_for(store: Store, server: LocalGarminServer, token_dir: Path, athlete: Athlete = ANNA,
                now: datetime = NOW) -> SyncService:
    return SyncService(store, lambda: GarminClient(token_dir, server.url, sleep=lambda _s: None), athlete,
                       now=lambda: now)


@pytest.fixture
def service(store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path) -> SyncService:
    return service_for(store, garmin_server, garmin_token_dir)


def scheduled(service: SyncService, days: tuple[date, ...], name: str = "easy-45.txt") -> tuple[str, int]:
    """Push a library run and put it on ``days``; its key and Garmin id."""
    key = service.enqueue_push(load_workout(LIBRARY / "runs" / name))
    for day in days:
        service.enqueue_schedule(key, day)
    assert service.drain().failures == []
    row = service.store.get_workout("anna", key)
    assert row is not None and row.remote_id is not None
    return key, row.remote_id


def calendar(server: LocalGarminServer) -> list[str]:
    return sorted(str(entry["calendarDate"]) for entry in server.schedules())


# 1. a workout deleted in Connect, created again: its coming entries come back, once -----------------

def test_a_push_that_creates_again_a_workout_deleted_in_connect_restores_its_coming_entries(
        service: SyncService, garmin_server: LocalGarminServer) -> None:
    key, remote_id = scheduled(service, (PAST, TODAY, DAY, NEXT))
    service.client.delete_workout(remote_id)  # the athlete deletes it in Connect: its entries go with it
    assert garmin_server.schedules() == []
    service.enqueue_push(load_workout(LIBRARY / "runs" / "easy-45.txt"), force=True)
    drained = service.drain()
    assert [(o.op, o.action) for o in drained.outcomes] == [("push", "created")] + [("schedule", "restored")] * 3
    assert calendar(garmin_server) == [TODAY.isoformat(), DAY.isoformat(), NEXT.isoformat()]  # not the past day
    new_id = service.store.get_workout("anna", key).remote_id  # type: ignore[union-attr]
    assert {entry["workoutId"] for entry in garmin_server.schedules()} == {new_id} != {remote_id}
    found = service.reconcile()  # nothing left to repair, and no duplicate on a second look
    assert (found.schedules_requeued, found.recreated, found.drift) == ([], [], [])
    assert service.drain().outcomes == [] and len(garmin_server.schedules()) == 3


def test_a_schedule_that_creates_again_a_workout_deleted_in_connect_restores_its_other_entries(
        service: SyncService, garmin_server: LocalGarminServer) -> None:
    key, remote_id = scheduled(service, (PAST, DAY, NEXT))
    service.client.delete_workout(remote_id)
    assert service.enqueue_schedule(key, LATER)  # a new day: the workout is created again for it
    drained = service.drain()
    assert sorted(str(o.day) for o in drained.outcomes) == [DAY.isoformat(), NEXT.isoformat(), LATER.isoformat()]
    assert calendar(garmin_server) == [DAY.isoformat(), NEXT.isoformat(), LATER.isoformat()]
    assert len(garmin_server.workouts()) == 1
    assert service.reconcile().schedules_requeued == []


def test_a_schedule_of_a_recorded_day_whose_workout_was_deleted_in_connect_restores_it(
        service: SyncService, garmin_server: LocalGarminServer) -> None:
    key, remote_id = scheduled(service, (DAY, NEXT))
    service.client.delete_workout(remote_id)
    assert not service.enqueue_schedule(key, DAY)  # the store has it: the drain looks
    drained = service.drain()
    assert {(str(o.day), o.action) for o in drained.outcomes} == {(DAY.isoformat(), "restored"),
                                                                  (NEXT.isoformat(), "restored")}
    assert calendar(garmin_server) == [DAY.isoformat(), NEXT.isoformat()]


# 2. an entry removed in Connect: looked for, restored, never doubled ----------------------------------

def test_scheduling_a_day_whose_entry_was_removed_in_connect_restores_it(service: SyncService,
                                                                         garmin_server: LocalGarminServer) -> None:
    key, _remote_id = scheduled(service, (DAY, NEXT))
    removed = next(e for e in garmin_server.schedules() if e["calendarDate"] == DAY.isoformat())
    service.client.unschedule(removed["workoutScheduleId"])  # by hand in Connect
    assert not service.enqueue_schedule(key, DAY)
    drained = service.drain()
    assert [(o.action, o.day) for o in drained.outcomes] == [("restored", DAY)]
    assert calendar(garmin_server) == [DAY.isoformat(), NEXT.isoformat()]
    row = service.store.get_schedule("anna", key, DAY)
    assert row is not None and row.state == "scheduled" and row.remote_schedule_id != removed["workoutScheduleId"]


def test_an_entry_the_athlete_moved_in_connect_is_left_where_they_put_it(service: SyncService,
                                                                         garmin_server: LocalGarminServer) -> None:
    # probe review19: the restore took a moved entry for a removed one and put a second one on the planned day
    key, _remote_id = scheduled(service, (DAY, NEXT))
    moved = next(e for e in garmin_server.schedules() if e["calendarDate"] == DAY.isoformat())
    garmin_server.move_schedule(moved["workoutScheduleId"], DAY + timedelta(days=2))
    assert not service.enqueue_schedule(key, DAY)
    drained = service.drain()
    assert [(o.action, o.day) for o in drained.outcomes] == [(f"moved in Garmin Connect to {DAY + timedelta(days=2)}",
                                                              DAY)]
    assert calendar(garmin_server) == [(DAY + timedelta(days=2)).isoformat(), NEXT.isoformat()]


def test_scheduling_a_day_on_the_calendar_again_writes_nothing(service: SyncService,
                                                              garmin_server: LocalGarminServer) -> None:
    key, _remote_id = scheduled(service, (DAY, NEXT))
    posts, months = (garmin_server.stats.count("POST", "/workout-service/schedule/{id}"),
                     garmin_server.stats.count("GET", MONTH))
    for day in (DAY, NEXT, DAY):
        assert not service.enqueue_schedule(key, day)
    assert [o.action for o in service.drain().outcomes] == ["unchanged", "unchanged"]
    assert garmin_server.stats.count("POST", "/workout-service/schedule/{id}") == posts
    assert garmin_server.stats.count("GET", MONTH) == months + 2  # one read per month looked at
    assert calendar(garmin_server) == [DAY.isoformat(), NEXT.isoformat()]


# 3. watchsync's own re-create is no edit made in Connect ---------------------------------------------

def test_a_workout_created_again_by_a_schedule_is_not_reported_as_changed_in_connect(
        service: SyncService, garmin_server: LocalGarminServer) -> None:
    key, remote_id = scheduled(service, (DAY,))
    service.client.delete_workout(remote_id)
    time.sleep(1.1)  # the re-create is a later second: Garmin's update time moves on (the server's real clock)
    service.enqueue_schedule(key, NEXT)
    assert service.drain().failures == []
    assert service.reconcile().drift == []


# 4. "today" is the athlete's ------------------------------------------------------------------------

def test_sync_restores_an_entry_of_the_athletes_today_west_of_utc(store: Store, garmin_server: LocalGarminServer,
                                                                  garmin_token_dir: Path) -> None:
    carl = ANNA.model_copy(update={"name": "anna", "timezone": "America/Los_Angeles"})
    evening = datetime(2030, 3, 5, 2, 16, tzinfo=UTC)  # Mon 2030-03-04 18:16 in Los Angeles
    service = service_for(store, garmin_server, garmin_token_dir, carl, evening)
    local_today = date(2030, 3, 4)
    assert evening.astimezone(ZoneInfo("America/Los_Angeles")).date() == local_today != evening.date()
    key, _remote_id = scheduled(service, (local_today, DAY))
    for entry in garmin_server.schedules():
        service.client.unschedule(entry["workoutScheduleId"])
    assert service.reconcile().schedules_requeued == [f"{key}@{local_today}", f"{key}@{DAY}"]
    service.drain()
    assert calendar(garmin_server) == [local_today.isoformat(), DAY.isoformat()]
