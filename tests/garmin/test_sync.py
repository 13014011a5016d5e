"""SyncService against the local server over HTTP: idempotent push and schedule, faults, auth, crashes."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from watchsync.formats.connect_json import content_hash, workout_to_connect
from watchsync.formats.load import load_workout
from watchsync.garmin.client import GarminClient
from watchsync.garmin.errors import AuthRequired
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.prepare import workout_key
from watchsync.resolve import resolve
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import Fault, LocalGarminServer

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ANNA = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)
START = datetime(2030, 3, 4, 6, 0, tzinfo=UTC)
WRITES = ("POST", "PUT", "DELETE")


def library_files(root: Path = LIBRARY) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".toml") and "plans" not in p.parts)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state" / "watchsync.sqlite3") as opened:
        yield opened


@pytest.fixture
def make_service(store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path,
                 clock: Clock) -> Callable[..., SyncService]:
    def make(max_retries: int = 5) -> SyncService:
        def client() -> GarminClient:
            return GarminClient(garmin_token_dir, garmin_server.url, max_retries=max_retries, sleep=lambda _s: None)
        return SyncService(store, client, ANNA, now=clock)
    return make


@pytest.fixture
def service(make_service: Callable[..., SyncService]) -> SyncService:
    return make_service()


def push_files(service: SyncService, paths: list[Path]) -> list[str]:
    keys = [service.enqueue_push(load_workout(path), path) for path in paths]
    result = service.drain()
    assert result.failures == [] and result.parked is None
    return keys


def writes(server: LocalGarminServer) -> int:
    return sum(count for (method, route), count in server.stats.requests.items()
               if method in WRITES and route.startswith("/workout-service/"))


def sessions(keys: list[str], count: int) -> list[tuple[str, date]]:
    return [(keys[i % len(keys)], date(2030, 3, 10) + timedelta(days=i)) for i in range(count)]


# keys --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "key"), [("Hill repeats (base phase)", "hill-repeats-base-phase"),
                                           ("  5-minute   CORE!! ", "5-minute-core"),
                                           ("Läufer_Intervalle", "läufer-intervalle")])
def test_workout_key_is_a_slug_of_the_name(name: str, key: str) -> None:
    workout = load_workout(LIBRARY / "runs" / "easy-30.txt").model_copy(update={"name": name})
    assert workout_key(workout) == key


def test_a_name_without_letters_still_gets_a_stable_key() -> None:
    base = load_workout(LIBRARY / "runs" / "easy-30.txt")
    first, second = (workout_key(base.model_copy(update={"name": name})) for name in ("!!!", "???"))
    assert first.startswith("workout-") and first != second


# acceptance: idempotence -------------------------------------------------------------------------

def test_library_pushed_and_scheduled_twice_exists_once(service: SyncService,
                                                        garmin_server: LocalGarminServer) -> None:
    files = library_files()
    assert len(files) >= 15
    keys = push_files(service, files)
    planned = sessions(keys, 30)
    for key, day in planned:
        assert service.enqueue_schedule(key, day)
    assert service.drain().failures == []
    writes_after_first_round = writes(garmin_server)

    assert push_files(service, files) == keys
    for key, day in planned:
        assert not service.enqueue_schedule(key, day)  # recorded: only a look at the calendar is queued
    months = garmin_server.stats.count("GET", "/calendar-service/year/{year}/month/{month}")
    assert {o.action for o in service.drain().outcomes} == {"unchanged"}
    assert garmin_server.stats.count("GET", "/calendar-service/year/{year}/month/{month}") == months + 2  # Mar, Apr

    names = sorted(w["workoutName"] for w in garmin_server.workouts())
    assert names == sorted(load_workout(path).name for path in files)
    entries = garmin_server.schedules()
    assert len(entries) == 30
    ids = {row.key: row.remote_id for row in service.store.list_workouts("anna")}
    assert sorted((e["workoutId"], e["calendarDate"]) for e in entries) == sorted(
        (ids[key], day.isoformat()) for key, day in planned)
    assert writes(garmin_server) == writes_after_first_round == len(files) + 30
    assert service.client.calls["create_workout"] == len(files)


def test_editing_one_file_updates_only_that_workout(service: SyncService, garmin_server: LocalGarminServer,
                                                    tmp_path: Path) -> None:
    library = tmp_path / "library"
    shutil.copytree(LIBRARY, library, ignore=shutil.ignore_patterns("plans"))
    files = library_files(library)
    keys = push_files(service, files)
    edited = library / "runs" / "easy-30.txt"
    key = workout_key(load_workout(edited))
    for day in (date(2030, 3, 12), date(2030, 3, 19)):
        service.enqueue_schedule(key, day)
    service.drain()
    before = {w["workoutId"]: w for w in garmin_server.workouts()}
    requests_before = garmin_server.stats.requests

    edited.write_text(edited.read_text().replace("- 30m RPE 3", "- 35m RPE 3"))
    assert push_files(service, files) == keys

    after = {w["workoutId"]: w for w in garmin_server.workouts()}
    assert after.keys() == before.keys()
    changed = [i for i in after if after[i] != before[i]]
    remote_id = service.store.get_workout("anna", key).remote_id  # type: ignore[union-attr]
    assert changed == [remote_id]
    assert after[remote_id]["workoutSegments"][0]["workoutSteps"][0]["endConditionValue"] == 35 * 60
    delta = garmin_server.stats.requests - requests_before
    assert {k: v for k, v in delta.items() if k[0] in WRITES} == {("PUT", "/workout-service/workout/{id}"): 1}
    assert sorted(e["calendarDate"] for e in garmin_server.schedules() if e["workoutId"] == remote_id) == [
        "2030-03-12", "2030-03-19"]


def test_unchanged_push_makes_no_call_at_all(service: SyncService, garmin_server: LocalGarminServer) -> None:
    path = LIBRARY / "runs" / "fartlek.txt"
    push_files(service, [path])
    total = garmin_server.stats.requests.total()
    service.enqueue_push(load_workout(path), path)
    assert service.drain().outcomes == []
    assert garmin_server.stats.requests.total() == total


def test_drain_forgets_work_done_over_a_month_ago(service: SyncService, clock: Clock) -> None:
    push_files(service, [LIBRARY / "runs" / "fartlek.txt"])
    clock.now += timedelta(days=29)
    push_files(service, [LIBRARY / "runs" / "easy-45.txt"])
    clock.now += timedelta(days=2)
    assert service.drain().outcomes == []
    [kept] = service.store.list_outbox("anna", states=("done",))
    assert kept.workout_key == "easy-run-45-min"


def test_dry_run_plan_reads_only_the_store(service: SyncService, garmin_server: LocalGarminServer) -> None:
    easy, hills = (load_workout(LIBRARY / "runs" / name) for name in ("easy-30.txt", "hill-repeats.txt"))
    push_files(service, [LIBRARY / "runs" / "easy-30.txt"])
    total = garmin_server.stats.requests.total()
    longer = easy.model_copy(update={"description": "longer warm-up"})
    plans = [service.plan_push(w) for w in (easy, longer, hills)]
    assert [(p.key, p.action) for p in plans] == [
        ("easy-run-30-min", "unchanged"), ("easy-run-30-min", "update"), ("hill-repeats-base-phase", "create")]
    assert garmin_server.stats.requests.total() == total
    assert service.store.list_outbox("anna") == []


# acceptance: faults ------------------------------------------------------------------------------

def test_library_push_rides_out_faults_without_duplicates(make_service: Callable[..., SyncService],
                                                          garmin_server: LocalGarminServer, clock: Clock) -> None:
    service = make_service(max_retries=1)
    service.client.login_from_tokens()
    files = library_files()
    garmin_server.set_faults("429=0.1,503=0.1,drop=0.1,drop_after=0.15,retry_after=0,seed=3")
    keys = [service.enqueue_push(load_workout(path), path) for path in files]
    for key, day in sessions(keys, 12):
        service.enqueue_schedule(key, day)
    rounds, retried = 0, 0
    while service.store.list_outbox("anna"):
        rounds += 1
        assert rounds < 60, service.store.list_outbox("anna")
        result = service.drain()
        assert result.parked is None and all(o.status in ("done", "retry") for o in result.outcomes)
        retried += len(result.failures)
        clock.now += timedelta(hours=2)
    garmin_server.set_faults("")
    names = [w["workoutName"] for w in garmin_server.workouts()]
    assert sorted(names) == sorted(load_workout(path).name for path in files)
    entries = [(e["workoutId"], e["calendarDate"]) for e in garmin_server.schedules()]
    assert len(entries) == len(set(entries)) == 12
    assert retried > 0
    ambiguous = service.client.calls["create_workout"] + service.client.calls["schedule_workout"]
    assert ambiguous > len(files) + 12  # some writes were repeated, yet nothing exists twice


def test_unanswered_create_is_adopted_not_repeated(service: SyncService, garmin_server: LocalGarminServer,
                                                   clock: Clock) -> None:
    path = LIBRARY / "runs" / "hill-repeats.txt"
    service.enqueue_push(load_workout(path), path)
    garmin_server.inject(Fault.DROP_AFTER_WRITE)
    first = service.drain()
    assert [o.status for o in first.outcomes] == ["retry"]
    assert "connection" in first.outcomes[0].message
    clock.now += timedelta(hours=1)
    second = service.drain()
    assert [(o.status, o.action) for o in second.outcomes] == [("done", "adopted")]
    assert len(garmin_server.workouts()) == 1
    assert garmin_server.stats.count("POST", "/workout-service/workout") == 1


def test_unanswered_schedule_is_found_on_the_calendar(service: SyncService, garmin_server: LocalGarminServer,
                                                      clock: Clock) -> None:
    [key] = push_files(service, [LIBRARY / "runs" / "easy-45.txt"])
    service.enqueue_schedule(key, date(2030, 4, 2))
    garmin_server.inject(Fault.DROP_AFTER_WRITE)
    assert [o.status for o in service.drain().outcomes] == ["retry"]
    clock.now += timedelta(hours=1)
    assert [o.action for o in service.drain().outcomes] == ["schedule adopted"]
    [entry] = garmin_server.schedules()
    assert service.store.get_schedule("anna", key, date(2030, 4, 2)).remote_schedule_id == (  # type: ignore[union-attr]
        entry["workoutScheduleId"])


def test_a_race_weigh_in_and_coach_workout_on_the_calendar_do_not_stop_scheduling_or_repair(
        service: SyncService, garmin_server: LocalGarminServer, clock: Clock) -> None:
    # Garmin's month answers carry race events with "id": null, weigh-ins and Garmin Coach workouts
    race = garmin_server.add_calendar_item("event", date(2030, 4, 6), "Trail 30 km")
    garmin_server.add_calendar_item("weight", date(2030, 4, 2))
    garmin_server.add_calendar_item("fbtAdaptiveWorkout", date(2030, 4, 2), "Base")
    assert race["id"] is None
    [key] = push_files(service, [LIBRARY / "runs" / "easy-45.txt"])
    service.enqueue_schedule(key, date(2030, 4, 2))
    garmin_server.inject(Fault.DROP_AFTER_WRITE)  # the answer is lost: the calendar is read to find it
    assert [o.status for o in service.drain().outcomes] == ["retry"]
    clock.now += timedelta(hours=1)
    assert [o.action for o in service.drain().outcomes] == ["schedule adopted"]
    assert len(garmin_server.schedules()) == 1
    items = service.client.calendar_items(date(2030, 4, 1), date(2030, 4, 30))
    assert [(i["date"], i["itemType"]) for i in items] == [
        ("2030-04-02", "fbtAdaptiveWorkout"), ("2030-04-02", "weight"), ("2030-04-02", "workout"),
        ("2030-04-06", "event")]
    assert service.reconcile().drift == []


def test_rate_limit_waits_at_least_retry_after(service: SyncService, garmin_server: LocalGarminServer,
                                               clock: Clock) -> None:
    service.client.login_from_tokens()
    garmin_server.set_faults("retry_after=7200")
    garmin_server.inject(Fault.RATE_LIMIT)
    service.enqueue_push(load_workout(LIBRARY / "runs" / "easy-60.txt"))
    assert [o.status for o in service.drain().outcomes] == ["retry"]
    [item] = service.store.list_outbox("anna")
    assert item.not_before >= clock.now + timedelta(seconds=7200)
    assert "429" in (item.last_error or "")


# acceptance: authentication ----------------------------------------------------------------------

def test_revoked_tokens_park_the_queue_and_keep_it(service: SyncService, garmin_server: LocalGarminServer,
                                                   garmin_token_dir: Path, no_login_pauses: None) -> None:
    files = library_files()[:3]
    garmin_server.revoke_tokens()
    for path in files:
        service.enqueue_push(load_workout(path), path)
    result = service.drain()
    assert result.parked is not None and "re-authentication needed" in result.parked
    # the hint names the athlete: a bare `watchsync login` logs in the configuration's first athlete
    assert service.store.parked_reason("anna") == "re-authentication needed: run `watchsync login --athlete anna`"
    assert len(result.outcomes) == 1  # stopped at the first refusal
    kept = service.store.list_outbox("anna")
    assert [item.state for item in kept] == ["parked"] * 3
    assert service.drain().outcomes == []  # a parked queue is not retried
    assert garmin_server.stats.credential_logins == 0 and service.client.credential_logins == 0

    fake_token_dir(garmin_token_dir, garmin_server.url)  # as after `watchsync login`
    service.store.unpark("anna")
    resumed = SyncService(service.store, lambda: GarminClient(garmin_token_dir, garmin_server.url), ANNA)
    assert [o.status for o in resumed.drain().outcomes] == ["done"] * 3
    assert len(garmin_server.workouts()) == 3


def test_reconcile_with_revoked_tokens_parks_and_raises(service: SyncService, garmin_server: LocalGarminServer,
                                                        no_login_pauses: None) -> None:
    garmin_server.revoke_tokens()
    with pytest.raises(AuthRequired):
        service.reconcile()
    assert service.store.parked_reason("anna") is not None


# acceptance: crash recovery ----------------------------------------------------------------------

def crash_after_create(service: SyncService, workout: Workout) -> int:
    """Queue ``workout`` and create it on Garmin as the worker would, without recording the id."""
    key = service.enqueue_push(workout)
    resolved = resolve(workout, ANNA)
    created = service.client.create_workout(workout_to_connect(resolved, marker=content_hash(resolved)))
    assert service.store.get_workout("anna", key).remote_id is None  # type: ignore[union-attr]
    return int(created["workoutId"])


def test_drain_adopts_a_workout_created_before_a_crash(service: SyncService,
                                                       garmin_server: LocalGarminServer) -> None:
    workout = load_workout(LIBRARY / "runs" / "strides-40.txt")
    remote_id = crash_after_create(service, workout)
    result = service.drain()
    assert [(o.action, o.remote_id) for o in result.outcomes] == [("adopted", remote_id)]
    assert [w["workoutId"] for w in garmin_server.workouts()] == [remote_id]
    assert service.store.get_workout("anna", workout_key(workout)).remote_id == remote_id  # type: ignore[union-attr]
    assert garmin_server.stats.count("POST", "/workout-service/workout") == 1
    assert garmin_server.stats.count("PUT", "/workout-service/workout/{id}") == 0


def test_reconcile_adopts_a_workout_created_before_a_crash(service: SyncService,
                                                           garmin_server: LocalGarminServer) -> None:
    workout = load_workout(LIBRARY / "runs" / "recovery-25.txt")
    remote_id = crash_after_create(service, workout)
    found = service.reconcile()
    assert found.adopted == [workout_key(workout)] and found.drift == []
    assert service.store.list_outbox("anna") == []  # the push is done: same content hash
    assert service.drain().outcomes == []
    assert [w["workoutId"] for w in garmin_server.workouts()] == [remote_id]
