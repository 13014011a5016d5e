"""The local Garmin-Connect-compatible server: what garminconnect 0.3.20 calls, on 127.0.0.1.

Used by the tests, ``make demo`` and dry runs. Strict where Garmin is strict and normalising where
Garmin normalises (see :mod:`watchsync.testing.garmin.validate` and docs/garmin.md), with several
accounts, and injectable faults on the API routes (429, 5xx, latency, challenge pages, dropped
connections before or after a write, expired and revoked tokens) and on the sign-in and token routes.
"""

from __future__ import annotations

import contextlib
import copy
import ipaddress
import logging
import socket
import threading
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from watchsync.testing.garmin.auth import Account, SsoDesk
from watchsync.testing.garmin.control import ControlRoutes
from watchsync.testing.garmin.faults import Fault, FaultPicker, Faults, parse_faults
from watchsync.testing.garmin.routes import ApiRoutes, BadRequest
from watchsync.testing.garmin.state import OWNER_ID, NewActivity, ServerState
from watchsync.testing.garmin.wire import (
    Dispatcher,
    Drop,
    LoopbackHTTPServer,
    Request,
    Response,
    Route,
    RouteKind,
    error_response,
)

__all__ = ["Account", "Fault", "Faults", "LocalGarminServer", "ServerStats", "parse_faults", "serve"]

log = logging.getLogger(__name__)
#: Calendar item types Garmin shows beside workout schedules and activities (docs/garmin.md).
OTHER_CALENDAR_ITEMS = ("event", "weight", "fbtAdaptiveWorkout")


@dataclass(frozen=True)
class ServerStats:
    """Request counts per ``(method, route template)`` and the login counters."""

    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    credential_logins: int = 0
    token_exchanges: int = 0
    token_refreshes: int = 0
    web_sessions: int = 0

    def count(self, method: str, template: str) -> int:
        return self.requests[(method, template)]


class LocalGarminServer(Dispatcher):
    """``with LocalGarminServer() as server: url = server.url`` (or ``start()`` / ``stop()``)."""

    def __init__(self, state_file: Path | None = None, faults: Faults | None = None,
                 account: Account | None = None, *, accounts: list[Account] | None = None,
                 page_cap: int | None = None, list_legs: bool = False) -> None:
        """``page_cap``: the most items a workout or activity list page holds, whatever ``limit`` asks
        (Garmin's own cap is not documented; a captured answer to ``limit=100`` held 50 workouts).
        ``list_legs``: the activity list shows a multisport activity's legs beside it (Garmin lists the
        parent alone today, garmin-health-data #72; other clients' fixtures list both)."""
        self._state_file = state_file
        self._page_cap = page_cap
        self._list_legs = list_legs
        self._state = ServerState(state_file)
        self._picker = FaultPicker(faults or Faults())
        everyone = [account or Account(), *(accounts or [])]
        if len({a.profile_id for a in everyone}) != len(everyone) or len({a.email for a in everyone}) != len(everyone):
            raise ValueError("every account needs its own email and profile id")
        self._desk = SsoDesk(self._state, everyone)
        self._requests: Counter[tuple[str, str]] = Counter()
        self._stats_lock = threading.Lock()
        self._routes: list[Route] = []
        self._http: LoopbackHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._build_routes()

    def _build_routes(self) -> None:
        self._routes = [
            *self._desk.routes(),
            *ApiRoutes(self._state, self._desk, self._page_cap, self._list_legs).routes(),
            *ControlRoutes(self).routes(),
        ]

    # lifecycle -----------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL. Loopback addresses only."""
        if self._http is not None:
            raise RuntimeError("server already started")
        if not _is_loopback(host):
            raise ValueError(f"refusing to serve on {host!r}: the local Garmin server is loopback-only")
        self._http = LoopbackHTTPServer((host, port), self)
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="local-garmin", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and cut open keep-alive connections."""
        if self._http is None:
            return
        stopper = threading.Thread(target=self._http.shutdown)
        stopper.start()
        with contextlib.suppress(OSError):  # wake the accept loop instead of waiting for its poll
            socket.create_connection(self._address(), timeout=1).close()
        stopper.join()
        self._http.close_connections()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join()
        self._http = self._thread = None

    def __enter__(self) -> Self:
        if self._http is None:
            self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._address()
        return f"http://{host}:{port}"

    def _address(self) -> tuple[str, int]:
        if self._http is None:
            raise RuntimeError("server not started")
        host, port = self._http.server_address[:2]
        return (host.decode() if isinstance(host, bytes | bytearray) else host), port

    # control and observation -------------------------------------------------------------------

    @property
    def account(self) -> Account:
        return self._desk.account

    @property
    def accounts(self) -> list[Account]:
        return list(self._desk.accounts)

    def set_account(self, account: Account) -> None:
        """Change the credentials (and MFA) of the first account (keeping its profile id)."""
        self._desk.accounts[0] = account

    def add_account(self, account: Account) -> None:
        """Another Garmin account (own email and profile id): another athlete's."""
        if any(a.profile_id == account.profile_id or a.email == account.email for a in self._desk.accounts):
            raise ValueError("every account needs its own email and profile id")
        self._desk.accounts.append(account)

    def refuse_di_exchange(self, refuse: bool = True) -> None:
        """Refuse every DI client id at the token exchange (garminconnect then falls back to JWT_WEB)."""
        self._desk.refuse_di_exchange = refuse

    def set_mfa_session_seconds(self, seconds: float) -> None:
        """How long a login waits for its MFA code before ``INVALID_SESSION``."""
        self._desk.mfa_session_seconds = seconds

    def travel(self, seconds: float) -> None:
        """Move the server's clock forward (token and MFA session lifetimes)."""
        self._state.travel(seconds)

    @property
    def faults(self) -> Faults:
        return self._picker.faults

    def set_faults(self, faults: Faults | str) -> None:
        """Replace the fault rates (a ``Faults`` or a ``"429=0.2,drop=0.05"`` spec)."""
        self._picker.set(parse_faults(faults) if isinstance(faults, str) else faults)

    def inject(self, fault: Fault, count: int = 1, path: str = "") -> None:
        """Force ``fault`` onto the next ``count`` API requests (drop-after hits writes only; ``path``: only
        those whose path starts with it, such as ``/download-service/``)."""
        self._picker.script(fault, count, path)

    def clear_faults(self) -> None:
        """Drop the faults injected and not used yet."""
        self._picker.clear_script()

    def inject_auth(self, fault: Fault, count: int = 1) -> None:
        """Force ``fault`` onto the next ``count`` sign-in, MFA, ticket or token requests."""
        self._picker.script_auth(fault, count)

    def expire_access_tokens(self) -> None:
        """Every issued access token now answers 401: clients must refresh."""
        self._state.expire_access_tokens()

    def revoke_tokens(self) -> None:
        """Access and refresh tokens all become invalid: clients must log in with credentials."""
        self._state.revoke_tokens()

    @property
    def stats(self) -> ServerStats:
        with self._stats_lock:
            requests = Counter(self._requests)
        desk = self._desk
        return ServerStats(requests, desk.credential_logins, desk.token_exchanges, desk.token_refreshes,
                           desk.web_sessions)

    def workouts(self, owner: int | None = None) -> list[dict[str, Any]]:
        """Every stored workout (of one account's profile id when ``owner`` is given)."""
        with self._state.lock:
            return [copy.deepcopy(self._state.workouts[key]) for key in sorted(self._state.workouts)
                    if owner is None or self._state.workouts[key]["ownerId"] == owner]

    def schedules(self) -> list[dict[str, Any]]:
        with self._state.lock:
            return [dict(self._state.schedules[key]) for key in sorted(self._state.schedules)]

    def move_schedule(self, schedule_id: int, day: date) -> None:
        """Move a calendar entry to ``day``, as the athlete drags it in Connect's calendar (the entry keeps its id;
        no captured request of the move is known, so the server offers it to tests only); KeyError when unknown."""
        with self._state.lock:
            self._state.schedules[schedule_id]["calendarDate"] = day.isoformat()
            self._state.save()

    def add_calendar_item(self, item_type: str, day: date, title: str | None = None, *,
                          owner: int | None = None) -> dict[str, Any]:
        """Put an item that is not watchsync's on an account's calendar (default: the first account's),
        as Garmin's month answers carry them: ``event`` (a race; Garmin gives it ``"id": null``),
        ``weight`` (a weigh-in) or ``fbtAdaptiveWorkout`` (Garmin Coach). See docs/garmin.md."""
        if item_type not in OTHER_CALENDAR_ITEMS:
            raise ValueError(f"item_type must be one of {', '.join(OTHER_CALENDAR_ITEMS)}")
        return self._state.add_other_item(item_type, day, title, self.account.profile_id if owner is None else owner)

    def delete_activity(self, activity_id: int) -> None:
        """Delete an activity as the athlete does in Connect (its list entry, details and file go)."""
        self._state.delete_activity(activity_id)

    def add_activity(self, fit_bytes: bytes, *, start_time: datetime, activity_type: str | None = None,
                     name: str = "", duration_s: float = 0, distance_m: float = 0,
                     associated_workout_id: int | None = None, direct_workout_rpe: int | None = None,
                     manual: bool = False) -> int:
        """Store an activity with its original FIT file (``manual``: entered by hand, ``b""``); returns its id."""
        return self.store_activity(NewActivity(
            fit_bytes, start_time, activity_type, name, duration_s, distance_m, associated_workout_id,
            direct_workout_rpe, manual=manual))

    def store_activity(self, new: NewActivity, email: str | None = None) -> int:
        """Add ``new`` to the account with ``email`` (default: its own owner, the first account's)."""
        if email is not None:
            account = next((a for a in self._desk.accounts if a.email == email), None)
            if account is None:
                raise ValueError(f"no account {email!r}")
            new = replace(new, owner=account.profile_id)
        return self._state.add_activity(new)

    def mint_tokens(self, client_id: str, *, expired: bool = False, email: str | None = None) -> dict[str, Any]:
        """A token pair as the DI endpoint would issue it (``expired``: its JWT ``exp`` has passed), for
        the account with ``email`` (default: the first)."""
        account = next((a for a in self._desk.accounts if a.email == email), None) if email else self.account
        if account is None:
            raise ValueError(f"no account {email!r}")
        return self._state.issue_tokens(client_id, account.profile_id, expired=expired)

    def stats_json(self) -> dict[str, Any]:
        stats = self.stats
        return {"requests": [{"method": method, "route": route, "count": count}
                             for (method, route), count in sorted(stats.requests.items())],
                "credential_logins": stats.credential_logins, "token_exchanges": stats.token_exchanges,
                "token_refreshes": stats.token_refreshes}

    # request handling --------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response | Drop:
        route = self._match(request)
        if route is None:
            with self._stats_lock:
                self._requests[(request.method, "<unknown>")] += 1
            return error_response(404, f"no route for {request.method} {request.path}")
        with self._stats_lock:
            self._requests[(route.method, route.template)] += 1
        if route.kind is RouteKind.TEST:
            return self._call(route, request)
        if route.kind is RouteKind.AUTH:
            early = self._fault_answer(self._picker.before_auth())
            return early if early is not None else self._call(route, request)
        if self.faults.latency:
            time.sleep(self.faults.latency)
        fault = self._picker.before(is_write=request.method != "GET", path=request.path)
        early = self._fault_answer(fault)
        if early is not None:
            return early
        request.owner = self._owner(request)
        if request.owner is None:
            return Response(401, b'{"message": "Unauthorized", "status": 401}',
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        response = self._call(route, request)
        if fault is Fault.DROP_AFTER_WRITE and response.status < 300:
            return Drop.NOW
        if fault is Fault.TRUNCATE:
            return replace(response, truncated=True)
        return response

    def _match(self, request: Request) -> Route | None:
        for route in self._routes:
            if route.method != request.method:
                continue
            found = route.pattern.match(request.path)
            if found:
                request.params = found.groupdict()
                return route
        return None

    def _fault_answer(self, fault: Fault | None) -> Response | Drop | None:
        """What the server answers instead of handling the request, or None to handle it."""
        if fault is Fault.RATE_LIMIT:
            return Response(429, b'{"message": "Too Many Requests"}',
                            headers={"Retry-After": str(self.faults.retry_after)})
        if fault is Fault.SERVER_ERROR:
            return error_response(self.faults.error_status, "injected server error")
        if fault is Fault.DROP:
            return Drop.NOW
        if fault is Fault.CHALLENGE:
            return Response(403, b"<html><title>Just a moment...</title></html>", "text/html",
                            {"cf-mitigated": "challenge"})
        if fault is Fault.NOT_JSON:  # tcgoetz/GarminDB #245: "JSONDecodeError: Expecting value" from a 200
            return Response(200, b"<html><title>Garmin Connect</title><body>We are down for maintenance."
                                 b"</body></html>", "text/html")
        return None

    def _owner(self, request: Request) -> int | None:
        """The account of a valid bearer token, or of a valid ``JWT_WEB`` cookie (the web fallback)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme == "Bearer":
            return self._state.access_owner(token)
        cookie = request.cookie("JWT_WEB")
        return self._state.access_owner(cookie) if cookie else None

    def _call(self, route: Route, request: Request) -> Response:
        try:
            return route.handler(request)
        except BadRequest as error:
            return error_response(400, str(error))
        except Exception:
            log.exception("local Garmin server failed on %s %s", request.method, route.template)
            return error_response(500, "internal error")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(port: int, state: Path | None, faults: str | None, emails: Sequence[str] = (),
          list_legs: bool = False) -> None:
    """Run the server in the foreground until interrupted (``watchsync server``); prints the URL.
    ``emails``: more accounts (password ``local-password``), one per athlete of a coach's config."""
    extra = [Account("coach@example.com", "local-password", display_name="local-coach", full_name="Local Coach",
                     profile_id=OWNER_ID + 1)]
    for email in dict.fromkeys(e for e in emails if e not in ("runner@example.com", "coach@example.com")):
        name = email.split("@")[0]
        # the profile id from the email, not the flag order: a restart with another list of accounts on
        # the same --state must not give one athlete another's data (probe review15)
        profile = OWNER_ID + 2 + zlib.crc32(email.encode()) % 10_000_000
        extra.append(Account(email, "local-password", display_name=name, full_name=name.title(), profile_id=profile))
    server = LocalGarminServer(state, parse_faults(faults) if faults else None, accounts=extra, list_legs=list_legs)
    url = server.start(port=port)
    logins = ", ".join(f"{account.email} / {account.password}" for account in server.accounts)
    print(f"local Garmin Connect server on {url} (logins: {logins})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
