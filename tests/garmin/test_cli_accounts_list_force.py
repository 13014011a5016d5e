"""``watchsync login`` per athlete account, ``watchsync list`` and ``watchsync push --force``, through the CLI."""

from __future__ import annotations

import io
import json
import time
import types
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from watchsync.cli import main
from watchsync.testing.garmin.helpers import running_server
from watchsync.testing.garmin.server import Account, LocalGarminServer

Run = Callable[..., tuple[int, str, str]]
ANNA = Account("anna@example.com", "anna-password", display_name="anna-g", full_name="Anna", profile_id=1001)
BEN = Account("ben@example.com", "ben-password", display_name="ben-g", full_name="Ben", profile_id=1002)
EASY = "name: Easy 40\nsport: running\n- 40m RPE 3\n"


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server(account=ANNA) as started:
        started.add_account(BEN)
        yield started


@pytest.fixture
def run(tmp_path: Path, server: LocalGarminServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Run:
    import garminconnect.api.base
    import garminconnect.client.sso

    instant = types.SimpleNamespace(sleep=lambda _seconds: None)
    monkeypatch.setattr(garminconnect.client.sso, "time", instant)
    monkeypatch.setattr(garminconnect.api.base, "time", instant)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    config = tmp_path / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "{server.url}"\n[athletes.anna]\nlthr = 171\n[athletes.ben]\nlthr = 165\n')

    def invoke(*argv: str, account: Account | None = None) -> tuple[int, str, str]:
        if account is not None:
            monkeypatch.setenv("WATCHSYNC_GARMIN_EMAIL", account.email)
            monkeypatch.setenv("WATCHSYNC_GARMIN_PASSWORD", account.password)
        capsys.readouterr()
        code = main(["--config", str(config), "--state-dir", str(tmp_path / "state"), *argv])
        out, err = capsys.readouterr()
        return code, out, err
    return invoke


def test_two_athletes_on_one_garmin_account_are_refused_unless_opted_in(run: Run, tmp_path: Path,
                                                                       server: LocalGarminServer) -> None:
    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    code, _out, err = run("login", "--athlete", "ben", account=ANNA)
    assert code == 2 and "already the account of athlete 'anna'" in err and err.count("\n") == 1
    assert not (tmp_path / "state" / "tokens" / "ben" / "garmin_tokens.json").exists()
    code, out, _err = run("login", "--athlete", "ben", "--shared-account", account=ANNA)
    assert code == 0 and "anna-g" in out


def test_a_refused_login_leaves_the_athletes_working_login(run: Run, tmp_path: Path) -> None:
    # probe docs12: ben logged in, then a login for ben with anna's account by mistake was refused, and
    # ben's own tokens were gone ("not logged in": another credential login, which Garmin rate-limits)
    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    assert run("login", "--athlete", "ben", account=BEN)[0] == 0
    tokens = tmp_path / "state" / "tokens" / "ben" / "garmin_tokens.json"
    before = tokens.read_bytes()
    code, _out, err = run("login", "--athlete", "ben", account=ANNA)
    assert code == 2 and "already the account of athlete 'anna'" in err
    assert tokens.read_bytes() == before and tokens.stat().st_mode & 0o777 == 0o600
    code, out, _err = run("whoami", "--athlete", "ben")
    assert code == 0 and "ben-g" in out


def test_a_login_whose_profile_fetch_fails_leaves_the_athletes_working_login(run: Run, tmp_path: Path,
                                                                            server: LocalGarminServer) -> None:
    # probe review16: the new tokens were saved before the profile fetch, which dropped; the account check
    # never ran, and ben's file held anna's tokens ("whoami --athlete ben" answered anna-g)
    from watchsync.testing.garmin.server import Fault

    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    assert run("login", "--athlete", "ben", account=BEN)[0] == 0
    tokens = tmp_path / "state" / "tokens" / "ben" / "garmin_tokens.json"
    before = tokens.read_bytes()
    server.inject(Fault.SERVER_ERROR, count=50, path="/userprofile-service/")
    code, _out, _err = run("login", "--athlete", "ben", account=ANNA)
    server.clear_faults()
    assert code != 0 and tokens.read_bytes() == before
    code, out, _err = run("whoami", "--athlete", "ben")
    assert code == 0 and "ben-g" in out


def test_each_athlete_pushes_to_and_lists_its_own_account(run: Run, tmp_path: Path,
                                                          server: LocalGarminServer) -> None:
    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    assert run("login", "--athlete", "ben", account=BEN)[0] == 0
    easy = tmp_path / "easy.txt"
    easy.write_text(EASY)
    day = date.today() + timedelta(days=2)
    assert run("schedule", str(easy), "--date", day.isoformat(), "--athlete", "anna")[0] == 0
    assert [w["workoutName"] for w in server.workouts(owner=ANNA.profile_id)] == ["Easy 40"]
    assert server.workouts(owner=BEN.profile_id) == []
    code, out, _err = run("list", "--athlete", "anna", "--json")
    listed = json.loads(out)
    assert code == 0 and [(w["name"], w["key"], w["state"]) for w in listed["workouts"]] == [
        ("Easy 40", "easy-40", "in sync")]
    assert [(i["date"], i["title"]) for i in listed["calendar"]["items"]] == [(day.isoformat(), "Easy 40")]
    code, out, _err = run("list", "--athlete", "ben")
    assert code == 0 and "workouts on Garmin Connect (0)" in out and "Easy 40" not in out


def test_list_shows_a_race_event_that_has_no_id(run: Run, server: LocalGarminServer) -> None:
    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    day = date.today() + timedelta(days=3)
    server.add_calendar_item("event", day, "Trail 30 km", owner=ANNA.profile_id)
    code, out, err = run("list", "--athlete", "anna")
    assert code == 0, err
    assert f"  {day.isoformat()}  event    Trail 30 km\n" in out
    code, out, _err = run("list", "--athlete", "anna", "--json")
    assert json.loads(out)["calendar"]["items"] == [
        {"date": day.isoformat(), "type": "event", "id": None, "workout_id": None, "title": "Trail 30 km"}]


def test_push_force_overwrites_an_edit_made_on_garmin(run: Run, tmp_path: Path, server: LocalGarminServer) -> None:
    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    easy = tmp_path / "easy.txt"
    easy.write_text(EASY)
    assert run("push", str(easy), "--athlete", "anna")[0] == 0
    [stored] = server.workouts()
    edited = {**stored, "description": "edited on Garmin Connect"}
    edited["workoutSegments"][0]["workoutSteps"][0]["endConditionValue"] = 600.0
    _client_put(server, stored["workoutId"], edited)
    code, out, _err = run("list", "--athlete", "anna")
    assert "changed on Garmin (push --force overwrites)" in out
    code, out, _err = run("push", str(easy), "--athlete", "anna")
    assert code == 0 and out.startswith("unchanged")  # no call: the local content did not change
    assert server.workouts()[0]["workoutSegments"][0]["workoutSteps"][0]["endConditionValue"] == 600.0
    code, out, err = run("push", "--force", str(easy), "--athlete", "anna")
    assert code == 0 and out.startswith("updated"), err
    [after] = server.workouts()
    assert after["workoutId"] == stored["workoutId"]
    assert after["workoutSegments"][0]["workoutSteps"][0]["endConditionValue"] == 2400.0
    assert "in sync" in run("list", "--athlete", "anna")[1]


def _client_put(server: LocalGarminServer, workout_id: int, body: dict[str, object]) -> None:
    """Edit a workout as the Garmin Connect app would (with the account's own token)."""
    import urllib.request

    token = server.mint_tokens("GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2", email=ANNA.email)["access_token"]
    request = urllib.request.Request(f"{server.url}/workout-service/workout/{workout_id}", method="PUT",
                                     data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def test_a_sport_garmin_has_no_workouts_for_says_what_was_used(run: Run, tmp_path: Path,
                                                               server: LocalGarminServer) -> None:
    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    library = Path(__file__).resolve().parents[2] / "workouts" / "cross"
    code, out, err = run("push", str(library / "xc-ski-60.txt"), str(library / "bike-outdoor-60.txt"),
                         "--athlete", "anna")
    assert code == 0, err
    lines = {line.split("  (")[0].split(None, 1)[1]: line for line in out.splitlines()}
    ski = next(line for name, line in lines.items() if "ski" in name.lower())
    bike = next(line for name, line in lines.items() if "ski" not in name.lower())
    sport = {w["workoutName"]: w["sportType"]["sportTypeKey"] for w in server.workouts()}
    assert f"sent as Garmin sport {sport[next(n for n in sport if 'ski' in n.lower())]}" in ski
    assert "sent as" not in bike
    code, out, _ = run("push", str(library / "xc-ski-60.txt"), "--athlete", "anna")
    assert code == 0 and out.startswith("unchanged") and "sent as" not in out  # said when it is sent, not again


def test_tokens_copied_from_another_athlete_never_push(run: Run, tmp_path: Path, server: LocalGarminServer) -> None:
    import shutil

    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    tokens = tmp_path / "state" / "tokens"
    shutil.copytree(tokens / "anna", tokens / "ben")
    easy = tmp_path / "easy.txt"
    easy.write_text(EASY)
    code, _out, err = run("push", str(easy), "--athlete", "ben")
    assert code == 3 and "already the account of athlete 'anna'" in err
    assert server.workouts() == []
    assert run("push", str(easy), "--athlete", "anna")[0] == 0  # anna's own account still works
    assert [w["workoutName"] for w in server.workouts(owner=ANNA.profile_id)] == ["Easy 40"]


def test_schedule_restores_what_was_removed_in_connect_and_list_says_in_sync(run: Run, tmp_path: Path,
                                                                            server: LocalGarminServer) -> None:
    """probe server13: "already on the calendar" only when it is; a workout deleted in Connect comes back
    with its coming entries, and watchsync's own re-create is no edit made there."""
    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    easy = tmp_path / "easy.txt"
    easy.write_text(EASY)
    first, second = date.today() + timedelta(days=2), date.today() + timedelta(days=3)
    for day in (first, second):
        assert run("schedule", str(easy), "--date", day.isoformat(), "--athlete", "anna")[0] == 0
    removed = next(e for e in server.schedules() if e["calendarDate"] == first.isoformat())
    _client_delete(server, f"/workout-service/schedule/{removed['workoutScheduleId']}")  # by hand in Connect
    code, out, err = run("schedule", str(easy), "--date", first.isoformat(), "--athlete", "anna")
    assert code == 0 and out.endswith("(restored: it was removed in Garmin Connect)\n"), out + err
    code, out, _err = run("schedule", str(easy), "--date", first.isoformat(), "--athlete", "anna")
    assert code == 0 and out.endswith("(already on the calendar)\n")
    assert sorted(e["calendarDate"] for e in server.schedules()) == [first.isoformat(), second.isoformat()]

    _client_delete(server, f"/workout-service/workout/{server.workouts()[0]['workoutId']}")  # entries go with it
    time.sleep(1.1)  # the re-create is a later second of Garmin's update time
    code, out, err = run("schedule", str(easy), "--date", second.isoformat(), "--athlete", "anna")
    assert code == 0 and "(restored" in out, out + err
    assert sorted(e["calendarDate"] for e in server.schedules()) == [first.isoformat(), second.isoformat()]
    assert "in sync" in run("list", "--athlete", "anna")[1]
    code, out, _err = run("sync", "--athlete", "anna")
    assert code == 0 and "drift" not in out and "changed on Garmin" not in out, out


def test_push_says_which_entries_it_restored_with_a_workout_deleted_in_connect(run: Run, tmp_path: Path,
                                                                              server: LocalGarminServer) -> None:
    """probe server13: `push --force` after a delete in Connect made the workout again and said nothing of
    its calendar entries (they were gone)."""
    assert run("login", "--athlete", "anna", account=ANNA)[0] == 0
    easy = tmp_path / "easy.txt"
    easy.write_text(EASY)
    day = date.today() + timedelta(days=2)
    assert run("schedule", str(easy), "--date", day.isoformat(), "--athlete", "anna")[0] == 0
    _client_delete(server, f"/workout-service/workout/{server.workouts()[0]['workoutId']}")
    code, out, err = run("push", "--force", str(easy), "--athlete", "anna")
    assert code == 0 and out.startswith("created"), out + err
    assert f"restored   easy-40 on {day}: " in out
    assert [e["calendarDate"] for e in server.schedules()] == [day.isoformat()]


def _client_delete(server: LocalGarminServer, path: str) -> None:
    """Delete as the Garmin Connect app would (with the account's own token)."""
    import urllib.request

    token = server.mint_tokens("GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2", email=ANNA.email)["access_token"]
    request = urllib.request.Request(f"{server.url}{path}", method="DELETE",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 204)
