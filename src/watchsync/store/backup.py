"""Backups of the store: ``VACUUM INTO`` copies in ``<state_dir>/backups/``, the newest few kept.

The daemon takes one at start when the newest is older than :data:`BACKUP_EVERY` and then on that
period; ``watchsync store backup`` takes one by hand. :mod:`watchsync.store.recover` starts from
the newest sound one.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchsync.store.db import Store

BACKUPS_DIR = "backups"
BACKUP_EVERY = timedelta(hours=24)
KEEP = 7
_PREFIX = "watchsync-"
_SUFFIX = ".sqlite3"
_STAMP = "%Y%m%dT%H%M%S"


def backups_dir(store_path: Path) -> Path:
    """Where the backups of the store at ``store_path`` go."""
    return store_path.parent / BACKUPS_DIR


def list_backups(folder: Path) -> list[tuple[datetime, Path]]:
    """The backups in ``folder``, newest first."""
    found = []
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if path.name.startswith(_PREFIX) and path.name.endswith(_SUFFIX):
                try:
                    taken = datetime.strptime(path.name[len(_PREFIX):-len(_SUFFIX)], _STAMP).replace(tzinfo=UTC)
                except ValueError:
                    continue
                found.append((taken, path))
    return sorted(found, reverse=True)


def backup_due(folder: Path, now: datetime | None = None) -> bool:
    """True when there is no backup younger than :data:`BACKUP_EVERY`."""
    newest = list_backups(folder)
    return not newest or (now or datetime.now(UTC)) - newest[0][0] >= BACKUP_EVERY


def take_backup(store: Store, folder: Path | None = None, *, keep: int = KEEP, now: datetime | None = None) -> Path:
    """Copy the store into ``folder`` (default: beside it) and drop all but the ``keep`` newest copies."""
    folder = folder or backups_dir(store.path)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    target = store.backup(folder / f"{_PREFIX}{moment.strftime(_STAMP)}{_SUFFIX}")
    for _, old in list_backups(folder)[keep:]:
        old.unlink(missing_ok=True)
    return target
