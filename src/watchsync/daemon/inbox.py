"""Watch the athletes' inbox folders and hand each finished file to intake, one at a time.

Move-into events are acted on at once; a close-after-write makes a file ready once it has stayed
unchanged for ``settle_seconds`` after it (a writer that closes between pieces, ``cat a > f; cat b
>> f``, was taken at its first close and its tail became a workout of its own, probe journey10);
created/modified events are debounced: ready once size and mtime stay unchanged for
``quiet_seconds`` where no close events exist (polling, macOS), else only after
``STALLED_WRITE_SECONDS`` without a change (a stalled copy is not taken half-written). A file of a
type intake refuses (``tmp8x2k``, no extension) is refused only once it has stayed unchanged for
``REFUSE_GRACE_SECONDS``: a program that saves through a temporary file renames it away before. Only regular files
directly inside an inbox are considered: sub-folders (``processed/``, ``rejected/``, ...),
dotfiles, editor and partial-download files are ignored, and symlinks are never followed; a
symlink, folder, FIFO or other non-file gets one log line. Callbacks run in one worker thread, so
intake is serialised. A callback raising :class:`RetryLater` (a fault of the host, e.g. a full
disk) gets the file again after a backoff (``retry_seconds`` doubling to ``RETRY_CAP_SECONDS``).
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserverVFS

from watchsync.daemon.intake_files import ERROR_SUFFIX, PROCESSED, REJECTED
from watchsync.errors import WatchsyncError

logger = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = (".toml", ".txt", ".fit", ".json")  # .json: a Garmin Connect workout
#: Working files of other programs: partial downloads and copies, editors' swap, backup and
#: safe-write files (moving them away would break the program still writing them).
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload", ".download", ".swp", ".swo", ".swx",
                    ".kate-swp", ".save", ".bak", ".orig", "___jb_tmp___", "___jb_old___", "~")
#: Names that are never a coach's file: Office lock files (``~$name``), folder metadata.
IGNORED_PREFIXES = ("~$",)
IGNORED_NAMES = frozenset({"4913", "thumbs.db", "desktop.ini"})  # 4913: vim's probe file
#: On Linux a file written in place is taken when its writer closes it (inotify close-after-write); one
#: modified but not closed (a stalled copy) is taken only after this long without a change.
STALLED_WRITE_SECONDS = 120.0
#: After its writer closes it, a file is taken once unchanged this long (the default of ``settle_seconds``).
CLOSE_SETTLE_SECONDS = 0.25
#: A file of a type intake refuses is refused only after this long unchanged (a save through a temporary
#: file, ``tempfile.mkstemp`` beside the target, renames it away within milliseconds).
REFUSE_GRACE_SECONDS = 5.0
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    DirCreatedEvent,
    DirMovedEvent,
]

RETRY_SECONDS = 2.0
RETRY_CAP_SECONDS = 60.0
#: Sub-folders the daemon keeps in an inbox (never reported as stray).
OWN_FOLDERS = (PROCESSED, REJECTED)

ReadyCallback = Callable[[str, Path], None]
RejectedCallback = Callable[[str, Path, str], None]
Signature = tuple[int, int, int]


def is_ignored_name(name: str) -> bool:
    """True for names that are never intake: dotfiles, temp/partial/swap files, editor leftovers, our error notes."""
    lower = name.lower()
    return (
        name.startswith((".", *IGNORED_PREFIXES))
        or lower.endswith((*IGNORED_SUFFIXES, ERROR_SUFFIX))
        or (name.startswith("#") and name.endswith("#"))
        or lower in IGNORED_NAMES
    )


def rejection_reason(name: str, size: int, max_bytes: int) -> str | None:
    """Why a regular file cannot be taken, or None when it can."""
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        found = f"{suffix!r}" if suffix else "no extension"
        return f"unsupported file type ({found}); expected one of {', '.join(ACCEPTED_SUFFIXES)}"
    if size > max_bytes:
        return f"file is {size} bytes, over the limit of {max_bytes}"
    return None


class RetryLater(WatchsyncError):
    """Raised by a callback: the file could not be taken because of the host; deliver it again later."""


class InboxError(WatchsyncError):
    """An inbox folder cannot be created or watched; the message names the folder and the reason."""


@dataclass
class _Pending:
    """A debounced file: ready once its signature is unchanged at ``due``."""

    athlete: str
    signature: Signature | None
    due: float
    quiet: float  # how long it must stay unchanged


def _signature(st: os.stat_result) -> Signature:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def file_version(path: Path) -> Signature | None:
    """Which version of a file ``path`` names now (inode, size, modification time); None when gone."""
    st = _lstat(path)
    return None if st is None else _signature(st)


def _identity(folder: Path) -> tuple[int, int] | None:
    """The folder's (device, inode); None when it is gone."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _native_observer() -> BaseObserver:
    """The platform's observer; on Linux with unpaired moves reported as moves (so moved-in files are seen)."""
    if sys.platform.startswith("linux"):
        from watchdog.observers.inotify import InotifyObserver

        return InotifyObserver(generate_full_events=True)
    return Observer()


class InboxWatcher:
    """Deliver each finished file dropped into an athlete's inbox exactly once per content version."""

    def __init__(
        self,
        roots: dict[str, Path],
        *,
        on_ready: ReadyCallback,
        on_rejected: RejectedCallback,
        quiet_seconds: float = 1.0,
        settle_seconds: float = CLOSE_SETTLE_SECONDS,
        max_bytes: int = 1_048_576,
        polling: bool = False,
        poll_seconds: float = 1.0,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._inboxes: dict[Path, str] = {}
        self._configured: dict[Path, Path] = {}  # each watched folder → the inbox path the config gives
        for athlete, root in roots.items():
            # the folder itself: a symlinked athlete folder was watched as the link (no event ever came);
            # files are handed over under the configured path, as the store knows them (probe review13)
            inbox = Path(os.path.realpath(root))
            if inbox in self._inboxes:
                raise ValueError(f"athletes {self._inboxes[inbox]!r} and {athlete!r} share the inbox {inbox}")
            self._inboxes[inbox] = athlete
            self._configured[inbox] = Path(os.path.abspath(root))
        self._on_ready = on_ready
        self._on_rejected = on_rejected
        self._quiet = quiet_seconds
        self._settle_seconds = settle_seconds
        # inotify reports close-after-write: wait for it, not for a quiet second (see STALLED_WRITE_SECONDS)
        self._written_quiet = quiet_seconds if polling or not sys.platform.startswith("linux") else max(
            quiet_seconds, STALLED_WRITE_SECONDS)
        self._max_bytes = max_bytes
        self._polling = polling
        self._poll_seconds = poll_seconds

        self._cond = threading.Condition()
        self._ready: dict[Path, str] = {}
        self._pending: dict[Path, _Pending] = {}
        self._delivered: dict[Path, Signature] = {}
        self._reported_symlinks: set[Path] = set()
        self._graced: set[Path] = set()  # refused types held back for REFUSE_GRACE_SECONDS before refusal
        self._retry_seconds = retry_seconds
        self._retries: dict[Path, float] = {}  # the next backoff of a file a callback asked to retry
        self._busy = False
        self._stopping = False
        self._observer: BaseObserver | None = None
        self._worker: threading.Thread | None = None
        self._identities: dict[Path, tuple[int, int] | None] = {}  # each inbox folder watched (device, inode)

    def start(self) -> None:
        """Create missing inbox folders, start watching, then rescan what is already there."""
        with self._cond:
            if self._worker is not None:
                raise RuntimeError("inbox watcher already started")
            self._stopping = False
            self._observer = self._watch_all()
            assert self._observer is not None  # strict: a failure raised
            self._worker = threading.Thread(target=self._work, name="watchsync-intake", daemon=True)
            self._worker.start()
        self.rescan()

    def _watch_all(self, *, strict: bool = True) -> BaseObserver | None:
        """A started observer of every inbox (made when missing), each folder's identity noted.

        ``strict`` (start-up): a folder that cannot be watched is an :class:`InboxError`. Else (watching
        again while running) it is logged once and left out, the others watched; None when no observer
        could start at all (the caller keeps the one it has).
        """
        observer = self._new_observer()
        handler = _EventHandler(
            self.athlete_for, ready=self._mark_ready, closed=self._mark_closed, changed=self._mark_changed,
            gone=self._forget,
        )
        for inbox, athlete in self._inboxes.items():
            self._identities[inbox] = _identity(inbox)  # tried once per state of the folder, not every tick
            try:
                self._prepare(inbox, athlete)
                # inotify also watches processed/ and rejected/, so that moving a file there
                # pairs at once: an unpaired move-out holds every later event for 0.5 s.
                observer.schedule(handler, str(inbox), recursive=not self._polling, event_filter=WATCHED_EVENTS)
                self._identities[inbox] = _identity(inbox)
            except OSError as exc:
                problem = f"{inbox}: cannot watch the inbox of {athlete}: {exc.strerror or exc}"
                if strict:
                    observer.stop()
                    raise InboxError(problem) from None
                logger.error("%s (watched again when the folder changes)", problem)
        try:
            observer.start()  # watchdog adds the inotify watches here (a folder gone meanwhile, ENOSPC)
        except OSError as exc:
            problem = f"cannot watch the inboxes: {exc.strerror or exc}"
            if strict:
                raise InboxError(problem) from None
            logger.error("%s (the inboxes stay watched as they were)", problem)
            return None
        return observer

    def check_inboxes(self) -> bool:
        """Watch the inboxes again when a folder was replaced (moved away and made again, or removed):
        the watch followed the old folder, so files dropped into the new one waited for a restart
        (probe journey10). Cheap (a stat per inbox): the daemon calls it every few seconds. True when
        it watched them again; a folder that cannot be watched is said once, the others go on."""
        if self._polling:  # the polling observer lists each path anew; a stat of a hung share must not
            return False   # block the daemon's main loop (and its watchdog pings)
        replaced = [inbox for inbox in self._inboxes if _identity(inbox) != self._identities.get(inbox)]
        if not replaced:
            return False
        for inbox in replaced:
            logger.warning("the inbox %s of %s was replaced or removed: watching it again", inbox,
                           self._inboxes[inbox])
        with self._cond:
            if self._observer is None:  # stopped
                return False
            before = dict(self._identities)
            new = self._watch_all(strict=False)
            if new is None:  # no observer started: the next check tries again (ENOSPC may have cleared)
                self._identities = before
                return False
            old, self._observer = self._observer, new
        old.stop()
        old.join(5.0)
        self.rescan()
        return True

    def stop(self, timeout: float = 15.0) -> None:
        """Stop watching; the callback in progress finishes, queued files wait for the next rescan."""
        with self._cond:
            observer, worker = self._observer, self._worker
            self._observer = self._worker = None
            self._stopping = True
            self._ready.clear()
            self._pending.clear()
            self._cond.notify_all()
        if observer is not None:
            observer.stop()
            observer.join(timeout)
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)

    def rescan(self) -> None:
        """Queue every file already in the inboxes (events that happened while down are lost), in
        the order they arrived (modification time, then name): a plan dropped after the workout
        files it names comes after them, as it would have while running."""
        now = time.time()
        for inbox, athlete in self._inboxes.items():
            try:
                entries = list(os.scandir(inbox))
            except OSError as exc:
                logger.error("cannot list inbox %s: %s", inbox, exc.strerror or exc)
                continue
            found = [(st, Path(entry.path)) for entry in entries if (st := _lstat(Path(entry.path))) is not None]
            for st, path in sorted(found, key=lambda item: (item[0].st_mtime_ns, item[1].name)):
                if now - st.st_mtime >= self._quiet:
                    self._mark_ready(athlete, path)
                else:
                    self._mark_changed(athlete, path, seen_written=False)

    def retrying(self) -> bool:
        """True while a file a callback asked to retry (a host fault) still waits in an inbox."""
        with self._cond:
            for path in [p for p in self._retries if _lstat(p) is None]:
                del self._retries[path]
            return bool(self._retries)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued, debounced or being processed; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._ready or self._pending or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    @staticmethod
    def _prepare(inbox: Path, athlete: str) -> None:
        if not inbox.is_dir():
            inbox.mkdir(parents=True, exist_ok=True)
            logger.info("created inbox %s for athlete %s", inbox, athlete)

    def _new_observer(self) -> BaseObserver:
        if self._polling:
            return PollingObserverVFS(stat=os.lstat, listdir=os.scandir, polling_interval=self._poll_seconds)
        return _native_observer()

    def athlete_for(self, path: Path) -> str | None:
        """The athlete whose inbox directly holds ``path``, or None for anything else."""
        return self._inboxes.get(path.parent)

    def _mark_ready(self, athlete: str, path: Path) -> None:
        with self._cond:
            self._pending.pop(path, None)
            self._ready[path] = athlete
            self._cond.notify_all()

    def _mark_closed(self, athlete: str, path: Path) -> None:
        """A file its writer closed: ready once unchanged for ``settle_seconds`` (at once for 0)."""
        if self._settle_seconds <= 0:
            self._mark_ready(athlete, path)
            return
        st = _lstat(path)
        with self._cond:
            if path in self._ready:
                return
            signature = _signature(st) if st is not None else None
            settle = self._settle_seconds
            self._pending[path] = _Pending(athlete, signature, time.monotonic() + settle, settle)
            self._cond.notify_all()

    def _mark_changed(self, athlete: str, path: Path, *, seen_written: bool = True) -> None:
        """Debounce ``path``; a regular file seen being written waits for its close (``_written_quiet``);
        one found at start (its close, if any, was before we watched) and a folder or link (no close
        event) wait ``quiet_seconds``."""
        st = _lstat(path)
        with self._cond:
            if path in self._ready:
                return
            signature = _signature(st) if st is not None else None
            written = seen_written and st is not None and stat.S_ISREG(st.st_mode)
            quiet = self._written_quiet if written else self._quiet
            self._pending[path] = _Pending(athlete, signature, time.monotonic() + quiet, quiet)
            self._cond.notify_all()

    def _forget(self, path: Path) -> None:
        with self._cond:
            self._pending.pop(path, None)
            self._delivered.pop(path, None)
            self._graced.discard(path)
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                item = self._next_item()
                if item is None:
                    return
                self._busy = True
            try:
                self._process(*item)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _next_item(self) -> tuple[str, Path] | None:
        """Block (holding the condition) until a file is ready; None when stopping."""
        while not self._stopping:
            if self._ready:
                path = next(iter(self._ready))
                return self._ready.pop(path), path
            now = time.monotonic()
            for path, pending in list(self._pending.items()):
                if pending.due <= now:
                    self._settle(path, pending, now)
            if self._ready:
                continue
            next_due = min((p.due for p in self._pending.values()), default=None)
            self._cond.wait(None if next_due is None else max(0.0, next_due - now))
        return None

    def _settle(self, path: Path, pending: _Pending, now: float) -> None:
        """A debounced file whose quiet period ended: ready if unchanged, else wait another period."""
        st = _lstat(path)
        if st is None:
            del self._pending[path]
        elif _signature(st) == pending.signature:
            del self._pending[path]
            self._ready[path] = pending.athlete
        else:
            pending.signature = _signature(st)
            pending.due = now + pending.quiet

    def _process(self, athlete: str, path: Path) -> None:
        st = _lstat(path)
        if st is None:
            return
        if stat.S_ISLNK(st.st_mode):
            if path not in self._reported_symlinks:
                self._reported_symlinks.add(path)
                logger.warning("ignoring symlink %s in the inbox of %s (symlinks are never followed)", path, athlete)
            return
        if is_ignored_name(path.name):
            return
        if not stat.S_ISREG(st.st_mode):
            if path not in self._reported_symlinks and not (stat.S_ISDIR(st.st_mode) and path.name in OWN_FOLDERS):
                self._reported_symlinks.add(path)
                logger.warning("ignoring %s %s in the inbox of %s (only regular files are taken in)",
                               _kind_of(st.st_mode), path, athlete)
            return
        signature = _signature(st)
        reason = rejection_reason(path.name, st.st_size, self._max_bytes)
        given = self._configured.get(path.parent, path.parent) / path.name  # the path the coach and store know
        with self._cond:
            if self._delivered.get(path) == signature:
                return
            if reason is not None and path not in self._graced:  # a temporary file may be renamed away yet
                self._graced.add(path)
                self._pending[path] = _Pending(athlete, signature, time.monotonic() + REFUSE_GRACE_SECONDS,
                                               REFUSE_GRACE_SECONDS)
                self._cond.notify_all()
                return
            self._graced.discard(path)
            self._delivered[path] = signature
        try:
            if reason is None:
                self._on_ready(athlete, given)
            else:
                self._on_rejected(athlete, given, reason)
            with self._cond:
                self._retries.pop(path, None)
        except RetryLater:
            self._retry(athlete, path, signature)
        except Exception as exc:
            logger.error("intake of %s failed: %s: %s", path, type(exc).__name__, exc)
            logger.debug("intake failure details", exc_info=True)


    def _retry(self, athlete: str, path: Path, signature: Signature) -> None:
        """Deliver ``path`` again after its backoff (sooner if it changes)."""
        with self._cond:
            delay = self._retries.get(path, self._retry_seconds)
            self._retries[path] = min(delay * 2, max(RETRY_CAP_SECONDS, self._retry_seconds))
            self._delivered.pop(path, None)
            if path not in self._ready:
                self._pending[path] = _Pending(athlete, signature, time.monotonic() + delay, self._quiet)
            self._cond.notify_all()


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "device"), (stat.S_ISBLK, "device")):
        if test(mode):
            return name
    return "non-file"


class _EventHandler(FileSystemEventHandler):
    """Translate watchdog events (observer thread) into the watcher's ready/debounce/forget queues."""

    def __init__(
        self,
        athlete_for: Callable[[Path], str | None],
        *,
        ready: Callable[[str, Path], None],
        closed: Callable[[str, Path], None],
        changed: Callable[[str, Path], None],
        gone: Callable[[Path], None],
    ) -> None:
        self._athlete_for = athlete_for
        self._ready = ready
        self._closed = closed
        self._changed = changed
        self._gone = gone

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:  # a folder made or moved into an inbox is reported (once) by the worker
            made = event.dest_path if isinstance(event, DirMovedEvent) else event.src_path
            if isinstance(event, DirCreatedEvent | DirMovedEvent) and made:
                self._accept(Path(os.fsdecode(made)), self._changed)
            return
        src = Path(os.fsdecode(event.src_path)) if event.src_path else None
        if isinstance(event, FileMovedEvent | FileDeletedEvent) and src is not None:
            self._gone(src)
        if isinstance(event, FileMovedEvent) and event.dest_path:
            self._accept(Path(os.fsdecode(event.dest_path)), self._ready)
        elif isinstance(event, FileClosedEvent) and src is not None:
            self._accept(src, self._closed)
        elif isinstance(event, FileCreatedEvent | FileModifiedEvent) and src is not None:
            self._accept(src, self._changed)

    def _accept(self, path: Path, queue: Callable[[str, Path], None]) -> None:
        athlete = self._athlete_for(path)
        if athlete is not None and not is_ignored_name(path.name):
            queue(athlete, path)
