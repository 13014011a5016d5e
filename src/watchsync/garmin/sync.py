"""Idempotent sync with Garmin Connect through the store's outbox.

Intent is written first (workout row and outbox row in one transaction), then :meth:`SyncService.drain`
carries it out (see :mod:`watchsync.garmin.sync_ops`), so a crash at any point is recoverable. A
workout's identity is :func:`workout_key` (a slug of its name, per athlete): the same name updates
the same Garmin workout; unchanged content (same hash of the resolved workout) costs no call at all.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from watchsync.garmin.accounts import SharedAccount, check_account
from watchsync.garmin.client import GarminClient
from watchsync.garmin.errors import AuthRequired, GarminError, RateLimited, Rejected, Unreachable, login_hint_for
from watchsync.garmin.sync_ops import NotQueued, OutboxRunner, ReadBackMismatch, local_date
from watchsync.garmin.sync_reconcile import ReconcileResult, reconcile
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.prepare import PreparedWorkout, prepare
from watchsync.rules import speeds_for
from watchsync.store import OutboxItem, Store, WorkoutRow, retry_delay

#: How long an operation Garmin refused waits before it is tried again (unless queued again sooner).
HOLD_REFUSED = timedelta(days=30)
#: Longest wait before trying again while Garmin is unreachable (the network may be back any moment).
UNREACHABLE_RETRY = timedelta(seconds=30)
#: How long done outbox items are kept (for ``status`` and debugging) before a drain forgets them.
KEEP_DONE = timedelta(days=30)
#: Longest message kept for a failure that is not a Garmin answer.
INTERNAL_MESSAGE_CHARS = 300
_PACKAGE = Path(__file__).resolve().parents[1]

Status = Literal["done", "retry", "refused", "parked"]
PlannedAction = Literal["create", "update", "unchanged"]


class SyncError(GarminError):
    """An operation cannot be queued (e.g. scheduling a workout that was never pushed)."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one outbox item during a drain."""

    op: str
    key: str
    day: date | None
    status: Status
    action: str = ""
    remote_id: int | None = None
    message: str = ""


@dataclass
class DrainResult:
    """The outcomes of one drain, the re-authentication message if the queue was parked, until when
    it is held (a rate limit, a failed login), what is left."""

    outcomes: list[Outcome] = field(default_factory=list)
    parked: str | None = None
    held_until: datetime | None = None
    remaining: int = 0

    @property
    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status in ("retry", "refused")]


@dataclass(frozen=True)
class PushPlan:
    """What a push of one workout would do, judged by the store alone (no Garmin call)."""

    key: str
    name: str
    action: PlannedAction


class SyncService:
    """Push, schedule, unschedule and delete one athlete's workouts on Garmin Connect, idempotently."""

    def __init__(self, store: Store, client_factory: Callable[[], GarminClient], athlete: Athlete, *,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 unreachable_retry: timedelta = UNREACHABLE_RETRY) -> None:
        self.store = store
        self.unreachable_retry = unreachable_retry
        self.athlete = athlete
        self._client_factory = client_factory
        self._client: GarminClient | None = None
        self._now = now

    @property
    def client(self) -> GarminClient:
        """The Garmin client, made on first use (it logs in from the saved tokens lazily)."""
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def today(self) -> date:
        """The athlete's date now (their time zone, else the host's)."""
        return local_date(self._now(), self.athlete.timezone)

    # queueing ----------------------------------------------------------------------------------

    def plan_push(self, workout: Workout | PreparedWorkout) -> PushPlan:
        """Whether pushing ``workout`` would create, update or leave its Garmin workout (store only)."""
        prepared = prepare(workout, self.athlete)
        key, name = prepared.key, prepared.workout.name
        row = self.store.get_workout(self.athlete.name, key)
        if self._on_garmin(row, prepared.content_hash):
            return PushPlan(key, name, "unchanged")
        return PushPlan(key, name, "update" if row and row.remote_id and not row.deleted else "create")

    def enqueue_push(self, workout: Workout | PreparedWorkout, source: Path | None = None, *,
                     force: bool = False) -> str:
        """Queue ``workout`` for Garmin unless it is there unchanged (``force``: even then, so an
        edit made on Garmin Connect is overwritten); returns its key.

        Queued again while a push or delete of it waits (even a held one), it is due at once.

        Raises ``ResolveError`` when it cannot be made concrete for this athlete.
        """
        prepared = prepare(workout, self.athlete)
        resolved, digest = prepared.resolved, prepared.content_hash
        _ = prepared.connect  # fail here, not in the worker
        key = prepared.key
        name = self.athlete.name
        with self.store.transaction():
            if not force and self._on_garmin(self.store.get_workout(name, key), digest):
                return key
            self.store.upsert_workout(name, key, content_hash=digest, payload=resolved.model_dump(mode="json"),
                                      source_path=str(source) if source else None, now=self._now())
            self.store.enqueue(name, "push", key, now=self._now())
        return key

    def enqueue_schedule(self, key: str, day: date) -> bool:
        """Queue putting workout ``key`` on the calendar on ``day``; False when the store has it there.

        Then only a check is queued: the drain looks at the calendar (one read per month) and restores
        the entry when it was removed in Garmin Connect (outcome ``restored``, else ``unchanged``).
        """
        name = self.athlete.name
        with self.store.transaction():
            self._existing(key)
            schedule, _new = self.store.add_schedule(name, key, day, now=self._now())
            if schedule.state == "scheduled" and not self.store.has_waiting(name, key, ("unschedule",), day=day):
                self.store.enqueue(name, "schedule", key, day=day, now=self._now())  # the calendar's check
                return False
            if schedule.state != "pending":
                self.store.set_schedule(schedule.id, "pending", now=self._now())
            self.store.enqueue(name, "schedule", key, day=day, now=self._now())
        return True

    def enqueue_unschedule(self, key: str, day: date) -> bool:
        """Queue removing workout ``key`` from ``day``; False when watchsync already removed it."""
        name = self.athlete.name
        with self.store.transaction():
            self._existing(key)
            schedule = self.store.get_schedule(name, key, day)
            if schedule is None:  # not scheduled by us, but it may be on the calendar
                schedule, _new = self.store.add_schedule(name, key, day, now=self._now())
            elif schedule.state == "removed" and not self.store.has_waiting(name, key, ("schedule",), day=day):
                return False
            self.store.set_schedule(schedule.id, "unscheduling", now=self._now())
            self.store.enqueue(name, "unschedule", key, day=day, now=self._now())
        return True

    def enqueue_delete(self, key: str) -> bool:
        """Queue deleting workout ``key`` (and its calendar entries); False when already deleted."""
        with self.store.transaction():
            if self._existing(key).deleted:
                return False
            self.store.enqueue(self.athlete.name, "delete", key, now=self._now())
        return True

    def _existing(self, key: str) -> WorkoutRow:
        row = self.store.get_workout(self.athlete.name, key)
        if row is None:
            raise SyncError(f"workout {key!r} was never pushed for athlete {self.athlete.name!r}: push it first")
        return row

    def _on_garmin(self, row: WorkoutRow | None, digest: str) -> bool:
        """True when ``row`` is on Garmin with exactly this content and no push or delete of it waits."""
        return (row is not None and not row.deleted and row.remote_id is not None and row.content_hash == digest
                and not self.store.has_waiting(self.athlete.name, row.key, ("push", "delete")))

    # working -----------------------------------------------------------------------------------

    def drain(self, *, limit: int | None = None, progress: Callable[[int, int], None] | None = None,
              stop: threading.Event | None = None) -> DrainResult:
        """Carry out the due outbox items of this athlete, oldest first.

        429/5xx/transport failures are retried later (backoff; an unreachable Garmin at most
        ``unreachable_retry`` later), refusals hold that item only (a 403 included), and only a
        rejected login parks the athlete's whole queue and stops. A rate limit, or a login that did not
        succeed, stops the drain and holds what is queued until that item's retry time (an item queued
        again later is tried at once, and the drain stops again if Garmin still refuses). Any other
        exception of one item (a bug, a stored payload this version cannot read) backs off that item
        only.
        """
        name = self.athlete.name
        with drain_lock(self.store.path, name), self.store.deferred_sync():  # one fsync per drain
            return self._drain(name, limit, progress, stop)

    def _drain(self, name: str, limit: int | None, progress: Callable[[int, int], None] | None,
               stop: threading.Event | None) -> DrainResult:
        result = DrainResult(parked=self.store.parked_reason(name))
        self.store.prune_done(self._now() - KEEP_DONE, athlete=name)
        if result.parked is None:
            now = self._now()
            total = sum(1 for item in self.store.list_outbox(name, states=("pending",)) if item.not_before <= now)
            total = min(total, limit) if limit is not None else total
            runner: OutboxRunner | None = None
            while (limit is None or len(result.outcomes) < limit) and not (stop and stop.is_set()):
                item = self.store.next_due(name, self._now())
                if item is None:
                    break
                try:
                    if runner is None:
                        check_account(self.store, name, self.client.whoami())  # never onto another's account
                        runner = OutboxRunner(self.store, self.client, name, self._now, speeds_for(self.athlete),
                                              self.today)
                    applied = runner.run(item)
                    outcome = Outcome(item.op, item.workout_key, item.date, "done", applied.action, applied.remote_id)
                except GarminError as error:
                    outcome = self._failed(item, error)
                    if outcome.status == "retry" and (isinstance(error, RateLimited | Unreachable)
                                                      or not self.client.logged_in):
                        result.held_until = self._hold_queue(item)
                except Exception as error:  # one broken item must not stop the queue
                    outcome = self._broken(item, error)
                result.outcomes.append(outcome)
                if progress is not None:
                    progress(len(result.outcomes), max(total, len(result.outcomes)))
                if outcome.status == "parked":
                    result.parked = outcome.message
                if result.parked is not None or result.held_until is not None:
                    break
        result.remaining = len(self.store.list_outbox(name))
        return result

    def _failed(self, item: OutboxItem, error: GarminError) -> Outcome:
        """Record a failed attempt: park on auth, hold on refusal, back off otherwise."""
        now = self._now()
        message = str(error)
        if isinstance(error, AuthRequired | SharedAccount):
            message = login_hint_for(message, self.athlete.name)  # the hint names whom to log in
            self.store.park(self.athlete.name, message, now=now)
            status: Status = "parked"
        elif isinstance(error, Rejected | ReadBackMismatch | NotQueued):
            self.store.mark_failed(item.id, message, now=now, not_before=now + HOLD_REFUSED)
            status = "refused"
        else:
            wait = retry_delay(item.attempts + 1)
            if isinstance(error, RateLimited) and error.retry_after is not None:
                wait = max(wait, timedelta(seconds=error.retry_after))
            if isinstance(error, Unreachable):  # no answer at all: look again soon, never ask for a login
                wait = min(wait, self.unreachable_retry)
            self.store.mark_failed(item.id, message, now=now, not_before=now + wait)
            status = "retry"
        return Outcome(item.op, item.workout_key, item.date, status, message=message)

    def _hold_queue(self, item: OutboxItem) -> datetime:
        """Hold the athlete's whole queue until ``item`` is due again (every item would fail alike)."""
        until = self.store.get_item(item.id).not_before
        self.store.hold(self.athlete.name, until)
        return until

    def _broken(self, item: OutboxItem, error: Exception) -> Outcome:
        """Record a failure that is no Garmin answer on ``item`` (attempt counted, backoff)."""
        text = " ".join(str(error).split())
        message = f"internal error: {type(error).__name__}{_origin(error)}: {text}"
        if len(message) > INTERNAL_MESSAGE_CHARS:
            message = message[:INTERNAL_MESSAGE_CHARS - 1] + "…"
        self.store.mark_failed(item.id, message, now=self._now())
        return Outcome(item.op, item.workout_key, item.date, "retry", message=message)

    def reconcile(self) -> ReconcileResult:
        """Compare the store with Garmin (``watchsync sync``); a rejected login parks the queue.

        Holds the athlete's :func:`drain_lock`: a drain elsewhere (the daemon) must not work the
        outbox items this repairs.
        """
        with drain_lock(self.store.path, self.athlete.name):
            try:
                return reconcile(self.store, self.client, self.athlete.name, self._now, self.today)
            except AuthRequired as error:
                self.store.park(self.athlete.name, login_hint_for(str(error), self.athlete.name),
                                now=self._now())
                raise


@contextmanager
def drain_lock(store_path: Path, athlete: str) -> Iterator[None]:
    """One drain per athlete at a time across processes (the daemon and a CLI ``push``).

    An advisory ``flock`` on a file beside the store: two processes working the same outbox item
    could otherwise both create the workout. The lock dies with its process, so a crash never
    leaves it held.
    """
    lock_path = store_path.with_name(f"{store_path.name}.{workout_key_slug(athlete)}.drain.lock")
    with os.fdopen(os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _origin(error: BaseException) -> str:
    """`` at module.py:line`` of the innermost watchsync frame that raised ``error``."""
    ours = [frame for frame in traceback.extract_tb(error.__traceback__)
            if Path(frame.filename).resolve().is_relative_to(_PACKAGE)]
    return f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""


def workout_key_slug(text: str) -> str:
    """A file-name-safe form of ``text``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text) or "athlete"
