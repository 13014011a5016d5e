"""One sync worker thread per athlete: drains the athlete's outbox and runs its activity syncs.

The worker sleeps on an event: intake wakes it the moment something is queued, otherwise it wakes
when the next retry is due (backoff is in the store's ``not_before``) or after ``IDLE_SECONDS``.
A parked queue ("re-authentication needed") logs in again from the saved tokens with a fresh
client, and releases the queue when that works: at once when the token file changes (``watchsync
login`` writes it), else on a slow backoff (5 min doubling to 1 h). Only a real rejection parks:
an unreachable Garmin (network down, DNS, TLS, timeouts, a failing token endpoint) is retried by
the drain within ``unreachable_retry`` and never parks. Tokens that ``watchsync login`` wrote while the
queue ran (it releases the queue itself) are logged in with before the next call. Each call's outcome goes
to the store (the last success, the first failure since: the outage clock of the notifications); the first
success after failures makes what waited on a server-error backoff due at once. Never with credentials.
Each athlete has its own thread, client and queue, so one athlete's failures never hold up another's.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchsync.daemon.jobs import sync_athlete_activities
from watchsync.daemon.status import (
    LAST_ACTIVITY_SYNC_KEY,
    LAST_PUSH_KEY,
    calls_fail,
    calls_work,
    now_text,
    record_error,
)
from watchsync.garmin.client import GarminClient
from watchsync.garmin.errors import AuthRequired, GarminError, RateLimited, Transient, login_hint_for
from watchsync.garmin.sync import UNREACHABLE_RETRY, DrainResult, SyncService
from watchsync.garmin.tokens import TOKEN_FILE
from watchsync.model.athlete import Athlete
from watchsync.store import Store

logger = logging.getLogger(__name__)

IDLE_SECONDS = 60.0
PARKED_CHECK_SECONDS = 2.0
ERROR_PAUSE_SECONDS = 5.0
MIN_WAIT_SECONDS = 0.05
RESUME_BACKOFF_SECONDS = 300.0
RESUME_BACKOFF_CAP_SECONDS = 3600.0

ClientFactory = Callable[[], GarminClient]
TokenSignature = tuple[int, int, int] | None


class AthleteWorker:
    """The sync thread of one athlete."""

    def __init__(self, store: Store, athlete: Athlete, new_client: ClientFactory, token_dir: Path,
                 state_dir: Path, stop: threading.Event, client: GarminClient | None = None, *,
                 resume_backoff: float = RESUME_BACKOFF_SECONDS,
                 unreachable_retry: timedelta = UNREACHABLE_RETRY) -> None:
        self.athlete = athlete
        self._unreachable_retry = unreachable_retry
        self.healthy = True
        self._store = store
        self._new_client = new_client
        self._token_file = token_dir / TOKEN_FILE
        self._state_dir = state_dir
        self._stop = stop
        self._wake = threading.Event()
        self._activities_due = threading.Event()
        self._tokens_tried = _signature(self._token_file)
        self._resume_backoff = resume_backoff
        self._resume_delay = resume_backoff
        self._resume_at: float | None = None  # monotonic time of the next login while parked
        self._sync = self._service(client or new_client())
        self._thread = threading.Thread(target=self._run, name=f"watchsync-sync-{athlete.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def wake(self) -> None:
        """Look at the outbox now (intake queued something, or the daemon is stopping)."""
        self._wake.set()

    def request_activity_sync(self) -> None:
        """Fetch new activities at the next opportunity (between two outbox operations)."""
        self._activities_due.set()
        self._wake.set()

    def _service(self, client: GarminClient) -> SyncService:
        return SyncService(self._store, lambda: client, self.athlete, unreachable_retry=self._unreachable_retry)

    def _run(self) -> None:
        name = self.athlete.name
        while not self._stop.is_set():
            self._wake.clear()
            try:
                wait = self._iteration()
                self.healthy = True
            except Exception as error:
                logger.error("sync worker of %s: %s: %s", name, type(error).__name__, error)
                record_error(self._store, name, f"{type(error).__name__}: {error}")
                self.healthy, wait = False, ERROR_PAUSE_SECONDS
            self._wake.wait(wait)

    def _iteration(self) -> float:
        """One round of work; returns how long to sleep unless woken."""
        if self._store.parked_reason(self.athlete.name) is None:
            self._resume_at, self._resume_delay = None, self._resume_backoff
            self._new_tokens()
        elif not self._try_resume():
            return self._parked_wait()
        if self._activities_due.is_set():
            self._activities_due.clear()
            self._sync_activities()
        if self._stop.is_set():
            return 0.0
        self._report(self._sync.drain(stop=self._stop))
        if self._store.parked_reason(self.athlete.name) is not None:
            return self._parked_wait()
        return self._until_next_due()

    def _try_resume(self) -> bool:
        """Parked: log in from the tokens when they changed or the backoff is due; release the queue if it works."""
        now = time.monotonic()
        if self._resume_at is None:
            self._resume_at = now + self._resume_delay
        current = _signature(self._token_file)
        if current is None or (current == self._tokens_tried and now < self._resume_at):
            return False
        self._tokens_tried = current
        client = self._new_client()
        try:
            client.login_from_tokens()
        except (RateLimited, Transient) as error:  # Garmin unreachable or busy: says nothing about the login
            calls_fail(self._store, self.athlete.name)
            self._resume_at = time.monotonic() + self._unreachable_retry.total_seconds()
            logger.warning("%s: login from the saved tokens deferred (%s); next try in %.0f s",
                           self.athlete.name, error, self._unreachable_retry.total_seconds())
            return False
        except GarminError as error:
            self._resume_delay = min(self._resume_delay * 2, max(RESUME_BACKOFF_CAP_SECONDS, self._resume_backoff))
            self._resume_at = time.monotonic() + self._resume_delay
            logger.warning("%s: login from the saved tokens failed (%s); next try in %.0f s",
                           self.athlete.name, error, self._resume_delay)
            return False
        self._sync = self._service(client)
        self._store.unpark(self.athlete.name)
        self._calls_work()
        logger.info("%s: logged in again; the queue resumes", self.athlete.name)
        return True

    def _new_tokens(self) -> None:
        """``watchsync login`` wrote new tokens and released the queue itself: log in with them before the
        next call (the old client's rejected tokens parked the queue again with a false error, probe journey11)."""
        current = _signature(self._token_file)
        if current is None or current == self._tokens_tried:
            return
        self._tokens_tried = current
        client = self._new_client()
        try:
            client.login_from_tokens()
        except (RateLimited, Transient) as error:
            calls_fail(self._store, self.athlete.name)
            logger.warning("%s: login with the new tokens deferred (%s)", self.athlete.name, error)
            return
        except GarminError:  # refused: the current client finds out on its next call and parks as usual
            return
        self._sync = self._service(client)
        self._calls_work()

    def _calls_work(self) -> None:
        """A call worked: the outage clock stops; after failures, what waited on a backoff is due now."""
        released = calls_work(self._store, self.athlete.name)
        if released:
            logger.info("%s: calls to Garmin work again; %d queued item(s) sent now", self.athlete.name, released)

    def _parked_wait(self) -> float:
        """Until the next token-file look (every few seconds) or the next login, whichever is first."""
        until_login = (self._resume_at or 0.0) - time.monotonic()
        return min(PARKED_CHECK_SECONDS, max(until_login, MIN_WAIT_SECONDS))

    def _sync_activities(self) -> None:
        name = self.athlete.name
        try:
            sync_athlete_activities(self._store, self._sync.client, self.athlete, self._state_dir, self.athlete.today())
        except AuthRequired as error:
            self._park(str(error))
            return
        except (GarminError, OSError) as error:  # one bad activity is recorded on its own; this is Garmin or the disk
            logger.warning("activity sync for %s failed: %s", name, error)
            record_error(self._store, name, f"activity sync: {error}")
            if isinstance(error, RateLimited | Transient):
                calls_fail(self._store, name)
            return
        self._store.kv_set(name, LAST_ACTIVITY_SYNC_KEY, now_text())
        self._calls_work()

    def _park(self, reason: str) -> None:
        reason = login_hint_for(reason, self.athlete.name)  # `watchsync login --athlete <name>`
        self._store.park(self.athlete.name, reason)
        logger.error("%s: %s (queue parked, files kept)", self.athlete.name, reason)
        record_error(self._store, self.athlete.name, reason)

    def _report(self, result: DrainResult) -> None:
        name = self.athlete.name
        for outcome in result.outcomes:
            what = f"{outcome.op} {outcome.key}" + (f" on {outcome.day}" if outcome.day else "")
            if outcome.status == "done":
                remote = f" (Garmin id {outcome.remote_id})" if outcome.remote_id is not None else ""
                logger.info("%s: %s: %s%s", name, what, outcome.action, remote)
            elif outcome.status != "parked":
                logger.warning("%s: %s: %s, %s", name, what, outcome.message,
                               "will retry" if outcome.status == "retry" else "held until queued again")
                record_error(self._store, name, f"{what}: {outcome.message}")
        if result.parked is not None and any(o.status == "parked" for o in result.outcomes):
            parked = login_hint_for(result.parked, name)
            logger.error("%s: %s (queue parked, files kept)", name, parked)
            record_error(self._store, name, parked)
        if any(o.op == "push" and o.status == "done" for o in result.outcomes):
            self._store.kv_set(name, LAST_PUSH_KEY, now_text())
        failed = any(o.status == "retry" and not o.message.startswith("internal error") for o in result.outcomes)
        if any(o.status == "done" for o in result.outcomes):
            if failed:  # Garmin answers some calls only: the backoff of the rest stays
                calls_work(self._store, name, release=False)
            else:
                self._calls_work()
        if failed:
            calls_fail(self._store, name)

    def _until_next_due(self) -> float:
        """Seconds until the store's next item the drain could take (its ordering rules included)."""
        due = self._store.next_due_at(self.athlete.name)
        if due is None:
            return IDLE_SECONDS
        return min(max((due - datetime.now(UTC)).total_seconds(), MIN_WAIT_SECONDS), IDLE_SECONDS)


def _signature(path: Path) -> TokenSignature:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
