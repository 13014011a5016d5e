"""The Garmin Connect adapter: login and tokens, one error vocabulary, backoff, typed API calls.

The only module that imports ``garminconnect`` (lazily, so the CLI starts fast). With an
``endpoint`` it talks to a loopback server (:mod:`watchsync.testing.garmin.server`) through
:func:`_aim_at_local_server`, the one place that touches garminconnect's private attributes
(hence the pin ``garminconnect>=0.3.20,<0.4``).

Retries: every API call is retried with exponential backoff and full jitter on 429, 5xx and
transport errors (garminconnect's own read retries are switched off so they do not multiply).
A non-idempotent write (create, schedule) that may have been applied without a success answer (a
5xx, a timeout or a connection broken after sending) is *not* retried: it raises
``Transient(ambiguous=True)`` so the caller can look before writing again. Logins are never
retried, and a client makes at most one credential login.

HTTP 401 means the tokens were rejected (``AuthRequired``), but only after the adapter refreshed
them itself: garminconnect swallows a failed refresh, so an outage of the token endpoint would
otherwise look like a revoked login. A 403 is read from the response: a challenge page from
Garmin's edge (Cloudflare's ``cf-mitigated`` header, or an HTML page where the API answers JSON) is
``Blocked`` (a kind of rate limit); any other 403 refuses that one request (``Rejected``: Garmin
answers 403 with valid tokens, e.g. for an id of another account). No answer at all (connection
refused, DNS, TLS, timeouts), however garminconnect wraps it (``GarminConnectAuthenticationError(
"Failed to retrieve social profile")``), is ``Unreachable``: transient, never a login problem.
"""

from __future__ import annotations

import collections
import contextlib
import io
import ipaddress
import json
import logging
import random
import re
import socket
import ssl
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from watchsync.garmin.endpoints import DI_TOKEN_PATH
from watchsync.garmin.errors import (
    NOT_LOGGED_IN,
    AuthRequired,
    Blocked,
    GarminError,
    NotFound,
    RateLimited,
    Rejected,
    Transient,
    Unreachable,
)
from watchsync.garmin.tokens import MFA_STATE_FILE, TOKEN_FILE, remove, secure_dir, write_private

log = logging.getLogger(__name__)
# garminconnect logs every failed request at ERROR; watchsync says the outcome in its own words. With no
# logging set up (the command line) Python's last-resort handler would print those raw lines to stderr.
logging.getLogger("garminconnect").addHandler(logging.NullHandler())

T = TypeVar("T")
_STATUS_RE = re.compile(r"(?:API Error|HTTP|refresh failed:)\s*(\d{3})")
#: How garminconnect words a transport failure it re-raised as text only (e.g. "All login strategies
#: exhausted: ConnectionError: ..."), with no exception chain to look at.
_UNREACHABLE_TEXT = re.compile(r"\b(?:ConnectionError|ConnectTimeout|ReadTimeout|Timeout|SSLError|"
                               r"NameResolutionError|Connection refused|Failed to establish a new connection|"
                               r"Max retries exceeded)\b")
#: An answer broken off mid-body (requests' ChunkedEncodingError, urllib3's IncompleteRead), which
#: garminconnect wraps as "Connection error: ...": the network's fault, tried again later.
_BROKEN_BODY_TEXT = re.compile(r"\b(?:IncompleteRead|Connection broken|ChunkedEncodingError|ProtocolError)\b")
#: A 200 answer that is no JSON (Garmin's maintenance page: GarminDB #245, "Expecting value").
_NOT_JSON_TEXT = re.compile(r"Expecting value: line \d+ column \d+|\bJSONDecodeError\b")
_QUERY_RE = re.compile(r"\?[^\s)'\"]*")
NO_TOKENS = ("Garmin login gave no API tokens: Garmin refused the token exchange and only a browser-cookie "
             "session came back, which cannot be saved or refreshed (nothing was saved); try `watchsync login` "
             "again later")
MFA_EXPIRED = ("the login waiting for an MFA code has expired at Garmin (INVALID_SESSION); its saved state was "
               "dropped: run `watchsync login` again for a new code")
_LOCAL_ONLY_STRATEGIES = {"mobile+cffi", "widget+cffi", "portal+cffi"}  # need curl_cffi's browser TLS
ACTIVITY_PAGE = 20
WORKOUT_PAGE = 100


class GarminClient:
    """Garmin Connect (or the local server at ``endpoint``) for one account's token directory."""

    def __init__(self, token_dir: Path, endpoint: str | None = None, *, max_retries: int = 5,
                 backoff_base: float = 0.5, backoff_cap: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.token_dir = token_dir
        self.endpoint = _loopback_endpoint(endpoint) if endpoint is not None else None
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.calls: collections.Counter[str] = collections.Counter()
        self.credential_logins = 0
        self._sleep = sleep
        self._random = random.Random()
        self._lock = threading.RLock()
        self._garmin: Any = None

    @property
    def token_file(self) -> Path:
        return self.token_dir / TOKEN_FILE

    @property
    def logged_in(self) -> bool:
        return self._garmin is not None

    # login -----------------------------------------------------------------------------------

    def login_from_tokens(self) -> None:
        """Resume the session from the token file; ``AuthRequired`` when missing or rejected."""
        with self._lock:
            secure_dir(self.token_dir)
            if not self.token_file.exists():
                raise AuthRequired(NOT_LOGGED_IN)
            garmin = self._new_garmin()
            try:
                garmin.login(str(self.token_dir))
            except Exception as raw:
                error = _login_error(raw, AuthRequired())
                if not isinstance(error, AuthRequired):
                    raise error from None
                self._refresh_or_raise(garmin)
                try:  # refreshed by hand: the saved tokens are new, so resume from them once more
                    garmin.login(str(self.token_dir))
                except Exception as again:
                    raise _login_error(again, AuthRequired()) from None
            self._garmin = garmin

    def _refresh_or_raise(self, garmin: Any) -> None:
        """Refresh the access token by hand after a 401 (garminconnect swallows a failed refresh).

        Returns None when fresh tokens were saved; raises ``Unreachable``/``Transient``/``RateLimited``
        when the token endpoint could not answer, ``AuthRequired`` when it refused the refresh token.
        """
        client = garmin.client
        if not client.di_refresh_token or not client.di_client_id:
            raise AuthRequired()
        try:
            client._refresh_di_token()
        except Exception as raw:
            error = normalize_error(raw)
            if isinstance(error, RateLimited | Transient):
                raise error from None
            raise AuthRequired() from None
        client.dump(str(self.token_dir))

    def login_with_credentials(self, email: str, password: str, *,
                               mfa_code_prompt: Callable[[], str] | None = None) -> Literal["ok", "needs_mfa"]:
        """Log in with email and password, once per client.

        With ``mfa_code_prompt`` an MFA code is asked for interactively; without it a pending MFA
        login is saved (0600) for :meth:`resume_mfa` and ``"needs_mfa"`` is returned.
        """
        with self._lock:
            if self.credential_logins:
                raise GarminError("a credential login was already attempted by this client; "
                                  "start a new one to try again")
            self.credential_logins += 1
            secure_dir(self.token_dir)
            garmin = self._new_garmin()
            try:
                status, client_state = garmin.client.login(
                    email, password, prompt_mfa=mfa_code_prompt, return_on_mfa=mfa_code_prompt is None)
            except Exception as error:
                raise _login_error(error, AuthRequired(f"Garmin login refused: {_first_line(error)}")) from None
            if status == "needs_mfa":
                write_private(self.token_dir / MFA_STATE_FILE, json.dumps(client_state))
                return "needs_mfa"
            self._finish_login(garmin)
            return "ok"

    def resume_mfa(self, code: str) -> None:
        """Finish the saved login with its MFA code (the saved state stays if the code is wrong)."""
        with self._lock:
            state_file = secure_dir(self.token_dir) / MFA_STATE_FILE
            try:
                client_state = json.loads(state_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise AuthRequired("no login is waiting for an MFA code: run `watchsync login`") from None
            garmin = self._new_garmin()
            try:
                garmin.client.resume_login(client_state, code)
            except Exception as error:
                if "INVALID_SESSION" in str(error) and "INVALID_MFA_CODE" not in str(error):
                    remove(state_file)  # Garmin forgot the pending login: the code can never succeed
                    raise AuthRequired(MFA_EXPIRED) from None
                raise _login_error(error, AuthRequired(
                    f"MFA code not accepted ({_first_line(error)}); try again with the code")) from None
            remove(state_file)
            self._finish_login(garmin)

    def _finish_login(self, garmin: Any) -> None:
        """Save the new tokens, then resume from the token *path* so refreshes are saved too.

        A login that produced no DI tokens (garminconnect's JWT_WEB cookie fallback, whose ``dump``
        writes nulls) is a failed login: nothing is saved.
        """
        if not garmin.client.di_token or not garmin.client.di_refresh_token:
            raise AuthRequired(NO_TOKENS)
        garmin.client.dump(str(self.token_dir))
        try:
            garmin.login(str(self.token_dir))
        except Exception as error:
            raise _login_error(error, AuthRequired()) from None
        self._garmin = garmin

    def logout(self) -> None:
        """Forget the session and delete the saved tokens (and any pending MFA login)."""
        with self._lock:
            self._garmin = None
            remove(self.token_file)
            remove(self.token_dir / MFA_STATE_FILE)

    def whoami(self) -> dict[str, Any]:
        """Who the tokens belong to: display name, full name, profile id, unit system."""
        garmin = self._session()
        return {"display_name": garmin.display_name, "full_name": garmin.full_name,
                "profile_id": garmin.profile_id, "unit_system": garmin.unit_system}

    def _session(self) -> Any:
        with self._lock:
            if self._garmin is None:
                self.login_from_tokens()
            return self._garmin

    def _new_garmin(self) -> Any:
        from garminconnect import Garmin

        garmin = Garmin(retry_attempts=0)
        if self.endpoint is not None:
            _aim_at_local_server(garmin, self.endpoint)
        return garmin

    # workouts and schedules ------------------------------------------------------------------

    def create_workout(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Create a workout; returns Garmin's stored copy (with ``workoutId``)."""
        created: dict[str, Any] = self._call("create_workout", lambda g: g.upload_workout(payload),
                                             idempotent=False)
        return created

    def update_workout(self, workout_id: int, payload: dict[str, Any]) -> None:
        """Replace a workout in place (keeps its id and calendar entries).

        Garmin may answer the PUT 200 with an empty body (or 204): either is a success.
        """
        def put(garmin: Any) -> None:
            with contextlib.suppress(json.JSONDecodeError):  # 200 without a body: .json() fails after success
                garmin.update_workout(workout_id, payload)

        self._call("update_workout", put)

    def get_workout(self, workout_id: int) -> dict[str, Any]:
        workout: dict[str, Any] = self._call("get_workout", lambda g: g.get_workout_by_id(workout_id))
        return workout

    def delete_workout(self, workout_id: int) -> None:
        self._call("delete_workout", lambda g: g.delete_workout(workout_id), gone_is_done=True)

    def list_workouts(self, start: int = 0, limit: int = WORKOUT_PAGE) -> list[dict[str, Any]]:
        """One page of the workout library (summaries without steps)."""
        page: list[dict[str, Any]] = self._call("list_workouts", lambda g: g.get_workouts(start, limit))
        return page

    def iter_workouts(self, page_size: int = WORKOUT_PAGE) -> Iterator[dict[str, Any]]:
        """Every workout of the library, page by page (see :func:`paged`)."""
        return paged(lambda start: self.list_workouts(start, page_size))

    def schedule_workout(self, workout_id: int, day: date) -> int:
        """Put a workout on the calendar (a new entry on every call); returns the schedule id."""
        answer: dict[str, Any] = self._call(
            "schedule_workout", lambda g: g.schedule_workout(workout_id, day.isoformat()), idempotent=False)
        return int(answer["workoutScheduleId"])

    def get_schedule(self, schedule_id: int) -> dict[str, Any]:
        entry: dict[str, Any] = self._call("get_schedule", lambda g: g.get_scheduled_workout_by_id(schedule_id))
        return entry

    def unschedule(self, schedule_id: int) -> None:
        self._call("unschedule", lambda g: g.unschedule_workout(schedule_id), gone_is_done=True)

    def calendar_month(self, year: int, month: int) -> list[dict[str, Any]]:
        """Calendar items of a month (1-based; Garmin's view spans the full weeks around it)."""
        view: dict[str, Any] = self._call("calendar_month", lambda g: g.get_scheduled_workouts(year, month))
        items: list[dict[str, Any]] = view.get("calendarItems") or []
        return items

    def calendar_items(self, start: date, end: date) -> list[dict[str, Any]]:
        """Calendar items dated ``start``..``end`` (inclusive), each once, in date order."""
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            for item in self.calendar_month(year, month):
                if start.isoformat() <= str(item.get("date")) <= end.isoformat():
                    seen.setdefault(_calendar_key(item), item)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return sorted(seen.values(), key=lambda item: (str(item.get("date")), str(item.get("itemType")),
                                                       item_id(item) or 0))

    # activities ------------------------------------------------------------------------------

    def list_activities(self, start_date: date, end_date: date, start: int = 0,
                        limit: int = ACTIVITY_PAGE) -> list[dict[str, Any]]:
        """One page of activities between two dates (inclusive), newest first."""
        params = {"startDate": start_date.isoformat(), "endDate": end_date.isoformat(),
                  "start": str(start), "limit": str(limit)}
        page: list[dict[str, Any]] = self._call(
            "list_activities", lambda g: g.connectapi(g.garmin_connect_activities, params=params))
        return page

    def iter_activities(self, start_date: date, end_date: date,
                        page_size: int = ACTIVITY_PAGE) -> Iterator[dict[str, Any]]:
        """Every activity between two dates, page by page (each page retried on its own; see :func:`paged`)."""
        return paged(lambda start: self.list_activities(start_date, end_date, start, page_size))

    def get_activity(self, activity_id: int) -> dict[str, Any]:
        activity: dict[str, Any] = self._call("get_activity", lambda g: g.get_activity(activity_id))
        return activity

    def download_activity_fit(self, activity_id: int) -> bytes:
        """The activity's original FIT file (unzipped)."""
        data: bytes = self._call("download_activity_fit", lambda g: g.download_activity(
            activity_id, dl_fmt=g.ActivityDownloadFormat.ORIGINAL))
        return _original_fit(data, activity_id)

    # retries ---------------------------------------------------------------------------------

    def _call(self, name: str, operation: Callable[[Any], T], *, idempotent: bool = True,
              gone_is_done: bool = False) -> T:
        garmin = self._session()
        unanswered = False  # an earlier attempt may have been applied without an answer
        refreshed = False
        attempt = 0
        while True:
            with self._lock:
                self.calls[name] += 1
            try:
                return operation(garmin)
            except Exception as raw:
                error = normalize_error(raw)
                applied_maybe = _may_have_been_applied(raw, error)
            if isinstance(error, AuthRequired) and not refreshed:
                refreshed = True
                with self._lock:
                    self._refresh_or_raise(garmin)  # raises unless fresh tokens were saved
                continue
            if applied_maybe and not idempotent:
                raise Transient(f"{error}; the {name} may have been applied", ambiguous=True)
            if isinstance(error, NotFound) and gone_is_done and unanswered:
                return None  # type: ignore[return-value]  # the unanswered attempt did it
            delay = self._retry_delay(error, attempt)
            if delay is None:
                raise error
            unanswered = unanswered or (isinstance(error, Transient) and error.ambiguous)
            attempt += 1
            log.info("garmin %s failed (%s); retry %d/%d in %.2fs", name, error, attempt,
                     self.max_retries, delay)
            self._sleep(delay)

    def _retry_delay(self, error: GarminError, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when ``error`` must be raised now."""
        if attempt >= self.max_retries or not isinstance(error, RateLimited | Transient) or isinstance(error, Blocked):
            return None
        jitter = self._random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** attempt))
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > self.backoff_cap:
                return None  # a long block: let the caller park the work
            return max(jitter, error.retry_after)
        return jitter


def normalize_error(error: BaseException) -> GarminError:
    """Map garminconnect's read errors, write errors and transport errors to our vocabulary."""
    if isinstance(error, GarminError):
        return error
    from garminconnect import GarminConnectAuthenticationError, GarminConnectTooManyRequestsError

    response = _response_in(error)
    status = _http_status(error)
    if status is None:
        transport = _transport_error(error)
        if transport is not None:
            return Unreachable(f"Garmin unreachable: {_transport_words(transport)}", ambiguous=_maybe_sent(transport))
        if any(_UNREACHABLE_TEXT.search(str(link)) for link in _chain(error)):
            return Unreachable(f"Garmin unreachable ({_redacted(_first_line(error))[:160]})", ambiguous=True)
        if any(_BROKEN_BODY_TEXT.search(str(link)) for link in _chain(error)):
            return Unreachable("Garmin's answer broke off before its end (the connection dropped); "
                               "trying again later", ambiguous=True)
        if any(_NOT_JSON_TEXT.search(str(link)) for link in _chain(error)):
            return Transient("Garmin answered a page that is not JSON (down for maintenance?); trying again later",
                             ambiguous=True)  # a 200 reached the application: a write may have been applied
    if status in (403, 427) and (_is_challenge(response) or any(
            word in str(link).lower() for link in _chain(error) for word in ("challenge", "cloudflare"))):
        return Blocked("Garmin's edge refused the request (HTTP 403 challenge page, not a login rejection); "
                       "trying again later")
    if status == 401 or (status is None and isinstance(error, GarminConnectAuthenticationError)):
        return AuthRequired()
    if status == 403:
        return Rejected(403, f"{_message(response, error)} (this request only; the login is fine)")
    if status == 429 or (status is None and isinstance(error, GarminConnectTooManyRequestsError)):
        return RateLimited("Garmin rate limit (HTTP 429)", _retry_after(response))
    if status == 404:
        return NotFound(_message(response, error))
    if status is not None and 400 <= status < 500:
        return Rejected(status, _message(response, error))
    if status is not None:
        return Transient(f"Garmin server error (HTTP {status})")
    return GarminError(f"unexpected Garmin failure: {type(error).__name__}: {error}")


def _login_error(error: BaseException, refused: AuthRequired) -> GarminError:
    """A login failure: rate limits and outages stay themselves, anything else is ``refused``."""
    normalized = normalize_error(error)
    return normalized if isinstance(normalized, RateLimited | Transient) else refused


def _redacted(text: str) -> str:
    """``text`` without URL query strings (a login URL carries the one-time service ticket)."""
    return _QUERY_RE.sub("?<redacted>", text)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _response_in(error: BaseException) -> Any:
    for link in _chain(error):
        response = getattr(link, "response", None)
        if isinstance(getattr(response, "status_code", None), int):
            return response
    return None


def _http_status(error: BaseException) -> int | None:
    """The HTTP status Garmin answered with, if it answered."""
    response = _response_in(error)
    return getattr(response, "status_code", None) or _status_in(error)


def _may_have_been_applied(raw: BaseException, error: GarminError) -> bool:
    """A request that got a 5xx, or lost its connection after being sent, may have been applied."""
    return isinstance(error, Transient) and (error.ambiguous or _http_status(raw) is not None)


def _is_challenge(response: Any) -> bool:
    """A 403 from Garmin's edge (a bot challenge page) rather than from the API itself."""
    if response is None:
        return False
    headers = getattr(response, "headers", {}) or {}
    content_type = str(headers.get("Content-Type", "")).lower()
    return "cf-mitigated" in headers or content_type.startswith("text/html")


def _status_in(error: BaseException) -> int | None:
    for link in _chain(error):
        found = _STATUS_RE.search(str(link))
        if found:
            return int(found.group(1))
    return None


def _transport_error(error: BaseException) -> BaseException | None:
    import requests

    for link in _chain(error):
        if isinstance(link, requests.ConnectionError | requests.Timeout | ConnectionError | TimeoutError
                      | ssl.SSLError | socket.gaierror):
            return link
    return None


#: What a connection failure was, in plain words (the library's text is a repr of a connection pool).
_TRANSPORT_WORDS = (
    (("name or service not known", "nodename nor servname", "name resolution", "getaddrinfo failed"),
     "the name does not resolve (DNS)"),
    (("connection refused", "errno 111"), "connection refused"),
    (("network is unreachable", "no route to host"), "no network route"),
    (("timed out", "timeout"), "no answer in time"),
    (("certificate", "ssl", "tls"), "TLS failed"),
    (("connection reset", "connection aborted", "remotedisconnected", "broken pipe"), "connection dropped"),
    (("newconnectionerror", "max retries exceeded"), "cannot connect"),
)
_HOST = re.compile(r"host='([^']+)'")


def _transport_words(transport: BaseException) -> str:
    """``connection refused (connect.garmin.com)``: the failure in plain words, with the host."""
    text = " ".join(str(link) for link in _chain(transport))
    lower = text.lower()
    host = _HOST.search(text)
    at = f" ({host.group(1)})" if host else ""
    for needles, words in _TRANSPORT_WORDS:
        if any(needle in lower for needle in needles):
            return words + at
    return _redacted(_first_line(transport))[:160]


def _maybe_sent(transport: BaseException) -> bool:
    """False only when the connection was never made, so the request cannot have arrived."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    for link in _chain(transport):
        reason = getattr(link, "reason", None)
        if isinstance(link, NewConnectionError | ConnectTimeoutError) or isinstance(
                reason, NewConnectionError | ConnectTimeoutError):
            return False
    return True


def _retry_after(response: Any) -> float | None:
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message(response: Any, error: BaseException) -> str:
    try:
        body = response.json()
    except Exception:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return str(error)


def _original_fit(data: bytes, activity_id: int) -> bytes:
    """The FIT file inside Garmin's "original" zip (or ``data`` itself when it is a bare FIT)."""
    if data[8:12] == b".FIT":
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [name for name in archive.namelist() if name.lower().endswith(".fit")]
            if not names:
                raise GarminError(f"activity {activity_id}: the download holds no FIT file")
            return archive.read(names[0])
    except zipfile.BadZipFile:
        raise GarminError(f"activity {activity_id}: the download is neither a zip nor a FIT file") from None


def _loopback_endpoint(endpoint: str) -> str:
    """``endpoint`` without a trailing slash; ValueError unless it is http(s) on a loopback host."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme not in ("http", "https") or not loopback or parts.path.strip("/"):
        raise ValueError(f"garmin endpoint {endpoint!r} refused: only a local server on a loopback "
                         "address is allowed, e.g. http://127.0.0.1:8765")
    return f"{parts.scheme}://{parts.netloc}"


def _aim_at_local_server(garmin: Any, endpoint: str) -> None:
    """Send every request of a garminconnect 0.3.20 ``Garmin`` to ``endpoint``.

    The seam: garminconnect has no public base-URL option, so this sets its private URLs (API
    tier, SSO, DI token host, service URLs) and keeps the login strategies the local server
    emulates (the mobile and the portal flows over plain requests).
    """
    client = garmin.client
    client._connectapi = client._connect = client._sso = endpoint
    client._di_token_url = endpoint + DI_TOKEN_PATH
    client._ios_service_url = f"{endpoint}/gcm/ios"
    client._mobile_sso_service_url = f"{endpoint}/gcm/android"
    client._portal_service_url = f"{endpoint}/app"
    client.skip_strategies = set(_LOCAL_ONLY_STRATEGIES)


def item_id(item: Mapping[str, Any]) -> int | None:
    """A calendar item's numeric id; None for items Garmin gives none (race events: ``"id": null``)."""
    value = item.get("id")
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _calendar_key(item: Mapping[str, Any]) -> tuple[str, str]:
    """What makes a calendar item the same in two month answers (the view overlaps the next month)."""
    number = item_id(item)
    ident = str(number) if number is not None else f"{item.get('date')}|{item.get('title')}"
    return str(item.get("itemType")), ident


def paged(fetch: Callable[[int], list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Every item of a listing read page by page, ``fetch(start)`` giving the page at ``start``.

    Pages are read until one comes back empty, as garminconnect's own listings do: a server may hold
    fewer items a page than were asked for, so a short page is not the end; the next page starts
    after the items received. A page that repeats the one before (a server ignoring ``start``) ends
    the listing instead of looping.
    """
    start = 0
    previous: list[dict[str, Any]] | None = None
    while True:
        page = fetch(start)
        if not page or page == previous:
            return
        yield from page
        start += len(page)
        previous = page
