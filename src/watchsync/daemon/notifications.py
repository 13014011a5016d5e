"""Notifications through apprise: de-duplicated, rate-limited, redacted, and never in the daemon's way.

* **One message per event**: every event has a key; a key already sent (remembered in the store,
  so a restart does not repeat it) is never sent again. Retries of the same event are the same key.
* **Rate limit**: at most ``max_per_hour`` messages in any hour; the rest wait (none dropped: a key
  is remembered as sent only when it is sent, so what waits at shutdown is found again). Urgent
  notices (a rejected file, a needed login, Garmin unreachable, a storage fault) go before the
  report's news and have a fifth of the budget to themselves, and a notice about a condition that has
  cleared while it waited is not sent.
* **No secret in a message**: title and body go through the daemon's log redaction; the target
  URLs (which may hold passwords) are never logged, only their position and scheme.
* **A failing target never affects the daemon**: messages leave from their own thread with the
  library's timeouts; a failing target is tried again (it alone, so no one gets a message twice)
  up to ``ATTEMPTS`` times, then the failure is logged by the target's position, never its URL.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apprise

from watchsync.daemon.logging_setup import redact
from watchsync.daemon.status import GLOBAL, NOTIFY_HELD_KEY, now_text
from watchsync.store import Store

logger = logging.getLogger(__name__)

SENT_PREFIX = "notify.sent."
HOUR = 3600.0
ATTEMPTS = 3
RETRY_SECONDS = 30.0
#: The share of the hour's budget kept for urgent notices (at least one message when the budget allows it).
URGENT_RESERVE = 0.2
#: While over the rate limit, the budget is looked at again after at most this long.
BUDGET_RECHECK_SECONDS = 60.0
MAX_TITLE = 250
MAX_BODY = 4000

Send = Callable[[str, str], bool]


@dataclass(frozen=True)
class Target:
    """One place messages go; ``label`` (``#2 ntfy``) is what logs show instead of the URL."""

    label: str
    send: Send


@dataclass(frozen=True)
class Notice:
    """One event to tell the coach: ``key`` identifies the event (one message per key, ever).

    ``urgent`` notices need the coach to act and go before the others; ``current`` (when given) says
    at delivery time whether the event still holds (a login fixed meanwhile is not announced).
    """

    key: str
    title: str
    body: str
    urgent: bool = False
    current: Callable[[], bool] | None = field(default=None, compare=False, repr=False)
    #: the keys of the events this one message tells too (a round's rejected files): sent with it
    covers: tuple[str, ...] = ()


def apprise_targets(urls: list[str], config_file: Path | None) -> list[Target]:
    """One target per apprise service of ``urls`` and ``config_file``; unusable ones are logged and skipped."""
    services = apprise.Apprise()
    for position, url in enumerate(urls, 1):
        if not services.add(url):
            scheme = url.partition("://")[0] if "://" in url else "?"
            logger.error("[notify] urls #%d (%s://…) is not an apprise URL this version knows; skipped",
                         position, scheme)
    if config_file is not None:
        loaded = apprise.AppriseConfig()
        if loaded.add(str(config_file)):
            services.add(loaded)
        else:
            logger.error("[notify] urls_file %s cannot be read as an apprise config; skipped", config_file)
    logging.getLogger("apprise").setLevel(logging.CRITICAL)  # its messages may name URLs; ours never do
    targets = []
    for position, service in enumerate(services, 1):
        def send(title: str, body: str, service: apprise.NotifyBase = service) -> bool:
            return bool(service.notify(body=body, title=title))

        targets.append(Target(f"#{position} {getattr(service, 'protocol', None) or type(service).__name__}", send))
    return targets


class Notifier:
    """Takes notices from any thread and sends them from its own, in order, within the rate limit."""

    def __init__(self, store: Store, targets: list[Target], *, max_per_hour: int = 20,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._targets = targets
        self._max_per_hour = max_per_hour
        self._urgent_reserve = max(1, round(max_per_hour * URGENT_RESERVE)) if max_per_hour > 1 else 0
        self._held_recorded = True  # a previous run may have left a count: cleared with the first notice sent
        self._clock = clock
        self._queue: queue.PriorityQueue[tuple[int, int, Notice | None]] = queue.PriorityQueue()
        self._order = itertools.count()  # first in, first out within a priority
        self._sent_times: collections.deque[float] = collections.deque()
        self._seen: set[str] = set()  # keys accepted by this process (also when the store fails)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watchsync-notify", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._queue.put((-1, next(self._order), None))
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def already_sent(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return True
        try:
            return self._store.kv_get(GLOBAL, _sent_key(key)) is not None
        except Exception:  # a storage fault must not stop the notice that reports it
            return False

    def submit(self, notice: Notice) -> bool:
        """Queue ``notice`` unless its key was sent before; True when queued. Never raises."""
        try:
            if self.already_sent(notice.key):
                return False
            with self._lock:
                self._seen.update((notice.key, *notice.covers))
            redacted = replace(notice, title=redact(notice.title)[:MAX_TITLE], body=redact(notice.body)[:MAX_BODY])
            self._queue.put((0 if notice.urgent else 1, next(self._order), redacted))
            return True
        except Exception as error:  # nothing here may hurt the caller
            logger.error("notification %s not queued: %s: %s", notice.key, type(error).__name__, error)
            return False

    def _run(self) -> None:
        while not self._stop.is_set():
            entry = self._queue.get()
            while True:
                notice = entry[2]
                if notice is None:
                    return
                if not _still_current(notice):
                    break
                wait = self._take_budget(urgent=notice.urgent)
                if wait == 0.0:
                    self._deliver(notice)
                    if self._queue.empty():
                        self._record_held(None)
                    break
                logger.info("notifications: %d sent in the last hour; the next waits %.0f s", self._max_per_hour,
                            wait)
                self._record_held(wait)
                if self._stop.wait(min(wait, BUDGET_RECHECK_SECONDS)):
                    return
                self._queue.put(entry)  # while it waits, a more urgent notice may have come: take the first
                entry = self._queue.get()

    def _record_held(self, wait: float | None) -> None:
        """How many notices the rate limit holds back and when the next goes (``watchsync status`` and the
        status page show it), or that none waits. Never raises."""
        held = None if wait is None else {"waiting": self._queue.qsize() + 1,
                                          "next": (datetime.now(UTC) + timedelta(seconds=wait)).isoformat(
                                              timespec="seconds")}
        if held is None and not self._held_recorded:
            return  # nothing was held: no store write (nor read) per notice sent
        try:
            self._store.kv_set(GLOBAL, NOTIFY_HELD_KEY, held)
            self._held_recorded = held is not None
        except Exception as error:  # a storage fault must not stop the notices
            logger.debug("notifications: cannot record the held notices (%s)", type(error).__name__)

    def _take_budget(self, *, urgent: bool = False) -> float:
        """0.0 after taking one message of the hour's budget, else the seconds until one is free. The last
        :data:`URGENT_RESERVE` of the budget is kept for urgent notices: a burst of the report's news (a
        first start's backlog) never holds back a rejected file or a needed login for an hour."""
        now = self._clock()
        while self._sent_times and now - self._sent_times[0] >= HOUR:
            self._sent_times.popleft()
        limit = self._max_per_hour if urgent else max(1, self._max_per_hour - self._urgent_reserve)
        if len(self._sent_times) < limit:
            self._sent_times.append(now)
            return 0.0
        oldest = self._sent_times[len(self._sent_times) - limit]  # the sending that frees a place under the limit
        return max(HOUR - (now - oldest), 1e-3)

    def _deliver(self, notice: Notice) -> None:
        """Each target once; only the targets that failed are tried again (no one gets a message twice).

        The key is remembered in the store just before sending: a notice still waiting for the rate
        limit when the daemon stops is found again by the next run, one already sent is not repeated.
        """
        try:
            with self._store.transaction():
                for key in (notice.key, *notice.covers):
                    self._store.kv_set(GLOBAL, _sent_key(key), now_text())
        except Exception as error:
            logger.warning("notification %r: cannot remember it in the store (%s); sent once from memory",
                           notice.title, type(error).__name__)
        pending = list(self._targets)
        for attempt in range(1, ATTEMPTS + 1):
            pending = [target for target in pending if not _sent(target, notice)]
            if not pending:
                logger.info("notification sent: %s", notice.title)
                return
            if attempt < ATTEMPTS and self._stop.wait(RETRY_SECONDS * attempt):
                break
        logger.warning("notification %r not delivered to target %s", notice.title,
                       ", ".join(target.label for target in pending))


def _still_current(notice: Notice) -> bool:
    """Whether the notice's event still holds (True when it cannot be told: better once too many)."""
    if notice.current is None:
        return True
    try:
        return notice.current()
    except Exception:
        return True


def _sent(target: Target, notice: Notice) -> bool:
    try:
        return target.send(notice.title, notice.body)
    except Exception:  # a plugin bug or a dead network: that target failed, nothing else
        return False


def _sent_key(key: str) -> str:
    return SENT_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:32]
