"""Push throughput and Garmin API calls per workout through SyncService, against the local server.

Run: .venv/bin/python bench/push.py [--copies 6] [--latency 0] [--rounds 3]

The library (``workouts/**/*.txt|toml``; ``plans/`` holds plans) is copied ``--copies`` times under
distinct names (6 copies = 108 workouts) and pushed to an in-process local Garmin server over HTTP
through the real garminconnect code path, with the state store on disk:

(a) ours, first push: enqueue (resolve, hash, store row + outbox row) and drain (create, compare
    Garmin's answer, record the id); one listing of the remote library per drain looks for workouts
    to adopt;
(b) ours, unchanged re-push: must make no call at all;
(c) ours, every workout edited: update in place + read back;
(d) the peer, a bare ``GarminClient.create_workout`` loop over the same JSON on a fresh server: no
    store, no read-back, no crash safety -- the least any push can cost.

Each round runs (a)-(c) on a fresh server and store and (d) on another, taking turns at going
first; ``--rounds`` rounds, medians printed. Prints workouts per second, API calls per workout
(from ``client.calls`` and the server's request counts, which must agree), the (a)/(d) wall-time
ratio (the price of idempotence and verification) and RESULT lines: first-push calls at most
1.05x the bare loop's, an unchanged re-push no call at all. ``--latency`` adds seconds per request
at the server (Garmin answers in ~0.2-0.5 s, so calls per workout decide real-world speed).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from _timing import result

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
CALLS_GOAL = 1.05
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


def ours_round(workouts: list[Workout], faults: Faults) -> dict[str, tuple[float, Counter[str]]]:
    """(a), (b) and (c) on a fresh server and store: seconds and calls of each."""
    count = len(workouts)
    with tempfile.TemporaryDirectory() as tmp, running_server(faults=faults) as server:
        root = Path(tmp)
        client = GarminClient(fake_token_dir(root / "tokens", server.url), server.url)
        client.login_from_tokens()
        with Store.open(root / "state.sqlite3") as store:
            service = SyncService(store, lambda: client, ATHLETE)
            server_before = api_requests(server)
            first = timed_push(service, workouts)
            server_calls = api_requests(server) - server_before
            if sum(server_calls.values()) != sum(first[1].values()):
                raise SystemExit(f"client and server disagree: {first[1]} vs {server_calls}")
            again = timed_push(service, workouts)
            edited = [w.model_copy(update={"description": "edited for the benchmark"}) for w in workouts]
            update = timed_push(service, edited)
        if len(server.workouts()) != count:
            raise SystemExit(f"expected {count} workouts at the server, found {len(server.workouts())}")
    return {"first": first, "again": again, "update": update}


def peer_round(payloads: list[dict[str, object]], faults: Faults) -> tuple[float, Counter[str]]:
    """(d) on a fresh server."""
    with tempfile.TemporaryDirectory() as tmp, running_server(faults=faults) as server:
        bare = GarminClient(fake_token_dir(Path(tmp) / "tokens", server.url), server.url)
        bare.login_from_tokens()
        start = time.perf_counter()
        for payload in payloads:
            bare.create_workout(payload)
        return time.perf_counter() - start, Counter(bare.calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6, help="library copies (default 6 = 108 workouts)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the server adds per request")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median; default 3)")
    args = parser.parse_args()
    workouts = library(args.copies)
    count = len(workouts)
    faults = Faults(latency=args.latency)
    payloads = []
    for workout in workouts:
        resolved = resolve(workout, ATHLETE)
        payloads.append(workout_to_connect(resolved, marker=content_hash(resolved)))
    ours: list[dict[str, tuple[float, Counter[str]]]] = []
    peers: list[tuple[float, Counter[str]]] = []
    for number in range(args.rounds):
        if number % 2 == 0:
            ours.append(ours_round(workouts, faults))
            peers.append(peer_round(payloads, faults))
        else:
            peers.append(peer_round(payloads, faults))
            ours.append(ours_round(workouts, faults))

    def median_of(side: str) -> float:
        return statistics.median(r[side][0] for r in ours)

    first, again, update = median_of("first"), median_of("again"), median_of("update")
    peer = statistics.median(seconds for seconds, _ in peers)
    print(f"{count} workouts ({args.copies} copies of the library), server latency {args.latency * 1000:.0f} ms, "
          f"median of {args.rounds} interleaved rounds")
    report("(a) SyncService first push", count, first, ours[0]["first"][1])
    report("(b) SyncService unchanged re-push", count, again, ours[0]["again"][1])
    report("(c) SyncService all edited", count, update, ours[0]["update"][1])
    report("(d) bare create_workout loop", count, peer, peers[0][1])
    print(f"ratio (a)/(d) wall time: {first / peer:.2f}x  (store and crash safety on top of a bare create; "
          f"per round: {', '.join(f'{r['first'][0] / p[0]:.2f}x' for r, p in zip(ours, peers, strict=True))})")
    calls = sum(ours[0]["first"][1].values()) / sum(peers[0][1].values())
    result("push calls, first push", f"{sum(ours[0]['first'][1].values()) / count:.3f} calls/workout",
           f"peer bare create loop {sum(peers[0][1].values()) / count:.3f}", f"{calls:.3f}x", f"<= {CALLS_GOAL:g}x",
           calls <= CALLS_GOAL)
    result("push calls, unchanged re-push", f"{sum(ours[0]['again'][1].values())} calls", "floor 0 calls",
           "-", "0 calls", sum(ours[0]["again"][1].values()) == 0)


if __name__ == "__main__":
    main()
