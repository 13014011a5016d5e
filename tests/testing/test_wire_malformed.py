"""The local Garmin server answers malformed requests with 400 and one JSON line, never a traceback."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from watchsync.testing.garmin.helpers import running_server
from watchsync.testing.garmin.wire import MAX_BODY_BYTES, json_depth


def raw_request(url: str, head: str, body: bytes = b"") -> tuple[int, dict[str, object]]:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=10) as conn:
        conn.sendall(head.encode("latin-1") + b"\r\n" + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
        header, _, rest = answer.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in header.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        while len(rest) < length:
            rest += conn.recv(65536)
    return int(header.split()[1]), json.loads(rest[:length])


@pytest.mark.parametrize("declared", ["banana", "-5", str(MAX_BODY_BYTES + 1), "99999999999999999999999"])
def test_a_bad_content_length_is_a_400(declared: str, capfd: pytest.CaptureFixture[str]) -> None:
    with running_server() as server:
        status, body = raw_request(server.url, f"POST /_watchsync/activities HTTP/1.1\r\nHost: x\r\n"
                                               f"Content-Length: {declared}\r\n")
    assert status == 400 and "Content-Length" in str(body["message"])
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("path", ["/_watchsync/activities", "/_watchsync/faults"])
def test_json_nested_ten_thousand_deep_is_a_400(path: str, capfd: pytest.CaptureFixture[str]) -> None:
    deep = b"[" * 10_000 + b"]" * 10_000
    with running_server() as server:
        status, body = raw_request(server.url, f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                                               f"\r\nContent-Length: {len(deep)}\r\n", deep)
        after, _ = raw_request(server.url, "GET /_watchsync/stats HTTP/1.1\r\nHost: x\r\n")
    assert status == 400 and body["status"] == 400
    assert after == 200  # the server goes on serving
    assert "Traceback" not in capfd.readouterr().err


def test_json_depth_ignores_brackets_in_strings() -> None:
    assert json_depth(b'{"a": [1, {"b": "[[[[{{{"}]}') == 3
    assert json_depth(b'"\\"[["') == 0
