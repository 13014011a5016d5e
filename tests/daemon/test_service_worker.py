"""The per-athlete sync worker against the local Garmin server: a parked queue resumes by itself."""

from __future__ import annotations

import itertools
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watchsync.daemon.status import LAST_ERROR_KEY
from watchsync.daemon.worker import AthleteWorker
from watchsync.formats.text import parse_text
from watchsync.garmin.client import GarminClient
from watchsync.garmin.endpoints import DI_TOKEN_PATH
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.garmin.wire import Drop, Request, Response, error_response

ANNA = Athlete(name="anna", lthr=171)
EASY = "name: Easy\nsport: running\n- 30m RPE 3\n"
BACKOFF = 0.2
WAIT = 10.0


def wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class Rig:
    server: LocalGarminServer
    store: Store
    tokens: Path
    state: Path
    logins: list[float]  # monotonic times the worker made a fresh client

    def new_client(self) -> GarminClient:
        self.logins.append(time.monotonic())
        return GarminClient(self.tokens, self.server.url, sleep=lambda _s: None)

    def queue_push(self) -> None:
        unused = GarminClient(self.tokens, self.server.url)  # queueing never calls Garmin
        SyncService(self.store, lambda: unused, ANNA).enqueue_push(parse_text(EASY))

    def fail_token_refresh(self, monkeypatch: pytest.MonkeyPatch, times: int) -> None:
        """The DI token endpoint answers 503 ``times`` times (an outage, not a revoked login)."""
        real, left = self.server.dispatch, [times]

        def dispatch(request: Request) -> Response | Drop:
            if request.path == DI_TOKEN_PATH and left[0] > 0:
                left[0] -= 1
                return error_response(503, "temporarily unavailable")
            return real(request)

        monkeypatch.setattr(self.server, "dispatch", dispatch)

    @contextmanager
    def running_worker(self, client: GarminClient | None = None, backoff: float = BACKOFF) -> Iterator[AthleteWorker]:
        stop = threading.Event()
        worker = AthleteWorker(self.store, ANNA, self.new_client, self.tokens, self.state, stop, client,
                               resume_backoff=backoff)
        worker.start()
        try:
            yield worker
        finally:
            stop.set()
            worker.wake()
            worker.join(5)


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    import garminconnect.api.base

    monkeypatch.setattr(garminconnect.api.base, "time", types.SimpleNamespace(sleep=lambda _s: None))
    with running_server() as server, Store.open(tmp_path / "store.sqlite3") as store:
        yield Rig(server, store, fake_token_dir(tmp_path / "tokens", server.url), tmp_path / "state", [])


def test_a_failed_token_refresh_parks_only_until_the_next_login_attempt(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    client = rig.new_client()
    client.login_from_tokens()
    rig.queue_push()
    rig.fail_token_refresh(monkeypatch, times=1)
    rig.server.expire_access_tokens()  # the hourly expiry; its refresh meets the outage

    with rig.running_worker(client):
        wait_for(lambda: rig.server.workouts(), "the push after the queue resumed")
        wait_for(lambda: rig.store.parked_reason("anna") is None, "the queue released")
    assert rig.store.list_outbox("anna") == []
    assert rig.server.stats.credential_logins == 0


def test_a_queue_parked_at_start_resumes_without_a_token_file_change(rig: Rig) -> None:
    rig.store.park("anna", "re-authentication needed: run `watchsync login`")  # the daemon's login met a blip
    rig.queue_push()

    with rig.running_worker():
        wait_for(lambda: rig.server.workouts(), "the push after the queue resumed")
    assert rig.store.parked_reason("anna") is None


def test_revoked_tokens_are_tried_on_a_growing_backoff_never_with_credentials(rig: Rig) -> None:
    rig.store.park("anna", "re-authentication needed: run `watchsync login`")
    rig.server.revoke_tokens()
    rig.queue_push()

    with rig.running_worker():
        started = time.monotonic()
        wait_for(lambda: len(rig.logins) >= 4, "three login attempts")
    attempts = rig.logins[1:4]  # logins[0] is the worker's own client, made at construction
    gaps = [later - earlier for earlier, later in zip([started, *attempts], attempts, strict=False)]
    assert all(gap >= 0.9 * BACKOFF * factor for gap, factor in zip(gaps, (1, 2, 4), strict=True)), gaps
    assert rig.store.parked_reason("anna") is not None and rig.server.workouts() == []
    assert rig.server.stats.credential_logins == 0


def test_a_login_refused_while_draining_parks_the_queue_naming_the_athletes_login_command(rig: Rig) -> None:
    from watchsync.daemon.status import LAST_ERROR_KEY

    rig.server.revoke_tokens()
    rig.queue_push()
    with rig.running_worker():
        wait_for(lambda: rig.store.parked_reason("anna") is not None, "the queue parked")
        wait_for(lambda: rig.store.kv_get("anna", LAST_ERROR_KEY) is not None, "the error recorded")
    for said in (rig.store.parked_reason("anna"), rig.store.kv_get("anna", LAST_ERROR_KEY)):
        assert "`watchsync login --athlete anna`" in str(said), said  # status and the log name the athlete


def test_a_login_written_by_watchsync_login_is_tried_at_once(rig: Rig) -> None:
    rig.store.park("anna", "re-authentication needed: run `watchsync login`")
    rig.server.revoke_tokens()
    rig.queue_push()
    with rig.running_worker(backoff=3600):
        fake_token_dir(rig.tokens, rig.server.url)  # new tokens: no backoff wait
        wait_for(lambda: rig.server.workouts(), "the push with the new tokens")


def test_a_403_challenge_page_backs_off_without_parking(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    real = rig.server.dispatch
    challenge = Response(403, b"<html>Just a moment...</html>", "text/html", {"cf-mitigated": "challenge"})

    def dispatch(request: Request) -> Response | Drop:
        return challenge if request.path.startswith("/workout-service/") else real(request)

    monkeypatch.setattr(rig.server, "dispatch", dispatch)
    rig.queue_push()
    with rig.running_worker():
        wait_for(lambda: rig.store.list_outbox("anna")[0].attempts == 1, "the first attempt")
    assert rig.store.parked_reason("anna") is None
    assert "HTTP 403" in (rig.store.list_outbox("anna")[0].last_error or "")


def test_an_activity_sync_that_cannot_write_is_logged_and_the_queue_still_drains(rig: Rig) -> None:
    rig.state.write_text("a file where the state directory should be")  # FIT files cannot be stored
    rig.server.add_activity(b"not even a FIT file", start_time=datetime.now(UTC) - timedelta(hours=2))
    rig.queue_push()
    with rig.running_worker() as worker:
        worker.request_activity_sync()
        wait_for(lambda: rig.server.workouts(), "the push after the failed activity sync")
        wait_for(lambda: rig.store.kv_get("anna", LAST_ERROR_KEY), "the error recorded")
        assert worker.healthy
    assert "activity sync" in str(rig.store.kv_get("anna", LAST_ERROR_KEY))


def test_a_parked_queue_meeting_an_unreachable_garmin_tries_again_soon_not_on_the_slow_backoff(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parked earlier, resumed while Garmin is down: the next try comes at the unreachable pace."""
    rig.store.park("anna", "re-authentication needed: run `watchsync login`")
    rig.queue_push()
    real, down = rig.server.dispatch, [True]

    def dispatch(request: Request) -> Response | Drop:
        return Drop.NOW if down[0] else real(request)

    monkeypatch.setattr(rig.server, "dispatch", dispatch)
    stop = threading.Event()
    worker = AthleteWorker(rig.store, ANNA, rig.new_client, rig.tokens, rig.state, stop, None,
                           resume_backoff=2.0, unreachable_retry=timedelta(seconds=0.1))
    worker.start()
    try:
        wait_for(lambda: len(rig.logins) >= 3, "two logins while Garmin is down")
        down[0] = False
        wait_for(lambda: rig.server.workouts(), "the push once Garmin is back")
    finally:
        stop.set()
        worker.wake()
        worker.join(5)
    attempts = rig.logins[1:4]
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps and max(gaps) < 2.0, gaps  # not the doubling slow backoff (2, 4, 8 s ...) while unreachable
    assert rig.store.parked_reason("anna") is None and rig.server.stats.credential_logins == 0


def test_watchsync_login_releasing_the_queue_logs_no_false_reauthentication_error(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    """journey11 #5: `watchsync login` writes new tokens and unparks; the worker's old client met its
    revoked tokens, parked again with an error line, then logged in again."""
    import logging

    client = rig.new_client()
    client.login_from_tokens()
    rig.server.revoke_tokens()
    rig.store.park("anna", "re-authentication needed: run `watchsync login --athlete anna`")
    caplog.set_level(logging.INFO, logger="watchsync")
    with rig.running_worker(client, backoff=3600) as worker:
        fake_token_dir(rig.tokens, rig.server.url)  # what `watchsync login` does: new tokens, then the release
        rig.store.unpark("anna")
        rig.queue_push()
        worker.wake()
        wait_for(lambda: rig.server.workouts(), "the push with the new tokens")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert rig.store.parked_reason("anna") is None
