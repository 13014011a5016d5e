"""One error vocabulary for everything that talks to Garmin Connect (or the local server)."""

from __future__ import annotations

import shlex

from watchsync.errors import WatchsyncError

RELOGIN_HINT = "re-authentication needed: run `watchsync login`"
NOT_LOGGED_IN = "not logged in: run `watchsync login`"
_LOGIN_COMMAND = "`watchsync login`"


def login_hint_for(message: str, athlete: str) -> str:
    """``message`` with its ``watchsync login`` naming the athlete (without ``--athlete`` the command
    logs in the first athlete of the configuration, not the one that needs it)."""
    return message.replace(_LOGIN_COMMAND, f"`watchsync login --athlete {shlex.quote(athlete)}`")


class GarminError(WatchsyncError):
    """Base of every Garmin Connect failure watchsync reports."""


class AuthRequired(GarminError):
    """Tokens are missing, rejected or revoked: a person must log in again."""

    def __init__(self, message: str = RELOGIN_HINT) -> None:
        super().__init__(message)


class RateLimited(GarminError):
    """Garmin answered 429; ``retry_after`` is its hint in seconds (None when absent)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Blocked(RateLimited):
    """Garmin's edge refused the request without looking at the login (HTTP 403 with a challenge
    page, e.g. Cloudflare's): not a rejected token, so nobody needs to log in; try again later."""


class NotFound(GarminError):
    """The workout, schedule or activity does not exist (HTTP 404)."""


class Rejected(GarminError):
    """Garmin refused the request (a 4xx other than 401/403/404/429) with ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Garmin rejected the request (HTTP {status}): {message}")
        self.status = status
        self.message = message


class Transient(GarminError):
    """5xx or transport failure that outlived the retries.

    ``ambiguous`` is True when a non-idempotent write (create, schedule) may have been applied
    although no success answer arrived (a 5xx, a timeout or a broken connection after sending):
    the caller must look before trying again.
    """

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


class Unreachable(Transient):
    """Garmin could not be reached at all: connection refused, DNS, TLS, or a timeout before any
    answer (however garminconnect wraps it). Nobody needs to log in; try again soon."""

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message, ambiguous=ambiguous)
