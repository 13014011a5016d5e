"""Helpers for tests and the demo: a running local server, token files, feeding activities.

Only the standard library talks HTTP here, so any process (a daemon under test, the demo) can use
these against a server started elsewhere.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from watchsync.garmin.tokens import TOKEN_FILE, write_private
from watchsync.testing.garmin.auth import Account
from watchsync.testing.garmin.faults import Faults
from watchsync.testing.garmin.server import LocalGarminServer


@contextmanager
def running_server(state_file: Path | None = None, faults: Faults | None = None,
                   account: Account | None = None) -> Iterator[LocalGarminServer]:
    """A started :class:`LocalGarminServer` on a free loopback port, stopped on exit."""
    server = LocalGarminServer(state_file, faults, account)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def fake_token_dir(directory: Path, server_url: str, *, expired: bool = False, email: str | None = None) -> Path:
    """Write ``garmin_tokens.json`` with tokens minted by the server at ``server_url``.

    ``expired=True`` gives an access token whose JWT ``exp`` has passed, so garminconnect refreshes
    it at login; ``email`` picks the account (default: the server's first). Returns ``directory``.
    """
    tokens = _post_json(f"{server_url}/_watchsync/tokens", {"expired": expired, "email": email})
    client_id = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"
    stored = {"di_token": tokens["access_token"], "di_refresh_token": tokens["refresh_token"],
              "di_client_id": client_id}
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    write_private(directory / TOKEN_FILE, json.dumps(stored))
    return directory


def post_activity(server_url: str, fit_bytes: bytes, *, start_time: datetime, activity_type: str = "running",
                  name: str = "", duration_s: float = 0, distance_m: float = 0,
                  associated_workout_id: int | None = None, direct_workout_rpe: int | None = None) -> int:
    """``LocalGarminServer.add_activity`` over HTTP, for a server in another process."""
    body = {"fit_base64": base64.b64encode(fit_bytes).decode(), "start_time": start_time.isoformat(),
            "activity_type": activity_type, "name": name, "duration_s": duration_s,
            "distance_m": distance_m, "associated_workout_id": associated_workout_id,
            "direct_workout_rpe": direct_workout_rpe}
    return int(_post_json(f"{server_url}/_watchsync/activities", body)["activityId"])


def _post_json(url: str, body: Any) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
