"""plan apply over HTTP costs about what a bare create + schedule loop costs, and one fsync per drain.

Each calendar month is read once per apply (not once per session), a create is verified from
Garmin's answer (its stored copy) without reading the workout again, and the drain's commits are
synced together at its end.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.plan.generate import GenerateOptions, generate_plan
from watchsync.prepare import workout_key
from watchsync.services.plan_apply import apply_plan
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
START = date(2030, 1, 21)  # eight weeks over three calendar months
MONTH_ROUTE = "/calendar-service/year/{year}/month/{month}"


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server() as started:
        yield started


@pytest.fixture
def service(tmp_path: Path, server: LocalGarminServer) -> Iterator[SyncService]:
    tokens = fake_token_dir(tmp_path / "tokens", server.url)
    with Store.open(tmp_path / "watchsync.sqlite3") as store:
        yield SyncService(store, lambda: GarminClient(tokens, server.url, sleep=lambda _s: None),
                          Athlete(name="anna", lthr=170, threshold_pace="4:30/km", ftp=230))


def api_calls(server: LocalGarminServer) -> dict[str, int]:
    return {f"{method} {route}": n for (method, route), n in server.stats.requests.items()
            if route.startswith(("/workout-service/", "/calendar-service/"))}


def test_an_eight_week_plan_costs_at_most_5_percent_over_the_bare_loop(server: LocalGarminServer,
                                                                       service: SyncService) -> None:
    plan = generate_plan(GenerateOptions(library=LIBRARY, weeks=8, runs_per_week=5, hours=6.5,
                                         long_run_minutes=80, cross_training=("bike", "swim")))
    sessions = list(plan.sessions(START))
    workouts = {workout_key(s.workout) for s in sessions}
    months = {(s.date.year, s.date.month) for s in sessions}
    result = apply_plan(plan, service, START)
    assert result.drained is not None and not result.drained.failures and not result.drained.remaining
    calls = api_calls(server)
    assert calls["POST /workout-service/schedule/{id}"] == len(sessions) == len(server.schedules())
    assert calls["POST /workout-service/workout"] == len(workouts)
    assert calls[f"GET {MONTH_ROUTE}"] == len(months) == 3  # each month once, not once per session
    assert "GET /workout-service/workout/{id}" not in calls  # creates verified from their answers
    bare = len(workouts) + len(sessions)
    assert sum(calls.values()) <= 1.05 * bare, calls


def test_the_next_apply_reads_the_calendar_again(server: LocalGarminServer, service: SyncService) -> None:
    """The months are cached for one drain only: an entry made meanwhile (by hand, by a crashed
    drain) is seen by the next one and adopted, not scheduled twice."""
    plan = generate_plan(GenerateOptions(library=LIBRARY, weeks=4, runs_per_week=3, hours=4, cross_training=("bike",)))
    apply_plan(plan, service, START)
    first = next(iter(plan.sessions(START)))
    row = service.store.get_schedule("anna", workout_key(first.workout), first.date)
    assert row is not None and row.remote_schedule_id is not None
    # the store forgets the entry was made (as after a power cut): queueing it again must adopt it
    service.store.set_schedule(row.id, "pending")
    service.enqueue_schedule(workout_key(first.workout), first.date)
    before = server.stats.count("GET", MONTH_ROUTE)
    drained = service.drain()
    assert [o.action for o in drained.outcomes] == ["schedule adopted"]
    assert server.stats.count("GET", MONTH_ROUTE) == before + 1
    assert len(server.schedules()) == len(list(plan.sessions(START)))


def test_a_drain_syncs_once_at_its_end(service: SyncService, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = generate_plan(GenerateOptions(library=LIBRARY, weeks=4, runs_per_week=3, hours=4, cross_training=("bike",)))
    db: sqlite3.Connection = service.store._db
    synced_commits: list[int] = []

    def trace(sql: str) -> None:
        if sql.strip().upper() == "COMMIT":
            db.set_trace_callback(None)
            synced_commits.append(int(db.execute("PRAGMA synchronous").fetchone()[0]))
            db.set_trace_callback(trace)

    fsyncs: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda handle: (fsyncs.append(handle), real(handle))[1])
    db.set_trace_callback(trace)
    result = apply_plan(plan, service, START)
    db.set_trace_callback(None)
    assert result.drained is not None and len(result.drained.outcomes) > 10
    full = 2
    assert synced_commits.count(full) == 1  # the queueing transaction, before the drain
    assert len(synced_commits) > len(result.drained.outcomes)  # the drain committed item by item ...
    assert len(fsyncs) == 1  # ... and synced them once, at its end
    assert int(db.execute("PRAGMA synchronous").fetchone()[0]) == full
