"""Who may see the dashboard: loopback without a password, anything else with HTTP basic auth.

Passwords are stored as ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`` (the standard library's
scrypt, RFC 7914); the password itself is never stored, logged or echoed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from watchsync.config import WebSettings
from watchsync.errors import InputError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
REALM = "watchsync"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class WebConfigError(InputError):
    """The ``[web]`` settings cannot be served safely; the message says what to set."""


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of ``password``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant time); False for a malformed hash."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        actual = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected), maxmem=128 * int(n) * int(r) * int(p) * 2)
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


def split_listen(listen: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too) as (host, port); ``WebConfigError`` when it is not one."""
    host, sep, port = listen.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise WebConfigError(f"[web] listen = {listen!r}: expected host:port, e.g. \"127.0.0.1:8080\"")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listen(settings: WebSettings) -> tuple[str, int]:
    """Where to listen; ``WebConfigError`` for a non-loopback address without a usable password hash."""
    if settings.listen is None:
        raise WebConfigError("[web] listen is not set: the dashboard is off")
    host, port = split_listen(settings.listen)
    if is_loopback(host):
        return host, port
    stored = settings.password_hash.get_secret_value() if settings.password_hash else ""
    if not stored:
        raise WebConfigError(
            f"[web] listen = {settings.listen!r} is not a loopback address: refusing to serve the dashboard "
            "without a password. Set [web] password_hash (make one with `watchsync config password`) "
            "and put a reverse proxy with TLS in front (docs/dashboard.md), or listen on 127.0.0.1.")
    if not stored.startswith("scrypt$") or len(stored.split("$")) != 6:
        raise WebConfigError("[web] password_hash is not a hash from `watchsync config password` "
                             "(expected scrypt$...)")
    return host, port


class BasicAuth:
    """ASGI middleware: HTTP basic auth against ``user`` and the stored hash (None: open, loopback only)."""

    def __init__(self, app: ASGIApp, *, user: str, password_hash: str | None) -> None:
        self._app = app
        self._user = user
        self._hash = password_hash
        self._accepted: set[str] = set()  # digests of headers already verified (scrypt is slow on purpose)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._hash is None or self._allowed(scope):
            await self._app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode()),
                                (b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": b"watchsync: sign in as the configured [web] user\n"})

    def _allowed(self, scope: Scope) -> bool:
        header = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value:
            return False
        seen = hashlib.sha256(value.encode()).hexdigest()
        if seen in self._accepted:
            return True
        try:
            user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        assert self._hash is not None
        if hmac.compare_digest(user, self._user) and verify_password(password, self._hash):
            self._accepted.add(seen)
            return True
        return False
