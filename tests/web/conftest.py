"""A simulated fortnight served by the REAL daemon (a subprocess) against the local Garmin server.

Two athletes: anna (a generated plan, three coach files of which two are broken, and a fortnight of
simulated activities posted to the server, first with 5xx faults so pushes are retried) and ben,
who never logged in (his queue is parked). The daemon serves the dashboard on a loopback port and
sends notifications to a local JSON sink (apprise's ``json://``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from watchsync.config import default_config
from watchsync.demo import drop, free_port, simulate_weeks
from watchsync.garmin.tokens import TOKEN_FILE
from watchsync.model.athlete import Athlete
from watchsync.plan.generate import GenerateOptions, generate_plan
from watchsync.plan.write import write_plan_toml
from watchsync.prepare import workout_key
from watchsync.store import Store
from watchsync.testing.garmin.faults import Faults
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.notify_sink import NotifySink, running_sink

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
WAIT = 90.0
#: A secret-looking value inside a broken file: the rejection reason may quote the line, messages may not.
PLANTED_SECRET = "api_key=Zq8Xw2Lm4Np6Rt8Vb0Cd2Ef4Gh6Jk8Mn0Pq"
BROKEN_FILES = {
    "broken-intervals.txt": ("name: Broken intervals\nsport: running\nMain set 5x\n- 3m RPE 11 too hard\n"
                             "- 2m RPE 2 jog\n"),
    "leaky-notes.txt": f"name: Leaky\nsport: {PLANTED_SECRET}\n- 10m RPE 3 easy\n",
}
GOOD_FILE = ("tempo-hills.txt", "name: Tempo hills\nsport: trail_running\nWarmup\n- 15m RPE 3 easy\nClimbs 4x\n"
                                "- 4m RPE 6 steady climb\n- 3m RPE 2 easy back down\nCooldown\n- 10m RPE 2-3\n")


def wait_for(what: str, condition: Callable[[], object], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@dataclass
class Fortnight:
    url: str
    sink: NotifySink
    state: Path
    inbox: Path
    log: Path
    anna: Athlete
    process: subprocess.Popen[bytes]
    secrets: list[str]
    server: LocalGarminServer
    #: Workout uploads the server answered (429s included) and workouts it holds: more answers = retries.
    uploads: tuple[int, int] = (0, 0)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def fortnight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fortnight]:
    work = tmp_path_factory.mktemp("fortnight")
    state, inbox_root, log = work / "state", work / "inbox", work / "daemon.log"
    anna = default_config().athlete()
    today = date.today()
    start = today - timedelta(days=today.weekday(), weeks=2)
    port = free_port()
    with running_server(faults=Faults(rate_limit=0.3, retry_after=0, seed=3)) as server, running_sink() as sink:
        (inbox_root / "anna").mkdir(parents=True)
        (inbox_root / "ben").mkdir(parents=True)
        config = work / "config.toml"
        config.write_text(
            f'[garmin]\nendpoint = "{server.url}"\nmax_retries = 5\n'
            f'[daemon]\ninbox = "{inbox_root}"\npoll_minutes = 0.05\nquiet_seconds = 0.3\n'
            f'[web]\nlisten = "127.0.0.1:{port}"\n'
            f'[notify]\nurls = ["{sink.url}"]\ncheck_seconds = 0.3\n'
            f"[athletes.anna]\nmax_hr = {anna.max_hr}\nresting_hr = {anna.resting_hr}\nlthr = {anna.lthr}\n"
            f'threshold_pace = "4:30/km"\n'
            "[athletes.ben]\nlthr = 165\n", "utf-8")
        fake_token_dir(state / "tokens" / "anna", server.url)
        tokens = json.loads((state / "tokens" / "anna" / TOKEN_FILE).read_text())
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "watchsync", "--config", str(config), "--state-dir", str(state), "daemon"],
                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        env = Fortnight(f"http://127.0.0.1:{port}/", sink, state, inbox_root, log, anna, process,
                        [str(v) for v in tokens.values() if isinstance(v, str) and len(v) > 20], server)
        try:
            wait_for("the dashboard", lambda: "dashboard at" in env.log_text() or process.poll() is not None)
            assert process.poll() is None, env.log_text()
            plan = generate_plan(GenerateOptions(library=LIBRARY, weeks=4, start=start, runs_per_week=4,
                                                 cross_training=("bike",), athlete="anna"))
            drop(inbox_root / "anna", "base.toml", write_plan_toml(plan, str(LIBRARY)))
            drop(inbox_root / "anna", *GOOD_FILE)
            for name, text in BROKEN_FILES.items():
                drop(inbox_root / "anna", name, text)
            expected = len({(workout_key(s.workout), s.date) for s in plan.sessions(start)})
            wait_for("the plan on the Garmin calendar (calls retried through 429s)",
                     lambda: len(server.schedules()) >= expected)
            server.set_faults(Faults())
            env.uploads = (server.stats.count("POST", "/workout-service/workout"), len(server.workouts()))
            posted = simulate_weeks(server, plan, start, anna, today)
            with Store.open(state / "watchsync.sqlite3") as store:
                wait_for("the fortnight's activities fetched and scored",
                         lambda: sum(1 for row in store.list_activities("anna") if row.analysed_at) >= posted)
            try:
                wait_for("the rejections notified", lambda: all(  # one message each, or one for the round
                    any("rejected" in str(m["title"]) and name in f"{m['title']}{m['message']}"
                        for m in sink.received()) for name in BROKEN_FILES))
            except AssertionError as error:
                raise AssertionError(f"{error}; got {sink.received()}; log:\n{env.log_text()[-5000:]}") from None
            yield env
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
