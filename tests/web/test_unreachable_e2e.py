"""The real daemon tells the coach once when Garmin stays unreachable longer than the set time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import wait_for
from watchsync.daemon.status import LAST_ACTIVITY_SYNC_KEY
from watchsync.demo import free_port
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.notify_sink import running_sink

pytestmark = pytest.mark.slow


def _last_sync(state: Path) -> object:
    with Store.open(state / "watchsync.sqlite3") as store:
        return store.kv_get("anna", LAST_ACTIVITY_SYNC_KEY)


def test_garmin_unreachable_gives_one_message(tmp_path: Path) -> None:
    inbox, state, log = tmp_path / "inbox", tmp_path / "state", tmp_path / "daemon.log"
    (inbox / "anna").mkdir(parents=True)
    with running_sink() as sink:
        with running_server() as server:
            url = server.url
            fake_token_dir(state / "tokens" / "anna", url)
            config = tmp_path / "config.toml"
            # unreachable after max(0.05 min, two polls of 0.05 min) = 6 s without a successful call
            port = free_port()
            config.write_text(f'[garmin]\nendpoint = "{url}"\nmax_retries = 0\n'
                              f'[daemon]\ninbox = "{inbox}"\npoll_minutes = 0.05\n'
                              f'[web]\nlisten = "127.0.0.1:{port}"\n'
                              f'[notify]\nurls = ["{sink.url}"]\nunreachable_minutes = 0.05\ncheck_seconds = 0.3\n'
                              "[athletes.anna]\nlthr = 171\n")
            with log.open("wb") as out:
                process = subprocess.Popen([sys.executable, "-m", "watchsync", "--config", str(config),
                                            "--state-dir", str(state), "daemon"], stdout=out,
                                           stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
            try:
                wait_for("a first successful activity sync", lambda: _last_sync(state), timeout=30)
            except BaseException:
                process.kill()
                raise
        try:  # the server is gone now
            wait_for("the unreachable message", lambda: sink.received(), timeout=60)
            assert [m["title"] for m in sink.received()] == ["watchsync: Garmin unreachable"]
            assert "anna (last contact" in sink.received()[0]["message"]
            wait_for("a few more failed syncs", lambda: log.read_text().count("activity sync for anna failed") >= 3,
                     timeout=60)
            assert len(sink.received()) == 1
            assert "parked" not in log.read_text()  # an unreachable Garmin is not a rejected login
            overview = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
            assert 'data-garmin="failing">activity sync: Garmin unreachable: ' in overview  # on the card, in words
            assert "(last contact 20" in overview
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
