"""End to end: the real ``watchsync daemon`` process against the local Garmin server in this process."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from watchsync.formats.text import parse_text
from watchsync.garmin.tokens import TOKEN_FILE
from watchsync.model.athlete import Athlete
from watchsync.resolve import resolve
from watchsync.testing.garmin.helpers import fake_token_dir, post_activity, running_server
from watchsync.testing.garmin.server import Faults, LocalGarminServer
from watchsync.testing.simulate import simulate_activity

pytestmark = pytest.mark.slow

WAIT = 15.0
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (debug|info|warning|error|critical): [\w.]+: \S")
STEPS = [f"- {minutes}m RPE 3 easy" for minutes in (10, 11, 12, 13, 14)]


def workout_text(name: str, steps: list[str] | None = None) -> str:
    return "\n".join([f"name: {name}", "sport: running", *(STEPS[:1] if steps is None else steps)]) + "\n"


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def write_config(path: Path, server: LocalGarminServer, inbox: Path, athletes: list[str]) -> Path:
    tables = "".join(f"[athletes.{name}]\nlthr = 171\n" for name in athletes)
    path.write_text(f'[garmin]\nendpoint = "{server.url}"\nmax_retries = 2\n'
                    f'[daemon]\ninbox = "{inbox}"\npoll_minutes = 0.02\nquiet_seconds = 1.0\n{tables}')
    return path


class Daemon:
    """``python -m watchsync daemon`` with its own notify socket and log file."""

    def __init__(self, tmp: Path, config: Path, notify_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.tmp, self.config, self.state = tmp, config, tmp / "state"
        self.log = tmp / "daemon.log"
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(notify_dir / "notify.sock"))
        env = {**os.environ, "NOTIFY_SOCKET": str(notify_dir / "notify.sock"), **(extra_env or {})}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "watchsync", "daemon", "--config", str(config), "--state-dir", str(self.state)],
                stderr=log, env=env)
        self.messages: list[str] = []

    def wait_notified(self, message: str, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        self.notify.settimeout(0.1)
        while message not in self.messages:
            try:
                self.messages.append(self.notify.recv(4096).decode())
            except TimeoutError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError(f"no {message} from the daemon; got {self.messages}; log:\n"
                                         f"{self.log_text()}") from None

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, float]:
        started = time.monotonic()
        self.process.send_signal(sig)
        code = self.process.wait(timeout=WAIT)
        return code, time.monotonic() - started

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def status(self) -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-m", "watchsync", "status", "--json", "--config", str(self.config),
                               "--state-dir", str(self.state)], capture_output=True, text=True, check=False)
        result: dict[str, Any] = json.loads(done.stdout)
        assert done.returncode == result["exit_code"] in (0, 1, 3), done.stderr  # the documented health codes
        return result

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.notify.close()


@contextmanager
def daemon_for(tmp_path: Path, server: LocalGarminServer, athletes: list[str], *, tokens: list[str],
               extra_env: dict[str, str] | None = None) -> Iterator[Daemon]:
    for name in tokens:
        fake_token_dir(tmp_path / "state" / "tokens" / name, server.url)
    config = write_config(tmp_path / "config.toml", server, tmp_path / "inbox", athletes)
    with tempfile.TemporaryDirectory(prefix="ws-notify-") as notify_dir:  # short path for AF_UNIX
        daemon = Daemon(tmp_path, config, Path(notify_dir), extra_env)
        try:
            daemon.wait_notified("READY=1")
            yield daemon
        finally:
            daemon.close()


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def by_name(server: LocalGarminServer) -> dict[str, dict[str, Any]]:
    return {w["workoutName"]: w for w in server.workouts()}


def step_count(workout: dict[str, Any]) -> int:
    return sum(len(segment["workoutSteps"]) for segment in workout["workoutSegments"])


def test_files_dropped_into_the_inbox_reach_the_server_and_the_right_folders(tmp_path: Path) -> None:
    with running_server() as server, daemon_for(tmp_path, server, ["anna"], tokens=["anna"],
                                                extra_env={"WATCHDOG_USEC": "1000000"}) as daemon:
        inbox = tmp_path / "inbox" / "anna"
        processed, rejected = inbox / "processed", inbox / "rejected"

        with (inbox / "slow.txt").open("w") as slow:  # half-written for ~1.5 s, longer than the quiet period
            for chunk in [workout_text("Slow one", []), *(line + "\n" for line in STEPS)]:
                slow.write(chunk)
                slow.flush()
                time.sleep(0.3)
        outside = tmp_path / "outside.txt"
        outside.write_text(workout_text("Moved in"))
        os.rename(outside, inbox / "moved.txt")
        (inbox / "broken.txt").write_text("name: Broken\nsport: running\n- 10q RPE 3\n")
        with (inbox / "junk.txt").open("wb") as junk:
            junk.truncate(50 * 1024 * 1024)
        (inbox / "passwd.txt").symlink_to("/etc/passwd")

        wait_for(lambda: {"Slow one", "Moved in"} <= set(by_name(server)), "both workouts at the server")
        wait_for(lambda: len(names_in(rejected)) == 4, "two rejections with their notes")
        assert names_in(processed) == ["moved.txt", "slow.txt"]
        assert names_in(rejected) == ["broken.txt", "broken.txt.error.txt", "junk.txt", "junk.txt.error.txt"]
        assert "broken.txt:3:" in (rejected / "broken.txt.error.txt").read_text()
        assert "52428800 bytes" in (rejected / "junk.txt.error.txt").read_text()
        assert (inbox / "passwd.txt").is_symlink()  # never followed, never moved
        assert step_count(by_name(server)["Slow one"]) == len(STEPS)  # the whole file, not a partial one
        moved_id = by_name(server)["Moved in"]["workoutId"]

        (inbox / "moved.txt").write_text(workout_text("Moved in"))  # the same content again
        wait_for(lambda: len(names_in(processed)) == 3, "the duplicate in processed/")
        (inbox / "moved.txt").write_text(workout_text("Moved in", STEPS[:3]))  # new content, same name
        wait_for(lambda: step_count(by_name(server)["Moved in"]) == 3, "the update at the server")
        assert by_name(server)["Moved in"]["workoutId"] == moved_id
        assert server.stats.count("POST", "/workout-service/workout") == 2
        assert server.stats.count("PUT", "/workout-service/workout/{id}") == 1

        monday = date.today() - timedelta(days=date.today().weekday())
        (inbox / "plan.toml").write_text(
            f'name = "This week"\nstart = {monday}\n[[weeks]]\nfocus = "build"\n'
            f'[[weeks.days.mon]]\nworkout = "slow.txt"\n'
            f'[[weeks.days.sun]]\ntext = """\n{workout_text("Long run")}"""\n')
        wait_for(lambda: len(server.schedules()) == 2, "two calendar entries")
        ids = {name: w["workoutId"] for name, w in by_name(server).items()}
        assert sorted((s["calendarDate"], s["workoutId"]) for s in server.schedules()) == [
            (monday.isoformat(), ids["Slow one"]), ((monday + timedelta(days=6)).isoformat(), ids["Long run"])]

        athlete = Athlete(name="anna", lthr=171)
        fit = simulate_activity(resolve(parse_text(workout_text("Slow one", STEPS)), athlete), athlete,
                                start=datetime.now(UTC) - timedelta(hours=2)).fit
        activity_id = post_activity(server.url, fit, start_time=datetime.now(UTC) - timedelta(hours=2))
        fetched = daemon.state / "activities" / "anna" / f"{activity_id}.fit"
        wait_for(fetched.exists, "the activity fetched by the poller")
        assert fetched.read_bytes() == fit

        status = daemon.status()
        anna = status["athletes"][0]
        assert status["alive"] and status["pid"] == daemon.process.pid
        assert (status["store"], status["exit_code"]) == ("ok", 0)
        assert (anna["auth"], anna["outbox_depth"], anna["rejected_waiting"]) == ("ok", 0, 2)
        assert anna["last_push"] and anna["last_activity_sync"]

        daemon.wait_notified("WATCHDOG=1")
        code, seconds = daemon.stop()
        assert (code, seconds < 10) == (0, True)
        daemon.wait_notified("STOPPING=1")
    exposed = [f"{path.relative_to(daemon.state)} {path.stat().st_mode & 0o777:o}"
               for path in [daemon.state, *daemon.state.rglob("*")] if path.stat().st_mode & 0o077]
    assert exposed == [], "state files must be private whatever the umask"
    assert list((daemon.state / "backups").glob("watchsync-*.sqlite3"))  # the first scheduled backup
    log = daemon.log_text()
    token = json.loads((daemon.state / "tokens" / "anna" / TOKEN_FILE).read_text())["di_token"]
    assert token not in log and "Traceback" not in log and " error: " not in log
    # one event per line in our format only (no second, unredacted handler such as fit-tool's basicConfig)
    assert all(LOG_LINE.match(line) for line in log.splitlines()), log
    assert "rejected broken.txt for anna" in log and "activity sync for anna: 1 new" in log


def test_refused_login_parks_one_athlete_only_and_resumes_after_login(tmp_path: Path) -> None:
    with running_server() as server, daemon_for(tmp_path, server, ["anna", "bob"], tokens=["anna"]) as daemon:
        (tmp_path / "inbox" / "bob" / "b.txt").write_text(workout_text("Bob easy"))
        (tmp_path / "inbox" / "anna" / "a.txt").write_text(workout_text("Anna easy"))
        wait_for(lambda: "Anna easy" in by_name(server), "anna's workout")
        wait_for(lambda: (tmp_path / "inbox" / "bob" / "processed" / "b.txt").exists(), "bob's file taken in")
        status = daemon.status()
        bob = status["athletes"][1]
        assert bob["auth"].startswith("not logged in") and "--athlete bob" in bob["auth"] and bob["outbox_depth"] == 1
        assert status["exit_code"] == 1  # running, but an athlete needs a person
        assert "Bob easy" not in by_name(server)

        fake_token_dir(daemon.state / "tokens" / "bob", server.url)  # what `watchsync login` leaves behind
        wait_for(lambda: "Bob easy" in by_name(server), "bob's workout after the login")
        wait_for(lambda: daemon.status()["athletes"][1]["auth"] == "ok", "bob's queue released")
        assert daemon.stop()[0] == 0


def test_sigterm_lets_the_request_in_flight_finish_and_exits_zero(tmp_path: Path) -> None:
    with running_server() as server, daemon_for(tmp_path, server, ["anna"], tokens=["anna"]) as daemon:
        server.set_faults(Faults(latency=1.0))
        (tmp_path / "inbox" / "anna" / "slow-server.txt").write_text(workout_text("Pushed while stopping"))
        wait_for(lambda: server.stats.count("GET", "/workout-service/workouts") == 1, "the push under way")
        code, seconds = daemon.stop()
        assert code == 0 and seconds < 10
        assert [w["workoutName"] for w in server.workouts()] == ["Pushed while stopping"]
        daemon.wait_notified("STOPPING=1")
        assert "WATCHDOG=1" not in daemon.messages  # no WatchdogSec (WATCHDOG_USEC unset): no pings
    assert "anna: push pushed-while-stopping: created" in daemon.log_text()


def test_sighup_reloads_the_config_and_keeps_running_on_a_broken_one(tmp_path: Path) -> None:
    with running_server() as server, daemon_for(tmp_path, server, ["anna"], tokens=["anna", "bob"]) as daemon:
        write_config(daemon.config, server, tmp_path / "inbox", ["anna", "bob"])
        daemon.process.send_signal(signal.SIGHUP)
        wait_for((tmp_path / "inbox" / "bob").is_dir, "bob's inbox after the reload")
        (tmp_path / "inbox" / "bob" / "b.txt").write_text(workout_text("Bob after reload"))
        wait_for(lambda: "Bob after reload" in by_name(server), "bob's workout")

        daemon.config.write_text("[daemon\n")
        daemon.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in daemon.log_text(), "the refusal in the log")
        (tmp_path / "inbox" / "anna" / "a.txt").write_text(workout_text("Anna still served"))
        wait_for(lambda: "Anna still served" in by_name(server), "anna's workout after the broken reload")
        assert daemon.stop()[0] == 0


def test_a_second_daemon_on_the_same_state_directory_is_refused_and_a_killed_one_is_not(tmp_path: Path) -> None:
    with running_server() as server, daemon_for(tmp_path, server, ["anna"], tokens=["anna"]) as daemon:
        second = subprocess.run([sys.executable, "-m", "watchsync", "daemon", "--config", str(daemon.config),
                                 "--state-dir", str(daemon.state)], capture_output=True, text=True, timeout=WAIT)
        assert second.returncode != 0
        assert f"another watchsync daemon (pid {daemon.process.pid}) is running" in second.stderr

        daemon.process.kill()  # not reaped yet: a zombie holds no lock, so the next start is not refused
        with tempfile.TemporaryDirectory(prefix="ws-notify-") as notify_dir:
            restarted = Daemon(tmp_path, daemon.config, Path(notify_dir))
            try:
                restarted.wait_notified("READY=1")
            finally:
                restarted.close()


def test_a_plan_dropped_again_restores_a_workout_deleted_in_connect_with_all_its_entries(tmp_path: Path) -> None:
    """probe server13: the daemon creates the deleted workout again for the new session and puts back
    its other coming entries, each once (it never runs ``sync``)."""
    from watchsync.garmin.client import GarminClient

    monday = date.today() + timedelta(days=7 - date.today().weekday())  # next week: every day still to come

    def plan(days: list[str]) -> str:
        sessions = "".join(f'[[weeks.days.{day}]]\ntext = """\n{workout_text("Core 5")}"""\n' for day in days)
        return f'name = "Core block"\nstart = {monday}\n[[weeks]]\nfocus = "build"\n{sessions}'

    with running_server() as server, daemon_for(tmp_path, server, ["anna"], tokens=["anna"]):
        inbox = tmp_path / "inbox" / "anna"
        (inbox / "plan.toml").write_text(plan(["mon", "wed", "fri"]))
        wait_for(lambda: len(server.schedules()) == 3, "three calendar entries")
        connect = GarminClient(fake_token_dir(tmp_path / "connect-tokens", server.url), server.url)
        connect.delete_workout(by_name(server)["Core 5"]["workoutId"])  # by hand in Garmin Connect
        assert server.schedules() == []
        (inbox / "plan.toml").write_text(plan(["mon", "wed", "fri", "sat"]))
        wait_for(lambda: len(server.schedules()) == 4, "the four entries of the workout made again")
        time.sleep(1.0)  # no more than four come
        [core] = server.workouts()
        assert sorted((s["calendarDate"], s["workoutId"]) for s in server.schedules()) == [
            ((monday + timedelta(days=offset)).isoformat(), core["workoutId"]) for offset in (0, 2, 4, 5)]
