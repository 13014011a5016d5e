"""A daemon that boots before Garmin is reachable never asks for a login, and pushes soon after.

The real ``watchsync daemon`` process, the real garminconnect code path, and the local server on a
fixed port that is down at first and comes back with the same state (tokens included).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import LocalGarminServer

pytestmark = pytest.mark.slow


def test_a_daemon_started_while_garmin_is_down_pushes_soon_after_it_comes_back(tmp_path: Path) -> None:
    state_file = tmp_path / "garmin-state.json"
    with LocalGarminServer(state_file) as first:  # only to mint tokens, then Garmin "goes away"
        url = first.url
        port = int(url.rsplit(":", 1)[1])
        fake_token_dir(tmp_path / "state" / "tokens" / "anna", url)
    inbox = tmp_path / "inbox"
    config = tmp_path / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "{url}"\nmax_retries = 1\nunreachable_retry_seconds = 1\n'
                      f'[daemon]\ninbox = "{inbox}"\nquiet_seconds = 0.2\n[athletes.anna]\nlthr = 171\n')
    log = tmp_path / "daemon.log"
    with tempfile.TemporaryDirectory(prefix="ws-notify-") as notify_dir, log.open("ab") as log_file:
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(str(Path(notify_dir) / "notify.sock"))
        notify.settimeout(30)
        env = {**os.environ, "NOTIFY_SOCKET": str(Path(notify_dir) / "notify.sock")}
        daemon = subprocess.Popen([sys.executable, "-m", "watchsync", "daemon", "--config", str(config),
                                   "--state-dir", str(tmp_path / "state")], stderr=log_file, env=env)
        try:
            assert b"READY=1" in notify.recv(4096)
            (inbox / "anna").mkdir(parents=True, exist_ok=True)
            (inbox / "anna" / "easy.txt").write_text("name: Offline easy\nsport: running\n- 30m RPE 3\n")
            time.sleep(6)  # several tries against a Garmin that is not there
            with Store.open(tmp_path / "state" / "watchsync.sqlite3") as store:
                assert store.parked_reason("anna") is None
            server = LocalGarminServer(state_file)
            server.start(port=port)  # Garmin is back, on the same address, with the same tokens
            try:
                back = time.monotonic()
                while not server.workouts() and time.monotonic() - back < 60:
                    time.sleep(0.1)
                waited = time.monotonic() - back
                names = [w["workoutName"] for w in server.workouts()]
                credential_logins = server.stats.credential_logins
            finally:
                server.stop()
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
            notify.close()
    text = log.read_text(errors="replace")
    print(f"pushed {waited:.1f} s after Garmin came back")
    assert names == ["Offline easy"], text
    assert waited < 60, text
    assert "watchsync login" not in text and "parked" not in text, text
    assert "unreachable" in text.lower(), text
    assert credential_logins == 0
