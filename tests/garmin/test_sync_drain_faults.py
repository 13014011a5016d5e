"""A drain survives a broken item and stops, holding the queue, when Garmin rate-limits or a login fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watchsync.formats.load import load_workout
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import Fault, LocalGarminServer
from watchsync.testing.garmin.wire import Drop, Request, Response

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ANNA = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)
START = datetime(2030, 3, 4, 6, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class OddCreateServer(LocalGarminServer):
    """Creates the workout but answers the first create with a body that lacks ``workoutId``."""

    def __init__(self) -> None:
        super().__init__()
        self.odd_answers = 1

    def dispatch(self, request: Request) -> Response | Drop:
        response = super().dispatch(request)
        if self.odd_answers and request.method == "POST" and request.path == "/workout-service/workout":
            self.odd_answers -= 1
            return Response(200, json.dumps({"status": "accepted"}).encode())
        return response


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "watchsync.sqlite3") as opened:
        yield opened


def service_for(store: Store, server: LocalGarminServer, token_dir: Path, clock: Clock) -> SyncService:
    return SyncService(store, lambda: GarminClient(token_dir, server.url, sleep=lambda _s: None), ANNA, now=clock)


@pytest.fixture
def service(store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path, clock: Clock) -> SyncService:
    return service_for(store, garmin_server, garmin_token_dir, clock)


def variants(count: int) -> list[Workout]:
    base = load_workout(LIBRARY / "runs" / "easy-30.txt")
    return [base.model_copy(update={"name": f"Easy {number}"}) for number in range(count)]


def api_requests(server: LocalGarminServer) -> int:
    return sum(count for (_method, route), count in server.stats.requests.items()
               if not route.startswith(("/_watchsync", "/di-oauth", "/sso", "/oauth")))


# 4. a broken item ---------------------------------------------------------------------------------

def test_an_unreadable_stored_workout_is_backed_off_and_the_rest_goes_on(service: SyncService, store: Store,
                                                                         garmin_server: LocalGarminServer,
                                                                         clock: Clock) -> None:
    broken, good = variants(2)
    broken_key = service.enqueue_push(broken)
    service.enqueue_push(good)
    row = store.get_workout("anna", broken_key)
    assert row is not None  # as stored by an older watchsync whose model has changed since:
    store.upsert_workout("anna", broken_key, content_hash=row.content_hash, payload={**row.payload, "sport": "jogging"})
    result = service.drain()
    assert [(o.key, o.status) for o in result.outcomes] == [(broken_key, "retry"), ("easy-1", "done")]
    message = result.outcomes[0].message
    assert message.startswith("internal error: ValidationError") and "sport" in message and "\n" not in message
    [item] = store.list_outbox("anna")
    assert item.attempts == 1 and item.not_before > clock.now and item.last_error == message
    assert service.drain().outcomes == []  # backed off, not first in line again at once
    assert [w["workoutName"] for w in garmin_server.workouts()] == ["Easy 1"]


def test_an_odd_answer_to_a_create_is_retried_and_the_workout_adopted(store: Store, tmp_path: Path,
                                                                      clock: Clock) -> None:
    with OddCreateServer() as server:
        service = service_for(store, server, fake_token_dir(tmp_path / "tokens", server.url), clock)
        [workout] = variants(1)
        service.enqueue_push(workout)
        [first] = service.drain().outcomes
        assert first.status == "retry" and "KeyError" in first.message
        clock.now += timedelta(hours=1)
        assert [(o.status, o.action) for o in service.drain().outcomes] == [("done", "adopted")]
        assert len(server.workouts()) == 1


# 7. rate limits and failed logins ------------------------------------------------------------------

def test_a_long_rate_limit_at_login_stops_the_drain_and_holds_the_queue(service: SyncService, store: Store,
                                                                        garmin_server: LocalGarminServer,
                                                                        clock: Clock) -> None:
    workouts = variants(20)
    for workout in workouts:
        service.enqueue_push(workout)
    garmin_server.set_faults("429=1,retry_after=3600")
    result = service.drain()
    assert [o.status for o in result.outcomes] == ["retry"]
    blocked_at = clock.now + timedelta(seconds=3600)
    assert result.held_until is not None and result.held_until >= blocked_at
    assert all(item.not_before >= blocked_at for item in store.list_outbox("anna"))
    requests = api_requests(garmin_server)
    assert requests <= 3  # one login attempt, not one per item

    clock.now += timedelta(minutes=10)
    assert service.drain().outcomes == []
    assert api_requests(garmin_server) == requests
    assert store.next_due_at("anna") == result.held_until

    service.enqueue_push(workouts[0].model_copy(update={"name": "Queued meanwhile"}))  # tried once, at once
    assert [o.status for o in service.drain().outcomes] == ["retry"]
    assert api_requests(garmin_server) <= 2 * requests

    garmin_server.set_faults("")
    clock.now += timedelta(hours=2)
    assert [o.status for o in service.drain().outcomes] == ["done"] * 21


def test_a_long_rate_limit_mid_drain_makes_no_further_call(service: SyncService, store: Store,
                                                           garmin_server: LocalGarminServer, clock: Clock) -> None:
    for workout in variants(5):
        service.enqueue_push(workout)
    service.client.login_from_tokens()
    garmin_server.set_faults("retry_after=7200")
    garmin_server.inject(Fault.RATE_LIMIT)
    before = api_requests(garmin_server)
    result = service.drain()
    assert [o.status for o in result.outcomes] == ["retry"]
    assert api_requests(garmin_server) == before + 1
    assert result.held_until is not None and result.held_until >= clock.now + timedelta(seconds=7200)
    assert store.next_due(now=clock.now + timedelta(seconds=7199)) is None


def test_a_failed_login_is_not_repeated_for_every_item(service: SyncService, store: Store,
                                                       garmin_server: LocalGarminServer, clock: Clock) -> None:
    for workout in variants(5):
        service.enqueue_push(workout)
    garmin_server.set_faults("503=1")
    result = service.drain()
    assert [o.status for o in result.outcomes] == ["retry"]
    assert result.held_until is not None and result.held_until > clock.now
    assert store.next_due(now=result.held_until - timedelta(microseconds=1)) is None
    garmin_server.set_faults("")
    clock.now = result.held_until
    assert [o.status for o in service.drain().outcomes] == ["done"] * 5


def test_a_server_error_on_one_item_does_not_hold_the_others(service: SyncService,
                                                             garmin_server: LocalGarminServer) -> None:
    for workout in variants(3):
        service.enqueue_push(workout)
    service.client.login_from_tokens()
    garmin_server.inject(Fault.SERVER_ERROR, count=service.client.max_retries + 1)
    result = service.drain()
    assert [o.status for o in result.outcomes] == ["retry", "done", "done"]
    assert result.held_until is None
