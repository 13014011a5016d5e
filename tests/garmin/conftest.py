"""Fixtures for Garmin tests: a local server on a free port, a token directory, a logged-in client.

Outside tests/garmin use ``watchsync.testing.garmin.helpers`` (``running_server``, ``fake_token_dir``).
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from watchsync.garmin.client import GarminClient
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer


@pytest.fixture
def garmin_server() -> Iterator[LocalGarminServer]:
    """A started local Garmin Connect server with empty state."""
    with running_server() as server:
        yield server


@pytest.fixture
def garmin_token_dir(tmp_path: Path, garmin_server: LocalGarminServer) -> Path:
    """A token directory holding tokens the server accepts."""
    return fake_token_dir(tmp_path / "tokens", garmin_server.url)


@pytest.fixture
def garmin_sleeps() -> list[float]:
    """The backoff delays the ``garmin_client`` asked for (it never really sleeps)."""
    return []


@pytest.fixture
def garmin_client(garmin_server: LocalGarminServer, garmin_token_dir: Path,
                  garmin_sleeps: list[float]) -> GarminClient:
    """A ``GarminClient`` logged in from tokens against ``garmin_server``; sleeps are recorded."""
    client = GarminClient(garmin_token_dir, garmin_server.url, sleep=garmin_sleeps.append)
    client.login_from_tokens()
    return client


@pytest.fixture
def no_login_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip garminconnect's anti-bot pauses in its SSO flow and its profile-fetch retries."""
    import garminconnect.api.base
    import garminconnect.client.sso

    instant = types.SimpleNamespace(sleep=lambda _seconds: None)
    monkeypatch.setattr(garminconnect.client.sso, "time", instant)
    monkeypatch.setattr(garminconnect.api.base, "time", instant)
