"""Fault injection for the local Garmin Connect server: rates, latency, scripted one-shots."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass
from enum import Enum


class Fault(Enum):
    """What the server does to one API request instead of (or after) answering it."""

    RATE_LIMIT = "429"
    SERVER_ERROR = "5xx"
    DROP = "drop"  # close the socket before handling the request
    DROP_AFTER_WRITE = "drop_after"  # apply the write, then close without answering
    CHALLENGE = "challenge"  # Garmin's edge (Cloudflare) answers 403 with an HTML challenge page
    TRUNCATE = "truncate"  # answer, but break the body off halfway (a download cut by the network)
    NOT_JSON = "not_json"  # answer 200 with an HTML page instead of JSON (a maintenance page)


@dataclass(frozen=True)
class Faults:
    """Rates are shares of API requests (0..1); ``latency`` is seconds added to each."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    error_status: int = 500
    drop: float = 0.0
    drop_after_write: float = 0.0
    latency: float = 0.0
    retry_after: int = 1
    seed: int = 0
    auth: bool = False  # the rates apply to sign-in and token routes too

    def __post_init__(self) -> None:
        rates = (self.rate_limit, self.server_error, self.drop, self.drop_after_write)
        if any(not 0.0 <= rate <= 1.0 for rate in rates):
            raise ValueError("fault rates must be between 0 and 1")
        if self.rate_limit + self.server_error + self.drop > 1.0:
            raise ValueError("429, 5xx and drop rates must add up to at most 1")
        if not 500 <= self.error_status <= 599:
            raise ValueError(f"error status {self.error_status} is not a 5xx status")
        if self.latency < 0 or self.retry_after < 0:
            raise ValueError("latency and retry_after must not be negative")


_RATE_KEYS = {"429": "rate_limit", "drop": "drop", "drop_after": "drop_after_write"}
SPEC_HELP = "429=0.2,500=0.1,drop=0.05,drop_after=0.02,latency=0.05,retry_after=1,seed=7,auth=1"


def parse_faults(spec: str) -> Faults:
    """``Faults`` from ``"429=0.2,500=0.1,drop=0.05,latency=0.05"``; ValueError names the bad item."""
    values: dict[str, float | int] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, sep, raw = item.partition("=")
        key = key.strip()
        try:
            number = float(raw)
        except ValueError:
            number = float("nan")
        if not sep or number != number:
            raise ValueError(f"bad fault {item!r}: expected key=number, e.g. {SPEC_HELP}")
        if key in _RATE_KEYS:
            values[_RATE_KEYS[key]] = number
        elif key.isdigit() and key.startswith("5") and len(key) == 3:
            values["server_error"] = number
            values["error_status"] = int(key)
        elif key == "latency":
            values["latency"] = number
        elif key in ("retry_after", "seed"):
            values[key] = int(number)
        elif key == "auth":
            values["auth"] = bool(number)
        else:
            raise ValueError(f"unknown fault {key!r}: expected one of 429, 5xx (e.g. 500), drop, "
                             "drop_after, latency, retry_after, seed, auth")
    try:
        return Faults(**values)  # type: ignore[arg-type]
    except ValueError as error:
        raise ValueError(f"bad faults {spec!r}: {error}") from None


class FaultPicker:
    """Decides, request by request, which fault (if any) applies; thread-safe."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults
        self._random = random.Random(faults.seed)
        self._scripted: deque[tuple[Fault, str]] = deque()  # (fault, path prefix it waits for)
        self._scripted_auth: deque[Fault] = deque()

    @property
    def faults(self) -> Faults:
        return self._faults

    def set(self, faults: Faults) -> None:
        """Replace the rates (and reseed)."""
        with self._lock:
            self._faults = faults
            self._random = random.Random(faults.seed)

    def script(self, fault: Fault, count: int = 1, path: str = "") -> None:
        """Force ``fault`` onto the next ``count`` API requests (whose path starts with ``path``), before
        any random fault."""
        with self._lock:
            self._scripted.extend([(fault, path)] * count)

    def script_auth(self, fault: Fault, count: int = 1) -> None:
        """Force ``fault`` onto the next ``count`` sign-in, MFA and token requests."""
        if fault is Fault.DROP_AFTER_WRITE:
            raise ValueError("drop_after applies to API writes only")
        with self._lock:
            self._scripted_auth.extend([fault] * count)

    def clear_script(self) -> None:
        with self._lock:
            self._scripted.clear()
            self._scripted_auth.clear()

    def before_auth(self) -> Fault | None:
        """The fault for a sign-in or token request (scripted ones, then the rates if ``auth`` is on)."""
        with self._lock:
            if self._scripted_auth:
                return self._scripted_auth.popleft()
            faults = self._faults
            if not faults.auth:
                return None
            draw = self._random.random()
            for fault, rate in ((Fault.RATE_LIMIT, faults.rate_limit),
                                (Fault.SERVER_ERROR, faults.server_error), (Fault.DROP, faults.drop)):
                if draw < rate:
                    return fault
                draw -= rate
            return None

    def before(self, *, is_write: bool, path: str = "") -> Fault | None:
        """The fault for an API request about to be handled (a scripted drop-after only hits writes)."""
        with self._lock:
            if self._scripted and path.startswith(self._scripted[0][1]) and (
                    is_write or self._scripted[0][0] is not Fault.DROP_AFTER_WRITE):
                return self._scripted.popleft()[0]
            draw = self._random.random()
            faults = self._faults
            for fault, rate in ((Fault.RATE_LIMIT, faults.rate_limit),
                                (Fault.SERVER_ERROR, faults.server_error), (Fault.DROP, faults.drop)):
                if draw < rate:
                    return fault
                draw -= rate
            if is_write and self._random.random() < faults.drop_after_write:
                return Fault.DROP_AFTER_WRITE
            return None
