"""A local HTTP sink for notifications: what apprise's ``json://127.0.0.1:PORT/PATH`` target posts.

Apprise's JSON plugin POSTs ``{"version", "title", "message", "type", ...}``; the sink keeps every
message in order (thread-safe) and answers 200, or 500 while ``failing`` is set (a dead target).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class NotifySink:
    """Messages received, and the apprise URL that sends to this sink."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.failing = False
        self.attempts = 0
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with sink._lock:
                    sink.attempts += 1
                    failing = sink.failing
                    if not failing:
                        sink.messages.append({**json.loads(body or b"{}"), "path": self.path})
                self.send_response(500 if failing else 200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="notify-sink", daemon=True)

    @property
    def url(self) -> str:
        """The apprise URL posting JSON to this sink."""
        return f"json://127.0.0.1:{self._server.server_address[1]}/notify"

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_sink() -> Iterator[NotifySink]:
    """A started sink, stopped on exit."""
    sink = NotifySink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
