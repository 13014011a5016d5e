"""The daemon's latency, idle CPU and memory, against the local Garmin server (Linux: reads /proc).

Run: .venv/bin/python bench/daemon.py [--files 100] [--idle-seconds 60]

* Latency: each of ``--files`` plan files (one inline workout, one session) is written into the
  inbox and closed; the time until its calendar entry exists at the server is taken (p50, p99).
  Files go one at a time, so the figure is the daemon's reaction, not queueing: "spaced" files
  arrive 0.6 s after the previous one was done, "back-to-back" ones at once. The latter wait behind
  watchdog's inotify move grouper, which holds the events after an unpaired move out of the folder
  (the previous file going to ``processed/``) for 0.5 s to pair it with a move in. The peer is the
  library doing the same work directly in a child process (parse, queue, drain: create, verify,
  calendar check, schedule) without the daemon, interleaved with the daemon's spaced files (one
  daemon file, one peer file, ...) and timed by the same clock in this process: from the command
  sent to the calendar entry seen at the server. The ratio is what the watcher, intake and worker
  hand-off add.
* Idle CPU: the daemon's user + system time over ``--idle-seconds`` with nothing to do.
* Memory: the daemon's resident set after start-up and after the files, with a bare interpreter's
  as the floor.

Goals: p50 < 0.5 s, idle CPU < 1 %, RSS < 120 MB; each ends in a RESULT line with MET or MISSED.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from _timing import result

from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.plan.parse import parse_plan
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer

GOAL_P50 = 0.5
GOAL_IDLE_CPU = 0.01
GOAL_RSS_MB = 120.0
START = date(2030, 1, 7)
#: Pause before each "spaced" file: longer than watchdog's 0.5 s hold on the previous file's move out.
SPACED_GAP = 0.6
ATHLETE = Athlete(name="anna", lthr=171)


def plan_text(name: str, day: date) -> str:
    """A one-session plan: workout ``name`` inline, on ``day``."""
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]
    return (f'name = "{name}"\nstart = {day}\n[[weeks]]\nfocus = "build"\n[[weeks.days.{weekday}]]\n'
            f'text = """\nname: {name}\nsport: running\n- 30m RPE 3 easy\n6x\n- 20s RPE 9\n- 60s RPE 2\n"""\n')


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("bench: timed out (see the daemon log above)")
        time.sleep(step)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"bench: no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bare_interpreter_rss() -> float:
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    time.sleep(0.3)
    try:
        return rss_mb(child.pid)
    finally:
        child.communicate(b"")


def start_daemon(work: Path, server: LocalGarminServer, notify: socket.socket) -> subprocess.Popen[bytes]:
    fake_token_dir(work / "state" / "tokens" / "anna", server.url)
    config = work / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "{server.url}"\n[daemon]\ninbox = "{work / "inbox"}"\n'
                      f"[athletes.anna]\nlthr = 171\n")
    env = {**os.environ, "NOTIFY_SOCKET": notify.getsockname()}
    process = subprocess.Popen([sys.executable, "-m", "watchsync", "daemon", "--config", str(config),
                                "--state-dir", str(work / "state"), "--log-level", "warning"], env=env)
    notify.settimeout(30)
    while notify.recv(4096) != b"READY=1":
        pass
    return process


def until_scheduled(server: LocalGarminServer, send: Callable[[], object]) -> float:
    """Seconds from ``send()`` to one more calendar entry at the server."""
    before = len(server.schedules())
    started = time.perf_counter()
    send()
    wait_until(lambda: len(server.schedules()) > before)
    return time.perf_counter() - started


def write_plan(inbox: Path, label: str, index: int) -> None:
    with (inbox / f"{label}-{index:03}.toml").open("w") as out:
        out.write(plan_text(f"Daemon {label} {index:03}", START + timedelta(days=index)))


def interleaved_latencies(inbox: Path, server: LocalGarminServer, peer: Peer, files: int,
                          gap: float) -> tuple[list[float], list[float]]:
    """Daemon and peer latencies, one file each in turn (who goes first alternates), ``gap`` apart."""
    daemon: list[float] = []
    direct: list[float] = []
    for index in range(files):
        sides = [("daemon", daemon), ("peer", direct)]
        for side, latencies in sides if index % 2 == 0 else sides[::-1]:
            time.sleep(gap)
            if side == "daemon":
                latencies.append(until_scheduled(server, lambda i=index: write_plan(inbox, "spaced", i)))
            else:
                latencies.append(until_scheduled(server, lambda i=index: peer.send(i)))
                peer.wait_done()
    return daemon, direct


def daemon_latencies(inbox: Path, server: LocalGarminServer, files: int, *, gap: float, label: str) -> list[float]:
    """Latency of each file, written ``gap`` seconds after the previous one's calendar entry appeared."""
    latencies = []
    for index in range(files):
        time.sleep(gap)
        latencies.append(until_scheduled(server, lambda i=index: write_plan(inbox, label, i)))
    return latencies


class Peer:
    """The library applying the same plans directly, in a child process (its own GIL), on command."""

    def __init__(self, server_url: str) -> None:
        self._child = subprocess.Popen([sys.executable, __file__, "--peer", server_url], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
        self.wait_done()  # logged in and ready

    def send(self, index: int) -> None:
        assert self._child.stdin is not None
        self._child.stdin.write(f"{index}\n")
        self._child.stdin.flush()

    def wait_done(self) -> None:
        assert self._child.stdout is not None
        if self._child.stdout.readline().strip() != "done":
            raise SystemExit("bench: the peer child failed")

    def close(self) -> None:
        assert self._child.stdin is not None
        self._child.stdin.close()
        self._child.wait(15)


def serve_peer(work: Path, server_url: str) -> None:
    """The child: for each index read, parse, queue and drain that plan, then answer ``done``."""
    tokens = fake_token_dir(work / "direct-tokens", server_url)
    client = GarminClient(tokens, server_url)
    client.login_from_tokens()
    with Store.open(work / "direct.sqlite3") as store:
        sync = SyncService(store, lambda: client, ATHLETE)
        print("done", flush=True)
        for line in sys.stdin:
            index = int(line)
            source = work / f"direct-{index:03}.toml"
            plan = parse_plan(plan_text(f"Direct bench {index:03}", START + timedelta(days=index)), source)
            with store.transaction():
                for session in plan.sessions():
                    sync.enqueue_schedule(sync.enqueue_push(session.workout, source), session.date)
            sync.drain()
            print("done", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--peer", metavar="SERVER_URL", help=argparse.SUPPRESS)  # the child running the peer
    args = parser.parse_args()
    if args.peer:
        with tempfile.TemporaryDirectory(prefix="ws-bench-peer-") as tmp:
            serve_peer(Path(tmp), args.peer)
        return 0
    if not Path("/proc/self/stat").exists():
        raise SystemExit("bench/daemon.py reads /proc: Linux only")
    with running_server() as server, tempfile.TemporaryDirectory(prefix="ws-bench-") as tmp, \
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        work = Path(tmp)
        notify.bind(str(work / "notify.sock"))
        process = start_daemon(work, server, notify)
        try:
            time.sleep(2.0)  # let the start-up activity sync finish
            rss_start = rss_mb(process.pid)
            cpu_before, wall_before = cpu_seconds(process.pid), time.monotonic()
            time.sleep(args.idle_seconds)
            idle = (cpu_seconds(process.pid) - cpu_before) / (time.monotonic() - wall_before)
            inbox = work / "inbox" / "anna"
            peer = Peer(server.url)
            try:
                spaced, direct = interleaved_latencies(inbox, server, peer, args.files, SPACED_GAP)
            finally:
                peer.close()
            back_to_back = daemon_latencies(inbox, server, args.files, gap=0.0, label="back-to-back")
            rss_after = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(15)
    floor = bare_interpreter_rss()
    d50, p50 = percentile(spaced, 0.5), percentile(direct, 0.5)
    b50 = percentile(back_to_back, 0.5)
    rows = [
        ("latency p50, file closed -> calendar entry", f"{d50 * 1000:.0f} ms", f"goal < {GOAL_P50 * 1000:.0f} ms",
         d50 < GOAL_P50),
        ("latency p99", f"{percentile(spaced, 0.99) * 1000:.0f} ms", f"mean {statistics.fmean(spaced) * 1000:.0f} ms",
         True),
        ("back-to-back files: p50 / p99", f"{b50 * 1000:.0f} / {percentile(back_to_back, 0.99) * 1000:.0f} ms",
         "each file right after the previous one's entry", True),
        ("peer: library direct, p50 / p99", f"{p50 * 1000:.0f} / {percentile(direct, 0.99) * 1000:.0f} ms",
         f"daemon/direct p50 = {d50 / p50:.2f}x", True),
        (f"idle CPU over {args.idle_seconds:.0f} s", f"{idle * 100:.3f} %", f"goal < {GOAL_IDLE_CPU * 100:.0f} %",
         idle < GOAL_IDLE_CPU),
        ("RSS after start-up", f"{rss_start:.1f} MB", f"goal < {GOAL_RSS_MB:.0f} MB; bare python {floor:.1f} MB",
         rss_start < GOAL_RSS_MB),
        (f"RSS after {args.files} files", f"{rss_after:.1f} MB", f"goal < {GOAL_RSS_MB:.0f} MB",
         rss_after < GOAL_RSS_MB),
    ]
    for label, value, note, ok in rows:
        print(f"{label:<45} {value:>14}   {note}{'' if ok else '   MISSED'}")
    result("daemon latency p50, file closed -> calendar entry", f"{d50 * 1000:.0f} ms",
           f"peer library direct {p50 * 1000:.0f} ms", f"{d50 / p50:.2f}x", f"< {GOAL_P50 * 1000:.0f} ms",
           d50 < GOAL_P50)
    result(f"daemon idle CPU over {args.idle_seconds:.0f} s", f"{idle * 100:.3f} %", "floor 0 %", "-",
           f"< {GOAL_IDLE_CPU * 100:.0f} %", idle < GOAL_IDLE_CPU)
    result(f"daemon RSS after {args.files} files", f"{rss_after:.1f} MB", f"floor bare python {floor:.1f} MB",
           f"{rss_after / floor:.1f}x", f"< {GOAL_RSS_MB:.0f} MB", max(rss_start, rss_after) < GOAL_RSS_MB)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
