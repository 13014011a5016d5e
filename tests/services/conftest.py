"""Fixtures of the services tests: a client of the module's local Garmin server (``server``) and a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from watchsync.garmin.client import GarminClient
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import LocalGarminServer


@pytest.fixture
def client(server: LocalGarminServer, tmp_path: Path) -> GarminClient:
    """A client of the test module's ``server``, logged in with fake tokens, never sleeping on retries."""
    return GarminClient(fake_token_dir(tmp_path / "tokens", server.url), server.url, sleep=lambda _s: None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh state store."""
    with Store.open(tmp_path / "state.sqlite3") as opened:
        yield opened
