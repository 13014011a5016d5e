"""GarminClient through garminconnect's real code path, over HTTP, against the local server."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from watchsync.formats.text import parse_text
from watchsync.garmin.client import GarminClient
from watchsync.garmin.errors import AuthRequired, Blocked, GarminError, NotFound, RateLimited, Rejected, Transient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import Account, Fault, Faults, LocalGarminServer
from watchsync.testing.garmin.wire import Drop, Request, Response, error_response

EMAIL, PASSWORD, MFA_CODE = "runner@example.com", "s3cret-Passw0rd!", "918273"
FIT_BYTES = b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT" + bytes(range(200))


def running_workout(name: str = "Easy run") -> dict[str, Any]:
    sport = {"sportTypeId": 1, "sportTypeKey": "running"}
    steps = [{"type": "ExecutableStepDTO", "stepOrder": 1, "stepType": {"stepTypeId": 3, "stepTypeKey": "interval"},
              "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"}, "endConditionValue": 1800.0,
              "targetType": {"workoutTargetTypeId": 4, "workoutTargetTypeKey": "heart.rate.zone"},
              "targetValueOne": 135.0, "targetValueTwo": 150.0}]
    return {"workoutName": name, "sportType": sport,
            "workoutSegments": [{"segmentOrder": 1, "sportType": sport, "workoutSteps": steps}]}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def stored_tokens(token_dir: Path) -> dict[str, str]:
    tokens: dict[str, str] = json.loads((token_dir / "garmin_tokens.json").read_text())
    return tokens


@pytest.fixture
def mfa_server(garmin_server: LocalGarminServer) -> LocalGarminServer:
    garmin_server.set_account(Account(email=EMAIL, password=PASSWORD, mfa_code=MFA_CODE))
    return garmin_server


@pytest.fixture
def password_server(garmin_server: LocalGarminServer) -> LocalGarminServer:
    garmin_server.set_account(Account(email=EMAIL, password=PASSWORD))
    return garmin_server


# endpoint and tokens -----------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["https://connectapi.garmin.com", "http://10.0.0.7:8765",
                                      "http://127.0.0.1.example.org:80", "ftp://127.0.0.1:21",
                                      "http://127.0.0.1:8765/api"])
def test_only_loopback_endpoints_are_accepted(tmp_path: Path, endpoint: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        GarminClient(tmp_path, endpoint)


def test_login_from_tokens_fixes_permissions(garmin_server: LocalGarminServer, tmp_path: Path) -> None:
    token_dir = fake_token_dir(tmp_path / "tokens", garmin_server.url)
    os.chmod(token_dir, 0o755)
    os.chmod(token_dir / "garmin_tokens.json", 0o644)
    client = GarminClient(token_dir, garmin_server.url)
    client.login_from_tokens()
    assert client.whoami()["display_name"] == "local-runner"
    assert (mode(token_dir), mode(token_dir / "garmin_tokens.json")) == (0o700, 0o600)


def test_missing_tokens_need_a_login(garmin_server: LocalGarminServer, tmp_path: Path) -> None:
    client = GarminClient(tmp_path / "nothing", garmin_server.url)
    with pytest.raises(AuthRequired, match="run `watchsync login`"):
        client.get_workout(1)
    assert garmin_server.stats.requests.total() == 0


def test_expired_access_token_is_refreshed_and_the_rotation_saved(
        garmin_client: GarminClient, garmin_server: LocalGarminServer, garmin_token_dir: Path) -> None:
    before = stored_tokens(garmin_token_dir)
    garmin_server.expire_access_tokens()
    assert garmin_client.list_workouts() == []
    after = stored_tokens(garmin_token_dir)
    assert after["di_refresh_token"] != before["di_refresh_token"]
    assert after["di_token"] != before["di_token"]
    assert mode(garmin_token_dir / "garmin_tokens.json") == 0o600
    assert (garmin_server.stats.token_refreshes, garmin_client.credential_logins) == (1, 0)
    fresh = GarminClient(garmin_token_dir, garmin_server.url)
    assert fresh.list_workouts() == []  # the re-saved tokens work for the next process


def test_token_expired_by_its_jwt_is_refreshed_at_login(garmin_server: LocalGarminServer, tmp_path: Path) -> None:
    token_dir = fake_token_dir(tmp_path / "tokens", garmin_server.url, expired=True)
    before = stored_tokens(token_dir)
    client = GarminClient(token_dir, garmin_server.url)
    client.login_from_tokens()
    assert stored_tokens(token_dir)["di_refresh_token"] != before["di_refresh_token"]
    assert garmin_server.stats.token_refreshes == 1


def test_revoked_tokens_need_a_login_without_trying_credentials(
        garmin_client: GarminClient, garmin_server: LocalGarminServer, garmin_token_dir: Path,
        no_login_pauses: None) -> None:
    garmin_server.revoke_tokens()
    with pytest.raises(AuthRequired, match="re-authentication needed"):
        garmin_client.list_workouts()
    with pytest.raises(AuthRequired):
        GarminClient(garmin_token_dir, garmin_server.url).login_from_tokens()
    assert garmin_client.credential_logins == 0
    assert garmin_server.stats.credential_logins == 0


def test_logout_removes_tokens(garmin_client: GarminClient, garmin_token_dir: Path) -> None:
    garmin_client.logout()
    assert not (garmin_token_dir / "garmin_tokens.json").exists()
    with pytest.raises(AuthRequired):
        garmin_client.list_workouts()


# credential login and MFA ------------------------------------------------------------------------

def test_credential_login_saves_owner_only_tokens(password_server: LocalGarminServer, tmp_path: Path,
                                                  no_login_pauses: None) -> None:
    token_dir = tmp_path / "new" / "tokens"
    client = GarminClient(token_dir, password_server.url)
    assert client.login_with_credentials(EMAIL, PASSWORD) == "ok"
    assert (mode(token_dir), mode(token_dir / "garmin_tokens.json")) == (0o700, 0o600)
    assert client.whoami()["full_name"] == "Local Runner"
    assert GarminClient(token_dir, password_server.url).list_workouts() == []
    assert (client.credential_logins, password_server.stats.credential_logins) == (1, 1)


def test_at_most_one_credential_login_per_client(password_server: LocalGarminServer, tmp_path: Path,
                                                 no_login_pauses: None) -> None:
    client = GarminClient(tmp_path, password_server.url)
    with pytest.raises(AuthRequired, match="Invalid Username or Password"):
        client.login_with_credentials(EMAIL, "wrong")
    assert not (tmp_path / "garmin_tokens.json").exists()
    with pytest.raises(GarminError, match="already attempted"):
        client.login_with_credentials(EMAIL, PASSWORD)
    assert password_server.stats.credential_logins == 1


def test_interactive_mfa_asks_once(mfa_server: LocalGarminServer, tmp_path: Path, no_login_pauses: None) -> None:
    asked: list[str] = []

    def prompt() -> str:
        asked.append("code")
        return MFA_CODE

    client = GarminClient(tmp_path, mfa_server.url)
    assert client.login_with_credentials(EMAIL, PASSWORD, mfa_code_prompt=prompt) == "ok"
    assert asked == ["code"]
    assert client.list_workouts() == []
    assert mode(tmp_path / "garmin_tokens.json") == 0o600


def test_non_interactive_mfa_resumes_in_another_client(mfa_server: LocalGarminServer, tmp_path: Path,
                                                       no_login_pauses: None) -> None:
    first = GarminClient(tmp_path, mfa_server.url)
    assert first.login_with_credentials(EMAIL, PASSWORD) == "needs_mfa"
    pending = tmp_path / "garmin_mfa_state.json"
    assert mode(pending) == 0o600
    assert not (tmp_path / "garmin_tokens.json").exists()

    later = GarminClient(tmp_path, mfa_server.url)
    with pytest.raises(AuthRequired, match="MFA code not accepted"):
        later.resume_mfa("000000")
    assert pending.exists()
    later.resume_mfa(MFA_CODE)
    assert not pending.exists()
    assert mode(tmp_path / "garmin_tokens.json") == 0o600
    assert later.whoami()["display_name"] == "local-runner"
    assert GarminClient(tmp_path, mfa_server.url).list_workouts() == []
    assert (mfa_server.stats.credential_logins, mfa_server.stats.token_exchanges) == (1, 1)


def test_resume_without_a_pending_login(garmin_server: LocalGarminServer, tmp_path: Path) -> None:
    with pytest.raises(AuthRequired, match="no login is waiting"):
        GarminClient(tmp_path, garmin_server.url).resume_mfa(MFA_CODE)


def test_secrets_never_reach_the_logs(mfa_server: LocalGarminServer, tmp_path: Path, no_login_pauses: None,
                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    first = GarminClient(tmp_path, mfa_server.url, sleep=lambda _s: None)
    assert first.login_with_credentials(EMAIL, PASSWORD) == "needs_mfa"
    state = (tmp_path / "garmin_mfa_state.json").read_text()
    client = GarminClient(tmp_path, mfa_server.url, sleep=lambda _s: None)
    client.resume_mfa(MFA_CODE)
    issued = stored_tokens(tmp_path)
    mfa_server.expire_access_tokens()
    mfa_server.inject(Fault.SERVER_ERROR)
    assert client.list_workouts() == []
    workout_id = client.create_workout(running_workout())["workoutId"]
    client.schedule_workout(workout_id, date(2024, 5, 1))
    with pytest.raises(Rejected):
        client.create_workout({"workoutName": "broken"})
    rotated = stored_tokens(tmp_path)
    secrets = {PASSWORD, MFA_CODE, issued["di_token"], issued["di_refresh_token"], rotated["di_token"],
               rotated["di_refresh_token"], *(cookie["value"] for cookie in json.loads(state)["cookies"])}
    assert len(caplog.records) > 10
    logged = "\n".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)
    for secret in secrets:
        assert secret not in logged and secret[-10:] not in logged


# API round trips -------------------------------------------------------------------------------

def test_workout_and_schedule_calls_round_trip(garmin_client: GarminClient, garmin_server: LocalGarminServer) -> None:
    created = garmin_client.create_workout(running_workout())
    workout_id = created["workoutId"]
    assert garmin_client.get_workout(workout_id)["workoutSegments"][0]["workoutSteps"][0]["targetValueTwo"] == 150.0
    garmin_client.update_workout(workout_id, running_workout("Easy run, longer"))
    assert garmin_client.get_workout(workout_id)["workoutName"] == "Easy run, longer"
    assert [w["workoutId"] for w in garmin_client.list_workouts()] == [workout_id]
    schedule_id = garmin_client.schedule_workout(workout_id, date(2024, 5, 14))
    assert garmin_client.get_schedule(schedule_id)["calendarDate"] == "2024-05-14"
    items = garmin_client.calendar_month(2024, 5)
    assert [(item["id"], item["workoutId"], item["date"]) for item in items] == [
        (schedule_id, workout_id, "2024-05-14")]
    garmin_client.unschedule(schedule_id)
    assert garmin_server.schedules() == []
    garmin_client.delete_workout(workout_id)
    assert garmin_server.workouts() == []
    with pytest.raises(NotFound):
        garmin_client.get_workout(workout_id)
    assert garmin_client.calls["create_workout"] == 1 and garmin_client.calls["get_workout"] == 3


def test_iter_workouts_walks_every_page(garmin_client: GarminClient) -> None:
    ids = [garmin_client.create_workout(running_workout(f"run {i}"))["workoutId"] for i in range(7)]
    assert [w["workoutId"] for w in garmin_client.iter_workouts(page_size=3)] == ids
    assert garmin_client.calls["list_workouts"] == 4  # pages of 3, 3 and 1, then an empty one ends it


def test_listings_read_past_a_page_shorter_than_asked_for(tmp_path: Path) -> None:
    """A server that holds fewer items a page than ``limit`` asks for (Garmin's cap is not documented)
    ends a listing only with an empty page: no workout or activity past the first page is lost."""
    server = LocalGarminServer(page_cap=4)
    server.start()
    try:
        client = GarminClient(fake_token_dir(tmp_path / "tokens", server.url), server.url)
        client.login_from_tokens()
        ids = [client.create_workout(running_workout(f"run {i}"))["workoutId"] for i in range(10)]
        assert len(client.list_workouts(0, 100)) == 4  # the cap holds
        assert [w["workoutId"] for w in client.iter_workouts()] == ids
        start = datetime(2024, 4, 1, 6, 0, tzinfo=UTC)
        runs = [server.add_activity(FIT_BYTES + bytes([i]), start_time=start + timedelta(days=i)) for i in range(9)]
        assert [a["activityId"] for a in client.iter_activities(date(2024, 4, 1), date(2024, 5, 1))] == runs[::-1]
    finally:
        server.stop()


def test_a_listing_that_ignores_start_ends_instead_of_looping() -> None:
    from watchsync.garmin.client import paged

    same = [{"workoutId": 1}, {"workoutId": 2}]
    asked: list[int] = []
    assert list(paged(lambda start: asked.append(start) or same)) == same
    assert asked == [0, 2]


def test_calendar_months_are_one_based_and_ranges_deduplicated(garmin_client: GarminClient) -> None:
    workout_id = garmin_client.create_workout(running_workout())["workoutId"]
    january = garmin_client.schedule_workout(workout_id, date(2024, 1, 15))
    end_of_may = garmin_client.schedule_workout(workout_id, date(2024, 5, 31))
    june = garmin_client.schedule_workout(workout_id, date(2024, 6, 1))
    assert [item["id"] for item in garmin_client.calendar_month(2024, 1)] == [january]
    assert [item["id"] for item in garmin_client.calendar_month(2024, 2)] == []
    assert [item["id"] for item in garmin_client.calendar_month(2024, 6)] == [end_of_may, june]
    items = garmin_client.calendar_items(date(2024, 1, 1), date(2024, 6, 30))
    assert [item["id"] for item in items] == [january, end_of_may, june]
    assert [item["id"] for item in garmin_client.calendar_items(date(2024, 6, 1), date(2024, 6, 30))] == [june]


def test_activity_calls_round_trip(garmin_client: GarminClient, garmin_server: LocalGarminServer) -> None:
    start = datetime(2024, 4, 1, 6, 0, tzinfo=UTC)
    ids = [garmin_server.add_activity(FIT_BYTES + bytes([i]), start_time=start + timedelta(days=i),
                                      associated_workout_id=100_000_001, direct_workout_rpe=30)
           for i in range(45)]
    page = garmin_client.list_activities(date(2024, 4, 1), date(2024, 4, 10))
    assert [a["activityId"] for a in page] == ids[9::-1]
    every = list(garmin_client.iter_activities(date(2024, 4, 1), date(2024, 6, 1)))
    assert [a["activityId"] for a in every] == ids[::-1]
    assert garmin_client.calls["list_activities"] == 1 + 4  # pages of 20, 20 and 5, then an empty one
    detail = garmin_client.get_activity(ids[0])
    assert detail["metadataDTO"]["associatedWorkoutId"] == 100_000_001
    assert garmin_client.download_activity_fit(ids[3]) == FIT_BYTES + bytes([3])


# errors and retries ------------------------------------------------------------------------------

def test_400_is_rejected_with_garmins_message(garmin_client: GarminClient) -> None:
    payload = running_workout()
    payload["workoutSegments"][0]["workoutSteps"][0]["stepOrder"] = 0
    with pytest.raises(Rejected) as raised:
        garmin_client.create_workout(payload)
    assert raised.value.status == 400
    assert "stepOrder must be a positive integer" in raised.value.message


@pytest.mark.parametrize("call", ["get_workout", "update_workout", "delete_workout", "unschedule", "get_activity"])
def test_404_is_not_found(garmin_client: GarminClient, call: str) -> None:
    arguments: dict[str, tuple[Any, ...]] = {"update_workout": (5, running_workout())}
    with pytest.raises(NotFound):
        getattr(garmin_client, call)(*arguments.get(call, (5,)))


def test_backoff_on_429_honours_retry_after(garmin_client: GarminClient, garmin_server: LocalGarminServer,
                                            garmin_sleeps: list[float]) -> None:
    garmin_server.set_faults(Faults(retry_after=2))
    garmin_server.inject(Fault.RATE_LIMIT, 3)
    assert garmin_client.list_workouts() == []
    assert len(garmin_sleeps) == 3 and all(2 <= delay <= 30 for delay in garmin_sleeps)
    assert garmin_client.calls["list_workouts"] == 4


def test_persistent_429_is_rate_limited(garmin_client: GarminClient, garmin_server: LocalGarminServer,
                                        garmin_sleeps: list[float]) -> None:
    garmin_server.set_faults(Faults(retry_after=3))
    garmin_server.inject(Fault.RATE_LIMIT, 10)
    with pytest.raises(RateLimited) as raised:
        garmin_client.create_workout(running_workout())
    assert raised.value.retry_after == 3
    assert len(garmin_sleeps) == garmin_client.max_retries == 5


def test_long_retry_after_is_not_slept_through(garmin_client: GarminClient, garmin_server: LocalGarminServer,
                                               garmin_sleeps: list[float]) -> None:
    garmin_server.set_faults(Faults(retry_after=3600))
    garmin_server.inject(Fault.RATE_LIMIT)
    with pytest.raises(RateLimited):
        garmin_client.list_workouts()
    assert garmin_sleeps == []


def test_backoff_on_5xx_grows_with_full_jitter(garmin_client: GarminClient, garmin_server: LocalGarminServer,
                                               garmin_sleeps: list[float]) -> None:
    workout_id = garmin_client.create_workout(running_workout())["workoutId"]
    garmin_server.inject(Fault.SERVER_ERROR, 4)
    garmin_client.update_workout(workout_id, running_workout("after four 500s"))
    assert len(garmin_sleeps) == 4
    assert all(0 <= delay <= 0.5 * 2 ** attempt for attempt, delay in enumerate(garmin_sleeps))
    assert [w["workoutName"] for w in garmin_server.workouts()] == ["after four 500s"]


def answer_after_applying(server: LocalGarminServer, monkeypatch: pytest.MonkeyPatch, method: str, path_part: str,
                          status: int) -> None:
    """The next ``method`` request whose path holds ``path_part`` is applied, then answered ``status``
    (a proxy that gave up after Garmin did the work)."""
    real = server.dispatch
    pending = [status]

    def dispatch(request: Request) -> Response | Drop:
        response = real(request)
        if pending and request.method == method and path_part in request.path:
            return error_response(pending.pop(), "gateway timeout")
        return response

    monkeypatch.setattr(server, "dispatch", dispatch)


def test_5xx_on_create_is_ambiguous_and_not_repeated(garmin_client: GarminClient, garmin_server: LocalGarminServer,
                                                     garmin_sleeps: list[float],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    answer_after_applying(garmin_server, monkeypatch, "POST", "/workout-service/workout", 504)
    with pytest.raises(Transient, match="HTTP 504") as raised:
        garmin_client.create_workout(running_workout())
    assert raised.value.ambiguous
    assert garmin_client.calls["create_workout"] == 1 and garmin_sleeps == []
    assert len(garmin_server.workouts()) == 1  # Garmin did it once; nothing made a duplicate


def test_5xx_on_schedule_is_ambiguous_and_not_repeated(garmin_client: GarminClient, garmin_server: LocalGarminServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    workout_id = garmin_client.create_workout(running_workout())["workoutId"]
    answer_after_applying(garmin_server, monkeypatch, "POST", "/workout-service/schedule/", 502)
    with pytest.raises(Transient) as raised:
        garmin_client.schedule_workout(workout_id, date(2024, 5, 1))
    assert raised.value.ambiguous
    assert garmin_client.calls["schedule_workout"] == 1 and len(garmin_server.schedules()) == 1


def test_5xx_before_a_create_is_ambiguous_too(garmin_client: GarminClient, garmin_server: LocalGarminServer) -> None:
    garmin_server.inject(Fault.SERVER_ERROR)  # the client cannot tell this 500 from one after the write
    with pytest.raises(Transient) as raised:
        garmin_client.create_workout(running_workout())
    assert raised.value.ambiguous and garmin_client.calls["create_workout"] == 1
    assert garmin_server.workouts() == []


def test_persistent_5xx_is_transient(garmin_client: GarminClient, garmin_server: LocalGarminServer) -> None:
    garmin_server.inject(Fault.SERVER_ERROR, 6)
    with pytest.raises(Transient) as raised:
        garmin_client.get_workout(1)
    assert not raised.value.ambiguous


def test_dropped_reads_and_idempotent_writes_are_retried(garmin_client: GarminClient,
                                                         garmin_server: LocalGarminServer) -> None:
    workout_id = garmin_client.create_workout(running_workout())["workoutId"]
    garmin_server.inject(Fault.DROP, 2)
    assert garmin_client.get_workout(workout_id)["workoutId"] == workout_id
    garmin_server.inject(Fault.DROP_AFTER_WRITE)
    garmin_client.update_workout(workout_id, running_workout("after a drop"))
    assert garmin_server.workouts()[0]["workoutName"] == "after a drop"
    garmin_server.inject(Fault.DROP_AFTER_WRITE)
    garmin_client.delete_workout(workout_id)  # the retry's 404 means the first attempt did it
    assert garmin_server.workouts() == []


@pytest.mark.parametrize("fault", [Fault.DROP, Fault.DROP_AFTER_WRITE])
def test_unanswered_create_is_ambiguous_and_not_repeated(garmin_client: GarminClient,
                                                         garmin_server: LocalGarminServer, fault: Fault) -> None:
    garmin_server.inject(fault)
    with pytest.raises(Transient) as raised:
        garmin_client.create_workout(running_workout())
    assert raised.value.ambiguous
    assert garmin_client.calls["create_workout"] == 1
    assert len(garmin_server.workouts()) == (fault is Fault.DROP_AFTER_WRITE)


def test_unanswered_schedule_is_ambiguous(garmin_client: GarminClient, garmin_server: LocalGarminServer) -> None:
    workout_id = garmin_client.create_workout(running_workout())["workoutId"]
    garmin_server.inject(Fault.DROP_AFTER_WRITE)
    with pytest.raises(Transient, match="connection") as raised:
        garmin_client.schedule_workout(workout_id, date(2024, 5, 1))
    assert raised.value.ambiguous and len(garmin_server.schedules()) == 1


def test_random_faults_are_ridden_out(garmin_server: LocalGarminServer, garmin_token_dir: Path) -> None:
    client = GarminClient(garmin_token_dir, garmin_server.url, max_retries=12, sleep=lambda _s: None)
    workout_id = client.create_workout(running_workout())["workoutId"]
    garmin_server.set_faults("429=0.2,500=0.1,drop=0.05,retry_after=0,seed=11")
    for _ in range(40):
        assert client.get_workout(workout_id)["workoutId"] == workout_id
    assert client.calls["get_workout"] > 40


def test_the_server_being_down_is_transient(garmin_client: GarminClient, garmin_server: LocalGarminServer) -> None:
    garmin_server.stop()
    with pytest.raises(Transient) as raised:
        garmin_client.schedule_workout(1, date(2024, 5, 1))
    assert not raised.value.ambiguous  # nothing was sent, so schedule retried until it gave up
    assert garmin_client.calls["schedule_workout"] == garmin_client.max_retries + 1


# 403: a challenge page is not a rejected login ------------------------------------------------------

def answer_forbidden(server: LocalGarminServer, monkeypatch: pytest.MonkeyPatch, response: Response) -> None:
    """Every API request is answered ``response`` (a 403) until the test ends."""
    real = server.dispatch

    def dispatch(request: Request) -> Response | Drop:
        return response if request.path.startswith("/workout-service/") else real(request)

    monkeypatch.setattr(server, "dispatch", dispatch)


def test_403_challenge_page_is_blocked_not_a_login_problem(garmin_client: GarminClient,
                                                           garmin_server: LocalGarminServer,
                                                           garmin_sleeps: list[float],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    challenge = Response(403, b"<html><title>Just a moment...</title></html>", "text/html; charset=UTF-8",
                         {"cf-mitigated": "challenge"})
    answer_forbidden(garmin_server, monkeypatch, challenge)
    with pytest.raises(Blocked, match="HTTP 403") as raised:
        garmin_client.list_workouts()
    assert isinstance(raised.value, RateLimited) and not isinstance(raised.value, AuthRequired)
    assert garmin_client.calls["list_workouts"] == 1 and garmin_sleeps == []  # no hammering a challenge


def test_a_json_403_refuses_that_request_not_the_login(garmin_client: GarminClient,
                                                       garmin_server: LocalGarminServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Garmin answers 403 with valid tokens (garmin_mcp #304): the request is refused, the login is fine."""
    answer_forbidden(garmin_server, monkeypatch, error_response(403, "Forbidden"))
    with pytest.raises(Rejected) as raised:
        garmin_client.list_workouts()
    assert raised.value.status == 403 and not isinstance(raised.value, AuthRequired)


@pytest.mark.parametrize("path_part", ["/workout-service/workout", "/workout-service/schedule/"])
def test_a_sync_that_met_a_5xx_after_the_write_looks_before_writing_again(
        garmin_server: LocalGarminServer, garmin_token_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, path_part: str) -> None:
    clock = [datetime(2030, 3, 1, tzinfo=UTC)]
    client = GarminClient(garmin_token_dir, garmin_server.url, sleep=lambda _s: None)
    with Store.open(tmp_path / "store.sqlite3") as store:
        service = SyncService(store, lambda: client, Athlete(name="anna", lthr=171), now=lambda: clock[0])
        key = service.enqueue_push(parse_text("name: Easy\nsport: running\n- 30m RPE 3\n"))
        service.enqueue_schedule(key, date(2030, 3, 5))
        answer_after_applying(garmin_server, monkeypatch, "POST", path_part, 504)
        service.drain()
        clock[0] += timedelta(days=1)  # every retry is due
        service.drain()
        assert store.list_outbox("anna") == []
    assert (len(garmin_server.workouts()), len(garmin_server.schedules())) == (1, 1)


def test_folders_made_on_the_way_to_a_token_dir_and_the_drain_lock_are_owner_only(tmp_path: Path) -> None:
    from watchsync.garmin.sync import drain_lock
    from watchsync.garmin.tokens import secure_dir

    previous = os.umask(0o022)  # a shell's usual umask, not the daemon's 077
    try:
        secure_dir(tmp_path / "state" / "tokens" / "anna")
        with drain_lock(tmp_path / "state" / "watchsync.sqlite3", "anna"):
            pass
    finally:
        os.umask(previous)
    assert [mode(tmp_path / "state" / part) for part in ("", "tokens", "tokens/anna")] == [0o700] * 3
    assert mode(tmp_path / "state" / "watchsync.sqlite3.anna.drain.lock") == 0o600
