"""SyncService keeps the user's last intent: re-queued work while an item runs, opposite operations, held items."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from watchsync.formats.connect_json import content_hash, find_marker
from watchsync.formats.load import load_workout
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.resolve import resolve
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.garmin.wire import Drop, Request, Response, error_response

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ANNA = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)
NOW = datetime(2030, 3, 4, 6, 0, tzinfo=UTC)
DAY = date(2030, 3, 12)
WORKOUT_ROUTE = "/workout-service/workout"
SCHEDULE_ROUTE = "/workout-service/schedule/"


class HookedServer(LocalGarminServer):
    """Runs a hook once before the first request matching (method, path prefix); can refuse or edit answers."""

    def __init__(self) -> None:
        super().__init__()
        self.hooks: dict[tuple[str, str], Callable[[], object]] = {}
        self.refuse: Callable[[Request], bool] = lambda _request: False
        self.alter_on_read = False

    def dispatch(self, request: Request) -> Response | Drop:
        for (method, prefix), hook in list(self.hooks.items()):
            if request.method == method and request.path.startswith(prefix):
                del self.hooks[(method, prefix)]
                hook()
        if self.refuse(request):
            return error_response(400, "refused by the test")
        response = super().dispatch(request)
        stored_copy = ((request.method == "GET" and request.path.startswith(WORKOUT_ROUTE + "/"))
                       or (request.method == "POST" and request.path == WORKOUT_ROUTE))  # a create answers it too
        if self.alter_on_read and isinstance(response, Response) and response.status == 200 and stored_copy:
            body = json.loads(response.body)
            body["workoutSegments"][0]["workoutSteps"][0]["endConditionValue"] += 60  # what the watch runs
            response = Response(200, json.dumps(body).encode())
        return response


@pytest.fixture
def server() -> Iterator[HookedServer]:
    with HookedServer() as started:
        yield started


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "watchsync.sqlite3") as opened:
        yield opened


@pytest.fixture
def worker(store: Store, server: HookedServer, tmp_path: Path) -> SyncService:
    """The service that drains (as the daemon's worker thread)."""
    tokens = fake_token_dir(tmp_path / "tokens", server.url)
    return SyncService(store, lambda: GarminClient(tokens, server.url, sleep=lambda _s: None), ANNA,
                       now=lambda: NOW)


@pytest.fixture
def intake(store: Store) -> SyncService:
    """The service that only queues (as the daemon's inbox thread); it never talks to Garmin."""
    def no_client() -> GarminClient:
        raise AssertionError("intake must not call Garmin")
    return SyncService(store, no_client, ANNA, now=lambda: NOW)


def easy(edit: str = "") -> Workout:
    """The library's easy run; ``edit`` gives another version of it (same name, other content)."""
    workout = load_workout(LIBRARY / "runs" / "easy-30.txt")
    return workout.model_copy(update={"description": edit}) if edit else workout


def marker_on_garmin(server: LocalGarminServer) -> str | None:
    [remote] = server.workouts()
    return find_marker(remote.get("description"))


def statuses(service: SyncService) -> list[tuple[str, str]]:
    return [(o.op, o.status) for o in service.drain().outcomes]


# 1. a newer version queued while the older one is being pushed ------------------------------------

def test_a_version_queued_during_its_push_reaches_garmin(worker: SyncService, intake: SyncService,
                                                         server: HookedServer, store: Store) -> None:
    first, second = easy(), easy("longer warm-up")
    server.hooks[("POST", WORKOUT_ROUTE)] = lambda: intake.enqueue_push(second)  # saved while v1 is in flight
    intake.enqueue_push(first)
    worker.drain()
    newest = content_hash(resolve(second, ANNA))
    assert marker_on_garmin(server) == newest
    assert len(server.workouts()) == 1
    assert store.list_outbox("anna") == []
    assert intake.plan_push(second).action == "unchanged"


# 5. the last of opposite intents wins -------------------------------------------------------------

def test_schedule_unschedule_schedule_ends_on_the_calendar(worker: SyncService, server: HookedServer) -> None:
    key = worker.enqueue_push(easy())
    assert worker.enqueue_schedule(key, DAY)
    assert worker.enqueue_unschedule(key, DAY)
    assert worker.enqueue_schedule(key, DAY)
    worker.drain()
    assert [e["calendarDate"] for e in server.schedules()] == [DAY.isoformat()]
    assert worker.store.get_schedule("anna", key, DAY).state == "scheduled"  # type: ignore[union-attr]


def test_unschedule_after_a_waiting_schedule_leaves_the_day_empty(worker: SyncService,
                                                                  server: HookedServer) -> None:
    key = worker.enqueue_push(easy())
    worker.enqueue_schedule(key, DAY)
    worker.enqueue_unschedule(key, DAY)
    worker.drain()
    assert server.schedules() == []
    assert server.stats.count("POST", "/workout-service/schedule/{id}") == 0


def test_unschedule_queued_while_its_schedule_runs_wins(worker: SyncService, intake: SyncService,
                                                       server: HookedServer) -> None:
    key = worker.enqueue_push(easy())
    worker.drain()
    worker.enqueue_schedule(key, DAY)
    server.hooks[("POST", SCHEDULE_ROUTE)] = lambda: intake.enqueue_unschedule(key, DAY)
    worker.drain()
    assert server.schedules() == []
    assert worker.store.get_schedule("anna", key, DAY).state == "removed"  # type: ignore[union-attr]
    assert not intake.enqueue_unschedule(key, DAY)  # already removed: nothing more to queue


def test_schedule_queued_while_its_unschedule_runs_wins(worker: SyncService, intake: SyncService,
                                                       server: HookedServer) -> None:
    key = worker.enqueue_push(easy())
    worker.enqueue_schedule(key, DAY)
    worker.drain()
    worker.enqueue_unschedule(key, DAY)
    server.hooks[("DELETE", SCHEDULE_ROUTE)] = lambda: intake.enqueue_schedule(key, DAY)
    worker.drain()
    assert [e["calendarDate"] for e in server.schedules()] == [DAY.isoformat()]
    assert not intake.enqueue_schedule(key, DAY)  # on the calendar: nothing more to queue


def test_push_after_a_waiting_delete_keeps_the_workout(worker: SyncService, server: HookedServer) -> None:
    workout = easy()
    key = worker.enqueue_push(workout)
    worker.drain()
    assert worker.enqueue_delete(key)
    assert worker.plan_push(workout).action == "update"  # a delete waits: not "unchanged"
    worker.enqueue_push(workout)  # the same file dropped again
    worker.drain()
    assert [w["workoutName"] for w in server.workouts()] == [workout.name]
    assert not worker.store.get_workout("anna", key).deleted  # type: ignore[union-attr]


def test_push_queued_while_its_delete_runs_wins(worker: SyncService, intake: SyncService,
                                                server: HookedServer) -> None:
    workout = easy()
    key = worker.enqueue_push(workout)
    worker.drain()
    worker.enqueue_delete(key)
    server.hooks[("DELETE", WORKOUT_ROUTE)] = lambda: intake.enqueue_push(workout)
    worker.drain()
    assert [w["workoutName"] for w in server.workouts()] == [workout.name]
    row = worker.store.get_workout("anna", key)
    assert row is not None and not row.deleted and row.remote_id == server.workouts()[0]["workoutId"]


# 6. held items do not block the workout -----------------------------------------------------------

def test_a_held_push_is_released_by_dropping_the_same_file_again(worker: SyncService,
                                                                  server: HookedServer) -> None:
    workout = easy()
    server.alter_on_read = True  # Garmin reads back something else: the push is held
    key = worker.enqueue_push(workout)
    worker.enqueue_schedule(key, DAY)
    assert statuses(worker) == [("push", "refused")]
    server.alter_on_read = False
    assert worker.plan_push(workout).action == "update"
    worker.enqueue_push(workout)
    assert statuses(worker) == [("push", "done"), ("schedule", "done")]
    assert [e["calendarDate"] for e in server.schedules()] == [DAY.isoformat()]


def test_a_refused_schedule_holds_only_its_own_day(worker: SyncService, server: HookedServer) -> None:
    refused_day, other_day = DAY, date(2030, 3, 19)
    server.refuse = lambda request: request.method == "POST" and refused_day.isoformat().encode() in request.body
    key = worker.enqueue_push(easy())
    worker.drain()
    worker.enqueue_schedule(key, refused_day)
    assert statuses(worker) == [("schedule", "refused")]
    worker.enqueue_push(easy("longer warm-up"))  # a later edit of the workout
    worker.enqueue_schedule(key, other_day)
    assert statuses(worker) == [("push", "done"), ("schedule", "done")]
    assert marker_on_garmin(server) == content_hash(resolve(easy("longer warm-up"), ANNA))
    assert [e["calendarDate"] for e in server.schedules()] == [other_day.isoformat()]
