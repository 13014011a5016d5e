"""One daemon per state directory: an exclusive ``flock`` on ``<state_dir>/daemon.lock`` held for life.

The kernel drops the lock when the process ends, however it ends (SIGKILL, power loss of a
container), so a stale lock never needs cleaning; the pid written into the file is only for the
message naming the daemon that holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Self

from watchsync.errors import WatchsyncError

LOCK_FILE = "daemon.lock"


class DaemonLocked(WatchsyncError):
    """Another process holds the state directory's daemon lock."""


class DaemonLock:
    """The state directory's daemon lock, taken at once or refused (never waited for)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> Self:
        """Take the lock; raises `DaemonLocked` naming the holder's pid when another process has it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            who = f" (pid {holder})" if holder else ""
            raise DaemonLocked(f"another watchsync daemon{who} is running with the state directory "
                               f"{self.path.parent}") from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock up (closing the file drops it); the file stays for the next daemon."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()


def _holder(fd: int) -> int | None:
    """The pid the holding daemon wrote, if it has written it yet."""
    text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    return int(text) if text.isdecimal() else None
