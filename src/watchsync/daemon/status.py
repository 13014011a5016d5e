"""What ``watchsync status`` shows, read from the store and the inboxes (works with or without a daemon).

The daemon writes its heartbeat and pid (athlete ``''``) and, per athlete, the last successful push,
the last activity sync and the last error into the store's kv table under the keys below; each push
also records its own completion in the outbox, so a killed daemon's last push still shows.
``status`` diagnoses the state directory itself too (full, read-only, damaged), since a daemon that
cannot write cannot say so in the store.

Exit codes (usable as a health check): :data:`EXIT_OK` all well; :data:`EXIT_ATTENTION` the daemon
runs but something needs a person (a store fault, an athlete parked or not logged in);
:data:`EXIT_NOT_RUNNING` no daemon is running for this state directory (2 is kept for bad usage).
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from watchsync.config import Config
from watchsync.daemon.intake_files import ERROR_SUFFIX, REJECTED, processed_versions, rejection_time, superseded
from watchsync.describe import readable_time
from watchsync.garmin.errors import login_hint_for
from watchsync.garmin.tokens import TOKEN_FILE
from watchsync.store import Store, StoreError, StoreFault

logger = logging.getLogger(__name__)

GLOBAL = ""
#: The notifier's count of notices held back by its rate limit (``{"waiting", "next"}`` or null).
NOTIFY_HELD_KEY = "notify.held"
HEARTBEAT_KEY = "daemon.heartbeat"
PID_KEY = "daemon.pid"
LAST_PUSH_KEY = "daemon.last_push"
LAST_ACTIVITY_SYNC_KEY = "daemon.last_activity_sync"
LAST_ERROR_KEY = "daemon.last_error"
#: The last call to Garmin that worked (any: a login, a push, an activity sync), and the first call that
#: failed with no answer, a server error or a rate limit since then (absent while calls work): the
#: outage clock of "Garmin unreachable", kept across restarts (probe journey11).
LAST_CONTACT_KEY = "daemon.last_contact"
FAILING_SINCE_KEY = "daemon.failing_since"
FAULT_KEY = "daemon.fault"
#: Less free space than this under the state directory counts as full.
MIN_FREE_BYTES = 256 * 1024
EXIT_OK = 0
EXIT_ATTENTION = 1
EXIT_NOT_RUNNING = 3
#: A heartbeat older than this means the daemon is hung or gone (three writes missed: it writes every 30 s).
STALE_AFTER = timedelta(seconds=120)


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
    #: files taken in with warnings, newest first (``file``, ``at``, ``warnings``)
    taken_with_warnings: list[dict[str, Any]] = field(default_factory=list)
    #: coach files in the inbox not taken in yet (many while the daemon is stopped: work waiting)
    inbox_waiting: int = 0
    #: the last call to Garmin that worked (a login too)
    last_contact: str | None = None

    @property
    def error_cleared(self) -> str | None:
        """The latest successful call after the last error, when the queue is not parked: the error is
        over and must not read as a problem of now (a re-login fixed, an outage over; probe journey11)."""
        if not self.last_error or self.auth != "ok":
            return None
        when = self.last_error.partition(" ")[0]
        contacts = (self.last_push, self.last_activity_sync, self.last_contact)
        return max((t for t in contacts if t and t > when), default=None)


@dataclass(frozen=True)
class DaemonStatus:
    """Whether a daemon is alive, and every configured athlete's state."""

    alive: bool
    pid: int | None
    heartbeat: str | None
    athletes: list[AthleteStatus]
    store: str = "ok"
    #: Notices the hourly limit holds back, and when the next goes (UTC ISO text); 0 and None when none waits.
    notifications_held: int = 0
    notifications_next: str | None = None

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_OK`, :data:`EXIT_ATTENTION` or :data:`EXIT_NOT_RUNNING` (see the module docs)."""
        if not self.alive:
            return EXIT_NOT_RUNNING
        attention = self.store != "ok" or any(a.auth != "ok" for a in self.athletes)
        return EXIT_ATTENTION if attention else EXIT_OK

    def as_json(self) -> dict[str, Any]:
        fields = asdict(self)
        for shown, athlete in zip(fields["athletes"], self.athletes, strict=True):
            shown["error_cleared"] = athlete.error_cleared
        return {**fields, "exit_code": self.exit_code}


def now_text() -> str:
    """Now, as the store's UTC ISO-8601 text."""
    return datetime.now(UTC).isoformat(timespec="seconds")


#: Files taken in with warnings (what ``watchsync validate`` says of them), the latest few per athlete.
INTAKE_WARNINGS_KEY = "daemon.intake_warnings"
MAX_WARNED_FILES = 20
MAX_WARNINGS_PER_FILE = 10
#: How a parser's warning reads in its messages (``file:3:7: warning: ...``).
WARNING_MARK = ": warning: "


def record_intake_warnings(store: Store, athlete: str, file: str, warnings: list[str]) -> None:
    """Keep that ``file`` went through with ``warnings`` (for the status page and a notification)."""
    try:
        kept = intake_warnings(store, athlete)
        kept.append({"file": file, "at": now_text(), "warnings": warnings[:MAX_WARNINGS_PER_FILE]})
        store.kv_set(athlete, INTAKE_WARNINGS_KEY, kept[-MAX_WARNED_FILES:])
    except StoreError as error:
        logger.warning("cannot record the intake warnings of %s in the store: %s", athlete, error)


def intake_warnings(store: Store, athlete: str) -> list[dict[str, Any]]:
    """The athlete's files taken in with warnings, oldest first (``file``, ``at``, ``warnings``)."""
    value = store.kv_get(athlete, INTAKE_WARNINGS_KEY)
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def calls_work(store: Store, athlete: str, now: datetime | None = None, *, release: bool = True) -> int:
    """A call to Garmin worked: keep when and end a failing spell. On the first success after failures the
    athlete's queued items lose their backoff (``release``: due at once); returns how many were released."""
    moment = now or datetime.now(UTC)
    try:
        failing = store.kv_get(athlete, FAILING_SINCE_KEY) is not None
        store.kv_set(athlete, LAST_CONTACT_KEY, moment.isoformat(timespec="seconds"))
        if not failing:
            return 0
        store.kv_delete(athlete, FAILING_SINCE_KEY)
        return store.release(athlete, moment) if release else 0
    except StoreError as error:
        logger.warning("cannot record the Garmin contact of %s in the store: %s", athlete, error)
        return 0


def calls_fail(store: Store, athlete: str, now: datetime | None = None) -> None:
    """A call to Garmin got no answer, a server error or a rate limit: keep the first such since the last success."""
    try:
        if store.kv_get(athlete, FAILING_SINCE_KEY) is None:
            store.kv_set(athlete, FAILING_SINCE_KEY, (now or datetime.now(UTC)).isoformat(timespec="seconds"))
    except StoreError as error:
        logger.warning("cannot record the Garmin failure of %s in the store: %s", athlete, error)


def last_contact(store: Store, athlete: str) -> datetime | None:
    """The athlete's last call to Garmin that worked (a store of an older version: its last push or sync)."""
    texts = [store.kv_get(athlete, key) for key in (LAST_CONTACT_KEY, LAST_PUSH_KEY, LAST_ACTIVITY_SYNC_KEY)]
    return max((datetime.fromisoformat(text) for text in texts if isinstance(text, str)), default=None)


def record_error(store: Store, athlete: str, message: str) -> None:
    """Remember the athlete's last error with its time (only logged when the store itself cannot be written)."""
    try:
        store.kv_set(athlete, LAST_ERROR_KEY, f"{now_text()} {message}")
    except StoreError as error:
        logger.warning("cannot record the error of %s in the store: %s", athlete, error)


def diagnose_store(path: Path) -> str:
    """``ok``, or what is wrong with the state directory and database at ``path`` (full, read-only, damaged)."""
    folder = path.parent
    try:
        vfs = os.statvfs(folder)
    except OSError:
        return "ok"  # no state directory yet: nothing is wrong with it
    if vfs.f_flag & os.ST_RDONLY or not os.access(folder, os.W_OK):
        return f"{folder}: the state directory is read-only; make it writable for the watchsync user"
    if vfs.f_bavail * vfs.f_frsize < MIN_FREE_BYTES:
        return f"{folder}: the disk holding the state directory is full; free some space there"
    if not path.exists():
        return "ok"
    try:
        with Store.open(path) as store:
            problems = store.check()
    except StoreError as error:
        return str(error)
    if problems:
        return f"{path}: the state database is damaged ({problems[0]}); run `watchsync store recover`"
    return "ok"


def alive_daemon(store: Store, now: datetime | None = None) -> int | None:
    """The pid of a daemon using this store that is running and beating, else None."""
    pid = store.kv_get(GLOBAL, PID_KEY)
    if not isinstance(pid, int) or not process_exists(pid):
        return None
    return pid if _fresh(store.kv_get(GLOBAL, HEARTBEAT_KEY), now or datetime.now(UTC)) else None


def collect_status(config: Config, *, now: datetime | None = None) -> DaemonStatus:
    """The status of the daemon and each athlete of ``config``.

    A daemon whose heartbeat went stale because the store cannot be written still counts as running
    (its process exists) and the store fault is named.
    """
    if not config.store_path.exists():  # a status check creates nothing (a root-owned store, a typo's dir)
        with tempfile.TemporaryDirectory() as scratch, Store.open(Path(scratch) / config.store_path.name) as empty:
            athletes = [_athlete_status(empty, config, name) for name in config.athletes]
        return DaemonStatus(False, None, None, athletes, store=f"none yet at {config.store_path} (the daemon "
                            "creates it on its first start: is this its state directory?)")
    health = diagnose_store(config.store_path)
    try:
        store = Store.open(config.store_path)
    except StoreFault as fault:
        return DaemonStatus(False, None, None, [], store=health if health != "ok" else str(fault))
    with store:
        heartbeat = store.kv_get(GLOBAL, HEARTBEAT_KEY)
        pid = alive_daemon(store, now)
        recorded = store.kv_get(GLOBAL, FAULT_KEY)
        if health == "ok" and isinstance(recorded, str):
            health = recorded
        if pid is None and health != "ok":
            stale = store.kv_get(GLOBAL, PID_KEY)
            pid = stale if isinstance(stale, int) and process_exists(stale) else None
        athletes = [_athlete_status(store, config, name) for name in config.athletes]
        held = store.kv_get(GLOBAL, NOTIFY_HELD_KEY)  # only a running daemon's notices are held
    held = held if isinstance(held, dict) and isinstance(held.get("waiting"), int) and pid is not None else {}
    return DaemonStatus(pid is not None, pid, _text(heartbeat), athletes, store=health,
                        notifications_held=held.get("waiting", 0), notifications_next=_text(held.get("next")))


def format_status(status: DaemonStatus) -> str:
    """The status as short aligned lines for a terminal."""
    if status.alive:
        daemon = f"daemon: running (pid {status.pid}, heartbeat {readable_time(status.heartbeat)})"
    elif status.heartbeat:
        daemon = f"daemon: not running (last heartbeat {readable_time(status.heartbeat)})"
    else:
        daemon = "daemon: not running (never started with this state directory)"
    lines = [daemon, f"store: {status.store}"]
    if status.notifications_held:
        lines.append(f"notifications: {status.notifications_held} held back by the hourly limit, the next at "
                     f"{readable_time(status.notifications_next)}")
    for athlete in status.athletes:
        oldest = f", oldest {readable_time(athlete.oldest_item)}" if athlete.oldest_item else ""
        lines += [
            f"{athlete.name}:",
            f"  auth            {athlete.auth}",
            f"  outbox          {athlete.outbox_depth} waiting{oldest}",
            f"  last push       {readable_time(athlete.last_push) or 'never'}",
            f"  activity sync   {readable_time(athlete.last_activity_sync) or 'never'}",
            f"  last error      {readable_time(athlete.last_error) or 'none'}{_resolved(athlete)}",
            f"  rejected files  {athlete.rejected_waiting}",
        ]
        if athlete.inbox_waiting:
            lines.append(f"  inbox           {athlete.inbox_waiting} file(s) not taken in yet")
    return "\n".join(lines) + "\n"


def _resolved(athlete: AthleteStatus) -> str:
    """`` (cleared: calls to Garmin worked since, the last ...)`` when the last error is over."""
    if athlete.error_cleared is None:
        return ""
    return f" (cleared: calls to Garmin worked since, the last {readable_time(athlete.error_cleared)})"


def _athlete_status(store: Store, config: Config, name: str) -> AthleteStatus:
    waiting = store.list_outbox(name)
    oldest = min((item.created_at for item in waiting), default=None)
    return AthleteStatus(
        name=name,
        auth=_auth_state(store, config, name),
        outbox_depth=len(waiting),
        oldest_item=oldest.isoformat(timespec="seconds") if oldest else None,
        last_push=_last_push(store, name),
        last_activity_sync=_text(store.kv_get(name, LAST_ACTIVITY_SYNC_KEY)),
        last_error=_text(store.kv_get(name, LAST_ERROR_KEY)),
        last_contact=_text(store.kv_get(name, LAST_CONTACT_KEY)),
        rejected_waiting=_rejected_count(config.inbox_dir(name)),
        taken_with_warnings=list(reversed(intake_warnings(store, name))),
        inbox_waiting=_inbox_count(config.inbox_dir(name)),
    )


def _inbox_count(inbox: Path | None) -> int:
    """Coach files directly in the inbox (not the daemon's own folders, dotfiles, temporary or editor files)."""
    if inbox is None:
        return 0
    from watchsync.daemon.inbox import is_ignored_name  # deferred: watchdog, for this count only

    try:
        return sum(1 for entry in os.scandir(inbox)
                   if entry.is_file(follow_symlinks=False) and not is_ignored_name(entry.name))
    except OSError:
        return 0


def _auth_state(store: Store, config: Config, name: str) -> str:
    parked = store.parked_reason(name)
    if parked is not None:
        return parked
    if not (config.token_dir(name) / TOKEN_FILE).is_file():
        return login_hint_for("not logged in: run `watchsync login`", name)
    return "ok"


def _rejected_count(inbox: Path | None) -> int:
    """Rejected files still in ``rejected/`` and not since fixed (their ``.error.txt`` notes not counted)."""
    if inbox is None:
        return 0
    folder = inbox / REJECTED
    try:
        names = [entry.name for entry in os.scandir(folder)
                 if entry.is_file(follow_symlinks=False) and not entry.name.endswith(ERROR_SUFFIX)]
    except OSError:
        return 0
    versions = processed_versions(inbox)
    return sum(1 for name in names if not superseded(versions, name, rejection_time(folder, name) or 0.0))


def _last_push(store: Store, name: str) -> str | None:
    """The later of the daemon's summary and the outbox's own record of completed pushes."""
    recorded = _text(store.kv_get(name, LAST_PUSH_KEY))
    done = store.last_done_at(name, "push")
    if done is None:
        return recorded
    done_text = done.astimezone(UTC).isoformat(timespec="seconds")
    if recorded is None:
        return done_text
    try:
        return recorded if datetime.fromisoformat(recorded) >= done else done_text
    except ValueError:
        return done_text


def process_exists(pid: int) -> bool:
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
