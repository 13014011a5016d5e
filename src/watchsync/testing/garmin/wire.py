"""A minimal HTTP/1.1 layer for the local server: requests, responses, routing, dropped sockets.

Malformed requests get a 400 with a one-line JSON message, never a traceback: a ``Content-Length``
that is not a number, negative or over :data:`MAX_BODY_BYTES`, and JSON nested deeper than
:data:`MAX_JSON_DEPTH` (Python's parser would recurse until ``RecursionError``). A handler that
fails anyway answers 500 with the exception's one-line summary.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: Larger bodies are refused unread (the largest real uploads, activity FIT files, are a few MB).
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Deeper JSON is refused before parsing (Garmin's own payloads nest fewer than 20 levels).
MAX_JSON_DEPTH = 200


class RouteKind(Enum):
    API = "api"  # connectapi tier: bearer token, faults apply
    AUTH = "auth"  # SSO and DI token endpoints
    TEST = "test"  # /_watchsync/... helpers for tests and the demo


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    owner: int | None = None  # the account (profile id) the request's token belongs to

    def json(self) -> Any:
        """The JSON body; ``ValueError`` when it is not JSON or nests deeper than :data:`MAX_JSON_DEPTH`."""
        if json_depth(self.body) > MAX_JSON_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        try:
            return json.loads(self.body or b"null")
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None

    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(self.body.decode("latin-1")).items()}

    def cookie(self, name: str) -> str | None:
        jar = SimpleCookie(self.headers.get("cookie", ""))
        return jar[name].value if name in jar else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    truncated: bool = False  # send the whole Content-Length but half the body, then close


class Drop(Enum):
    """Close the connection without answering."""

    NOW = "drop"


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode())


def error_response(status: int, message: str) -> Response:
    return json_response({"message": message, "status": status}, status)


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # e.g. "/workout-service/workout/{id}"
    kind: RouteKind
    handler: Handler
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))


def json_depth(body: bytes) -> int:
    """The deepest bracket nesting of a JSON text (brackets inside strings not counted)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def parse_request(method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
    parts = urlsplit(target)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return Request(method, parts.path, query, headers, body)


class Dispatcher:
    """Turns one parsed request into a response (or a drop); implemented by the server."""

    def dispatch(self, request: Request) -> Response | Drop:
        raise NotImplementedError


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # one write per response; flushed after each request
    server: LoopbackHTTPServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def _handle(self, method: str) -> None:
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            self.close_connection = True  # the body was not read: the connection cannot be reused
            self._send(error_response(400, f"bad Content-Length {declared[:40]!r}: expected a number of bytes "
                                           f"up to {MAX_BODY_BYTES}"))
            return
        length = int(declared)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            result = self.server.dispatcher.dispatch(parse_request(method, self.path, headers, body))
        except RecursionError:
            result = error_response(400, "request nested too deeply")
        except Exception as error:  # a bug of the local server: one line, never a traceback
            result = error_response(500, f"local server error: {type(error).__name__}: {str(error)[:200]}")
        if isinstance(result, Drop):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(result)

    def _send(self, result: Response) -> None:
        self.send_response(result.status)
        self.send_header("Content-Type", result.content_type)
        self.send_header("Content-Length", str(len(result.body)))
        for name, value in result.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if result.truncated:  # the client reads an IncompleteRead, as on a network that drops mid-download
            self.wfile.write(result.body[: len(result.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(result.body)


class LoopbackHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers open connections so ``stop`` can cut keep-alives."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        super().__init__(address, _RequestHandler)
        self.dispatcher = dispatcher
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
