"""Test-only routes under ``/_watchsync/``: drive the local server from another process.

``POST /_watchsync/activities`` (JSON: ``fit_base64``, ``start_time``, optional ``activity_type``, ``name``,
``manual: true`` without ``fit_base64`` for one entered by hand (``activity_type`` and ``duration_s`` then given),
``email`` of the account) adds an activity, ``POST /_watchsync/tokens``
mints a token pair, ``POST /_watchsync/faults`` ``{"spec": "429=0.2,..."}`` sets fault rates,
``POST /_watchsync/tokens/expire`` and ``/_watchsync/tokens/revoke`` age or revoke every token, and
``GET /_watchsync/stats`` reports the counters. Faults never apply here.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any, Protocol

from watchsync.testing.garmin.routes import BadRequest
from watchsync.testing.garmin.state import NewActivity
from watchsync.testing.garmin.wire import Request, Response, Route, RouteKind, json_response

DEFAULT_CLIENT_ID = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"


class Controlled(Protocol):
    """What the control routes need from the server."""

    def store_activity(self, new: NewActivity, email: str | None = None) -> int: ...
    def mint_tokens(self, client_id: str, *, expired: bool, email: str | None = None) -> dict[str, Any]: ...
    def set_faults(self, faults: Any) -> None: ...
    def expire_access_tokens(self) -> None: ...
    def revoke_tokens(self) -> None: ...
    def stats_json(self) -> dict[str, Any]: ...


class ControlRoutes:
    def __init__(self, server: Controlled) -> None:
        self._server = server

    def routes(self) -> list[Route]:
        test = RouteKind.TEST
        return [
            Route("POST", "/_watchsync/activities", test, self.add_activity),
            Route("POST", "/_watchsync/tokens", test, self.mint_tokens),
            Route("POST", "/_watchsync/tokens/expire", test, self.expire),
            Route("POST", "/_watchsync/tokens/revoke", test, self.revoke),
            Route("POST", "/_watchsync/faults", test, self.faults),
            Route("GET", "/_watchsync/stats", test, self.stats),
        ]

    def add_activity(self, request: Request) -> Response:
        try:
            body = request.json()
            new = NewActivity(
                fit_bytes=base64.b64decode(body.get("fit_base64", ""), validate=True),
                start_time=datetime.fromisoformat(body["start_time"]),
                activity_type=body.get("activity_type"),  # none: the file's sport, as Garmin types it
                name=body.get("name", ""),
                duration_s=float(body.get("duration_s", 0)),
                distance_m=float(body.get("distance_m", 0)),
                associated_workout_id=body.get("associated_workout_id"),
                direct_workout_rpe=body.get("direct_workout_rpe"),
                manual=body.get("manual") is True,  # entered by hand in Connect: no fit_base64
            )
            email = body.get("email")  # the account it is uploaded to (default: the first)
            return json_response({"activityId": self._server.store_activity(new, email)})
        except (ValueError, KeyError, TypeError) as error:
            raise BadRequest(f"bad activity: {error}") from None

    def mint_tokens(self, request: Request) -> Response:
        body = _object(request)
        email = body.get("email")
        try:
            tokens = self._server.mint_tokens(str(body.get("client_id", DEFAULT_CLIENT_ID)),
                                              expired=bool(body.get("expired", False)),
                                              email=str(email) if email else None)
        except ValueError as error:
            raise BadRequest(str(error)) from None
        return json_response(tokens)

    def expire(self, request: Request) -> Response:
        self._server.expire_access_tokens()
        return Response(204)

    def revoke(self, request: Request) -> Response:
        self._server.revoke_tokens()
        return Response(204)

    def faults(self, request: Request) -> Response:
        try:
            self._server.set_faults(str(_object(request)["spec"]))
        except (KeyError, ValueError) as error:
            raise BadRequest(f'faults must be {{"spec": "429=0.2,..."}}: {error}') from None
        return Response(204)

    def stats(self, request: Request) -> Response:
        return json_response(self._server.stats_json())


def _object(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise BadRequest("body is not valid JSON") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body
