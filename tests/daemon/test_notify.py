"""sd_notify against a real AF_UNIX datagram socket (path and abstract namespace)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from watchsync.daemon import notify


@pytest.fixture
def path_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        yield sock


def _received(sock: socket.socket) -> str:
    return sock.recv(4096).decode("utf-8")


def test_messages_arrive_on_a_path_socket(path_socket: socket.socket) -> None:
    assert notify.ready()
    assert _received(path_socket) == "READY=1"
    assert notify.watchdog_ping()
    assert _received(path_socket) == "WATCHDOG=1"
    assert notify.stopping()
    assert _received(path_socket) == "STOPPING=1"
    assert notify.status("syncing 3 workouts\nfor anna")
    assert _received(path_socket) == "STATUS=syncing 3 workouts for anna"


def test_abstract_namespace_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"watchsync-test-{os.getpid()}-{id(monkeypatch)}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert notify.sd_notify("READY=1\nSTATUS=up")
        assert _received(sock) == "READY=1\nSTATUS=up"


def test_without_systemd_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify.ready() is False


def test_dead_socket_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens.sock"))
    assert notify.ready() is False


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [
        ("30000000", None, 15.0),
        ("30000000", "self", 15.0),
        ("30000000", "other", None),
        ("0", None, None),
        ("junk", None, None),
        (None, None, None),
    ],
)
def test_watchdog_interval(
    monkeypatch: pytest.MonkeyPatch, usec: str | None, pid: str | None, expected: float | None
) -> None:
    for name, value in (("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, {"self": str(os.getpid()), "other": str(os.getpid() + 1)}.get(value, value))
    assert notify.watchdog_interval() == expected


def test_a_full_receiver_never_blocks_the_sender(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notify.sock"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    try:
        started = time.monotonic()
        results = [notify.sd_notify("WATCHDOG=1") for _ in range(2000)]  # nobody reads: the queue fills up
        assert time.monotonic() - started < 20  # a blocking send would hang for good; 20 s tolerates a busy CI
        assert results[0] is True and results[-1] is False
    finally:
        receiver.close()
