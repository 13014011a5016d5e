"""One athlete's Garmin Connect as a library object: push, schedule, unschedule, delete and sync.

:class:`GarminSession` hides the outbox: every call queues its intent in the store, then sends what
waits, so it is idempotent and crash-safe exactly as ``watchsync push`` and the daemon are (they use
the same objects). :func:`client_for` is the one place that turns the configuration into a
:class:`~watchsync.garmin.client.GarminClient`.

>>> with GarminSession.open(config, "anna") as garmin:   # doctest: +SKIP
...     garmin.push(workout)
...     garmin.schedule(workout, date(2030, 3, 4))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from watchsync.config import Config, ConfigError
from watchsync.garmin.client import GarminClient
from watchsync.garmin.errors import GarminError
from watchsync.garmin.sync import DrainResult, SyncService
from watchsync.garmin.sync_reconcile import ReconcileResult
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.plan.model import Plan
from watchsync.prepare import PreparedWorkout, prepare, workout_key
from watchsync.services.plan_apply import ApplyResult, apply_plan
from watchsync.store import Store

Progress = Callable[[int, int], None]


def client_for(config: Config, athlete: str, *, sleep: Callable[[float], None] | None = None) -> GarminClient:
    """The Garmin client of ``athlete`` as ``config`` says (token directory, endpoint, retries).

    ``ConfigError`` when the endpoint is not allowed (only loopback addresses may replace Garmin's).
    """
    garmin = config.garmin
    try:
        if sleep is None:
            return GarminClient(config.token_dir(athlete), garmin.endpoint, max_retries=garmin.max_retries)
        return GarminClient(config.token_dir(athlete), garmin.endpoint, max_retries=garmin.max_retries, sleep=sleep)
    except ValueError as error:
        raise ConfigError(f"{config.source}: {error}") from None


class GarminSession:
    """Push, schedule, unschedule, delete and sync one athlete's workouts (see the module docstring).

    Every method returns the :class:`~watchsync.garmin.sync.DrainResult` of sending what waits; a
    rejected login parks the queue (``result.parked``) and keeps all work for the next call.
    """

    def __init__(self, store: Store, client: GarminClient | Callable[[], GarminClient], athlete: Athlete,
                 *, own_store: bool = False) -> None:
        factory: Callable[[], GarminClient] = (lambda: client) if isinstance(client, GarminClient) else client
        self.athlete = athlete
        self.store = store
        self.service = SyncService(store, factory, athlete)
        self._own_store = own_store

    @classmethod
    def open(cls, config: Config, athlete: str | Athlete | None = None) -> GarminSession:
        """The session of ``athlete`` (its name or profile; default: the config's first) over the
        config's state store."""
        profile = config.athlete(athlete.name if isinstance(athlete, Athlete) else athlete)
        client = client_for(config, profile.name)
        return cls(Store.open(config.store_path), client, profile, own_store=True)

    # the calls -------------------------------------------------------------------------------------

    def push(self, *workouts: Workout | PreparedWorkout, progress: Progress | None = None,
             source: Path | None = None) -> DrainResult:
        """Create or update each workout at Garmin (unchanged content costs no call)."""
        with self.store.transaction():
            for workout in workouts:
                self.service.enqueue_push(prepare(workout, self.athlete), source)
        return self.send(progress)

    def schedule(self, workout: Workout | PreparedWorkout, day: date, *,
                 progress: Progress | None = None) -> DrainResult:
        """Push ``workout`` if needed and put it on the calendar on ``day`` (never twice; a ``datetime``
        counts by its date)."""
        day = day.date() if isinstance(day, datetime) else day
        prepared = prepare(workout, self.athlete)
        with self.store.transaction():
            self.service.enqueue_push(prepared)
            self.service.enqueue_schedule(prepared.key, day)
        return self.send(progress)

    def unschedule(self, workout: Workout | PreparedWorkout | str, day: date, *,
                   progress: Progress | None = None) -> DrainResult:
        """Take ``workout`` (or its key) off the calendar on ``day`` (a ``datetime`` counts by its date)."""
        day = day.date() if isinstance(day, datetime) else day
        self.service.enqueue_unschedule(self._key(workout), day)
        return self.send(progress)

    def delete(self, workout: Workout | PreparedWorkout | str, *, progress: Progress | None = None) -> DrainResult:
        """Delete ``workout`` (or its key) and its calendar entries at Garmin."""
        self.service.enqueue_delete(self._key(workout))
        return self.send(progress)

    def sync(self, *, progress: Progress | None = None) -> tuple[ReconcileResult, DrainResult]:
        """Reconcile the store with Garmin's workouts and calendar (after a crash), then send what waits."""
        found = self.service.reconcile()
        return found, self.send(progress)

    def apply_plan(self, plan: Plan, start: date | None = None, *, dry_run: bool = False,
                   progress: Progress | None = None, force: bool = False) -> ApplyResult:
        """Push and schedule ``plan``; re-applying an edited plan changes only what changed; a plan
        with lint errors is refused (``PlanRefused``) unless ``force``."""
        return apply_plan(plan, self.service, start, dry_run=dry_run, progress=progress, force=force)

    def send(self, progress: Progress | None = None) -> DrainResult:
        """Carry out what waits in the outbox for this athlete. A queue parked for a login is resumed
        first when the saved tokens now log in (``watchsync login`` in another process, say)."""
        if self.store.parked_reason(self.athlete.name) is not None:
            self._resume()
        return self.service.drain(progress=progress)

    def _resume(self) -> None:
        try:
            self.service.client.login_from_tokens()
        except GarminError:
            return  # still parked: the result says why
        self.store.unpark(self.athlete.name)

    # lifetime --------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the store when this session opened it."""
        if self._own_store:
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @staticmethod
    def _key(workout: Workout | PreparedWorkout | str) -> str:
        if isinstance(workout, str):
            return workout
        return workout.key if isinstance(workout, PreparedWorkout) else workout_key(workout)

