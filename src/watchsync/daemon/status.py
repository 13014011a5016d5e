"""What ``watchsync status`` shows, read from the store and the inboxes (works with or without a daemon).

The daemon writes its heartbeat and pid (athlete ``''``) and, per athlete, the last successful push,
the last activity sync and the last error into the store's kv table under the keys below.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from watchsync.config import Config
from watchsync.daemon.intake_files import ERROR_SUFFIX, REJECTED
from watchsync.garmin.tokens import TOKEN_FILE
from watchsync.store import Store

GLOBAL = ""
HEARTBEAT_KEY = "daemon.heartbeat"
PID_KEY = "daemon.pid"
LAST_PUSH_KEY = "daemon.last_push"
LAST_ACTIVITY_SYNC_KEY = "daemon.last_activity_sync"
LAST_ERROR_KEY = "daemon.last_error"
#: A heartbeat older than this means the daemon is hung or gone.
STALE_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class AthleteStatus:
    """One athlete as the daemon last left it."""

    name: str
    auth: str
    outbox_depth: int
    oldest_item: str | None
    last_push: str | None
    last_activity_sync: str | None
    last_error: str | None
    rejected_waiting: int


@dataclass(frozen=True)
class DaemonStatus:
    """Whether a daemon is alive, and every configured athlete's state."""

    alive: bool
    pid: int | None
    heartbeat: str | None
    athletes: list[AthleteStatus]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def now_text() -> str:
    """Now, as the store's UTC ISO-8601 text."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def record_error(store: Store, athlete: str, message: str) -> None:
    """Remember the athlete's last error with its time."""
    store.kv_set(athlete, LAST_ERROR_KEY, f"{now_text()} {message}")


def alive_daemon(store: Store, now: datetime | None = None) -> int | None:
    """The pid of a daemon using this store that is running and beating, else None."""
    pid = store.kv_get(GLOBAL, PID_KEY)
    if not isinstance(pid, int) or not _process_exists(pid):
        return None
    return pid if _fresh(store.kv_get(GLOBAL, HEARTBEAT_KEY), now or datetime.now(UTC)) else None


def collect_status(config: Config, *, now: datetime | None = None) -> DaemonStatus:
    """The status of the daemon and each athlete of ``config``."""
    with Store.open(config.store_path) as store:
        heartbeat = store.kv_get(GLOBAL, HEARTBEAT_KEY)
        pid = alive_daemon(store, now)
        athletes = [_athlete_status(store, config, name) for name in config.athletes]
    return DaemonStatus(pid is not None, pid, _text(heartbeat), athletes)


def format_status(status: DaemonStatus) -> str:
    """The status as short aligned lines for a terminal."""
    if status.alive:
        daemon = f"daemon: running (pid {status.pid}, heartbeat {status.heartbeat})"
    elif status.heartbeat:
        daemon = f"daemon: not running (last heartbeat {status.heartbeat})"
    else:
        daemon = "daemon: not running (never started with this state directory)"
    lines = [daemon]
    for athlete in status.athletes:
        oldest = f", oldest {athlete.oldest_item}" if athlete.oldest_item else ""
        lines += [
            f"{athlete.name}:",
            f"  auth            {athlete.auth}",
            f"  outbox          {athlete.outbox_depth} waiting{oldest}",
            f"  last push       {athlete.last_push or 'never'}",
            f"  activity sync   {athlete.last_activity_sync or 'never'}",
            f"  last error      {athlete.last_error or 'none'}",
            f"  rejected files  {athlete.rejected_waiting}",
        ]
    return "\n".join(lines) + "\n"


def _athlete_status(store: Store, config: Config, name: str) -> AthleteStatus:
    waiting = store.list_outbox(name)
    oldest = min((item.created_at for item in waiting), default=None)
    return AthleteStatus(
        name=name,
        auth=_auth_state(store, config, name),
        outbox_depth=len(waiting),
        oldest_item=oldest.isoformat(timespec="seconds") if oldest else None,
        last_push=_text(store.kv_get(name, LAST_PUSH_KEY)),
        last_activity_sync=_text(store.kv_get(name, LAST_ACTIVITY_SYNC_KEY)),
        last_error=_text(store.kv_get(name, LAST_ERROR_KEY)),
        rejected_waiting=_rejected_count(config.inbox_dir(name)),
    )


def _auth_state(store: Store, config: Config, name: str) -> str:
    parked = store.parked_reason(name)
    if parked is not None:
        return parked
    if not (config.token_dir(name) / TOKEN_FILE).is_file():
        return "not logged in: run `watchsync login`"
    return "ok"


def _rejected_count(inbox: Path | None) -> int:
    """Rejected files still in ``rejected/`` (their ``.error.txt`` notes not counted)."""
    if inbox is None:
        return 0
    try:
        return sum(1 for entry in os.scandir(inbox / REJECTED)
                   if entry.is_file(follow_symlinks=False) and not entry.name.endswith(ERROR_SUFFIX))
    except OSError:
        return 0


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user (the system service)
    return True


def _fresh(heartbeat: object, now: datetime) -> bool:
    if not isinstance(heartbeat, str):
        return False
    try:
        beat = datetime.fromisoformat(heartbeat)
    except ValueError:
        return False
    return now - beat <= STALE_AFTER


def _text(value: object) -> str | None:
    return None if value is None else str(value)
