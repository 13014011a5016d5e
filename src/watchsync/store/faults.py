"""Faults of the host under the store (disk full, read-only, corrupt file, I/O error), in plain words.

SQLite reports them as ``sqlite3.OperationalError``/``DatabaseError`` with terse texts ("unable to
open database file" for a read-only folder, "cannot rollback - no transaction is active" after a
full disk rolled the transaction back). :func:`as_fault` turns them into a :class:`StoreFault` whose
``kind`` and message say what is wrong and what to do; the daemon keeps coach files in the inbox
while one lasts (they are not the coach's fault) and retries when it clears.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Literal

from watchsync.errors import WatchsyncError

FaultKind = Literal["disk full", "read-only", "corrupt", "I/O error", "cannot open", "busy"]

#: SQLite primary result codes (the low byte of the extended code) that are faults of the host.
_KINDS: dict[int, FaultKind] = {
    13: "disk full",  # SQLITE_FULL
    8: "read-only",  # SQLITE_READONLY
    11: "corrupt",  # SQLITE_CORRUPT
    26: "corrupt",  # SQLITE_NOTADB
    10: "I/O error",  # SQLITE_IOERR
    14: "cannot open",  # SQLITE_CANTOPEN
    3: "read-only",  # SQLITE_PERM
    5: "busy",  # SQLITE_BUSY: another program holds a lock on the database
    6: "busy",  # SQLITE_LOCKED
}
_ERRNO_KINDS: dict[int, FaultKind] = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk full",
                                      errno.EROFS: "read-only", errno.EACCES: "read-only",
                                      errno.EPERM: "read-only", errno.EIO: "I/O error"}
_ADVICE: dict[FaultKind, str] = {
    "disk full": "free some space there; watchsync resumes by itself",
    "read-only": "make it writable for the watchsync user; watchsync resumes by itself",
    "corrupt": "stop the daemon and run `watchsync store recover` (see docs/systemd.md)",
    "I/O error": "check the disk (dmesg); watchsync retries by itself",
    "cannot open": "check that the folder exists and is writable for the watchsync user",
    "busy": "another program holds the state database locked (an open sqlite3 shell, a backup); "
            "watchsync retries by itself",
}


class StoreError(WatchsyncError):
    """The state database cannot be opened or a row the caller names does not exist."""


class StoreFault(StoreError, sqlite3.OperationalError):
    """The store cannot be read or written because of the host (never because of a coach's file)."""

    def __init__(self, kind: FaultKind, message: str) -> None:
        super().__init__(message)
        self.kind: FaultKind = kind


def fault_kind(error: BaseException) -> FaultKind | None:
    """The kind of host fault behind ``error`` (SQLite or OS), or None when it is something else."""
    if isinstance(error, StoreFault):
        return error.kind
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) in _KINDS:
            return _KINDS[code & 0xFF]
        text = str(error).lower()
        if "malformed" in text or "not a database" in text:
            return "corrupt"
        if "disk is full" in text:
            return "disk full"
        if "readonly" in text or "read-only" in text:
            return "read-only"
        if "database is locked" in text or "database table is locked" in text:
            return "busy"
        return None
    if isinstance(error, OSError) and error.errno in _ERRNO_KINDS:
        return _ERRNO_KINDS[error.errno]
    return None


def as_fault(error: BaseException, path: Path) -> StoreFault | None:
    """``error`` as a :class:`StoreFault` for the store at ``path`` (None when it is no host fault)."""
    if isinstance(error, StoreFault):
        return error
    kind = fault_kind(error)
    if kind is None:
        return None
    if kind in ("cannot open", "read-only") and not _writable(path.parent):
        kind = "read-only"
    where = path.parent if kind in ("disk full", "read-only") else path
    what = {"disk full": "the disk holding the state directory is full",
            "read-only": "the state directory is read-only",
            "corrupt": "the state database is damaged",
            "I/O error": "the disk returned an I/O error",
            "cannot open": "the state database cannot be opened"}[kind]
    return StoreFault(kind, f"{where}: {what} ({error}); {_ADVICE[kind]}")


def _writable(folder: Path) -> bool:
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return False
    except OSError:
        return False
    return os.access(folder, os.W_OK)
