"""``watchsync daemon``: one process serving every configured athlete until SIGTERM.

Start-up: take the state directory's lock (one daemon per state directory), open the store, log
every athlete in from its saved tokens (a refused login parks that athlete's queue, the others go
on), start one sync worker per athlete, the inbox watcher (with a rescan) and the poller, then tell
systemd READY. The main loop writes the heartbeat and pid into the store (every
``HEARTBEAT_WRITE_SECONDS``) and pings the systemd watchdog while the worker and poller
threads are alive and healthy. SIGTERM/SIGINT let the current operation finish and exit 0 within
``STOP_SECONDS``; SIGHUP reloads the configuration (a broken one is logged and the old one kept).

Storage: the store is integrity-checked at start (a damaged one is refused with the way to recover
it), backed up with ``VACUUM INTO`` every :data:`~watchsync.store.backup.BACKUP_EVERY` into
``<state_dir>/backups/``, and every file the daemon writes is private (umask 077, state directory
0700). A host fault (disk full, read-only, I/O error) never stops the daemon: it says
``STATUS=unhealthy: <cause>`` to systemd, records the cause when it can, keeps coach files in the
inbox, and resumes by itself when the fault clears (the watchdog is still pinged: a restart would
not free the disk).
"""

from __future__ import annotations

import functools
import logging
import math
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from watchsync.config import Config, ConfigError
from watchsync.daemon import notify
from watchsync.daemon.inbox import InboxError, InboxWatcher
from watchsync.daemon.intake import AthleteInbox, Intake
from watchsync.daemon.jobs import Poller, write_daily_summary
from watchsync.daemon.lock import DaemonLock, DaemonLocked
from watchsync.daemon.status import (
    FAULT_KEY,
    GLOBAL,
    HEARTBEAT_KEY,
    PID_KEY,
    calls_fail,
    calls_work,
    now_text,
    record_error,
)
from watchsync.daemon.worker import AthleteWorker
from watchsync.errors import WatchsyncError
from watchsync.garmin.client import GarminClient
from watchsync.garmin.errors import AuthRequired, GarminError, RateLimited, Transient, login_hint_for
from watchsync.garmin.sync import SyncService
from watchsync.services.garmin import client_for
from watchsync.store import Store, StoreError, StoreFault
from watchsync.store.backup import BACKUP_EVERY, backup_due, backups_dir, take_backup
from watchsync.store.db import make_private_dir

if TYPE_CHECKING:  # imported when configured: a daemon without [web] / [notify] loads neither
    from watchsync.daemon.alerts import Alerts
    from watchsync.daemon.notifications import Notifier
    from watchsync.web.server import WebServer

logger = logging.getLogger(__name__)

#: The main loop's tick (faults, the systemd watchdog, reloads).
HEARTBEAT_SECONDS = 5.0
#: The heartbeat is written into the store at most this often: a write is a WAL frame and an fsync,
#: which an SD card pays every time (every 5 s was 26,000 fsyncs a day for an idle daemon, probe journey10).
HEARTBEAT_WRITE_SECONDS = 30.0
#: A failed backup is tried again after this.
BACKUP_RETRY_SECONDS = 3600.0
#: Everything stops within this after SIGTERM (systemd's TimeoutStopSec is 15 s; the issue asks 10 s).
STOP_SECONDS = 8.0
NOISY_LIBRARIES = ("garminconnect",)
#: Logged at ERROR by watchdog when its inotify thread is stopped mid-read (every shutdown; harmless).
BENIGN_RECORDS = frozenset({("watchdog.observers.inotify",
                             "InotifyEmitter.queue_events() called when the thread is inactive")})


class DaemonError(WatchsyncError):
    """The daemon cannot start: the message says what to fix."""


class DaemonConfigError(DaemonError):
    """The configuration cannot work: restarting changes nothing until a person fixes it."""


class Daemon:
    """The running parts for one configuration: workers, intake, inbox watcher, poller."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self._stop = threading.Event()
        self._workers: dict[str, AthleteWorker] = {}
        self._watcher: InboxWatcher | None = None
        self._poller: Poller | None = None
        self._intake: Intake | None = None
        self._web: WebServer | None = None
        self._notifier: Notifier | None = None
        self._alerts: Alerts | None = None
        self._last_beat = -math.inf
        self.beat_fault: str | None = None

    def start(self) -> None:
        """Log in, then start workers, watcher and poller; ``DaemonError`` when the config cannot work."""
        config = self.config
        if not config.athletes:
            raise DaemonConfigError(f"{config.source}: no athletes configured ([athletes.NAME] tables)")
        self._prepare_companions()
        inboxes: dict[str, AthleteInbox] = {}
        for name, athlete in config.athletes.items():
            inbox = config.inbox_dir(name)
            if inbox is None:
                raise DaemonConfigError(f"{config.source}: athlete {name!r} has no inbox "
                                  f"(set [daemon] inbox or athletes.{name}.inbox)")
            client = self._login(name)
            self._workers[name] = AthleteWorker(
                self.store, athlete, functools.partial(self._client, name), config.token_dir(name),
                config.state_dir, self._stop, client,
                unreachable_retry=timedelta(seconds=config.garmin.unreachable_retry_seconds))
            inboxes[name] = AthleteInbox(athlete, inbox, SyncService(self.store, functools.partial(_same, client),
                                                                     athlete))
        from watchsync.daemon.rejected import stray_entries

        for stray in stray_entries(config):  # nothing takes these in: said, so that no file waits unseen
            logger.warning("%s in %s: %s", stray.name, config.daemon.inbox, stray.problem)
        intake = Intake(self.store, inboxes, config.state_dir, on_queued=lambda name: self._workers[name].wake())
        self._intake = intake
        settings = config.daemon
        try:
            self._poller = Poller(poll_seconds=settings.poll_minutes * 60, daily_at=settings.summary_time,
                                  sync_due=self._activities_due, daily=self._daily_summaries)
        except Exception as error:  # schedule's ScheduleValueError for a bad HH:MM
            raise DaemonConfigError(f"{config.source}: daemon.summary_time {settings.summary_time!r}: "
                                    f"{error}") from None
        self._watcher = InboxWatcher({name: inbox.inbox for name, inbox in inboxes.items()},
                                     on_ready=intake.accept, on_rejected=intake.reject,
                                     quiet_seconds=settings.quiet_seconds, settle_seconds=settings.settle_seconds,
                                     max_bytes=settings.max_file_bytes, polling=settings.polling)
        for worker in self._workers.values():
            worker.start()
        try:
            self._watcher.start()
        except InboxError as error:
            self.close()
            raise DaemonError(str(error)) from None
        self._poller.start()
        self._start_companions()
        logger.info("serving %d athlete(s): %s", len(self._workers), ", ".join(
            f"{name} (inbox {inboxes[name].inbox})" for name in self._workers))

    def _prepare_companions(self) -> None:
        """The dashboard and the notifications, checked before anything starts (a bad [web] stops here)."""
        config = self.config
        from watchsync.web.auth import WebConfigError

        try:
            if config.web.listen is not None:
                from watchsync.daemon.rejected import dashboard_status
                from watchsync.web.server import WebServer

                self._web = WebServer(config, self.store, functools.partial(dashboard_status, config))
            if not config.notify.urls and config.notify.urls_file is None:
                return
            from watchsync.daemon.alerts import Alerts
            from watchsync.daemon.notifications import Notifier, apprise_targets

            targets = apprise_targets([url.get_secret_value() for url in config.notify.urls],
                                      config.notify.urls_file)
            if targets:
                self._notifier = Notifier(self.store, targets, max_per_hour=config.notify.max_per_hour)
                self._alerts = Alerts(config, self.store, self._notifier)
        except (WebConfigError, ValueError) as error:
            raise DaemonConfigError(f"{config.source}: {error}") from None

    def _start_companions(self) -> None:
        from watchsync.web.auth import WebConfigError

        if self._notifier is not None and self._alerts is not None:
            self._notifier.start()
            self._alerts.start()
            logger.info("notifications on (%d target(s))", len(self.config.notify.urls)
                        + (1 if self.config.notify.urls_file else 0))
        if self._web is not None:
            try:
                self._web.start()
            except WebConfigError as error:
                self.close()
                raise DaemonConfigError(f"{self.config.source}: {error}") from None

    def storage_fault(self, problem: str) -> None:
        """Tell the coach (once until it works again) that the store failed."""
        if self._alerts is not None:
            self._alerts.storage_fault(problem)

    @property
    def dashboard_url(self) -> str | None:
        return self._web.url if self._web is not None else None

    def _client(self, name: str) -> GarminClient:
        try:
            return client_for(self.config, name, sleep=self._pause)
        except ConfigError as error:
            raise DaemonError(str(error)) from None

    def _pause(self, seconds: float) -> None:
        """Backoff sleep that ends early when the daemon stops (the retry then fails fast or succeeds)."""
        self._stop.wait(seconds)

    def _login(self, name: str) -> GarminClient:
        """A client logged in from the athlete's tokens; a refusal parks the queue (never fatal)."""
        client = self._client(name)
        try:
            client.login_from_tokens()
        except AuthRequired as error:
            reason = login_hint_for(str(error), name)  # `watchsync login --athlete <name>`
            if self.store.parked_reason(name) is None:
                self.store.park(name, reason)
            record_error(self.store, name, reason)
            logger.error("%s: %s (queue parked until then; files are still taken in)", name, reason)
            return client
        except GarminError as error:
            logger.warning("%s: login deferred: %s", name, error)
            if isinstance(error, RateLimited | Transient):
                calls_fail(self.store, name)
            return client
        calls_work(self.store, name)
        if self.store.parked_reason(name) is not None:
            self.store.unpark(name)
            logger.info("%s: tokens accepted; the parked queue resumes", name)
        return client

    def _activities_due(self) -> None:
        for worker in self._workers.values():
            worker.request_activity_sync()

    def _daily_summaries(self, _host_today: date) -> None:
        for athlete in self.config.athletes.values():
            try:
                write_daily_summary(self.store, athlete, self.config.state_dir, athlete.today())
            except Exception as error:
                logger.error("daily summary of %s failed: %s: %s", athlete.name, type(error).__name__, error)

    def healthy(self) -> bool:
        """True while every worker and the poller run and the workers' last rounds went well."""
        poller_ok = self._poller is not None and self._poller.is_alive()
        return poller_ok and all(w.is_alive() and w.healthy for w in self._workers.values())

    def threads_alive(self) -> bool:
        """True while every worker and the poller thread run (whatever their last round gave)."""
        return (self._poller is not None and self._poller.is_alive()
                and all(w.is_alive() for w in self._workers.values()))

    def beat(self) -> None:
        """Heartbeat and pid into the store, at most every ``HEARTBEAT_WRITE_SECONDS`` (every call while it fails)."""
        if time.monotonic() - self._last_beat < HEARTBEAT_WRITE_SECONDS:
            return
        try:
            with self.store.transaction():
                self.store.kv_set(GLOBAL, HEARTBEAT_KEY, now_text())
                self.store.kv_set(GLOBAL, PID_KEY, os.getpid())
        except StoreFault as fault:
            self.beat_fault = str(fault)
            raise
        self.beat_fault = None
        self._last_beat = time.monotonic()

    def check_inboxes(self) -> None:
        """Watch an inbox folder again that was replaced since (see :meth:`InboxWatcher.check_inboxes`)."""
        if self._watcher is not None:
            try:
                self._watcher.check_inboxes()
            except Exception as error:  # the daemon never dies of watching again (it logs, and goes on)
                logger.error("watching the inboxes again failed: %s: %s", type(error).__name__, error)

    def fault(self) -> str | None:
        """The host fault that keeps the daemon from working now (store or disk), or None.

        A fault seen by intake lasts while a file it kept back still waits for its retry (a file
        that goes through clears it).
        """
        if self.beat_fault is not None:
            return self.beat_fault
        intake, watcher = self._intake, self._watcher
        if intake is None or intake.fault is None:
            return None
        if watcher is not None and not watcher.retrying():
            intake.fault = intake.fault_kind = None
        return intake.fault

    def close(self, budget: float = STOP_SECONDS) -> None:
        """Stop taking files, let each worker finish its current operation, within ``budget`` seconds."""
        deadline = time.monotonic() + budget
        if self._web is not None:
            self._web.stop()
        if self._alerts is not None:
            self._alerts.stop()
        if self._notifier is not None:
            self._notifier.stop()
        if self._watcher is not None:
            self._watcher.stop(timeout=budget / 2)
        self._stop.set()
        for worker in self._workers.values():
            worker.wake()
        if self._poller is not None:
            self._poller.stop(timeout=max(0.0, deadline - time.monotonic()))
        for worker in self._workers.values():
            worker.join(max(0.0, deadline - time.monotonic()))
        stuck = [name for name, worker in self._workers.items() if worker.is_alive()]
        if stuck:
            logger.warning("sync of %s still busy at shutdown; its operation is resumed at the next start",
                           ", ".join(stuck))


def _same(client: GarminClient) -> GarminClient:
    return client


class _Signals:
    """SIGTERM/SIGINT ask to stop, SIGHUP to reload; both wake the main loop."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.reload = threading.Event()
        self.wake = threading.Event()
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        for signum, handler in ((signal.SIGTERM, self._on_stop), (signal.SIGINT, self._on_stop),
                                (signal.SIGHUP, self._on_reload)):
            self._previous[signum] = signal.signal(signum, handler)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _on_stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stop.set()
        self.wake.set()

    def _on_reload(self, signum: int, _frame: FrameType | None) -> None:
        self.reload.set()
        self.wake.set()


def run(config: Config, *, reload: Callable[[], Config]) -> int:
    """Run the daemon until SIGTERM/SIGINT; returns the exit code (0 on a clean stop)."""
    os.umask(0o077)  # FIT files are GPS traces, tokens are secrets: nothing the daemon writes is for others
    tame_library_logging()
    signals = _Signals()
    signals.install()
    try:
        lock, store = _open_store(config)
        try:
            daemon = _start(config, store)
            _serve(daemon, signals, reload)
        finally:
            _forget_pid(store)
            store.close()
            lock.release()
    finally:
        signals.restore()
    logger.info("stopped")
    return 0


def _serve(daemon: Daemon, signals: _Signals, reload: Callable[[], Config]) -> None:
    notify.ready()
    serving = f"serving {len(daemon.config.athletes)} athlete(s)"
    notify.status(serving)
    watchdog = notify.watchdog_interval()  # None: no WatchdogSec=, so no pings at all
    interval = min(HEARTBEAT_SECONDS, watchdog or math.inf)
    backups = _Backups(daemon.store)
    shown: str | None = None
    while not signals.stop.is_set():
        if signals.reload.is_set():
            signals.reload.clear()
            daemon = _reloaded(daemon, reload)
        try:
            daemon.beat()
            beat_ok = True
        except (StoreError, sqlite3.Error) as error:
            if str(error) != shown:
                logger.error("cannot write the heartbeat: %s", error)
            beat_ok = False
        daemon.check_inboxes()
        fault = daemon.fault()
        if fault != shown:
            _announce_fault(daemon.store, fault, serving)
            if fault is not None:
                daemon.storage_fault(fault)
            shown = fault
        if fault is None:
            backups.maybe()
        if watchdog is not None and ((beat_ok and daemon.healthy()) or (fault is not None and daemon.threads_alive())):
            notify.watchdog_ping()
        signals.wake.wait(min(interval, 1.0) if fault is not None else interval)
        signals.wake.clear()
    notify.stopping()
    logger.info("stopping: finishing the current operations")
    daemon.close()


def _announce_fault(store: Store, fault: str | None, serving: str) -> None:
    """Say a host fault (or its end) to systemd, the log and, when it can be written, the store."""
    if fault is None:
        notify.status(serving)
        logger.info("the store can be written again; resuming (files kept in the inbox are taken now)")
    else:
        notify.status(f"unhealthy: {fault}")
        logger.error("unhealthy: %s (coach files stay in the inbox and are retried)", fault)
    try:
        if fault is None:
            store.kv_delete(GLOBAL, FAULT_KEY)
        else:
            store.kv_set(GLOBAL, FAULT_KEY, f"{now_text()} {fault}")
    except StoreError:
        pass  # a full or read-only store cannot hold its own fault: `status` diagnoses it directly


class _Backups:
    """``VACUUM INTO`` backups: at start when the newest is old, then every ``BACKUP_EVERY``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._folder = backups_dir(store.path)
        self._next = time.monotonic() if backup_due(self._folder) else time.monotonic() + BACKUP_EVERY.total_seconds()

    def maybe(self) -> None:
        if time.monotonic() < self._next:
            return
        try:
            target = take_backup(self._store, self._folder)
        except (StoreError, OSError, sqlite3.Error) as error:
            logger.error("store backup failed (next try in %.0f min): %s", BACKUP_RETRY_SECONDS / 60, error)
            self._next = time.monotonic() + BACKUP_RETRY_SECONDS
            return
        logger.info("store backed up to %s", target)
        self._next = time.monotonic() + BACKUP_EVERY.total_seconds()


def _privatise(state_dir: Path) -> None:
    """The state directory and its folders (tokens, archives, backups) are 0700, whoever made them."""
    make_private_dir(state_dir)
    for entry in state_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            make_private_dir(entry)


def _open_store(config: Config) -> tuple[DaemonLock, Store]:
    """The state directory's daemon lock (one daemon per state directory) and its store."""
    lock = DaemonLock(config.state_dir)
    try:
        _privatise(config.state_dir)
        lock.acquire()
    except DaemonLocked as error:
        raise DaemonError(str(error)) from None
    except OSError as error:
        raise DaemonError(f"{config.state_dir}: cannot use the state directory: {error}") from None
    try:
        return lock, Store.open(config.store_path, check=True)
    except (StoreError, OSError) as error:
        lock.release()
        raise DaemonError(str(error) if isinstance(error, StoreError)
                          else f"{config.state_dir}: cannot use the state directory: {error}") from None


def _start(config: Config, store: Store) -> Daemon:
    daemon = Daemon(config, store)
    try:
        daemon.start()
    except BaseException:
        daemon.close()
        raise
    try:
        daemon.beat()
    except StoreFault as fault:  # reported by the main loop, which keeps trying
        logger.error("cannot write the heartbeat: %s", fault)
    return daemon


def _reloaded(daemon: Daemon, reload: Callable[[], Config]) -> Daemon:
    """The daemon restarted on the new configuration; the old one kept when the new one fails."""
    notify.sd_notify("RELOADING=1")
    try:
        config = reload()
    except Exception as error:
        logger.error("reload refused, keeping the running configuration: %s", error)
        notify.ready()
        return daemon
    if config.store_path != daemon.config.store_path:
        logger.error("reload refused: the state directory cannot change while running (restart instead)")
        notify.ready()
        return daemon
    daemon.close()
    try:
        fresh = _start(config, daemon.store)
    except (DaemonError, StoreError) as error:
        logger.error("reload failed (%s); going on with the previous configuration", error)
        fresh = _start(daemon.config, daemon.store)
    logger.info("configuration reloaded from %s", config.source)
    notify.ready()
    return fresh


def _forget_pid(store: Store) -> None:
    try:
        if store.kv_get(GLOBAL, PID_KEY) == os.getpid():
            store.kv_delete(GLOBAL, PID_KEY)
    except (StoreError, sqlite3.Error) as error:
        logger.warning("cannot clear the pid in the store: %s", error)


class _LibraryNoise(logging.Filter):
    """Libraries' records on one line without tracebacks (``one_line`` loggers); known benign ones dropped."""

    def __init__(self, one_line: tuple[str, ...], benign: frozenset[tuple[str, str]]) -> None:
        super().__init__()
        self._one_line = one_line
        self._benign = benign

    def filter(self, record: logging.LogRecord) -> bool:
        if (record.name, str(record.msg)) in self._benign:
            return False
        if record.name.split(".")[0] in self._one_line:
            record.msg = (record.getMessage().strip().splitlines() or [""])[0]
            record.args = None
            record.exc_info = record.exc_text = record.stack_info = None
        return True


def tame_library_logging() -> None:
    """One line per event from libraries too: drop fit-tool's handler, cut garminconnect's tracebacks.

    fit-tool calls ``logging.basicConfig`` when imported, which adds an unredacted root handler that
    prints every record a second time.
    """
    from fit_tool.utils.logging import FORMAT  # importing it runs that basicConfig now, not mid-run

    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler and getattr(handler.formatter, "_fmt", None) == FORMAT:
            root.removeHandler(handler)
        elif not any(isinstance(f, _LibraryNoise) for f in handler.filters):
            handler.filters.insert(0, _LibraryNoise(NOISY_LIBRARIES, BENIGN_RECORDS))
