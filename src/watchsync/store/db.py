"""SQLite state store: workouts and their remote ids, schedules, the outbox, activities, compliance, kv.

One file in the state directory, opened by the daemon and by CLI commands at the same time: WAL
journal, ``busy_timeout``, foreign keys on, ``synchronous=FULL`` (a lost commit could lose a remote
id). Inside :meth:`Store.deferred_sync` (a drain) the thread's commits skip their own fsync and one
sync at the end makes them durable together; a process crash loses none of them, a power cut may
lose the last ones, which the drain's recovery redoes idempotently (adopt by marker, calendar check
before scheduling). Every write runs in a transaction (``BEGIN IMMEDIATE``; nested ones are savepoints), so a
crash or an exception half-way leaves nothing behind. The schema version is ``PRAGMA
user_version``; :data:`MIGRATIONS` are applied in order, each in its own transaction.

Tables (``athlete`` is the config name; ``''`` means global in ``kv``):

* ``workouts`` — one row per (athlete, key); ``key`` is the stable identity (source path relative
  to the inbox/library, or the workout name), ``payload`` the resolved workout JSON,
  ``content_hash`` decides create/update, ``remote_id`` is Garmin's workout id; deleted rows stay.
* ``schedules`` — (athlete, workout key, date) with Garmin's schedule id and a state
  (pending → scheduled → unscheduling → removed).
* ``outbox`` — operations for the sync worker (push / schedule / unschedule / delete) with
  attempts, ``not_before`` (backoff) and state pending / done / parked (re-auth needed).
* ``activities`` — idempotent by Garmin's ``activity_id``; ``compliance`` — one row per session.
* ``kv`` — JSON values: sync cursors, auth state, heartbeat, daemon pid, last error.

Times are stored as UTC ISO-8601 text with microseconds, so they sort as text.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Self, get_args

from watchsync.store.faults import StoreError, StoreFault, as_fault
from watchsync.store.rows import (
    ActivityRow,
    ComplianceRow,
    Op,
    OutboxItem,
    OutboxState,
    ScheduleRow,
    ScheduleState,
    WorkoutRow,
    activity_row,
    compliance_row,
    outbox_item,
    schedule_row,
    workout_row,
)
from watchsync.store.schema import MIGRATIONS, migrate

BUSY_TIMEOUT_MS = 10_000
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
PARKED_KEY = "parked"
_RANDOM = random.Random()
#: Which waiting operations a newly queued one supersedes (for the same workout and date).
_OVERRIDES: dict[Op, tuple[Op, ...]] = {"push": ("push", "delete"), "delete": ("push", "delete"),
                                        "schedule": ("schedule", "unschedule"),
                                        "unschedule": ("schedule", "unschedule")}
#: Pending items of an athlete (or all) that wait for no push or delete of their workout.
_READY = ("o.state = 'pending' AND (? IS NULL OR o.athlete = ?) AND (o.op IN ('push', 'delete')"
          " OR NOT EXISTS (SELECT 1 FROM outbox AS w WHERE w.athlete = o.athlete"
          " AND w.workout_key = o.workout_key AND w.op IN ('push', 'delete') AND w.state != 'done'))")


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff from 30 s, capped at 1 h, with ±20 % jitter."""
    base = min(RETRY_BASE * (1 << min(max(0, attempts - 1), 16)), RETRY_CAP)
    return base * (rng or _RANDOM).uniform(0.8, 1.2)


class Store:
    """The state database; safe to share between threads and to open from several processes."""

    def __init__(self, path: Path | str) -> None:
        path = Path(path)
        self.path = path
        try:
            make_new_dir_private(path.parent)
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                       check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise _open_error(error, path) from None
        try:
            for pragma in (f"busy_timeout = {BUSY_TIMEOUT_MS}", "journal_mode = WAL", "synchronous = FULL",
                           "foreign_keys = ON"):
                self._db.execute(f"PRAGMA {pragma}")
            version = migrate(self._db)
        except sqlite3.Error as error:
            self._db.close()
            raise _open_error(error, path) from None
        if version > len(MIGRATIONS):
            self._db.close()
            raise StoreError(f"{path}: schema version {version} is newer than this watchsync knows "
                             f"({len(MIGRATIONS)}); upgrade watchsync")
        make_private_files(path)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        self._deferring = 0  # deferred_sync blocks open on this connection, all threads
        self._local = threading.local()  # this thread's deferred_sync depth

    @classmethod
    def open(cls, path: Path | str, *, check: bool = False) -> Store:
        """Open (creating and migrating if needed) the store at ``path``.

        With ``check``, a damaged database is refused (:class:`StoreFault` of kind ``corrupt``) after
        SQLite's quick check instead of failing later, write by write.
        """
        store = cls(path)
        if check:
            problems = store.check()
            if problems:
                store.close()
                raise StoreFault("corrupt", f"{path}: the state database is damaged ({problems[0]}); "
                                            f"stop the daemon and run `watchsync store recover` (see docs/systemd.md)")
        return store

    def check(self, *, full: bool = False) -> list[str]:
        """SQLite's quick (or full) integrity check: the problems found, ``[]`` when the file is sound."""
        try:
            with self._lock:
                rows = self._db.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as error:
            return [str(error)]
        problems = [str(row[0]) for row in rows]
        return [] if problems == ["ok"] else problems

    def backup(self, target: Path) -> Path:
        """A consistent copy of the database at ``target`` (``VACUUM INTO``, then a rename; private)."""
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.unlink(missing_ok=True)
        try:
            make_new_dir_private(target.parent)
            with self._lock:
                self._db.execute("VACUUM INTO ?", (str(temporary),))
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except (OSError, sqlite3.Error) as error:
            temporary.unlink(missing_ok=True)
            raise as_fault(error, target) or error from None
        return target

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all; nested blocks are savepoints."""
        with self._lock:
            outer = self._depth == 0
            self._db.execute("BEGIN IMMEDIATE" if outer else f"SAVEPOINT s{self._depth}")
            self._depth += 1
            try:
                yield
            except BaseException as error:
                self._depth -= 1
                self._roll_back(outer)
                fault = as_fault(error, self.path) if isinstance(error, sqlite3.Error) else None
                if fault is not None:
                    raise fault from error
                raise
            self._depth -= 1
            if not outer:
                self._db.execute(f"RELEASE s{self._depth}")
                return
            try:
                self._db.execute("COMMIT")  # deferred foreign keys are checked here
            except sqlite3.Error as error:
                self._roll_back(True)
                raise as_fault(error, self.path) or error from error
            if self._deferring and not getattr(self._local, "depth", 0):
                self._sync_wal()  # another thread defers: this one's commit is still synced at once

    def _roll_back(self, outer: bool) -> None:
        """Undo the failed block; SQLite may have rolled the whole transaction back already (disk full)."""
        if not self._db.in_transaction:
            return
        try:
            if outer:
                self._db.execute("ROLLBACK")
            else:
                self._db.execute(f"ROLLBACK TO s{self._depth}")
                self._db.execute(f"RELEASE s{self._depth}")
        except sqlite3.Error:
            if outer and self._db.in_transaction:
                raise

    @contextmanager
    def deferred_sync(self) -> Iterator[None]:
        """Commits of this thread inside skip their fsync; leaving syncs them all at once.

        For batches of small transactions (a drain's outbox items): one fsync per batch instead of
        one per commit. Commits of other threads meanwhile are still synced when they commit. Not
        inside a transaction (SQLite cannot change ``synchronous`` there).
        """
        with self._lock:
            if self._depth:
                raise StoreError("deferred_sync() cannot start inside a transaction")
            if self._deferring == 0:
                self._db.execute("PRAGMA synchronous = NORMAL")
            self._deferring += 1
            self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._local.depth -= 1
                self._deferring -= 1
                if self._deferring == 0:
                    self._db.execute("PRAGMA synchronous = FULL")
                self._sync_wal()

    def _sync_wal(self) -> None:
        """fsync the write-ahead log: every commit written so far becomes durable."""
        try:
            handle = os.open(f"{self.path}-wal", os.O_RDONLY)
        except FileNotFoundError:  # no log: every commit is in the database file already
            return
        try:
            os.fsync(handle)
        finally:
            os.close(handle)

    # --- workouts --------------------------------------------------------------------------------

    def upsert_workout(self, athlete: str, key: str, *, content_hash: str, payload: dict[str, Any],
                       source_path: str | None = None, fit_path: str | None = None,
                       now: datetime | None = None) -> tuple[WorkoutRow, bool]:
        """Insert or update a workout; ``changed`` is true when it is new, revived or its hash moved.

        The remote id is kept across updates (Garmin updates in place).
        """
        with self.transaction():
            old = self.get_workout(athlete, key)
            self._db.execute(
                "INSERT INTO workouts (athlete, key, source_path, content_hash, payload, fit_path, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (athlete, key) DO UPDATE SET"
                " source_path = excluded.source_path, content_hash = excluded.content_hash,"
                " payload = excluded.payload, fit_path = COALESCE(excluded.fit_path, fit_path),"
                " updated_at = excluded.updated_at, deleted = 0",
                (athlete, key, source_path, content_hash, _json(payload), fit_path, _ts(now)))
            row = self.get_workout(athlete, key)
        assert row is not None
        return row, old is None or old.deleted or old.content_hash != content_hash

    def get_workout(self, athlete: str, key: str) -> WorkoutRow | None:
        return _one(self._query("SELECT * FROM workouts WHERE athlete = ? AND key = ?", athlete, key),
                    workout_row)

    def list_workouts(self, athlete: str | None = None, *, include_deleted: bool = False) -> list[WorkoutRow]:
        rows = self._query("SELECT * FROM workouts WHERE (? IS NULL OR athlete = ?) AND (? OR deleted = 0)"
                           " ORDER BY athlete, key", athlete, athlete, include_deleted)
        return [workout_row(row) for row in rows]

    def set_remote_id(self, athlete: str, key: str, remote_id: int | None) -> None:
        self._update("UPDATE workouts SET remote_id = ? WHERE athlete = ? AND key = ?", remote_id, athlete, key,
                     missing=f"no workout {key!r} for athlete {athlete!r}")

    def mark_deleted(self, athlete: str, key: str, now: datetime | None = None) -> None:
        self._update("UPDATE workouts SET deleted = 1, updated_at = ? WHERE athlete = ? AND key = ?",
                     _ts(now), athlete, key, missing=f"no workout {key!r} for athlete {athlete!r}")

    # --- schedules -------------------------------------------------------------------------------

    def add_schedule(self, athlete: str, workout_key: str, day: date,
                     now: datetime | None = None) -> tuple[ScheduleRow, bool]:
        """The schedule of a workout on a day; a new or revived (after removal) one is ``changed``."""
        with self.transaction():
            old = self.get_schedule(athlete, workout_key, day)
            if old is None or old.state == "removed":
                self._db.execute(
                    "INSERT INTO schedules (athlete, workout_key, date, updated_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (athlete, workout_key, date) DO UPDATE SET state = 'pending',"
                    " remote_schedule_id = NULL, updated_at = excluded.updated_at",
                    (athlete, workout_key, day.isoformat(), _ts(now)))
            row = self.get_schedule(athlete, workout_key, day)
        assert row is not None
        return row, old is None or old.state == "removed"

    def get_schedule(self, athlete: str, workout_key: str, day: date) -> ScheduleRow | None:
        return _one(self._query("SELECT * FROM schedules WHERE athlete = ? AND workout_key = ? AND date = ?",
                                athlete, workout_key, day.isoformat()), schedule_row)

    def set_schedule(self, schedule_id: int, state: ScheduleState, *, remote_schedule_id: int | None = None,
                     now: datetime | None = None) -> None:
        """Move a schedule to ``state``; a given remote id is recorded, otherwise the old one kept."""
        self._update("UPDATE schedules SET state = ?, remote_schedule_id = COALESCE(?, remote_schedule_id),"
                     " updated_at = ? WHERE id = ?", state, remote_schedule_id, _ts(now), schedule_id,
                     missing=f"no schedule {schedule_id}")

    def list_schedules(self, athlete: str | None = None, *, states: tuple[ScheduleState, ...] | None = None,
                       start: date | None = None, end: date | None = None) -> list[ScheduleRow]:
        """Schedules in ``[start, end]`` (inclusive), by date."""
        wanted = states or get_args(ScheduleState)
        marks = ", ".join("?" * len(wanted))
        rows = self._query(f"SELECT * FROM schedules WHERE (? IS NULL OR athlete = ?) AND date >= ? AND date <= ?"
                           f" AND state IN ({marks}) ORDER BY date, id", athlete, athlete,
                           start.isoformat() if start else "", end.isoformat() if end else "9999", *wanted)
        return [schedule_row(row) for row in rows]

    # --- outbox ----------------------------------------------------------------------------------

    def enqueue(self, athlete: str, op: Op, workout_key: str, *, day: date | None = None, payload: Any = None,
                now: datetime | None = None) -> OutboxItem:
        """Queue an operation, due now; it supersedes the waiting one it overrides.

        The newest intent wins: a push or delete supersedes any waiting push or delete of the workout,
        a schedule or unschedule any waiting schedule or unschedule of the workout on that day. A
        superseded item is done at once; if a drain is running it, its end no longer counts as done
        (see :meth:`mark_done`).
        """
        moment = _ts(now)
        with self.transaction():
            state = "parked" if self.parked_reason(athlete) is not None else "pending"
            day_text = day.isoformat() if day else None
            item_id = int(self._db.execute(
                "INSERT INTO outbox (athlete, op, workout_key, date, payload, not_before, state, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (athlete, op, workout_key, day_text, _json(payload), moment, state, moment)).lastrowid or 0)
            overridden = _OVERRIDES[op]
            self._db.execute(
                f"UPDATE outbox SET state = 'done', done_at = ?, last_error = ? WHERE athlete = ?"
                f" AND workout_key = ? AND date IS ? AND op IN ({', '.join('?' * len(overridden))})"
                f" AND state != 'done' AND id != ?",
                (moment, f"superseded by item {item_id}", athlete, workout_key, day_text, *overridden, item_id))
            return self.get_item(item_id)

    def get_item(self, item_id: int) -> OutboxItem:
        item = _one(self._query("SELECT * FROM outbox WHERE id = ?", item_id), outbox_item)
        if item is None:
            raise StoreError(f"no outbox item {item_id}")
        return item

    def next_due(self, athlete: str | None = None, now: datetime | None = None) -> OutboxItem | None:
        """The oldest pending item whose time has come and that waits for nothing.

        Pushes and deletes never wait; a schedule or unschedule waits while a push or delete of its
        workout is pending or parked (a held schedule of one day holds nothing else).
        """
        return _one(self._query(f"SELECT * FROM outbox AS o WHERE {_READY} AND not_before <= ?"
                                " ORDER BY id LIMIT 1", athlete, athlete, _ts(now)), outbox_item)

    def next_due_at(self, athlete: str | None = None) -> datetime | None:
        """When :meth:`next_due` will next have an item (``None``: nothing can run until a drain)."""
        rows = self._query(f"SELECT MIN(not_before) AS due FROM outbox AS o WHERE {_READY}", athlete, athlete)
        return datetime.fromisoformat(rows[0]["due"]) if rows[0]["due"] else None

    def has_waiting(self, athlete: str, workout_key: str, ops: tuple[Op, ...], *, day: date | None = None) -> bool:
        """True when one of ``ops`` for the workout (on ``day``) is pending or parked."""
        return bool(self._query(
            f"SELECT 1 FROM outbox WHERE athlete = ? AND workout_key = ? AND date IS ?"
            f" AND op IN ({', '.join('?' * len(ops))}) AND state != 'done' LIMIT 1",
            athlete, workout_key, day.isoformat() if day else None, *ops))

    def mark_done(self, item_id: int, now: datetime | None = None) -> bool:
        """Mark an item done; False when it already was (a newer intent superseded it meanwhile).

        A runner records what it learnt (remote ids) either way, but applies its item's intent to
        the store only when this returns True.
        """
        with self.transaction():
            if self.get_item(item_id).state == "done":
                return False
            self._db.execute("UPDATE outbox SET state = 'done', done_at = ?, last_error = NULL WHERE id = ?",
                             (_ts(now), item_id))
            return True

    def mark_failed(self, item_id: int, error: str, *, now: datetime | None = None,
                    not_before: datetime | None = None) -> OutboxItem:
        """Count a failed attempt; retry at ``not_before`` or after :func:`retry_delay`.

        A done (superseded) item is left as it is.
        """
        with self.transaction():
            item = self.get_item(item_id)
            if item.state == "done":
                return item
            retry_at = not_before or (now or _now()) + retry_delay(item.attempts + 1)
            self._db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?, not_before = ?"
                             " WHERE id = ?", (error, _ts(retry_at), item_id))
            return self.get_item(item_id)

    def park(self, athlete: str, reason: str, now: datetime | None = None) -> None:
        """Hold the athlete's queue (e.g. re-authentication needed); new items are parked too."""
        with self.transaction():
            self.kv_set(athlete, PARKED_KEY, reason, now=now)
            self._db.execute("UPDATE outbox SET state = 'parked', last_error = ? WHERE athlete = ?"
                             " AND state = 'pending'", (reason, athlete))

    def unpark(self, athlete: str, now: datetime | None = None) -> None:
        """Release a parked queue; its items are due at once."""
        with self.transaction():
            self.kv_delete(athlete, PARKED_KEY)
            self._db.execute("UPDATE outbox SET state = 'pending', not_before = ? WHERE athlete = ?"
                             " AND state = 'parked'", (_ts(now), athlete))

    def hold(self, athlete: str, until: datetime) -> None:
        """Nothing the athlete has queued is due before ``until`` (e.g. a rate limit); what is queued
        later is due as usual."""
        with self.transaction():
            self._db.execute("UPDATE outbox SET not_before = ? WHERE athlete = ? AND state != 'done'"
                             " AND not_before < ?", (_ts(until), athlete, _ts(until)))

    def release(self, athlete: str, now: datetime | None = None) -> int:
        """Make the athlete's pending items due at ``now`` (a call to Garmin worked again: their
        server-error backoff has nothing left to wait for); returns how many were waiting."""
        moment = _ts(now)
        with self.transaction():
            cursor = self._db.execute("UPDATE outbox SET not_before = ? WHERE athlete = ? AND state = 'pending'"
                                      " AND not_before > ?", (moment, athlete, moment))
        return cursor.rowcount

    def parked_reason(self, athlete: str) -> str | None:
        reason = self.kv_get(athlete, PARKED_KEY)
        return str(reason) if reason is not None else None

    def prune_done(self, before: datetime, athlete: str | None = None) -> int:
        """Forget items done before ``before`` (of ``athlete``, or all); returns how many."""
        with self.transaction():
            return self._db.execute("DELETE FROM outbox WHERE state = 'done' AND done_at < ?"
                                    " AND (? IS NULL OR athlete = ?)", (_ts(before), athlete, athlete)).rowcount

    def last_done_at(self, athlete: str, op: Op) -> datetime | None:
        """When the athlete's last ``op`` item completed at Garmin (superseded ones not counted).

        Recorded as each item ends, so it survives a killed process (unlike a summary written after a drain).
        """
        rows = self._query("SELECT MAX(done_at) AS last FROM outbox WHERE athlete = ? AND op = ? AND state = 'done'"
                           " AND done_at IS NOT NULL AND (last_error IS NULL OR last_error NOT LIKE 'superseded%')",
                           athlete, op)
        return datetime.fromisoformat(rows[0]["last"]) if rows[0]["last"] else None

    def list_outbox(self, athlete: str | None = None, *,
                    states: tuple[OutboxState, ...] = ("pending", "parked")) -> list[OutboxItem]:
        marks = ", ".join("?" * len(states))
        rows = self._query(f"SELECT * FROM outbox WHERE (? IS NULL OR athlete = ?) AND state IN ({marks}) ORDER BY id",
                           athlete, athlete, *states)
        return [outbox_item(row) for row in rows]

    # --- activities and compliance ---------------------------------------------------------------

    def upsert_activity(self, athlete: str, activity_id: int, start_time: datetime, *, sport: str | None = None,
                        fit_path: str | None = None, summary: dict[str, Any] | None = None) -> tuple[ActivityRow, bool]:
        """Record an activity once; later calls fill in what they bring. ``inserted`` tells which."""
        with self.transaction():
            inserted = not self._query("SELECT 1 FROM activities WHERE activity_id = ?", activity_id)
            self._db.execute(
                "INSERT INTO activities (athlete, activity_id, start_time, sport, fit_path, summary)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (activity_id) DO UPDATE SET"
                " sport = COALESCE(excluded.sport, sport), fit_path = COALESCE(excluded.fit_path, fit_path),"
                " summary = CASE WHEN ? IS NULL THEN summary ELSE excluded.summary END",
                (athlete, activity_id, _ts(start_time), sport, fit_path, _json(summary or {}),
                 None if summary is None else 1))
            row = self.get_activity(activity_id)
        assert row is not None
        return row, inserted

    def get_activity(self, activity_id: int) -> ActivityRow | None:
        return _one(self._query("SELECT * FROM activities WHERE activity_id = ?", activity_id), activity_row)

    def delete_activity(self, activity_id: int) -> None:
        """Forget an activity the athlete deleted at Garmin, with the compliance rows it made."""
        with self.transaction():
            self._db.execute("DELETE FROM compliance WHERE activity_id = ?", (activity_id,))
            self._db.execute("DELETE FROM activities WHERE activity_id = ?", (activity_id,))

    def mark_analysed(self, activity_id: int, now: datetime | None = None) -> None:
        self._update("UPDATE activities SET analysed_at = ? WHERE activity_id = ?", _ts(now), activity_id,
                     missing=f"no activity {activity_id}")

    def first_activity_start(self, athlete: str) -> datetime | None:
        """The start (UTC) of the athlete's earliest stored activity, None without one."""
        rows = self._query("SELECT MIN(start_time) AS first FROM activities WHERE athlete = ?", athlete)
        return datetime.fromisoformat(rows[0]["first"]) if rows[0]["first"] else None

    def list_activities(self, athlete: str | None = None, *, since: datetime | None = None,
                        unanalysed: bool = False) -> list[ActivityRow]:
        rows = self._query("SELECT * FROM activities WHERE (? IS NULL OR athlete = ?) AND start_time >= ?"
                           " AND (NOT ? OR analysed_at IS NULL) ORDER BY start_time", athlete, athlete,
                           _ts(since) if since else "", unanalysed)
        return [activity_row(row) for row in rows]

    def set_compliance(self, athlete: str, session_key: str, day: date, status: str, scores: dict[str, Any],
                       *, activity_id: int | None = None, now: datetime | None = None) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT INTO compliance (athlete, session_key, date, activity_id, status, scores, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (athlete, session_key) DO UPDATE SET"
                " date = excluded.date, activity_id = excluded.activity_id, status = excluded.status,"
                " scores = excluded.scores, updated_at = excluded.updated_at",
                (athlete, session_key, day.isoformat(), activity_id, status, _json(scores), _ts(now)))

    def list_compliance(self, athlete: str, *, start: date | None = None,
                        end: date | None = None) -> list[ComplianceRow]:
        rows = self._query("SELECT * FROM compliance WHERE athlete = ? AND date >= ? AND date <= ?"
                           " ORDER BY date, session_key", athlete, start.isoformat() if start else "",
                           end.isoformat() if end else "9999")
        return [compliance_row(row) for row in rows]

    # --- kv --------------------------------------------------------------------------------------

    def kv_get(self, athlete: str, key: str) -> Any:
        """The JSON value under (athlete, key), or ``None``; athlete ``''`` is global."""
        rows = self._query("SELECT value FROM kv WHERE athlete = ? AND key = ?", athlete, key)
        return json.loads(rows[0]["value"]) if rows else None

    def kv_set(self, athlete: str, key: str, value: Any, now: datetime | None = None) -> None:
        with self.transaction():
            self._db.execute("INSERT INTO kv (athlete, key, value, updated_at) VALUES (?, ?, ?, ?)"
                             " ON CONFLICT (athlete, key) DO UPDATE SET value = excluded.value,"
                             " updated_at = excluded.updated_at", (athlete, key, _json(value), _ts(now)))

    def kv_prefixed(self, athlete: str, prefix: str) -> dict[str, Any]:
        """Every (key, JSON value) of ``athlete`` whose key starts with ``prefix``."""
        rows = self._query("SELECT key, value FROM kv WHERE athlete = ? AND substr(key, 1, ?) = ?",
                           athlete, len(prefix), prefix)
        return {row["key"]: json.loads(row["value"]) for row in rows}

    def kv_delete(self, athlete: str, key: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM kv WHERE athlete = ? AND key = ?", (athlete, key))

    # --- helpers ---------------------------------------------------------------------------------

    def _query(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise as_fault(error, self.path) or error from error

    def _update(self, sql: str, *params: Any, missing: str) -> None:
        with self.transaction():
            if self._db.execute(sql, params).rowcount == 0:
                raise StoreError(missing)


def make_new_dir_private(folder: Path) -> None:
    """Create ``folder`` (and parents) 0700 if it is missing; an existing folder is left as it is (a
    store opened in a shared folder must not change that folder; the files themselves are 0600)."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)  # whatever the umask


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and parents) if needed; the folder itself is 0700 whatever the umask."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(folder.stat().st_mode) & 0o077:
        os.chmod(folder, 0o700)


def make_private_files(path: Path) -> None:
    """The database and its WAL and shared-memory files are 0600 (they hold GPS-derived data)."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            if stat.S_IMODE(file.stat().st_mode) & 0o077:
                os.chmod(file, 0o600)


def _open_error(error: BaseException, path: Path) -> StoreError:
    fault = as_fault(error, path)
    if fault is not None:
        return fault
    return StoreError(f"{path}: cannot open the state database: {error}")


def _now() -> datetime:
    return datetime.now(UTC)


def _ts(moment: datetime | None) -> str:
    """UTC ISO-8601 with microseconds (sorts as text); naive datetimes are refused."""
    moment = moment or _now()
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} (give a timezone)")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _one[T](rows: list[sqlite3.Row], build: Callable[[sqlite3.Row], T]) -> T | None:
    return build(rows[0]) if rows else None


