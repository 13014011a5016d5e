"""Carry out one outbox operation against Garmin Connect, recording remote ids before it is done.

Every operation is safe to repeat after a crash or an unanswered request: a workout without a
remote id is first looked for among the remote workouts carrying our ``[ws:<hash>]`` marker (the
same hash under any name, else the same name as Garmin stores it) and adopted instead of created; a
date is looked up on the calendar before a schedule entry is created; deleting or unscheduling
something already gone counts as done. The marker is the first thing in the description, so
Garmin's cut of a long description never takes it away.

Every write is read back and compared on what the watch executes (:mod:`watchsync.garmin.readback`):
a cosmetic difference is logged, a semantic one refuses the push with a one-line diff.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from watchsync.formats.connect_json import find_marker, workout_to_connect
from watchsync.garmin.calendar_cache import CalendarCache
from watchsync.garmin.client import GarminClient, item_id
from watchsync.garmin.errors import GarminError, NotFound, Transient
from watchsync.garmin.readback import ReadBack, compare_executed, garmin_name
from watchsync.model.workout import Workout
from watchsync.rules import SpeedLike
from watchsync.store import OutboxItem, ScheduleRow, Store, WorkoutRow

#: Store kv key (plus the workout key) of the ``updatedDate`` Garmin gave the workout as watchsync last
#: pushed or adopted it: a later ``updateDate`` in Garmin's list is an edit made there.
UPDATED_KEY_PREFIX = "garmin.updated:"


def edited_on_garmin(store: Store, athlete: str, row: WorkoutRow, summary: dict[str, Any]) -> bool:
    """Whether the listed workout ``summary`` changed on Garmin Connect since watchsync pushed ``row``: its
    marker line is not the content's, or Garmin's update time moved on (an edit in the step editor keeps
    the description; probe docs11)."""
    if find_marker(summary.get("description")) != row.content_hash:
        return True
    pushed, listed = store.kv_get(athlete, UPDATED_KEY_PREFIX + row.key), summary.get("updateDate")
    if not isinstance(pushed, str) or not isinstance(listed, str):
        return False
    return _garmin_instant(listed) > _garmin_instant(pushed)


def _garmin_instant(text: str) -> str:
    """Garmin's ``2024-05-01T07:30:00.0`` to the second, comparable as text (``T`` or a space between)."""
    return text.replace(" ", "T")[:19]


def local_date(moment: datetime, timezone: str | None) -> date:
    """The date of ``moment`` in the athlete's ``timezone`` (the host's when none is set)."""
    return (moment.astimezone(ZoneInfo(timezone)) if timezone else moment.astimezone()).date()


log = logging.getLogger(__name__)


class ReadBackMismatch(GarminError):
    """Garmin stored something other than what was sent; the message names the step."""


class NotQueued(GarminError):
    """The store has no row for what an outbox item refers to."""


@dataclass(frozen=True)
class Applied:
    """What one operation did: created, updated, adopted, unchanged, scheduled, unscheduled, deleted."""

    action: str
    remote_id: int | None = None


def connect_payload(row: WorkoutRow, speeds: SpeedLike | None = None) -> dict[str, Any]:
    """The Garmin JSON of a stored (resolved) workout, marked with its content hash (marker first);
    ``speeds``: the athlete's planning speeds, for the estimated duration."""
    return marker_first(workout_to_connect(Workout.model_validate(row.payload), marker=row.content_hash,
                                           speeds=speeds))


def marker_first(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its ``[ws:<hash>]`` marker moved to the start of the description.

    Garmin cuts a long description at its end; a marker at the start survives, and adoption after
    an unanswered create finds the workout instead of creating a duplicate.
    """
    description = payload.get("description") or ""
    marker = find_marker(description)
    if marker is None:
        return payload
    token = f"[ws:{marker}]"
    lines = [line.replace(f"{token} ", "", 1).replace(token, "", 1) for line in description.split("\n")]
    rest = "\n".join(line for line in lines if line.strip())
    return {**payload, "description": f"{token}\n{rest}" if rest else token}


def calendar_entries(items: list[dict[str, Any]], workout_id: int, day: date) -> list[int]:
    """Schedule ids of ``workout_id`` on ``day`` among calendar items."""
    return [number for item in items if item.get("itemType") == "workout"
            and item.get("workoutId") == workout_id and item.get("date") == day.isoformat()
            and (number := item_id(item)) is not None]


class RemoteIndex:
    """Remote workouts that carry a watchsync marker, by name (listed once, on first use); ``foreign`` gives the
    ids another athlete of the store holds (a shared Garmin account), which are never ours."""

    def __init__(self, client: GarminClient, foreign: Callable[[], set[int]] | None = None) -> None:
        self._client = client
        self._foreign = foreign
        self._by_name: dict[str, list[tuple[int, str]]] | None = None

    def find(self, name: str, content_hash: str) -> tuple[int, bool] | None:
        """``(workout id, same content)`` of our workout: the same hash under the same name first,
        then under any name (Garmin may have cut or someone renamed it), then the same name."""
        if self._by_name is None:
            theirs = self._foreign() if self._foreign is not None else set()
            self._by_name = {name: kept for name, entries in index_marked(self._client.iter_workouts()).items()
                             if (kept := [entry for entry in entries if entry[0] not in theirs])}
        candidates = self._by_name.get(garmin_name(name), [])
        for workout_id, marker in candidates:
            if marker == content_hash:
                return workout_id, True
        for entries in self._by_name.values():
            for workout_id, marker in entries:
                if marker == content_hash:
                    return workout_id, True
        return (candidates[0][0], False) if candidates else None

    def forget(self) -> None:
        """Drop the listing (after a create that may have happened without an answer)."""
        self._by_name = None


def others_workout_ids(store: Store, athlete: str) -> set[int]:
    """Garmin ids the store holds for the other athletes: on a shared account a same-named workout of another
    athlete is theirs, never adopted (it was, and each push overwrote the other's zones; probe server13)."""
    return {row.remote_id for row in store.list_workouts(include_deleted=True)
            if row.athlete != athlete and row.remote_id is not None}


def index_marked(workouts: Any) -> dict[str, list[tuple[int, str]]]:
    """``name -> [(id, marker hash)]`` of the workouts whose description holds a marker, ids ascending."""
    found: dict[str, list[tuple[int, str]]] = {}
    for summary in workouts:
        marker = find_marker(summary.get("description"))
        if marker is not None:
            found.setdefault(garmin_name(str(summary.get("workoutName"))), []).append(
                (int(summary["workoutId"]), marker))
    return {name: sorted(entries) for name, entries in found.items()}


class OutboxRunner:
    """Runs outbox items of one athlete with one client; raises :class:`GarminError` on failure."""

    def __init__(self, store: Store, client: GarminClient, athlete: str, now: Callable[[], datetime],
                 speeds: SpeedLike | None = None, today: Callable[[], date] | None = None) -> None:
        self._store = store
        self._today = today or (lambda: now().date())  # the athlete's local date
        self._speeds = speeds
        self._client = client
        self._athlete = athlete
        self._now = now
        self._remote = RemoteIndex(client, lambda: others_workout_ids(store, athlete))
        self._updated: dict[str, str] = {}  # Garmin's updatedDate of each workout read back, until recorded
        self._calendar = CalendarCache(client)  # each month read once per drain

    def run(self, item: OutboxItem) -> Applied:
        """Carry out ``item`` and mark it done (in the same transaction as the ids it learnt)."""
        operations = {"push": self._push, "schedule": self._schedule, "unschedule": self._unschedule,
                      "delete": self._delete}
        return operations[item.op](item)

    # workouts ----------------------------------------------------------------------------------

    def _push(self, item: OutboxItem) -> Applied:
        row = self._workout(item.workout_key)
        if row.deleted:
            return self._finish(item, Applied("skipped (deleted)"))
        payload = connect_payload(row, self._speeds)
        remote_id = row.remote_id
        if remote_id is not None:
            try:
                self._client.update_workout(remote_id, payload)
            except NotFound:
                remote_id = None  # deleted on Garmin: create it again, its calendar entries with it
                self._deleted_on_garmin(row)
            else:
                self._verify(row, remote_id, payload, "update")
                return self._finish(item, Applied("updated", remote_id))
        remote_id, action = self._create_or_adopt(row, payload)
        return self._finish(item, Applied(action, remote_id))

    def _create_or_adopt(self, row: WorkoutRow, payload: dict[str, Any]) -> tuple[int, str]:
        """Give ``row`` a verified remote workout: adopt a marked one of the same name, else create."""
        found = self._remote.find(str(row.payload["name"]), row.content_hash)
        if found is not None:
            remote_id, same = found
            self._store.set_remote_id(self._athlete, row.key, remote_id)
            if same and not self._read_back(row, remote_id, payload).semantic:
                return remote_id, "adopted"
            self._client.update_workout(remote_id, payload)
            self._verify(row, remote_id, payload, "update of an adopted workout")
            return remote_id, "adopted"
        try:
            created = self._client.create_workout(payload)
        except Transient as error:
            if error.ambiguous:
                self._remote.forget()
            raise
        remote_id = int(created["workoutId"])
        self._store.set_remote_id(self._athlete, row.key, remote_id)
        self._verify(row, remote_id, payload, "create", stored=created)
        return remote_id, "created"

    def _read_back(self, row: WorkoutRow, remote_id: int, payload: dict[str, Any],
                   stored: dict[str, Any] | None = None) -> ReadBack:
        """What the watch would execute differently from ``payload`` (cosmetic differences logged); a
        create's answer (Garmin's stored copy, steps included) is compared as it is, without a GET."""
        if stored is None or not stored.get("workoutSegments"):
            stored = self._client.get_workout(remote_id)
        updated = stored.get("updatedDate") or stored.get("updateDate")
        if isinstance(updated, str):  # Garmin's own time of the copy (an edit there moves the list's): kept
            self._updated[row.key] = updated  # with the push's outcome, in its transaction
        found = compare_executed(payload, stored)
        for note in found.cosmetic:
            # debug: Garmin normalises every named repeat so (a keeper learnt to ignore the word, probe journey10)
            log.debug("%s: %s (Garmin id %d): cosmetic difference kept: %s", self._athlete, row.key, remote_id, note)
        return found

    def _verify(self, row: WorkoutRow, remote_id: int, payload: dict[str, Any], step: str,
                stored: dict[str, Any] | None = None) -> None:
        found = self._read_back(row, remote_id, payload, stored)
        if found.semantic:
            raise ReadBackMismatch(f"workout {row.key!r} (Garmin id {remote_id}): read-back after {step} "
                                   f"differs in what the watch executes: {found.summary()}")

    def _delete(self, item: OutboxItem) -> Applied:
        row = self._workout(item.workout_key)
        remote_id = row.remote_id
        if remote_id is None and not row.deleted:
            found = self._remote.find(str(row.payload["name"]), row.content_hash)
            remote_id = found[0] if found else None
        if remote_id is not None:
            with contextlib.suppress(NotFound):  # already gone
                self._client.delete_workout(remote_id)
        with self._store.transaction():
            for schedule in self._schedules_of(row.key):
                self._store.set_schedule(schedule.id, "removed", now=self._now())
            self._store.set_remote_id(self._athlete, row.key, None)
            if self._store.mark_done(item.id, now=self._now()):  # else pushed again meanwhile
                self._store.mark_deleted(self._athlete, row.key, now=self._now())
        return Applied("deleted", remote_id)

    # calendar ----------------------------------------------------------------------------------

    def _schedule(self, item: OutboxItem) -> Applied:
        day, schedule = self._schedule_row(item)
        row = self._workout(item.workout_key)
        if row.deleted:
            return self._finish(item, Applied("skipped (deleted)"))
        restoring = schedule.state == "scheduled" and schedule.remote_schedule_id is not None
        # recorded: on the calendar unless removed in Connect (probe server13), so the calendar is looked at
        if restoring and row.remote_id is not None \
                and schedule.remote_schedule_id in calendar_entries(self._calendar.items_on(day), row.remote_id, day):
            return self._finish(item, Applied("unchanged", schedule.remote_schedule_id))
        if restoring and schedule.remote_schedule_id is not None \
                and (moved := self._calendar.moved_to(schedule.remote_schedule_id, day)) is not None:
            # the athlete moved it in Connect: their choice stands, never a second entry (probe review19)
            return self._finish(item, Applied(f"moved in Garmin Connect to {moved}", schedule.remote_schedule_id))
        if row.remote_id is None:
            workout_id, _action = self._create_or_adopt(row, connect_payload(row, self._speeds))
            existing: list[int] = []
        else:
            workout_id = row.remote_id
            existing = calendar_entries(self._calendar.items_on(day), workout_id, day)
        if existing:
            schedule_id, action = existing[0], "schedule adopted"
        else:
            schedule_id, action = self._new_entry(row, workout_id, day), "restored" if restoring else "scheduled"
        with self._store.transaction():
            self._keep_updated(item.workout_key)
            current = self._store.mark_done(item.id, now=self._now())
            state = "scheduled" if current else self._schedule_row(item)[1].state  # else queued again meanwhile
            self._store.set_schedule(schedule.id, state, remote_schedule_id=schedule_id, now=self._now())
        return Applied(action, schedule_id)

    def _new_entry(self, row: WorkoutRow, workout_id: int, day: date) -> int:
        with self._calendar.writing(day):
            try:
                schedule_id = self._client.schedule_workout(workout_id, day)
            except NotFound:  # the workout was deleted on Garmin: create it again, then schedule
                self._deleted_on_garmin(row, day)
                workout_id, _action = self._create_or_adopt(row, connect_payload(row, self._speeds))
                schedule_id = self._client.schedule_workout(workout_id, day)
        self._calendar.added(schedule_id, workout_id, day)
        return schedule_id

    def _deleted_on_garmin(self, row: WorkoutRow, day: date | None = None) -> None:
        """``row``'s workout is gone from Garmin (deleted in Connect, its entries with it): forget its id and,
        before it is created again, queue a check of its other recorded entries from the athlete's today on
        (each is restored, outcome ``restored``, as ``watchsync sync`` does; past days stay as they are;
        probe server13)."""
        with self._store.transaction():
            self._store.set_remote_id(self._athlete, row.key, None)
            for schedule in self._store.list_schedules(self._athlete, states=("scheduled",), start=self._today()):
                if schedule.workout_key == row.key and schedule.date != day:
                    self._store.enqueue(self._athlete, "schedule", row.key, day=schedule.date, now=self._now())

    def _unschedule(self, item: OutboxItem) -> Applied:
        day, schedule = self._schedule_row(item)
        row = self._workout(item.workout_key)
        if schedule.remote_schedule_id is not None:
            targets = [schedule.remote_schedule_id]
        elif row.remote_id is not None:
            targets = calendar_entries(self._calendar.items_on(day), row.remote_id, day)
        else:
            targets = []
        for schedule_id in targets:
            with self._calendar.writing(day), contextlib.suppress(NotFound):  # already removed
                self._client.unschedule(schedule_id)
            self._calendar.removed(schedule_id, day)
        with self._store.transaction():
            if self._store.mark_done(item.id, now=self._now()):  # else scheduled again meanwhile
                self._store.set_schedule(schedule.id, "removed", now=self._now())
        return Applied("unscheduled" if targets else "not on the calendar", targets[0] if targets else None)

    # store -------------------------------------------------------------------------------------

    def _finish(self, item: OutboxItem, applied: Applied) -> Applied:
        """Record the remote id (pushes) and Garmin's update time, and mark the item done, together (a push
        queued again meanwhile stays due: its newer content is still to be sent)."""
        with self._store.transaction():
            if item.op == "push" and applied.remote_id is not None:
                self._store.set_remote_id(self._athlete, item.workout_key, applied.remote_id)
            self._keep_updated(item.workout_key)
            self._store.mark_done(item.id, now=self._now())
        return applied

    def _keep_updated(self, key: str) -> None:
        """Record Garmin's update time of the workout this op wrote (a push, or a schedule that created it
        again): a later one in the list is an edit made in Connect, an earlier write's is not (probe server13)."""
        updated = self._updated.pop(key, None)
        if updated is not None:
            self._store.kv_set(self._athlete, UPDATED_KEY_PREFIX + key, updated)

    def _workout(self, key: str) -> WorkoutRow:
        row = self._store.get_workout(self._athlete, key)
        if row is None:
            raise NotQueued(f"no workout {key!r} in the store for athlete {self._athlete!r}")
        return row

    def _schedule_row(self, item: OutboxItem) -> tuple[date, ScheduleRow]:
        if item.date is None:
            raise NotQueued(f"outbox item {item.id} ({item.op} {item.workout_key!r}) has no date")
        schedule = self._store.get_schedule(self._athlete, item.workout_key, item.date)
        if schedule is None:
            raise NotQueued(f"no schedule of {item.workout_key!r} on {item.date} in the store")
        return item.date, schedule

    def _schedules_of(self, key: str) -> list[ScheduleRow]:
        return [schedule for schedule in self._store.list_schedules(self._athlete)
                if schedule.workout_key == key and schedule.state != "removed"]
