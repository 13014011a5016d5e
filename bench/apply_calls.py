"""Garmin calls of ``plan apply`` against a bare garminconnect create + schedule loop.

Run: .venv/bin/python bench/apply_calls.py [--athletes 1] [--rounds 3] [--latency 0.05]

An 8-week generated plan (5 runs a week, bike and swim cross-training) is applied for each of
``--athletes`` athletes (starts a week apart) against an in-process local Garmin server over HTTP,
through the real garminconnect code path, with ``--latency`` seconds added per request:

(a) ours: :func:`~watchsync.services.plan_apply.apply_plan` per athlete, each with its own state store on
    disk (queue every push and schedule, then drain: create + verify each workout, look for
    workouts to adopt, check the calendar before scheduling, schedule each session);
(b) the peer: a bare loop on a fresh server, creating each of the plan's workouts once and
    scheduling each session: no store, no verification, no idempotence -- the least any apply can
    cost.

The two run interleaved (alternating which goes first) for ``--rounds`` rounds. Prints the API
requests per session as the server counted them (workout and calendar services), the median wall
time of each, the call ratio (a)/(b) with its verdict against the goal (<= 1.05x), and the store's
SQL statements and fsyncs per apply.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from _timing import result

from watchsync.formats.connect_json import content_hash, workout_to_connect
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.plan.generate import GenerateOptions, generate_plan
from watchsync.plan.model import Plan
from watchsync.prepare import workout_key
from watchsync.resolve import resolve
from watchsync.services.plan_apply import apply_plan
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import Faults, LocalGarminServer

LIBRARY = Path(__file__).resolve().parents[1] / "workouts"
OPTIONS = GenerateOptions(library=LIBRARY, weeks=8, runs_per_week=5, hours=6.5, long_run_minutes=80,
                          cross_training=("bike", "swim"))
FIRST_START = date(2030, 1, 7)
GOAL_RATIO = 1.05


@dataclass
class Run:
    """One side of one round: wall seconds, API requests by route, store statements and synced commits."""

    seconds: float
    requests: Counter[str]
    statements: int = 0
    synced_commits: int = 0  # fsyncs: synced commits and explicit WAL syncs


def athletes(count: int) -> list[Athlete]:
    return [Athlete(name=f"athlete{i}", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)
            for i in range(count)]


def api_requests(server: LocalGarminServer) -> Counter[str]:
    return Counter({f"{method} {route}": n for (method, route), n in server.stats.requests.items()
                    if route.startswith(("/workout-service/", "/calendar-service/"))})


def start_of(index: int) -> date:
    return FIRST_START + timedelta(weeks=index)


def ours(plan: Plan, people: list[Athlete], latency: float) -> Run:
    statements = synced = 0
    with tempfile.TemporaryDirectory() as tmp, running_server(faults=Faults(latency=latency)) as server:
        root = Path(tmp)
        tokens = fake_token_dir(root / "tokens", server.url)
        before = api_requests(server)
        elapsed = 0.0
        for index, athlete in enumerate(people):
            with Store.open(root / f"{athlete.name}.sqlite3") as store:
                counter = _SqlCounter(store)
                service = SyncService(store, lambda: GarminClient(tokens, server.url), athlete)
                start = time.perf_counter()
                with counter.counting_fsyncs():
                    result = apply_plan(plan, service, start_of(index))
                elapsed += time.perf_counter() - start
                statements, synced = statements + counter.statements, synced + counter.synced
                drained = result.drained
                if drained is None or drained.failures or drained.remaining:
                    raise SystemExit(f"apply failed: {drained}")
        if len(server.schedules()) != len(people) * sum(1 for _ in plan.sessions(FIRST_START)):
            raise SystemExit(f"expected every session on the calendar, found {len(server.schedules())}")
        return Run(elapsed, api_requests(server) - before, statements, synced)


class _SqlCounter:
    """Counts the statements a store runs, its commits made while ``synchronous`` is FULL (SQLite
    syncs each) and the explicit fsyncs watchsync makes."""

    def __init__(self, store: Store) -> None:
        self.statements = self.synced = 0
        self._db: sqlite3.Connection = store._db  # the bench looks inside on purpose
        self._db.set_trace_callback(self._trace)

    def _trace(self, sql: str) -> None:
        self.statements += 1
        if sql.strip().upper() == "COMMIT" and self._full():
            self.synced += 1

    @contextmanager
    def counting_fsyncs(self) -> Iterator[None]:
        real = os.fsync

        def counted(handle: int) -> None:
            self.synced += 1
            real(handle)

        os.fsync = counted
        try:
            yield
        finally:
            os.fsync = real

    def _full(self) -> bool:
        self._db.set_trace_callback(None)
        try:
            return int(self._db.execute("PRAGMA synchronous").fetchone()[0]) >= 2
        finally:
            self._db.set_trace_callback(self._trace)


def peer(plan: Plan, people: list[Athlete], latency: float) -> Run:
    with tempfile.TemporaryDirectory() as tmp, running_server(faults=Faults(latency=latency)) as server:
        client = GarminClient(fake_token_dir(Path(tmp) / "tokens", server.url), server.url)
        client.login_from_tokens()
        work = []
        for index, athlete in enumerate(people):
            sessions = list(plan.sessions(start_of(index)))
            payloads = {}
            for session in sessions:
                resolved = resolve(session.workout, athlete)
                payloads.setdefault(workout_key(session.workout),
                                    workout_to_connect(resolved, marker=content_hash(resolved)))
            work.append((sessions, payloads))
        before = api_requests(server)
        start = time.perf_counter()
        for sessions, payloads in work:
            ids = {key: int(client.create_workout(payload)["workoutId"]) for key, payload in payloads.items()}
            for session in sessions:
                client.schedule_workout(ids[workout_key(session.workout)], session.date)
        return Run(time.perf_counter() - start, api_requests(server) - before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the server adds per request")
    args = parser.parse_args()
    plan = generate_plan(OPTIONS)
    people = athletes(args.athletes)
    sessions = args.athletes * sum(1 for _ in plan.sessions(FIRST_START))
    runs: dict[str, list[Run]] = {"ours": [], "peer": []}
    for index in range(args.rounds):
        order = ["ours", "peer"] if index % 2 == 0 else ["peer", "ours"]
        for side in order:
            runs[side].append((ours if side == "ours" else peer)(plan, people, args.latency))
    our_calls = [sum(run.requests.values()) for run in runs["ours"]]
    peer_calls = [sum(run.requests.values()) for run in runs["peer"]]
    our_time = statistics.median(run.seconds for run in runs["ours"])
    peer_time = statistics.median(run.seconds for run in runs["peer"])
    ratio = statistics.median(our_calls) / statistics.median(peer_calls)
    print(f"plan apply: {args.athletes} athlete(s) x 8 weeks = {sessions} sessions, server latency "
          f"{args.latency * 1000:.0f} ms, median of {args.rounds} interleaved rounds")
    print(f"  ours: {statistics.median(our_calls):.0f} calls ({statistics.median(our_calls) / sessions:.3f} per "
          f"session), {our_time:.2f} s  {dict(sorted(runs['ours'][0].requests.items()))}")
    print(f"  bare create + schedule loop: {statistics.median(peer_calls):.0f} calls "
          f"({statistics.median(peer_calls) / sessions:.3f} per session), {peer_time:.2f} s")
    print(f"  store per apply: {runs['ours'][0].statements / args.athletes:.0f} SQL statements, "
          f"{runs['ours'][0].synced_commits / args.athletes:.0f} fsyncs (synced commits and WAL syncs)")
    result("plan apply Garmin calls", f"{statistics.median(our_calls) / sessions:.3f} per session",
           f"peer bare create + schedule loop {statistics.median(peer_calls) / sessions:.3f}",
           f"{ratio:.3f}x (time {our_time / peer_time:.2f}x)", f"<= {GOAL_RATIO:g}x", ratio <= GOAL_RATIO)


if __name__ == "__main__":
    main()
