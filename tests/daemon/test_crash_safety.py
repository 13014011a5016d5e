"""Crash safety: SIGKILL the real daemon at random moments during a 100-file burst, restart it each time.

Scheduling comes from plan files dropped with the burst: most carry their sessions' workouts inline,
the last one schedules workout files of the burst by name (dropped once those are processed).
At the end the server holds each workout once and each session's calendar entry once, and every
dropped file is in ``processed/``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from watchsync.daemon.status import LAST_PUSH_KEY
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import Faults, LocalGarminServer

pytestmark = pytest.mark.slow

FILES = 100
PLANS = 5
SESSIONS_PER_PLAN = 4
FILE_SESSIONS = 6  # sessions of the last plan, on workout files of the burst
MIN_KILLS = 10
START = date(2030, 1, 7)  # a Monday


def workout_text(name: str, minutes: int) -> str:
    return f"name: {name}\nsport: running\n- {minutes}m RPE 3 easy\n"


def inline_plan(number: int) -> tuple[str, list[tuple[str, date]]]:
    """A plan of one week with its workouts inline, and its (workout name, date) sessions."""
    lines = [f'name = "Plan {number}"', f"start = {START + timedelta(weeks=number)}", "[[weeks]]", 'focus = "build"']
    sessions = []
    for day, weekday in enumerate(("mon", "tue", "thu", "sat")[:SESSIONS_PER_PLAN]):
        name = f"Plan {number} session {day}"
        lines += [f"[[weeks.days.{weekday}]]", 'text = """', workout_text(name, 20 + day) + '"""']
        sessions.append((name, START + timedelta(weeks=number, days=(0, 1, 3, 5)[day])))
    return "\n".join(lines) + "\n", sessions


def file_plan() -> tuple[str, list[tuple[str, date]]]:
    """A plan naming workout files of the burst."""
    start = START + timedelta(weeks=PLANS)
    lines = ['name = "Files plan"', f"start = {start}", "[[weeks]]", 'focus = "build"']
    sessions = []
    for day in range(FILE_SESSIONS):
        lines += [f"[[weeks.days.{('mon', 'tue', 'wed', 'thu', 'fri', 'sat')[day]}]]", f'workout = "w{day:03}.txt"']
        sessions.append((f"Workout {day:03}", start + timedelta(days=day)))
    return "\n".join(lines) + "\n", sessions


class Burst:
    """Drops the workout files and inline plans at a steady pace, half written in place, half renamed in."""

    def __init__(self, inbox: Path, outside: Path) -> None:
        self.inbox, self.outside = inbox, outside
        self.contents: dict[str, str] = {}
        self.sessions: list[tuple[str, date]] = []
        self.thread = threading.Thread(target=self._drop_all, daemon=True)

    def _drop_all(self) -> None:
        rng = random.Random(7)
        items = [(f"w{i:03}.txt", workout_text(f"Workout {i:03}", 10 + i % 50)) for i in range(FILES)]
        for number in range(PLANS):
            text, sessions = inline_plan(number)
            items.insert((number + 1) * FILES // (PLANS + 1), (f"plan{number}.toml", text))
            self.sessions += sessions
        for index, (name, text) in enumerate(items):
            self.drop(name, text, rename=index % 2 == 1)
            time.sleep(rng.uniform(0.02, 0.15))

    def drop(self, name: str, text: str, *, rename: bool) -> None:
        self.contents[name] = text
        if rename:
            staged = self.outside / name
            staged.write_text(text)
            os.rename(staged, self.inbox / name)
        else:
            (self.inbox / name).write_text(text)


def start_daemon(config: Path, state: Path, notify: socket.socket, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NOTIFY_SOCKET": notify.getsockname()}
    with log.open("ab") as stream:
        return subprocess.Popen([sys.executable, "-m", "watchsync", "daemon", "--config", str(config),
                                 "--state-dir", str(state)], stderr=stream, env=env)


def wait_ready(process: subprocess.Popen[bytes], notify: socket.socket, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    notify.settimeout(0.1)
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if notify.recv(4096) == b"READY=1":
                return
        except TimeoutError:
            continue
    raise AssertionError(f"daemon not ready (exit code {process.poll()})")


def settled(state: Path, inbox: Path, expected: set[str]) -> bool:
    if any(entry.is_file() for entry in inbox.iterdir()):
        return False
    moved = {p.read_text() for folder in ("processed", "rejected") if (inbox / folder).is_dir()
             for p in (inbox / folder).iterdir()}
    if not expected <= moved:
        return False
    with Store.open(state / "watchsync.sqlite3") as store:
        return not store.list_outbox("anna")


def calendar(server: LocalGarminServer) -> Counter[tuple[str, str]]:
    names = {w["workoutId"]: w["workoutName"] for w in server.workouts()}
    return Counter((names[s["workoutId"]], s["calendarDate"]) for s in server.schedules())


def test_sigkill_during_a_burst_leaves_no_duplicates_and_no_lost_file(tmp_path: Path) -> None:
    rng = random.Random(2026)
    inbox, state, outside = tmp_path / "inbox" / "anna", tmp_path / "state", tmp_path / "outside"
    inbox.mkdir(parents=True)
    outside.mkdir()
    log = tmp_path / "daemon.log"
    with running_server(faults=Faults(latency=0.01)) as server, \
            tempfile.TemporaryDirectory(prefix="ws-notify-") as notify_dir, \
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(Path(notify_dir) / "notify.sock"))
        fake_token_dir(state / "tokens" / "anna", server.url)
        config = tmp_path / "config.toml"
        config.write_text(f'[garmin]\nendpoint = "{server.url}"\n[daemon]\ninbox = "{tmp_path / "inbox"}"\n'
                          f"poll_minutes = 60\nquiet_seconds = 0.5\n[athletes.anna]\nlthr = 171\n")
        burst = Burst(inbox, outside)
        burst.thread.start()
        kills = 0
        file_plan_dropped = False
        while kills < MIN_KILLS or burst.thread.is_alive() or not file_plan_dropped:
            process = start_daemon(config, state, notify, log)
            wait_ready(process, notify)
            time.sleep(rng.uniform(0.05, 0.8))
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            if not burst.thread.is_alive() and not file_plan_dropped and kills >= MIN_KILLS // 2:
                text, sessions = file_plan()
                burst.drop("files-plan.toml", text, rename=True)  # the files it names were dropped long ago
                burst.sessions += sessions
                file_plan_dropped = True

        with Store.open(state / "watchsync.sqlite3") as store:  # as if every kill hit before the drain's summary
            store.kv_delete("anna", LAST_PUSH_KEY)
            pushed = store.last_done_at("anna", "push")
        shown = subprocess.run([sys.executable, "-m", "watchsync", "status", "--json", "--config", str(config),
                                "--state-dir", str(state)], capture_output=True, text=True, check=False)
        assert shown.returncode == 3  # no daemon running
        last_push = json.loads(shown.stdout)["athletes"][0]["last_push"]
        assert pushed is not None and last_push == pushed.isoformat(timespec="seconds"), (pushed, last_push)

        process = start_daemon(config, state, notify, log)
        try:
            wait_ready(process, notify)
            deadline = time.monotonic() + 45
            while not settled(state, inbox, set(burst.contents.values())):
                assert time.monotonic() < deadline, "the daemon did not finish the burst"
                time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

        names = Counter(w["workoutName"] for w in server.workouts())
        expected_names = {f"Workout {i:03}" for i in range(FILES)} | {
            name for name, _day in burst.sessions if name.startswith("Plan ")}
        assert set(names) == expected_names and set(names.values()) == {1}, names.most_common(3)
        entries = calendar(server)
        assert entries == Counter((name, day.isoformat()) for name, day in burst.sessions), entries.most_common(3)
        assert len(burst.sessions) == PLANS * SESSIONS_PER_PLAN + FILE_SESSIONS
    assert kills >= MIN_KILLS
    assert not (inbox / "rejected").exists(), "\n".join(p.name for p in (inbox / "rejected").iterdir())
    processed = {p.read_text() for p in (inbox / "processed").iterdir()}
    assert set(burst.contents.values()) <= processed
