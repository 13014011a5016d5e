"""The login side of the local server: the SSO mobile flow (with MFA) and the DI token endpoint.

Emulates what garminconnect 0.3.20's "mobile+requests" strategy needs: the sign-in page sets a
``SESSION`` cookie, ``/mobile/api/login`` answers Garmin's ``responseStatus`` JSON (a POST without
the cookie is a 429, as on Garmin), ``/{mobile,portal}/api/mfa/verifyCode`` completes MFA in the same
session, and ``/di-oauth2-service/oauth/token`` trades a one-time service ticket or a single-use
refresh token for a new token pair.
"""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass

from watchsync.garmin.endpoints import DI_TOKEN_PATH
from watchsync.testing.garmin.state import ServerState
from watchsync.testing.garmin.wire import Request, Response, Route, RouteKind, error_response, json_response

SERVICE_TICKET_GRANT = "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket"


@dataclass(frozen=True)
class Account:
    """The one account the local server knows; ``mfa_code`` set means MFA is on."""

    email: str = "runner@example.com"
    password: str = "local-password"
    mfa_code: str | None = None
    display_name: str = "local-runner"
    full_name: str = "Local Runner"


class SsoDesk:
    """SSO sessions, service tickets and token grants, with counters for tests."""

    def __init__(self, state: ServerState, account: Account) -> None:
        self._state = state
        self._lock = threading.Lock()
        self._sessions: dict[str, str] = {}  # SESSION cookie -> "open" | "mfa"
        self._tickets: set[str] = set()
        self.account = account
        self.credential_logins = 0
        self.token_exchanges = 0
        self.token_refreshes = 0

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/mobile/sso/en_US/sign-in", RouteKind.AUTH, self.sign_in_page),
            Route("POST", "/mobile/api/login", RouteKind.AUTH, self.login),
            Route("POST", "/mobile/api/mfa/verifyCode", RouteKind.AUTH, self.verify_mfa),
            Route("POST", "/portal/api/mfa/verifyCode", RouteKind.AUTH, self.verify_mfa),
            Route("POST", DI_TOKEN_PATH, RouteKind.AUTH, self.token),
        ]

    def sign_in_page(self, request: Request) -> Response:
        session = secrets.token_hex(16)
        with self._lock:
            self._sessions[session] = "open"
        return Response(200, b"<html><title>GARMIN Authentication Application</title></html>", "text/html",
                        {"Set-Cookie": f"SESSION={session}; Path=/; HttpOnly"})

    def login(self, request: Request) -> Response:
        session = request.cookie("SESSION")
        with self._lock:
            if session is None or self._sessions.get(session) != "open":
                return error_response(429, "sign-in page not loaded")
            self.credential_logins += 1
        try:
            body = request.json()
        except ValueError:
            return error_response(400, "credentials must be JSON")
        account = self.account
        if not isinstance(body, dict) or (body.get("username"), body.get("password")) != (
                account.email, account.password):
            return json_response({"responseStatus": {"type": "INVALID_USERNAME_PASSWORD"}}, 401)
        if account.mfa_code is not None:
            with self._lock:
                self._sessions[session] = "mfa"
            return json_response({"responseStatus": {"type": "MFA_REQUIRED"},
                                  "customerMfaInfo": {"mfaLastMethodUsed": "email"}})
        with self._lock:
            del self._sessions[session]
        return self._success()

    def verify_mfa(self, request: Request) -> Response:
        session = request.cookie("SESSION")
        try:
            body = request.json()
        except ValueError:
            return error_response(400, "MFA code must be JSON")
        code = body.get("mfaVerificationCode") if isinstance(body, dict) else None
        with self._lock:
            if session is None or self._sessions.get(session) != "mfa":
                return json_response({"responseStatus": {"type": "INVALID_SESSION"}}, 400)
            if code != self.account.mfa_code:
                return json_response({"responseStatus": {"type": "INVALID_MFA_CODE"}}, 400)
            del self._sessions[session]
        return self._success()

    def _success(self) -> Response:
        ticket = "ST-" + secrets.token_urlsafe(16)
        with self._lock:
            self._tickets.add(ticket)
        return json_response({"responseStatus": {"type": "SUCCESSFUL"}, "serviceTicketId": ticket})

    def token(self, request: Request) -> Response:
        form = request.form()
        client_id = form.get("client_id", "")
        if not client_id or request.headers.get("authorization") != _basic(client_id):
            return json_response({"error": "invalid_client"}, 401)
        grant = form.get("grant_type")
        if grant == SERVICE_TICKET_GRANT:
            with self._lock:
                valid = form.get("service_ticket", "") in self._tickets
                self._tickets.discard(form.get("service_ticket", ""))
                if valid:
                    self.token_exchanges += 1
            if not valid:
                return json_response({"error": "invalid_grant"}, 400)
            return json_response(self._state.issue_tokens(client_id))
        if grant == "refresh_token":
            tokens = self._state.rotate(form.get("refresh_token", ""), client_id)
            if tokens is None:
                return json_response({"error": "invalid_grant"}, 400)
            with self._lock:
                self.token_refreshes += 1
            return json_response(tokens)
        return json_response({"error": "unsupported_grant_type"}, 400)


def _basic(client_id: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:".encode()).decode()
