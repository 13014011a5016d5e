"""Push throughput and Garmin API calls per workout through SyncService, against the local server.

Run: .venv/bin/python bench/push.py [--copies 6] [--latency 0]

The library (``workouts/**/*.txt|toml``; ``plans/`` holds plans) is copied ``--copies`` times under
distinct names (6 copies = 108 workouts) and pushed to an in-process local Garmin server over HTTP
through the real garminconnect code path, with the state store on disk:

(a) ours, first push: enqueue (resolve, hash, store row + outbox row) and drain (create, read back
    and compare, record the id); one listing of the remote library per drain looks for workouts
    to adopt;
(b) ours, unchanged re-push: must make no call at all;
(c) ours, every workout edited: update in place + read back;
(d) the peer, a bare ``GarminClient.create_workout`` loop over the same JSON on a fresh server: no
    store, no read-back, no crash safety -- the least any push can cost.

Prints workouts per second, API calls per workout (from ``client.calls`` and the server's request
counts, which must agree) and the (a)/(d) wall-time ratio: the price of idempotence and
verification. ``--latency`` adds seconds per request at the server (Garmin answers in ~0.2-0.5 s,
so calls per workout decide real-world speed).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from watchsync.formats.connect_json import content_hash, workout_to_connect
from watchsync.formats.load import load_workout
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.resolve import resolve
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import Faults, LocalGarminServer

LIBRARY = Path(__file__).resolve().parents[1] / "workouts"
ATHLETE = Athlete(name="bench", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)


def library(copies: int) -> list[Workout]:
    paths = sorted(p for p in LIBRARY.rglob("*") if p.suffix in (".txt", ".toml") and "plans" not in p.parts)
    originals = [load_workout(path) for path in paths]
    return [w.model_copy(update={"name": f"{w.name} #{i + 1}"}) for i in range(copies) for w in originals]


def api_requests(server: LocalGarminServer) -> Counter[str]:
    return Counter({f"{method} {route}": n for (method, route), n in server.stats.requests.items()
                    if route.startswith(("/workout-service/", "/calendar-service/"))})


def timed_push(service: SyncService, workouts: list[Workout]) -> tuple[float, Counter[str]]:
    before = Counter(service.client.calls)
    start = time.perf_counter()
    for workout in workouts:
        service.enqueue_push(workout)
    result = service.drain()
    elapsed = time.perf_counter() - start
    if result.failures or result.parked or result.remaining:
        raise SystemExit(f"push failed: {result.failures[:3]} parked={result.parked}")
    return elapsed, Counter(service.client.calls) - before


def report(label: str, count: int, seconds: float, calls: Counter[str]) -> None:
    per = {name: round(n / count, 3) for name, n in sorted(calls.items())}
    rate = f"{count / seconds:8.1f} workouts/s" if seconds else ""
    print(f"{label:<34} {seconds * 1000:8.1f} ms {rate}  calls/workout {sum(calls.values()) / count:.3f} {per}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6, help="library copies (default 6 = 108 workouts)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the server adds per request")
    args = parser.parse_args()
    workouts = library(args.copies)
    count = len(workouts)
    faults = Faults(latency=args.latency)
    with tempfile.TemporaryDirectory() as tmp, running_server(faults=faults) as server:
        root = Path(tmp)
        client = GarminClient(fake_token_dir(root / "tokens", server.url), server.url)
        client.login_from_tokens()
        with Store.open(root / "state.sqlite3") as store:
            service = SyncService(store, lambda: client, ATHLETE)
            server_before = api_requests(server)
            first, first_calls = timed_push(service, workouts)
            server_calls = api_requests(server) - server_before
            if sum(server_calls.values()) != sum(first_calls.values()):
                raise SystemExit(f"client and server disagree: {first_calls} vs {server_calls}")
            again, again_calls = timed_push(service, workouts)
            edited = [w.model_copy(update={"description": "edited for the benchmark"}) for w in workouts]
            update, update_calls = timed_push(service, edited)
        if len(server.workouts()) != count:
            raise SystemExit(f"expected {count} workouts at the server, found {len(server.workouts())}")

    payloads = []
    for workout in workouts:
        resolved = resolve(workout, ATHLETE)
        payloads.append(workout_to_connect(resolved, marker=content_hash(resolved)))
    with tempfile.TemporaryDirectory() as tmp, running_server(faults=faults) as server:
        bare = GarminClient(fake_token_dir(Path(tmp) / "tokens", server.url), server.url)
        bare.login_from_tokens()
        start = time.perf_counter()
        for payload in payloads:
            bare.create_workout(payload)
        peer = time.perf_counter() - start

    print(f"{count} workouts ({args.copies} copies of the library), server latency {args.latency * 1000:.0f} ms")
    report("(a) SyncService first push", count, first, first_calls)
    report("(b) SyncService unchanged re-push", count, again, again_calls)
    report("(c) SyncService all edited", count, update, update_calls)
    report("(d) bare create_workout loop", count, peer, Counter(bare.calls))
    print(f"ratio (a)/(d) wall time: {first / peer:.2f}x  (read-back, store and crash safety on top of a bare create)")


if __name__ == "__main__":
    main()
