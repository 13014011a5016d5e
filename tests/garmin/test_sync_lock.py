"""One drain per athlete at a time, across threads and processes (daemon + CLI push)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from watchsync.garmin.sync import drain_lock


def test_a_second_drain_waits_for_the_first(tmp_path: Path) -> None:
    store_path = tmp_path / "watchsync.sqlite3"
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with drain_lock(store_path, "anna"):
            inside.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(5)
    with drain_lock(store_path, "anna"):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def test_other_athletes_are_not_blocked_and_a_dead_holder_releases(tmp_path: Path) -> None:
    store_path = tmp_path / "watchsync.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from watchsync.garmin.sync import drain_lock\n"
         f"with drain_lock(Path({str(store_path)!r}), 'anna'):\n    print('held', flush=True)\n    time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with drain_lock(store_path, "bo"):
            assert time.monotonic() - started < 1
        holder.kill()
        holder.wait()
        started = time.monotonic()
        with drain_lock(store_path, "anna"):
            assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()
