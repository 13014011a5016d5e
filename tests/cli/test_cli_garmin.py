"""The Garmin commands through ``watchsync.cli.main`` against the local server over HTTP."""

from __future__ import annotations

import io
import json
import logging
import shutil
import stat
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from watchsync.cli import main
from watchsync.garmin.client import GarminClient
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import Account, LocalGarminServer

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
RUNS = len(list((LIBRARY / "runs").glob("*.txt")))  # the workouts `push workouts/runs` sends
EMAIL, PASSWORD, MFA_CODE = "coach@example.com", "Pa55-word-for-tests", "402917"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server(account=Account(email=EMAIL, password=PASSWORD)) as started:
        yield started


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray WATCHSYNC_* settings, stdin not a terminal, and no anti-bot pauses in the SSO flow."""
    import garminconnect.api.base
    import garminconnect.client.sso

    for name in ("WATCHSYNC_ENDPOINT", "WATCHSYNC_CONFIG", "WATCHSYNC_STATE_DIR", "WATCHSYNC_GARMIN_EMAIL",
                 "WATCHSYNC_GARMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    instant = types.SimpleNamespace(sleep=lambda _seconds: None)
    monkeypatch.setattr(garminconnect.client.sso, "time", instant)
    monkeypatch.setattr(garminconnect.api.base, "time", instant)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def run(tmp_path: Path, state: Path, server: LocalGarminServer, capsys: pytest.CaptureFixture[str]) -> Run:
    config = tmp_path / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "{server.url}"\n\n[athletes.anna]\nmax_hr = 188\nresting_hr = 48\n'
                      'lthr = 171\nthreshold_pace = "4:30/km"\nftp = 230\n')

    def invoke(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--config", str(config), "--state-dir", str(state), *argv])
        out, err = capsys.readouterr()
        return code, out, err
    return invoke


@pytest.fixture
def tokens(state: Path, server: LocalGarminServer) -> Path:
    return fake_token_dir(state / "tokens" / "anna", server.url)


def workouts_of(server: LocalGarminServer) -> list[str]:
    return sorted(w["workoutName"] for w in server.workouts())


def api_writes(server: LocalGarminServer) -> int:
    return sum(n for (method, route), n in server.stats.requests.items()
               if method != "GET" and route.startswith("/workout-service/"))


# login -------------------------------------------------------------------------------------------

def test_login_saves_owner_only_tokens(run: Run, state: Path, server: LocalGarminServer,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHSYNC_GARMIN_EMAIL", EMAIL)
    monkeypatch.setenv("WATCHSYNC_GARMIN_PASSWORD", PASSWORD)
    code, out, _err = run("login")
    assert code == 0 and "local-runner" in out
    token_dir = state / "tokens" / "anna"
    assert stat.S_IMODE(token_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((token_dir / "garmin_tokens.json").stat().st_mode) == 0o600
    code, out, _err = run("whoami", "--json")
    assert code == 0 and json.loads(out)["display_name"] == "local-runner"
    code, out, _err = run("logout")
    assert code == 0 and "tokens of athlete anna deleted" in out and not (token_dir / "garmin_tokens.json").exists()
    code, _out, err = run("whoami")  # a coach copies the hint: it names the athlete it is for
    assert code == 3 and err.strip() == "watchsync: not logged in: run `watchsync login --athlete anna`"
    assert run("logout")[1].strip() == "athlete anna was not logged in: nothing to delete"
    assert server.stats.credential_logins == 1


def test_login_without_credentials_or_terminal_says_what_to_set(run: Run, server: LocalGarminServer) -> None:
    code, _out, err = run("login")
    assert code == 2 and err.count("\n") == 1 and "WATCHSYNC_GARMIN_PASSWORD" in err
    assert server.stats.credential_logins == 0


def test_wrong_password_is_one_line_and_exit_3(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHSYNC_GARMIN_EMAIL", EMAIL)
    monkeypatch.setenv("WATCHSYNC_GARMIN_PASSWORD", "not-it")
    code, _out, err = run("login")
    assert code == 3 and err.count("\n") == 1 and "login refused" in err


def test_mfa_login_then_push_leaks_no_secret_to_the_logs(run: Run, state: Path, server: LocalGarminServer,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server.set_account(Account(email=EMAIL, password=PASSWORD, mfa_code=MFA_CODE))
    monkeypatch.setenv("WATCHSYNC_GARMIN_EMAIL", EMAIL)
    monkeypatch.setenv("WATCHSYNC_GARMIN_PASSWORD", PASSWORD)
    code, out1, err1 = run("login")
    assert code == 3 and err1.strip() == "watchsync: MFA code needed: run `watchsync login --mfa-code CODE`"
    code, out2, err2 = run("login", "--mfa-code", MFA_CODE)
    assert code == 0, err2
    saved = json.loads((state / "tokens" / "anna" / "garmin_tokens.json").read_text())
    server.expire_access_tokens()  # the push refreshes and rotates them
    code, out3, err3 = run("push", str(LIBRARY / "runs"))
    assert code == 0, err3
    rotated = json.loads((state / "tokens" / "anna" / "garmin_tokens.json").read_text())
    assert rotated["di_refresh_token"] != saved["di_refresh_token"]
    secrets = {PASSWORD, MFA_CODE, saved["di_token"], saved["di_refresh_token"], rotated["di_token"],
               rotated["di_refresh_token"]}
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert len(caplog.records) > 20
    for text in (logged, out1, err1, out2, err2, out3, err3):
        for secret in secrets:
            assert secret not in text and secret[-12:] not in text



class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_interactive_login_asks_for_the_mfa_code(run: Run, server: LocalGarminServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    server.set_account(Account(email=EMAIL, password=PASSWORD, mfa_code=MFA_CODE))
    monkeypatch.setenv("WATCHSYNC_GARMIN_PASSWORD", PASSWORD)
    monkeypatch.setattr("sys.stdin", Terminal(f"{EMAIL}\n{MFA_CODE}\n"))  # email, then the code
    code, out, err = run("login")
    assert code == 0, err
    assert "Garmin email:" in out and "MFA code:" in out and "logged in" in out
    assert server.stats.credential_logins == 1 and server.stats.token_exchanges == 1

# push --------------------------------------------------------------------------------------------

def test_push_twice_and_dry_run(run: Run, tokens: Path, server: LocalGarminServer) -> None:
    code, out, err = run("push", str(LIBRARY / "runs"), "--dry-run")
    assert code == 0 and out.count("would create") == RUNS
    assert server.stats.requests.total() == 1  # minting the test tokens; the dry run made no call
    code, out, err = run("push", str(LIBRARY / "runs"), "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["action"] for r in rows] == ["created"] * RUNS and all(r["workout_id"] for r in rows)
    assert workouts_of(server) == sorted(r["name"] for r in rows)
    total = server.stats.requests.total()
    code, out, err = run("push", str(LIBRARY / "runs"))
    assert code == 0 and out.count("unchanged") == RUNS
    assert server.stats.requests.total() == total


def test_push_reports_bad_files_and_pushes_the_rest(run: Run, tokens: Path, server: LocalGarminServer,
                                                   tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(LIBRARY / "runs" / "easy-30.txt", folder)
    (folder / "broken.txt").write_text("name: Broken\nsport: running\n- 10m RPE 14\n")
    code, out, err = run("push", str(folder))
    assert code == 1
    [line] = err.splitlines()
    assert line.startswith(f"{folder / 'broken.txt'}:3:")
    assert workouts_of(server) == ["Easy run 30 min"] and "created" in out


def test_a_rate_limited_push_waits_for_a_retry(run: Run, tokens: Path, server: LocalGarminServer) -> None:
    server.set_faults("429=1,retry_after=3600")
    code, out, err = run("push", str(LIBRARY / "runs" / "easy-30.txt"))
    assert code == 1 and "retry" in out
    assert "429" in err and "(will be retried)" in err and err.count("\n") == 1
    server.set_faults("")
    code, out, err = run("push", str(LIBRARY / "runs" / "easy-30.txt"))  # queued again: tried at once
    assert code == 0 and "created" in out and workouts_of(server) == ["Easy run 30 min"]

def test_a_non_loopback_endpoint_is_refused(run: Run, tmp_path: Path, state: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "remote.toml"
    config.write_text('[garmin]\nendpoint = "http://192.0.2.1:8765"\n\n[athletes.anna]\nmax_hr = 188\n')
    code = main(["--config", str(config), "--state-dir", str(state), "push", str(LIBRARY / "runs")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "loopback" in err


# calendar ----------------------------------------------------------------------------------------

def test_schedule_unschedule_delete(run: Run, tokens: Path, server: LocalGarminServer) -> None:
    hills = str(LIBRARY / "runs" / "hill-repeats.txt")
    code, out, err = run("schedule", hills, "--date", "2030-05-06")
    assert code == 0 and "scheduled Hill repeats (base phase) on 2030-05-06" in out, err
    code, out, _err = run("schedule", hills, "--date", "2030-05-06")
    assert code == 0 and "already on the calendar" in out
    run("schedule", hills, "--date", "2030-05-13")
    assert sorted(e["calendarDate"] for e in server.schedules()) == ["2030-05-06", "2030-05-13"]
    assert api_writes(server) == 3  # one workout, two calendar entries

    code, out, _err = run("unschedule", hills, "--date", "2030-05-06")
    assert code == 0 and "removed" in out
    assert [e["calendarDate"] for e in server.schedules()] == ["2030-05-13"]
    code, out, _err = run("delete", hills)
    assert code == 0 and "deleted" in out
    assert server.workouts() == [] and server.schedules() == []


def test_bad_date_and_unknown_workout(run: Run, tokens: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        run("schedule", str(LIBRARY / "runs" / "easy-30.txt"), "--date", "2030-13-01")
    assert exited.value.code == 2
    code, _out, err = run("delete", str(LIBRARY / "runs" / "easy-30.txt"))
    assert code == 1 and err.count("\n") == 1 and "never pushed" in err


# authentication and repair -----------------------------------------------------------------------

def test_revoked_tokens_stop_push_and_keep_the_queue(run: Run, tokens: Path, state: Path,
                                                     server: LocalGarminServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    server.revoke_tokens()
    code, _out, err = run("push", str(LIBRARY / "runs"))
    assert code == 3 and "re-authentication needed: run `watchsync login --athlete anna`" in err
    with Store.open(state / "watchsync.sqlite3") as store:
        kept = store.list_outbox("anna")
    assert len(kept) == RUNS and {item.state for item in kept} == {"parked"}
    assert server.stats.credential_logins <= 1 and server.workouts() == []

    monkeypatch.setenv("WATCHSYNC_GARMIN_EMAIL", EMAIL)
    monkeypatch.setenv("WATCHSYNC_GARMIN_PASSWORD", PASSWORD)
    assert run("login")[0] == 0
    code, out, err = run("sync", "--json")
    assert code == 0, err
    assert json.loads(out)["remaining"] == 0 and len(server.workouts()) == RUNS
    assert server.stats.credential_logins == 1


def test_sync_recreates_a_workout_deleted_on_garmin(run: Run, tokens: Path, server: LocalGarminServer) -> None:
    easy = str(LIBRARY / "runs" / "easy-45.txt")
    run("schedule", easy, "--date", "2030-06-02")
    GarminClient(tokens, server.url).delete_workout(server.workouts()[0]["workoutId"])
    code, out, err = run("sync")
    assert code == 0, err
    assert "re-created: easy-run-45-min" in out and "schedule queued again: easy-run-45-min@2030-06-02" in out
    [workout] = server.workouts()
    assert [e["workoutId"] for e in server.schedules()] == [workout["workoutId"]]


def test_server_rejects_a_bad_fault_spec(run: Run) -> None:
    code, _out, err = run("server", "--port", "0", "--faults", "429=lots")
    assert code == 2 and err.count("\n") == 1 and "429=lots" in err


def test_without_a_configuration_the_login_hint_says_to_make_one_first(tmp_path: Path, server: LocalGarminServer,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """probe docs11: `whoami` on the embedded example said "run `watchsync login --athlete anna`", which
    refuses without a configuration file."""
    from watchsync.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.setenv("WATCHSYNC_ENDPOINT", server.url)
    assert main(["--state-dir", str(tmp_path / "state"), "whoami"]) == 3
    err = capsys.readouterr().err
    assert "not logged in: run `watchsync login --athlete anna` (after creating a configuration file: " \
           "`watchsync config example` starts one" in err
    assert main(["--state-dir", str(tmp_path / "state"), "login"]) == 2  # as the hint says: refused without one


def test_a_pushed_workouts_estimated_duration_is_the_one_show_gives(run: Run, tokens: Path,
                                                                     server: LocalGarminServer, tmp_path: Path) -> None:
    from watchsync.describe import format_seconds

    # probe icu19: an 11.5-km run showed 57m30s (the athlete's easy speed) and Connect 68m27s (a generic 2.8 m/s)
    text = tmp_path / "vo2.txt"
    text.write_text("name: VO2 km repeats\nsport: running\n- 2km RPE 3\n\n5x\n- 1km RPE 8\n- 500mtr RPE 2\n\n"
                    "- 2km RPE 3\n")
    code, out, err = run("show", str(text))
    assert code == 0, err
    shown = next(line for line in out.splitlines() if line.startswith("estimated: "))
    code, _, err = run("push", str(text))
    assert code == 0, err
    [pushed] = server.workouts()
    seconds = pushed["estimatedDurationInSecs"]
    assert shown.startswith(f"estimated: {format_seconds(seconds)}, 11.5 km"), (shown, seconds)
    assert seconds < 11_500 / 2.8  # the athlete's easy pace (4:30/km threshold) is faster than 2.8 m/s


def test_a_second_file_of_the_same_name_is_said_to_replace_the_firsts_workout(
        run: Run, tokens: Path, server: LocalGarminServer, tmp_path: Path) -> None:
    # probe icu19: three files named "Coach: smooth and controlled." pushed day by day: one Garmin workout,
    # the ride and the run gone, and push said only "updated"
    ride, swim = tmp_path / "ride.txt", tmp_path / "swim.txt"
    ride.write_text("name: Smooth and controlled\nsport: cycling\n- 30m 60%\n")
    swim.write_text("name: Smooth and controlled\nsport: pool_swim\npool: 25m\n- 400mtr RPE 3\n")
    code, _, err = run("push", str(ride))
    assert code == 0 and "replaces" not in err, err
    code, _, err = run("push", str(ride))  # the same file again: nothing to say
    assert code == 0 and "replaces" not in err, err
    code, out, err = run("push", str(swim), "--dry-run")
    assert code == 0, err
    assert f"{swim}:1:1: warning: replaces workout 'Smooth and controlled', which {ride} " \
        "made (the same name), a cycling workout, with a pool_swim one" in err
    code, out, err = run("push", str(swim))
    assert code == 0 and "warning: replaces workout" in err and out.startswith("updated")


def test_a_file_pushed_again_from_another_folder_replaces_nothing(run: Run, tokens: Path, server: LocalGarminServer,
                                                                   tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # "a/tue.txt: warning: replaces workout 'Tuesday session', which tue.txt made" for the same file (review18)
    folder = tmp_path / "coach" / "a"
    folder.mkdir(parents=True)
    (folder / "tue.txt").write_text("name: Tuesday session\nsport: running\n- 40m RPE 3\n")
    monkeypatch.chdir(folder)
    code, _, err = run("push", "tue.txt")
    assert code == 0, err
    (folder / "tue.txt").write_text("name: Tuesday session\nsport: running\n- 45m RPE 3\n")
    monkeypatch.chdir(folder.parent)
    code, out, err = run("push", "a/tue.txt")
    assert code == 0 and out.startswith("updated") and "replaces" not in err, err
