"""``watchsync store recover``: rebuild a damaged store from its newest sound backup plus every row still readable.

Steps (the daemon must be stopped):

1. the damaged file (with its ``-wal``) is moved aside as ``watchsync.sqlite3.damaged-<time>``; nothing is deleted;
2. the newest backup that passes SQLite's integrity check becomes the new store (else an empty one);
3. every row still readable in the damaged file is copied over it (newer data wins); a damaged page
   is skipped by halving the rowid range around it, so one bad page loses only its own rows.

Afterwards ``watchsync sync`` per athlete compares the store with Garmin Connect and repairs the
rest (remote ids learnt after the backup, calendar entries).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from watchsync.store.backup import backups_dir, list_backups
from watchsync.store.db import Store
from watchsync.store.faults import StoreError

#: The tables copied, parents before children.
TABLES = ("workouts", "activities", "schedules", "outbox", "compliance", "kv")
_MAX_ROWID = 1 << 62
#: Failed reads per table before the rest of it is given up (a damaged root page fails every read).
_FAILURE_BUDGET = 5_000


@dataclass
class Recovery:
    """What ``store recover`` did."""

    store: Path
    damaged_copy: Path | None
    backup: Path | None
    rows: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)
    problems_before: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.damaged_copy is None:
            return [f"{self.store}: sound (integrity check ok); nothing to recover"]
        lines = [f"{self.store}: damaged ({self.problems_before[0] if self.problems_before else 'unreadable'})",
                 f"  moved aside to {self.damaged_copy.name} (kept)",
                 f"  started from backup {self.backup.name}" if self.backup else "  no sound backup: started empty"]
        for table in TABLES:
            lost = f", {self.unreadable[table]} unreadable range(s) skipped" if self.unreadable.get(table) else ""
            lines.append(f"  {table:<11} {self.rows.get(table, 0)} row(s) copied from the damaged file{lost}")
        lines.append("  next: run `watchsync sync --athlete NAME` for each athlete to repair against Garmin Connect")
        return lines


def recover(path: Path, *, force: bool = False, now: datetime | None = None) -> Recovery:
    """Rebuild the store at ``path`` (see the module docs); a sound store is left alone unless ``force``."""
    problems = _problems(path)
    if not problems and not force:
        return Recovery(path, None, None)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    damaged = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            os.replace(part, damaged.with_name(damaged.name + suffix))
    backup = _newest_sound_backup(backups_dir(path))
    if backup is not None:
        with contextlib.closing(sqlite3.connect(backup)) as copy, contextlib.closing(sqlite3.connect(path)) as fresh:
            copy.backup(fresh)
        os.chmod(path, 0o600)
    result = Recovery(path, damaged, backup, problems_before=problems or ["forced"])
    Store.open(path).close()  # migrates an old backup, creates an empty store without one
    target = sqlite3.connect(path, isolation_level=None)
    try:
        target.execute("PRAGMA foreign_keys = OFF")
        source = sqlite3.connect(f"{damaged.as_uri()}?mode=ro", uri=True)
        try:
            for table in TABLES:
                result.rows[table], result.unreadable[table] = _copy_table(source, target, table)
        finally:
            source.close()
    finally:
        target.close()
    with Store.open(path, check=True):
        pass
    return result


def _problems(path: Path) -> list[str]:
    if not path.exists():
        raise StoreError(f"{path}: no state database here (nothing to recover)")
    try:
        with Store.open(path) as store:
            return store.check(full=True)
    except StoreError as error:
        return [str(error)]


def _newest_sound_backup(folder: Path) -> Path | None:
    for _, candidate in list_backups(folder):
        try:
            with contextlib.closing(sqlite3.connect(f"{candidate.as_uri()}?mode=ro", uri=True)) as db:
                if db.execute("PRAGMA integrity_check").fetchone()[0] == "ok":
                    return candidate
        except sqlite3.Error:
            continue
    return None


def _copy_table(source: sqlite3.Connection, target: sqlite3.Connection, table: str) -> tuple[int, int]:
    """Copy what is readable of ``table``; returns (rows copied, unreadable ranges skipped)."""
    try:
        columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
    except sqlite3.Error:
        return 0, 1
    wanted = {row[1] for row in target.execute(f"PRAGMA table_info({table})")}
    columns = [column for column in columns if column in wanted]
    if not columns:
        return 0, 0
    names = ", ".join(columns)
    insert = f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    copied = skipped = failures = 0
    stack = [(-_MAX_ROWID, _MAX_ROWID)]
    target.execute("BEGIN")
    while stack:
        low, high = stack.pop()
        try:
            rows = source.execute(f"SELECT {names} FROM {table} WHERE rowid BETWEEN ? AND ?", (low, high)).fetchall()
        except sqlite3.DatabaseError:
            failures += 1
            if low == high or failures > _FAILURE_BUDGET:
                skipped += 1
                continue
            middle = (low + high) // 2
            stack += [(middle + 1, high), (low, middle)]
            continue
        for row in rows:
            with contextlib.suppress(sqlite3.IntegrityError):
                target.execute(insert, row)
                copied += 1
    target.execute("COMMIT")
    return copied, skipped
