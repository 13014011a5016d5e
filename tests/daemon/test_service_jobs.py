"""The poller's timing and failure handling, and the daily compliance summary from a real store."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from watchsync.daemon.jobs import Poller, write_daily_summary
from watchsync.formats.text import parse_text
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.store import Store


def test_poller_syncs_at_start_and_every_interval_and_survives_a_failing_job() -> None:
    calls: list[float] = []
    third = threading.Event()

    def sync_due() -> None:
        calls.append(time.monotonic())
        if len(calls) >= 3:
            third.set()
        raise RuntimeError("Garmin is down")  # every call fails; the poller must keep going

    poller = Poller(poll_seconds=1, daily_at="00:00", sync_due=sync_due, daily=lambda _day: None)
    started = time.monotonic()
    poller.start()
    try:
        assert third.wait(5), calls
        assert poller.is_alive()
    finally:
        poller.stop()
    assert calls[0] - started < 0.5  # once at start, without waiting for the first interval
    assert all(0.9 <= later - earlier <= 1.6 for earlier, later in itertools.pairwise(calls))
    assert not poller.is_alive()


def test_poller_refuses_a_bad_summary_time() -> None:
    with pytest.raises(Exception, match="Invalid time format"):
        Poller(poll_seconds=60, daily_at="9pm", sync_due=lambda: None, daily=lambda _day: None)


def test_daily_summary_reports_the_week_of_the_store(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    athlete = Athlete(name="anna", lthr=171)
    today = date(2030, 3, 10)  # a Sunday
    with Store.open(tmp_path / "store.sqlite3") as store:
        unused = GarminClient(tmp_path / "tokens", "http://127.0.0.1:9")  # queueing never calls Garmin
        sync = SyncService(store, lambda: unused, athlete)
        key = sync.enqueue_push(parse_text("name: Hill repeats\nsport: running\n- 45m RPE 3\n"))
        sync.enqueue_schedule(key, today - timedelta(days=6))  # Monday: missed by now (over 5 days late)
        sync.enqueue_schedule(key, today - timedelta(days=1))  # Saturday: may still be done
        sync.enqueue_schedule(key, today + timedelta(days=2))  # next week: not in this report
        with caplog.at_level(logging.INFO, logger="watchsync.daemon.jobs"):
            written = write_daily_summary(store, athlete, tmp_path, today)
    assert written == tmp_path / "reports" / "anna-2030-03-10.txt"
    report = written.read_text()
    assert report.count("Hill repeats") == 2
    assert "Week of 2030-03-04" in report and "03-12" not in report
    headline = [r.getMessage() for r in caplog.records if "compliance of anna" in r.getMessage()]
    assert len(headline) == 1
    assert "week of 2030-03-04" in headline[0] and "1 missed, 1 pending" in headline[0]
    assert str(written) in headline[0]
