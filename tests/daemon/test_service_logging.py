"""The daemon's taming of library logs: garminconnect on one line, watchdog's stop-time error dropped."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from watchsync.daemon.logging_setup import configure_logging
from watchsync.daemon.service import tame_library_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = configure_logging("info", under_systemd=False, stream=out)
    tame_library_logging()
    yield out
    logging.getLogger().removeHandler(handler)


def test_garminconnect_error_with_traceback_is_one_line(stream: io.StringIO) -> None:
    try:
        raise ConnectionError("connection reset\nwhile reading the response")
    except ConnectionError:
        logging.getLogger("garminconnect.client").exception("API call failed: boom\n  details follow")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("warning: garminconnect.client: API call failed: boom")  # a fault watchsync words itself


def test_our_own_tracebacks_are_kept(stream: io.StringIO) -> None:
    try:
        raise ValueError("kept")
    except ValueError:
        logging.getLogger("watchsync.daemon.worker").exception("worker failed")
    assert "ValueError: kept" in stream.getvalue()


def test_watchdog_stop_race_is_dropped_but_its_other_errors_are_not(stream: io.StringIO) -> None:
    inotify = logging.getLogger("watchdog.observers.inotify")
    inotify.error("InotifyEmitter.queue_events() called when the thread is inactive")
    inotify.error("inotify watch limit reached")
    assert stream.getvalue().count("error: watchdog") == 1 and "watch limit" in stream.getvalue()
