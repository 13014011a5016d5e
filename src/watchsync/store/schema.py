"""The store's schema: numbered migrations applied in order, the version in ``PRAGMA user_version``.

Append a script to :data:`MIGRATIONS` to change the schema; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from watchsync.errors import WatchsyncError

MIGRATIONS: list[str] = [
    """
    CREATE TABLE workouts (
        id INTEGER PRIMARY KEY,
        athlete TEXT NOT NULL,
        key TEXT NOT NULL,
        source_path TEXT,
        content_hash TEXT NOT NULL,
        remote_id INTEGER,
        payload TEXT NOT NULL,
        fit_path TEXT,
        updated_at TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        UNIQUE (athlete, key)
    );
    CREATE TABLE schedules (
        id INTEGER PRIMARY KEY,
        athlete TEXT NOT NULL,
        workout_key TEXT NOT NULL,
        date TEXT NOT NULL,
        remote_schedule_id INTEGER,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'scheduled', 'unscheduling', 'removed')),
        updated_at TEXT NOT NULL,
        UNIQUE (athlete, workout_key, date),
        FOREIGN KEY (athlete, workout_key) REFERENCES workouts (athlete, key) DEFERRABLE INITIALLY DEFERRED
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        athlete TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('push', 'schedule', 'unschedule', 'delete')),
        workout_key TEXT NOT NULL,
        date TEXT,
        payload TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        last_error TEXT,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'parked')),
        created_at TEXT NOT NULL,
        done_at TEXT,
        FOREIGN KEY (athlete, workout_key) REFERENCES workouts (athlete, key) DEFERRABLE INITIALLY DEFERRED
    );
    CREATE INDEX outbox_due ON outbox (state, not_before, id);
    CREATE TABLE activities (
        id INTEGER PRIMARY KEY,
        athlete TEXT NOT NULL,
        activity_id INTEGER NOT NULL UNIQUE,
        start_time TEXT NOT NULL,
        sport TEXT,
        fit_path TEXT,
        summary TEXT NOT NULL DEFAULT '{}',
        analysed_at TEXT
    );
    CREATE INDEX activities_by_time ON activities (athlete, start_time);
    CREATE TABLE compliance (
        id INTEGER PRIMARY KEY,
        athlete TEXT NOT NULL,
        session_key TEXT NOT NULL,
        date TEXT NOT NULL,
        activity_id INTEGER REFERENCES activities (activity_id) DEFERRABLE INITIALLY DEFERRED,
        status TEXT NOT NULL,
        scores TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL,
        UNIQUE (athlete, session_key)
    );
    CREATE TABLE kv (
        athlete TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (athlete, key)
    );
    """,
    # the per-workout lookups of next_due / has_waiting
    """
    CREATE INDEX outbox_by_workout ON outbox (athlete, workout_key, op, state);
    """,
]


class MigrationError(WatchsyncError):
    """A migration script is malformed."""


def migrate(connection: sqlite3.Connection, migrations: list[str] = MIGRATIONS) -> int:
    """Bring the database to ``len(migrations)``, one transaction per step; returns the version."""
    while True:
        connection.execute("BEGIN IMMEDIATE")  # the write lock first: two processes may race here
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(migrations):
                connection.execute("COMMIT")
                return int(version)
            for statement in _statements(migrations[version]):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version + 1}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


def _statements(script: str) -> Iterator[str]:
    """The complete SQL statements of a script, one at a time."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise MigrationError(f"incomplete SQL statement in a migration: {buffer.strip()[:60]!r}")
