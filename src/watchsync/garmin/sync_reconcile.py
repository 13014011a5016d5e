"""``watchsync sync``: compare the store with Garmin's workout list and calendar, and repair.

* a workout without a remote id whose marked twin is on Garmin (a crash between create and record)
  is adopted; its push is done when the marker carries the current content hash;
* a workout deleted on Garmin is queued to be created again, with its calendar entries from today on;
* a schedule found on the calendar but not recorded is recorded; one missing from today on is queued
  again (past days are left as they are);
* workouts edited on Garmin, duplicates and marked workouts the store does not know are reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from watchsync.garmin.client import GarminClient
from watchsync.garmin.readback import garmin_name
from watchsync.garmin.sync_ops import calendar_entries, edited_on_garmin, index_marked, others_workout_ids
from watchsync.store import Op, OutboxItem, ScheduleRow, Store, WorkoutRow

#: Calendar entries older than this are not checked (past sessions do not need repairing).
CALENDAR_LOOKBACK = timedelta(days=31)


@dataclass
class ReconcileResult:
    """What ``reconcile`` found and did, by workout key (schedules as ``key@date``)."""

    adopted: list[str] = field(default_factory=list)
    recreated: list[str] = field(default_factory=list)
    schedules_recorded: list[str] = field(default_factory=list)
    schedules_requeued: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)


def reconcile(store: Store, client: GarminClient, athlete: str, now: Callable[[], datetime],
              today: Callable[[], date] | None = None) -> ReconcileResult:
    """Bring the store and Garmin Connect back in agreement (see the module docstring); ``today``: the
    athlete's local date (default: ``now``'s)."""
    return _Reconciler(store, client, athlete, now, today).run()


class _Reconciler:
    def __init__(self, store: Store, client: GarminClient, athlete: str, now: Callable[[], datetime],
                 today: Callable[[], date] | None) -> None:
        self._store = store
        self._local_today = today
        self._client = client
        self._athlete = athlete
        self._now = now
        self._result = ReconcileResult()
        self._waiting = store.list_outbox(athlete, states=("pending", "parked"))

    def run(self) -> ReconcileResult:
        remote = list(self._client.iter_workouts())
        by_id = {int(summary["workoutId"]): summary for summary in remote}
        theirs = others_workout_ids(self._store, self._athlete)  # a shared account's other athletes' workouts
        marked = index_marked(summary for summary in remote if int(summary["workoutId"]) not in theirs)
        rows = self._store.list_workouts(self._athlete)
        for row in rows:
            if row.remote_id is None:
                self._adopt(row, marked.get(garmin_name(str(row.payload["name"])), []))
            elif row.remote_id not in by_id:
                self._recreate(row)
            elif edited_on_garmin(self._store, self._athlete, row, by_id[row.remote_id]) \
                    and self._waiting_item("push", row.key) is None:
                self._result.drift.append(f"{row.key}: changed on Garmin Connect since watchsync pushed it "
                                          f"(Garmin id {row.remote_id}; not overwritten: "
                                          "`watchsync push --force` does)")
        self._report_strays(marked, rows)
        self._check_calendar()
        return self._result

    def _adopt(self, row: WorkoutRow, candidates: list[tuple[int, str]]) -> None:
        if not candidates:
            return
        remote_id, marker = next(((i, m) for i, m in candidates if m == row.content_hash), candidates[0])
        push = self._waiting_item("push", row.key)
        with self._store.transaction():
            self._store.set_remote_id(self._athlete, row.key, remote_id)
            if push is not None and marker == row.content_hash:
                self._store.mark_done(push.id, now=self._now())
            elif push is None and marker != row.content_hash:
                self._store.enqueue(self._athlete, "push", row.key, now=self._now())
        self._result.adopted.append(row.key)

    def _recreate(self, row: WorkoutRow) -> None:
        with self._store.transaction():
            self._store.set_remote_id(self._athlete, row.key, None)
            if self._waiting_item("push", row.key) is None:
                self._store.enqueue(self._athlete, "push", row.key, now=self._now())
            for schedule in self._store.list_schedules(self._athlete, states=("scheduled",), start=self._today()):
                if schedule.workout_key == row.key:
                    self._requeue(schedule)
        self._result.recreated.append(row.key)

    def _requeue(self, schedule: ScheduleRow) -> None:
        self._store.set_schedule(schedule.id, "pending", now=self._now())
        self._store.enqueue(self._athlete, "schedule", schedule.workout_key, day=schedule.date, now=self._now())
        self._result.schedules_requeued.append(f"{schedule.workout_key}@{schedule.date}")

    def _report_strays(self, marked: dict[str, list[tuple[int, str]]], rows: list[WorkoutRow]) -> None:
        known = {row.remote_id for row in self._store.list_workouts(self._athlete)}
        names = {garmin_name(str(row.payload["name"])) for row in rows}
        for name, entries in sorted(marked.items()):
            strays = [workout_id for workout_id, _marker in entries if workout_id not in known]
            if strays and name in names:
                self._result.drift.append(f"{name!r}: duplicate on Garmin Connect (ids {strays})")
            elif strays:
                self._result.drift.append(f"{name!r}: made by watchsync but unknown here (ids {strays})")

    def _check_calendar(self) -> None:
        start = self._today() - CALENDAR_LOOKBACK
        schedules = self._store.list_schedules(self._athlete, states=("pending", "scheduled"), start=start)
        workouts = {row.key: row.remote_id for row in self._store.list_workouts(self._athlete)
                    if row.remote_id is not None}
        schedules = [s for s in schedules if s.workout_key in workouts]
        if not schedules:
            return
        items = self._client.calendar_items(schedules[0].date, schedules[-1].date)
        for schedule in schedules:
            entries = calendar_entries(items, workouts[schedule.workout_key], schedule.date)
            if schedule.remote_schedule_id in entries:
                continue
            if entries:
                self._record(schedule, entries[0])
            elif schedule.state == "scheduled" and schedule.date >= self._today():
                with self._store.transaction():
                    self._requeue(schedule)

    def _record(self, schedule: ScheduleRow, schedule_id: int) -> None:
        waiting = self._waiting_item("schedule", schedule.workout_key, schedule.date)
        with self._store.transaction():
            self._store.set_schedule(schedule.id, "scheduled", remote_schedule_id=schedule_id, now=self._now())
            if waiting is not None:
                self._store.mark_done(waiting.id, now=self._now())
        self._result.schedules_recorded.append(f"{schedule.workout_key}@{schedule.date}")

    def _today(self) -> date:
        """The athlete's today (their time zone: west of UTC the UTC date is tomorrow; probe server13)."""
        return self._local_today() if self._local_today is not None else self._now().date()

    def _waiting_item(self, op: Op, key: str, day: date | None = None) -> OutboxItem | None:
        return next((item for item in self._waiting
                     if item.op == op and item.workout_key == key and item.date == day), None)
