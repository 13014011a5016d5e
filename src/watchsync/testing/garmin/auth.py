"""The login side of the local server: the SSO mobile flow (with MFA), the DI token endpoint, and the
JWT_WEB browser-session fallback.

Emulates what garminconnect 0.3.20's "mobile+requests" and "portal+requests" strategies need (the
portal one is garminconnect's fallback when the mobile flow is blocked): the sign-in page sets a
``SESSION`` cookie, ``/mobile/api/login`` answers Garmin's ``responseStatus`` JSON (a POST without
the cookie is a 429, as on Garmin), ``/{mobile,portal}/api/mfa/verifyCode`` completes MFA in the same
session (a pending MFA session expires: ``INVALID_SESSION``), and ``/di-oauth2-service/oauth/token``
trades a one-time service ticket or a single-use refresh token for a new token pair. With
``refuse_di_exchange`` every client id is refused, as Garmin does for some accounts, and
garminconnect falls back to redeeming the ticket at a service URL for a ``JWT_WEB`` cookie.
Several accounts may exist: each token and ticket belongs to one.
"""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass

from watchsync.garmin.endpoints import DI_TOKEN_PATH
from watchsync.testing.garmin.state import OWNER_ID, ServerState
from watchsync.testing.garmin.wire import Request, Response, Route, RouteKind, error_response, json_response

SERVICE_TICKET_GRANT = "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket"
#: How long a login waits for its MFA code before Garmin forgets it (``INVALID_SESSION``).
MFA_SESSION_SECONDS = 600.0
#: The service URLs where a ticket can be redeemed for a JWT_WEB cookie (garminconnect's fallback).
SERVICE_PATHS = ("/gcm/android", "/gcm/ios", "/app")


@dataclass(frozen=True)
class Account:
    """One Garmin account of the local server; ``mfa_code`` set means MFA is on."""

    email: str = "runner@example.com"
    password: str = "local-password"
    mfa_code: str | None = None
    display_name: str = "local-runner"
    full_name: str = "Local Runner"
    profile_id: int = OWNER_ID


@dataclass
class _Session:
    account: Account | None
    state: str  # "open" | "mfa"
    started: float


class SsoDesk:
    """SSO sessions, service tickets and token grants of every account, with counters for tests."""

    def __init__(self, state: ServerState, accounts: list[Account]) -> None:
        self._state = state
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}  # SESSION cookie -> session
        self._tickets: dict[str, Account] = {}
        self.accounts = list(accounts)
        self.refuse_di_exchange = False
        self.mfa_session_seconds = MFA_SESSION_SECONDS
        self.credential_logins = 0
        self.token_exchanges = 0
        self.token_refreshes = 0
        self.web_sessions = 0

    @property
    def account(self) -> Account:
        return self.accounts[0]

    def by_profile(self, profile_id: int) -> Account | None:
        return next((account for account in self.accounts if account.profile_id == profile_id), None)

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/mobile/sso/en_US/sign-in", RouteKind.AUTH, self.sign_in_page),
            Route("POST", "/mobile/api/login", RouteKind.AUTH, self.login),
            Route("GET", "/portal/sso/en-US/sign-in", RouteKind.AUTH, self.sign_in_page),
            Route("POST", "/portal/api/login", RouteKind.AUTH, self.login),
            Route("POST", "/mobile/api/mfa/verifyCode", RouteKind.AUTH, self.verify_mfa),
            Route("POST", "/portal/api/mfa/verifyCode", RouteKind.AUTH, self.verify_mfa),
            Route("POST", DI_TOKEN_PATH, RouteKind.AUTH, self.token),
            *(Route("GET", path, RouteKind.AUTH, self.redeem_for_cookie) for path in SERVICE_PATHS),
        ]

    def sign_in_page(self, request: Request) -> Response:
        session = secrets.token_hex(16)
        with self._lock:
            self._sessions[session] = _Session(None, "open", self._state.now())
        return Response(200, b"<html><title>GARMIN Authentication Application</title></html>", "text/html",
                        {"Set-Cookie": f"SESSION={session}; Path=/; HttpOnly"})

    def login(self, request: Request) -> Response:
        session = request.cookie("SESSION")
        with self._lock:
            if session is None or session not in self._sessions or self._sessions[session].state != "open":
                return error_response(429, "sign-in page not loaded")
            self.credential_logins += 1
        try:
            body = request.json()
        except ValueError:
            return error_response(400, "credentials must be JSON")
        account = next((account for account in self.accounts if isinstance(body, dict)
                        and (body.get("username"), body.get("password")) == (account.email, account.password)),
                       None)
        if account is None:
            return json_response({"responseStatus": {"type": "INVALID_USERNAME_PASSWORD"}}, 401)
        if account.mfa_code is not None:
            with self._lock:
                self._sessions[session] = _Session(account, "mfa", self._state.now())
            return json_response({"responseStatus": {"type": "MFA_REQUIRED"},
                                  "customerMfaInfo": {"mfaLastMethodUsed": "email"}})
        with self._lock:
            del self._sessions[session]
        return self._success(account)

    def verify_mfa(self, request: Request) -> Response:
        cookie = request.cookie("SESSION")
        try:
            body = request.json()
        except ValueError:
            return error_response(400, "MFA code must be JSON")
        code = body.get("mfaVerificationCode") if isinstance(body, dict) else None
        with self._lock:
            session = self._sessions.get(cookie or "")
            if session is not None and self._state.now() - session.started > self.mfa_session_seconds:
                del self._sessions[cookie or ""]  # expired: Garmin forgets the pending login
                session = None
            if session is None or session.state != "mfa" or session.account is None:
                return json_response({"responseStatus": {"type": "INVALID_SESSION"}}, 400)
            if code != session.account.mfa_code:
                return json_response({"responseStatus": {"type": "INVALID_MFA_CODE"}}, 400)
            del self._sessions[cookie or ""]
        return self._success(session.account)

    def _success(self, account: Account) -> Response:
        ticket = "ST-" + secrets.token_urlsafe(16)
        with self._lock:
            self._tickets[ticket] = account
        return json_response({"responseStatus": {"type": "SUCCESSFUL"}, "serviceTicketId": ticket})

    def token(self, request: Request) -> Response:
        form = request.form()
        client_id = form.get("client_id", "")
        if not client_id or request.headers.get("authorization") != _basic(client_id):
            return json_response({"error": "invalid_client"}, 401)
        grant = form.get("grant_type")
        if grant == SERVICE_TICKET_GRANT:
            if self.refuse_di_exchange:
                return json_response({"error": "unauthorized_client"}, 401)
            with self._lock:
                account = self._tickets.pop(form.get("service_ticket", ""), None)
                if account is not None:
                    self.token_exchanges += 1
            if account is None:
                return json_response({"error": "invalid_grant"}, 400)
            return json_response(self._state.issue_tokens(client_id, account.profile_id))
        if grant == "refresh_token":
            tokens = self._state.rotate(form.get("refresh_token", ""), client_id)
            if tokens is None:
                return json_response({"error": "invalid_grant"}, 400)
            with self._lock:
                self.token_refreshes += 1
            return json_response(tokens)
        return json_response({"error": "unsupported_grant_type"}, 400)

    def redeem_for_cookie(self, request: Request) -> Response:
        """A service URL redeeming a ticket: sets the ``JWT_WEB`` browser-session cookie."""
        with self._lock:
            account = self._tickets.pop(request.query.get("ticket", ""), None)
            if account is not None:
                self.web_sessions += 1
        if account is None:
            return Response(200, b"<html><title>Garmin Connect</title></html>", "text/html")
        cookie = self._state.web_session(account.profile_id)
        return Response(200, b"<html><title>Garmin Connect</title></html>", "text/html",
                        {"Set-Cookie": f"JWT_WEB={cookie}; Path=/; HttpOnly"})


def _basic(client_id: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:".encode()).decode()
