"""SyncService: refusals, read-back mismatches, unscheduling, deleting, reconcile repairs, drain controls."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from watchsync.formats.load import load_workout
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncError, SyncService, drain_lock
from watchsync.model.athlete import Athlete
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.garmin.wire import Drop, Request, Response

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ANNA = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)
NOW = datetime(2030, 3, 4, 6, 0, tzinfo=UTC)
DAY = date(2030, 3, 12)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "watchsync.sqlite3") as opened:
        yield opened


def service_for(store: Store, server: LocalGarminServer, token_dir: Path) -> SyncService:
    return SyncService(store, lambda: GarminClient(token_dir, server.url, sleep=lambda _s: None), ANNA,
                       now=lambda: NOW)


@pytest.fixture
def service(store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path) -> SyncService:
    return service_for(store, garmin_server, garmin_token_dir)


def pushed(service: SyncService, name: str) -> tuple[str, int]:
    key = service.enqueue_push(load_workout(LIBRARY / "runs" / name))
    assert [o.status for o in service.drain().outcomes] == ["done"]
    row = service.store.get_workout("anna", key)
    assert row is not None and row.remote_id is not None
    return key, row.remote_id


# refusals and read-back --------------------------------------------------------------------------

class StepTypeQuirkServer(LocalGarminServer):
    """Stores step 1 as an interval step (a Garmin-side change): a read and a create's answer show it."""

    def dispatch(self, request: Request) -> Response | Drop:
        response = super().dispatch(request)
        stored_copy = ((request.method == "GET" and request.path.startswith("/workout-service/workout/"))
                       or (request.method == "POST" and request.path == "/workout-service/workout"))
        if isinstance(response, Response) and response.status == 200 and stored_copy:
            body = json.loads(response.body)
            body["workoutSegments"][0]["workoutSteps"][0]["stepType"] = {"stepTypeId": 3, "stepTypeKey": "interval"}
            response = Response(200, json.dumps(body).encode())
        return response


def test_read_back_mismatch_names_the_step_and_holds_the_item(store: Store, tmp_path: Path) -> None:
    with StepTypeQuirkServer() as server:
        service = service_for(store, server, fake_token_dir(tmp_path / "tokens", server.url))
        key = service.enqueue_push(load_workout(LIBRARY / "runs" / "hill-repeats.txt"))
        [outcome] = service.drain().outcomes
        assert outcome.status == "refused"
        assert "read-back after create" in outcome.message
        assert "step 1: step type 1 sent, 3 stored" in outcome.message
        [item] = store.list_outbox("anna")
        assert item.not_before > NOW + timedelta(days=1) and item.last_error == outcome.message
        row = store.get_workout("anna", key)
        assert row is not None and row.remote_id == server.workouts()[0]["workoutId"]  # id kept: no re-create


def test_a_refused_workout_holds_only_its_own_row(service: SyncService, garmin_server: LocalGarminServer) -> None:
    good = load_workout(LIBRARY / "runs" / "easy-30.txt")
    blank = good.model_copy(update={"name": "   "})  # Garmin requires a visible name
    blank_key = service.enqueue_push(blank)
    service.enqueue_push(good)
    result = service.drain()
    assert [(o.status, o.key) for o in result.outcomes] == [("refused", blank_key), ("done", "easy-run-30-min")]
    message = result.outcomes[0].message
    assert "HTTP 400" in message and "workoutName is required" in message
    assert [w["workoutName"] for w in garmin_server.workouts()] == ["Easy run 30 min"]
    assert [item.state for item in service.store.list_outbox("anna")] == ["pending"]


def test_pushing_a_refused_workout_again_retries_at_once(service: SyncService,
                                                         garmin_server: LocalGarminServer) -> None:
    blank = load_workout(LIBRARY / "runs" / "easy-30.txt").model_copy(update={"name": "   "})
    service.enqueue_push(blank)
    assert [o.status for o in service.drain().outcomes] == ["refused"]
    assert service.drain().outcomes == []  # held
    service.enqueue_push(blank)
    assert [o.status for o in service.drain().outcomes] == ["refused"]
    assert garmin_server.stats.count("POST", "/workout-service/workout") == 2


# calendar ----------------------------------------------------------------------------------------

def test_unschedule_removes_exactly_that_entry(service: SyncService, garmin_server: LocalGarminServer) -> None:
    key, _remote = pushed(service, "easy-30.txt")
    other, _ = pushed(service, "easy-45.txt")
    for workout, day in ((key, DAY), (key, DAY + timedelta(days=1)), (other, DAY)):
        service.enqueue_schedule(workout, day)
    service.drain()
    assert len(garmin_server.schedules()) == 3
    target = service.store.get_schedule("anna", key, DAY)
    assert service.enqueue_unschedule(key, DAY)
    assert [o.action for o in service.drain().outcomes] == ["unscheduled"]
    remaining = {e["workoutScheduleId"] for e in garmin_server.schedules()}
    assert len(remaining) == 2 and target is not None and target.remote_schedule_id not in remaining
    assert not service.enqueue_unschedule(key, DAY)  # already removed


def test_unschedule_finds_the_entry_when_the_store_lacks_its_id(service: SyncService,
                                                                garmin_server: LocalGarminServer) -> None:
    key, remote_id = pushed(service, "easy-30.txt")
    service.client.schedule_workout(remote_id, DAY)  # e.g. scheduled before a crash, or by hand
    kept = service.client.schedule_workout(remote_id, DAY + timedelta(days=7))
    service.enqueue_unschedule(key, DAY)
    assert [o.action for o in service.drain().outcomes] == ["unscheduled"]
    assert [e["workoutScheduleId"] for e in garmin_server.schedules()] == [kept]


def test_schedule_needs_a_pushed_workout(service: SyncService) -> None:
    with pytest.raises(SyncError, match="never pushed"):
        service.enqueue_schedule("nothing-here", DAY)


def test_delete_removes_the_workout_and_its_schedules(service: SyncService, garmin_server: LocalGarminServer) -> None:
    key, _remote = pushed(service, "fartlek.txt")
    kept, _ = pushed(service, "easy-45.txt")
    service.enqueue_schedule(key, DAY)
    service.enqueue_schedule(kept, DAY)
    service.drain()
    assert service.enqueue_delete(key)
    assert [o.action for o in service.drain().outcomes] == ["deleted"]
    assert [w["workoutName"] for w in garmin_server.workouts()] == ["Easy run 45 min"]
    assert len(garmin_server.schedules()) == 1
    assert service.store.get_schedule("anna", key, DAY).state == "removed"  # type: ignore[union-attr]
    assert not service.enqueue_delete(key)
    pushed(service, "fartlek.txt")  # pushing it again brings it back
    assert len(garmin_server.workouts()) == 2


# reconcile ---------------------------------------------------------------------------------------

def test_reconcile_recreates_deleted_workouts_with_their_schedules(service: SyncService,
                                                                   garmin_server: LocalGarminServer) -> None:
    key, remote_id = pushed(service, "long-easy-90.txt")
    service.enqueue_schedule(key, DAY)
    service.drain()
    service.client.delete_workout(remote_id)  # deleted in Garmin Connect
    found = service.reconcile()
    assert found.recreated == [key] and found.schedules_requeued == [f"{key}@{DAY}"]
    assert [o.status for o in service.drain().outcomes] == ["done", "done"]
    [workout] = garmin_server.workouts()
    assert workout["workoutId"] != remote_id
    assert [(e["workoutId"], e["calendarDate"]) for e in garmin_server.schedules()] == [
        (workout["workoutId"], DAY.isoformat())]


def test_reconcile_records_a_schedule_made_before_a_crash(service: SyncService,
                                                          garmin_server: LocalGarminServer) -> None:
    key, remote_id = pushed(service, "easy-60.txt")
    service.enqueue_schedule(key, DAY)
    schedule_id = service.client.schedule_workout(remote_id, DAY)  # POST done, record lost
    found = service.reconcile()
    assert found.schedules_recorded == [f"{key}@{DAY}"]
    assert service.store.get_schedule("anna", key, DAY).remote_schedule_id == schedule_id  # type: ignore[union-attr]
    assert service.drain().outcomes == []
    assert len(garmin_server.schedules()) == 1


def test_reconcile_reports_drift_without_overwriting(service: SyncService, garmin_server: LocalGarminServer) -> None:
    key, remote_id = pushed(service, "easy-60.txt")
    edited = service.client.get_workout(remote_id)
    edited["description"] = "changed by hand"
    service.client.update_workout(remote_id, edited)
    found = service.reconcile()
    assert len(found.drift) == 1 and found.drift[0].startswith(f"{key}: changed on Garmin Connect")
    assert service.store.list_outbox("anna") == []
    assert garmin_server.workouts()[0]["description"] == "changed by hand"


def test_an_edit_in_garmins_step_editor_is_drift_though_the_description_is_kept(
        service: SyncService, garmin_server: LocalGarminServer) -> None:
    """probe docs11: only a changed marker line was seen; an edit of a step (which keeps the description)
    left `list` "in sync" and `push` "unchanged" while the watch ran the edited workout."""
    import time

    key, remote_id = pushed(service, "easy-60.txt")
    assert service.reconcile().drift == []
    time.sleep(1.05)  # Garmin's update time counts seconds
    edited = service.client.get_workout(remote_id)
    edited["workoutSegments"][0]["workoutSteps"][0]["endConditionValue"] = 1200.0
    service.client.update_workout(remote_id, edited)
    found = service.reconcile()
    assert len(found.drift) == 1 and found.drift[0].startswith(f"{key}: changed on Garmin Connect")


def test_a_clean_reconcile_changes_nothing(service: SyncService, garmin_server: LocalGarminServer) -> None:
    key, _ = pushed(service, "easy-30.txt")
    service.enqueue_schedule(key, DAY)
    service.drain()
    found = service.reconcile()
    assert (found.adopted, found.recreated, found.schedules_recorded, found.schedules_requeued, found.drift) == (
        [], [], [], [], [])


# drain controls ----------------------------------------------------------------------------------

def test_drain_limit_progress_and_stop(service: SyncService) -> None:
    for name in ("easy-30.txt", "easy-45.txt", "easy-60.txt"):
        service.enqueue_push(load_workout(LIBRARY / "runs" / name))
    seen: list[tuple[int, int]] = []
    first = service.drain(limit=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)] and first.remaining == 1
    stop = threading.Event()
    stop.set()
    assert service.drain(stop=stop).outcomes == []
    assert service.drain().remaining == 0


def test_a_workout_deleted_on_garmin_comes_back_only_on_coming_days(service: SyncService,
                                                                     garmin_server: LocalGarminServer) -> None:
    key, remote_id = pushed(service, "long-easy-90.txt")
    past, today = NOW.date() - timedelta(days=10), NOW.date()
    for day in (past, today, DAY):
        service.enqueue_schedule(key, day)
    service.drain()
    service.client.delete_workout(remote_id)
    found = service.reconcile()
    assert found.recreated == [key] and found.schedules_requeued == [f"{key}@{today}", f"{key}@{DAY}"]
    service.drain()
    assert sorted(e["calendarDate"] for e in garmin_server.schedules()) == [today.isoformat(), DAY.isoformat()]
    assert service.reconcile().schedules_requeued == []  # the past day stays as it is


def test_an_entry_removed_on_garmin_is_restored_only_on_coming_days(service: SyncService,
                                                                    garmin_server: LocalGarminServer) -> None:
    key, _remote_id = pushed(service, "easy-45.txt")
    past = NOW.date() - timedelta(days=3)
    for day in (past, DAY):
        service.enqueue_schedule(key, day)
    service.drain()
    for entry in garmin_server.schedules():
        service.client.unschedule(entry["workoutScheduleId"])  # removed by hand in Garmin Connect
    assert service.reconcile().schedules_requeued == [f"{key}@{DAY}"]
    service.drain()
    assert [e["calendarDate"] for e in garmin_server.schedules()] == [DAY.isoformat()]


def test_reconcile_waits_for_a_running_drain(service: SyncService) -> None:
    pushed(service, "easy-30.txt")
    service.client.login_from_tokens()
    release, finished = threading.Event(), threading.Event()
    holding = threading.Event()

    def drain_elsewhere() -> None:  # as the daemon's drain while the CLI runs `watchsync sync`
        with drain_lock(service.store.path, "anna"):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=drain_elsewhere)
    holder.start()
    assert holding.wait(5)
    def reconcile() -> None:
        service.reconcile()
        finished.set()

    reconciler = threading.Thread(target=reconcile)
    reconciler.start()
    assert not finished.wait(0.3)
    release.set()
    holder.join()
    reconciler.join(10)
    assert finished.is_set()
